"""Tests for linreg.descent: exact tiny cases, GD -> OLS, the fast path against the plain loop, errors."""

import math
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from linreg.descent import gradient_descent
from linreg.exceptions import Cancelled, DataError, LinregError, ModelError
from linreg.quadratic import (
    convergence_rate,
    gradient,
    hessian_eigenvalues,
    learning_rate_bounds,
    loss,
    loss_surface,
    step_arithmetic,
)


def make(seed, n=200, p=3, noise=0.5, offset=0.0, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * scale + offset
    coef = rng.normal(size=p)
    y = 2.0 + X @ coef + noise * rng.normal(size=n)
    return X, y


def with_ones(X):
    return np.column_stack([np.ones(len(X)), X])


def ols(X, y, intercept=True):
    X1 = with_ones(X) if intercept else X
    return np.linalg.lstsq(X1, y, rcond=None)[0]


def naive_gd(X1, y, w0, lr, steps, momentum=0.0):
    """The formula as taught, touching the data at every step."""
    n = len(y)
    w, vel, out = w0.astype(float).copy(), np.zeros(len(w0)), [w0.astype(float).copy()]
    for _ in range(steps):
        g = (2.0 / n) * X1.T @ (X1 @ w - y)
        vel = momentum * vel - lr * g
        w = w + vel
        out.append(w)
    return np.array(out)


# ---------------------------------------------------------------- tiny exact cases


def test_one_step_by_hand():
    # X1 = [[1, 0], [1, 1]], y = [1, 3], w0 = 0: residuals 1, 3; grad = (2/2) X1^T (0 - y) = [-4, -3]
    res = gradient_descent([[0.0], [1.0]], [1.0, 3.0], learning_rate=0.1, n_iter=1)
    assert_allclose(res.history.coef, [[0.0, 0.0], [0.4, 0.3]], rtol=0, atol=1e-15)
    assert_allclose(res.history.grad[0], [-4.0, -3.0], rtol=1e-15)
    # L(0) = (1 + 9)/2; L(w1) = ((1 - 0.4)^2 + (3 - 0.7)^2)/2
    assert_allclose(res.history.loss, [5.0, (0.6**2 + 2.3**2) / 2], rtol=1e-14)
    assert res.n_iter == 1 and not res.converged and not res.diverged
    assert res.terms == ("Intercept", "x1")


# ---------------------------------------------------------------- GD reaches OLS


@pytest.mark.parametrize("seed", range(5))
def test_full_batch_reaches_ols(seed):
    # oracle: numpy's lstsq (LAPACK gelsd). statsmodels agrees too, but importing it
    # costs seconds, and test_ols already holds it as the oracle of the closed form.
    X, y = make(seed)
    res = gradient_descent(X, y, learning_rate=0.3, n_iter=5000, tol=1e-10)
    assert res.converged and not res.diverged
    assert_allclose(res.coef, ols(X, y), rtol=1e-8, atol=1e-9)
    assert "Converged" in res.message
    assert_allclose(res.loss_min, loss(with_ones(X), y, ols(X, y)), rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_standardized_reaches_same_original_coef(seed):
    # badly scaled, off-centre columns: unstandardized GD would crawl
    X, y = make(seed, offset=50.0, scale=[1.0, 10.0, 0.01])
    # tol is in working units; the intercept multiplies working errors by mean/sd ~ 5000
    res = gradient_descent(X, y, learning_rate=0.5, n_iter=5000, standardize=True, tol=1e-12)
    assert res.converged
    assert_allclose(res.coef, ols(X, y), rtol=1e-7)
    assert_allclose(res.history.coef_original[-1], res.coef, rtol=1e-12)
    assert_allclose(res.optimum_original, ols(X, y), rtol=1e-7)
    # the working design really is standardized
    assert_allclose(res.X_work[:, 1:].mean(axis=0), 0.0, atol=1e-10)  # offset/spread = 5000
    assert_allclose(res.X_work[:, 1:].std(axis=0), 1.0, rtol=1e-12)
    raw = gradient_descent(X, y, learning_rate=0.5, n_iter=10, standardize=False)
    assert res.max_stable_learning_rate > 1e3 * raw.max_stable_learning_rate


def test_standardize_without_intercept_scales_only():
    X, y = make(1, offset=3.0, scale=[1.0, 20.0, 0.1])
    _, best = learning_rate_bounds(X, intercept=False, standardize=True)
    res = gradient_descent(X, y, learning_rate=best, n_iter=20000, standardize=True, intercept=False, tol=1e-10)
    assert res.converged
    assert_allclose(res.coef, ols(X, y, intercept=False), rtol=1e-7)
    assert_allclose(np.sqrt((res.X_work**2).mean(axis=0)), 1.0, rtol=1e-12)


def test_rank_deficient_reaches_minimum_norm_solution():
    X, y = make(2, p=2)
    X = np.column_stack([X, 2 * X[:, 0]])  # third column aliased with the first
    res = gradient_descent(X, y, learning_rate=0.1, n_iter=20000, tol=1e-10)
    assert res.converged
    # from 0 the iterates stay in the row space of X1: the limit is the minimum-norm minimiser
    assert_allclose(res.coef, ols(X, y), rtol=1e-7, atol=1e-9)
    assert res.eigenvalues[0] < 1e-12 * res.eigenvalues[-1]
    lam = res.eigenvalues
    assert res.optimal_learning_rate == pytest.approx(2 / (lam[-1] + lam[1]))
    assert "rank-deficient" in res.message


def test_nearly_aliased_and_ill_conditioned_designs_keep_an_exact_minimum():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 2)) * [1.0, 10.0] + [0.0, 5.0]
    y = 1.0 + x @ [2.0, -1.0] + rng.normal(size=400)
    # x1 + x2 is aliased only up to rounding: G's smallest eigenvalue is noise
    X = np.column_stack([x, x[:, 0] + x[:, 1]])
    res = gradient_descent(X, y, learning_rate=0.001, n_iter=5, tol=0)
    assert "rank-deficient" in res.message
    assert_allclose(res.optimum, ols(X, y), rtol=1e-9)
    assert_allclose(res.loss_min, loss(with_ones(X), y, ols(X, y)), rtol=1e-12)
    # far off-centre column: cond(H) ~ 1e10, between the refined and the direct cases
    Z = np.column_stack([x[:, 0], 1e3 + x[:, 1]])
    res = gradient_descent(Z, y, learning_rate=1e-9, n_iter=3, tol=0)
    assert 1e6 < res.eigenvalues[-1] / res.eigenvalues[0] < 1e12
    assert_allclose(res.optimum, ols(Z, y), rtol=1e-8)
    assert_allclose(res.loss_min, loss(with_ones(Z), y, ols(Z, y)), rtol=1e-12)
    assert_allclose(res.history.loss, [loss(res.X_work, y, w) for w in res.history.coef], rtol=1e-10)


# ---------------------------------------------------------------- the fast path is the plain formula


@pytest.mark.parametrize("momentum", [0.0, 0.7])
@pytest.mark.parametrize("standardize", [False, True])
def test_fast_path_equals_naive_loop(momentum, standardize):
    X, y = make(3, n=300, p=4, offset=2.0)
    init = np.array([0.5, -1.0, 2.0, 0.0, 1.0])
    res = gradient_descent(X, y, learning_rate=0.05, n_iter=50, momentum=momentum, standardize=standardize,
                           init=init, tol=0)
    W = naive_gd(res.X_work, y, res.history.coef[0], 0.05, 50, momentum)
    assert res.history.coef.shape == (51, 5)
    assert_allclose(res.history.coef, W, rtol=1e-10)
    for t in (0, 1, 25, 50):
        assert_allclose(res.history.grad[t], gradient(res.X_work, y, W[t]), rtol=1e-10, atol=1e-12)
        assert_allclose(res.history.loss[t], loss(res.X_work, y, W[t]), rtol=1e-12)


def test_history_shapes_and_start():
    X, y = make(4, p=2, offset=5.0)
    init = [1.0, 2.0, 3.0]
    res = gradient_descent(X, y, learning_rate=0.01, n_iter=7, standardize=True, init=init, tol=0)
    h = res.history
    assert h.coef.shape == (8, 3) and h.grad.shape == (8, 3) and h.loss.shape == (8,)
    assert h.coef_original.shape == (8, 3)
    assert_allclose(h.coef_original[0], init, rtol=1e-14)  # init is in original units
    assert res.n_iter == 7
    # the working start is the same model: same predictions, same loss
    assert_allclose(res.X_work @ h.coef[0], with_ones(X) @ init, rtol=1e-12)
    assert_allclose(h.loss[0], loss(with_ones(X), y, init), rtol=1e-12)
    assert_allclose(h.grad_norm, np.linalg.norm(h.grad, axis=1), rtol=1e-14)
    assert_allclose(res.final_loss, h.loss[-1])
    assert_allclose(res.coef_work, h.coef[-1])


def test_zero_iterations_and_converged_at_start():
    X, y = make(5)
    res = gradient_descent(X, y, learning_rate=0.1, n_iter=0)
    assert res.n_iter == 0 and res.history.coef.shape == (1, 4) and not res.converged
    assert "Stopped after 0 iterations" in res.message
    at_min = gradient_descent(X, y, learning_rate=0.1, n_iter=100, init=ols(X, y), tol=1e-6)
    assert at_min.converged and at_min.n_iter == 0


def test_loss_is_accurate_where_expanding_cancels():
    # y ~ 1e6 with unit noise: y^T y - 2 w^T c + w^T G w would lose ~12 of 16 digits
    rng = np.random.default_rng(6)
    X = rng.normal(size=(500, 2))
    y = 1e6 + X @ [1.0, -2.0] + rng.normal(size=500)
    res = gradient_descent(X, y, learning_rate=0.5, n_iter=3000, tol=1e-9)
    assert res.converged
    w = res.history.coef[-1]
    direct = np.mean((y.astype(np.longdouble) - res.X_work.astype(np.longdouble) @ w.astype(np.longdouble)) ** 2)
    assert_allclose(res.history.loss[-1], float(direct), rtol=1e-11)
    assert res.history.loss[-1] >= res.loss_min * (1 - 1e-14)


def test_large_chunks_and_long_runs_stitch_together():
    # more iterations than one internal chunk, momentum carried across
    X, y = make(7, n=50, p=2)
    res = gradient_descent(X, y, learning_rate=0.001, n_iter=1500, momentum=0.5, tol=0)
    W = naive_gd(res.X_work, y, np.zeros(3), 0.001, 1500, 0.5)
    assert res.n_iter == 1500
    assert_allclose(res.history.coef, W, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- gradient check


# ---------------------------------------------------------------- stability bounds and divergence


@pytest.mark.parametrize("seed", range(3))
def test_diverges_above_bound_and_is_stable_just_below(seed):
    X, y = make(seed, scale=[1.0, 3.0, 0.5])
    bound = learning_rate_bounds(X)[0]
    above = gradient_descent(X, y, learning_rate=1.05 * bound, n_iter=5000)
    assert above.diverged and not above.converged
    assert above.max_stable_learning_rate == pytest.approx(bound, rel=1e-12)
    assert np.isfinite(above.coef).all()
    for a in (above.history.coef, above.history.loss, above.history.grad):
        assert np.isfinite(a).all()
    assert above.n_iter < 5000
    assert above.history.coef.shape[0] == above.n_iter + 1
    assert "above the largest stable rate" in above.message and "(2/λ_max)" in above.message
    below = gradient_descent(X, y, learning_rate=0.98 * bound, n_iter=5000)
    assert not below.diverged
    # full batch below 2/lambda_max: the loss never goes up
    assert np.all(np.diff(below.history.loss) <= 1e-12 * below.history.loss[0])
    assert below.history.loss[-1] < 1e-3 * below.history.loss[0] + below.loss_min


def test_slow_growth_above_the_bound_is_divergence():
    # just above 2/lambda_max the loss grows by ~0.4% a step: far from 1e6x in 50 steps, but growing
    X, y = make(4)
    bound = learning_rate_bounds(X)[0]
    res = gradient_descent(X, y, learning_rate=1.002 * bound, n_iter=50, init=ols(X, y) + 0.1)
    assert res.diverged and res.n_iter == 50 and res.history.loss[-1] > res.history.loss[0]
    assert "above the largest stable rate" in res.message


def test_divergence_message_names_a_stable_rate():
    X = np.array([[1.0], [-1.0], [2.0], [-2.0]])  # no intercept: H = (2/4)*10 = 5, 2/λ_max = 0.4
    y = np.array([1.0, -1.0, 2.0, -2.1])
    res = gradient_descent(X, y, learning_rate=0.5, n_iter=10000, intercept=False)
    assert res.diverged
    assert res.message.endswith("learning rate 0.5 is above the largest stable rate 0.4 (2/λ_max); try 0.3 or less.")
    assert 0.3 < res.max_stable_learning_rate
    # huge rates overflow within a step or two: still only finite numbers come back
    wild = gradient_descent(X, y, learning_rate=1e150, n_iter=100, intercept=False)
    assert wild.diverged and np.isfinite(wild.history.coef).all() and np.isfinite(wild.history.loss).all()


def test_momentum_divergence_names_its_own_bound():
    X, y = make(1)
    bound = learning_rate_bounds(X)[0]
    # heavy ball is stable up to 2(1 + mu)/lambda_max: 1.5x the plain bound is fine with mu = 0.9
    ok = gradient_descent(X, y, learning_rate=1.5 * bound, n_iter=3000, momentum=0.9, tol=1e-9)
    assert ok.converged
    bad = gradient_descent(X, y, learning_rate=2.0 * bound, n_iter=3000, momentum=0.9)
    assert bad.diverged and "2(1+momentum)/λ_max" in bad.message


def test_mini_batch_divergence_message():
    X, y = make(2)
    res = gradient_descent(X, y, learning_rate=5.0, n_iter=1000, batch_size=4, seed=0)
    assert res.diverged and "larger batch" in res.message
    assert np.isfinite(res.history.coef).all()


def test_convergence_rate_predicts_the_contraction():
    X, y = make(3)
    lr = 0.02  # slow enough that the error is far above rounding at step 200
    res = gradient_descent(X, y, learning_rate=lr, n_iter=200, tol=0)
    err = np.linalg.norm(res.history.coef - res.optimum, axis=1)
    assert err[200] > 1e-6
    observed = (err[200] / err[150]) ** (1 / 50)
    assert observed == pytest.approx(convergence_rate(res.X_work, lr), rel=1e-3)


# ---------------------------------------------------------------- momentum and mini-batch


def test_momentum_converges_faster_on_ill_conditioned_problem():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(300, 2)) * [1.0, 0.05]  # condition number of H ~ 400
    y = X @ [1.0, 3.0] + 0.1 * rng.normal(size=300)
    lo, hi = learning_rate_bounds(X, intercept=False)
    plain = gradient_descent(X, y, learning_rate=hi, n_iter=20000, intercept=False, tol=1e-8)
    heavy = gradient_descent(X, y, learning_rate=hi, n_iter=20000, intercept=False, tol=1e-8, momentum=0.9)
    assert plain.converged and heavy.converged
    assert heavy.n_iter < plain.n_iter / 3
    assert_allclose(heavy.coef, ols(X, y, intercept=False), rtol=1e-6)


def test_mini_batch_is_reproducible_and_seeded():
    X, y = make(9)
    kw = dict(learning_rate=0.05, n_iter=300, batch_size=16)
    a = gradient_descent(X, y, seed=1, **kw)
    b = gradient_descent(X, y, seed=1, **kw)
    c = gradient_descent(X, y, seed=2, **kw)
    assert_array_equal(a.history.coef, b.history.coef)
    assert not np.array_equal(a.history.coef, c.history.coef)
    g = gradient_descent(X, y, seed=np.random.default_rng(1), **kw)
    assert_array_equal(a.history.coef, g.history.coef)
    # noisy, but near the optimum on the full-data loss that history records
    assert a.history.loss[-1] < 1.1 * a.loss_min
    assert_allclose(a.history.loss[-1], loss(a.X_work, y, a.history.coef[-1]), rtol=1e-12)
    assert_allclose(a.history.grad[-1], gradient(a.X_work, y, a.history.coef[-1]), rtol=1e-9, atol=1e-12)


def test_mini_batch_steps_use_the_batch_rows():
    X, y = make(10, n=10, p=2)
    res = gradient_descent(X, y, learning_rate=0.1, n_iter=4, batch_size=4, seed=3, tol=0)
    perm = np.random.default_rng(3).permutation(10)
    # one iteration = one batch: batches of 4, 4, then the remaining 2 rows, then a new epoch
    batches = [perm[0:4], perm[4:8], perm[8:10], np.random.default_rng(3).permutation(10)]
    rng = np.random.default_rng(3)
    rng.permutation(10)
    batches[3] = rng.permutation(10)[0:4]
    w = np.zeros(3)
    for t, idx in enumerate(batches):
        Xb, yb = res.X_work[idx], y[idx]
        w = w - 0.1 * (2 / len(idx)) * Xb.T @ (Xb @ w - yb)
        assert_allclose(res.history.coef[t + 1], w, rtol=1e-13)


def test_batch_size_n_matches_full_batch():
    X, y = make(11, n=40)
    mb = gradient_descent(X, y, learning_rate=0.1, n_iter=30, batch_size=40, seed=0, tol=0)
    fb = gradient_descent(X, y, learning_rate=0.1, n_iter=30, tol=0)
    assert_allclose(mb.history.coef, fb.history.coef, rtol=1e-10)


# ---------------------------------------------------------------- surfaces, steps, pickling


def test_loss_surface_matches_direct_loss():
    X, y = make(12, offset=100.0)
    X1 = with_ones(X)
    c = ols(X, y) + 0.1
    gi, gj = np.linspace(-1, 3, 5), np.linspace(0, 2, 4)
    Z = loss_surface(X1, y, c, 1, 3, gi, gj)
    assert Z.shape == (4, 5)
    for q, b in enumerate(gj):
        for p_, a in enumerate(gi):
            w = c.copy()
            w[1], w[3] = a, b
            assert Z[q, p_] == pytest.approx(loss(X1, y, w), rel=1e-11)


def test_step_arithmetic_is_the_first_step_of_gd():
    X, y = make(13)
    res = gradient_descent(X, y, learning_rate=0.05, n_iter=3, init=[1.0, 0.0, 0.0, 0.0])
    s = step_arithmetic(res.X_work, y, res.history.coef[1], 0.05, [0, 5, -1])
    assert_array_equal(s.rows, [0, 5, len(y) - 1])
    assert_allclose(s.w_next, res.history.coef[2], rtol=1e-12)
    assert_allclose(s.grad, res.history.grad[1], rtol=1e-12)
    assert s.loss_next == pytest.approx(res.history.loss[2], rel=1e-12)


def test_result_pickles_and_warns_nothing():
    X, y = make(14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gradient_descent(X, y, learning_rate=1e-4, n_iter=5, standardize=True)  # not converged: no warning
    back = pickle.loads(pickle.dumps(res))
    assert_array_equal(back.history.coef_original, res.history.coef_original)
    assert back.message == res.message and "Stopped after 5 iterations" in back.message


def test_terms_are_named():
    X, y = make(15, p=2)
    assert gradient_descent(X, y, learning_rate=0.1, n_iter=1, terms=["a", "b"]).terms == ("Intercept", "a", "b")
    assert gradient_descent(X, y, learning_rate=0.1, n_iter=1, intercept=False).terms == ("x1", "x2")


# ---------------------------------------------------------------- every error path

X_OK, Y_OK = make(0, n=20, p=2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(learning_rate=0.0), r"learning_rate must be > 0; got 0.0"),
        (dict(learning_rate=-1), r"learning_rate must be > 0"),
        (dict(learning_rate=float("nan")), r"learning_rate must be a finite number"),
        (dict(learning_rate="fast"), r"learning_rate must be a finite number; got 'fast'"),
        (dict(n_iter=-1), r"n_iter must be >= 0; got -1"),
        (dict(n_iter=2.5), r"n_iter must be a whole number; got 2.5"),
        (dict(n_iter=True), r"n_iter must be a whole number"),
        (dict(momentum=1.0), r"momentum must be >= 0 and < 1; got 1.0"),
        (dict(momentum=-0.1), r"momentum must be >= 0 and < 1"),
        (dict(batch_size=0), r"batch_size must be between 1 and 20; got 0"),
        (dict(batch_size=21), r"batch_size must be between 1 and 20; got 21"),
        (dict(batch_size=4.0), r"batch_size must be a whole number"),
        (dict(tol=-1.0), r"tol must be >= 0"),
        (dict(init=[1.0, 2.0]), r"init must have shape \(3,\), one value per coefficient; got shape \(2,\)"),
        (dict(init=[1.0, np.nan, 0.0]), r"init has NaN or infinite values"),
        (dict(init=["a", "b", "c"]), r"init must be numeric"),
        (dict(seed="abc"), r"seed must be an integer, a numpy Generator or None"),
        (dict(intercept="yes"), r"intercept must be one of \(True, False\); got 'yes'"),
        (dict(standardize=None), r"standardize must be one of \(True, False\); got None"),
        (dict(terms=["a"]), r"terms must name the 2 columns of X; got 1 names"),
    ],
)
def test_gradient_descent_option_errors(kwargs, match):
    args = dict(learning_rate=0.1, n_iter=10) | kwargs
    with pytest.raises(ModelError, match=match):
        gradient_descent(X_OK, Y_OK, **args)


@pytest.mark.parametrize(
    ("X", "y", "exc", "match"),
    [
        (np.zeros((0, 2)), np.zeros(0), DataError, r"X has no rows"),
        ([[1.0], [2.0]], [1.0], DataError, r"X has 2 rows but y has 1"),
        ([[1.0], [np.inf]], [1.0, 2.0], DataError, r"NaN or infinite"),
        ([["a"], ["b"]], [1.0, 2.0], DataError, r"X must be numeric"),
    ],
)
def test_gradient_descent_data_errors(X, y, exc, match):
    with pytest.raises(exc, match=match):
        gradient_descent(X, y, learning_rate=0.1, n_iter=1)


def test_nothing_to_fit():
    with pytest.raises(ModelError, match=r"X has no columns and there is no intercept: nothing to fit"):
        gradient_descent(np.zeros((3, 0)), np.ones(3), learning_rate=0.1, n_iter=1, intercept=False)
    # only an intercept is fine: GD finds the mean
    res = gradient_descent(np.zeros((3, 0)), [1.0, 2.0, 6.0], learning_rate=0.5, n_iter=10)
    assert_allclose(res.coef, [3.0])


def test_errors_are_linreg_errors():
    # pages catch LinregError only
    with pytest.raises(LinregError):
        gradient_descent(X_OK, Y_OK, learning_rate=-1, n_iter=1)
    with pytest.raises(ValueError):
        gradient_descent(X_OK, Y_OK, learning_rate=0.1, n_iter=-1)


# --------------------------------------------------------------------------- ridge penalty


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("intercept", [True, False])
def test_gd_with_ridge_reaches_fit_penalized_ridge(seed, standardize, intercept):
    from linreg.penalized import fit_penalized

    X, y = make(seed, n=120, p=3, offset=1.0, scale=2.0)
    for lam in (0.01, 0.3, 4.0):
        lr = learning_rate_bounds(X, intercept=intercept, standardize=standardize, ridge=lam)[1]
        g = gradient_descent(X, y, learning_rate=lr, n_iter=100_000, intercept=intercept, standardize=standardize,
                             ridge=lam, tol=1e-12)
        f = fit_penalized(X, y, lam=lam, l1_ratio=0.0, intercept=intercept, standardize=standardize)
        assert g.converged and not g.diverged
        assert g.ridge == lam
        assert_allclose(g.coef, f.coef, rtol=1e-9, atol=1e-10)
        # The recorded loss is the penalized objective (penalty on the working slopes).
        assert g.history.loss[-1] == pytest.approx(f.objective, rel=1e-10)
        assert g.loss_min == pytest.approx(f.objective, rel=1e-10)
        assert_allclose(g.optimum_original, f.coef, rtol=1e-9, atol=1e-10)


def test_ridge_history_is_the_penalized_loss_and_gradient():
    X, y = make(3, n=80, p=2)
    g = gradient_descent(X, y, learning_rate=0.05, n_iter=40, ridge=0.2)
    X1 = with_ones(X)
    for t in (0, 1, 17, 40):
        w = g.history.coef[t]
        assert g.history.loss[t] == pytest.approx(loss(X1, y, w, ridge=0.2), rel=1e-12)
        assert_allclose(g.history.grad[t], gradient(X1, y, w, ridge=0.2), rtol=1e-9, atol=1e-12)
    # each step is w - lr * grad of the penalized loss
    assert_allclose(g.history.coef[1], g.history.coef[0] - 0.05 * g.history.grad[0], atol=1e-14)


def test_ridge_bounds_use_the_penalized_hessian():
    X, y = make(4, n=60, p=3)
    X1 = with_ones(X)
    lam = 0.5
    H = (2 / 60) * X1.T @ X1 + 2 * lam * np.diag([0.0, 1.0, 1.0, 1.0])
    eig = np.linalg.eigvalsh(H)
    assert_allclose(hessian_eigenvalues(X1, ridge=lam), eig, rtol=1e-10)
    max_stable, optimal = learning_rate_bounds(X, ridge=lam)
    assert max_stable == pytest.approx(2 / eig[-1], rel=1e-10)
    assert optimal == pytest.approx(2 / (eig[-1] + eig[0]), rel=1e-10)
    g = gradient_descent(X, y, learning_rate=0.01, n_iter=1, ridge=lam)
    assert g.max_stable_learning_rate == pytest.approx(max_stable, rel=1e-12)
    assert_allclose(g.eigenvalues, eig, rtol=1e-10)
    assert convergence_rate(X1, optimal, ridge=lam) == pytest.approx((eig[-1] - eig[0]) / (eig[-1] + eig[0]))
    # Above the bound it diverges; the message names a stable rate.
    bad = gradient_descent(X, y, learning_rate=1.05 * max_stable, n_iter=5000, ridge=lam)
    assert bad.diverged and np.isfinite(bad.history.loss).all()


def test_ridge_fast_path_matches_a_plain_loop():
    X, y = make(5, n=70, p=3, offset=2.0)
    lam, lr, m = 0.3, 0.02, 300
    X1 = with_ones(X)
    w = np.zeros(4)
    D = np.array([0.0, 1.0, 1.0, 1.0])
    for _ in range(m):
        w = w - lr * ((2 / 70) * X1.T @ (X1 @ w - y) + 2 * lam * D * w)
    g = gradient_descent(X, y, learning_rate=lr, n_iter=m, ridge=lam, tol=0.0)
    assert_allclose(g.coef, w, rtol=1e-10, atol=1e-12)


def test_ridge_with_momentum_and_minibatch_reaches_the_ridge_optimum():
    from linreg.penalized import fit_penalized

    X, y = make(6, n=100, p=2)
    f = fit_penalized(X, y, lam=0.2, l1_ratio=0.0, standardize=True)
    g = gradient_descent(X, y, learning_rate=0.1, n_iter=3000, momentum=0.5, standardize=True, ridge=0.2,
                         tol=1e-11)
    assert_allclose(g.coef, f.coef, rtol=1e-8)
    mb = gradient_descent(X, y, learning_rate=0.01, n_iter=20000, batch_size=100, standardize=True, ridge=0.2,
                          seed=1, tol=1e-10)  # one batch = all rows, in shuffled order: full-batch steps
    assert_allclose(mb.coef, f.coef, rtol=1e-6)


def test_ridge_step_arithmetic_and_loss_surface():
    X, y = make(7, n=30, p=2)
    X1 = with_ones(X)
    w = np.array([0.5, -1.0, 2.0])
    s = step_arithmetic(X1, y, w, 0.1, [0, 1], ridge=0.4)
    assert_allclose(s.grad, gradient(X1, y, w, ridge=0.4))
    assert_allclose(s.penalty_grad, [0.0, -0.8, 1.6])
    assert_allclose(s.w_next, w - 0.1 * s.grad)
    assert s.loss == pytest.approx(loss(X1, y, w, ridge=0.4))
    assert s.loss_next == pytest.approx(loss(X1, y, s.w_next, ridge=0.4))
    assert s.ridge == 0.4
    assert step_arithmetic(X1, y, w, 0.1, [0]).ridge == 0.0
    gi, gj = np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)
    Z = loss_surface(X1, y, w, 0, 2, gi, gj, ridge=0.4)
    for q, b in enumerate(gj):
        for p_, a in enumerate(gi):
            ww = w.copy()
            ww[0], ww[2] = a, b
            assert Z[q, p_] == pytest.approx(loss(X1, y, ww, ridge=0.4), rel=1e-10)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "1", True])
def test_ridge_must_be_a_finite_number_at_least_zero(bad):
    X, y = make(0, n=20, p=1)
    with pytest.raises(ModelError, match="ridge"):
        gradient_descent(X, y, learning_rate=0.1, n_iter=1, ridge=bad)
    with pytest.raises(ModelError, match="ridge"):
        loss(with_ones(X), y, np.zeros(2), ridge=bad)


def test_ridge_zero_is_unchanged():
    X, y = make(8, n=50, p=2)
    a = gradient_descent(X, y, learning_rate=0.05, n_iter=100)
    b = gradient_descent(X, y, learning_rate=0.05, n_iter=100, ridge=0.0)
    assert_array_equal(a.history.coef, b.history.coef)
    assert_array_equal(a.history.loss, b.history.loss)
    assert b.ridge == 0.0


def test_ridge_on_a_rank_deficient_design_has_a_unique_optimum():
    from linreg.penalized import fit_penalized

    X, y = make(9, n=60, p=2)
    X = np.column_stack([X, X[:, 0]])  # duplicated column: OLS not unique, ridge is
    g = gradient_descent(X, y, learning_rate=learning_rate_bounds(X, ridge=0.1)[1], n_iter=50_000, ridge=0.1,
                         tol=1e-12)
    f = fit_penalized(X, y, lam=0.1, l1_ratio=0.0)
    assert g.converged
    assert_allclose(g.coef, f.coef, rtol=1e-9, atol=1e-10)
    assert g.coef[1] == pytest.approx(g.coef[3], rel=1e-9)


def test_data_whose_squares_overflow_is_refused_with_a_message():
    x = np.linspace(1.0, 2.0, 10)
    with pytest.raises(DataError, match="sums of squares overflow double precision"):
        gradient_descent(x[:, None] * 1e300, 3.0 * x * 1e300, learning_rate=0.1, n_iter=5)


# ---------------------------------------------------------------- pinned iterates, results, cancellation


def pinned_data():
    rng = np.random.default_rng(20240601)
    X = rng.normal(size=(60, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]
    y = 1.5 + X @ [2.0, -0.3, 4.0] + 0.2 * rng.normal(size=60)
    return X, y


# Iterates (working units) and final coefficients (original units) computed by the
# implementation before gradient_descent was cut into stages: full batch, momentum with
# a ridge term, mini-batches below and above half the rows, a diverging run, no intercept.
# (name: (options, iterations run, {iteration: iterate}, coef))
PINNED = {
    'full': ({'learning_rate': 0.002, 'n_iter': 700}, 700, {
        1: [-0.012529621334246881, 0.007268215063582574, -0.17225969251975853, 0.01282958387951312],
        2: [-0.022324393359589002, 0.015182079714721814, -0.2638262188811593, 0.022820476968233187],
        700: [-1.2080680540646451, 1.9416907652738393, -0.3021427126162597, 1.2720061857520535],
    }, [-1.2080680540646451, 1.9416907652738393, -0.3021427126162597, 1.2720061857520535]),
    'std_momentum_ridge': ({'learning_rate': 0.1, 'n_iter': 700, 'standardize': True, 'momentum': 0.5, 'ridge': 0.05, 'tol': 0.0}, 700, {
        1: [-0.6264810667123442, 0.46949907514745387, -0.6153882556530617, 0.1249055938187259],
        2: [-1.4409064534383917, 1.0756540503718464, -1.40486342195871, 0.2761569443005],
        700: [-3.132405333561721, 2.2330092104064487, -2.85893334845946, 0.37985304936720415],
    }, [1.372849710939093, 1.943670686466497, -0.28324342721452056, 3.9467069764195797]),
    'minibatch_small': ({'learning_rate': 0.05, 'n_iter': 700, 'standardize': True, 'batch_size': 8, 'seed': 3, 'momentum': 0.3}, 700, {
        1: [-0.19247538444226514, 0.0037447247331352297, -0.14573992750187512, 0.1383662589684044],
        2: [-0.5813880903379935, 0.2110226269735449, -0.36487211571290384, 0.1521166931208852],
        700: [-3.1513029474511893, 2.3254920947664286, -2.9989434721333317, 0.3829174385441516],
    }, [1.4165037622548993, 2.024170252027019, -0.29711466604402514, 3.9785462525903803]),
    'minibatch_large': ({'learning_rate': 0.05, 'n_iter': 700, 'standardize': True, 'batch_size': 57, 'seed': 4}, 700, {
        1: [-0.3051684071279275, 0.22133417004386435, -0.3240506360827918, 0.07008611597419477],
        2: [-0.7280297194841763, 0.6642658384677149, -0.3210932661196749, -0.005117446406388282],
        700: [-3.1261489527605995, 2.3419745222815798, -2.9869170277318244, 0.40756210939761944],
    }, [1.6903372171438276, 2.0385169958978953, -0.29592316875664576, 4.234606575262476]),
    'minibatch_n': ({'learning_rate': 0.05, 'n_iter': 700, 'standardize': True, 'batch_size': 60, 'seed': 5}, 213, {
        1: [-0.313240533356172, 0.23474953757372694, -0.3076941278265308, 0.06245279690936295],
        2: [-0.5951570133767269, 0.44614941346112535, -0.5835249219987082, 0.11619109774169402],
        213: [-3.1324053329999844, 2.3437438201627026, -2.9996317973871043, 0.38779975049576976],
    }, [1.4821688554710737, 2.0400570398937456, -0.29718286056979887, 4.029273908120876]),
    'diverging': ({'learning_rate': 0.5, 'n_iter': 700}, 2, {
        1: [-3.1324053335617204, 1.8170537658956434, -43.06492312993963, 3.20739596987828],
        2: [164.66327113942424, 43.98720675408294, 4957.193038637482, -171.00338248480952],
    }, [164.66327113942424, 43.98720675408294, 4957.193038637482, -171.00338248480952]),
    'noint': ({'learning_rate': 0.002, 'n_iter': 600, 'intercept': False, 'init': [0.1, 0.2, 0.3], 'batch_size': 30, 'seed': 1}, 600, {
        1: [0.10823685769880552, -0.10696906860106059, 0.32287893810825913],
        2: [0.11203903420290703, -0.19404358496954316, 0.3292601698642022],
        600: [1.8436164392010397, -0.3112447337961413, 2.16920562672393],
    }, [1.8436164392010397, -0.3112447337961413, 2.16920562672393]),
}


@pytest.mark.parametrize("name", list(PINNED))
def test_iterates_are_pinned(name):
    kw, n_iter, rows, coef = PINNED[name]
    X, y = pinned_data()
    res = gradient_descent(X, y, **kw)
    assert res.n_iter == n_iter
    for i, w in rows.items():
        assert_allclose(res.history.coef[i], w, rtol=1e-12, atol=1e-14)
    assert_allclose(res.coef, coef, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("batch_size", [19, 30, 31, 39, 40])
def test_batches_above_half_the_rows_are_the_batch_sums(batch_size):
    # A batch of more than half the rows is summed as all rows minus those left out:
    # the same gradient as summing the batch rows.
    X, y = make(13, n=40, p=2)
    res = gradient_descent(X, y, learning_rate=0.05, n_iter=12, batch_size=batch_size, seed=8, tol=0,
                           ridge=0.1, momentum=0.2)
    rng = np.random.default_rng(8)
    perm, pos = np.empty(0, dtype=int), 0
    w, vel = np.zeros(3), np.zeros(3)
    pen = np.array([0.0, 1.0, 1.0])
    for t in range(12):
        if pos >= perm.size:
            perm, pos = rng.permutation(40), 0
        idx = perm[pos:pos + batch_size]
        pos += batch_size
        Xb = res.X_work[idx]
        g = (2 / len(idx)) * Xb.T @ (Xb @ w - y[idx]) + 2 * 0.1 * pen * w
        vel = 0.2 * vel - 0.05 * g
        w = w + vel
        assert_allclose(res.history.coef[t + 1], w, rtol=1e-12, atol=1e-13)


def test_repr_is_short_at_any_size():
    X, y = make(14, n=1000, p=3)
    res = gradient_descent(X, y, learning_rate=0.1, n_iter=2000)
    text = repr(res)
    assert len(text) < 1000
    assert text.startswith("GDResult(") and "converged=True" in text and "n=1000" in text
    assert len(repr(res.history)) < 1000
    wide = gradient_descent(np.random.default_rng(0).normal(size=(300, 200)), np.ones(300), learning_rate=0.01,
                            n_iter=3)
    assert len(repr(wide)) < 1000 and "more" in repr(wide)


def test_to_dict_is_json_ready_and_has_no_rows():
    import json

    X, y = make(15, n=500, p=2)
    res = gradient_descent(X, y, learning_rate=0.1, n_iter=3000, standardize=True, terms=["a", "b"])
    out = res.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["terms"] == ["Intercept", "a", "b"]
    assert_allclose(out["coef"], res.coef)
    assert out["converged"] is True and out["n_iter"] == res.n_iter and out["message"] == res.message
    assert out["settings"] == {"learning_rate": 0.1, "momentum": 0.0, "batch_size": None, "standardize": True,
                               "intercept": True, "tol": 1e-8, "ridge": 0.0}
    assert out["final_loss"] == res.final_loss
    for key in ("rss", "sigma", "r_squared", "adj_r_squared", "condition_number"):
        assert out[key] == getattr(res, key)
    assert len(json.dumps(out)) < 3000  # nothing per row


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("intercept", [True, False])
def test_fit_statistics_follow_their_definitions(standardize, intercept):
    X, y = make(16, n=60, p=2, offset=5.0)
    res = gradient_descent(X, y, learning_rate=0.1 if standardize else 0.01, n_iter=50_000,
                           standardize=standardize, intercept=intercept, tol=1e-11)
    X1 = with_ones(X) if intercept else X
    resid = y - X1 @ res.coef
    # By their definitions, from the residuals in the original columns.
    n, k = X1.shape
    rss = float(resid @ resid)
    tss = float(np.sum((y - y.mean()) ** 2) if intercept else np.sum(y**2))
    assert_allclose(res.resid, resid, rtol=1e-10, atol=1e-12)
    assert res.rss == pytest.approx(rss, rel=1e-12)
    assert res.sigma == pytest.approx(math.sqrt(rss / (n - k)), rel=1e-12)
    assert res.r_squared == pytest.approx(1 - rss / tss, rel=1e-12)
    assert res.adj_r_squared == pytest.approx(1 - (rss / (n - k)) / (tss / (n - int(intercept))), rel=1e-12)
    # GD's minimum is the least-squares fit: the same statistics as the closed form
    from linreg.ols import fit_ols

    f = fit_ols(X, y, intercept=intercept)
    assert res.r_squared == pytest.approx(f.r_squared, rel=1e-9)
    assert res.sigma == pytest.approx(f.sigma, rel=1e-9)


def test_fit_statistics_undefined_are_nan_and_null():
    res = gradient_descent([[1.0], [2.0]], [3.0, 3.0], learning_rate=0.1, n_iter=5)
    assert math.isnan(res.sigma) and math.isnan(res.r_squared) and math.isnan(res.adj_r_squared)
    out = res.to_dict()
    assert out["sigma"] is None and out["r_squared"] is None and out["adj_r_squared"] is None


class StopAfter:
    """should_stop that says yes from its ``calls``-th call on."""

    def __init__(self, calls):
        self.calls, self.seen = calls, 0

    def __call__(self):
        self.seen += 1
        return self.seen >= self.calls


@pytest.mark.parametrize("batch_size", [None, 8])
def test_should_stop_cancels_after_the_first_chunk(batch_size):
    X, y = make(17, n=50, p=2)
    fractions = []
    # calls: before the pass over the data, after it, then after each chunk of iterations
    with pytest.raises(Cancelled, match=r"^stopped before it finished: gradient descent had run 512 of 5,000"):
        gradient_descent(X, y, learning_rate=1e-4, n_iter=5000, tol=0, batch_size=batch_size, seed=0,
                         should_stop=StopAfter(3), progress=fractions.append)
    assert fractions == [0.0, 0.0]
    with pytest.raises(Cancelled, match="had run 0 of 5,000"):
        gradient_descent(X, y, learning_rate=1e-4, n_iter=5000, should_stop=lambda: True)
    assert issubclass(Cancelled, LinregError)


@pytest.mark.parametrize("batch_size", [None, 8])
def test_progress_rises_to_one(batch_size):
    X, y = make(18, n=50, p=2)
    fractions = []
    res = gradient_descent(X, y, learning_rate=1e-4, n_iter=2000, tol=0, batch_size=batch_size, seed=0,
                           should_stop=lambda: False, progress=fractions.append)
    assert res.n_iter == 2000
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(a <= b for a, b in zip(fractions, fractions[1:]))
    assert {512 / 2000, 1024 / 2000, 1536 / 2000} <= set(fractions)
    # converging early still ends at 1.0
    fractions.clear()
    early = gradient_descent(X, y, learning_rate=0.1, n_iter=100_000, progress=fractions.append)
    assert early.converged and fractions[-1] == 1.0


def test_large_batches_are_asked_to_stop_within_a_chunk():
    # A step over many rows is costly: the hooks run every few steps, not every 512.
    rng = np.random.default_rng(19)
    X = rng.normal(size=(100_000, 2))
    y = X @ [1.0, 2.0] + rng.normal(size=100_000)
    fractions = []
    with pytest.raises(Cancelled):
        gradient_descent(X, y, learning_rate=0.01, n_iter=100_000, batch_size=50_000, seed=0, tol=0,
                         should_stop=StopAfter(5), progress=fractions.append)
    assert len(fractions) == 4 and 0 < fractions[-1] < 512 / 100_000


def test_hooks_must_be_callable():
    with pytest.raises(ModelError, match="should_stop must be a function or None"):
        gradient_descent(X_OK, Y_OK, learning_rate=0.1, n_iter=1, should_stop=True)
    with pytest.raises(ModelError, match="progress must be a function or None"):
        gradient_descent(X_OK, Y_OK, learning_rate=0.1, n_iter=1, progress="yes")


def test_batches_of_many_rows_are_summed_in_blocks():
    # 70,000 rows a batch: gathered and summed in blocks, the same gradient as one sum
    rng = np.random.default_rng(20)
    X = rng.normal(size=(150_000, 2))
    y = X @ [1.0, -1.0] + rng.normal(size=150_000)
    res = gradient_descent(X, y, learning_rate=0.1, n_iter=3, batch_size=70_000, seed=2, tol=0)
    perm = np.random.default_rng(2).permutation(150_000)
    w = np.zeros(3)
    for t in range(3):
        idx = perm[70_000 * t:70_000 * (t + 1)]
        Xb = res.X_work[idx]
        w = w - 0.1 * (2 / len(idx)) * Xb.T @ (Xb @ w - y[idx])
        assert_allclose(res.history.coef[t + 1], w, rtol=1e-12, atol=1e-14)
    asked = []
    with pytest.raises(Cancelled):  # asked between the blocks of the first step too
        gradient_descent(X, y, learning_rate=0.1, n_iter=3, batch_size=70_000, seed=2,
                         should_stop=lambda: len(asked) > 2 or asked.append(1))
