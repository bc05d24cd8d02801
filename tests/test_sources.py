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
