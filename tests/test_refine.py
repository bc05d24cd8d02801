"""The refinement pass of large in-memory fits: when it runs, what it fixes, what it leaves alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from linreg import _solvers, ols
from linreg.design import ModelSpec, build_design, fit_design
from linreg.ols import fit_ols


def norris_like(m: int = 20_000):
    # NIST Norris's shape: a line through x in [0, 1000] with a small intercept, rows repeated.
    rng = np.random.default_rng(1)
    x0 = np.round(rng.uniform(0, 1000, 36), 1)
    y0 = np.round(-0.26 + 1.002 * x0 + rng.normal(size=36) * 0.9, 1)
    return np.tile(x0, m)[:, None], np.tile(y0, m), (x0[:, None], y0)


def exact_line(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares on the 36 distinct rows in extended precision (repeating rows does not move it)."""
    return np.asarray(ols._solve_qr_precise(ols._with_ones(x, True), y).coef, dtype=np.float64)


def test_refinement_recovers_the_small_intercept(monkeypatch):
    X, y, (x0, y0) = norris_like()
    truth = exact_line(x0, y0)
    calls = []
    real = ols._refine
    monkeypatch.setattr(ols, "_refine", lambda *a, **k: calls.append(1) or real(*a, **k))
    res = fit_ols(X, y)
    assert calls == [1]
    assert_allclose(res.coef, truth, rtol=1e-13)
    monkeypatch.setattr(ols, "_wants_refinement", lambda *a, **k: False)
    unrefined = fit_ols(X, y)
    assert np.max(np.abs(unrefined.coef - truth) / np.abs(truth)) > 1e-12  # what the pass buys


def test_well_conditioned_designs_skip_the_pass(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60_000, 5))
    y = 1 + X @ np.linspace(-1, 1, 5) + rng.normal(size=60_000)
    monkeypatch.setattr(ols, "_refine", lambda *a, **k: pytest.fail("refined a well-conditioned design"))
    fit_ols(X, y)


def test_small_problems_are_left_to_the_precise_solver():
    sol = ols._solve_qr(ols._with_ones(np.arange(10.0)[:, None], True), np.arange(10.0) ** 2)
    assert not _solvers._wants_refinement(sol, 10, 2, basis=True)


def test_polynomial_basis_is_rebuilt_exactly(monkeypatch):
    # Wampler-like: an exact degree-5 polynomial in x = 0..20, repeated. Refined on the
    # Legendre basis rebuilt in longdouble, the raw coefficients come back to ~1e-13;
    # refined on the float64 basis they stop near 2e-11.
    x = np.tile(np.arange(21.0), 3000)
    y = 1 + x + x**2 + x**3 + x**4 + x**5
    design = build_design(pd.DataFrame({"x": x, "y": y}), ModelSpec("y", features=("x",), poly=(("x", 5),)))
    res = fit_design(design)
    assert_allclose(res.coef, np.ones(6), rtol=2e-12)  # 2e-11 on the float64 basis
    recipes = _solvers._poly_recipes(design.basis.M, True)
    assert [r[0] for r in recipes] == ["raw"] + ["poly"] * 5
    rows = _solvers._ExactRows(design.X, True, np.arange(6), recipes, design.basis.Z)
    assert_allclose(np.asarray(rows.block(0, 100), dtype=np.float64), design.basis.Z[:100], rtol=0, atol=1e-15)


def test_a_mismatched_basis_falls_back_to_the_given_columns():
    Z = np.random.default_rng(0).normal(size=(50, 3))
    rows = _solvers._ExactRows(Z[:, 1:], True, np.arange(3), [("raw", 0), ("poly", 1, 1.0, 0.0, [0, 0, 1]),
                                                             ("raw", 2)], Z)
    assert_allclose(np.asarray(rows.block(0, 50), dtype=np.float64), Z, rtol=0)  # t^2 is not Z[:, 1]: Z is used


def test_an_aliased_column_beside_an_offset_one_is_refined_on_the_kept_columns(monkeypatch):
    # Above the precise size, a column far from zero makes the pass run on the shifted
    # design; the aliased copy of x0 is dropped, and the pass must use the kept columns only.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 2)) * [1, 100] + [0, 1e4]
    y = X[:, 0] + 0.01 * X[:, 1] + rng.normal(size=5000)
    calls = []
    real = ols._refine
    monkeypatch.setattr(ols, "_refine", lambda *a, **k: calls.append(1) or real(*a, **k))
    with pytest.warns(ols.RankDeficiencyWarning):
        res = fit_ols(np.column_stack([X, 2 * X[:, 0]]), y)
    assert calls == [1]
    full = fit_ols(X, y)
    assert res.rank == 3 and np.isnan(res.coef[3])
    assert_allclose(res.coef[:3], full.coef, rtol=1e-12)
    assert_allclose(res.std_err[:3], full.std_err, rtol=1e-12)


def _near_zero_problem(n: int = 200_000):
    # Standard-normal columns, one true coefficient 0: its estimate is ~1/sqrt(n) beside +-1, which
    # sends the fit to the pass by the a-priori bound although float64 already has it to ~1e-15.
    rng = np.random.default_rng(5)
    X = rng.standard_normal((n, 5))
    y = 1.0 + X @ np.array([-1.0, -0.5, 0.0, 0.5, 1.0]) + rng.standard_normal(n)
    return X, y


def _solution(X, y):
    """The float64 solve fit_ols hands to the refinement decision."""
    seen = []
    real = ols._wants_refinement

    def spy(sol, n, k, *, basis):
        seen.append(sol)
        return real(sol, n, k, basis=basis)

    ols._wants_refinement = spy
    try:
        fit_ols(X, y)
    finally:
        ols._wants_refinement = real
    return seen[0]


def test_a_coefficient_near_zero_is_settled_in_float64_without_the_pass(monkeypatch):
    X, y = _near_zero_problem()
    sol = _solution(X, y)
    assert _solvers._wants_refinement(sol, *X.shape, basis=False)  # the bound asks for the pass
    assert _solvers._float64_settles(X, y, sol, intercept=True)
    calls = []
    real = ols._refine
    monkeypatch.setattr(ols, "_refine", lambda *a, **k: calls.append(1) or real(*a, **k))
    checked = fit_ols(X, y)
    assert calls == []
    monkeypatch.setattr(ols, "_float64_settles", lambda *a, **k: False)
    refined = fit_ols(X, y)
    assert calls == [1]
    assert_allclose(checked.coef, refined.coef, rtol=1e-13)  # the pass would have changed nothing that counts


def test_the_float64_check_sees_an_error_in_a_coefficient():
    import dataclasses

    X, y = _near_zero_problem()
    sol = _solution(X, y)
    for j, size in ((2, 1e-10), (0, 1e-10), (4, 1e-10)):
        off = np.array(sol.coef, dtype=np.float64)
        off[j] *= 1 + size  # an error of 1e-10 relative, ten times what the pass is for
        assert not _solvers._float64_settles(X, y, dataclasses.replace(sol, coef=off), intercept=True), j


def test_repeated_rows_and_ill_conditioned_designs_still_take_the_pass():
    X, y, _ = norris_like()
    assert not _solvers._float64_settles(X, y, _solution(X, y), intercept=True)
    rng = np.random.default_rng(2)
    base = rng.standard_normal(100_000)
    Xc = np.column_stack([base, base + 1e-3 * rng.standard_normal(100_000)])  # condition ~1e3 and more
    yc = Xc @ np.array([1.0, 1e-3]) + rng.standard_normal(100_000)
    sol = _solution(Xc, yc)
    assert sol.cond_scaled > _solvers.SETTLE_COND
    assert not _solvers._float64_settles(Xc, yc, sol, intercept=True)


def test_the_check_works_on_the_solver_s_shifted_columns(monkeypatch):
    # Columns with a mean of 10: the solver works on [1, X - c], and so does the check.
    X, y = _near_zero_problem()
    X = X + 10.0
    sol = _solution(X, y)
    assert sol.cov_work is not None and _solvers._wants_refinement(sol, *X.shape, basis=False)
    assert _solvers._float64_settles(X, y, sol, intercept=True)
    checked = fit_ols(X, y)
    monkeypatch.setattr(ols, "_float64_settles", lambda *a, **k: False)
    assert_allclose(checked.coef, fit_ols(X, y).coef, rtol=1e-13)
