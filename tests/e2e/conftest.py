"""Playwright fixtures: the app served on a free port, driven by the system Chromium.

Recipes and their reasons are in ../shared/TESTING.md. The tests skip when no
Chromium is installed on a developer's machine, but never in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling hosts this network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / "screenshots"
# `n` clicks on the stepper's Next, 60 ms apart, each timed from click() to a frame and then a
# task: by then the browser has painted what the click changed. Shared with benchmarks/_browser.py.
CLICK_TO_PAINT = """async (n) => {
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


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but no Chromium at {CHROMIUM}; .ci/run installs it with apt-get")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium to run the e2e tests")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(*extra: str) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` on a free port; return the process and its URL once healthy.

    ``extra``: more ``--option value`` arguments for streamlit.
    """
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--browser.gatherUsageStats", "false",
           # Show exceptions in full so the tests can see them; the deployed app hides the details.
           "--client.showErrorDetails", "full", *extra]
    # DEVNULL, not a pipe nobody reads: a full pipe would stall the server.
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before becoming healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the server by its own process id."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url():
    """The app, started once for the session; yields its URL."""
    proc, url = start_app()
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def base_url(app_url):
    # Overriding the plugin's own base_url also avoids its pytest 9.2 deprecation warning.
    return app_url


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    SHOTS.mkdir(exist_ok=True)
    return SHOTS


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until the script has run: a heading exists and the running indicator is gone."""
    page.wait_for_selector("h1", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
