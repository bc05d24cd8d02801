"""Lesson 1 in a real browser: a dragged, added or removed point moves the least-squares line, R²,
leverage and Cook's distance on screen to what linreg computes on the moved data, the user's line
keeps its squares and RSS, and nothing reruns the script until the user lets go."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from linreg.datasets import load_dataset
from linreg.format import fmt
from linreg.lessons import drag_area, lesson_data, line_fit
from linreg.ols import fit_ols

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

READY = ".lpd[data-ready='1']"
POINT = ".lpd-dot-point"


def _open(page, url: str, sent: list | None = None) -> None:
    if sent is not None:
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(1)))
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole plot on screen: mouse events need it
    page.goto(f"{url}/learn?lesson=1")
    wait_for_app(page)
    page.wait_for_selector(READY, timeout=60_000)
    page.locator(".lpd-svg").scroll_into_view_if_needed()


def _frame(page) -> None:
    """Wait for the next frame: the component redraws once a frame, after the input that changed it."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))")


def _points(page) -> tuple[np.ndarray, np.ndarray]:
    """The points as the screen states them: each point's label, "Point i: x = …, y = …"."""
    _frame(page)
    xs, ys = [], []
    for label in page.locator(POINT).evaluate_all("(nodes) => nodes.map((n) => n.getAttribute('aria-label'))"):
        head, y = label.rsplit(" = ", 1)
        xs.append(float(head.rsplit(", ", 1)[0].rsplit(" = ", 1)[1]))
        ys.append(float(y))
    return np.array(xs), np.array(ys)


def _centre(page, i: int) -> tuple[float, float]:
    box = page.locator(POINT).nth(i).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _metric(page, label: str) -> str:
    _frame(page)
    box = page.locator(".lpd-metric").filter(has=page.locator(".lpd-metric-label", has_text=re.compile(f"^{re.escape(label)}$")))
    return box.locator(".lpd-metric-value").inner_text()


def _check_fit(page, x: np.ndarray, y: np.ndarray, i: int | None = None) -> None:
    """The least-squares numbers on screen are fit_ols's on these points, to the digits shown."""
    r = fit_ols(x[:, None], y)
    best = page.locator(".lpd-best-text").inner_text()
    assert f"y = {fmt(r.coef[0], 6)} + {fmt(r.coef[1], 6)} x with RSS = {fmt(r.rss, 6)}" in best, best
    assert _metric(page, "R²") == fmt(r.r_squared, 4)
    assert _metric(page, "Least-squares RSS") == fmt(r.rss, 6)
    assert _metric(page, "Points N") == str(len(x))
    if i is not None:
        text = page.locator(".lpd-point").inner_text()
        assert f"leverage h = {fmt(r.leverage[i])}" in text, text
        assert f"Cook's distance D = {fmt(r.cooks_distance[i])}" in text, text


def _check_user_line(page, x: np.ndarray, y: np.ndarray) -> None:
    """The user's line, its RSS, loss and largest residual: linreg.lessons.line_fit on these points."""
    b0 = float(page.locator(".lpd-range[data-line=intercept]").input_value())
    b1 = float(page.locator(".lpd-range[data-line=slope]").input_value())
    f = line_fit(x, y, b0, b1)
    assert _metric(page, "Your RSS") == fmt(f.rss, 6)
    assert _metric(page, "Your loss L = RSS/N") == fmt(f.loss, 6)
    assert _metric(page, "Largest |residual|") == fmt(f.max_abs_resid, 4)
    # One square per point, as tall as its residual is on screen.
    assert page.locator(".lpd-squares").get_attribute("d").count("M") == len(x)


def _reveal(page) -> None:
    page.get_by_role("button", name="Reveal the least-squares line").click()
    page.wait_for_selector(".lpd-best:not([hidden])")


def test_a_dragged_point_moves_the_line_as_fit_ols_says_with_no_rerun(page, base_url):
    sent: list[int] = []
    _open(page, base_url, sent)
    df, _ = load_dataset("anscombe_1")
    x0, y0 = df["x"].to_numpy(), df["y"].to_numpy()
    x, y = _points(page)
    assert x.tolist() == x0.tolist() and y.tolist() == y0.tolist()
    _reveal(page)
    _check_fit(page, x, y)
    page.wait_for_timeout(1200)  # the reveal settles and reruns once
    wait_for_app(page)
    before, mounts, draws = len(sent), page.evaluate("() => window.__lpdMounts"), page.evaluate("() => window.__lpdDraws")
    i = 2
    sx, sy = _centre(page, i)
    page.mouse.move(sx, sy)
    page.mouse.down()
    for step in range(1, 31):
        page.mouse.move(sx + 2 * step, sy - 3 * step)
    page.mouse.up()
    assert len(sent) == before, "a drag frame sent a message to the server"
    assert page.evaluate("() => window.__lpdDraws") - draws >= 5, "the drag did not redraw as it went"
    # The point is where it was dropped (to within its snapping step), and the screen says so.
    cx, cy = _centre(page, i)
    assert abs(cx - (sx + 60)) < 3 and abs(cy - (sy - 90)) < 3
    x, y = _points(page)
    assert x[i] > x0[i] and y[i] > y0[i]
    assert np.delete(x, i).tolist() == np.delete(x0, i).tolist() and np.delete(y, i).tolist() == np.delete(y0, i).tolist()
    (_, _, xs), (_, _, ys) = drag_area(lesson_data("anscombe_1"))
    assert x[i] / xs == pytest.approx(round(x[i] / xs)) and y[i] / ys == pytest.approx(round(y[i] / ys))
    _check_fit(page, x, y, i)
    _check_user_line(page, x, y)
    # Once the user lets go, the settled points go back once; the component is not mounted again.
    page.wait_for_timeout(1500)
    wait_for_app(page)
    assert len(sent) == before + 1, "the settled state goes back once"
    assert page.evaluate("() => window.__lpdMounts") == mounts
    assert _points(page)[1].tolist() == y.tolist()  # the rerun kept what is on screen
    r = fit_ols(x[:, None], y)
    live = page.locator(".lpd-live")
    assert live.get_attribute("aria-live") == "polite"
    assert live.inner_text().startswith(f"Least-squares line: y = {fmt(r.coef[0], 6)} + {fmt(r.coef[1], 6)} x, "
                                        f"R² {fmt(r.r_squared, 4)}, from 11 points.")


def test_a_click_adds_a_point_and_a_double_click_removes_one(page, base_url):
    _open(page, base_url)
    _reveal(page)
    x0, y0 = _points(page)
    # An empty spot: the top left of the plot, far from Anscombe's points.
    frame = page.locator(".lpd-frame").bounding_box()
    page.mouse.click(frame["x"] + 30, frame["y"] + 25)
    x, y = _points(page)
    assert len(x) == 12 and x[:11].tolist() == x0.tolist() and y[:11].tolist() == y0.tolist()
    assert x[11] < x0.min() and y[11] > y0.max()
    _check_fit(page, x, y, 11)
    _check_user_line(page, x, y)
    cx, cy = _centre(page, 4)
    page.mouse.dblclick(cx, cy)
    x, y = _points(page)
    assert len(x) == 11 and x.tolist() == np.delete(np.append(x0, x[-1]), 4).tolist()
    _check_fit(page, x, y)
    # Down to the fewest points the lesson holds, and no further.
    while len(_points(page)[0]) > 3:
        page.mouse.dblclick(*_centre(page, 0))
    page.mouse.dblclick(*_centre(page, 0))
    assert len(_points(page)[0]) == 3
    assert "at least 3 points" in page.locator(".lpd-message").inner_text()
    _check_fit(page, *_points(page), 0)
    page.get_by_role("button", name="Reset the data").click()
    x, y = _points(page)
    assert x.tolist() == x0.tolist() and y.tolist() == y0.tolist()
    _check_fit(page, x, y)


def test_the_keyboard_moves_a_focused_point_and_the_line_sliders(page, base_url):
    _open(page, base_url)
    _reveal(page)
    x0, y0 = _points(page)
    (_, _, xs), (_, _, ys) = drag_area(lesson_data("anscombe_1"))
    page.locator(POINT).nth(5).focus()
    for key in ("ArrowUp", "ArrowUp", "Shift+ArrowRight"):
        page.keyboard.press(key)
    x, y = _points(page)
    # Each key goes to the next line of the snapping grid: one step on from a point already on it.
    assert y[5] == pytest.approx((math.floor(y0[5] / ys) + 2) * ys) and x[5] == pytest.approx(x0[5] + 10 * xs)
    _check_fit(page, x, y, 5)
    page.keyboard.press("Delete")
    x, y = _points(page)
    assert len(x) == 10
    _check_fit(page, x, y)
    # The user's line by eye: its sliders are keyboard range inputs, and its RSS follows them.
    before = _metric(page, "Your RSS")
    page.locator(".lpd-range[data-line=slope]").focus()
    for _ in range(25):
        page.keyboard.press("ArrowRight")
    assert _metric(page, "Your RSS") != before
    _check_user_line(page, x, y)
    assert "0.5" in page.locator(".lpd-slider").nth(1).inner_text()
