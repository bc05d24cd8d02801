"""Load-test fixtures: the app served on a free port, with its process id for memory readings.

The server and the Chromium settings come from ../e2e/conftest.py (system Chromium, no
downloaded browser; see ../shared/TESTING.md). Like the e2e tests, the load test is marked
``e2e``: it skips when no Chromium is installed on a developer's machine, but never in CI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from ..e2e.conftest import CHROMIUM, start_app, stop_app
from ..e2e.conftest import CHROMIUM_ARGS as E2E_CHROMIUM_ARGS

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "SESSION_TTL_S", "Server", "cpu_seconds", "descendants", "rss_mb"]

# Twenty tabs in one browser: keep the renderers from fighting over /dev/shm.
CHROMIUM_ARGS = [*E2E_CHROMIUM_ARGS, "--disable-dev-shm-usage"]
# Streamlit keeps a disconnected session for this long in case its browser reconnects
# (server.disconnectedSessionTTL, default 120 s). A short TTL lets the test see memory come
# back within its time budget; the deployed app frees the same memory 120 s after a tab closes.
SESSION_TTL_S = 5


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (VmRSS of /proc/<pid>/status)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far, in seconds (from /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Process ids of every live descendant of ``pid`` (children, grandchildren, ...)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@pytest.fixture(scope="module")
def server():
    """The app on a free port, with a short disconnected-session TTL; yields its URL and process id."""
    proc, url = start_app("--server.disconnectedSessionTTL", str(SESSION_TTL_S))
    try:
        yield Server(url=url, pid=proc.pid)
    finally:
        stop_app(proc)
