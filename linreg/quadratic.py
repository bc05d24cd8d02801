"""The quadratic bowl of least squares: its loss, gradient, curvature and convergence rates.

The loss and gradient are exactly the ones we teach, with no 1/2 factor::

    L(w)      = (1/N) ||y - X1 w||^2
    grad L(w) = (2/N) X1^T (X1 w - y)

where ``X1`` is the design with the column of ones first when there is an
intercept. The Hessian is the constant matrix ``H = (2/N) X1^T X1``.

An optional ridge penalty ``ridge = λ >= 0`` adds ``λ ||b||^2`` on the slopes (not
the intercept)::

    L_λ(w)      = L(w) + λ Σ_{j not intercept} w_j^2
    grad L_λ(w) = grad L(w) + 2λ D w,   H_λ = H + 2λ D

with ``D`` the diagonal matrix with 1 for each slope and 0 for the intercept.

Full-batch gradient descent multiplies the error along eigenvector i of H by
``1 - lr λ_i`` per step, so the eigenvalues decide everything: the stable and optimal
learning rates (:func:`learning_rate_bounds`), the contraction per step
(:func:`convergence_rate`, :func:`rate_from_eigenvalues`, :func:`heavy_ball_rate` with
momentum), the steps needed (:func:`predicted_iterations`) and the bowl's stretch
(:func:`condition_number`). :func:`loss_surface`, :func:`step_arithmetic` and
:func:`check_gradient` are for showing and checking the loss on screen.

Every function here is pure; :mod:`linreg.descent` runs the iterations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._preprocess import working_design
from ._repr import short_repr
from ._validation import as_xy, check_int, check_option, check_real
from .exceptions import DataError, ModelError

__all__ = [
    "GradientCheck",
    "StepArithmetic",
    "check_gradient",
    "condition_from_eigenvalues",
    "condition_number",
    "convergence_rate",
    "gradient",
    "heavy_ball_rate",
    "hessian_eigenvalues",
    "learning_rate_bounds",
    "loss",
    "loss_surface",
    "plain_rate",
    "predicted_iterations",
    "rate_from_eigenvalues",
    "step_arithmetic",
]


# --------------------------------------------------------------------------- results


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

    def __repr__(self) -> str:
        return short_repr("GradientCheck", {"passed": self.passed, "max_abs_error": self.max_abs_error,
                                            "max_rel_error": self.max_rel_error, "analytic": self.analytic})


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

    def __repr__(self) -> str:
        return short_repr("StepArithmetic", {"n": self.n, "rows": self.rows, "learning_rate": self.learning_rate,
                                             "w": self.w, "grad": self.grad, "w_next": self.w_next,
                                             "loss": self.loss, "loss_next": self.loss_next, "ridge": self.ridge})


# --------------------------------------------------------------------------- validation


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
    return check_real("ridge", ridge, 0.0, hint=" (the ridge penalty λ >= 0 on the slopes; 0 for none)")


def _pen_mask(k: int, intercept: bool) -> np.ndarray:
    """Diagonal of D: 1 for each penalized coefficient (the slopes), 0 for the intercept."""
    d = np.ones(k)
    if intercept and k:
        d[0] = 0.0
    return d


# --------------------------------------------------------------------------- eigenvalues


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

# --------------------------------------------------------------------------- loss, gradient, curvature


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
    X1, y, w : array-like, shapes (n, k), (n,) and (k,)
        The design, the response and the coefficients, as for :func:`loss`.
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
        Features WITHOUT the ones column (as for :func:`linreg.descent.gradient_descent`).
    intercept, standardize : bool
        Build the working design exactly as :func:`linreg.descent.gradient_descent` would.
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
    X_work = working_design(X, bool(intercept), bool(standardize)).X_work
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

    ``linreg.descent.GDResult.eigenvalues`` holds them for a run: this skips the pass over the data.

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
    lr = check_real("learning_rate", learning_rate, 0.0, low_open=True)
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
    X1, y, w : array-like, shapes (n, k), (n,) and (k,)
        The design, the response and the coefficients, as for :func:`loss`.
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
    eps = check_real("eps", eps, 0.0, low_open=True)
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
    X1, y, w : array-like, shapes (n, k), (n,) and (k,)
        The design, the response and the coefficients, as for :func:`loss`.
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
    lr = check_real("learning_rate", learning_rate, 0.0, low_open=True)
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
        check_int(name, v, 0, k - 1, hint=" (a coefficient position)")
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


# --------------------------------------------------------------------------- rates from eigenvalues


def heavy_ball_rate(eigenvalues: np.ndarray, learning_rate: float, momentum: float) -> float:
    """Per-step contraction of heavy-ball momentum on a quadratic: the largest |root| of
    z² − (1 + μ − ηλ)z + μ = 0 over the eigenvalues λ of H.

    With μ = 0 this is max|1 − ηλ|, the plain-GD rate of :func:`convergence_rate`.

    Examples
    --------
    >>> heavy_ball_rate(np.array([1.0, 2.0]), 0.25, 0.0)
    0.75
    >>> round(heavy_ball_rate(np.array([1.0]), 1.0, 0.25), 6)  # a double root at sqrt(0.25)
    0.5
    """
    lam = np.asarray(eigenvalues, float)
    b = 1.0 + momentum - learning_rate * lam
    disc = (b * b - 4.0 * momentum).astype(complex)
    roots = np.abs(np.stack([(b + np.sqrt(disc)) / 2.0, (b - np.sqrt(disc)) / 2.0]))
    return float(roots.max())


def _singular(eigenvalues: np.ndarray) -> bool:
    """H has a zero eigenvalue (to rounding): some direction of w is not identified."""
    lam = np.asarray(eigenvalues, float)
    return bool(lam.size and lam[-1] > 0 and lam[0] <= lam[-1] * lam.size * np.finfo(float).eps)


def plain_rate(result) -> float:
    """Per-step contraction of plain full-batch GD: :func:`convergence_rate` of a run.

    ``result`` is a :class:`linreg.descent.GDResult` (anything with ``eigenvalues`` and
    ``learning_rate``).

    (For a rank-deficient design linreg leaves the zero eigenvalues out: GD never moves along
    those directions, so the rate that matters is over the directions the data identifies.)
    """
    # The run's own eigenvalues (of the same, possibly penalized, Hessian): no pass over the data.
    return rate_from_eigenvalues(result.eigenvalues, result.learning_rate)


def predicted_iterations(rho: float, reduction: float = 1e-8) -> float:
    """Steps for the error to shrink by ``reduction`` at rate ``rho``: log(reduction)/log(rho).

    Returns inf when rho >= 1 (no convergence) and 0 when rho == 0.

    Examples
    --------
    >>> predicted_iterations(0.5, 1e-3)
    10.0
    >>> predicted_iterations(1.2)
    inf
    """
    if rho >= 1.0:
        return math.inf
    if rho <= 0.0:
        return 0.0
    return float(math.ceil(math.log(reduction) / math.log(rho)))


def condition_number(result) -> float:
    """λ_max/λ_min of H (inf when singular): how stretched the loss bowl is.

    ``result`` is a :class:`linreg.descent.GDResult` (anything with ``eigenvalues``).

    Examples
    --------
    >>> from linreg.descent import gradient_descent
    >>> r = gradient_descent([[1.0, 0.0], [0.0, 2.0]], [1.0, 1.0], learning_rate=0.1, n_iter=1, intercept=False)
    >>> condition_number(r)
    4.0
    """
    return condition_from_eigenvalues(result.eigenvalues)


def condition_from_eigenvalues(eigenvalues: object) -> float:
    """:func:`condition_number` from H's eigenvalues (ascending): λ_max/λ_min, inf when singular.

    Examples
    --------
    >>> condition_from_eigenvalues([0.5, 2.0])
    4.0
    """
    lam = np.asarray(eigenvalues, float)
    if lam.size == 0:
        return math.nan
    # A zero eigenvalue comes out of the eigensolver as rounding noise; its ratio is noise too.
    return math.inf if _singular(lam) or lam[0] <= 0 else float(lam[-1] / lam[0])

