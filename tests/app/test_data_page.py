"""Data page: upload, generate, built-in pick, model terms, and state that survives a page switch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from linreg import datasets, synthetic
from linreg.design import ModelSpec

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _csv(n: int = 30, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    g = np.where(np.arange(n) % 3 == 0, "north", np.where(np.arange(n) % 3 == 1, "south", "east"))
    y = 1 + 2 * a - b + rng.normal(scale=0.1, size=n)
    return pd.DataFrame({"a": a, "b": b, "group": g, "y": y}).to_csv(index=False).encode()


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key="upload").set_value((name, data, "text/csv")).run()


def test_good_upload_replaces_data_and_proposes_a_model():
    at = _upload(_app(), "good.csv", _csv())
    assert not at.exception and not at.error
    df = at.session_state["lr_data"]
    assert list(df.columns) == ["a", "b", "group", "y"] and len(df) == 30
    assert at.session_state["lr_source"] == "Upload: good.csv"
    spec = at.session_state["lr_spec"]
    assert spec.target == "y"
    assert spec.features == ("a", "b", "group")
    assert spec.categorical == ("group",)  # text columns are suggested as categorical
    assert at.selectbox(key="target").value == "y"
    assert at.multiselect(key="categorical").value == ["group"]
    # The column table reports types and missing values.
    table = at.dataframe[1].value
    assert table.set_index("column").loc["group", "type"] == "text"
    assert any("No missing values" in m.value for m in at.markdown)


def test_rejected_upload_keeps_previous_data_and_settings():
    at = _upload(_app(), "good.csv", _csv())
    at.multiselect(key="features").set_value(["a", "b"]).run()
    at.checkbox(key="standardize").check().run()
    before_spec = at.session_state["lr_spec"]
    before_df = at.session_state["lr_data"]
    assert before_spec.features == ("a", "b") and before_spec.standardize

    at = _upload(at, "bad.csv", b"\x00\x01\x02\x03binary\x00junk\xff\xfe")
    assert not at.exception
    assert at.error, "a rejected upload must show an error"
    assert "rejected" in at.error[0].value and "bad.csv" in at.error[0].value
    assert at.session_state["lr_source"] == "Upload: good.csv"
    assert at.session_state["lr_data"] is before_df or at.session_state["lr_data"].equals(before_df)
    assert at.session_state["lr_spec"] == before_spec
    assert at.multiselect(key="features").value == ["a", "b"]
    assert at.checkbox(key="standardize").value is True


def test_missing_values_are_reported():
    data = b"x,y\n1,2\n2,\n3,5\n4,7\n,9\n6,11\n"
    at = _upload(_app(), "gaps.csv", data)
    assert not at.exception and not at.error
    report = " ".join(m.value for m in at.markdown)
    assert "2 of 6 rows" in report
    warnings = " ".join(w.value for w in at.warning)
    assert "2 rows with a missing value" in warnings


@pytest.mark.parametrize("kind", list(synthetic.GENERATORS))
def test_generate_every_kind(kind):
    at = _app()
    at.selectbox(key="gen_kind").set_value(kind).run()
    at.number_input(key="gen_seed").set_value(7).run()
    at.button(key="generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["lr_source"].startswith(f"Synthetic: {kind}")
    assert at.session_state["lr_truth"]  # the true coefficients are kept for the Fit page
    expected = synthetic.make_data(kind, seed=7, **_defaults(kind))
    pd.testing.assert_frame_equal(at.session_state["lr_data"], expected.data)
    assert at.session_state["lr_spec"].target == expected.target
    # And it fits.
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(m.label.startswith("R²") for m in at.metric)


def _defaults(kind: str) -> dict:
    params = {p: spec[0] for p, spec in synthetic.GENERATOR_PARAMS.get(kind, {}).items()}
    params.setdefault("n", 100)
    return params


def test_pick_a_builtin_dataset():
    at = _app()
    names = list(datasets.DATASETS)
    name = names[-1] if at.session_state["lr_source"] != f"Built-in: {datasets.DATASETS[names[-1]].title}" else names[0]
    at.selectbox(key="builtin").set_value(name).run()
    at.button(key="load_builtin").click().run()
    assert not at.exception and not at.error
    df, info = datasets.load_dataset(name)
    assert at.session_state["lr_source"] == f"Built-in: {info.title}"
    pd.testing.assert_frame_equal(at.session_state["lr_data"], df)
    assert at.session_state["lr_spec"].target == info.target
    assert at.selectbox(key="target").value == info.target


def test_model_terms_change_the_spec():
    at = _upload(_app(), "good.csv", _csv())
    at.selectbox(key="target").set_value("a").run()
    # The new target leaves the features.
    assert at.multiselect(key="features").value == ["b", "group"]
    at.selectbox(key="target").set_value("y").run()
    at.multiselect(key="features").set_value(["a", "b", "group"]).run()
    at.multiselect(key="interactions").set_value(["a × b"]).run()
    at.number_input(key="poly::a").set_value(2).run()
    at.checkbox(key="standardize").check().run()
    at.checkbox(key="intercept").uncheck().run()
    assert not at.exception
    assert at.session_state["lr_spec"] == ModelSpec(
        target="y",
        features=("a", "b", "group"),
        categorical=("group",),
        poly=(("a", 2),),
        interactions=(("a", "b"),),
        standardize=True,
        intercept=False,
    )


def test_text_feature_not_categorical_is_explained():
    at = _upload(_app(), "good.csv", _csv())
    at.multiselect(key="categorical").set_value([]).run()
    assert not at.exception
    assert any("not categorical" in w.value for w in at.warning)
    assert at.error  # the design cannot use text as numbers: linreg's message is shown


def test_state_survives_a_page_switch():
    at = _upload(_app(), "good.csv", _csv())
    at.multiselect(key="features").set_value(["a", "group"]).run()
    at.number_input(key="poly::a").set_value(3).run()
    spec = at.session_state["lr_spec"]
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error
    terms = at.dataframe[0].value["term"].tolist()
    assert terms[0] == "Intercept" and len(terms) == 1 + 3 + 2  # a, a^2, a^3 and two dummies of group
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.session_state["lr_source"] == "Upload: good.csv"
    assert at.session_state["lr_spec"] == spec
    assert at.multiselect(key="features").value == ["a", "group"]
    assert at.number_input(key="poly::a").value == 3


def test_user_column_names_render_literally():
    hostile = b'"**bold** _it_","$x^2$",":red[y]","<b>t</b>"\n1,2,4,1\n2,1,5,2\n3,4,1,3\n4,3,2,5\n5,6,3,4\n6,5,6,7\n'
    at = _upload(_app(), "hostile.csv", hostile)
    assert not at.exception and not at.error
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error
    texts = [m.value for m in (*at.markdown, *at.caption, *at.warning, *at.sidebar.markdown)]
    # Markdown and math in column names are escaped (or inside code spans), never interpreted.
    for text in texts:
        assert "**bold**" not in text.replace("`**bold** _it_`", "")
        assert " $x^2$" not in text
    assert any(r"\*\*bold\*\* \_it\_" in t for t in texts)


def test_an_id_like_text_column_is_left_out_and_can_still_be_added():
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame({"row_id": [f"r{i:03d}" for i in range(n)], "g": ["p", "q", "r"] * 20,
                       "x": rng.normal(size=n), "y": rng.normal(size=n)})
    at = _upload(_app(), "ids.csv", df.to_csv(index=False).encode())
    assert not at.exception and not at.error
    spec = at.session_state["lr_spec"]
    assert spec.features == ("g", "x") and spec.categorical == ("g",)
    notes = [c.value for c in at.caption if "left out of the default model" in c.value]
    assert len(notes) == 1 and "`row_id`" in notes[0] and "60 distinct values" in notes[0]
    # The user may still add it; as a categorical it is refused with the reason, not built.
    at.multiselect(key="features").set_value(["g", "x", "row_id"]).run()
    assert not at.exception and not any("left out of the default model" in c.value for c in at.caption)
    at.multiselect(key="categorical").set_value(["g", "row_id"]).run()
    assert not at.exception
    assert at.session_state["lr_spec"].categorical == ("g", "row_id")
    errors = [e.value for e in at.error]
    assert any("cannot be built" in e and "60 distinct values" in e and "at most 50 levels" in e for e in errors), errors
    # Another dataset has no notes.
    at = _upload(at, "good.csv", _csv())
    assert not any("left out of the default model" in c.value for c in at.caption)
