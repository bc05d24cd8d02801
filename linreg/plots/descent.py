"""Figures and tables that show gradient descent at work, step by step.

Used by the "Gradient descent" and "Compare" pages. Every builder is a pure
function of a ``linreg.descent.GDResult`` (and friends) returning plotly figures,
pandas tables or strings, with a one-line summary in numbers for screen readers.
No streamlit here, and no loss arithmetic of our own: losses, gradients, surfaces,
step arithmetic and the plain-GD rate come from ``linreg.descent`` (only the heavy-ball
rate is computed here, from linreg's eigenvalues).

The iterates live in the *working* parametrisation (standardized columns when the
run standardized), which is where the loss bowl, the gradient and the predicted
rate are defined; lines drawn against the data use the same coefficients through
the working design, so they are exactly the model at that step.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from linreg.descent import loss_surface, rate_from_eigenvalues, step_arithmetic

from ._common import WEBGL_THRESHOLD, fmt, safe_label, sample_index, sample_note

__all__ = [
    "StepView",
    "coef_summary",
    "coef_table",
    "condition_number",
    "conditioning_figure",
    "conditioning_table",
    "contour_grid",
    "convergence_figure",
    "DescentAnimation",
    "descent_animation",
    "descent_figure",
    "descent_summary",
    "divergence_explanation",
    "figure_notes",
    "frame_indices",
    "gradient_arrow",
    "heavy_ball_rate",
    "learning_rate_figure",
    "path_indices",
    "plain_rate",
    "predicted_iterations",
    "step_view",
]

BLUE = "#1f6feb"  # the data and fits (the theme's primary colour)
ORANGE = "#f0883e"  # the current iterate: what moves
GREY = "#6e7781"  # references: OLS, identity lines, past paths
GREEN = "#2da44e"  # the optimum
RED = "#cf222e"  # the gradient, and what is unstable
# The loss bowl: white at the bottom, pale blue up the sides, so the orange path and the
# red arrow stay readable on top of it.
BOWL = [[0.0, "#ffffff"], [0.35, "#deebf7"], [1.0, "#6baed6"]]
CONTOUR_LINE = "#8c9fb5"

# Every frame is sent to the browser: 48 frames keep the page's chart data well under 1 MB
# (issue 5) and Play at 12 s.
MAX_FRAMES = 48
# Milliseconds a frame shows during Play. Each frame is a full redraw (the contour cannot be
# animated), and a redraw the next frame interrupts leaves the contour undrawn: this must
# exceed the redraw time, ~100-160 ms in headless Chromium without a GPU (faster on a laptop).
PLAY_FRAME_MS = 250
# Points of the path kept in each frame (the path so far is re-sent per frame).
MAX_PATH_POINTS = 600
# Rows drawn in the data panel: every Play frame redraws the whole figure, and that redraw
# must finish within PLAY_FRAME_MS for the contour to stay on screen.
MAX_DRAWN_POINTS = 2_000
# Points of the animated predicted-vs-actual cloud (re-sent per frame).
MAX_ANIMATED_POINTS = 500
# Rows x frames of loss-surface work for a slice that moves with the iterate (about a second).
MAX_SLICE_WORK = 5_000_000


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def _tex(value: float, digits: int = 4) -> str:
    """A number for LaTeX: 1.2e+06 becomes 1.2\\times10^{6}."""
    if not math.isfinite(float(value)):
        return r"\text{—}"
    text = fmt(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times10^{{{int(exponent)}}}"
    return text


def _tex_factor(value: float, digits: int = 4) -> str:
    """A number for LaTeX inside a product or after a minus: negatives in parentheses.

    Examples
    --------
    >>> _tex_factor(-2.5), _tex_factor(2.5)
    ('(-2.5)', '2.5')
    """
    text = _tex(value, digits)
    return f"({text})" if text.startswith("-") else text


def _tex_vector(values: np.ndarray, digits: int = 4) -> str:
    return r"\begin{pmatrix}" + r"\\".join(_tex(v, digits) for v in values) + r"\end{pmatrix}"


def _tex_text(text: str) -> str:
    """User text (a term name) inside \\text{...}, with LaTeX's special characters escaped."""
    specials = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
    return r"\text{" + "".join(specials.get(ch, ch) for ch in str(text)) + "}"


# ---------------------------------------------------------------------------
# Which iterations to draw
# ---------------------------------------------------------------------------


def frame_indices(n_iter: int, max_frames: int = MAX_FRAMES, include: int | None = None) -> np.ndarray:
    """Iterations that get an animation frame: 0, the last one, and evenly spread ones between.

    Parameters
    ----------
    n_iter : int
        Iterations run; the history has ``n_iter + 1`` rows (0..n_iter).
    max_frames : int
        At most this many frames (plus ``include``).
    include : int, optional
        An iteration that must be a frame (the one the scrubber shows).

    Returns
    -------
    ndarray of int, sorted, unique.

    Examples
    --------
    >>> frame_indices(10, max_frames=4).tolist()
    [0, 3, 7, 10]
    >>> frame_indices(3).tolist()
    [0, 1, 2, 3]
    >>> frame_indices(10, max_frames=4, include=5).tolist()
    [0, 3, 5, 7, 10]
    """
    n_iter = int(n_iter)
    count = min(n_iter + 1, max(int(max_frames), 2))
    idx = np.unique(np.round(np.linspace(0, n_iter, count)).astype(int))
    if include is not None:
        idx = np.union1d(idx, [min(max(int(include), 0), n_iter)])
    return idx


def path_indices(n_iter: int, max_points: int = MAX_PATH_POINTS) -> np.ndarray:
    """Iterations drawn on the path: every one early on, where zig-zags live, then a thinned tail.

    A plain stride would alias a zig-zag of period 2 away (every other iterate lies on
    the same side of the valley), so the first half of the budget keeps every step.

    Examples
    --------
    >>> path_indices(5).tolist()
    [0, 1, 2, 3, 4, 5]
    >>> idx = path_indices(10_000, max_points=100)
    >>> idx[:3].tolist(), int(idx[-1]), len(idx) <= 100
    ([0, 1, 2], 10000, True)
    """
    n_iter = int(n_iter)
    if n_iter + 1 <= max_points:
        return np.arange(n_iter + 1)
    head = max_points // 2
    tail = np.round(np.linspace(head, n_iter, max_points - head)).astype(int)
    return np.unique(np.concatenate([np.arange(head), tail]))


# ---------------------------------------------------------------------------
# Geometry helpers for the contour panel
# ---------------------------------------------------------------------------


def contour_grid(points: np.ndarray, size: int = 41, pad: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """A grid over two coefficients that holds every point given, with a margin.

    Parameters
    ----------
    points : ndarray, shape (m, 2)
        Coefficient pairs that must be visible (the path, the optimum).
    size : int
        Grid points per axis.
    pad : float
        Margin as a fraction of the span on each side.

    Returns
    -------
    grid_i, grid_j : ndarray, shape (size,)

    Examples
    --------
    >>> gi, gj = contour_grid(np.array([[0.0, 0.0], [1.0, 2.0]]), size=3, pad=0.5)
    >>> gi.tolist(), gj.tolist()
    ([-0.5, 0.5, 1.5], [-1.0, 1.0, 3.0])
    """
    points = np.asarray(points, dtype=float)
    low, high = points.min(axis=0), points.max(axis=0)
    span = high - low
    # A path that never moved along an axis still needs a window around it.
    flat = span <= 1e-12 * np.maximum(1.0, np.abs(high))
    span = np.where(flat, np.maximum(1.0, np.abs(high)), span)
    low, high = low - pad * span, high + pad * span
    return np.linspace(low[0], high[0], size), np.linspace(low[1], high[1], size)


def gradient_arrow(w: np.ndarray, grad: np.ndarray, spans: np.ndarray, largest: np.ndarray | None = None,
                   fraction: float = 0.25) -> np.ndarray:
    """Tail and head of an arrow from ``w`` along ``-grad``, sized to be seen.

    The true step ``-lr * grad`` can be invisibly small or far off the chart, so the arrow
    keeps the exact direction of the negative gradient and a length proportional to its
    size: the steepest gradient of the run (``largest``) reaches ``fraction`` of the view,
    and the arrow shrinks towards nothing as the descent reaches the bottom.

    Parameters
    ----------
    w, grad : ndarray, shape (2,)
        The iterate and the gradient, on the two drawn coefficients.
    spans : ndarray, shape (2,)
        Width of the view on each axis.
    largest : ndarray, shape (m, 2), optional
        Gradients to scale against (the run's); default ``grad`` itself.
    fraction : float
        Reach of the largest arrow, as a fraction of the view along its longer component.

    Returns
    -------
    ndarray, shape (2, 2): rows tail and head.

    Examples
    --------
    >>> gradient_arrow(np.array([1.0, 1.0]), np.array([2.0, 0.0]), np.array([10.0, 10.0])).tolist()
    [[1.0, 1.0], [-1.5, 1.0]]
    >>> gradient_arrow(np.array([0.0, 0.0]), np.array([1.0, 0.0]), np.array([10.0, 10.0]),
    ...                largest=np.array([[4.0, 0.0]])).tolist()
    [[0.0, 0.0], [-0.625, 0.0]]
    """
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    spans = np.asarray(spans, dtype=float)
    reference = np.atleast_2d(grad if largest is None else np.asarray(largest, dtype=float))
    reach = float(np.max(np.abs(reference) / spans)) if reference.size else 0.0
    if not np.isfinite(reach) or reach == 0.0:
        return np.vstack([w, w])
    return np.vstack([w, w - grad * (fraction / reach)])


# ---------------------------------------------------------------------------
# The animated descent figure
# ---------------------------------------------------------------------------


def _design_original(result, X: np.ndarray | None) -> np.ndarray:
    """Feature columns in original units (no ones column), undoing the run's standardization."""
    if X is not None:
        X = np.asarray(X, dtype=float)
        return X[:, None] if X.ndim == 1 else X
    work = result.X_work[:, 1:] if result.intercept else result.X_work
    return work * result.x_scale + result.x_mean


def _names(result, terms) -> tuple[str, ...]:
    """Coefficient names, intercept first: ``terms`` (the design's names, with or without
    "Intercept") when given, else the run's own."""
    if terms is None:
        return tuple(str(t) for t in result.terms)
    terms = tuple(str(t) for t in terms)
    if result.intercept and len(terms) == len(result.terms) - 1:
        terms = ("Intercept",) + terms
    return terms


def _feature_terms(result, names) -> tuple[str, ...]:
    return tuple(names[1:]) if result.intercept else tuple(names)


def _partial_line(result, coef_original: np.ndarray, X: np.ndarray, feature: int, xs: np.ndarray) -> np.ndarray:
    """The model as a function of one feature, the others held at their means."""
    slopes = coef_original[1:] if result.intercept else coef_original
    base = coef_original[0] if result.intercept else 0.0
    means = X.mean(axis=0)
    others = base + slopes @ means - slopes[feature] * means[feature]
    return others + slopes[feature] * xs


def _line_view(result, X: np.ndarray, feature: int | None) -> bool:
    return feature is not None or X.shape[1] == 1


def descent_figure(result, k: int, **view) -> go.Figure:
    """Three linked panels at iteration ``k``, animated over the run by plotly frames.

    ``descent_animation(result, **view).at(k)``: see :func:`descent_animation` for the panels
    and the keyword arguments. To show several iterations of one run, build the animation
    once and call its ``at``.

    Returns
    -------
    plotly.graph_objects.Figure with ``frames``.
    """
    return descent_animation(result, **view).at(k)


@dataclass(frozen=True, eq=False)
class DescentAnimation:
    """The descent figure's parts that do not depend on the iteration on show.

    Built once per run and view by :func:`descent_animation` (the frames, the loss surfaces,
    the layout: nearly all the work); :meth:`at` then makes the figure at any iteration
    from them in a few milliseconds, so moving the scrubber redraws without rebuilding.

    Attributes
    ----------
    n_iter : int
        Iterations of the run.
    data : tuple of dict
        Every trace as plotly's plain dict, the moving ones at iteration 0.
    layout : dict
        The layout as a plain dict, without the animation slider.
    moving : tuple
        ``(trace index, builder of the trace at iteration m, keys a frame changes, keys sent as float32)``.
    frames_at : ndarray of int, shape (f,)
        Iterations with a frame.
    frames : tuple of plotly.graph_objects.Frame, length f
    slider : dict
        The animation slider without its steps and ``active``.
    step_args : dict
        ``animate`` arguments of a slider step.
    """

    n_iter: int
    data: tuple
    layout: dict
    moving: tuple
    frames_at: np.ndarray
    frames: tuple
    slider: dict
    step_args: dict

    def at(self, k: int) -> go.Figure:
        """The figure opened at iteration ``k`` (clipped to 0..n_iter), which always has a frame.

        Returns
        -------
        plotly.graph_objects.Figure with ``frames``.
        """
        k = min(max(int(k), 0), self.n_iter)
        data = list(self.data)
        for index, build, _, _ in self.moving:
            data[index] = {**data[index], **build(k)}
        frames_at, frames = self.frames_at, self.frames
        position = int(np.searchsorted(frames_at, k))
        if position == len(frames_at) or frames_at[position] != k:
            frames_at = np.insert(frames_at, position, k)
            frames = frames[:position] + (_animation_frame(k, self.data, self.moving),) + frames[position:]
        fig = go.Figure(data=data)
        # The layout and the frames were validated when the animation was built; validating them
        # again (the slider alone has ~50 steps) would cost more than everything else here.
        # A figure's layout object reads its props from ``fig._layout``, so this is what it holds.
        fig._layout = {**self.layout, "sliders": [{
            **self.slider, "active": position,
            "steps": [dict(method="animate", label=str(m), args=[[str(m)], self.step_args]) for m in frames_at],
        }]}
        fig._frame_objs = frames
        return fig


def descent_animation(
    result,
    *,
    X: np.ndarray | None = None,
    ols_coef: np.ndarray | None = None,
    feature: int | None = None,
    i: int = 0,
    j: int = 1,
    terms=None,
    row_labels=None,
    max_frames: int = MAX_FRAMES,
    grid_size: int = 41,
) -> DescentAnimation:
    """Three linked panels over a gradient-descent run, animated by plotly frames.

    Top left: the data with the model at step ``k`` (a line for one feature or for a chosen
    ``feature`` with the others at their means; predicted against actual otherwise), and the
    OLS fit. Top right: the loss over coefficients ``i`` and ``j`` (the others held at the
    current iterate), the path so far and the negative-gradient arrow. Bottom: the loss
    curve on a log scale with the current point.

    ``at(k)`` opens the figure at iteration ``k``. Its own Play button and slider animate the
    frames in the browser, without a round trip to the server. With more than two
    coefficients the contour slice moves with the iterate in every frame, unless the data
    is so large (rows x frames > ``MAX_SLICE_WORK``) that it stays the slice at ``k``. Frame ``m`` (named ``str(m)``)
    holds the moving traces at iteration m; ``layout.meta["frame_traces"]`` lists which
    trace each frame entry replaces.

    Parameters
    ----------
    result : linreg.descent.GDResult
    X : ndarray, shape (n, p), optional
        Features in original units (no ones column), for the x axis of the line view.
        Defaults to the run's working columns with the standardization undone.
    ols_coef : ndarray, shape (k,), optional
        Closed-form coefficients in original units, drawn for reference.
    feature : int, optional
        Column of ``X`` for a partial line; None gives a line for one feature and
        predicted against actual for several.
    i, j : int
        Coefficients on the contour axes (0 is the intercept when there is one).
    terms : sequence of str, optional
        Coefficient names to show (the design's terms); default ``result.terms``.
    row_labels : sequence, shape (n,), optional
        The rows' labels in the user's data, shown on hover (default: row positions).

    max_frames : int
        Frames of the animation (``at(k)`` adds one at ``k`` when it has none).
    grid_size : int
        Points per axis of the loss surface.

    Returns
    -------
    DescentAnimation
    """
    hist = result.history
    n_coef = hist.coef.shape[1]
    X = _design_original(result, X)
    names = _names(result, terms)
    labels = tuple(safe_label(t) for t in names)
    w_star, loss_star = np.asarray(result.optimum, float), float(result.loss_min)
    frames_at = frame_indices(result.n_iter, max_frames)
    coef_orig = hist.coef_original
    y = result.y
    line_view = _line_view(result, X, feature)
    feature = 0 if (line_view and feature is None) else feature
    has_contour = n_coef >= 2 and i != j and max(i, j) < n_coef
    ols_ok = ols_coef is not None and bool(np.all(np.isfinite(ols_coef)))
    # Each frame's slice is one pass over the data; past a budget the slice stays at iteration k.
    moving_slice = len(y) * len(frames_at) <= MAX_SLICE_WORK

    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[[{}, {}], [{"colspan": 2}, None]],
        row_heights=[0.62, 0.38],
        vertical_spacing=0.14,
        horizontal_spacing=0.09,
        subplot_titles=(
            "The model at this step" if line_view else "Predicted against actual at this step",
            f"Loss over {labels[i]} and {labels[j]}" if has_contour else "Loss surface (needs two coefficients)",
            "Loss L(w) = (1/N)‖y − Xw‖² by iteration",
        ),
    )
    # Moving traces: (trace index, builder of the trace's data at iteration m, the keys that
    # change, the display-only ones of those that may go as float32). Builders return plain
    # dicts: a hundred frames of validated plotly objects take seconds. Frames carry only the
    # changing keys: plotly.js merges a frame into the trace it names, so the grid, the rows'
    # x and labels and the styles are sent once.
    dynamic: list[tuple[int, object, tuple[str, ...], tuple[str, ...]]] = []
    kinds = {"scatter": go.Scatter, "contour": go.Contour}

    def add(trace, row, col):
        fig.add_trace(trace, row=row, col=col)

    def add_moving(kind, build, row, col, changing, compact=()):
        fig.add_trace(kinds[kind](build(0)), row=row, col=col)
        dynamic.append((len(fig.data) - 1, build, changing, compact))

    # --- panel 1: the data and the model -----------------------------------------------
    sample = sample_index(len(y), max_points=MAX_DRAWN_POINTS)
    labels_of = (np.asarray(row_labels).astype(str) if row_labels is not None
                 else np.arange(len(y)).astype(str)).astype(object)
    scatter = go.Scattergl if len(sample) > WEBGL_THRESHOLD else go.Scatter
    if line_view:
        xcol = X[:, feature]
        feature_name = _feature_terms(result, labels)[feature]
        add(
            scatter(
                x=xcol[sample], y=y[sample], mode="markers", name="data",
                marker=dict(color=BLUE, size=6, opacity=0.6),
                customdata=labels_of[sample],
                hovertemplate=f"row %{{customdata}}<br>{feature_name} = %{{x:.4g}}<br>y = %{{y:.4g}}<extra></extra>",
            ),
            1, 1,
        )
        xs = np.array([xcol.min(), xcol.max()])
        if ols_ok:
            add(
                go.Scatter(
                    x=xs, y=_partial_line(result, np.asarray(ols_coef, float), X, feature, xs), mode="lines",
                    name="OLS fit", line=dict(color=GREY, dash="dash", width=2),
                    hovertemplate=f"OLS<br>{feature_name} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>",
                ),
                1, 1,
            )

        def line_at(m):
            return dict(
                x=xs, y=_partial_line(result, coef_orig[m], X, feature, xs), mode="lines",
                name="gradient descent", line=dict(color=ORANGE, width=3),
                hovertemplate=f"GD step {m}<br>{feature_name} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>",
            )

        add_moving("scatter", line_at, 1, 1, ("y", "hovertemplate"), compact=("y",))
        xlabel = feature_name if X.shape[1] == 1 else f"{feature_name} (others at their mean)"
        fig.update_xaxes(title_text=xlabel, row=1, col=1)
        # The view stays on the data: a line that runs away (early steps, divergence) leaves it.
        moving = np.concatenate([line_at(m)["y"] for m in frames_at])
        fig.update_yaxes(title_text="y", range=_view_range(y, moving), row=1, col=1)
    else:
        lo, hi = float(y.min()), float(y.max())
        add(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="ŷ = y", line=dict(color=GREY, width=1),
                       hoverinfo="skip"), 1, 1)
        if ols_ok:
            X1 = np.column_stack([np.ones(len(y)), X]) if result.intercept else X
            ols_fitted = X1 @ np.asarray(ols_coef, float)
            add(
                scatter(
                    x=y[sample], y=ols_fitted[sample], mode="markers", name="OLS fit",
                    marker=dict(color=GREY, size=5, opacity=0.35), customdata=labels_of[sample],
                    hovertemplate="row %{customdata}<br>y = %{x:.4g}<br>OLS ŷ = %{y:.4g}<extra></extra>",
                ),
                1, 1,
            )
        few = sample_index(len(y), max_points=MAX_ANIMATED_POINTS)

        def cloud_at(m):
            return dict(
                x=y[few], y=result.X_work[few] @ hist.coef[m], mode="markers", name="gradient descent",
                marker=dict(color=ORANGE, size=6, opacity=0.8), customdata=labels_of[few],
                hovertemplate=f"GD step {m}<br>row %{{customdata}}<br>y = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>",
            )

        add_moving("scatter", cloud_at, 1, 1, ("y", "hovertemplate"), compact=("y",))
        moving = np.concatenate([cloud_at(m)["y"] for m in frames_at])
        fig.update_xaxes(title_text="actual y", range=_padded(y), row=1, col=1)
        fig.update_yaxes(title_text="predicted ŷ", range=_view_range(y, moving), row=1, col=1)

    # --- panel 2: the loss surface, the path and the gradient --------------------------
    if has_contour:
        ij = [i, j]
        path_at_all = path_indices(result.n_iter)
        pts = np.vstack([hist.coef[:, ij], w_star[ij]]) if np.all(np.isfinite(w_star)) else hist.coef[:, ij]
        # A slice that moves with the iterate is re-sent in every frame: a coarser grid keeps that light.
        size = grid_size if n_coef == 2 else min(grid_size, 31)
        grid_i, grid_j = contour_grid(pts, size=size)
        spans = np.array([grid_i[-1] - grid_i[0], grid_j[-1] - grid_j[0]])
        name_i, name_j = _working_name(result, labels, i), _working_name(result, labels, j)

        def surface_at(m):
            return dict(
                x=grid_i, y=grid_j, z=loss_surface(result.X_work, y, hist.coef[m], i, j, grid_i, grid_j,
                               ridge=result.ridge, intercept=result.intercept),
                name="loss", colorscale=BOWL, ncontours=24, showscale=False,
                line=dict(width=0.8, color=CONTOUR_LINE),
                hovertemplate=f"{name_i} = %{{x:.4g}}<br>{name_j} = %{{y:.4g}}<br>loss = %{{z:.4g}}<extra></extra>",
            )

        if n_coef > 2 and moving_slice:  # other coefficients move, so the slice moves with them
            add_moving("contour", surface_at, 1, 2, ("z",), compact=("z",))
        else:
            # A fixed slice is still named in every frame, with nothing to change: plotly.js
            # recomputes only the traces a frame names, and a contour it skips loses its levels
            # and vanishes while the animation plays. With two coefficients it is the same at
            # every step; with more, ``at(k)`` draws the slice through iterate k.
            fixed = surface_at(0)
            add_moving("contour", surface_at if n_coef > 2 else (lambda m: fixed), 1, 2, ())
        add(
            go.Scatter(x=hist.coef[path_at_all, i], y=hist.coef[path_at_all, j], mode="lines",
                       name="whole path", line=dict(color=GREY, width=1, dash="dot"), hoverinfo="skip",
                       showlegend=False),
            1, 2,
        )
        if np.all(np.isfinite(w_star)):
            add(
                go.Scatter(x=[w_star[i]], y=[w_star[j]], mode="markers", name="minimum (= OLS)",
                           marker=dict(color=GREEN, size=13, symbol="star"),
                           hovertemplate=f"minimum<br>{name_i} = %{{x:.4g}}<br>{name_j} = %{{y:.4g}}<extra></extra>"),
                1, 2,
            )

        def path_at(m):
            idx = path_at_all[path_at_all <= m]
            return dict(
                x=hist.coef[idx, i], y=hist.coef[idx, j], mode="lines+markers", name="path so far",
                line=dict(color=ORANGE, width=2), marker=dict(color=ORANGE, size=4), customdata=idx,
                hovertemplate=f"step %{{customdata}}<br>{name_i} = %{{x:.4g}}<br>{name_j} = %{{y:.4g}}<extra></extra>",
            )

        # One scale for every frame, so the arrow's length tracks the gradient's size.
        steepest = hist.grad[frames_at][:, ij]

        def arrow_at(m):
            g = hist.grad[m, ij]
            ends = gradient_arrow(hist.coef[m, ij], g, spans, largest=steepest)
            return dict(
                x=ends[:, 0], y=ends[:, 1], mode="lines+markers", name="−∇L (downhill, to scale across steps)",
                line=dict(color=RED, width=3),
                marker=dict(symbol=["circle", "arrow"], size=[7, 16], angleref="previous", color=RED),
                hovertemplate=(f"step {m}: −∇L direction<br>∂L/∂{name_i} = {fmt(g[0])}"
                               f"<br>∂L/∂{name_j} = {fmt(g[1])}<extra></extra>"),
            )

        add_moving("scatter", path_at, 1, 2, ("x", "y", "customdata"))
        add_moving("scatter", arrow_at, 1, 2, ("x", "y", "hovertemplate"))
        fig.update_xaxes(title_text=name_i, range=[grid_i[0], grid_i[-1]], row=1, col=2)
        fig.update_yaxes(title_text=name_j, range=[grid_j[0], grid_j[-1]], row=1, col=2)
        if 0.25 <= spans[0] / spans[1] <= 4:
            # Equal scales when they fit: only then does the arrow meet the contours at a right angle.
            fig.update_xaxes(constrain="domain", row=1, col=2)
            fig.update_yaxes(scaleanchor="x2", scaleratio=1, constrain="domain", row=1, col=2)
    else:
        fig.update_xaxes(title_text="coefficient", row=1, col=2)
        fig.update_yaxes(title_text="coefficient", row=1, col=2)

    # --- panel 3: the loss curve ---------------------------------------------------------
    iters = np.arange(result.n_iter + 1)
    floor = np.finfo(float).tiny  # a log axis cannot show an exact zero loss
    shown_loss = np.maximum(hist.loss, floor)
    add(go.Scatter(x=iters, y=shown_loss, mode="lines", name="loss", line=dict(color=BLUE, width=2), showlegend=False,
                   hovertemplate="step %{x}<br>loss = %{y:.6g}<extra></extra>"), 2, 1)
    if math.isfinite(loss_star) and loss_star > 0:
        add(go.Scatter(x=[0, result.n_iter], y=[loss_star, loss_star], mode="lines", name="minimum loss (OLS)",
                       line=dict(color=GREEN, dash="dash", width=1.5),
                       hovertemplate="minimum loss (OLS) = %{y:.6g}<extra></extra>"), 2, 1)

    def point_at(m):
        return dict(x=[m], y=[shown_loss[m]], mode="markers", name="this step", showlegend=False,
                    marker=dict(color=ORANGE, size=12, line=dict(color="white", width=1)),
                    hovertemplate="step %{x}<br>loss = %{y:.6g}<extra></extra>")

    add_moving("scatter", point_at, 2, 1, ("x", "y"))
    fig.update_xaxes(title_text="iteration k", row=2, col=1)
    fig.update_yaxes(title_text="loss (log scale)", type="log", row=2, col=1, **_log_ticks(shown_loss))

    # --- play button and slider ----------------------------------------------------------
    indices = [t for t, *_ in dynamic]
    # Full redraws: a transition draws only scatter traces, and the contour would vanish.
    redraw = True
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}}
    fig.update_layout(
        height=800,
        margin=dict(t=70, b=90, l=60, r=20),
        legend=dict(orientation="h", yanchor="bottom", y=1.05, x=0),
        hovermode="closest",
        meta={"frame_traces": indices},
        updatemenus=[
            dict(
                type="buttons", direction="left", x=0.0, y=-0.07, xanchor="left", yanchor="top",
                showactive=False, pad=dict(t=0, r=10),
                buttons=[
                    dict(label="▶ Play", method="animate",
                         args=[None, {"frame": {"duration": PLAY_FRAME_MS, "redraw": redraw}, "fromcurrent": True,
                                      "transition": {"duration": 0}, "mode": "immediate"}]),
                    dict(label="❚❚ Pause", method="animate",
                         args=[[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]),
                ],
            )
        ],
    )
    # The slider's steps and the frames stay plain dicts, added by ``at``: validating them would
    # cost about a second a figure.
    slider = dict(
        x=0.17, len=0.83, y=-0.05, yanchor="top",
        currentvalue=dict(prefix="animation at iteration ", font=dict(size=12)),
        pad=dict(t=0),
    )
    spec = fig.to_dict()
    data, moving = tuple(spec["data"]), tuple(dynamic)
    return DescentAnimation(
        n_iter=int(result.n_iter), data=data, layout=spec["layout"], moving=moving, frames_at=frames_at,
        frames=tuple(_animation_frame(int(m), data, moving) for m in frames_at), slider=slider, step_args=step_args,
    )


def _animation_frame(m: int, data: tuple, moving: tuple) -> go.Frame:
    """Frame ``m``: the changing keys of each moving trace at iteration m."""
    return _raw_frame(str(m), [index for index, *_ in moving],
                      [({"type": data[index]["type"], **_only(build(m), changing)}, compact)
                       for index, build, changing, compact in moving])


def _only(trace: dict, keys: tuple[str, ...]) -> dict:
    """The entries of ``trace`` named in ``keys``."""
    return {key: trace[key] for key in keys if key in trace}


def _raw_frame(name: str, traces: list[int], data: list[tuple[dict, tuple[str, ...]]]) -> go.Frame:
    """A frame whose traces are stored as given, skipping plotly's per-property validation.

    The traces are built by this module from known-good keys; validating ~400 of them per
    figure costs about a second on every scrubber move, for nothing. ``data`` pairs each trace
    with its display-only keys, whose float arrays go as float32 where that is exact to the eye.
    """
    frame = go.Frame(name=name, traces=traces)
    frame._orphan_props["data"] = [{key: _packed(value, compact=key in compact) for key, value in trace.items()}
                                   for trace, compact in data]
    return frame


# float32 is used only when its rounding moves no value by more than this fraction of the
# values' range: far below a pixel (1e-4 of an 800-pixel axis is 0.08 pixels).
_F4_TOLERANCE = 1e-4


def _packed(value, compact: bool = False):
    """Numeric arrays in plotly.js's typed-array form ({"dtype", "bdata"[, "shape"]}), as plotly
    itself sends them (plotly's own converter is ~1 ms an array: too slow for a few hundred).

    With ``compact``, floats go as float32 (half the bytes) when that rounding stays under
    ``_F4_TOLERANCE`` of their range; values near a large offset (an intercept of 1e6 that
    moves by 1e-3) keep float64.

    Examples
    --------
    >>> _packed(np.array([0.5, 1.5]), compact=True)["dtype"]
    'f4'
    >>> _packed(np.array([1e6, 1e6 + 1e-3]), compact=True)["dtype"]
    'f8'
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size:
        dtype = "f8" if value.dtype.kind == "f" else "i4"
        if dtype == "f8" and compact:
            single = value.astype("<f4")
            span = float(np.ptp(value)) or max(1.0, float(np.max(np.abs(value))))
            with np.errstate(invalid="ignore", over="ignore"):
                error = np.max(np.abs(single.astype(float) - value))
            if np.isfinite(error) and error <= _F4_TOLERANCE * span:
                dtype = "f4"
        # plotly.js has no 64-bit integer arrays; row and step numbers fit in int32.
        array = np.ascontiguousarray(value, dtype="<" + dtype)
        out = {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
        if array.ndim > 1:
            out["shape"] = ", ".join(str(n) for n in array.shape)
        return out
    return value


def _padded(values: np.ndarray, pad: float = 0.08) -> list[float]:
    """An axis range holding ``values`` with a margin.

    Examples
    --------
    >>> _padded(np.array([0.0, 10.0]), pad=0.1)
    [-1.0, 11.0]
    """
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo if hi > lo else max(1.0, abs(hi))
    return [lo - pad * span, hi + pad * span]


def _view_range(data: np.ndarray, moving: np.ndarray, reach: float = 1.0) -> list[float]:
    """An axis range for the data that also follows the moving model, up to ``reach`` data
    spans beyond the data on either side: the early steps stay in view, a diverging run
    leaves it instead of squashing the data flat.

    Examples
    --------
    >>> _view_range(np.array([10.0, 20.0]), np.array([0.0, 15.0]), reach=1.0)
    [-1.6, 21.6]
    >>> _view_range(np.array([10.0, 20.0]), np.array([-1e9, 1e9]), reach=1.0)
    [-2.4, 32.4]
    """
    lo, hi = float(np.min(data)), float(np.max(data))
    span = hi - lo if hi > lo else max(1.0, abs(hi))
    moving = np.asarray(moving, dtype=float)
    moving = moving[np.isfinite(moving)]
    if moving.size:
        lo = max(min(lo, float(moving.min())), lo - reach * span)
        hi = min(max(hi, float(moving.max())), hi + reach * span)
    return _padded(np.array([lo, hi]))


def _log_ticks(values: np.ndarray) -> dict:
    """Tick settings for a log axis: powers of ten over wide ranges, 1-2-5 steps over narrow ones
    (plotly's default labels every minor tick with a bare digit, which reads as noise)."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return {}
    decades = math.log10(values.max() / values.min()) if values.min() > 0 else math.inf
    if decades > 3:
        return {"dtick": 1, "exponentformat": "power"}
    return {"dtick": "D2", "tickformat": "~g"}


def _working_name(result, names, index: int) -> str:
    """A coefficient's name as the loss surface sees it (standardized columns say so)."""
    name = names[index]
    if result.standardize and not (result.intercept and index == 0):
        return f"w[{name}] (standardized)"
    return f"w[{name}]"


def descent_summary(result, k: int, *, i: int = 0, j: int = 1, terms=None) -> str:
    """One line, in numbers, of what the descent figure shows at iteration ``k``.

    Examples
    --------
    >>> import numpy as np
    >>> from linreg.descent import gradient_descent
    >>> r = gradient_descent(np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0]),
    ...                      learning_rate=0.1, n_iter=3)
    >>> descent_summary(r, 0).startswith("Iteration 0 of 3: loss 11.67")
    True
    """
    hist = result.history
    names = _names(result, terms)
    loss_star = float(result.loss_min)
    k = min(max(int(k), 0), result.n_iter)
    coef = ", ".join(f"{t} = {fmt(c)}" for t, c in zip(names, hist.coef_original[k]))
    text = f"Iteration {k} of {result.n_iter}: loss {fmt(hist.loss[k])}"
    if loss_star is not None and math.isfinite(loss_star):
        text += f" (OLS minimum {fmt(loss_star)})"
    text += f"; coefficients {coef}"
    if hist.coef.shape[1] >= 2 and i != j:
        g = hist.grad[k]
        text += (f"; gradient on {names[i]} and {names[j]}: "
                 f"{fmt(g[i])} and {fmt(g[j])}; the arrow points the opposite way, downhill.")
    else:
        text += "."
    return text


def figure_notes(result, *, feature: int | None = None, max_frames: int = MAX_FRAMES) -> list[str]:
    """What the descent figure leaves out on this data, in plain words (empty when nothing).

    Examples
    --------
    >>> from linreg.descent import gradient_descent
    >>> r = gradient_descent(np.arange(10.0)[:, None], np.arange(10.0), learning_rate=0.01, n_iter=3)
    >>> figure_notes(r)
    []
    """
    n = len(result.y)
    p = result.X_work.shape[1] - int(result.intercept)
    notes = []
    if feature is None and p > 1 and n > MAX_ANIMATED_POINTS:
        notes.append(f"The moving predictions show {MAX_ANIMATED_POINTS:,} of the {n:,} rows, so each frame stays "
                     "light enough to animate; the loss and the gradient use every row.")
    else:
        note = sample_note(n, len(sample_index(n, max_points=MAX_DRAWN_POINTS)))
        if note:
            notes.append(note)
    frames = len(frame_indices(result.n_iter, max_frames))
    if result.X_work.shape[1] > 2 and n * frames > MAX_SLICE_WORK:
        notes.append("With this many rows the loss contour is drawn once, with the other coefficients held at the "
                     "scrubbed iteration; during Play the path moves over that fixed slice.")
    if result.n_iter + 1 > frames:
        notes.append(f"Play shows {frames} of the {result.n_iter + 1:,} iterations, evenly spaced; the scrubber "
                     "reaches every one.")
    return notes


# ---------------------------------------------------------------------------
# The arithmetic of one step
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StepView:
    """The numbers of step k, ready to show.

    table : pandas.DataFrame, one row per chosen data row: x (working columns), y, ŷ, ŷ − y,
        2(ŷ − y). Strings, so nothing undefined ever shows as NaN.
    latex : list[str], the formulas with the numbers substituted.
    w, grad, w_next : ndarray, shape (k,), working parametrisation.
    velocity : ndarray (k,) or None, the momentum step w_k − w_{k−1} carried into this step.
    summary : str, one line in numbers: the first row's error, the gradient's size and the
        full-data loss before and after the (full-batch) step.
    """

    table: pd.DataFrame
    latex: list[str]
    w: np.ndarray
    grad: np.ndarray
    w_next: np.ndarray
    velocity: np.ndarray | None
    summary: str = ""


def step_view(result, k: int, rows=(0, 1, 2, 3, 4), *, row_labels=None, terms=None, max_columns: int = 4) -> StepView:
    """The arithmetic of step ``k`` (from ``linreg.descent.step_arithmetic``), as a table and LaTeX.

    Parameters
    ----------
    result : linreg.descent.GDResult
    k : int
        The step: from w_k to w_{k+1}.
    rows : sequence of int
        Row positions shown in the table (clipped to the data).
    row_labels : sequence, optional
        Labels of all rows (the data's original index), for the table.
    terms : sequence of str, optional
        Coefficient names (the design's terms); default ``result.terms``.
    max_columns : int
        At most this many x columns in the table.
    """
    k = min(max(int(k), 0), result.n_iter)
    n = len(result.y)
    rows = np.array([r for r in rows if 0 <= r < n], dtype=int)
    w = result.history.coef[k]
    lr = result.learning_rate
    arith = step_arithmetic(result.X_work, result.y, w, lr, rows, ridge=result.ridge, intercept=result.intercept)
    yhat = np.asarray(arith.yhat, float)
    y_rows = result.y[rows]
    err = yhat - y_rows
    grad = np.asarray(arith.grad, float)

    table = {"row": [str(row_labels[r]) if row_labels is not None else str(r) for r in rows]}
    names = _names(result, terms)
    first = 1 if result.intercept else 0
    suffix = " (standardized)" if result.standardize else ""
    for c in range(first, min(result.X_work.shape[1], first + max_columns)):
        table[f"x: {names[c]}{suffix}"] = [fmt(v) for v in result.X_work[rows, c]]
    table["y"] = [fmt(v) for v in y_rows]
    table["ŷ = x·w"] = [fmt(v) for v in yhat]
    table["ŷ − y"] = [fmt(v) for v in err]
    table["∂(ŷ−y)²/∂ŷ = 2(ŷ − y)"] = [fmt(v) for v in arith.dL_dyhat]

    velocity = None
    momentum = float(getattr(result, "momentum", 0.0) or 0.0)
    if momentum > 0 and k > 0:
        velocity = result.history.coef[k] - result.history.coef[k - 1]

    latex = []
    if len(rows):
        r0 = rows[0]
        x0 = result.X_work[r0]
        parts = " + ".join(rf"{_tex_factor(w[c])}\cdot{_tex_factor(x0[c])}" for c in range(len(w)))
        latex.append(rf"\hat y_{{{r0}}} = x_{{{r0}}}\cdot w_{{{k}}} = {parts} = {_tex(yhat[0])}")
        latex.append(
            rf"\frac{{\partial (\hat y_{{{r0}}} - y_{{{r0}}})^2}}{{\partial \hat y_{{{r0}}}}} = 2(\hat y_{{{r0}}} - y_{{{r0}}})"
            rf" = 2({_tex(yhat[0])} - {_tex_factor(y_rows[0])}) = {_tex(arith.dL_dyhat[0])}"
        )
    if result.ridge > 0:
        # The ridge penalty's part of the gradient, 2λb on the slopes (0 for the intercept).
        latex.append(
            rf"\nabla L = \frac{{2}}{{N}} X^\top(\hat y - y) + 2\lambda b = \frac{{2}}{{{n}}} X^\top(\hat y - y)"
            rf" + {_tex_vector(arith.penalty_grad)} = {_tex_vector(grad)}"
        )
    else:
        latex.append(
            rf"\nabla L = \frac{{2}}{{N}} X^\top(\hat y - y) = \frac{{2}}{{{n}}} X^\top(\hat y - y) = {_tex_vector(grad)}"
        )
    w_next = np.asarray(arith.w_next, float)
    if momentum > 0:
        v_prev = velocity if velocity is not None else np.zeros_like(w)
        v_next = momentum * v_prev - lr * grad
        latex.append(
            rf"v_{{{k + 1}}} = \mu v_{{{k}}} - \eta\nabla L = {_tex(momentum)}{_tex_vector(v_prev)}"
            rf" - {_tex(lr)}{_tex_vector(grad)} = {_tex_vector(v_next)}"
        )
        w_next = w + v_next
        latex.append(
            rf"w_{{{k + 1}}} = w_{{{k}}} + v_{{{k + 1}}} = {_tex_vector(w)} + {_tex_vector(v_next)} = {_tex_vector(w_next)}"
        )
    else:
        latex.append(
            rf"w_{{{k + 1}}} = w_{{{k}}} - \eta\nabla L = {_tex_vector(w)} - {_tex(lr)}{_tex_vector(grad)}"
            rf" = {_tex_vector(w_next)}"
        )
    summary = f"Step {k}: "
    if len(rows):
        summary += (f"row {table['row'][0]} is predicted {fmt(yhat[0])} against {fmt(y_rows[0])}, an error of "
                    f"{fmt(err[0])}; ")
    summary += f"the gradient's length is ‖∇L‖ = {fmt(float(np.linalg.norm(grad)))}"
    if momentum == 0:
        summary += (f"; the full-batch step takes the loss from {fmt(arith.loss)} to {fmt(arith.loss_next)}"
                    + (" (up: the step overshoots)" if arith.loss_next > arith.loss else ""))
    return StepView(table=pd.DataFrame(table), latex=latex, w=w, grad=grad, w_next=w_next, velocity=velocity,
                    summary=summary + ".")


# ---------------------------------------------------------------------------
# Learning rate: where the chosen rate sits between optimal and unstable
# ---------------------------------------------------------------------------


def learning_rate_figure(learning_rate: float, optimal: float, max_stable: float,
                         momentum: float = 0.0) -> tuple[go.Figure, str]:
    """A ruler on a log axis: the stable zone, the optimal rate, the stable limit and the chosen rate.

    With heavy-ball momentum μ the stable zone of full-batch GD widens to 2(1 + μ)/λ_max.

    Examples
    --------
    >>> fig, text = learning_rate_figure(0.5, 0.4, 0.8)
    >>> text
    'Learning rate 0.5 is 0.625 × the largest stable rate 0.8 (= 2/λ_max) and 1.25 × the optimal rate 0.4: stable.'
    """
    limit = max_stable * (1.0 + momentum)
    lo = min(learning_rate, optimal, max_stable) / 4
    hi = max(learning_rate, optimal, limit) * 4
    fig = go.Figure()
    fig.add_shape(type="rect", x0=lo, x1=limit, y0=0, y1=1, fillcolor="#dafbe1", line_width=0, layer="below")
    fig.add_shape(type="rect", x0=limit, x1=hi, y0=0, y1=1, fillcolor="#ffebe9", line_width=0, layer="below")
    marks = [
        (optimal, "optimal 2/(λmax+λmin)", GREEN, "diamond"),
        (max_stable, "largest stable 2/λmax", "#cf222e", "line-ns"),
    ]
    if momentum > 0:
        marks.append((limit, f"stable limit with momentum 2(1+μ)/λmax", "#8250df", "line-ns"))
    marks.append((learning_rate, "your rate η", ORANGE, "triangle-down"))
    for value, label, colour, symbol in marks:
        fig.add_trace(go.Scatter(
            x=[value], y=[0.5], mode="markers", name=label,
            marker=dict(color=colour, size=18, symbol=symbol, line=dict(width=3, color=colour)),
            hovertemplate=f"{label}<br>η = %{{x:.4g}}<extra></extra>",
        ))
    fig.add_annotation(x=math.log10(math.sqrt(lo * limit)), y=0.9, text="converges", showarrow=False,
                       font=dict(color="#1a7f37"))
    fig.add_annotation(x=math.log10(math.sqrt(limit * hi)), y=0.9, text="diverges", showarrow=False,
                       font=dict(color="#cf222e"))
    fig.update_xaxes(type="log", range=[math.log10(lo), math.log10(hi)], title_text="learning rate η (log scale)",
                     dtick="D2", tickformat="~g")
    fig.update_yaxes(visible=False, range=[0, 1])
    fig.update_layout(height=150, margin=dict(t=10, b=40, l=10, r=10), showlegend=True,
                      legend=dict(orientation="h", y=-0.9, x=0))
    ratio = learning_rate / max_stable
    verdict = "stable" if learning_rate < limit else "unstable: the descent diverges"
    text = (f"Learning rate {fmt(learning_rate)} is {fmt(ratio)} × the largest stable rate {fmt(max_stable)} "
            f"(= 2/λ_max) and {fmt(learning_rate / optimal)} × the optimal rate {fmt(optimal)}")
    if momentum > 0:
        text += f"; with momentum {fmt(momentum)} the limit is 2(1+μ)/λ_max = {fmt(limit)}"
    text += f": {verdict}."
    return fig, text


def divergence_explanation(result) -> str:
    """Why a run diverged, in plain words and its own numbers (plain text, no user text).

    Examples
    --------
    >>> from linreg.descent import gradient_descent
    >>> r = gradient_descent([[1.0], [2.0]], [2.0, 4.0], learning_rate=1.0, n_iter=50, intercept=False)
    >>> r.diverged, divergence_explanation(r)[:60]
    (True, 'The learning rate η = 1 is above the largest stable rate 2/λ')
    """
    lam_max = float(result.eigenvalues[-1])
    lr, mu = result.learning_rate, float(result.momentum)
    factor = 1.0 - lr * lam_max
    limit = 2.0 * (1.0 + mu) / lam_max
    text = (
        f"The learning rate η = {fmt(lr)} is above the largest stable rate 2/λ_max = {fmt(2 / lam_max)}. "
        f"The loss is a bowl whose steepest direction has curvature λ_max = {fmt(lam_max)} "
        f"(the largest eigenvalue of H = (2/N)XᵀX). Along that direction each step multiplies the distance to "
        f"the bottom by 1 − ηλ_max = {fmt(factor)}: the step overshoots the bottom and lands "
        f"{fmt(abs(factor))} times as far away on the other side. Since |1 − ηλ_max| > 1, the error grows "
        f"with every step instead of shrinking."
    )
    if lr < 2 / lam_max:
        # Stable for plain full-batch GD, so momentum or mini-batch noise tipped it over.
        text = (f"The learning rate η = {fmt(lr)} is below the full-batch limit 2/λ_max = {fmt(2 / lam_max)}, "
                f"but the run still blew up. ")
        if mu > 0:
            text += (f"With momentum μ = {fmt(mu)} the velocity keeps pushing past the bottom; plain GD "
                     f"with momentum is stable below 2(1+μ)/λ_max = {fmt(limit)}. ")
        if result.batch_size is not None:
            text += (f"Each step uses only {result.batch_size} rows, and a small batch can be a much steeper "
                     "bowl than the whole data, so a rate that is safe for the full data can overshoot on a batch. ")
        text += "Lower the learning rate or use a larger batch."
        return text
    text += (f" The run stopped after {result.n_iter} steps, before the numbers overflowed; use a rate below "
             f"{fmt(2 / lam_max)} (the optimal one is {fmt(result.optimal_learning_rate)}).")
    return text


# ---------------------------------------------------------------------------
# Compare: GD against the closed form
# ---------------------------------------------------------------------------


def coef_table(terms, ols_coef: np.ndarray, gd_coef: np.ndarray, aliased=()) -> pd.DataFrame:
    """Coefficients side by side as strings: OLS, GD, GD − OLS ("aliased" where OLS has none).

    Examples
    --------
    >>> coef_table(("Intercept", "x"), np.array([1.0, 2.0]), np.array([1.001, 1.999])).to_dict("list")
    {'term': ['Intercept', 'x'], 'OLS (closed form)': ['1', '2'], 'gradient descent': ['1.001', '1.999'], 'GD − OLS': ['0.001', '-0.001']}
    """
    ols_coef = np.asarray(ols_coef, float)
    gd_coef = np.asarray(gd_coef, float)
    out = {"term": [str(t) for t in terms], "OLS (closed form)": [], "gradient descent": [], "GD − OLS": []}
    for t, a, b in zip(terms, ols_coef, gd_coef):
        undefined = t in aliased or not math.isfinite(a)
        out["OLS (closed form)"].append("aliased" if undefined else fmt(a, 6))
        out["gradient descent"].append(fmt(b, 6))
        out["GD − OLS"].append("—" if undefined else fmt(b - a, 3))
    return pd.DataFrame(out)


def coef_summary(terms, ols_coef: np.ndarray, gd_coef: np.ndarray) -> str:
    """One line: how far gradient descent is from the closed form, in numbers.

    Examples
    --------
    >>> coef_summary(("Intercept", "x"), np.array([1.0, 2.0]), np.array([1.001, 1.999]))
    'Largest difference GD − OLS: 0.001 on Intercept (relative 0.001); 2 coefficients compared.'
    """
    ols_coef, gd_coef = np.asarray(ols_coef, float), np.asarray(gd_coef, float)
    ok = np.isfinite(ols_coef)
    if not ok.any():
        return "No coefficient is identified by the closed form (all aliased), so there is nothing to compare."
    diff = np.where(ok, np.abs(gd_coef - np.where(ok, ols_coef, 0.0)), -1.0)
    worst = int(np.argmax(diff))
    rel = diff[worst] / max(abs(ols_coef[worst]), np.finfo(float).tiny)
    text = (f"Largest difference GD − OLS: {fmt(gd_coef[worst] - ols_coef[worst])} on {terms[worst]} "
            f"(relative {fmt(rel)}); {int(ok.sum())} coefficients compared")
    if not ok.all():
        text += f", {int((~ok).sum())} aliased in the closed form left out"
    return text + "."


def heavy_ball_rate(eigenvalues: np.ndarray, learning_rate: float, momentum: float) -> float:
    """Per-step contraction of heavy-ball momentum on a quadratic: the largest |root| of
    z² − (1 + μ − ηλ)z + μ = 0 over the eigenvalues λ of H.

    With μ = 0 this is max|1 − ηλ|, the plain-GD rate of ``linreg.descent.convergence_rate``.

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
    """Per-step contraction of plain full-batch GD: ``linreg.descent.convergence_rate`` of the run.

    (For a rank-deficient design linreg leaves the zero eigenvalues out: GD never moves along
    those directions, so the rate that matters is over the directions the data identifies.)
    """
    # The run's own eigenvalues (of the same, possibly penalized, Hessian): no pass over the data.
    return rate_from_eigenvalues(result.eigenvalues, result.learning_rate)


def convergence_figure(result, *, terms=None) -> tuple[go.Figure, str]:
    """‖w_k − w*‖ and L(w_k) − L(w*) on log axes, with the rate predicted from H's eigenvalues.

    The prediction for plain full-batch GD is ‖w_k − w*‖ <= ρ^k ‖w_0 − w*‖ with
    ρ = max|1 − ηλ_i| over the eigenvalues λ_i of H = (2/N)XᵀX (from
    ``linreg.descent.convergence_rate``), and the loss gap shrinks like ρ^{2k}. Both are
    measured in the working parametrisation, where w* = ``result.optimum`` and the bound holds.
    With momentum the line uses the heavy-ball rate instead (see :func:`heavy_ball_rate`).

    Parameters
    ----------
    result : linreg.descent.GDResult

    Returns
    -------
    (plotly Figure, one-line summary)
    """
    hist = result.history
    w_star, loss_star = np.asarray(result.optimum, float), float(result.loss_min)
    iters = np.arange(result.n_iter + 1)
    err = np.linalg.norm(hist.coef - w_star, axis=1)
    gap = hist.loss - loss_star
    mu = float(result.momentum)
    if mu > 0:
        lam = np.asarray(result.eigenvalues, float)
        if _singular(lam):  # as in plain_rate: the unidentified directions never move
            lam = lam[lam > lam[-1] * lam.size * np.finfo(float).eps]
        rho = heavy_ball_rate(lam, result.learning_rate, mu)
        rho_name = "ρ = heavy-ball rate"
    else:
        rho = plain_rate(result)
        rho_name = "ρ = max|1 − ηλ_i|"
    with np.errstate(over="ignore", under="ignore"):
        err_line = err[0] * rho ** iters.astype(float)
        gap_line = gap[0] * rho ** (2.0 * iters)
    # Rounding ends the measurable error near machine precision: points at or below
    # it cannot sit on a log axis and would only draw noise.
    floor_err = 1e-13 * max(1.0, float(np.linalg.norm(w_star)))
    floor_gap = 1e-13 * max(1.0, abs(loss_star))

    # w* is the run's own optimum: with a ridge term, the penalized loss's minimiser.
    optimum = "ridge solution" if result.ridge > 0 else "OLS solution"
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(f"Distance to the {optimum} ‖w_k − w*‖",
                                        "Excess loss L(w_k) − L(w*)"))
    for col, measured, predicted, floor, label, power in (
        (1, err, err_line, floor_err, "‖w_k − w*‖", "ρ^k"),
        (2, gap, gap_line, floor_gap, "L(w_k) − L(w*)", "ρ^2k"),
    ):
        keep = measured > floor
        fig.add_trace(go.Scatter(x=iters[keep], y=measured[keep], mode="lines", name=f"measured {label}",
                                 line=dict(color=ORANGE, width=2.5),
                                 hovertemplate=f"step %{{x}}<br>{label} = %{{y:.4g}}<extra></extra>"), 1, col)
        pkeep = np.isfinite(predicted) & (predicted > floor)
        fig.add_trace(go.Scatter(x=iters[pkeep], y=predicted[pkeep], mode="lines",
                                 name=f"predicted c·{power}", showlegend=True,
                                 line=dict(color=GREY, dash="dash", width=2),
                                 hovertemplate=f"step %{{x}}<br>predicted c·{power} = %{{y:.4g}}<extra></extra>"),
                      1, col)
        fig.update_yaxes(type="log", title_text=f"{label} (log scale)", row=1, col=col,
                         **_log_ticks(np.concatenate([measured[keep], predicted[pkeep]])))
        fig.update_xaxes(title_text="iteration k", row=1, col=col)
    fig.update_layout(height=420, margin=dict(t=60, b=40, l=70, r=20), hovermode="x unified",
                      legend=dict(orientation="h", yanchor="top", y=-0.18, x=0))

    last = result.n_iter
    head = (f"Predicted contraction per step {rho_name} = {fmt(rho)} "
            f"(η = {fmt(result.learning_rate)}{f', μ = {fmt(mu)}' if mu > 0 else ''})")
    if result.diverged:
        tail = f"the run diverged after {last} steps" + (", as ρ > 1 predicts" if rho > 1 else "")
    else:
        tail = (f"after {last} steps ‖w − w*‖ = {fmt(err[last])} against a predicted {fmt(err_line[last])}, "
                f"and L − L* = {fmt(max(gap[last], 0.0))}")
    if result.batch_size is not None:
        tail += "; mini-batch noise makes the measured curve level off above the full-batch prediction"
    return fig, f"{head}; {tail}."


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

    Examples
    --------
    >>> from linreg.descent import gradient_descent
    >>> r = gradient_descent([[1.0, 0.0], [0.0, 2.0]], [1.0, 1.0], learning_rate=0.1, n_iter=1, intercept=False)
    >>> condition_number(r)
    4.0
    """
    lam = np.asarray(result.eigenvalues, float)
    # A zero eigenvalue comes out of the eigensolver as rounding noise; its ratio is noise too.
    return math.inf if _singular(lam) or lam[0] <= 0 else float(lam[-1] / lam[0])


def conditioning_table(runs) -> pd.DataFrame:
    """Raw against standardized (or any runs), as strings: the numbers that decide GD's speed.

    Parameters
    ----------
    runs : dict[str, GDResult]
        Column title -> run.
    """
    rows = {
        "condition number of H = λ_max/λ_min": [],
        "learning rate η used": [],
        "predicted rate ρ = max|1 − ηλ_i|": [],
        "predicted steps to shrink the error 10⁸×": [],
        "iterations run": [],
        "converged": [],
        "final loss − minimum": [],
    }
    for result in runs.values():
        rho = plain_rate(result)
        steps = predicted_iterations(rho)
        rows["condition number of H = λ_max/λ_min"].append(fmt(condition_number(result)))
        rows["learning rate η used"].append(fmt(result.learning_rate))
        rows["predicted rate ρ = max|1 − ηλ_i|"].append(fmt(rho, 6))
        rows["predicted steps to shrink the error 10⁸×"].append(
            "never (ρ ≥ 1)" if not math.isfinite(steps) else f"{steps:,.0f}")
        rows["iterations run"].append(f"{result.n_iter:,}")
        rows["converged"].append("diverged" if result.diverged else ("yes" if result.converged else "not yet"))
        rows["final loss − minimum"].append(fmt(max(result.final_loss - result.loss_min, 0.0)))
    table = pd.DataFrame(rows, index=list(runs)).T
    table.index.name = "quantity"
    return table.reset_index()


def conditioning_figure(runs, *, i: int = 0, j: int = 1, terms=None, grid_size: int = 61) -> tuple[go.Figure, str]:
    """The loss contours of several runs side by side (raw and standardized), each with its path.

    Each panel is centred on its minimiser w* (``result.optimum``) with equal scales on both
    axes, so the shape of the bowl shows as it is: round when well conditioned, a long thin
    valley when not.

    Parameters
    ----------
    runs : dict[str, GDResult]
        Panel title -> run (e.g. {"raw features": r1, "standardized": r2}).
    i, j : int
        Coefficients on the axes.
    terms : sequence of str, optional
        Coefficient names (the design's terms).
    """
    titles = list(runs)
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.12)
    parts = []
    for col, title in enumerate(titles, start=1):
        result = runs[title]
        w_star = np.asarray(result.optimum, float)
        hist = result.history
        labels = tuple(safe_label(t) for t in _names(result, terms))
        ij = [i, j]
        # A square window around w* that reaches the start of the path.
        reach = float(np.max(np.abs(hist.coef[0, ij] - w_star[ij]))) * 1.2
        reach = reach if reach > 0 else 1.0
        grid_i = np.linspace(w_star[i] - reach, w_star[i] + reach, grid_size)
        grid_j = np.linspace(w_star[j] - reach, w_star[j] + reach, grid_size)
        z = loss_surface(result.X_work, result.y, w_star, i, j, grid_i, grid_j, ridge=result.ridge,
                         intercept=result.intercept)
        name_i, name_j = _working_name(result, labels, i), _working_name(result, labels, j)
        fig.add_trace(go.Contour(
            x=grid_i, y=grid_j, z=z, colorscale=BOWL, ncontours=24, showscale=False,
            line=dict(width=0.8, color=CONTOUR_LINE), name="loss",
            hovertemplate=f"{name_i} = %{{x:.4g}}<br>{name_j} = %{{y:.4g}}<br>loss = %{{z:.4g}}<extra></extra>",
        ), 1, col)
        idx = path_indices(result.n_iter)
        fig.add_trace(go.Scatter(
            x=hist.coef[idx, i], y=hist.coef[idx, j], mode="lines+markers", name="GD path",
            line=dict(color=ORANGE, width=2), marker=dict(size=3), customdata=idx, showlegend=col == 1,
            hovertemplate=f"step %{{customdata}}<br>{name_i} = %{{x:.4g}}<br>{name_j} = %{{y:.4g}}<extra></extra>",
        ), 1, col)
        fig.add_trace(go.Scatter(x=[w_star[i]], y=[w_star[j]], mode="markers", showlegend=col == 1,
                                 marker=dict(color=GREEN, size=12, symbol="star"), name="minimum w*",
                                 hovertemplate="minimum<br>%{x:.4g}, %{y:.4g}<extra></extra>"), 1, col)
        axis = "" if col == 1 else str(col)
        fig.update_xaxes(title_text=name_i, range=[grid_i[0], grid_i[-1]], constrain="domain", row=1, col=col)
        fig.update_yaxes(title_text=name_j, range=[grid_j[0], grid_j[-1]], constrain="domain", row=1, col=col,
                         scaleanchor=f"x{axis}", scaleratio=1)
        steps = f"{result.n_iter:,} iteration" + ("" if result.n_iter == 1 else "s")
        parts.append(f"{title}: λ_max/λ_min = {fmt(condition_number(result))}, {steps}"
                     + (" (converged)" if result.converged else " (diverged)" if result.diverged else
                        " (not converged)"))
    fig.update_layout(height=460, margin=dict(t=60, b=40, l=60, r=20),
                      legend=dict(orientation="h", yanchor="top", y=-0.15, x=0))
    names = _names(runs[titles[0]], terms)
    text = (f"Loss contours over {names[i]} and {names[j]} with equal axis scales; " + "; ".join(parts)
            + " (a condition number of 1 is a perfectly round bowl).")
    return fig, text
