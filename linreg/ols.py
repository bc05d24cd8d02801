"""Ordinary least squares by a stable closed form, with full inference.

The coefficients never come from inverting ``X^T X``:

- ``method="qr"`` (default): Householder QR of the design with its columns
  scaled to unit norm (by powers of two, so the scaling is exact).

  - Small problems (n k <= PRECISE_SIZE) and large very ill-conditioned ones:
    Householder in extended precision (``np.longdouble``) with R's limited
    pivoting, then iterative refinement with longdouble residuals.
  - Large well-conditioned problems (scaled condition number <= PRECISE_COND
    after shifting offset columns): CholeskyQR2 in three blocked passes over the
    rows (matrix-matrix products only; the design with its ones column and Q are
    never held in memory), as accurate as Householder at that conditioning.
  - Other large problems: LAPACK Householder in float64 on [Z/D, y] (Q is never
    formed); when the scaled condition number exceeds PRECISE_COND, refined
    with longdouble residuals (corrected semi-normal equations).
- ``method="svd"``: singular value decomposition with a relative cut-off.
- ``method="normal"``: the normal equations ``X^T X w = X^T y`` by Cholesky, kept
  as a teaching contrast: they square the condition number, and the result
  says how many digits that costs.

Aliased (linearly dependent) columns are found by Householder QR with R's
limited pivoting: a column whose part orthogonal to the *earlier* kept columns is
negligible is aliased, so the earlier of two collinear columns is kept.
"""

from __future__ import annotations

import functools
import math
import os
import threading
import warnings as _warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import scipy.linalg
from scipy import stats

from ._validation import as_xy, check_option
from .exceptions import DataError, ModelError, RankDeficiencyWarning

__all__ = ["Method", "METHODS", "Basis", "OLSResult", "fit_ols"]

Method = Literal["qr", "svd", "normal"]
METHODS: tuple[str, ...] = ("qr", "svd", "normal")

# A scaled (unit-norm) column whose part orthogonal to the earlier kept columns has
# a norm below this is aliased. R's lm uses 1e-7, which drops a genuine column of
# NIST Filip and x^3 next to x, x^2 for x in [1000, 1001] (a real 1e-10 component);
# float64 rounding of an exactly dependent column leaves ~1e-16, which the decision,
# made in extended precision, sees as such.
ALIAS_TOL = 1e-13
# Above this condition number (of the column-scaled working design) the float64
# solution may lose more than ~4 digits, so we re-solve in extended precision.
PRECISE_COND = 1e4
# Problems this small (n * k) are always solved in extended precision: it costs
# milliseconds and gives the last digits for free.
PRECISE_SIZE = 100_000
# Large problems up to this scaled condition number stay on float64 Householder,
# refined with extended-precision residuals (corrected semi-normal equations,
# which converge while cond^2 * eps < 1); beyond it the slow extended-precision
# Householder takes over.
REFINE_COND = 1e7
# Rounds of iterative refinement with extended-precision residuals.
REFINE_ROUNDS = 3
# CholeskyQR2 (large, well-conditioned designs): rows per block (a (CHUNK, k)
# buffer stays in cache) and worker threads. ||Q1^T Q1 - I|| is ~cond^2 eps <= 1e-8
# when it applies (CholeskyQR2 still works up to ~0.1), and |trace(Q^T Q) - k| ~ 1e-14
# for the final Q: far above these tolerances something went wrong, and Householder
# takes over.
_CHUNK = 1 << 14
_WORKERS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)))
ORTHO_TOL = 1e-4
TRACE_TOL = 1e-8
# Scaled condition number above which we warn about near-collinearity.
COLLINEAR_COND = 1e8

_LD = np.longdouble


@dataclass(frozen=True, eq=False)
class Basis:
    """A well-conditioned re-parametrisation of the design, used by :func:`fit_ols`.

    The fit is done on ``Z`` and mapped back: the coefficients of the original
    design are ``coef = M @ gamma`` and their covariance ``M Cov(gamma) M^T``,
    where ``gamma`` are the coefficients on ``Z``. ``Z`` must span the same
    column space as the original design, column by column in the same order
    (``Z[:, :j]`` spans ``X1[:, :j]``), so that aliasing decisions agree.

    Attributes
    ----------
    Z : ndarray of float64 or longdouble, shape (n_samples, k)
        Working design, including the ones column first when there is an intercept.
        Give it in longdouble when it is computed (not measured): rounding it to
        float64 perturbs the column space by ~1e-16, which the map ``M`` can
        amplify by its cancellation (NIST Wampler: 1e6).
    M : ndarray, shape (k, k)
        Map from working coefficients to original coefficients: float/longdouble,
        or object dtype holding ``fractions.Fraction`` to apply the map exactly
        (the working coefficients, in longdouble, are converted exactly and the
        result rounded once).
    """

    Z: np.ndarray
    M: np.ndarray


@dataclass(frozen=True, eq=False)
class _Solve:
    """What a solver returns, in the working parametrisation (float64 or longdouble)."""

    coef: np.ndarray  # (r,) kept columns only
    cov_unscaled: np.ndarray  # (r, r) (Z^T Z)^{-1} on the kept columns
    fitted: np.ndarray  # (n,)
    resid: np.ndarray  # (n,)
    leverage: np.ndarray  # (n,)
    kept: np.ndarray  # (r,) indices of kept columns
    cond_scaled: float  # condition number of the column-scaled kept working design
    r_factor: np.ndarray  # (r, r) with the singular values of the unscaled kept working design


@dataclass(frozen=True, eq=False)
class OLSResult:
    """Result of :func:`fit_ols`. Attribute names are the JSON keys of :meth:`to_dict`.

    Per-term arrays have shape (k,), ``k`` = number of terms including the
    intercept; aliased terms hold NaN. Per-observation arrays have shape (n,).
    """

    terms: tuple[str, ...]
    coef: np.ndarray
    std_err: np.ndarray
    cov_params: np.ndarray
    sigma: float
    rss: float
    tss: float
    r_squared: float
    f_statistic: float
    df_model: int
    df_resid: int
    n: int
    rank: int
    aliased: tuple[str, ...]
    condition_number: float
    method: str
    alpha: float
    fitted: np.ndarray
    resid: np.ndarray
    leverage: np.ndarray
    # The features as given (n, p), without the ones column: ``X`` is built from
    # them on first use, so a large fit does not hold a second copy of the data.
    features: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    intercept: bool = True
    warnings: tuple[str, ...] = field(default=())

    @cached_property
    def X(self) -> np.ndarray:
        """Design matrix (n, k): the ones column first when there is an intercept, then the features."""
        return _with_ones(self.features, self.intercept)

    # ---- per term -------------------------------------------------------------
    @cached_property
    def t(self) -> np.ndarray:
        """t statistic coef / std_err (+-inf for a nonzero coefficient of an exact fit)."""
        return _safe_ratio(self.coef, self.std_err)

    @cached_property
    def p_value(self) -> np.ndarray:
        """Two-sided p-value of t on df_resid degrees of freedom (0 when |t| is infinite)."""
        return 2.0 * stats.t.sf(np.abs(self.t), self.df_resid)

    @cached_property
    def _t_crit(self) -> float:
        return float(stats.t.ppf(1.0 - self.alpha / 2.0, self.df_resid))

    @cached_property
    def ci_low(self) -> np.ndarray:
        """Lower end of the (1 - alpha) confidence interval: coef - t_crit * std_err."""
        return self.coef - self._t_crit * self.std_err

    @cached_property
    def ci_high(self) -> np.ndarray:
        """Upper end of the (1 - alpha) confidence interval: coef + t_crit * std_err."""
        return self.coef + self._t_crit * self.std_err

    # ---- fit statistics -------------------------------------------------------
    @cached_property
    def adj_r_squared(self) -> float:
        """1 - (1 - R^2) (n - intercept) / df_resid (uncentred R^2 without intercept)."""
        return 1.0 - (1.0 - self.r_squared) * (self.n - int(self.intercept)) / self.df_resid

    @cached_property
    def f_p_value(self) -> float:
        """P(F(df_model, df_resid) > f_statistic); NaN when there is no model term."""
        if self.df_model == 0 or math.isnan(self.f_statistic):
            return math.nan
        return float(stats.f.sf(self.f_statistic, self.df_model, self.df_resid))

    @cached_property
    def log_likelihood(self) -> float:
        """Gaussian log-likelihood at the MLE: -n/2 (log(2 pi) + log(RSS/n) + 1)."""
        if self.rss <= 0.0:
            return math.inf
        return -self.n / 2.0 * (math.log(2.0 * math.pi) + math.log(self.rss / self.n) + 1.0)

    @cached_property
    def aic(self) -> float:
        """-2 log-likelihood + 2 rank (statsmodels' convention: sigma is not counted)."""
        return -2.0 * self.log_likelihood + 2.0 * self.rank

    @cached_property
    def bic(self) -> float:
        """-2 log-likelihood + log(n) rank (statsmodels' convention)."""
        return -2.0 * self.log_likelihood + math.log(self.n) * self.rank

    # ---- per observation ------------------------------------------------------
    @cached_property
    def _one_minus_h(self) -> np.ndarray:
        """1 - leverage, shared by the per-observation statistics below."""
        return 1.0 - self.leverage

    def _nan_where_h_is_one(self, out: np.ndarray) -> np.ndarray:
        # h_i = 1: the fit passes through row i, whose residual then says nothing.
        bad = self._one_minus_h <= 0.0
        if bad.any():
            out[bad] = np.nan
        return out

    @cached_property
    def standardized_resid(self) -> np.ndarray:
        """Internally studentized residuals e_i / (sigma sqrt(1 - h_i)) (R's rstandard)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.sqrt(self._one_minus_h)
            out *= self.sigma
            np.divide(self.resid, out, out=out)
        return self._nan_where_h_is_one(out)

    @cached_property
    def studentized_resid(self) -> np.ndarray:
        """Externally studentized residuals e_i / (sigma_(i) sqrt(1 - h_i)) (R's rstudent).

        sigma_(i)^2 = (RSS - e_i^2 / (1 - h_i)) / (df_resid - 1) is the residual
        variance with observation i left out. NaN when df_resid == 1 or h_i == 1.
        """
        if self.df_resid <= 1:
            return np.full(self.n, np.nan)
        one_minus_h = self._one_minus_h
        with np.errstate(divide="ignore", invalid="ignore"):
            # Same formula as above, in place: one n-vector instead of five.
            out = np.square(self.resid)
            out /= one_minus_h
            np.subtract(self.rss, out, out=out)
            out /= self.df_resid - 1
            np.maximum(out, 0.0, out=out)
            out *= one_minus_h
            np.sqrt(out, out=out)
            np.divide(self.resid, out, out=out)
        return self._nan_where_h_is_one(out)

    @cached_property
    def cooks_distance(self) -> np.ndarray:
        """Cook's distance e_i^2 h_i / (rank sigma^2 (1 - h_i)^2)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.square(self.resid)
            out *= self.leverage
            out /= np.square(self._one_minus_h)
            out /= self.rank * np.float64(self.sigma) ** 2
        return self._nan_where_h_is_one(out)

    # ---- use ------------------------------------------------------------------
    def _design_new(self, X_new: object) -> np.ndarray:
        X_new = np.asarray(X_new, dtype=np.float64)
        if X_new.ndim == 1:
            X_new = X_new[:, None] if self.X.shape[1] - int(self.intercept) == 1 else X_new[None, :]
        p = self.X.shape[1] - int(self.intercept)
        if X_new.ndim != 2 or X_new.shape[1] != p:
            raise DataError(f"X_new must have {p} columns (the features, without a ones column); got shape {X_new.shape}")
        if self.intercept:
            X_new = np.column_stack([np.ones(X_new.shape[0]), X_new])
        return X_new

    def predict(self, X_new: object) -> np.ndarray:
        """Predicted values for new rows of built features.

        Parameters
        ----------
        X_new : array-like, shape (m, p)
            Features without the ones column, as passed to :func:`fit_ols`.

        Returns
        -------
        ndarray, shape (m,)
            ``X1_new @ coef``; aliased terms count as 0 (as R's predict does).
        """
        return self._design_new(X_new) @ np.nan_to_num(self.coef, nan=0.0)

    def interval(self, X_new: object, kind: Literal["confidence", "prediction"] = "confidence") -> tuple[np.ndarray, np.ndarray]:
        """Confidence interval of the mean, or prediction interval of a new observation.

        Parameters
        ----------
        X_new : array-like, shape (m, p)
        kind : {"confidence", "prediction"}

        Returns
        -------
        low, high : ndarray, shape (m,)
            ``yhat -+ t_crit * se`` at level 1 - alpha, with ``se^2 = x0^T Cov x0``
            (plus ``sigma^2`` for a prediction interval).
        """
        check_option("kind", kind, ("confidence", "prediction"))
        X1 = self._design_new(X_new)
        ok = ~np.isnan(self.coef)
        Xk = X1[:, ok]
        cov = self.cov_params[np.ix_(ok, ok)]
        var = np.einsum("ij,jk,ik->i", Xk, cov, Xk)
        if kind == "prediction":
            var = var + np.float64(self.sigma) ** 2
        yhat = Xk @ self.coef[ok]
        half = self._t_crit * np.sqrt(np.maximum(var, 0.0))
        return yhat - half, yhat + half

    def to_dict(self) -> dict:
        """JSON-safe summary (NaN and inf become None; arrays become lists).

        Per-observation arrays are left out; read them from the attributes.
        """
        out: dict = {"terms": list(self.terms)}
        for key in ("coef", "std_err", "t", "p_value", "ci_low", "ci_high"):
            out[key] = [_json_float(v) for v in getattr(self, key)]
        for key in ("sigma", "r_squared", "adj_r_squared", "f_statistic", "f_p_value"):
            out[key] = _json_float(getattr(self, key))
        for key in ("df_model", "df_resid", "n", "rank"):
            out[key] = int(getattr(self, key))
        out["aliased"] = list(self.aliased)
        for key in ("condition_number", "log_likelihood", "aic", "bic", "rss"):
            out[key] = _json_float(getattr(self, key))
        out["method"] = self.method
        out["alpha"] = float(self.alpha)
        out["intercept"] = bool(self.intercept)
        out["warnings"] = list(self.warnings)
        return out


def _json_float(v: object) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _safe_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, with +-inf for a != 0 and b == 0 and NaN for 0/0 (exact fits)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(a, dtype=np.float64) / np.asarray(b, dtype=np.float64)


# =============================================================================
# public entry point
# =============================================================================
def fit_ols(
    X: object,
    y: object,
    *,
    intercept: bool = True,
    method: Method = "qr",
    alpha: float = 0.05,
    terms: tuple[str, ...] | list[str] | None = None,
    basis: Basis | None = None,
) -> OLSResult:
    """Fit y = X1 w + e by ordinary least squares, with full inference.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features)
        Built numeric features, without a column of ones.
    y : array-like, shape (n_samples,)
    intercept : bool, default True
        Prepend a column of ones (term "Intercept").
    method : {"qr", "svd", "normal"}, default "qr"
    alpha : float, default 0.05
        Confidence intervals are at level 1 - alpha.
    terms : sequence of str, optional
        Names of X's columns (default: a DataFrame's column names, else "x1", ..., "xp").
    basis : Basis, optional
        A well-conditioned re-parametrisation of the same column space (given by
        :func:`linreg.design.build_design` for polynomial terms). Used by "qr" and
        "svd"; "normal" always works on the raw design, which is its point.

    Returns
    -------
    OLSResult

    Raises
    ------
    DataError
        Non-numeric, non-finite or mismatched inputs.
    ModelError
        Bad option, or no residual degrees of freedom (n <= number of parameters).

    Warns
    -----
    RankDeficiencyWarning
        When some terms are aliased (linear combinations of earlier ones).

    Notes
    -----
    With X1 = [1, X] and its thin QR factorisation X1 = QR,

    - coef = R^{-1} Q^T y, fitted = X1 coef, resid = y - fitted;
    - sigma^2 = RSS / (n - rank), Cov(coef) = sigma^2 R^{-1} R^{-T};
    - leverage h_i = sum_j Q_ij^2 (the diagonal of the hat matrix, which is never formed);
    - R^2 = 1 - RSS/TSS with TSS = sum (y - ybar)^2, or sum y^2 without intercept;
    - F = ((TSS - RSS) / df_model) / (RSS / df_resid).

    For an exact fit (RSS = 0) the standard errors are 0, t is +-inf (NaN for a
    zero coefficient), p-values 0 and F infinite; ``warnings`` says so.

    Examples
    --------
    >>> res = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0])
    >>> res.terms
    ('Intercept', 'x1')
    >>> res.coef.round(12).tolist()
    [0.8, 2.3]
    >>> round(res.rss, 12), res.df_resid
    (0.3, 2)
    """
    check_option("method", method, METHODS)
    if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0):
        raise ModelError(f"alpha must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}")
    names = getattr(X, "columns", None)  # a DataFrame names its own columns
    X, y = as_xy(X, y)
    n, p = X.shape
    _check_magnitude(X, y)
    if terms is None:
        terms = tuple(str(c) for c in names) if names is not None and len(names) == p else tuple(f"x{j + 1}" for j in range(p))
    terms = tuple(str(t) for t in terms)
    if len(terms) != p:
        raise ModelError(f"terms names {len(terms)} columns but X has {p}; give one name per column")
    all_terms = (("Intercept",) if intercept else ()) + terms
    k = p + int(intercept)
    if k == 0:
        raise ModelError("the model has no terms: give at least one feature or keep the intercept")
    if n <= k:
        raise ModelError(
            f"only n={n} rows for k={k} parameters: least squares needs more rows than parameters "
            "(n > k) to leave residual degrees of freedom; add rows or drop terms"
        )
    Z, M = None, None  # Z None: the working design is the design X1 itself
    if basis is not None and method != "normal":
        Z = np.asarray(basis.Z)
        if Z.dtype != _LD:
            Z = np.asarray(Z, dtype=np.float64)  # no copy when it already is float64
        if Z.shape != (n, k):
            raise ModelError(f"basis.Z has shape {Z.shape} but the design has shape {(n, k)}")
        M = np.asarray(basis.M)
        if M.dtype != object:
            M = M.astype(_LD)
        if M.shape != (k, k):
            raise ModelError(f"basis.M has shape {M.shape}; expected {(k, k)}")

    sol, X1 = None, None
    if method == "qr" and n * k > PRECISE_SIZE:
        # Large and (checked inside) well conditioned: CholeskyQR2 in a few
        # passes over the rows, without building the design with its ones column.
        if Z is None:
            sol = _solve_cholqr2(X, y, intercept=intercept)
        elif Z.dtype == np.float64:
            sol = _solve_cholqr2(Z, y, intercept=False)
    if sol is None:
        X1 = _with_ones(X, intercept)
        if method == "normal":
            sol = _solve_normal(X1, y)
        else:
            solve = _solve_svd if method == "svd" else _solve_qr
            sol = solve(X1 if Z is None else Z, y)
            if M is not None and len(sol.kept) < k:
                # Dropping a column of the working basis is not dropping the same raw
                # column; with aliasing, fit the raw design (its own aliasing decides).
                M = None
                sol = solve(X1, y)

    res = _assemble(X, y, all_terms, sol, M, method=method, alpha=float(alpha), intercept=bool(intercept))
    if X1 is not None:
        res.__dict__["X"] = X1  # already built: fill the cached property rather than build it again
    return res


def _with_ones(X: np.ndarray, intercept: bool) -> np.ndarray:
    """[1, X] (n, p + 1) with a ones column first when ``intercept``, else X itself."""
    if not intercept:
        return X
    X1 = np.empty((X.shape[0], X.shape[1] + 1))
    X1[:, 0] = 1.0
    X1[:, 1:] = X
    return X1


# =============================================================================
# solvers
# =============================================================================
def _pow2_scale(A: np.ndarray) -> np.ndarray:
    """Column scales that are powers of two near each column's norm (exact to apply).

    A column beyond ~1e154 (its squares overflow) or below ~1e-154 (they underflow)
    gets its norm from the column divided by its largest magnitude, so 1e300 and
    1e-300 columns are scaled like any other instead of looking infinite or zero.
    """
    with np.errstate(over="ignore", under="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->j", A, A)).astype(np.float64)
    log2 = np.zeros(len(norms))
    ok = np.isfinite(norms) & (norms > 1e-150)
    log2[ok] = np.log2(norms[ok])
    for j in np.nonzero(~ok)[0]:
        col = np.asarray(A[:, j], dtype=np.float64)
        big = float(np.max(np.abs(col))) if len(col) else 0.0
        if big > 0:
            log2[j] = math.log2(big) + 0.5 * math.log2(float(np.sum(np.square(col / big))))
    # Keep 2**e a normal float64 (the exponent range is -1022..1023).
    return np.exp2(np.clip(np.round(log2), -1022, 1023))


def _kept_columns(Z: np.ndarray) -> np.ndarray:
    """Indices of non-aliased columns, by Householder QR with R's limited pivoting."""
    D = _pow2_scale(Z)
    n, k = Z.shape
    if n * k > PRECISE_SIZE:
        # Fast screen in float64: without a tiny pivot there is nothing to drop.
        R = _r_factor(Z, D)
        if np.min(np.abs(np.diag(R))) > 1e3 * ALIAS_TOL:
            return np.arange(k)
    return _householder_ld(np.asarray(Z, dtype=_LD) / np.asarray(D, dtype=_LD))[2]


def _r_factor(Z: np.ndarray, D: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """R of the Householder QR of [Z / D, y] in float64 (LAPACK geqrf, Q not formed).

    Returns the (k, k) or, with ``y``, (k + 1, k + 1) upper triangle; its last
    column then holds Q^T y and its corner the residual norm.
    """
    n, k = Z.shape
    A = np.empty((n, k + (y is not None)), order="F")  # Fortran order: geqrf works in place
    np.divide(Z, D, out=A[:, :k], casting="unsafe")
    if y is not None:
        A[:, k] = y
    qr, _tau, _work, info = scipy.linalg.lapack.dgeqrf(A, overwrite_a=True)
    if info != 0:  # pragma: no cover - LAPACK argument errors only
        raise ModelError(f"QR factorisation failed (LAPACK info={info})")
    m = A.shape[1]
    return np.triu(qr[:m, :m])


def _householder_ld(A: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Householder QR in extended precision with R's limited pivoting.

    Columns are taken in order; a column whose remaining norm is below
    ``ALIAS_TOL`` times its original norm is aliased and skipped, so the
    earlier of two dependent columns is kept.

    Parameters
    ----------
    A : ndarray of longdouble, shape (n, k)

    Returns
    -------
    R : ndarray of longdouble, shape (r, r)
    reflectors : list of r unit vectors (the j-th has length n - j)
    kept : ndarray of int, shape (r,)
    """
    n, k = A.shape
    W = A.copy()
    norm0 = np.sqrt(np.einsum("ij,ij->j", W, W))
    kept: list[int] = []
    refl: list[np.ndarray] = []
    pending = list(range(k))
    j = 0
    while pending:
        c = pending.pop(0)
        x = W[j:, c]
        nx = np.sqrt(x @ x) if j < n else _LD(0)
        if j >= n or nx <= ALIAS_TOL * norm0[c] or norm0[c] == 0:
            continue
        alpha = -nx if x[0] >= 0 else nx
        v = x.copy()
        v[0] -= alpha
        v /= np.sqrt(v @ v)
        cols = [c] + pending
        sub = W[j:, cols]
        sub -= 2 * np.outer(v, v @ sub)
        W[j:, cols] = sub
        refl.append(v)
        kept.append(c)
        j += 1
    r = len(kept)
    R = np.triu(W[:r, kept])
    return R, refl, np.asarray(kept, dtype=np.intp)


def _thin_q(refl: list[np.ndarray], n: int) -> np.ndarray:
    """The first r columns of Q = H_0 H_1 ... H_{r-1}, shape (n, r)."""
    r = len(refl)
    Q = np.zeros((n, r), dtype=refl[0].dtype if refl else np.float64)
    Q[np.arange(r), np.arange(r)] = 1
    for j in range(r - 1, -1, -1):
        v = refl[j]
        Q[j:] -= 2 * np.outer(v, v @ Q[j:])
    return Q


def _back_solve(R: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve R x = b for upper-triangular R in R's own dtype (works for longdouble)."""
    x = np.array(b, dtype=R.dtype, copy=True)
    r = R.shape[0]
    for i in range(r - 1, -1, -1):
        if i + 1 < r:
            x[i] -= R[i, i + 1 :] @ x[i + 1 :]
        x[i] /= R[i, i]
    return x


def _cond(R: np.ndarray) -> float:
    """2-norm condition number s_max / s_min of R (inf if singular).

    One-sided Jacobi SVD (LAPACK dgejsv, JOBA='C') finds the small singular values to
    high relative accuracy when the columns merely differ in scale (R = B D with B well
    conditioned), where the usual SVD loses them to rounding: a 1e17 column next to a
    column of ones gives s_min = 0 there, and an infinite "condition number" for a
    full-rank design.
    """
    A = np.asarray(R, dtype=np.float64)
    if A.size == 0 or not np.isfinite(A).all():
        return math.inf
    s = None
    if A.shape[0] >= A.shape[1]:
        try:
            sva, _u, _v, _work, _iwork, info = scipy.linalg.lapack.dgejsv(A, joba=0, jobu=3, jobv=3)
            if info == 0 and np.all(np.isfinite(sva)):
                s = sva
        except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - LAPACK argument errors only
            s = None
    if s is None:
        s = np.linalg.svd(A, compute_uv=False)
    return float(s[0] / s[-1]) if s[-1] > 0 else math.inf


def _solve_qr(Z: np.ndarray, y: np.ndarray) -> _Solve:
    n, k = Z.shape
    if n * k > PRECISE_SIZE:
        fast = _solve_qr_fast(Z, y)
        if fast is not None:
            return fast
    return _solve_qr_precise(Z, y)


def _solve_cholqr2(A: np.ndarray, y: np.ndarray, *, intercept: bool) -> _Solve | None:
    """CholeskyQR2 for large, well-conditioned designs; None when it does not apply.

    The working design is W = [1, A - c] with an intercept, else W = A. ``c``
    shifts only the columns whose mean (from a sample of rows) is large against
    their spread: centring has only to make W well conditioned, since the ones
    column stays in W. Three passes over the rows, a block at a time (the
    (n, k) Q is never held):

    1. G = W^T W; R1 = chol(G);
    2. Q1 = W R1^{-1}: G2 = Q1^T Q1, R2 = chol(G2), Q1^T y;
    3. Q = W R^{-1} with R = R2 R1: leverage = row sums of Q^2, fitted = Q Q^T y.

    One Cholesky QR leaves Q1 orthogonal only to ~cond(W)^2 eps; the second
    pass restores orthogonality to ~eps, which makes R as accurate as
    Householder's (Yamamoto et al., ETNA 44, 2015) while the work is all
    matrix-matrix products. It needs cond(W)^2 eps << 1, so we return None (the
    Householder path takes over) when the column-scaled condition number of W
    exceeds PRECISE_COND, a Cholesky fails, or Q is far from orthogonal.
    """
    n, p = A.shape
    k = p + int(intercept)
    c = np.zeros(p)
    cy = 0.0
    if intercept:
        step = max(1, n // 4096)
        sample = A[::step]
        mean = sample.mean(axis=0)
        shift = np.abs(mean) > sample.std(axis=0)
        c[shift] = mean[shift]
        cy = float(y[::step].mean())
    blocks = _row_blocks(n)
    w = _Rows(A, c if c.any() else None, intercept)

    def gram(a: int, b: int) -> np.ndarray:
        G = np.zeros((k, k))
        for i in range(a, b, _CHUNK):
            w.add_gram(i, min(i + _CHUNK, b), G)
        return G

    with _one_blas_thread():
        G = sum(_map_blocks(gram, blocks))
        if not np.all(np.isfinite(G)):
            return None
        d = np.sqrt(np.diagonal(G))
        if np.any(d == 0):
            return None
        D = np.exp2(np.round(np.log2(d)))  # powers of two: scaling G by them is exact
        try:
            R1s = np.linalg.cholesky(G / np.outer(D, D)).T
        except np.linalg.LinAlgError:
            return None
        cond = _cond(R1s)  # of W with unit-norm columns (G is accurate enough to tell)
        if cond > PRECISE_COND:
            return None
        B1 = scipy.linalg.solve_triangular(R1s * D, np.eye(k), check_finite=False)

        def second(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
            G2, q1y = np.zeros((k, k)), np.zeros(k)
            out = np.empty((min(_CHUNK, b - a), k))
            for i in range(a, b, _CHUNK):
                j = min(i + _CHUNK, b)
                q = w.times(i, j, B1, out[: j - i])
                G2 += q.T @ q
                q1y += (y[i:j] - cy) @ q
            return G2, q1y

        parts = _map_blocks(second, blocks)
        G2 = sum(part[0] for part in parts)
        q1y = sum(part[1] for part in parts)
        # ||Q1^T Q1 - I|| ~ cond^2 eps here; far above that the first pass went wrong.
        if not np.linalg.norm(G2 - np.eye(k)) < ORTHO_TOL:
            return None
        try:
            R2 = np.linalg.cholesky(G2).T
        except np.linalg.LinAlgError:  # pragma: no cover - G2 is near I here
            return None
        R = R2 @ (R1s * D)
        B = scipy.linalg.solve_triangular(R, np.eye(k), check_finite=False)  # rows of Q = rows of W @ B
        qty = scipy.linalg.solve_triangular(R2, q1y, trans="T", check_finite=False)  # Q^T (y - cy)
        g = B @ qty
        leverage = np.empty(n)
        fitted = np.empty(n)

        def third(a: int, b: int) -> None:
            out = np.empty((min(_CHUNK, b - a), k))
            for i in range(a, b, _CHUNK):
                j = min(i + _CHUNK, b)
                q = w.times(i, j, B, out[: j - i])
                np.einsum("ij,ij->i", q, q, out=leverage[i:j])
                np.matmul(q, qty, out=fitted[i:j])

        _map_blocks(third, blocks)
    # trace(Q^T Q) = k for an orthonormal Q: a last, free check of the whole computation.
    if not abs(float(np.sum(leverage)) - k) < TRACE_TOL * k:
        return None
    fitted += cy
    resid = y - fitted
    # Back from W = [1, A - c] to the raw design X1 = [1, A] = W T, T = [[1, c^T], [0, I]]:
    # coef = T^{-1} g, (X1^T X1)^{-1} = T^{-1} (W^T W)^{-1} T^{-T}, X1's R factor = R T.
    Tinv = np.eye(k, dtype=_LD)
    T = np.eye(k)
    coef = np.asarray(g, dtype=_LD)
    if intercept:
        Tinv[0, 1:] = -c
        T[0, 1:] = c
        coef[0] += cy
    coef = Tinv @ coef
    Bl = np.asarray(B, dtype=_LD)
    cov_unscaled = Tinv @ (Bl @ Bl.T) @ Tinv.T
    r_factor = R @ T
    return _Solve(
        coef=coef,
        cov_unscaled=cov_unscaled,
        fitted=fitted,
        resid=resid,
        leverage=leverage,
        kept=np.arange(k),
        cond_scaled=_cond(r_factor / _pow2_scale(r_factor)) if c.any() else cond,
        r_factor=r_factor,
    )


class _Rows:
    """Blocks of rows of the working design W = [1, A - c] (or A) for :func:`_solve_cholqr2`.

    Without a shift (``c`` None) the products read A in place: W[i:j] @ B is
    A[i:j] @ B[1:] + B[0]. With one, each block is copied, shifted, into a
    per-thread buffer first.
    """

    def __init__(self, A: np.ndarray, c: np.ndarray | None, intercept: bool):
        self.A, self.c, self.one = A, c, int(intercept)
        self._local = threading.local()

    def _filled(self, i: int, j: int) -> np.ndarray:
        buf = getattr(self._local, "buf", None)
        if buf is None or len(buf) < j - i:
            buf = self._local.buf = np.empty((j - i, self.A.shape[1] + self.one))
            buf[:, 0] = 1.0  # overwritten below when there is no intercept
        w = buf[: j - i]
        np.subtract(self.A[i:j], self.c, out=w[:, self.one :])
        return w

    def _ones(self, m: int) -> np.ndarray:
        ones = getattr(self._local, "ones", None)
        if ones is None or len(ones) < m:
            ones = self._local.ones = np.ones(m)
        return ones[:m]

    def add_gram(self, i: int, j: int, G: np.ndarray) -> None:
        """G += W[i:j]^T W[i:j]."""
        if self.c is not None:
            w = self._filled(i, j)
            G += w.T @ w
            return
        a = self.A[i:j]
        o = self.one
        G[o:, o:] += a.T @ a
        if o:
            s = self._ones(j - i) @ a  # column sums; BLAS gemv is ~4x faster than a.sum(axis=0)
            G[0, 0] += j - i
            G[0, 1:] += s
            G[1:, 0] += s

    def times(self, i: int, j: int, B: np.ndarray, out: np.ndarray) -> np.ndarray:
        """W[i:j] @ B, written into ``out``."""
        if self.c is not None:
            return np.matmul(self._filled(i, j), B, out=out)
        np.matmul(self.A[i:j], B[self.one :], out=out)
        if self.one:
            out += B[0]
        return out


def _row_blocks(n: int) -> list[tuple[int, int]]:
    """Split rows 0..n into one contiguous block per worker thread (fewer for small n)."""
    parts = max(1, min(_WORKERS, n // _CHUNK))
    edges = [n * i // parts for i in range(parts + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _map_blocks(fn, blocks: list[tuple[int, int]]) -> list:
    """fn(a, b) for each block, in threads when there are several (numpy releases the GIL)."""
    if len(blocks) == 1:
        return [fn(*blocks[0])]
    futures = [_pool().submit(fn, *ab) for ab in blocks[1:]]
    first = fn(*blocks[0])  # this thread does a share too
    return [first] + [f.result() for f in futures]


@functools.lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    # One pool for the process: starting threads for every pass costs more than
    # the pass on a busy machine.
    return ThreadPoolExecutor(max(1, _WORKERS - 1), thread_name_prefix="linreg-ols")


@functools.lru_cache(maxsize=1)
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - optional: without it BLAS keeps its own threads
        return None
    return ThreadpoolController()


_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter = None


@contextmanager
def _one_blas_thread():
    """Run BLAS single-threaded inside (reference-counted, so overlapping fits restore it once).

    The passes of :func:`_solve_cholqr2` are many small (CHUNK x k) products:
    BLAS threads cost more to wake and synchronise than they save (3x the CPU
    time on a busy 2-core machine); we run the row blocks in our own threads instead.
    """
    global _blas_users, _blas_limiter
    ctl = _blas_controller()
    if ctl is None:  # pragma: no cover
        yield
        return
    with _blas_lock:
        if _blas_users == 0:
            _blas_limiter = ctl.limit(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def _solve_qr_fast(Z: np.ndarray, y: np.ndarray) -> _Solve | None:
    """Householder QR in float64 for large problems; None when it is not good enough.

    None means a pivot is tiny (maybe aliasing) or the scaled condition number
    exceeds PRECISE_COND: the extended-precision solver then takes over.
    Memory: one (n, k + 1) work array; Q is never formed (leverages come from
    rows of Z R^{-1}, computed in chunks).
    """
    n, k = Z.shape
    D = _pow2_scale(Z)
    Raug = _r_factor(Z, D, y)
    R, qty = Raug[:k, :k], Raug[:k, k]
    kept = np.arange(k)
    if np.min(np.abs(np.diag(R))) <= 1e3 * ALIAS_TOL:
        # Z/D = QR with Q orthonormal, so R's columns have Z's linear relations:
        # R's limited pivoting on the small R decides aliasing (in longdouble).
        kept = _householder_ld(np.asarray(R, dtype=_LD))[2]
        if len(kept) == k:
            return None
        Z = Z[:, kept]
        k = len(kept)
        D = D[kept]
        Raug = _r_factor(Z, D, y)
        R, qty = Raug[:k, :k], Raug[:k, k]
        if np.min(np.abs(np.diag(R))) <= 1e3 * ALIAS_TOL:
            return None
    cond = _cond(R)
    if cond > REFINE_COND:
        return None
    Rinv = scipy.linalg.solve_triangular(R, np.eye(k), check_finite=False)
    g = Rinv @ qty
    coef = g / D
    Zf = np.asarray(Z, dtype=np.float64)
    B = Rinv / D[:, None]  # rows of Q = Z D^{-1} R^{-1}; (Z^T Z)^{-1} = B B^T
    step = 65536
    if cond > PRECISE_COND:
        # Refine: solve R^T R d = (Z/D)^T r with r = y - Z coef in longdouble.
        coef = np.asarray(coef, dtype=_LD)
        for _ in range(REFINE_ROUNDS):
            ztr = _zt_residual_ld(Zf, y, coef, step)
            coef = coef + np.asarray(B @ (B.T @ ztr), dtype=_LD)
        resid = _residual_ld(Zf, y, coef, step)
        fitted = np.asarray(y, dtype=_LD) - resid
    else:
        fitted = Zf @ coef
        resid = y - fitted
    leverage = np.empty(n)
    for i in range(0, n, step):
        Qi = Zf[i : i + step] @ B
        leverage[i : i + step] = np.einsum("ij,ij->i", Qi, Qi)
    return _Solve(
        coef=coef,
        cov_unscaled=(B @ B.T),
        fitted=fitted,
        resid=resid,
        leverage=leverage,
        kept=kept,
        cond_scaled=cond,
        r_factor=R * D,
    )


def _residual_ld(Z: np.ndarray, y: np.ndarray, coef: np.ndarray, step: int) -> np.ndarray:
    """y - Z coef in longdouble, a block of rows at a time (bounded memory)."""
    out = np.empty(len(y), dtype=_LD)
    for i in range(0, len(y), step):
        out[i : i + step] = np.asarray(y[i : i + step], dtype=_LD) - np.asarray(Z[i : i + step], dtype=_LD) @ coef
    return out


def _zt_residual_ld(Z: np.ndarray, y: np.ndarray, coef: np.ndarray, step: int) -> np.ndarray:
    """Z^T (y - Z coef), accumulated in longdouble (its float64 rounding is what limits QR)."""
    acc = np.zeros(Z.shape[1], dtype=_LD)
    for i in range(0, len(y), step):
        Zi = np.asarray(Z[i : i + step], dtype=_LD)
        acc += Zi.T @ (np.asarray(y[i : i + step], dtype=_LD) - Zi @ coef)
    return np.asarray(acc, dtype=np.float64)


def _solve_qr_precise(Z: np.ndarray, y: np.ndarray) -> _Solve:
    """Householder QR in extended precision with limited pivoting, plus refinement."""
    n = Z.shape[0]
    D = np.asarray(_pow2_scale(Z), dtype=_LD)
    A = np.asarray(Z, dtype=_LD) / D
    yl = np.asarray(y, dtype=_LD)
    R, refl, kept = _householder_ld(A)
    A = A[:, kept]
    D = D[kept]
    r = len(kept)
    Q = _thin_q(refl, n)
    g = _back_solve(R, Q.T @ yl)
    # Refinement with longdouble residuals (the data are float64, so these
    # products carry ~3 more digits than float64 would).
    for _ in range(REFINE_ROUNDS):
        res = yl - A @ g
        g = g + _back_solve(R, Q.T @ res)
    Rinv = _back_solve(R, np.eye(r, dtype=_LD))
    coef = g / D
    fitted = A @ g
    return _Solve(
        coef=coef,
        cov_unscaled=(Rinv @ Rinv.T) / np.outer(D, D),
        fitted=fitted,
        resid=yl - fitted,
        leverage=np.asarray(np.einsum("ij,ij->i", Q, Q), dtype=np.float64),
        kept=kept,
        cond_scaled=_cond(R),
        r_factor=np.asarray(R * D, dtype=np.float64),
    )


def _solve_svd(Z: np.ndarray, y: np.ndarray) -> _Solve:
    # Aliasing is decided by QR (earlier column kept), then SVD solves the rest.
    kept = _kept_columns(Z)
    if len(kept) == 0:  # every column aliased (e.g. all zero): nothing for an SVD to solve
        return _solve_qr_precise(Z, y)
    Zk = Z[:, kept]
    D = _pow2_scale(Zk)
    U, s, Vt = np.linalg.svd(np.asarray(Zk / D, dtype=np.float64), full_matrices=False)
    # Same relative cut-off as numpy.linalg.lstsq's default rcond.
    cutoff = s[0] * max(Zk.shape) * np.finfo(np.float64).eps
    if s[-1] <= cutoff:  # pragma: no cover - aliasing was removed above
        raise ModelError("the design is numerically singular after removing aliased terms; use method='qr'")
    g = np.asarray(Vt.T @ ((U.T @ y) / s), dtype=_LD)
    # Refinement (corrected semi-normal equations): d = V S^-2 V^T (Z/D)^T r, with
    # r and (Z/D)^T r accumulated in longdouble.
    Zw = Zk / D
    step = 65536
    for _ in range(REFINE_ROUNDS):
        ztr = _zt_residual_ld(Zw, y, g, step)
        g = g + np.asarray(Vt.T @ ((Vt @ ztr) / s**2), dtype=_LD)
    D = np.asarray(D, dtype=np.float64)
    coef = g / np.asarray(D, dtype=_LD)
    V = Vt.T / s
    resid = _residual_ld(Zk, y, coef, step)
    return _Solve(
        coef=coef,
        cov_unscaled=(V @ V.T) / np.outer(D, D),
        fitted=np.asarray(y, dtype=_LD) - resid,
        resid=resid,
        leverage=np.einsum("ij,ij->i", U, U),
        kept=kept,
        cond_scaled=float(s[0] / s[-1]),
        r_factor=(s[:, None] * Vt) * D,
    )


def _solve_normal(X1: np.ndarray, y: np.ndarray) -> _Solve:
    kept = _kept_columns(X1)
    Xk = X1[:, kept]
    # Deliberately the textbook way: form X^T X (no scaling) and solve by Cholesky.
    XtX = Xk.T @ Xk
    try:
        L = np.linalg.cholesky(XtX)
    except np.linalg.LinAlgError:
        raise ModelError(
            "the normal equations broke down: X^T X is numerically singular in float64 "
            "(its condition number is the square of the design's); use method='qr'"
        ) from None
    z = scipy.linalg.solve_triangular(L, Xk.T @ y, lower=True, check_finite=False)
    coef = scipy.linalg.solve_triangular(L.T, z, lower=False, check_finite=False)
    Linv = scipy.linalg.solve_triangular(L, np.eye(L.shape[0]), lower=True, check_finite=False)
    # Rows of X L^{-T} play the role of Q's rows: their squared norms are the leverages.
    B = Xk @ Linv.T
    fitted = Xk @ coef
    D = _pow2_scale(Xk)
    return _Solve(
        coef=coef,
        cov_unscaled=Linv.T @ Linv,
        fitted=fitted,
        resid=y - fitted,
        leverage=np.einsum("ij,ij->i", B, B),
        kept=kept,
        cond_scaled=_cond(np.linalg.cholesky((XtX / np.outer(D, D)))),
        r_factor=L.T,
    )


# =============================================================================
# inference
# =============================================================================
def _assemble(
    X: np.ndarray,
    y: np.ndarray,
    terms: tuple[str, ...],
    sol: _Solve,
    M: np.ndarray | None,
    *,
    method: str,
    alpha: float,
    intercept: bool,
) -> OLSResult:
    n, k = len(y), len(terms)
    r = len(sol.kept)
    df_resid = n - r
    if df_resid <= 0:
        raise ModelError(
            f"no residual degrees of freedom: n={n} rows but the design has rank {r}; "
            "add rows or drop terms"
        )
    coef = np.full(k, np.nan, dtype=_LD)
    cov_u = np.full((k, k), np.nan, dtype=_LD)
    coef[sol.kept] = sol.coef
    cov_u[np.ix_(sol.kept, sol.kept)] = sol.cov_unscaled
    if M is not None:  # full rank here: map working coefficients to the raw terms
        coef, cov_u = _map_coef(M, coef, cov_u)

    with np.errstate(over="ignore", under="ignore"):
        rss_l, tss_l = _sums_of_squares(sol.resid, y, intercept)
        rss, tss = float(rss_l), float(tss_l)
        sigma2_l = rss_l / df_resid
        cov_l = cov_u * sigma2_l
        cov = np.asarray(cov_l, dtype=np.float64)
    _check_range(rss_l, tss_l, rss, tss, cov_l, cov, sol.kept)
    sigma = float(np.sqrt(sigma2_l))
    # Longdouble test: a TSS below float64's range is still a spread to explain.
    r_squared = float(1 - rss_l / tss_l) if tss_l > 0 else math.nan
    df_model = r - int(intercept)
    if df_model <= 0:
        f_stat = math.nan
    elif rss == 0.0:
        f_stat = math.inf
    else:
        f_stat = float(((tss_l - rss_l) / df_model) / sigma2_l)

    std_err = np.asarray(np.sqrt(np.diagonal(cov_u) * sigma2_l), dtype=np.float64)
    coef64 = np.asarray(coef, dtype=np.float64)

    aliased_mask = np.ones(k, dtype=bool)
    aliased_mask[sol.kept] = False
    aliased = tuple(t for t, a in zip(terms, aliased_mask) if a)
    cond_number = _raw_condition_number(sol.r_factor, M, aliased_mask)

    notes: list[str] = []
    if aliased:
        msg = (
            f"{len(aliased)} term(s) are exact linear combinations of earlier terms and were not estimated "
            f"(aliased): {', '.join(aliased)}. Their coefficients are shown as missing; drop them or "
            "remove the redundant column (for dummies, one level per categorical must be left out)."
        )
        notes.append(msg)
        _warnings.warn(msg, RankDeficiencyWarning, stacklevel=3)
    if sol.cond_scaled > COLLINEAR_COND and math.isfinite(sol.cond_scaled):
        notes.append(
            f"The terms are nearly collinear (condition number {sol.cond_scaled:.1e} after scaling the "
            "columns): small changes in the data can move the coefficients a lot, and their standard "
            "errors are large."
        )
    if method == "normal":
        # The normal equations are formed unscaled, so the raw condition number counts.
        c = _cond(sol.r_factor)
        lost = min(2 * math.log10(max(c, 1.0)), 16.0) if math.isfinite(c) else 16.0
        notes.append(
            f"Solved by the normal equations, which square the condition number ({c:.1e} becomes "
            f"{c**2:.1e}): expect to lose about {lost:.0f} of the ~16 significant digits of double "
            "precision. The QR method (the default) avoids this."
        )
    if not tss_l > 0:
        notes.append(
            "The target is constant: it has no variation for the model to explain, so R² and adjusted R² "
            "are undefined (shown as missing)."
        )
    if _is_exact_fit(rss_l, tss_l, y, n):
        notes.append(
            "The model fits the data exactly (residuals are zero up to rounding): standard errors are "
            "(nearly) 0, t statistics huge or infinite and p-values (nearly) 0, so the tests say nothing here."
        )

    return OLSResult(
        terms=terms,
        coef=coef64,
        std_err=std_err,
        cov_params=cov,
        sigma=sigma,
        rss=rss,
        tss=tss,
        r_squared=r_squared,
        f_statistic=f_stat,
        df_model=df_model,
        df_resid=df_resid,
        n=n,
        rank=r,
        aliased=aliased,
        condition_number=cond_number,
        method=method,
        alpha=alpha,
        fitted=np.asarray(sol.fitted, dtype=np.float64),
        resid=np.asarray(sol.resid, dtype=np.float64),
        leverage=np.asarray(sol.leverage, dtype=np.float64),
        features=X,
        y=y,
        intercept=intercept,
        warnings=tuple(notes),
    )


def _sums_of_squares(resid: np.ndarray, y: np.ndarray, intercept: bool) -> tuple[np.floating, np.floating]:
    """RSS and TSS (centred when ``intercept``) as longdouble scalars.

    Small fits, and solvers that return longdouble residuals, sum in longdouble.
    Large float64 fits sum in float64 by numpy's pairwise summation (relative error
    ~ log2(n) eps): longdouble copies of n-vectors would cost more time and memory
    than the whole fit.
    """
    n = len(y)
    if resid.dtype == np.float64 and n > PRECISE_SIZE:
        # Scaled by a power of two near max|y| (exact), so squares of values near
        # 1e200 or 1e-200 neither overflow nor underflow; the scale goes back in longdouble.
        big = float(np.max(np.abs(y)))
        e = math.frexp(big)[1] if big > 0 else 0
        inv = math.ldexp(1.0, -e)
        rss = np.sum(np.square(resid * inv))
        if intercept:
            dev = y * inv
            dev -= np.mean(dev)
            dev -= np.mean(dev)  # second pass: removes the rounding of the mean
            tss = np.sum(np.square(dev))
        else:
            tss = np.sum(np.square(y * inv))
        scale2 = _LD(2.0) ** (2 * e)
        return _LD(rss) * scale2, _LD(tss) * scale2
    resid_l = np.asarray(resid, dtype=_LD)
    yl = np.asarray(y, dtype=_LD)
    rss_l = resid_l @ resid_l
    if intercept:
        ybar = yl.sum() / n
        dev = yl - ybar
        dev -= dev.sum() / n  # second pass: removes the rounding of the mean
        tss_l = dev @ dev
    else:
        tss_l = yl @ yl
    return rss_l, tss_l


def _map_coef(M: np.ndarray, coef: np.ndarray, cov_u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """coef -> M coef and cov -> M cov M^T, exactly when M holds Fractions."""
    if M.dtype != object:
        return M @ coef, M @ cov_u @ M.T
    from fractions import Fraction

    def exact(a: np.ndarray) -> np.ndarray:
        out = np.empty(a.shape, dtype=object)
        for idx, v in np.ndenumerate(a):
            out[idx] = Fraction(*v.as_integer_ratio())
        return out

    def rounded(a: np.ndarray) -> np.ndarray:
        out = np.empty(a.shape, dtype=_LD)
        for idx, v in np.ndenumerate(a):
            out[idx] = _LD(v.numerator) / _LD(v.denominator)
        return out

    Mc = exact(np.asarray(coef, dtype=_LD))
    Cc = exact(np.asarray(cov_u, dtype=_LD))
    return rounded(M.dot(Mc)), rounded(M.dot(Cc).dot(M.T))


def _is_exact_fit(rss: np.floating, tss: np.floating, yl: np.ndarray, n: int) -> bool:
    # Exact up to rounding: residuals at the level of float64 rounding of y (a few
    # eps * max|y| each), or below 1e-12 of the spread of y (RSS/TSS <= 1e-24).
    # In longdouble: (eps * 1e200)^2 overflows float64 but not longdouble.
    scale = _LD(float(np.max(np.abs(yl)))) if n else _LD(0)
    rounding = _LD(8.0 * np.finfo(np.float64).eps) * scale
    return bool(_LD(rss) <= max(_LD(1e-24) * _LD(tss), n * rounding**2))


# Largest magnitude fit_ols accepts: column norms (up to sqrt(n) times this) and the
# products in the solvers must stay below the largest double, ~1.8e308.
MAX_ABS = 1e300


def _check_magnitude(X: np.ndarray, y: np.ndarray) -> None:
    """Raise DataError for values too close to float64's limit for least squares (no copy of X)."""
    big = max(
        float(max(np.max(X), -np.min(X))) if X.size else 0.0,
        float(max(np.max(y), -np.min(y))) if y.size else 0.0,
    )
    if big > MAX_ABS:
        raise DataError(
            f"values as large as {big:.3g} leave no room for least squares in double precision (its sums "
            "of squares overflow beyond about 1.8e308); rescale the data (express it in bigger units, e.g. "
            "divide by 1e100) or standardize the features, and fit again"
        )


def _check_range(rss_l, tss_l, rss: float, tss: float, cov_l: np.ndarray, cov: np.ndarray, kept: np.ndarray) -> None:
    """Raise DataError when the sums of squares or the covariances do not fit in float64.

    The solvers work in extended precision, but the results are float64: values near
    1e300 have squares near 1e600 (beyond the largest double, ~1.8e308), values near
    1e-300 squares near 1e-600 (below the smallest, ~5e-324). Rather than report an
    infinite RSS or a zero one (which would read as an exact fit), ask for a rescale.
    """
    block = np.ix_(kept, kept)
    diag_l, diag = np.diagonal(cov_l)[kept], np.diagonal(cov)[kept]
    checks = [
        ("residual sum of squares", rss_l, rss),
        ("total sum of squares", tss_l, tss),
        ("largest coefficient variance", np.max(diag_l) if len(kept) else _LD(0), np.max(diag) if len(kept) else 0.0),
    ]
    for what, exact, rounded in checks:
        if not math.isfinite(rounded) or not np.isfinite(cov[block]).all() and what.startswith("largest"):
            size = f"about 1e{int(np.floor(np.log10(_LD(exact))))}" if np.isfinite(exact) and exact > 0 else "infinite"
            raise DataError(
                f"the numbers are too large for double precision: the {what} is {size}, beyond the largest "
                "double (about 1.8e308); rescale the data (express the target and large columns in bigger "
                "units, e.g. divide by 1e100) or standardize the features, and fit again"
            )
    small = [(what, exact) for what, exact, rounded in checks if exact > 0 and rounded == 0.0]
    if small or (len(kept) and np.any((diag_l > 0) & (diag == 0.0))):
        what, exact = small[0] if small else ("smallest coefficient variance", np.min(diag_l[diag_l > 0]))
        raise DataError(
            f"the numbers are too small for double precision: the {what} is about "
            f"1e{int(np.floor(np.log10(_LD(exact))))}, below the smallest double (about 5e-324); rescale the "
            "data (express the target and tiny columns in smaller units, e.g. multiply by 1e100) or "
            "standardize the features, and fit again"
        )

def _raw_condition_number(r_factor: np.ndarray, M: np.ndarray | None, aliased_mask: np.ndarray) -> float:
    """2-norm condition number of the unscaled design (statsmodels' condition_number); inf if singular.

    ``r_factor`` has the singular values of the working design Z; the design is
    X1 = Z M^{-1} (without a basis, Z = X1).
    """
    if aliased_mask.any():
        return math.inf
    if M is None:
        return _cond(r_factor)
    Mf = np.array(M.astype(np.float64) if M.dtype == object else M, dtype=np.float64)
    return _cond(np.linalg.solve(Mf.T, np.asarray(r_factor, dtype=np.float64).T).T)
