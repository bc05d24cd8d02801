"""Tests for linreg.quadratic: the bowl's loss, gradient, eigenvalues, rates and helpers."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from linreg.descent import gradient_descent
from linreg.exceptions import DataError, ModelError
from linreg.quadratic import (
    check_gradient,
    condition_from_eigenvalues,
    condition_number,
    convergence_rate,
    gradient,
    heavy_ball_rate,
    hessian_eigenvalues,
    learning_rate_bounds,
    loss,
    loss_surface,
    plain_rate,
    predicted_iterations,
    rate_from_eigenvalues,
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


X_OK, Y_OK = make(0, n=20, p=2)


def test_helpers_tiny_exact():
    X1, y, w = [[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [0.0, 0.0]
    assert loss(X1, y, w) == 5.0
    assert_array_equal(gradient(X1, y, w), [-4.0, -3.0])
    # H = (2/2) [[2, 1], [1, 1]]: eigenvalues (3 -+ sqrt 5) / 2
    assert_allclose(hessian_eigenvalues(X1), [(3 - 5**0.5) / 2, (3 + 5**0.5) / 2], rtol=1e-14)
    s = step_arithmetic(X1, y, w, 0.1, [0, 1])
    assert_array_equal(s.yhat, [0.0, 0.0])
    assert_array_equal(s.resid, [1.0, 3.0])
    assert_array_equal(s.dL_dyhat, [-2.0, -6.0])
    assert_allclose(s.row_grad.mean(axis=0), s.grad, rtol=1e-15)  # the gradient is the mean of the row terms
    assert_allclose(s.w_next, [0.4, 0.3], rtol=1e-15)
    assert s.loss == 5.0 and s.n == 2


def test_bounds_tiny_exact():
    # no intercept, X = diag(1, 2): H = diag(1, 4); 2/4 and 2/(4 + 1)
    assert learning_rate_bounds([[1.0, 0.0], [0.0, 2.0]], intercept=False) == (0.5, 0.4)
    assert convergence_rate([[1.0, 0.0], [0.0, 2.0]], 0.4) == pytest.approx(0.6)


@pytest.mark.parametrize("seed", range(3))
def test_gradient_matches_finite_differences(seed):
    X, y = make(seed, p=4)
    w = np.random.default_rng(seed + 10).normal(size=5)
    chk = check_gradient(with_ones(X), y, w)
    assert chk.passed
    assert chk.max_rel_error < 1e-7
    assert_allclose(chk.analytic, gradient(with_ones(X), y, w), rtol=1e-15)
    assert_allclose(chk.numeric, chk.analytic, rtol=1e-6, atol=1e-6)


def test_gradient_check_catches_a_wrong_gradient():
    # the 1/2-factor mistake would be caught: half the gradient is far from the differences
    X, y = make(0)
    chk = check_gradient(with_ones(X), y, np.zeros(4))
    assert np.max(np.abs(chk.analytic / 2 - chk.numeric)) > 1e3 * chk.max_abs_error


def test_helper_errors():
    X1 = with_ones(X_OK)
    with pytest.raises(ModelError, match=r"w must have shape \(3,\)"):
        loss(X1, Y_OK, [1.0])
    with pytest.raises(ModelError, match=r"w has NaN or infinite values"):
        gradient(X1, Y_OK, [np.nan, 0.0, 0.0])
    with pytest.raises(DataError, match=r"X1 has no rows"):
        hessian_eigenvalues(np.zeros((0, 2)))
    with pytest.raises(ModelError, match=r"X1 has no columns"):
        loss(np.zeros((2, 0)), [1.0, 2.0], [])
    with pytest.raises(DataError, match=r"X must be a 2-dimensional array"):
        learning_rate_bounds(3.0)
    with pytest.raises(ModelError, match=r"standardize must be one of"):
        learning_rate_bounds(X_OK, standardize="no")
    with pytest.raises(ModelError, match=r"learning_rate must be > 0"):
        convergence_rate(X1, 0.0)
    with pytest.raises(ModelError, match=r"eps must be > 0"):
        check_gradient(X1, Y_OK, np.zeros(3), eps=0.0)
    with pytest.raises(ModelError, match=r"rows must be whole-number row positions between 0 and 19"):
        step_arithmetic(X1, Y_OK, np.zeros(3), 0.1, [20])
    with pytest.raises(ModelError, match=r"rows must be whole-number"):
        step_arithmetic(X1, Y_OK, np.zeros(3), 0.1, [0.5])
    with pytest.raises(ModelError, match=r"i and j must be different coefficients"):
        loss_surface(X1, Y_OK, np.zeros(3), 1, 1, [0.0], [0.0])
    with pytest.raises(ModelError, match=r"j must be between 0 and 2; got 3 \(a coefficient position\)"):
        loss_surface(X1, Y_OK, np.zeros(3), 0, 3, [0.0], [0.0])
    with pytest.raises(ModelError, match=r"grid_i and grid_j must hold finite values"):
        loss_surface(X1, Y_OK, np.zeros(3), 0, 1, [np.nan], [0.0])


def test_ridge_loss_and_gradient_exact_tiny_case():
    X1 = [[1.0, 0.0], [1.0, 1.0]]
    y = [1.0, 3.0]
    w = [1.0, 2.0]
    # data part: residuals (0, 0) -> 0; penalty 0.5 * 2^2 on the slope only
    assert loss(X1, y, w, ridge=0.5) == 2.0
    assert_allclose(gradient(X1, y, w, ridge=0.5), [0.0, 2.0])
    # without an intercept both coefficients are penalized
    assert loss(X1, y, w, ridge=0.5, intercept=False) == 2.5
    assert_allclose(gradient(X1, y, w, ridge=0.5, intercept=False), [1.0, 2.0])


@pytest.mark.parametrize("seed", range(5))
def test_ridge_gradient_check(seed):
    X, y = make(seed, n=50, p=3)
    X1 = with_ones(X)
    w = np.random.default_rng(seed).normal(size=4) * 3
    for intercept in (True, False):
        chk = check_gradient(X1, y, w, ridge=0.7, intercept=intercept)
        assert chk.passed, chk.max_rel_error
        assert_allclose(chk.analytic, gradient(X1, y, w, ridge=0.7, intercept=intercept))
    # The penalty's part is exactly 2λb on the slopes.
    assert_allclose(gradient(X1, y, w, ridge=0.7) - gradient(X1, y, w), np.r_[0.0, 1.4 * w[1:]], atol=1e-12)


# ---------------------------------------------------------------- rates and conditioning


def test_rates_from_eigenvalues_tiny_exact():
    # H = diag(1, 4): plain rate max(|1 - 0.25|, |1 - 1|) = 0.75; momentum 0 is the plain rate
    assert rate_from_eigenvalues([1.0, 4.0], 0.25) == 0.75
    assert heavy_ball_rate(np.array([1.0, 4.0]), 0.25, 0.0) == pytest.approx(0.75)
    # the optimal heavy-ball rate on a bowl of condition κ is (sqrt κ - 1)/(sqrt κ + 1)
    lr, mu = 4.0 / (1.0 + 2.0) ** 2, ((2.0 - 1.0) / (2.0 + 1.0)) ** 2
    assert heavy_ball_rate(np.array([1.0, 4.0]), lr, mu) == pytest.approx(1.0 / 3.0, rel=1e-6)
    assert condition_from_eigenvalues([1.0, 4.0]) == 4.0
    assert condition_from_eigenvalues([0.0, 4.0]) == math.inf
    assert predicted_iterations(0.5, 1e-3) == 10.0
    assert predicted_iterations(1.0) == math.inf
    assert predicted_iterations(0.0) == 0.0


def test_run_rates_agree_with_a_pass_over_the_data():
    X, y = make(3, n=80, p=2, offset=3.0)
    r = gradient_descent(X, y, learning_rate=0.01, n_iter=5)
    X1 = with_ones(X)
    assert plain_rate(r) == pytest.approx(convergence_rate(X1, 0.01), rel=1e-10)
    eig = hessian_eigenvalues(X1)
    assert condition_number(r) == pytest.approx(eig[-1] / eig[0], rel=1e-8)
    assert r.condition_number == condition_number(r)


def test_the_bowl_maths_has_one_home():
    import linreg
    import linreg.descent as descent
    import linreg.plots.descent as plots
    import linreg.quadratic as quadratic

    for name in ("loss", "gradient", "hessian_eigenvalues", "learning_rate_bounds", "convergence_rate",
                 "check_gradient", "step_arithmetic", "loss_surface"):
        assert getattr(linreg, name) is getattr(quadratic, name)
        assert not hasattr(descent, name), name
    for name in ("plain_rate", "heavy_ball_rate", "predicted_iterations", "condition_number"):
        assert name not in plots.__all__  # imported there for its figures, not offered


def test_small_results_have_short_reprs():
    X, y = make(4, n=2000, p=40)
    X1 = with_ones(X)
    w = np.zeros(41)
    for obj, name in ((check_gradient(X1, y, w), "GradientCheck"),
                      (step_arithmetic(X1, y, w, 0.1, np.arange(50)), "StepArithmetic")):
        assert repr(obj).startswith(name + "(") and len(repr(obj)) < 1000
