"""Diagnostics against statsmodels, readings, and edge cases."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.stats.stattools import durbin_watson as sm_dw
from statsmodels.stats.stattools import jarque_bera as sm_jb

from linreg.diagnostics import (
    TestResult,
    breusch_pagan,
    cooks_contour,
    durbin_watson,
    influence_table,
    jarque_bera,
    vif,
)
from linreg.exceptions import DataError, ModelError, RankDeficiencyWarning
from linreg.ols import fit_ols

SEEDS = [0, 3, 17, 42, 99]


def problem(seed: int, n: int = 120, hetero: float = 0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 2] += 0.8 * X[:, 0]  # some collinearity for VIF
    e = rng.normal(size=n) * (1.0 + hetero * (X[:, 0] - X[:, 0].min()))  # spread grows with x1
    return X, 1.0 + X @ [1.0, -2.0, 0.5] + e


@pytest.mark.parametrize("seed", SEEDS)
def test_against_statsmodels(seed):
    X, y = problem(seed)
    res = fit_ols(X, y)
    X1 = sm.add_constant(X)
    resid = sm.OLS(y, X1).fit().resid
    lm, lm_p, _, _ = het_breuschpagan(resid, X1)
    bp = breusch_pagan(res)
    assert_allclose([bp.statistic, bp.p_value], [lm, lm_p], rtol=1e-8)
    assert bp.df == 3.0
    jb_stat, jb_p, _, _ = sm_jb(resid)
    jb = jarque_bera(res)
    assert_allclose([jb.statistic, jb.p_value], [jb_stat, jb_p], rtol=1e-8)
    assert_allclose(durbin_watson(res).statistic, sm_dw(resid), rtol=1e-10)
    got = vif(res)
    assert list(got) == ["x1", "x2", "x3"]
    assert_allclose(list(got.values()), [variance_inflation_factor(X1, j) for j in (1, 2, 3)], rtol=1e-8)


def test_readings_are_one_plain_sentence():
    X, y = problem(1, n=400, hetero=3.0)
    res = fit_ols(X, y)
    bp = breusch_pagan(res)
    assert bp.p_value < 0.05 and "heteroscedasticity" in bp.reading and "< 0.05" in bp.reading
    for t in (bp, jarque_bera(res), durbin_watson(res)):
        assert isinstance(t, TestResult) and t.reading.count(". ") == 0 and t.reading.endswith(".")
    calm = breusch_pagan(fit_ols(*problem(2)))
    assert calm.p_value >= 0.05 and "no evidence" in calm.reading


def test_jarque_bera_flags_skewed_residuals():
    rng = np.random.default_rng(4)
    x = rng.normal(size=300)
    res = fit_ols(x, x + rng.exponential(size=300))
    jb = jarque_bera(res)
    assert jb.p_value < 0.05 and "not normally distributed" in jb.reading


def test_durbin_watson_sees_autocorrelation():
    rng = np.random.default_rng(5)
    n = 200
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.9 * e[i - 1] + rng.normal()
    x = np.arange(n, dtype=float)
    dw = durbin_watson(fit_ols(x, 2 * x + e))
    assert dw.statistic < 1.5 and "positively correlated" in dw.reading and dw.p_value < 1e-6


def test_exact_fit_gives_undefined_tests_not_errors():
    x = np.arange(6.0)
    res = fit_ols(x, 3 * x + 1)
    for test in (breusch_pagan(res), jarque_bera(res), durbin_watson(res)):
        assert math.isnan(test.statistic) and test.p_value is None
        assert "Not defined here" in test.reading and "exact fit" in test.reading


def test_vif_infinite_for_aliased_and_uncentred_without_intercept():
    X, y = problem(0)
    Xd = np.column_stack([X, 2 * X[:, 1]])
    with pytest.warns(RankDeficiencyWarning):
        res = fit_ols(Xd, y)
    got = vif(res)
    assert got["x4"] == math.inf and math.isfinite(got["x2"])
    no_int = vif(fit_ols(X, y, intercept=False))
    # uncentred R^2 of x1 on x2, x3 (no constant)
    b, *_ = np.linalg.lstsq(X[:, 1:], X[:, 0], rcond=None)
    e = X[:, 0] - X[:, 1:] @ b
    assert_allclose(no_int["x1"], 1 / (e @ e / (X[:, 0] @ X[:, 0])), rtol=1e-10)


def test_influence_table_orders_by_cooks_distance():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 20.0])
    y = np.array([0.1, 0.9, 2.1, 2.9, 4.2, 5.0, 12.0])
    res = fit_ols(x, y)
    table = influence_table(res, row_labels=list("abcdefg"), top=3)
    assert list(table.columns) == ["row", "fitted", "resid", "leverage", "studentized_resid", "cooks_distance"]
    assert len(table) == 3 and table["row"].iloc[0] == "g"
    assert table["cooks_distance"].is_monotonic_decreasing
    full = influence_table(res, top=None)
    assert len(full) == 7 and sorted(full["row"]) == list(range(7))
    with pytest.raises(DataError, match="row_labels has 2 entries but the fit has 7 rows"):
        influence_table(res, row_labels=[1, 2])


# ---------------------------------------------------------------------------------------------
# Cook's distance contours
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("level", [0.5, 1.0])
@pytest.mark.parametrize("rank", [2, 5])
def test_cook_contour_points_have_that_cooks_distance(level, rank):
    h = np.linspace(0.01, 0.99, 50)
    r = cooks_contour(level, rank, h)
    assert_allclose(r**2 * h / (rank * (1 - h)), level)


def test_cook_contour_ends():
    assert cooks_contour(0.5, 2, np.array([0.0, 1.0])).tolist() == [np.inf, 0.0]


@pytest.mark.parametrize(("level", "rank", "match"), [(0.0, 2, "level must be a Cook's distance > 0"),
                                                      (0.5, 0, "rank must be a whole number >= 1")])
def test_cook_contour_refuses_bad_arguments(level, rank, match):
    with pytest.raises(ModelError, match=match):
        cooks_contour(level, rank, np.array([0.5]))


# ---------------------------------------------------------------------------------------------
# Durbin-Watson p-value
# ---------------------------------------------------------------------------------------------
# Data and R values from lmtest 0.9-40 (cran/lmtest on GitHub): the data sets growthofmoney and
# bondyield (Kraemer & Sonnberger 1986, The Linear Regression Model under Test, Tables 6.5 and
# 6.7), and the values R printed for dwtest() in tests/Examples/lmtest-Ex.Rout.save, the package's
# recorded example output (alternative "greater", exact since n < 100).
GROWTHOFMONEY = np.array([  # TG1.TG0, AG0.TG0; quarterly 1970(2) to 1974(4)
    [0.0, -0.4], [1.0, -1.0], [1.0, 1.1], [2.5, 5.8], [-6.0, -4.4], [4.5, -1.6], [-0.5, 1.6],
    [-1.0, -1.4], [0.5, 4.4], [-1.5, 0.0], [-0.25, -0.7], [-0.75, 0.1], [0.0, 0.65], [0.75, -1.4],
    [0.0, 2.8], [0.0, 2.15], [0.5, -0.85], [0.25, -1.65], [0.0, -2.55],
])
BONDYIELD = """\
RAARUS,MOOD,EPI,EXP,RUS,Y,K
0.29,91.1,98.84,0.46,4.01,-2.667,3.94
0.73,92.3,98.5,0.42,3.94,-3.238,3.936
0.39,93.4,98.47,0.49,4.21,-0.534,3.913
0.25,94.4,98.82,0.44,4.28,-3.71,3.969
0.18,97.2,98.96,0.4,4.28,-2.14,3.937
0.11,95.4,99.01,0.43,4.17,-3.189,3.96
0.24,91.6,99.3,0.42,4.08,-2.666,3.961
0.31,95.0,99.04,0.41,3.94,-1.598,3.934
0.27,94.8,98.91,0.48,3.96,-2.123,3.944
0.31,91.4,98.97,0.45,4.03,-2.127,3.947
0.32,96.2,98.99,0.23,4.04,-2.125,3.943
0.29,96.9,99.14,0.17,4.15,-0.526,3.93
0.23,99.0,99.12,0.12,4.2,-1.051,3.94
0.3,98.1,99.55,0.15,4.16,0.0,3.927
0.23,100.2,99.31,0.19,4.21,0.0,3.928
0.23,99.4,99.2,0.07,4.21,-1.053,3.938
0.21,101.5,99.36,0.08,4.23,0.525,3.92
0.31,102.2,99.8,0.11,4.23,0.525,3.916
0.36,103.2,100.07,-0.09,4.29,0.524,3.917
0.31,102.9,100.39,0.01,4.46,1.556,3.915
0.28,100.0,100.52,0.05,4.78,3.567,3.908
0.49,95.7,100.68,0.0,4.88,2.538,3.926
0.77,91.2,100.99,-0.11,5.08,5.489,3.889
0.94,88.3,101.31,-0.15,4.82,4.037,3.907
0.64,92.2,101.02,0.0,4.68,2.059,3.916
0.69,94.9,100.55,0.12,5.11,-0.508,3.982
0.66,96.5,101.06,-0.02,5.42,2.973,3.946
0.55,92.9,101.23,-0.01,6.01,4.806,3.949
0.65,95.0,101.16,-0.01,5.88,4.352,3.946
0.99,92.4,101.39,-0.08,5.82,5.268,3.934
0.81,92.9,100.97,-0.01,5.57,2.951,3.959
0.63,92.1,100.9,-0.06,6.19,0.968,4.005
0.37,95.1,101.49,-0.03,6.86,0.0,4.057
0.79,91.6,101.21,-0.08,6.84,5.111,3.966
0.91,88.4,101.55,-0.31,7.19,6.796,3.947
1.17,79.7,101.74,-0.28,7.53,8.86,3.925
1.22,78.1,101.45,-0.18,7.46,14.407,3.84
1.09,75.4,100.53,-0.07,8.09,11.904,3.88
0.95,77.1,99.89,0.06,7.75,9.481,3.92
1.0,75.4,99.28,0.31,7.38,8.185,3.944
0.67,78.2,98.88,0.58,6.74,0.932,4.039
1.08,81.6,98.39,0.27,6.95,-0.467,4.067
1.06,82.4,98.55,0.25,6.79,14.581,3.824
0.97,82.2,98.9,0.48,6.49,2.359,4.008
0.71,87.5,99.38,0.38,6.7,6.92,3.938
0.83,89.3,99.6,0.31,6.65,4.167,3.985
0.97,94.0,99.5,0.22,6.56,10.628,3.867
0.93,90.8,99.53,0.17,6.43,15.985,3.784
0.59,80.8,100.42,-0.01,6.91,-8.942,4.25
0.6,76.0,100.82,0.0,7.08,-5.317,4.182
0.67,71.8,100.94,-0.18,7.41,-7.646,4.25
0.61,75.7,101.5,-0.02,7.32,-13.204,4.34
0.64,60.9,101.91,-0.03,7.74,-9.959,4.286
0.75,72.0,101.51,-0.17,8.3,-14.556,4.391
1.11,64.5,101.27,-0.12,8.71,-12.667,4.359
1.03,58.4,100.03,0.02,8.07,-14.254,4.379
0.95,58.0,98.3,0.42,8.04,-20.519,4.494
0.92,72.9,97.9,0.21,8.35,-19.009,4.482
0.84,75.8,98.33,0.09,8.57,-16.148,4.42
0.68,75.8,98.33,0.38,8.28,-7.305,4.251
"""  # quarterly 1961(1) to 1975(4)


def _bondyield() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(BONDYIELD))


@pytest.mark.parametrize(
    ("case", "dw_r", "p_r"),
    [
        # dwtest(TG1.TG0 ~ AG0.TG0, data = growthofmoney): DW = 2.9046, p-value = 0.9839
        ("growthofmoney", 2.9046, 0.9839),
        # the same without rows 5 and 6 (growthofmoney[-c(5:6), ]): DW = 1.5019, p-value = 0.1351
        ("growthofmoney[-c(5:6)]", 1.5019, 0.1351),
        # dwtest(RAARUS ~ MOOD + EPI + EXP + RUS, data = bondyield): DW = 0.84484, p-value = 2.888e-08
        ("bondyield CH", 0.84484, 2.888e-08),
        # dwtest(RAARUS ~ MOOD + Y + K, data = bondyield): DW = 1.4387, p-value = 0.004938
        ("bondyield YM", 1.4387, 0.004938),
    ],
)
def test_durbin_watson_matches_lmtest_printed_values(case, dw_r, p_r):
    if case.startswith("growthofmoney"):
        data = GROWTHOFMONEY if case == "growthofmoney" else np.delete(GROWTHOFMONEY, [4, 5], axis=0)
        res = fit_ols(data[:, 1], data[:, 0])
    else:
        b = _bondyield()
        columns = ["MOOD", "EPI", "EXP", "RUS"] if case.endswith("CH") else ["MOOD", "Y", "K"]
        res = fit_ols(b[columns], b["RAARUS"])
    dw = durbin_watson(res)
    # R prints 5 significant digits of DW and 4 of the p-value.
    assert float(f"{dw.statistic:.5g}") == dw_r
    assert float(f"{dw.p_value:.4g}") == p_r
    assert "positive autocorrelation" in dw.reading



@pytest.mark.parametrize("seed", [0, 7, 99])
def test_durbin_watson_exact_p_value_agrees_with_a_simulation(seed):
    # Independent check of the Imhof integral: simulate DW under H0 (iid normal errors) for the
    # same design, 200,000 draws with a fixed seed; the binomial SE of a tail share is <= 0.0012.
    rng = np.random.default_rng(seed)
    n = 25
    X = np.column_stack([rng.normal(size=n), np.linspace(0, 1, n)])
    y = X @ [1.0, -1.0] + rng.normal(size=n)
    res = fit_ols(X, y)
    X1 = res.X
    draws = rng.normal(size=(200_000, n))
    coef, *_ = np.linalg.lstsq(X1, draws.T, rcond=None)
    e = draws.T - X1 @ coef
    sim = np.sum(np.diff(e, axis=0) ** 2, axis=0) / np.sum(e**2, axis=0)
    d = durbin_watson(res).statistic
    assert abs(durbin_watson(res).p_value - np.mean(sim <= d)) < 0.005
    assert abs(durbin_watson(res, alternative="less").p_value - np.mean(sim >= d)) < 0.005


@pytest.mark.parametrize("seed", range(0, 100, 11))
def test_durbin_watson_normal_approximation_uses_the_exact_moments(seed):
    # Against an independent computation: mean and variance of sum nu_j xi_j^2 / sum xi_j^2 from
    # the eigenvalues nu of MA (Durbin & Watson 1950): E = mean(nu), Var = 2 sum (nu - E)^2 / (m (m + 2)).
    from scipy import stats

    X, y = problem(seed, n=150)
    res = fit_ols(X, y)
    X1 = res.X
    Q, _ = np.linalg.qr(X1, mode="complete")
    N = Q[:, 4:]
    A = np.diag(np.r_[1.0, np.full(148, 2.0), 1.0]) - np.eye(150, k=1) - np.eye(150, k=-1)
    nu = np.linalg.eigvalsh(N.T @ A @ N)
    m = len(nu)
    mean, sd = nu.mean(), np.sqrt(2 * np.sum((nu - nu.mean()) ** 2) / (m * (m + 2)))
    d = durbin_watson(res).statistic
    z = (d - mean) / sd
    assert_allclose(durbin_watson(res).p_value, stats.norm.cdf(z), rtol=1e-10)
    assert_allclose(durbin_watson(res, alternative="less").p_value, stats.norm.sf(z), rtol=1e-10)
    assert_allclose(durbin_watson(res, alternative="two.sided").p_value, 2 * stats.norm.sf(abs(z)), rtol=1e-10)
    # The exact p-value is close to its approximation at this size.
    assert abs(durbin_watson(res, exact=True).p_value - stats.norm.cdf(z)) < 0.02


def test_durbin_watson_normal_approximation_is_the_same_in_row_blocks(monkeypatch):
    from linreg import diagnostics

    X, y = problem(3, n=300)
    res = fit_ols(X, y)
    whole = durbin_watson(res).p_value
    monkeypatch.setattr(diagnostics, "_DW_BLOCK", 7)
    assert_allclose(durbin_watson(res).p_value, whole, rtol=1e-12)


@pytest.mark.parametrize("n", [12, 60, 150])
def test_durbin_watson_alternatives_are_consistent(n):
    X, y = problem(5, n=n)
    res = fit_ols(X, y)
    for exact in (True, False):
        g, le, two = (durbin_watson(res, alternative=a, exact=exact).p_value for a in ("greater", "less", "two.sided"))
        assert_allclose(g + le, 1.0, rtol=1e-12)
        assert_allclose(two, 2 * min(g, le), rtol=1e-12)


def test_durbin_watson_default_is_exact_below_100_rows_as_lmtest():
    X, y = problem(8, n=99)
    res = fit_ols(X, y)
    assert durbin_watson(res).p_value == durbin_watson(res, exact=True).p_value
    X, y = problem(8, n=100)
    res = fit_ols(X, y)
    assert durbin_watson(res).p_value == durbin_watson(res, exact=False).p_value


def test_durbin_watson_ignores_aliased_terms():
    X, y = problem(4, n=40)
    with pytest.warns(RankDeficiencyWarning):
        aliased = fit_ols(np.column_stack([X, X[:, 0] - X[:, 1]]), y)
    assert_allclose(durbin_watson(aliased).p_value, durbin_watson(fit_ols(X, y)).p_value, rtol=1e-9)


def test_durbin_watson_errors_and_undefined_p_values():
    X, y = problem(0, n=40)
    res = fit_ols(X, y)
    with pytest.raises(ModelError, match=r"alternative must be one of \('greater', 'less', 'two.sided'\); got 'up'"):
        durbin_watson(res, alternative="up")
    with pytest.raises(ModelError, match="exact must be True, False or None"):
        durbin_watson(res, exact="yes")
    X, y = problem(0, n=2100)
    with pytest.raises(ModelError, match="at most 2,000 rows; use exact=False"):
        durbin_watson(fit_ols(X, y), exact=True)
    tiny = fit_ols([0.0, 1.0, 2.0], [0.0, 2.0, 1.0])  # n = 3, k = 2: exact works, the approximation needs 5 rows
    assert durbin_watson(tiny).p_value is not None
    assert durbin_watson(tiny, exact=False).p_value is None
    assert "about 2" in durbin_watson(tiny, exact=False).reading or "DW =" in durbin_watson(tiny, exact=False).reading
