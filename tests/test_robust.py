"""fit_ols(cov_type=...): heteroscedasticity-robust (HC0-HC3) and Newey-West (HAC) covariances.

Layers: statsmodels' ``OLS(...).fit(cov_type=...)`` on random problems across seeds 0-99;
the definitions of R's ``sandwich::vcovHC`` and ``sandwich::NeweyWest`` written out with
the full hat matrix (independent of both implementations); invariants; error paths.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats

from linreg.design import ModelSpec, build_design
from linreg.exceptions import ModelError, RankDeficiencyWarning
from linreg.ols import COV_TYPES, fit_ols

ROBUST = ("HC0", "HC1", "HC2", "HC3", "HAC")
RTOL = 1e-8


def make_problem(seed: int, n: int | None = None, p: int | None = None):
    """Heteroscedastic, autocorrelated noise, so the robust covariances differ from the classical one."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(25, 90))
    p = p or int(rng.integers(1, 5))
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 10, size=p) + rng.uniform(-5, 5, size=p)
    e = rng.normal(size=n) * (0.5 + np.abs(X[:, 0]) / 5)
    e[1:] += 0.5 * e[:-1]
    y = 1.0 + X @ rng.normal(size=p) + e
    return X, y, rng


def _sm_fit(X1, y, cov_type, maxlags=None, weights=None):
    model = sm.OLS(y, X1) if weights is None else sm.WLS(y, X1, weights=weights)
    if cov_type == "HAC":
        return model.fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
    return model.fit(cov_type=cov_type)


def _compare(res, ref, rtol=RTOL):
    assert_allclose(res.coef, ref.params, rtol=1e-10)
    assert_allclose(res.cov_params, ref.cov_params(), rtol=rtol, atol=rtol * np.abs(ref.cov_params()).max())
    assert_allclose(res.std_err, ref.bse, rtol=rtol)
    assert_allclose(res.t, ref.tvalues, rtol=rtol)
    assert_allclose(res.p_value, ref.pvalues, rtol=1e-6, atol=1e-300)
    ci = ref.conf_int(alpha=res.alpha)
    assert_allclose(res.ci_low, ci[:, 0], rtol=rtol, atol=rtol * np.abs(ci).max())
    assert_allclose(res.ci_high, ci[:, 1], rtol=rtol, atol=rtol * np.abs(ci).max())
    assert_allclose(res.f_statistic, ref.fvalue, rtol=rtol)
    assert_allclose(res.f_p_value, ref.f_pvalue, rtol=1e-6, atol=1e-300)
    assert res.use_t == ref.use_t


# ---- 1. statsmodels, seeds 0-99 ------------------------------------------------
def test_every_cov_type_matches_statsmodels_across_seeds_0_to_99():
    for seed in range(100):
        X, y, rng = make_problem(seed)
        intercept = seed % 7 != 3  # a few fits without intercept: the Wald F then tests every term
        X1 = sm.add_constant(X, has_constant="add") if intercept else X
        lags = int(rng.integers(0, 5))
        for cov_type in ROBUST:
            res = fit_ols(X, y, intercept=intercept, cov_type=cov_type, maxlags=lags if cov_type == "HAC" else None)
            assert res.cov_type == cov_type and res.maxlags == (lags if cov_type == "HAC" else None)
            _compare(res, _sm_fit(X1, y, cov_type, lags))


def test_hac_default_lags_follow_the_newey_west_rule_of_thumb():
    # statsmodels' default in its HAC kernels: floor(4 (n / 100)^(2/9)).
    for seed, n in ((0, 30), (1, 100), (2, 700)):
        X, y, _ = make_problem(seed, n=n, p=2)
        res = fit_ols(X, y, cov_type="HAC")
        assert res.maxlags == math.floor(4 * (n / 100) ** (2 / 9))
        _compare(res, _sm_fit(sm.add_constant(X), y, "HAC", res.maxlags))


def test_large_design_paths_match_statsmodels_and_shift_invariance():
    # n k > PRECISE_SIZE: CholeskyQR2 (well conditioned) against statsmodels; an offset column
    # (LAPACK Householder) against the centred fit mapped back exactly: there statsmodels itself
    # loses digits (its HAC by ~3e-5 on this problem), as its sandwich is not shifted first.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20_000, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=20_000) * (1 + np.abs(X[:, 1]))
    shift = np.array([1e5, 0.0, 0.0])
    A = np.eye(4, dtype=np.longdouble)
    A[0, 1:] = -shift  # intercept of the shifted design = intercept - shift . slopes
    for cov_type in ("HC1", "HC3", "HAC"):
        lags = 3 if cov_type == "HAC" else None
        res = fit_ols(X, y, cov_type=cov_type, maxlags=lags)
        _compare(res, _sm_fit(sm.add_constant(X), y, cov_type, 3))
        shifted = fit_ols(X + shift, y, cov_type=cov_type, maxlags=lags)
        want = np.asarray(A @ res.cov_params.astype(np.longdouble) @ A.T, dtype=np.float64)
        assert_allclose(shifted.cov_params, want, rtol=1e-9)
        assert_allclose(shifted.f_statistic, res.f_statistic, rtol=1e-9)


def test_polynomial_basis_gives_the_same_robust_covariance_as_the_raw_design():
    # The sandwich is computed on the orthogonal basis and mapped back; statsmodels works on raw powers.
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 10, 80)
    y = 1 + x - 0.3 * x**2 + 0.02 * x**3 + rng.normal(size=80) * (0.2 + x / 5)
    import pandas as pd

    design = build_design(pd.DataFrame({"x": x, "y": y}), ModelSpec(target="y", poly=(("x", 3),)))
    X1 = np.column_stack([x**0, x, x**2, x**3])
    for cov_type in ROBUST:
        res = fit_ols(design.X, design.y, terms=design.terms, basis=design.basis, cov_type=cov_type,
                      maxlags=2 if cov_type == "HAC" else None)
        assert design.basis is not None
        _compare(res, _sm_fit(X1, y, cov_type, 2), rtol=1e-7)


def test_use_t_true_gives_r_coeftest_style_t_tests():
    # R: lmtest::coeftest(m, vcov = vcovHC(m, "HC3")) uses t on df_resid; statsmodels with use_t=True agrees.
    X, y, _ = make_problem(3, n=40, p=2)
    res = fit_ols(X, y, cov_type="HC3", use_t=True)
    ref = sm.OLS(y, sm.add_constant(X)).fit(cov_type="HC3", use_t=True)
    _compare(res, ref)
    assert_allclose(res.p_value, 2 * stats.t.sf(np.abs(res.t), res.df_resid), rtol=1e-12)
    z = fit_ols(X, y, cov_type="HC3")
    assert_allclose(z.p_value, 2 * stats.norm.sf(np.abs(z.t)), rtol=1e-12)
    assert_allclose(z.ci_high - z.coef, stats.norm.ppf(0.975) * z.std_err, rtol=1e-12)


def test_weighted_robust_matches_statsmodels_wls():
    for seed in range(20):
        X, y, rng = make_problem(seed)
        w = rng.uniform(0.1, 4.0, size=len(y))
        for cov_type in ROBUST:
            res = fit_ols(X, y, weights=w, cov_type=cov_type, maxlags=2 if cov_type == "HAC" else None)
            _compare(res, _sm_fit(sm.add_constant(X), y, cov_type, 2, weights=w))


# ---- 2. R's definitions written out -------------------------------------------
def _sandwich_by_hand(X1, e, kind, lag=0):
    """R's sandwich: vcovHC(m, type) and NeweyWest(m, lag, prewhite = FALSE, adjust = FALSE).

    bread = n (X^T X)^{-1}, meat = (1/n) sum omega_i x_i x_i^T (HC) or the Bartlett-weighted
    autocovariances of the scores x_i e_i (HAC), vcov = bread meat bread / n.
    """
    n, k = X1.shape
    XtXi = np.linalg.inv(X1.T @ X1)
    h = np.diag(X1 @ XtXi @ X1.T)  # the full hat matrix: fine at this size
    omega = {"HC0": e**2, "HC1": e**2 * n / (n - k), "HC2": e**2 / (1 - h), "HC3": e**2 / (1 - h) ** 2,
             "HAC": e**2}[kind]
    meat = (X1 * omega[:, None]).T @ X1 / n
    if kind == "HAC":
        s = X1 * e[:, None]
        for j in range(1, lag + 1):
            g = s[j:].T @ s[:-j] / n
            meat += (1 - j / (lag + 1)) * (g + g.T)
    bread = n * XtXi
    return bread @ meat @ bread / n


def test_matches_the_definitions_of_r_sandwich():
    for seed in range(10):
        X, y, _ = make_problem(seed, n=30)
        X1 = np.column_stack([np.ones(len(y)), X])
        e = y - X1 @ np.linalg.lstsq(X1, y, rcond=None)[0]
        for kind in ROBUST:
            res = fit_ols(X, y, cov_type=kind, maxlags=3 if kind == "HAC" else None)
            assert_allclose(res.cov_params, _sandwich_by_hand(X1, e, kind, lag=3), rtol=1e-9,
                            err_msg=f"{kind} seed {seed}")


def test_tiny_hc0_by_hand():
    # x = 0..3, y = 1, 3, 5, 8: e = (0.2, -0.1, -0.4, 0.3), (X^T X)^{-1} = [[0.7, -0.3], [-0.3, 0.2]].
    # HC0 = C (sum e_i^2 x_i x_i^T) C: meat = [[0.3, 0.6], [0.6, 1.46]].
    res = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0], cov_type="HC0")
    C = np.array([[0.7, -0.3], [-0.3, 0.2]])
    meat = np.array([[0.3, 0.6], [0.6, 1.46]])
    assert_allclose(res.cov_params, C @ meat @ C, rtol=1e-13)
    assert_allclose(res.std_err, [math.sqrt(0.0264), math.sqrt(0.0134)], rtol=1e-12)


# ---- 3. invariants ----------------------------------------------------------------
def test_default_is_nonrobust_and_leaves_everything_else_alone():
    X, y, _ = make_problem(4)
    plain = fit_ols(X, y)
    assert plain.cov_type == "nonrobust" and plain.maxlags is None and plain.use_t is True
    same = fit_ols(X, y, cov_type="nonrobust")
    for key in ("coef", "std_err", "cov_params", "p_value", "ci_low"):
        assert np.array_equal(getattr(plain, key), getattr(same, key))
    for cov_type in ROBUST:
        res = fit_ols(X, y, cov_type=cov_type)
        assert np.array_equal(res.coef, plain.coef) and res.sigma == plain.sigma
        assert np.array_equal(res.cov_unscaled, plain.cov_unscaled)
        assert np.array_equal(res.studentized_resid, plain.studentized_resid)
        assert not np.allclose(res.std_err, plain.std_err)
        assert_allclose(res.t, res.coef / res.std_err, rtol=1e-14)


def test_hac_with_zero_lags_is_hc0():
    X, y, _ = make_problem(8)
    assert_allclose(fit_ols(X, y, cov_type="HAC", maxlags=0).cov_params, fit_ols(X, y, cov_type="HC0").cov_params,
                    rtol=1e-13)


def test_aliased_terms_get_nan_and_the_rest_matches_the_fit_without_them():
    X, y, _ = make_problem(9, n=50, p=2)
    Xa = np.column_stack([X, 2 * X[:, 0]])
    for cov_type in ROBUST:
        with pytest.warns(RankDeficiencyWarning):
            res = fit_ols(Xa, y, cov_type=cov_type, maxlags=2 if cov_type == "HAC" else None)
        ref = fit_ols(X, y, cov_type=cov_type, maxlags=2 if cov_type == "HAC" else None)
        assert np.isnan(res.std_err[-1]) and np.isnan(res.p_value[-1])
        assert np.all(np.isnan(res.cov_params[-1])) and np.all(np.isnan(res.cov_params[:, -1]))
        assert_allclose(res.std_err[:-1], ref.std_err, rtol=1e-10)
        assert_allclose(res.f_statistic, ref.f_statistic, rtol=1e-10)


def test_exact_fit_and_intercept_only():
    res = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 7.0], cov_type="HC1")
    assert res.f_statistic == math.inf and np.all(res.std_err == 0.0)
    only = fit_ols(np.empty((5, 0)), [1.0, 2.0, 4.0, 3.0, 5.0], cov_type="HC3")
    assert math.isnan(only.f_statistic) and math.isnan(only.f_p_value)
    assert np.isfinite(only.std_err).all()


def test_summary_names_the_covariance_and_the_distribution():
    X, y, _ = make_problem(1)
    text = fit_ols(X, y, cov_type="HAC", maxlags=2).summary()
    assert "Standard errors: HAC (Newey-West, Bartlett kernel), maxlags = 2; tests and intervals from the normal" in text
    assert "z value  Pr(>|z|)" in text and "Wald F-statistic (HAC):" in text
    assert "tests and intervals from t on" in fit_ols(X, y, cov_type="HC3", use_t=True).summary()
    plain = fit_ols(X, y).summary()
    assert "Standard errors" not in plain and "t value  Pr(>|t|)" in plain
    d = fit_ols(X, y, cov_type="HC2").to_dict()
    assert (d["cov_type"], d["maxlags"], d["use_t"]) == ("HC2", None, False)
    assert "cov_type='HC2'" in repr(fit_ols(X, y, cov_type="HC2"))


# ---- 4. errors ------------------------------------------------------------------
def test_errors():
    X, y, _ = make_problem(2, n=30, p=2)
    with pytest.raises(ModelError, match=r"cov_type must be one of \('nonrobust', 'HC0'"):
        fit_ols(X, y, cov_type="hc3")
    with pytest.raises(ModelError, match="maxlags applies to cov_type='HAC' only"):
        fit_ols(X, y, cov_type="HC0", maxlags=2)
    for bad in (-1, 30, 2.5, True, "2"):
        with pytest.raises(ModelError, match="maxlags must be a whole number from 0 to n - 1 = 29"):
            fit_ols(X, y, cov_type="HAC", maxlags=bad)
    with pytest.raises(ModelError, match="use_t must be True, False or None"):
        fit_ols(X, y, cov_type="HC0", use_t="yes")
    assert COV_TYPES == ("nonrobust", *ROBUST)


def test_h_equal_one_gives_nan_for_hc2_and_hc3():
    # A dummy that is 1 on one row only: that row has leverage 1, and HC3 divides 0 by 0 there.
    X, y, _ = make_problem(6, n=20, p=1)
    d = np.zeros(20)
    d[4] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fit_ols(np.column_stack([X, d]), y, cov_type="HC3")
    assert np.all(np.isnan(res.std_err)) and math.isnan(res.f_statistic)
