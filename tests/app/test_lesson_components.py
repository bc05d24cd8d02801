"""Learn page, lessons 1-3: what their browser components get, and what the session keeps when one
settles (the state the browser sends, then the component's callback, as Streamlit runs them)."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from linreg import lessons
from linreg.format import fmt
from linreg.ols import fit_ols
from tests.app._learn import (
    APP,
    anscombe_1,
    assert_clean,
    component_view,
    metrics,
    open_at,
    open_lesson,
    reveal,
    settle,
)

# ----------------------------------------------------------------------------- lesson 1


def test_lesson_1_sends_the_data_the_line_and_the_ranges_to_the_browser():
    at = open_lesson(1)
    x, y = anscombe_1()
    d = lessons.lesson_data("anscombe_1")
    view = component_view(at)
    assert view["name"] == "anscombe_1" and (view["x_name"], view["y_name"]) == ("x", "y")
    assert view["x"] == view["x0"] == x.tolist() and view["y"] == view["y0"] == y.tolist()
    assert view["line"] == list(lessons.starting_line(d))
    (b0, b1) = lessons.line_ranges(x, y)
    assert view["sliders"] == {"intercept": list(b0), "slope": list(b1)}
    (xa, xb, _), (ya, yb, _) = lessons.drag_area(d)
    assert view["area"]["x"][:2] == [xa, xb] and view["area"]["y"][:2] == [ya, yb]
    assert xa < x.min() and x.max() < xb and ya < y.min() and y.max() < yb
    assert view["limits"] == [3, 200] and view["shown"] is False and view["equal"] is True
    # The lesson draws its own figure in the browser: no plotly chart, and no rerun to move anything.
    assert not at.get("plotly_chart")
    at.selectbox(key="learn_ds_1").set_value("cars").run()
    at.checkbox(key="learn_equal_cars").uncheck().run()
    assert_clean(at)
    view = component_view(at)
    assert view["name"] == "cars" and view["equal"] is False and (view["x_name"], view["y_name"]) == ("speed", "dist")
    assert any("different scales" in c.value for c in at.caption)


def test_lesson_1_keeps_what_the_browser_settled_on_and_lesson_2_starts_from_that_line():
    x, y = anscombe_1()
    moved_y = y.copy()
    moved_y[2] = 12.0
    state = {"name": "anscombe_1", "line": [1.0, 0.7], "x": x.tolist() + [15.0], "y": moved_y.tolist() + [5.0],
             "shown": True}
    kept = settle(state).session_state
    assert kept["lr_lesson_line"]["anscombe_1"] == (1.0, 0.7)
    assert kept["lr_lesson_points"]["anscombe_1"] == (tuple(state["x"]), tuple(state["y"]))
    assert kept["learn_shown_1"] is True
    # The same session opens lesson 1 where the browser left it, and lesson 2 at the same line.
    at = AppTest.from_file(APP, default_timeout=30).run()
    for key in ("lr_lesson_line", "lr_lesson_points", "learn_shown_1"):
        at.session_state[key] = kept[key]
    at.switch_page("pages/learn.py").run()
    view = component_view(at)
    assert (view["x"], view["y"], view["line"], view["shown"]) == (state["x"], state["y"], [1.0, 0.7], True)
    assert view["x0"] == x.tolist()
    at.selectbox(key="learn_lesson").set_value(2).run()
    assert_clean(at)
    assert component_view(at)["line"] == [1.0, 0.7]
    # Back at the dataset's own points, nothing is kept for them.
    back = settle({**state, "x": x.tolist(), "y": y.tolist()}).session_state
    assert "anscombe_1" not in back["lr_lesson_points"]


@pytest.mark.parametrize(("change", "message"), [
    ({"x": [1.0, 2.0], "y": [1.0, 2.0]}, "holds 3 to 200 points"),
    ({"x": [5.0, 6.0, 7.0], "y": [5.0, 6.0]}, "x has 3 values but y has 2"),
    ({"x": [5.0, 6.0, 1e9], "y": [5.0, 6.0, 7.0]}, "outside the plot"),
    ({"x": [5.0, 6.0, "a"], "y": [5.0, 6.0, 7.0]}, "must be numbers"),
    ({"line": [1.0, 99.0]}, "outside the sliders' ranges"),
])
def test_lesson_1_refuses_a_state_the_browser_cannot_have_sent(change, message):
    x, y = anscombe_1()
    state = {"name": "anscombe_1", "line": [1.0, 0.5], "x": x.tolist(), "y": y.tolist(), "shown": False, **change}
    kept = settle(state).session_state
    assert message in kept["learn_drag_error"]
    assert "lr_lesson_line" not in kept and "lr_lesson_points" not in kept


# ----------------------------------------------------------------------------- lesson 2


def test_lesson_2_sends_the_bowl_and_keeps_the_line_the_browser_settled_on():
    at = open_lesson(2)
    x, y = anscombe_1()
    d = lessons.lesson_data("anscombe_1")
    view = component_view(at)
    assert view["name"] == "anscombe_1" and view["line"] == list(lessons.starting_line(d))
    assert view["x"] == x.tolist() and view["y"] == y.tolist()
    (lo0, hi0, step0), (lo1, hi1, step1) = lessons.line_ranges(x, y)
    assert view["sliders"] == {"intercept": [lo0, hi0, step0], "slope": [lo1, hi1, step1]}
    # The contour grid spans the sliders' box and holds the loss of each of its lines, to 7 digits.
    g = view["grid"]
    assert (g["b0"][0], g["b0"][-1], g["b1"][0], g["b1"][-1]) == pytest.approx((lo0, hi0, lo1, hi1))
    for q, p in [(0, 0), (40, 17), (80, 80)]:
        expected = lessons.line_fit(x, y, g["b0"][p], g["b1"][q]).loss
        assert g["loss"][q][p] == pytest.approx(expected, rel=1e-6)
    r = fit_ols(x[:, None], y)
    quad = view["quadratic"]
    np.testing.assert_allclose(quad["center"], r.coef, rtol=1e-12)
    assert quad["loss_min"] == pytest.approx(r.rss / 11, rel=1e-12)
    assert not at.get("plotly_chart")  # the bowl is the component's own drawing
    # The browser settles on a line: lessons 2 and 3 (and 1) open at it.
    kept = settle({"name": "anscombe_1", "line": [1.0, 0.7]}, "l02_bowl").session_state
    assert kept["lr_lesson_line"]["anscombe_1"] == (1.0, 0.7)
    at = open_at(2, kept)
    assert component_view(at)["line"] == [1.0, 0.7]
    refused = settle({"name": "anscombe_1", "line": [1.0, 99.0]}, "l02_bowl").session_state
    assert "outside the sliders' ranges" in refused["learn_bowl_error"] and "lr_lesson_line" not in refused
    # The normal equations stay the server's.
    m = metrics(at)
    X1 = np.column_stack([np.ones(11), x])
    assert m["cond(X)"] == fmt(np.linalg.cond(X1))
    assert m["cond(XᵀX) as computed"] == fmt(np.linalg.cond(X1.T @ X1))
    # Shifting x makes the problem ill-conditioned: cond(XᵀX) ≈ cond(X)².
    at.select_slider(key="learn_shift").set_value(10_000.0).run()
    assert_clean(at)
    X1s = np.column_stack([np.ones(11), x + 10_000.0])
    assert metrics(at)["cond(X)"] == fmt(np.linalg.cond(X1s))
    assert float(metrics(at)["cond(X)"]) > 1e7
    reveal(at, 2, "about 1,000,000")
    assert at.success and "cond(X)²" in at.success[0].value


# ----------------------------------------------------------------------------- lesson 3


def test_lesson_3_chain_rule_numbers_match_finite_differences():
    at = open_lesson(3)
    view = component_view(at)
    assert view["i"] == 0 and view["name"] == "anscombe_1"
    kept = settle({"name": "anscombe_1", "line": [4.0, 0.2], "i": 5}, "l03_chain_rule").session_state
    assert kept["lr_lesson_line"]["anscombe_1"] == (4.0, 0.2) and kept["learn_i_anscombe_1"] == 5
    at = open_at(3, kept, ("lr_lesson_line", "learn_i_anscombe_1"))
    view = component_view(at)
    assert (view["line"], view["i"]) == ([4.0, 0.2], 5)
    x, y = anscombe_1()
    w = np.array([4.0, 0.2])
    yhat = w[0] + w[1] * x
    # Central differences of L by hand (exact for a quadratic up to rounding).
    L = lambda v: np.mean((y - v[0] - v[1] * x) ** 2)
    h = 1e-4
    numeric = np.array([(L(w + h * e) - L(w - h * e)) / (2 * h) for e in np.eye(2)])
    analytic = 2 / 11 * np.array([np.sum(yhat - y), np.sum((yhat - y) * x)])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-8)
    table = at.dataframe[0].value
    assert table.iloc[:, 1].tolist() == [fmt(v, 10) for v in analytic]
    np.testing.assert_allclose(table.iloc[:, 2].astype(float), numeric, rtol=1e-8)
    latex = " ".join(e.value for e in at.latex)
    i = 5
    assert f"L_{{{i}}}" in latex and fmt((y[i] - yhat[i]) ** 2) in latex
    assert fmt(2 * (yhat[i] - y[i])) in latex
    direction = "raises it" if yhat[i] < y[i] else "lowers it"
    reveal(at, 3, direction)
    assert at.success


@pytest.mark.parametrize(("i", "message"), [(11, "from 0 to 10"), (-1, "from 0 to 10"), (2.5, "got 2.5"),
                                            ("3", "got '3'"), (True, "got True")])
def test_lesson_3_refuses_a_point_the_browser_cannot_have_sent(i, message):
    kept = settle({"name": "anscombe_1", "line": [4.0, 0.2], "i": i}, "l03_chain_rule").session_state
    assert message in kept["learn_chain_error"]
    assert "lr_lesson_line" not in kept
