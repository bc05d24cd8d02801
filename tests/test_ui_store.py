"""The shared result store: bounded in bytes, in all and per session; single-flight; swept after sessions close."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pytest

from ui.store import ResultStore, nbytes

MB = 1_000_000


def block(mb: float) -> np.ndarray:
    return np.zeros(int(mb * MB / 8))


@dataclass(frozen=True, eq=False)
class Result:
    X: np.ndarray

    @cached_property
    def doubled(self) -> np.ndarray:
        return self.X * 2


def test_nbytes_counts_arrays_frames_and_cached_properties_once():
    x = block(1)
    r = Result(x)
    assert nbytes(x) == pytest.approx(1 * MB, rel=1e-3)
    assert nbytes((x, x, x[10:])) == pytest.approx(1 * MB, rel=1e-3)  # the same buffer, and a view of it
    assert nbytes(r) == pytest.approx(1 * MB, rel=1e-2)
    r.doubled  # a cached property lands in the instance's __dict__ and is weighed with it
    assert nbytes(r) == pytest.approx(2 * MB, rel=1e-2)
    df = pd.DataFrame({"a": np.zeros(125_000), "b": ["x"] * 125_000})
    assert nbytes({"frame": df}) >= 1 * MB


def test_the_store_holds_at_most_its_bytes_evicting_the_oldest_first():
    store = ResultStore(max_bytes=3 * MB, owner_bytes=3 * MB, idle_seconds=60)
    for i in range(5):
        assert store.put(i, block(0.9), owner=f"s{i}")
    assert store.size <= 3 * MB
    assert store.get_or_compute(4, "s4", lambda: pytest.fail("4 is kept")) is not None
    held = [k for k in range(5) if k in store._entries]
    assert held == [2, 3, 4]


def test_one_session_cannot_take_more_than_its_share():
    store = ResultStore(max_bytes=10 * MB, owner_bytes=2 * MB, idle_seconds=60)
    store.put("other", block(1.5), owner="b")
    for i in range(4):
        store.put(("a", i), block(0.9), owner="a")
    mine = sum(e.size for e in store._entries.values() if e.owner == "a")
    assert mine <= 2 * MB
    assert "other" in store._entries  # a's entries evicted a's own, not b's
    # A value larger than a session's share is returned but not kept.
    assert store.get_or_compute("huge", "a", lambda: block(3)).nbytes == 3 * MB
    assert "huge" not in store._entries


def test_two_sessions_asking_for_the_same_result_compute_it_once():
    store = ResultStore(max_bytes=10 * MB, owner_bytes=10 * MB)
    calls, results = [], []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return block(0.1)

    threads = [threading.Thread(target=lambda s=s: results.append(store.get_or_compute("k", s, slow)))
               for s in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results[0] is results[1] is results[2]


def test_a_failed_computation_is_not_kept_and_the_next_caller_tries_again():
    store = ResultStore(max_bytes=MB, owner_bytes=MB)
    with pytest.raises(ZeroDivisionError):
        store.get_or_compute("k", "a", lambda: 1 / 0)
    assert store.get_or_compute("k", "a", lambda: 42) == 42


def test_a_waiting_caller_is_told_to_check_on_its_visitor():
    store = ResultStore(max_bytes=MB, owner_bytes=MB)
    started = threading.Event()

    def slow():
        started.set()
        time.sleep(0.5)
        return 1

    first = threading.Thread(target=lambda: store.get_or_compute("k", "a", slow))
    first.start()
    started.wait()

    class Gone(Exception):
        pass

    def wait():
        raise Gone

    with pytest.raises(Gone):
        store.get_or_compute("k", "b", lambda: 2, wait=wait)
    first.join()


def test_sweep_drops_only_what_no_live_session_uses_after_the_idle_time():
    store = ResultStore(max_bytes=10 * MB, owner_bytes=10 * MB, idle_seconds=0.05)
    store.put("gone", block(1), owner="closed")
    store.put("live", block(1), owner="open")
    time.sleep(0.1)
    freed = store.sweep(alive=lambda sid: sid == "open")
    assert freed == pytest.approx(1 * MB, rel=1e-3)
    assert list(store._entries) == ["live"]


def test_a_caller_that_must_not_wait_computes_beside_the_running_computation():
    store = ResultStore(max_bytes=MB, owner_bytes=MB)
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(5)
        return 1

    first = threading.Thread(target=lambda: store.get_or_compute("k", "a", slow))
    first.start()
    started.wait()
    assert store.get_or_compute("k", "b", lambda: 2, join=False) == 2  # did not wait for the first
    release.set()
    first.join()


def test_a_result_that_grows_after_it_is_kept_is_weighed_again_and_the_bounds_hold():
    # A shared fit computes its influence measures on first use, long after it was stored.
    store = ResultStore(max_bytes=3 * MB, owner_bytes=3 * MB, idle_seconds=60)
    store.put("old", block(1), owner="a")
    grows = Result(block(1))
    store.put("fit", grows, owner="a")
    assert store.size == pytest.approx(2 * MB, rel=1e-2)
    grows.doubled  # now 2 MB: with "old" the store would hold 3 MB and more
    grows.__dict__["more"] = block(0.5)
    assert store.get_or_compute("fit", "a", lambda: pytest.fail("fit is kept")) is grows
    assert "old" not in store._entries
    assert store.size == pytest.approx(2.5 * MB, rel=1e-2)
    # The sweep weighs every entry too, without dropping what a live session uses.
    grows.__dict__["most"] = block(0.4)
    assert store.sweep(lambda owner: True) == 0
    assert store.size == pytest.approx(2.9 * MB, rel=1e-2)


def test_a_result_that_has_not_grown_is_not_walked_again(monkeypatch):
    # Walking a page's figures on every rerun cost the Residuals page 0.2 s of its 0.23 s at 1,000 rows.
    from ui import store as store_module

    store = ResultStore(max_bytes=10 * MB, owner_bytes=10 * MB, idle_seconds=60)
    fixed, grows = (block(1), [go_like() for _ in range(3)]), Result(block(1))
    store.put("figures", fixed, owner="a")
    store.put("fit", grows, owner="a")
    walks = []
    real = store_module._weigh
    monkeypatch.setattr(store_module, "_weigh", lambda v: walks.append(v) or real(v))
    for _ in range(3):
        store.get_or_compute("figures", "a", lambda: pytest.fail("kept"))
        store.get_or_compute("fit", "a", lambda: pytest.fail("kept"))
    store.sweep(lambda owner: True)
    assert walks == []
    grows.doubled
    store.get_or_compute("fit", "a", lambda: pytest.fail("kept"))
    assert walks == [grows]
    assert store.size == pytest.approx(3 * MB, rel=1e-2)


def go_like():
    """An object like a plotly figure: attributes, no cached properties."""
    class Figure:
        def __init__(self):
            self.data = [{"x": list(range(100))}]

    return Figure()
