"""Residual diagnostics for a fitted OLS model, each with a plain-English reading.

- :func:`breusch_pagan`: does the residual spread change with the predictors?
- :func:`jarque_bera`: are the residuals normal (skewness and kurtosis)?
- :func:`durbin_watson`: are consecutive residuals correlated (row order)? With the
  p-value of ``lmtest::dwtest`` (exact below 100 rows, else its normal approximation).
- :func:`vif`: how much collinearity inflates each coefficient's variance.
- :func:`influence_table`: the rows that move the fit most (Cook's distance).
- :func:`cooks_contour`: where Cook's distance reaches a level, for the residuals-vs-leverage plot.

The statistics follow statsmodels (``het_breuschpagan`` in its default
studentized form, ``jarque_bera``, ``durbin_watson``,
``variance_inflation_factor``), which the tests use as the oracle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import integrate, stats

from ._validation import check_option
from .exceptions import DataError, ModelError
from .ols import OLSResult

__all__ = [
    "TestResult", "breusch_pagan", "jarque_bera", "durbin_watson", "vif", "influence_table", "cooks_contour",
]


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its p-value and a one-sentence reading.

    Attributes
    ----------
    name : str
    statistic : float
    p_value : float or None
        None when the p-value is undefined (e.g. an exact fit).
    df : float or None
        Degrees of freedom of the reference distribution, if any.
    reading : str
        One plain sentence interpreting the number at the fit's alpha.
    """

    __test__ = False  # not a pytest test class despite the name

    name: str
    statistic: float
    p_value: float | None
    df: float | None
    reading: str


def _p_text(p: float, alpha: float) -> str:
    if p < 0.001:
        return f"p < 0.001 < {alpha:g}"
    return f"p = {p:.3f} {'<' if p < alpha else '≥'} {alpha:g}"


# Residuals this close to zero are rounding noise: 8 units in the last place of the largest |y|
# (as root mean square), or a residual norm 1e-12 of the spread of y.
_ROUNDING_ULPS = 8.0
_EXACT_RELATIVE = 1e-12


def _exact(result: OLSResult) -> bool:
    """Residuals at rounding level (an exact fit): tests on them would only measure rounding noise.

    Compared as square roots (RMS residual against the rounding of y, residual norm against
    the spread of y), so values near the largest double do not overflow.
    """
    n = result.n
    y_max = float(np.max(np.abs(result.y))) if n else 0.0
    rms = math.sqrt(result.rss / n) if n else 0.0
    return rms <= _ROUNDING_ULPS * np.finfo(np.float64).eps * y_max or (
        math.sqrt(result.rss) <= _EXACT_RELATIVE * math.sqrt(result.tss)
    )


def _kept_features(result: OLSResult) -> np.ndarray:
    """Design columns (without the ones column) of the non-aliased terms, shape (n, q)."""
    keep = ~np.isnan(result.coef)
    if result.intercept:
        keep[0] = False
    return result.X[:, keep]


def _r_squared(u: np.ndarray, Z: np.ndarray) -> float:
    """Centred R^2 of the least-squares regression of u on [1, Z]."""
    A = np.column_stack([np.ones(len(u)), Z])
    scale = np.sqrt(np.einsum("ij,ij->j", A, A))
    scale[scale == 0] = 1.0
    coef, *_ = np.linalg.lstsq(A / scale, u, rcond=None)
    e = u - (A / scale) @ coef
    d = u - u.mean()
    tss = float(d @ d)
    return math.nan if tss == 0 else 1.0 - float(e @ e) / tss


def breusch_pagan(result: OLSResult) -> TestResult:
    """Breusch-Pagan test of constant residual variance, studentized (Koenker) form.

    Parameters
    ----------
    result : OLSResult

    Returns
    -------
    TestResult
        ``statistic`` = LM, ``df`` = number of non-intercept (non-aliased) terms.

    Notes
    -----
    Regress the squared residuals e_i^2 on the model's non-aliased terms, always
    with a constant (also when the model has none); LM = n R^2 of that
    regression, compared with chi^2(q), q the number of non-constant regressors.
    Koenker's form is robust to non-normal errors.

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> res = fit_ols([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 1.2, 1.8, 3.3, 3.9, 5.1])
    >>> bp = breusch_pagan(res)
    >>> bp.df
    1.0
    """
    Z = _kept_features(result)
    q = Z.shape[1]
    u = result.resid**2
    r2 = _r_squared(u, Z) if q and not _exact(result) else math.nan
    if not math.isfinite(r2):
        return TestResult(
            "Breusch-Pagan", math.nan, None, float(q),
            "Not defined here: the model has no predictor, or the residuals are all zero up to rounding (an exact fit).",
        )
    lm = result.n * r2
    p = float(stats.chi2.sf(lm, q))
    if p < result.alpha:
        reading = f"{_p_text(p, result.alpha)}: the residual spread changes with the predictors (heteroscedasticity), so the standard errors are not reliable."
    else:
        reading = f"{_p_text(p, result.alpha)}: no evidence that the residual spread changes with the predictors (constant variance is plausible)."
    return TestResult("Breusch-Pagan", float(lm), p, float(q), reading)


def jarque_bera(result: OLSResult) -> TestResult:
    """Jarque-Bera test of normal residuals from their skewness and kurtosis.

    Notes
    -----
    JB = n/6 (S^2 + (K - 3)^2 / 4), with S and K the sample skewness and
    kurtosis of the residuals (moments about their mean, divided by n);
    compared with chi^2(2).

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> res = fit_ols([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 1.2, 1.8, 3.3, 3.9, 5.1])
    >>> jarque_bera(res).df
    2.0
    """
    e = result.resid - result.resid.mean()
    m2 = float(np.mean(e**2))
    if m2 == 0.0 or _exact(result):
        return TestResult("Jarque-Bera", math.nan, None, 2.0, "Not defined here: the residuals are all zero up to rounding (an exact fit).")
    skew = float(np.mean(e**3)) / m2**1.5
    kurt = float(np.mean(e**4)) / m2**2
    jb = result.n / 6.0 * (skew**2 + (kurt - 3.0) ** 2 / 4.0)
    p = float(stats.chi2.sf(jb, 2))
    shape = f"skewness {skew:.2f}, kurtosis {kurt:.2f} against 0 and 3 for a normal"
    if p < result.alpha:
        reading = f"{_p_text(p, result.alpha)}: the residuals are not normally distributed ({shape}); with small samples, t-based p-values and intervals are approximate."
    else:
        reading = f"{_p_text(p, result.alpha)}: no evidence against normally distributed residuals ({shape})."
    return TestResult("Jarque-Bera", float(jb), p, 2.0, reading)


Alternative = Literal["greater", "less", "two.sided"]
ALTERNATIVES: tuple[str, ...] = ("greater", "less", "two.sided")

# lmtest::dwtest's defaults: the exact distribution below 100 rows, the normal
# approximation from 100 on, and eigenvalues up to 1e-10 treated as zero.
_DW_EXACT_BELOW = 100
_DW_EIGEN_TOL = 1e-10
# The exact p-value needs the eigenvalues of an (n - k) x (n - k) matrix: O(n^3)
# time and n^2 doubles (32 MB and about a second at this size).
DW_EXACT_MAX_ROWS = 2000
# Rows per block of the normal approximation (memory: a few blocks of k columns).
_DW_BLOCK = 65536


def durbin_watson(result: OLSResult, *, alternative: Alternative = "greater", exact: bool | None = None) -> TestResult:
    """Durbin-Watson test of first-order autocorrelation, in row order, with its p-value.

    Parameters
    ----------
    result : OLSResult
    alternative : {"greater", "less", "two.sided"}, default "greater"
        "greater": the true lag-one autocorrelation is positive (small DW);
        "less": negative (large DW); "two.sided": not zero. As ``lmtest::dwtest``.
    exact : bool, optional
        True: the exact null distribution (needs n <= DW_EXACT_MAX_ROWS); False: its
        normal approximation. Default, as ``lmtest::dwtest``: exact when n < 100.

    Returns
    -------
    TestResult
        ``statistic`` = DW, ``p_value`` for ``alternative``, ``df`` None. The p-value is
        None where it is undefined: an exact fit, n < 3, or (normal approximation) n < 5.

    Raises
    ------
    ModelError
        An unknown ``alternative``, or ``exact=True`` above DW_EXACT_MAX_ROWS rows.

    Notes
    -----
    DW = sum_{i>1} (e_i - e_{i-1})^2 / sum_i e_i^2 = e'Ae / e'e, between 0 and 4; about
    2 (1 - r) for lag-one correlation r, so 2 means none. A is the (n, n) tridiagonal
    matrix with diagonal (1, 2, ..., 2, 1) and -1 beside it.

    Under H0 (independent normal errors) e = M eps with M = I - X (X'X)^-1 X', so
    DW = sum_j nu_j xi_j^2 / sum_j xi_j^2 with xi_j iid N(0, 1) and nu_j the n - k
    nonzero eigenvalues of MA (computed as those of N'AN, N an orthonormal basis of
    the residual space; those up to 1e-10 are dropped, as lmtest does).
    P(DW <= d) = P(Q <= 0) for Q = sum_j (nu_j - d) xi_j^2, by Imhof's (1961) integral

        P(Q <= 0) = 1/2 - (1/pi) int_0^inf sin(theta(u)) / (u rho(u)) du,
        theta(u) = 1/2 sum_j arctan(lam_j u),  rho(u) = prod_j (1 + lam_j^2 u^2)^(1/4),

    with lam_j = nu_j - d, evaluated by ``scipy.integrate.quad`` (lmtest evaluates the
    same probability by Pan's algorithm, AS 153). p = P(DW <= d) for "greater",
    1 - P(DW <= d) for "less" and 2 min(P, 1 - P) for "two.sided".

    The normal approximation uses the exact mean and variance of DW under H0,
    E = tr(MA) / m and Var = 2 (tr((MA)^2) - tr(MA)^2 / m) / (m (m + 2)), m = n - k;
    "two.sided" is 2 P(Z > |d - E| / sd).

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> res = fit_ols([0.0, 1.0, 2.0, 3.0], [0.0, 2.0, 1.0, 3.0])
    >>> round(durbin_watson(res).statistic, 6)
    3.4
    >>> res = fit_ols(np.arange(8.0), [0.1, 1.3, 1.9, 3.4, 3.6, 5.2, 5.8, 7.5])
    >>> dw = durbin_watson(res, alternative="less")
    >>> round(dw.statistic, 4), round(dw.p_value, 4)
    (3.0872, 0.0919)
    """
    check_option("alternative", alternative, ALTERNATIVES)
    if exact is not None and not isinstance(exact, (bool, np.bool_)):
        raise ModelError(f"exact must be True, False or None (lmtest's default); got {exact!r}")
    e = result.resid
    ss = float(e @ e)
    if ss == 0.0 or _exact(result):
        return TestResult("Durbin-Watson", math.nan, None, None, "Not defined here: the residuals are all zero up to rounding (an exact fit).")
    dw = float(np.sum(np.diff(e) ** 2)) / ss
    n = result.n
    use_exact = n < _DW_EXACT_BELOW if exact is None else bool(exact)
    if use_exact and n > DW_EXACT_MAX_ROWS:
        raise ModelError(
            f"the exact Durbin-Watson p-value needs the eigenvalues of a {n:,} x {n:,} matrix; it is computed "
            f"for at most {DW_EXACT_MAX_ROWS:,} rows; use exact=False (the normal approximation) or exact=None"
        )
    Xk = _kept_design(result)
    p = None
    if n >= 3:
        if use_exact:
            lower = _dw_exact_cdf(dw, _dw_eigenvalues(Xk))
            p = {"greater": lower, "less": 1.0 - lower, "two.sided": 2.0 * min(lower, 1.0 - lower)}[alternative]
        elif n >= max(5, Xk.shape[1]):
            p = _dw_normal_p(dw, Xk, alternative)
    if p is not None:
        p = float(min(max(p, 0.0), 1.0))
    return TestResult("Durbin-Watson", dw, p, None, _dw_reading(dw, p, alternative, result.alpha))


def _dw_reading(dw: float, p: float | None, alternative: str, alpha: float) -> str:
    """One sentence on DW: by its p-value when there is one, else by its distance from 2."""
    if p is None:
        if dw < 1.5:
            return f"DW = {dw:.2f} (below 2): consecutive residuals are positively correlated, so the rows are not independent (check the row order, e.g. time)."
        if dw > 2.5:
            return f"DW = {dw:.2f} (above 2): consecutive residuals alternate in sign (negative autocorrelation)."
        return f"DW = {dw:.2f} (about 2): no sign of correlation between consecutive residuals."
    against = {"greater": "positive", "less": "negative", "two.sided": "any"}[alternative]
    head = f"DW = {dw:.2f}, {_p_text(p, alpha)} against {against} autocorrelation"
    if p >= alpha:
        return f"{head}: no evidence of correlation between consecutive residuals."
    if dw < 2.0:
        return f"{head}: consecutive residuals are positively correlated, so the rows are not independent (check the row order, e.g. time)."
    return f"{head}: consecutive residuals alternate in sign (negative autocorrelation), so the rows are not independent."


def _kept_design(result: OLSResult) -> np.ndarray:
    """The design (n, rank) with its ones column, without aliased terms."""
    return result.X[:, ~np.isnan(result.coef)]


def _second_difference(V: np.ndarray) -> np.ndarray:
    """A V for the DW matrix A (rows: v_0 - v_1, -v_{i-1} + 2 v_i - v_{i+1}, v_{n-1} - v_{n-2})."""
    out = np.empty_like(V)
    out[1:-1] = 2.0 * V[1:-1] - V[:-2] - V[2:]
    out[0] = V[0] - V[1]
    out[-1] = V[-1] - V[-2]
    return out


def _dw_eigenvalues(X: np.ndarray) -> np.ndarray:
    """The eigenvalues above 1e-10 of MA, as those of N'AN for an orthonormal basis N of the residual space."""
    k = X.shape[1]
    Q, _ = np.linalg.qr(X, mode="complete")
    N = Q[:, k:]
    ev = np.linalg.eigvalsh(N.T @ _second_difference(N))
    return ev[ev > _DW_EIGEN_TOL]


def _dw_exact_cdf(d: float, nu: np.ndarray) -> float:
    """P(sum_j nu_j xi_j^2 / sum_j xi_j^2 <= d) by Imhof's integral (see durbin_watson)."""
    lam = nu - d
    top = float(np.max(np.abs(lam))) if lam.size else 0.0
    if top == 0.0:
        return 0.5
    lam = lam / top  # the probability is unchanged by scaling; u is then of order 1

    def integrand(u: float) -> float:
        if u == 0.0:
            return 0.5 * float(np.sum(lam))  # the limit of sin(theta(u)) / u
        lu = lam * u
        theta = 0.5 * float(np.sum(np.arctan(lu)))
        log_rho = 0.25 * float(np.sum(np.log1p(lu * lu)))
        return math.sin(theta) / (u * math.exp(log_rho))

    value, _ = integrate.quad(integrand, 0.0, math.inf, limit=500, epsabs=1e-15, epsrel=1e-12)
    return 0.5 - value / math.pi


def _dw_normal_p(d: float, X: np.ndarray, alternative: str) -> float:
    """p-value from the normal approximation with DW's exact mean and variance (see durbin_watson).

    With X = QR and W = DQ (D the first-difference matrix, A = D'D): Q'AQ = W'W and
    Q'A^2Q = (D'W)'(D'W), so tr(MA) = tr(A) - ||W||^2 and tr((MA)^2) = tr(A^2)
    - 2 ||D'W||^2 + ||W'W||^2; W is made block by block from X and R, never Q.
    """
    n, k = X.shape
    m = n - k
    R = np.linalg.qr(X, mode="r")
    WtW = np.zeros((k, k))
    dtw = 0.0  # ||D'W||^2: row j of D'W is w_{j-1} - w_j, with w_{-1} = w_{n-1} = 0
    prev = np.zeros(k)
    for start in range(0, n - 1, _DW_BLOCK):
        stop = min(start + _DW_BLOCK, n - 1)
        W = scipy.linalg.solve_triangular(R, (X[start + 1:stop + 1] - X[start:stop]).T, trans="T").T
        WtW += W.T @ W
        dtw += float(np.sum(np.square(W[0] - prev) if start else np.square(W[0])))
        dtw += float(np.sum(np.square(W[:-1] - W[1:])))
        prev = W[-1]
    dtw += float(prev @ prev)
    tr_ma = 2.0 * (n - 1) - float(np.trace(WtW))
    tr_ma2 = 2.0 * (3 * n - 4) - 2.0 * dtw + float(np.sum(WtW * WtW))
    mean = tr_ma / m
    var = 2.0 * (tr_ma2 - tr_ma * mean) / (m * (m + 2))
    sd = math.sqrt(max(var, 0.0))
    if sd == 0.0:
        return math.nan
    z = (d - mean) / sd
    if alternative == "greater":
        return float(stats.norm.cdf(z))
    if alternative == "less":
        return float(stats.norm.sf(z))
    return float(2.0 * stats.norm.sf(abs(z)))


def vif(result: OLSResult) -> dict[str, float]:
    """Variance inflation factor of each non-intercept term.

    Returns
    -------
    dict of str to float
        VIF_j = 1 / (1 - R_j^2), R_j^2 from regressing term j on the other
        terms (with the intercept and centred R^2 when the model has one, as
        statsmodels' ``variance_inflation_factor`` on the design with its constant;
        without it, on the other terms alone with uncentred R^2). ``inf`` for
        aliased or perfectly collinear terms.

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> res = fit_ols([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]], [1.0, 2.0, 2.0, 4.0, 5.0])
    >>> {k: round(v, 6) for k, v in vif(res).items()}
    {'x1': 1.0, 'x2': 1.0}
    """
    out: dict[str, float] = {}
    X = result.X
    first = 1 if result.intercept else 0
    alive = ~np.isnan(result.coef)
    for j in range(first, X.shape[1]):
        name = result.terms[j]
        if not alive[j]:
            out[name] = math.inf
            continue
        others = [i for i in range(first, X.shape[1]) if i != j and alive[i]]
        xj = X[:, j]
        if result.intercept:
            r2 = _r_squared(xj, X[:, others]) if others else 0.0
        else:
            r2 = _uncentred_r_squared(xj, X[:, others]) if others else 0.0
        out[name] = math.inf if not r2 < 1.0 - 1e-13 else 1.0 / (1.0 - r2)
    return out


def _uncentred_r_squared(u: np.ndarray, Z: np.ndarray) -> float:
    scale = np.sqrt(np.einsum("ij,ij->j", Z, Z))
    scale[scale == 0] = 1.0
    coef, *_ = np.linalg.lstsq(Z / scale, u, rcond=None)
    e = u - (Z / scale) @ coef
    tss = float(u @ u)
    return math.nan if tss == 0 else 1.0 - float(e @ e) / tss


def influence_table(result: OLSResult, row_labels: object = None, top: int | None = 10) -> pd.DataFrame:
    """The most influential rows, by Cook's distance (largest first).

    Parameters
    ----------
    result : OLSResult
    row_labels : array-like, shape (n,), optional
        Labels for the rows (e.g. ``Design.row_labels``); default 0..n-1.
    top : int or None, default 10
        How many rows to return (None: all).

    Returns
    -------
    pandas.DataFrame
        Columns row, fitted, resid, leverage, studentized_resid, cooks_distance.
        Rows with leverage 1 (Cook's distance undefined) come last.

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> res = fit_ols([0.0, 1.0, 2.0, 3.0, 10.0], [0.0, 1.0, 2.0, 3.0, 5.0])
    >>> int(influence_table(res, top=1)["row"].iloc[0])
    4
    """
    labels = np.arange(result.n) if row_labels is None else np.asarray(row_labels)
    if len(labels) != result.n:
        raise DataError(f"row_labels has {len(labels)} entries but the fit has {result.n} rows")
    table = pd.DataFrame(
        {
            "row": labels,
            "fitted": result.fitted,
            "resid": result.resid,
            "leverage": result.leverage,
            "studentized_resid": result.studentized_resid,
            "cooks_distance": result.cooks_distance,
        }
    )
    table = table.sort_values("cooks_distance", ascending=False, na_position="last", kind="stable")
    if top is not None:
        table = table.head(top)
    return table.reset_index(drop=True)


def cooks_contour(level: float, rank: int, leverage: object) -> np.ndarray:
    """Standardized residual at which Cook's distance equals ``level``, at each leverage.

    Parameters
    ----------
    level : float
        Cook's distance of the contour (R's ``plot.lm`` draws 0.5 and 1), > 0.
    rank : int
        Rank p of the design (the number of estimated coefficients), >= 1.
    leverage : array-like, shape (m,)
        Leverages h in [0, 1] at which to evaluate the contour.

    Returns
    -------
    ndarray, shape (m,)
        r >= 0, so that the contour is the pair of curves +r and -r; inf at h = 0 and 0 at h = 1.

    Raises
    ------
    ModelError
        If ``level`` is not positive or ``rank`` is below 1.

    Notes
    -----
    From D = r^2 h / (p (1 - h)), with r the standardized residual and p the rank:
    r = sqrt(D p (1 - h) / h).

    Examples
    --------
    >>> cooks_contour(0.5, 2, np.array([0.5])).tolist()
    [1.0]
    """
    if not level > 0:
        raise ModelError(f"level must be a Cook's distance > 0; got {level!r}")
    if int(rank) != rank or rank < 1:
        raise ModelError(f"rank must be a whole number >= 1 (the number of estimated coefficients); got {rank!r}")
    h = np.asarray(leverage, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(level * rank * (1.0 - h) / h)
