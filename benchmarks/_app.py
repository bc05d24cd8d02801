"""The app's time budgets: how long each page's server-side rerun takes, measured with AppTest.

What is timed
-------------
* **rerun**: a page rerun with nothing new to compute (every result and chart already
  cached), as after a click that changes nothing on that page. Budgets: 50 ms at N <= 1,000
  rows, 150 ms at N = 100,000.
* **first view**: the first rerun of a page after the data was made: fitting, running the
  descent and drawing the charts (no budget; shown so the cached numbers have a scale).
* **go to iteration**: the Gradient descent page after a move of its server-side slider
  (*Go to any iteration*), which must reopen the stepper at the new iteration without running
  the descent again (*Next ›* steps in the browser; the browser section times it).

Every page is opened on the same synthetic data (the app's ``linear`` generator with three
features, seed 0) through a shareable link, as a visitor would.

AppTest runs the app's script in a thread of this process, like the server does. Two
differences are corrected, so that what is timed is what a visitor waits for:

* the server compiles each page's code once (one ``ScriptCache`` for the runtime), while
  AppTest makes a new cache on every run and so recompiles every page each time (10-20 ms);
  the harness gives AppTest one shared cache;
* AppTest turns Streamlit's old ``pages/`` multipage mode back on before every run, so each
  page would first run alone and hand over to app.py (``ui.legacy.through_app``); a server turns
  that mode off for good on its first run, and so does the harness (``ui.legacy.serve_as_started``).
"""

from __future__ import annotations

import gc
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = ("data", "fit", "residuals", "descent", "compare", "regularization", "learn")
BUDGET_MS = {1_000: 50.0, 100_000: 150.0}


def _as_served() -> None:
    """Make AppTest run the app as a started server does (see the module docstring)."""
    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    from ui.legacy import serve_as_started

    if not hasattr(app_test, "ScriptCache") or not hasattr(local_script_runner, "ScriptCache"):
        raise RuntimeError("streamlit's AppTest no longer makes its ScriptCache where this harness expects")
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    serve_as_started()


def _timed(run) -> tuple[float, float]:
    """(wall, CPU) seconds of one call; CPU is this process's, all threads."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - t0, time.process_time() - c0


def _open(page: str, n: int):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params.update({"gen": "linear", "g_n": str(n), "g_p": "3", "g_seed": "0"})
    at.run()
    at.switch_page(f"pages/{page}.py")
    return at


def _check(at, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what} raised: {[e.value for e in at.exception]}")


def _row(page: str, n: int, walls, cpus) -> dict:
    """Medians of the reruns' wall and CPU seconds, judged against the budget for ``n`` rows."""
    rerun = statistics.median(walls)
    budget = BUDGET_MS.get(n)
    return {
        "page": page, "n": n, "repeats": len(walls),
        "rerun_s": rerun, "rerun_cpu_s": statistics.median(cpus),
        "budget_s": None if budget is None else budget / 1e3,
        "met": None if budget is None else bool(rerun * 1e3 <= budget),
    }


def page_times(page: str, n: int, repeats: int) -> dict:
    """First view and cached rerun of one page at ``n`` rows (medians of ``repeats`` reruns)."""
    at = _open(page, n)
    first_wall, first_cpu = _timed(at.run)
    _check(at, f"{page} at N={n}")
    at.run()  # anything computed lazily on the first view is cached now
    walls, cpus = zip(*(_timed(at.run) for _ in range(repeats)), strict=True)
    _check(at, f"{page} at N={n}")
    return {**_row(page, n, walls, cpus), "first_view_s": first_wall, "first_view_cpu_s": first_cpu}


def scrub_times(n: int, repeats: int) -> dict:
    """The Gradient descent page after a one-step move of its server-side slider, ``repeats`` in a row (median).

    *Next ›* itself steps in the browser, with no rerun; this is the rerun of the server's slider
    (and the one the stepper's settled iteration costs), which reopens the stepper there.
    """
    at = _open("descent", n)
    at.run()
    at.run()
    walls, cpus = [], []
    for _ in range(repeats):
        slider = at.slider(key="gd_k")
        slider.set_value(min(slider.value + 1, slider.max))
        wall, cpu = _timed(at.run)
        _check(at, f"the GD scrubber at N={n}")
        walls.append(wall)
        cpus.append(cpu)
    return _row("descent: go to iteration", n, walls, cpus)


def section_app(sizes: list[int], repeats: int) -> dict:
    """Every page at every size, then the scrubber: rows for the report and the JSON."""
    from streamlit.logger import set_log_level

    # AppTest runs the script outside a server; Streamlit says so once per thread at WARNING.
    set_log_level("error")
    _as_served()
    rows = []
    for n in sizes:
        rows.extend(page_times(page, n, repeats) for page in PAGES)
        rows.append(scrub_times(n, repeats))
    judged = [r for r in rows if r["met"] is not None]
    return {"sizes": sizes, "rows": rows, "all_met": bool(judged) and all(r["met"] for r in judged)}
