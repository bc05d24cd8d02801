"""Lessons 2 and 3's component payloads (linreg.plots.lesson_drag) and the checks of what comes back.

The browser evaluates the loss of a moving line from ``loss_quadratic``'s five numbers; these tests
do the same sum in numpy and compare it with ``line_fit`` (and the gradient with ``chain_rule``)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from linreg import lessons
from linreg.exceptions import DataError
from linreg.plots import lesson_drag


def _browser_loss(q: dict, b0: float, b1: float) -> float:
    """lesson_plot.js's lossOf, line for line."""
    d0, d1 = b0 - q["center"][0], b1 - q["center"][1]
    u = d0 + q["mean_x"] * d1
    return q["loss_min"] + u * u + q["var_x"] * d1 * d1


@pytest.mark.parametrize("name", list(lessons.LESSON_DATA))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_browsers_loss_is_line_fits_anywhere_in_the_sliders_box(name, seed):
    d = lessons.lesson_data(name)
    q = lesson_drag.loss_quadratic(d)
    (lo0, hi0, _), (lo1, hi1, _) = lessons.line_ranges(d.x, d.y)
    rng = np.random.default_rng(seed)
    for b0, b1 in zip(rng.uniform(lo0, hi0, 20), rng.uniform(lo1, hi1, 20), strict=True):
        assert _browser_loss(q, b0, b1) == pytest.approx(lessons.line_fit(d.x, d.y, b0, b1).loss, rel=1e-11)
    # Its bottom is the least-squares line, and nothing in the box is lower.
    assert_allclose(q["center"], d.ols.coef, rtol=1e-12)
    assert q["loss_min"] == pytest.approx(d.ols.rss / d.n, rel=1e-12)


def test_the_bowl_grid_spans_the_sliders_and_holds_the_loss_of_each_line():
    d = lessons.lesson_data("cars")
    v = lesson_drag.bowl_drag_view(d, (0.0, 1.0), size=21)
    json.dumps(v)  # what the component gets must be JSON
    (lo0, hi0, _), (lo1, hi1, _) = lessons.line_ranges(d.x, d.y)
    g = v["grid"]
    assert_allclose([g["b0"][0], g["b0"][-1], g["b1"][0], g["b1"][-1]], [lo0, hi0, lo1, hi1])
    z = np.array(g["loss"])
    assert z.shape == (21, 21)
    for q_, p in [(0, 0), (3, 17), (20, 20), (10, 4)]:
        assert z[q_, p] == pytest.approx(lessons.line_fit(d.x, d.y, g["b0"][p], g["b1"][q_]).loss, rel=1e-6)
    assert z.min() >= v["quadratic"]["loss_min"] * (1 - 1e-6)
    assert v["line"] == [0.0, 1.0] and v["x"] == d.x.tolist() and v["x_name"] == "speed"


def test_the_chain_view_and_the_browsers_gradient_are_chain_rules():
    d = lessons.lesson_data("anscombe_1")
    v = lesson_drag.chain_drag_view(d, (4.0, 0.2), 5)
    json.dumps(v)
    assert (v["i"], v["line"]) == (5, [4.0, 0.2])
    x, y = np.array(v["x"]), np.array(v["y"])
    e = 4.0 + 0.2 * x - y  # chain_drag.js's chainRule: ŷ − y per row, then the mean of 2 e xᵢ
    c = lessons.chain_rule(d.X1, d.y, [4.0, 0.2], 5)
    assert_allclose([np.mean(2 * e), np.mean(2 * e * x)], c.grad, rtol=1e-13)
    assert 2 * e[5] == pytest.approx(c.dL_dyhat, rel=1e-13)
    assert _browser_loss(v["quadratic"], 4.0, 0.2) == pytest.approx(c.loss, rel=1e-12)


@pytest.mark.parametrize("i", [0, 10, 3.0])
def test_checked_point_takes_a_row_position(i):
    assert lessons.checked_point(lessons.lesson_data("anscombe_1"), i) == int(i)


@pytest.mark.parametrize("i", [11, -1, 2.5, "3", None, True, float("nan")])
def test_checked_point_refuses_what_is_not_a_row_position(i):
    with pytest.raises(DataError, match=r"point i is a row position from 0 to 10; got .*Click a point"):
        lessons.checked_point(lessons.lesson_data("anscombe_1"), i)
