"""Data sources (linreg.sources): one description of where data comes from, and load() that makes it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from pandas.testing import assert_frame_equal

from linreg.datasets import DATASETS, load_dataset
from linreg.design import ModelSpec, default_spec
from linreg.exceptions import DataError, ModelError
from linreg.export import data_csv
from linreg.sources import (
    DataSource,
    LoadedData,
    builtin_source,
    csv_source,
    synthetic_source,
)
from linreg.synthetic import GENERATORS, make_data


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_builtin_load_gives_the_dataset_its_title_and_documented_model(name):
    df, label, spec, truth = builtin_source(name).load()
    ref, info = load_dataset(name)
    assert_frame_equal(df, ref)
    assert label == f"Built-in: {info.title}"
    assert spec == ModelSpec(info.target, features=info.features)
    assert truth is None


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_synthetic_load_draws_the_seeded_data_its_hinted_model_and_truth(kind):
    src = synthetic_source(kind, 5, n=40)
    loaded = src.load()
    assert isinstance(loaded, LoadedData)
    sd = make_data(kind, n=40, seed=5)
    assert_frame_equal(loaded.df, sd.data)
    assert loaded.label == f"Synthetic: {kind} (n=40, seed 5)"
    assert loaded.spec == ModelSpec(**{"target": sd.target, **(sd.spec_hint or {})})
    assert loaded.truth == dict(sd.coef)
    # Seeded: the same source makes the same data again.
    assert_frame_equal(src.load().df, loaded.df)


def test_synthetic_vector_params_stay_hashable_and_reach_the_generator():
    src = synthetic_source("linear", 1, n=30, p=3, coef=np.array([1.0, -2.0, 0.5]))
    assert dict(src.params)["coef"] == (1.0, -2.0, 0.5)
    hash(src)
    assert src.generator_kwargs == {"coef": (1.0, -2.0, 0.5), "n": 30, "p": 3, "seed": 1}
    assert_frame_equal(src.load().df, make_data("linear", n=30, p=3, coef=[1.0, -2.0, 0.5], seed=1).data)


def test_csv_load_reads_the_file_and_gives_the_default_model(tmp_path, monkeypatch):
    df = pd.DataFrame({"g": ["a", "b", "a", "c"], "x": [1.0, 2.0, 3.0, 5.0], "y": [0.5, 1.0, 2.0, 2.5]})
    (tmp_path / "mine.csv").write_text(data_csv(df), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    got, label, spec, truth = csv_source("mine.csv").load()
    assert_frame_equal(got, df)
    assert label == "Upload: mine.csv"
    assert spec == ModelSpec("y", features=("g", "x"), categorical=("g",))
    assert truth is None
    # The bytes of an upload can be given instead of a file.
    assert_frame_equal(csv_source("upload.csv").load(data_csv(df).encode()).df, df)


def test_csv_load_leaves_an_id_like_text_column_out_of_the_default_model():
    df = pd.DataFrame({"id": [f"row{i}" for i in range(60)], "g": ["a", "b", "c"] * 20,
                       "x": np.arange(60.0), "y": np.arange(60.0) % 7})
    spec = csv_source("ids.csv").load(data_csv(df).encode()).spec
    assert spec == ModelSpec("y", features=("g", "x"), categorical=("g",))


def test_csv_load_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(DataError):
        csv_source("nowhere.csv").load(tmp_path / "nowhere.csv")


def test_default_spec_picks_the_last_numeric_target_and_makes_text_categorical():
    df = pd.DataFrame({"y0": [1.0, 2.0], "flag": [True, False], "name": ["a", "b"], "z": [3, 4], "t": ["u", "v"]})
    assert default_spec(df) == ModelSpec("z", features=("y0", "flag", "name", "t"),
                                          categorical=("flag", "name", "t"))
    assert default_spec(df, "y0", ("name",)) == ModelSpec("y0", features=("name",), categorical=("name",))
    text_only = pd.DataFrame({"a": ["x", "y"], "b": ["u", "v"]})
    assert default_spec(text_only).target == "b"


def test_source_fields_are_checked_once_when_made():
    assert DataSource("builtin", "cars") == builtin_source("cars")
    assert DataSource("synthetic", "linear", (("noise", 2.0), ("n", 10)), 3).params == (("n", 10), ("noise", 2.0))
    with pytest.raises(ModelError, match="kind must be one of"):
        DataSource("url", "http://example.com")
    with pytest.raises(ModelError, match="dataset must be one of"):
        DataSource("builtin", "iris")
    with pytest.raises(ModelError, match="kind must be one of"):
        DataSource("synthetic", "spline", seed=1)
    with pytest.raises(ModelError, match="seed must be a whole number"):
        DataSource("synthetic", "linear")
    with pytest.raises(ModelError, match="seed must be a whole number"):
        synthetic_source("linear", True)
    with pytest.raises(ModelError, match="not among its params"):
        DataSource("synthetic", "linear", (("seed", 2),), 2)
    with pytest.raises(ModelError, match="single line"):
        csv_source("a\rb")
    with pytest.raises(ModelError, match="single line"):
        csv_source("")


def test_loaded_data_unpacks_in_order():
    loaded = builtin_source("cars").load()
    df, label, spec, truth = loaded
    assert df is loaded.df and label is loaded.label and spec is loaded.spec and truth is loaded.truth
    assert_array_equal(df.columns, ["speed", "dist"])


# ---------------------------------------------------------------------------
# registered datasets (Parquet, fitted out of core; the location is the operator's)
# ---------------------------------------------------------------------------
from linreg.sources import dataset_facts, head_rows, registered_source, sample_rows


@pytest.fixture
def parquet_folder(tmp_path):
    """Three Parquet files of 40, 0 and 60 rows (x, g, y), under a folder with a non-Parquet file."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "big"
    folder.mkdir()
    for i, n in enumerate((40, 0, 60)):
        x = rng.normal(size=n)
        pd.DataFrame({"x": x, "g": rng.choice(["a", "b"], size=n), "y": 1 + 2 * x}).to_parquet(
            folder / f"part-{i}.parquet")
    (folder / "README.txt").write_text("not data")
    return folder


def test_a_registered_source_carries_its_name_not_its_location(parquet_folder):
    src = registered_source("big", str(parquet_folder))
    assert src == registered_source("big", "/somewhere/else")  # equality and hashing ignore the location
    assert hash(src) == hash(DataSource("registered", "big"))
    assert str(parquet_folder) not in repr(src)
    assert src.is_large and not registered_source("big", sample=10).is_large
    assert registered_source("big", sample=10) == DataSource("registered", "big", (("sample", 10),), 0)


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "../etc"}, "registered dataset's name must be"),
    ({"name": "a b"}, "registered dataset's name must be"),
    ({"name": "big", "params": (("n", 5),)}, "only a sample size"),
    ({"name": "big", "params": (("sample", 0),), "seed": 0}, "from 1 to 2,000,000"),
    ({"name": "big", "params": (("sample", 5),)}, "whole-number seed"),
    ({"name": "big", "seed": 3}, "seed only with a sample"),
])
def test_a_bad_registered_source_is_refused_when_made(kwargs, match):
    with pytest.raises(ModelError, match=match):
        DataSource("registered", **kwargs)


def test_the_facts_come_from_the_footers_in_file_order(parquet_folder):
    facts = dataset_facts(str(parquet_folder))
    assert [f.path for f in facts.files] == [str(parquet_folder / f"part-{i}.parquet") for i in range(3)]
    assert [f.rows for f in facts.files] == [40, 0, 60] and facts.rows == 100
    assert facts.columns == (("x", "double"), ("g", "large_string"), ("y", "double")) or \
        facts.columns == (("x", "double"), ("g", "string"), ("y", "double"))
    assert facts.size == sum((parquet_folder / f"part-{i}.parquet").stat().st_size for i in range(3))
    assert dataset_facts(str(parquet_folder / "*.parquet")) == facts  # a glob names the same files
    assert dataset_facts(str(parquet_folder)) == facts  # nothing changed, the same fingerprint
    x = pd.read_parquet(parquet_folder / "part-2.parquet")
    x.head(59).to_parquet(parquet_folder / "part-2.parquet")
    changed = dataset_facts(str(parquet_folder))
    assert changed != facts and changed.rows == 99


def test_facts_refuse_a_folder_without_parquet_and_mixed_schemas(tmp_path, parquet_folder):
    with pytest.raises(DataError, match="has no Parquet files"):
        dataset_facts(str(tmp_path / "nothing-here"))
    pd.DataFrame({"x": [1.0]}).to_parquet(parquet_folder / "part-3.parquet")
    with pytest.raises(DataError, match="other columns or types"):
        dataset_facts(str(parquet_folder))
    (parquet_folder / "bad.parquet").write_text("not parquet")
    with pytest.raises(DataError, match="cannot read the Parquet footer"):
        dataset_facts(str(parquet_folder / "bad.parquet"))


def test_load_gives_the_first_rows_or_a_reproducible_sample(parquet_folder):
    location = str(parquet_folder)
    df, label, spec, truth = registered_source("big", location).load()
    assert label == "Large dataset: big (100 rows, fitted out of core; the first 100 in view)" and truth is None
    assert len(df) == 100 and list(df.columns) == ["x", "g", "y"]  # fewer rows than a preview holds
    assert spec == default_spec(df) and spec.target == "y"
    assert head_rows(location, 50)["x"].tolist() == df["x"].head(50).tolist()  # across the empty file
    a = sample_rows(location, 30, seed=4)
    assert a.equals(sample_rows(location, 30, seed=4)) and not a.equals(sample_rows(location, 30, seed=5))
    assert 10 <= len(a) <= 30
    assert set(a["x"]) <= set(df["x"])
    loaded = registered_source("big", location, sample=30, seed=4).load()
    assert loaded.label == f"Sample of big: {len(a)} rows (seed 4)"
    assert_frame_equal(loaded.df, a)
    assert len(sample_rows(location, 1000)) == 100  # asking for more than there is gives every row


def test_load_without_a_location_says_who_gives_one():
    with pytest.raises(ModelError, match=r"has no location here; a server's operator names it in the \[datasets\]"):
        DataSource("registered", "big").load()
