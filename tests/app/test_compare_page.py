"""Compare page: the closed form and gradient descent side by side, with linreg's numbers."""

from __future__ import annotations

import base64
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from linreg.descent import gradient_descent
from linreg.design import build_design, fit_design
from linreg.exceptions import LinregWarning
from linreg.penalized import fit_penalized
from linreg.format import fmt
from linreg.quadratic import condition_number, learning_rate_bounds

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/compare.py"


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _expected(at: AppTest):
    design = build_design(at.session_state["lr_data"], at.session_state["lr_spec"])
    s = at.session_state["lr_gd_settings"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        ols = fit_design(design, method="qr")
    g = gradient_descent(design.X, design.y, learning_rate=s.learning_rate, n_iter=s.n_iter,
                         intercept=design.intercept, standardize=s.standardize, batch_size=s.batch_size,
                         momentum=s.momentum, seed=s.seed)
    return design, ols, g


def _coef_table(at: AppTest):
    return next(d.value for d in at.dataframe if "OLS (closed form)" in d.value.columns)


def _conditioning_table(at: AppTest):
    return next(d.value for d in at.dataframe if "quantity" in d.value.columns).set_index("quantity")


def test_coefficients_match_ols_and_gd():
    at = _page()
    assert not at.error, [e.value for e in at.error]
    _, ols, g = _expected(at)
    table = _coef_table(at)
    assert table["term"].tolist() == list(ols.terms)
    assert table["OLS (closed form)"].tolist() == [fmt(c, 6) for c in ols.coef]
    assert table["gradient descent"].tolist() == [fmt(c, 6) for c in g.coef]
    assert table["GD − OLS"].tolist() == [fmt(b - a, 3) for a, b in zip(ols.coef, g.coef)]
    # Converged GD agrees with the closed form.
    assert g.converged
    np.testing.assert_allclose(g.coef, ols.coef, rtol=1e-6, atol=1e-8)
    # A summary in numbers follows each chart.
    assert any(c.value.startswith("Predicted contraction per step") for c in at.caption)


def test_rate_chart_and_conditioning_use_the_eigenvalues():
    at = _page()
    design, _, g = _expected(at)
    lam = g.eigenvalues
    rho = float(np.max(np.abs(1 - g.learning_rate * lam)))
    assert any(f"= {fmt(rho)} (η = {fmt(g.learning_rate)})" in c.value for c in at.caption)
    table = _conditioning_table(at)
    n_iter = at.select_slider(key="compare_iters").value
    for column, standardize in (("raw features", False), ("standardized", True)):
        _, optimal = learning_rate_bounds(design.X, intercept=design.intercept, standardize=standardize)
        run = gradient_descent(design.X, design.y, learning_rate=optimal, n_iter=n_iter,
                               intercept=design.intercept, standardize=standardize)
        assert table.loc["condition number of H = λ_max/λ_min", column] == fmt(condition_number(run))
        assert table.loc["learning rate η used", column] == fmt(optimal)
        assert table.loc["iterations run", column] == f"{run.n_iter:,}"
    # Standardizing rounds the bowl: fewer iterations, and contours drawn side by side.
    raw = int(table.loc["iterations run", "raw features"].replace(",", ""))
    std = int(table.loc["iterations run", "standardized"].replace(",", ""))
    assert std < raw
    contours = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    panels = next(s for s in contours if sum(t["type"] == "contour" for t in s["data"]) == 2)
    assert panels["layout"]["yaxis"]["scaleanchor"] == "x"


def test_settings_from_the_descent_page_are_compared():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/descent.py").run()
    at.number_input(key="gd_lr").set_value(0.02).run()
    at.number_input(key="gd_n_iter").set_value(60).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    _, _, g = _expected(at)
    assert g.learning_rate == 0.02 and not g.converged
    assert _coef_table(at)["gradient descent"].tolist() == [fmt(c, 6) for c in g.coef]
    assert any(e.value.startswith("Stopped after 60 iterations") for e in at.info)


def test_a_diverged_run_is_explained_without_nan():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/descent.py").run()
    at.number_input(key="gd_lr").set_value(5.0).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    _, _, g = _expected(at)
    assert g.diverged
    assert any("diverged" in e.value for e in at.error)
    texts = [e.value for kind in ("markdown", "caption", "error", "info") for e in getattr(at, kind)]
    texts += [d.value.to_string() for d in at.dataframe]
    assert not any("nan" in t.lower().split() for t in texts)
    for el in at.get("plotly_chart"):
        for array in _arrays(json.loads(el.proto.spec)):
            assert np.all(np.isfinite(array))


def _arrays(node):
    """Every numeric array in a plotly spec (typed arrays decoded; base64 text can spell 'NaN')."""
    if isinstance(node, dict):
        if "bdata" in node:
            yield np.frombuffer(base64.b64decode(node["bdata"]), node["dtype"])
            return
        for value in node.values():
            yield from _arrays(value)
    elif isinstance(node, list):
        if node and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in node):
            yield np.asarray(node, dtype=float)
        else:
            for value in node:
                yield from _arrays(value)


@pytest.mark.parametrize("n_iter", [100, 20_000])
def test_iterations_for_the_raw_standardized_runs(n_iter):
    at = _page()
    at.select_slider(key="compare_iters").set_value(n_iter).run()
    assert not at.exception and not at.error
    table = _conditioning_table(at)
    assert int(table.loc["iterations run", "raw features"].replace(",", "")) <= n_iter


# ----------------------------------------------------------------------------- a ridge term in the GD settings


def _with_ridge(ridge: float) -> AppTest:
    """Set the ridge λ on the Gradient descent page, then open the Compare page."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/descent.py").run()
    at.number_input(key="gd_ridge").set_value(ridge).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["lr_gd_settings"].ridge == ridge
    return at


def _convergence_spec(at: AppTest) -> dict:
    return next(json.loads(el.proto.spec) for el in at.get("plotly_chart") if "compare_rate_chart" in el.proto.id)


def _decode(d) -> np.ndarray:
    if isinstance(d, dict) and "bdata" in d:
        return np.frombuffer(base64.b64decode(d["bdata"]), d["dtype"])
    return np.asarray(d, dtype=float)


def test_a_ridge_run_is_explained_and_compared_with_the_ridge_solution():
    at = _with_ridge(0.5)
    design, ols, _ = _expected(at)
    s = at.session_state["lr_gd_settings"]
    g = gradient_descent(design.X, design.y, learning_rate=s.learning_rate, n_iter=s.n_iter,
                         intercept=design.intercept, standardize=s.standardize, ridge=0.5)
    ridge = fit_penalized(design.X, design.y, lam=0.5, l1_ratio=0.0, standardize=s.standardize,
                          intercept=design.intercept)
    # GD reached the ridge solution, which is far from least squares: the gap is the penalty's.
    assert g.converged
    np.testing.assert_allclose(g.coef, ridge.coef, rtol=1e-6, atol=1e-8)
    assert np.max(np.abs(g.coef - ols.coef)) > 1.0

    note = at.info[0].value
    assert "ridge λ = 0.5" in note and "ridge solution" in note and "by design" in note
    assert "set **Ridge λ** to 0 on the Gradient descent page" in note
    # "descent" when AppTest runs the page file on its own (see tests/app/test_links.py), else its URL path.
    assert [link.proto.page for link in at.get("page_link")
            if link.proto.label == "Set Ridge λ on the Gradient descent page"] in (["descent"], ["gradient-descent"])

    table = _coef_table(at)
    assert table["gradient descent"].tolist() == [fmt(c, 6) for c in g.coef]
    assert table["ridge solution (λ = 0.5)"].tolist() == [fmt(c, 6) for c in ridge.coef]
    assert table["GD − OLS"].tolist() == [fmt(b - a, 3) for a, b in zip(ols.coef, g.coef)]

    # The convergence figure measures the distance to the run's own optimum, the ridge solution, and says so.
    np.testing.assert_allclose(g.optimum_original, ridge.coef, rtol=1e-9, atol=1e-9)
    spec = _convergence_spec(at)
    assert spec["layout"]["annotations"][0]["text"] == "Distance to the ridge solution ‖w_k − w*‖"
    measured = spec["data"][0]
    steps = _decode(measured["x"]).astype(int)
    np.testing.assert_allclose(_decode(measured["y"]),
                               np.linalg.norm(g.history.coef - g.optimum, axis=1)[steps], rtol=1e-12)
    assert any("**ridge solution**" in m.value for m in at.markdown)


def test_the_raw_and_standardized_runs_leave_the_ridge_term_out():
    at = _with_ridge(0.5)
    design, _, _ = _expected(at)
    table = _conditioning_table(at)
    n_iter = at.select_slider(key="compare_iters").value
    for column, standardize in (("raw features", False), ("standardized", True)):
        _, optimal = learning_rate_bounds(design.X, intercept=design.intercept, standardize=standardize)
        kw = dict(learning_rate=optimal, n_iter=n_iter, intercept=design.intercept, standardize=standardize)
        plain = gradient_descent(design.X, design.y, **kw)
        penalized = gradient_descent(design.X, design.y, ridge=0.5, **kw)
        assert condition_number(plain) != condition_number(penalized)  # so the table tells them apart
        assert table.loc["condition number of H = λ_max/λ_min", column] == fmt(condition_number(plain))
        assert table.loc["iterations run", column] == f"{plain.n_iter:,}"
    assert any("leave out the ridge term" in c.value for c in at.caption)


def test_without_ridge_there_is_no_ridge_note():
    at = _page()
    assert not any("ridge" in e.value for e in at.info)
    assert not any("ridge" in c for c in _coef_table(at).columns)
    spec = _convergence_spec(at)
    assert spec["layout"]["annotations"][0]["text"] == "Distance to the OLS solution ‖w_k − w*‖"
