"""Many users at once: 20 concurrent browser sessions, each with its own data.

One Chromium, one context per user (a context is a separate browser profile: its own
cookies and its own Streamlit session). Every user opens the Data page; once all 20 are
connected to the server at the same time, each uploads a different CSV,
y = a_i + b_i x + noise, follows the sidebar link to the Fit page and reads the fitted
equation, while the others stay connected. At most ``ACTIVE`` tabs click and render at
the same instant (the browser, not the server, is what a 2-core machine runs out of).
The test passes when

- all 20 sessions are connected at once (the server has >= 20 open connections);
- every session shows exactly its own fit (the closed-form equation of its own upload)
  and its own file name, and no other session's;
- no session shows an exception, an error box, or raises a JavaScript page error;
- the server's resident memory (VmRSS) comes back to near its baseline once the
  sessions are closed: within ``max(baseline + 150 MB, 1.5 x baseline)``.

The whole test is bounded (``BUDGET_S``). Run ``pytest tests/load -s`` to see the numbers.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pytest

from linreg.ols import fit_ols
from linreg.plots.fit import equation_text

from .conftest import CHROMIUM, CHROMIUM_ARGS, SESSION_TTL_S, cpu_seconds, descendants, rss_mb

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

# At least 20; LINREG_LOAD_SESSIONS can raise it, or lower it while debugging.
N_SESSIONS = int(os.environ.get("LINREG_LOAD_SESSIONS", "20"))
N_ROWS = 40
# The whole test, server start excluded. Measured: 285 s on 2 cores shared with other test runs
# (load average ~20), so 480 s leaves room; a quiet 2-core machine needs about half that.
BUDGET_S = int(os.environ.get("LINREG_LOAD_BUDGET_S", "480"))
STEP_TIMEOUT_MS = 150_000  # one wait inside a session (the machine may be busy)
NEAR_MB = 150  # "near the baseline": within baseline + 150 MB ...
NEAR_FACTOR = 1.5  # ... or within 1.5 x baseline, whichever is larger
SETTLE_S = 60  # after the sessions close, how long memory may take to come back
# All users are connected at once, but at most ACTIVE browser tabs click and render at the same
# instant: measured here, the browser needs ~10x the server's CPU (20 tabs: 364 s against 19 s),
# so 20 tabs rendering together on 2 cores starve each other rather than load the server.
ACTIVE = int(os.environ.get("LINREG_LOAD_ACTIVE", "4"))

SEL_UPLOAD = '[data-testid="stFileUploader"] input[type="file"]'
SEL_EXCEPTION = '[data-testid="stException"]'
SEL_STATUS = '[data-testid="stStatusWidget"]'
SEL_MAIN = '[data-testid="stMain"]'


@dataclass
class User:
    """One simulated user: their file and the fit they must see."""

    index: int
    name: str
    csv: bytes
    equation: str  # the closed-form fit of this file, as the Fit page writes it
    timings: dict[str, float] = field(default_factory=dict)
    step: str = "not started"  # how far the user got (reported if the test runs out of time)
    page_errors: list[str] = field(default_factory=list)
    fit_text: str = ""
    data_text: str = ""


def make_user(i: int) -> User:
    """User ``i``: y = a_i + b_i x + noise, with a_i and b_i distinct in their first 4 digits."""
    a, b = 10.0 + 3.7 * i, 0.5 + 0.35 * i
    rng = np.random.default_rng(1000 + i)
    x = np.round(rng.uniform(0, 10, N_ROWS), 6)
    y = np.round(a + b * x + rng.normal(0, 0.3, N_ROWS), 6)
    csv = ("x,y\n" + "\n".join(f"{u!r},{v!r}" for u, v in zip(x.tolist(), y.tolist())) + "\n").encode()
    result = fit_ols(x[:, None], y, terms=("x",))
    return User(index=i, name=f"user{i:02d}.csv", csv=csv, equation=equation_text("y", result.terms, result.coef))


async def wait_idle(page) -> None:
    """The script run has finished: the running indicator is gone (after it had a chance to show)."""
    await page.wait_for_timeout(300)
    await page.wait_for_selector(SEL_STATUS, state="detached", timeout=STEP_TIMEOUT_MS)


async def run_user(browser, url: str, user: User, gate: asyncio.Semaphore, all_open: asyncio.Barrier):
    """Open the Data page, wait until every user is connected, upload, go to Fit by the sidebar link,
    read the equation. Each step holds ``gate`` (at most ACTIVE browser tabs work at once). Returns the context."""
    context = await browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    t0 = time.monotonic()

    def step(name: str) -> None:
        user.step = f"{name} (at {time.monotonic() - t0:.0f} s)"

    try:
        page = await context.new_page()
        page.on("pageerror", lambda exc: user.page_errors.append(str(exc)))
        step("waiting to open the Data page")
        async with gate:
            step("opening the Data page")
            # The Data page is the app's default page: its address is the root.
            await page.goto(f"{url}/", timeout=STEP_TIMEOUT_MS)
            await page.locator("h1", has_text="Data").first.wait_for(timeout=STEP_TIMEOUT_MS)
            await wait_idle(page)
        step("connected, waiting for the others")
        await all_open.wait()  # every session is live on the server before anyone uploads

        step("waiting to upload")
        async with gate:
            t1 = time.monotonic()
            step("uploading")
            await page.get_by_role("tab", name="Upload a CSV").click(timeout=STEP_TIMEOUT_MS)
            await page.locator(SEL_UPLOAD).set_input_files(
                {"name": user.name, "mimeType": "text/csv", "buffer": user.csv}, timeout=STEP_TIMEOUT_MS
            )
            step("waiting for the upload to be read")
            await page.get_by_text(f"Upload: {user.name}").first.wait_for(timeout=STEP_TIMEOUT_MS)
            await wait_idle(page)
            t2 = time.monotonic()
            user.data_text = await page.locator(SEL_MAIN).first.inner_text()
            assert await page.locator(SEL_EXCEPTION).count() == 0, f"{user.name}: exception on the Data page"

        step("waiting to open the Fit page")
        async with gate:
            t3 = time.monotonic()
            step("opening the Fit page")
            await page.locator('[data-testid="stSidebarNav"] a', has_text="Fit").first.click(timeout=STEP_TIMEOUT_MS)
            await page.locator("h1", has_text="Fit").first.wait_for(timeout=STEP_TIMEOUT_MS)
            await page.get_by_text("predicted y =").first.wait_for(timeout=STEP_TIMEOUT_MS)
            await wait_idle(page)
            t4 = time.monotonic()
            user.fit_text = await page.locator(SEL_MAIN).first.inner_text()
            assert await page.locator(SEL_EXCEPTION).count() == 0, f"{user.name}: exception on the Fit page"
    except BaseException:
        all_open.abort()  # nobody waits forever for a user who will never connect
        await context.close()
        raise
    user.step = "done"
    user.timings = {"upload": t2 - t1, "fit": t4 - t3, "total": t4 - t0}
    return context


def established(port: int) -> int:
    """Open TCP connections to the server's port (its websockets and HTTP keep-alives), from /proc/net/tcp*."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                        count += 1
        except OSError:
            pass
    return count


async def sample_server(pid: int, port: int, peak: dict, stop: asyncio.Event) -> None:
    """Record the server's peak RSS and the peak number of open connections to it."""
    while not stop.is_set():
        peak["rss"] = max(peak["rss"], rss_mb(pid))
        peak["connections"] = max(peak["connections"], established(port))
        await asyncio.sleep(0.2)


async def settle(pid: int, limit_mb: float, seconds: float) -> tuple[float, float]:
    """Wait for the session TTL, then until RSS <= limit (or ``seconds`` pass). Returns (RSS, seconds waited)."""
    start = time.monotonic()
    await asyncio.sleep(SESSION_TTL_S + 2)
    now = rss_mb(pid)
    while now > limit_mb and time.monotonic() - start < seconds:
        await asyncio.sleep(1)
        now = rss_mb(pid)
    return now, time.monotonic() - start


async def scenario(url: str, pid: int, users: list[User], numbers: dict) -> None:
    """Warm up, measure the baseline, run ``users`` at once, close them, measure again (into ``numbers``)."""
    from playwright.async_api import async_playwright

    numbers["rss_start_mb"] = rss_mb(pid)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Warm-up: one full user, so every module and the default dataset are loaded before the baseline.
            warm = make_user(99)
            ctx = await run_user(browser, url, warm, asyncio.Semaphore(1), asyncio.Barrier(1))
            await ctx.close()
            numbers["warmup_total_s"] = warm.timings["total"]
            await asyncio.sleep(SESSION_TTL_S + 2)
            baseline = rss_mb(pid)
            numbers["rss_baseline_mb"] = baseline

            port = int(url.rsplit(":", 1)[1])
            peak, stop = {"rss": baseline, "connections": 0}, asyncio.Event()
            sampler = asyncio.create_task(sample_server(pid, port, peak, stop))
            gate, all_open = asyncio.Semaphore(ACTIVE), asyncio.Barrier(len(users))
            t0, server_cpu0, browser_cpu0 = time.monotonic(), cpu_seconds(pid), _browser_cpu(pid)
            outcomes = await asyncio.gather(*(run_user(browser, url, u, gate, all_open) for u in users),
                                            return_exceptions=True)
            numbers["wall_all_sessions_s"] = time.monotonic() - t0
            numbers["server_cpu_s"] = cpu_seconds(pid) - server_cpu0
            numbers["browser_cpu_s"] = _browser_cpu(pid) - browser_cpu0
            numbers["rss_all_open_mb"] = rss_mb(pid)
            numbers["connections_all_open"] = established(port)
            numbers["failures"] = [(u.name, repr(c)) for u, c in zip(users, outcomes) if isinstance(c, BaseException)]
            for c in outcomes:
                if not isinstance(c, BaseException):
                    await c.close()
            stop.set()
            await sampler
            numbers["peak_connections"] = peak["connections"]
            numbers["rss_peak_mb"] = peak["rss"]

            limit = max(baseline + NEAR_MB, NEAR_FACTOR * baseline)
            numbers["rss_limit_mb"] = limit
            numbers["rss_after_mb"], numbers["settle_s"] = await settle(pid, limit, SETTLE_S)
        finally:
            await browser.close()


def _browser_cpu(server_pid: int) -> float:
    """CPU seconds used so far by this test's live child processes other than the server (Playwright, Chromium)."""
    total = 0.0
    for pid in descendants(os.getpid()):
        if pid != server_pid:
            try:
                total += cpu_seconds(pid)
            except OSError:  # exited meanwhile
                pass
    return total


def _report(users: list[User], numbers: dict, elapsed: float) -> str:
    """The numbers for the README, as far as the test got."""
    def num(key: str, unit: str = "MB") -> str:
        return f"{numbers[key]:.0f} {unit}" if key in numbers else "n/a"

    lines = [f"load test: {N_SESSIONS} concurrent sessions, {N_ROWS}-row uploads, {elapsed:.1f} s in all"]
    lines.append(
        f"  server RSS: at start {num('rss_start_mb')}, baseline after a warm-up session {num('rss_baseline_mb')}, "
        f"peak {num('rss_peak_mb')}, with all {N_SESSIONS} open {num('rss_all_open_mb')}, "
        f"after they closed {num('rss_after_mb')} (limit {num('rss_limit_mb')}; settled in {num('settle_s', 's')})"
    )
    if "server_cpu_s" in numbers:
        lines.append(
            f"  CPU during the sessions: server {numbers['server_cpu_s']:.0f} s, browser {numbers['browser_cpu_s']:.0f} s, "
            f"in {numbers['wall_all_sessions_s']:.0f} s wall on {os.cpu_count()} cores; "
            f"open connections to the server: peak {numbers.get('peak_connections', 'n/a')}, "
            f"with all sessions done {numbers.get('connections_all_open', 'n/a')} "
            f"(at most {ACTIVE} tabs active at once)"
        )
    done = [u for u in users if u.timings]
    if done:
        def spread(key: str) -> str:
            v = [u.timings[key] for u in done]
            return f"median {statistics.median(v):.1f} s, max {max(v):.1f} s"

        lines.append(
            f"  per session ({len(done)} finished; all sessions {num('wall_all_sessions_s', 's')} wall): "
            f"start to done {spread('total')}; upload to data shown {spread('upload')}; "
            f"Fit page {spread('fit')}; "
            f"one session alone (warm-up) {num('warmup_total_s', 's')}"
        )
    unfinished = [f"{u.name}: {u.step}" for u in users if u.step != "done"]
    if unfinished:
        lines.append(f"  unfinished: {unfinished}")
    return "\n".join(lines)


def _run_alone(coro) -> None:
    """asyncio.run in a thread of its own: the e2e tests' sync Playwright keeps a loop running in this one."""
    outcome: dict = {}

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # handed back to the test's thread, which re-raises it
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="load-test")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]


def test_twenty_concurrent_sessions_are_isolated_and_memory_comes_back(server):
    users = [make_user(i) for i in range(N_SESSIONS)]
    assert len({u.equation for u in users}) == N_SESSIONS, "the users' fits must differ"
    numbers: dict = {}
    t0 = time.monotonic()
    try:
        _run_alone(asyncio.wait_for(scenario(server.url, server.pid, users, numbers), timeout=BUDGET_S))
    except TimeoutError:
        pytest.fail(f"the load test took more than {BUDGET_S} s\n{_report(users, numbers, time.monotonic() - t0)}")
    elapsed = time.monotonic() - t0
    print("\n" + _report(users, numbers, elapsed))

    assert numbers["failures"] == [], f"sessions that failed: {numbers['failures']}"
    # Every session was live on the server at once (one websocket each, at least).
    assert numbers["connections_all_open"] >= N_SESSIONS, numbers["connections_all_open"]
    for u in users:
        assert u.page_errors == [], f"{u.name}: JavaScript errors {u.page_errors}"
        # Its own data and its own fit ...
        assert f"Upload: {u.name}" in u.data_text
        assert f"Upload: {u.name}" in u.fit_text, f"{u.name}: the Fit page is not about this user's upload"
        assert u.equation in u.fit_text, f"{u.name}: expected {u.equation!r} on the Fit page"
        # ... and nobody else's.
        for other in users:
            if other is not u:
                assert other.name not in u.fit_text and other.name not in u.data_text, (u.name, other.name)
                assert other.equation not in u.fit_text, (u.name, other.name)
        for text in (u.data_text, u.fit_text):
            assert "Traceback" not in text
            assert "The upload was rejected" not in text
            assert "cannot be fitted" not in text and "cannot be built" not in text
    assert numbers["rss_after_mb"] <= numbers["rss_limit_mb"], (
        f"server memory did not come back: {numbers['rss_after_mb']:.0f} MB after close, baseline "
        f"{numbers['rss_baseline_mb']:.0f} MB, limit {numbers['rss_limit_mb']:.0f} MB"
    )
    assert elapsed < BUDGET_S
