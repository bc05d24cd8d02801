"""Penalized least squares: ridge, lasso and elastic net, their paths and k-fold CV.

Every fit minimises exactly this objective (no 1/2 factors, the loss we teach)::

    L(b0, b) = (1/N)||y - b0 - Xb||^2 + λ(α||b||_1 + (1 - α)||b||_2^2)

- the intercept ``b0`` is not penalized;
- ``λ >= 0`` is ``lam`` and ``α`` in [0, 1] is ``l1_ratio`` (``alpha`` already means
  the CI level in :func:`linreg.ols.fit_ols`); α = 0 is ridge, α = 1 is the lasso;
- with ``standardize=True`` the penalty applies to the standardized coefficients and
  results are reported in original units (standardized column: ``(x - mean) / sd``,
  population SD; without an intercept, ``x / rms(x)``).

The intercept is removed by centring. Ridge (α = 0) is solved in closed form, stably:
one Householder QR of ``[Z, y_c]`` (``Z`` the centred design), the SVD of its small
``R`` factor, ``c = V diag(s / (s^2 + Nλ)) Uᵀ y_c``, and one refinement step; never
an inverse. Lasso and elastic net are solved by cyclic coordinate descent with
soft-thresholding, finished by an exact active-set (feature-sign) search on the same
``R`` factor once the signs settle. Converged means the largest coefficient change
and the KKT violation are below ``tol``; non-convergence is a result with a message.
Every returned fit carries its KKT violation, see :func:`kkt_violation`.

Public names: :func:`fit_penalized` (-> :class:`PenalizedResult`), :func:`penalty_path`
(-> :class:`PenaltyPath`), :func:`cross_validate` (-> :class:`CVResult`),
:func:`kkt_violation`, :func:`lambda_max`, :func:`penalty_objective` and the option alias
:data:`Penalty` with :func:`l1_ratio_for` (``"ridge" | "lasso" | "elasticnet"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from scipy.linalg import solve_triangular

from ._preprocess import standardize_columns, term_names
from ._repr import short_repr
from ._validation import ProgressHook, StopHook, as_xy, check_hooks, check_int, check_option, check_real, checkpoint
from .exceptions import ModelError

__all__ = [
    "CVResult",
    "PENALTIES",
    "Penalty",
    "PenalizedResult",
    "PenaltyPath",
    "cross_validate",
    "fit_penalized",
    "kkt_violation",
    "l1_ratio_for",
    "lambda_max",
    "penalty_objective",
    "penalty_path",
]

Penalty = Literal["ridge", "lasso", "elasticnet"]
PENALTIES: tuple[str, ...] = ("ridge", "lasso", "elasticnet")

# Sweeps of coordinate descent before giving up (each sweep costs O(p^2)).
_MAX_ITER = 10_000
# Singular values below this fraction of the largest are treated as zero when λ = 0
# (same relative cut-off idea as numpy.linalg.pinv's rcond).
_RCOND = 1e-13
# Keys of OLSResult.to_dict that have no meaning for a penalized fit: JSON null.
_UNDEFINED_INFERENCE = ("std_err", "t", "p_value", "ci_low", "ci_high")
_UNDEFINED_SCALARS = ("sigma", "adj_r_squared", "f_statistic", "f_p_value", "condition_number",
                      "log_likelihood", "aic", "bic")


# =============================================================================
# results
# =============================================================================
@dataclass(frozen=True, eq=False)
class PenalizedResult:
    """The outcome of :func:`fit_penalized`.

    Attributes
    ----------
    coef : ndarray, shape (k,)
        Coefficients in ORIGINAL units, intercept first when ``intercept``.
    terms : tuple of str
        Names of the k coefficients, ``"Intercept"`` first when ``intercept``.
    lam, l1_ratio : float
        λ and α of the objective.
    intercept, standardize : bool
    n_iter : int
        Coordinate-descent sweeps (0 for the closed-form ridge).
    converged : bool
        Max coefficient change and KKT violation fell below ``tol`` (always True for ridge).
    message : str
        One plain sentence saying how the fit ended.
    objective : float
        The objective at the solution (penalty on the working coefficients).
    kkt_violation : float
        Largest violation of the optimality conditions, see :func:`kkt_violation`
        (absolute, in the units of the gradient ``(2/N) z_jᵀ r``).
    kkt_scale : float
        ``max_j |(2/N) z_jᵀ (y - ȳ)|``, the gradient at zero, for a relative reading of the
        violation (``kkt_relative``); the solver's tolerance is relative to ``max(1, kkt_scale)``.
    coef_work : ndarray, shape (p,)
        The penalized coefficients: on standardized columns when ``standardize``, else
        equal to ``coef`` without the intercept.
    x_mean, x_scale : ndarray, shape (p,)
        Working column ``(x - x_mean) / x_scale`` (x_mean 0 without intercept, x_scale 1
        without standardization).
    fitted, resid : ndarray, shape (n,)
    y : ndarray, shape (n,)
    df : float
        Effective degrees of freedom of the penalized part: number of non-zero
        coefficients for the lasso, ``tr Z_A (Z_A^T Z_A + Nλ(1-α) I)^+ Z_A^T`` in general.
    tol : float
    """

    coef: np.ndarray
    terms: tuple[str, ...]
    lam: float
    l1_ratio: float
    intercept: bool
    standardize: bool
    n_iter: int
    converged: bool
    message: str
    objective: float
    kkt_violation: float
    kkt_scale: float
    coef_work: np.ndarray
    x_mean: np.ndarray
    x_scale: np.ndarray
    fitted: np.ndarray
    resid: np.ndarray
    y: np.ndarray
    df: float
    tol: float

    @cached_property
    def n(self) -> int:
        """Number of observations."""
        return int(self.y.shape[0])

    @cached_property
    def kkt_relative(self) -> float:
        """KKT violation relative to ``max(1, kkt_scale)``: the number the solver compares with tol."""
        return self.kkt_violation / max(1.0, self.kkt_scale)

    @cached_property
    def penalty(self) -> str:
        """``"ridge"``, ``"lasso"`` or ``"elasticnet"`` from ``l1_ratio``."""
        return "ridge" if self.l1_ratio == 0 else "lasso" if self.l1_ratio == 1 else "elasticnet"

    @cached_property
    def rss(self) -> float:
        """Sum of squared residuals."""
        return float(self.resid @ self.resid)

    @cached_property
    def mse(self) -> float:
        """Mean squared residual, the data part of the objective ``(1/N)||y - ŷ||^2``."""
        return self.rss / self.n

    @cached_property
    def r_squared(self) -> float:
        """``1 - RSS/TSS``, TSS about the mean with an intercept, about 0 without (NaN if TSS = 0)."""
        yc = self.y - self.y.mean() if self.intercept else self.y
        tss = float(yc @ yc)
        return 1.0 - self.rss / tss if tss > 0 else math.nan

    @cached_property
    def slopes(self) -> np.ndarray:
        """Coefficients without the intercept, shape (p,)."""
        return self.coef[1:] if self.intercept else self.coef

    @cached_property
    def n_nonzero(self) -> int:
        """Number of non-zero penalized coefficients."""
        return int(np.count_nonzero(self.coef_work))

    @cached_property
    def active(self) -> tuple[str, ...]:
        """Names of the terms with a non-zero coefficient (intercept excluded)."""
        names = self.terms[1:] if self.intercept else self.terms
        return tuple(t for t, c in zip(names, self.coef_work) if c != 0)

    def predict(self, X_new: object) -> np.ndarray:
        """Predicted values ``b0 + X_new b`` for new rows, shape (m,).

        Parameters
        ----------
        X_new : array-like, shape (m, p)
            Features as passed to :func:`fit_penalized`.
        """
        X_new = np.atleast_1d(np.asarray(X_new, dtype=np.float64))
        X_new, _ = as_xy(X_new, np.zeros(X_new.shape[0]))
        p = self.coef_work.shape[0]
        if X_new.shape[1] != p:
            raise ModelError(
                f"X_new has {X_new.shape[1]} columns but the model has {p} features; pass the same columns"
            )
        b0 = self.coef[0] if self.intercept else 0.0
        return b0 + X_new @ self.slopes

    def summary(self, *, target: str = "y", n_dropped: int = 0, call: str | None = None) -> str:
        """The fit as text, in the style of R's ``summary.lm`` (what ``python -m linreg fit`` prints).

        Same parameters as ``OLSResult.summary``; see :func:`linreg.report.summary_text`.
        """
        from .report import summary_text

        return summary_text(self, target=target, n_dropped=n_dropped, call=call)

    def to_dict(self) -> dict:
        """JSON-safe summary with the keys of ``OLSResult.to_dict``; inference keys are None.

        Standard errors, tests and intervals are not defined for a penalized fit, so
        they are ``None`` (JSON null); the penalized keys are added.
        """
        k = len(self.terms)
        out: dict = {"terms": list(self.terms), "coef": [float(c) for c in self.coef]}
        for key in _UNDEFINED_INFERENCE:
            out[key] = [None] * k
        for key in _UNDEFINED_SCALARS:
            out[key] = None
        r2 = self.r_squared
        out["r_squared"] = r2 if math.isfinite(r2) else None
        out["rss"] = self.rss
        out["n"] = self.n
        out["df_model"] = None
        out["df_resid"] = None
        out["rank"] = None
        out["aliased"] = []
        out["method"] = "closed-form ridge (SVD)" if self.l1_ratio == 0 else "coordinate descent"
        out["alpha"] = None
        out["intercept"] = bool(self.intercept)
        out["warnings"] = [] if self.converged else [self.message]
        out.update(
            penalty=self.penalty,
            lam=float(self.lam),
            l1_ratio=float(self.l1_ratio),
            standardize=bool(self.standardize),
            objective=float(self.objective),
            mse=self.mse,
            kkt_violation=float(self.kkt_violation),
            kkt_relative=float(self.kkt_relative),
            converged=bool(self.converged),
            n_iter=int(self.n_iter),
            message=self.message,
            df=float(self.df),
            n_nonzero=self.n_nonzero,
        )
        return out

    def __repr__(self) -> str:
        return short_repr("PenalizedResult", {
            "penalty": self.penalty, "lam": self.lam, "l1_ratio": self.l1_ratio, "terms": self.terms,
            "coef": self.coef, "n": self.n, "converged": self.converged, "n_iter": self.n_iter,
            "kkt_violation": self.kkt_violation, "standardize": self.standardize, "message": self.message,
        })

    def _repr_html_(self) -> str:
        """A small HTML table for notebooks (:func:`linreg.report.html_summary`)."""
        from .report import html_summary

        return html_summary(self)


@dataclass(frozen=True, eq=False)
class PenaltyPath:
    """Fits along a decreasing grid of λ, from :func:`penalty_path`.

    Attributes
    ----------
    lams : ndarray, shape (m,)
        Decreasing λ values.
    coef : ndarray, shape (m, k)
        Coefficients in original units, intercept first, one row per λ.
    coef_work : ndarray, shape (m, p)
        Penalized (working) coefficients.
    n_iter : ndarray of int, shape (m,)
    converged : ndarray of bool, shape (m,)
    kkt_violation, objective, mse, df : ndarray, shape (m,)
        As :class:`PenalizedResult` reports them, computed on the working (centred) problem,
        where the intercept's condition holds by construction.
    terms : tuple of str
    l1_ratio : float
    lam_max : float
        Smallest λ with all coefficients zero (α > 0); for ridge, the λ at which the
        leading direction is shrunk to 1% (see :func:`lambda_max`).
    intercept, standardize : bool
    """

    lams: np.ndarray
    coef: np.ndarray
    coef_work: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    kkt_violation: np.ndarray
    objective: np.ndarray
    mse: np.ndarray
    df: np.ndarray
    terms: tuple[str, ...]
    l1_ratio: float
    lam_max: float
    intercept: bool
    standardize: bool

    @cached_property
    def n_nonzero(self) -> np.ndarray:
        """Number of non-zero penalized coefficients at each λ, shape (m,)."""
        return np.count_nonzero(self.coef_work, axis=1)

    @cached_property
    def feature_terms(self) -> tuple[str, ...]:
        """Names of the penalized coefficients (terms without the intercept)."""
        return self.terms[1:] if self.intercept else self.terms

    @cached_property
    def slopes(self) -> np.ndarray:
        """Original-unit coefficients without the intercept, shape (m, p)."""
        return self.coef[:, 1:] if self.intercept else self.coef

    def nearest(self, lam: float) -> int:
        """Index of the grid λ nearest to ``lam`` on the log scale."""
        lam = max(float(lam), 1e-300)
        return int(np.argmin(np.abs(np.log(np.maximum(self.lams, 1e-300)) - math.log(lam))))

    def __repr__(self) -> str:
        return short_repr("PenaltyPath", {
            "l1_ratio": self.l1_ratio, "n_lams": int(self.lams.size), "lams": self.lams, "lam_max": self.lam_max,
            "terms": self.terms, "all_converged": bool(self.converged.all()), "standardize": self.standardize,
        })


@dataclass(frozen=True, eq=False)
class CVResult:
    """k-fold cross-validated test MSE along a λ grid, from :func:`cross_validate`.

    Attributes
    ----------
    lams : ndarray, shape (m,)
        Decreasing λ values.
    fold_mse : ndarray, shape (k, m)
        Test mean squared error of each fold's fit at each λ.
    mse_mean, mse_se : ndarray, shape (m,)
        Mean over folds and its standard error ``sd(ddof=1) / sqrt(k)``.
    index_min, index_1se : int
        Positions of ``lam_min`` and ``lam_1se`` in ``lams``.
    lam_min : float
        λ with the least mean CV error.
    lam_1se : float
        Largest λ whose mean CV error is within one SE of the minimum.
    k, seed : int
    folds : ndarray of int, shape (n,)
        Fold number (0..k-1) of each row.
    l1_ratio : float
    path : PenaltyPath
        The fits on all rows along ``lams``.
    """

    lams: np.ndarray
    fold_mse: np.ndarray
    mse_mean: np.ndarray
    mse_se: np.ndarray
    index_min: int
    index_1se: int
    lam_min: float
    lam_1se: float
    k: int
    seed: int | None
    folds: np.ndarray
    l1_ratio: float
    path: PenaltyPath

    def __repr__(self) -> str:
        return short_repr("CVResult", {
            "k": self.k, "seed": self.seed, "l1_ratio": self.l1_ratio, "n_lams": int(self.lams.size),
            "lam_min": self.lam_min, "lam_1se": self.lam_1se, "mse_min": float(self.mse_mean[self.index_min]),
            "mse_1se": float(self.mse_mean[self.index_1se]),
        })


# =============================================================================
# working design
# =============================================================================
@dataclass(frozen=True, eq=False)
class _Work:
    """Centred (and scaled) problem the solvers see: Z c ≈ yc, penalty on c."""

    Z: np.ndarray  # (n, p)
    yc: np.ndarray  # (n,)
    x_mean: np.ndarray  # (p,)
    x_scale: np.ndarray  # (p,)
    y_mean: float
    n: int

    @cached_property
    def gram(self) -> np.ndarray:
        """(2/N) Z^T Z, the Hessian of the data part."""
        return (2.0 / self.n) * (self.Z.T @ self.Z)

    @cached_property
    def q(self) -> np.ndarray:
        """(2/N) Z^T yc, minus the gradient of the data part at c = 0."""
        return (2.0 / self.n) * (self.Z.T @ self.yc)

    @cached_property
    def compressed(self) -> tuple[np.ndarray, np.ndarray]:
        """(R, Qᵀyc) from one Householder QR of [Z, yc]: Z = QR, so ZᵀZ = RᵀR and Zᵀyc = RᵀQᵀyc.

        Every least-squares quantity of the working problem follows from these
        (at most (p+1) x p) arrays, so solves on the active set cost nothing in n.
        """
        Rf = np.linalg.qr(np.column_stack([self.Z, self.yc]), mode="r")
        p = self.Z.shape[1]
        return Rf[:, :p], Rf[:, p]

    @cached_property
    def svd(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Uᵀyc, s, Vt) of the thin SVD Z = U diag(s) Vt, computed from the small R factor."""
        R, qty = self.compressed
        Ur, s, Vt = np.linalg.svd(R, full_matrices=False)
        return Ur.T @ qty, s, Vt


def _work(X: np.ndarray, y: np.ndarray, intercept: bool, standardize: bool) -> _Work:
    # Centring removes the unpenalized intercept from the problem exactly: for any b the
    # best b0 is mean(y) - mean(X) b, so the remaining problem is in centred data. A
    # constant column keeps scale 1: its coefficient is 0 whatever we divide by.
    Z, x_mean, scale = standardize_columns(X, center=intercept, scale=standardize)
    y_mean = float(y.mean()) if intercept else 0.0
    return _Work(Z=Z, yc=y - y_mean, x_mean=x_mean, x_scale=scale, y_mean=y_mean, n=X.shape[0])


def _to_original(w: _Work, c: np.ndarray, intercept: bool) -> np.ndarray:
    b = c / w.x_scale
    if not intercept:
        return b
    return np.concatenate([[w.y_mean - w.x_mean @ b], b])


# =============================================================================
# validation
# =============================================================================
def _check_lam(lam: object) -> float:
    return check_real("lam", lam, 0.0, hint=" (the penalty weight λ)")


def _check_l1_ratio(l1_ratio: object) -> float:
    return check_real("l1_ratio", l1_ratio, 0.0, 1.0,
                      must="a number in [0, 1] (0 ridge, 1 lasso, between: elastic net)")


def _check_tol_iter(tol: object, max_iter: object) -> tuple[float, int]:
    return (check_real("tol", tol, 0.0, low_open=True, must="a positive number"),
            check_int("max_iter", max_iter, 1, must="a positive integer"))


@dataclass(frozen=True)
class _Options:
    """What fit_penalized, penalty_path and cross_validate all take, checked: α, the model, the stop rule."""

    a: float
    intercept: bool
    standardize: bool
    terms: tuple[str, ...]
    tol: float
    max_iter: int

    def work(self, X: np.ndarray, y: np.ndarray) -> _Work:
        """The working problem of these rows."""
        return _work(X, y, self.intercept, self.standardize)


def _checked(X: object, y: object, l1_ratio: object, intercept: object, standardize: object, terms: object,
             tol: object, max_iter: object) -> tuple[np.ndarray, np.ndarray, _Options]:
    """(X, y, options), each checked once for all three entry points."""
    a = _check_l1_ratio(l1_ratio)
    tol, max_iter = _check_tol_iter(tol, max_iter)
    X, y = _check_xy(X, y, intercept)
    names = term_names(terms, X.shape[1], intercept)
    return X, y, _Options(a, bool(intercept), bool(standardize), names, tol, max_iter)


def _check_xy(X: object, y: object, intercept: bool) -> tuple[np.ndarray, np.ndarray]:
    X, y = as_xy(X, y)
    n, p = X.shape
    if p == 0:
        raise ModelError("X has no columns; choose at least one feature to penalize")
    if n < 2:
        raise ModelError(f"need at least 2 rows to fit; got {n}")
    return X, y


def l1_ratio_for(penalty: Penalty, l1_ratio: float | None = None) -> float:
    """The ``l1_ratio`` (α) of a named penalty, as the CLI's ``--penalty`` gives it.

    ``"ridge"`` is 0 and ``"lasso"`` 1 (``l1_ratio`` must then be None or agree);
    ``"elasticnet"`` needs ``l1_ratio`` (default 0.5).

    Examples
    --------
    >>> l1_ratio_for("ridge"), l1_ratio_for("lasso"), l1_ratio_for("elasticnet", 0.3)
    (0.0, 1.0, 0.3)
    """
    check_option("penalty", penalty, PENALTIES)
    fixed = {"ridge": 0.0, "lasso": 1.0}.get(penalty)
    if fixed is None:
        return _check_l1_ratio(0.5 if l1_ratio is None else l1_ratio)
    if l1_ratio is not None and float(l1_ratio) != fixed:
        raise ModelError(
            f"penalty {penalty!r} means l1_ratio = {fixed:g}; got l1_ratio = {l1_ratio!r}. "
            "Use penalty 'elasticnet' to choose the mix"
        )
    return fixed


# =============================================================================
# objective and optimality
# =============================================================================
def _penalty(c: np.ndarray, lam: float, a: float) -> float:
    return lam * (a * float(np.abs(c).sum()) + (1.0 - a) * float(c @ c))


def _kkt_work(w: _Work, c: np.ndarray, lam: float, a: float, resid: np.ndarray, intercept: bool) -> float:
    """Largest KKT violation in the working parametrisation (see kkt_violation)."""
    g = (2.0 / w.n) * (w.Z.T @ resid)  # (2/N) z_j^T r
    nz = c != 0
    viol = np.empty_like(c)
    viol[nz] = np.abs(g[nz] - lam * (a * np.sign(c[nz]) + 2.0 * (1.0 - a) * c[nz]))
    viol[~nz] = np.maximum(np.abs(g[~nz]) - lam * a, 0.0)
    worst = float(viol.max(initial=0.0))
    if intercept:
        worst = max(worst, abs(2.0 * float(resid.mean())))
    return worst


def kkt_violation(X: object, y: object, result: PenalizedResult) -> float:
    """Largest violation of the optimality (KKT) conditions of the objective, for a fit.

    Parameters
    ----------
    X : array-like, shape (n, p)
    y : array-like, shape (n,)
        The data ``result`` was fitted on.
    result : PenalizedResult

    Returns
    -------
    float
        ``max_j`` of the violations below, in the working parametrisation (standardized
        columns ``z_j`` and coefficients ``c_j`` when ``result.standardize``, else the raw
        columns and coefficients), with ``r = y - b0 - Xb`` the residual.

    Notes
    -----
    The objective is convex, so ``(b0, c)`` is a minimiser exactly when

    - ``(2/N) 1^T r = 0`` (intercept, when fitted);
    - ``(2/N) z_j^T r = λ(α sign(c_j) + 2(1 - α) c_j)`` for ``c_j != 0``;
    - ``|(2/N) z_j^T r| <= λα`` for ``c_j = 0``.

    The violation is the absolute gap in each (0 when satisfied).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 1.0, 2.0, 4.0])
    >>> fit = fit_penalized(X, y, lam=0.1, l1_ratio=1.0)
    >>> kkt_violation(X, y, fit) < 1e-10
    True
    """
    X, y = as_xy(X, y)
    w = _work(X, y, result.intercept, result.standardize)
    resid = y - (result.coef[0] if result.intercept else 0.0) - X @ result.slopes
    c = result.slopes * w.x_scale
    # The exact zeros of coef_work are the ones the conditions treat as zero.
    c = np.where(result.coef_work == 0, 0.0, c)
    return _kkt_work(w, c, result.lam, result.l1_ratio, resid, result.intercept)


def penalty_objective(X: object, y: object, result: PenalizedResult) -> float:
    """The objective ``(1/N)||y - b0 - Xb||^2 + λ(α||c||_1 + (1 - α)||c||_2^2)`` at a fit.

    ``c`` are the penalized (working) coefficients: standardized when ``result.standardize``.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 2.0, 3.0])
    >>> fit = fit_penalized(X, y, lam=0.0, l1_ratio=0.0)
    >>> round(penalty_objective(X, y, fit), 12)
    0.0
    """
    X, y = as_xy(X, y)
    resid = y - (result.coef[0] if result.intercept else 0.0) - X @ result.slopes
    return float(resid @ resid) / len(y) + _penalty(result.coef_work, result.lam, result.l1_ratio)


def lambda_max(X: object, y: object, *, l1_ratio: float, intercept: bool = True, standardize: bool = False) -> float:
    """Top of the λ grid: the smallest λ giving all-zero coefficients (α > 0).

    Parameters
    ----------
    X : array-like, shape (n, p)
    y : array-like, shape (n,)
    l1_ratio : float
        α in [0, 1].
    intercept, standardize : bool

    Returns
    -------
    float
        For α > 0, ``max_j |(2/N) z_j^T (y - ȳ)| / α``. Ridge never zeroes a coefficient,
        so for α = 0 it is ``100 s_1^2 / N`` (``s_1`` the largest singular value of the
        centred design): there the leading direction keeps only 1% of its least-squares
        size (shrink factor ``s^2 / (s^2 + Nλ)``). 0 when y is constant.

    Examples
    --------
    >>> X = np.array([[-1.0], [0.0], [1.0]]); y = np.array([-1.0, 0.0, 1.0])
    >>> lambda_max(X, y, l1_ratio=1.0)
    1.3333333333333333
    """
    a = _check_l1_ratio(l1_ratio)
    X, y = _check_xy(X, y, intercept)
    return _lambda_max(_work(X, y, intercept, standardize), a)


def _lambda_max(w: _Work, a: float) -> float:
    if a > 0:
        return float(np.abs(w.q).max()) / a
    s1 = float(w.svd[1][0]) if w.svd[1].size else 0.0
    return 100.0 * s1 * s1 / w.n


# =============================================================================
# solvers (clean input assumed)
# =============================================================================
def _ridge(w: _Work, lam: float) -> tuple[np.ndarray, float]:
    """Ridge on the working problem from the SVD: c = V diag(s / (s^2 + Nλ)) U^T yc.

    Returns the coefficients and the effective degrees of freedom sum s^2/(s^2 + Nλ).
    """
    uty, s, Vt = w.svd
    shrink_den = s * s + w.n * lam
    # With λ = 0 this is least squares: directions with s ≈ 0 are dropped (minimum-norm
    # solution, as pinv), instead of dividing by round-off.
    keep = s > _RCOND * (s[0] if s.size else 0.0) if lam == 0 else shrink_den > 0
    d = np.zeros_like(s)
    d[keep] = s[keep] / shrink_den[keep]
    c = Vt.T @ (d * uty)
    # One step of iterative refinement against the residual of the normal equations
    # (Zᵀ(yc - Zc) - Nλc = 0) recovers the digits an ill-conditioned Z costs.
    g = w.Z.T @ (w.yc - w.Z @ c) - w.n * lam * c
    inv = np.zeros_like(s)
    inv[keep] = 1.0 / shrink_den[keep]
    c = c + Vt.T @ (inv * (Vt @ g))
    df = float(np.sum((s[keep] ** 2) / shrink_den[keep]))
    return c, df


def _soft(z: float, t: float) -> float:
    return z - t if z > t else z + t if z < -t else 0.0


def _orthant_solve(w: _Work, lam: float, a: float, A: np.ndarray, signs: np.ndarray) -> np.ndarray | None:
    """Minimiser over coefficients A with their signs fixed to ``signs``, or None if singular.

    With the signs fixed the objective is a quadratic, minimised where
    ((2/N) Z_A^T Z_A + 2λ(1-α) I) c_A = (2/N) Z_A^T yc - λα s_A, i.e. Ã^T Ã c_A = rhs with
    Ã = [R_A; sqrt(Nλ(1-α)) I] (R the QR factor of Z, so the cost is independent of n).
    Ã's columns are scaled to unit norm, then Ã = QR and two triangular solves (no inverse).
    """
    R, qty = w.compressed
    RA = R[:, A]
    ridge = math.sqrt(w.n * lam * (1.0 - a))
    At = np.vstack([RA, ridge * np.eye(A.size)]) if ridge > 0 else RA
    D = np.sqrt(np.einsum("ij,ij->j", At, At))
    if At.shape[0] < A.size or np.any(D == 0):
        return None
    rhs = (RA.T @ qty - 0.5 * w.n * lam * a * signs) / D
    T = np.linalg.qr(At / D, mode="r")
    d = np.abs(np.diag(T))
    # The columns are scaled, so this tests conditioning, not units.
    if d.min() <= 1e-12 * d.max():
        return None
    return solve_triangular(T, solve_triangular(T, rhs, trans="T")) / D


def _compressed_objective(w: _Work, lam: float, a: float, c: np.ndarray) -> float:
    """The objective up to a constant: (1/N)||Qᵀyc - Rc||^2 + penalty."""
    R, qty = w.compressed
    r = qty - R @ c
    return float(r @ r) / w.n + _penalty(c, lam, a)


def _active_solve(w: _Work, lam: float, a: float, c: np.ndarray, tol_abs: float) -> np.ndarray | None:
    """Exact minimiser by an active-set (feature-sign) search started at ``c``, or None.

    Each step solves the quadratic on the current active set with its signs fixed
    (:func:`_orthant_solve`), then moves from the current point towards that solution,
    stopping at the best of the solution and the points where a coefficient crosses
    zero (so the objective never increases and the signs stay consistent). When the
    active coefficients are optimal, the inactive coordinate that most violates
    |(2/N) z_j^T r| <= λα joins the set with the sign of its gradient. This is the
    feature-sign search of Lee, Battle, Raina & Ng (2007), extended by the ridge part;
    it ends in finitely many steps, here capped. The caller re-checks the KKT conditions.
    """
    p = c.shape[0]
    x = c.copy()
    signs = np.sign(x)
    for _ in range(10 * p + 10):
        A = np.flatnonzero(signs)
        if A.size:
            sol = _orthant_solve(w, lam, a, A, signs[A])
            if sol is None:
                return None
            xa = x[A]
            if np.all(np.sign(sol) == signs[A]):
                x[A] = sol
            else:
                # Best point on the segment xa -> sol among its end and the zero crossings.
                step = sol - xa
                cross = np.flatnonzero((xa != 0) & (np.sign(sol) != np.sign(xa)))
                best, best_f = None, math.inf
                for t, k in [(1.0, None)] + [(-xa[k] / step[k], k) for k in cross]:
                    cand = x.copy()
                    cand[A] = xa + t * step
                    if k is not None:
                        cand[A[k]] = 0.0  # exactly on the crossing
                    f = _compressed_objective(w, lam, a, cand)
                    if f < best_f:
                        best, best_f = cand, f
                x = best
                # Signs follow the point; a coefficient at zero leaves the set.
                signs = np.sign(x)
                continue
        grad = w.q - w.gram @ x
        excess = np.abs(grad) - lam * a
        excess[A] = -np.inf
        j = int(np.argmax(excess))
        if excess[j] <= tol_abs:
            return x
        signs[j] = np.sign(grad[j])
    return None


def _cd(
    w: _Work, lam: float, a: float, c0: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, int, bool, float]:
    """Cyclic coordinate descent with covariance updates.

    Each coordinate is minimised exactly: c_j = S(ρ_j, λα) / ((2/N)||z_j||^2 + 2λ(1-α)),
    ρ_j = (2/N) z_j^T (r + z_j c_j), S the soft-threshold. Returns (c, sweeps,
    converged, scale) where convergence means both the max coefficient change and the
    KKT violation are below ``tol * scale``.
    """
    G, q = w.gram, w.q
    p = q.shape[0]
    diag = np.diag(G).copy()
    den = diag + 2.0 * lam * (1.0 - a)
    thr = lam * a
    # tol is relative to the size of the gradient at c = 0 (at least 1), so rescaling y
    # does not change when the solver stops.
    scale = max(float(np.abs(q).max(initial=0.0)), 1.0)
    c = c0.copy()
    Gc = G @ c
    prev_signs = None
    # After a failed exact solve, wait twice as many sweeps before the next try, so a
    # hopeless problem does not pay for a solve every sweep.
    next_try, wait = 1, 1
    for sweep in range(1, max_iter + 1):
        max_change = 0.0
        for j in range(p):
            if den[j] <= 0:  # a zero column with no ridge part: its coefficient stays 0
                continue
            old = c[j]
            rho = q[j] - Gc[j] + diag[j] * old
            new = _soft(rho, thr) / den[j]
            if new != old:
                Gc += G[:, j] * (new - old)
                c[j] = new
                max_change = max(max_change, abs(new - old))
        grad = q - Gc  # (2/N) Z^T r
        viol = _kkt_from_grad(c, grad, lam, a)
        cscale = max(float(np.abs(c).max(initial=0.0)), 1.0)
        if max_change <= tol * cscale and viol <= tol * scale:
            return c, sweep, True, scale
        signs = np.sign(c)
        if a > 0 and sweep >= next_try and prev_signs is not None and np.array_equal(signs, prev_signs):
            # The active set and signs have settled: solve for them exactly, then let the
            # next sweep confirm (a wrong guess is simply discarded).
            exact = _active_solve(w, lam, a, c, tol * scale)
            if exact is not None and _kkt_from_grad(exact, q - G @ exact, lam, a) <= tol * scale:
                c = exact
                Gc = G @ c
            else:
                wait *= 2
                next_try = sweep + wait
        prev_signs = signs
    return c, max_iter, False, scale


def _kkt_from_grad(c: np.ndarray, grad: np.ndarray, lam: float, a: float) -> float:
    nz = c != 0
    v1 = np.abs(grad[nz] - lam * (a * np.sign(c[nz]) + 2.0 * (1.0 - a) * c[nz]))
    v0 = np.maximum(np.abs(grad[~nz]) - lam * a, 0.0)
    return float(max(v1.max(initial=0.0), v0.max(initial=0.0)))


def _enet_df(w: _Work, c: np.ndarray, lam: float, a: float) -> float:
    A = np.flatnonzero(c)
    if A.size == 0:
        return 0.0
    # Z = QR with Q's columns orthonormal, so Z[:, A] and R[:, A] have the same singular
    # values: a (p+1) x |A| SVD instead of one over all n rows for every λ.
    s = np.linalg.svd(w.compressed[0][:, A], compute_uv=False)
    den = s * s + w.n * lam * (1.0 - a)
    keep = den > _RCOND * max(float(den.max()), 1e-300)
    return float(np.sum(s[keep] ** 2 / den[keep]))


def _fit_work(w: _Work, lam: float, o: _Options, c0: np.ndarray | None) -> tuple[np.ndarray, int, bool, float]:
    """Solve the working problem: (c, n_iter, converged, df)."""
    a = o.a
    if a == 0:
        c, df = _ridge(w, lam)
        return c, 0, True, df
    p = w.Z.shape[1]
    if lam >= _lambda_max(w, a):
        # Every coefficient is 0 at and above λ_max; no iterations needed.
        return np.zeros(p), 0, True, 0.0
    start = np.zeros(p) if c0 is None else c0
    c, n_iter, ok, _ = _cd(w, lam, a, start, o.tol, o.max_iter)
    df = float(np.count_nonzero(c)) if a == 1 else _enet_df(w, c, lam, a)
    return c, n_iter, ok, df


def _result(X: np.ndarray, y: np.ndarray, w: _Work, c: np.ndarray, o: _Options, *, lam: float, n_iter: int,
            converged: bool, df: float) -> PenalizedResult:
    a, intercept, tol, max_iter = o.a, o.intercept, o.tol, o.max_iter
    coef = _to_original(w, c, intercept)
    fitted = (coef[0] if intercept else 0.0) + X @ (coef[1:] if intercept else coef)
    resid = y - fitted
    kkt = _kkt_work(w, c, lam, a, resid, intercept)
    objective = float(resid @ resid) / w.n + _penalty(c, lam, a)
    kscale = float(np.abs(w.q).max(initial=0.0))
    if a == 0:
        message = f"Ridge solved in closed form (SVD); KKT violation {kkt:.1e}."
    elif converged:
        message = f"Coordinate descent converged in {n_iter} sweeps; KKT violation {kkt:.1e}."
    else:
        message = (
            f"Coordinate descent stopped after max_iter = {max_iter} sweeps without converging "
            f"(relative KKT violation {kkt / max(1.0, kscale):.1e}, tol = {tol:g}); raise max_iter, loosen tol, "
            "or standardize correlated features."
        )
    return PenalizedResult(
        coef=coef, terms=o.terms, lam=lam, l1_ratio=a, intercept=intercept, standardize=o.standardize,
        n_iter=n_iter, converged=converged, message=message, objective=objective, kkt_violation=kkt,
        kkt_scale=kscale,
        coef_work=c, x_mean=w.x_mean, x_scale=w.x_scale, fitted=fitted, resid=resid, y=y, df=df, tol=tol,
    )


# =============================================================================
# public entry points
# =============================================================================
def fit_penalized(
    X: object, y: object, *,
    lam: float, l1_ratio: float = 1.0,
    intercept: bool = True, standardize: bool = False, terms: Sequence[str] | None = None,
    tol: float = 1e-10, max_iter: int = _MAX_ITER,
) -> PenalizedResult:
    """Fit ridge, lasso or elastic net: minimise the penalized least-squares objective.

    Parameters
    ----------
    X, y : array-like, shapes (n_samples, n_features) and (n_samples,)
        Built numeric features without a column of ones, and the response, as for
        :func:`linreg.ols.fit_ols`.
    lam : float
        λ >= 0, the penalty weight.
    l1_ratio : float, default 1.0
        α in [0, 1]: 0 ridge (closed form), 1 lasso, between: elastic net.
    intercept : bool, default True
        Fit an unpenalized intercept (term "Intercept").
    standardize : bool, default False
        Penalize the coefficients of standardized columns ``(x - mean) / sd`` (population
        SD); the result is reported in original units.
    terms : sequence of str, optional
        Names of X's columns (default x1..xp).
    tol : float, default 1e-10
        Coordinate descent stops when the largest coefficient change (relative to
        max(1, max|c|)) and the KKT violation (relative to max(1, max|(2/N) Z^T y|)) are
        below ``tol``.
    max_iter : int, default 10000
        Most coordinate-descent sweeps.

    Returns
    -------
    PenalizedResult

    Raises
    ------
    ModelError
        ``lam`` < 0 or not finite, ``l1_ratio`` outside [0, 1], bad ``tol``/``max_iter``/
        ``terms``, no columns, fewer than 2 rows.
    DataError
        X or y not numeric, mismatched, or with NaN/inf.

    Notes
    -----
    Objective: ``L(b0, b) = (1/N)||y - b0 - Xb||^2 + λ(α||b||_1 + (1 - α)||b||_2^2)``.
    The intercept is removed by centring (``b0 = ȳ - x̄ᵀb``). Ridge is
    ``c = V diag(s/(s^2 + Nλ)) Uᵀ y_c`` from the SVD ``Z = U diag(s) Vᵀ``. Coordinate
    descent updates ``c_j = S(ρ_j, λα) / ((2/N)||z_j||^2 + 2λ(1 - α))`` with
    ``S(z, t) = sign(z) max(|z| - t, 0)``. Non-convergence is reported in ``converged``
    and ``message``, not raised.

    Examples
    --------
    >>> X = np.array([[-1.0], [0.0], [1.0]]); y = np.array([-1.0, 0.0, 1.0])
    >>> fit_penalized(X, y, lam=0.5, l1_ratio=1.0).coef   # b = 1 - λ/(2 * 2/3)
    array([0.   , 0.625])
    >>> fit_penalized(X, y, lam=0.5, l1_ratio=0.0).coef   # b = 1 / (1 + 3λ/2)
    array([0.        , 0.57142857])
    """
    lam = _check_lam(lam)
    X, y, o = _checked(X, y, l1_ratio, intercept, standardize, terms, tol, max_iter)
    w = o.work(X, y)
    c, n_iter, ok, df = _fit_work(w, lam, o, None)
    return _result(X, y, w, c, o, lam=lam, n_iter=n_iter, converged=ok, df=df)


def _grid(w: _Work, a: float, lams: object, n_lams: object, lam_min_ratio: object) -> tuple[np.ndarray, float]:
    lmax = _lambda_max(w, a)
    if lams is not None:
        grid = np.asarray(lams, dtype=np.float64).ravel()
        if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
            raise ModelError("lams must be a non-empty sequence of finite numbers >= 0")
        return np.sort(grid)[::-1].copy(), lmax
    check_int("n_lams", n_lams, 2, must="an integer >= 2")
    n, p = w.Z.shape
    if lam_min_ratio is None:
        # glmnet's defaults for the lasso; ridge's useful range is wider (shrink factors
        # of the leading direction from 1% to ~100%).
        lam_min_ratio = 1e-6 if a == 0 else (1e-4 if n > p else 1e-2)
    check_real("lam_min_ratio", lam_min_ratio, 0.0, 1.0, low_open=True, high_open=True, must="in (0, 1)")
    if lmax <= 0:
        raise ModelError(
            "y is constant (or X has no variation), so every λ gives the same fit; there is no path to draw"
        )
    return np.geomspace(lmax, lmax * float(lam_min_ratio), int(n_lams)), lmax


def penalty_path(
    X: object, y: object, *,
    l1_ratio: float, lams: object = None, n_lams: int = 50, lam_min_ratio: float | None = None,
    intercept: bool = True, standardize: bool = False, terms: Sequence[str] | None = None,
    tol: float = 1e-10, max_iter: int = _MAX_ITER,
    should_stop: StopHook = None, progress: ProgressHook = None,
) -> PenaltyPath:
    """Fits along a decreasing grid of λ, each warm-started from the previous one.

    Parameters
    ----------
    X, y, l1_ratio, intercept, standardize, terms, tol, max_iter
        As for :func:`fit_penalized` (``l1_ratio`` has no default here).
    lams : array-like, shape (m,), optional
        λ values (sorted decreasing). Default: ``n_lams`` values log-spaced from
        :func:`lambda_max` down to ``lam_min_ratio`` times it.
    n_lams : int, default 50
    lam_min_ratio : float, optional
        Default 1e-4 (1e-2 when n <= p) for α > 0, 1e-6 for ridge.
    should_stop, progress : callable, optional
        Asked before each λ: ``should_stop()`` returning True raises
        :class:`linreg.exceptions.Cancelled`, ``progress(fraction)`` is given the share of the grid done
        (and 1.0 at the end).

    Returns
    -------
    PenaltyPath

    Raises
    ------
    ModelError
        As :func:`fit_penalized`, bad ``lams``/``n_lams``/``lam_min_ratio``, or a constant y
        with the default grid.
    Cancelled
        ``should_stop()`` returned True.

    Notes
    -----
    For α > 0, ``λ_max = max_j |(2/N) z_jᵀ(y - ȳ)| / α`` is the smallest λ at which 0 satisfies
    the KKT conditions. Ridge coefficients for the whole grid come from one SVD.

    Examples
    --------
    >>> X = np.array([[-1.0], [0.0], [1.0]]); y = np.array([-1.0, 0.0, 1.0])
    >>> path = penalty_path(X, y, l1_ratio=1.0, n_lams=3, lam_min_ratio=0.25)
    >>> path.lams.round(4).tolist(), path.coef[:, 1].round(4).tolist()
    ([1.3333, 0.6667, 0.3333], [0.0, 0.5, 0.75])
    """
    check_hooks(should_stop, progress)
    X, y, o = _checked(X, y, l1_ratio, intercept, standardize, terms, tol, max_iter)
    w = o.work(X, y)
    grid, lmax = _grid(w, o.a, lams, n_lams, lam_min_ratio)

    def tick(i: int) -> None:
        checkpoint(should_stop, progress, i / grid.size, f"the penalty path had fitted {i} of {grid.size} λ values")

    path = _path_on(w, o, grid, lmax, tick)
    if progress is not None:
        progress(1.0)
    return path


def _path_on(w: _Work, o: _Options, grid: np.ndarray, lmax: float, tick: Callable[[int], None]) -> PenaltyPath:
    """The fits along ``grid`` on one working problem; ``tick(i)`` before the i-th λ."""
    m, p = grid.size, w.Z.shape[1]
    coef = np.empty((m, p + int(o.intercept)))
    cw = np.empty((m, p))
    n_iter = np.zeros(m, dtype=int)
    conv = np.ones(m, dtype=bool)
    kkt, obj, mse, df = (np.empty(m) for _ in range(4))
    c = None
    for i, lam in enumerate(grid):
        tick(i)
        c, it, ok, d = _fit_work(w, float(lam), o, c)
        coef[i], cw[i], n_iter[i], conv[i], df[i] = _to_original(w, c, o.intercept), c, it, ok, d
        kkt[i], obj[i], mse[i] = _path_stats(w, c, float(lam), o.a)
    return PenaltyPath(lams=grid, coef=coef, coef_work=cw, n_iter=n_iter, converged=conv, kkt_violation=kkt,
                       objective=obj, mse=mse, df=df, terms=o.terms, l1_ratio=o.a, lam_max=lmax,
                       intercept=o.intercept, standardize=o.standardize)


def _path_stats(w: _Work, c: np.ndarray, lam: float, a: float) -> tuple[float, float, float]:
    """(KKT violation, objective, MSE) of the working solution ``c``, with no pass over the rows.

    [Z, yc] = Q Rf with Q's columns orthonormal, so the residual r = yc - Zc has
    Qᵀr = Rf[:, p] - Rf[:, :p] c, its norm is that vector's, and Zᵀr = Rf[:, :p]ᵀ Qᵀr:
    a (p+1)-vector instead of n rows, for every λ of a path (and of each CV fold).
    """
    R, qty = w.compressed
    qr = qty - R @ c
    mse = float(qr @ qr) / w.n
    grad = (2.0 / w.n) * (R.T @ qr)
    return _kkt_from_grad(c, grad, lam, a), mse + _penalty(c, lam, a), mse


def cross_validate(
    X: object, y: object, *,
    k: int = 5, seed: int | None = 0,
    l1_ratio: float, lams: object = None, n_lams: int = 50, lam_min_ratio: float | None = None,
    intercept: bool = True, standardize: bool = False, terms: Sequence[str] | None = None,
    tol: float = 1e-10, max_iter: int = _MAX_ITER,
    should_stop: StopHook = None, progress: ProgressHook = None,
) -> CVResult:
    """Seeded k-fold cross-validation of the test MSE along a λ grid.

    Parameters
    ----------
    k : int, default 5
        Number of folds, 2 <= k <= n.
    seed : int or None, default 0
        Seed of the random split of rows into folds.
    X, y, l1_ratio, lams, n_lams, lam_min_ratio, intercept, standardize, terms, tol, max_iter
        As for :func:`penalty_path`; every fold uses the grid of the full rows.
    should_stop, progress : callable, optional
        As for :func:`penalty_path`, asked before each λ of the full path and of every
        fold; the fraction counts all ``(k + 1) * m`` fits.

    Returns
    -------
    CVResult

    Raises
    ------
    ModelError
        Bad ``k`` (or a fold too small to fit), and as :func:`penalty_path`.
    Cancelled
        ``should_stop()`` returned True.

    Notes
    -----
    Rows are shuffled with ``numpy.random.default_rng(seed)`` and cut into k folds of
    sizes differing by at most one. Each fold's path is fitted on the other rows (with
    their own centring and standardization) and scored by the mean squared error on the
    fold. ``mse_mean`` is the plain mean over folds and ``mse_se = sd(ddof=1)/sqrt(k)``.
    ``λ_min = argmin mse_mean``; ``λ_1se`` is the largest λ with
    ``mse_mean <= mse_mean[λ_min] + mse_se[λ_min]``.

    Examples
    --------
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(40, 3))
    >>> y = X @ [1.0, 0.0, -1.0] + rng.normal(size=40)
    >>> cv = cross_validate(X, y, l1_ratio=1.0, n_lams=10, k=4)
    >>> bool(cv.lam_1se >= cv.lam_min), cv.fold_mse.shape
    (True, (4, 10))
    """
    check_hooks(should_stop, progress)
    X, y, o = _checked(X, y, l1_ratio, intercept, standardize, terms, tol, max_iter)
    n = X.shape[0]
    k = check_int("k (number of folds)", k, 2, n, must=f"an integer from 2 to n = {n}")
    if n - math.ceil(n / k) < 2:
        raise ModelError(f"with n = {n} rows and k = {k} folds a training set has fewer than 2 rows; use fewer folds")
    w = o.work(X, y)
    grid, lmax = _grid(w, o.a, lams, n_lams, lam_min_ratio)

    def ticker(path: int) -> Callable[[int], None]:
        def tick(i: int) -> None:
            done = path * grid.size + i
            checkpoint(should_stop, progress, done / ((k + 1) * grid.size),
                       f"cross-validation had made {done} of {(k + 1) * grid.size} fits")
        return tick

    full = _path_on(w, o, grid, lmax, ticker(0))

    rng = np.random.default_rng(seed)
    folds = np.empty(n, dtype=int)
    folds[rng.permutation(n)] = np.arange(n) % k
    fold_mse = np.empty((k, grid.size))
    for f in range(k):
        test = folds == f
        wf = o.work(X[~test], y[~test])
        pf = _path_on(wf, o, grid, _lambda_max(wf, o.a), ticker(f + 1))
        pred = (pf.coef[:, :1].T if o.intercept else 0.0) + X[test] @ pf.slopes.T  # (n_test, m)
        fold_mse[f] = np.mean((y[test][:, None] - pred) ** 2, axis=0)
    mean = fold_mse.mean(axis=0)
    se = fold_mse.std(axis=0, ddof=1) / math.sqrt(k)
    i_min = int(np.argmin(mean))
    # lams decrease, so the first index within one SE is the largest such λ.
    i_1se = int(np.flatnonzero(mean <= mean[i_min] + se[i_min])[0])
    if progress is not None:
        progress(1.0)
    return CVResult(lams=grid, fold_mse=fold_mse, mse_mean=mean, mse_se=se, index_min=i_min, index_1se=i_1se,
                    lam_min=float(grid[i_min]), lam_1se=float(grid[i_1se]), k=k, seed=seed, folds=folds,
                    l1_ratio=o.a, path=full)
