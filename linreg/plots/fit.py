"""Figures, the fitted equation and one-line summaries for the Data and Fit pages.

Everything here is a pure function of linreg results (and the user's DataFrame): the
pages only render what these return. Every figure comes with a one-line summary in
numbers, for readers who cannot see the chart. The pages' tables are in
:mod:`linreg.plots.tables`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from linreg._preprocess import with_ones
from linreg.format import fmt

from ._common import safe_label, sample_index, sample_note, scatter, style
from ._tex import tex_number, tex_text


__all__ = [
    "target_scatter",
    "equation_latex",
    "equation_text",
    "single_feature",
    "fit_figure",
]

# Line and band are drawn through this many x positions at most.
_LINE_POINTS = 400
_HOVER_COLUMNS = 6


# ---------------------------------------------------------------------------
# Looking at the data (Data page)
# ---------------------------------------------------------------------------


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r of two non-constant columns, shape (n,).

    Each is divided by its largest magnitude first: r does not change, and values near 1e300
    no longer overflow in the sums of squares.
    """
    return float(np.corrcoef(x / np.abs(x).max(), y / np.abs(y).max())[0, 1])


def target_scatter(df: pd.DataFrame, x: str, y: str, *, max_points: int = 20_000):
    """Scatter of column ``y`` against column ``x`` (rows with either missing are skipped).

    Returns
    -------
    fig : go.Figure
    summary : str
        One line in numbers: rows shown and the correlation (numeric x) or group means (text x).
    note : str or None
        Says when the plot shows a sample.
    """
    both = df[[x, y]].dropna()
    n = len(both)
    idx = sample_index(n, max_points)
    sub = both.iloc[idx]
    xs = sub[x].to_numpy()
    if not pd.api.types.is_numeric_dtype(sub[x]):
        # Categories become tick labels, which plotly renders as (a subset of) HTML.
        xs = np.array([safe_label(v) for v in xs], dtype=object)
    fig = go.Figure(
        scatter(
            xs,
            sub[y].to_numpy(),
            name="rows",
            row_labels=sub.index.to_numpy(),
            hover={x: sub[x].to_numpy(), y: sub[y].to_numpy()},
        )
    )
    style(fig, None, x, y, height=380)
    yv = both[y]
    if not pd.api.types.is_numeric_dtype(yv):
        summary = f"{n:,} rows of {y} against {x}; {y} is not numeric, so it cannot be the target of a regression."
    elif pd.api.types.is_numeric_dtype(both[x]) and not pd.api.types.is_bool_dtype(both[x]):
        xv = both[x].to_numpy(float)
        yv = yv.to_numpy(float)
        constant = [name for name, v in ((x, xv), (y, yv)) if n < 2 or np.ptp(v) == 0]
        r = f"correlation r = {fmt(_correlation(xv, yv), 3)}" if not constant else (
            f"the correlation is undefined because {constant[0]} is constant")
        summary = (
            f"{n:,} rows of {y} against {x}: {x} runs from {fmt(xv.min())} to {fmt(xv.max())}, "
            f"{y} from {fmt(yv.min())} to {fmt(yv.max())}; {r}."
        )
    else:
        means = both.groupby(x, sort=True)[y].mean().sort_values()
        summary = (
            f"{n:,} rows in {len(means)} groups of {x}; the mean of {y} ranges from "
            f"{fmt(means.iloc[0])} ({means.index[0]}) to {fmt(means.iloc[-1])} ({means.index[-1]})."
        )
    return fig, summary, sample_note(n, len(idx))


# ---------------------------------------------------------------------------
# Coefficients and the equation (Fit page)
# ---------------------------------------------------------------------------


def _latex_number(v: float) -> str:
    """The size of a coefficient in the equation (its sign is written as the operator)."""
    return tex_number(abs(v), 4)


def _kept_terms(terms: Sequence[str], coef: np.ndarray, aliased: Sequence[str]):
    skip = set(aliased)
    return [(t, float(c)) for t, c in zip(terms, coef, strict=True) if t not in skip and not math.isnan(float(c))]


def equation_latex(target: str, terms: Sequence[str], coef: np.ndarray, aliased: Sequence[str] = (),
                   per_line: int = 4) -> str:
    r"""The fitted equation as LaTeX, term names as escaped text, wrapped every ``per_line`` terms.

    Examples
    --------
    >>> equation_latex("y", ["Intercept", "x_1"], np.array([1.5, -2.0]))
    '\\begin{aligned}\\widehat{\\text{y}} = {} & 1.5 - 2 \\cdot \\text{x\\_1}\\end{aligned}'
    """
    kept = _kept_terms(terms, coef, aliased)
    pieces = []
    for i, (term, c) in enumerate(kept):
        sign = "-" if c < 0 else "+"
        body = _latex_number(c) if term == "Intercept" else rf"{_latex_number(c)} \cdot {tex_text(term)}"
        if i == 0:
            pieces.append(("-" if c < 0 else "") + body)
        else:
            pieces.append(f" {sign} {body}")
    if not pieces:
        pieces = ["0"]
    lines = ["".join(pieces[i : i + per_line]) for i in range(0, len(pieces), per_line)]
    head = rf"\widehat{{{tex_text(target)}}} = {{}} & "
    return r"\begin{aligned}" + head + r" \\ & ".join(lines) + r"\end{aligned}"


def equation_text(target: str, terms: Sequence[str], coef: np.ndarray, aliased: Sequence[str] = ()) -> str:
    """The fitted equation as plain text (for summaries and screen readers).

    Examples
    --------
    >>> equation_text("dist", ["Intercept", "speed"], np.array([-17.579, 3.932]))
    'predicted dist = -17.58 + 3.932 × speed'
    """
    kept = _kept_terms(terms, coef, aliased)
    out = ""
    for i, (term, c) in enumerate(kept):
        num = fmt(abs(c))
        body = num if term == "Intercept" else f"{num} × {term}"
        out += ("-" if c < 0 else "") + body if i == 0 else f" {'-' if c < 0 else '+'} {body}"
    return f"predicted {target} = {out or '0'}"


# ---------------------------------------------------------------------------
# The fit plot
# ---------------------------------------------------------------------------


def single_feature(design) -> str | None:
    """The feature's name when the model uses exactly one numeric column (its powers allowed), else None.

    Then the fit can be drawn as a curve against that column; otherwise the Fit page
    plots predicted against actual.
    """
    spec = design.spec
    feats = tuple(spec.features)
    if len(feats) != 1 or spec.categorical or spec.interactions:
        return None
    return feats[0]


def _hover_columns(df: pd.DataFrame, design, rows: np.ndarray, extra: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Values shown on hover: the target and the used columns of the row (at most a few), then ``extra``."""
    spec = design.spec
    used = [spec.target] + [c for c in spec.features if c != spec.target]
    labels = np.asarray(design.row_labels)[rows]
    values = {c: df.loc[labels, c].to_numpy() for c in used[:_HOVER_COLUMNS] if c in df.columns}
    return {**values, **extra}


def fit_figure(df: pd.DataFrame, design, result, *, gd_result=None, max_points: int = 20_000):
    """The fit, drawn: a curve with confidence and prediction bands, or predicted against actual.

    Parameters
    ----------
    df : DataFrame
        The user's data (for hover values and the feature in original units).
    design : Design
        The design that ``result`` was fitted on.
    result : OLSResult
        The closed-form fit: its line, bands (``result.interval``) and statistics.
    gd_result : GDResult, optional
        When given, its fitted line (or its predictions) is drawn too.

    Returns
    -------
    (fig, summary, note)
        The figure, one line in numbers, and a caption's note when the plot shows a sample (else None).
    """
    feature = single_feature(design)
    if feature is not None:
        return _curve_figure(df, design, result, feature, gd_result=gd_result, max_points=max_points)
    return _pred_actual_figure(df, design, result, gd_result=gd_result, max_points=max_points)


def _line_points(design, x: np.ndarray, feature: str) -> tuple[np.ndarray, np.ndarray]:
    """Where to draw the curve and bands: x values and their design rows (without the ones column).

    An even grid over the observed range, built by ``build_design`` so the powers are linreg's
    own; with standardization the centring and scaling come from the data, so the curve goes
    through observed rows instead, spread evenly over the sorted x.
    """
    from linreg.design import ModelSpec, build_design

    spec = design.spec
    if not spec.standardize and len(x) > 1 and x.min() < x.max():
        grid = np.linspace(x.min(), x.max(), _LINE_POINTS)
        grid_spec = ModelSpec(target=spec.target, features=(feature,), poly=spec.poly, intercept=spec.intercept)
        grid_design = build_design(pd.DataFrame({feature: grid, spec.target: np.zeros_like(grid)}), grid_spec)
        if grid_design.terms == tuple(design.terms):
            return grid, np.asarray(grid_design.X)
    order = np.argsort(x, kind="stable")
    pos = order[np.unique(np.linspace(0, len(x) - 1, min(len(x), _LINE_POINTS)).round().astype(int))]
    return x[pos], np.asarray(design.X)[pos]


def _curve_figure(df, design, result, feature, *, gd_result, max_points):
    target = design.spec.target
    n = len(design.y)
    x = df.loc[np.asarray(design.row_labels), feature].to_numpy(dtype=float)
    y = np.asarray(design.y, dtype=float)
    level = f"{100 * (1 - result.alpha):g}%"

    x_line, X_line = _line_points(design, x, feature)
    y_line = result.predict(X_line)
    ci_lo, ci_hi = result.interval(X_line, kind="confidence")
    pi_lo, pi_hi = result.interval(X_line, kind="prediction")

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x_line, y=pi_hi, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x_line, y=pi_lo, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor="rgba(99,110,250,0.12)", name=f"{level} prediction band", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x_line, y=ci_hi, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x_line, y=ci_lo, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor="rgba(99,110,250,0.30)", name=f"{level} confidence band", hoverinfo="skip"))

    idx = sample_index(n, max_points)
    hover = _hover_columns(df, design, idx, {"fitted": np.asarray(result.fitted)[idx],
                                             "residual": np.asarray(result.resid)[idx]})
    fig.add_trace(scatter(x[idx], y[idx], name="data", row_labels=np.asarray(design.row_labels)[idx], hover=hover,
                          marker={"color": "#444", "size": 7 if len(idx) <= 1000 else 4,
                                  "opacity": 0.85 if len(idx) <= 1000 else 0.5}))
    fig.add_trace(go.Scatter(x=x_line, y=y_line, mode="lines", name="least-squares fit",
                             line={"color": "#636efa", "width": 3},
                             hovertemplate=f"{safe_label(feature)} = %{{x:.4g}}<br>fit = %{{y:.4g}}<extra></extra>"))
    if gd_result is not None:
        y_gd = with_ones(X_line, design.intercept) @ np.asarray(gd_result.coef, dtype=float)
        fig.add_trace(go.Scatter(x=x_line, y=y_gd, mode="lines", name="gradient descent",
                                 line={"color": "#ef553b", "width": 2, "dash": "dash"},
                                 hovertemplate=f"{safe_label(feature)} = %{{x:.4g}}<br>GD = %{{y:.4g}}<extra></extra>"))
    style(fig, None, feature, target, height=460)
    # Keep the data in view: a diverged (or far-off) descent line runs off the chart instead
    # of squashing the points into a flat row.
    lo = float(min(y.min(), pi_lo.min()))
    hi = float(max(y.max(), pi_hi.max()))
    pad = 0.05 * (hi - lo) if hi > lo else 1.0
    fig.update_yaxes(range=[lo - pad, hi + pad])

    pi_all_lo, pi_all_hi = result.interval(np.asarray(design.X), kind="prediction")
    outside = int(np.sum((y < pi_all_lo) | (y > pi_all_hi)))
    half = (ci_hi - ci_lo) / 2
    narrow = int(np.argmin(half))
    summary = (
        f"{target} against {feature} for {n:,} rows with the least-squares curve (R² = {fmt(result.r_squared, 3)}); "
        f"the {level} confidence band is narrowest (± {fmt(half[narrow], 3)}) at {feature} ≈ {fmt(x_line[narrow], 3)}; "
        f"{outside:,} of {n:,} points ({100 * outside / n:.1f}%) lie outside the {level} prediction band."
    )
    if gd_result is not None and gd_result.diverged:
        summary += " Gradient descent diverged: its dashed line runs off the chart."
    elif gd_result is not None:
        summary += " The dashed line is gradient descent's fit."
    return fig, summary, sample_note(n, len(idx))


def _pred_actual_figure(df, design, result, *, gd_result, max_points):
    target = design.spec.target
    n = len(design.y)
    y = np.asarray(design.y, dtype=float)
    if gd_result is not None and not gd_result.diverged:
        pred = with_ones(np.asarray(design.X), design.intercept) @ np.asarray(gd_result.coef, dtype=float)
        who = "gradient descent"
    else:
        pred = np.asarray(result.fitted, dtype=float)
        who = "least squares"
    resid = y - pred
    idx = sample_index(n, max_points)
    hover = _hover_columns(df, design, idx, {"predicted": pred[idx], "residual": resid[idx]})
    fig = go.Figure()
    fig.add_trace(scatter(pred[idx], y[idx], name="rows", row_labels=np.asarray(design.row_labels)[idx], hover=hover))
    lo = float(min(pred.min(), y.min()))
    hi = float(max(pred.max(), y.max()))
    fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="perfect prediction (y = ŷ)",
                             line={"color": "#888", "dash": "dash"}, hoverinfo="skip"))
    style(fig, None, f"predicted {target} ({who})", f"actual {target}", height=460)
    if gd_result is not None and gd_result.diverged:
        who += "; gradient descent diverged, so these are the least-squares predictions"
    worst = int(np.argmax(np.abs(resid)))
    if gd_result is None or gd_result.diverged:
        fit_note = f"R² = {fmt(result.r_squared, 3)}"
    else:
        fit_note = f"The mean squared residual is {fmt(float(resid @ resid) / n)} (least squares: {fmt(result.rss / n)})"
    summary = (
        f"Actual against predicted {target} ({who}) for {n:,} rows; points on the dashed diagonal are predicted "
        f"exactly. {fit_note}; the largest miss is row {design.row_labels[worst]} "
        f"(actual {fmt(y[worst])}, predicted {fmt(pred[worst])})."
    )
    return fig, summary, sample_note(n, len(idx))
