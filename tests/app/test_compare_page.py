"""Compare page: the closed form and gradient descent side by side, with linreg's numbers."""

from __future__ import annotations

import base64
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from linreg.descent import gradient_descent, learning_rate_bounds
from linreg.design import build_design, fit_design
from linreg.exceptions import LinregWarning
from linreg.plots._common import fmt
from linreg.plots.descent import condition_number

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
