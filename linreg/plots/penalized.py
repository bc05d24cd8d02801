"""Figures for penalized regression and model complexity, each with a one-line summary.

- :func:`path_figure`: coefficients against log10 λ (ridge, lasso, elastic net), the
  chosen λ marked;
- :func:`cv_figure`: k-fold CV error (mean ± one SE) against log10 λ, with λ_min and
  λ_1se marked;
- :func:`degree_figure`: training and test MSE against polynomial degree;
- :func:`bootstrap_figure`: the fan of bootstrap-fitted curves, their mean and the truth.

The penalized coefficient table is :func:`linreg.plots.tables.penalized_coef_table`.

Every builder returns ``(fig, summary)``: a ``plotly.graph_objects.Figure`` with axis
titles, and one sentence with the figure's numbers for readers who cannot see it.
No numerics beyond picking what to draw: the numbers come from
:mod:`linreg.penalized` and :mod:`linreg.complexity`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from ..complexity import BootstrapFits, DegreeExplorer
from ..format import fmt
from ..penalized import CVResult, PenaltyPath
from ._common import safe_label, sample_index, style
from .tables import penalty_name

__all__ = [
    "bootstrap_figure",
    "cv_figure",
    "degree_figure",
    "path_figure",
]

_HEIGHT = 420
_MIN_COLOR = "#d62728"
_1SE_COLOR = "#2ca02c"
_TRUTH_COLOR = "#000000"
_MEAN_COLOR = "#d62728"
_FAN_COLOR = "rgba(31, 111, 235, 0.15)"
_TRAIN_COLOR = "#1f6feb"
_TEST_COLOR = "#d62728"
# A fan of more curves than this is unreadable and slow; the statistics use all of them.
_MAX_FAN = 100
# Terms named in a path summary (the rest are counted).
_MAX_NAMED = 6


def _log10(lams: np.ndarray) -> np.ndarray:
    # λ = 0 has no place on a log axis; it is drawn at the smallest positive λ's decade - 1.
    lams = np.asarray(lams, dtype=np.float64)
    pos = lams[lams > 0]
    floor = math.log10(pos.min()) - 1.0 if pos.size else 0.0
    with np.errstate(divide="ignore"):
        return np.where(lams > 0, np.log10(np.where(lams > 0, lams, 1.0)), floor)


def _vline(fig: go.Figure, x: float, color: str, text: str, dash: str = "dash") -> None:
    fig.add_vline(x=x, line={"color": color, "dash": dash, "width": 1.5},
                  annotation={"text": text, "font": {"color": color}}, annotation_position="top")


def path_figure(path: PenaltyPath, *, lam: float | None = None, standardized: bool = False) -> tuple[go.Figure, str]:
    """Coefficient paths against log10 λ, one line per penalized term.

    Parameters
    ----------
    path : PenaltyPath
    lam : float, optional
        The chosen λ, marked by a vertical line and described in the summary (the
        nearest grid λ is used for the numbers).
    standardized : bool, default False
        Plot the penalized (standardized) coefficients instead of original units.

    Returns
    -------
    fig : plotly.graph_objects.Figure
    summary : str

    Examples
    --------
    >>> from linreg.penalized import penalty_path
    >>> X = np.array([[-1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, -1.0]]); y = np.array([-1.0, 0.5, 1.0, -0.5])
    >>> fig, text = path_figure(penalty_path(X, y, l1_ratio=1.0, n_lams=5), lam=0.1)
    >>> len(fig.data), fig.layout.xaxis.title.text
    (2, 'log10 λ')
    """
    coef = path.coef_work if standardized else path.slopes
    x = _log10(path.lams)
    fig = go.Figure()
    for j, name in enumerate(path.feature_terms):
        fig.add_trace(go.Scatter(
            x=x, y=coef[:, j], mode="lines", name=safe_label(name),
            customdata=path.lams,
            hovertemplate=f"{safe_label(name)}<br>λ = %{{customdata:.4g}}<br>coef = %{{y:.4g}}<extra></extra>",
        ))
    fig.add_hline(y=0, line={"color": "#888888", "width": 1})
    title = f"{penalty_name(path.l1_ratio)} coefficient path"
    ylabel = "standardized coefficient" if standardized else "coefficient (original units)"
    style(fig, title, "log10 λ", ylabel, height=_HEIGHT)
    pname = penalty_name(path.l1_ratio)
    text = (f"{pname} path over {path.lams.size} λ values from {fmt(path.lams.min())} to {fmt(path.lams.max())}"
            f" ({'standardized' if standardized else 'original-unit'} coefficients)")
    if lam is not None:
        i = path.nearest(lam)
        _vline(fig, float(x[i]), _MIN_COLOR, f"λ = {fmt(path.lams[i], 3)}")
        nz = [(n, v) for n, v in zip(path.feature_terms, coef[i]) if v != 0]
        shown = ", ".join(f"{n} = {fmt(v)}" for n, v in nz[:_MAX_NAMED])
        more = f" and {len(nz) - _MAX_NAMED} more" if len(nz) > _MAX_NAMED else ""
        text += f"; at λ = {fmt(path.lams[i])}, {len(nz)} of {coef.shape[1]} coefficients are non-zero"
        text += f" ({shown}{more})." if nz else "."
    else:
        text += f"; non-zero coefficients range from {int(path.n_nonzero.min())} to {int(path.n_nonzero.max())}."
    return fig, text


def cv_figure(cv: CVResult) -> tuple[go.Figure, str]:
    """Cross-validated test MSE (mean ± 1 SE over folds) against log10 λ, λ_min and λ_1se marked.

    Returns
    -------
    fig : plotly.graph_objects.Figure
    summary : str
        The least mean CV error with its λ_min, and λ_1se, each with its count of non-zero coefficients.

    Notes
    -----
    λ_min has the least mean CV error; λ_1se is the largest λ whose mean error is within one
    standard error of that least one (the "one-standard-error rule": a simpler model that
    the folds cannot tell apart from the best).

    Examples
    --------
    >>> from linreg.penalized import cross_validate
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(30, 2)); y = X[:, 0] + rng.normal(size=30)
    >>> fig, text = cv_figure(cross_validate(X, y, l1_ratio=1.0, n_lams=8, k=3))
    >>> fig.layout.yaxis.title.text, text.startswith("3-fold CV")
    ('mean test MSE (± 1 SE)', True)
    """
    x = _log10(cv.lams)
    fig = go.Figure(go.Scatter(
        x=x, y=cv.mse_mean, mode="markers+lines", name="CV error",
        error_y={"type": "data", "array": cv.mse_se, "visible": True, "color": "#888888"},
        marker={"color": "#1f6feb", "size": 6}, customdata=np.column_stack([cv.lams, cv.mse_se]),
        hovertemplate="λ = %{customdata[0]:.4g}<br>MSE = %{y:.4g} ± %{customdata[1]:.3g}<extra></extra>",
    ))
    _vline(fig, float(x[cv.index_min]), _MIN_COLOR, "λ_min")
    _vline(fig, float(x[cv.index_1se]), _1SE_COLOR, "λ_1se", dash="dot")
    style(fig, f"{penalty_name(cv.l1_ratio)}: {cv.k}-fold cross-validation", "log10 λ", "mean test MSE (± 1 SE)",
          height=_HEIGHT)
    nz = cv.path.n_nonzero
    text = (f"{cv.k}-fold CV over {cv.lams.size} λ values: least mean test MSE {fmt(cv.mse_mean[cv.index_min])} "
            f"(SE {fmt(cv.mse_se[cv.index_min])}) at λ_min = {fmt(cv.lam_min)} with {int(nz[cv.index_min])} non-zero "
            f"coefficients; λ_1se = {fmt(cv.lam_1se)} (MSE {fmt(cv.mse_mean[cv.index_1se])}) with "
            f"{int(nz[cv.index_1se])} non-zero.")
    return fig, text


def degree_figure(explorer: DegreeExplorer) -> tuple[go.Figure, str]:
    """Training and held-out test MSE against polynomial degree (log-scale MSE axis).

    Returns
    -------
    fig : plotly.graph_objects.Figure
    summary : str
        The best degree by test error, and both errors there and at the highest degree.

    Notes
    -----
    Training MSE can only fall as the degree grows; test MSE, on rows the fits never saw,
    falls and then rises once the polynomial starts to fit the noise.

    Examples
    --------
    >>> from linreg.complexity import degree_explorer
    >>> rng = np.random.default_rng(1); x = rng.uniform(-1, 1, 40); y = x**2 + 0.1 * rng.normal(size=40)
    >>> fig, text = degree_figure(degree_explorer(x, y, max_degree=4))
    >>> [t.name for t in fig.data], fig.layout.xaxis.title.text
    (['training MSE', 'test MSE'], 'polynomial degree')
    """
    d = explorer.degrees
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=d, y=explorer.train_mse, mode="lines+markers", name="training MSE",
                             line={"color": _TRAIN_COLOR},
                             hovertemplate="degree %{x}<br>train MSE = %{y:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=d, y=explorer.test_mse, mode="lines+markers", name="test MSE",
                             line={"color": _TEST_COLOR},
                             hovertemplate="degree %{x}<br>test MSE = %{y:.4g}<extra></extra>"))
    best = explorer.best_degree
    _vline(fig, best, "#555555", f"best test: degree {best}", dash="dot")
    style(fig, "Training and test error by degree", "polynomial degree", "mean squared error (log scale)",
          height=_HEIGHT)
    positive = np.concatenate([explorer.train_mse, explorer.test_mse])
    if np.all(positive > 0):
        fig.update_yaxes(type="log")
    fig.update_xaxes(dtick=1 if d.size <= 20 else None)
    i = best - 1
    text = (f"Degrees 1 to {int(d[-1])} on {explorer.train_index.size} training and "
            f"{explorer.test_index.size} test rows "
            f"(seed {explorer.seed}): test MSE is least at degree {best} ({fmt(explorer.test_mse[i])}, training "
            f"{fmt(explorer.train_mse[i])}); at degree {int(d[-1])} training MSE is {fmt(explorer.train_mse[-1])} "
            f"and test MSE {fmt(explorer.test_mse[-1])}.")
    return fig, text


def bootstrap_figure(
    boot: BootstrapFits,
    *,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    max_curves: int = _MAX_FAN,
    labels: Mapping[str, str] | None = None,
) -> tuple[go.Figure, str]:
    """The fan of bootstrap-fitted curves, their mean, and the true curve when known.

    Parameters
    ----------
    boot : BootstrapFits
    x, y : ndarray, shape (n,), optional
        The data, drawn as points (a seeded sample of at most 20,000).
    max_curves : int, default 100
        Curves drawn (the first ones); the statistics use all ``boot.n_boot``.
    labels : mapping, optional
        ``{"x": ..., "y": ...}`` axis titles (default "x" and "y").

    Returns
    -------
    fig : plotly.graph_objects.Figure
    summary : str

    Examples
    --------
    >>> from linreg.complexity import bootstrap_fits
    >>> x = np.linspace(0, 1, 20); y = x + 0.1 * np.sin(7 * x)
    >>> fig, text = bootstrap_figure(bootstrap_fits(x, y, degree=1, n_boot=10, truth=lambda g: g), x=x, y=y)
    >>> fig.data[-1].name, "squared bias" in text
    ('true curve', True)
    """
    labels = dict(labels or {})
    xl, yl = labels.get("x", "x"), labels.get("y", "y")
    g = boot.grid
    fig = go.Figure()
    if x is not None and y is not None:
        idx = sample_index(len(x))
        fig.add_trace(go.Scatter(x=np.asarray(x)[idx], y=np.asarray(y)[idx], mode="markers", name="data",
                                 marker={"color": "#888888", "size": 5, "opacity": 0.6}, hoverinfo="skip"))
    m = min(int(max_curves), boot.n_boot)
    # One trace with NaN breaks between curves: hundreds of traces would swamp the legend.
    xs = np.concatenate([np.append(g, np.nan) for _ in range(m)]) if m else np.array([])
    ys = np.concatenate([np.append(c, np.nan) for c in boot.curves[:m]]) if m else np.array([])
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"bootstrap fits ({m} of {boot.n_boot} shown)",
                             line={"color": _FAN_COLOR, "width": 1}, hoverinfo="skip", connectgaps=False))
    fig.add_trace(go.Scatter(x=g, y=boot.mean_curve, mode="lines", name="mean of fits",
                             line={"color": _MEAN_COLOR, "width": 2.5},
                             hovertemplate="x = %{x:.4g}<br>mean fit = %{y:.4g}<extra></extra>"))
    if boot.truth is not None:
        fig.add_trace(go.Scatter(x=g, y=boot.truth, mode="lines", name="true curve",
                                 line={"color": _TRUTH_COLOR, "width": 2, "dash": "dash"},
                                 hovertemplate="x = %{x:.4g}<br>truth = %{y:.4g}<extra></extra>"))
    style(fig, f"{boot.n_boot} bootstrap fits of degree {boot.degree}", xl, yl, height=_HEIGHT)
    text = (f"{boot.n_boot} bootstrap refits of a degree-{boot.degree} polynomial (seed {boot.seed}): "
            f"variance of the fitted curves averages {fmt(boot.mean_variance)} over the grid "
            f"(largest {fmt(float(boot.variance.max()))})")
    if boot.mean_bias_sq is not None:
        text += (f"; squared bias against the true curve averages {fmt(boot.mean_bias_sq)} "
                 f"(largest {fmt(float(boot.bias_sq.max()))}).")
    else:
        text += "; the true curve is unknown, so bias is not shown."
    return fig, text


