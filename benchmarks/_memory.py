"""Child process for the memory benchmark: ``python -m benchmarks._memory WHO N P SEED``.

Prints one JSON object. Run in a fresh process so the peak resident set size belongs to
this one fit and not to whatever the parent measured before.

Peak RSS: after building the data we reset the kernel's high-water mark (write "5" to
/proc/self/clear_refs, Linux >= 4.0), fit, and read VmHWM. If that reset is not allowed we
fall back to ru_maxrss, which then also covers data generation (reported in "rss_method").
Then, separately, tracemalloc's peak of a second fit counts the bytes numpy allocates.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
import tracemalloc

import numpy as np

from benchmarks._problem import FULL, fit_ols_touching, make_problem


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _fitter(who: str):
    if who == "fit_ols":
        return lambda X, y: fit_ols_touching(X, y, FULL)
    if who == "sklearn":
        from sklearn.linear_model import LinearRegression

        return lambda X, y: LinearRegression().fit(X, y)
    if who == "statsmodels":
        import statsmodels.api as sm

        def fit(X, y):
            # add_constant is part of what a statsmodels user pays for, so it is inside.
            r = sm.OLS(y, sm.add_constant(X, prepend=True)).fit()
            r.bse, r.pvalues
            return r

        return fit
    raise SystemExit(f"unknown fitter {who!r}; use fit_ols, sklearn or statsmodels")


def main(argv: list[str]) -> dict:
    who, n, p, seed = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    fit = _fitter(who)
    X, y = make_problem(n, p, seed)
    # Warm the import paths (scipy.stats etc.) on a tiny problem so lazy imports are not
    # counted as fitting memory.
    fit(X[:200], y[:200])
    gc.collect()
    rss_before = _status_kib("VmRSS")
    reset = _reset_hwm()
    t0 = time.perf_counter()
    res = fit(X, y)
    fit_s = time.perf_counter() - t0
    if reset:
        peak_kib, method = _status_kib("VmHWM"), "VmHWM after clear_refs reset (fit only)"
    else:
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        method = "ru_maxrss (whole process, includes data generation)"
    del res
    gc.collect()
    tracemalloc.start()
    res = fit(X, y)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "who": who,
        "n": n,
        "p": p,
        "X_nbytes": int(X.nbytes),
        "rss_before_fit_bytes": None if rss_before is None else rss_before * 1024,
        "rss_peak_bytes": None if peak_kib is None else peak_kib * 1024,
        "rss_method": method,
        "tracemalloc_peak_bytes": int(traced_peak),
        "fit_s": fit_s,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
