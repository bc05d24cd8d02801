"""The small computations behind the Learn page's lessons.

Everything heavy is reused from :mod:`linreg.ols` (the fits), :mod:`linreg.descent`
(loss, gradient, finite-difference check, loss surface, learning-rate bounds, gradient
descent) and :mod:`linreg.complexity`; this module only adds what a lesson shows that
the library does not already compute:

- :func:`lesson_data`: the one-feature datasets the lessons draw on;
- :func:`line_fit` and :func:`residual_squares` (lesson 1): a user's line, its RSS, and
  the squared residuals as squares;
- :func:`line_ranges`: slider ranges that contain the least-squares line;
- :func:`drag_area` and :func:`moved_points` (lesson 1): where the user may drag, add and
  remove points in the browser, and the check of the points that come back;
- :func:`bowl` and :func:`normal_equations` (lesson 2);
- :func:`chain_rule` and :func:`checked_point` (lesson 3);
- :func:`learning_rate_run` (lesson 5) and :func:`scaling_runs` (lesson 6);
- :func:`anscombe_fits` (lesson 7), :func:`design_preview` and :func:`terms_fit`
  (lesson 8), :func:`complexity_data` (lesson 9), :func:`penalized_data` and
  :func:`penalized_preview` (lesson 10);
- the teaching constants the lessons offer: ``SHIFTS`` (lesson 2), ``FACTORS`` (lesson 5),
  ``LAMBDAS`` (lesson 10), and the recipes of their synthetic datasets.

The loss is the one we teach, with no 1/2 factor: ``L(w) = (1/N)||y - X1 w||^2``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ._validation import check_option
from .datasets import load_dataset
from .descent import GDResult, gradient_descent
from .design import Design, ModelSpec, build_design, fit_design
from .exceptions import DataError, LinregWarning, ModelError
from .ols import OLSResult, fit_ols
from .quadratic import (
    GradientCheck,
    check_gradient,
    hessian_eigenvalues,
    learning_rate_bounds,
    loss,
    loss_surface,
    step_arithmetic,
)
from .synthetic import make_data

__all__ = [
    "LESSON_DATA",
    "LessonData",
    "LineFit",
    "Bowl",
    "NormalEquations",
    "ChainRule",
    "LearningRateRun",
    "PenalizedPreview",
    "lesson_data",
    "line_fit",
    "line_ranges",
    "residual_squares",
    "DRAG_POINTS",
    "drag_area",
    "moved_points",
    "checked_line",
    "bowl",
    "normal_equations",
    "chain_rule",
    "checked_point",
    "GD_LESSON",
    "gd_lesson_run",
    "learning_rate_run",
    "scaling_runs",
    "anscombe_fits",
    "design_preview",
    "curves_by_group",
    "penalized_preview",
    "SHIFTS",
    "FACTORS",
    "LAMBDAS",
    "TERMS_DATA",
    "COMPLEXITY_DATA",
    "PENALIZED_DATA",
    "TermsFit",
    "starting_line",
    "terms_data",
    "terms_fit",
    "complexity_data",
    "penalized_data",
]

#: Lesson dataset key -> title. Built-ins by their linreg.datasets name; "synthetic" is
#: ``make_data("linear", n=30, seed=0)``, whose truth is known.
LESSON_DATA: dict[str, str] = {
    "anscombe_1": "Anscombe's quartet, set I (11 points)",
    "cars": "Speed and stopping distance of cars (50 points)",
    "synthetic": "Synthetic: y = 2 + 1.5 x + noise (30 points, seed 0)",
}
_SYNTHETIC = {"kind": "linear", "n": 30, "seed": 0}


def _fit_quietly(X: np.ndarray, y: np.ndarray, **kwargs) -> OLSResult:
    # Lessons show the plain-language warnings themselves; a Python warning would only
    # reach the server log.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        return fit_ols(X, y, **kwargs)


# =============================================================================
# data
# =============================================================================
@dataclass(frozen=True, eq=False)
class LessonData:
    """One feature and a target, for the lessons that draw a line.

    Attributes
    ----------
    name : str
        Key of ``LESSON_DATA``.
    title : str
    x, y : ndarray, shape (n,)
    x_name, y_name : str
        Column names, for axis titles.
    """

    name: str
    title: str
    x: np.ndarray
    y: np.ndarray
    x_name: str
    y_name: str

    @cached_property
    def X1(self) -> np.ndarray:
        """The design with its ones column, shape (n, 2)."""
        return np.column_stack([np.ones_like(self.x), self.x])

    @cached_property
    def ols(self) -> OLSResult:
        """The least-squares fit of y on x (QR)."""
        return _fit_quietly(self.x[:, None], self.y, terms=(self.x_name,))

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.x.shape[0])


def lesson_data(name: str) -> LessonData:
    """Load one of the lesson datasets.

    Parameters
    ----------
    name : str
        A key of ``LESSON_DATA``.

    Returns
    -------
    LessonData

    Raises
    ------
    ModelError
        If ``name`` is not a lesson dataset (the message lists them).

    Examples
    --------
    >>> d = lesson_data("anscombe_1")
    >>> d.n, d.x_name, d.y_name, round(float(d.ols.coef[1]), 4)
    (11, 'x', 'y', 0.5001)
    """
    check_option("lesson dataset", name, LESSON_DATA)
    if name == "synthetic":
        sd = make_data(_SYNTHETIC["kind"], n=_SYNTHETIC["n"], seed=_SYNTHETIC["seed"])
        df, x_name, y_name = sd.data, "x", sd.target
    else:
        df, info = load_dataset(name)
        x_name, y_name = info.features[0], info.target
    return LessonData(name, LESSON_DATA[name], df[x_name].to_numpy(float), df[y_name].to_numpy(float), x_name, y_name)


# =============================================================================
# lesson 1: a line by eye
# =============================================================================
@dataclass(frozen=True, eq=False)
class LineFit:
    """A line ``y = intercept + slope x`` against the data.

    Attributes
    ----------
    intercept, slope : float
    fitted, resid : ndarray, shape (n,)
        ``intercept + slope x`` and ``y - fitted``.
    rss : float
        Sum of squared residuals ``sum_i resid_i^2``.
    loss : float
        ``rss / n``, the loss L(w) of gradient descent.
    """

    intercept: float
    slope: float
    fitted: np.ndarray
    resid: np.ndarray
    rss: float
    loss: float

    @cached_property
    def max_abs_resid(self) -> float:
        """Largest absolute residual ``max_i |resid_i|``."""
        return float(np.max(np.abs(self.resid)))


def line_fit(x: object, y: object, intercept: float, slope: float) -> LineFit:
    """The residuals and RSS of a given line.

    Parameters
    ----------
    x, y : array-like, shape (n,)
    intercept, slope : float

    Returns
    -------
    LineFit

    Notes
    -----
    ``RSS = sum_i (y_i - b0 - b1 x_i)^2``; ``L = RSS / n`` (:func:`linreg.quadratic.loss`).

    Examples
    --------
    >>> f = line_fit([0.0, 1.0, 2.0], [1.0, 2.0, 4.0], 1.0, 1.0)
    >>> f.resid.tolist(), f.rss, f.loss
    ([0.0, 0.0, 1.0], 1.0, 0.3333333333333333)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    X1 = np.column_stack([np.ones_like(x), x])
    w = np.array([intercept, slope], dtype=np.float64)
    fitted = X1 @ w
    resid = y - fitted
    L = loss(X1, y, w)
    return LineFit(float(intercept), float(slope), fitted, resid, float(resid @ resid), L)


def _nice_step(span: float, n_steps: int = 200) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``n_steps`` steps over ``span``."""
    raw = span / n_steps
    e = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        # The relative slack keeps 4/200 = 0.02 from rounding up to 0.05.
        if m * 10.0**e >= raw * (1 - 1e-9):
            return float(f"{m * 10.0**e:.12g}")
    return 10.0 ** (e + 1)  # pragma: no cover - the loop always returns


def _round_to(v: float) -> float:
    """Drop the rounding noise of a multiple of a round step (2.0500000000000003 -> 2.05)."""
    return float(f"{v:.12g}")


def line_ranges(x: object, y: object) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """Slider ranges ``(low, high, step)`` for the intercept and the slope.

    The slope range is symmetric about 0 and reaches twice the larger of the
    least-squares slope and ``sd(y)/sd(x)``; the intercept range holds every line
    through the centre (mean x, mean y) with such a slope, plus two SDs of y either
    side. The least-squares line is always inside both. Ends are multiples of the step.

    Examples
    --------
    >>> (b0, b1) = line_ranges([0.0, 1.0, 2.0], [0.0, 1.0, 2.0])
    >>> b1
    (-2.0, 2.0, 0.02)
    >>> b0[0] <= 0.0 <= b0[1]
    True
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    sx, sy = float(x.std()), float(y.std())
    if sx == 0:
        raise ModelError("x is constant, so no slope can be fitted; pick data where x varies")
    b1 = float(np.polynomial.polynomial.polyfit(x, y, 1)[1])
    s = 2.0 * max(abs(b1), sy / sx if sy > 0 else 1.0)
    step1 = _nice_step(2 * s)
    s = _round_to(math.ceil(s / step1 - 1e-9) * step1)
    xm, ym = float(x.mean()), float(y.mean())
    lo0 = ym - s * abs(xm) - 2 * sy - 1e-12
    hi0 = ym + s * abs(xm) + 2 * sy + 1e-12
    step0 = _nice_step(hi0 - lo0)
    lo0, hi0 = _round_to(math.floor(lo0 / step0) * step0), _round_to(math.ceil(hi0 / step0) * step0)
    return (float(lo0), float(hi0), step0), (float(-s), float(s), step1)


def residual_squares(x: object, fitted: object, resid: object, x_per_y: float = 1.0) -> np.ndarray:
    """Corners of the squares drawn on each residual.

    Each square has one vertical side on the residual (from the point to the line) and
    extends to the right of the point. With equal axis scales (``x_per_y = 1``) it is a
    true square of area ``resid_i^2``; otherwise its horizontal side is ``|resid_i| *
    x_per_y`` in x units so that it still looks square on screen, and every drawn area is
    the squared residual times the same factor ``x_per_y``.

    Parameters
    ----------
    x, fitted, resid : array-like, shape (n,)
    x_per_y : float
        x units per y unit on screen.

    Returns
    -------
    ndarray, shape (n, 4)
        Columns x0, x1, y0, y1 of each square.

    Examples
    --------
    >>> residual_squares([1.0], [2.0], [-0.5]).tolist()
    [[1.0, 1.5, 1.5, 2.0]]
    """
    x = np.asarray(x, dtype=np.float64)
    fitted = np.asarray(fitted, dtype=np.float64)
    resid = np.asarray(resid, dtype=np.float64)
    y_point = fitted + resid
    side = np.abs(resid) * float(x_per_y)
    return np.column_stack([x, x + side, np.minimum(y_point, fitted), np.maximum(y_point, fitted)])


#: Fewest and most points lesson 1's data may hold while the user adds and removes points: three
#: leave a residual degree of freedom for Cook's distance, two hundred stay quick to drag and send.
DRAG_POINTS = (3, 200)
# Each axis of the drag area reaches this fraction of the data's span beyond it, on both sides:
# room to drag a point out into an outlier or a point of high leverage.
_DRAG_PAD = 0.25


def drag_area(data: LessonData) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """Where lesson 1's points may be dragged or added: ``(low, high, step)`` in x and in y.

    Each axis holds the data and its least-squares line with a quarter of their span to
    spare on both sides; the ends are multiples of the step, a round number giving 80 to 200
    steps across, to which dragged points snap (so their coordinates read as typed).

    Examples
    --------
    >>> drag_area(lesson_data("anscombe_1"))
    ((1.5, 16.5, 0.1), (2.6, 12.5, 0.05))
    """
    ys = np.concatenate([data.y, data.ols.fitted])
    out = []
    for v in (data.x, ys):
        lo, hi = float(np.min(v)), float(np.max(v))
        span = (hi - lo) or max(abs(hi), 1.0)
        lo, hi = lo - _DRAG_PAD * span, hi + _DRAG_PAD * span
        step = _nice_step(hi - lo)
        out.append((_round_to(math.floor(lo / step) * step), _round_to(math.ceil(hi / step) * step), step))
    return out[0], out[1]


def moved_points(data: LessonData, x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Check the points lesson 1's browser sends back after the user moved, added or removed some.

    Parameters
    ----------
    data : LessonData
        The lesson dataset the points started from.
    x, y : array-like, shape (n,)

    Returns
    -------
    x, y : ndarray, shape (n,)
        As float64, unchanged.

    Raises
    ------
    DataError
        If the lengths differ, the count is outside ``DRAG_POINTS``, a value is not a finite
        number, or a point lies outside :func:`drag_area` (the browser keeps points inside it).

    Examples
    --------
    >>> d = lesson_data("anscombe_1")
    >>> x, y = moved_points(d, [4.0, 8.0, 12.0], [5.0, 7.0, 8.5])
    >>> x.tolist(), y.tolist()
    ([4.0, 8.0, 12.0], [5.0, 7.0, 8.5])
    """
    try:
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise DataError(f"the points must be numbers; got {err}. Reset the data to start again") from None
    if xs.ndim != 1 or ys.ndim != 1 or xs.shape != ys.shape:
        raise DataError(f"x has {xs.size} values but y has {ys.size}; each point needs both. Reset the data")
    low, high = DRAG_POINTS
    if not low <= xs.size <= high:
        raise DataError(f"lesson 1 holds {low} to {high} points; got {xs.size}. Add or remove points to get there")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise DataError("a point has a coordinate that is not a finite number; reset the data")
    (x_lo, x_hi, _), (y_lo, y_hi, _) = drag_area(data)
    if xs.min() < x_lo or xs.max() > x_hi or ys.min() < y_lo or ys.max() > y_hi:
        raise DataError(f"a point lies outside the plot (x from {x_lo:g} to {x_hi:g}, y from {y_lo:g} to "
                        f"{y_hi:g}); drag it back inside or reset the data")
    return xs, ys


def checked_line(data: LessonData, line: object) -> tuple[float, float]:
    """Check a user's line (intercept, slope) that comes back from the browser.

    Raises
    ------
    DataError
        If it is not two finite numbers inside :func:`line_ranges` of ``data``.

    Examples
    --------
    >>> checked_line(lesson_data("anscombe_1"), [3.0, 0.5])
    (3.0, 0.5)
    """
    try:
        b0, b1 = (float(v) for v in line)
    except (TypeError, ValueError):
        raise DataError(f"a line is two numbers, intercept and slope; got {line!r}. Move a slider to set it") from None
    (lo0, hi0, _), (lo1, hi1, _) = line_ranges(data.x, data.y)
    if not (math.isfinite(b0) and math.isfinite(b1) and lo0 <= b0 <= hi0 and lo1 <= b1 <= hi1):
        raise DataError(f"the line ({b0:g}, {b1:g}) is outside the sliders' ranges (intercept {lo0:g} to {hi0:g}, "
                        f"slope {lo1:g} to {hi1:g}); move a slider to set it")
    return b0, b1


# =============================================================================
# lesson 2: the bowl and the normal equations
# =============================================================================
@dataclass(frozen=True, eq=False)
class Bowl:
    """The loss over a grid of (intercept, slope), for a contour plot.

    Attributes
    ----------
    b0, b1 : ndarray, shape (a,), (b,)
        Grid of intercepts (x axis) and slopes (y axis).
    loss : ndarray, shape (b, a)
        ``L(b0, b1) = (1/N) sum (y - b0 - b1 x)^2`` on the grid.
    minimum : ndarray, shape (2,)
        The least-squares (intercept, slope).
    loss_min : float
        The loss there, RSS/N.
    """

    b0: np.ndarray
    b1: np.ndarray
    loss: np.ndarray
    minimum: np.ndarray
    loss_min: float


def bowl(data: LessonData, point: object = None, size: int = 81) -> Bowl:
    """The loss surface around the least-squares line, wide enough to hold ``point``.

    Parameters
    ----------
    data : LessonData
    point : array-like, shape (2,), optional
        A (intercept, slope) the window must contain (the user's line).
    size : int
        Grid points per axis.

    Examples
    --------
    >>> b = bowl(lesson_data("anscombe_1"), point=[0.0, 0.0], size=5)
    >>> b.loss.shape, bool(b.loss.min() >= b.loss_min - 1e-12)
    ((5, 5), True)
    """
    w = data.ols.coef
    se = np.nan_to_num(data.ols.std_err, nan=1.0)
    half = np.maximum(4.0 * se, 1e-3 * np.maximum(np.abs(w), 1.0))
    if point is not None:
        p = np.asarray(point, dtype=np.float64)
        half = np.maximum(half, 1.25 * np.abs(p - w))
    g0 = np.linspace(w[0] - half[0], w[0] + half[0], size)
    g1 = np.linspace(w[1] - half[1], w[1] + half[1], size)
    z = loss_surface(data.X1, data.y, w, 0, 1, g0, g1)
    return Bowl(g0, g1, z, w.copy(), data.ols.rss / data.n)


@dataclass(frozen=True, eq=False)
class NormalEquations:
    """The closed form from setting the gradient to zero, with the conditioning numbers.

    Attributes
    ----------
    XtX : ndarray, shape (2, 2)
    Xty : ndarray, shape (2,)
    coef_normal : ndarray, shape (2,)
        Solution by the normal equations (:func:`fit_ols` with ``method="normal"``).
    coef_qr : ndarray, shape (2,)
        Solution by Householder QR (``method="qr"``).
    cond_X, cond_XtX : float
        2-norm condition numbers of the design X (with its ones column) and of XᵀX.
    shift : float
        The constant added to x before building X.
    """

    XtX: np.ndarray
    Xty: np.ndarray
    coef_normal: np.ndarray
    coef_qr: np.ndarray
    cond_X: float
    cond_XtX: float
    shift: float

    @cached_property
    def digits_lost_qr(self) -> float:
        """About how many significant digits rounding can cost QR: log10 cond(X)."""
        return float(math.log10(self.cond_X)) if self.cond_X > 0 else 0.0

    @cached_property
    def digits_lost_normal(self) -> float:
        """About how many significant digits the normal equations can lose: log10 cond(XᵀX)."""
        return float(math.log10(self.cond_XtX)) if self.cond_XtX > 0 else 0.0

    @cached_property
    def max_rel_difference(self) -> float:
        """``max_j |normal_j - qr_j| / max_j |qr_j|``: how far the two solutions disagree."""
        top = float(np.max(np.abs(self.coef_qr)))
        return float(np.max(np.abs(self.coef_normal - self.coef_qr)) / top) if top > 0 else 0.0


def normal_equations(data: LessonData, shift: float = 0.0) -> NormalEquations:
    """XᵀX, Xᵀy, both solutions and the condition numbers, for x shifted by ``shift``.

    Shifting x by a constant changes only the intercept of the fitted line but makes the
    ones column and x nearly parallel, so cond(X) grows, and cond(XᵀX) = cond(X)².

    Examples
    --------
    >>> ne = normal_equations(lesson_data("anscombe_1"))
    >>> ne.XtX.tolist(), bool(abs(ne.cond_XtX / ne.cond_X**2 - 1) < 1e-8)
    ([[11.0, 99.0], [99.0, 1001.0]], True)
    """
    x = data.x + float(shift)
    X1 = np.column_stack([np.ones_like(x), x])
    normal = _fit_quietly(x[:, None], data.y, method="normal")
    qr = _fit_quietly(x[:, None], data.y, method="qr")
    return NormalEquations(
        XtX=X1.T @ X1,
        Xty=X1.T @ data.y,
        coef_normal=normal.coef,
        coef_qr=qr.coef,
        cond_X=float(np.linalg.cond(X1)),
        cond_XtX=float(np.linalg.cond(X1.T @ X1)),
        shift=float(shift),
    )


# =============================================================================
# lesson 3: the chain rule
# =============================================================================
@dataclass(frozen=True, eq=False)
class ChainRule:
    """The chain-rule numbers for point i at the current coefficients w.

    Attributes
    ----------
    i : int
        Row position.
    w : ndarray, shape (k,)
    x_i : ndarray, shape (k,)
        Row i of the design, ones first: ``∂ŷᵢ/∂w``.
    y_i, yhat_i : float
        Target and prediction ``x_i · w``.
    loss_i : float
        ``Lᵢ = (yᵢ − ŷᵢ)²``.
    dL_dyhat : float
        ``∂Lᵢ/∂ŷᵢ = 2(ŷᵢ − yᵢ)``.
    grad_i : ndarray, shape (k,)
        ``∂Lᵢ/∂w = 2(ŷᵢ − yᵢ) x_i``.
    grad : ndarray, shape (k,)
        ``∇L = (2/N) Xᵀ(ŷ − y)``, the mean of the N per-row gradients.
    loss : float
        ``L(w)``.
    n : int
    check : GradientCheck
        ``grad`` against central finite differences of L.
    """

    i: int
    w: np.ndarray
    x_i: np.ndarray
    y_i: float
    yhat_i: float
    loss_i: float
    dL_dyhat: float
    grad_i: np.ndarray
    grad: np.ndarray
    loss: float
    n: int
    check: GradientCheck


def chain_rule(X1: object, y: object, w: object, i: int) -> ChainRule:
    """The derivation of the gradient with the numbers for row ``i``.

    Parameters
    ----------
    X1 : array-like, shape (n, k)
        Design including the ones column.
    y : array-like, shape (n,)
    w : array-like, shape (k,)
    i : int
        Row position, 0 <= i < n.

    Returns
    -------
    ChainRule

    Notes
    -----
    ``Lᵢ = (yᵢ − ŷᵢ)²``, ``ŷᵢ = xᵢ·w``; by the chain rule
    ``∂Lᵢ/∂w = ∂Lᵢ/∂ŷᵢ · ∂ŷᵢ/∂w = 2(ŷᵢ − yᵢ) xᵢ``, and ``L = (1/N) Σ Lᵢ`` gives
    ``∇L = (2/N) Σ (ŷᵢ − yᵢ) xᵢ = (2/N) Xᵀ(ŷ − y)``.

    Examples
    --------
    >>> c = chain_rule([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [1.0, 1.0], 1)
    >>> c.yhat_i, c.loss_i, c.dL_dyhat, c.grad_i.tolist(), c.grad.tolist()
    (2.0, 1.0, -2.0, [-2.0, -2.0], [-1.0, -1.0])
    """
    step = step_arithmetic(X1, y, w, 1.0, [i])
    return ChainRule(
        i=int(step.rows[0]),
        w=step.w,
        x_i=step.x_rows[0],
        y_i=float(step.y_rows[0]),
        yhat_i=float(step.yhat[0]),
        loss_i=float(step.resid[0] ** 2),
        dL_dyhat=float(step.dL_dyhat[0]),
        grad_i=step.row_grad[0],
        grad=step.grad,
        loss=step.loss,
        n=step.n,
        check=check_gradient(X1, y, w),
    )


def checked_point(data: LessonData, i: object) -> int:
    """Check the point i lesson 3's browser sends back: a row position of ``data``.

    Raises
    ------
    DataError
        If ``i`` is not a whole number from 0 to n - 1.

    Examples
    --------
    >>> checked_point(lesson_data("anscombe_1"), 4)
    4
    """
    if isinstance(i, bool) or not isinstance(i, (int, float)) or not float(i).is_integer() or not 0 <= i < data.n:
        raise DataError(f"point i is a row position from 0 to {data.n - 1}; got {i!r}. Click a point to pick it")
    return int(i)


# =============================================================================
# lesson 4: gradient descent, step by step
# =============================================================================
#: The prepared state lesson 4 opens the Gradient descent page with: a built-in dataset and
#: a deliberately small learning rate, so that each of the 50 steps is visible.
GD_LESSON: dict[str, object] = {
    "dataset": "cars",
    "learning_rate": 0.05,
    "n_iter": 50,
    "standardize": True,
}


def gd_lesson_run() -> GDResult:
    """The run lesson 4 prepares: ``GD_LESSON``'s settings, full batch, no momentum.

    Examples
    --------
    >>> g = gd_lesson_run()
    >>> g.n_iter, g.learning_rate
    (50, 0.05)
    """
    df, info = load_dataset(str(GD_LESSON["dataset"]))
    return gradient_descent(df[list(info.features)].to_numpy(float), df[info.target].to_numpy(float),
                            learning_rate=float(GD_LESSON["learning_rate"]), n_iter=int(GD_LESSON["n_iter"]),
                            standardize=bool(GD_LESSON["standardize"]), terms=info.features)


# =============================================================================
# lessons 5 and 6: learning rate and conditioning
# =============================================================================
@dataclass(frozen=True, eq=False)
class LearningRateRun:
    """A full-batch gradient-descent run at a multiple of the stability bound.

    Attributes
    ----------
    factor : float
        η / (2/λ_max).
    max_stable : float
        ``2/λ_max`` of the run's (working) design.
    lam_max : float
        Largest eigenvalue of ``H = (2/N) X1ᵀX1``.
    run : GDResult
    """

    factor: float
    max_stable: float
    lam_max: float
    run: GDResult

    @cached_property
    def step_factor(self) -> float:
        """``1 − ηλ_max``: what each step multiplies the error along the steepest direction by."""
        return 1.0 - self.run.learning_rate * self.lam_max

    @cached_property
    def sign_changes(self) -> int:
        """How often the last coefficient's error ``w_k − w*`` changes sign over the run (zig-zags)."""
        err = self.run.history.coef[:, -1] - self.run.optimum[-1]
        s = np.sign(err[np.abs(err) > 0])
        return int(np.count_nonzero(s[1:] != s[:-1]))


def learning_rate_run(data: LessonData, factor: float, *, n_iter: int = 60, standardize: bool = True) -> LearningRateRun:
    """Gradient descent with ``η = factor · 2/λ_max`` (full batch, no momentum, from w = 0).

    Examples
    --------
    >>> r = learning_rate_run(lesson_data("anscombe_1"), 0.5, n_iter=50)
    >>> round(r.max_stable, 12), r.run.converged
    (1.0, True)
    """
    if not (isinstance(factor, (int, float)) and factor > 0 and math.isfinite(factor)):
        raise ModelError(f"factor must be a positive number; got {factor!r}")
    X = data.x[:, None]
    max_stable, _ = learning_rate_bounds(X, standardize=standardize)
    run = gradient_descent(X, data.y, learning_rate=factor * max_stable, n_iter=n_iter, standardize=standardize,
                           terms=(data.x_name,))
    lam_max = float(hessian_eigenvalues(run.X_work)[-1])
    return LearningRateRun(float(factor), float(max_stable), lam_max, run)


def scaling_runs(data: LessonData, *, n_iter: int = 100_000, tol: float = 1e-8) -> dict[str, GDResult]:
    """Raw against standardized x: one full-batch run each, at its own optimal rate.

    Returns ``{"raw features": ..., "standardized": ...}`` (the shape
    :func:`linreg.plots.descent.conditioning_figure` takes). Both stop when the gradient
    norm falls below ``tol``.

    Examples
    --------
    >>> runs = scaling_runs(lesson_data("anscombe_1"), n_iter=5000)
    >>> runs["standardized"].n_iter < runs["raw features"].n_iter
    True
    """
    X = data.x[:, None]
    out = {}
    for title, standardize in (("raw features", False), ("standardized", True)):
        _, optimal = learning_rate_bounds(X, standardize=standardize)
        out[title] = gradient_descent(X, data.y, learning_rate=optimal, n_iter=n_iter, standardize=standardize,
                                      tol=tol, terms=(data.x_name,))
    return out


# =============================================================================
# lesson 7: Anscombe's quartet
# =============================================================================
def anscombe_fits() -> list[tuple[str, np.ndarray, np.ndarray, OLSResult]]:
    """The four Anscombe sets with their least-squares fits: ``(title, x, y, result)`` each.

    Examples
    --------
    >>> [round(float(r.coef[1]), 3) for _, _, _, r in anscombe_fits()]
    [0.5, 0.5, 0.5, 0.5]
    """
    out = []
    for k in (1, 2, 3, 4):
        df, info = load_dataset(f"anscombe_{k}")
        x, y = df["x"].to_numpy(float), df["y"].to_numpy(float)
        out.append((["I", "II", "III", "IV"][k - 1], x, y, _fit_quietly(x[:, None], y, terms=("x",))))
    return out


# =============================================================================
# lesson 8: linear in the parameters
# =============================================================================
def design_preview(design: Design, rows: int = 6) -> pd.DataFrame:
    """The first rows of the design matrix X (ones column first), as a table with term names.

    Examples
    --------
    >>> from linreg.design import ModelSpec, build_design
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 4.0, 9.0]})
    >>> design_preview(build_design(df, ModelSpec("y", poly=[("x", 2)])), rows=2).values.tolist()
    [[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]]
    """
    X = design.X[:rows]
    cols = {"(ones)": np.ones(X.shape[0])} if design.intercept else {}
    cols.update({t: X[:, j] for j, t in enumerate(design.terms)})
    return pd.DataFrame(cols)


def curves_by_group(df: pd.DataFrame, design: Design, result: OLSResult, x: str, group: str | None,
                    size: int = 101) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The fitted curve against ``x`` for each level of ``group`` (one curve when None).

    The grid rows go through :func:`linreg.design.build_design` with the same spec, so
    powers, dummies and interactions are built exactly as for the data.

    Returns
    -------
    dict of level -> (x grid (size,), fitted (size,))

    Examples
    --------
    >>> from linreg.design import ModelSpec, build_design, fit_design
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [0.0, 1.0, 4.0, 9.0]})
    >>> d = build_design(df, ModelSpec("y", poly=[("x", 2)]))
    >>> gx, gy = curves_by_group(df, d, fit_design(d), "x", None, size=3)["all rows"]
    >>> gx.tolist(), gy.round(10).tolist()
    ([0.0, 1.5, 3.0], [0.0, 2.25, 9.0])
    """
    from .design import build_design

    xs = df[x].to_numpy(float)
    grid = np.linspace(np.nanmin(xs), np.nanmax(xs), size)
    levels = [None] if group is None else sorted(df[group].dropna().unique().tolist(), key=str)
    out = {}
    for level in levels:
        frame = pd.DataFrame({x: grid, design.spec.target: np.zeros(size)})
        if group is not None:
            frame[group] = level
        # Every level must appear for build_design to make the same dummies: append one row of each.
        if group is not None:
            extra = pd.DataFrame({x: np.full(len(levels), grid[0]), design.spec.target: 0.0, group: levels})
            frame = pd.concat([frame, extra], ignore_index=True)
        X = build_design(frame, design.spec).X[:size]
        out["all rows" if level is None else str(level)] = (grid, result.predict(X))
    return out


# =============================================================================
# lesson 10: beyond least squares
# =============================================================================
@dataclass(frozen=True, eq=False)
class PenalizedPreview:
    """OLS, ridge and lasso coefficients at one λ on the same data.

    Attributes
    ----------
    terms : tuple of str
        Coefficient names, ``"Intercept"`` first.
    ols, ridge, lasso : ndarray, shape (k,)
    lam : float
    ridge_mse, lasso_mse, ols_mse : float
        Training mean squared error ``(1/N)||y − ŷ||²`` of each fit.
    """

    terms: tuple[str, ...]
    ols: np.ndarray
    ridge: np.ndarray
    lasso: np.ndarray
    lam: float
    ols_mse: float
    ridge_mse: float
    lasso_mse: float

    @cached_property
    def lasso_zeros(self) -> int:
        """Number of lasso slopes that are exactly zero."""
        return int(np.count_nonzero(self.lasso[1:] == 0))

    @cached_property
    def ridge_zeros(self) -> int:
        """Number of ridge slopes that are exactly zero."""
        return int(np.count_nonzero(self.ridge[1:] == 0))


def penalized_preview(X: object, y: object, lam: float, *, terms=None) -> PenalizedPreview:
    """Fit OLS, ridge and lasso (standardized penalty) at one λ.

    Examples
    --------
    >>> X = np.array([[-1.0], [0.0], [1.0]]); y = np.array([-1.0, 0.0, 1.0])
    >>> p = penalized_preview(X, y, 0.5)
    >>> (p.ols.round(6) + 0.0).tolist(), p.lasso.round(6).tolist()
    ([0.0, 1.0], [0.0, 0.693814])
    """
    from .penalized import fit_penalized

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ols = _fit_quietly(X, y, terms=terms)
    ridge = fit_penalized(X, y, lam=lam, l1_ratio=0.0, standardize=True, terms=terms)
    lasso = fit_penalized(X, y, lam=lam, l1_ratio=1.0, standardize=True, terms=terms)
    return PenalizedPreview(ols.terms, ols.coef, ridge.coef, lasso.coef, float(lam), ols.rss / ols.n,
                            ridge.mse, lasso.mse)


# =============================================================================
# the teaching constants and the lessons' synthetic datasets
# =============================================================================
#: Lesson 2: constants added to x (e.g. calendar years instead of years since 2000), which
#: make the column of ones and x nearly parallel.
SHIFTS: tuple[float, ...] = (0.0, 100.0, 10_000.0, 1_000_000.0)
#: Lesson 5: learning rates offered, as multiples of the stability bound 2/λ_max.
FACTORS: tuple[float, ...] = (0.5, 0.9, 0.95, 0.99, 1.01, 1.05, 1.1)
#: Lesson 10: the λ offered, 17 log-spaced values from 1e-3 to 10 at three significant digits.
LAMBDAS: tuple[float, ...] = tuple(float(f"{v:.3g}") for v in np.logspace(-3, 1, 17))
#: Lesson 8: ``make_data(kind, **TERMS_DATA)`` for kind "categorical" or "polynomial".
TERMS_DATA: dict[str, int] = {"n": 90, "seed": 0}
#: Lesson 9: the known cubic y = 1 - 2x + 0.5x³ + noise, 40 points (noise and seed chosen in the lesson).
COMPLEXITY_DATA: dict[str, object] = {"kind": "polynomial", "n": 40, "degree": 3, "coef": (-2.0, 0.0, 0.5)}
#: Lesson 10: four features with correlation 0.9, 40 points.
PENALIZED_DATA: dict[str, object] = {"kind": "collinear", "n": 40, "seed": 1, "p": 4, "correlation": 0.9,
                                     "noise": 2.0}


def starting_line(data: LessonData) -> tuple[float, float]:
    """The line a lesson starts the user with: flat at the mean of y, on the intercept slider's step.

    Examples
    --------
    >>> starting_line(lesson_data("anscombe_1"))
    (7.5, 0.0)
    """
    (low, _, step), _ = line_ranges(data.x, data.y)
    return float(f"{low + round((float(data.y.mean()) - low) / step) * step:.10g}"), 0.0


def terms_data(kind: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """Lesson 8's data of ``kind`` ("categorical" or "polynomial") and its true coefficients.

    Examples
    --------
    >>> df, truth = terms_data("polynomial")
    >>> df.shape, sorted(truth)
    ((90, 2), ['Intercept', 'x', 'x^2'])
    """
    check_option("lesson 8 data", kind, ("categorical", "polynomial"))
    sd = make_data(kind, **TERMS_DATA)
    return sd.data, dict(sd.coef)


@dataclass(frozen=True, eq=False)
class TermsFit:
    """Lesson 8's fit of a model spec: the design, the fit, its first rows and its curves.

    Attributes
    ----------
    design : Design
    result : OLSResult
    preview : pandas.DataFrame
        ``design_preview(design)``.
    curves : list
        ``curves_by_group(...)`` along ``x``, one per group (one when there are no groups).
    """

    design: Design
    result: OLSResult
    preview: pd.DataFrame
    curves: list


def terms_fit(kind: str, spec: ModelSpec) -> TermsFit:
    """Fit ``spec`` to lesson 8's data of ``kind`` (x, and a "group" column for "categorical").

    Examples
    --------
    >>> t = terms_fit("polynomial", ModelSpec("y", ("x",), poly=(("x", 2),)))
    >>> t.result.terms
    ('Intercept', 'x', 'x^2')
    """
    df, _ = terms_data(kind)
    design = build_design(df, spec)
    result = fit_design(design)
    group = "group" if spec.categorical else None
    return TermsFit(design, result, design_preview(design), curves_by_group(df, design, result, "x", group))


def complexity_data(noise: float, seed: int) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Lesson 9's sample of the known cubic: x, y (shape (40,)) and the true coefficients.

    Examples
    --------
    >>> x, y, truth = complexity_data(2.0, 1)
    >>> x.shape, truth["x^3"]
    ((40,), 0.5)
    """
    recipe = dict(COMPLEXITY_DATA)
    sd = make_data(str(recipe.pop("kind")), seed=seed, noise=noise, **recipe)
    return sd.data["x"].to_numpy(float), sd.data["y"].to_numpy(float), dict(sd.coef)


def penalized_data() -> tuple[np.ndarray, np.ndarray, tuple[str, ...], dict[str, float]]:
    """Lesson 10's correlated features: X (shape (40, 4)), y, the feature names and the true coefficients.

    Examples
    --------
    >>> X, y, names, truth = penalized_data()
    >>> X.shape, names
    ((40, 4), ('x1', 'x2', 'x3', 'x4'))
    """
    recipe = dict(PENALIZED_DATA)
    sd = make_data(str(recipe.pop("kind")), **recipe)
    names = tuple(c for c in sd.data.columns if c != sd.target)
    return sd.data[list(names)].to_numpy(float), sd.data[sd.target].to_numpy(float), names, dict(sd.coef)
