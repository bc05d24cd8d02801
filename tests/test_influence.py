"""Influence measures on OLSResult: DFFITS, DFBETAS, COVRATIO and R's flags (influence.measures).

Layers: the definitions by brute force (refit without each row); statsmodels'
OLSInfluence across seeds 0-99; R's flagging rules applied by hand; aliasing and
h_i = 1 edge cases.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.stats.outliers_influence import OLSInfluence

from linreg.exceptions import RankDeficiencyWarning
from linreg.ols import InfluenceFlags, fit_ols


def make_problem(seed: int, n: int | None = None, p: int | None = None):
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(15, 80))
    p = p or int(rng.integers(1, 5))
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 10, size=p) + rng.uniform(-5, 5, size=p)
    y = 1.0 + X @ rng.normal(size=p) + rng.standard_t(3, size=n)
    X[rng.integers(n)] *= 4  # one high-leverage row
    return X, y


# ---- 1. the definitions, by refitting without each row ------------------------------
def test_definitions_by_leaving_each_row_out():
    # R's influence.measures: dfbetas_ij = (b - b_(i))_j / (s_(i) sqrt((X^T X)^{-1}_jj)),
    # dffits_i = (yhat_i - yhat_i(i)) / (s_(i) sqrt(h_i)),
    # covratio_i = det(s_(i)^2 (X_(i)^T X_(i))^{-1}) / det(s^2 (X^T X)^{-1}).
    X, y = make_problem(0, n=25, p=2)
    res = fit_ols(X, y)
    X1 = np.column_stack([np.ones(25), X])
    C = np.linalg.inv(X1.T @ X1)
    for i in range(25):
        keep = np.arange(25) != i
        loo = fit_ols(X[keep], y[keep])
        s_i = loo.sigma
        assert_allclose(res.dfbetas[i], (res.coef - loo.coef) / (s_i * np.sqrt(np.diag(C))), rtol=1e-9)
        yhat_i = X1[i] @ loo.coef
        assert_allclose(res.dffits[i], (res.fitted[i] - yhat_i) / (s_i * np.sqrt(res.leverage[i])), rtol=1e-9)
        ratio = np.linalg.det(loo.cov_params) / np.linalg.det(res.cov_params)
        assert_allclose(res.covratio[i], ratio, rtol=1e-9)


# ---- 2. statsmodels, seeds 0-99 ----------------------------------------------------
def test_match_statsmodels_olsinfluence_across_seeds_0_to_99():
    for seed in range(100):
        X, y = make_problem(seed)
        intercept = seed % 6 != 2
        res = fit_ols(X, y, intercept=intercept)
        infl = OLSInfluence(sm.OLS(y, sm.add_constant(X) if intercept else X).fit())
        assert_allclose(res.dffits, infl.dffits[0], rtol=1e-8, atol=1e-12)
        assert_allclose(res.dfbetas, infl.dfbetas, rtol=1e-8, atol=1e-12)
        assert_allclose(res.covratio, infl.cov_ratio, rtol=1e-8)
        assert res.dfbetas.shape == (len(y), len(res.terms))


def test_large_design_matches_statsmodels():
    X, y = make_problem(1, n=4000, p=4)  # n k > PRECISE_SIZE: the large-data path
    res = fit_ols(X, y)
    infl = OLSInfluence(sm.OLS(y, sm.add_constant(X)).fit())
    assert_allclose(res.dffits, infl.dffits[0], rtol=1e-8, atol=1e-12)
    assert_allclose(res.dfbetas, infl.dfbetas, rtol=1e-8, atol=1e-12)
    assert_allclose(res.covratio, infl.cov_ratio, rtol=1e-8)


# ---- 3. R's flags --------------------------------------------------------------------
def test_flags_follow_r_is_influential():
    for seed in range(20):
        X, y = make_problem(seed)
        res = fit_ols(X, y)
        flags = res.influence_flags
        n, k = res.n, res.rank
        assert isinstance(flags, InfluenceFlags)
        assert np.array_equal(flags.dfbetas, np.abs(res.dfbetas) > 1)
        assert np.array_equal(flags.dffits, np.abs(res.dffits) > 3 * np.sqrt(k / (n - k)))
        assert np.array_equal(flags.covratio, np.abs(1 - res.covratio) > 3 * k / (n - k))
        # R: pf(cook.d, k, n - k) > 0.5
        assert np.array_equal(flags.cooks_distance, stats.f.cdf(res.cooks_distance, k, n - k) > 0.5)
        assert np.array_equal(flags.leverage, res.leverage > 3 * k / n)
        table = flags.as_array()
        assert table.shape == (n, len(res.terms) + 4) and table.dtype == bool
        assert np.array_equal(flags.any, table.any(axis=1))
        for i in np.nonzero(flags.any)[0]:
            assert flags.reasons(i)
        for i in np.nonzero(~flags.any)[0]:
            assert flags.reasons(i) == ()


def test_flags_a_planted_outlier_and_says_why():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, 40)
    y = 1 + 2 * x + rng.normal(size=40)
    x[7], y[7] = 30.0, 20.0  # far out and off the line
    flags = fit_ols(x, y).influence_flags
    assert flags.any[7]
    reasons = flags.reasons(7)
    assert any(r.startswith("|DFFITS| >") for r in reasons)
    assert any(r.startswith("leverage >") for r in reasons)
    assert "x1" in next(r for r in reasons if r.startswith("|DFBETAS|"))


# ---- 4. edge cases ---------------------------------------------------------------------
def test_aliased_terms_get_nan_dfbetas_and_the_rest_is_the_fit_without_them():
    X, y = make_problem(4, n=30, p=2)
    with pytest.warns(RankDeficiencyWarning):
        res = fit_ols(np.column_stack([X, X[:, 0] - X[:, 1]]), y)
    ref = fit_ols(X, y)
    assert np.all(np.isnan(res.dfbetas[:, -1]))
    assert_allclose(res.dfbetas[:, :-1], ref.dfbetas, rtol=1e-9, atol=1e-12)
    assert_allclose(res.dffits, ref.dffits, rtol=1e-9)
    assert_allclose(res.covratio, ref.covratio, rtol=1e-9)
    assert not res.influence_flags.dfbetas[:, -1].any()


def test_rows_with_leverage_one_get_nan():
    X, y = make_problem(5, n=20, p=1)
    d = np.zeros(20)
    d[3] = 1.0  # a dummy for one row: the fit passes through it
    res = fit_ols(np.column_stack([X, d]), y)
    for measure in (res.dffits, res.covratio, res.dfbetas[:, 0]):
        assert np.isnan(measure[3]) and np.isfinite(np.delete(measure, 3)).all()
    assert not res.influence_flags.any[3] or res.influence_flags.leverage[3]


def test_a_kept_fit_does_not_keep_arrays_as_large_as_its_design():
    # A shared server keeps fits for a while: the (n, k) design and DFBETAS are rebuilt when asked for.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    result = fit_ols(X, X @ [1.0, 2.0, 3.0] + rng.normal(size=200))
    first = result.dfbetas
    assert result.X.shape == (200, 4)
    assert "X" not in vars(result) and "dfbetas" not in vars(result)
    assert_allclose(result.dfbetas, first, rtol=0, atol=0)
    assert result.influence_flags.dfbetas.shape == (200, 4)
