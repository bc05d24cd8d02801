"""Figures for the Learn page's lessons, each with a one-line summary in numbers.

Every builder returns ``(fig, summary)``: a plotly figure with axis titles and one
sentence with its numbers for readers who cannot see it. The numbers come from
:mod:`linreg.lessons`; nothing here imports streamlit.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..format import fmt
from ..lessons import (
    DRAG_POINTS,
    Bowl,
    ChainRule,
    LearningRateRun,
    LessonData,
    LineFit,
    NormalEquations,
    PenalizedPreview,
    drag_area,
    line_ranges,
    residual_squares,
)
from ._common import safe_label, style
from ._style import BLUE, BOWL, CONTOUR_LINE, GREEN, GREY, ORANGE, RED
from ._tex import tex_matrix, tex_number, tex_vector

__all__ = [
    "line_figure",
    "line_drag_view",
    "bowl_figure",
    "chain_figure",
    "learning_rate_figure",
    "anscombe_figure",
    "anscombe_residuals_figure",
    "curves_figure",
    "penalized_figure",
    "chain_latex",
    "normal_equations_latex",
    "ASPECT",
]

#: Nominal width/height of a lesson chart's plotting area on a laptop screen: used to
#: make the residual squares look square when the two axes have different scales.
ASPECT = 1.8
_HEIGHT = 440


def _span(*arrays: np.ndarray, pad: float = 0.06) -> tuple[float, float]:
    v = np.concatenate([np.ravel(a) for a in arrays])
    lo, hi = float(np.min(v)), float(np.max(v))
    d = (hi - lo) or max(abs(hi), 1.0)
    return lo - pad * d, hi + pad * d


def line_figure(data: LessonData, fit: LineFit, *, ols_fit: LineFit | None = None,
                equal_aspect: bool = False) -> tuple[go.Figure, str]:
    """The data, the user's line and each squared residual drawn as a square.

    With ``equal_aspect`` the axes share one scale and each square's area is exactly
    the squared residual; otherwise the squares are stretched along x by one common
    factor so that they look square on a typical screen.

    Examples
    --------
    >>> from linreg.lessons import lesson_data, line_fit
    >>> d = lesson_data("anscombe_1")
    >>> fig, text = line_figure(d, line_fit(d.x, d.y, 3.0, 0.5), equal_aspect=True)
    >>> len(fig.layout.shapes), fig.layout.xaxis.title.text
    (11, 'x')
    """
    x, y = data.x, data.y
    xs = np.array([x.min(), x.max()])
    x_lo, x_hi = _span(x)
    lines = [fit.fitted] + ([ols_fit.fitted] if ols_fit is not None else [])
    y_lo, y_hi = _span(y, *lines)
    x_per_y = 1.0 if equal_aspect else (x_hi - x_lo) / (y_hi - y_lo) * ASPECT
    sq = residual_squares(x, fit.fitted, fit.resid, x_per_y)
    x_hi = max(x_hi, float(sq[:, 1].max()) + 0.02 * (x_hi - x_lo))
    fig = go.Figure()
    for x0, x1, y0, y1 in sq:
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": ORANGE, "width": 1},
                      fillcolor="rgba(240,136,62,0.25)", layer="below")
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name="data", marker={"color": BLUE, "size": 8},
                             hovertemplate="x = %{x:.4g}<br>y = %{y:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=xs, y=fit.intercept + fit.slope * xs, mode="lines", name="your line",
                             line={"color": ORANGE, "width": 3}, hoverinfo="skip"))
    if ols_fit is not None:
        fig.add_trace(go.Scatter(x=xs, y=ols_fit.intercept + ols_fit.slope * xs, mode="lines",
                                 name="least-squares line", line={"color": GREEN, "width": 3, "dash": "dash"},
                                 hoverinfo="skip"))
    style(fig, None, data.x_name, data.y_name, height=_HEIGHT)
    fig.update_xaxes(range=[x_lo, x_hi])
    fig.update_yaxes(range=[y_lo, y_hi])
    if equal_aspect:
        fig.update_yaxes(scaleanchor="x", scaleratio=1)
    text = (f"Your line y = {fmt(fit.intercept)} + {fmt(fit.slope)} x leaves {data.n} residuals whose squares add "
            f"up to RSS = {fmt(fit.rss)}")
    if ols_fit is not None:
        text += (f"; the least-squares line y = {fmt(ols_fit.intercept)} + {fmt(ols_fit.slope)} x has the smallest "
                 f"possible RSS, {fmt(ols_fit.rss)}.")
    else:
        text += "."
    return fig, text


def line_drag_view(data: LessonData, line: tuple[float, float], *, points: tuple[object, object] | None = None,
                   shown: bool = False, equal_aspect: bool = False) -> dict:
    """What lesson 1's browser component draws and lets the user drag: a JSON-ready dict.

    The browser draws the points, the user's line and its squares, and (once ``shown``) the
    least-squares line, and recomputes the simple-regression numbers as points move; this holds
    everything it starts from, all computed here.

    Parameters
    ----------
    data : LessonData
        The lesson dataset (also what the browser's Reset goes back to).
    line : (float, float)
        The user's line (intercept, slope), inside :func:`linreg.lessons.line_ranges`.
    points : (array-like, array-like), optional
        The points as the user left them (``linreg.lessons.moved_points``); the dataset's by default.
    shown : bool
        Whether the least-squares line has been revealed.
    equal_aspect : bool
        Whether both axes get one scale, so that each square's area is its squared residual.

    Returns
    -------
    dict
        ``name``, ``x_name``, ``y_name`` (user text: the browser sets it as text); ``x``, ``y``
        (the points) and ``x0``, ``y0`` (the dataset); ``line``; ``sliders`` (``intercept``,
        ``slope``: low, high, step); ``area`` (``x``, ``y``: low, high, step of the drag area);
        ``limits`` (fewest and most points); ``shown``, ``equal``, ``colors``, ``height``.

    Examples
    --------
    >>> from linreg.lessons import lesson_data
    >>> v = line_drag_view(lesson_data("anscombe_1"), (7.5, 0.0))
    >>> len(v["x"]), v["line"], v["area"]["x"], v["limits"]
    (11, [7.5, 0.0], [1.5, 16.5, 0.1], [3, 200])
    """
    x, y = (data.x, data.y) if points is None else (np.asarray(points[0], float), np.asarray(points[1], float))
    (lo0, hi0, step0), (lo1, hi1, step1) = line_ranges(data.x, data.y)
    ax, ay = drag_area(data)
    return {
        "name": data.name, "x_name": str(data.x_name), "y_name": str(data.y_name),
        "x": x.tolist(), "y": y.tolist(), "x0": data.x.tolist(), "y0": data.y.tolist(),
        "line": [float(line[0]), float(line[1])],
        "sliders": {"intercept": [lo0, hi0, step0], "slope": [lo1, hi1, step1]},
        "area": {"x": list(ax), "y": list(ay)}, "limits": list(DRAG_POINTS),
        "shown": bool(shown), "equal": bool(equal_aspect),
        "colors": {"data": BLUE, "line": ORANGE, "ols": GREEN, "selected": RED},
        "height": _HEIGHT,
    }


def bowl_figure(b: Bowl, point: np.ndarray, *, x_name: str = "x") -> tuple[go.Figure, str]:
    """Contours of the loss over (intercept, slope), the user's line as a point and the minimum.

    The colour is log10 of the loss so that both the floor and the walls of the bowl show.

    Examples
    --------
    >>> from linreg.lessons import bowl, lesson_data
    >>> d = lesson_data("anscombe_1"); b = bowl(d, [0.0, 0.0], size=11)
    >>> fig, text = bowl_figure(b, np.array([0.0, 0.0]))
    >>> [t.name for t in fig.data]
    ['log10 loss', 'your line', 'least squares (minimum)']
    """
    point = np.asarray(point, dtype=np.float64)
    fig = go.Figure()
    fig.add_trace(go.Contour(
        x=b.b0, y=b.b1, z=np.log10(np.maximum(b.loss, np.finfo(float).tiny)), colorscale=BOWL, ncontours=30,
        line={"width": 0.8, "color": CONTOUR_LINE}, name="log10 loss",
        colorbar={"title": {"text": "log₁₀ L"}},
        customdata=b.loss, hovertemplate="β₀ = %{x:.4g}<br>β₁ = %{y:.4g}<br>L = %{customdata:.4g}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="your line",
                             marker={"color": ORANGE, "size": 13, "line": {"color": "white", "width": 1.5}},
                             hovertemplate="your line<br>β₀ = %{x:.4g}<br>β₁ = %{y:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[b.minimum[0]], y=[b.minimum[1]], mode="markers", name="least squares (minimum)",
                             marker={"color": GREEN, "size": 15, "symbol": "star"},
                             hovertemplate="minimum<br>β₀ = %{x:.4g}<br>β₁ = %{y:.4g}<extra></extra>"))
    style(fig, None, "intercept β₀", f"slope β₁ (on {safe_label(x_name)})", height=_HEIGHT)
    fig.update_xaxes(range=[b.b0[0], b.b0[-1]])
    fig.update_yaxes(range=[b.b1[0], b.b1[-1]])
    text = (f"The loss L(β₀, β₁) over intercepts {fmt(b.b0[0])} to {fmt(b.b0[-1])} and slopes {fmt(b.b1[0])} to "
            f"{fmt(b.b1[-1])}: lowest, {fmt(b.loss_min)}, at the least-squares line ({fmt(b.minimum[0])}, "
            f"{fmt(b.minimum[1])}); your line sits at ({fmt(point[0])}, {fmt(point[1])}).")
    return fig, text


def chain_figure(data: LessonData, c: ChainRule) -> tuple[go.Figure, str]:
    """The data and the line at w, with point i and its residual highlighted.

    Examples
    --------
    >>> from linreg.lessons import chain_rule, lesson_data
    >>> d = lesson_data("anscombe_1")
    >>> fig, text = chain_figure(d, chain_rule(d.X1, d.y, [3.0, 0.5], 2))
    >>> fig.data[-1].name
    'point i = 2'
    """
    xs = np.array([data.x.min(), data.x.max()])
    xi = float(c.x_i[1])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=data.x, y=data.y, mode="markers", name="data", marker={"color": BLUE, "size": 7},
                             customdata=np.arange(data.n),
                             hovertemplate="i = %{customdata}<br>x = %{x:.4g}<br>y = %{y:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=xs, y=c.w[0] + c.w[1] * xs, mode="lines", name="line at w",
                             line={"color": ORANGE, "width": 3}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[xi, xi], y=[c.y_i, c.yhat_i], mode="lines", name="ŷᵢ − yᵢ",
                             line={"color": RED, "width": 3}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[xi], y=[c.y_i], mode="markers", name=f"point i = {c.i}",
                             marker={"color": RED, "size": 14, "symbol": "circle-open", "line": {"width": 3}},
                             hovertemplate=f"i = {c.i}<br>x = %{{x:.4g}}<br>y = %{{y:.4g}}<extra></extra>"))
    style(fig, None, data.x_name, data.y_name, height=380)
    text = (f"Point i = {c.i} at x = {fmt(xi)} has y = {fmt(c.y_i)}; the line at w = ({fmt(c.w[0])}, {fmt(c.w[1])}) "
            f"predicts ŷ = {fmt(c.yhat_i)}, an error ŷ − y = {fmt(c.yhat_i - c.y_i)}.")
    return fig, text


def learning_rate_figure(r: LearningRateRun, *, x_name: str = "x") -> tuple[go.Figure, str]:
    """The slope's distance from its optimum, and the loss, at every iteration of one run.

    Examples
    --------
    >>> from linreg.lessons import learning_rate_run, lesson_data
    >>> fig, text = learning_rate_figure(learning_rate_run(lesson_data("anscombe_1"), 0.95, n_iter=20))
    >>> fig.layout.xaxis2.title.text, fig.layout.yaxis2.title.text
    ('iteration k', 'loss L(w_k) (log scale)')
    """
    g = r.run
    k = np.arange(g.n_iter + 1)
    err = g.history.coef[:, -1] - g.optimum[-1]
    units = "standardized" if g.standardize else "raw"
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=(f"slope − optimal slope ({units} units)", "loss (green: the minimum)"))
    fig.add_trace(go.Scatter(x=k, y=err, mode="lines+markers", name="slope error", line={"color": ORANGE},
                             marker={"size": 4}, hovertemplate="k = %{x}<br>w_k − w* = %{y:.4g}<extra></extra>"),
                  1, 1)
    fig.add_hline(y=0, line={"color": GREEN, "dash": "dash"}, row=1, col=1)
    fig.add_trace(go.Scatter(x=k, y=g.history.loss, mode="lines+markers", name="loss", line={"color": BLUE},
                             marker={"size": 4}, hovertemplate="k = %{x}<br>L = %{y:.4g}<extra></extra>"), 1, 2)
    fig.add_hline(y=g.loss_min, line={"color": GREEN, "dash": "dash"}, row=1, col=2)
    fig.update_xaxes(title_text="iteration k", row=1, col=1)
    fig.update_xaxes(title_text="iteration k", row=1, col=2)
    fig.update_yaxes(title_text=f"w_k − w* (slope on {safe_label(x_name)})", row=1, col=1)
    fig.update_yaxes(title_text="loss L(w_k) (log scale)", type="log", dtick="D2", row=1, col=2)
    fig.update_layout(height=400, showlegend=False, margin={"l": 60, "r": 20, "t": 50, "b": 55})
    verdict = "diverged" if g.diverged else ("converged" if g.converged else "had not converged")
    text = (f"η = {fmt(r.factor, 3)} × 2/λ_max = {fmt(g.learning_rate)}: each step multiplies the error along the "
            f"steepest direction by 1 − ηλ_max = {fmt(r.step_factor)}; the slope error changed sign "
            f"{r.sign_changes} times in {g.n_iter} steps and the run {verdict}, with loss {fmt(g.final_loss)} "
            f"against the minimum {fmt(g.loss_min)}.")
    return fig, text


def anscombe_figure(fits) -> tuple[go.Figure, str]:
    """Four small scatter plots with their (nearly identical) least-squares lines.

    Parameters
    ----------
    fits : list of (title, x, y, OLSResult)
        From :func:`linreg.lessons.anscombe_fits`.

    Examples
    --------
    >>> from linreg.lessons import anscombe_fits
    >>> fig, text = anscombe_figure(anscombe_fits())
    >>> len(fig.data), text.startswith("Sets I, II, III and IV")
    (8, True)
    """
    fig = make_subplots(rows=1, cols=4, subplot_titles=[f"set {t}" for t, *_ in fits], horizontal_spacing=0.05)
    xs = np.array([3.0, 20.0])
    for col, (title, x, y, r) in enumerate(fits, start=1):
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", marker={"color": BLUE, "size": 7}, name=f"set {title}",
                                 hovertemplate="x = %{x:.4g}<br>y = %{y:.4g}<extra></extra>"), 1, col)
        fig.add_trace(go.Scatter(x=xs, y=r.coef[0] + r.coef[1] * xs, mode="lines", line={"color": ORANGE},
                                 name="fit", hoverinfo="skip"), 1, col)
        fig.update_xaxes(title_text="x", range=[3, 20], row=1, col=col)
        fig.update_yaxes(title_text="y" if col == 1 else None, range=[2, 14], row=1, col=col)
    fig.update_layout(height=330, showlegend=False, margin={"l": 50, "r": 20, "t": 50, "b": 50})
    parts = [f"{t}: y = {fmt(r.coef[0], 3)} + {fmt(r.coef[1], 3)} x, R² = {fmt(r.r_squared, 3)}" for t, _, _, r in fits]
    return fig, "Sets I, II, III and IV have the same fitted line and R²: " + "; ".join(parts) + "."


def anscombe_residuals_figure(fits) -> tuple[go.Figure, str]:
    """Residuals against fitted values for the four sets, side by side.

    Examples
    --------
    >>> from linreg.lessons import anscombe_fits
    >>> fig, text = anscombe_residuals_figure(anscombe_fits())
    >>> fig.layout.yaxis.title.text
    'residual'
    """
    fig = make_subplots(rows=1, cols=4, subplot_titles=[f"set {t}" for t, *_ in fits], horizontal_spacing=0.05)
    parts = []
    for col, (title, _, _, r) in enumerate(fits, start=1):
        fig.add_trace(go.Scatter(x=r.fitted, y=r.resid, mode="markers", marker={"color": BLUE, "size": 7},
                                 name=f"set {title}",
                                 hovertemplate="fitted = %{x:.4g}<br>residual = %{y:.4g}<extra></extra>"), 1, col)
        fig.add_hline(y=0, line={"color": GREY, "dash": "dash"}, row=1, col=col)
        fig.update_xaxes(title_text="fitted value", row=1, col=col)
        fig.update_yaxes(title_text="residual" if col == 1 else None, range=[-3.5, 3.5], row=1, col=col)
        i = int(np.argmax(np.abs(r.resid)))
        parts.append(f"{title}: largest |residual| {fmt(abs(r.resid[i]), 3)}, largest leverage "
                     f"{fmt(float(np.max(r.leverage)), 3)}")
    fig.update_layout(height=330, showlegend=False, margin={"l": 50, "r": 20, "t": 50, "b": 50})
    return fig, "Residuals against fitted values; " + "; ".join(parts) + "."


def curves_figure(df, x: str, y: str, group: str | None, curves: dict) -> tuple[go.Figure, str]:
    """The data against ``x`` (coloured by ``group``) with one fitted curve per level.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 2.0]})
    >>> fig, text = curves_figure(df, "x", "y", None, {"all rows": (np.array([0.0, 1.0]), np.array([1.0, 2.0]))})
    >>> fig.layout.xaxis.title.text
    'x'
    """
    palette = [BLUE, ORANGE, GREEN, RED, "#8250df", "#bf8700", GREY]
    fig = go.Figure()
    parts = []
    for n, (level, (gx, gy)) in enumerate(curves.items()):
        color = palette[n % len(palette)]
        rows = df if group is None else df[df[group].astype(str) == level]
        label = "data" if group is None else f"{safe_label(group)} = {safe_label(level)}"
        fig.add_trace(go.Scatter(x=rows[x], y=rows[y], mode="markers", name=label,
                                 marker={"color": color, "size": 6, "opacity": 0.7},
                                 hovertemplate="x = %{x:.4g}<br>y = %{y:.4g}<extra></extra>"))
        fig.add_trace(go.Scatter(x=gx, y=gy, mode="lines", name=f"fit ({label})" if group else "fit",
                                 line={"color": color, "width": 3}, hoverinfo="skip"))
        parts.append(f"{level}: from {fmt(gy[0])} at x = {fmt(gx[0])} to {fmt(gy[-1])} at x = {fmt(gx[-1])}")
    style(fig, None, x, y, height=_HEIGHT)
    return fig, "Fitted curves " + "; ".join(parts) + "."


def penalized_figure(p: PenalizedPreview) -> tuple[go.Figure, str]:
    """OLS, ridge and lasso slopes side by side at one λ.

    Examples
    --------
    >>> from linreg.lessons import penalized_preview
    >>> fig, text = penalized_figure(penalized_preview(np.array([[-1.0], [0.0], [1.0]]), np.array([-1.0, 0.0, 1.0]), 0.1))
    >>> [t.name for t in fig.data]
    ['least squares', 'ridge', 'lasso']
    """
    names = [safe_label(t) for t in p.terms[1:]]
    fig = go.Figure()
    for label, coef, color in (("least squares", p.ols, GREY), ("ridge", p.ridge, BLUE), ("lasso", p.lasso, ORANGE)):
        fig.add_trace(go.Bar(x=names, y=coef[1:], name=label, marker={"color": color},
                             hovertemplate=f"{label}<br>%{{x}} = %{{y:.4g}}<extra></extra>"))
    fig.update_layout(barmode="group")
    style(fig, None, "term", "coefficient", height=380)
    text = (f"At λ = {fmt(p.lam)}: least squares " + ", ".join(f"{t} = {fmt(v)}" for t, v in zip(p.terms[1:], p.ols[1:]))
            + "; ridge " + ", ".join(fmt(v) for v in p.ridge[1:]) + "; lasso " + ", ".join(fmt(v) for v in p.lasso[1:])
            + f" ({p.lasso_zeros} exactly zero).")
    return fig, text


def chain_latex(c: ChainRule) -> list[str]:
    r"""The four steps of the derivation for point i, each with its numbers substituted.

    Examples
    --------
    >>> from linreg.lessons import chain_rule
    >>> lines = chain_latex(chain_rule([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [1.0, 1.0], 1))
    >>> print(lines[0])
    L_{1} = (y_{1} - \hat y_{1})^2 = (3 - 2)^2 = 1
    """
    i = c.i
    return [
        rf"L_{{{i}}} = (y_{{{i}}} - \hat y_{{{i}}})^2 = ({tex_number(c.y_i)} - {tex_number(c.yhat_i)})^2 = {tex_number(c.loss_i)}",
        rf"\frac{{\partial L_{{{i}}}}}{{\partial \hat y_{{{i}}}}} = 2(\hat y_{{{i}}} - y_{{{i}}}) = "
        rf"2({tex_number(c.yhat_i)} - {tex_number(c.y_i)}) = {tex_number(c.dL_dyhat)}",
        rf"\frac{{\partial \hat y_{{{i}}}}}{{\partial w}} = x_{{{i}}} = {tex_vector(c.x_i)}"
        rf"\quad\Rightarrow\quad \frac{{\partial L_{{{i}}}}}{{\partial w}} = {tex_number(c.dL_dyhat)}\,{tex_vector(c.x_i)}"
        rf" = {tex_vector(c.grad_i)}",
        rf"\nabla L = \frac{{2}}{{N}} X^\top(\hat y - y) = \frac{{1}}{{{c.n}}}\sum_{{i=0}}^{{{c.n - 1}}} "
        rf"2(\hat y_i - y_i)\,x_i = {tex_vector(c.grad)}",
    ]


def normal_equations_latex(ne: NormalEquations) -> list[str]:
    r"""The normal equations XᵀX w = Xᵀy with the numbers, and their solution.

    Examples
    --------
    >>> from linreg.lessons import lesson_data, normal_equations
    >>> print(normal_equations_latex(normal_equations(lesson_data("anscombe_1")))[1][:46])
    \begin{pmatrix}11 & 99\\99 & 1001\end{pmatrix}
    """
    return [
        r"\nabla L = \tfrac{2}{N} X^\top (Xw - y) = 0 \quad\Longleftrightarrow\quad X^\top X\, w = X^\top y",
        rf"{tex_matrix(ne.XtX)} \begin{{pmatrix}} \beta_0 \\ \beta_1 \end{{pmatrix}} = {tex_vector(ne.Xty, 6)}"
        rf"\quad\Rightarrow\quad w = {tex_vector(ne.coef_normal, 6)}",
    ]
