"""Browser section: click-to-paint of *Next ›* on the Gradient descent page, in headless Chromium.

The app is served by ``streamlit run`` on a free port and driven by Playwright with the system
Chromium (as the e2e tests do). A click is timed in the page from ``click()`` to a frame and then
a task, by when the browser has painted what the click changed; the clicks come 60 ms apart,
faster than the stepper sends its settled iteration, so none waits for the server. The bytes the
browser sends over the websocket during the clicks are counted too (0: no rerun).
"""

from __future__ import annotations

import statistics

__all__ = ["section_browser"]

CLICKS = 20
BUDGET_S = {1_000: 0.050, 100_000: 0.100}  # medians the stepper must meet (N ≤ 1,000 and N = 100,000)


def _budget(n: int) -> float:
    return BUDGET_S[1_000] if n <= 1_000 else BUDGET_S[100_000]


def section_browser(sizes: list[int]) -> dict:
    """Median click-to-paint of *Next ›* at each N (synthetic ``linear`` data, 3 features; cars at N = 50)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        CLICK_TO_PAINT,
        start_app,
        stop_app,
    )

    proc, url = start_app()
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for n in sizes:
                page = browser.new_page(viewport={"width": 1400, "height": 1600})
                sent = []
                page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
                query = "data=cars" if n == 50 else f"gen=linear&g_n={n}&g_seed=0"
                page.goto(f"{url}/descent?{query}")
                page.wait_for_selector(".gds[data-ready='1']", timeout=180_000)
                page.wait_for_timeout(1500)
                before = sum(sent)
                times = [t / 1000 for t in page.evaluate(CLICK_TO_PAINT, CLICKS)]
                bytes_sent = sum(sent) - before
                median = statistics.median(times)
                rows.append({"n": n, "clicks": CLICKS, "median_s": median, "max_s": max(times),
                             "bytes_sent_during_clicks": bytes_sent, "budget_s": _budget(n),
                             "met": median <= _budget(n) and bytes_sent == 0})
                page.close()
            browser.close()
    finally:
        stop_app(proc)
    return {"rows": rows}
