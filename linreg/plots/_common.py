"""Shared plumbing for the figure builders: sampling, layout, axis ticks, hover text and names.

Plots draw at most ``MAX_POINTS`` points (a seeded random sample) so the browser stays
responsive on large data, while every statistic is computed on all rows. Above
``WEBGL_THRESHOLD`` points, scatters use WebGL (``go.Scattergl``). Both budgets live in
:mod:`linreg.plots._style` with the palette; numbers are formatted by :mod:`linreg.format`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from linreg.format import fmt

from ._style import MAX_POINTS, WEBGL_THRESHOLD

__all__ = [
    "MAX_POINTS",
    "WEBGL_THRESHOLD",
    "sample_index",
    "sample_note",
    "style",
    "scatter",
    "hover_template",
    "safe_label",
    "log_ticks",
    "coef_names",
    "working_name",
]


def sample_index(n: int, max_points: int = MAX_POINTS, seed: int = 0) -> np.ndarray:
    """Row positions to plot: all ``n`` rows, or a sorted random sample of ``max_points`` of them.

    Parameters
    ----------
    n : int
        Number of rows.
    max_points : int
        Largest number of rows to return.
    seed : int
        Seed of the sample, so a rerun draws the same points.

    Returns
    -------
    ndarray of int, shape (min(n, max_points),)
        Increasing row positions.

    Examples
    --------
    >>> sample_index(4).tolist()
    [0, 1, 2, 3]
    >>> idx = sample_index(100, max_points=10)
    >>> len(idx), len(set(idx.tolist())), bool((idx[1:] > idx[:-1]).all())
    (10, 10, True)
    """
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=max_points, replace=False))


def sample_note(n: int, n_shown: int) -> str | None:
    """A sentence saying the plot shows a sample, or None when it shows every row.

    Examples
    --------
    >>> sample_note(10, 10) is None
    True
    >>> sample_note(50_000, 20_000)
    'The plot shows a random sample of 20,000 of the 50,000 rows; every row is used in the computations.'
    """
    if n_shown >= n:
        return None
    return (
        f"The plot shows a random sample of {n_shown:,} of the {n:,} rows; "
        "every row is used in the computations."
    )


def style(fig: go.Figure, title: str | None, xlabel: str, ylabel: str, *, height: int = 420) -> go.Figure:
    """Apply the shared layout: title, axis titles (always), margins, legend and hover mode.

    Examples
    --------
    >>> fig = style(go.Figure(), "t", "x", "y")
    >>> fig.layout.xaxis.title.text, fig.layout.yaxis.title.text
    ('x', 'y')
    """
    fig.update_layout(
        title={"text": safe_label(title)} if title else None,
        xaxis_title=safe_label(xlabel),
        yaxis_title=safe_label(ylabel),
        height=height,
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 55},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1},
        hovermode="closest",
    )
    return fig


def safe_label(text: object) -> str:
    """User text made safe for plotly labels, which interpret a subset of HTML and ``%{...}``.

    Examples
    --------
    >>> safe_label("<b>a</b> %{x}")
    '&lt;b&gt;a&lt;/b&gt; ％{x}'
    """
    return html.escape(str(text), quote=False).replace("%", "％")


def hover_template(columns: Sequence[str], *, row_label: str = "row", first: int = 0) -> str:
    """A hovertemplate showing the row label and each column's value from ``customdata``.

    ``customdata[:, first]`` holds the row label and ``customdata[:, first + 1 + j]`` the
    value of ``columns[j]``.

    Examples
    --------
    >>> hover_template(["x", "y"])
    'row %{customdata[0]}<br>x = %{customdata[1]}<br>y = %{customdata[2]}<extra></extra>'
    """
    parts = [f"{row_label} %{{customdata[{first}]}}"]
    parts += [f"{safe_label(c)} = %{{customdata[{first + 1 + j}]}}" for j, c in enumerate(columns)]
    return "<br>".join(parts) + "<extra></extra>"


def _hover_values(values: np.ndarray) -> np.ndarray:
    """Values formatted for hover (numbers to 4 significant digits, text as is)."""
    if np.issubdtype(values.dtype, np.number):
        return np.array([fmt(v) for v in values], dtype=object)
    # Text cells come from the user; plotly's hover interprets a subset of HTML.
    return np.array([safe_label(v) for v in values], dtype=object)


def scatter(
    x: np.ndarray,
    y: np.ndarray,
    *,
    name: str,
    row_labels: Sequence | np.ndarray,
    hover: Mapping[str, np.ndarray] | None = None,
    marker: Mapping | None = None,
    **kwargs,
) -> go.Scatter | go.Scattergl:
    """A marker scatter whose hover shows the row label and its values; WebGL for many points.

    Parameters
    ----------
    x, y : ndarray, shape (m,)
        Coordinates (already sampled).
    name : str
        Legend name.
    row_labels : array-like, shape (m,)
        The rows' labels in the user's data.
    hover : mapping of column name to ndarray (m,), optional
        Values shown on hover, in order.

    Examples
    --------
    >>> tr = scatter(np.array([1.0]), np.array([2.0]), name="data", row_labels=[7], hover={"x": np.array([1.0])})
    >>> type(tr).__name__, tr.customdata[0].tolist()
    ('Scatter', ['7', '1'])
    >>> scatter(np.array([1.0]), np.array([2.0]), name="d", row_labels=["<b>r</b>"],
    ...         hover={"g": np.array(["<i>a</i>"])}).customdata[0].tolist()
    ['&lt;b&gt;r&lt;/b&gt;', '&lt;i&gt;a&lt;/i&gt;']
    """
    hover = dict(hover or {})
    m = len(x)
    cols = [np.array([safe_label(r) for r in np.asarray(row_labels)], dtype=object)]
    cols += [_hover_values(np.asarray(v)) for v in hover.values()]
    customdata = np.column_stack(cols) if m else np.empty((0, len(cols)), dtype=object)
    trace_type = go.Scattergl if m > WEBGL_THRESHOLD else go.Scatter
    return trace_type(
        x=x,
        y=y,
        mode="markers",
        name=safe_label(name),
        customdata=customdata,
        hovertemplate=hover_template(list(hover)),
        marker=dict(marker or {"size": 7 if m <= 1000 else 4, "opacity": 0.8 if m <= 1000 else 0.5}),
        **kwargs,
    )


def log_ticks(values: np.ndarray) -> dict:
    """Tick settings for a log axis: powers of ten over wide ranges, 1-2-5 steps over narrow ones.

    Plotly's default labels every minor tick with a bare digit, which reads as noise.

    Examples
    --------
    >>> log_ticks(np.array([1e-9, 1.0])), log_ticks(np.array([0.5, 2.0])), log_ticks(np.array([0.0]))
    ({'dtick': 1, 'exponentformat': 'power'}, {'dtick': 'D2', 'tickformat': '~g'}, {})
    """
    values = np.asarray(values, float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return {}
    decades = math.log10(values.max() / values.min()) if values.min() > 0 else math.inf
    if decades > 3:
        return {"dtick": 1, "exponentformat": "power"}
    return {"dtick": "D2", "tickformat": "~g"}


def coef_names(result, terms=None) -> tuple[str, ...]:
    """A descent run's coefficient names, intercept first.

    Parameters
    ----------
    result : GDResult
        Gives its own ``terms`` and whether it has an intercept.
    terms : sequence of str, optional
        The design's names, with or without "Intercept"; default the run's own.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> run = SimpleNamespace(terms=("Intercept", "x1"), intercept=True)
    >>> coef_names(run), coef_names(run, ["speed"])
    (('Intercept', 'x1'), ('Intercept', 'speed'))
    """
    if terms is None:
        return tuple(str(t) for t in result.terms)
    terms = tuple(str(t) for t in terms)
    if result.intercept and len(terms) == len(result.terms) - 1:
        terms = ("Intercept",) + terms
    return terms


def working_name(result, names: Sequence[str], index: int) -> str:
    """A coefficient's name as the loss surface sees it (standardized columns say so).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> run = SimpleNamespace(standardize=True, intercept=True)
    >>> working_name(run, ("Intercept", "x"), 0), working_name(run, ("Intercept", "x"), 1)
    ('w[Intercept]', 'w[x] (standardized)')
    """
    name = names[index]
    if result.standardize and not (result.intercept and index == 0):
        return f"w[{name}] (standardized)"
    return f"w[{name}]"
