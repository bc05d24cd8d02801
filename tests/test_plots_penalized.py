"""Tests of linreg.plots.penalized: what each figure draws, axis titles, and the summaries' numbers."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from linreg.complexity import bootstrap_fits, degree_explorer
from linreg.penalized import cross_validate, penalty_path
from linreg.format import fmt
from linreg.ols import fit_ols
from linreg.penalized import fit_penalized
from linreg.plots.tables import penalized_coef_table
from linreg.plots.penalized import (
    bootstrap_figure,
    cv_figure,
    degree_figure,
    path_figure,
    penalty_name,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = 2 * X[:, 0] - X[:, 2] + rng.normal(size=60)
    return X, y


def _axis_titles(fig):
    return fig.layout.xaxis.title.text, fig.layout.yaxis.title.text


def test_path_figure_lasso(data):
    X, y = data
    path = penalty_path(X, y, l1_ratio=1.0, n_lams=20, terms=["a", "b<i>", "c", "d"])
    fig, text = path_figure(path, lam=path.lams[10])
    assert _axis_titles(fig) == ("log10 λ", "coefficient (original units)")
    assert [t.name for t in fig.data] == ["a", "b&lt;i&gt;", "c", "d"]  # user text escaped
    assert_allclose(fig.data[0].x, np.log10(path.lams), rtol=1e-14)
    assert_allclose(fig.data[2].y, path.coef[:, 3], rtol=1e-14)
    assert fig.layout.shapes[-1].x0 == pytest.approx(np.log10(path.lams[10]))
    nz = int(path.n_nonzero[10])
    assert text.startswith("Lasso path over 20 λ values")
    assert f"at λ = {fmt(path.lams[10])}, {nz} of 4 coefficients are non-zero" in text
    assert "\n" not in text


def test_path_figure_ridge_standardized_without_lambda(data):
    X, y = data
    path = penalty_path(X, y, l1_ratio=0.0, n_lams=10, standardize=True)
    fig, text = path_figure(path, standardized=True)
    assert _axis_titles(fig)[1] == "standardized coefficient"
    assert_allclose(fig.data[1].y, path.coef_work[:, 1], rtol=1e-14)
    assert text.startswith("Ridge path") and "non-zero coefficients range from 4 to 4" in text


def test_cv_figure(data):
    X, y = data
    cv = cross_validate(X, y, l1_ratio=0.5, n_lams=12, k=4, seed=1)
    fig, text = cv_figure(cv)
    assert _axis_titles(fig) == ("log10 λ", "mean test MSE (± 1 SE)")
    assert_allclose(fig.data[0].y, cv.mse_mean, rtol=1e-14)
    assert_allclose(fig.data[0].error_y.array, cv.mse_se, rtol=1e-14)
    xs = sorted(s.x0 for s in fig.layout.shapes)
    assert_allclose(xs, sorted(np.log10([cv.lam_min, cv.lam_1se])), rtol=1e-12)
    assert [a.text for a in fig.layout.annotations] == ["λ_min", "λ_1se"]
    assert f"λ_min = {fmt(cv.lam_min)}" in text and f"λ_1se = {fmt(cv.lam_1se)}" in text
    assert text.startswith("4-fold CV over 12 λ values") and penalty_name(0.5) in fig.layout.title.text


def test_degree_figure():
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, 50)
    y = x**3 + 0.1 * rng.normal(size=50)
    ex = degree_explorer(x, y, max_degree=6, seed=2)
    fig, text = degree_figure(ex)
    assert _axis_titles(fig) == ("polynomial degree", "mean squared error (log scale)")
    assert fig.layout.yaxis.type == "log"
    assert_allclose(fig.data[0].y, ex.train_mse, rtol=1e-14)
    assert_allclose(fig.data[1].y, ex.test_mse, rtol=1e-14)
    assert f"least at degree {ex.best_degree} ({fmt(ex.test_mse[ex.best_degree - 1])}" in text


def test_bootstrap_figure_draws_a_capped_fan():
    x = np.linspace(-1, 1, 30)
    y = x**2 + 0.1 * np.cos(9 * x)
    bf = bootstrap_fits(x, y, degree=2, n_boot=150, seed=0, truth=lambda g: g**2)
    fig, text = bootstrap_figure(bf, x=x, y=y, labels={"x": "dose", "y": "response"})
    assert _axis_titles(fig) == ("dose", "response")
    names = [t.name for t in fig.data]
    assert names == ["data", "bootstrap fits (100 of 150 shown)", "mean of fits", "true curve"]
    fan = fig.data[1]
    assert len(fan.x) == 100 * (bf.grid.size + 1) and np.isnan(np.asarray(fan.y, dtype=float)).sum() == 100
    assert f"averages {fmt(bf.mean_variance)}" in text and f"averages {fmt(bf.mean_bias_sq)}" in text
    no_truth = bootstrap_fits(x, y, degree=1, n_boot=3, seed=0)
    fig2, text2 = bootstrap_figure(no_truth)
    assert [t.name for t in fig2.data] == ["bootstrap fits (3 of 3 shown)", "mean of fits"]
    assert "true curve is unknown" in text2


def test_penalized_coef_table_beside_ols(data):
    X, y = data
    fit = fit_penalized(X, y, lam=0.2, l1_ratio=0.0, terms=["a", "b", "c", "d"])
    ols = fit_ols(X, y, terms=("a", "b", "c", "d"))
    table = penalized_coef_table(fit, ols, truth={"Intercept": 0.0, "a": 2.0, "c": -1.0})
    assert list(table.columns) == ["term", "Ridge (λ = 0.2)", "OLS", "shrinkage", "true value"]
    assert table["term"].tolist() == ["Intercept", "a", "b", "c", "d"]
    assert table.loc[1, "Ridge (λ = 0.2)"] == fmt(fit.coef[1], 5)
    assert table.loc[1, "OLS"] == fmt(ols.coef[1], 5)
    assert table.loc[1, "shrinkage"] == fmt(fit.coef[1] / ols.coef[1], 3)
    assert table.loc[0, "shrinkage"] == "—" and table.loc[2, "true value"] == "—"
