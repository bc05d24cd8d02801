"""Figures and tables that show gradient descent at work, step by step.

Used by the "Gradient descent" and "Compare" pages; the animated figure of a run lives in
:mod:`linreg.plots.animation` and takes the path and arrow geometry from here (colours and frame counts from `_style`).
The Compare page's coefficient table is in :mod:`linreg.plots.tables`.
Every builder is a pure function of a ``linreg.descent.GDResult`` (and friends) returning
plotly figures, pandas tables or strings, with a one-line summary in numbers for screen readers.
No streamlit here, and no loss arithmetic of our own: losses, gradients, surfaces,
step arithmetic, the convergence rates and the condition number come from ``linreg.quadratic``.

The iterates live in the *working* parametrisation (standardized columns when the
run standardized), which is where the loss bowl, the gradient and the predicted
rate are defined; lines drawn against the data use the same coefficients through
the working design, so they are exactly the model at that step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from linreg.format import fmt
from linreg.quadratic import _singular, condition_number, heavy_ball_rate, loss_surface, plain_rate, predicted_iterations
from linreg.quadratic import step_arithmetic

from ._common import coef_names, log_ticks, safe_label, sample_index, sample_note, working_name
from ._style import BOWL, CONTOUR_LINE, GREEN, GREY, ORANGE
from ._style import MAX_ANIMATED_POINTS, MAX_DRAWN_POINTS, MAX_FRAMES, MAX_PATH_POINTS, MAX_SLICE_WORK
from ._tex import tex_factor, tex_number, tex_vector

__all__ = [
    "StepView",
    "conditioning_figure",
    "conditioning_table",
    "contour_grid",
    "convergence_figure",
    "descent_summary",
    "divergence_explanation",
    "figure_notes",
    "frame_indices",
    "gradient_arrow",
    "learning_rate_figure",
    "path_indices",
    "step_view",
]

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
    names = coef_names(result, terms)
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
    """The arithmetic of step ``k`` (from ``linreg.quadratic.step_arithmetic``), as a table and LaTeX.

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
    names = coef_names(result, terms)
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
        parts = " + ".join(rf"{tex_factor(w[c])}\cdot{tex_factor(x0[c])}" for c in range(len(w)))
        latex.append(rf"\hat y_{{{r0}}} = x_{{{r0}}}\cdot w_{{{k}}} = {parts} = {tex_number(yhat[0])}")
        latex.append(
            rf"\frac{{\partial (\hat y_{{{r0}}} - y_{{{r0}}})^2}}{{\partial \hat y_{{{r0}}}}} = 2(\hat y_{{{r0}}} - y_{{{r0}}})"
            rf" = 2({tex_number(yhat[0])} - {tex_factor(y_rows[0])}) = {tex_number(arith.dL_dyhat[0])}"
        )
    if result.ridge > 0:
        # The ridge penalty's part of the gradient, 2λb on the slopes (0 for the intercept).
        latex.append(
            rf"\nabla L = \frac{{2}}{{N}} X^\top(\hat y - y) + 2\lambda b = \frac{{2}}{{{n}}} X^\top(\hat y - y)"
            rf" + {tex_vector(arith.penalty_grad)} = {tex_vector(grad)}"
        )
    else:
        latex.append(
            rf"\nabla L = \frac{{2}}{{N}} X^\top(\hat y - y) = \frac{{2}}{{{n}}} X^\top(\hat y - y) = {tex_vector(grad)}"
        )
    w_next = np.asarray(arith.w_next, float)
    if momentum > 0:
        v_prev = velocity if velocity is not None else np.zeros_like(w)
        v_next = momentum * v_prev - lr * grad
        latex.append(
            rf"v_{{{k + 1}}} = \mu v_{{{k}}} - \eta\nabla L = {tex_number(momentum)}{tex_vector(v_prev)}"
            rf" - {tex_number(lr)}{tex_vector(grad)} = {tex_vector(v_next)}"
        )
        w_next = w + v_next
        latex.append(
            rf"w_{{{k + 1}}} = w_{{{k}}} + v_{{{k + 1}}} = {tex_vector(w)} + {tex_vector(v_next)} = {tex_vector(w_next)}"
        )
    else:
        latex.append(
            rf"w_{{{k + 1}}} = w_{{{k}}} - \eta\nabla L = {tex_vector(w)} - {tex_number(lr)}{tex_vector(grad)}"
            rf" = {tex_vector(w_next)}"
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
        marks.append((limit, "stable limit with momentum 2(1+μ)/λmax", "#8250df", "line-ns"))
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




def convergence_figure(result, *, terms=None) -> tuple[go.Figure, str]:
    """‖w_k − w*‖ and L(w_k) − L(w*) on log axes, with the rate predicted from H's eigenvalues.

    The prediction for plain full-batch GD is ‖w_k − w*‖ <= ρ^k ‖w_0 − w*‖ with
    ρ = max|1 − ηλ_i| over the eigenvalues λ_i of H = (2/N)XᵀX (from
    ``linreg.quadratic.convergence_rate``), and the loss gap shrinks like ρ^{2k}. Both are
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
                         **log_ticks(np.concatenate([measured[keep], predicted[pkeep]])))
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
        labels = tuple(safe_label(t) for t in coef_names(result, terms))
        ij = [i, j]
        # A square window around w* that reaches the start of the path.
        reach = float(np.max(np.abs(hist.coef[0, ij] - w_star[ij]))) * 1.2
        reach = reach if reach > 0 else 1.0
        grid_i = np.linspace(w_star[i] - reach, w_star[i] + reach, grid_size)
        grid_j = np.linspace(w_star[j] - reach, w_star[j] + reach, grid_size)
        z = loss_surface(result.X_work, result.y, w_star, i, j, grid_i, grid_j, ridge=result.ridge,
                         intercept=result.intercept)
        name_i, name_j = working_name(result, labels, i), working_name(result, labels, j)
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
    names = coef_names(runs[titles[0]], terms)
    text = (f"Loss contours over {names[i]} and {names[j]} with equal axis scales; " + "; ".join(parts)
            + " (a condition number of 1 is a perfectly round bowl).")
    return fig, text
