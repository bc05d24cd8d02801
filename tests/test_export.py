"""Export: CSVs parse back to the result arrays exactly; the script reproduces the fit to 1e-10."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from linreg.data import load_csv
from linreg.datasets import load_dataset
from linreg.descent import gradient_descent
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import LinregWarning, ModelError
from linreg.export import coef_csv, data_csv, diagnostics_csv, gd_trace_csv, prediction_csv, reproduce_script
from linreg.sources import (
    DataSource,
    builtin_source,
    csv_source,
    source_from_synthetic,
    synthetic_source,
)
from linreg.ols import fit_ols
from linreg.synthetic import make_data

ROOT = Path(__file__).resolve().parents[1]


def _fit(df, spec, method="qr"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        return fit_design(build_design(df, spec), method=method)


def _run_script(code: str, folder: Path, files: dict[str, str] | None = None) -> dict[str, float]:
    """Run the script in ``folder`` (a temp dir) and parse its ``term<TAB>value`` lines."""
    (folder / "reproduce.py").write_text(code, encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "reproduce.py"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for line in proc.stdout.splitlines():
        term, value = line.split("\t")
        out[term] = float(value)
    return out


# ----------------------------------------------------------------------------- CSV tables


def test_coef_csv_parses_to_the_result_arrays():
    df, _ = load_dataset("stackloss")
    r = _fit(df, ModelSpec("stack_loss"))
    table = pd.read_csv(io.StringIO(coef_csv(r)))
    assert table.columns.tolist() == ["term", "estimate", "std_err", "t", "p_value", "ci_low", "ci_high"]
    assert table["term"].tolist() == list(r.terms)
    for col, arr in [("estimate", r.coef), ("std_err", r.std_err), ("t", r.t), ("p_value", r.p_value),
                     ("ci_low", r.ci_low), ("ci_high", r.ci_high)]:
        assert_array_equal(table[col].to_numpy(), arr)  # exact: repr round-trips


def test_coef_csv_aliased_term_is_an_empty_cell():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [2.0, 4.0, 6.0, 8.0, 10.0], "y": [1.0, 3.0, 2.0, 5.0, 4.0]})
    r = _fit(df, ModelSpec("y"))
    assert r.aliased == ("b",)
    text = coef_csv(r)
    assert "nan" not in text.lower()
    row = text.splitlines()[3]
    assert row.startswith("b,,")
    assert np.isnan(pd.read_csv(io.StringIO(text))["estimate"].iloc[2])


def test_diagnostics_csv_matches_result_with_row_labels():
    df, _ = load_dataset("cars")
    df.loc[3, "dist"] = np.nan  # one dropped row: labels keep the user's row numbers
    design = build_design(df, ModelSpec("dist", features=("speed",)))
    r = fit_design(design)
    table = pd.read_csv(io.StringIO(diagnostics_csv(r, design.row_labels)), keep_default_na=False,
                        na_values=[""])
    assert table.columns.tolist() == ["row", "y", "fitted", "residual", "leverage", "cooks_distance", "dffits",
                                      "dfbetas[Intercept]", "dfbetas[speed]", "covratio", "flagged"]
    assert len(table) == 49 and 3 not in table["row"].tolist()
    assert_array_equal(table["dffits"], r.dffits)
    assert_array_equal(table[["dfbetas[Intercept]", "dfbetas[speed]"]].to_numpy(), r.dfbetas)
    assert_array_equal(table["covratio"], r.covratio)
    flagged = table["flagged"].fillna("")
    assert flagged.tolist() == ["; ".join(r.influence_flags.reasons(i)) for i in range(r.n)]
    assert (flagged != "").tolist() == r.influence_flags.any.tolist()
    assert flagged.iloc[47] == "|DFFITS| > 0.619; |1 - COVRATIO| > 0.128"  # the row labelled 48 (R's 49)
    assert_array_equal(table["row"], design.row_labels)
    assert_array_equal(table["fitted"], r.fitted)
    assert_array_equal(table["residual"], r.resid)
    assert_array_equal(table["leverage"], r.leverage)
    assert_array_equal(table["cooks_distance"], r.cooks_distance)
    # Residual = y - fitted, by hand.
    assert_allclose(table["y"] - table["fitted"], table["residual"], atol=1e-12)


def test_diagnostics_csv_of_a_weighted_fit_with_an_aliased_term():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6, 7], "y": [1.0, 3, 2, 5, 4, 7, 9]})
    df["b"] = 2 * df["a"]
    design = build_design(df, ModelSpec("y"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        r = fit_design(design, weights=np.arange(1.0, 8.0))
    table = pd.read_csv(io.StringIO(diagnostics_csv(r, design.row_labels)))
    assert table["dfbetas[b]"].isna().all()  # aliased: no DFBETAS of its own
    assert_array_equal(table["dfbetas[a]"], r.dfbetas[:, 1])
    assert_array_equal(table["dffits"], r.dffits)


def test_prediction_csv_guards_formula_cells_and_keeps_the_numbers():
    rows = pd.DataFrame({"=x": [1.5, -2.0], "g": ["@a", "b"]}, index=[7, 9])
    pred = pd.DataFrame({"prediction": [1.0, 2.0], "se_fit": [0.1, 0.2], "ci_low": [0.5, 1.5], "ci_high": [1.5, 2.5],
                         "pi_low": [-1.0, 0.0], "pi_high": [3.0, 4.0]}, index=[7, 9])
    text = prediction_csv(rows, pred)
    _no_formula_cells(text)
    back = pd.read_csv(io.StringIO(text))
    assert back.columns.tolist() == ["'=x", "g", "prediction", "se_fit", "ci_low", "ci_high", "pi_low", "pi_high"]
    assert back["g"].tolist() == ["'@a", "b"]
    assert_array_equal(back["'=x"], [1.5, -2.0])
    assert_array_equal(back[list(pred.columns)].to_numpy(), pred.to_numpy())
    with pytest.raises(ModelError, match="2 new rows but 1 predictions"):
        prediction_csv(rows, pred.head(1))


def test_diagnostics_csv_rejects_wrong_label_count():
    r = fit_ols([[0.0], [1.0], [2.0]], [0.0, 1.0, 3.0])
    with pytest.raises(ModelError, match="one label per observation"):
        diagnostics_csv(r, [1, 2])


@pytest.mark.parametrize("standardize", [False, True])
def test_gd_trace_csv_matches_history(standardize):
    df, _ = load_dataset("cars")
    g = gradient_descent(df[["speed"]].to_numpy(), df["dist"].to_numpy(), learning_rate=0.001 if not standardize
                         else 0.1, n_iter=40, standardize=standardize, terms=("speed",))
    table = pd.read_csv(io.StringIO(gd_trace_csv(g)))
    assert table.columns.tolist() == ["iteration", "loss", "grad_norm", "coef[Intercept]", "coef[speed]"]
    assert table["iteration"].tolist() == list(range(g.n_iter + 1))
    assert_array_equal(table["loss"], g.history.loss)
    assert_array_equal(table["grad_norm"], g.history.grad_norm)
    assert_array_equal(table[["coef[Intercept]", "coef[speed]"]].to_numpy(), g.history.coef_original)
    # The last row is the run's answer in original units.
    assert_allclose(table.iloc[-1][["coef[Intercept]", "coef[speed]"]].to_numpy(float), g.coef, rtol=1e-12)


def test_data_csv_round_trips_through_load_csv(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=50) * 1e3, "y": rng.normal(size=50) / 7, "g": list("ab" * 25)})
    path = tmp_path / "d.csv"
    path.write_text(data_csv(df), encoding="utf-8")
    back = load_csv(path)
    assert_array_equal(back["x"].to_numpy(), df["x"].to_numpy())
    assert_array_equal(back["y"].to_numpy(), df["y"].to_numpy())
    assert back["g"].tolist() == df["g"].tolist()


# ----------------------------------------------------------------------------- sources


def test_sources_and_their_errors():
    assert builtin_source("cars") == DataSource("builtin", "cars")
    assert synthetic_source("linear", 1, noise=2.0, n=10).params == (("n", 10), ("noise", 2.0))
    with pytest.raises(ModelError, match="dataset must be one of"):
        builtin_source("iris")
    with pytest.raises(ModelError, match="kind must be one of"):
        synthetic_source("spline", 1)
    with pytest.raises(ModelError, match="seed must be a whole number"):
        synthetic_source("linear", None)
    with pytest.raises(ModelError, match="single line"):
        csv_source("a\nb")
    with pytest.raises(ModelError, match="source must be a DataSource"):
        reproduce_script("cars", ModelSpec("dist"))
    with pytest.raises(ModelError, match="method must be one of"):
        reproduce_script(builtin_source("cars"), ModelSpec("dist"), method="lu")


# ----------------------------------------------------------------------------- the script runs


def _assert_same(printed: dict[str, float], r) -> None:
    assert list(printed)[: len(r.terms)] == list(r.terms)
    got = np.array([printed[t] for t in r.terms])
    assert_allclose(got, r.coef, rtol=1e-10, atol=1e-10, equal_nan=True)
    assert_allclose(printed["R^2"], r.r_squared, rtol=1e-10)
    assert_allclose(printed["RSS"], r.rss, rtol=1e-10)


@pytest.mark.parametrize("name, spec", [
    ("cars", ModelSpec("dist", features=("speed",))),
    ("stackloss", ModelSpec("stack_loss")),
    ("anscombe_2", ModelSpec("y", poly=(("x", 2),))),
])
def test_script_reproduces_builtin_fit(tmp_path, name, spec):
    df, _ = load_dataset(name)
    r = _fit(df, spec)
    _assert_same(_run_script(reproduce_script(builtin_source(name), spec), tmp_path), r)


def test_script_reproduces_synthetic_fit_with_every_kind_of_term(tmp_path):
    sd = make_data("categorical", n=80, seed=7, noise=0.5, groups=4)
    spec = ModelSpec("y", features=("x", "group"), categorical=("group",), poly=(("x", 3),),
                     interactions=(("x", "group"),))
    r = _fit(sd.data, spec, method="svd")
    code = reproduce_script(source_from_synthetic("categorical", sd), spec, method="svd")
    _assert_same(_run_script(code, tmp_path), r)


def test_script_reproduces_uploaded_csv_fit_without_intercept(tmp_path):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.normal(size=40), "b": rng.uniform(1e3, 2e3, size=40)})
    df["y"] = 2 * df["a"] - 0.01 * df["b"] + rng.normal(size=40)
    spec = ModelSpec("y", intercept=False, standardize=True)
    # The app fits what load_csv read from the upload: do the same here.
    (tmp_path / "upload.csv").write_text(data_csv(df), encoding="utf-8")
    r = _fit(load_csv(tmp_path / "upload.csv"), spec)
    printed = _run_script(reproduce_script(csv_source("my data.csv"), spec), tmp_path,
                          {"my data.csv": data_csv(df)})
    _assert_same(printed, r)


def test_script_reproduces_a_weighted_robust_fit_and_leaves_out_rows_without_a_weight(tmp_path):
    df, _ = load_dataset("stackloss")
    df["w"] = np.linspace(0.5, 2.5, len(df))
    df.loc[[2, 5], "w"] = np.nan  # left out, as R's na.omit
    df.loc[7, "w"] = 0.0  # dropped by the fit, as R's lm
    spec = ModelSpec("stack_loss", features=("air_flow", "water_temp"), standardize=True)
    kept = df[df["w"].notna()]
    design = build_design(kept, spec)
    r = fit_design(design, cov_type="HAC", maxlags=2, weights=kept.loc[design.row_labels, "w"].to_numpy())
    assert r.n == len(df) - 3
    code = reproduce_script(builtin_source("stackloss"), spec, cov_type="HAC", maxlags=2, weights="w")
    # The built-in data has no weights column: the test adds it to the data the script loads.
    code = code.replace("df, _ = load_dataset('stackloss')\n", "df, _ = load_dataset('stackloss')\n"
                        "import numpy as np\ndf['w'] = np.linspace(0.5, 2.5, len(df))\n"
                        "df.loc[[2, 5], 'w'] = np.nan\ndf.loc[7, 'w'] = 0.0\n")
    assert "cov_type='HAC', maxlags=2, weights=weights" in code
    _assert_same(_run_script(code, tmp_path), r)


def test_script_refuses_lags_without_hac():
    with pytest.raises(ModelError, match="maxlags applies to cov_type='HAC' only"):
        reproduce_script(builtin_source("cars"), ModelSpec("dist"), cov_type="HC3", maxlags=2)


def test_script_prints_nan_for_an_aliased_term(tmp_path):
    sd = make_data("collinear", n=30, seed=1, correlation=1.0)
    spec = ModelSpec("y")
    r = _fit(sd.data, spec)
    assert r.aliased
    printed = _run_script(reproduce_script(source_from_synthetic("collinear", sd), spec), tmp_path)
    _assert_same(printed, r)


def test_a_link_source_reproduces_generated_data(tmp_path):
    # The app's sources are made like this one (a link's generator: its params sorted, the seed apart).
    src = DataSource("synthetic", "polynomial", (("n", 60), ("degree", 3), ("noise", 0.5)), seed=11)
    assert src == synthetic_source("polynomial", 11, n=60, degree=3, noise=0.5)
    sd = make_data("polynomial", n=60, seed=11, degree=3, noise=0.5)
    spec = ModelSpec("y", poly=(("x", 3),))
    _assert_same(_run_script(reproduce_script(src, spec), tmp_path), _fit(sd.data, spec))
    assert DataSource("builtin", "cars") == builtin_source("cars")
    assert DataSource("csv", "data.csv") == csv_source()
    with pytest.raises(ModelError, match="kind must be one of"):
        DataSource("url", "x")


# ----------------------------------------------------------------------------- spreadsheet safety

FORMULAS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")",
            "-x", "'quoted", "=cmd|' /C calc'!A0"]


def _cells(text: str) -> list[str]:
    import csv

    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _no_formula_cells(text: str) -> None:
    """What the OWASP rule asks: no cell of the file begins as a formula, except plain numbers."""
    import re

    number = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
    for cell in _cells(text):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or number.fullmatch(cell), cell


def _hostile_frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 2 * len(FORMULAS)
    return pd.DataFrame({
        "=x": rng.normal(size=n) - 3.0,  # negative numbers stay numbers
        "@y": rng.normal(size=n),
        "g": [FORMULAS[i % len(FORMULAS)] for i in range(n)],
        "-3": rng.normal(size=n),  # a plain number as a name stays as it is
    })


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'x", "''x"), ("-3", "-3"), ("+2.5", "+2.5"), ("-1e-5", "-1e-5"), ("-.5", "-.5"), ("-", "'-"),
    ("-3+1", "'-3+1"), ("x=1", "x=1"), ("", ""),
])
def test_guard_formula_and_its_inverse(value, written):
    from linreg.export import guard_formula, unguard_formula

    assert guard_formula(value) == written
    assert unguard_formula(guard_formula(value)) == value


def test_data_csv_has_no_formula_cells_and_load_data_csv_reads_it_back(tmp_path):
    from linreg.export import load_data_csv

    df = _hostile_frame()
    text = data_csv(df)
    _no_formula_cells(text)
    assert text.splitlines()[0] == "'=x,'@y,g,-3"
    assert "-3." in text  # the numbers themselves are written as numbers
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    back = load_data_csv(tmp_path / "d.csv")
    assert back.columns.tolist() == df.columns.tolist()
    assert back["g"].tolist() == df["g"].tolist()
    assert_array_equal(back["=x"].to_numpy(), df["=x"].to_numpy())
    assert_array_equal(back["-3"].to_numpy(), df["-3"].to_numpy())


def test_coef_diagnostics_and_trace_csvs_have_no_formula_cells():
    df = _hostile_frame()
    design = build_design(df, ModelSpec("@y", features=("=x", "g"), categorical=("g",)))
    r = fit_design(design)
    assert any(t.startswith("g[=") for t in r.terms)
    coef = coef_csv(r)
    _no_formula_cells(coef)
    assert pd.read_csv(io.StringIO(coef))["term"].tolist() == [
        "'" + t if t[0] in "=+-@\t\r'" else t for t in r.terms]
    _no_formula_cells(diagnostics_csv(r, design.row_labels))
    _no_formula_cells(diagnostics_csv(r, np.array([f"-row{i}" for i in range(r.n)])))
    g = gradient_descent(design.X, design.y, learning_rate=0.01, n_iter=5, terms=("=x", "+z", *design.terms[2:]))
    trace = gd_trace_csv(g)
    _no_formula_cells(trace)
    assert "coef[=x]" in trace.splitlines()[0]  # begins with "c": nothing to guard


def test_the_script_reads_guarded_data_back_and_reproduces_the_fit(tmp_path):
    df = _hostile_frame()
    spec = ModelSpec("@y", features=("=x", "g", "-3"), categorical=("g",))
    (tmp_path / "upload.csv").write_text(data_csv(df), encoding="utf-8")
    from linreg.export import load_data_csv

    from linreg.report import terminal_safe

    r = _fit(load_data_csv(tmp_path / "upload.csv"), spec)
    assert r.terms == _fit(df, spec).terms
    printed = _run_script(reproduce_script(csv_source(), spec), tmp_path, {"data.csv": data_csv(df)})
    # The script prints the names terminal-safe: the tab and carriage return of two levels become spaces.
    assert list(printed)[: len(r.terms)] == [terminal_safe(t) for t in r.terms]
    assert_allclose([printed[terminal_safe(t)] for t in r.terms], r.coef, rtol=1e-10, atol=1e-10)


# ----------------------------------------------------------------------------- hostile names in the script

# Names that try to end the string they are written in, run code, or drive the terminal.
HOSTILE_NAMES = [
    "x'); open('PWNED', 'w'); ('",
    'x"); open("PWNED", "w"); ("',
    "x'''; open('PWNED', 'w'); '''",
    'x"""; open("PWNED", "w"); """',
    "{open('PWNED', 'w')}",
    "x\\",
    "x\\'; open('PWNED', 'w') #",
    "a\nopen('PWNED', 'w')",
    "a\ropen('PWNED', 'w')",
    "a\u2028open('PWNED', 'w')",
    "# comment\nimport os",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07",
    "\x08back\x7fspace\x9b",
    "$(touch PWNED)",
    "`touch PWNED`",
    "%s%n{0}",
    "abc\u202edcba",
    "__import__('os').system('touch PWNED')",
    "long" * 2500,
]


def test_twenty_hostile_names_never_make_the_script_run_code(tmp_path):
    assert len(HOSTILE_NAMES) == 20
    rng = np.random.default_rng(8)
    n = 60
    cols = {name: rng.normal(size=n) for name in HOSTILE_NAMES[:-2]}
    cols[HOSTILE_NAMES[-2]] = np.array(["lvl'); open('PWNED','w'); ('", "\x1b[2J", "=1+1"])[np.arange(n) % 3]
    cols[HOSTILE_NAMES[-1]] = rng.normal(size=n)
    df = pd.DataFrame(cols)
    target = HOSTILE_NAMES[0]
    features = tuple(HOSTILE_NAMES[1:])
    spec = ModelSpec(target, features=features, categorical=(HOSTILE_NAMES[-2],),
                     poly=((HOSTILE_NAMES[4], 2),), interactions=((HOSTILE_NAMES[5], HOSTILE_NAMES[6]),))
    code = reproduce_script(csv_source("x'); open('PWNED', 'w'); ('.csv"), spec)
    compile(code, "reproduce.py", "exec")  # valid Python
    assert "\x1b" not in code and "\x08" not in code and "\r" not in code and "\u2028" not in code
    (tmp_path / "reproduce.py").write_text(code, encoding="utf-8")
    (tmp_path / "x'); open('PWNED', 'w'); ('.csv").write_text(data_csv(df), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "reproduce.py"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert not (tmp_path / "PWNED").exists()
    assert proc.returncode == 0, proc.stderr
    # What it prints reaches a terminal: no control characters but the line breaks.
    assert not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in proc.stdout)
    from linreg.report import terminal_safe

    from linreg.export import load_data_csv

    loaded = load_data_csv(tmp_path / "x'); open('PWNED', 'w'); ('.csv")
    assert loaded.columns.tolist() == HOSTILE_NAMES  # the names reach the script whole
    r = _fit(loaded, spec)
    lines = proc.stdout.splitlines()
    assert [line.rsplit("\t", 1)[0] for line in lines[: len(r.terms)]] == [terminal_safe(t) for t in r.terms]
    got = np.array([float(line.rsplit("\t", 1)[1]) for line in lines[: len(r.terms)]])
    assert_allclose(got, r.coef, rtol=1e-10, atol=1e-10, equal_nan=True)
