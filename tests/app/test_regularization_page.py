"""Regularization page: the numbers shown are linreg's penalized fits, paths, CV and complexity results."""

from __future__ import annotations

import base64
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from linreg.complexity import bootstrap_fits, degree_explorer, polynomial_truth
from linreg.design import build_design, fit_design
from linreg.exceptions import LinregWarning
from linreg.penalized import cross_validate, fit_penalized, penalty_path
from linreg.format import fmt
from linreg.plots.penalized import bootstrap_figure, degree_figure
from linreg.plots.tables import penalized_coef_table
from linreg.synthetic import make_polynomial

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/regularization.py"


def _page(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    _no_problems(at)
    return at


def _no_problems(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _synthetic(kind: str = "collinear", seed: int = 3) -> AppTest:
    """Generate synthetic data (with its truth) on the Data page, then open the page."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="gen_kind").set_value(kind).run()
    at.number_input(key="gen_seed").set_value(seed).run()
    at.button(key="generate").click().run()
    assert at.session_state["lr_truth"]
    return _page(at)


def _design(at: AppTest):
    return build_design(at.session_state["lr_data"], at.session_state["lr_spec"])


def _settings(at: AppTest) -> tuple[float, bool, int]:
    penalty = at.radio(key="reg_penalty").value
    alpha = at.slider(key="reg_alpha").value if penalty == "elasticnet" else {"ridge": 0.0, "lasso": 1.0}[penalty]
    return float(alpha), bool(at.checkbox(key="reg_standardize").value), int(at.number_input(key="reg_cv_seed").value)


def _expected(at: AppTest):
    d = _design(at)
    alpha, standardize, seed = _settings(at)
    kw = dict(l1_ratio=alpha, standardize=standardize, intercept=d.intercept, terms=d.terms)
    path = penalty_path(d.X, d.y, **kw)
    cv = cross_validate(d.X, d.y, k=5, seed=seed, **kw)
    return d, path, cv


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def _chart(at: AppTest, key_part: str) -> dict:
    import json

    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        if key_part in el.proto.id:
            return spec
    raise AssertionError(f"no chart with {key_part!r}")


def _arr(v) -> np.ndarray:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), v["dtype"])
    return np.asarray(v, dtype=float)


def _shown_fit(at: AppTest, d, path):
    lam = path.lams[int(at.select_slider(key="reg_lam_index").value)]
    alpha, standardize, _ = _settings(at)
    return fit_penalized(d.X, d.y, lam=float(lam), l1_ratio=alpha, standardize=standardize,
                         intercept=d.intercept, terms=d.terms)


def _assert_shows(at: AppTest) -> None:
    """Metrics, table, path and CV numbers on screen equal linreg's."""
    _no_problems(at)
    d, path, cv = _expected(at)
    i = int(at.select_slider(key="reg_lam_index").value)
    fit = _shown_fit(at, d, path)
    assert _metric(at, "λ") == fmt(fit.lam, 4)
    assert _metric(at, "Non-zero") == f"{fit.n_nonzero} of {fit.coef_work.size}"
    assert _metric(at, "Training MSE") == fmt(fit.mse, 5)
    assert _metric(at, "5-fold CV MSE") == fmt(cv.mse_mean[i], 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        ols = fit_design(d)
    truth = at.session_state["lr_truth"] if "lr_truth" in at.session_state else None
    expected = penalized_coef_table(fit, ols, truth)
    table = next(df.value for df in at.dataframe if "term" in df.value.columns)
    assert table.equals(expected), (table, expected)
    # The path chart draws linreg's path, one line per feature.
    spec = _chart(at, "reg_path_chart")
    lines = [t for t in spec["data"] if t.get("mode") == "lines"]
    assert len(lines) == len(d.terms)
    for j, t in enumerate(lines):
        np.testing.assert_allclose(_arr(t["y"]), path.slopes[:, j], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(_arr(t["x"]), np.log10(path.lams), rtol=1e-12)
    # The CV curve is linreg's mean CV error; captions name λ_min and λ_1se.
    cv_spec = _chart(at, "reg_cv_chart")
    np.testing.assert_allclose(_arr(cv_spec["data"][0]["y"]), cv.mse_mean, rtol=1e-12)
    captions = " ".join(c.value for c in at.caption)
    assert f"λ\\_min = {fmt(cv.lam_min)}" in captions
    assert f"λ\\_1se = {fmt(cv.lam_1se)}" in captions
    assert [b.label for b in at.button][:2] == [f"λ_min = {fmt(cv.lam_min, 3)}", f"λ_1se = {fmt(cv.lam_1se, 3)}"]
    _assert_no_nan(at)


def _assert_no_nan(at: AppTest) -> None:
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.value for m in at.metric]
    for df in at.dataframe:
        texts += [str(v) for v in df.value.to_numpy().ravel()]
    for text in texts:
        assert not re.search(r"\bnan\b|\binf\b", str(text), flags=re.IGNORECASE), text


def test_default_page_shows_linreg_numbers_and_the_objective():
    at = _page()
    assert any("\\lambda" in el.value for el in at.get("latex")) or any(
        "\\lambda" in m.value for m in at.markdown)
    # Starts at the one-standard-error λ of the CV.
    _, path, cv = _expected(at)
    assert at.select_slider(key="reg_lam_index").value == cv.index_1se
    _assert_shows(at)


def test_jump_buttons_move_lambda_to_lambda_min_and_1se():
    at = _synthetic()
    _, path, cv = _expected(at)
    at.button(key="reg_use_min").click().run()
    assert at.select_slider(key="reg_lam_index").value == cv.index_min
    assert _metric(at, "λ") == fmt(cv.lam_min, 4)
    _assert_shows(at)
    at.button(key="reg_use_1se").click().run()
    assert at.select_slider(key="reg_lam_index").value == cv.index_1se
    assert _metric(at, "λ") == fmt(cv.lam_1se, 4)


def test_lambda_slider_and_truth_column_on_synthetic_data():
    at = _synthetic()
    _, path, _ = _expected(at)
    at.select_slider(key="reg_lam_index").set_value(path.lams.size - 1).run()  # the smallest λ
    _assert_shows(at)
    table = next(df.value for df in at.dataframe if "term" in df.value.columns)
    assert "true value" in table.columns and "OLS" in table.columns
    # At λ = 0 the lasso would be OLS; at the grid's smallest λ it is already close.
    at.select_slider(key="reg_lam_index").set_value(0).run()  # λ_max: every lasso slope is 0
    assert _metric(at, "Non-zero").startswith("0 of")
    _assert_shows(at)


@pytest.mark.parametrize("penalty, alpha", [("ridge", None), ("elasticnet", 0.3), ("lasso", None)])
def test_each_penalty(penalty, alpha):
    at = _synthetic()
    at.radio(key="reg_penalty").set_value(penalty).run()
    if alpha is not None:
        at.slider(key="reg_alpha").set_value(alpha).run()
    _assert_shows(at)
    assert at.session_state["reg_penalty"] == penalty


def test_standardize_off_and_cv_seed():
    at = _synthetic()
    at.checkbox(key="reg_standardize").uncheck().run()
    _assert_shows(at)
    at.number_input(key="reg_cv_seed").set_value(11).run()
    _assert_shows(at)


def test_standardized_path_plot():
    at = _synthetic()
    at.toggle(key="reg_plot_std").set_value(True).run()
    _no_problems(at)
    _, path, _ = _expected(at)
    lines = [t for t in _chart(at, "reg_path_chart")["data"] if t.get("mode") == "lines"]
    for j, t in enumerate(lines):
        np.testing.assert_allclose(_arr(t["y"]), path.coef_work[:, j], rtol=1e-12, atol=1e-12)


def _complexity_args(at: AppTest):
    ss = at.session_state
    return int(ss["cx_n"]), int(ss["cx_degree"]), float(ss["cx_noise"]), int(ss["cx_seed"])


def test_degree_explorer_and_bootstrap_numbers():
    at = _page()
    at.slider(key="cx_n").set_value(80).run()
    at.slider(key="cx_max_degree").set_value(8).run()
    at.slider(key="cx_fit_degree").set_value(3).run()
    _no_problems(at)
    n, degree, noise, seed = _complexity_args(at)
    synth = make_polynomial(n, seed=seed, degree=degree, noise=noise)
    x, y = synth.data["x"].to_numpy(), synth.data["y"].to_numpy()
    ex = degree_explorer(x, y, max_degree=8, test_fraction=float(at.session_state["cx_test_fraction"]),
                         seed=int(at.session_state["cx_split_seed"]))
    spec = _chart(at, "reg_degree_chart")
    np.testing.assert_allclose(_arr(spec["data"][0]["y"]), ex.train_mse, rtol=1e-12)
    np.testing.assert_allclose(_arr(spec["data"][1]["y"]), ex.test_mse, rtol=1e-12)
    captions = [c.value for c in at.caption]
    assert degree_figure(ex)[1] in captions
    boot = bootstrap_fits(x, y, degree=3, n_boot=int(at.session_state["cx_n_boot"]),
                          seed=int(at.session_state["cx_boot_seed"]), truth=lambda g: polynomial_truth(synth.coef, g))
    assert bootstrap_figure(boot, x=x, y=y)[1] in captions
    assert "squared bias" in bootstrap_figure(boot, x=x, y=y)[1]
    # The seeds change the numbers.
    at.number_input(key="cx_split_seed").set_value(5).run()
    ex5 = degree_explorer(x, y, max_degree=8, test_fraction=float(at.session_state["cx_test_fraction"]), seed=5)
    assert degree_figure(ex5)[1] in [c.value for c in at.caption]
    _assert_no_nan(at)


def test_too_high_degree_is_an_error_message_not_a_crash():
    at = _page()
    at.slider(key="cx_n").set_value(20).run()
    at.slider(key="cx_test_fraction").set_value(0.5).run()
    at.slider(key="cx_max_degree").set_value(15).run()
    assert not at.exception
    assert any("degree" in e.value for e in at.error)
    # The rest of the page still renders.
    assert any("bootstrap refits" in c.value for c in at.caption)


def test_constant_target_shows_an_error_not_a_crash():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.file_uploader(key="upload").set_value(("c.csv", b"x,y\n1,2\n2,2\n3,2\n4,2\n5,2\n", "text/csv")).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("path" in e.value for e in at.error), [e.value for e in at.error]


def test_complexity_on_the_current_single_feature_data():
    at = _page()  # the default dataset has one feature
    assert at.radio(key="cx_source").value == "synthetic"
    at.radio(key="cx_source").set_value("current").run()
    _no_problems(at)
    d = _design(at)
    x, y = d.X[:, 0], d.y
    ex = degree_explorer(x, y, max_degree=int(at.session_state["cx_max_degree"]),
                         test_fraction=float(at.session_state["cx_test_fraction"]),
                         seed=int(at.session_state["cx_split_seed"]))
    spec = _chart(at, "reg_degree_chart")
    np.testing.assert_allclose(_arr(spec["data"][1]["y"]), ex.test_mse, rtol=1e-12)
    captions = [c.value for c in at.caption]
    assert degree_figure(ex)[1] in captions
    boot = bootstrap_fits(x, y, degree=int(at.session_state["cx_fit_degree"]),
                          n_boot=int(at.session_state["cx_n_boot"]), seed=int(at.session_state["cx_boot_seed"]))
    text = bootstrap_figure(boot, x=x, y=y)[1]
    assert text in captions and "true curve is unknown" in text
    boot_spec = _chart(at, "reg_bootstrap_chart")
    assert boot_spec["layout"]["xaxis"]["title"]["text"] == d.terms[0]
    _assert_no_nan(at)


def test_no_current_data_choice_with_several_features():
    at = _synthetic("collinear")
    assert not [r for r in at.radio if r.key == "cx_source"]
    assert any("bootstrap refits" in c.value for c in at.caption)


def test_settings_and_lambda_survive_a_page_switch():
    at = _synthetic()
    at.radio(key="reg_penalty").set_value("elasticnet").run()
    at.slider(key="reg_alpha").set_value(0.3).run()
    at.checkbox(key="reg_standardize").uncheck().run()
    at.number_input(key="reg_cv_seed").set_value(11).run()
    _, path, cv = _expected(at)
    index = 7
    assert cv.index_1se != index  # the page's own start is elsewhere
    at.select_slider(key="reg_lam_index").set_value(index).run()
    _assert_shows(at)
    at.switch_page("pages/fit.py").run()
    at.switch_page(PAGE).run()
    assert at.radio(key="reg_penalty").value == "elasticnet"
    assert at.slider(key="reg_alpha").value == 0.3
    assert at.checkbox(key="reg_standardize").value is False
    assert at.number_input(key="reg_cv_seed").value == 11
    assert at.select_slider(key="reg_lam_index").value == index
    assert _metric(at, "λ") == fmt(path.lams[index], 4)
    _assert_shows(at)


def test_the_elastic_net_mix_is_kept_while_another_penalty_is_on_show():
    at = _page()
    at.radio(key="reg_penalty").set_value("elasticnet").run()
    at.slider(key="reg_alpha").set_value(0.8).run()
    at.radio(key="reg_penalty").set_value("ridge").run()
    at.run()  # a rerun without the α slider on the page
    at.radio(key="reg_penalty").set_value("elasticnet").run()
    assert at.slider(key="reg_alpha").value == 0.8
    _assert_shows(at)


def test_a_new_penalty_starts_at_its_own_lambda_1se():
    at = _synthetic()
    at.select_slider(key="reg_lam_index").set_value(3).run()
    at.radio(key="reg_penalty").set_value("ridge").run()
    _, _, cv = _expected(at)
    assert cv.index_1se != 3
    assert at.select_slider(key="reg_lam_index").value == cv.index_1se
    _assert_shows(at)
