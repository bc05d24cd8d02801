"""R's diagnostic plots of a linear fit and a residual histogram, for the Residuals page.

Every figure matches what R's ``plot(lm(...))`` draws, in R's vocabulary and numbers:

1. *Residuals vs Fitted*, with R's ``lowess`` smoother (``f = 2/3``, ``iter = 3``);
2. *Normal Q-Q* of the standardized residuals, against ``qnorm(ppoints(n))``, with the
   line through the quartiles (``qqline``);
3. *Scale-Location*: sqrt(|standardized residuals|) against fitted, with the smoother;
4. *Residuals vs Leverage*, with Cook's distance contours at 0.5 and 1.

As in R, the 3 most extreme rows are labelled in each: largest |residual| (1), largest
|standardized residual| (2, 3), largest Cook's distance (4); rows of leverage one have no
standardized residual and are left out of plots 2-4.

Each builder returns ``(fig, summary, note)``: the figure, a one-line summary in numbers
for readers who cannot see it, and a note for a caption (the plot shows a sample, some
rows are not drawn) or None. Every statistic uses all rows; at most about
``CHART_POINTS`` points are drawn in each plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from linreg.diagnostics import cooks_contour
from linreg.format import fmt
from linreg.smooth import lowess, normal_quantiles, qq_line

from ._common import safe_label, sample_index, sample_note, style
from ._payload import HOVER_COLUMNS, affordable_points, line_type, points
from ._style import BLUE, CHART_POINTS, CURVE_POINTS, GUIDE_GREY, R_RED, SMOOTH_POINTS


__all__ = [
    "COOK_LEVELS",
    "CHART_POINTS",
    "residuals_vs_fitted",
    "normal_qq",
    "scale_location",
    "residuals_vs_leverage",
    "residual_histogram",
    "diagnostic_figures",
    "hover_frame",
]

# R's plot.lm defaults: contours of Cook's distance at these levels, and 3 labelled rows.
COOK_LEVELS = (0.5, 1.0)
ID_N = 3
_HEIGHT = 400


# =============================================================================
# Which rows to label and draw
# =============================================================================
def _most_extreme(score: np.ndarray, k: int = ID_N) -> np.ndarray:
    """Positions of the ``k`` largest finite scores, largest first (R's ``sort.list(-score)``).

    Ties keep their order in the data, as R's sort does.

    Examples
    --------
    >>> _most_extreme(np.array([1.0, 5.0, np.nan, 5.0, 2.0])).tolist()
    [1, 3, 4]
    """
    score = np.asarray(score, dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(score))
    order = finite[np.argsort(-score[finite], kind="stable")]
    return order[:k]


def _curve_positions(n: int, max_points: int = CURVE_POINTS) -> np.ndarray:
    """Positions (in x order) through which a smooth curve of ``n`` points is drawn."""
    return np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int))


# =============================================================================
# Shared pieces of the figures
# =============================================================================
def _labels(result, row_labels) -> np.ndarray:
    n = len(result.resid)
    if row_labels is None:
        return np.arange(n)
    labels = np.asarray(row_labels)
    if labels.shape != (n,):
        raise ValueError(f"row_labels must have one label per row ({n}); got shape {labels.shape}")
    return labels


def _drawn(n: int, valid: np.ndarray, extreme: np.ndarray, max_points: int, seed: int) -> np.ndarray:
    """Rows to draw: a sample of the valid rows, always including the labelled ones."""
    pos = np.flatnonzero(valid)
    idx = pos[sample_index(pos.size, max_points, seed)]
    return np.union1d(idx, extreme).astype(int)


def _label_rows(fig: go.Figure, x: np.ndarray, y: np.ndarray, labels: np.ndarray, extreme: np.ndarray) -> None:
    """Label the extreme rows beside their points: right of a point in the left half, left otherwise (as R).

    Annotations sit above every trace, WebGL included. A label that would overlap an
    earlier one (points within about a label's size on a ~450 x 330 px plot) moves a
    line up or down, alternately.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return
    x_lo, x_hi = float(x[ok].min()), float(x[ok].max())
    y_span = float(np.ptp(y[ok])) or 1.0
    x_span = (x_hi - x_lo) or 1.0
    mid = (x_lo + x_hi) / 2
    placed: list[tuple[float, float, int]] = []
    for i in extreme:
        left_half = x[i] <= mid
        crowd = sum(abs(x[i] - px) < 0.12 * x_span and abs(y[i] - (py + shift * y_span / 28)) < 0.045 * y_span
                    for px, py, shift in placed)
        shift = (crowd + 1) // 2 * (1 if crowd % 2 else -1)  # 0, +1, -1, +2, ... lines
        placed.append((float(x[i]), float(y[i]), shift))
        fig.add_annotation(
            x=x[i],
            y=y[i],
            text=safe_label(labels[i]),
            name="row label",
            showarrow=False,
            xanchor="left" if left_half else "right",
            xshift=5 if left_half else -5,
            yshift=12 * shift,
            font={"size": 12, "color": "#1b1f24"},
        )


def _smooth_trace(x: np.ndarray, y: np.ndarray, seed: int, line_type) -> tuple[go.Scatter | None, np.ndarray]:
    """R's lowess smoother of y on x, over all rows up to ``SMOOTH_POINTS``, else over a seeded sample of them.

    Returns the line trace (None when fewer than 2 points) and the smoothed values at
    the curve's points (for the summary).
    """
    ok = np.isfinite(x) & np.isfinite(y)
    use = np.flatnonzero(ok)
    if use.size > SMOOTH_POINTS:
        # Exact lowess fits ~100 anchors on windows of 2n/3 points, 4 times: about 20 s
        # at a million rows. A random sample of 20,000 gives the same curve to within
        # the width of the line, in well under a second.
        use = use[sample_index(use.size, SMOOTH_POINTS, seed)]
    if use.size < 2:
        return None, np.empty(0)
    xs, ys = lowess(x[use], y[use])
    keep = _curve_positions(xs.size)
    trace = line_type(
        x=xs[keep],
        y=ys[keep],
        mode="lines",
        name="smoother (lowess)",
        line={"color": R_RED, "width": 2},
        hovertemplate="fitted %{x:.4g}<br>smoother %{y:.4g}<extra></extra>",
    )
    return trace, ys


def _smoother_note(n_valid: int) -> str | None:
    if n_valid <= SMOOTH_POINTS:
        return None
    return f"The smoother is R's lowess fitted to a random sample of {SMOOTH_POINTS:,} of the rows."


def _join(*notes: str | None) -> str | None:
    kept = [s for s in notes if s]
    return " ".join(kept) if kept else None


def _rows_text(labels: np.ndarray, positions: np.ndarray) -> str:
    names = [str(v) for v in labels[positions]]
    if not names:
        return "no rows"
    if len(names) == 1:
        return f"row {names[0]}"
    return "rows " + ", ".join(names[:-1]) + " and " + names[-1]


def _leverage_one_note(result, labels: np.ndarray) -> str | None:
    """Rows with leverage one: the fit passes through them, so they have no standardized residual."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(result.standardized_resid, dtype=float)))
    if bad.size == 0:
        return None
    shown = ", ".join(str(v) for v in labels[bad[:10]]) + (f" and {bad.size - 10:,} more" if bad.size > 10 else "")
    return (
        f"Not plotted: {bad.size:,} row{'s' if bad.size != 1 else ''} ({shown}) with leverage one (or a zero "
        "residual SD): the fit passes through them exactly, so their standardized residual and Cook's distance are "
        "undefined (shown as —), as in R."
    )


def _empty_figure(title: str, xlabel: str, ylabel: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return style(fig, title, xlabel, ylabel, height=_HEIGHT)



# =============================================================================
# R's four diagnostic plots: one skeleton (_panel) over four kinds
# =============================================================================
_Labels = Sequence | np.ndarray | None
_Drawn = tuple[go.Figure, str, str | None]


@dataclass(frozen=True, eq=False)
class _Panel:
    """One of R's plots before it is drawn: its titles and, for all n rows, what it plots.

    ``x``, ``y``, ``valid`` (rows with a point), ``score`` (the 3 largest are labelled) and each
    array of ``extra`` (the plotted quantities shown on hover, in order) have shape (n,).
    """

    name: str
    title: str
    xlabel: str
    ylabel: str
    x: np.ndarray
    y: np.ndarray
    valid: np.ndarray
    score: np.ndarray
    extra: dict[str, np.ndarray]
    smooth: bool = False
    guides: tuple[str, ...] = ()


def _fitted_panel(result) -> _Panel:
    fitted = np.asarray(result.fitted, dtype=np.float64)
    resid = np.asarray(result.resid, dtype=np.float64)
    return _Panel("Residuals vs fitted", "Residuals vs Fitted", "Fitted values", "Residuals", fitted, resid,
                  np.ones(resid.size, dtype=bool), np.abs(resid), {"fitted": fitted, "residual": resid},
                  smooth=True, guides=("y = 0",))


def _qq_panel(result) -> _Panel:
    rs = np.asarray(result.standardized_resid, dtype=np.float64)
    valid = np.isfinite(rs)
    theo = np.full(rs.size, np.nan)
    theo[valid] = normal_quantiles(rs[valid])
    return _Panel("Normal Q-Q", "Normal Q-Q", "Theoretical Quantiles", "Standardized residuals", theo, rs, valid,
                  np.abs(rs), {"theoretical quantile": theo, "standardized residual": rs})


def _scale_panel(result) -> _Panel:
    fitted = np.asarray(result.fitted, dtype=np.float64)
    rs = np.asarray(result.standardized_resid, dtype=np.float64)
    root = np.sqrt(np.abs(rs))
    return _Panel("Scale-Location", "Scale-Location", "Fitted values", "√|Standardized residuals|", fitted, root,
                  np.isfinite(rs), np.abs(rs),
                  {"fitted": fitted, "√|standardized residual|": root, "standardized residual": rs}, smooth=True)


def _leverage_panel(result) -> _Panel:
    h = np.asarray(result.leverage, dtype=np.float64)
    rs = np.asarray(result.standardized_resid, dtype=np.float64)
    cook = np.asarray(result.cooks_distance, dtype=np.float64)
    valid = np.isfinite(rs) & np.isfinite(h)
    return _Panel("Residuals vs leverage", "Residuals vs Leverage", "Leverage", "Standardized residuals", h, rs,
                  valid, np.where(valid, cook, np.nan),
                  {"leverage": h, "standardized residual": rs, "Cook's distance": cook}, guides=("y = 0", "x = 0"))


def _panel(kind: str, result, row_labels: _Labels, *, hover: pd.DataFrame | None, max_points: int, seed: int,
           cook_levels: Sequence[float] = COOK_LEVELS) -> _Drawn:
    """Build R's plot ``kind`` ("fitted", "qq", "scale" or "leverage"): what the four share, in R's order.

    The rows of the sample and the labelled rows as points, the guides and the smoother, then
    the kind's own lines (:func:`_qq_extras`, :func:`_leverage_extras`), the row labels, the
    layout and the kind's summary.
    """
    labels = _labels(result, row_labels)
    build, extras, summarize = _KINDS[kind]
    p = build(result)
    n, m = p.y.size, int(p.valid.sum())
    leverage_note = None if kind == "fitted" else _leverage_one_note(result, labels)
    if m == 0:
        return (
            _empty_figure(p.title, p.xlabel, p.ylabel, "No standardized residuals: the fit is exact."),
            f"{p.name}: no standardized residual is defined (every row is fitted exactly).",
            leverage_note,
        )
    extreme = _most_extreme(p.score)
    max_points = affordable_points(max_points, p.x, p.y, labels, hover, p.extra, least=ID_N)
    idx = _drawn(n, p.valid, extreme, max_points, seed)

    markers = points(p.x, p.y, labels, idx, hover, p.extra, m)
    fig = go.Figure()
    guide = {"color": GUIDE_GREY, "dash": "dot", "width": 1}
    if "y = 0" in p.guides:
        fig.add_hline(y=0, line=guide)
    if "x = 0" in p.guides:
        fig.add_vline(x=0, line=guide)
    fig.add_trace(markers)
    facts: dict = {"smooth": np.empty(0)}
    if p.smooth:
        smooth, facts["smooth"] = _smooth_trace(p.x, p.y, seed, line_type(markers))
        if smooth is not None:
            fig.add_trace(smooth)
    if extras is not None:
        facts.update(extras(fig, p, line_type(markers), result=result, cook_levels=cook_levels))
    _label_rows(fig, p.x, p.y, labels, extreme)
    style(fig, p.title, p.xlabel, p.ylabel, height=_HEIGHT)
    for axis, update in (("x", fig.update_xaxes), ("y", fig.update_yaxes)):
        if facts.get(axis):
            update(**facts[axis])

    summary = summarize(p, facts, _rows_text(labels, extreme), labels, extreme)
    note = _join(sample_note(m, min(m, max_points)), _smoother_note(m) if p.smooth else None, leverage_note)
    return fig, summary, note


def _qq_extras(fig: go.Figure, p: _Panel, line_type, **_) -> dict:
    """R's ``qqline``: the dotted line through the quartiles, over the range of the quantiles."""
    slope, intercept = qq_line(p.y[p.valid])
    lo, hi = float(p.x[p.valid].min()), float(p.x[p.valid].max())
    fig.add_trace(
        line_type(
            x=[lo, hi],
            y=[intercept + slope * lo, intercept + slope * hi],
            mode="lines",
            name="line through the quartiles (qqline)",
            line={"color": GUIDE_GREY, "dash": "dot", "width": 1.5},
            hoverinfo="skip",
        )
    )
    return {"slope": slope, "intercept": intercept, "lo": lo, "hi": hi}


def _scale_extras(fig: go.Figure, p: _Panel, line_type, **_) -> dict:
    """Nothing over the points; the y axis starts at 0, where sqrt|r| does."""
    return {"y": {"rangemode": "tozero"}}


def _leverage_extras(fig: go.Figure, p: _Panel, line_type, *, result, cook_levels: Sequence[float]) -> dict:
    """Cook's distance contours over the leverage axis, R's axis ranges, and whether a contour is on the chart."""
    h, rs, rank = p.x, p.y, int(result.rank)
    h_max = float(h[p.valid].max())
    x_right = 1.04 * h_max  # R's axis extends the data range by 4%
    y_lo, y_hi = float(rs[p.valid].min()), float(rs[p.valid].max())
    pad = 0.08 * (y_hi - y_lo) if y_hi > y_lo else 1.0
    y_range = [y_lo - pad, y_hi + pad]
    h_start = min(float(h[p.valid].min()), h_max / 100)
    if h_start <= 0:  # a row of leverage 0 (no intercept): the contour starts at infinity
        h_start = h_max / 100
    grid = np.linspace(h_start, x_right, 101) if h_max > 0 else np.empty(0)
    dashes = ("dash", "dot", "dashdot")
    visible_contour = False
    for j, level in enumerate(cook_levels):
        if grid.size == 0:
            break
        r = cooks_contour(level, rank, grid)
        visible_contour = visible_contour or bool(np.any(r <= y_range[1]) or np.any(-r >= y_range[0]))
        name = f"Cook's distance {level:g}"
        for sign, show in ((1.0, True), (-1.0, False)):
            fig.add_trace(
                line_type(
                    x=grid,
                    y=sign * r,
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=show,
                    line={"color": R_RED, "dash": dashes[j % len(dashes)], "width": 1.5},
                    hovertemplate=f"Cook's distance = {level:g}<br>leverage %{{x:.3g}}<br>"
                    "standardized residual %{y:.3g}<extra></extra>",
                )
            )
            # R writes the level at the right end of each contour; here, when that end is on the chart.
            if y_range[0] <= sign * r[-1] <= y_range[1]:
                fig.add_annotation(x=grid[-1], y=sign * r[-1], text=f"{level:g}", name="Cook level", showarrow=False,
                                   xanchor="right", yshift=9 * sign, font={"color": R_RED, "size": 11})
    # Leverage is often tiny (1/n): plain exponents read better than SI prefixes (µ, m).
    return {"x": {"range": [0, x_right] if x_right > 0 else None, "exponentformat": "e"}, "y": {"range": y_range},
            "visible_contour": visible_contour, "rank": rank, "cook_levels": cook_levels}


def _fitted_summary(p: _Panel, facts: dict, rows: str, labels, extreme) -> str:
    fitted, resid, ys = p.x, p.y, facts["smooth"]
    smooth_text = f"the red smoother ranges from {fmt(ys.min(), 3)} to {fmt(ys.max(), 3)}; " if ys.size else ""
    return (
        f"Residuals vs fitted: {resid.size:,} points; fitted values from {fmt(fitted.min(), 4)} to "
        f"{fmt(fitted.max(), 4)}, residuals from {fmt(resid.min(), 3)} to {fmt(resid.max(), 3)}; {smooth_text}"
        f"{rows} have the largest |residual|."
    )


def _qq_summary(p: _Panel, facts: dict, rows: str, labels, extreme) -> str:
    rs = p.y[p.valid]
    beyond = int(np.sum(np.abs(rs) > 2))
    return (
        f"Normal Q-Q: {rs.size:,} standardized residuals from {fmt(rs.min(), 3)} to {fmt(rs.max(), 3)} "
        f"against normal quantiles from {fmt(facts['lo'], 3)} to {fmt(facts['hi'], 3)}; the line through the "
        f"quartiles has slope {fmt(facts['slope'], 3)} and intercept {fmt(facts['intercept'], 3)}; {beyond:,} "
        f"({100 * beyond / rs.size:.1f}%) lie beyond ±2 (about 4.6% for normal errors); {rows} are the most extreme."
    )


def _scale_summary(p: _Panel, facts: dict, rows: str, labels, extreme) -> str:
    root, ys = p.y[p.valid], facts["smooth"]
    smooth_text = (
        f"the red smoother goes from {fmt(ys[0], 3)} at the smallest fitted value to {fmt(ys[-1], 3)} at the largest "
        f"(range {fmt(ys.min(), 3)} to {fmt(ys.max(), 3)}; flat means constant spread); "
        if ys.size
        else ""
    )
    return (
        f"Scale-Location: {root.size:,} points; √|standardized residual| from {fmt(root.min(), 3)} to "
        f"{fmt(root.max(), 3)}; {smooth_text}{rows} are the most extreme."
    )


def _leverage_summary(p: _Panel, facts: dict, rows: str, labels, extreme) -> str:
    h, cook, levels, rank = p.x[p.valid], p.extra["Cook's distance"], facts["cook_levels"], facts["rank"]
    c = cook[p.valid]
    top = extreme[0] if extreme.size else None
    counts = "; ".join(f"{int(np.sum(c > level)):,} above {level:g}" for level in levels)
    top_text = f"the largest Cook's distance is {fmt(cook[top], 3)} (row {labels[top]}); " if top is not None else ""
    beyond = "" if facts["visible_contour"] else "; the contours lie beyond the chart: no row comes near them"
    return (
        f"Residuals vs leverage: {h.size:,} points; leverage from {fmt(h.min(), 3)} to {fmt(h.max(), 3)} "
        f"(average p/n = {fmt(rank / p.y.size, 3)}); {top_text}Cook's distance: {counts}{beyond}; "
        f"{rows} have the largest Cook's distance."
    )


# kind: (what it plots, the lines it adds over the points, its summary)
_KINDS = {
    "fitted": (_fitted_panel, None, _fitted_summary),
    "qq": (_qq_panel, _qq_extras, _qq_summary),
    "scale": (_scale_panel, _scale_extras, _scale_summary),
    "leverage": (_leverage_panel, _leverage_extras, _leverage_summary),
}


def residuals_vs_fitted(result, row_labels: _Labels = None, *, hover: pd.DataFrame | None = None,
                        max_points: int = CHART_POINTS, seed: int = 0) -> _Drawn:
    """R's plot 1, *Residuals vs Fitted*: residuals against fitted values, with a lowess smoother.

    Parameters
    ----------
    result : OLSResult
        Uses ``fitted`` and ``resid`` (all rows).
    row_labels : array-like, shape (n,), optional
        The rows' labels in the user's data (``Design.row_labels``); positions 0..n-1 if None.
    hover : DataFrame, optional
        n rows aligned with ``result``: the row's own values, shown on hover (first 6 columns).
    max_points : int
        At most this many rows are drawn (a seeded sample), plus the labelled ones; fewer when
        long hover text would make the points pass about 400 KB of JSON.
    seed : int
        Seed of that sample.

    Returns
    -------
    fig : go.Figure
    summary : str
        One line in numbers.
    note : str or None
        What a caption must say: the plot shows a sample.

    Notes
    -----
    The labelled rows are the 3 largest |residual|, as R's ``plot.lm`` labels them.
    """
    return _panel("fitted", result, row_labels, hover=hover, max_points=max_points, seed=seed)


def normal_qq(result, row_labels: _Labels = None, *, hover: pd.DataFrame | None = None,
              max_points: int = CHART_POINTS, seed: int = 0) -> _Drawn:
    """R's plot 2, *Normal Q-Q*: standardized residuals against normal quantiles, with ``qqline``.

    The theoretical quantile of the i-th smallest of m standardized residuals is
    ``qnorm(ppoints(m))[i]``, computed over all rows with a standardized residual; the
    dotted line passes through the first and third quartiles (R's ``qqline``).

    Parameters and returns as :func:`residuals_vs_fitted`; the labelled rows are the 3
    largest |standardized residual|.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> r = SimpleNamespace(resid=np.array([1.0, -2.0, 0.5]), standardized_resid=np.array([1.0, -2.0, 0.5]),
    ...                     fitted=np.zeros(3), leverage=np.full(3, 0.1))
    >>> fig, summary, note = normal_qq(r)
    >>> summary.startswith("Normal Q-Q: 3 standardized residuals")
    True
    """
    return _panel("qq", result, row_labels, hover=hover, max_points=max_points, seed=seed)


def scale_location(result, row_labels: _Labels = None, *, hover: pd.DataFrame | None = None,
                   max_points: int = CHART_POINTS, seed: int = 0) -> _Drawn:
    """R's plot 3, *Scale-Location*: sqrt(|standardized residuals|) against fitted, with a smoother.

    A flat smoother means the spread of the residuals does not change with the fitted
    values. Parameters and returns as :func:`residuals_vs_fitted`; the labelled rows are
    the 3 largest |standardized residual|.
    """
    return _panel("scale", result, row_labels, hover=hover, max_points=max_points, seed=seed)


def residuals_vs_leverage(result, row_labels: _Labels = None, *, hover: pd.DataFrame | None = None,
                          max_points: int = CHART_POINTS, seed: int = 0,
                          cook_levels: Sequence[float] = COOK_LEVELS) -> _Drawn:
    """R's plot 5, *Residuals vs Leverage*, with dashed contours of Cook's distance.

    The contour for level D is the standardized residual r = +-sqrt(D p (1 - h) / h), p the
    rank, drawn (as R) over leverage from min(h_min, h_max / 100) to the right edge of the
    plot; points outside the 0.5 contour are influential, outside 1 very much so. The
    y axis spans the points (extended by 8%, as R), so a contour far from every point is
    off the chart.

    Parameters and returns as :func:`residuals_vs_fitted`; the labelled rows are the 3
    largest Cook's distances (as R).
    """
    return _panel("leverage", result, row_labels, hover=hover, max_points=max_points, seed=seed, cook_levels=cook_levels)


def residual_histogram(result, *, max_bins: int = 60) -> tuple[go.Figure, str, None]:
    """A histogram of the residuals (all rows), with the normal density N(0, sigma^2) scaled to counts.

    The curve is ``n * width * pdf(e; 0, sigma)``, sigma the residual SD sqrt(RSS / df_resid):
    what the bars would look like if the errors were normal.

    Parameters
    ----------
    result : OLSResult
        Uses ``resid`` and ``sigma``.
    max_bins : int
        Numpy's "auto" rule (the larger of Sturges and Freedman-Diaconis), capped here.

    Returns
    -------
    fig, summary, note
        ``note`` is always None: bars count every row.
    """
    resid = np.asarray(result.resid, dtype=np.float64)
    n = resid.size
    sigma = float(result.sigma)
    title, xlabel, ylabel = "Histogram of residuals", "Residuals", "Count"
    lo, hi = float(resid.min()), float(resid.max())
    if not hi > lo:  # every residual equal (an exact fit): one bar around the value
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.histogram_bin_edges(resid, bins="auto", range=(lo, hi))
    if edges.size - 1 > max_bins:
        edges = np.linspace(lo, hi, max_bins + 1)
    counts, edges = np.histogram(resid, bins=edges)
    width = float(edges[1] - edges[0])
    centres = (edges[:-1] + edges[1:]) / 2

    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=centres,
            y=counts,
            width=width,
            name="residuals",
            marker={"color": BLUE, "opacity": 0.6, "line": {"color": "white", "width": 0.5}},
            customdata=np.column_stack([edges[:-1], edges[1:]]),
            hovertemplate="residuals from %{customdata[0]:.4g} to %{customdata[1]:.4g}<br>%{y} rows<extra></extra>",
        )
    )
    curve_text = ""
    if sigma > 0 and math.isfinite(sigma):
        grid = np.linspace(min(lo, -3 * sigma), max(hi, 3 * sigma), 300)
        density = n * width * stats.norm.pdf(grid, loc=0.0, scale=sigma)
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=density,
                mode="lines",
                name=f"normal curve, σ = {fmt(sigma, 3)}",
                line={"color": R_RED, "width": 2},
                hovertemplate="residual %{x:.4g}<br>expected count %{y:.3g}<extra></extra>",
            )
        )
        curve_text = f"; the red curve is the normal density with mean 0 and SD σ = {fmt(sigma, 3)}, scaled to counts"
    style(fig, title, xlabel, ylabel, height=_HEIGHT)
    fig.update_layout(bargap=0)

    peak = int(np.argmax(counts))
    summary = (
        f"Histogram of residuals: {n:,} residuals from {fmt(resid.min(), 3)} to {fmt(resid.max(), 3)} in "
        f"{counts.size} bins of width {fmt(width, 3)}; the tallest bar holds {int(counts[peak]):,} rows around "
        f"{fmt(centres[peak], 3)}{curve_text}."
    )
    return fig, summary, None


def diagnostic_figures(
    result,
    row_labels: Sequence | np.ndarray | None = None,
    *,
    hover: pd.DataFrame | None = None,
    max_points: int = CHART_POINTS,
    seed: int = 0,
) -> tuple[tuple[go.Figure, str, str | None], ...]:
    """R's four diagnostic plots, in R's order, then the residual histogram: five ``(fig, summary, note)``.

    Parameters as :func:`residuals_vs_fitted` (``max_points`` rows are drawn in each scatter).
    One call builds everything the Residuals page draws, so an app can cache it whole.
    """
    scatters = tuple(
        builder(result, row_labels, hover=hover, max_points=max_points, seed=seed)
        for builder in (residuals_vs_fitted, normal_qq, scale_location, residuals_vs_leverage)
    )
    return (*scatters, residual_histogram(result))


# =============================================================================
# The user's values shown on hover (the page's tables are in linreg.plots.tables)
# =============================================================================
def hover_frame(df: pd.DataFrame, design, max_columns: int = HOVER_COLUMNS) -> pd.DataFrame:
    """The user's values of the used columns (target first) for the design's rows, for hover.

    Parameters
    ----------
    df : DataFrame
        The user's data.
    design : Design
        Gives the target and features (``design.spec``) and the kept rows (``row_labels``).

    Returns
    -------
    DataFrame, shape (n, <= max_columns)
        Aligned with the fit's rows.
    """
    spec = design.spec
    features = spec.features or tuple(c for c in df.columns if c != spec.target)
    used = [spec.target] + [c for c in features if c != spec.target]
    used = [c for c in used if c in df.columns][:max_columns]
    return df.loc[np.asarray(design.row_labels), used].reset_index(drop=True)


