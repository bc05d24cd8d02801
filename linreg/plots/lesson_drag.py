"""What lessons 2 and 3's browser components draw: JSON-ready dicts, all numbers computed here.

Lesson 1's payload is :func:`linreg.plots.lessons.line_drag_view`. Lessons 2 and 3 let the
user move their line (β₀, β₁) with no rerun, so the browser evaluates the loss of a line
itself: a quadratic in β, which :func:`loss_quadratic` states exactly in five numbers. The
contour grid of lesson 2 is computed once here. Nothing here imports streamlit.
"""

from __future__ import annotations

import numpy as np

from ..lessons import LessonData, line_ranges
from ..quadratic import loss_surface
from ._style import BLUE, BOWL, CONTOUR_LINE, GREEN, ORANGE, RED

__all__ = ["BOWL_GRID", "bowl_drag_view", "chain_drag_view", "loss_quadratic"]

#: Grid points per axis of lesson 2's contour: enough for smooth contours of a quadratic,
#: few enough (6,561 numbers) to send once.
BOWL_GRID = 81
_HEIGHT = 400


def loss_quadratic(data: LessonData) -> dict:
    """The loss of every line as five numbers: its minimum, where it is, and the spread of x.

    Returns
    -------
    dict
        ``center`` (the least-squares intercept and slope), ``loss_min`` (RSS/N there),
        ``mean_x`` and ``var_x`` (the mean and the population variance of x).

    Notes
    -----
    The loss is a quadratic in β = (β₀, β₁) whose coefficients are the sufficient sums
    Σx, Σy, Σx², Σxy, Σy². Expanded about its minimum β* (where the gradient is zero), with
    d = β − β*, it is exactly::

        L(β) = L(β*) + dᵀ (XᵀX/N) d = L(β*) + (d₀ + x̄ d₁)² + var(x) d₁²

    which is how the browser evaluates it: no cancellation between large sums.

    Examples
    --------
    >>> from linreg.lessons import lesson_data
    >>> q = loss_quadratic(lesson_data("anscombe_1"))
    >>> q["mean_x"], q["var_x"], round(q["loss_min"], 6)
    (9.0, 10.0, 1.251154)
    """
    w = data.ols.coef
    return {"center": [float(w[0]), float(w[1])], "loss_min": float(data.ols.rss / data.n),
            "mean_x": float(data.x.mean()), "var_x": float(np.mean((data.x - data.x.mean()) ** 2))}


def _line_part(data: LessonData, line: tuple[float, float]) -> dict:
    """What both components share: the data, the user's line, the sliders' ranges and the colours."""
    (lo0, hi0, step0), (lo1, hi1, step1) = line_ranges(data.x, data.y)
    return {
        "name": data.name, "x_name": str(data.x_name), "y_name": str(data.y_name),
        "x": data.x.tolist(), "y": data.y.tolist(), "line": [float(line[0]), float(line[1])],
        "sliders": {"intercept": [lo0, hi0, step0], "slope": [lo1, hi1, step1]},
        "quadratic": loss_quadratic(data),
        "colors": {"data": BLUE, "line": ORANGE, "ols": GREEN, "selected": RED},
        "height": _HEIGHT,
    }


def bowl_drag_view(data: LessonData, line: tuple[float, float], *, size: int = BOWL_GRID) -> dict:
    """Lesson 2's component: the loss contour over every line the sliders allow, and the data.

    Parameters
    ----------
    data : LessonData
    line : (float, float)
        The user's line (intercept, slope), inside :func:`linreg.lessons.line_ranges`.
    size : int
        Grid points per axis of the contour.

    Returns
    -------
    dict
        As :func:`chain_drag_view`'s common part (``name``, ``x_name``, ``y_name``, ``x``, ``y``,
        ``line``, ``sliders``, ``quadratic``, ``colors``, ``height``) plus ``grid``: ``b0``
        (shape (size,), the intercepts: the slider's range), ``b1`` (the slopes) and ``loss``
        (shape (size, size), row q for slope ``b1[q]``), and the contour's ``scale`` colours.

    Examples
    --------
    >>> from linreg.lessons import lesson_data
    >>> v = bowl_drag_view(lesson_data("anscombe_1"), (7.6, 0.0), size=5)
    >>> [round(b, 6) for b in v["grid"]["b0"]], len(v["grid"]["loss"]), len(v["grid"]["loss"][0])
    ([-7.6, -0.05, 7.5, 15.05, 22.6], 5, 5)
    """
    view = _line_part(data, line)
    lo0, hi0, _ = view["sliders"]["intercept"]
    lo1, hi1, _ = view["sliders"]["slope"]
    g0, g1 = np.linspace(lo0, hi0, size), np.linspace(lo1, hi1, size)
    z = loss_surface(data.X1, data.y, data.ols.coef, 0, 1, g0, g1)
    view["grid"] = {"b0": g0.tolist(), "b1": g1.tolist(),
                    # Seven digits draw the same contours as sixteen, in half the bytes.
                    "loss": [[float(f"{v:.7g}") for v in row] for row in z]}
    view["scale"] = {"stops": BOWL, "contour": CONTOUR_LINE}
    return view


def chain_drag_view(data: LessonData, line: tuple[float, float], i: int) -> dict:
    """Lesson 3's component: the data, the user's line, and the chosen point i.

    Parameters
    ----------
    data : LessonData
    line : (float, float)
        The user's line (intercept, slope).
    i : int
        The point whose chain rule is shown, a row position (0 <= i < n).

    Returns
    -------
    dict
        The common part described in :func:`bowl_drag_view`, plus ``i``.

    Examples
    --------
    >>> from linreg.lessons import lesson_data
    >>> v = chain_drag_view(lesson_data("anscombe_1"), (3.0, 0.5), 2)
    >>> v["i"], v["line"], len(v["x"])
    (2, [3.0, 0.5], 11)
    """
    return {**_line_part(data, line), "i": int(i)}
