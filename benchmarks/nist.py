"""NIST StRD linear least squares through the command line, at NIST size or repeated to N rows.

Run from the project root::

    python -m benchmarks.nist                       # NIST size, in memory (CSV)
    python -m benchmarks.nist --rows 1e6            # each set repeated to ~1e6 rows
    python -m benchmarks.nist --rows 1e6 --engine scale --min 10

Each set's rows are repeated m = round(rows / n0) times. That leaves the
least-squares coefficients and R² unchanged and scales the certified values
exactly: standard errors by sqrt((n0 - k) / (m n0 - k)), sigma by
sqrt(m (n0 - k) / (m n0 - k)), F by (m n0 - k) / (n0 - k). The data are written
with NIST's own digit strings (CSV for ``--engine memory``, Parquet in 4 files for
``--engine scale``), so the file holds exactly the certified inputs. The score is
the log relative error (LRE, capped at 15): about the number of correct digits.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NIST = ROOT.parent / "shared" / "reference" / "nist"
NAMES = ["Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley",
         "Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5"]
CAP = 15.0
KEYS = ("coef", "std_err", "sigma", "r_squared", "f_statistic")


def parse(path: Path) -> dict:
    """Certified values and the data lines (as text) of one StRD linear dataset."""
    lines = path.read_text().splitlines()
    head = "\n".join(lines[:15])
    c0, c1 = (int(v) for v in re.search(r"Certified Values\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", head).groups())
    d0, d1 = (int(v) for v in re.search(r"Data\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", head).groups())
    est, sd, sigma, r2, fstat = {}, {}, None, None, None
    for line in lines[c0 - 1 : c1]:
        tok = line.split()
        if tok and re.fullmatch(r"B\d+", tok[0]):
            est[int(tok[0][1:])] = float(tok[1])
            sd[int(tok[0][1:])] = float(tok[2])
        elif tok[:2] == ["Standard", "Deviation"]:
            sigma = float(tok[2])
        elif tok and tok[0] == "R-Squared":
            r2 = float(tok[1])
        elif tok and tok[0] == "Regression" and len(tok) >= 5:
            fstat = float(tok[4])
    header = lines[d0 - 2].split()[1:]
    rows = [ln.split() for ln in lines[d0 - 1 : d1] if ln.strip()]
    order = sorted(est)
    return {"header": header, "rows": rows, "coef": [est[j] for j in order], "std_err": [sd[j] for j in order],
            "sigma": sigma, "r_squared": r2, "f_statistic": fstat, "intercept": 0 in est,
            "degree": max(order) if len(header) == 2 else None}


def certified(d: dict, m: int) -> dict:
    """The certified values for the rows repeated m times."""
    n0, k = len(d["rows"]), len(d["coef"])
    se = math.sqrt((n0 - k) / (m * n0 - k))
    return {"coef": d["coef"], "std_err": [s * se for s in d["std_err"]],
            "sigma": d["sigma"] * math.sqrt(m * (n0 - k) / (m * n0 - k)), "r_squared": d["r_squared"],
            "f_statistic": d["f_statistic"] * (m * n0 - k) / (n0 - k)}


def lre(estimate, cert: float) -> float:
    """Log relative error, capped at 15 (absolute when the certified value is 0; inf F counts above 1e15)."""
    try:
        e = float(estimate)
    except (TypeError, ValueError):
        return 0.0
    if math.isinf(cert):
        return CAP if e > 1e15 else 0.0
    if not math.isfinite(e):
        return 0.0
    if e == cert:
        return CAP
    err = abs(e - cert) if cert == 0 else abs(e - cert) / abs(cert)
    return max(0.0, min(CAP, -math.log10(err)))


def write_data(d: dict, m: int, folder: Path, engine: str) -> Path:
    """The rows repeated m times, with NIST's digit strings: one CSV, or a folder of 4 Parquet files."""
    if engine == "memory":
        path = folder / "data.csv"
        block = "".join(",".join(r) + "\n" for r in d["rows"])
        with path.open("w") as fh:
            fh.write(",".join(d["header"]) + "\n")
            for _ in range(m):
                fh.write(block)
        return path
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = np.array([[float(v) for v in r] for r in d["rows"]])  # float() of the string: the CSV's value
    full = np.tile(values, (m, 1))
    path = folder / "parquet"
    path.mkdir()
    edges = np.linspace(0, len(full), 5).astype(int)
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        table = pa.table({name: full[a:b, j] for j, name in enumerate(d["header"])})
        pq.write_table(table, path / f"part-{i}.parquet")
    return path


def run_one(name: str, rows: int | None, engine: str, python: str, extra: list[str]) -> dict:
    d = parse(NIST / f"{name}.dat")
    m = max(1, round(rows / len(d["rows"]))) if rows else 1
    cert = certified(d, m)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_data(d, m, Path(tmp), engine)
        cmd = [python, "-m", "linreg", "fit", str(path), "--target", "y", "--format", "json", *extra]
        if d["degree"] and d["degree"] > 1:
            cmd += ["--poly", f"x:{d['degree']}"]
        if not d["intercept"]:
            cmd += ["--no-intercept"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=ROOT)
        wall = time.perf_counter() - t0
    row = {"name": name, "n": m * len(d["rows"]), "wall_s": wall}
    if proc.returncode != 0:
        row["error"] = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:200]
        return row
    out = json.loads(proc.stdout)
    for key in ("coef", "std_err"):
        got = out.get(key) or []
        row[key] = min(lre(e, c) for e, c in zip(got, cert[key])) if len(got) == len(cert[key]) else 0.0
    for key in ("sigma", "r_squared", "f_statistic"):
        row[key] = lre(out.get(key), cert[key])
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.nist", description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=float, default=None, help="repeat each set to about this many rows")
    ap.add_argument("--engine", choices=("memory", "scale"), default="memory",
                    help="memory: CSV, in-memory fit; scale: Parquet folder, linreg.scale")
    ap.add_argument("--min", type=float, default=None, help="exit 1 if any LRE falls below this")
    ap.add_argument("--only", nargs="+", default=NAMES, choices=NAMES)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("extra", nargs="*", help="more options for 'linreg fit' (after --)")
    args = ap.parse_args(argv)
    rows = int(args.rows) if args.rows else None
    worst = CAP
    print(f"{'dataset':10s} {'n':>9s} " + " ".join(f"{k[:8]:>8s}" for k in KEYS) + "     wall")
    for name in args.only:
        row = run_one(name, rows, args.engine, args.python, args.extra)
        if "error" in row:
            print(f"{name:10s} {row['n']:9d} ERROR: {row['error']}")
            worst = 0.0
            continue
        worst = min(worst, *(row[k] for k in KEYS))
        print(f"{name:10s} {row['n']:9d} " + " ".join(f"{row[k]:8.1f}" for k in KEYS) + f" {row['wall_s']:7.1f}s",
              flush=True)
    print(f"worst LRE = {worst:.1f}")
    return 1 if args.min is not None and worst < args.min else 0


if __name__ == "__main__":
    raise SystemExit(main())
