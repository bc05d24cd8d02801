"""Tests of linreg.penalized: exact cases, KKT conditions, scikit-learn oracle, paths, CV, errors.

The objective is L(b0, b) = (1/N)||y - b0 - Xb||^2 + λ(α||b||_1 + (1 - α)||b||_2^2).
"""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import ElasticNet, Lasso, Ridge

from linreg.exceptions import DataError, ModelError
from linreg.ols import fit_ols
from linreg.penalized import (
    cross_validate,
    fit_penalized,
    kkt_violation,
    l1_ratio_for,
    lambda_max,
    penalty_objective,
    penalty_path,
)

SEEDS = range(20)
RATIOS = (0.0, 0.25, 0.5, 0.9, 1.0)


def _problem(seed: int, n: int | None = None, p: int | None = None):
    """A random regression with correlated, differently scaled, off-centre columns and a sparse truth."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 80)) if n is None else n
    p = int(rng.integers(2, 10)) if p is None else p
    X = rng.normal(size=(n, p)) @ rng.normal(size=(p, p)) * rng.uniform(0.1, 10.0, p) + rng.normal(0, 5, p)
    beta = rng.normal(size=p) * (rng.random(p) < 0.6)
    y = 2.0 + X @ beta + rng.normal(size=n)
    return X, y, rng


# -----------------------------------------------------------------------------
# tiny exact cases
# -----------------------------------------------------------------------------
def _orthogonal(n: int = 8):
    """Centred orthogonal columns with (1/N) X^T X = I, so every solution is explicit."""
    H = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]], dtype=float)
    X = np.vstack([H[:, 1:], H[:, 1:]])  # 8 rows, columns centred, X^T X = 8 I
    y = np.array([3.0, 1.0, -2.0, 0.5, 2.0, 0.0, -1.0, 1.5])
    return X, y


@pytest.mark.parametrize("lam", [0.0, 0.3, 1.0, 5.0])
@pytest.mark.parametrize("a", RATIOS)
def test_orthogonal_design_has_closed_form(lam, a):
    # With (1/N) X^T X = I: gradient condition 2 b_ols_j - 2 c_j = λ(α s + 2(1-α) c_j), so
    # c_j = S(2 b_ols_j, λα) / (2 + 2λ(1-α)); intercept = mean(y) as the columns are centred.
    X, y = _orthogonal()
    b_ols = X.T @ (y - y.mean()) / len(y)
    z = 2 * b_ols
    expect = np.sign(z) * np.maximum(np.abs(z) - lam * a, 0) / (2 + 2 * lam * (1 - a))
    fit = fit_penalized(X, y, lam=lam, l1_ratio=a)
    assert_allclose(fit.slopes, expect, rtol=0, atol=1e-12)
    assert_allclose(fit.coef[0], y.mean(), rtol=1e-14)
    assert fit.converged


def test_single_feature_lasso_and_ridge_by_hand():
    X = np.array([[-1.0], [0.0], [1.0]])
    y = np.array([-1.0, 0.0, 1.0])
    # (2/N) x^T x = 4/3 and (2/N) x^T y = 4/3: lasso c = (4/3 - λ)/(4/3); ridge c = (4/3)/(4/3 + 2λ)
    assert_allclose(fit_penalized(X, y, lam=0.5, l1_ratio=1.0).slopes, [0.625], atol=1e-15)
    assert_allclose(fit_penalized(X, y, lam=0.5, l1_ratio=0.0).slopes, [4 / 7], atol=1e-15)
    assert_allclose(fit_penalized(X, y, lam=2.0, l1_ratio=1.0).slopes, [0.0], atol=0)
    assert lambda_max(X, y, l1_ratio=1.0) == pytest.approx(4 / 3, rel=1e-15)
    assert lambda_max(X, y, l1_ratio=0.5) == pytest.approx(8 / 3, rel=1e-15)


def test_lam_zero_is_ols():
    X, y, _ = _problem(3, n=40, p=4)
    ols = fit_ols(X, y).coef
    assert_allclose(fit_penalized(X, y, lam=0.0, l1_ratio=0.0).coef, ols, rtol=1e-9, atol=1e-9)
    assert_allclose(fit_penalized(X, y, lam=0.0, l1_ratio=1.0).coef, ols, rtol=1e-7, atol=1e-7)


# -----------------------------------------------------------------------------
# KKT conditions on random problems
# -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_kkt_conditions_hold_on_random_problems(seed):
    X, y, rng = _problem(seed)
    worst = 0.0
    for a in RATIOS:
        for standardize in (False, True):
            for intercept in (True, False):
                top = lambda_max(X, y, l1_ratio=max(a, 0.5), intercept=intercept, standardize=standardize)
                for lam in top * np.array([rng.uniform(0.001, 0.01), rng.uniform(0.05, 0.9), 1.2]):
                    fit = fit_penalized(X, y, lam=lam, l1_ratio=a, intercept=intercept, standardize=standardize)
                    v = kkt_violation(X, y, fit)
                    assert fit.converged, fit.message
                    assert v <= 1e-6, (a, standardize, intercept, lam, v)
                    assert_allclose(fit.kkt_violation, v, rtol=0, atol=1e-9)
                    worst = max(worst, v)
    assert worst < 1e-6


@pytest.mark.parametrize("seed", range(5))
def test_kkt_conditions_hold_with_more_features_than_rows(seed):
    X, y, _ = _problem(seed, n=12, p=30)
    for a in (0.0, 0.5, 1.0):
        for lam in lambda_max(X, y, l1_ratio=max(a, 0.5)) * np.array([0.02, 0.3]):
            fit = fit_penalized(X, y, lam=lam, l1_ratio=a, standardize=True)
            assert fit.converged, fit.message
            assert kkt_violation(X, y, fit) <= 1e-6


def test_kkt_violation_detects_a_non_optimal_fit():
    X, y, _ = _problem(4, n=50, p=5)
    fit = fit_penalized(X, y, lam=0.5, l1_ratio=0.7)
    assert kkt_violation(X, y, fit) < 1e-9
    nz = np.flatnonzero(fit.coef_work)[0]
    coef = fit.coef.copy()
    coef[1 + nz] *= 1.01
    bad = dataclasses.replace(fit, coef=coef)
    assert kkt_violation(X, y, bad) > 1e-4
    # Moving the intercept alone breaks the (2/N) 1^T r = 0 condition by exactly 2 * shift.
    coef = fit.coef.copy()
    coef[0] += 0.05
    assert kkt_violation(X, y, dataclasses.replace(fit, coef=coef)) == pytest.approx(0.1, rel=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_solution_minimises_the_objective(seed):
    X, y, rng = _problem(seed, n=40, p=5)
    for a in (0.0, 0.5, 1.0):
        fit = fit_penalized(X, y, lam=0.3, l1_ratio=a, standardize=True)
        best = penalty_objective(X, y, fit)
        assert best == pytest.approx(fit.objective, rel=1e-12)
        for _ in range(20):
            step = rng.normal(size=fit.coef.shape) * 1e-3
            other = dataclasses.replace(fit, coef=fit.coef + step, coef_work=(fit.coef[1:] + step[1:]) * fit.x_scale)
            assert penalty_objective(X, y, other) >= best - 1e-12


# -----------------------------------------------------------------------------
# scikit-learn as the oracle
# -----------------------------------------------------------------------------
def _ours(X, y, b0, b, lam, a):
    r = y - b0 - X @ b
    return r @ r / len(y) + lam * (a * np.abs(b).sum() + (1 - a) * b @ b)


def test_parameter_conversion_to_scikit_learn_objectives():
    # Derivation: ours / 2 = (1/(2N))||r||^2 + (λα/2)||b||_1 + (λ(1-α)/2)||b||^2.
    # sklearn ElasticNet(alpha=A, l1_ratio=ρ): (1/(2N))||r||^2 + Aρ||b||_1 + (A(1-ρ)/2)||b||^2
    #   => Aρ = λα/2 and A(1-ρ) = λ(1-α) => A = λ(1 - α/2), ρ = α / (2 - α).
    # sklearn Lasso(alpha=A): (1/(2N))||r||^2 + A||b||_1 => A = λ/2 (α = 1, also the formula above).
    # sklearn Ridge(alpha=A): ||r||^2 + A||b||^2 = N * ours(α = 0) => A = Nλ.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    N = len(y)
    for _ in range(10):
        b0, b, lam, a = rng.normal(), rng.normal(size=4), rng.uniform(0.01, 3), rng.uniform(0, 1)
        r = y - b0 - X @ b
        A, rho = _enet_params(lam, a)
        sk_enet = r @ r / (2 * N) + A * rho * np.abs(b).sum() + A * (1 - rho) / 2 * b @ b
        assert sk_enet == pytest.approx(_ours(X, y, b0, b, lam, a) / 2, rel=1e-13)
        sk_lasso = r @ r / (2 * N) + (lam / 2) * np.abs(b).sum()
        assert sk_lasso == pytest.approx(_ours(X, y, b0, b, lam, 1.0) / 2, rel=1e-13)
        sk_ridge = r @ r + (N * lam) * b @ b
        assert sk_ridge == pytest.approx(N * _ours(X, y, b0, b, lam, 0.0), rel=1e-13)


def _enet_params(lam, a):
    return lam * (1 - a / 2), a / (2 - a)


def _sklearn(X, y, lam, a, intercept=True):
    N = len(y)
    if a == 0:
        m = Ridge(alpha=N * lam, fit_intercept=intercept, solver="svd")
    elif a == 1:
        m = Lasso(alpha=lam / 2, fit_intercept=intercept, tol=1e-14, max_iter=1_000_000)
    else:
        A, rho = _enet_params(lam, a)
        m = ElasticNet(alpha=A, l1_ratio=rho, fit_intercept=intercept, tol=1e-14, max_iter=1_000_000)
    m.fit(X, y)
    return (float(m.intercept_) if intercept else 0.0), m.coef_


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("a", RATIOS)
def test_agrees_with_scikit_learn(seed, a):
    X, y, rng = _problem(seed)
    lam = lambda_max(X, y, l1_ratio=max(a, 0.5)) * rng.uniform(0.01, 0.6)
    for intercept in (True, False):
        fit = fit_penalized(X, y, lam=lam, l1_ratio=a, intercept=intercept)
        b0, b = _sklearn(X, y, lam, a, intercept)
        scale = max(1.0, np.abs(b).max())
        assert_allclose(fit.slopes, b, rtol=0, atol=1e-7 * scale)
        if intercept:
            assert_allclose(fit.coef[0], b0, rtol=0, atol=1e-7 * max(1.0, abs(b0), np.abs(X).max() * scale))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("a", (0.0, 0.5, 1.0))
def test_standardize_agrees_with_scikit_learn_on_standardized_columns(seed, a):
    X, y, rng = _problem(seed)
    mu, sd = X.mean(axis=0), X.std(axis=0)  # population SD, as documented
    Z = (X - mu) / sd
    lam = lambda_max(Z, y, l1_ratio=max(a, 0.5)) * 0.1
    fit = fit_penalized(X, y, lam=lam, l1_ratio=a, standardize=True)
    b0, c = _sklearn(Z, y, lam, a)
    assert_allclose(fit.coef_work, c, rtol=0, atol=1e-8 * max(1, np.abs(c).max()))
    assert_allclose(fit.slopes, c / sd, rtol=1e-7, atol=1e-10)
    assert_allclose(fit.coef[0], b0 - mu @ (c / sd), rtol=1e-7, atol=1e-7)


def test_standardized_fit_is_invariant_to_column_units():
    X, y, _ = _problem(7, n=50, p=4)
    Xs = X * np.array([1.0, 1000.0, 0.001, 7.0])
    for a in (0.0, 0.5, 1.0):
        f1 = fit_penalized(X, y, lam=0.2, l1_ratio=a, standardize=True)
        f2 = fit_penalized(Xs, y, lam=0.2, l1_ratio=a, standardize=True)
        assert_allclose(f2.coef_work, f1.coef_work, rtol=1e-8, atol=1e-10)
        assert_allclose(f2.fitted, f1.fitted, rtol=1e-8, atol=1e-8)


def test_ridge_matches_augmented_least_squares():
    # Independent route: [Xc; sqrt(Nλ) I] b ≈ [yc; 0] by lstsq (QR/SVD of the augmented matrix).
    X, y, _ = _problem(11, n=60, p=6)
    lam, N = 0.37, len(y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    A = np.vstack([Xc, np.sqrt(N * lam) * np.eye(6)])
    b = np.linalg.lstsq(A, np.concatenate([yc, np.zeros(6)]), rcond=None)[0]
    fit = fit_penalized(X, y, lam=lam, l1_ratio=0.0)
    assert_allclose(fit.slopes, b, rtol=1e-10, atol=1e-12)
    # effective df = tr H(λ) from the same SVD
    s = np.linalg.svd(Xc, compute_uv=False)
    assert fit.df == pytest.approx(np.sum(s**2 / (s**2 + N * lam)), rel=1e-12)


# -----------------------------------------------------------------------------
# paths
# -----------------------------------------------------------------------------
def test_lambda_max_is_the_smallest_all_zero_lambda():
    for seed in range(5):
        X, y, _ = _problem(seed)
        for a in (0.3, 1.0):
            top = lambda_max(X, y, l1_ratio=a)
            assert np.all(fit_penalized(X, y, lam=top, l1_ratio=a).coef_work == 0)
            assert np.count_nonzero(fit_penalized(X, y, lam=top * (1 - 1e-6), l1_ratio=a).coef_work) >= 1


@pytest.mark.parametrize("seed", range(10))
def test_ridge_path_shrinks_monotonically(seed):
    X, y, _ = _problem(seed)
    for standardize in (False, True):
        path = penalty_path(X, y, l1_ratio=0.0, n_lams=60, standardize=standardize)
        norms = np.linalg.norm(path.coef_work, axis=1)
        assert np.all(np.diff(path.lams) < 0)
        # λ decreases along the path, so the penalized norm must not decrease
        assert np.all(np.diff(norms) >= -1e-12 * norms.max())
        assert norms[0] < 0.02 * norms[-1]  # at λ_max the leading direction keeps ~1%


def _dense_problem(seed: int):
    """Every feature matters (to different degrees), so the lasso path has several knots."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 6)) @ (np.eye(6) + 0.3 * rng.normal(size=(6, 6)))
    y = X @ (rng.choice([-1, 1], 6) * rng.uniform(0.3, 3.0, 6)) + rng.normal(size=40)
    return X, y


@pytest.mark.parametrize("seed", range(6))
def test_lasso_path_is_piecewise_linear_between_knots(seed):
    X, y = _dense_problem(seed)
    top = lambda_max(X, y, l1_ratio=1.0)
    lams = np.linspace(top, top * 0.001, 200)  # linear spacing so straight segments are easy to check
    path = penalty_path(X, y, l1_ratio=1.0, lams=lams)
    signs = np.sign(path.coef_work)
    assert path.converged.all()
    assert (path.n_nonzero[0], path.n_nonzero.max() >= 2) == (0, True)
    changes = np.flatnonzero(np.any(signs[1:] != signs[:-1], axis=1))
    assert changes.size >= 2  # the active set changes along the path
    bounds = np.concatenate([[0], changes + 1, [lams.size]])
    n_checked = 0
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if hi - lo < 3:
            continue
        seg_l, seg_c = lams[lo:hi], path.coef_work[lo:hi]
        # coefficients between two knots lie on the chord through the segment's ends
        t = (seg_l - seg_l[0]) / (seg_l[-1] - seg_l[0])
        chord = seg_c[0] + t[:, None] * (seg_c[-1] - seg_c[0])
        assert_allclose(seg_c, chord, rtol=0, atol=1e-8 * max(1.0, np.abs(seg_c).max()))
        n_checked += 1
    assert n_checked >= 2


def test_lasso_path_bends_at_knots():
    # Across a knot the slope dλ changes: the piecewise-linear path is not one line.
    X, y = _dense_problem(1)
    top = lambda_max(X, y, l1_ratio=1.0)
    path = penalty_path(X, y, l1_ratio=1.0, lams=np.linspace(top, 0.001 * top, 200))
    second = np.abs(np.diff(path.coef_work, 2, axis=0)).max(axis=1)
    assert second.max() > 1e-6


def test_path_warm_starts_agree_with_cold_fits_and_satisfy_kkt():
    X, y, _ = _problem(2, n=50, p=7)
    for a in (0.0, 0.5, 1.0):
        path = penalty_path(X, y, l1_ratio=a, n_lams=20, standardize=True)
        assert path.converged.all()
        assert path.kkt_violation.max() <= 1e-6
        for i in (0, 7, 19):
            cold = fit_penalized(X, y, lam=path.lams[i], l1_ratio=a, standardize=True)
            assert_allclose(path.coef[i], cold.coef, rtol=1e-8, atol=1e-9)
            # The path takes these from the compressed QR form, the fit from its residuals.
            assert path.mse[i] == pytest.approx(cold.mse, rel=1e-10)
            assert path.objective[i] == pytest.approx(cold.objective, rel=1e-10)
            assert path.df[i] == pytest.approx(cold.df, rel=1e-10)
        assert path.terms == ("Intercept",) + tuple(f"x{j}" for j in range(1, 8))


def test_elastic_net_df_is_the_ridge_df_of_the_active_columns():
    # df = tr Z_A (Z_AᵀZ_A + Nλ(1-α) I)⁻¹ Z_Aᵀ, here from an SVD of the active columns themselves.
    X, y, _ = _problem(5, n=70, p=6)
    a = 0.5
    lam = 0.2 * lambda_max(X, y, l1_ratio=a, standardize=True)
    fit = fit_penalized(X, y, lam=lam, l1_ratio=a, standardize=True)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    active = np.flatnonzero(fit.coef_work)
    assert 0 < active.size < 6
    s = np.linalg.svd(Z[:, active], compute_uv=False)
    assert fit.df == pytest.approx(np.sum(s**2 / (s**2 + len(y) * lam * (1 - a))), rel=1e-10)


def test_path_default_grid():
    X, y, _ = _problem(0, n=30, p=3)
    path = penalty_path(X, y, l1_ratio=1.0, n_lams=10)
    assert path.lams[0] == pytest.approx(path.lam_max)
    assert path.lams[-1] == pytest.approx(path.lam_max * 1e-4)
    assert path.n_nonzero[0] == 0
    assert path.nearest(path.lams[3] * 1.01) == 3


# -----------------------------------------------------------------------------
# cross-validation
# -----------------------------------------------------------------------------
def test_cross_validation_by_hand_and_seeded():
    X, y, _ = _problem(5, n=53, p=5)
    cv = cross_validate(X, y, l1_ratio=1.0, k=5, seed=3, n_lams=15)
    assert cv.fold_mse.shape == (5, 15)
    assert sorted(np.bincount(cv.folds).tolist()) == [10, 10, 11, 11, 11]
    # fold 2 recomputed by hand
    test = cv.folds == 2
    for i in (0, 6, 14):
        f = fit_penalized(X[~test], y[~test], lam=cv.lams[i], l1_ratio=1.0)
        assert cv.fold_mse[2, i] == pytest.approx(np.mean((y[test] - f.predict(X[test])) ** 2), rel=1e-8)
    assert_allclose(cv.mse_mean, cv.fold_mse.mean(axis=0), rtol=1e-14)
    assert_allclose(cv.mse_se, cv.fold_mse.std(axis=0, ddof=1) / np.sqrt(5), rtol=1e-14)
    assert cv.lam_min == cv.lams[np.argmin(cv.mse_mean)]
    ok = cv.mse_mean <= cv.mse_mean[cv.index_min] + cv.mse_se[cv.index_min]
    assert cv.lam_1se == cv.lams[ok].max()
    assert cv.lam_1se >= cv.lam_min
    again = cross_validate(X, y, l1_ratio=1.0, k=5, seed=3, n_lams=15)
    assert_allclose(again.fold_mse, cv.fold_mse, rtol=0, atol=0)
    other = cross_validate(X, y, l1_ratio=1.0, k=5, seed=4, n_lams=15)
    assert not np.array_equal(other.folds, cv.folds)


def test_cross_validation_finds_a_sensible_lambda_for_a_sparse_truth():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 8))
    y = X[:, 0] * 3 - X[:, 1] * 2 + rng.normal(size=200)
    cv = cross_validate(X, y, l1_ratio=1.0, k=5, seed=0, n_lams=30)
    assert cv.path.n_nonzero[cv.index_1se] >= 2
    assert cv.mse_mean[cv.index_min] < 1.3  # noise variance is 1
    ridge = cross_validate(X, y, l1_ratio=0.0, k=5, seed=0, n_lams=20)
    assert ridge.mse_mean[ridge.index_min] < 1.3


# -----------------------------------------------------------------------------
# results, convergence, errors
# -----------------------------------------------------------------------------
def test_result_fields_and_json():
    X, y, _ = _problem(0, n=30, p=3)
    fit = fit_penalized(X, y, lam=0.5, l1_ratio=0.5, terms=["a", "b", "c"])
    assert fit.terms == ("Intercept", "a", "b", "c")
    assert_allclose(fit.fitted + fit.resid, y, rtol=1e-14)
    assert_allclose(fit.predict(X), fit.fitted, rtol=1e-12)
    assert fit.penalty == "elasticnet"
    d = json.loads(json.dumps(fit.to_dict()))
    assert d["std_err"] == [None] * 4 and d["p_value"] == [None] * 4 and d["sigma"] is None
    assert d["lam"] == 0.5 and d["l1_ratio"] == 0.5 and d["converged"] is True
    assert d["coef"] == pytest.approx(fit.coef.tolist())
    assert 0 < fit.r_squared < 1
    # results pickle (st.cache_data needs it), also with cached properties filled in
    back = pickle.loads(pickle.dumps(fit))
    assert_allclose(back.coef, fit.coef, rtol=0, atol=0)
    cv = cross_validate(X, y, l1_ratio=1.0, n_lams=5, k=3)
    assert pickle.loads(pickle.dumps(cv)).lam_min == cv.lam_min


def test_non_convergence_is_a_result_with_a_message():
    X, y, _ = _problem(0, n=40, p=8)
    fit = fit_penalized(X, y, lam=0.01, l1_ratio=1.0, max_iter=1)
    assert not fit.converged
    assert "max_iter" in fit.message and fit.n_iter == 1
    assert np.all(np.isfinite(fit.coef))


def test_constant_column_gets_zero():
    X, y, _ = _problem(0, n=30, p=3)
    X[:, 1] = 4.0
    for a in (0.0, 0.5, 1.0):
        fit = fit_penalized(X, y, lam=0.1, l1_ratio=a, standardize=True)
        assert fit.coef_work[1] == 0 and kkt_violation(X, y, fit) < 1e-8


def test_l1_ratio_for():
    assert l1_ratio_for("ridge") == 0.0 and l1_ratio_for("lasso", 1.0) == 1.0
    assert l1_ratio_for("elasticnet") == 0.5
    with pytest.raises(ModelError, match="penalty 'ridge' means l1_ratio = 0"):
        l1_ratio_for("ridge", 0.5)
    with pytest.raises(ModelError, match=r"penalty must be one of \('ridge', 'lasso', 'elasticnet'\)"):
        l1_ratio_for("l2")
    with pytest.raises(ModelError, match="l1_ratio must be a number in"):
        l1_ratio_for("elasticnet", 2.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lam": -1.0}, "lam must be >= 0"),
        ({"lam": float("nan")}, "lam must be a finite number"),
        ({"lam": "1"}, "lam must be a finite number"),
        ({"lam": 1.0, "l1_ratio": 1.5}, r"l1_ratio must be a number in \[0, 1\]"),
        ({"lam": 1.0, "l1_ratio": -0.1}, r"l1_ratio must be a number in \[0, 1\]"),
        ({"lam": 1.0, "l1_ratio": True}, r"l1_ratio must be a number in \[0, 1\]"),
        ({"lam": 1.0, "tol": 0.0}, "tol must be a positive number"),
        ({"lam": 1.0, "max_iter": 0}, "max_iter must be a positive integer"),
        ({"lam": 1.0, "terms": ["a"]}, "terms has 1 names but X has 2 columns"),
    ],
)
def test_fit_errors(kwargs, match):
    X = np.arange(10.0).reshape(5, 2) ** 1.5
    y = np.arange(5.0)
    with pytest.raises(ModelError, match=match):
        fit_penalized(X, y, **kwargs)


def test_data_and_path_errors():
    X = np.random.default_rng(0).normal(size=(10, 2))
    y = np.arange(10.0)
    with pytest.raises(DataError, match="X has 10 rows but y has 9"):
        fit_penalized(X, y[:-1], lam=1.0)
    with pytest.raises(ModelError, match="X has no columns"):
        fit_penalized(np.empty((10, 0)), y, lam=1.0)
    with pytest.raises(ModelError, match="n_lams must be an integer >= 2"):
        penalty_path(X, y, l1_ratio=1.0, n_lams=1)
    with pytest.raises(ModelError, match="lams must be a non-empty sequence"):
        penalty_path(X, y, l1_ratio=1.0, lams=[1.0, -1.0])
    with pytest.raises(ModelError, match=r"lam_min_ratio must be in \(0, 1\)"):
        penalty_path(X, y, l1_ratio=1.0, lam_min_ratio=2.0)
    with pytest.raises(ModelError, match="y is constant"):
        penalty_path(X, np.ones(10), l1_ratio=1.0)
    with pytest.raises(ModelError, match="k \\(number of folds\\) must be an integer from 2 to n = 10"):
        cross_validate(X, y, l1_ratio=1.0, k=1)
    with pytest.raises(ModelError, match="training set has fewer than 2 rows"):
        cross_validate(X[:2], y[:2], l1_ratio=1.0, k=2, lams=[0.1])
    fit = fit_penalized(X, y, lam=0.1)
    with pytest.raises(ModelError, match="X_new has 3 columns but the model has 2 features"):
        fit.predict(np.ones((2, 3)))


# -----------------------------------------------------------------------------
# hard problems: raw polynomial terms, duplicated columns, large scales
# -----------------------------------------------------------------------------
@pytest.mark.parametrize("a", (0.0, 0.5, 1.0))
@pytest.mark.parametrize("standardize", (False, True))
def test_raw_polynomial_terms_converge(a, standardize):
    # x, x^2, ..., x^8 on [0, 10]: columns from 10 to 1e8, condition number ~1e13 unscaled.
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 200)
    X = np.column_stack([x**j for j in range(1, 9)])
    y = np.sin(x) + 0.1 * rng.normal(size=200)
    for lam in (1e-6, 1e-3, 1.0):
        fit = fit_penalized(X, y, lam=lam, l1_ratio=a, standardize=standardize)
        assert fit.converged, fit.message
        # Gradients here are sums of terms of size ~1e8, so the absolute violation is read
        # relative to the gradient at zero.
        assert fit.kkt_relative <= 1e-9
        if standardize:
            assert fit.kkt_violation <= 1e-6


def test_duplicated_columns():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 3))
    X = np.column_stack([X, X[:, 0]])
    y = 2 * X[:, 0] + rng.normal(size=50)
    ridge = fit_penalized(X, y, lam=0.1, l1_ratio=0.0)
    # ridge splits the weight of identical columns equally
    assert ridge.slopes[0] == pytest.approx(ridge.slopes[3], rel=1e-10)
    for a in (0.5, 1.0):
        fit = fit_penalized(X, y, lam=0.1, l1_ratio=a)
        assert fit.converged and fit.kkt_violation <= 1e-8
        # the lasso solution is not unique but the fit is: compare with sklearn's fitted values
        b0, b = _sklearn(X, y, 0.1, a)
        assert_allclose(fit.fitted, b0 + X @ b, rtol=0, atol=1e-6)


def test_large_scales():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 5)) * 1e3
    y = X @ rng.normal(size=5) * 1e3 + 1e6
    for a in (0.0, 0.5, 1.0):
        lam = lambda_max(X, y, l1_ratio=max(a, 0.5)) * 0.05
        fit = fit_penalized(X, y, lam=lam, l1_ratio=a)
        assert fit.converged
        assert fit.kkt_relative <= 1e-10
        b0, b = _sklearn(X, y, lam, a)
        assert_allclose(fit.slopes, b, rtol=1e-6, atol=1e-6 * np.abs(b).max())


# ---------------------------------------------------------------- reprs and cancellation


def _four_features(n=400, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X @ [1.0, 0.0, -2.0, 0.5] + rng.normal(size=n)


def test_reprs_are_short():
    X, y = _four_features(n=5000)
    fit = fit_penalized(X, y, lam=0.1, l1_ratio=1.0)
    path = penalty_path(X, y, l1_ratio=0.5, n_lams=100)
    cv = cross_validate(X, y, l1_ratio=1.0, n_lams=20, k=3)
    for obj, name in ((fit, "PenalizedResult"), (path, "PenaltyPath"), (cv, "CVResult")):
        text = repr(obj)
        assert text.startswith(name + "(") and len(text) < 1000, text
    assert "penalty='lasso'" in repr(fit) and "lam_min=" in repr(cv)


class _StopAfter:
    def __init__(self, calls):
        self.calls, self.seen = calls, 0

    def __call__(self):
        self.seen += 1
        return self.seen >= self.calls


def test_path_and_cv_stop_when_asked_and_report_progress():
    from linreg.exceptions import Cancelled

    X, y = _four_features()
    seen = []
    with pytest.raises(Cancelled, match=r"^stopped before it finished: the penalty path had fitted 1 of 10"):
        penalty_path(X, y, l1_ratio=1.0, n_lams=10, should_stop=_StopAfter(2), progress=seen.append)
    assert seen == [0.0]
    seen.clear()
    path = penalty_path(X, y, l1_ratio=1.0, n_lams=10, progress=seen.append)
    assert seen == [i / 10 for i in range(10)] + [1.0]
    assert_allclose(path.coef, penalty_path(X, y, l1_ratio=1.0, n_lams=10).coef, rtol=0, atol=0)

    with pytest.raises(Cancelled, match="cross-validation had made 12 of 40 fits"):
        cross_validate(X, y, l1_ratio=1.0, n_lams=10, k=3, should_stop=_StopAfter(13))
    seen.clear()
    cross_validate(X, y, l1_ratio=1.0, n_lams=10, k=3, progress=seen.append)
    assert len(seen) == 41 and seen[-1] == 1.0 and all(a < b for a, b in zip(seen, seen[1:]))
    with pytest.raises(ModelError, match="should_stop must be a function or None"):
        penalty_path(X, y, l1_ratio=1.0, should_stop=1)
