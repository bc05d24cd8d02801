"""NIST StRD linear least squares: every certified value to LRE >= 10.

Source: NIST/ITL Statistical Reference Datasets, linear least squares
(itl.nist.gov/div898/strd/lls/lls.shtml), read from ../shared/reference/nist
(the ``nist_dir`` fixture skips when that folder is absent). Each ``.dat`` file
states in its header the line ranges of the certified values and of the data.

The fit goes the way the command line goes: a DataFrame with columns y and x
(or x1, x2, ...), :func:`build_design` with a ``--poly x:DEG`` style spec for the
one-predictor polynomial models, then :func:`fit_design`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# The benchmark's score (LRE, capped at CAP) and set names: one definition for both.
from benchmarks.nist import CAP, NAMES, lre
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import ModelError

MIN_LRE = 10.0


def parse_strd(path: Path) -> dict:
    """Certified values and data of one StRD linear dataset."""
    lines = path.read_text().splitlines()
    head = "\n".join(lines[:15])
    c0, c1 = (int(v) for v in re.search(r"Certified Values\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", head).groups())
    d0, d1 = (int(v) for v in re.search(r"Data\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", head).groups())
    est: dict[int, float] = {}
    sd: dict[int, float] = {}
    sigma = r2 = fstat = None
    for line in lines[c0 - 1 : c1]:
        tok = line.split()
        if not tok:
            continue
        if re.fullmatch(r"B\d+", tok[0]):
            est[int(tok[0][1:])] = float(tok[1])
            sd[int(tok[0][1:])] = float(tok[2])
        elif tok[:2] == ["Standard", "Deviation"]:
            sigma = float(tok[2])
        elif tok[0] == "R-Squared":
            r2 = float(tok[1])
        elif tok[0] == "Regression":
            fstat = float(tok[4])  # "Infinity" parses to inf (exact fits)
    columns = lines[d0 - 2].split()[1:]  # the line "Data:  y  x ..." just above the data
    rows = [[float(v) for v in ln.split()] for ln in lines[d0 - 1 : d1] if ln.strip()]
    order = sorted(est)
    return {
        "data": pd.DataFrame(rows, columns=columns),
        "coef": np.array([est[j] for j in order]),
        "std_err": np.array([sd[j] for j in order]),
        "sigma": sigma,
        "r_squared": r2,
        "f_statistic": fstat,
        "intercept": 0 in est,
        "degree": max(order) if len(columns) == 2 else None,
    }


def fit_strd(d: dict, method: str = "qr"):
    df = d["data"]
    if d["degree"] is not None:  # one predictor x: a polynomial of the certified degree
        spec = ModelSpec(target="y", features=("x",), poly=(("x", d["degree"]),) if d["degree"] > 1 else (),
                         intercept=d["intercept"])
    else:
        spec = ModelSpec(target="y", intercept=d["intercept"])
    return fit_design(build_design(df, spec), method=method)


def scores(d: dict, res) -> dict[str, float]:
    return {
        "coef": min(lre(e, c) for e, c in zip(res.coef, d["coef"])),
        "std_err": min(lre(e, c) for e, c in zip(res.std_err, d["std_err"])),
        "sigma": lre(res.sigma, d["sigma"]),
        "r_squared": lre(res.r_squared, d["r_squared"]),
        "f_statistic": lre(res.f_statistic, d["f_statistic"]),
    }


@pytest.mark.parametrize("name", NAMES)
def test_certified_values_reach_lre_10(nist_dir: Path, name: str) -> None:
    d = parse_strd(nist_dir / f"{name}.dat")
    res = fit_strd(d)
    assert len(res.coef) == len(d["coef"])
    got = scores(d, res)
    low = {k: round(v, 1) for k, v in got.items() if v < MIN_LRE}
    assert not low, f"{name}: LRE below {MIN_LRE} for {low} (all: {got})"


@pytest.mark.parametrize("name", NAMES)
def test_svd_method_also_reaches_lre_10(nist_dir: Path, name: str) -> None:
    d = parse_strd(nist_dir / f"{name}.dat")
    got = scores(d, fit_strd(d, method="svd"))
    assert min(got.values()) >= MIN_LRE, got


def test_parser_reads_filip(nist_dir: Path) -> None:
    d = parse_strd(nist_dir / "Filip.dat")
    assert d["data"].shape == (82, 2)
    assert d["degree"] == 10 and d["intercept"]
    np.testing.assert_allclose(d["coef"][0], -1467.48961422980, rtol=0, atol=0)


def test_lre_definition() -> None:
    assert lre(1.0, 1.0) == CAP
    np.testing.assert_allclose(lre(1.0 + 1e-7, 1.0), 7.0, rtol=1e-6)
    np.testing.assert_allclose(lre(1e-12, 0.0), 12.0, rtol=1e-9)
    assert lre(math.inf, math.inf) == CAP and lre(10.0, math.inf) == 0.0


def test_normal_equations_are_the_worse_teaching_contrast(nist_dir: Path) -> None:
    # Squaring the condition number costs digits: Longley keeps ~7 correct digits
    # by the normal equations against >= 10 by QR, and Filip's X^T X is singular in float64.
    d = parse_strd(nist_dir / "Longley.dat")
    normal = fit_strd(d, method="normal")
    assert scores(d, normal)["coef"] < 9.0
    assert any("normal equations" in w for w in normal.warnings)
    with pytest.raises(ModelError, match="normal equations broke down"):
        fit_strd(parse_strd(nist_dir / "Filip.dat"), method="normal")


# ---------------------------------------------------------------------------
# The same certified values with every row repeated: coefficients and R² do not
# change, SE scale by sqrt((n0 - k) / (n - k)), sigma by sqrt(m (n0 - k) / (n - k)).
# ---------------------------------------------------------------------------
REPEATED_ROWS = 1_000_000


def repeated(d: dict, rows: int) -> tuple[dict, int]:
    n0, k = len(d["data"]), len(d["coef"])
    m = max(1, round(rows / n0))
    out = dict(d)
    out["data"] = pd.DataFrame(np.tile(d["data"].to_numpy(), (m, 1)), columns=d["data"].columns)
    out["std_err"] = d["std_err"] * math.sqrt((n0 - k) / (m * n0 - k))
    out["sigma"] = d["sigma"] * math.sqrt(m * (n0 - k) / (m * n0 - k))
    out["f_statistic"] = d["f_statistic"] * (m * n0 - k) / (n0 - k)
    return out, m


def spec_of(d: dict) -> ModelSpec:
    if d["degree"] is not None:
        return ModelSpec(target="y", features=("x",), poly=(("x", d["degree"]),) if d["degree"] > 1 else (),
                         intercept=d["intercept"])
    return ModelSpec(target="y", intercept=d["intercept"])


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_repeated_to_a_million_rows_in_memory(nist_dir: Path, name: str) -> None:
    d, _ = repeated(parse_strd(nist_dir / f"{name}.dat"), REPEATED_ROWS)
    got = scores(d, fit_strd(d))
    low = {k: round(v, 1) for k, v in got.items() if v < MIN_LRE}
    assert not low, f"{name} x{len(d['data'])} rows: LRE below {MIN_LRE} for {low} (all: {got})"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_repeated_to_a_million_rows_out_of_core(nist_dir: Path, tmp_path: Path, name: str) -> None:
    scale = pytest.importorskip("linreg.scale")
    pytest.importorskip("dask.dataframe")
    d, _ = repeated(parse_strd(nist_dir / f"{name}.dat"), REPEATED_ROWS)
    edges = np.linspace(0, len(d["data"]), 5).astype(int)
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        d["data"].iloc[a:b].to_parquet(tmp_path / f"part-{i}.parquet", index=False)
    res = scale.fit_ols(tmp_path, spec=spec_of(d), client="threads", diagnostics=False)
    got = scores(d, res)
    low = {k: round(v, 1) for k, v in got.items() if v < MIN_LRE}
    assert not low, f"{name} out of core: LRE below {MIN_LRE} for {low} (all: {got})"
