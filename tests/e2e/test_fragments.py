"""Fragments in the browser: a control that changes only its part of a page reruns only that part.

A full rerun resends every element of the page, the sidebar's included; a fragment's rerun sends
only its own. So the websocket frames that follow an interaction tell which ran: the sidebar's
"Share this view" heading comes back only with a full rerun.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

SIDEBAR = b"Share this view"


class Frames:
    """The websocket frames the page receives, from the last :meth:`reset` on."""

    def __init__(self, page):
        self.frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    def reset(self) -> None:
        self.frames.clear()

    def contain(self, text: bytes) -> bool:
        return any(text in f for f in self.frames)


def _settle(page) -> None:
    page.wait_for_timeout(400)
    wait_for_app(page)


def _lam(page) -> float:
    return float(parse_qs(urlparse(page.url).query)["lam"][0])


def test_moving_lambda_reruns_only_its_part_and_the_url_follows(page, base_url):
    frames = Frames(page)
    page.goto(f"{base_url}/regularization?data=cars")
    wait_for_app(page, timeout=60_000)
    page.locator(".st-key-reg_path_chart .main-svg").first.wait_for(timeout=30_000)
    lam_before = _lam(page)
    metric = page.locator('[data-testid="stMetric"]').first
    shown_before = metric.inner_text()

    frames.reset()
    page.locator(".st-key-reg_lam_index input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(v) => document.querySelector('[data-testid=stMetric]').innerText !== v",
                           arg=shown_before, timeout=30_000)
    _settle(page)
    assert frames.frames, "the move sent nothing back"
    assert not frames.contain(SIDEBAR), "moving λ reran the whole page"
    # The link follows λ, though app.py (which keeps it in step on full runs) did not run.
    assert _lam(page) != lam_before
    assert re.search(r"[\d.]", metric.inner_text())

    # The check can fail: a penalty change reruns the page, sidebar included.
    frames.reset()
    page.locator(".st-key-reg_penalty").get_by_text("Elastic net").click()
    _settle(page)
    assert frames.contain(SIDEBAR)


def test_a_lesson_question_reruns_only_itself(page, base_url):
    frames = Frames(page)
    page.goto(f"{base_url}/learn?data=cars&lesson=7")
    wait_for_app(page, timeout=60_000)
    box = page.locator(".st-key-learn_guess_7")
    box.wait_for(timeout=30_000)
    assert page.locator(".st-key-learn_anscombe_fits").count() == 0

    frames.reset()
    box.get_by_text("set I", exact=True).click()
    _settle(page)
    page.locator(".st-key-learn_reveal_7 button").click()
    page.locator(".st-key-learn_anscombe_fits .main-svg").first.wait_for(timeout=30_000)
    _settle(page)
    # The answer and the scatter plots it uncovers came, and nothing of the rest of the page.
    assert frames.frames and not frames.contain(SIDEBAR)
    assert page.get_by_text("Right: set I.").count() == 1
    assert page.locator(".st-key-learn_anscombe_fits [data-testid=stPlotlyChart]").get_attribute("aria-label")
