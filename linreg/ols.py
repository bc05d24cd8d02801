"""Ordinary least squares by a stable closed form, with full inference.

The coefficients never come from inverting ``X^T X``:

- ``method="qr"`` (default): Householder QR of the design with its columns
  scaled to unit norm (by powers of two, so the scaling is exact).

  - Small problems (n k <= PRECISE_SIZE) and large very ill-conditioned ones:
    Householder in extended precision (``np.longdouble``) with R's limited
    pivoting, then iterative refinement with longdouble residuals.
  - Large problems: LAPACK Householder in float64 on [Z/D, y] (Q is never
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

import math
import warnings as _warnings
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
    X: np.ndarray
    y: np.ndarray
    intercept: bool
    warnings: tuple[str, ...] = field(default=())

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
    def standardized_resid(self) -> np.ndarray:
        """Internally studentized residuals e_i / (sigma sqrt(1 - h_i)) (R's rstandard)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.resid / (self.sigma * np.sqrt(1.0 - self.leverage))
        return np.where(self.leverage < 1.0, out, np.nan)

    @cached_property
    def studentized_resid(self) -> np.ndarray:
        """Externally studentized residuals e_i / (sigma_(i) sqrt(1 - h_i)) (R's rstudent).

        sigma_(i)^2 = (RSS - e_i^2 / (1 - h_i)) / (df_resid - 1) is the residual
        variance with observation i left out. NaN when df_resid == 1 or h_i == 1.
        """
        if self.df_resid <= 1:
            return np.full(self.n, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            one_minus_h = 1.0 - self.leverage
            s2_i = (self.rss - self.resid**2 / one_minus_h) / (self.df_resid - 1)
            out = self.resid / np.sqrt(np.maximum(s2_i, 0.0) * one_minus_h)
        return np.where(self.leverage < 1.0, out, np.nan)

    @cached_property
    def cooks_distance(self) -> np.ndarray:
        """Cook's distance e_i^2 h_i / (rank sigma^2 (1 - h_i)^2)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.resid**2 * self.leverage / (self.rank * np.float64(self.sigma) ** 2 * (1.0 - self.leverage) ** 2)
        return np.where(self.leverage < 1.0, out, np.nan)

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
    X1 = np.column_stack([np.ones(n), X]) if intercept else X
    all_terms = (("Intercept",) if intercept else ()) + terms
    k = X1.shape[1]
    if k == 0:
        raise ModelError("the model has no terms: give at least one feature or keep the intercept")
    if n <= k:
        raise ModelError(
            f"only n={n} rows for k={k} parameters: least squares needs more rows than parameters "
            "(n > k) to leave residual degrees of freedom; add rows or drop terms"
        )
    Z, M = X1, None
    if basis is not None and method != "normal":
        Z = np.asarray(basis.Z)
        if Z.dtype != _LD:
            Z = Z.astype(np.float64)
        if Z.shape != X1.shape:
            raise ModelError(f"basis.Z has shape {Z.shape} but the design has shape {X1.shape}")
        M = np.asarray(basis.M)
        if M.dtype != object:
            M = M.astype(_LD)
        if M.shape != (k, k):
            raise ModelError(f"basis.M has shape {M.shape}; expected {(k, k)}")

    if method == "normal":
        sol = _solve_normal(X1, y)
    else:
        solve = _solve_svd if method == "svd" else _solve_qr
        sol = solve(Z, y)
        if M is not None and len(sol.kept) < k:
            # Dropping a column of the working basis is not dropping the same raw
            # column; with aliasing, fit the raw design (its own aliasing decides).
            M = None
            sol = solve(X1, y)

    return _assemble(X1, y, all_terms, sol, M, method=method, alpha=float(alpha), intercept=bool(intercept))


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
    X1: np.ndarray,
    y: np.ndarray,
    terms: tuple[str, ...],
    sol: _Solve,
    M: np.ndarray | None,
    *,
    method: str,
    alpha: float,
    intercept: bool,
) -> OLSResult:
    n, k = X1.shape
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

    resid_l = np.asarray(sol.resid, dtype=_LD)
    yl = np.asarray(y, dtype=_LD)
    rss_l = resid_l @ resid_l
    if intercept:
        ybar = yl.sum() / n
        dev = yl - ybar
        dev -= dev.sum() / n  # second pass: removes the rounding of the mean
        tss_l = dev @ dev
    else:
        tss_l = yl @ yl
    with np.errstate(over="ignore", under="ignore"):
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
    if _is_exact_fit(rss_l, tss_l, yl, n):
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
        resid=np.asarray(resid_l, dtype=np.float64),
        leverage=np.asarray(sol.leverage, dtype=np.float64),
        X=X1,
        y=y,
        intercept=intercept,
        warnings=tuple(notes),
    )


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
