"""The animated gradient-descent figure: the data and the model, the loss surface with the path
and the gradient, and the loss curve, at any iteration, with Play in the browser.

Used by the "Gradient descent" page through :func:`descent_animation`, built once per run and
view; :meth:`DescentAnimation.at` then makes the figure at the step on show in milliseconds.
Colours and frame counts come from :mod:`linreg.plots._style`, the geometry of the path and
the arrow from the other descent figures in :mod:`linreg.plots.descent`. No streamlit here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly
from plotly.subplots import make_subplots

from linreg.format import fmt
from linreg.quadratic import loss_surface

from ._common import coef_names, log_ticks, safe_label, sample_index, working_name
from ._payload import packed
from ._style import BLUE, BOWL, CONTOUR_LINE, GREEN, GREY, ORANGE, RED
from ._style import MAX_ANIMATED_POINTS, MAX_DRAWN_POINTS, MAX_FRAMES, MAX_SLICE_WORK, PLAY_FRAME_MS, WEBGL_THRESHOLD
from .descent import contour_grid, descent_summary, frame_indices, gradient_arrow, path_indices, step_view

__all__ = ["DescentAnimation", "descent_animation", "descent_figure", "history_iterations", "HISTORY_BYTES"]

# The browser's stepper (``DescentAnimation.history``) holds at most this many iterations: every
# one of a default run (500), and every one early on, then an even spread, of a longer run.
MAX_HISTORY_STEPS = 1_001
# Rows x stored iterations of arithmetic the history may cost (one pass over the rows each):
# about a second on our machines.
# Points of the loss curve: a curve across the panel's width needs no more.
HISTORY_CURVE_POINTS = 2_001
HISTORY_WORK = 20_000_000
# Points of the moving predicted-vs-actual cloud, summed over the stored iterations.
HISTORY_CLOUD_VALUES = 100_000
# The history is sent whole when the page opens: it stays under the page's 2 MB.
HISTORY_BYTES = 1_900_000


def _design_original(result, X: np.ndarray | None) -> np.ndarray:
    """Feature columns in original units (no ones column), undoing the run's standardization."""
    if X is not None:
        X = np.asarray(X, dtype=float)
        return X[:, None] if X.ndim == 1 else X
    work = result.X_work[:, 1:] if result.intercept else result.X_work
    return work * result.x_scale + result.x_mean


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
    result : linreg.descent.GDResult
        The run drawn.
    roles : dict
        Trace index of each moving trace by what it shows: ``"model"``, ``"surface"``, ``"path"``,
        ``"arrow"``, ``"point"``.
    view : dict
        ``feature``, ``i``, ``j``, ``terms`` (the names shown) and ``row_labels`` the figure was built with.
    """

    n_iter: int
    data: tuple
    layout: dict
    moving: tuple
    frames_at: np.ndarray
    frames: tuple
    slider: dict
    step_args: dict
    result: object = None
    roles: dict = field(default_factory=dict)
    view: dict = field(default_factory=dict)
    # The step views of the last set of stored iterations :meth:`history` was asked for: moving
    # to another iteration among them rebuilds only what depends on it (the views are ~90% of a
    # history's work: 0.47 s of 0.53 s at 100,000 rows). One entry: about 0.4 MB there.
    _views: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def at(self, k: int) -> go.Figure:
        """The figure opened at iteration ``k`` (clipped to 0..n_iter), which always has a frame.

        Returns
        -------
        plotly.graph_objects.Figure with ``frames``.
        """
        data, layout, frames = self._parts(k)
        fig = go.Figure(data=data)
        # The layout and the frames were validated when the animation was built; validating them
        # again (the slider alone has ~50 steps) would cost more than everything else here.
        # A figure's layout object reads its props from ``fig._layout``, so this is what it holds.
        fig._layout = layout
        fig._frame_objs = frames
        return fig

    def spec(self, k: int) -> dict:
        """``at(k).to_dict()``, plotly's JSON form of the figure, made without a Figure.

        Sending a Figure copies, walks and validates its ~4,000 values again (about 25 ms on
        every scrubber move); here every part but the moving traces at ``k`` was encoded when
        the animation was built, and the moving traces keep the keys plotly validated then.
        The nested parts are shared with the animation: read them, do not change them.

        Returns
        -------
        dict with ``data``, ``layout`` and ``frames``, ready for ``plotly.io.to_json``.
        """
        data, layout, frames = self._parts(k)
        return {"data": [{key: packed(value) for key, value in trace.items()} for trace in data],
                "layout": layout, "frames": [frame._props for frame in frames]}

    def history(self, k: int, rows: int = 5) -> dict:
        """Everything the browser's stepper shows, at every stored iteration, as plain JSON.

        Sent once per run and view, so that First / Back / Next / Last, the scrubber and Play
        redraw in the browser with no round trip. Every number in it is computed here (by
        :func:`linreg.plots.descent.step_view`, :func:`~linreg.plots.descent.descent_summary`
        and the figure's own trace builders); the browser only shows them. Text is text: the
        browser sets it as such, never as markup.

        A long run is stored at :func:`history_iterations` (every iteration up to
        ``MAX_HISTORY_STEPS``, fewer on many rows), and fewer again until the JSON is at most
        ``HISTORY_BYTES``.

        Parameters
        ----------
        k : int
            The iteration to open at (clipped to 0..n_iter); always stored.
        rows : int
            Rows of the per-row arithmetic table.

        Returns
        -------
        dict
            ``figure`` (``data`` and ``layout`` without Play's frames; the traces the browser moves
            are empty), ``iterations`` (the stored ones, length s), ``traces`` (index of each moving
            trace by role), the moving marks at each stored iteration (``model``, ``path``,
            ``arrow``, ``point``, ``surface``; arrays in plotly.js's typed-array form, shape (s, ...)),
            ``text`` (per stored iteration: the caption, the loss, the step's summary, the
            coefficient vectors of the update, formatted), ``table`` and ``equation`` (the per-row
            arithmetic), and ``k0``.
        """
        k = min(max(int(k), 0), self.n_iter)
        n = len(self.result.y)
        steps = int(min(MAX_HISTORY_STEPS, max(101, HISTORY_WORK // max(n, 1))))
        for _ in range(3):
            out = self._history(k, int(rows), steps)
            # Streamlit sends the component's data as json.dumps makes it.
            size, fixed = len(json.dumps(out)), len(json.dumps(out["figure"]))
            if size <= HISTORY_BYTES or steps <= 11:
                break
            per_step = (size - fixed) / len(out["iterations"])
            steps = max(11, int(0.95 * (HISTORY_BYTES - fixed) / per_step))
        return out

    def _history(self, k: int, rows: int, steps: int) -> dict:
        result, view = self.result, self.view
        hist, terms, i, j = result.history, view["terms"], view["i"], view["j"]
        n, lr = len(result.y), float(result.learning_rate)
        momentum = float(getattr(result, "momentum", 0.0) or 0.0)
        its = history_iterations(self.n_iter, steps, include=k)
        shown = range(min(rows, n))
        views = self._step_views(its, shown)
        first = views[0].table
        moving_columns = list(first.columns[-3:])  # ŷ, ŷ − y and 2(ŷ − y) change with the step

        def vec(values) -> list[str]:
            return [fmt(v) for v in np.asarray(values, float)]

        text = {
            "caption": [descent_summary(result, int(m), i=i, j=j, terms=terms) for m in its],
            "loss": [fmt(hist.loss[m]) for m in its],
            "summary": [v.summary for v in views],
            "w": [vec(v.w) for v in views],
            "grad": [vec(v.grad) for v in views],
            "w_next": [vec(v.w_next) for v in views],
            "stored_next": [vec(hist.coef[m + 1]) if m < self.n_iter else None for m in its],
        }
        if momentum > 0:
            v_prev = [v.velocity if v.velocity is not None else np.zeros_like(v.w) for v in views]
            text["v_prev"] = [vec(vp) for vp in v_prev]
            # As step_view makes it, so the numbers agree to the last digit.
            text["v_next"] = [vec(momentum * vp - lr * v.grad) for vp, v in zip(v_prev, views)]
        if result.ridge > 0:
            from linreg.quadratic import step_arithmetic

            text["penalty"] = [vec(step_arithmetic(result.X_work, result.y, v.w, lr, [], ridge=result.ridge,
                                                   intercept=result.intercept).penalty_grad) for v in views]
        table = {
            "columns": [str(c) for c in first.columns],
            "static": [[str(c) for c in first[col]] for col in first.columns[:-3]],
            "moving": [[[str(c) for c in v.table[col]] for col in moving_columns] for v in views],
        }
        equation = {
            "n": n, "lr": fmt(lr), "momentum": fmt(momentum) if momentum > 0 else None,
            "ridge": fmt(result.ridge) if result.ridge > 0 else None,
            "row": table["static"][0][0] if len(shown) else None,
            "x": vec(result.X_work[0]) if len(shown) else None,
            "y": vec(result.y[:1])[0] if len(shown) else None,
            "standardize": bool(result.standardize), "batch_size": result.batch_size,
            "diverged": bool(result.diverged),
        }

        data, layout, _ = self._parts(k)
        roles = self.roles
        marks = {}
        if "model" in roles:
            build = self._builder(roles["model"])
            x = np.asarray(build(0)["x"], float)
            # A cloud keeps an evenly spread part of its points when there are many steps.
            keep = np.arange(0, len(x), max(1, math.ceil(len(x) * len(its) / HISTORY_CLOUD_VALUES)))
            marks["model"] = {"x": packed(x[keep]),
                              "y": packed(np.array([np.asarray(build(int(m))["y"], float)[keep] for m in its]),
                                          compact=True),
                              "cloud": data[roles["model"]].get("mode") == "markers"}
            data[roles["model"]] = {key: value for key, value in data[roles["model"]].items() if key != "customdata"}
            data[roles["model"]].update(x=[None], y=[None])
        if "path" in roles:
            idx = path_indices(result.n_iter)
            marks["path"] = {"x": packed(hist.coef[idx, i]), "y": packed(hist.coef[idx, j]), "at": packed(idx)}
        if "arrow" in roles:
            build = self._builder(roles["arrow"])
            ends = [build(int(m)) for m in its]
            marks["arrow"] = {"x": packed(np.array([np.asarray(e["x"], float) for e in ends])),
                              "y": packed(np.array([np.asarray(e["y"], float) for e in ends]))}
        if "point" in roles:
            build = self._builder(roles["point"])
            marks["point"] = {"y": packed(np.array([float(build(int(m))["y"][0]) for m in its]))}
        surface = None
        if "surface" in roles:
            position = [index for index, *_ in self.moving].index(roles["surface"])
            if "z" in self.moving[position][2]:  # the slice moves with the iterate: each frame holds one
                surface = {"at": [int(m) for m in self.frames_at],
                           "z": [frame._orphan_props["data"][position]["z"] for frame in self.frames]}
        for role in ("path", "arrow", "point"):
            if role in roles:
                data[roles[role]] = {key: value for key, value in data[roles[role]].items() if key != "customdata"}
                # One empty point, so that the legend still shows the trace the browser draws over it.
                data[roles[role]].update(x=[None], y=[None])
        curve = next((t for t, trace in enumerate(data) if trace.get("name") == "loss" and trace.get("type") == "scatter"),
                     None)
        if curve is not None and self.n_iter + 1 > HISTORY_CURVE_POINTS:
            at = history_iterations(self.n_iter, HISTORY_CURVE_POINTS)
            data[curve] = {**data[curve], "x": at, "y": np.maximum(hist.loss[at], np.finfo(float).tiny)}
        layout = {key: value for key, value in layout.items() if key not in ("sliders", "updatemenus", "meta")}
        layout["margin"] = {**layout.get("margin", {}), "b": 50}
        return {
            # Plain JSON (plotly's own encoding of what is left as numpy) for the component's data.
            "figure": json.loads(to_json_plotly({"data": [{key: packed(value) for key, value in trace.items()}
                                                          for trace in data], "layout": layout})),
            "n_iter": self.n_iter, "iterations": [int(m) for m in its], "k0": k,
            "traces": {role: int(index) for role, index in roles.items()},
            **marks, "surface": surface, "text": text, "table": table, "equation": equation,
            "names": list(coef_names(result, terms)),
        }

    def _step_views(self, its: np.ndarray, shown: range) -> list:
        """``step_view`` at each of ``its`` with rows ``shown``, from the last call's when they are the same."""
        key = (tuple(int(m) for m in its), len(shown))
        views = self._views.get(key)
        if views is None:
            views = [step_view(self.result, int(m), shown, row_labels=self.view["row_labels"], terms=self.view["terms"])
                     for m in its]
            self._views.clear()
            self._views[key] = views
        return views

    def _builder(self, index: int):
        return next(build for t, build, *_ in self.moving if t == index)

    def _parts(self, k: int) -> tuple[list[dict], dict, tuple]:
        """The traces (moving ones at ``k``), the layout with its slider at ``k`` and the frames."""
        k = min(max(int(k), 0), self.n_iter)
        data = list(self.data)
        for index, build, _, _ in self.moving:
            data[index] = {**data[index], **build(k)}
        frames_at, frames = self.frames_at, self.frames
        position = int(np.searchsorted(frames_at, k))
        if position == len(frames_at) or frames_at[position] != k:
            frames_at = np.insert(frames_at, position, k)
            frames = frames[:position] + (_animation_frame(k, self.data, self.moving),) + frames[position:]
        layout = {**self.layout, "sliders": [{
            **self.slider, "active": position,
            "steps": [dict(method="animate", label=str(m), args=[[str(m)], self.step_args]) for m in frames_at],
        }]}
        return data, layout, frames


def history_iterations(n_iter: int, max_steps: int = MAX_HISTORY_STEPS, include: int | None = None) -> np.ndarray:
    """Iterations the browser's stepper holds: all of them, or every one early on (where the
    steps are large and zig-zag) then an even spread, with ``include`` among them.

    Examples
    --------
    >>> history_iterations(5).tolist()
    [0, 1, 2, 3, 4, 5]
    >>> idx = history_iterations(100_000, max_steps=101, include=777)
    >>> idx[:3].tolist(), int(idx[-1]), 777 in idx, len(idx) <= 102
    ([0, 1, 2], 100000, True, True)
    """
    idx = path_indices(n_iter, max_points=max_steps)
    if include is not None:
        idx = np.union1d(idx, [min(max(int(include), 0), int(n_iter))])
    return idx


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
    X = _design_original(result, X)
    labels = tuple(safe_label(t) for t in coef_names(result, terms))
    frames_at = frame_indices(result.n_iter, max_frames)
    line_view = _line_view(result, X, feature)
    n_coef = result.history.coef.shape[1]
    has_contour = n_coef >= 2 and i != j and max(i, j) < n_coef
    canvas = _Canvas(make_subplots(
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
    ))
    ols = np.asarray(ols_coef, float) if ols_coef is not None and bool(np.all(np.isfinite(ols_coef))) else None
    _data_panel(canvas, result, X, (0 if feature is None else feature) if line_view else None, labels, ols,
                row_labels, frames_at)
    if has_contour:
        _surface_panel(canvas, result, i, j, labels, frames_at, grid_size)
    else:
        canvas.fig.update_xaxes(title_text="coefficient", row=1, col=2)
        canvas.fig.update_yaxes(title_text="coefficient", row=1, col=2)
    _loss_panel(canvas, result)
    slider, step_args = _player(canvas)
    spec = canvas.fig.to_dict()
    data, moving = tuple(spec["data"]), tuple(canvas.moving)
    return DescentAnimation(
        n_iter=int(result.n_iter), data=data, layout=spec["layout"], moving=moving, frames_at=frames_at,
        frames=tuple(_animation_frame(int(m), data, moving) for m in frames_at), slider=slider, step_args=step_args,
        result=result, roles=dict(canvas.roles),
        view={"feature": feature, "i": i, "j": j, "terms": terms, "row_labels": row_labels},
    )


_TRACE_TYPES = {"scatter": go.Scatter, "contour": go.Contour}


@dataclass(eq=False)
class _Canvas:
    """The figure being built and its moving traces.

    A moving trace is ``(trace index, builder of the trace's data at iteration m, the keys that
    change, the display-only ones of those that may go as float32)``. Builders return plain
    dicts: a hundred frames of validated plotly objects take seconds. Frames carry only the
    changing keys: plotly.js merges a frame into the trace it names, so the grid, the rows'
    x and labels and the styles are sent once.
    """

    fig: go.Figure
    moving: list[tuple[int, object, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    roles: dict = field(default_factory=dict)

    def add(self, trace, row: int, col: int) -> None:
        """A trace drawn the same at every iteration."""
        self.fig.add_trace(trace, row=row, col=col)

    def add_moving(self, kind: str, build, row: int, col: int, changing: tuple[str, ...],
                   compact: tuple[str, ...] = (), *, role: str) -> None:
        """A trace that ``build(m)`` makes at iteration m, showing ``role``; drawn at iteration 0 here."""
        self.fig.add_trace(_TRACE_TYPES[kind](build(0)), row=row, col=col)
        self.moving.append((len(self.fig.data) - 1, build, changing, compact))
        self.roles[role] = len(self.fig.data) - 1


def _data_panel(canvas: _Canvas, result, X: np.ndarray, feature: int | None, labels, ols: np.ndarray | None,
                row_labels, frames_at: np.ndarray) -> None:
    """Panel 1, top left: the data and the model at each step, beside the OLS fit (``ols``, or None).

    A line against column ``feature`` of ``X``, or predicted against actual when ``feature`` is None.
    """
    y = result.y
    sample = sample_index(len(y), max_points=MAX_DRAWN_POINTS)
    labels_of = (np.asarray(row_labels).astype(str) if row_labels is not None
                 else np.arange(len(y)).astype(str)).astype(object)
    scatter = go.Scattergl if len(sample) > WEBGL_THRESHOLD else go.Scatter
    if feature is not None:
        _line_panel(canvas, result, X, feature, labels, ols, sample, labels_of, scatter, frames_at)
    else:
        _cloud_panel(canvas, result, X, ols, sample, labels_of, scatter, frames_at)


def _line_panel(canvas, result, X, feature, labels, ols, sample, labels_of, scatter, frames_at) -> None:
    """The data against one feature, with the model as a line (the other features at their means)."""
    y = result.y
    xcol = X[:, feature]
    feature_name = _feature_terms(result, labels)[feature]
    canvas.add(
        scatter(
            x=xcol[sample], y=y[sample], mode="markers", name="data",
            marker=dict(color=BLUE, size=6, opacity=0.6),
            customdata=labels_of[sample],
            hovertemplate=f"row %{{customdata}}<br>{feature_name} = %{{x:.4g}}<br>y = %{{y:.4g}}<extra></extra>",
        ),
        1, 1,
    )
    xs = np.array([xcol.min(), xcol.max()])
    if ols is not None:
        canvas.add(
            go.Scatter(
                x=xs, y=_partial_line(result, ols, X, feature, xs), mode="lines",
                name="OLS fit", line=dict(color=GREY, dash="dash", width=2),
                hovertemplate=f"OLS<br>{feature_name} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>",
            ),
            1, 1,
        )

    def line_at(m):
        return dict(
            x=xs, y=_partial_line(result, result.history.coef_original[m], X, feature, xs), mode="lines",
            name="gradient descent", line=dict(color=ORANGE, width=3),
            hovertemplate=f"GD step {m}<br>{feature_name} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>",
        )

    canvas.add_moving("scatter", line_at, 1, 1, ("y", "hovertemplate"), compact=("y",), role="model")
    xlabel = feature_name if X.shape[1] == 1 else f"{feature_name} (others at their mean)"
    canvas.fig.update_xaxes(title_text=xlabel, row=1, col=1)
    # The view stays on the data: a line that runs away (early steps, divergence) leaves it.
    moving = np.concatenate([line_at(m)["y"] for m in frames_at])
    canvas.fig.update_yaxes(title_text="y", range=_view_range(y, moving), row=1, col=1)


def _cloud_panel(canvas, result, X, ols, sample, labels_of, scatter, frames_at) -> None:
    """Predicted against actual: the OLS predictions, and a moving cloud of the model's at each step."""
    y = result.y
    lo, hi = float(y.min()), float(y.max())
    canvas.add(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="ŷ = y", line=dict(color=GREY, width=1),
                          hoverinfo="skip"), 1, 1)
    if ols is not None:
        X1 = np.column_stack([np.ones(len(y)), X]) if result.intercept else X
        ols_fitted = X1 @ ols
        canvas.add(
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
            x=y[few], y=result.X_work[few] @ result.history.coef[m], mode="markers", name="gradient descent",
            marker=dict(color=ORANGE, size=6, opacity=0.8), customdata=labels_of[few],
            hovertemplate=f"GD step {m}<br>row %{{customdata}}<br>y = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>",
        )

    canvas.add_moving("scatter", cloud_at, 1, 1, ("y", "hovertemplate"), compact=("y",), role="model")
    moving = np.concatenate([cloud_at(m)["y"] for m in frames_at])
    canvas.fig.update_xaxes(title_text="actual y", range=_padded(y), row=1, col=1)
    canvas.fig.update_yaxes(title_text="predicted ŷ", range=_view_range(y, moving), row=1, col=1)


def _surface_panel(canvas: _Canvas, result, i: int, j: int, labels, frames_at: np.ndarray,
                   grid_size: int) -> None:
    """Panel 2, top right: the loss over coefficients ``i`` and ``j``, the path so far and the negative gradient.

    With more than two coefficients the slice goes through the iterate of each frame, unless
    rows x frames pass ``MAX_SLICE_WORK``; then it stays the slice at the iteration on show.
    """
    hist, y = result.history, result.y
    n_coef = hist.coef.shape[1]
    w_star = np.asarray(result.optimum, float)
    # Each frame's slice is one pass over the data; past a budget the slice stays at iteration k.
    moving_slice = len(y) * len(frames_at) <= MAX_SLICE_WORK
    ij = [i, j]
    path_at_all = path_indices(result.n_iter)
    pts = np.vstack([hist.coef[:, ij], w_star[ij]]) if np.all(np.isfinite(w_star)) else hist.coef[:, ij]
    # A slice that moves with the iterate is re-sent in every frame: a coarser grid keeps that light.
    size = grid_size if n_coef == 2 else min(grid_size, 31)
    grid_i, grid_j = contour_grid(pts, size=size)
    spans = np.array([grid_i[-1] - grid_i[0], grid_j[-1] - grid_j[0]])
    name_i, name_j = working_name(result, labels, i), working_name(result, labels, j)

    def surface_at(m):
        return dict(
            x=grid_i, y=grid_j, z=loss_surface(result.X_work, y, hist.coef[m], i, j, grid_i, grid_j,
                           ridge=result.ridge, intercept=result.intercept),
            name="loss", colorscale=BOWL, ncontours=24, showscale=False,
            line=dict(width=0.8, color=CONTOUR_LINE),
            hovertemplate=f"{name_i} = %{{x:.4g}}<br>{name_j} = %{{y:.4g}}<br>loss = %{{z:.4g}}<extra></extra>",
        )

    if n_coef > 2 and moving_slice:  # other coefficients move, so the slice moves with them
        canvas.add_moving("contour", surface_at, 1, 2, ("z",), compact=("z",), role="surface")
    else:
        # A fixed slice is still named in every frame, with nothing to change: plotly.js
        # recomputes only the traces a frame names, and a contour it skips loses its levels
        # and vanishes while the animation plays. With two coefficients it is the same at
        # every step; with more, ``at(k)`` draws the slice through iterate k.
        fixed = surface_at(0)
        canvas.add_moving("contour", surface_at if n_coef > 2 else (lambda m: fixed), 1, 2, (), role="surface")
    canvas.add(
        go.Scatter(x=hist.coef[path_at_all, i], y=hist.coef[path_at_all, j], mode="lines",
                   name="whole path", line=dict(color=GREY, width=1, dash="dot"), hoverinfo="skip",
                   showlegend=False),
        1, 2,
    )
    if np.all(np.isfinite(w_star)):
        canvas.add(
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

    canvas.add_moving("scatter", path_at, 1, 2, ("x", "y", "customdata"), role="path")
    canvas.add_moving("scatter", arrow_at, 1, 2, ("x", "y", "hovertemplate"), role="arrow")
    canvas.fig.update_xaxes(title_text=name_i, range=[grid_i[0], grid_i[-1]], row=1, col=2)
    canvas.fig.update_yaxes(title_text=name_j, range=[grid_j[0], grid_j[-1]], row=1, col=2)
    if 0.25 <= spans[0] / spans[1] <= 4:
        # Equal scales when they fit: only then does the arrow meet the contours at a right angle.
        canvas.fig.update_xaxes(constrain="domain", row=1, col=2)
        canvas.fig.update_yaxes(scaleanchor="x2", scaleratio=1, constrain="domain", row=1, col=2)


def _loss_panel(canvas: _Canvas, result) -> None:
    """Panel 3, bottom: the loss curve on a log scale, the minimum, and the point at the step on show."""
    hist, loss_star = result.history, float(result.loss_min)
    iters = np.arange(result.n_iter + 1)
    floor = np.finfo(float).tiny  # a log axis cannot show an exact zero loss
    shown_loss = np.maximum(hist.loss, floor)
    canvas.add(go.Scatter(x=iters, y=shown_loss, mode="lines", name="loss", line=dict(color=BLUE, width=2),
                          showlegend=False, hovertemplate="step %{x}<br>loss = %{y:.6g}<extra></extra>"), 2, 1)
    if math.isfinite(loss_star) and loss_star > 0:
        canvas.add(go.Scatter(x=[0, result.n_iter], y=[loss_star, loss_star], mode="lines",
                              name="minimum loss (OLS)", line=dict(color=GREEN, dash="dash", width=1.5),
                              hovertemplate="minimum loss (OLS) = %{y:.6g}<extra></extra>"), 2, 1)

    def point_at(m):
        return dict(x=[m], y=[shown_loss[m]], mode="markers", name="this step", showlegend=False,
                    marker=dict(color=ORANGE, size=12, line=dict(color="white", width=1)),
                    hovertemplate="step %{x}<br>loss = %{y:.6g}<extra></extra>")

    canvas.add_moving("scatter", point_at, 2, 1, ("x", "y"), role="point")
    canvas.fig.update_xaxes(title_text="iteration k", row=2, col=1)
    canvas.fig.update_yaxes(title_text="loss (log scale)", type="log", row=2, col=1, **log_ticks(shown_loss))


def _player(canvas: _Canvas) -> tuple[dict, dict]:
    """The layout with the Play and Pause buttons; returns the slider (without its steps) and a step's arguments."""
    indices = [t for t, *_ in canvas.moving]
    # Full redraws: a transition draws only scatter traces, and the contour would vanish.
    redraw = True
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}}
    canvas.fig.update_layout(
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
    return slider, step_args


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
    frame._orphan_props["data"] = [{key: packed(value, compact=key in compact) for key, value in trace.items()}
                                   for trace, compact in data]
    return frame


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
