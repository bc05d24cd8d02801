"""Shareable links: the URL follows the state, and opening a link rebuilds the same numbers."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from linreg.design import ModelSpec, build_design, fit_design
from linreg.synthetic import make_data

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _open(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def test_the_url_describes_the_default_state():
    at = _open()
    assert not at.exception
    query = {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert query["data"] == "cars"
    assert query["target"] == "dist"
    assert query["features"] == "speed"
    assert query["method"] == "qr"


def test_a_generator_link_rebuilds_the_same_data_and_fit():
    query = {"gen": "polynomial", "g_n": "60", "g_seed": "9", "target": "y", "features": "x",
             "poly": "x:2", "method": "svd"}
    at = _open(query)
    assert not at.exception
    at.switch_page("pages/fit.py").run()
    assert not at.exception
    data = make_data("polynomial", n=60, seed=9).data
    expected = fit_design(build_design(data, ModelSpec("y", ("x",), poly=(("x", 2),))), method="svd")
    assert _metric(at, "R²") == f"{expected.r_squared:.4f}"
    assert at.radio(key="fit_method").value == "svd"


def test_a_broken_link_says_why_and_opens_the_defaults():
    at = _open({"data": "cars", "lr": "-3"})
    assert not at.exception
    assert any("'lr' must be a number" in w.value for w in at.warning)
    assert "Built-in" in " ".join(m.value for m in at.sidebar.markdown)


@pytest.mark.parametrize("query", [{"data": "cars", "target": "nope"}, {"gen": "linear", "g_n": "1"}])
def test_a_link_to_missing_columns_or_bad_knobs_is_refused(query):
    at = _open(query)
    assert not at.exception
    assert len(at.warning) >= 1


def test_the_iteration_on_show_is_in_the_link_and_a_link_opens_at_it():
    at = _open()
    at.switch_page("pages/descent.py").run()
    at.slider(key="gd_k").set_value(7).run()
    assert not at.exception
    assert at.query_params["k"] in ("7", ["7"])
    at.switch_page("pages/fit.py").run()
    at.switch_page("pages/descent.py").run()
    assert at.slider(key="gd_k").value == 7

    linked = _open({"data": "cars", "lr": "0.05", "iters": "60", "k": "12"})
    linked.switch_page("pages/descent.py").run()
    assert not linked.exception
    assert linked.slider(key="gd_k").value == 12
    assert linked.number_input(key="gd_lr").value == 0.05
