"""Benchmarks: linreg against numpy, scikit-learn, statsmodels and pandas, side by side,
and the app's page reruns against their budgets.

Run ``python -m benchmarks`` (or ``python benchmarks/run.py``) from the project root.
``--quick`` uses small N so the whole run takes seconds (CI runs it to keep the script
working; it judges no timing). ``--json PATH`` chooses where the results go
(default ``benchmarks/results/latest.json``, which git ignores).

Method
------
* Every contender gets the same ``X`` (n, p) and ``y`` (n,) built once per size by
  :func:`benchmarks._problem.make_problem`. Anything a contender needs beyond that (the
  ones column for lstsq/statsmodels) is built inside its timed call, as ``fit_ols`` and
  scikit-learn do their own centring/design inside theirs.
* Each timing is the median of several repeats (``time.perf_counter``, ``gc.collect()``
  before each). A call whose first run already exceeds the time budget is not repeated.
* ``fit_ols`` is timed with its lazily computed statistics read (cached properties), so
  "full inference" means what it says.
* Memory is measured in child processes (see :mod:`benchmarks._memory`).
* The app's page reruns are timed with Streamlit's AppTest (see :mod:`benchmarks._app`).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (python benchmarks/run.py): make the project root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks._app import section_app
from benchmarks._browser import section_browser, section_browser_drag
from benchmarks._scale import section_scale
from benchmarks._problem import FULL, INFERENCE, fit_ols_touching, make_problem

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "latest.json"

# The performance targets (ratios, so they travel between machines).
TARGET_OLS_VS_SKLEARN = 1.0
TARGET_GD_VS_OLS = 2.0
TARGET_PEAK_VS_X = 3.0


# --------------------------------------------------------------------------- configuration


def config(quick: bool) -> dict:
    """Sizes and repeats for a full or a quick run."""
    if quick:
        return {
            "n": 20_000, "p": 20, "repeats": 2, "budget_s": 2.0,
            "gd_iter": 10_000, "naive_iter": 20,
            "scale_n": [1_000, 5_000, 20_000], "scale_p": [5, 20, 40], "scale_p_n": 20_000,
            "csv_rows": 20_000, "csv_cols": 10, "memory_n": 20_000,
            # Quick mode only has to prove the script works: skip the extra contenders.
            "ols_methods": [], "memory_who": ["fit_ols"],
            "app_sizes": [1_000], "app_repeats": 3,
        }
    return {
        "n": 1_000_000, "p": 20, "repeats": 5, "budget_s": 20.0,
        "gd_iter": 10_000, "naive_iter": 20,
        "scale_n": [1_000, 10_000, 100_000, 1_000_000], "scale_p": [5, 10, 20, 40, 80],
        "scale_p_n": 1_000_000,
        "csv_rows": 1_000_000, "csv_cols": 10, "memory_n": 1_000_000,
        "ols_methods": ["svd", "normal"], "memory_who": ["fit_ols", "sklearn", "statsmodels"],
        "app_sizes": [1_000, 100_000], "app_repeats": 9,
    }


# --------------------------------------------------------------------------- timing


def bench(fn: Callable[[], object], repeats: int, budget_s: float) -> dict:
    """Time ``fn()`` up to ``repeats`` times; stop early once ``budget_s`` is spent.

    Returns ``{"median_s", "times_s", "repeats", "cpu_median_s"}``; the process CPU time
    (all threads) shows whether wall time was lost waiting for a busy machine. The result of ``fn`` is dropped
    before the next call so big results do not pile up in memory.
    """
    times, cpu = [], []
    for _ in range(repeats):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        del out
        if sum(times) > budget_s:
            break
    return {"median_s": statistics.median(times), "times_s": times, "repeats": len(times),
            "cpu_median_s": statistics.median(cpu)}


def bench_interleaved(fns: dict[str, tuple[Callable[[], object], int]], budget_s: float) -> dict[str, dict]:
    """Time several contenders round-robin: ``{name: (fn, repeats)}`` -> ``{name: timing}``.

    Interleaving matters on a shared machine: if other work starts or stops during the
    run, every contender sees the same share of it, so the ratios stay fair.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(max(reps for _, reps in fns.values())):
        for name, (fn, reps) in fns.items():
            if len(times[name]) >= reps or sum(times[name]) > budget_s:
                continue
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            out = fn()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
            del out
    return {name: {"median_s": statistics.median(t), "times_s": t, "repeats": len(t),
                   "cpu_median_s": statistics.median(cpu[name])} for name, t in times.items()}


def _row(name: str, timing: dict, **extra) -> dict:
    return {"name": name, **timing, **extra}


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


# --------------------------------------------------------------------------- contenders


def _sklearn(X, y):
    from sklearn.linear_model import LinearRegression

    return LinearRegression().fit(X, y)


def _lstsq(X, y):
    X1 = np.column_stack([np.ones(len(X)), X])
    return np.linalg.lstsq(X1, y, rcond=None)


def _statsmodels(X, y):
    import statsmodels.api as sm

    r = sm.OLS(y, sm.add_constant(X, prepend=True)).fit()
    r.bse, r.pvalues
    return r


def _naive_gd(X1, y, learning_rate: float, n_iter: int):
    """The seed formula, as a student would write it: two passes over X1 (with ones) per step."""
    n = len(X1)
    w = np.zeros(X1.shape[1])
    coefs, losses, grads = [w.copy()], [], []
    for _ in range(n_iter):
        r = X1 @ w - y
        g = (2.0 / n) * (X1.T @ r)
        losses.append(r @ r / n)
        grads.append(g)
        w = w - learning_rate * g
        coefs.append(w.copy())
    return np.array(coefs), np.array(losses), np.array(grads)


# --------------------------------------------------------------------------- sections


def section_ols(cfg: dict, X, y) -> dict:
    """fit_ols with inference against scikit-learn, numpy.linalg.lstsq and statsmodels."""
    r, b = cfg["repeats"], cfg["budget_s"]
    fns = {
        "sklearn LinearRegression.fit": (lambda: _sklearn(X, y), r),
        "numpy.linalg.lstsq (incl. ones column)": (lambda: _lstsq(X, y), r),
        "statsmodels OLS.fit + bse, pvalues": (lambda: _statsmodels(X, y), min(r, 3)),
        "fit_ols qr: coef only": (lambda: fit_ols_touching(X, y, ("coef",)), r),
        "fit_ols qr: + inference (se, p, ci, F)": (lambda: fit_ols_touching(X, y, INFERENCE), r),
        "fit_ols qr: full (+ leverage, rstudent, Cook)": (lambda: fit_ols_touching(X, y, FULL), r),
    }
    # Floors, to show how far from memory bandwidth and one BLAS call we are.
    fns["reference: one pass over X (X.sum)"] = (lambda: X.sum(), r)
    fns["reference: X^T X (X.T @ X)"] = (lambda: X.T @ X, r)
    for method in cfg["ols_methods"]:
        fns[f"fit_ols {method}: full"] = (lambda m=method: fit_ols_touching(X, y, FULL, method=m), min(r, 3))
    rows = [_row(name, t) for name, t in bench_interleaved(fns, b).items()]
    sk = rows[0]["median_s"]
    for row in rows:
        row["ratio_vs_sklearn"] = _ratio(row["median_s"], sk)
    full = next(row for row in rows if row["name"].startswith("fit_ols qr: full"))
    return {
        "n": len(X), "p": X.shape[1], "rows": rows,
        "fit_ols_full_s": full["median_s"], "sklearn_s": sk,
        "ratio_fit_ols_full_vs_sklearn": _ratio(full["median_s"], sk),
        "notes": "fit_ols rows read the listed statistics (cached properties) inside the timed call; "
        "lstsq and statsmodels build the ones column inside theirs.",
    }


def section_gd(cfg: dict, X, y, fit_ols_s: float | None) -> dict:
    """Full-batch gradient descent with history against one fit_ols and a naive loop."""
    from linreg.descent import gradient_descent

    n_iter, r, b = cfg["gd_iter"], cfg["repeats"], cfg["budget_s"]
    # A small fixed rate keeps the run far from convergence, so every one of the n_iter
    # steps is taken (tol=0 as well); the step cost does not depend on the rate.
    lr = 1e-4
    info = {}

    def run(standardize: bool):
        res = gradient_descent(X, y, learning_rate=lr, n_iter=n_iter, tol=0.0, standardize=standardize)
        res.history.coef, res.history.loss, res.history.grad, res.history.coef_original
        info[standardize] = {"n_iter_run": int(res.n_iter), "diverged": bool(res.diverged),
                             "history_len": int(len(res.history.loss))}
        return res

    rows = []
    for standardize in (False, True):
        t = bench(lambda s=standardize: run(s), min(r, 3), b)
        rows.append(_row(f"gradient_descent full batch, {n_iter} iters, standardize={standardize}", t,
                         **info[standardize]))
    if fit_ols_s is None:
        fit_ols_s = bench(lambda: fit_ols_touching(X, y, FULL), min(r, 3), b)["median_s"]
    k = cfg["naive_iter"]
    # The ones column is built once, outside the timing, so only the steps are extrapolated.
    X1 = np.column_stack([np.ones(len(X)), X])
    naive = bench(lambda: _naive_gd(X1, y, lr, k), min(r, 3), b)
    per_iter = naive["median_s"] / k
    # Same iterates as the seed formula? Compare the first k steps (reported, not asserted).
    naive_coef = _naive_gd(X1, y, lr, k)[0]
    del X1
    fast = gradient_descent(X, y, learning_rate=lr, n_iter=k, tol=0.0).history.coef
    m = min(len(fast), len(naive_coef))
    agreement = float(np.max(np.abs(fast[:m] - naive_coef[:m])) / max(np.max(np.abs(naive_coef[:m])), 1e-300))
    rows.append({"name": f"naive numpy loop, {n_iter} iters (extrapolated from {k})",
                 "median_s": per_iter * n_iter, "extrapolated": True,
                 "measured_iters": k, "measured_median_s": naive["median_s"], "per_iter_s": per_iter})
    for row in rows:
        row["ratio_vs_fit_ols"] = _ratio(row["median_s"], fit_ols_s)
    return {
        "n": len(X), "p": X.shape[1], "n_iter": n_iter, "learning_rate": lr, "rows": rows,
        "fit_ols_full_s": fit_ols_s,
        "ratio_gd_vs_fit_ols": rows[0]["ratio_vs_fit_ols"],
        "iterates_max_rel_diff_vs_naive": agreement,
        "notes": "fit_ols_full_s is the median 'fit_ols qr: full' time from the OLS section. "
        f"The naive loop was run for {k} iterations and multiplied up to {n_iter}.",
    }


def section_memory(cfg: dict) -> dict:
    """Peak RSS of one fit in a fresh child process, per library, against X.nbytes."""
    n, p = cfg["memory_n"], cfg["p"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    rows = []
    for who in cfg["memory_who"]:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks._memory", who, str(n), str(p), "0"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )
        if out.returncode != 0:
            raise RuntimeError(f"memory child for {who} failed:\n{out.stderr[-2000:]}")
        d = json.loads(out.stdout.strip().splitlines()[-1])
        xb = d["X_nbytes"]
        d["peak_rss_vs_X"] = _ratio(d["rss_peak_bytes"], xb)
        d["fit_increment_rss_vs_X"] = _ratio(
            None if d["rss_peak_bytes"] is None else d["rss_peak_bytes"] - d["rss_before_fit_bytes"], xb)
        d["tracemalloc_peak_vs_X"] = _ratio(d["tracemalloc_peak_bytes"], xb)
        rows.append(d)
    ours = rows[0]
    return {
        "n": n, "p": p, "X_nbytes": ours["X_nbytes"], "rows": rows,
        "ratio_peak_rss_vs_X": ours["peak_rss_vs_X"],
        "ratio_fit_increment_vs_X": ours["fit_increment_rss_vs_X"],
        "notes": "Each fit runs in a fresh process holding X and y. peak RSS = the whole process's "
        "resident set at its highest during the fit (X, y, interpreter and libraries included); "
        "increment = that peak minus RSS just before the fit; tracemalloc = bytes numpy allocated "
        "during a second fit. The target is judged on the whole-process peak.",
    }


def section_scaling(cfg: dict, X, y) -> dict:
    """fit_ols (full) and scikit-learn as N grows at fixed p, and as p grows at fixed N."""
    r, b = min(cfg["repeats"], 3), cfg["budget_s"]
    by_n = []
    for n in cfg["scale_n"]:
        Xn, yn = (X, y) if n == len(X) else make_problem(n, cfg["p"], seed=1)
        t = bench_interleaved({"ours": (lambda: fit_ols_touching(Xn, yn, FULL), r),
                               "sk": (lambda: _sklearn(Xn, yn), r)}, b)
        ours, sk = t["ours"]["median_s"], t["sk"]["median_s"]
        by_n.append({"n": n, "p": cfg["p"], "fit_ols_s": ours, "sklearn_s": sk, "ratio": _ratio(ours, sk)})
        del Xn, yn
    by_p = []
    for p in cfg["scale_p"]:
        Xp, yp = make_problem(cfg["scale_p_n"], p, seed=2)
        t = bench_interleaved({"ours": (lambda: fit_ols_touching(Xp, yp, FULL), r),
                               "sk": (lambda: _sklearn(Xp, yp), r)}, b)
        ours, sk = t["ours"]["median_s"], t["sk"]["median_s"]
        by_p.append({"n": cfg["scale_p_n"], "p": p, "fit_ols_s": ours, "sklearn_s": sk, "ratio": _ratio(ours, sk)})
        del Xp, yp
        gc.collect()
    return {"by_n": by_n, "by_p": by_p,
            "notes": "fit_ols with full inference (all statistics read) vs sklearn LinearRegression.fit."}


def section_csv(cfg: dict) -> dict:
    """Parse a numeric CSV with linreg.data.load_csv and pandas (C and pyarrow engines)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from linreg.data import load_csv

    rows_n, cols = cfg["csv_rows"], cfg["csv_cols"]
    r, b = min(cfg["repeats"], 3), cfg["budget_s"]
    rng = np.random.default_rng(3)
    # Six decimals: what a spreadsheet export of measured data typically looks like.
    data = np.round(rng.standard_normal((rows_n, cols)) * 10, 6)
    names = [f"x{i}" for i in range(1, cols)] + ["y"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        pacsv.write_csv(pa.table({nm: data[:, i] for i, nm in enumerate(names)}), path,
                        write_options=pacsv.WriteOptions(quoting_style="needed"))
        del data
        size = path.stat().st_size
        raw = path.read_bytes()
        rows = []
        shapes = {}

        def run(name, fn):
            # Keep only the shape (a sanity check that every parser saw the whole file).
            t = bench(lambda: shapes.__setitem__(name, list(fn().shape)), r, b)
            rows.append(_row(name, t, shape=shapes[name]))

        run("linreg.data.load_csv(path)", lambda: load_csv(path))
        run("linreg.data.load_csv(bytes) (as uploaded)", lambda: load_csv(raw))
        run("pandas.read_csv default (C) engine", lambda: pd.read_csv(path))
        run('pandas.read_csv engine="pyarrow"', lambda: pd.read_csv(path, engine="pyarrow"))
    base = rows[2]["median_s"]
    for row in rows:
        row["ratio_vs_pandas_c"] = _ratio(row["median_s"], base)
    return {"rows_in_file": rows_n, "columns": cols, "file_bytes": size, "rows": rows,
            "notes": "Numeric CSV, comma separated, 6 decimals, written by pyarrow to a temp file."}


# --------------------------------------------------------------------------- machine


def machine_info() -> dict:
    """CPU model, cores, memory, library versions and the BLAS numpy uses."""
    info: dict = {"platform": platform.platform(), "python": platform.python_version()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        models = [ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")]
        info["cpu_model"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu_model"] = platform.processor()
    info["cpu_count"] = os.cpu_count()
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["cpus_usable"] = os.cpu_count()
    try:
        for ln in Path("/proc/meminfo").read_text().splitlines():
            if ln.startswith("MemTotal:"):
                info["mem_total_gib"] = round(int(ln.split()[1]) / 2**20, 1)
    except OSError:
        pass
    versions = {}
    for mod in ("numpy", "scipy", "pandas", "pyarrow", "sklearn", "statsmodels"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # a missing optional library only loses its version line
            versions[mod] = None
    info["versions"] = versions
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: d.get(k) for k in ("internal_api", "version", "num_threads", "architecture", "threading_layer")}
            for d in threadpool_info() if d.get("user_api") == "blas"
        ]
    except Exception:  # threadpoolctl is optional; BLAS info is a nicety
        info["blas"] = None
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                            capture_output=True, text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["git_commit"] = None
    return info


# --------------------------------------------------------------------------- report


def _fmt_s(s: float | None) -> str:
    if s is None:
        return "—"
    if s >= 100:
        return f"{s:,.0f} s"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def _fmt_x(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}x"


def _mib(b: float | None) -> str:
    return "—" if b is None else f"{b / 2**20:,.0f} MiB"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def format_report(results: dict) -> str:
    """The printed table: machine, then one block per section, then the targets."""
    m = results["machine"]
    blas = ", ".join(f"{b['internal_api']} {b['version']} ({b['num_threads']} threads, {b['architecture']})"
                     for b in (m.get("blas") or [])) or "unknown"
    v = m["versions"]
    out = [
        f"linreg benchmarks ({'QUICK: sizes too small to judge' if results['quick'] else 'full'} run, "
        f"{results['started_utc']}, git {m.get('git_commit')})",
        f"Machine: {m['cpu_model']}, {m['cpus_usable']} usable cores, {m.get('mem_total_gib')} GiB; "
        f"Python {m['python']}; BLAS: {blas}",
        "numpy {numpy}, scipy {scipy}, scikit-learn {sklearn}, statsmodels {statsmodels}, "
        "pandas {pandas}, pyarrow {pyarrow}".format(**v),
        "Load average (1, 5, 15 min) at start {} and end {}; times are wall-clock medians of repeats "
        "(count in brackets); CPU time is this process's, all threads.".format(*(" / ".join(f"{x:.1f}" for x in results[k])
                                        for k in ("load_average_start", "load_average_end"))),
    ]
    s = results["sections"]

    def block(title, body):
        out.extend(["", title, body])

    def errored(key):
        if key not in s:  # not run (--only)
            return True
        if "error" in s[key]:
            block(f"[{key}] FAILED", s[key]["error"].strip().splitlines()[-1])
            return True
        return False

    if not errored("ols"):
        d = s["ols"]
        block(f"1. OLS fit, N = {d['n']:,}, p = {d['p']} (same X, y for all)",
              _table(["", "time", "CPU time", "vs sklearn"],
                     [[r["name"], f"{_fmt_s(r['median_s'])} [{r['repeats']}]", _fmt_s(r["cpu_median_s"]),
                       _fmt_x(r["ratio_vs_sklearn"])] for r in d["rows"]]))
    if not errored("gd"):
        d = s["gd"]
        block(f"2. Gradient descent, N = {d['n']:,}, p = {d['p']}, {d['n_iter']:,} iterations, full history "
              f"(vs one fit_ols full = {_fmt_s(d['fit_ols_full_s'])})",
              f"(first {d['rows'][-1]['measured_iters']} iterates vs the naive loop: max relative difference "
              f"{d['iterates_max_rel_diff_vs_naive']:.1e})\n" +
              _table(["", "time", "CPU time", "vs fit_ols"],
                     [[r["name"] + ("" if r.get("n_iter_run", d["n_iter"]) == d["n_iter"]
                                    else f" [ran only {r['n_iter_run']} iters]"),
                       f"{_fmt_s(r['median_s'])}" + ("" if r.get("extrapolated") else f" [{r['repeats']}]"),
                       _fmt_s(r.get("cpu_median_s")), _fmt_x(r["ratio_vs_fit_ols"])] for r in d["rows"]]))
    if not errored("memory"):
        d = s["memory"]
        block(f"3. Peak memory of one fit, N = {d['n']:,}, p = {d['p']}, X = {_mib(d['X_nbytes'])} "
              f"(fresh process each; {d['rows'][0]['rss_method']})",
              _table(["", "peak RSS", "vs X", "RSS increment", "vs X", "tracemalloc", "vs X"],
                     [[r["who"], _mib(r["rss_peak_bytes"]), _fmt_x(r["peak_rss_vs_X"]),
                       _mib(None if r["rss_peak_bytes"] is None else r["rss_peak_bytes"] - r["rss_before_fit_bytes"]),
                       _fmt_x(r["fit_increment_rss_vs_X"]),
                       _mib(r["tracemalloc_peak_bytes"]), _fmt_x(r["tracemalloc_peak_vs_X"])] for r in d["rows"]]))
    if not errored("scaling"):
        d = s["scaling"]
        rows = [[f"{r['n']:,}", str(r["p"]), _fmt_s(r["fit_ols_s"]), _fmt_s(r["sklearn_s"]), _fmt_x(r["ratio"])]
                for r in d["by_n"] + d["by_p"]]
        block("4. Scaling: fit_ols full inference vs sklearn, growing N (p fixed) then growing p (N fixed)",
              _table(["N", "p", "fit_ols", "sklearn", "ratio"], rows))
    if not errored("csv"):
        d = s["csv"]
        block(f"5. CSV parse: {d['rows_in_file']:,} rows x {d['columns']} numeric columns, "
              f"{_mib(d['file_bytes'])} file",
              _table(["", "time", "vs pandas C"],
                     [[r["name"], f"{_fmt_s(r['median_s'])} [{r['repeats']}]", _fmt_x(r["ratio_vs_pandas_c"])]
                      for r in d["rows"]]))
    if not errored("app"):
        d = s["app"]
        block("6. App: server-side rerun of each page, AppTest on synthetic data (3 features); budget "
              "50 ms at N = 1,000, 150 ms at N = 100,000",
              _table(["page", "N", "first view", "rerun (cached)", "CPU", "budget", "met"],
                     [[r["page"], f"{r['n']:,}", _fmt_s(r.get("first_view_s")), f"{_fmt_s(r['rerun_s'])} [{r['repeats']}]",
                       _fmt_s(r["rerun_cpu_s"]), _fmt_s(r["budget_s"]),
                       "—" if r["met"] is None else ("yes" if r["met"] else "NO")] for r in d["rows"]]))
    if "browser" in s and not errored("browser"):
        d = s["browser"]
        block("6b. Browser: Gradient descent page, click on Next › to painted, headless Chromium (median of "
              "20 clicks); budget 50 ms at N <= 1,000, 100 ms at N = 100,000",
              _table(["N", "click to paint", "slowest", "bytes sent", "budget", "met"],
                     [[f"{r['n']:,}", _fmt_s(r["median_s"]), _fmt_s(r["max_s"]), f"{r['bytes_sent_during_clicks']:,}",
                       _fmt_s(r["budget_s"]), "yes" if r["met"] else "NO"] for r in d["rows"]]))
    if "browser" in s and not errored("browser") and "cold" in s["browser"]:
        d = s["browser"]
        cold = d["cold"]
        block(f"6c. Browser: cold first chart (new server: its health check to the Data page's chart painted, "
              f"median of {cold['repeats']}) and each page's warm first paint (a sidebar click to its main "
              f"content, N = {d['warm'][0]['n']:,}, median of {d['warm'][0]['rounds']}); budgets 3 s and 1.5 s",
              _table(["", "median", "slowest", "budget", "met"],
                     [["cold first chart", _fmt_s(cold["median_s"]), _fmt_s(max(cold["times_s"])),
                       _fmt_s(cold["budget_s"]), "yes" if cold["met"] else "NO"]]
                     + [[f"warm {r['page']}", _fmt_s(r["median_s"]), _fmt_s(r["max_s"]), _fmt_s(r["budget_s"]),
                         "yes" if r["met"] else "NO"] for r in d["warm"]]))
    if "browser" in s and not errored("browser") and "drag" in s["browser"]:
        block(_drag_title(), _drag_table(s["browser"]["drag"]["rows"]))
    if "scale" in s and not errored("scale"):
        d = s["scale"]
        data = d["data"]
        block(f"7. Out of core: {data['rows']:,} x 20 float64 in {data['files']} Parquet files "
              f"({_mib(data['bytes_on_disk'])} on disk, warm cache); each in a fresh process",
              _table(["", "wall", "vs I/O floor", "imports", "peak RSS", "coef vs fit_ols", "SE vs fit_ols"],
                     [[r["who"], _fmt_s(r.get("wall_s")), _fmt_x(r.get("ratio_vs_floor")), _fmt_s(r.get("import_s")),
                       _mib(r.get("peak_rss_bytes")),
                       "—" if r.get("coef_max_rel_diff_vs_fit_ols") is None else f"{r['coef_max_rel_diff_vs_fit_ols']:.1e}",
                       "—" if r.get("std_err_max_rel_diff_vs_fit_ols") is None else f"{r['std_err_max_rel_diff_vs_fit_ols']:.1e}"]
                      if "error" not in r else [r["who"], "FAILED: " + r["error"][:60], "", "", "", "", ""]
                      for r in d["rows"]]))
    block("Targets" + (" — quick run: not judged" if results["quick"] else ""),
          _table(["", "measured", "target", "met"],
                 [[t["name"], _fmt_x(t["value"]), f"<= {t['limit']:.1f}x",
                   "—" if t["met"] is None else ("yes" if t["met"] else "NO")] for t in results["targets"]]))
    return "\n".join(out)


def _drag_title() -> str:
    return ("6c. Browser: drags in frames per second (frames in which the dragged thing moved), headless "
            "Chromium; goal 30 fps, and nothing sent to the server during the drag")


def _drag_table(rows: list[dict]) -> str:
    return _table(["drag", "N", "input", "moves/s", "fps", "display fps", "slowest frame", "bytes sent", "met"],
                  [[r["what"], f"{r['n']:,}", r["input"], _num(r["moves_per_s"], ".0f"), _num(r["fps"], ".1f"),
                    _num(r["display_fps"], ".1f"), _fmt_s(r["slowest_frame_s"]), f"{r['bytes_sent_during_drag']:,}",
                    "yes" if r["met"] else "NO"] for r in rows])


def _num(v: float | None, spec: str) -> str:
    return "—" if v is None or v != v else format(v, spec)  # None: NaN in the JSON


def targets(sections: dict) -> list[dict]:
    """The three library targets as measured ratios."""
    def get(sec, key):
        return sections.get(sec, {}).get(key)

    items = [
        ("fit_ols full inference / sklearn fit", get("ols", "ratio_fit_ols_full_vs_sklearn"), TARGET_OLS_VS_SKLEARN),
        ("GD 10k iters full history / fit_ols", get("gd", "ratio_gd_vs_fit_ols"), TARGET_GD_VS_OLS),
        ("fit_ols peak RSS (whole process) / X.nbytes", get("memory", "ratio_peak_rss_vs_X"), TARGET_PEAK_VS_X),
        ("  (other reading: RSS added by the fit / X)", get("memory", "ratio_fit_increment_vs_X"), TARGET_PEAK_VS_X),
        ("slowest app rerun / its budget", _worst_app_ratio(sections.get("app", {})), 1.0),
    ]
    return [{"name": n, "value": v, "limit": lim, "met": None if v is None else bool(v <= lim)}
            for n, v, lim in items]


def _worst_app_ratio(app: dict) -> float | None:
    ratios = [r["rerun_s"] / r["budget_s"] for r in app.get("rows", []) if r.get("budget_s")]
    return max(ratios) if ratios else None


# --------------------------------------------------------------------------- main


def _jsonable(obj):
    """Replace NaN/inf by None so the file is strict JSON."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


SECTIONS = ("ols", "gd", "memory", "scaling", "csv", "app", "browser", "scale")
# Sections a quick run leaves out (they are about size, and take minutes).
NOT_QUICK = ("scale", "browser")


def run(quick: bool = False, only: tuple[str, ...] = SECTIONS, log=print, scale_rows: int = 20_000_000) -> dict:
    """Run the chosen sections and return the results dict (what the JSON file holds)."""
    cfg = config(quick)
    cfg["scale_rows"] = scale_rows
    results = {
        "quick": quick, "started_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "config": cfg, "machine": machine_info(), "sections": {},
        # Other work on the machine skews timings; record how busy it was.
        "load_average_start": list(os.getloadavg()),
    }
    X, y = make_problem(cfg["n"], cfg["p"], seed=0)
    sections = results["sections"]
    steps = {
        "ols": lambda: section_ols(cfg, X, y),
        "gd": lambda: section_gd(cfg, X, y, sections.get("ols", {}).get("fit_ols_full_s")),
        "memory": lambda: section_memory(cfg),
        "scaling": lambda: section_scaling(cfg, X, y),
        "csv": lambda: section_csv(cfg),
        "app": lambda: section_app(cfg["app_sizes"], cfg["app_repeats"]),
        "browser": lambda: {**section_browser([50, 1_000, 100_000]), "drag": section_browser_drag()},
        "scale": lambda: section_scale(cfg["scale_rows"], max(1, min(40, cfg["scale_rows"] // 500_000))),
    }
    for name in SECTIONS:
        if name not in only or (quick and name in NOT_QUICK):
            continue
        log(f"[{time.strftime('%H:%M:%S')}] {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            # Our own warnings (e.g. near-collinearity) would repeat every repeat; they are
            # not what is measured here.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sections[name] = steps[name]()
        except Exception:  # one broken section must not lose the others' results
            sections[name] = {"error": traceback.format_exc()}
        sections[name]["section_wall_s"] = time.perf_counter() - t0
    results["load_average_end"] = list(os.getloadavg())
    results["targets"] = targets(sections)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small N: runs in well under a minute (CI)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help=f"where to write the results (default {DEFAULT_JSON.relative_to(ROOT)})")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="run only these sections (a quick run leaves out: " + ", ".join(NOT_QUICK) + ")")
    parser.add_argument("--scale-rows", type=float, default=2e7, metavar="N",
                        help="rows of the scale section's Parquet dataset (default 2e7, 3.4 GB; try 2e6)")
    args = parser.parse_args(argv)
    results = _jsonable(run(quick=args.quick, only=tuple(args.only), scale_rows=int(args.scale_rows)))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(format_report(results))
    print(f"\nJSON written to {args.json}")
    failed = [k for k, v in results["sections"].items() if "error" in v]
    if failed:
        print(f"\nSections that failed: {', '.join(failed)} (tracebacks in the JSON)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
