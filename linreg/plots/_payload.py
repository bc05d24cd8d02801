"""What a figure sends to the browser: its numbers packed small, and scatter points within a byte budget.

A page may send about 2 MB of plotly JSON. Numbers travel as plotly.js typed arrays (base64),
as float32 where that rounding is invisible; a scatter draws as many rows as its hover text
lets it within ``POINTS_BYTES``.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from ._common import safe_label
from ._style import BLUE, POINTS_BYTES, WEBGL_THRESHOLD

__all__ = ["packed", "int_type", "compact", "points", "hover_data", "affordable_points", "line_type", "HOVER_COLUMNS"]

# Columns of the user's data shown on hover, at most.
HOVER_COLUMNS = 6


# float32 is used only when its rounding moves no value by more than this fraction of the
# values' range: far below a pixel (1e-4 of an 800-pixel axis is 0.08 pixels).
F4_TOLERANCE = 1e-4


def packed(value, compact: bool = False):
    """Numeric arrays in plotly.js's typed-array form ({"dtype", "bdata"[, "shape"]}), as plotly
    itself sends them (plotly's own converter is ~1 ms an array: too slow for a few hundred).

    With ``compact``, floats go as float32 (half the bytes) when that rounding stays under
    ``F4_TOLERANCE`` of their range; values near a large offset (an intercept of 1e6 that
    moves by 1e-3) keep float64.

    Examples
    --------
    >>> packed(np.array([0.5, 1.5]), compact=True)["dtype"]
    'f4'
    >>> packed(np.array([1e6, 1e6 + 1e-3]), compact=True)["dtype"]
    'f8'
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size:
        dtype = "f8" if value.dtype.kind == "f" else int_type(value)
        if dtype == "f8" and compact:
            single = value.astype("<f4")
            span = float(np.ptp(value)) or max(1.0, float(np.max(np.abs(value))))
            with np.errstate(invalid="ignore", over="ignore"):
                error = np.max(np.abs(single.astype(float) - value))
            if np.isfinite(error) and error <= F4_TOLERANCE * span:
                dtype = "f4"
        array = np.ascontiguousarray(value, dtype="<" + dtype)
        out = {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
        if array.ndim > 1:
            out["shape"] = ", ".join(str(n) for n in array.shape)
        return out
    return value


def int_type(values: np.ndarray) -> str:
    """The narrowest of plotly.js's integer types that holds ``values``, as plotly picks it
    (plotly.js has no 64-bit integers; float64 holds larger ones exactly up to 2**53).

    Examples
    --------
    >>> int_type(np.array([0, 200])), int_type(np.array([-1, 40_000])), int_type(np.array([2**40]))
    ('i2', 'i4', 'f8')
    """
    lo, hi = int(values.min()), int(values.max())
    return next((code for code in ("i1", "i2", "i4") if np.iinfo(code).min <= lo and hi <= np.iinfo(code).max), "f8")


def points(
    x, y, labels, idx, hover: pd.DataFrame | None, extra: Mapping[str, np.ndarray], n_valid: int
) -> go.Scatter | go.Scattergl:
    """The drawn rows as markers; hover shows the row label, the plotted quantities, then the row's data.

    Numbers travel as one float ``customdata`` array that plotly formats (``:.4g``); the
    row label and any text columns are joined, HTML-escaped, into ``text``. Formatting
    20,000 rows x several columns in Python (and letting plotly deep-copy an object
    array) costs seconds per chart; this costs milliseconds. ``customdata`` travels as
    float32 when that keeps every value to 6 significant digits (hover shows 4): half the
    bytes of float64.

    WebGL is used when the plot has more than ``WEBGL_THRESHOLD`` rows to show
    (``n_valid``), so a sample of them is drawn in WebGL whether or not the labelled rows
    happened to fall in it.
    """
    numeric, rows = hover_data(labels, idx, hover, extra)
    template = "%{text}" + "".join(
        f"<br>{safe_label(name)} = %{{customdata[{j}]:.4g}}" for j, name in enumerate(numeric)
    )
    gl = n_valid > WEBGL_THRESHOLD
    return (go.Scattergl if gl else go.Scatter)(
        x=x[idx],
        y=y[idx],
        mode="markers",
        name="rows",
        text=np.array(rows, dtype=object),
        customdata=compact(np.column_stack(list(numeric.values()))) if numeric else None,
        hovertemplate=template + "<extra></extra>",
        marker={"color": BLUE, "size": 7 if idx.size <= 1000 else 4, "opacity": 0.8 if idx.size <= 1000 else 0.5},
        showlegend=False,
    )


def hover_data(
    labels, idx, hover: pd.DataFrame | None, extra: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Hover of rows ``idx``: the numeric columns (plotted quantities first), and each row's text.

    The text is the row label, then the text columns of ``hover``, HTML-escaped.
    """
    numeric = {name: np.asarray(v, dtype=np.float64)[idx] for name, v in extra.items()}
    text_columns: dict[str, np.ndarray] = {}
    if hover is not None:
        for c in list(hover.columns)[:HOVER_COLUMNS]:
            if str(c) in numeric:
                continue
            values = hover[c].to_numpy()[idx]
            if pd.api.types.is_numeric_dtype(hover[c]) and not pd.api.types.is_bool_dtype(hover[c]):
                numeric[str(c)] = values.astype(np.float64)
            else:
                text_columns[str(c)] = values
    rows = [f"row {html.escape(str(v))}" for v in labels[idx]]
    for name, values in text_columns.items():
        rows = [f"{r}<br>{safe_label(name)} = {html.escape(str(v))}" for r, v in zip(rows, values, strict=True)]
    return numeric, rows


def affordable_points(
    max_points: int, x: np.ndarray, y: np.ndarray, labels, hover: pd.DataFrame | None, extra: Mapping[str, np.ndarray],
    *, least: int = 1,
) -> int:
    """``max_points``, or fewer (but at least ``least``) if that many rows' points would take more than
    ``POINTS_BYTES`` of JSON.

    The bytes per row are measured on up to 200 rows spread over the data, encoded by
    plotly as :func:`points` sends them (x, y and ``customdata`` in base64, where plotly
    escapes each ``/``; the hover text, where it writes ``<`` as 6 characters).
    """
    n = len(labels)
    probe = np.unique(np.linspace(0, n - 1, min(n, 200)).round().astype(int))
    if probe.size == 0:
        return max_points
    numeric, rows = hover_data(labels, probe, hover, extra)
    trace = go.Scatter(
        x=np.asarray(x, dtype=np.float64)[probe],
        y=np.asarray(y, dtype=np.float64)[probe],
        text=np.array(rows, dtype=object),
        customdata=compact(np.column_stack(list(numeric.values()))) if numeric else None,
    )
    per_row = len(to_json_plotly(go.Figure(trace).to_dict()["data"])) / probe.size
    return max(least, min(max_points, int(POINTS_BYTES / per_row)))


def compact(values: np.ndarray) -> np.ndarray:
    """``values`` as float32 if that keeps every value to about 6 significant digits, else as they are.

    Values beyond float32's range (about 3e38) or below its normal range (about 1e-38) would
    become inf or lose digits, so such data keeps float64.

    Examples
    --------
    >>> compact(np.array([1.5, np.nan, -2.0])).dtype.name
    'float32'
    >>> compact(np.array([1.0, 1e300])).dtype.name
    'float64'
    """
    with np.errstate(over="ignore", under="ignore"):
        small = values.astype(np.float32)
    if np.allclose(small, values, rtol=1e-6, atol=0.0, equal_nan=True):
        return small
    return values


def line_type(points: go.Scatter | go.Scattergl):
    """Lines drawn over WebGL points must be WebGL too: plotly puts its WebGL layer above SVG."""
    return go.Scattergl if isinstance(points, go.Scattergl) else go.Scatter
