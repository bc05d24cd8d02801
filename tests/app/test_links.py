"""Shareable links: the URL follows the state, and opening a link rebuilds the same numbers."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from linreg.datasets import load_dataset
from linreg.design import ModelSpec, build_design, fit_design
from linreg.penalized import cross_validate, fit_penalized, penalty_path
from linreg.format import fmt
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


# ----------------------------------------------------------------------------- Regularization page and lessons

REG = "pages/regularization.py"


def _query(at: AppTest) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def _cars_path(l1_ratio: float, standardize: bool):
    """The λ grid and CV of the Regularization page on the default data (cars: dist ~ speed)."""
    df, _ = load_dataset("cars")
    d = build_design(df, ModelSpec("dist", ("speed",)))
    kw = dict(l1_ratio=l1_ratio, standardize=standardize, intercept=d.intercept, terms=d.terms)
    return penalty_path(d.X, d.y, **kw), d, kw


def _assert_reg_view(at: AppTest, penalty: str, standardize: bool, seed: int, index: int, lam: float) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="reg_penalty").value == penalty
    assert at.checkbox(key="reg_standardize").value is standardize
    assert at.number_input(key="reg_cv_seed").value == seed
    assert at.select_slider(key="reg_lam_index").value == index
    assert _metric(at, "λ") == fmt(lam, 4)
    assert at.session_state["lr_reg_lambda"][1] == lam


def test_a_link_opens_the_penalty_lambda_and_cv_seed_and_a_page_switch_keeps_them():
    path, d, kw = _cars_path(0.0, False)
    lam = float(path.lams[10])
    cv = cross_validate(d.X, d.y, k=5, seed=3, **kw)
    assert cv.index_1se != 10  # the page's own start is elsewhere, so landing on 10 is the link's doing
    at = _open({"data": "cars", "pen": "ridge", "rstd": "0", "rseed": "3", "lam": repr(lam)})
    assert not at.warning, [w.value for w in at.warning]
    at.switch_page(REG).run()
    _assert_reg_view(at, "ridge", False, 3, 10, lam)
    # The numbers are those of ridge, raw features, folds from seed 3, at that λ.
    fit = fit_penalized(d.X, d.y, lam=lam, **kw)
    assert _metric(at, "Training MSE") == fmt(fit.mse, 5)
    assert _metric(at, "5-fold CV MSE") == fmt(cv.mse_mean[10], 5)
    at.switch_page("pages/fit.py").run()
    assert _query(at)["lam"] == repr(lam) and _query(at)["pen"] == "ridge"
    at.switch_page(REG).run()
    _assert_reg_view(at, "ridge", False, 3, 10, lam)
    assert {k: _query(at)[k] for k in ("pen", "rstd", "rseed", "lam")} == {
        "pen": "ridge", "rstd": "0", "rseed": "3", "lam": repr(lam)}


def test_an_elastic_net_link_restores_its_mix():
    path, _, _ = _cars_path(0.3, True)
    at = _open({"data": "cars", "pen": "elasticnet", "mix": "0.3", "lam": repr(float(path.lams[4]))})
    at.switch_page(REG).run()
    assert not at.exception
    assert at.slider(key="reg_alpha").value == 0.3
    assert at.select_slider(key="reg_lam_index").value == 4
    assert _metric(at, "λ") == fmt(path.lams[4], 4)
    assert _query(at)["mix"] == "0.3"


def test_the_url_follows_the_regularization_page():
    at = _open()
    at.switch_page(REG).run()
    at.radio(key="reg_penalty").set_value("ridge").run()
    at.number_input(key="reg_cv_seed").set_value(5).run()
    at.select_slider(key="reg_lam_index").set_value(12).run()
    assert not at.exception
    path, _, _ = _cars_path(0.0, True)
    assert {k: _query(at)[k] for k in ("pen", "rseed", "lam")} == {
        "pen": "ridge", "rseed": "5", "lam": repr(float(path.lams[12]))}
    # The link made here opens the same view in a fresh session.
    again = _open(_query(at))
    again.switch_page(REG).run()
    _assert_reg_view(again, "ridge", True, 5, 12, float(path.lams[12]))


def test_a_lambda_between_grid_points_snaps_and_one_outside_the_grid_is_reported():
    path, _, _ = _cars_path(1.0, True)
    at = _open({"data": "cars", "pen": "lasso", "lam": repr(float(path.lams[20]) * 1.02)})
    at.switch_page(REG).run()
    assert not at.exception and not at.warning
    assert at.select_slider(key="reg_lam_index").value == 20
    assert _query(at)["lam"] == repr(float(path.lams[20]))  # the link now holds the grid's λ

    far = _open({"data": "cars", "pen": "lasso", "lam": "1e9"})
    far.switch_page(REG).run()
    assert not far.exception and not far.error
    assert any("outside this path's grid" in w.value for w in far.warning), [w.value for w in far.warning]
    assert far.select_slider(key="reg_lam_index").value == 0  # the largest λ, the nearest end
    assert _metric(far, "λ") == fmt(path.lams[0], 4)


def test_new_data_drops_the_lambda_chosen_for_the_old():
    path, _, _ = _cars_path(1.0, True)
    at = _open({"data": "cars", "lam": repr(float(path.lams[30]))})
    at.switch_page("pages/data.py").run()
    at.selectbox(key="builtin").set_value("stackloss").run()
    at.button(key="load_builtin").click().run()
    assert not at.exception
    assert "lam" not in _query(at)  # a λ on the cars grid means nothing on the new one
    at.switch_page(REG).run()
    assert not at.exception
    d = build_design(at.session_state["lr_data"], at.session_state["lr_spec"])
    cv = cross_validate(d.X, d.y, k=5, seed=0, l1_ratio=1.0, standardize=True, intercept=d.intercept, terms=d.terms)
    assert at.select_slider(key="reg_lam_index").value == cv.index_1se
    assert _query(at)["lam"] == repr(float(cv.lams[cv.index_1se]))


@pytest.mark.parametrize(("query", "message"), [
    ({"data": "cars", "pen": "ols", "lam": "0.5"}, "'pen' must be one of"),
    ({"data": "cars", "pen": "ridge", "mix": "0.33"}, "'mix' must be a multiple of 0.05"),
    ({"data": "cars", "pen": "ridge", "lam": "-1"}, "'lam' must be a number"),
])
def test_a_bad_regularization_link_says_why_and_opens_the_defaults(query, message):
    at = _open(query)
    assert not at.exception
    assert any(message in w.value for w in at.warning), [w.value for w in at.warning]
    at.switch_page(REG).run()
    assert not at.exception
    assert at.radio(key="reg_penalty").value == "lasso"
    assert at.number_input(key="reg_cv_seed").value == 0
    path, d, kw = _cars_path(1.0, True)
    cv = cross_validate(d.X, d.y, k=5, seed=0, **kw)
    assert at.select_slider(key="reg_lam_index").value == cv.index_1se


def test_a_link_opens_the_lesson_and_a_page_switch_keeps_it():
    at = _open({"data": "cars", "lesson": "7"})
    at.switch_page("pages/learn.py").run()
    assert not at.exception
    assert at.selectbox(key="learn_lesson").value == 7
    assert any(h.value == "7. Residuals tell the truth" for h in at.header)
    at.switch_page("pages/fit.py").run()
    assert _query(at)["lesson"] == "7"
    at.switch_page("pages/learn.py").run()
    assert at.selectbox(key="learn_lesson").value == 7
    at.selectbox(key="learn_lesson").set_value(3).run()
    assert _query(at)["lesson"] == "3"
    at.selectbox(key="learn_lesson").set_value(1).run()
    assert "lesson" not in _query(at)


@pytest.mark.parametrize("lesson", ["11", "0", "seven"])
def test_a_bad_lesson_says_why_and_opens_the_first(lesson):
    at = _open({"data": "cars", "lesson": lesson})
    assert not at.exception
    assert any("'lesson' must be a whole number from 1 to 10" in w.value for w in at.warning)
    at.switch_page("pages/learn.py").run()
    assert not at.exception
    assert at.selectbox(key="learn_lesson").value == 1
