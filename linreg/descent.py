"""Gradient descent on the least-squares loss, with its full history, the numbers to teach it.

The loss and gradient are exactly the ones we teach, with no 1/2 factor::

    L(w)     = (1/N) ||y - X1 w||^2
    grad L(w) = (2/N) X1^T (X1 w - y)

where ``X1`` is the design with the column of ones first when there is an
intercept. The Hessian is the constant matrix ``H = (2/N) X1^T X1``.

An optional ridge penalty ``ridge = λ >= 0`` adds ``λ ||b||^2`` on the slopes (not
the intercept), in the parametrisation descent runs on (standardized columns when
standardizing, as :func:`linreg.penalized.fit_penalized` with ``l1_ratio=0``)::

    L_λ(w)     = (1/N) ||y - X1 w||^2 + λ Σ_{j not intercept} w_j^2
    grad L_λ(w) = (2/N) X1^T (X1 w - y) + 2λ D w,   H_λ = H + 2λ D

with ``D`` the diagonal matrix with 1 for each slope and 0 for the intercept.

Public names: :func:`gradient_descent` (returns :class:`GDResult` with a
:class:`GDHistory`), and the small helpers :func:`loss`, :func:`gradient`,
:func:`hessian_eigenvalues`, :func:`learning_rate_bounds`,
:func:`check_gradient`, :func:`step_arithmetic`, :func:`loss_surface` and
:func:`convergence_rate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral, Real

import numpy as np

from ._validation import as_xy, check_option
from .exceptions import DataError, ModelError

__all__ = [
    "GDHistory",
    "GDResult",
    "GradientCheck",
    "StepArithmetic",
    "check_gradient",
    "convergence_rate",
    "gradient",
    "gradient_descent",
    "hessian_eigenvalues",
    "rate_from_eigenvalues",
    "learning_rate_bounds",
    "loss",
    "loss_surface",
    "step_arithmetic",
]

# A loss this many times the starting loss (or the mean of y^2, whichever is
# larger) only happens when the iterates run away: call it divergence before
# the numbers overflow.
_DIVERGENCE_FACTOR = 1e6
# Iterations run between the vectorised convergence/divergence checks: large
# enough that the checks cost nothing per step, small enough that a diverging
# run wastes little work after it blows up.
_CHUNK = 512


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class GDHistory:
    """Every iterate of a gradient-descent run, index 0 being the start.

    Attributes
    ----------
    coef : ndarray, shape (m + 1, k)
        Iterates in the working parametrisation (standardized columns when the
        run standardized), intercept first.
    loss : ndarray, shape (m + 1,)
        Full-data loss ``L(w) = (1/N)||y - X1 w||^2`` at each iterate, also for
        mini-batch runs (plus ``λ||slopes||^2`` with a ridge penalty).
    grad : ndarray, shape (m + 1, k)
        Full-data gradient ``(2/N) X1^T (X1 w - y)`` at each iterate (plus ``2λ D w``).
    transform : ndarray, shape (k, k)
        Linear map from working to original units: ``coef_original = T @ coef``.
    """

    coef: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    transform: np.ndarray

    @cached_property
    def coef_original(self) -> np.ndarray:
        """Iterates in the original units of X, shape (m + 1, k)."""
        return self.coef @ self.transform.T

    @cached_property
    def grad_norm(self) -> np.ndarray:
        """Euclidean norm of the full-data gradient at each iterate, shape (m + 1,)."""
        return np.sqrt(np.einsum("ij,ij->i", self.grad, self.grad))


@dataclass(frozen=True, eq=False)
class GDResult:
    """The outcome of :func:`gradient_descent`.

    Attributes
    ----------
    coef : ndarray, shape (k,)
        Final coefficients in ORIGINAL units, intercept first.
    history : GDHistory
        Every iterate, in the working parametrisation (see ``history.coef_original``).
    n_iter : int
        Iterations run (updates made); ``history.coef`` has ``n_iter + 1`` rows.
    converged : bool
        The full-data gradient norm fell below ``tol``.
    diverged : bool
        The loss became non-finite or exceeded 1e6 times its reference; the run
        stopped there and kept only finite iterates.
    message : str
        One plain sentence saying what happened and what to try.
    learning_rate, momentum, tol : float
    batch_size : int or None
        ``None`` for full batch.
    standardize, intercept : bool
    max_stable_learning_rate : float
        ``2 / lambda_max`` of ``H = (2/N) X_work^T X_work`` (full batch, no momentum).
    optimal_learning_rate : float
        ``2 / (lambda_max + lambda_min)``, lambda_min the smallest NON-ZERO eigenvalue.
    eigenvalues : ndarray, shape (k,)
        Eigenvalues of ``H``, ascending.
    optimum : ndarray, shape (k,)
        A minimiser of the loss in the working parametrisation (the minimum-norm
        one when the design is rank-deficient).
    loss_min : float
        The minimum of the loss, ``L(optimum)``.
    X_work : ndarray, shape (n, k)
        The design GD ran on, ones column first when ``intercept``.
    y : ndarray, shape (n,)
    terms : tuple of str
        Names of the k coefficients, ``"Intercept"`` first when ``intercept``.
    x_mean, x_scale : ndarray, shape (p,)
        Standardization constants: working column ``(x - x_mean) / x_scale``
        (zeros and ones when not standardized).
    ridge : float
        λ of the ridge penalty ``λ||b||^2`` on the working slopes (0: plain least squares).
        When > 0, ``history.loss``/``history.grad``, ``eigenvalues``, the learning-rate
        bounds, ``optimum`` and ``loss_min`` are those of the penalized loss.
    """

    coef: np.ndarray
    history: GDHistory
    n_iter: int
    converged: bool
    diverged: bool
    message: str
    learning_rate: float
    momentum: float
    batch_size: int | None
    standardize: bool
    intercept: bool
    tol: float
    max_stable_learning_rate: float
    optimal_learning_rate: float
    eigenvalues: np.ndarray
    optimum: np.ndarray
    loss_min: float
    X_work: np.ndarray
    y: np.ndarray
    terms: tuple[str, ...]
    x_mean: np.ndarray
    x_scale: np.ndarray
    ridge: float = 0.0

    @cached_property
    def final_loss(self) -> float:
        """Full-data loss at the last iterate."""
        return float(self.history.loss[-1])

    @cached_property
    def optimum_original(self) -> np.ndarray:
        """The minimiser ``optimum`` in original units, shape (k,)."""
        return self.history.transform @ self.optimum

    @cached_property
    def coef_work(self) -> np.ndarray:
        """Final coefficients in the working parametrisation, shape (k,)."""
        return self.history.coef[-1].copy()


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """Analytic gradient against central finite differences.

    Attributes
    ----------
    analytic, numeric : ndarray, shape (k,)
    max_abs_error : float
        ``max |analytic - numeric|``.
    max_rel_error : float
        ``max |analytic - numeric| / max(max|analytic|, max|numeric|)`` (0 when both are 0):
        relative to the largest component, so a zero component does not blow it up.
    """

    analytic: np.ndarray
    numeric: np.ndarray
    max_abs_error: float
    max_rel_error: float

    @cached_property
    def passed(self) -> bool:
        """Whether ``max_rel_error < 1e-5`` (finite differences agree to 5 digits)."""
        return bool(self.max_rel_error < 1e-5)


@dataclass(frozen=True, eq=False)
class StepArithmetic:
    """The numbers of one full-batch step, for showing on screen.

    Attributes
    ----------
    rows : ndarray of int, shape (r,)
        The rows shown.
    x_rows : ndarray, shape (r, k)
        Those rows of the design (ones column first when there is an intercept).
    y_rows, yhat, resid : ndarray, shape (r,)
        Target, prediction ``x_i . w`` and residual ``y_i - yhat_i`` for those rows.
    dL_dyhat : ndarray, shape (r,)
        ``2 (yhat_i - y_i)``: derivative of row i's squared error with respect to its
        prediction. The loss averages these over N rows, hence the gradient below.
    row_grad : ndarray, shape (r, k)
        ``2 (yhat_i - y_i) x_i``: row i's contribution; ``grad`` is their mean over ALL N rows.
    w, grad, w_next : ndarray, shape (k,)
        Current point, full-data gradient ``(2/N) X1^T (X1 w - y)`` and
        ``w_next = w - learning_rate * grad``.
    learning_rate, loss, loss_next : float
        The step size and the full-data loss before and after the step (penalty included).
    n : int
        Number of rows N.
    ridge : float
        λ of the ridge penalty (0: none).
    penalty_grad : ndarray, shape (k,)
        ``2λ D w``, the penalty's part of ``grad`` (zeros without a penalty).
    """

    rows: np.ndarray
    x_rows: np.ndarray
    y_rows: np.ndarray
    yhat: np.ndarray
    resid: np.ndarray
    dL_dyhat: np.ndarray
    row_grad: np.ndarray
    w: np.ndarray
    grad: np.ndarray
    w_next: np.ndarray
    learning_rate: float
    loss: float
    loss_next: float
    n: int
    ridge: float = 0.0
    penalty_grad: np.ndarray | None = None


# --------------------------------------------------------------------------- validation


def _check_real(name: str, value: object, *, low: float, low_open: bool, high: float | None = None,
                high_open: bool = True, hint: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise ModelError(f"{name} must be a finite number; got {value!r}{hint}")
    v = float(value)
    too_low = v <= low if low_open else v < low
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        lo = f"> {low:g}" if low_open else f">= {low:g}"
        hi = "" if high is None else (f" and < {high:g}" if high_open else f" and <= {high:g}")
        raise ModelError(f"{name} must be {lo}{hi}; got {value!r}{hint}")
    return v


def _check_int(name: str, value: object, *, low: int, high: int | None = None, hint: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ModelError(f"{name} must be a whole number; got {value!r}{hint}")
    v = int(value)
    if v < low or (high is not None and v > high):
        rng = f">= {low}" if high is None else f"between {low} and {high}"
        raise ModelError(f"{name} must be {rng}; got {v}{hint}")
    return v


def _as_design(X1: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate a design that already holds its ones column (the helpers' input)."""
    X1, y = as_xy(X1, y)
    if X1.shape[0] == 0:
        raise DataError("X1 has no rows; give at least one observation")
    if X1.shape[1] == 0:
        raise ModelError("X1 has no columns; there is no coefficient to fit")
    return X1, y


def _as_w(name: str, w: object, k: int) -> np.ndarray:
    try:
        w = np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be numeric; got {w!r}") from None
    if w.shape != (k,):
        raise ModelError(f"{name} must have shape ({k},), one value per coefficient; got shape {w.shape}")
    if not np.isfinite(w).all():
        raise ModelError(f"{name} has NaN or infinite values; give finite coefficients")
    return w


def _check_ridge(ridge: object) -> float:
    return _check_real("ridge", ridge, low=0.0, low_open=False,
                       hint=" (the ridge penalty λ >= 0 on the slopes; 0 for none)")


def _pen_mask(k: int, intercept: bool) -> np.ndarray:
    """Diagonal of D: 1 for each penalized coefficient (the slopes), 0 for the intercept."""
    d = np.ones(k)
    if intercept and k:
        d[0] = 0.0
    return d


# --------------------------------------------------------------------------- the working design


def _working_design(X: np.ndarray, intercept: bool, standardize: bool, extra_cols: int = 0):
    """Build X_work (ones column first) and the map between working and original units.

    With an intercept, standardization centres and divides by the population SD
    (ddof=0). Without one, centring would change the model, so columns are only
    divided by their root mean square. A constant (or all-zero) column keeps scale 1
    instead of dividing by zero.

    Returns X_work (n, k), T (k, k) with ``w_original = T @ w_work``, T_inv, mean (p,), scale (p,).
    With ``extra_cols`` > 0, X_work is the first k columns of an (n, k + extra_cols) buffer whose
    last columns the caller fills (gradient_descent puts y there to get X^T X, X^T y and y^T y from
    one product).
    """
    n, p = X.shape
    k = p + int(intercept)
    mean = np.zeros(p)
    scale = np.ones(p)
    buf = np.empty((n, k + extra_cols))
    X_work = buf[:, :k]
    off = int(intercept)
    if intercept:
        X_work[:, 0] = 1.0
    Z = X_work[:, off:]
    if standardize and p:
        # Centre into the buffer, then take the spread from the centred copy: two-pass
        # variance (no cancellation) without an (n, p) temporary.
        if intercept:
            mean = X.mean(axis=0)
            np.subtract(X, mean, out=Z)
        else:
            Z[...] = X
        scale = np.sqrt(np.einsum("ij,ij->j", Z, Z) / n)
        # Exactly zero spread: the column carries no information to rescale.
        scale = np.where(scale > 0, scale, 1.0)
        Z /= scale
    else:
        Z[...] = X
    T = np.eye(k)
    T_inv = np.eye(k)
    if standardize and p:
        # slope_j = b_j / s_j ; intercept = a - sum_j m_j b_j / s_j
        T[off:, off:] = np.diag(1.0 / scale)
        T_inv[off:, off:] = np.diag(scale)
        if intercept:
            T[0, 1:] = -mean / scale
            T_inv[0, 1:] = mean
    return (buf if extra_cols else X_work), T, T_inv, mean, scale


def _eigen_summary(eig: np.ndarray) -> tuple[float, float, float]:
    """lambda_max, smallest non-zero lambda, and the zero threshold, for H's eigenvalues."""
    lam_max = float(eig[-1]) if eig.size else 0.0
    # Eigenvalues below this are rounding noise of a singular H: forming X^T X leaves
    # noise of order eps * lambda_max (measured ~1e-16 relative at n = 1e6), with a
    # margin. Directions this flat (cond(X) > ~1e7) are out of GD's reach anyway.
    zero = lam_max * eig.size * 10 * np.finfo(float).eps
    nonzero = eig[eig > zero]
    lam_min = float(nonzero[0]) if nonzero.size else 0.0
    return lam_max, lam_min, zero


def _bounds_from_eig(eig: np.ndarray) -> tuple[float, float]:
    lam_max, lam_min, _ = _eigen_summary(eig)
    if lam_max <= 0:
        return math.inf, math.inf
    return 2.0 / lam_max, 2.0 / (lam_max + lam_min)


def _eig_of_gram(G: np.ndarray, n: int) -> np.ndarray:
    eig = np.linalg.eigvalsh((2.0 / n) * G)
    # H is positive semi-definite; a tiny negative value is rounding, not curvature.
    return np.clip(eig, 0.0, None)


# --------------------------------------------------------------------------- small helpers


def loss(X1: object, y: object, w: object, *, ridge: float = 0.0, intercept: bool = True) -> float:
    """The loss ``L(w) = (1/N) ||y - X1 w||^2`` (plus ``ridge * ||slopes||^2``).

    Parameters
    ----------
    X1 : array-like, shape (n, k)
        Design including the ones column when there is an intercept.
    y : array-like, shape (n,)
    w : array-like, shape (k,)
    ridge : float, default 0
        λ >= 0 of the ridge penalty ``λ Σ w_j^2`` over the slopes.
    intercept : bool, default True
        Whether ``w[0]`` is the (unpenalized) intercept; matters only when ``ridge > 0``.

    Returns
    -------
    float

    Examples
    --------
    >>> loss([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [1.0, 1.0])
    0.5
    >>> loss([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [1.0, 1.0], ridge=0.25)   # + 0.25 * 1^2
    0.75
    """
    X1, y = _as_design(X1, y)
    w = _as_w("w", w, X1.shape[1])
    lam = _check_ridge(ridge)
    r = y - X1 @ w
    pw = _pen_mask(w.size, bool(intercept)) * w
    return float(r @ r / X1.shape[0] + lam * (pw @ pw))


def gradient(X1: object, y: object, w: object, *, ridge: float = 0.0, intercept: bool = True) -> np.ndarray:
    """The gradient ``(2/N) X1^T (X1 w - y)`` (plus ``2 ridge D w``) of :func:`loss`.

    Parameters
    ----------
    X1 : array-like, shape (n, k)
    y : array-like, shape (n,)
    w : array-like, shape (k,)
    ridge, intercept
        As for :func:`loss`: the penalty adds ``2λ w_j`` for each slope.

    Returns
    -------
    ndarray, shape (k,)

    Examples
    --------
    >>> gradient([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [1.0, 1.0])
    array([-1., -1.])
    """
    X1, y = _as_design(X1, y)
    w = _as_w("w", w, X1.shape[1])
    lam = _check_ridge(ridge)
    return (2.0 / X1.shape[0]) * (X1.T @ (X1 @ w - y)) + 2.0 * lam * _pen_mask(w.size, bool(intercept)) * w


def hessian_eigenvalues(X1: object, *, ridge: float = 0.0, intercept: bool = True) -> np.ndarray:
    """Eigenvalues of the Hessian ``H = (2/N) X1^T X1`` (plus ``2 ridge D``), ascending.

    Parameters
    ----------
    X1 : array-like, shape (n, k)
        Design including the ones column when there is an intercept.
    ridge, intercept
        As for :func:`loss`.

    Returns
    -------
    ndarray, shape (k,)
        Ascending; rounding below zero is clipped to 0 (H is positive semi-definite).

    Examples
    --------
    >>> hessian_eigenvalues([[1.0, 0.0], [0.0, 2.0]])
    array([1., 4.])
    """
    X1, _ = _as_design(X1, np.zeros(_n_rows(X1)))
    lam = _check_ridge(ridge)
    n, k = X1.shape
    return _eig_of_gram(_ridge_gram(X1.T @ X1, n, lam, _pen_mask(k, bool(intercept))), n)


def _ridge_gram(G: np.ndarray, n: int, lam: float, pen: np.ndarray) -> np.ndarray:
    """``G + N λ D``: (N/2) times the penalized Hessian, so ``_eig_of_gram`` applies unchanged."""
    if lam == 0:
        return G
    return G + np.diag(n * lam * pen)


def _n_rows(X: object) -> int:
    try:
        return len(X)  # type: ignore[arg-type]
    except TypeError:
        raise DataError(f"X must be a 2-dimensional array (n_samples, n_features); got {X!r}") from None


def learning_rate_bounds(X: object, *, intercept: bool = True, standardize: bool = False,
                         ridge: float = 0.0) -> tuple[float, float]:
    """The largest stable and the optimal full-batch learning rates for a design.

    Parameters
    ----------
    X : array-like, shape (n, p)
        Features WITHOUT the ones column (as for :func:`gradient_descent`).
    intercept, standardize : bool
        Build the working design exactly as :func:`gradient_descent` would.
    ridge : float, default 0
        λ of the ridge penalty: the Hessian becomes ``H + 2λ D`` (D: 1 on the slopes).

    Returns
    -------
    max_stable : float
        ``2 / lambda_max`` (``inf`` if H is zero).
    optimal : float
        ``2 / (lambda_max + lambda_min)`` with lambda_min the smallest NON-ZERO eigenvalue.

    Notes
    -----
    H = (2/N) X1^T X1. Full-batch GD multiplies the error along eigenvector i by
    ``1 - lr * lambda_i`` each step, so it is stable iff ``lr < 2 / lambda_max``; the
    worst factor ``max_i |1 - lr lambda_i|`` is smallest at ``2 / (lambda_max + lambda_min)``.
    If the design is rank-deficient (lambda_min = 0) the loss is flat along the null
    directions and GD never moves along them, so the optimum is taken over the
    non-zero eigenvalues; the usual formula would give ``2 / lambda_max``, the edge
    of stability, which is no step anyone should take.

    Examples
    --------
    >>> learning_rate_bounds([[1.0, 0.0], [0.0, 2.0]], intercept=False)
    (0.5, 0.4)
    """
    check_option("intercept", intercept, (True, False))
    check_option("standardize", standardize, (True, False))
    X, _ = as_xy(X, np.zeros(_n_rows(X)))
    _check_shape(X, intercept)
    lam = _check_ridge(ridge)
    X_work, *_ = _working_design(X, bool(intercept), bool(standardize))
    G = _ridge_gram(X_work.T @ X_work, X.shape[0], lam, _pen_mask(X_work.shape[1], bool(intercept)))
    return _bounds_from_eig(_eig_of_gram(G, X.shape[0]))


def _check_shape(X: np.ndarray, intercept: bool) -> None:
    if X.shape[0] == 0:
        raise DataError("X has no rows; give at least one observation")
    if X.shape[1] == 0 and not intercept:
        raise ModelError("X has no columns and there is no intercept: nothing to fit; add a feature or intercept=True")


def convergence_rate(X1: object, learning_rate: float, *, ridge: float = 0.0, intercept: bool = True) -> float:
    """Predicted per-step contraction ``max_i |1 - lr * lambda_i|`` of full-batch GD.

    Parameters
    ----------
    X1 : array-like, shape (n, k)
        Design including the ones column.
    learning_rate : float
        > 0.
    ridge, intercept
        As for :func:`loss` (the eigenvalues are then those of ``H + 2λ D``).

    Returns
    -------
    float
        Below 1: the distance to the minimiser shrinks at least this much each step
        (the excess loss by its square). At or above 1: no convergence (divergence above 1).

    Notes
    -----
    Taken over the NON-ZERO eigenvalues of H = (2/N) X1^T X1: along a zero
    eigenvalue the loss is flat, every point is as good, and the factor 1 there
    is not a failure to converge.

    Examples
    --------
    >>> convergence_rate([[1.0, 0.0], [0.0, 2.0]], 0.25)
    0.75
    """
    return rate_from_eigenvalues(hessian_eigenvalues(X1, ridge=ridge, intercept=intercept), learning_rate)


def rate_from_eigenvalues(eigenvalues: object, learning_rate: float) -> float:
    """:func:`convergence_rate` from the Hessian's eigenvalues, when they are at hand.

    ``GDResult.eigenvalues`` holds them for a run: this skips the pass over the data.

    Parameters
    ----------
    eigenvalues : array-like, shape (k,)
        Eigenvalues of H, ascending (as :func:`hessian_eigenvalues` returns them).
    learning_rate : float
        > 0.

    Returns
    -------
    float

    Examples
    --------
    >>> rate_from_eigenvalues([1.0, 4.0], 0.25)
    0.75
    """
    lr = _check_real("learning_rate", learning_rate, low=0.0, low_open=True)
    eig = np.sort(np.asarray(eigenvalues, dtype=float))
    _, _, zero = _eigen_summary(eig)
    eig = eig[eig > zero]
    if eig.size == 0:
        return 0.0
    return float(np.max(np.abs(1.0 - lr * eig)))


def check_gradient(X1: object, y: object, w: object, *, eps: float = 1e-6, ridge: float = 0.0,
                   intercept: bool = True) -> GradientCheck:
    """Compare the analytic gradient with central finite differences of the loss.

    Parameters
    ----------
    X1 : array-like, shape (n, k)
    y : array-like, shape (n,)
    w : array-like, shape (k,)
    eps : float
        Relative step: coordinate i moves by ``h_i = eps * max(1, |w_i|)``.
    ridge, intercept
        As for :func:`loss`: check the gradient of the penalized loss.

    Returns
    -------
    GradientCheck

    Notes
    -----
    numeric_i = (L(w + h_i e_i) - L(w - h_i e_i)) / (2 h_i). For a quadratic loss the
    central difference has no truncation error, so what remains is rounding,
    about machine-epsilon * L / h.

    Examples
    --------
    >>> chk = check_gradient([[1.0], [2.0]], [2.0, 4.0], [0.0])
    >>> chk.analytic, chk.passed
    (array([-10.]), True)
    """
    X1, y = _as_design(X1, y)
    w = _as_w("w", w, X1.shape[1])
    eps = _check_real("eps", eps, low=0.0, low_open=True)
    lam = _check_ridge(ridge)
    n, k = X1.shape
    pen = _pen_mask(k, bool(intercept))
    analytic = (2.0 / n) * (X1.T @ (X1 @ w - y)) + 2.0 * lam * pen * w
    numeric = np.empty(k)
    for i in range(k):
        h = eps * max(1.0, abs(w[i]))
        wp, wm = w.copy(), w.copy()
        wp[i] += h
        wm[i] -= h
        # Use the step actually represented in floating point.
        h2 = wp[i] - wm[i]
        rp, rm = y - X1 @ wp, y - X1 @ wm
        # (a^2 - b^2) of the penalty term i, the only one that differs between wp and wm
        dpen = lam * pen[i] * (wp[i] - wm[i]) * (wp[i] + wm[i])
        numeric[i] = ((rp @ rp - rm @ rm) / n + dpen) / h2
    err = np.abs(analytic - numeric)
    top = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numeric))))
    max_abs = float(err.max())
    return GradientCheck(analytic, numeric, max_abs, max_abs / top if top > 0 else 0.0)


def step_arithmetic(X1: object, y: object, w: object, learning_rate: float, rows: object, *,
                    ridge: float = 0.0, intercept: bool = True) -> StepArithmetic:
    """The numbers of one full-batch step ``w_next = w - lr * (2/N) X1^T (X1 w - y)``.

    With ``ridge = λ > 0`` the gradient gains ``2λ w_j`` on each slope (``penalty_grad``)
    and ``loss``/``loss_next`` include ``λ||slopes||^2``.

    Parameters
    ----------
    X1 : array-like, shape (n, k)
    y : array-like, shape (n,)
    w : array-like, shape (k,)
    learning_rate : float
    rows : array-like of int, shape (r,)
        Which rows to show the per-row arithmetic for (the gradient always uses all N).
    ridge, intercept
        As for :func:`loss`.

    Returns
    -------
    StepArithmetic

    Examples
    --------
    >>> s = step_arithmetic([[1.0], [2.0]], [2.0, 4.0], [0.0], 0.1, [1])
    >>> s.yhat, s.dL_dyhat, s.grad, s.w_next
    (array([0.]), array([-8.]), array([-10.]), array([1.]))
    """
    X1, y = _as_design(X1, y)
    w = _as_w("w", w, X1.shape[1])
    lr = _check_real("learning_rate", learning_rate, low=0.0, low_open=True)
    lam = _check_ridge(ridge)
    pen = _pen_mask(X1.shape[1], bool(intercept))
    n = X1.shape[0]
    idx = np.atleast_1d(np.asarray(rows))
    if idx.size and (idx.dtype.kind not in "iu" or idx.min() < -n or idx.max() >= n):
        raise ModelError(f"rows must be whole-number row positions between 0 and {n - 1}; got {np.asarray(rows).tolist()!r}")
    idx = idx.astype(np.intp) % n if idx.size else idx.astype(np.intp)
    resid_all = y - X1 @ w
    penalty_grad = 2.0 * lam * pen * w
    grad = -(2.0 / n) * (X1.T @ resid_all) + penalty_grad
    w_next = w - lr * grad
    r_next = y - X1 @ w_next
    x_rows = X1[idx]
    yhat = x_rows @ w
    d = 2.0 * (yhat - y[idx])
    return StepArithmetic(
        rows=idx, x_rows=x_rows, y_rows=y[idx], yhat=yhat, resid=y[idx] - yhat, dL_dyhat=d,
        row_grad=d[:, None] * x_rows, w=w, grad=grad, w_next=w_next, learning_rate=lr,
        loss=float(resid_all @ resid_all / n + lam * ((pen * w) @ (pen * w))),
        loss_next=float(r_next @ r_next / n + lam * ((pen * w_next) @ (pen * w_next))), n=n,
        ridge=lam, penalty_grad=penalty_grad,
    )


def loss_surface(X1: object, y: object, w_center: object, i: int, j: int,
                 grid_i: object, grid_j: object, *, ridge: float = 0.0, intercept: bool = True) -> np.ndarray:
    """The loss over a grid of two coefficients, the others held at ``w_center``.

    Parameters
    ----------
    X1 : array-like, shape (n, k)
    y : array-like, shape (n,)
    w_center : array-like, shape (k,)
    i, j : int
        The two (different) coefficient positions that vary.
    grid_i : array-like, shape (a,)
        Values of coefficient i (the x axis of a contour plot).
    grid_j : array-like, shape (b,)
        Values of coefficient j (the y axis).
    ridge, intercept
        As for :func:`loss`: the surface of the penalized loss.

    Returns
    -------
    ndarray, shape (b, a)
        ``Z[q, p] = L(w)`` with ``w_i = grid_i[p]``, ``w_j = grid_j[q]``.

    Notes
    -----
    Exact quadratic expansion about the centre c, with d = w - c non-zero only in i, j::

        L(w) = L(c) + g_i d_i + g_j d_j + (G_ii d_i^2 + 2 G_ij d_i d_j + G_jj d_j^2) / N

    where g = grad L(c) and G = X1^T X1. L(c) and g come from the residuals at c,
    so nothing is lost to the cancellation of expanding ``||y - X1 w||^2``, and the
    grid costs O(a b) after one pass over the data.

    Examples
    --------
    >>> loss_surface([[1.0, 0.0], [0.0, 1.0]], [1.0, 1.0], [0.0, 0.0], 0, 1, [0.0, 1.0], [1.0])
    array([[0.5, 0. ]])
    """
    X1, y = _as_design(X1, y)
    n, k = X1.shape
    c = _as_w("w_center", w_center, k)
    for name, v in (("i", i), ("j", j)):
        _check_int(name, v, low=0, high=k - 1, hint=" (a coefficient position)")
    if i == j:
        raise ModelError(f"i and j must be different coefficients; got i = j = {i}")
    gi = np.asarray(grid_i, dtype=np.float64).ravel()
    gj = np.asarray(grid_j, dtype=np.float64).ravel()
    if not (np.isfinite(gi).all() and np.isfinite(gj).all()):
        raise ModelError("grid_i and grid_j must hold finite values")
    lam = _check_ridge(ridge)
    pen = lam * _pen_mask(k, bool(intercept))
    r = y - X1 @ c
    L0 = r @ r / n + (pen * c) @ c
    xi, xj = X1[:, i], X1[:, j]
    g_i, g_j = -(2.0 / n) * (xi @ r) + 2.0 * pen[i] * c[i], -(2.0 / n) * (xj @ r) + 2.0 * pen[j] * c[j]
    # The penalty adds λ d^2 along each penalized axis (N λ inside the division by N).
    Gii, Gij, Gjj = xi @ xi + n * pen[i], xi @ xj, xj @ xj + n * pen[j]
    di = (gi - c[i])[None, :]
    dj = (gj - c[j])[:, None]
    return L0 + g_i * di + g_j * dj + (Gii * di * di + 2.0 * Gij * di * dj + Gjj * dj * dj) / n


# --------------------------------------------------------------------------- gradient descent


def _nice_below(x: float) -> float:
    """A round number strictly below x (0.21 -> 0.2, 0.0198 -> 0.019), for messages."""
    if not math.isfinite(x) or x <= 0:
        return x
    target = x * (1 - 1e-9)
    for digits in (1, 2, 3):
        e = math.floor(math.log10(target)) - (digits - 1)
        nice = math.floor(target / 10.0**e) * 10.0**e
        if nice >= 0.5 * x:
            return float(f"{nice:.{digits}g}")
    return float(f"{target:.3g}")


def _reference_point(X1: np.ndarray, y: np.ndarray, G: np.ndarray, c: np.ndarray, eig: np.ndarray,
                     pen: np.ndarray | None = None):
    """A minimiser v of the loss, with L(v) and grad L(v) computed from residuals.

    ``pen`` (k,): ridge weights λ D; then G is ``X1^T X1 + N λ D`` and v, L(v) and
    grad L(v) are those of the penalized loss ``L(w) + w^T (λD) w``.

    Well-conditioned: v solves G v = c (k x k). Moderately ill-conditioned (cond(H) > 1e6):
    refined once with residuals from the data, so that v does not inherit the squared
    condition number of G. Singular or cond(H) > 1e12: G cannot separate signal from its
    own rounding, so v is the minimum-norm least-squares solution on the data itself
    (numpy lstsq, SVD). Whatever rounding is left in v, the expansion used in
    :func:`gradient_descent` stays exact because it carries grad L(v) explicitly; v only
    has to be close for the terms of that expansion not to cancel.
    """
    n, k = X1.shape
    pen = np.zeros(k) if pen is None else pen

    def residuals(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # g = c - G v computed from the data: X1^T r minus the penalty's N λ D v.
        r = y - X1 @ v
        return r, X1.T @ r - n * pen * v

    lam_max, _, zero = _eigen_summary(eig)
    smallest = float(eig[0]) if eig.size else 0.0
    if smallest <= zero or lam_max > 1e12 * smallest:
        if pen.any():
            # Ridge as least squares on the augmented data [X1; sqrt(Nλ) D] v ≈ [y; 0].
            rows = np.flatnonzero(pen)
            A = np.zeros((rows.size, k))
            A[np.arange(rows.size), rows] = np.sqrt(n * pen[rows])
            v = np.linalg.lstsq(np.vstack([X1, A]), np.concatenate([y, np.zeros(rows.size)]), rcond=None)[0]
        else:
            v = np.linalg.lstsq(X1, y, rcond=None)[0]
        r, g = residuals(v)
    else:
        v = np.linalg.solve(G, c)
        r, g = residuals(v)
        if lam_max > 1e6 * smallest:
            v = v + np.linalg.solve(G, g)
            r, g = residuals(v)
    return v, float(r @ r / n + (pen * v) @ v), -(2.0 / n) * g


def gradient_descent(
    X: object,
    y: object,
    *,
    learning_rate: float,
    n_iter: int,
    intercept: bool = True,
    standardize: bool = False,
    batch_size: int | None = None,
    momentum: float = 0.0,
    seed: int | np.random.Generator | None = None,
    tol: float = 1e-8,
    init: object = None,
    terms: object = None,
    ridge: float = 0.0,
) -> GDResult:
    """Minimise ``L(w) = (1/N)||y - X1 w||^2`` (+ ``ridge ||b||^2``) by gradient descent, recording every iterate.

    Parameters
    ----------
    X : array-like, shape (n, p)
        Numeric features WITHOUT a column of ones.
    y : array-like, shape (n,)
    learning_rate : float
        Step size, > 0.
    n_iter : int
        Maximum number of iterations, >= 0. One iteration is ONE update of w: a
        full-data step for full batch, one batch for mini-batch (an epoch is
        ceil(n / batch_size) iterations).
    intercept : bool
        Prepend a column of ones (its coefficient comes first).
    standardize : bool
        Run on standardized columns (``(x - mean) / sd``; without an intercept only
        ``x / rms``), report ``coef`` in original units. ``history`` stays in the working
        parametrisation; ``history.coef_original`` converts it.
    batch_size : int or None
        None: full batch. Otherwise 1 <= batch_size <= n: rows are shuffled at the start
        of each epoch (seeded) and cut into consecutive batches; the last batch of an
        epoch holds the remaining ``n mod batch_size`` rows if any.
    momentum : float
        Heavy-ball momentum, 0 <= momentum < 1 (0 is plain GD).
    seed : int, numpy.random.Generator or None
        For the mini-batch shuffling.
    tol : float
        Converged when the full-data gradient norm ``||grad L(w)||`` < tol (>= 0).
    init : array-like, shape (k,), optional
        Starting point in ORIGINAL units (intercept first). Default zeros (in working units).
    terms : sequence of str, optional
        Names of X's p columns (default x1..xp); ``"Intercept"`` is prepended.
    ridge : float, default 0
        λ >= 0: minimise ``L(w) + λ Σ_j b_j^2`` over the slopes b (not the intercept), in the
        working parametrisation: with ``standardize`` the penalty is on the standardized
        slopes, as :func:`linreg.penalized.fit_penalized` with ``l1_ratio=0``. The gradient
        gains ``2λ b``; history, bounds (from ``H + 2λ D``) and ``optimum`` are of that loss.

    Returns
    -------
    GDResult
        ``coef`` (k,) in original units, ``history`` with (n_iter + 1) rows, flags and bounds.

    Raises
    ------
    DataError
        Bad X or y (see ``linreg._validation.as_xy``), or no rows.
    ModelError
        An option out of range, or an ``init`` of the wrong shape.

    Notes
    -----
    Gradient and update (plain, then heavy-ball momentum with v_0 = 0)::

        grad L(w) = (2/N) X1^T (X1 w - y)
        w_{t+1} = w_t - lr * grad L(w_t)
        v_{t+1} = momentum * v_t - lr * g_t ;  w_{t+1} = w_t + v_{t+1}

    Mini-batch uses the batch gradient ``g_t = (2/B) X_b^T (X_b w_t - y_b)`` computed
    from the batch rows; history still records the FULL-data loss and gradient.

    Full batch never revisits the data after one pass: with G = X1^T X1 and a
    minimiser v (computed once, see below), exactly for any w::

        grad L(w) = grad L(v) + (2/N) G (w - v)
        L(w)      = L(v) + grad L(v).(w - v) + (w - v)^T (G/N) (w - v)

    so each step costs O(k^2), whatever N (with a ridge penalty, G becomes G + NλD
    and v the penalized minimiser). L(v) and grad L(v) come from residuals,
    and grad L(v) ~ 0, so this is the issue's ``L(w*) + (w - w*)^T (G/N) (w - w*)``
    without the cancellation of expanding ``||y - X1 w||^2``. For a rank-deficient
    design v is the minimum-norm minimiser; L(v) is still the minimum.

    Stability (full batch): lr < 2 / lambda_max of H = (2/N) X1^T X1; with momentum
    mu the bound is 2 (1 + mu) / lambda_max. Divergence (a non-finite loss, or a loss
    above 1e6 times max(L(w_0), mean(y^2))) stops the run with ``diverged=True``; only
    finite iterates are kept. Non-convergence is reported in ``converged`` and
    ``message``, not by a warning.

    Examples
    --------
    >>> res = gradient_descent([[1.0], [2.0]], [2.0, 4.0], learning_rate=0.1, n_iter=2, intercept=False)
    >>> res.history.coef[:, 0], res.history.loss
    (array([0. , 1. , 1.5]), array([10.   ,  2.5  ,  0.625]))
    >>> res.max_stable_learning_rate
    0.4
    >>> gradient_descent([[1.0], [2.0]], [2.0, 4.0], learning_rate=0.2, n_iter=200, intercept=False,
    ...                  ridge=0.5).coef   # (x.y/N) / (x.x/N + λ) = 5 / 3
    array([1.66666667])
    """
    # ---- validate once, here
    X, y = as_xy(X, y)
    check_option("intercept", intercept, (True, False))
    check_option("standardize", standardize, (True, False))
    intercept, standardize = bool(intercept), bool(standardize)
    _check_shape(X, intercept)
    n, p = X.shape
    k = p + int(intercept)
    lr = _check_real("learning_rate", learning_rate, low=0.0, low_open=True, hint=" (try 0.01)")
    m_max = _check_int("n_iter", n_iter, low=0, hint=" (the number of updates)")
    mu = _check_real("momentum", momentum, low=0.0, low_open=False, high=1.0, hint=" (0 means no momentum)")
    tol = _check_real("tol", tol, low=0.0, low_open=False)
    lam = _check_ridge(ridge)
    if batch_size is not None:
        batch_size = _check_int("batch_size", batch_size, low=1, high=n,
                                hint=" (rows per mini-batch; None for full batch)")
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ModelError(f"seed must be an integer, a numpy Generator or None; got {seed!r}") from None
    if terms is None:
        names = tuple(f"x{i + 1}" for i in range(p))
    else:
        names = tuple(str(t) for t in terms)
        if len(names) != p:
            raise ModelError(f"terms must name the {p} columns of X; got {len(names)} names")
    names = (("Intercept",) if intercept else ()) + names

    # y rides along as the last column so that one product gives X1^T X1, X1^T y (and y^T y)
    # in a single pass over the data.
    aug, T, T_inv, x_mean, x_scale = _working_design(X, intercept, standardize, extra_cols=1)
    aug[:, k] = y
    X_work = aug[:, :k]
    if init is None:
        w0 = np.zeros(k)
    else:
        w0 = T_inv @ _as_w("init", init, k)

    # ---- one pass over the data: everything full batch needs
    with np.errstate(over="ignore", invalid="ignore"):
        G_aug = aug.T @ aug
    if not np.isfinite(G_aug).all():
        raise DataError(
            "the data's sums of squares overflow double precision (values beyond about 1e150 square past "
            "1.8e308), so the loss cannot be computed; rescale the data (express it in bigger units) or "
            "standardize the features, and run again"
        )
    pen = _pen_mask(k, intercept)
    # With a ridge penalty everything below works on G + NλD: the loss stays an exact quadratic.
    G = np.ascontiguousarray(_ridge_gram(G_aug[:k, :k], n, lam, pen))
    c = G_aug[:k, k].copy()
    eig = _eig_of_gram(G, n)
    max_stable, optimal = _bounds_from_eig(eig)
    v, loss_v, grad_v = _reference_point(X_work, y, G, c, eig, lam * pen)
    s = 2.0 / n
    sG = s * G
    pen2 = 2.0 * lam * pen  # the penalty's gradient is pen2 * w

    def losses(W: np.ndarray) -> np.ndarray:
        D = W - v
        return loss_v + D @ grad_v + np.einsum("ij,ij->i", D @ G, D) / n

    def grads(W: np.ndarray) -> np.ndarray:
        return (W - v) @ sG + grad_v

    L0 = float(losses(w0[None, :])[0])
    ref = max(L0, float(y @ y) / n)
    limit = _DIVERGENCE_FACTOR * ref if ref > 0 else math.inf

    coef_chunks: list[np.ndarray] = []
    loss_chunks: list[np.ndarray] = []
    grad_chunks: list[np.ndarray] = []
    w = w0.copy()
    vel = np.zeros(k)
    d = np.empty(k)
    gd = np.empty(k)
    step = np.empty(k)
    done = 0  # iterations whose resulting iterate is already recorded
    converged = diverged = False
    stop_at = None  # position of the first bad iterate, for the message
    perm = np.empty(0, dtype=np.intp)
    pos = 0
    first = True

    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            # iterates in this chunk: the current w (only in the first chunk) plus up to _CHUNK steps
            steps = min(_CHUNK, m_max - done)
            rows = steps + (1 if first else 0)
            W = np.empty((rows, k))
            Gr = np.empty((rows, k))
            r0 = 0
            if first:
                W[0] = w
                r0 = 1
            if batch_size is None:
                # Full batch: the gradient used in each step is the one recorded. Written with
                # out= into the history rows: at k ~ 20 the cost is numpy call overhead, not flops.
                np.subtract(w, v, out=d)
                np.matmul(sG, d, out=gd)
                g = gd + grad_v
                if first:
                    Gr[0] = g
                for t in range(r0, rows):
                    wt, gt = W[t], Gr[t]
                    if mu:
                        vel *= mu
                        np.multiply(g, lr, out=step)
                        vel -= step
                        np.add(w, vel, out=wt)
                    else:
                        np.multiply(g, lr, out=step)
                        np.subtract(w, step, out=wt)
                    np.subtract(wt, v, out=d)
                    np.matmul(sG, d, out=gd)
                    np.add(gd, grad_v, out=gt)
                    w, g = wt, gt
                w = w.copy()
            else:
                if first:
                    Gr[0] = grads(W[:1])[0]
                for t in range(r0, rows):
                    if pos >= perm.size:
                        perm = rng.permutation(n)
                        pos = 0
                    idx = perm[pos:pos + batch_size]
                    pos += batch_size
                    Xb = X_work[idx]
                    gb = (2.0 / idx.size) * (Xb.T @ (Xb @ w - y[idx])) + pen2 * w
                    if mu:
                        vel *= mu
                        vel -= lr * gb
                        w = w + vel
                    else:
                        w = w - lr * gb
                    W[t] = w
                Gr[r0:] = grads(W[r0:])
            Lc = losses(W)
            # keep iterates up to the first bad one
            gnorm = np.sqrt(np.einsum("ij,ij->i", Gr, Gr))
            # everything handed back must be finite: iterate, its original units, loss, gradient and its norm
            bad_nonfinite = ~(np.isfinite(Lc) & np.isfinite(gnorm) & np.isfinite(W @ T.T).all(axis=1)
                              & np.isfinite(W).all(axis=1) & np.isfinite(Gr).all(axis=1))
            bad_big = Lc > limit
            conv = gnorm < tol
            end = rows
            hit = np.flatnonzero(bad_nonfinite | bad_big | conv)
            if hit.size:
                t = int(hit[0])
                if bad_nonfinite[t]:
                    diverged = True
                    end = t  # drop the non-finite iterate
                elif bad_big[t]:
                    diverged = True
                    end = t + 1  # a finite but runaway iterate is worth showing
                else:
                    converged = True
                    end = t + 1
                stop_at = done + t - (1 if first else 0) + 1 if diverged else None
            coef_chunks.append(W[:end])
            loss_chunks.append(Lc[:end])
            grad_chunks.append(Gr[:end])
            done += end - (1 if first else 0)
            first = False
            if converged or diverged or done >= m_max:
                break

    hist = GDHistory(
        coef=np.concatenate(coef_chunks),
        loss=np.concatenate(loss_chunks),
        grad=np.concatenate(grad_chunks),
        transform=T,
    )
    if hist.coef.shape[0] == 0:  # the starting point itself overflowed: impossible with finite data, kept safe
        hist = GDHistory(w0[None, :], np.array([L0]), grads(w0[None, :]), T)
    m = hist.coef.shape[0] - 1
    if (not converged and not diverged and batch_size is None and lr * eig[-1] > 2.0 * (1.0 + mu)
            and hist.loss[-1] > hist.loss[0]):
        # Above the bound full-batch GD grows geometrically along the top eigenvector: a
        # loss above its start is already that growth, even if the run ended before 1e6x.
        diverged = True
    message = _message(
        converged=converged, diverged=diverged, m=m, stop_at=stop_at, lr=lr, mu=mu, batch_size=batch_size,
        max_stable=max_stable, optimal=optimal, eig=eig, tol=tol, gnorm=float(hist.grad_norm[-1]),
        loss_last=float(hist.loss[-1]), loss_min=loss_v, standardize=standardize,
    )
    return GDResult(
        coef=T @ hist.coef[-1], history=hist, n_iter=m, converged=converged, diverged=diverged, message=message,
        learning_rate=lr, momentum=mu, batch_size=batch_size, standardize=standardize, intercept=intercept,
        tol=tol, max_stable_learning_rate=max_stable, optimal_learning_rate=optimal, eigenvalues=eig,
        optimum=v, loss_min=loss_v, X_work=X_work, y=y, terms=names, x_mean=x_mean, x_scale=x_scale,
        ridge=lam,
    )


def _message(*, converged, diverged, m, stop_at, lr, mu, batch_size, max_stable, optimal, eig, tol, gnorm,
             loss_last, loss_min, standardize) -> str:
    lam_max, lam_min, _ = _eigen_summary(eig)
    rank_note = ""
    if eig.size and lam_max > 0 and eig[0] <= _eigen_summary(eig)[2]:
        rank_note = (" The design is rank-deficient (smallest Hessian eigenvalue 0): the coefficients are not"
                     " unique, and the optimal rate uses the smallest non-zero eigenvalue.")
    if diverged:
        where = f"diverged at iteration {stop_at}" if stop_at is not None else "diverged"
        if batch_size is not None:
            return (f"Mini-batch descent {where}: learning rate {lr:.3g} is too large for batches of"
                    f" {batch_size} rows (the full-batch stable limit is {max_stable:.3g} = 2/λ_max, and a small"
                    f" batch can be steeper than the full data); try {_nice_below(min(lr, max_stable) / 2):g}"
                    " or less, or a larger batch.")
        if mu:
            bound = 2.0 * (1.0 + mu) / lam_max
            return (f"Descent {where}: learning rate {lr:.3g} with momentum {mu:g} is above the largest stable"
                    f" rate {bound:.3g} (2(1+momentum)/λ_max); try {_nice_below(bound):g} or less.")
        return (f"Descent {where}: learning rate {lr:.3g} is above the largest stable rate {max_stable:.3g}"
                f" (2/λ_max); try {_nice_below(max_stable):g} or less.")
    if converged:
        return (f"Converged after {m} iterations: gradient norm {gnorm:.3g} < tol {tol:.3g};"
                f" loss {loss_last:.6g}.{rank_note}")
    msg = (f"Stopped after {m} iterations without converging: gradient norm {gnorm:.3g} >= tol {tol:.3g};"
           f" loss {loss_last:.6g} (minimum {loss_min:.6g}).")
    tips = ["more iterations"]
    if batch_size is None and not mu and math.isfinite(optimal) and lr < 0.9 * optimal:
        tips.append(f"a larger learning rate (optimal {optimal:.3g}, stable below {max_stable:.3g})")
    if batch_size is None and not mu and lr >= max_stable:
        tips.append(f"a learning rate below {max_stable:.3g} (2/λ_max)")
    if batch_size is not None:
        tips.append("full batch or a smaller rate (mini-batch noise keeps the gradient from reaching 0)")
    if not standardize and lam_min > 0 and lam_max / lam_min > 1e3:
        tips.append(f"standardizing the features (the Hessian's condition number is {lam_max / lam_min:.3g})")
    tip = tips[0] if len(tips) == 1 else ", ".join(tips[:-1]) + " or " + tips[-1]
    return msg + " Try " + tip + "." + rank_note
