"""The scale section: an out-of-core fit against the I/O floor and the in-memory fit, on Parquet made in the run.

``python -m benchmarks --only scale [--scale-rows N]`` writes an N x 20 float64 dataset
(default 2e7 rows, 3.4 GB, in 40 files) to a temporary folder, then runs each contender
in a fresh child process (``python -m benchmarks._scale WHO FOLDER``), sampling the
resident set of the child and its children every 50 ms (psutil) for the peak:

* ``floor``: pyarrow reads every file once and touches every column (the I/O floor);
* ``scale``: ``linreg.scale.fit_ols`` on threads, refinement on, no diagnostics pass;
* ``scale + diagnostics``: the same with the diagnostics pass and sample;
* ``fit_ols in memory``: pyarrow reads all files into one (n, 20) array, then ``fit_ols``
  with its inference (what the in-memory CLI would do);
* ``dask-ml``: ``dask_ml.linear_model.LinearRegression(solver="newton")``, if installed.

The page cache is warm (the files were just written); the ratio to the floor is the number
that travels between machines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
P = 20
WHO = ("floor", "scale", "scale + diagnostics", "fit_ols in memory", "dask-ml")


def make_dataset(folder: Path, rows: int, files: int, seed: int = 0) -> dict:
    """N x 20 AR(1)-correlated columns with offsets and spreads, y = 3 + X beta + N(0, 4), as Parquet files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    offsets = np.linspace(0, 2e4, P)
    spreads = np.geomspace(0.1, 100, P)
    beta = rng.normal(size=P) / spreads
    edges = np.linspace(0, rows, files + 1).astype(int)
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        m = b - a
        Z = rng.standard_normal((m, P))
        Z[:, 1:] = 0.5 * Z[:, :-1] + np.sqrt(0.75) * Z[:, 1:]
        X = offsets + spreads * Z
        y = 3.0 + X @ beta + 2.0 * rng.standard_normal(m)
        pq.write_table(pa.table({**{f"x{j + 1}": X[:, j] for j in range(P)}, "y": y}), folder / f"part-{i:03d}.parquet")
    size = sum(f.stat().st_size for f in folder.glob("*.parquet"))
    return {"rows": rows, "files": files, "bytes_on_disk": size}


def _files(folder: str) -> list[str]:
    return sorted(str(f) for f in Path(folder).glob("*.parquet"))


def _imports(who: str) -> None:
    """The contender's modules, imported before its clock starts: a fixed cost per process, not per row."""
    import importlib

    names = {"floor": [], "fit_ols in memory": ["linreg.ols"], "dask-ml": ["dask.dataframe", "dask_ml.linear_model"]}
    for name in ["pyarrow.parquet", *names.get(who, ["dask.dataframe", "linreg.scale"])]:
        importlib.import_module(name)


def run_one(who: str, folder: str) -> dict:
    """Run one contender here (in the child) and return its wall time and what it computed.

    ``import_s`` is the time to import its modules (Dask and linreg load scipy and pandas:
    about a second), which the wall time leaves out, as the floor's does pyarrow's.
    """
    import pyarrow.parquet as pq

    t_import = time.perf_counter()
    _imports(who)
    t0 = time.perf_counter()
    out: dict = {"import_s": t0 - t_import}
    if who == "floor":
        total = 0.0
        for f in _files(folder):
            table = pq.read_table(f)
            total += sum(float(np.sum(col.to_numpy())) for col in table.columns)
        out["checksum"] = total
    elif who.startswith("scale"):
        from linreg import scale

        res = scale.fit_ols(folder, "y", client="threads", diagnostics=who.endswith("diagnostics"))
        out.update(coef=res.coef.tolist(), std_err=res.std_err.tolist(), refine_rounds=res.refine_rounds,
                   passes=res.passes)
    elif who == "fit_ols in memory":
        from linreg.ols import fit_ols

        files = _files(folder)
        n = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        X = np.empty((n, P))
        y = np.empty(n)
        i = 0
        for f in files:
            table = pq.read_table(f)
            m = table.num_rows
            for j in range(P):
                X[i : i + m, j] = table.column(f"x{j + 1}").to_numpy()
            y[i : i + m] = table.column("y").to_numpy()
            i += m
            del table
        out["load_s"] = time.perf_counter() - t0
        res = fit_ols(X, y)
        res.p_value, res.ci_low, res.f_p_value, res.aic
        out.update(coef=res.coef.tolist(), std_err=res.std_err.tolist())
    elif who == "dask-ml":
        import dask.dataframe as dd
        from dask_ml.linear_model import LinearRegression

        ddf = dd.read_parquet(folder)
        Xd = ddf[[f"x{j + 1}" for j in range(P)]].to_dask_array(lengths=True)
        yd = ddf["y"].to_dask_array(lengths=True)
        model = LinearRegression(solver="newton").fit(Xd, yd)
        out["coef"] = [float(model.intercept_)] + np.asarray(model.coef_).tolist()
    else:
        raise SystemExit(f"unknown contender {who!r}; one of {WHO}")
    out["wall_s"] = time.perf_counter() - t0
    return out


def _measure(who: str, folder: str, timeout: float) -> dict:
    """Run a contender in a child process; peak RSS of the child and its descendants, sampled every 50 ms."""
    import psutil

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks._scale", who, folder], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        try:
            p = psutil.Process(proc.pid)
            while not stop.is_set():
                try:
                    rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                except psutil.Error:
                    break
                peak[0] = max(peak[0], rss)
                time.sleep(0.05)
        except psutil.Error:
            pass

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        stop.set()
        t.join()
        if proc.poll() is None:
            proc.kill()
    if proc.returncode != 0:
        return {"who": who, "error": stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}"}
    d = json.loads(stdout.strip().splitlines()[-1])
    d.update(who=who, peak_rss_bytes=peak[0])
    return d


def section_scale(rows: int, files: int, timeout: float = 1800.0) -> dict:
    """Time and measure every contender on one freshly written dataset; ratios to the I/O floor."""
    try:
        import dask_ml

        who = WHO
    except ImportError:
        who = WHO[:-1]
    with tempfile.TemporaryDirectory(prefix="linreg-scale-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        data = make_dataset(folder, rows, files)
        data["write_s"] = time.perf_counter() - t0
        results = [_measure(w, str(folder), timeout) for w in who]
    floor = next((r["wall_s"] for r in results if r["who"] == "floor" and "wall_s" in r), None)
    ref = next((r for r in results if r["who"] == "fit_ols in memory" and "coef" in r), None)
    for r in results:
        r["ratio_vs_floor"] = r["wall_s"] / floor if floor and "wall_s" in r else None
        if ref is not None and "coef" in r and r is not ref:
            a, b = np.array(r["coef"]), np.array(ref["coef"])
            r["coef_max_rel_diff_vs_fit_ols"] = float(np.max(np.abs(a - b) / np.abs(b)))
        if ref is not None and "std_err" in r and r is not ref:
            a, b = np.array(r["std_err"]), np.array(ref["std_err"])
            r["std_err_max_rel_diff_vs_fit_ols"] = float(np.max(np.abs(a - b) / np.abs(b)))
        r.pop("coef", None)
        r.pop("std_err", None)
    return {"data": data, "rows": results,
            "notes": "Each contender in a fresh process on a warm page cache; wall time from after its imports "
                     "(import_s, shown apart); peak = child process tree's RSS, "
                     "sampled every 50 ms. scale = linreg.scale.fit_ols on in-process threads with refinement."}


if __name__ == "__main__":
    print(json.dumps(run_one(sys.argv[1], sys.argv[2])))
