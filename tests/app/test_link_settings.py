"""Every setting a link accepts, at its minimum, its maximum and a middle value, through every page
that shows it: the value comes back unchanged in the session state, in the widget and in the URL.

The ranges are ui.settings.FIELDS, the one table both the widgets and the links read; a value a
widget could not hold would be reset by Streamlit to the widget's minimum without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from linreg.datasets import load_dataset
from linreg.design import ModelSpec, build_design
from linreg.penalized import penalty_path
from ui.settings import FIELDS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
STATE = {"fit": "lr_fit_settings", "gd": "lr_gd_settings", "reg": "lr_reg_settings"}
# (page, widget key prefix, extra link parameters the page needs to show the setting)
SHOWN_ON = {
    "fit": [("pages/fit.py", "fit", {})],
    "gd": [("pages/fit.py", "fit_gd", {"method": "gd"}), ("pages/descent.py", "gd", {})],
    "reg": [("pages/regularization.py", "reg", {})],
}
FIT_ONLY_GD = {"ridge"}  # the Fit page has no ridge control
# Link parameters a setting needs beside it to have a widget: the lags are HAC's.
NEEDS = {"maxlags": {"cov": "HAC"}}


def _ends_and_middle(f):
    if f.kind == "choice":
        return list(f.options)
    if f.kind == "bool":
        return [False, True]
    middle = (f.low + f.high) / 2
    values = [f.low, round(middle / f.step) * f.step if f.grid else middle, f.high]
    return [int(v) for v in values] if f.kind == "int" else [round(v, 10) if f.grid else v for v in values]


def _text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value) if isinstance(value, (int, str)) else repr(float(value))


def _query(at: AppTest) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def _widget(at: AppTest, f, key: str):
    for kind in ("number_input", "slider", "checkbox", "radio", "select_slider", "selectbox"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0].value
    raise AssertionError(f"no widget {key}")


def _cases():
    for group, pages in SHOWN_ON.items():
        for name, f in FIELDS[group].items():
            if f.kind == "column":  # a column of the data: test_the_weights_column_survives_every_page
                continue
            for value in _ends_and_middle(f):
                shown = [p for p in pages if not (group == "gd" and name in FIT_ONLY_GD and p[0] == "pages/fit.py")]
                yield pytest.param(group, name, value, shown, id=f"{f.link}={_text(value)}")


@pytest.mark.parametrize(("group", "name", "value", "pages"), list(_cases()))
def test_a_setting_survives_every_page_that_shows_it(group, name, value, pages):
    f = FIELDS[group][name]
    link = {"data": "cars", f.link: _text(value), **NEEDS.get(name, {})}
    if group == "reg" and name == "alpha":
        link["pen"] = "elasticnet"  # the mix has a widget only for the elastic net
    for page, prefix, extra in pages:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update({**link, **extra})
        at.run()
        assert not at.warning, [w.value for w in at.warning]
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        held = getattr(at.session_state[STATE[group]], name)
        expected = None if f.default is None and value == 0 else value  # batch 0 is the full batch (None)
        assert held == expected, (page, held)
        shown = _widget(at, f, f"{prefix}_{f.key}")
        if group == "fit" and name == "alpha":
            assert shown == round(100 * (1 - value))  # the widget shows the confidence level
        else:
            assert shown == value, (page, shown)
        query = _query(at)
        if expected is None:
            assert f.link not in query  # a link leaves the full batch unsaid
        else:
            assert query[f.link] == _text(value), (page, query)
        at.switch_page("pages/data.py").run()  # and back: the page forgets its widgets, the state does not
        at.switch_page(page).run()
        assert getattr(at.session_state[STATE[group]], name) == expected
        assert _widget(at, f, f"{prefix}_{f.key}") == shown


@pytest.mark.parametrize("column", ["acid_conc", "water_temp"])
def test_the_weights_column_survives_every_page(column):
    # stackloss with its target and one feature: the other numeric columns can weight the fit.
    f = FIELDS["fit"]["weights"]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"data": "stackloss", "target": "stack_loss", "features": "air_flow", f.link: column})
    at.run()
    assert not at.warning, [w.value for w in at.warning]
    for page in ("pages/fit.py", "pages/residuals.py", "pages/data.py", "pages/fit.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, [e.value for e in at.error])
        assert at.session_state[STATE["fit"]].weights == column
        assert _query(at)[f.link] == column
    assert any(i.value.startswith("Weighted least squares") and f"`{column}`" in i.value for i in at.info)
    at.switch_page("pages/data.py").run()
    assert at.selectbox(key="data_weights").value == column
    at.selectbox(key="data_weights").set_value(None).run()
    assert f.link not in _query(at) and at.session_state[STATE["fit"]].weights is None


def test_a_link_weights_column_the_data_lacks_is_dropped_with_a_note_and_named_on_the_fit_page():
    from dataclasses import replace

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"data": "cars", "target": "dist", "features": "speed", "weights": "no such"})
    at.run()  # the Data page: it drops the column, with a note
    assert not at.exception
    assert at.session_state[STATE["fit"]].weights is None
    assert any("`no such` is not a numeric column of this data" in c.value for c in at.caption)
    # A Fit page reached first (a deep link) names it instead.
    at.session_state[STATE["fit"]] = replace(at.session_state[STATE["fit"]], weights="no such")
    at.switch_page("pages/fit.py").run()
    assert not at.exception
    assert any("the weights column 'no such' is not in the data" in e.value for e in at.error), at.error


def _lasso_grid():
    df, _ = load_dataset("cars")
    d = build_design(df, ModelSpec("dist", ("speed",)))
    return penalty_path(d.X, d.y, l1_ratio=1.0, standardize=True, intercept=True, terms=d.terms).lams


@pytest.mark.parametrize("where", ["smallest", "middle", "largest"])
def test_lambda_on_the_grid_survives_the_regularization_page(where):
    lams = _lasso_grid()
    index = {"smallest": lams.size - 1, "middle": lams.size // 2, "largest": 0}[where]
    lam = float(lams[index])
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"data": "cars", "lam": repr(lam)})
    at.run()
    at.switch_page("pages/regularization.py").run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.select_slider(key="reg_lam_index").value == index
    assert at.session_state["lr_reg_lambda"][1] == lam
    assert _query(at)["lam"] == repr(lam)


@pytest.mark.parametrize("k", [0, 50_000, 100_000])
def test_the_iteration_survives_the_gradient_descent_page(k):
    f = FIELDS["view"]["iteration"]
    assert (f.low, f.high) == (0, 100_000)
    at = AppTest.from_file(APP, default_timeout=120)
    # A rate too small to converge, so the run keeps every one of its 100,000 iterations.
    at.query_params.update({"data": "cars", "k": str(k), "iters": "100000", "lr": "1e-10"})
    at.run()
    at.switch_page("pages/descent.py").run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.slider(key="gd_k").value == k
    assert at.session_state["lr_iteration"] == k
    assert _query(at).get("k") == (str(k) if k else None)  # iteration 0 goes without saying


@pytest.mark.parametrize("lesson", [1, 5, 10])
def test_the_lesson_survives_the_learn_page(lesson):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lesson": str(lesson)})
    at.run()
    at.switch_page("pages/learn.py").run()
    assert not at.exception and not at.warning
    assert at.selectbox(key="learn_lesson").value == lesson
    assert _query(at).get("lesson") == (str(lesson) if lesson != 1 else None)


def test_a_tiny_learning_rate_in_a_link_is_refused_by_name_not_clamped():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"data": "cars", "lr": "1e-11", "method": "gd"})
    at.run()
    assert any("'lr' must be a number from 1e-10" in w.value for w in at.warning), [w.value for w in at.warning]
    at.switch_page("pages/fit.py").run()
    assert at.session_state["lr_gd_settings"].learning_rate == FIELDS["gd"]["learning_rate"].default


def test_a_large_rate_set_on_the_descent_page_stays_on_the_fit_page():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/descent.py").run()
    at.number_input(key="gd_lr").set_value(5000.0).run()
    at.switch_page("pages/fit.py").run()
    at.radio(key="fit_method").set_value("gd").run()
    assert not at.exception
    assert at.number_input(key="fit_gd_lr").value == 5000.0
    assert at.session_state["lr_gd_settings"].learning_rate == 5000.0
    at.switch_page("pages/descent.py").run()
    assert at.number_input(key="gd_lr").value == 5000.0
