"""The gradient-descent stepper in a real browser: the numbers on screen are linreg's, the keys
work, no step reruns the script, a link taken after stepping opens at the same iteration, and a
click on Next paints within a frame or two."""

from __future__ import annotations

import statistics
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from linreg.datasets import load_dataset
from linreg.descent import gradient_descent
from linreg.design import ModelSpec, build_design
from linreg.format import fmt
from linreg.plots.descent import descent_summary, step_view

from .conftest import CLICK_TO_PAINT, wait_for_app

pytestmark = pytest.mark.e2e

READY = ".gds[data-ready='1']"


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector(READY, timeout=60_000)


def _k(page) -> int:
    return int(page.locator(".gds").get_attribute("data-k"))


def _run_of(url: str):
    """The run a share link describes (the built-in data), recomputed with linreg."""
    q = {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}
    df, _ = load_dataset(q.get("data", "cars"))
    spec = ModelSpec(target=q["target"], features=tuple(q["features"].split(",")))
    design = build_design(df, spec)
    g = gradient_descent(design.X, design.y, learning_rate=float(q["lr"]), n_iter=int(q["iters"]),
                         momentum=float(q["mom"]), seed=int(q["gseed"]), standardize=q["gstd"] == "1",
                         ridge=float(q["ridge"]), intercept=design.intercept)
    return design, g


def _check_screen(page, design, g, k: int) -> None:
    """The caption, the live region, the table and the equations show linreg's numbers at k."""
    assert _k(page) == k
    assert page.locator(".gds-caption").inner_text() == descent_summary(g, k, terms=design.terms)
    assert page.locator(".gds-live").inner_text() == f"Iteration {k}: loss {fmt(g.history.loss[k])}"
    view = step_view(g, k, range(5), row_labels=design.row_labels, terms=design.terms)
    rows = page.locator(".gds-table tbody tr")
    shown = [[rows.nth(r).locator("td").nth(c).inner_text() for c in range(view.table.shape[1])]
             for r in range(rows.count())]
    assert shown == view.table.astype(str).values.tolist()
    equations = page.locator(".gds-equations").inner_text()
    assert "(" + ", ".join(fmt(v) for v in view.grad) + ")" in equations
    assert "(" + ", ".join(fmt(v) for v in view.w_next) + ")" in equations
    assert page.locator(".gds-summary").inner_text() == view.summary


def _share_link(page) -> str:
    page.wait_for_selector("text=Share this view", timeout=30_000)
    return page.locator('[data-testid="stSidebar"] .lsl-url').first.text_content()


def test_stepping_forward_and_back_shows_linregs_numbers(page, base_url):
    _open(page, f"{base_url}/descent")
    design, g = _run_of(_share_link(page))
    _check_screen(page, design, g, 0)
    nxt, back = page.get_by_role("button", name="Next ›"), page.get_by_role("button", name="‹ Back")
    for _ in range(5):
        nxt.click()
    _check_screen(page, design, g, 5)
    back.click()
    back.click()
    _check_screen(page, design, g, 3)
    page.get_by_role("button", name="Last »").click()
    _check_screen(page, design, g, g.n_iter)
    assert nxt.is_disabled()


def test_the_keyboard_steps_jumps_and_plays(page, base_url):
    _open(page, f"{base_url}/descent")
    design, g = _run_of(_share_link(page))
    page.locator(".gds").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert _k(page) == 3
    page.keyboard.press("ArrowLeft")
    _check_screen(page, design, g, 2)
    page.keyboard.press("End")
    assert _k(page) == g.n_iter
    page.keyboard.press("Home")
    assert _k(page) == 0
    assert page.locator(".gds-live").get_attribute("aria-live") == "polite"
    page.keyboard.press(" ")
    page.wait_for_function("() => +document.querySelector('.gds').dataset.k >= 3", timeout=10_000)
    page.keyboard.press(" ")
    paused = _k(page)
    page.wait_for_timeout(400)
    assert _k(page) == paused
    assert page.get_by_role("button", name="▶ Play").is_visible()


def test_no_step_reruns_the_script(page, base_url):
    # The browser asks for a rerun only by a message on the websocket: none may go while stepping,
    # one (the settled iteration) after the user stops.
    sent: list[float] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(1)))
    _open(page, f"{base_url}/descent")
    page.wait_for_timeout(1000)
    wait_for_app(page)  # the first runs are over (a slow machine may still be on one after a second)
    before, mounts = len(sent), page.evaluate("() => window.__gdsMounts")
    times = page.evaluate(CLICK_TO_PAINT, 12)  # 12 clicks, ~70 ms apart: faster than the settle
    assert _k(page) == 12
    assert len(sent) == before, "a step sent a message to the server"
    page.wait_for_timeout(1500)
    wait_for_app(page)
    assert len(sent) == before + 1, "the settled iteration goes back once"
    assert _k(page) == 12
    page.wait_for_function("() => window.location.search.includes('k=12')", timeout=10_000)
    assert max(times) < 1000


def test_the_settled_rerun_keeps_the_stepper_mounted(page, base_url):
    # The first run computes what later runs find stored and sends the prefetch script; every
    # element keeps its place all the same (ui.jobs.placeholder), so the settle's rerun does not
    # mount the stepper anew, however the browser paints it.
    _open(page, f"{base_url}/descent")
    page.wait_for_timeout(1000)
    wait_for_app(page)
    mounts = page.evaluate("() => window.__gdsMounts")
    page.evaluate(CLICK_TO_PAINT, 3)
    page.wait_for_timeout(1500)
    wait_for_app(page)
    assert _k(page) == 3 and page.evaluate("() => window.__gdsMounts") == mounts


def test_a_link_taken_after_stepping_opens_at_that_iteration(page, base_url, browser):
    _open(page, f"{base_url}/descent")
    nxt = page.get_by_role("button", name="Next ›")
    for _ in range(7):
        nxt.click()
    page.wait_for_function("() => window.location.search.includes('k=7')", timeout=10_000)
    wait_for_app(page)
    link = _share_link(page)
    assert "k=7" in link
    fresh = browser.new_context()
    other = fresh.new_page()
    _open(other, link)
    design, g = _run_of(link)
    _check_screen(other, design, g, 7)
    fresh.close()


def test_next_paints_within_a_frame_or_two(page, base_url):
    _open(page, f"{base_url}/descent")
    page.wait_for_timeout(1000)
    times = page.evaluate(CLICK_TO_PAINT, 20)
    median = statistics.median(times)
    print(f"click to paint, Next, cars (N = 50): median {median:.1f} ms over 20 clicks, slowest {max(times):.1f} ms")
    # The target is 50 ms; twice that leaves room for a machine shared with other work.
    assert median <= 100, times
    assert np.isfinite(times).all()
