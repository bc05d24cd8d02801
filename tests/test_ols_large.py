"""fit_ols on large designs: the CholeskyQR2 path against oracles, its fallbacks, and its memory.

Sizes are above ``ols.PRECISE_SIZE`` (n * k > 1e4) so the fast path runs, and small
enough that the tests stay quick. No timings here (benchmarks/ measures speed); memory is asserted as
bytes numpy allocates (tracemalloc), which does not depend on the machine's load.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from linreg import _rows, ols
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import RankDeficiencyWarning
from linreg.ols import fit_ols

PER_OBS = ("fitted", "resid", "leverage", "standardized_resid", "studentized_resid", "cooks_distance")
PER_TERM = ("coef", "std_err", "t", "p_value", "ci_low", "ci_high")
SCALARS = ("sigma", "rss", "r_squared", "adj_r_squared", "f_statistic", "log_likelihood")


def make_large(seed: int, n: int = 30_000, p: int = 8, offset: float = 0.0, spread: float = 1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 20, size=p) * spread + offset * rng.uniform(0.5, 2, size=p)
    y = 2.0 + X @ rng.normal(size=p) + rng.normal(size=n)
    return X, y


@pytest.fixture
def cholqr2_calls(monkeypatch):
    """Record whether each call of the CholeskyQR2 solver returned a solution (True) or declined (False)."""
    calls: list[bool] = []
    real = ols._solve_cholqr2

    def spy(*args, **kwargs):
        sol = real(*args, **kwargs)
        calls.append(sol is not None)
        return sol

    monkeypatch.setattr(ols, "_solve_cholqr2", spy)
    return calls


def householder_fit(monkeypatch, *args, **kwargs):
    """fit_ols with CholeskyQR2 switched off: the LAPACK Householder path it replaces."""
    with monkeypatch.context() as m:
        m.setattr(ols, "_solve_cholqr2", lambda *a, **k: None)
        return fit_ols(*args, **kwargs)


@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("intercept", [True, False])
def test_cholqr2_matches_statsmodels(seed, intercept, cholqr2_calls):
    X, y = make_large(seed)
    res = fit_ols(X, y, intercept=intercept)
    assert cholqr2_calls == [True]
    Xs = sm.add_constant(X, prepend=True) if intercept else X
    ref = sm.OLS(y, Xs).fit()
    assert_allclose(res.coef, ref.params, rtol=1e-8)
    assert_allclose(res.std_err, ref.bse, rtol=1e-8)
    assert_allclose(res.p_value, ref.pvalues, rtol=1e-6, atol=1e-300)
    assert_allclose(res.fitted, ref.fittedvalues, rtol=1e-8, atol=1e-8 * np.abs(y).max())
    assert_allclose(res.rss, ref.ssr, rtol=1e-10)
    assert_allclose(res.r_squared, ref.rsquared, rtol=1e-10)
    assert_allclose(res.f_statistic, ref.fvalue, rtol=1e-8)
    assert_allclose(res.condition_number, ref.condition_number, rtol=1e-6)
    infl = ref.get_influence()
    assert_allclose(res.leverage, infl.hat_matrix_diag, rtol=1e-8)
    # (statsmodels' resid_studentized_external refits n times: too slow at this n.)
    assert_allclose(res.standardized_resid, infl.resid_studentized_internal, rtol=1e-8)
    assert_allclose(res.cooks_distance, infl.cooks_distance[0], rtol=1e-7)


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize(("offset", "spread"), [(0.0, 1.0), (1e4, 1.0), (1e3, 1e-2)])
def test_cholqr2_equals_householder(monkeypatch, seed, offset, spread, cholqr2_calls):
    # Offsets large against the spread: the columns are shifted (centred) inside, and
    # still every statistic is that of the raw design [1, X]. (Further out, 1e6 +- 1e-3,
    # Householder on the raw design is the less accurate one: see the next test.)
    X, y = make_large(seed, offset=offset, spread=spread)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # near-collinearity notes for the offset designs
        res = fit_ols(X, y)
        ref = householder_fit(monkeypatch, X, y)
    assert cholqr2_calls == [True]
    for key in PER_TERM:
        assert_allclose(getattr(res, key), getattr(ref, key), rtol=1e-7, err_msg=key)
    for key in SCALARS:
        assert_allclose(getattr(res, key), getattr(ref, key), rtol=1e-9, err_msg=key)
    for key in PER_OBS:
        a, b = getattr(res, key), getattr(ref, key)
        assert_allclose(a, b, rtol=1e-6, atol=1e-9 * np.abs(b).max(), err_msg=key)
    assert res.warnings == ref.warnings
    assert_allclose(res.condition_number, ref.condition_number, rtol=1e-3)


def test_large_offset_is_more_accurate_than_before():
    # x = 1e6 + small spread: centring keeps the working design well conditioned, so
    # the slopes come out to ~1e-13 of the extended-precision Householder answer on
    # the exactly centred data (Householder on the raw design gave ~1e-9).
    X, y = make_large(3, n=40_000, p=3, offset=1e6, spread=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_ols(X, y)
    c = X[0].copy()
    ref = ols._solve_qr_precise(ols._with_ones(X - c, True), y)  # X - c is exact here
    slopes = np.asarray(ref.coef[1:], dtype=np.float64)
    assert_allclose(res.coef[1:], slopes, rtol=1e-11)
    assert_allclose(res.leverage, ref.leverage, rtol=1e-11)


def test_ill_conditioned_falls_back_to_householder(cholqr2_calls):
    rng = np.random.default_rng(5)
    U = rng.normal(size=(30_000, 4))
    X = U.copy()
    X[:, 1] = U[:, 0] + U[:, 1] * 1e-5  # scaled condition number ~2e5 > PRECISE_COND
    y = 1.0 + X.sum(axis=1) + rng.normal(size=len(X))
    res = fit_ols(X, y)
    assert cholqr2_calls == [False]
    ref = sm.OLS(y, sm.add_constant(X)).fit()
    assert_allclose(res.coef, ref.params, rtol=1e-6)
    assert_allclose(res.std_err, ref.bse, rtol=1e-8)


def test_aliased_column_falls_back_and_is_named(cholqr2_calls):
    X, y = make_large(2, p=4)
    X = np.column_stack([X, X[:, 0] - 2.0 * X[:, 2]])
    with pytest.warns(RankDeficiencyWarning, match="x5"):
        res = fit_ols(X, y)
    assert cholqr2_calls == [False]
    assert res.aliased == ("x5",) and res.rank == 5
    assert np.isnan(res.coef[-1]) and np.all(np.isfinite(res.coef[:-1]))


def test_constant_column_is_aliased_with_intercept(cholqr2_calls):
    X, y = make_large(4, p=3)
    X[:, 1] = 7.0
    with pytest.warns(RankDeficiencyWarning, match="x2"):
        res = fit_ols(X, y)
    assert cholqr2_calls == [False]
    assert res.aliased == ("x2",)


def test_polynomial_basis_on_the_fast_path(monkeypatch, cholqr2_calls):
    rng = np.random.default_rng(9)
    n = 40_000
    df = pd.DataFrame({"x": rng.uniform(100, 110, n)})
    df["y"] = 1 - 0.5 * df.x + 0.01 * df.x**2 + rng.normal(size=n)
    design = build_design(df, ModelSpec(target="y", features=("x",), poly=(("x", 3),)))
    assert design.basis is not None
    res = fit_design(design)
    assert cholqr2_calls == [True]
    ref = householder_fit(monkeypatch, design.X, design.y, terms=design.terms, basis=design.basis)
    assert_allclose(res.coef, ref.coef, rtol=1e-8)
    assert_allclose(res.std_err, ref.std_err, rtol=1e-8)
    assert_allclose(res.leverage, ref.leverage, rtol=1e-8)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_worker_threads_do_not_change_the_answer(monkeypatch, workers):
    X, y = make_large(11, n=50_001)
    ref = fit_ols(X, y)
    monkeypatch.setattr(_rows, "_WORKERS", workers)  # read where the row blocks are split
    res = fit_ols(X, y)
    assert_allclose(res.coef, ref.coef, rtol=1e-12)
    assert_allclose(res.leverage, ref.leverage, rtol=1e-12)


def test_blas_threads_are_restored():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [d["num_threads"] for d in threadpoolctl.threadpool_info()]
    fit_ols(*make_large(0))
    assert [d["num_threads"] for d in threadpoolctl.threadpool_info()] == before


def test_design_matrix_is_built_on_demand():
    X, y = make_large(0)
    res = fit_ols(X, y)
    assert "X" not in res.__dict__  # not held unless asked for
    assert_allclose(res.X, np.column_stack([np.ones(len(X)), X]), rtol=0)
    assert res.features is X
    small = fit_ols(X[:50], y[:50])
    assert_allclose(small.X[:, 1:], X[:50], rtol=0)


def test_per_observation_statistics_follow_their_formulas():
    X, y = make_large(6)
    res = fit_ols(X, y)
    h, e, s = res.leverage, res.resid, res.sigma
    assert_allclose(res.standardized_resid, e / (s * np.sqrt(1 - h)), rtol=1e-12)
    s_i = np.sqrt((res.rss - e**2 / (1 - h)) / (res.df_resid - 1))
    assert_allclose(res.studentized_resid, e / (s_i * np.sqrt(1 - h)), rtol=1e-12)
    assert_allclose(res.cooks_distance, e**2 * h / (res.rank * s**2 * (1 - h) ** 2), rtol=1e-12)
    assert_allclose(h.sum(), res.rank, rtol=1e-12)


# Measured in a fresh interpreter: tracemalloc counts every thread's allocations, and in the
# full suite threads left by earlier in-process tests (AppTest's script runners) can allocate
# during the window.
_ALLOCATION_SCRIPT = """
import tracemalloc
from tests.test_ols_large import PER_OBS, make_large
from linreg.ols import fit_ols
X, y = make_large(0, n=200_000, p=20)
fit_ols(X[:1000], y[:1000]).cooks_distance  # warm imports and caches
tracemalloc.start()
res = fit_ols(X, y)
for key in PER_OBS:
    getattr(res, key)
_, peak = tracemalloc.get_traced_memory()
print(peak / X.nbytes)
"""


def test_fit_allocates_less_than_the_data():
    # The target: peak memory <= 3x X. The fit itself (with every per-observation
    # statistic) allocates well under one X: no design copy with a ones column,
    # no n x k Q, no longdouble n-vectors.
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", _ALLOCATION_SCRIPT], cwd=root, capture_output=True, text=True, check=True)
    ratio = float(out.stdout.split()[-1])
    assert 0.05 < ratio < 0.75, f"fit allocated {ratio:.2f} x X.nbytes"
