"""A store of computed results shared by every session, bounded in bytes.

Streamlit's caches bound their entries by count and age, not by size: eight entries of a
500,000-row fit weigh a gigabyte. This store weighs every value it keeps (the numpy arrays
and DataFrames inside it) and holds at most ``max_bytes`` in all and ``owner_bytes`` for the
entries one session brought in, evicting the least recently used first. An entry that no live
session has used for ``idle_seconds`` goes too, so the memory of closed sessions comes back.

Pure Python (no streamlit): the app passes the session's id as ``owner`` and a predicate that
says which owners are still alive.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ResultStore", "nbytes"]


def nbytes(value: Any) -> int:
    """Approximate memory held by ``value``: its arrays' buffers and frames, counted once each.

    Walks dataclasses (their fields and ``cached_property`` values), tuples, lists, dicts and
    objects with a ``__dict__``. A view is charged for the array it views, once.

    >>> nbytes(np.zeros(1000)) >= 8000
    True
    """
    return _weigh(value)[0]


def _weigh(value: Any) -> tuple[int, list]:
    """``nbytes(value)``, and the objects inside it that can grow (see :func:`_grows`)."""
    seen: set[int] = set()
    total = 0
    growing = []
    stack = [value]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, np.ndarray):
            base = v
            while isinstance(base.base, np.ndarray):
                base = base.base
            if id(base) not in seen or base is v:
                seen.add(id(base))
                total += base.nbytes
        elif isinstance(v, (pd.DataFrame, pd.Series, pd.Index)):
            usage = v.memory_usage(deep=True)
            total += int(usage.sum() if hasattr(usage, "sum") else usage)
        elif isinstance(v, (str, bytes, int, float, bool, type(None))):
            total += sys.getsizeof(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (tuple, list, set, frozenset)):
            stack.extend(v)
        else:
            if is_dataclass(v) and not isinstance(v, type):
                stack.extend(getattr(v, f.name, None) for f in fields(v))
            state = getattr(v, "__dict__", None)
            if _grows(type(v)) and state is not None:
                growing.append(v)
            if state:
                stack.extend(state.values())
    return total, growing


@functools.cache
def _grows(cls: type) -> bool:
    """Whether instances of ``cls`` gain memory after they are made: a ``cached_property`` fills in their ``__dict__``."""
    return any(isinstance(a, functools.cached_property) for klass in cls.__mro__ for a in vars(klass).values())


def _filled(growing: list) -> int:
    """How many attributes the growing objects hold now; it changes only when one has grown."""
    return sum(len(vars(v)) for v in growing)


@dataclass
class _Entry:
    value: Any
    size: int
    owner: str
    users: set[str] = field(default_factory=set)
    used: float = field(default_factory=time.monotonic)
    # The objects in ``value`` that can grow, and how many attributes they held when it was weighed.
    growing: list = field(default_factory=list)
    filled: int = 0


class ResultStore:
    """A thread-safe least-recently-used store bounded in bytes, with single-flight computation.

    Parameters
    ----------
    max_bytes : int
        The most the store holds in all.
    owner_bytes : int
        The most the entries one owner (a session) brought in may hold; a value larger than
        this is returned but not kept.
    idle_seconds : float
        An entry unused this long by any live owner is dropped by ``sweep``.
    """

    def __init__(self, max_bytes: int, owner_bytes: int, idle_seconds: float = 60.0):
        self.max_bytes = int(max_bytes)
        self.owner_bytes = int(owner_bytes)
        self.idle_seconds = float(idle_seconds)
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Event] = {}

    def __repr__(self) -> str:
        return f"ResultStore(entries={len(self._entries)}, bytes={self.size:,}, max_bytes={self.max_bytes:,})"

    @property
    def size(self) -> int:
        """Bytes held now."""
        return sum(e.size for e in self._entries.values())

    def get_or_compute(self, key: Hashable, owner: str, compute: Callable[[], Any],
                       wait: Callable[[], None] | None = None, join: bool = True) -> Any:
        """The value stored under ``key``, computing it with ``compute()`` when absent.

        Two sessions asking for the same absent key compute it once: the second waits for the
        first, calling ``wait()`` about every 0.1 s (a place to notice that its own session
        has gone). An exception from ``compute`` is raised to its caller and nothing is kept;
        a waiting caller then computes it itself. With ``join`` False the caller never waits
        for another's computation but does its own (a caller holding a scarce resource, which
        the other may be waiting for).
        """
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    entry.users.add(owner)
                    entry.used = time.monotonic()
                    self._reweigh(entry)
                    return entry.value
                flight = self._flights.get(key)
                if flight is None:
                    flight = self._flights[key] = threading.Event()
                    break
                if not join:
                    flight = None
                    break
            while not flight.wait(0.1):
                if wait is not None:
                    wait()
        try:
            value = compute()
            self.put(key, value, owner)
            return value
        finally:
            if flight is not None:  # None: a computation of our own beside another's, unannounced
                with self._lock:
                    self._flights.pop(key, None)
                flight.set()

    def put(self, key: Hashable, value: Any, owner: str) -> bool:
        """Keep ``value`` under ``key``; False when it is too large to keep for one owner."""
        size, growing = _weigh(value)
        if size > self.owner_bytes or size > self.max_bytes:
            return False
        with self._lock:
            self._entries.pop(key, None)
            self._evict(lambda e: e.owner == owner, self.owner_bytes - size)
            self._evict(lambda e: True, self.max_bytes - size)
            self._entries[key] = _Entry(value, size, owner, {owner}, growing=growing, filled=_filled(growing))
        return True

    def sweep(self, alive: Callable[[str], bool]) -> int:
        """Drop the entries that no live owner has used for ``idle_seconds``; return the bytes freed.

        Every entry that has grown is weighed again first, and the store brought back within its bounds.
        """
        now = time.monotonic()
        with self._lock:
            before = sum(e.size for e in self._entries.values())
            for key, entry in list(self._entries.items()):
                entry.users = {u for u in entry.users if alive(u)}
                if not entry.users and now - entry.used > self.idle_seconds:
                    del self._entries[key]
                else:
                    self._reweigh(entry)
            return max(0, before - sum(e.size for e in self._entries.values()))

    def values(self) -> list[Any]:
        """The values held now, oldest first."""
        with self._lock:
            return [e.value for e in self._entries.values()]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _reweigh(self, entry: _Entry) -> None:
        """Weigh ``entry`` again (a result grows as its lazily computed attributes are asked for),
        then evict the oldest entries until its owner's and the store's bounds hold again.

        Called with the lock held. ``entry`` itself is never evicted here: its caller is using it.
        Only an entry whose growing objects hold more attributes than when it was last weighed is
        walked again: a walk of the Residuals page's figures costs about 0.2 s at 1,000 rows.
        """
        filled = _filled(entry.growing)
        if filled == entry.filled:
            return
        entry.size, entry.growing = _weigh(entry.value)
        entry.filled = _filled(entry.growing)
        others = [k for k, e in self._entries.items() if e is not entry]
        for belongs, bound in ((lambda e: e.owner == entry.owner, self.owner_bytes), (lambda e: True, self.max_bytes)):
            held = sum(e.size for e in self._entries.values() if belongs(e))
            for key in others:
                if held <= bound:
                    break
                other = self._entries.get(key)
                if other is not None and belongs(other):
                    held -= other.size
                    del self._entries[key]

    def _evict(self, belongs: Callable[[_Entry], bool], room: int) -> None:
        """Drop the oldest entries that ``belongs`` selects until they hold at most ``room`` bytes."""
        held = sum(e.size for e in self._entries.values() if belongs(e))
        for key, entry in list(self._entries.items()):
            if held <= room:
                return
            if belongs(entry):
                held -= entry.size
                del self._entries[key]
