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

Case weights (R's ``lm(weights=)``) are fitted as least squares on the rows
multiplied by sqrt(w). Robust covariances (HC0-HC3, Newey-West HAC) are sandwiches
formed from an orthonormal basis of the (shifted) working design; the influence
measures (DFFITS, DFBETAS, COVRATIO, R's flags) are cached properties of the result.

The sandwiches (``fit_ols(cov_type=...)``) are C (sum_i u_i^2 x_i x_i^T) C with
C = (X1^T X1)^{-1} = ``cov_unscaled`` and e_i the (weighted) residuals, as statsmodels' ``OLS(...).fit(cov_type=...)`` and R's
``sandwich::vcovHC(m, type=)``:

- HC0: u_i = e_i; HC1: HC0 times n / (n - rank);
- HC2: u_i^2 = e_i^2 / (1 - h_i); HC3: u_i^2 = e_i^2 / (1 - h_i)^2;
- HAC (Newey-West): the middle is sum over lags l = -L..L of
  (1 - |l| / (L + 1)) sum_i s_i s_{i-l}^T with scores s_i = x_i e_i (Bartlett
  kernel), with no small-sample factor: statsmodels' ``cov_type="HAC",
  cov_kwds={"maxlags": L}`` (``use_correction=False``) and R's
  ``sandwich::NeweyWest(m, lag = L, prewhite = FALSE, adjust = FALSE)``. R's
  defaults differ (automatic lag and prewhitening): give them explicitly.

The rows must be in time order for HAC. ``f_statistic`` is then the Wald
statistic b_s^T V_s^{-1} b_s / q of all slopes (q = df_model), with its
p-value from F(q, df_resid), as statsmodels' ``fvalue`` and R's
``lmtest::waldtest(m, vcov = ...)``.

This module checks the input, picks the solver and assembles the result with
its inference. The solvers, and the constants that steer them (ALIAS_TOL,
PRECISE_COND, PRECISE_SIZE, ...), are in :mod:`linreg._solvers`; the row blocks
and worker threads of the large-data path in :mod:`linreg._rows`.
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

# scipy.linalg and scipy.stats are imported in the functions that use them: they take 1-3 s to
# import on a cold server, and the app's first page builds designs through this module but fits nothing.

# Also read from here: PRECISE_SIZE by linreg.design, the solvers by the tests, which
# patch linreg.ols._solve_cholqr2 (fit_ols looks the solvers up in this namespace).
from ._solvers import (
    ORTHO_TOL,
    PRECISE_SIZE,
    _cond,
    _float64_settles,
    _refine,
    _Solve,
    _solve_cholqr2,
    _solve_normal,
    _solve_qr,
    _solve_qr_precise,
    _solve_svd,
    _wants_refinement,
)
from ._preprocess import with_ones as _with_ones
from ._repr import short_repr
from ._rows import _CHUNK, _map_blocks, _one_blas_thread, _row_blocks
from ._validation import as_xy, check_option
from .exceptions import DataError, ModelError, RankDeficiencyWarning

__all__ = ["Method", "METHODS", "CovType", "COV_TYPES", "Basis", "InfluenceFlags", "OLSResult", "fit_ols"]

Method = Literal["qr", "svd", "normal"]
METHODS: tuple[str, ...] = ("qr", "svd", "normal")
CovType = Literal["nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC"]
COV_TYPES: tuple[str, ...] = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC")

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
class InfluenceFlags:
    """Rows flagged as influential by the rules of R's ``influence.measures`` (``is.influential``).

    With k = rank and n = the number of rows with positive leverage, a row is flagged by

    - ``dfbetas[:, j]``: ``|DFBETAS_ij| > 1``;
    - ``dffits``: ``|DFFITS_i| > 3 sqrt(k / (n - k))``;
    - ``covratio``: ``|1 - COVRATIO_i| > 3 k / (n - k)``;
    - ``cooks_distance``: ``D_i > qf(0.5, k, n - k)`` (R: ``pf(D_i, k, n - k) > 0.5``);
    - ``leverage``: ``h_i > 3 k / n``.

    A NaN measure (aliased term, a row with h_i = 1) is not flagged; R gives NA there.

    Attributes
    ----------
    terms : tuple of str, length k_terms
    dfbetas : ndarray of bool, shape (n, k_terms)
    dffits, covratio, cooks_distance, leverage : ndarray of bool, shape (n,)
    dffits_cut, covratio_cut, cooks_cut, leverage_cut : float
        The thresholds above (``|1 - COVRATIO|`` for ``covratio_cut``).
    """

    terms: tuple[str, ...]
    dfbetas: np.ndarray
    dffits: np.ndarray
    covratio: np.ndarray
    cooks_distance: np.ndarray
    leverage: np.ndarray
    dffits_cut: float
    covratio_cut: float
    cooks_cut: float
    leverage_cut: float

    #: Column names of :meth:`as_array` after the dfbetas, as R names them.
    COLUMNS = ("dffit", "cov.r", "cook.d", "hat")

    @classmethod
    def from_result(cls, res: OLSResult) -> InfluenceFlags:
        """Apply R's rules to the measures of ``res``."""
        from scipy import stats
        k = res.rank
        n = int(np.count_nonzero(res.leverage > 0))
        with np.errstate(invalid="ignore", divide="ignore"):
            cuts = {
                "dffits_cut": 3.0 * math.sqrt(k / (n - k)) if n > k else math.nan,
                "covratio_cut": 3.0 * k / (n - k) if n > k else math.nan,
                "cooks_cut": float(stats.f.ppf(0.5, k, n - k)) if n > k else math.nan,
                "leverage_cut": 3.0 * k / n if n else math.nan,
            }
            return cls(
                terms=res.terms,
                dfbetas=np.abs(res.dfbetas) > 1.0,
                dffits=np.abs(res.dffits) > cuts["dffits_cut"],
                covratio=np.abs(1.0 - res.covratio) > cuts["covratio_cut"],
                cooks_distance=res.cooks_distance > cuts["cooks_cut"],
                leverage=res.leverage > cuts["leverage_cut"],
                **cuts,
            )

    @cached_property
    def any(self) -> np.ndarray:
        """(n,) bool: flagged by at least one rule (the rows R's ``summary(influence.measures(m))`` lists)."""
        return self.dfbetas.any(axis=1) | self.dffits | self.covratio | self.cooks_distance | self.leverage

    def as_array(self) -> np.ndarray:
        """(n, k_terms + 4) bool in R's column order: the dfbetas, then dffit, cov.r, cook.d, hat."""
        return np.column_stack([self.dfbetas, self.dffits, self.covratio, self.cooks_distance, self.leverage])

    def reasons(self, i: int) -> tuple[str, ...]:
        """Why row ``i`` (0-based) is flagged, one short phrase per rule it breaks.

        Examples
        --------
        >>> flags = fit_ols([[0.0], [1.0], [2.0], [3.0], [10.0]], [0.1, 1.0, 2.1, 2.9, 4.0]).influence_flags
        >>> flags.reasons(4)
        ('|DFBETAS| > 1 for Intercept, x1', '|DFFITS| > 2.45', "Cook's distance > 0.881 (median of F)")
        """
        out = []
        big = [t for t, f in zip(self.terms, self.dfbetas[i]) if f]
        if big:
            out.append(f"|DFBETAS| > 1 for {', '.join(big)}")
        if self.dffits[i]:
            out.append(f"|DFFITS| > {self.dffits_cut:.3g}")
        if self.covratio[i]:
            out.append(f"|1 - COVRATIO| > {self.covratio_cut:.3g}")
        if self.cooks_distance[i]:
            out.append(f"Cook's distance > {self.cooks_cut:.3g} (median of F)")
        if self.leverage[i]:
            out.append(f"leverage > {self.leverage_cut:.3g}")
        return tuple(out)


@dataclass(frozen=True, eq=False, repr=False)
class _FitStatistics:
    """The leading fields of every least-squares result: :class:`OLSResult` and ``linreg.scale.ScaleResult``.

    One list, so that the two keep the same names, order and meaning (see :class:`OLSResult`).
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


@dataclass(frozen=True, eq=False, repr=False)
class _FitOptions:
    """The trailing fields of every least-squares result: how it was fitted (default: unweighted, classical).

    One list for :class:`OLSResult` and ``linreg.scale.ScaleResult``, as :class:`_FitStatistics`
    is. A result names it first among its bases, so that these fields come last.
    """

    intercept: bool = True
    warnings: tuple[str, ...] = field(default=())
    cov_unscaled: np.ndarray | None = field(default=None, repr=False)
    cov_type: str = "nonrobust"
    maxlags: int | None = None
    use_t: bool = True
    weights: np.ndarray | None = field(default=None, repr=False)
    n_zero_weight: int = 0


@dataclass(frozen=True, eq=False, repr=False)
class _RowArrays(_FitStatistics):
    """:class:`_FitStatistics`'s fields, then the per-observation arrays of an in-memory fit."""

    fitted: np.ndarray
    resid: np.ndarray
    leverage: np.ndarray
    # The features as given (n, p), without the ones column: ``X`` is built from them when asked for.
    features: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)


@dataclass(frozen=True, eq=False, repr=False)
class OLSResult(_FitOptions, _RowArrays):
    """Result of :func:`fit_ols`. Attribute names are the JSON keys of :meth:`to_dict`.

    Per-term arrays have shape (k,), ``k`` = number of terms including the
    intercept; aliased terms hold NaN. Per-observation arrays have shape (n,).
    ``repr`` is one short line (``linreg._repr.short_repr``);
    :meth:`summary` gives the full table, ``_repr_html_`` a notebook table.

    With weights (R's ``lm(weights=)``), ``n`` counts the rows of positive weight
    and every per-observation array covers those rows only, in their order
    (zero-weight rows were dropped before the fit; ``n_zero_weight`` says how
    many). ``resid`` is ``y - fitted`` (R's ``residuals()``) and
    ``weighted_resid`` is ``sqrt(w) * resid`` (R's ``weighted.residuals()``);
    ``rss``, ``sigma``, the standardized and studentized residuals, Cook's
    distance and the influence measures use the weighted residuals, as R does.

    ``cov_params``, ``std_err``, ``t``, ``p_value``, the intervals and
    ``f_statistic`` follow ``cov_type``; ``cov_unscaled`` is always
    ``(X1^T W X1)^{-1}`` (R's ``summary.lm()$cov.unscaled``).
    """

    # The fields: _FitStatistics's (terms ... alpha), _RowArrays's (fitted ... y), then
    # _FitOptions's (intercept ... n_zero_weight), in this order.

    @property
    def X(self) -> np.ndarray:
        """Design matrix (n, k): the ones column first when there is an intercept, then the features.

        Built at each use and not kept, so a large fit never holds a second copy of its data.
        """
        return _with_ones(self.features, self.intercept)

    # ---- per term -------------------------------------------------------------
    @cached_property
    def t(self) -> np.ndarray:
        """t statistic coef / std_err (+-inf for a nonzero coefficient of an exact fit)."""
        return _safe_ratio(self.coef, self.std_err)

    @cached_property
    def p_value(self) -> np.ndarray:
        """Two-sided p-value of t on df_resid degrees of freedom, or of the normal when not ``use_t`` (0 when |t| is infinite)."""
        from scipy import stats
        if not self.use_t:
            return 2.0 * stats.norm.sf(np.abs(self.t))
        return 2.0 * stats.t.sf(np.abs(self.t), self.df_resid)

    @cached_property
    def _t_crit(self) -> float:
        from scipy import stats
        if not self.use_t:
            return float(stats.norm.ppf(1.0 - self.alpha / 2.0))
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
        from scipy import stats
        if self.df_model == 0 or math.isnan(self.f_statistic):
            return math.nan
        return float(stats.f.sf(self.f_statistic, self.df_model, self.df_resid))

    @cached_property
    def log_likelihood(self) -> float:
        """Gaussian log-likelihood at the MLE: -n/2 (log(2 pi) + log(RSS/n) + 1) (+ sum(log w)/2 with weights, R's logLik)."""
        if self.rss <= 0.0:
            return math.inf
        ll = -self.n / 2.0 * (math.log(2.0 * math.pi) + math.log(self.rss / self.n) + 1.0)
        if self.weights is not None:
            ll += 0.5 * float(np.sum(np.log(self.weights)))
        return ll

    @cached_property
    def aic(self) -> float:
        """-2 log-likelihood + 2 rank (statsmodels' and Stata's convention: sigma is not counted)."""
        return -2.0 * self.log_likelihood + 2.0 * self.rank

    @cached_property
    def bic(self) -> float:
        """-2 log-likelihood + log(n) rank (statsmodels' and Stata's convention: sigma is not counted)."""
        return -2.0 * self.log_likelihood + math.log(self.n) * self.rank

    @cached_property
    def aicc(self) -> float:
        """aic + 2 K (K + 1) / (n - K - 1) with K = rank (statsmodels' ``info_criteria("aicc")``); inf when n <= K + 1."""
        return _aicc(self.aic, self.n, self.rank)

    @cached_property
    def aic_r(self) -> float:
        """-2 log-likelihood + 2 (rank + 1): R's ``AIC()``, which counts sigma as a parameter (aic + 2)."""
        return -2.0 * self.log_likelihood + 2.0 * (self.rank + 1)

    @cached_property
    def bic_r(self) -> float:
        """-2 log-likelihood + log(n) (rank + 1): R's ``BIC()``, sigma counted (bic + log n)."""
        return -2.0 * self.log_likelihood + math.log(self.n) * (self.rank + 1)

    @cached_property
    def aicc_r(self) -> float:
        """aic_r + 2 K (K + 1) / (n - K - 1) with K = rank + 1 (R's ``AICcmodavg::AICc`` and ``MuMIn::AICc``)."""
        return _aicc(self.aic_r, self.n, self.rank + 1)

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
    def weighted_resid(self) -> np.ndarray:
        """sqrt(w_i) e_i, R's ``weighted.residuals()``; ``resid`` itself without weights."""
        if self.weights is None:
            return self.resid
        return np.sqrt(self.weights) * self.resid

    @cached_property
    def standardized_resid(self) -> np.ndarray:
        """Internally studentized residuals e_i / (sigma sqrt(1 - h_i)) (R's rstandard; e = weighted_resid)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.sqrt(self._one_minus_h)
            out *= self.sigma
            np.divide(self.weighted_resid, out, out=out)
        return self._nan_where_h_is_one(out)

    @cached_property
    def studentized_resid(self) -> np.ndarray:
        """Externally studentized residuals e_i / (sigma_(i) sqrt(1 - h_i)) (R's rstudent; e = weighted_resid).

        sigma_(i)^2 = (RSS - e_i^2 / (1 - h_i)) / (df_resid - 1) is the residual
        variance with observation i left out. NaN when df_resid == 1 or h_i == 1.
        """
        if self.df_resid <= 1:
            return np.full(self.n, np.nan)
        one_minus_h = self._one_minus_h
        resid = self.weighted_resid
        with np.errstate(divide="ignore", invalid="ignore"):
            # Same formula as above, in place: one n-vector instead of five.
            out = np.square(resid)
            out /= one_minus_h
            np.subtract(self.rss, out, out=out)
            out /= self.df_resid - 1
            np.maximum(out, 0.0, out=out)
            out *= one_minus_h
            np.sqrt(out, out=out)
            np.divide(resid, out, out=out)
        return self._nan_where_h_is_one(out)

    @cached_property
    def cooks_distance(self) -> np.ndarray:
        """Cook's distance e_i^2 h_i / (rank sigma^2 (1 - h_i)^2) (e = weighted_resid)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.square(self.weighted_resid)
            out *= self.leverage
            out /= np.square(self._one_minus_h)
            out /= self.rank * np.float64(self.sigma) ** 2
        return self._nan_where_h_is_one(out)

    # ---- influence (R's influence.measures) ------------------------------------
    @cached_property
    def _sigma_loo(self) -> np.ndarray:
        """sigma_(i) (n,): the residual standard error with row i left out (R's ``lm.influence()$sigma``)."""
        if self.df_resid <= 1:
            return np.full(self.n, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.square(self.weighted_resid) / self._one_minus_h
            out = np.sqrt(np.maximum(self.rss - out, 0.0) / (self.df_resid - 1))
        return self._nan_where_h_is_one(out)

    @cached_property
    def dffits(self) -> np.ndarray:
        """DFFITS (n,): e_i sqrt(h_i) / (sigma_(i) (1 - h_i)) = rstudent_i sqrt(h_i / (1 - h_i)) (R's dffits)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.studentized_resid * np.sqrt(self.leverage / self._one_minus_h)
        return self._nan_where_h_is_one(out)

    @property
    def dfbetas(self) -> np.ndarray:
        """DFBETAS (n, k): (b - b_(i))_j / (sigma_(i) sqrt(C_jj)), C = cov_unscaled (R's dfbetas).

        Computed at each use and not kept: it is as large as the design, and a result is kept
        (and shared) for long after its influence table is drawn.

        b - b_(i) = C x_i e_i / (1 - h_i) is the change in the coefficients when row i
        is left out (with weights: x_i and e_i multiplied by sqrt(w_i)). Aliased terms
        and rows with h_i = 1 hold NaN.
        """
        ok = ~np.isnan(self.coef)
        out = np.full((self.n, len(self.terms)), np.nan)
        C = self.cov_unscaled[np.ix_(ok, ok)]
        Xk = self.X[:, ok]
        if self.weights is not None:
            Xk = Xk * np.sqrt(self.weights)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = self.weighted_resid / (self._one_minus_h * self._sigma_loo)
            out[:, ok] = (Xk @ C) * scale[:, None] / np.sqrt(np.diagonal(C))
        return self._nan_where_h_is_one(out)

    @cached_property
    def covratio(self) -> np.ndarray:
        """COVRATIO (n,): 1 / ((1 - h_i) ((df_resid - 1 + t_i^2) / df_resid)^rank), t = rstudent (R's covratio)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = (self.df_resid - 1 + np.square(self.studentized_resid)) / self.df_resid
            out = 1.0 / (self._one_minus_h * ratio**self.rank)
        return self._nan_where_h_is_one(out)

    @cached_property
    def influence_flags(self) -> InfluenceFlags:
        """Which rows R's ``influence.measures`` marks as influential, and by which rule (see :class:`InfluenceFlags`)."""
        return InfluenceFlags.from_result(self)

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

    def interval(
        self,
        X_new: object,
        kind: Literal["confidence", "prediction"] = "confidence",
        *,
        weights: object = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Confidence interval of the mean, or prediction interval of a new observation.

        Parameters
        ----------
        X_new : array-like, shape (m, p)
        kind : {"confidence", "prediction"}
        weights : float or array-like of shape (m,), optional
            Weights of the new rows, for a prediction interval: the new observation's
            variance is ``sigma^2 / weight``. Default 1 for every row, as R's
            ``predict.lm`` assumes (it warns that the prediction variance is then
            constant even though the fit was weighted).

        Returns
        -------
        low, high : ndarray, shape (m,)
            ``yhat -+ t_crit * se`` at level 1 - alpha, with ``se^2 = x0^T Cov x0``
            (plus ``sigma^2 / weight`` for a prediction interval). ``Cov`` is
            ``cov_params``, so it follows ``cov_type``; ``t_crit`` is the normal
            quantile when not ``use_t``.

        Raises
        ------
        DataError
            When ``weights`` is not positive and finite, or has the wrong length.
        """
        check_option("kind", kind, ("confidence", "prediction"))
        X1 = self._design_new(X_new)
        ok = ~np.isnan(self.coef)
        Xk = X1[:, ok]
        cov = self.cov_params[np.ix_(ok, ok)]
        var = np.einsum("ij,jk,ik->i", Xk, cov, Xk)
        if kind == "prediction":
            noise = np.float64(self.sigma) ** 2
            if weights is not None:
                noise = noise / _new_weights(weights, X1.shape[0])
            var = var + noise
        yhat = Xk @ self.coef[ok]
        half = self._t_crit * np.sqrt(np.maximum(var, 0.0))
        return yhat - half, yhat + half

    def __repr__(self) -> str:
        fields: dict[str, object] = {"method": self.method}
        if self.cov_type != "nonrobust":
            fields["cov_type"] = self.cov_type
        if self.weights is not None:
            fields["weighted"] = True
        fields.update({
            "n": self.n, "k": len(self.terms), "rank": self.rank,
            "r_squared": self.r_squared, "sigma": self.sigma, "terms": self.terms, "coef": self.coef,
        })
        return short_repr("OLSResult", fields)

    def _repr_html_(self) -> str:
        """A small HTML table for notebooks (:func:`linreg.report.html_summary`)."""
        from .report import html_summary

        return html_summary(self)

    def summary(self, *, target: str = "y", n_dropped: int = 0, call: str | None = None) -> str:
        """The fit as text, in the style of R's ``summary.lm`` (what ``python -m linreg fit`` prints).

        Parameters
        ----------
        target : str, default "y"
            Name of the target, for the ``Formula:`` line.
        n_dropped : int, default 0
            Rows dropped for missing values before the fit (``Design.n_dropped``).
        call : str, optional
            The command that made the fit, shown first as ``Call: ...``.

        Returns
        -------
        str
            See :func:`linreg.report.summary_text`.

        Examples
        --------
        >>> res = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0])
        >>> print(res.summary(target="dist").splitlines()[1])
        Formula: dist ~ x1
        """
        from .report import summary_text

        return summary_text(self, target=target, n_dropped=n_dropped, call=call)

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
        for key in ("condition_number", "log_likelihood", "aic", "bic", "aicc", "aic_r", "bic_r", "aicc_r", "rss"):
            out[key] = _json_float(getattr(self, key))
        out["method"] = self.method
        out["cov_type"] = self.cov_type
        out["maxlags"] = self.maxlags
        out["use_t"] = bool(self.use_t)
        out["weighted"] = self.weights is not None
        out["n_zero_weight"] = int(self.n_zero_weight)
        out["alpha"] = float(self.alpha)
        out["intercept"] = bool(self.intercept)
        out["warnings"] = list(self.warnings)
        return out


def _new_weights(weights: object, m: int) -> np.ndarray:
    """Weights of m new rows as float64 (m,); a scalar applies to every row."""
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"weights for new rows must be numbers; got {weights!r:.60}") from None
    if w.ndim == 0:
        w = np.full(m, float(w))
    if w.shape != (m,):
        raise DataError(f"weights for new rows must have one value per row ({m}); got shape {w.shape}")
    if not np.all(np.isfinite(w) & (w > 0)):
        raise DataError("weights for new rows must be positive and finite (a prediction's variance is sigma^2 / weight)")
    return w


def _aicc(aic: float, n: int, K: int) -> float:
    """aic + 2 K (K + 1) / (n - K - 1), inf when n - K - 1 <= 0 (as statsmodels' eval_measures.aicc)."""
    dof = n - K - 1
    return aic + 2.0 * K * (K + 1) / dof if dof > 0 else math.inf


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
    cov_type: CovType = "nonrobust",
    maxlags: int | None = None,
    use_t: bool | None = None,
    weights: object = None,
) -> OLSResult:
    """Fit y = X1 w + e by (weighted) least squares, with full inference.

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
        :func:`linreg.design.build_design` for polynomial terms). Used by "qr" and "svd";
        "normal" always works on the raw design, which is its point.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC"}, default "nonrobust"
        Covariance of the coefficients behind ``std_err``, ``t``, ``p_value``, the
        confidence intervals and ``f_statistic`` (see Notes).
    maxlags : int, optional
        Lags of the Newey-West (HAC) covariance; only with ``cov_type="HAC"``. Default
        ``floor(4 (n / 100)^(2/9))`` (statsmodels' default; Newey and West's 1994 rule of thumb).
    use_t : bool, optional
        Tests and intervals from the t distribution on df_resid degrees of freedom (True) or
        the normal (False). Default: statsmodels' (True for "nonrobust", False for the robust
        covariances). R's ``lmtest::coeftest(m, vcovHC(m))`` uses t: pass ``use_t=True``.
    weights : array-like of shape (n_samples,), optional
        Non-negative case weights, as R's ``lm(weights=)``: the fit minimises
        ``sum w_i (y_i - x_i^T b)^2``. Rows of zero weight are dropped before the fit,
        as R does (``n`` counts the positive weights only).

    Returns
    -------
    OLSResult

    Raises
    ------
    DataError
        Non-numeric, non-finite or mismatched inputs; negative or non-finite weights.
    ModelError
        Bad option, or no residual degrees of freedom (n <= number of parameters).

    Warns
    -----
    RankDeficiencyWarning
        When some terms are aliased (linear combinations of earlier ones).

    Notes
    -----
    With X1 = [1, X] (rows multiplied by sqrt(w_i) when weighted) and its thin QR
    factorisation X1 = QR,

    - coef = R^{-1} Q^T y, fitted = X1 coef, resid = y - fitted;
    - sigma^2 = RSS / (n - rank), Cov(coef) = sigma^2 R^{-1} R^{-T};
    - leverage h_i = sum_j Q_ij^2 (the diagonal of the hat matrix, which is never formed);
    - R^2 = 1 - RSS/TSS with TSS = sum (y - ybar)^2, or sum y^2 without intercept;
    - F = ((TSS - RSS) / df_model) / (RSS / df_resid).

    With weights, RSS = sum w_i e_i^2 and TSS = sum w_i (y_i - ybar_w)^2 around the
    weighted mean (R's ``summary.lm``); the log-likelihood gains sum(log w_i) / 2
    (R's ``logLik.lm``).

    The robust covariances (HC0-HC3, Newey-West HAC) and the Wald ``f_statistic`` that
    goes with them are defined in the :mod:`linreg.ols` module docstring.

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
    >>> robust = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0], cov_type="HC0")
    >>> robust.std_err.round(6).tolist(), robust.use_t
    ([0.162481, 0.115758], False)
    """
    _check_fit_options(method, cov_type, alpha, use_t)
    names = getattr(X, "columns", None)  # a DataFrame names its own columns
    X, y = as_xy(X, y)
    _check_magnitude(X, y)
    all_terms = _all_terms(names, terms, X.shape[1], intercept)
    k = len(all_terms)
    Z, M = _basis_arrays(basis, method, X.shape, k)
    X, y, Z, w, n_zero = _positive_weight_rows(weights, X, y, Z)
    n = len(y)
    _check_residual_df(n, k, n_zero)
    maxlags = _hac_lags(cov_type, maxlags, n)
    if use_t is None:
        use_t = cov_type == "nonrobust"  # statsmodels' default
    sol, work, M = _fit_solution(X, y, w, Z, M, method=method, intercept=intercept, cov_type=cov_type)
    robust = None if cov_type == "nonrobust" else _robust_cov(work, sol, cov_type=cov_type, maxlags=maxlags,
                                                              intercept=bool(intercept))
    res = _assemble(X, y, all_terms, sol, M, method=method, alpha=float(alpha), intercept=bool(intercept),
                    weights=w, n_zero_weight=n_zero, robust=robust, cov_type=cov_type, maxlags=maxlags,
                    use_t=bool(use_t))
    return res


def _check_fit_options(method: object, cov_type: object, alpha: object, use_t: object) -> None:
    """Refuse a ``method``, ``cov_type``, ``alpha`` or ``use_t`` that ``fit_ols`` does not accept."""
    check_option("method", method, METHODS)
    check_option("cov_type", cov_type, COV_TYPES)
    if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0):
        raise ModelError(f"alpha must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}")
    if use_t is not None and not isinstance(use_t, (bool, np.bool_)):
        raise ModelError(f"use_t must be True, False or None (statsmodels' default); got {use_t!r}")


def _all_terms(names: object, terms: object, p: int, intercept: bool) -> tuple[str, ...]:
    """The k term names: "Intercept" (if any), then ``terms``, a DataFrame's ``names`` or x1..xp."""
    if terms is None:
        terms = tuple(str(c) for c in names) if names is not None and len(names) == p else tuple(f"x{j + 1}" for j in range(p))
    terms = tuple(str(t) for t in terms)
    if len(terms) != p:
        raise ModelError(f"terms names {len(terms)} columns but X has {p}; give one name per column")
    all_terms = (("Intercept",) if intercept else ()) + terms
    if not all_terms:
        raise ModelError("the model has no terms: give at least one feature or keep the intercept")
    return all_terms


def _basis_arrays(basis: Basis | None, method: str, shape: tuple[int, int], k: int
                  ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The basis's (Z, M), checked against the (n, p) features; (None, None): work on the design itself.

    "normal" always works on the raw design, so it never takes a basis.
    """
    if basis is None or method == "normal":
        return None, None
    n = shape[0]
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
    return Z, M


def _positive_weight_rows(weights: object, X: np.ndarray, y: np.ndarray, Z: np.ndarray | None):
    """(X, y, Z, w, n_zero): the rows of positive weight (all rows, w None, when unweighted).

    Rows of zero weight are dropped before the fit, as R's ``lm`` does.
    """
    if weights is None:
        return X, y, Z, None, 0
    n = len(y)
    w = _check_weights(weights, n)
    positive = w > 0
    n_zero = n - int(np.count_nonzero(positive))
    if n_zero:
        X, y, w = X[positive], y[positive], w[positive]
        Z = None if Z is None else Z[positive]
    return X, y, Z, w, n_zero


def _check_residual_df(n: int, k: int, n_zero: int) -> None:
    """Refuse n <= k: least squares must leave residual degrees of freedom."""
    if n <= k:
        weighted = f" of positive weight ({n_zero} had weight 0)" if n_zero else ""
        raise ModelError(
            f"only n={n} rows{weighted} for k={k} parameters: least squares needs more rows than parameters "
            "(n > k) to leave residual degrees of freedom; add rows or drop terms"
        )


def _hac_lags(cov_type: str, maxlags: object, n: int) -> int | None:
    """The HAC lag count for ``cov_type="HAC"``, else None (and a ``maxlags`` given is refused)."""
    if cov_type == "HAC":
        return _check_maxlags(maxlags, n)
    if maxlags is not None:
        raise ModelError(f"maxlags applies to cov_type='HAC' only; got maxlags={maxlags!r} with cov_type={cov_type!r}")
    return None


def _fit_solution(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, Z: np.ndarray | None, M: np.ndarray | None, *,
                  method: str, intercept: bool, cov_type: str):
    """Solve (weighted) least squares: (solution, working design, M or None).

    The working design is what the robust covariances are formed from; M is None when the solution is in raw terms (no basis, or given up for the
    raw design). Unweighted QR and SVD solutions are refined when ``_wants_refinement`` says so, unless
    ``_float64_settles`` finds them there already.
    """
    n, k = X.shape[0], X.shape[1] + int(intercept)
    if w is None:
        sol, _, work, raw = _solve(X, y, Z, M, method=method, intercept=intercept)
        if cov_type != "nonrobust" and work is None:
            work = _with_ones(X, intercept)  # CholeskyQR2 never built the design
    else:
        X1 = _with_ones(X, intercept)
        sw = np.sqrt(w)
        A = X1 * sw[:, None]
        _check_magnitude(A, y * sw)
        Zw = None if Z is None else Z * sw.astype(Z.dtype)[:, None]
        sol, _, work, raw = _solve(A, y * sw, Zw, M, method=method, intercept=False)
        if work is None:
            work = A
    if raw:
        M = None
    if w is None and method != "normal" and _wants_refinement(sol, n, k, basis=M is not None):
        if M is not None or not _float64_settles(X, y, sol, intercept=intercept):
            sol = _refine(X, y, sol, intercept=intercept, Z=Z if M is not None else None, M=M)
    return sol, work, M


def _solve(
    A: np.ndarray, y: np.ndarray, Z: np.ndarray | None, M: np.ndarray | None, *, method: str, intercept: bool
) -> tuple[_Solve, np.ndarray | None, np.ndarray | None, bool]:
    """Pick the solver and run it.

    ``A`` holds the features (the ones column is prepended when ``intercept``).
    Returns the solution; X1 = [1, A] if it was built; the working design that was
    solved (None when CholeskyQR2 solved [1, A] without building it); and whether
    the basis was given up for the raw design (then the solution is in raw terms).
    """
    n = len(y)
    k = A.shape[1] + int(intercept)
    if method == "qr" and n * k > PRECISE_SIZE:
        # Large and (checked inside) well conditioned: CholeskyQR2 in a few
        # passes over the rows, without building the design with its ones column.
        if Z is None:
            sol = _solve_cholqr2(A, y, intercept=intercept)
            if sol is not None:
                return sol, None, (None if intercept else A), False
        elif Z.dtype == np.float64:
            sol = _solve_cholqr2(Z, y, intercept=False)
            if sol is not None:
                return sol, None, Z, False
    X1 = _with_ones(A, intercept)
    if method == "normal":
        return _solve_normal(X1, y), X1, X1, False
    solve = _solve_svd if method == "svd" else _solve_qr
    sol = solve(X1 if Z is None else Z, y)
    if M is not None and len(sol.kept) < k:
        # Dropping a column of the working basis is not dropping the same raw
        # column; with aliasing, fit the raw design (its own aliasing decides).
        return solve(X1, y), X1, X1, True
    return sol, X1, (X1 if Z is None else Z), False


def _check_weights(weights: object, n: int) -> np.ndarray:
    """Weights as float64 (n,), each finite and >= 0; DataError otherwise."""
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"weights must be numeric; could not convert them to numbers ({exc})") from None
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.shape != (n,):
        raise DataError(f"weights has shape {w.shape} but X has {n} rows; give one weight per row")
    bad = ~np.isfinite(w)
    if bad.any():
        raise DataError(
            f"weights has NaN or infinite values (first at rows {np.nonzero(bad)[0][:5].tolist()}); "
            "give every row a finite weight (0 drops a row)"
        )
    neg = w < 0
    if neg.any():
        raise DataError(
            f"weights must be non-negative; rows {np.nonzero(neg)[0][:5].tolist()} have negative weights "
            f"(smallest {np.min(w):.6g}). A weight is a relative precision, 1/variance; 0 drops a row"
        )
    return w


def _check_maxlags(maxlags: object, n: int) -> int:
    """The HAC lag count: given (an integer 0 <= L < n) or floor(4 (n / 100)^(2/9))."""
    if maxlags is None:
        return math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))
    if isinstance(maxlags, (bool, np.bool_)) or not isinstance(maxlags, (int, np.integer)) or not 0 <= maxlags < n:
        raise ModelError(f"maxlags must be a whole number from 0 to n - 1 = {n - 1}; got {maxlags!r}")
    return int(maxlags)


# =============================================================================
# inference
# =============================================================================
def _robust_cov(work: np.ndarray, sol: _Solve, *, cov_type: str, maxlags: int | None, intercept: bool) -> np.ndarray:
    """Sandwich covariance (r, r) of the kept working coefficients (see fit_ols' Notes).

    ``work`` is the working design that was solved (rows times sqrt(w) when
    weighted), so ``sol``'s residuals and leverages belong to it.

    The sandwich C (Z^T Omega Z) C is ill-conditioned when formed from C = (Z^T Z)^{-1}:
    with an offset column (values near 1e5), its rounding is amplified by cond^2. So,
    as statsmodels does with its pseudo-inverse, it is formed from an orthonormal Q:
    with the other columns shifted by multiples of the first (the ones column) to
    make W = Z A well conditioned, W = QR gives Cov_W = R^{-1} (Q^T Omega Q) R^{-T},
    and Cov = A Cov_W A^T maps it back (A only touches the intercept).
    """
    import scipy.linalg
    W = np.array(work[:, sol.kept], dtype=np.float64)
    r = W.shape[1]
    A = np.eye(r, dtype=_LD)
    if intercept and r > 1:
        z0 = W[:, 0]
        shift = (z0 @ W[:, 1:]) / (z0 @ z0)
        W[:, 1:] -= np.outer(z0, shift)
        A[0, 1:] = -shift
    Q, R = _orthonormal_basis(W)
    del W
    e = np.asarray(sol.resid, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # h_i = 1 gives 0/0: NaN, as statsmodels and sandwich have it.
        if cov_type == "HC2":
            e = e / np.sqrt(1.0 - sol.leverage)
        elif cov_type == "HC3":
            e = e / (1.0 - sol.leverage)
    Q *= e[:, None]  # the scores, in the orthonormal basis
    meat = Q.T @ Q
    if cov_type == "HAC":
        for lag in range(1, maxlags + 1):
            g = Q[lag:].T @ Q[:-lag]
            meat += (1.0 - lag / (maxlags + 1.0)) * (g + g.T)  # Bartlett weights
    elif cov_type == "HC1":
        meat *= len(e) / (len(e) - r)
    with np.errstate(invalid="ignore"):
        Rinv = np.asarray(scipy.linalg.solve_triangular(R, np.eye(r), check_finite=False), dtype=_LD)
        cov_w = Rinv @ np.asarray(meat, dtype=_LD) @ Rinv.T
        return A @ cov_w @ A.T


def _orthonormal_basis(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Thin QR of W (n, r): Householder for small W, CholeskyQR2 for large well-conditioned W.

    CholeskyQR2 (R1 = chol(W^T W), Q1 = W R1^{-1}, R = chol(Q1^T Q1) R1, Q = W R^{-1})
    is matrix products over row blocks, several times faster than Householder with Q
    formed, and as accurate while cond(W)^2 eps << 1; when a Cholesky fails or Q1 is
    far from orthonormal, Householder takes over.
    """
    import scipy.linalg
    n, r = W.shape
    if n * r > PRECISE_SIZE:
        blocks = _row_blocks(n)
        Q = np.empty_like(W)

        def gram(a: int, b: int, B: np.ndarray | None) -> np.ndarray:
            G = np.zeros((r, r))
            for i in range(a, b, _CHUNK):
                j = min(i + _CHUNK, b)
                q = W[i:j] if B is None else np.matmul(W[i:j], B, out=Q[i:j])
                G += q.T @ q
            return G

        with np.errstate(all="ignore"), _one_blas_thread():
            try:
                R1 = np.linalg.cholesky(sum(_map_blocks(lambda a, b: gram(a, b, None), blocks))).T
                B1 = scipy.linalg.solve_triangular(R1, np.eye(r), check_finite=False)
                G2 = sum(_map_blocks(lambda a, b: gram(a, b, B1), blocks))
                if np.all(np.isfinite(G2)) and np.linalg.norm(G2 - np.eye(r)) < ORTHO_TOL:
                    R = np.linalg.cholesky(G2).T @ R1
                    B = scipy.linalg.solve_triangular(R, np.eye(r), check_finite=False)
                    _map_blocks(lambda a, b: gram(a, b, B), blocks)
                    return Q, R
            except np.linalg.LinAlgError:
                pass
    return scipy.linalg.qr(W, mode="economic", check_finite=False)


def _wald_f(coef: np.ndarray, cov: np.ndarray, slopes: np.ndarray) -> float:
    """b_s^T V_s^{-1} b_s / q over the slope indices (NaN when V_s is singular or not finite)."""
    b = np.asarray(coef[slopes], dtype=np.float64)
    V = np.asarray(cov[np.ix_(slopes, slopes)], dtype=np.float64)
    if not np.all(np.isfinite(V)):
        return math.nan
    try:
        return float(b @ np.linalg.solve(V, b)) / len(slopes)
    except np.linalg.LinAlgError:
        return math.nan


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
    weights: np.ndarray | None = None,
    n_zero_weight: int = 0,
    robust: np.ndarray | None = None,
    cov_type: str = "nonrobust",
    maxlags: int | None = None,
    use_t: bool = True,
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
        if weights is None:
            rss_l, tss_l = _sums_of_squares(sol.resid, y, intercept)
        else:
            rss_l, tss_l = _weighted_sums_of_squares(sol.resid, y, weights, intercept)
    rss, tss, sigma, cov, std_err, r_squared, df_model, f_stat = _classical(rss_l, tss_l, cov_u, df_resid, r,
                                                                            intercept, sol.kept)
    coef64 = np.asarray(coef, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        cov_unscaled = np.asarray(cov_u, dtype=np.float64)
    if robust is not None:
        cov, std_err, f_stat = _robust_inference(robust, sol, M, k, intercept, df_model, rss)

    if weights is None:
        fitted = np.asarray(sol.fitted, dtype=np.float64)
        resid = np.asarray(sol.resid, dtype=np.float64)
        y_scale = y
    else:
        # R's lm.wfit: residuals are unweighted (y - fitted), fitted = y - residuals.
        sw = np.sqrt(weights)
        resid = np.asarray(sol.resid / sw, dtype=np.float64)
        fitted = y - resid
        y_scale = y * sw

    aliased_mask = np.ones(k, dtype=bool)
    aliased_mask[sol.kept] = False
    aliased = tuple(t for t, a in zip(terms, aliased_mask) if a)
    cond_number = _raw_condition_number(sol.r_factor, M, aliased_mask)

    normal_cond = _cond(sol.r_factor) if method == "normal" else None
    notes = fit_notes(aliased, sol.cond_scaled, rss_l, tss_l, y_scale, n, normal_cond=normal_cond)

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
        fitted=fitted,
        resid=resid,
        leverage=np.asarray(sol.leverage, dtype=np.float64),
        features=X,
        y=y,
        intercept=intercept,
        warnings=tuple(notes),
        cov_unscaled=cov_unscaled,
        cov_type=cov_type,
        maxlags=maxlags,
        use_t=use_t,
        weights=weights,
        n_zero_weight=n_zero_weight,
    )



def _classical(rss_l, tss_l, cov_u: np.ndarray, df_resid: int, rank: int, intercept: bool, kept):
    """The classical inference from the sums of squares and the unscaled covariance (long double in).

    Returns ``(rss, tss, sigma, cov_params, std_err, r_squared, df_model, f_statistic)`` in float64:
    sigma² = rss / df_resid, cov = sigma² (X1ᵀX1)⁻¹, R² = 1 - rss / tss, F = ((tss - rss) / df_model) / sigma².
    Shared by ``fit_ols`` and ``linreg.scale``, which gets the same inputs from its R factor.
    """
    with np.errstate(over="ignore", under="ignore"):
        rss, tss = float(rss_l), float(tss_l)
        sigma2_l = rss_l / df_resid
        cov_l = cov_u * sigma2_l
        cov = np.asarray(cov_l, dtype=np.float64)
    _check_range(rss_l, tss_l, rss, tss, cov_l, cov, kept)
    sigma = float(np.sqrt(sigma2_l))
    # Longdouble test: a TSS below float64's range is still a spread to explain.
    r_squared = float(1 - rss_l / tss_l) if tss_l > 0 else math.nan
    df_model = rank - int(intercept)
    if df_model <= 0:
        f_stat = math.nan
    elif rss == 0.0:
        f_stat = math.inf
    else:
        f_stat = float(((tss_l - rss_l) / df_model) / sigma2_l)
    std_err = np.asarray(np.sqrt(np.diagonal(cov_u) * sigma2_l), dtype=np.float64)
    return rss, tss, sigma, cov, std_err, r_squared, df_model, f_stat


def fit_notes(aliased, cond_scaled: float, rss_l, tss_l, y_scale: np.ndarray, n: int, *,
              normal_cond: float | None = None) -> list[str]:
    """The plain-language warnings of a least-squares fit (``OLSResult.warnings``), in their order.

    Aliased terms (also raised as a RankDeficiencyWarning), near collinearity, the normal
    equations' squared condition number (``normal_cond``: the raw condition number when the
    fit used them), a constant target and an exact fit. Shared by ``fit_ols`` and ``linreg.scale``.
    """
    notes: list[str] = []
    if aliased:
        msg = (
            f"{len(aliased)} term(s) are exact linear combinations of earlier terms and were not estimated "
            f"(aliased): {', '.join(aliased)}. Their coefficients are shown as missing; drop them or "
            "remove the redundant column (for dummies, one level per categorical must be left out)."
        )
        notes.append(msg)
        _warnings.warn(msg, RankDeficiencyWarning, stacklevel=4)
    if cond_scaled > COLLINEAR_COND and math.isfinite(cond_scaled):
        notes.append(
            f"The terms are nearly collinear (condition number {cond_scaled:.1e} after scaling the "
            "columns): small changes in the data can move the coefficients a lot, and their standard "
            "errors are large."
        )
    if normal_cond is not None:
        # The normal equations are formed unscaled, so the raw condition number counts.
        c = normal_cond
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
    if _is_exact_fit(rss_l, tss_l, y_scale, n):
        notes.append(
            "The model fits the data exactly (residuals are zero up to rounding): standard errors are "
            "(nearly) 0, t statistics huge or infinite and p-values (nearly) 0, so the tests say nothing here."
        )
    return notes

def _robust_inference(
    robust: np.ndarray, sol: _Solve, M: np.ndarray | None, k: int, intercept: bool, df_model: int, rss: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Covariance (k, k), std_err (k,) and Wald F from the working sandwich ``robust`` (r, r)."""
    cov_l = np.full((k, k), np.nan, dtype=_LD)
    cov_l[np.ix_(sol.kept, sol.kept)] = robust
    if M is not None:
        cov_l = _map_coef(M, np.zeros(k, dtype=_LD), cov_l)[1]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        cov = np.asarray(cov_l, dtype=np.float64)
        std_err = np.asarray(np.sqrt(np.diagonal(cov_l)), dtype=np.float64)
    if df_model <= 0:
        return cov, std_err, math.nan
    if rss == 0.0:
        return cov, std_err, math.inf
    # In the working parametrisation, which is better conditioned: a basis maps the
    # slopes among themselves (M is upper triangular, the ones column first), so the
    # Wald statistic of "all slopes are 0" is the same there.
    slopes = np.nonzero(sol.kept != 0)[0] if intercept else np.arange(len(sol.kept))
    return cov, std_err, _wald_f(sol.coef, robust, slopes)


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


def _weighted_sums_of_squares(
    resid_w: np.ndarray, y: np.ndarray, w: np.ndarray, intercept: bool
) -> tuple[np.floating, np.floating]:
    """RSS = sum of the weighted residuals squared and TSS = sum w (y - ybar_w)^2 (or sum w y^2), in longdouble."""
    rl = np.asarray(resid_w, dtype=_LD)
    yl = np.asarray(y, dtype=_LD)
    wl = np.asarray(w, dtype=_LD)
    rss_l = rl @ rl
    if intercept:
        sw = wl.sum()
        dev = yl - (wl @ yl) / sw
        dev -= (wl @ dev) / sw  # second pass: removes the rounding of the mean
        tss_l = wl @ np.square(dev)
    else:
        tss_l = wl @ np.square(yl)
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
