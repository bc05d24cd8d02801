"""Browser section: click-to-paint of *Next ›* on the Gradient descent page, the cold first chart
and each page's warm first paint, in headless Chromium.

The app is served by ``streamlit run`` on a free port and driven by Playwright with the system
Chromium (as the e2e tests do). A click is timed in the page from ``click()`` to a frame and then
a task, by when the browser has painted what the click changed; the clicks come 60 ms apart,
faster than the stepper sends its settled iteration, so none waits for the server. The bytes the
browser sends over the websocket during the clicks are counted too (0: no rerun).

The cold first chart starts a new server for each repeat, with the browser already open, and
times from the server's first ``ok`` on ``/_stcore/health`` to the Data page's chart drawn and
painted. A warm first paint is a click on a page's link in the sidebar, with the page visited
once before (results cached, the browser holding Streamlit's scripts), until the page's main
content is drawn and painted.
"""

from __future__ import annotations

import statistics
import time

__all__ = ["cold_first_chart", "first_paints", "section_browser", "warm_first_paints"]

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
    return {"rows": rows, **first_paints()}


# --------------------------------------------------------------------------- cold start and warm first paint

COLD_REPEATS = 3
WARM_ROUNDS = 3
WARM_N = 1_000
COLD_BUDGET_S, WARM_BUDGET_S = 3.0, 1.5
# (URL path, what shows that the page's main content is there). A chart counts once plotly has drawn
# its plot area; the GD page's main content is its stepper, ready; the Learn page's the lesson's chart.
PAGE_CONTENT = (
    ("/", ".st-key-explore_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/fit", ".st-key-fit_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/residuals", ".st-key-res_fitted [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/descent", ".gds[data-ready='1']"),
    ("/compare", ".st-key-compare_rate_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/regularization", ".st-key-reg_path_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/learn", "[class*='st-key-learn_'] .main-svg .cartesianlayer .subplot"),
)

# Resolves one frame and one task after ``selector`` matches: by then the browser has painted it.
_PAINTED = """async ([selector, timeoutMs]) => {
  const t0 = performance.now();
  while (!document.querySelector(selector)) {
    if (performance.now() - t0 > timeoutMs) throw new Error('not drawn within ' + timeoutMs + ' ms: ' + selector);
    await new Promise((r) => requestAnimationFrame(r));
  }
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}"""

# Click the sidebar's link to ``path``, then wait as _PAINTED does; milliseconds from the click.
_NAVIGATE = """async ([path, selector, timeoutMs]) => {
  const link = [...document.querySelectorAll('[data-testid=stSidebarNav] a')]
    .find((a) => new URL(a.href).pathname.replace(/\\/$/, '') === path.replace(/\\/$/, ''));
  if (!link) throw new Error('no sidebar link to ' + path);
  const t0 = performance.now();
  link.click();
  while (!document.querySelector(selector)) {
    if (performance.now() - t0 > timeoutMs) throw new Error('not drawn within ' + timeoutMs + ' ms: ' + selector);
    await new Promise((r) => requestAnimationFrame(r));
  }
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}"""


def _settle(page, timeout_ms: float = 120_000) -> None:
    """Wait until no script runs (the status widget is gone), then a little longer."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout_ms)
    page.wait_for_timeout(500)


def cold_first_chart(browser, repeats: int = COLD_REPEATS) -> dict:
    """Seconds from a new server's health check to the Data page's first chart painted, per repeat.

    The browser is already running, as a visitor's would be; each repeat is a fresh server and a
    fresh browser context (nothing cached on either side).
    """
    from tests.e2e.conftest import start_app, stop_app

    times = []
    for _ in range(repeats):
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = context.new_page()
        proc, url = start_app()  # returns at the first "ok" from /_stcore/health
        t0 = time.perf_counter()
        try:
            page.goto(f"{url}/", wait_until="commit")
            page.evaluate(_PAINTED, [PAGE_CONTENT[0][1], 60_000])
            times.append(time.perf_counter() - t0)
        finally:
            context.close()
            stop_app(proc)
    median = statistics.median(times)
    return {"repeats": repeats, "times_s": times, "median_s": median, "budget_s": COLD_BUDGET_S,
            "met": median <= COLD_BUDGET_S}


def warm_first_paints(browser, url: str, n: int = WARM_N, rounds: int = WARM_ROUNDS) -> list[dict]:
    """Each page's warm first paint with ``n`` rows of synthetic data loaded: a sidebar click to its main content.

    Every page is visited once first (its results computed and cached); then each round walks
    the pages in the sidebar's order, timing each arrival. Returns one row per page.
    """
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    try:
        page.goto(f"{url}/?gen=linear&g_n={n}&g_seed=0")
        page.evaluate(_PAINTED, [PAGE_CONTENT[0][1], 120_000])
        _settle(page)
        times: dict[str, list[float]] = {path: [] for path, _ in PAGE_CONTENT}
        order = list(PAGE_CONTENT[1:]) + [PAGE_CONTENT[0]]
        for r in range(rounds + 1):  # round 0 warms the caches and is not counted
            for path, selector in order:
                ms = page.evaluate(_NAVIGATE, [path, selector, 120_000])
                if r:
                    times[path].append(ms / 1000)
                _settle(page)
    finally:
        page.close()
    rows = []
    for path, _ in PAGE_CONTENT:
        median = statistics.median(times[path])
        rows.append({"page": path, "n": n, "rounds": rounds, "median_s": median, "max_s": max(times[path]),
                     "budget_s": WARM_BUDGET_S, "met": median <= WARM_BUDGET_S})
    return rows


def first_paints(cold_repeats: int = COLD_REPEATS, n: int = WARM_N, rounds: int = WARM_ROUNDS) -> dict:
    """The cold first chart (``cold``) and every page's warm first paint at ``n`` rows (``warm``)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            cold = cold_first_chart(browser, cold_repeats)
            proc, url = start_app()
            try:
                warm = warm_first_paints(browser, url, n, rounds)
            finally:
                stop_app(proc)
        finally:
            browser.close()
    return {"cold": cold, "warm": warm}
