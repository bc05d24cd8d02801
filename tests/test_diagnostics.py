"""Diagnostics against statsmodels, readings, and edge cases."""

from __future__ import annotations

import math

import numpy as np
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
    assert dw.statistic < 1.5 and "positively correlated" in dw.reading and dw.p_value is None


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
