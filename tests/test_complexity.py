"""Tests of linreg.complexity: degree explorer and bootstrap refits (bias and variance)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from linreg.complexity import bootstrap_fits, degree_explorer, polynomial_truth
from linreg.exceptions import DataError, ModelError
from linreg.ols import fit_ols
from linreg.synthetic import make_polynomial


def _cubic(seed: int = 0, n: int = 80, noise: float = 0.3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    f = lambda t: 1 - t + 0.5 * t**3  # noqa: E731
    return x, f(x) + noise * rng.normal(size=n), f


def test_exact_polynomial_is_recovered_from_its_degree_on():
    x = np.linspace(-3, 5, 40)
    y = 2 - x + 0.25 * x**3
    ex = degree_explorer(x, y, max_degree=6, test_fraction=0.25, seed=1)
    assert ex.best_degree in (3, 4, 5, 6)
    assert np.all(ex.train_mse[2:] < 1e-20) and np.all(ex.test_mse[2:] < 1e-18)
    assert ex.train_mse[1] > 1e-3
    assert_allclose(ex.predict(3, [0.0, 1.0]), [2.0, 1.25], rtol=1e-12)


def test_matches_raw_power_ols_at_low_degree():
    x, y, _ = _cubic(2)
    ex = degree_explorer(x, y, max_degree=3, test_fraction=0.3, seed=5)
    tr, te = ex.train_index, ex.test_index
    for d in (1, 2, 3):
        V = np.column_stack([x**j for j in range(1, d + 1)])
        ols = fit_ols(V[tr], y[tr])
        assert ex.train_mse[d - 1] == pytest.approx(ols.rss / tr.size, rel=1e-10)
        assert ex.test_mse[d - 1] == pytest.approx(np.mean((y[te] - ols.predict(V[te])) ** 2), rel=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_split_training_error_and_test_error_shape(seed):
    x, y, _ = _cubic(seed, n=60)
    ex = degree_explorer(x, y, max_degree=10, test_fraction=0.3, seed=seed)
    assert ex.test_index.size == 18 and ex.train_index.size == 42
    assert np.intersect1d(ex.train_index, ex.test_index).size == 0
    # nested models: training error never increases with the degree
    assert np.all(np.diff(ex.train_mse) <= 1e-12 * ex.train_mse[0])
    # the true degree is far better on held-out data than a line
    assert ex.test_mse[2] < 0.5 * ex.test_mse[0]
    again = degree_explorer(x, y, max_degree=10, test_fraction=0.3, seed=seed)
    assert_allclose(again.test_mse, ex.test_mse, rtol=0, atol=0)


def test_high_degree_stays_accurate():
    # Degree 15 on x far from 0: raw powers would be hopeless, the Legendre basis is not.
    x = np.linspace(1000, 1010, 60)
    t = (x - 1005) / 5
    y = np.cos(3 * t)
    ex = degree_explorer(x, y, max_degree=15, test_fraction=0.2, seed=0)
    assert ex.train_mse[-1] < 1e-15
    assert np.all(np.isfinite(ex.test_mse))


def test_bootstrap_variance_and_bias_by_hand():
    x, y, f = _cubic(1, n=60)
    grid = np.linspace(-2, 2, 25)
    bf = bootstrap_fits(x, y, degree=1, n_boot=40, seed=3, grid=grid, truth=f)
    assert bf.curves.shape == (40, 25)
    assert_allclose(bf.mean_curve, bf.curves.mean(axis=0), rtol=1e-14)
    assert_allclose(bf.variance, ((bf.curves - bf.mean_curve) ** 2).mean(axis=0), rtol=1e-12)
    assert_allclose(bf.bias_sq, (bf.mean_curve - f(grid)) ** 2, rtol=1e-12)
    # Resample 0 refitted by hand from the same generator draws.
    rng = np.random.default_rng(3)
    idx = rng.integers(0, 60, 60)
    ols = fit_ols(x[idx, None], y[idx])
    assert_allclose(bf.curves[0], ols.coef[0] + ols.coef[1] * grid, rtol=1e-10, atol=1e-12)
    lo, hi = bf.quantiles
    assert np.all(lo <= hi)


def test_bias_variance_trade_off_on_known_truth():
    # Truth is cubic: a line is biased; degree 3 has (almost) no bias; degree 10 has more variance.
    x, y, f = _cubic(4, n=50, noise=1.0)
    grid = np.linspace(-1.8, 1.8, 50)
    fits = {d: bootstrap_fits(x, y, degree=d, n_boot=150, seed=0, grid=grid, truth=f) for d in (1, 3, 10)}
    assert fits[1].mean_bias_sq > 10 * fits[3].mean_bias_sq
    assert fits[10].mean_variance > 1.5 * fits[3].mean_variance


def test_bootstrap_with_synthetic_truth():
    data = make_polynomial(80, seed=2, degree=3, noise=0.5)
    x, y = data.data["x"].to_numpy(), data.data["y"].to_numpy()
    grid = np.linspace(-3, 3, 30)
    truth = polynomial_truth(data.coef, grid)
    bf = bootstrap_fits(x, y, degree=3, n_boot=50, seed=1, grid=grid, truth=truth)
    assert bf.mean_bias_sq < 0.1
    default = bootstrap_fits(x, y, degree=2, n_boot=5, seed=1)
    assert default.grid.size == 200 and default.truth is None and default.bias_sq is None
    assert default.mean_bias_sq is None


def test_polynomial_truth():
    assert_allclose(polynomial_truth({"Intercept": 1.0, "x": 2.0, "x^3": -1.0}, [2.0]), [-3.0])
    with pytest.raises(ModelError, match="term 'z' is not a power of 'x'"):
        polynomial_truth({"z": 1.0}, [1.0])


def test_errors():
    x, y, _ = _cubic(0, n=20)
    with pytest.raises(ModelError, match="max_degree must be an integer >= 1"):
        degree_explorer(x, y, max_degree=0)
    with pytest.raises(ModelError, match="test_fraction must be a number strictly between 0 and 1"):
        degree_explorer(x, y, max_degree=2, test_fraction=1.0)
    with pytest.raises(ModelError, match="degree 15 needs more than 16 training rows"):
        degree_explorer(x, y, max_degree=15, test_fraction=0.3)
    with pytest.raises(ModelError, match="leaves an empty set"):
        degree_explorer(x[:3], y[:3], max_degree=1, test_fraction=0.1)
    with pytest.raises(DataError, match="x must be a single predictor"):
        degree_explorer(np.ones((20, 2)), y, max_degree=1)
    with pytest.raises(ModelError, match="1 distinct x"):
        degree_explorer(np.ones(20), y, max_degree=1)
    with pytest.raises(ModelError, match="got 20 rows and 1 distinct x"):
        bootstrap_fits(np.ones(20), y, degree=1)
    with pytest.raises(ModelError, match="n_boot must be an integer >= 2"):
        bootstrap_fits(x, y, degree=1, n_boot=1)
    with pytest.raises(ModelError, match="degree 4 needs more than 5 rows with at least 5 distinct x"):
        bootstrap_fits(np.repeat([0.0, 1.0, 2.0], 5), np.arange(15.0), degree=4)
    with pytest.raises(ModelError, match="truth must give 3 finite values"):
        bootstrap_fits(x, y, degree=1, grid=[0.0, 1.0, 2.0], truth=[1.0, 2.0])
    with pytest.raises(ModelError, match="grid must be a non-empty array"):
        bootstrap_fits(x, y, degree=1, grid=[])


def test_reprs_are_short_and_work_can_be_stopped():
    from linreg.exceptions import Cancelled

    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, 2000)
    y = x**3 + 0.1 * rng.normal(size=2000)
    ex = degree_explorer(x, y, max_degree=8)
    bf = bootstrap_fits(x, y, degree=3, n_boot=5)
    assert repr(ex).startswith("DegreeExplorer(") and len(repr(ex)) < 1000
    assert repr(bf).startswith("BootstrapFits(") and len(repr(bf)) < 1000

    seen = []
    degree_explorer(x, y, max_degree=4, progress=seen.append)
    assert seen == [0.0, 0.25, 0.5, 0.75, 1.0]
    calls = []
    with pytest.raises(Cancelled, match="^stopped before it finished: the degree explorer had fitted 3 of 8"):
        # asked before each degree: yes at the fourth question
        degree_explorer(x, y, max_degree=8, should_stop=lambda: len(calls) > 2 or calls.append(1))
    seen.clear()
    bootstrap_fits(x, y, degree=2, n_boot=4, progress=seen.append)
    assert seen == [0.0, 0.25, 0.5, 0.75, 1.0]
    with pytest.raises(Cancelled, match="the bootstrap had refitted 0 of 4 resamples"):
        bootstrap_fits(x, y, degree=2, n_boot=4, should_stop=lambda: True)
