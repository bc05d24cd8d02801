"""fit_ols(weights=w): R's lm(weights=) semantics for every statistic.

Layers: a tiny case solved by hand; statsmodels' WLS (and OLSInfluence on the rows
multiplied by sqrt(w), which is how R's lm.influence defines the diagnostics of a
weighted fit) across seeds 0-99; R's formulas for logLik.lm and summary.lm written
out; invariants (unit weights, zero weights, integer weights); every error path.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.stats.outliers_influence import OLSInfluence

from linreg.design import ModelSpec, build_design
from linreg.exceptions import DataError, ModelError
from linreg.ols import fit_ols


def make_problem(seed: int, n: int | None = None, p: int | None = None, zeros: int = 0):
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(25, 90))
    p = p or int(rng.integers(1, 5))
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 10, size=p) + rng.uniform(-5, 5, size=p)
    w = rng.uniform(0.05, 5.0, size=n)
    y = 1.0 + X @ rng.normal(size=p) + rng.normal(size=n) / np.sqrt(w)
    if zeros:
        w[rng.choice(n, size=zeros, replace=False)] = 0.0
    return X, y, w


# ---- 1. tiny case by hand -------------------------------------------------------
def test_tiny_weighted_line_by_hand():
    # x = 0..3, y = 1, 3, 5, 8, w = 1, 2, 1, 2: Sw = 6, Swx = 10, Swy = 28, Swxx = 24, Swxy = 64.
    # slope = (6*64 - 10*28) / (6*24 - 10^2) = 104/44 = 26/11; intercept = (28 - 10*26/11)/6 = 8/11.
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, 3.0, 5.0, 8.0])
    w = np.array([1.0, 2.0, 1.0, 2.0])
    res = fit_ols(x, y, weights=w)
    assert_allclose(res.coef, [8 / 11, 26 / 11], rtol=1e-14)
    fitted = 8 / 11 + 26 / 11 * x
    assert_allclose(res.fitted, fitted, rtol=1e-14)
    assert_allclose(res.resid, y - fitted, rtol=1e-13)  # R's residuals(): unweighted
    assert_allclose(res.weighted_resid, np.sqrt(w) * (y - fitted), rtol=1e-13)  # weighted.residuals()
    rss = float(np.sum(w * (y - fitted) ** 2))
    assert_allclose(res.rss, rss, rtol=1e-13)
    assert_allclose(res.sigma, math.sqrt(rss / 2), rtol=1e-13)
    ybar = 28 / 6  # weighted mean
    assert_allclose(res.tss, float(np.sum(w * (y - ybar) ** 2)), rtol=1e-13)
    assert_allclose(res.r_squared, 1 - rss / res.tss, rtol=1e-13)
    # R's logLik.lm: 0.5 * (sum(log(w)) - N * (log(2*pi) + 1 - log(N) + log(sum(w * res^2)))).
    n = 4
    ll = 0.5 * (np.sum(np.log(w)) - n * (math.log(2 * math.pi) + 1 - math.log(n) + math.log(rss)))
    assert_allclose(res.log_likelihood, ll, rtol=1e-13)
    assert_allclose(res.aic_r, -2 * ll + 2 * 3, rtol=1e-13)
    # Leverage: diagonal of W^{1/2} X (X^T W X)^{-1} X^T W^{1/2}.
    X1 = np.column_stack([np.ones(4), x])
    C = np.linalg.inv(X1.T @ (w[:, None] * X1))
    assert_allclose(res.cov_unscaled, C, rtol=1e-13)
    assert_allclose(res.leverage, w * np.einsum("ij,jk,ik->i", X1, C, X1), rtol=1e-13)


# ---- 2. statsmodels WLS, seeds 0-99 ----------------------------------------------
def _compare(res, X, y, w, intercept=True, rtol=1e-8, influence=True):
    pos = w > 0
    X1 = sm.add_constant(X[pos], has_constant="add") if intercept else X[pos]
    ref = sm.WLS(y[pos], X1, weights=w[pos]).fit()
    sw = np.sqrt(w[pos])
    infl = OLSInfluence(sm.OLS(y[pos] * sw, X1 * sw[:, None]).fit())
    assert res.n == int(pos.sum()) and res.n_zero_weight == int((~pos).sum())
    assert (res.df_model, res.df_resid) == (ref.df_model, ref.df_resid)
    for got, want in [
        (res.coef, ref.params), (res.std_err, ref.bse), (res.t, ref.tvalues), (res.sigma**2, ref.scale),
        (res.rss, ref.ssr), (res.r_squared, ref.rsquared), (res.adj_r_squared, ref.rsquared_adj),
        (res.f_statistic, ref.fvalue), (res.log_likelihood, ref.llf), (res.aic, ref.aic), (res.bic, ref.bic),
        (res.aic_r, ref.info_criteria("aic", dk_params=1)), (res.bic_r, ref.info_criteria("bic", dk_params=1)),
        (res.cov_params, ref.cov_params()), (res.ci_low, ref.conf_int()[:, 0]), (res.ci_high, ref.conf_int()[:, 1]),
        (res.condition_number, ref.condition_number),
    ]:
        assert_allclose(got, want, rtol=rtol, atol=rtol * np.max(np.abs(want)))
    assert_allclose(res.p_value, ref.pvalues, rtol=1e-6, atol=1e-300)
    assert_allclose(res.f_p_value, ref.f_pvalue, rtol=1e-6, atol=1e-300)
    scale = np.max(np.abs(y))
    assert_allclose(res.fitted, ref.fittedvalues, rtol=rtol, atol=1e-10 * scale)
    assert_allclose(res.resid, ref.resid, rtol=1e-7, atol=1e-9 * scale)
    assert_allclose(res.weighted_resid, ref.wresid, rtol=1e-7, atol=1e-9 * scale)
    assert_allclose(res.leverage, infl.hat_matrix_diag, rtol=rtol)
    if not influence:  # statsmodels' leave-one-out sigma takes a minute at n = 20,000
        return ref
    for got, want in [
        (res.standardized_resid, infl.resid_studentized_internal),
        (res.studentized_resid, infl.resid_studentized_external),
        (res.cooks_distance, infl.cooks_distance[0]), (res.dffits, infl.dffits[0]),
        (res.dfbetas, infl.dfbetas), (res.covratio, infl.cov_ratio),
    ]:
        assert_allclose(got, want, rtol=1e-7, atol=1e-9)
    return ref


def test_every_statistic_matches_statsmodels_wls_across_seeds_0_to_99():
    for seed in range(100):
        X, y, w = make_problem(seed, zeros=seed % 4)
        _compare(fit_ols(X, y, weights=w, intercept=seed % 9 != 4), X, y, w, intercept=seed % 9 != 4)


def test_methods_and_large_designs():
    X, y, w = make_problem(3, n=40, p=3, zeros=2)
    for method in ("svd", "normal"):
        _compare(fit_ols(X, y, weights=w, method=method), X, y, w, rtol=1e-7)
    X, y, w = make_problem(4, n=20_000, p=3, zeros=10)  # n k > PRECISE_SIZE: the large-data paths
    _compare(fit_ols(X, y, weights=w), X, y, w, rtol=1e-7, influence=False)


def test_polynomial_basis_with_weights():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 10, 60)
    w = rng.uniform(0.2, 3, 60)
    w[[5, 9]] = 0.0
    y = 2 + x - 0.4 * x**2 + rng.normal(size=60) / np.sqrt(np.maximum(w, 0.2))
    design = build_design(pd.DataFrame({"x": x, "y": y}), ModelSpec(target="y", poly=(("x", 2),)))
    assert design.basis is not None
    res = fit_ols(design.X, design.y, terms=design.terms, basis=design.basis, weights=w)
    _compare(res, np.column_stack([x, x**2]), y, w)


def test_prediction_interval_uses_unit_weights_for_new_rows_as_r_does():
    # R's predict.lm(interval = "prediction") takes weights = 1 for new rows unless told otherwise.
    X, y, w = make_problem(6, n=50, p=2)
    res = fit_ols(X, y, weights=w)
    ref = sm.WLS(y, sm.add_constant(X), weights=w).fit()
    X_new = np.array([[0.5, -1.0], [2.0, 3.0], [-4.0, 1.0], [0.0, 0.0]])
    for wn in (None, 2.0, np.array([0.5, 1.0, 4.0, 0.1])):
        weights = np.broadcast_to(1.0 if wn is None else wn, (4,))
        frame = ref.get_prediction(sm.add_constant(X_new), weights=weights).summary_frame()
        low, high = res.interval(X_new, "prediction", weights=wn)
        assert_allclose(low, frame["obs_ci_lower"], rtol=1e-9)
        assert_allclose(high, frame["obs_ci_upper"], rtol=1e-9)
    low, high = res.interval(X_new)
    assert_allclose(low, frame["mean_ci_lower"], rtol=1e-9)
    for bad in (0.0, -1.0, np.nan, [1.0, 2.0]):
        with pytest.raises(DataError, match="weights for new rows must"):
            res.interval(X_new, "prediction", weights=bad)


# ---- 3. invariants ------------------------------------------------------------------
def test_unit_weights_give_the_unweighted_fit():
    X, y, _ = make_problem(7, n=60, p=3)
    plain = fit_ols(X, y)
    res = fit_ols(X, y, weights=np.ones(60))
    for key in ("coef", "std_err", "fitted", "resid", "leverage", "cooks_distance", "dfbetas"):
        assert_allclose(getattr(res, key), getattr(plain, key), rtol=1e-12, atol=1e-12, err_msg=key)
    for key in ("sigma", "r_squared", "f_statistic", "log_likelihood", "aic", "aic_r"):
        assert_allclose(getattr(res, key), getattr(plain, key), rtol=1e-12, err_msg=key)
    assert plain.weights is None and res.weights is not None
    assert plain.weighted_resid is plain.resid


def test_zero_weights_drop_rows_as_r_does():
    X, y, w = make_problem(8, n=40, p=2, zeros=5)
    res = fit_ols(X, y, weights=w)
    pos = w > 0
    sub = fit_ols(X[pos], y[pos], weights=w[pos])
    assert (res.n, res.df_resid, res.n_zero_weight) == (35, 32, 5)
    for key in ("coef", "std_err", "fitted", "leverage", "studentized_resid", "y"):
        assert_allclose(getattr(res, key), getattr(sub, key), rtol=1e-13, err_msg=key)
    assert res.X.shape == (35, 3) and res.weights.shape == (35,)
    text = res.summary()
    assert "Weighted Residuals:" in text and "rows of weight 0 left out: 5" in text
    assert text.startswith("Method: weighted least squares")
    assert res.to_dict()["weighted"] is True and res.to_dict()["n_zero_weight"] == 5
    assert "weighted=True" in repr(res)


def test_integer_weights_give_the_coefficients_of_repeated_rows():
    X, y, _ = make_problem(9, n=30, p=2)
    w = np.random.default_rng(9).integers(1, 4, size=30).astype(float)
    res = fit_ols(X, y, weights=w)
    rep = fit_ols(np.repeat(X, w.astype(int), axis=0), np.repeat(y, w.astype(int)))
    assert_allclose(res.coef, rep.coef, rtol=1e-12)
    assert_allclose(res.rss, rep.rss, rtol=1e-12)
    # Case weights are not frequencies: n is 30, not sum(w), as in R.
    assert res.n == 30 and rep.n == int(w.sum())


# ---- 4. errors --------------------------------------------------------------------
def test_weight_errors():
    X, y, w = make_problem(1, n=20, p=2)
    bad = w.copy()
    bad[3] = -0.5
    with pytest.raises(DataError, match=r"weights must be non-negative; rows \[3\] have negative weights"):
        fit_ols(X, y, weights=bad)
    for value in (np.nan, np.inf):
        bad = w.copy()
        bad[[2, 7]] = value
        with pytest.raises(DataError, match=r"weights has NaN or infinite values \(first at rows \[2, 7\]\)"):
            fit_ols(X, y, weights=bad)
    with pytest.raises(DataError, match="weights has shape \\(19,\\) but X has 20 rows"):
        fit_ols(X, y, weights=w[:-1])
    with pytest.raises(DataError, match="weights must be numeric"):
        fit_ols(X, y, weights=["a"] * 20)
    few = np.zeros(20)
    few[:3] = 1.0
    with pytest.raises(ModelError, match=r"only n=3 rows of positive weight \(17 had weight 0\) for k=3"):
        fit_ols(X, y, weights=few)
