"""The figures and display tables are byte for byte what they were before their builders were split up.

Each case's plotly JSON (or table JSON) is reduced to a sha256 and compared with the hash
stored in ``tests/data/plots_golden.json``. The hashes were written by this file's
``__main__`` from the code before its panels became separate functions, so a mismatch
means the refactored code draws something else. A deliberate change to a figure (or a
new plotly or numpy that encodes numbers differently) is re-recorded with
``python tests/test_plots_golden.py --write``, and the commit says why.

numpy and OpenBLAS choose their kernels by CPU: AVX-512 ones give other last bits than AVX2
ones (in exp and pow, and in the BLAS), and a smoother's local fits carry those past the nine
digits compared. So the digests are computed in a child process with the AVX2 kernels, the same
on every x86-64 machine; elsewhere the test is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io
import pytest

if __name__ == "__main__":  # run as a script (to record, or as the test's child): the package is one folder up
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linreg.descent import gradient_descent
from linreg.diagnostics import breusch_pagan, durbin_watson, influence_table, jarque_bera, vif
from linreg.exceptions import RankDeficiencyWarning
from linreg.ols import fit_ols

GOLDEN = Path(__file__).parent / "data" / "plots_golden.json"
ROOT = Path(__file__).resolve().parents[1]
PINNED = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Haswell"}


def _has_avx2() -> bool:
    try:
        return platform.machine() in ("x86_64", "AMD64") and " avx2" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def _without_template(node):
    """``node`` without plotly's layout template, which streamlit replaces with its own on import."""
    if isinstance(node, dict):
        return {key: _without_template(value) for key, value in node.items() if key != "template"}
    if isinstance(node, list | tuple):
        return [_without_template(value) for value in node]
    return node


def _rounded(node):
    """``node`` (decoded JSON) with every number to 9 significant digits, and below 1e-9 as 0.

    OpenBLAS picks its kernels by CPU, so another machine computes the same figure with other
    last bits (and other rounding noise where the value is 0); nine digits is far below what any
    figure shows and far above that noise.
    """
    if isinstance(node, dict):
        return {key: _rounded(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_rounded(value) for value in node]
    if isinstance(node, float):
        return 0.0 if abs(node) < 1e-9 else float(f"{node:.9g}")
    return node


def _digest(obj) -> str:
    text = obj if isinstance(obj, str) else plotly.io.to_json(_without_template(obj), validate=False)
    try:
        text = json.dumps(_rounded(json.loads(text)), sort_keys=True)
    except json.JSONDecodeError:  # a table's plain text (a summary line), compared as it is
        pass
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plane(n: int, p: int, seed: int, *, scale=None) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * (1.0 if scale is None else np.asarray(scale, float))
    y = 1.5 + X @ np.linspace(1.0, -0.5, p) + rng.normal(scale=0.7, size=n)
    return X, y


# ---------------------------------------------------------------------------------------------
# The animated descent figure
# ---------------------------------------------------------------------------------------------
def _animation_cases():
    """(name, builder of the animation, iterations to draw) for each view of ``descent_animation``."""
    from linreg.plots.animation import descent_animation

    def line():
        X, y = _plane(40, 1, 1)
        r = gradient_descent(X, y, learning_rate=0.1, n_iter=60)
        ols = fit_ols(X, y).coef
        return descent_animation(r, ols_coef=ols, terms=("x",), row_labels=[f"r{i}" for i in range(40)])

    def cloud():
        X, y = _plane(60, 3, 2, scale=[1.0, 10.0, 0.1])
        r = gradient_descent(X, y, learning_rate=0.05, n_iter=80, standardize=True, momentum=0.5)
        ols = fit_ols(X, y).coef
        return descent_animation(r, ols_coef=ols, i=1, j=3, terms=("a", "b", "c"))

    def partial():
        X, y = _plane(50, 3, 3)
        r = gradient_descent(X, y, learning_rate=0.05, n_iter=30, ridge=0.1)
        return descent_animation(r, X=X, feature=1, i=2, j=1, max_frames=10, grid_size=21)

    def fixed_slice():  # rows x frames past MAX_SLICE_WORK: the contour stays the slice at k
        X, y = _plane(110_000, 2, 4)
        r = gradient_descent(X, y, learning_rate=0.1, n_iter=50)
        return descent_animation(r, ols_coef=fit_ols(X, y).coef, max_frames=48)

    def one_coefficient():  # no contour: a single slope and no intercept
        X, y = _plane(30, 1, 5)
        r = gradient_descent(X, y, learning_rate=0.1, n_iter=20, intercept=False)
        return descent_animation(r, ols_coef=np.array([1.0]))

    def diverged():
        X, y = _plane(30, 2, 6)
        r = gradient_descent(X, y, learning_rate=3.0, n_iter=200)
        return descent_animation(r, ols_coef=fit_ols(X, y).coef)

    def minibatch_webgl():  # more drawn rows than the WebGL threshold is not reachable (MAX_DRAWN_POINTS)
        X, y = _plane(3000, 2, 7)
        r = gradient_descent(X, y, learning_rate=0.05, n_iter=40, batch_size=32, seed=3)
        return descent_animation(r, ols_coef=fit_ols(X, y).coef, i=0, j=0)

    return [
        ("line", line, (0, 7, 60)),
        ("cloud", cloud, (0, 13, 80)),
        ("partial", partial, (0, 5, 30)),
        ("fixed_slice", fixed_slice, (0, 3, 50)),
        ("one_coefficient", one_coefficient, (0, 20)),
        ("diverged", diverged, (0, 1)),
        ("minibatch", minibatch_webgl, (0, 11, 40)),
    ]


def _animation_digests() -> dict[str, str]:
    out = {}
    for name, build, ks in _animation_cases():
        anim = build()
        for k in ks:
            out[f"animation/{name}/spec/{k}"] = _digest(anim.spec(k))
            out[f"animation/{name}/at/{k}"] = _digest(anim.at(k).to_dict())
    return out


# ---------------------------------------------------------------------------------------------
# R's diagnostic panels and the residual histogram
# ---------------------------------------------------------------------------------------------
def _residual_cases():
    """(name, fit, row labels, hover frame, keyword arguments) covering every branch of the panels."""
    X, y = _plane(80, 2, 11)
    plain = fit_ols(X, y)
    hover = pd.DataFrame({"y": y, "a": X[:, 0], "group": [f"<g{i % 3}>" for i in range(80)]})

    # A dummy for one row only: that row has leverage one.
    Xl = np.column_stack([X[:30, 0], np.eye(30)[:, 4]])
    lever = fit_ols(Xl, y[:30])

    exact = fit_ols(np.arange(5.0)[:, None], 2.0 * np.arange(5.0) + 1.0)

    # No intercept, a row at x = 0: leverage 0 there.
    Xz = np.concatenate([[0.0], np.linspace(1, 3, 19)])[:, None]
    no_intercept = fit_ols(Xz, 2.0 * Xz[:, 0] + np.sin(np.arange(20.0)), intercept=False)

    Xb, yb = _plane(25_000, 1, 12)
    yb = yb + np.abs(Xb[:, 0]) * np.random.default_rng(1).normal(size=25_000)
    big = fit_ols(Xb, yb)

    return [
        ("plain", plain, None, None, {}),
        ("hover", plain, [f"row<{i}>" for i in range(80)], hover, {"max_points": 30, "seed": 2}),
        ("leverage_one", lever, None, None, {}),
        ("exact", exact, None, None, {}),
        ("no_intercept", no_intercept, np.arange(100, 120), None, {}),
        ("big", big, None, None, {}),
    ]


def _residual_digests() -> dict[str, str]:
    from linreg.plots.residuals import diagnostic_figures, residuals_vs_leverage

    out = {}
    cases = _residual_cases()
    for name, result, labels, hover, kwargs in cases:
        figures = diagnostic_figures(result, labels, hover=hover, **kwargs)
        for panel, (fig, summary, note) in zip(("rvf", "qq", "scale", "leverage", "histogram"), figures, strict=True):
            out[f"residuals/{name}/{panel}"] = _digest({"fig": fig.to_dict(), "summary": summary, "note": note})
    fig, summary, note = residuals_vs_leverage(cases[0][1], cook_levels=(0.1, 0.5, 1.0, 2.0))
    out["residuals/plain/leverage_levels"] = _digest({"fig": fig.to_dict(), "summary": summary, "note": note})
    return out


# ---------------------------------------------------------------------------------------------
# Display tables
# ---------------------------------------------------------------------------------------------
def _table_digests() -> dict[str, str]:
    from linreg.plots import tables

    X, y = _plane(40, 2, 21)
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # an aliased third column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RankDeficiencyWarning)
        res = fit_ols(X, y, terms=["a", "b", "a+b"])
    gd = gradient_descent(X[:, :2], y, learning_rate=0.1, n_iter=50)
    tests = [breusch_pagan(res), jarque_bera(res), durbin_watson(res)]
    df = pd.DataFrame({"x": [1.0, None, 3.5e-9], "g": ["a", None, "c"], "b": [True, False, True]})

    def table(frame: pd.DataFrame) -> str:
        return frame.to_json(orient="split")

    out = {
        "tables/coef_table": table(tables.coef_table(res, truth={"a": 1.0, "Intercept": 1.5})),
        "tables/gd_coef_table": table(tables.gd_coef_table(
            gd, fit_ols(X[:, :2], y), truth={"x1": 1.0})),
        "tables/compare_coef_table": table(tables.compare_coef_table(
            res.terms, res.coef, np.r_[gd.coef, 0.0], aliased=res.aliased)),
        "tables/compare_summary": tables.compare_coef_summary(res.terms, res.coef, np.r_[gd.coef, 0.0]),
        "tables/tests": table(tables.diagnostic_test_table(tests)),
        "tables/vif": table(tables.vif_table(vif(res), res.aliased)),
        "tables/vif_summary": tables.vif_summary(vif(res), res.aliased),
        "tables/influence": table(tables.influence_display(influence_table(res))),
        "tables/influential_rows": table(tables.influential_rows(res)),
        "tables/columns": table(tables.column_table(df)),
        "tables/missing": tables.missing_summary(df),
    }
    return {key: _digest(value) for key, value in out.items()}


PARTS = {"animation": _animation_digests, "residuals": _residual_digests, "tables": _table_digests}


def _pinned_digests(part: str) -> dict[str, str]:
    """``PARTS[part]()`` computed by a child process on the AVX2 kernels."""
    out = subprocess.run([sys.executable, __file__, "--print", part], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, **PINNED, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def golden() -> dict[str, str]:
    return json.loads(GOLDEN.read_text())


@pytest.mark.skipif(not _has_avx2(), reason="the digests are recorded with the x86-64 AVX2 kernels")
@pytest.mark.parametrize("part", list(PARTS))
def test_output_is_unchanged(golden, part):
    got = _pinned_digests(part)
    expected = {key: golden[key] for key in got}
    changed = sorted(key for key in got if got[key] != expected[key])
    assert not changed, f"output differs from the recorded one in: {changed}"


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--print"] and len(args) == 2 and args[1] in PARTS:
        print(json.dumps(PARTS[args[1]]()))
    elif args == ["--write"]:
        digests = {key: value for part in PARTS for key, value in _pinned_digests(part).items()}
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN}")
    else:
        raise SystemExit("usage: python tests/test_plots_golden.py --write")
