"""Model complexity: polynomial degree against held-out error, and bootstrap bias/variance.

Two experiments on one predictor ``x`` and a response ``y``:

- :func:`degree_explorer` fits polynomials of degree 1..D by OLS on a seeded training
  split and reports the training and test mean squared error of each (training error
  keeps falling; test error turns up once the curve starts fitting noise);
- :func:`bootstrap_fits` refits one degree on bootstrap resamples and evaluates each
  fitted curve on a grid: the spread of the curves is the variance, and, when the true
  curve is known (synthetic data), the gap between their mean and the truth is the bias.

Polynomials are fitted with :func:`linreg.ols.fit_ols` in the Legendre basis of ``x``
mapped onto [-1, 1] by the training range, which stays well conditioned at high degree
(the raw powers ``x, x^2, ..., x^d`` lose about a digit per degree). The fitted curve is
the same function either way.

Public names: :func:`degree_explorer` (-> :class:`DegreeExplorer`), :func:`bootstrap_fits`
(-> :class:`BootstrapFits`) and :func:`polynomial_truth`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.polynomial import legendre

from ._preprocess import interval_map
from ._repr import short_repr
from ._validation import ProgressHook, StopHook, as_xy, check_hooks, check_int, check_real, checkpoint
from .exceptions import DataError, ModelError
from .ols import fit_ols

__all__ = [
    "BootstrapFits",
    "DegreeExplorer",
    "bootstrap_fits",
    "degree_explorer",
    "polynomial_truth",
]

# A resample with fewer distinct x values than coefficients cannot determine the curve;
# it is redrawn, at most this many times per resample, before giving up.
_MAX_REDRAWS = 100
_DEFAULT_GRID = 200


# =============================================================================
# results
# =============================================================================
@dataclass(frozen=True, eq=False)
class DegreeExplorer:
    """Training and test error of polynomial fits by degree, from :func:`degree_explorer`.

    Attributes
    ----------
    degrees : ndarray of int, shape (D,)
        1, 2, ..., max_degree.
    train_mse, test_mse : ndarray, shape (D,)
        Mean squared error on the training and the test rows.
    train_index, test_index : ndarray of int
        Row positions of the split.
    test_fraction : float
    seed : int or None
    coef : tuple of ndarray
        ``coef[d - 1]``, shape (d + 1,): the fitted Legendre coefficients of degree d
        (on ``t = (x - center) / half_width``).
    center, half_width : float
        Map of the training range onto [-1, 1].
    """

    degrees: np.ndarray
    train_mse: np.ndarray
    test_mse: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray
    test_fraction: float
    seed: int | None
    coef: tuple[np.ndarray, ...]
    center: float
    half_width: float

    def __repr__(self) -> str:
        return short_repr("DegreeExplorer", {
            "max_degree": int(self.degrees[-1]), "best_degree": self.best_degree, "train_mse": self.train_mse,
            "test_mse": self.test_mse, "n_train": int(self.train_index.size), "n_test": int(self.test_index.size),
            "seed": self.seed,
        })

    @cached_property
    def best_degree(self) -> int:
        """Degree with the least test MSE (the lowest such degree on ties)."""
        return int(self.degrees[int(np.argmin(self.test_mse))])

    def predict(self, degree: int, x_new: object) -> np.ndarray:
        """The degree-``degree`` fitted curve at ``x_new``, shape (m,)."""
        if not 1 <= int(degree) <= self.degrees[-1]:
            raise ModelError(f"degree must be from 1 to {int(self.degrees[-1])}; got {degree!r}")
        t = (np.asarray(x_new, dtype=np.float64) - self.center) / self.half_width
        return legendre.legval(t, self.coef[int(degree) - 1])


@dataclass(frozen=True, eq=False)
class BootstrapFits:
    """Fitted curves of bootstrap refits on a grid, from :func:`bootstrap_fits`.

    Attributes
    ----------
    grid : ndarray, shape (g,)
        Where the curves are evaluated.
    curves : ndarray, shape (n_boot, g)
        One fitted curve per resample.
    truth : ndarray, shape (g,) or None
        The true curve on the grid, when given.
    degree, n_boot : int
    seed : int or None
    """

    grid: np.ndarray
    curves: np.ndarray
    truth: np.ndarray | None
    degree: int
    n_boot: int
    seed: int | None

    def __repr__(self) -> str:
        return short_repr("BootstrapFits", {
            "degree": self.degree, "n_boot": self.n_boot, "seed": self.seed, "grid_size": int(self.grid.size),
            "mean_variance": self.mean_variance, "mean_bias_sq": self.mean_bias_sq,
        })

    @cached_property
    def mean_curve(self) -> np.ndarray:
        """Mean of the fitted curves at each grid point, shape (g,)."""
        return self.curves.mean(axis=0)

    @cached_property
    def variance(self) -> np.ndarray:
        """Variance of the fitted curves at each grid point (ddof=0), shape (g,)."""
        return self.curves.var(axis=0)

    @cached_property
    def bias_sq(self) -> np.ndarray | None:
        """Squared bias ``(mean_curve - truth)^2`` at each grid point, or None without a truth."""
        return None if self.truth is None else (self.mean_curve - self.truth) ** 2

    @cached_property
    def mean_variance(self) -> float:
        """Variance averaged over the grid."""
        return float(self.variance.mean())

    @cached_property
    def mean_bias_sq(self) -> float | None:
        """Squared bias averaged over the grid, or None without a truth."""
        return None if self.bias_sq is None else float(self.bias_sq.mean())

    @cached_property
    def quantiles(self) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise 5% and 95% quantiles of the curves, each shape (g,)."""
        lo, hi = np.quantile(self.curves, [0.05, 0.95], axis=0)
        return lo, hi


# =============================================================================
# helpers
# =============================================================================
def _check_xy(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X, y = as_xy(x, y)
    if X.shape[1] != 1:
        raise DataError(f"x must be a single predictor (one column); got {X.shape[1]} columns")
    return X[:, 0], y


def _check_int(name: str, value: object, low: int) -> int:
    return check_int(name, value, low, must=f"an integer >= {low}")


def _fit_legendre(t: np.ndarray, y: np.ndarray, degree: int) -> np.ndarray:
    """OLS fit of y on the Legendre polynomials P_1..P_degree of t (with intercept)."""
    V = legendre.legvander(t, degree)[:, 1:]
    res = fit_ols(V, y, intercept=True, method="qr")
    return np.asarray(res.coef, dtype=np.float64)


def polynomial_truth(coef: Mapping[str, float], grid: object, variable: str = "x") -> np.ndarray:
    """Evaluate a true polynomial given by term names, as ``linreg.synthetic`` returns it.

    Parameters
    ----------
    coef : mapping of str to float
        ``"Intercept"``, ``variable`` and ``f"{variable}^j"`` coefficients (missing ones are 0).
    grid : array-like, shape (g,)
    variable : str, default "x"

    Returns
    -------
    ndarray, shape (g,)

    Examples
    --------
    >>> polynomial_truth({"Intercept": 1.0, "x": 2.0, "x^2": 0.5}, [0.0, 2.0]).tolist()
    [1.0, 7.0]
    """
    g = np.asarray(grid, dtype=np.float64)
    out = np.full(g.shape, float(coef.get("Intercept", 0.0)))
    for name, value in coef.items():
        if name == variable:
            out = out + float(value) * g
        elif name.startswith(f"{variable}^"):
            out = out + float(value) * g ** int(name[len(variable) + 1:])
        elif name != "Intercept":
            raise ModelError(
                f"term {name!r} is not a power of {variable!r}; "
                f"expected 'Intercept', '{variable}', '{variable}^2', ..."
            )
    return out


# =============================================================================
# public entry points
# =============================================================================
def degree_explorer(
    x: object, y: object, *,
    max_degree: int, test_fraction: float = 0.3, seed: int | None = 0,
    should_stop: StopHook = None, progress: ProgressHook = None,
) -> DegreeExplorer:
    """Training and held-out test MSE of polynomial fits of degree 1..max_degree.

    Parameters
    ----------
    x, y : array-like, shape (n,)
        The one predictor and the response.
    max_degree : int
        Highest degree, >= 1; the training set needs more than ``max_degree + 1`` rows.
    test_fraction : float, default 0.3
        Share of rows held out, in (0, 1); at least one row each side.
    seed : int or None, default 0
        Seed of the random split.
    should_stop, progress : callable, optional
        Asked before each degree's fit: ``should_stop()`` returning True raises
        :class:`linreg.exceptions.Cancelled`, ``progress(fraction)`` is given the share of degrees done.

    Returns
    -------
    DegreeExplorer

    Raises
    ------
    ModelError
        Bad ``max_degree``/``test_fraction``, or too few training rows (or distinct x
        values) for the highest degree.
    DataError
        x not one numeric column, or constant.
    Cancelled
        ``should_stop()`` returned True.

    Notes
    -----
    ``n_test = round(test_fraction * n)`` rows are drawn without replacement by
    ``numpy.random.default_rng(seed)``. For each degree d the model
    ``y = β0 + Σ_j β_j P_j(t)``, ``t = (x - c)/h`` mapping the training range onto
    [-1, 1], is fitted by OLS on the training rows; ``MSE = (1/m) Σ (y - ŷ)^2`` on each set.

    Examples
    --------
    >>> x = np.linspace(-1, 1, 30); y = x**2
    >>> ex = degree_explorer(x, y, max_degree=3, seed=0)
    >>> ex.best_degree, bool(ex.test_mse[1] < 1e-20)
    (2, True)
    """
    x, y = _check_xy(x, y)
    D = _check_int("max_degree", max_degree, 1)
    test_fraction = check_real("test_fraction", test_fraction, 0.0, 1.0, low_open=True, high_open=True,
                               must="a number strictly between 0 and 1")
    check_hooks(should_stop, progress)
    n = x.shape[0]
    n_test = int(round(test_fraction * n))
    if n_test < 1 or n - n_test < 1:
        raise ModelError(f"test_fraction = {test_fraction} leaves an empty set with n = {n} rows; use more data")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    test_idx, train_idx = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    xtr, ytr = x[train_idx], y[train_idx]
    n_distinct = np.unique(xtr).size
    if train_idx.size <= D + 1 or n_distinct < D + 1:
        raise ModelError(
            f"degree {D} needs more than {D + 1} training rows with at least {D + 1} distinct x values; "
            f"the training set has {train_idx.size} rows and {n_distinct} distinct x. "
            "Lower max_degree or test_fraction, or use more data"
        )
    center, half = interval_map(xtr)
    ttr, tte = (xtr - center) / half, (x[test_idx] - center) / half
    coefs, train_mse, test_mse = [], np.empty(D), np.empty(D)
    for d in range(1, D + 1):
        checkpoint(should_stop, progress, (d - 1) / D, f"the degree explorer had fitted {d - 1} of {D} degrees")
        c = _fit_legendre(ttr, ytr, d)
        coefs.append(c)
        train_mse[d - 1] = np.mean((ytr - legendre.legval(ttr, c)) ** 2)
        test_mse[d - 1] = np.mean((y[test_idx] - legendre.legval(tte, c)) ** 2)
    if progress is not None:
        progress(1.0)
    return DegreeExplorer(
        degrees=np.arange(1, D + 1), train_mse=train_mse, test_mse=test_mse, train_index=train_idx,
        test_index=test_idx, test_fraction=float(test_fraction), seed=seed, coef=tuple(coefs),
        center=center, half_width=half,
    )


def bootstrap_fits(
    x: object, y: object, *,
    degree: int, n_boot: int = 200, seed: int | None = 0,
    grid: object = None, truth: object = None,
    should_stop: StopHook = None, progress: ProgressHook = None,
) -> BootstrapFits:
    """Refit a polynomial on bootstrap resamples and evaluate every fitted curve on a grid.

    Parameters
    ----------
    x, y : array-like, shape (n,)
        As for :func:`degree_explorer`.
    degree : int
        Polynomial degree, >= 1 (fewer than n distinct x values needed: degree + 1 <= distinct x).
    n_boot : int, default 200
        Number of resamples, >= 2.
    seed : int or None, default 0
        Seed of the resampling.
    grid : array-like, shape (g,), optional
        Where to evaluate the curves; default 200 points across the range of x.
    truth : callable or array-like, shape (g,), optional
        The true mean function: values on the grid, or a function of the grid. Needed
        for the squared bias.
    should_stop, progress : callable, optional
        As for :func:`degree_explorer`, asked before each resample's fit.

    Returns
    -------
    BootstrapFits

    Raises
    ------
    ModelError
        Bad ``degree``/``n_boot``/``grid``/``truth``, or too few distinct x values.
    DataError, Cancelled
        As for :func:`degree_explorer`.

    Notes
    -----
    Each resample draws n rows with replacement (``numpy.random.default_rng(seed)``); a
    resample with fewer than ``degree + 1`` distinct x values cannot determine the curve
    and is redrawn. With curves ``f_b(x)``, ``f̄ = mean_b f_b``:
    ``variance(x) = mean_b (f_b(x) - f̄(x))^2`` and ``bias²(x) = (f̄(x) - f(x))^2``.

    Examples
    --------
    >>> x = np.linspace(0, 1, 20); y = 2 * x + 1
    >>> bf = bootstrap_fits(x, y, degree=1, n_boot=5, grid=[0.0, 1.0], truth=lambda g: 2 * g + 1)
    >>> bf.mean_curve.round(10).tolist(), bool(bf.mean_variance < 1e-20)
    ([1.0, 3.0], True)
    """
    x, y = _check_xy(x, y)
    d = _check_int("degree", degree, 1)
    B = _check_int("n_boot", n_boot, 2)
    check_hooks(should_stop, progress)
    n = x.shape[0]
    if np.unique(x).size < d + 1 or n <= d + 1:
        raise ModelError(
            f"degree {d} needs more than {d + 1} rows with at least {d + 1} distinct x values; "
            f"got {n} rows and {np.unique(x).size} distinct x. Lower the degree or use more data"
        )
    center, half = interval_map(x)
    if grid is None:
        g = np.linspace(x.min(), x.max(), _DEFAULT_GRID)
    else:
        g = np.asarray(grid, dtype=np.float64).ravel()
        if g.size == 0 or not np.all(np.isfinite(g)):
            raise ModelError("grid must be a non-empty array of finite numbers")
    true_vals = None
    if truth is not None:
        true_vals = np.asarray(truth(g) if isinstance(truth, Callable) else truth, dtype=np.float64).ravel()
        if true_vals.shape != g.shape or not np.all(np.isfinite(true_vals)):
            raise ModelError(f"truth must give {g.size} finite values, one per grid point; got shape {true_vals.shape}")
    t, tg = (x - center) / half, (g - center) / half
    rng = np.random.default_rng(seed)
    curves = np.empty((B, g.size))
    for b in range(B):
        checkpoint(should_stop, progress, b / B, f"the bootstrap had refitted {b} of {B} resamples")
        for _ in range(_MAX_REDRAWS):
            idx = rng.integers(0, n, n)
            if np.unique(t[idx]).size >= d + 1 and n > d + 1:
                break
        else:
            raise ModelError(
                f"{_MAX_REDRAWS} resamples in a row had fewer than {d + 1} distinct x values; "
                "lower the degree or use more data"
            )
        curves[b] = legendre.legval(tg, _fit_legendre(t[idx], y[idx], d))
    if progress is not None:
        progress(1.0)
    return BootstrapFits(grid=g, curves=curves, truth=true_vals, degree=d, n_boot=B, seed=seed)
