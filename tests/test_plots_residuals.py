"""Figure builders of the Residuals page: R's numbers, labels, contours, sampling, and no NaN on screen."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from linreg.ols import fit_ols
from linreg.smooth import lowess, ppoints, qq_line
from linreg.plots import residuals as rp
from linreg.plots._style import POINTS_BYTES, SMOOTH_POINTS

# R's datasets::cars (Ezekiel 1930), in R's row order; R names the rows 1..50.
SPEED = [4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15,
         15, 16, 16, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25]
DIST = [2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20, 26,
        54, 32, 40, 32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85]
R_NAMES = np.arange(1, 51)

@pytest.fixture(scope="module")
def cars():
    return fit_ols(np.array(SPEED, float)[:, None], np.array(DIST, float), terms=["speed"])


def _labels(fig: go.Figure) -> list[str]:
    """The row labels written beside the extreme points, in R's order."""
    return [a.text for a in fig.layout.annotations if a.name == "row label"]


def _trace(fig: go.Figure, mode: str, name: str | None = None):
    found = [t for t in fig.data if getattr(t, "mode", None) == mode and (name is None or t.name == name)]
    assert len(found) == 1, [(t.mode, t.name) for t in fig.data]
    return found[0]


# ---------------------------------------------------------------------------------------------
# Normal Q-Q (the quantiles themselves are tested in tests/test_smooth.py)
# ---------------------------------------------------------------------------------------------
def test_normal_qq_of_cars_matches_r(cars):
    fig, summary, note = rp.normal_qq(cars, R_NAMES)
    pts = _trace(fig, "markers")
    assert_allclose(pts.y, cars.standardized_resid)
    assert_allclose(pts.x, stats.norm.ppf(ppoints(50))[np.argsort(np.argsort(cars.standardized_resid, kind="stable"))])
    # R: qqnorm(rstandard(lm(dist ~ speed, cars)))$x[49] == qnorm(49.5 / 50)
    assert_allclose(pts.x[48], 2.326347874, atol=1e-9)
    assert _labels(fig) == ["49", "23", "35"]  # plot(lm(dist ~ speed, cars), which = 2)
    line = _trace(fig, "lines")
    slope, intercept = qq_line(cars.standardized_resid)
    assert_allclose(np.diff(line.y) / np.diff(line.x), [slope])
    assert "50 standardized residuals" in summary and "rows 49, 23 and 35" in summary
    assert note is None


# ---------------------------------------------------------------------------------------------
# Cook's distance contours and the labelled rows
# ---------------------------------------------------------------------------------------------
def test_residuals_vs_leverage_contours_and_labels_match_r(cars):
    fig, summary, _ = rp.residuals_vs_leverage(cars, R_NAMES)
    for level in rp.COOK_LEVELS:
        curves = [t for t in fig.data if t.mode == "lines" and t.legendgroup == f"Cook's distance {level:g}"]
        assert len(curves) == 2
        for c in curves:
            h, r = np.asarray(c.x), np.asarray(c.y)
            assert_allclose(r**2 * h / (cars.rank * (1 - h)), level)  # D = r^2 h / (p (1 - h))
        assert_allclose(curves[0].y, -np.asarray(curves[1].y))
    # R draws the contours over leverage from min(min(h), max(h) / 100) to the axis end, 1.04 max(h).
    h = cars.leverage
    assert_allclose(curves[0].x[[0, -1]], [min(h.min(), h.max() / 100), 1.04 * h.max()])
    assert _labels(fig) == ["49", "23", "39"]  # plot(lm(dist ~ speed, cars), which = 5)
    assert_allclose(_trace(fig, "markers").y, cars.standardized_resid)
    assert f"{cars.cooks_distance.max():.3g}" in summary and "row 49" in summary


def test_labelled_rows_are_the_largest_against_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(11)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.standard_t(2, size=80)
    result = fit_ols(X, y)
    infl = sm.OLS(y, sm.add_constant(X)).fit().get_influence()
    rs = infl.resid_studentized_internal
    cook = infl.cooks_distance[0]
    by_abs_rs = list(np.argsort(-np.abs(rs))[:3])
    for builder in (rp.normal_qq, rp.scale_location):
        assert _labels(builder(result)[0]) == [str(i) for i in by_abs_rs]
    assert _labels(rp.residuals_vs_fitted(result)[0]) == [
        str(i) for i in np.argsort(-np.abs(result.resid))[:3]
    ]
    assert _labels(rp.residuals_vs_leverage(result)[0]) == [str(i) for i in np.argsort(-cook)[:3]]


def test_most_extreme_skips_nan_and_keeps_data_order_on_ties():
    assert rp._most_extreme(np.array([np.nan, 2.0, 3.0, 2.0, 1.0])).tolist() == [2, 1, 3]
    assert rp._most_extreme(np.array([np.nan, 1.0])).tolist() == [1]


# ---------------------------------------------------------------------------------------------
# Residuals vs fitted, scale-location, histogram
# ---------------------------------------------------------------------------------------------
def test_residuals_vs_fitted_of_cars(cars):
    fig, summary, note = rp.residuals_vs_fitted(cars, R_NAMES)
    assert_allclose(_trace(fig, "markers").x, cars.fitted)
    assert_allclose(_trace(fig, "markers").y, cars.resid)
    smooth = _trace(fig, "lines", "smoother (lowess)")
    xs, ys = lowess(cars.fitted, cars.resid)
    assert_allclose(smooth.x, xs)
    assert_allclose(smooth.y, ys)
    assert _labels(fig) == ["49", "23", "35"]  # plot(lm(dist ~ speed, cars), which = 1)
    assert f"from {ys.min():.3g} to {ys.max():.3g}" in summary
    assert summary.startswith("Residuals vs fitted: 50 points")
    assert note is None


def test_scale_location_of_cars(cars):
    fig, summary, _ = rp.scale_location(cars, R_NAMES)
    root = np.sqrt(np.abs(cars.standardized_resid))
    assert_allclose(_trace(fig, "markers").y, root)
    _, ys = lowess(cars.fitted, root)
    assert_allclose(_trace(fig, "lines").y, ys)
    assert _labels(fig) == ["49", "23", "35"]  # plot(lm(dist ~ speed, cars), which = 3)
    assert "√|standardized residual|" in summary


def test_histogram_counts_every_row_and_scales_the_normal_density(cars):
    fig, summary, note = rp.residual_histogram(cars)
    bars = [t for t in fig.data if isinstance(t, go.Bar)][0]
    assert int(np.sum(bars.y)) == 50
    curve = _trace(fig, "lines")
    width = float(bars.width)
    assert_allclose(curve.y, 50 * width * stats.norm.pdf(curve.x, scale=cars.sigma))
    assert "50 residuals" in summary and note is None


# ---------------------------------------------------------------------------------------------
# Every figure: axis titles, hover, no NaN drawn; large data; leverage one
# ---------------------------------------------------------------------------------------------
BUILDERS = [rp.residuals_vs_fitted, rp.normal_qq, rp.scale_location, rp.residuals_vs_leverage]


@pytest.mark.parametrize("builder", [*BUILDERS, rp.residual_histogram])
def test_every_figure_has_axis_titles_and_a_summary(cars, builder):
    fig, summary, _ = builder(cars) if builder is rp.residual_histogram else builder(cars, R_NAMES)
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert summary and "nan" not in summary.lower()


@pytest.mark.parametrize("builder", BUILDERS)
def test_hover_shows_the_row_label_and_its_data(cars, builder):
    hover = pd.DataFrame({"dist": DIST, "speed": SPEED})
    fig, _, _ = builder(cars, R_NAMES, hover=hover)
    pts = _trace(fig, "markers")
    assert pts.hovertemplate.startswith("%{text}<br>")
    assert "<br>dist = %{customdata[" in pts.hovertemplate and "<br>speed = %{customdata[" in pts.hovertemplate
    row49 = list(pts.text).index("row 49")
    assert 120.0 in pts.customdata[row49] and 24.0 in pts.customdata[row49]


def test_hover_text_is_escaped(cars):
    hover = pd.DataFrame({"dist": DIST, "note": ["<b>bold</b> 100%"] * 50})
    labels = np.array(["<i>x</i>"] + [str(i) for i in range(2, 51)], dtype=object)
    fig, _, _ = rp.residuals_vs_fitted(cars, labels, hover=hover)
    pts = _trace(fig, "markers")
    assert pts.text[0] == "row &lt;i&gt;x&lt;/i&gt;<br>note = &lt;b&gt;bold&lt;/b&gt; 100%"
    assert "<br>dist = %{customdata[2]:.4g}" in pts.hovertemplate


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(5)
    n = rp.CHART_POINTS + 22_000
    X = rng.normal(size=(n, 2))
    y = X @ [1.0, 2.0] + rng.normal(size=n) * (1 + np.abs(X[:, 0]))
    return fit_ols(X, y)


@pytest.mark.parametrize("builder", BUILDERS)
def test_large_data_draws_a_webgl_sample_with_the_extremes(big, builder):
    fig, summary, note = builder(big)
    pts = [t for t in fig.data if t.mode == "markers"][0]
    assert isinstance(pts, go.Scattergl)
    assert rp.CHART_POINTS <= len(pts.x) <= rp.CHART_POINTS + rp.ID_N
    labelled = {f"row {v}" for v in _labels(fig)}
    assert len(labelled) == rp.ID_N and labelled <= set(pts.text)  # the labelled rows are always drawn
    assert f"{big.n:,}" in summary  # statistics count every row
    # plotly draws its WebGL layer above SVG: lines over WebGL points must be WebGL too, to be seen.
    assert all(isinstance(t, go.Scattergl) for t in fig.data if t.mode == "lines")
    assert f"random sample of {rp.CHART_POINTS:,} of the {big.n:,} rows" in note
    for t in fig.data:
        if t.mode == "lines" and t.name == "smoother (lowess)":
            assert len(t.x) <= 1_000
            assert f"fitted to a random sample of {SMOOTH_POINTS:,} of the rows" in note


@pytest.mark.parametrize("builder", BUILDERS)
def test_hover_numbers_travel_as_float32_unless_that_loses_digits(cars, builder):
    fig, _, _ = builder(cars, R_NAMES, hover=pd.DataFrame({"dist": DIST}))
    pts = _trace(fig, "markers")
    assert pts.customdata.dtype == np.float32  # half the bytes; hover shows 4 significant digits
    # Values float32 cannot hold (beyond ~3e38) keep float64 rather than becoming inf.
    fig, _, _ = builder(cars, R_NAMES, hover=pd.DataFrame({"huge": np.array(DIST) * 1e300}))
    pts = _trace(fig, "markers")
    assert pts.customdata.dtype == np.float64 and np.isfinite(pts.customdata).all()


@pytest.mark.parametrize("builder", BUILDERS)
def test_long_hover_text_draws_fewer_rows_within_the_byte_budget(big, builder):
    # A page shows four of these charts and may send about 2 MB: long text per row means fewer rows.
    labels = np.array([f"customer-{i:06d}-of-the-northern-region" for i in range(big.n)], dtype=object)
    hover = pd.DataFrame({"note": [f"free text {i % 97} " * 6 for i in range(big.n)]})
    fig, _, note = builder(big, labels, hover=hover)
    pts = _trace(fig, "markers")
    assert len(pts.x) < rp.CHART_POINTS
    shown = int(note.split("random sample of ")[1].split(" ")[0].replace(",", ""))
    assert shown <= len(pts.x) <= shown + rp.ID_N  # the note counts the sample; the labelled rows are added
    points_json = go.Figure(pts).to_json()
    assert len(points_json) <= 1.05 * POINTS_BYTES + len(go.Figure().to_json())


def test_diagnostic_figures_are_the_four_plots_then_the_histogram(cars):
    figures = rp.diagnostic_figures(cars, R_NAMES, max_points=30)
    titles = [fig.layout.title.text for fig, _, _ in figures]
    assert titles == ["Residuals vs Fitted", "Normal Q-Q", "Scale-Location", "Residuals vs Leverage",
                      "Histogram of residuals"]
    for builder, (fig, summary, note) in zip(BUILDERS, figures, strict=False):
        _, expected_summary, expected_note = builder(cars, R_NAMES, max_points=30)
        assert (summary, note) == (expected_summary, expected_note)
        assert "random sample of 30 of the 50 rows" in note


def test_rows_of_leverage_one_are_left_out_with_a_note():
    rng = np.random.default_rng(0)
    n = 20
    x = rng.normal(size=n)
    only_row_5 = np.zeros(n)
    only_row_5[5] = 1.0  # a dummy with one row: the fit passes through that row
    y = 1 + 2 * x + rng.normal(size=n)
    result = fit_ols(np.column_stack([x, only_row_5]), y, terms=["x", "g[b]"])
    labels = np.arange(100, 100 + n)
    for builder in (rp.normal_qq, rp.scale_location, rp.residuals_vs_leverage):
        fig, summary, note = builder(result, labels)
        pts = _trace(fig, "markers")
        assert len(pts.x) == n - 1 and np.all(np.isfinite(pts.y))
        assert "row 105" not in set(pts.text)
        assert "105" in note and "leverage one" in note and "—" in note
        assert "19 " in summary
    fig, _, note = rp.residuals_vs_fitted(result, labels)
    assert len(_trace(fig, "markers").x) == n and note is None  # raw residuals exist for every row


def test_exact_fit_gives_empty_plots_not_errors():
    x = np.arange(6.0)
    result = fit_ols(x[:, None], 1 + 2 * x)
    for builder in BUILDERS:
        fig, summary, _ = builder(result)
        assert fig.layout.xaxis.title.text
        assert "nan" not in summary.lower()
    assert rp.residual_histogram(result)[1]


def test_row_labels_must_match_the_rows(cars):
    with pytest.raises(ValueError, match="one label per row"):
        rp.residuals_vs_fitted(cars, [1, 2, 3])


def test_hover_frame_aligns_the_users_values_with_the_fit():
    from types import SimpleNamespace

    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "x": [5.0, 6.0, 7.0, 8.0], "z": list("abcd")}, index=[10, 11, 12, 13])
    design = SimpleNamespace(spec=SimpleNamespace(target="y", features=("x",)), row_labels=np.array([10, 12, 13]))
    frame = rp.hover_frame(df, design)
    assert frame.to_dict("list") == {"y": [1.0, 3.0, 4.0], "x": [5.0, 7.0, 8.0]}


def test_labels_of_nearby_points_do_not_overlap():
    fig = go.Figure()
    x = np.array([0.0, 10.0, 10.1, 10.05, 5.0])
    y = np.array([0.0, 10.0, 10.05, 9.98, 5.0])
    rp._label_rows(fig, x, y, np.array(list("abcde")), np.array([1, 2, 3, 4]))
    shifts = {a.text: a.yshift for a in fig.layout.annotations}
    assert shifts["b"] == 0 and shifts["e"] == 0  # alone, or the first of a crowd: in place
    assert len({shifts["b"], shifts["c"], shifts["d"]}) == 3  # the crowd is spread over three lines
    anchors = {a.text: a.xanchor for a in fig.layout.annotations}
    assert anchors["e"] == "left" and anchors["b"] == "right"  # as R: outward from the middle
