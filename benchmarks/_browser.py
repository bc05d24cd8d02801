"""Browser section: click-to-paint of *Next ›* on the Gradient descent page, in headless Chromium.

The app is served by ``streamlit run`` on a free port and driven by Playwright with the system
Chromium (as the e2e tests do). A click is timed in the page from ``click()`` to a frame and then
a task, by when the browser has painted what the click changed; the clicks come 60 ms apart,
faster than the stepper sends its settled iteration, so none waits for the server. The bytes the
browser sends over the websocket during the clicks are counted too (0: no rerun).
"""

from __future__ import annotations

import itertools
import statistics

__all__ = ["section_browser", "section_browser_drag"]

CLICKS = 20
BUDGET_S = {1_000: 0.050, 100_000: 0.100}  # medians the stepper must meet (N ≤ 1,000 and N = 100,000)

_CLICK_TO_PAINT = """async (n) => {
  const next = document.querySelector('.gds-button[data-act=next]'), times = [];
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, 60));
    const t0 = performance.now();
    next.click();
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    times.push(performance.now() - t0);
  }
  return times;
}"""


def _budget(n: int) -> float:
    return BUDGET_S[1_000] if n <= 1_000 else BUDGET_S[100_000]


def section_browser(sizes: list[int]) -> dict:
    """Median click-to-paint of *Next ›* at each N (synthetic ``linear`` data, 3 features; cars at N = 50)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app

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
                times = [t / 1000 for t in page.evaluate(_CLICK_TO_PAINT, CLICKS)]
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


# --------------------------------------------------------------------------- drags, in frames per second

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


def _drag(page, sent: list[int], start: tuple[float, float], end: tuple[float, float], signature: str) -> dict:
    """Drag with the mouse from ``start`` to ``end`` in ``DRAG_MOVES`` moves; frames that changed, per second."""
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
    rows = [{**what, **_drag(page, sent, start, end, _LESSON_POINT)}]
    page.wait_for_timeout(2000)  # the drag settles and reruns once, before the next drag is timed
    box = point.bounding_box()  # where the drag left the point (the plot's edge may have stopped it)
    rows.append({**what, **_paced(page, sent, "points", (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2),
                                  start, _LESSON_POINT)})
    page.close()
    return rows


def _scrubber_drag(browser, url: str, n: int) -> list[dict]:
    """Drag the Gradient descent page's scrubber from the first iteration to the last."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    sent = _listen(page)
    query = "data=cars" if n == 50 else f"gen=linear&g_n={n}&g_seed=0"
    page.goto(f"{url}/descent?{query}")
    page.wait_for_selector(".gds[data-ready='1']", timeout=180_000)
    page.wait_for_timeout(1500)
    scrubber = page.locator(".gds-range")
    scrubber.scroll_into_view_if_needed()
    box = scrubber.bounding_box()
    y = box["y"] + box["height"] / 2
    what = {"what": "GD page: drag the scrubber", "n": n}
    rows = [{**what, **_drag(page, sent, (box["x"] + 6, y), (box["x"] + box["width"] - 6, y), _SCRUBBER_K)},
            {**what, **_paced(page, sent, "range", (0, 0), (0, 0), _SCRUBBER_K)}]
    page.close()
    return rows


def section_browser_drag(scrubber_sizes: tuple[int, ...] = (50, 1_000), extra_points: tuple[int, ...] = (0, 189)) -> dict:
    """Frames per second while dragging: a point of lesson 1 (11 points, and 200), and the GD page's scrubber.

    Each drag is timed twice: with ``DRAG_MOVES`` real mouse moves (Playwright's, through Chromium's
    input pipeline, which takes about one move a frame, so their rate bounds the count), and with
    moves made in the page, two a frame (``_PACED``), which is what the component can paint. A frame
    counts when what the drag moves (the point's position, the stepper's iteration) differs from
    the frame before: ``fps`` is such frames per second over the drag, ``display_fps`` every frame
    the browser drew meanwhile (its ceiling), and the bytes the browser sent meanwhile must be 0
    (no rerun).
    """
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app

    proc, url = start_app()
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for k in extra_points:
                rows += _lesson_drag(browser, url, k)
            for n in scrubber_sizes:
                rows += _scrubber_drag(browser, url, n)
            browser.close()
    finally:
        stop_app(proc)
    return {"rows": rows}
