"""Heavy work on a shared server: checked against the budget, run in a few slots, stopped when unwanted.

Every computation a visitor can start goes through :func:`run`:

- its estimated cost (``linreg.budget``) is checked first, so a request the server cannot
  afford is refused with a message naming what fits, before anything is allocated;
- a heavy one (estimated over ``JobConfig.heavy_s`` seconds or ``heavy_mb`` megabytes) waits for
  one of a few server-wide slots, so one visitor's largest job leaves the other cores, and the
  memory of one job, to everyone else;
- past ``JobConfig.progress_after_s`` it shows its progress and a Stop button;
- it stops, between chunks of its work, when its visitor leaves, presses Stop or changes a
  setting (a rerun): linreg's loops call ``should_stop``, and the Streamlit call made there is
  the point where Streamlit ends a run that is no longer wanted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx, in_cached_function

from linreg.budget import Cost, check
from linreg.exceptions import Cancelled

from .config import CONFIG
from .runtime import session_alive, session_id

__all__ = ["run", "placeholder", "holding_slot", "forget_stop", "Hooks"]

T = TypeVar("T")
Hooks = dict[str, Callable]

# The job a visitor stopped with the Stop button: the next run refuses it instead of starting it again.
_STOPPED = "lr_stopped_job"
# Heavy jobs running at once, server-wide. A thread already holding a slot (a job that needs
# another result first) does not take a second one, so nested jobs cannot wait on themselves.
_SLOTS = threading.BoundedSemaphore(CONFIG.jobs.slots)
_held = threading.local()  # depth: heavy-job slots this thread holds; running: the jobs it runs, innermost last
# How often a running job lets Streamlit act on a stop or a rerun, in seconds.
_TICK = 0.2


class _Job:
    """One running job's face on the page and its stop check."""

    def __init__(self, label: str, key: str, box):
        self.label, self.key = label, key
        self.sid = session_id()
        self.start = self.last = time.monotonic()
        self.fraction = 0.0
        # Without a box (inside a cached function: elements would be recorded for replay) the job
        # shows nothing and stops only when its visitor has gone.
        self.box = box
        self.bar = None

    def progress(self, fraction: float) -> None:
        self.fraction = min(max(float(fraction), 0.0), 1.0)

    def should_stop(self) -> bool:
        now = time.monotonic()
        if now - self.last < _TICK:
            return False
        self.last = now
        if self.sid and not session_alive(self.sid):
            return True
        if self.box is not None:
            # Any element sent is a point where Streamlit raises to end an unwanted run.
            if now - self.start >= CONFIG.jobs.progress_after_s:
                self._show()
            else:
                self.box.empty()
        return False

    def _show(self) -> None:
        text = f"Computing {self.label}… {self.fraction:.0%}"
        if self.bar is not None:
            self.bar.progress(self.fraction, text=text)
            return
        with self.box.container():
            self.bar = st.progress(self.fraction, text=text)
            st.button("Stop", key=f"lr_stop_{self.key[:12]}", on_click=_stop, args=(self.key,),
                      help="Stop this computation. Change a setting to start another.")

    def done(self) -> None:
        if self.box is not None:
            self.box.empty()


def _stop(key: str) -> None:
    st.session_state[_STOPPED] = key


@contextmanager
def _slot(job: _Job):
    """Hold one of the server's heavy-job slots while the job runs, waiting for one if need be."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    waiting = False
    while not _SLOTS.acquire(timeout=_TICK):
        if job.should_stop():
            raise Cancelled("stopped before it started: the visitor left")
        if not waiting and job.box is not None:
            waiting = True
            job.box.info(f"Waiting to compute {job.label}: the server is busy with another visitor's "
                         "computation, and this one starts as soon as that one ends.")
    if waiting:
        job.box.empty()
    _held.depth = 1
    try:
        yield
    finally:
        _held.depth = 0
        _SLOTS.release()


def placeholder():
    """The place on the page where a job shows its progress: an empty element, or None where none can go.

    Every cached call takes one, whether it computes or finds its result stored, so that a page's
    elements keep their places from one run to the next: when the first run's jobs put elements the
    later runs do not, the browser mounts what follows anew (the GD stepper loses its state).
    None inside a cached function (elements would be recorded for replay) and inside another
    job, whose result, once stored, skips the inner call: the inner job shows itself in the outer one's.
    """
    if in_cached_function.get() or getattr(_held, "running", None):
        return None
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.empty()


def run(label: str, key: str, cost: Cost | None, work: Callable[[Hooks], T], *, heavy: bool = False,
        box=None) -> T:
    """Run ``work(hooks)`` for the visitor, within the budget and the server's slots.

    Parameters
    ----------
    label : str
        What the job computes, for its progress and messages ("gradient descent").
    key : str
        The job's identity (its cache key): a Stop press refers to it.
    cost : linreg.budget.Cost or None
        Its estimated cost, checked against ``CONFIG.limits`` first. None for work that is
        bounded by its own checks (a design checks its size before allocating) or always
        small (a pass over rows already held): it runs without a slot.
    work : callable
        ``work({"should_stop": ..., "progress": ...}) -> T``; linreg's long loops take both hooks.
    heavy : bool, default False
        Take a heavy-job slot whatever the estimate says.
    box : streamlit element or None
        Where the job shows its progress, its Stop button and its wait for a slot (:func:`placeholder`).
        None: in the box of the job this one runs inside, if any; else nothing is shown.

    Raises
    ------
    linreg.exceptions.BudgetError
        If the estimate is over the limits (the message names what fits).
    linreg.exceptions.Cancelled
        If the visitor stopped this job with its Stop button, or left while it ran.
    """
    if cost is not None:
        check(cost, CONFIG.limits)
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None and st.session_state.get(_STOPPED) == key:
        raise Cancelled(f"You stopped {label} before it finished. Run it again, or change a setting: "
                        "a smaller one finishes sooner.")
    running = _held.__dict__.setdefault("running", [])
    outer = running[-1] if box is None and running and not in_cached_function.get() else None
    job = _Job(label, key, outer.box if outer is not None else box)
    hooks: Hooks = {"should_stop": job.should_stop, "progress": job.progress}
    running.append(job)
    try:
        light = cost is None or (cost.seconds <= CONFIG.jobs.heavy_s and cost.bytes <= CONFIG.jobs.heavy_mb * 1_000_000)
        if light and not heavy:
            return work(hooks)
        with _slot(job):
            return work(hooks)
    finally:
        running.pop()
        job.done()
        if outer is not None:
            outer.bar = None  # the inner job drew over the outer's progress: it is drawn anew


def holding_slot() -> bool:
    """Whether this thread runs a heavy job now (it must not wait for work that may need its slot)."""
    return bool(getattr(_held, "depth", 0))


def forget_stop() -> None:
    """Forget a Stop press: the stopped job may start again."""
    st.session_state.pop(_STOPPED, None)
