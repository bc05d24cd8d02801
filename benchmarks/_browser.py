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

import contextlib
import itertools
import statistics
import time

__all__ = ["cold_first_chart", "first_paints", "mouse_drag_rates", "section_browser", "section_browser_drag",
           "warm_first_paints"]

CLICKS = 20
BUDGET_S = {1_000: 0.050, 100_000: 0.100}  # medians the stepper must meet (N ≤ 1,000 and N = 100,000)


def _budget(n: int) -> float:
    return BUDGET_S[1_000] if n <= 1_000 else BUDGET_S[100_000]


@contextlib.contextmanager
def _served_browser():
    """Start the app, then the system Chromium; yield ``(browser, url)``, then close the browser and stop the app."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app

    proc, url = start_app()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser, url
            browser.close()
    finally:
        stop_app(proc)


def section_browser(sizes: list[int]) -> dict:
    """Median click-to-paint of *Next ›* at each N (synthetic ``linear`` data, 3 features; cars at N = 50)."""
    from tests.e2e.conftest import CLICK_TO_PAINT

    rows = []
    with _served_browser() as (browser, url):
        for n in sizes:
            page, sent = _descent_page(browser, url, n)
            before = sum(sent)
            times = [t / 1000 for t in page.evaluate(CLICK_TO_PAINT, CLICKS)]
            bytes_sent = sum(sent) - before
            median = statistics.median(times)
            rows.append({"n": n, "clicks": CLICKS, "median_s": median, "max_s": max(times),
                         "bytes_sent_during_clicks": bytes_sent, "budget_s": _budget(n),
                         "met": median <= _budget(n) and bytes_sent == 0})
            page.close()
    return {"rows": rows, **first_paints()}


# --------------------------------------------------------------------------- cold start and warm first paint

COLD_REPEATS = 3
WARM_ROUNDS = 3
WARM_N = 1_000
COLD_BUDGET_S, WARM_BUDGET_S = 3.0, 1.5
# (URL path, what shows that the page's main content is there). A chart counts once plotly has drawn
# its plot area; the GD page's main content is its stepper, ready; the Learn page's, lesson 1's
# draggable points, ready.
PAGE_CONTENT = (
    ("/", ".st-key-explore_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/fit", ".st-key-fit_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/residuals", ".st-key-res_fitted [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/descent", ".gds[data-ready='1']"),
    ("/compare", ".st-key-compare_rate_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/regularization", ".st-key-reg_path_chart [data-testid=stPlotlyChart] .main-svg .cartesianlayer .subplot"),
    ("/learn", ".lpd[data-ready='1']"),
)

# The tail of both scripts below: wait for ``selector`` to match, then one frame and one task (by
# then the browser has painted it); milliseconds since ``t0``.
_UNTIL_PAINTED = """  while (!document.querySelector(selector)) {
    if (performance.now() - t0 > timeoutMs) throw new Error('not drawn within ' + timeoutMs + ' ms: ' + selector);
    await new Promise((r) => requestAnimationFrame(r));
  }
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}"""

# Resolves one frame and one task after ``selector`` matches: by then the browser has painted it.
_PAINTED = """async ([selector, timeoutMs]) => {
  const t0 = performance.now();
""" + _UNTIL_PAINTED

# Click the sidebar's link to ``path``, then wait as _PAINTED does; milliseconds from the click.
_NAVIGATE = """async ([path, selector, timeoutMs]) => {
  const link = [...document.querySelectorAll('[data-testid=stSidebarNav] a')]
    .find((a) => new URL(a.href).pathname.replace(/\\/$/, '') === path.replace(/\\/$/, ''));
  if (!link) throw new Error('no sidebar link to ' + path);
  const t0 = performance.now();
  link.click();
""" + _UNTIL_PAINTED


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


DRAG_GOAL_FPS = 30


DRAG_MOVES = 90  # mouse moves per drag


# Counts the frames in which what the drag moves changed on screen, from one rAF to the next.
_MONITOR = """() => {
  const signature = () => SIGNATURE;
  const rec = { frames: [], changed: [], last: signature(), stop: false };
  window.__dragMonitor = rec;
  const tick = (now) => {
    if (rec.stop) return;
    rec.frames.push(now);
    const s = signature();
    if (s !== rec.last) { rec.last = s; rec.changed.push(now); }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


_STOP = """() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => {
  const rec = window.__dragMonitor; rec.stop = true; r({ frames: rec.frames, changed: rec.changed });
})))"""


_LESSON_POINT = "(() => { const c = document.querySelectorAll('.lpd-dot-point')[2]; " \
                "return c.getAttribute('cx') + ',' + c.getAttribute('cy'); })()"


_SCRUBBER_K = "document.querySelector('.gds').dataset.k"


def _listen(page) -> list[int]:
    """The sizes of the messages the page sends the server from now on (call before ``goto``: the
    websocket opens with the page)."""
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    return sent


def _descent_page(browser, url: str, n: int) -> tuple:
    """A new page on the Gradient descent page with its stepper ready, and what it sends (``_listen``).

    ``n`` rows of synthetic ``linear`` data, or the cars data at ``n = 50``.
    """
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    sent = _listen(page)
    query = "data=cars" if n == 50 else f"gen=linear&g_n={n}&g_seed=0"
    page.goto(f"{url}/descent?{query}")
    page.wait_for_selector(".gds[data-ready='1']", timeout=180_000)
    page.wait_for_timeout(1500)  # the first rerun settles before anything is timed
    return page, sent


def mouse_drag_rates(page, sent: list[int], start: tuple[float, float], end: tuple[float, float], signature: str) -> dict:
    """Drag with the mouse from ``start`` to ``end`` in ``DRAG_MOVES`` moves; frames that changed, per second.

    ``sent`` grows by the size of each message the page sends (:func:`_listen`); ``signature`` is a JS
    expression of what the drag moves. Also used by the e2e tests of the lessons' drags.
    """
    import time

    page.evaluate(_MONITOR.replace("SIGNATURE", signature))
    page.mouse.move(*start)
    page.mouse.down()
    before = sum(sent)
    t0 = time.perf_counter()
    # One call: Playwright's driver sends the moves one after another, each as soon as Chromium
    # has taken the one before, with no round trip to Python between them.
    page.mouse.move(*end, steps=DRAG_MOVES)
    seconds = time.perf_counter() - t0
    bytes_sent = sum(sent) - before
    page.mouse.up()
    return {"input": "Playwright mouse", **_rates(page.evaluate(_STOP), DRAG_MOVES, bytes_sent, seconds)}


# The same drags driven from inside the page, two moves a frame (a 120 Hz mouse), so that the input
# outpaces the display: what the component can paint, not what Playwright can send. Lesson 1
# gets pointer events on its plot; the scrubber, a range input, its value and an input event.
_PACED = """async ({ kind, from, to, frames }) => {
  const svg = document.querySelector('.lpd-svg'), range = document.querySelector('.gds-range');
  const fire = (type, x, y) => svg.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, button: 0,
    pointerId: 7, isPrimary: true, bubbles: true }));
  const next = () => new Promise((r) => requestAnimationFrame(r));
  if (kind === 'points') fire('pointerdown', from[0], from[1]);
  for (let f = 1; f <= frames; f++) {
    await next();
    for (const half of [0.5, 1]) {
      const t = (f - 1 + half) / frames, x = from[0] + t * (to[0] - from[0]), y = from[1] + t * (to[1] - from[1]);
      if (kind === 'points') fire('pointermove', x, y);
      else { range.value = String(Math.round(t * +range.max)); range.dispatchEvent(new Event('input')); }
    }
  }
  if (kind === 'points') fire('pointerup', to[0], to[1]);
}"""


PACED_FRAMES = 120


def _paced(page, sent: list[int], kind: str, start: tuple[float, float], end: tuple[float, float],
           signature: str) -> dict:
    """``_PACED`` over ``PACED_FRAMES`` frames: the frames that changed, per second."""
    page.evaluate(_MONITOR.replace("SIGNATURE", signature))
    before = sum(sent)
    page.evaluate(_PACED, {"kind": kind, "from": list(start), "to": list(end), "frames": PACED_FRAMES})
    bytes_sent = sum(sent) - before
    rec = page.evaluate(_STOP)
    return {"input": "in page, 2 moves a frame", **_rates(rec, 2 * PACED_FRAMES, bytes_sent)}


def _rates(rec: dict, moves: int, bytes_sent: int, seconds: float | None = None) -> dict:
    changed, frames = rec["changed"], rec["frames"]
    span_s = (changed[-1] - changed[0]) / 1000 if len(changed) > 1 else float("nan")
    fps = (len(changed) - 1) / span_s if len(changed) > 1 else 0.0
    during = [t for t in frames if changed and changed[0] <= t <= changed[-1]]
    gaps = [b - a for a, b in itertools.pairwise(during)] or [float("nan")]
    return {"moves": moves, "moves_per_s": moves / (seconds or span_s), "frames_changed": len(changed), "fps": fps,
            "display_fps": (len(during) - 1) / span_s if len(during) > 1 else float("nan"),
            "slowest_frame_s": max(gaps) / 1000, "bytes_sent_during_drag": bytes_sent,
            "goal_fps": DRAG_GOAL_FPS, "met": fps >= DRAG_GOAL_FPS and bytes_sent == 0}


def _lesson_drag(browser, url: str, extra_points: int) -> list[dict]:
    """Drag point 3 of lesson 1 (Anscombe I) across the plot and back, with ``extra_points`` more points."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    sent = _listen(page)
    page.goto(f"{url}/learn?lesson=1")
    page.wait_for_selector(".lpd[data-ready='1']", timeout=120_000)
    page.get_by_role("button", name="Reveal the least-squares line").click()
    page.evaluate("(k) => { const b = document.querySelector('.lpd-button[data-act=add]'); "
                  "for (let i = 0; i < k; i++) b.click(); }", extra_points)
    page.wait_for_timeout(2000)  # the additions settle and rerun once
    point = page.locator(".lpd-dot-point").nth(2)
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    what = {"what": "lesson 1: drag a point", "n": page.locator(".lpd-dot-point").count()}
    end = (start[0] + 300, start[1] - 200)
    rows = [{**what, **mouse_drag_rates(page, sent, start, end, _LESSON_POINT)}]
    page.wait_for_timeout(2000)  # the drag settles and reruns once, before the next drag is timed
    box = point.bounding_box()  # where the drag left the point (the plot's edge may have stopped it)
    rows.append({**what, **_paced(page, sent, "points", (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2),
                                  start, _LESSON_POINT)})
    page.close()
    return rows


# What lessons 2 and 3's drags move: the dot on the bowl, and the line over the data.
_LINE_DRAGS = {
    2: ("lesson 2: drag the dot on the bowl", ".lbw-dot",
        "(() => { const c = document.querySelector('.lbw-dot'); return c.getAttribute('cx') + ',' + c.getAttribute('cy'); })()"),
    3: ("lesson 3: drag the line", ".lcr .lpd-hit", "document.querySelector('.lcr .lpd-user').getAttribute('y1')"),
}


def _line_drag(browser, url: str, lesson: int) -> list[dict]:
    """Drag lesson 2's dot (up and left across the bowl) or lesson 3's line (up), on Anscombe I."""
    what, handle, signature = _LINE_DRAGS[lesson]
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    sent = _listen(page)
    page.goto(f"{url}/learn?lesson={lesson}")
    page.wait_for_selector(".lpd[data-ready='1']", timeout=120_000)
    page.locator(".lpd-svg").first.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    svg = page.locator(".lpd-svg").first.bounding_box()
    if lesson == 2:
        box = page.locator(handle).bounding_box()
        start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    else:  # a third of the way along the line, where no point is near it
        x1, y1, x2, y2 = (float(page.locator(handle).get_attribute(a)) for a in ("x1", "y1", "x2", "y2"))
        start = (svg["x"] + x1 + (x2 - x1) / 3, svg["y"] + y1 + (y2 - y1) / 3)
    end = (start[0] - 150, start[1] - 120) if lesson == 2 else (start[0], start[1] - 120)
    what = {"what": what, "n": page.locator(".lpd-dot-point").count()}
    rows = [{**what, **mouse_drag_rates(page, sent, start, end, signature)}]
    page.wait_for_timeout(2000)  # the drag settles and reruns once, before the next drag is timed
    rows.append({**what, **_paced(page, sent, "points", end, start, signature)})
    page.close()
    return rows


def _scrubber_drag(browser, url: str, n: int) -> list[dict]:
    """Drag the Gradient descent page's scrubber from the first iteration to the last."""
    page, sent = _descent_page(browser, url, n)
    scrubber = page.locator(".gds-range")
    scrubber.scroll_into_view_if_needed()
    box = scrubber.bounding_box()
    y = box["y"] + box["height"] / 2
    what = {"what": "GD page: drag the scrubber", "n": n}
    rows = [{**what, **mouse_drag_rates(page, sent, (box["x"] + 6, y), (box["x"] + box["width"] - 6, y), _SCRUBBER_K)},
            {**what, **_paced(page, sent, "range", (0, 0), (0, 0), _SCRUBBER_K)}]
    page.close()
    return rows


def section_browser_drag(scrubber_sizes: tuple[int, ...] = (50, 1_000), extra_points: tuple[int, ...] = (0, 189),
                         lessons: tuple[int, ...] = (2, 3)) -> dict:
    """Frames per second while dragging: a point of lesson 1 (11 points, and 200), the user's line in
    ``lessons`` 2 (the dot on the bowl) and 3 (the line), and the GD page's scrubber.

    Each drag is timed twice: with ``DRAG_MOVES`` real mouse moves (Playwright's, through Chromium's
    input pipeline, which takes about one move a frame, so their rate bounds the count), and with
    moves made in the page, two a frame (``_PACED``), which is what the component can paint. A frame
    counts when what the drag moves (the point's position, the stepper's iteration) differs from
    the frame before: ``fps`` is such frames per second over the drag, ``display_fps`` every frame
    the browser drew meanwhile (its ceiling), and the bytes the browser sent meanwhile must be 0
    (no rerun).
    """
    rows = []
    with _served_browser() as (browser, url):
        for k in extra_points:
            rows += _lesson_drag(browser, url, k)
        for lesson in lessons:
            rows += _line_drag(browser, url, lesson)
        for n in scrubber_sizes:
            rows += _scrubber_drag(browser, url, n)
    return {"rows": rows}
