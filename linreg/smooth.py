"""Smoothers and normal quantiles behind R's diagnostic plots: ``lowess``, ``ppoints``, ``qqnorm``, ``qqline``.

Each function reproduces R's (``stats::lowess``, ``ppoints``, ``qqnorm``, ``qqline``) and is
tested against R's own outputs; :mod:`linreg.plots.residuals` only draws what they return.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .exceptions import DataError, ModelError

__all__ = ["lowess", "ppoints", "normal_quantiles", "qq_line", "LOWESS_FRAC", "LOWESS_ITERATIONS"]

# R's lowess defaults, which plot.lm's panel.smooth uses.
LOWESS_FRAC = 2 / 3
LOWESS_ITERATIONS = 3


def lowess(
    x: object,
    y: object,
    *,
    frac: float = LOWESS_FRAC,
    iterations: int = LOWESS_ITERATIONS,
    delta: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """R's ``lowess(x, y, f, iter, delta)``: robust locally weighted linear regression.

    A line is fitted at each anchor x by weighted least squares on the ``ceil(frac * n)``
    nearest points with tricube weights; points closer than ``delta`` to the last anchor
    are linearly interpolated instead of fitted. Each robustness iteration then
    down-weights points by the bisquare of their residual over 6 median |residual|.

    Parameters
    ----------
    x, y : array-like, shape (n,)
        Finite values, in any order.
    frac : float, default 2/3
        Share of the points in each local fit (R's ``f``), in (0, 1].
    iterations : int, default 3
        Robustness iterations (R's ``iter``), at least 0.
    delta : float, optional
        Interpolation distance, at least 0; R's default ``0.01 * diff(range(x))`` when None.

    Returns
    -------
    x_sorted, smooth : ndarray, shape (n,)
        ``x`` sorted (stably) and the smoothed values there, as R's ``lowess`` returns.

    Raises
    ------
    DataError
        If ``x`` or ``y`` is not 1-dimensional and numeric, their lengths differ, or a value
        is NaN or infinite.
    ModelError
        If ``frac``, ``iterations`` or ``delta`` is out of its range.

    Notes
    -----
    A line-by-line port of R's ``clowess`` (src/library/stats/src/lowess.c), vectorized
    over each local window; it agrees with R to about 1e-12 on the outputs that
    statsmodels keeps in ``nonparametric/tests/results``. The cost is about
    (number of anchors) x (window size) per iteration.

    Examples
    --------
    >>> xs, ys = lowess(np.arange(5.0), np.array([1.0, 3.0, 5.0, 7.0, 9.0]))
    >>> np.round(ys, 12).tolist()
    [1.0, 3.0, 5.0, 7.0, 9.0]
    >>> lowess([1.0, 2.0], [1.0])
    Traceback (most recent call last):
    ...
    linreg.exceptions.DataError: x has 2 values but y has 1; give one y per x
    """
    x, y = _check_xy(x, y)
    if not 0.0 < frac <= 1.0:
        raise ModelError(f"frac must be in (0, 1] (the share of points in each local fit); got {frac!r}")
    if int(iterations) != iterations or iterations < 0:
        raise ModelError(f"iterations must be a whole number >= 0; got {iterations!r}")
    if delta is not None and not delta >= 0.0:
        raise ModelError(f"delta must be >= 0 (or None for R's default, 1% of the range of x); got {delta!r}")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    n = x.size
    if n < 2:
        return x, y.copy()
    span = x[-1] - x[0]
    if delta is None:
        delta = 0.01 * span
    ns = max(2, min(n, int(frac * n + 1e-7)))  # points in each local fit, as clowess
    anchors, lefts = _anchors(x, ns, delta)
    return x, _robust_smooth(x, y, ns, span, anchors, lefts, int(iterations))


def _check_xy(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as finite float64 vectors of one length, or a DataError saying why not."""
    x, y = _vector("x", x), _vector("y", y)
    if x.size != y.size:
        raise DataError(f"x has {x.size} values but y has {y.size}; give one y per x")
    return x, y


def _vector(name: str, values: object) -> np.ndarray:
    """``values`` as a finite float64 vector, shape (n,), or a DataError naming ``name``."""
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric; could not convert it to numbers ({exc})") from None
    if a.ndim != 1:
        raise DataError(f"{name} must be 1-dimensional (n,); got shape {a.shape}")
    if not np.isfinite(a).all():
        raise DataError(f"{name} has NaN or infinite values; drop those points first")
    return a


def _anchors(x: np.ndarray, ns: int, delta: float) -> tuple[list[int], list[int]]:
    """clowess's anchors (the points actually fitted) in sorted ``x`` and the left end of each one's window."""
    n = x.size
    # Anchors (the points actually fitted) and their windows depend on x only.
    # clowess slides the window [L, L + ns) right while x[i] - x[L] > x[L + ns] - x[i];
    # that test is monotone in L, so a binary search on x[L] + x[L + ns] finds where it
    # stops, and the two loops correct any rounding difference from clowess's own test.
    pair = x[: n - ns] + x[ns:]
    anchors: list[int] = []
    lefts: list[int] = []
    i = 0
    while True:
        left = int(np.searchsorted(pair, 2.0 * x[i], side="left"))
        while left > 0 and not (x[i] - x[left - 1] > x[left - 1 + ns] - x[i]):
            left -= 1
        while left < n - ns and x[i] - x[left] > x[left + ns] - x[i]:
            left += 1
        anchors.append(i)
        lefts.append(left)
        last = int(np.searchsorted(x, x[i], side="right")) - 1  # ties share the anchor's value
        if last >= n - 1:
            break
        after = int(np.searchsorted(x, x[i] + delta, side="right"))
        i = max(last + 1, after - 1)  # the farthest point within delta is the next anchor
    return anchors, lefts


def _robust_smooth(x: np.ndarray, y: np.ndarray, ns: int, span: float, anchors: list[int], lefts: list[int],
                   iterations: int) -> np.ndarray:
    """The local fits at the anchors, interpolated between them, re-weighted ``iterations`` times (sorted x)."""
    n = x.size
    anchor_x = x[anchors]

    robustness = np.ones(n)
    smooth = y.copy()
    for step in range(iterations + 1):
        fit = np.empty(len(anchors))
        for a, (i, left) in enumerate(zip(anchors, lefts, strict=True)):
            fit[a] = _lowess_local(x, y, i, left, ns, span, robustness if step else None)
        # Between anchors clowess interpolates linearly; the last point is always an anchor.
        smooth = np.interp(x, anchor_x, fit)
        resid = y - smooth
        abs_resid = np.abs(resid)
        if step == iterations:
            break
        cmad = 6.0 * float(np.median(abs_resid))
        if cmad < 1e-7 * float(abs_resid.mean()):  # residuals effectively zero: done
            break
        # Bisquare weights, compared as clowess does (so cmad == 0 with zero residuals gives weight 1).
        with np.errstate(divide="ignore", invalid="ignore"):
            robustness = np.where(abs_resid <= 0.999 * cmad, (1.0 - (abs_resid / cmad) ** 2) ** 2, 0.0)
        robustness[abs_resid <= 0.001 * cmad] = 1.0
    return smooth


def _lowess_local(x, y, i, left, ns, span, robustness):
    """clowess's ``lowest``: the local weighted linear fit at anchor ``x[i]`` (sorted x)."""
    xs = x[i]
    h = max(xs - x[left], x[left + ns - 1] - xs)
    # Points past x[left + ns - 1] can only enter as ties within 0.999 h; the rest get
    # weight 0, so taking everything up to xs + h changes no sum.
    right = int(np.searchsorted(x, xs + h, side="right"))
    xw = x[left:right]
    r = np.abs(xw - xs)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(r <= 0.999 * h, (1.0 - (r / h) ** 3) ** 3, 0.0)
    w[r <= 0.001 * h] = 1.0
    if robustness is not None:
        w = w * robustness[left:right]
    total = w.sum()
    if total <= 0.0:  # every neighbour has robustness weight 0: keep the point itself
        return y[i]
    w = w / total
    # Elementwise sums, not BLAS dot products: on a busy machine the threaded BLAS call
    # costs milliseconds for a few thousand numbers.
    if h > 0.0:
        centre = (w * xw).sum()
        c = (w * (xw - centre) ** 2).sum()
        if math.sqrt(c) > 0.001 * span:  # enough spread in x to fit a slope
            w = w * ((xs - centre) / c * (xw - centre) + 1.0)
    return float((w * y[left:right]).sum())


def ppoints(n: int) -> np.ndarray:
    """R's ``ppoints(n)``: the probabilities at which ``qqnorm`` evaluates the normal quantiles.

    Parameters
    ----------
    n : int
        Number of points, at least 0.

    Returns
    -------
    ndarray, shape (n,)
        (i - a) / (n + 1 - 2a) for i = 1..n, with a = 3/8 if n <= 10 else 1/2.

    Examples
    --------
    >>> ppoints(3).tolist()
    [0.19230769230769232, 0.5, 0.8076923076923077]
    >>> ppoints(12)[:2].tolist()
    [0.041666666666666664, 0.125]
    """
    if int(n) != n or n < 0:
        raise ModelError(f"n must be a whole number >= 0; got {n!r}")
    a = 3.0 / 8.0 if n <= 10 else 0.5
    return (np.arange(1, int(n) + 1) - a) / (n + 1 - 2.0 * a)


def normal_quantiles(values: object) -> np.ndarray:
    """Theoretical normal quantile of each value, as R's ``qqnorm(values)$x``.

    Parameters
    ----------
    values : array-like, shape (n,)
        Finite values (standardized residuals, say), in any order.

    Returns
    -------
    ndarray, shape (n,)
        ``qnorm(ppoints(n))[order(order(values))]``: the i-th smallest value gets the i-th
        normal quantile (ties in their original order).

    Examples
    --------
    >>> np.round(normal_quantiles(np.array([2.0, -1.0, 0.5])), 4).tolist()
    [0.8694, -0.8694, 0.0]
    """
    values = _vector("values", values)
    q = stats.norm.ppf(ppoints(values.size))
    out = np.empty(values.size)
    out[np.argsort(values, kind="stable")] = q
    return out


def qq_line(values: object) -> tuple[float, float]:
    """R's ``qqline``: the line through the first and third quartiles of a normal Q-Q plot.

    Parameters
    ----------
    values : array-like, shape (n,)
        Finite values, n >= 1.

    Returns
    -------
    slope, intercept : float
        Of the line through (qnorm(0.25), Q1) and (qnorm(0.75), Q3), with Q1 and Q3 the
        sample quartiles in R's default (type 7) definition.

    Examples
    --------
    >>> slope, intercept = qq_line(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]))
    >>> round(slope, 6), round(intercept, 6)
    (1.482602, 0.0)
    """
    values = _vector("values", values)
    if values.size == 0:
        raise DataError("qq_line needs at least one value; got none")
    y1, y3 = np.quantile(values, [0.25, 0.75])
    x1, x3 = stats.norm.ppf([0.25, 0.75])
    slope = (y3 - y1) / (x3 - x1)
    return float(slope), float(y1 - slope * x1)
