"""linreg.lessons: the numbers the lessons show, checked by hand, against linreg and against finite differences."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from linreg import lessons
from linreg.datasets import load_dataset
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import DataError, ModelError
from linreg.format import fmt
from linreg.ols import fit_ols
from linreg.penalized import fit_penalized
from linreg.plots import lessons as plots
from linreg.quadratic import check_gradient, gradient, loss
from linreg.synthetic import make_data


@pytest.fixture(scope="module")
def cars():
    return lessons.lesson_data("cars")


# ----------------------------------------------------------------------------- data


@pytest.mark.parametrize("name", list(lessons.LESSON_DATA))
def test_lesson_data_is_the_source_data(name):
    d = lessons.lesson_data(name)
    if name == "synthetic":
        df = make_data("linear", n=30, seed=0).data
    else:
        df, _ = load_dataset(name)
    assert_allclose(d.x, df[d.x_name].to_numpy())
    assert_allclose(d.y, df[d.y_name].to_numpy())
    assert d.X1.shape == (d.n, 2) and np.all(d.X1[:, 0] == 1)
    assert_allclose(d.ols.coef, fit_ols(d.x[:, None], d.y).coef, rtol=1e-14)


def test_lesson_data_unknown_name():
    with pytest.raises(ModelError, match="lesson dataset must be one of"):
        lessons.lesson_data("iris")


# ----------------------------------------------------------------------------- lesson 1


def test_line_fit_rss_is_the_hand_computation():
    # Three points, the line y = 1 + x: residuals 0, 0, 1 -> RSS 1.
    f = lessons.line_fit([0.0, 1.0, 2.0], [1.0, 2.0, 4.0], 1.0, 1.0)
    assert f.resid.tolist() == [0.0, 0.0, 1.0] and f.rss == 1.0 and f.loss == 1.0 / 3


def test_line_fit_on_cars_matches_loss_and_ols_is_the_minimum(cars):
    f = lessons.line_fit(cars.x, cars.y, -10.0, 3.5)
    by_hand = sum((yi - (-10.0 + 3.5 * xi)) ** 2 for xi, yi in zip(cars.x.tolist(), cars.y.tolist()))
    assert_allclose(f.rss, by_hand, rtol=1e-13)
    assert_allclose(f.loss, loss(cars.X1, cars.y, [-10.0, 3.5]), rtol=1e-13)
    best = lessons.line_fit(cars.x, cars.y, *cars.ols.coef)
    assert_allclose(best.rss, cars.ols.rss, rtol=1e-12)
    # R's lm(dist ~ speed): residual standard error 15.38 on 48 df -> RSS = 11353.52.
    assert_allclose(best.rss, 11353.52, rtol=1e-6)
    assert best.rss < f.rss


@pytest.mark.parametrize("name", list(lessons.LESSON_DATA))
def test_line_ranges_hold_the_ols_line_on_round_steps(name):
    d = lessons.lesson_data(name)
    (lo0, hi0, s0), (lo1, hi1, s1) = lessons.line_ranges(d.x, d.y)
    assert lo0 <= d.ols.coef[0] <= hi0 and lo1 <= d.ols.coef[1] <= hi1
    assert lo0 <= d.y.mean() <= hi0 and lo1 < 0 < hi1
    for lo, hi, step in ((lo0, hi0, s0), (lo1, hi1, s1)):
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 9) in (1.0, 2.0, 5.0)
        assert abs((hi - lo) / step - round((hi - lo) / step)) < 1e-6
        assert 50 <= (hi - lo) / step <= 500


def test_line_ranges_constant_x():
    with pytest.raises(ModelError, match="x is constant"):
        lessons.line_ranges([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("x_per_y", [1.0, 0.25, 3.0])
def test_residual_squares_have_the_residual_as_side(cars, x_per_y):
    f = lessons.line_fit(cars.x, cars.y, 5.0, 2.0)
    sq = lessons.residual_squares(cars.x, f.fitted, f.resid, x_per_y)
    height = sq[:, 3] - sq[:, 2]
    width = sq[:, 1] - sq[:, 0]
    assert_allclose(height, np.abs(f.resid), rtol=1e-12, atol=1e-12)
    assert_allclose(width * height, f.resid**2 * x_per_y, rtol=1e-12, atol=1e-9)
    # One vertical side runs from the point to the line.
    assert_allclose(np.minimum(cars.y, f.fitted), sq[:, 2])
    assert_allclose(sq[:, 0], cars.x)


def test_line_figure_draws_one_square_per_point_and_reports_the_rss(cars):
    f = lessons.line_fit(cars.x, cars.y, 0.0, 3.0)
    fig, text = plots.line_figure(cars, f, ols_fit=lessons.line_fit(cars.x, cars.y, *cars.ols.coef))
    assert len(fig.layout.shapes) == cars.n
    assert fig.layout.xaxis.title.text == "speed" and fig.layout.yaxis.title.text == "dist"
    assert f"RSS = {fmt(f.rss)}" in text and fmt(cars.ols.rss) in text


@pytest.mark.parametrize("name", list(lessons.LESSON_DATA))
def test_drag_area_holds_the_data_and_the_least_squares_line_on_round_steps(name):
    d = lessons.lesson_data(name)
    (xa, xb, xs), (ya, yb, ys) = lessons.drag_area(d)
    assert xa < d.x.min() and d.x.max() < xb
    assert ya < min(d.y.min(), d.ols.fitted.min()) and max(d.y.max(), d.ols.fitted.max()) < yb
    for lo, hi, step in ((xa, xb, xs), (ya, yb, ys)):
        assert 80 <= (hi - lo) / step <= 202  # up to 200 steps of 1, 2 or 5 times a power of ten
        assert lo / step == pytest.approx(round(lo / step)) and hi / step == pytest.approx(round(hi / step))


def test_moved_points_take_what_the_browser_may_send_and_refuse_the_rest(cars):
    x, y = lessons.moved_points(cars, [4.0, 10.0, 20.0], [2.0, 30.0, 100.0])
    assert x.tolist() == [4.0, 10.0, 20.0] and y.tolist() == [2.0, 30.0, 100.0]
    (xa, xb, _), (ya, yb, _) = lessons.drag_area(cars)
    lessons.moved_points(cars, [xa, 10.0, xb], [ya, 30.0, yb])  # the edges are inside
    with pytest.raises(DataError, match="holds 3 to 200 points; got 2"):
        lessons.moved_points(cars, [4.0, 10.0], [2.0, 30.0])
    with pytest.raises(DataError, match="holds 3 to 200 points; got 201"):
        lessons.moved_points(cars, np.full(201, 10.0), np.full(201, 10.0))
    with pytest.raises(DataError, match="x has 3 values but y has 4"):
        lessons.moved_points(cars, [4.0, 10.0, 20.0], [2.0, 30.0, 100.0, 1.0])
    with pytest.raises(DataError, match="not a finite number"):
        lessons.moved_points(cars, [4.0, 10.0, float("nan")], [2.0, 30.0, 100.0])
    with pytest.raises(DataError, match="must be numbers"):
        lessons.moved_points(cars, [4.0, 10.0, {}], [2.0, 30.0, 100.0])
    with pytest.raises(DataError, match="outside the plot"):
        lessons.moved_points(cars, [4.0, 10.0, xb + 1], [2.0, 30.0, 100.0])


def test_checked_line_is_two_numbers_inside_the_sliders(cars):
    (lo0, hi0, _), (lo1, hi1, _) = lessons.line_ranges(cars.x, cars.y)
    assert lessons.checked_line(cars, [lo0, hi1]) == (lo0, hi1)
    with pytest.raises(DataError, match="outside the sliders' ranges"):
        lessons.checked_line(cars, [lo0, hi1 * 2])
    with pytest.raises(DataError, match="outside the sliders' ranges"):
        lessons.checked_line(cars, [float("inf"), 0.0])
    with pytest.raises(DataError, match="two numbers"):
        lessons.checked_line(cars, [1.0])


def test_line_drag_view_is_json_with_the_data_and_its_ranges(cars):
    view = plots.line_drag_view(cars, (5.0, 2.0), points=([4.0, 5.0, 6.0], [1.0, 2.0, 3.0]), shown=True)
    assert json.loads(json.dumps(view)) == view
    assert view["x"] == [4.0, 5.0, 6.0] and view["y"] == [1.0, 2.0, 3.0]
    assert view["x0"] == cars.x.tolist() and view["y0"] == cars.y.tolist()
    assert view["line"] == [5.0, 2.0] and view["shown"] is True and view["equal"] is False
    (b0, b1) = lessons.line_ranges(cars.x, cars.y)
    assert view["sliders"] == {"intercept": list(b0), "slope": list(b1)}
    assert view["area"] == {"x": list(lessons.drag_area(cars)[0]), "y": list(lessons.drag_area(cars)[1])}
    assert (view["x_name"], view["y_name"]) == ("speed", "dist")


# ----------------------------------------------------------------------------- lesson 2


def test_bowl_is_the_loss_on_its_grid_with_the_minimum_at_ols(cars):
    b = lessons.bowl(cars, point=[50.0, -2.0], size=31)
    assert b.loss.shape == (31, 31)
    assert b.b0[0] <= 50.0 <= b.b0[-1] and b.b1[0] <= -2.0 <= b.b1[-1]
    rng = np.random.default_rng(0)
    for q, p in rng.integers(0, 31, size=(10, 2)):
        assert_allclose(b.loss[q, p], loss(cars.X1, cars.y, [b.b0[p], b.b1[q]]), rtol=1e-10)
    assert_allclose(b.loss[15, 15], b.loss_min, rtol=1e-12)  # the centre is the OLS line
    assert b.loss.min() >= b.loss_min * (1 - 1e-12)
    assert_allclose(b.minimum, cars.ols.coef)


def test_normal_equations_by_hand_and_the_squared_condition_number():
    d = lessons.lesson_data("anscombe_1")
    ne = lessons.normal_equations(d)
    x, y = d.x, d.y
    assert_allclose(ne.XtX, [[11, x.sum()], [x.sum(), (x**2).sum()]])
    assert_allclose(ne.Xty, [y.sum(), (x * y).sum()])
    assert_allclose(ne.coef_normal, np.linalg.solve(ne.XtX, ne.Xty), rtol=1e-12)
    assert_allclose(ne.coef_qr, ne.coef_normal, rtol=1e-12)
    assert_allclose(ne.cond_XtX, ne.cond_X**2, rtol=1e-8)
    assert_allclose(ne.digits_lost_normal, 2 * ne.digits_lost_qr, rtol=1e-8)
    # Shifting x changes only the intercept of the fitted line, and makes X ill-conditioned.
    shifted = lessons.normal_equations(d, 1e4)
    assert_allclose(shifted.coef_qr[1], ne.coef_qr[1], rtol=1e-8)
    assert_allclose(shifted.coef_qr[0], ne.coef_qr[0] - 1e4 * ne.coef_qr[1], rtol=1e-8)
    assert shifted.cond_X > 1e6 * ne.cond_X / 1e3
    assert shifted.max_rel_difference >= ne.max_rel_difference


# ----------------------------------------------------------------------------- lesson 3


@pytest.mark.parametrize("seed", range(20))
def test_chain_rule_numbers_match_the_finite_difference_gradient(cars, seed):
    rng = np.random.default_rng(seed)
    w = np.array([rng.normal(0, 20), rng.normal(0, 3)])
    i = int(rng.integers(cars.n))
    c = lessons.chain_rule(cars.X1, cars.y, w, i)
    xi, yi = cars.X1[i], cars.y[i]
    yhat_i = xi @ w
    assert c.yhat_i == pytest.approx(yhat_i, rel=1e-14)
    assert c.loss_i == pytest.approx((yi - yhat_i) ** 2, rel=1e-12)
    assert c.dL_dyhat == pytest.approx(2 * (yhat_i - yi), rel=1e-12)
    assert_allclose(c.x_i, xi)
    assert_allclose(c.grad_i, 2 * (yhat_i - yi) * xi, rtol=1e-12)
    # ∇L is the mean of the per-row gradients, and agrees with central finite differences.
    rows = [2 * (cars.X1[j] @ w - cars.y[j]) * cars.X1[j] for j in range(cars.n)]
    assert_allclose(c.grad, np.mean(rows, axis=0), rtol=1e-10)
    assert_allclose(c.grad, gradient(cars.X1, cars.y, w), rtol=1e-12)
    fd = check_gradient(cars.X1, cars.y, w)
    assert_allclose(c.check.numeric, fd.numeric)
    assert_allclose(c.grad, c.check.numeric, rtol=1e-6)
    assert c.check.passed


def test_chain_latex_shows_the_numbers():
    c = lessons.chain_rule([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [1.0, 1.0], 1)
    lines = plots.chain_latex(c)
    assert len(lines) == 4
    assert "(3 - 2)^2 = 1" in lines[0] and "= -2" in lines[1] and r"\frac{1}{2}" in lines[3]


def test_chain_rule_bad_row():
    with pytest.raises(ModelError, match="rows must be whole-number row positions"):
        lessons.chain_rule([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0], [1.0, 1.0], 5)


# ----------------------------------------------------------------------------- lesson 4


def test_gd_lesson_run_is_small_steps_close_to_the_minimum():
    g = lessons.gd_lesson_run()
    assert (g.n_iter, g.learning_rate, g.standardize, g.batch_size) == (50, 0.05, True, None)
    assert not g.converged and not g.diverged
    assert g.loss_min < g.final_loss < 1.01 * g.loss_min


# ----------------------------------------------------------------------------- lessons 5 and 6


@pytest.mark.parametrize("name", list(lessons.LESSON_DATA))
def test_learning_rate_just_below_the_bound_zigzags_and_converges(name):
    d = lessons.lesson_data(name)
    r = lessons.learning_rate_run(d, 0.95, n_iter=60, standardize=True)
    assert_allclose(r.max_stable, 1.0, rtol=1e-12)  # standardized, one feature: H = 2I
    assert r.step_factor == pytest.approx(-0.9)
    assert r.sign_changes == 60  # the slope overshoots at every step
    assert not r.run.diverged and np.all(np.diff(r.run.history.loss) <= 1e-12 * r.run.history.loss[0])
    raw = lessons.learning_rate_run(d, 0.95, n_iter=60, standardize=False)
    assert raw.run.learning_rate == pytest.approx(0.95 * 2 / raw.lam_max)
    assert not raw.run.diverged


@pytest.mark.parametrize("standardize", [True, False])
def test_learning_rate_above_the_bound_diverges(standardize):
    d = lessons.lesson_data("cars")
    r = lessons.learning_rate_run(d, 1.05, n_iter=60, standardize=standardize)
    assert r.step_factor < -1
    assert r.run.final_loss > r.run.history.loss[0]
    big = lessons.learning_rate_run(d, 1.1, n_iter=300, standardize=standardize)
    assert big.run.diverged
    assert np.all(np.isfinite(big.run.history.loss))


def test_learning_rate_run_bad_factor():
    with pytest.raises(ModelError, match="factor must be a positive number"):
        lessons.learning_rate_run(lessons.lesson_data("cars"), -1.0)


def test_scaling_runs_standardized_needs_far_fewer_iterations(cars):
    runs = lessons.scaling_runs(cars)
    raw, std = runs["raw features"], runs["standardized"]
    assert raw.converged and std.converged
    assert raw.n_iter > 1000 * std.n_iter
    assert_allclose(raw.coef, cars.ols.coef, rtol=1e-6)
    assert_allclose(std.coef, cars.ols.coef, rtol=1e-10)


# ----------------------------------------------------------------------------- lessons 7 and 8


def test_anscombe_fits_share_the_published_line():
    fits = lessons.anscombe_fits()
    assert [t for t, *_ in fits] == ["I", "II", "III", "IV"]
    for _, _, _, r in fits:
        # Anscombe (1973): y = 3.00 + 0.500 x, R^2 = 0.67 for every set.
        assert_allclose(r.coef, [3.0, 0.5], atol=3e-3)
        assert r.r_squared == pytest.approx(0.67, abs=0.005)


def test_design_preview_and_curves_by_group_follow_the_coefficients():
    sd = make_data("categorical", n=60, seed=2)
    spec = ModelSpec("y", features=("x", "group"), categorical=("group",))
    design = build_design(sd.data, spec)
    r = fit_design(design)
    preview = lessons.design_preview(design, rows=4)
    assert preview.columns.tolist() == ["(ones)", "x", "group[b]", "group[c]"]
    assert_allclose(preview.to_numpy()[:, 1:], design.X[:4])
    curves = lessons.curves_by_group(sd.data, design, r, "x", "group", size=11)
    assert list(curves) == ["a", "b", "c"]
    b0, b1, gb, gc = r.coef
    for level, shift in (("a", 0.0), ("b", gb), ("c", gc)):
        gx, gy = curves[level]
        assert_allclose(gy, b0 + shift + b1 * gx, rtol=1e-12)
    fig, text = plots.curves_figure(sd.data, "x", "y", "group", curves)
    assert fig.layout.xaxis.title.text == "x" and text.startswith("Fitted curves a:")


# ----------------------------------------------------------------------------- lesson 10


def test_penalized_preview_is_fit_penalized_and_tends_to_ols():
    sd = make_data("collinear", n=40, seed=1, p=4, correlation=0.9, noise=2.0)
    X, y = sd.data[["x1", "x2", "x3", "x4"]].to_numpy(), sd.data["y"].to_numpy()
    p = lessons.penalized_preview(X, y, 0.3, terms=("x1", "x2", "x3", "x4"))
    assert p.terms == ("Intercept", "x1", "x2", "x3", "x4")
    assert_allclose(p.ridge, fit_penalized(X, y, lam=0.3, l1_ratio=0.0, standardize=True).coef)
    assert_allclose(p.lasso, fit_penalized(X, y, lam=0.3, l1_ratio=1.0, standardize=True).coef)
    assert p.ols_mse <= min(p.ridge_mse, p.lasso_mse)
    tiny = lessons.penalized_preview(X, y, 1e-12)
    assert_allclose(tiny.ridge, tiny.ols, rtol=1e-6, atol=1e-8)
    assert_allclose(tiny.lasso, tiny.ols, rtol=1e-6, atol=1e-8)
    huge = lessons.penalized_preview(X, y, 100.0)
    assert huge.lasso_zeros == 4 and np.count_nonzero(huge.ridge[1:] == 0) == 0


def test_figures_have_axis_titles_and_summaries(cars):
    c = lessons.chain_rule(cars.X1, cars.y, [0.0, 1.0], 3)
    for fig, text in [plots.chain_figure(cars, c),
                      plots.bowl_figure(lessons.bowl(cars), np.array([0.0, 1.0]), x_name="speed"),
                      plots.learning_rate_figure(lessons.learning_rate_run(cars, 0.9)),
                      plots.anscombe_figure(lessons.anscombe_fits()),
                      plots.anscombe_residuals_figure(lessons.anscombe_fits())]:
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
        assert text and "nan" not in text.lower()


def test_design_preview_without_intercept():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.0]})
    d = build_design(df, ModelSpec("y", intercept=False))
    assert lessons.design_preview(d).columns.tolist() == ["x"]
