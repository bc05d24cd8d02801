"""Tests for the command line, ``python -m linreg``.

Most tests call ``linreg.cli.main(argv)`` in-process and read what it printed;
a few run the real ``python -m linreg`` in a subprocess to check exit codes,
stderr and the NIST score end to end.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from linreg.cli import GD_JSON_KEYS, JSON_KEYS, PENALIZED_JSON_KEYS, PREDICT_COLUMNS, main
from linreg.data import load_csv
from linreg.ols import fit_ols
from linreg.synthetic import GENERATOR_PARAMS, GENERATORS, make_data

ROOT = Path(__file__).resolve().parents[1]
NIST_TOOL = ROOT.parent / "shared" / "tools" / "nist_lre.py"


def run(capsys, *argv: object) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: object) -> dict:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out, parse_constant=_refuse_constant)


def _refuse_constant(name: str):
    raise AssertionError(f"JSON holds {name}; it must use null")


def _write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def frame() -> pd.DataFrame:
    """40 rows: two numeric features, a three-level group, a known linear truth plus noise."""
    rng = np.random.default_rng(7)
    n = 40
    x1 = rng.normal(size=n)
    x2 = rng.uniform(-2, 2, size=n)
    group = np.array(["a", "b", "c"])[np.arange(n) % 3]
    y = 1.5 + 2.0 * x1 - 0.5 * x2 + (group == "b") * 1.0 + rng.normal(scale=0.3, size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "group": group, "y": y})


@pytest.fixture
def numeric_csv(tmp_path, frame) -> Path:
    return _write(tmp_path / "numeric.csv", frame.drop(columns="group"))


@pytest.fixture
def mixed_csv(tmp_path, frame) -> Path:
    return _write(tmp_path / "mixed.csv", frame)


# ---------------------------------------------------------------------------
# fit --format json
# ---------------------------------------------------------------------------

def test_json_has_every_key_and_no_nan(capsys, numeric_csv):
    out = run_json(capsys, "fit", numeric_csv, "--target", "y")
    assert set(JSON_KEYS) <= set(out)
    assert out["terms"] == ["Intercept", "x1", "x2"]
    assert out["method"] == "qr"
    assert out["n"] == 40 and out["n_dropped"] == 0
    assert out["df_model"] == 2 and out["df_resid"] == 37
    assert out["aliased"] == []


def test_json_prints_one_object_on_one_line(capsys, numeric_csv):
    code, out, _ = run(capsys, "fit", numeric_csv, "--target", "y", "--format", "json")
    assert code == 0
    assert out.count("\n") == 1 and out.endswith("\n")


@pytest.mark.parametrize("method", ["qr", "svd", "normal"])
def test_json_matches_fit_ols_on_the_same_data(capsys, numeric_csv, frame, method):
    out = run_json(capsys, "fit", numeric_csv, "--target", "y", "--method", method)
    ref = fit_ols(frame[["x1", "x2"]].to_numpy(), frame["y"].to_numpy(), method=method)
    for key in ("coef", "std_err", "t", "p_value", "ci_low", "ci_high"):
        assert_allclose(out[key], getattr(ref, key), rtol=1e-12, atol=0, err_msg=key)
    for key in ("sigma", "r_squared", "adj_r_squared", "f_statistic", "rss", "aic", "bic", "log_likelihood"):
        assert_allclose(out[key], getattr(ref, key), rtol=1e-12, atol=0, err_msg=key)
    assert out["method"] == method


def test_json_floats_keep_full_precision(capsys, numeric_csv, frame):
    # The NIST score needs 15 significant digits: the JSON must carry repr, not a rounded format.
    out = run_json(capsys, "fit", numeric_csv, "--target", "y")
    ref = fit_ols(frame[["x1", "x2"]].to_numpy(), frame["y"].to_numpy())
    assert out["coef"] == [float(c) for c in ref.coef]


def test_features_select_columns(capsys, numeric_csv):
    out = run_json(capsys, "fit", numeric_csv, "--target", "y", "--features", "x2")
    assert out["terms"] == ["Intercept", "x2"]


def test_no_intercept(capsys, numeric_csv, frame):
    out = run_json(capsys, "fit", numeric_csv, "--target", "y", "--no-intercept")
    assert "Intercept" not in out["terms"]
    ref = fit_ols(frame[["x1", "x2"]].to_numpy(), frame["y"].to_numpy(), intercept=False)
    assert_allclose(out["coef"], ref.coef, rtol=1e-12)
    assert_allclose(out["r_squared"], ref.r_squared, rtol=1e-12)


def test_poly_categorical_and_interaction_terms(capsys, mixed_csv):
    out = run_json(capsys, "fit", mixed_csv, "--target", "y", "--poly", "x1:3",
                   "--categorical", "group", "--interaction", "x1:x2")
    terms = out["terms"]
    for name in ("x1", "x1^2", "x1^3", "x2", "group[b]", "group[c]", "x1:x2"):
        assert name in terms
    assert len(out["coef"]) == len(terms) == out["rank"]


def test_standardize_terms_keeps_the_fit(capsys, numeric_csv):
    plain = run_json(capsys, "fit", numeric_csv, "--target", "y")
    scaled = run_json(capsys, "fit", numeric_csv, "--target", "y", "--standardize-terms")
    # Rescaling columns changes the coefficients but not the fitted values.
    assert_allclose(scaled["rss"], plain["rss"], rtol=1e-10)
    assert not np.allclose(scaled["coef"][1:], plain["coef"][1:])


def test_alpha_sets_the_interval_level(capsys, numeric_csv):
    wide = run_json(capsys, "fit", numeric_csv, "--target", "y", "--alpha", "0.01")
    narrow = run_json(capsys, "fit", numeric_csv, "--target", "y", "--alpha", "0.2")
    width = lambda o: np.subtract(o["ci_high"], o["ci_low"])  # noqa: E731
    assert np.all(width(wide) > width(narrow))


def test_rows_with_missing_values_are_dropped_and_counted(capsys, tmp_path, frame):
    frame = frame.drop(columns="group")
    frame.loc[[3, 10], "x1"] = np.nan
    out = run_json(capsys, "fit", _write(tmp_path / "d.csv", frame), "--target", "y")
    assert out["n"] == 38 and out["n_dropped"] == 2


def test_aliased_terms_are_null_and_named(capsys, tmp_path, frame):
    frame = frame.drop(columns="group").assign(x3=lambda d: 2 * d["x1"])
    out = run_json(capsys, "fit", _write(tmp_path / "d.csv", frame), "--target", "y")
    assert out["rank"] == 3 and len(out["aliased"]) == 1
    i = out["terms"].index(out["aliased"][0])
    assert out["coef"][i] is None and out["std_err"][i] is None
    assert out["warnings"], "a rank-deficient fit must say so"
    assert out["condition_number"] is None or out["condition_number"] > 1e12


def test_stdin_dash_reads_the_csv(capsys, monkeypatch, frame):
    data = frame.drop(columns="group").to_csv(index=False).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = run_json(capsys, "fit", "-", "--target", "y")
    assert out["n"] == 40


# ---------------------------------------------------------------------------
# fit --format text
# ---------------------------------------------------------------------------

def test_text_summary_has_the_table_and_fit_statistics(capsys, numeric_csv, frame):
    code, out, err = run(capsys, "fit", numeric_csv, "--target", "y")
    assert code == 0 and err == ""
    for piece in ("Residuals:", "Coefficients:", "Estimate", "Std. Error", "t value", "Pr(>|t|)",
                  "Signif. codes", "Residual standard error:", "on 37 degrees of freedom",
                  "Multiple R-squared:", "Adjusted R-squared:", "F-statistic:", "on 2 and 37 DF",
                  "p-value:", "2.5 %", "97.5 %", "dropped", "Formula: y ~ x1 + x2"):
        assert piece in out, piece
    ref = fit_ols(frame[["x1", "x2"]].to_numpy(), frame["y"].to_numpy())
    row = next(line for line in out.splitlines() if line.startswith("x1 "))
    assert f"{ref.coef[1]:.6g}" in row and "***" in row
    assert "nan" not in out.lower()


def test_text_summary_marks_aliased_terms(capsys, tmp_path, frame):
    frame = frame.drop(columns="group").assign(x3=lambda d: 2 * d["x1"])
    code, out, _ = run(capsys, "fit", _write(tmp_path / "d.csv", frame), "--target", "y")
    assert code == 0
    assert "Aliased terms" in out and "Warnings:" in out
    assert "nan" not in out.lower()


def test_intercept_only_model_has_no_f_test(capsys, tmp_path):
    path = tmp_path / "y.csv"
    path.write_text("y\n1\n2\n4\n")
    out = run_json(capsys, "fit", path, "--target", "y")
    assert out["terms"] == ["Intercept"] and out["df_model"] == 0
    assert out["f_statistic"] is None and out["f_p_value"] is None
    assert_allclose(out["coef"], [7 / 3], rtol=1e-15)
    code, text, _ = run(capsys, "fit", path, "--target", "y")
    assert code == 0 and "F-statistic" not in text and "Formula: y ~ 1" in text


def test_text_summary_echoes_the_call(capsys, numeric_csv):
    _, out, _ = run(capsys, "fit", numeric_csv, "--target", "y", "--method", "svd")
    assert out.splitlines()[0] == f"Call: python -m linreg fit {numeric_csv} --target y --method svd"
    assert "SVD" in out.splitlines()[1]


# ---------------------------------------------------------------------------
# gradient descent
# ---------------------------------------------------------------------------

def test_gd_reaches_ols_and_reports_its_run(capsys, numeric_csv):
    ols = run_json(capsys, "fit", numeric_csv, "--target", "y")
    gd = run_json(capsys, "fit", numeric_csv, "--target", "y", "--method", "gd",
                  "--iterations", "5000", "--standardize")
    assert set(JSON_KEYS) | set(GD_JSON_KEYS) <= set(gd)
    assert gd["method"] == "gd" and gd["converged"] is True and gd["diverged"] is False
    assert_allclose(gd["coef"], ols["coef"], rtol=1e-5, atol=1e-6)
    assert_allclose(gd["r_squared"], ols["r_squared"], rtol=1e-8)
    assert_allclose(gd["sigma"], ols["sigma"], rtol=1e-8)
    assert 0 < gd["iterations"] <= 5000 and gd["final_loss"] >= 0
    assert gd["max_stable_learning_rate"] > 0


def test_gd_leaves_sampling_inference_null(capsys, numeric_csv):
    gd = run_json(capsys, "fit", numeric_csv, "--target", "y", "--method", "gd")
    for key in ("std_err", "t", "p_value", "ci_low", "ci_high", "f_statistic", "f_p_value",
                "log_likelihood", "aic", "bic", "rank", "aliased", "condition_number"):
        assert gd[key] is None, key


def test_gd_options_are_passed_through(capsys, numeric_csv):
    argv = ("fit", numeric_csv, "--target", "y", "--method", "gd", "--learning-rate", "0.05",
            "--iterations", "30", "--batch-size", "8", "--momentum", "0.5", "--seed", "3", "--tol", "1e-12")
    first = run_json(capsys, *argv)
    assert first["learning_rate"] == 0.05 and first["iterations"] == 30
    # Mini-batch shuffling is seeded: the same seed gives the same run.
    assert run_json(capsys, *argv)["coef"] == first["coef"]


def test_gd_divergence_is_a_result(capsys, numeric_csv):
    out = run_json(capsys, "fit", numeric_csv, "--target", "y", "--method", "gd",
                   "--learning-rate", "50", "--iterations", "200")
    assert out["diverged"] is True and out["converged"] is False
    assert all(np.isfinite(out["coef"]))
    assert "rate" in out["message"]


def test_gd_text_summary(capsys, numeric_csv):
    code, out, _ = run(capsys, "fit", numeric_csv, "--target", "y", "--method", "gd", "--iterations", "50")
    assert code == 0
    assert "Gradient descent (" in out and "Learning rate:" in out and "Estimate" in out
    assert "nan" not in out.lower()


# ---------------------------------------------------------------------------
# Bad input: exit 2, one line on stderr, nothing on stdout
# ---------------------------------------------------------------------------

def _bad_inputs(tmp: Path, numeric: Path) -> dict[str, list[str]]:
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "header_only.csv").write_text("x,y\n")
    (tmp / "all_missing.csv").write_text("x,y\n1,\n2,\n3,\n")
    (tmp / "two_rows.csv").write_text("a,b,y\n1,2,3\n4,5,7\n")
    (tmp / "text.csv").write_text("x,y\nParis,1\nLyon,2\nNice,3\n")
    n = str(numeric)
    return {
        "missing file": ["fit", str(tmp / "nope.csv"), "--target", "y"],
        "directory": ["fit", str(tmp), "--target", "y"],
        "empty file": ["fit", str(tmp / "empty.csv"), "--target", "y"],
        "header only": ["fit", str(tmp / "header_only.csv"), "--target", "y"],
        "no rows left": ["fit", str(tmp / "all_missing.csv"), "--target", "y"],
        "fewer rows than parameters": ["fit", str(tmp / "two_rows.csv"), "--target", "y"],
        "fewer rows than parameters (gd)": ["fit", str(tmp / "two_rows.csv"), "--target", "y",
                                            "--method", "gd", "--poly", "a:3"],
        "text used as number": ["fit", str(tmp / "text.csv"), "--target", "y"],
        "missing target": ["fit", n, "--target", "nope"],
        "missing feature": ["fit", n, "--target", "y", "--features", "x1,nope"],
        "missing categorical": ["fit", n, "--target", "y", "--categorical", "nope"],
        "target --target absent": ["fit", n],
        "empty feature name": ["fit", n, "--target", "y", "--features", "x1,"],
        "bad method": ["fit", n, "--target", "y", "--method", "lu"],
        "bad format": ["fit", n, "--target", "y", "--format", "xml"],
        "alpha zero": ["fit", n, "--target", "y", "--alpha", "0"],
        "alpha above one": ["fit", n, "--target", "y", "--alpha", "1.5"],
        "alpha text": ["fit", n, "--target", "y", "--alpha", "five"],
        "alpha nan": ["fit", n, "--target", "y", "--alpha", "nan"],
        "poly without degree": ["fit", n, "--target", "y", "--poly", "x1"],
        "poly degree zero": ["fit", n, "--target", "y", "--poly", "x1:0"],
        "poly degree text": ["fit", n, "--target", "y", "--poly", "x1:two"],
        "interaction of one": ["fit", n, "--target", "y", "--interaction", "x1"],
        "negative learning rate": ["fit", n, "--target", "y", "--method", "gd", "--learning-rate", "-1"],
        "zero iterations": ["fit", n, "--target", "y", "--method", "gd", "--iterations", "0"],
        "momentum one": ["fit", n, "--target", "y", "--method", "gd", "--momentum", "1"],
        "zero batch size": ["fit", n, "--target", "y", "--method", "gd", "--batch-size", "0"],
        "gd option without gd": ["fit", n, "--target", "y", "--learning-rate", "0.1"],
        "standardize without gd": ["fit", n, "--target", "y", "--standardize"],
        "no command": [],
        "unknown command": ["predict"],
        "unknown option": ["fit", n, "--target", "y", "--bogus"],
        "unknown kind": ["generate", "spiral"],
        "generate n zero": ["generate", next(iter(GENERATORS)), "--n", "0"],
        "generate into a missing folder": ["generate", next(iter(GENERATORS)), "-o", str(tmp / "no" / "d.csv")],
    }


def test_every_error_path_exits_2_with_one_line(capsys, tmp_path, numeric_csv):
    for label, argv in _bad_inputs(tmp_path, numeric_csv).items():
        code, out, err = run(capsys, *argv)
        assert code == 2, f"{label}: exit {code}, stderr {err!r}"
        assert out == "", label
        lines = err.splitlines()
        assert len(lines) == 1, f"{label}: {err!r}"
        assert lines[0].startswith("linreg: error: "), label
        assert "Traceback" not in err, label


@pytest.mark.parametrize("argv, words", [
    (["fit", "{n}", "--target", "nope"], ["nope"]),
    (["fit", "{tmp}/nope.csv", "--target", "y"], ["nope.csv", "path"]),
    (["fit", "{n}", "--target", "y", "--alpha", "2"], ["--alpha", "< 1"]),
    (["fit", "{n}", "--target", "y", "--learning-rate", "0.1"], ["--method gd"]),
    (["fit", "{n}", "--target", "y", "--poly", "x1"], ["COL:DEG"]),
])
def test_error_messages_say_what_and_how(capsys, tmp_path, numeric_csv, argv, words):
    argv = [a.format(n=numeric_csv, tmp=tmp_path) for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2
    for word in words:
        assert word in err


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "fit", "--help")
    assert code == 0 and "--learning-rate" in out and "null" in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "generate" in out


# ---------------------------------------------------------------------------
# generate
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_generate_round_trips_through_load_csv(capsys, kind):
    code, out, err = run(capsys, "generate", kind, "--n", 60, "--seed", 5)
    assert code == 0, err
    got = load_csv(out.encode())
    want = make_data(kind, n=60, seed=5).data
    assert list(got.columns) == [str(c) for c in want.columns]
    assert len(got) == 60
    for col in want.columns:
        if pd.api.types.is_numeric_dtype(want[col]):
            assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), rtol=0, atol=0, err_msg=col)
        else:
            assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), col


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_generate_offers_every_generator_parameter(capsys, kind):
    code, out, _ = run(capsys, "generate", kind, "--help")
    assert code == 0
    for name in GENERATOR_PARAMS.get(kind, {}):
        assert "--" + name.replace("_", "-") in out, name


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_generate_passes_parameters_and_checks_their_range(capsys, kind):
    params = {k: v for k, v in GENERATOR_PARAMS.get(kind, {}).items()
              if k != "n" and not isinstance(v[0], bool) and isinstance(v[0], (int, float))}
    if not params:
        pytest.skip(f"{kind} has no numeric parameters")
    name, (default, low, high, _) = next(iter(params.items()))
    flag = "--" + name.replace("_", "-")
    if high is not None:
        code, _, err = run(capsys, "generate", kind, flag, high + (1 if isinstance(high, int) else abs(high) + 1))
        assert code == 2 and len(err.splitlines()) == 1 and flag in err
    value = low if low is not None else default
    code, out, err = run(capsys, "generate", kind, "--n", 30, "--seed", 1, flag, value)
    assert code == 0, err
    want = make_data(kind, n=30, seed=1, **{name: value}).data.to_csv(index=False)
    assert out == want


def test_generate_sequence_options_come_from_the_generator_signature(capsys):
    # coef is not a scalar knob in GENERATOR_PARAMS, but make_linear takes it.
    code, out, err = run(capsys, "generate", "linear", "--n", 10, "--seed", 4, "--p", 2, "--coef", "0.5,-3")
    assert code == 0, err
    assert out == make_data("linear", n=10, seed=4, p=2, coef=[0.5, -3.0]).data.to_csv(index=False)
    code, _, err = run(capsys, "generate", "linear", "--coef", "1,x")
    assert code == 2 and "comma-separated numbers" in err


def test_generate_same_seed_same_data_and_output_file(capsys, tmp_path):
    kind = sorted(GENERATORS)[0]
    _, first, _ = run(capsys, "generate", kind, "--n", 20, "--seed", 9)
    target = tmp_path / "d.csv"
    truth = tmp_path / "truth.json"
    code, out, _ = run(capsys, "generate", kind, "--n", 20, "--seed", 9, "-o", target, "--truth", truth)
    assert code == 0 and out == ""
    assert target.read_text() == first
    facts = json.loads(truth.read_text())
    assert facts["kind"] == kind and "Intercept" in facts["coef"]



def test_generate_without_a_seed_uses_the_default_seed(capsys):
    from linreg.synthetic import DEFAULT_SEED

    code, out, err = run(capsys, "generate", "linear", "--n", 15)
    assert code == 0, err
    assert out == make_data("linear", n=15, seed=DEFAULT_SEED).data.to_csv(index=False)
    assert run(capsys, "generate", "linear", "--n", 15)[1] == out

# ---------------------------------------------------------------------------
# End to end, in a subprocess
# ---------------------------------------------------------------------------

def _cli(*argv: object, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linreg", *map(str, argv)], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=120)


def test_subprocess_fit_json_and_bad_input(numeric_csv, tmp_path):
    ok = _cli("fit", numeric_csv, "--target", "y", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert set(JSON_KEYS) <= set(json.loads(ok.stdout))
    bad = _cli("fit", tmp_path / "missing.csv", "--target", "y")
    assert bad.returncode == 2 and bad.stdout == b""
    assert len(bad.stderr.decode().splitlines()) == 1 and b"Traceback" not in bad.stderr
    usage = _cli("fit", numeric_csv, "--target", "y", "--method", "lu")
    assert usage.returncode == 2 and len(usage.stderr.decode().splitlines()) == 1


def test_subprocess_generate_pipes_into_fit():
    kind = "linear" if "linear" in GENERATORS else sorted(GENERATORS)[0]
    gen = _cli("generate", kind, "--n", 50, "--seed", 2)
    assert gen.returncode == 0, gen.stderr
    target = make_data(kind, n=5, seed=0).target
    fit = _cli("fit", "-", "--target", target, "--format", "json", stdin=gen.stdout)
    assert fit.returncode == 0, fit.stderr
    assert json.loads(fit.stdout)["n"] == 50


@pytest.mark.slow
def test_nist_scores_at_least_10_digits():
    if not NIST_TOOL.is_file():
        pytest.skip(f"{NIST_TOOL} not found (the shared tools exist beside the project in CI)")
    proc = subprocess.run([sys.executable, str(NIST_TOOL), "--min", "10"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---------------------------------------------------------------------------
# fit --penalty (ridge, lasso, elastic net)
# ---------------------------------------------------------------------------

def _sklearn_coef(X: np.ndarray, y: np.ndarray, lam: float, a: float, standardize: bool) -> np.ndarray:
    """Our objective's minimiser from scikit-learn, parameters converted.

    Ours: (1/N)||r||^2 + λ(α||b||_1 + (1-α)||b||^2). Halved, that is scikit-learn's ElasticNet
    (1/(2N))||r||^2 + A r ||b||_1 + (A/2)(1-r)||b||^2 with A r = λα/2 and A (1-r) = λ(1-α), so
    A = λ(1 - α/2), r = α/(2 - α). Ridge (α = 0): sklearn's ||r||^2 + A||b||^2 with A = Nλ.
    With standardization the penalty is on columns (x - mean)/sd (population SD, as
    StandardScaler), and the coefficients are mapped back to original units.
    """
    from sklearn.linear_model import ElasticNet, Ridge

    mean, sd = X.mean(axis=0), X.std(axis=0) if standardize else np.ones(X.shape[1])
    Z = (X - mean) / sd if standardize else X
    if a == 0:
        model = Ridge(alpha=len(y) * lam, fit_intercept=True, solver="svd").fit(Z, y)
    else:
        model = ElasticNet(alpha=lam * (1 - a / 2), l1_ratio=a / (2 - a), fit_intercept=True, tol=1e-14,
                           max_iter=1_000_000).fit(Z, y)
    slopes = model.coef_ / sd
    b0 = model.intercept_ - (mean @ slopes if standardize else 0.0)
    return np.concatenate([[b0], slopes])


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("penalty, l1_ratio", [("ridge", None), ("lasso", None), ("elasticnet", 0.3),
                                               ("elasticnet", None)])
@pytest.mark.parametrize("lam", [0.01, 0.3])
def test_penalized_json_coef_matches_sklearn(capsys, numeric_csv, frame, penalty, l1_ratio, lam, standardize):
    extra = ["--l1-ratio", l1_ratio] if l1_ratio is not None else []
    extra += ["--standardize"] if standardize else []
    out = run_json(capsys, "fit", numeric_csv, "--target", "y", "--penalty", penalty, "--lambda", lam, *extra)
    a = {"ridge": 0.0, "lasso": 1.0}.get(penalty, 0.5 if l1_ratio is None else l1_ratio)
    X, y = frame[["x1", "x2"]].to_numpy(), frame["y"].to_numpy()
    expected = _sklearn_coef(X, y, lam, a, standardize)
    assert out["terms"] == ["Intercept", "x1", "x2"]
    assert_allclose(out["coef"], expected, rtol=1e-7, atol=1e-9)
    assert out["penalty"] == penalty and out["lam"] == lam and out["l1_ratio"] == a
    assert out["standardize"] is standardize and out["converged"] is True
    assert out["kkt_violation"] < 1e-6


def test_penalized_json_keys_and_undefined_inference_null(capsys, numeric_csv):
    out = run_json(capsys, "fit", numeric_csv, "--target", "y", "--penalty", "lasso", "--lambda", "0.5")
    assert set(JSON_KEYS) <= set(out)
    assert set(PENALIZED_JSON_KEYS) <= set(out)
    for key in ("std_err", "t", "p_value", "ci_low", "ci_high"):
        assert out[key] == [None] * 3, key
    for key in ("sigma", "adj_r_squared", "f_statistic", "f_p_value", "condition_number", "log_likelihood",
                "aic", "bic"):
        assert out[key] is None, key
    assert out["n"] == 40 and out["n_dropped"] == 0 and out["warnings"] == []
    assert out["rss"] == pytest.approx(out["mse"] * 40)
    assert out["n_nonzero"] == sum(c != 0 for c in out["coef"][1:])


def test_penalized_agrees_with_fit_penalized_and_large_lambda_zeroes_the_lasso(capsys, tmp_path, frame):
    from linreg.penalized import fit_penalized, lambda_max

    path = _write(tmp_path / "m.csv", frame.assign(x3=frame["x1"] ** 2))
    X, y = frame[["x1", "x2"]].assign(x3=frame["x1"] ** 2).to_numpy(), frame["y"].to_numpy()
    out = run_json(capsys, "fit", path, "--target", "y", "--features", "x1,x2,x3", "--penalty", "elasticnet",
                   "--lambda", "0.2", "--l1-ratio", "0.7", "--standardize")
    res = fit_penalized(X, y, lam=0.2, l1_ratio=0.7, standardize=True)
    # The CSV round trip may move the last bit of the data.
    assert_allclose(out["coef"], res.coef, rtol=1e-12, atol=1e-14)
    assert out["objective"] == pytest.approx(res.objective, rel=1e-12)
    assert out["df"] == pytest.approx(res.df, rel=1e-12)
    top = lambda_max(X, y, l1_ratio=1.0)
    out = run_json(capsys, "fit", path, "--target", "y", "--features", "x1,x2,x3", "--penalty", "lasso",
                   "--lambda", repr(top * 1.01))
    assert out["coef"][1:] == [0.0, 0.0, 0.0] and out["n_nonzero"] == 0
    assert out["coef"][0] == pytest.approx(y.mean(), rel=1e-12)


def test_penalized_with_poly_categorical_and_no_intercept(capsys, mixed_csv):
    out = run_json(capsys, "fit", mixed_csv, "--target", "y", "--categorical", "group", "--poly", "x1:2",
                   "--penalty", "ridge", "--lambda", "0.05", "--standardize")
    assert "group[b]" in out["terms"] and "x1^2" in out["terms"]
    assert out["kkt_violation"] < 1e-6
    out = run_json(capsys, "fit", mixed_csv, "--target", "y", "--features", "x1,x2", "--no-intercept",
                   "--penalty", "lasso", "--lambda", "0.05")
    assert out["terms"] == ["x1", "x2"] and out["kkt_violation"] < 1e-6


def test_penalized_text_summary(capsys, numeric_csv):
    code, out, err = run(capsys, "fit", numeric_csv, "--target", "y", "--penalty", "lasso", "--lambda", "1.5",
                         "--standardize")
    assert code == 0, err
    assert "Method: lasso (coordinate descent), λ = 1.5, α = 1" in out
    assert "standardized" in out and "(1/N)||y - b0 - Xb||^2" in out
    assert "no standard errors" in out and "Std. Error" not in out
    assert "Non-zero slopes:" in out and "Optimality (KKT) violation" in out
    assert "nan" not in out.lower()
    code, out, _ = run(capsys, "fit", numeric_csv, "--target", "y", "--penalty", "ridge", "--lambda", "0.1")
    assert code == 0 and "Method: ridge (closed-form ridge (SVD)), λ = 0.1, α = 0" in out


@pytest.mark.parametrize("argv, words", [
    (["--penalty", "ridge"], ["--lambda"]),
    (["--lambda", "0.1"], ["--penalty"]),
    (["--l1-ratio", "0.5"], ["--penalty"]),
    (["--penalty", "lasso", "--lambda", "-1"], ["--lambda", ">= 0"]),
    (["--penalty", "lasso", "--lambda", "nan"], ["--lambda", "finite"]),
    (["--penalty", "lasso", "--lambda", "x"], ["--lambda", "number"]),
    (["--penalty", "elasticnet", "--lambda", "1", "--l1-ratio", "1.5"], ["--l1-ratio", "<= 1"]),
    (["--penalty", "ridge", "--lambda", "1", "--l1-ratio", "0.5"], ["elasticnet"]),
    (["--penalty", "lasso", "--lambda", "1", "--method", "qr"], ["--method"]),
    (["--penalty", "lasso", "--lambda", "1", "--learning-rate", "0.1"], ["--learning-rate"]),
    (["--penalty", "lars", "--lambda", "1"], ["--penalty"]),
])
def test_penalized_bad_input_exits_2_with_one_line(capsys, numeric_csv, argv, words):
    code, out, err = run(capsys, "fit", numeric_csv, "--target", "y", *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("linreg: error: ")
    for word in words:
        assert word in err, err


def test_standardize_means_the_same_for_gd_and_penalty(capsys, numeric_csv):
    # Ridge with λ -> 0 and GD both reach OLS whether or not they standardize: one flag, one meaning.
    ols = run_json(capsys, "fit", numeric_csv, "--target", "y")["coef"]
    for flags in ([], ["--standardize"]):
        ridge = run_json(capsys, "fit", numeric_csv, "--target", "y", "--penalty", "ridge", "--lambda", "0", *flags)
        gd = run_json(capsys, "fit", numeric_csv, "--target", "y", "--method", "gd", "--iterations", "20000", *flags)
        assert_allclose(ridge["coef"], ols, rtol=1e-10)
        assert_allclose(gd["coef"], ols, rtol=1e-6)


def test_subprocess_penalized_fit(numeric_csv):
    proc = subprocess.run([sys.executable, "-m", "linreg", "fit", str(numeric_csv), "--target", "y", "--penalty",
                           "lasso", "--lambda", "0.1", "--format", "json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["penalty"] == "lasso"


# ---------------------------------------------------------------------------
# Names that try to drive the terminal
# ---------------------------------------------------------------------------

_ESC = "\x1b[31m"


def _has_controls(text: str) -> bool:
    return any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in text)


@pytest.mark.parametrize("method", [(), ("--method", "gd"), ("--penalty", "lasso", "--lambda", "0.1")])
def test_text_output_prints_names_without_terminal_codes(capsys, tmp_path, frame, method):
    hostile = frame.rename(columns={"x1": f"x1{_ESC}\x07", "y": "y\x1b]0;title\x07"})
    path = _write(tmp_path / f"{_ESC}.csv", hostile.drop(columns="group"))
    code, out, err = run(capsys, "fit", path, "--target", "y\x1b]0;title\x07", *method)
    assert code == 0, err
    assert not _has_controls(out)
    assert "Formula: y ~ x1 + x2" in out
    assert "Call: python -m linreg fit" in out and "[31m" not in out


def test_error_messages_print_names_without_terminal_codes(capsys, numeric_csv):
    code, out, err = run(capsys, "fit", numeric_csv, "--target", f"nope{_ESC}\x1b[2J\r\n")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and not _has_controls(err)
    assert "unknown" in err and "nope" in err


def test_json_output_escapes_control_characters(capsys, tmp_path, frame):
    path = _write(tmp_path / "h.csv", frame.drop(columns="group").rename(columns={"x1": f"x1{_ESC}"}))
    out = run_json(capsys, "fit", path, "--target", "y")
    assert out["terms"][1] == f"x1{_ESC}"  # the exact name, for programs
    code, text, _ = run(capsys, "fit", path, "--target", "y", "--format", "json")
    assert "\x1b" not in text and "\\u001b" in text  # escaped by JSON, never raw


# ---------------------------------------------------------------------------
# fit --compare-without: R's anova(smaller, larger)
# ---------------------------------------------------------------------------

def test_compare_without_json_matches_compare_models(capsys, mixed_csv, frame):
    from linreg.design import ModelSpec, build_design, fit_design
    from linreg.nested import compare_models, fit_without

    out = run_json(capsys, "fit", mixed_csv, "--target", "y", "--categorical", "group",
                   "--compare-without", "group,x2")
    design = build_design(frame, ModelSpec("y", categorical=("group",)))
    ref = compare_models(fit_without(design, ["group", "x2"]), fit_design(design))
    assert set(JSON_KEYS) <= set(out)
    got = out["comparison"]
    assert got["df_num"] == 3 and got["df_den"] == 35
    assert got["added_terms"] == ["x2", "group[b]", "group[c]"]
    assert_allclose([got["f_statistic"], got["p_value"], got["delta_r_squared"]],
                    [ref.f_statistic, ref.p_value, ref.delta_r_squared], rtol=1e-12)


def test_compare_without_text_prints_the_anova_table_after_the_summary(capsys, mixed_csv):
    code, out, err = run(capsys, "fit", mixed_csv, "--target", "y", "--categorical", "group", "--poly", "x2:2",
                         "--compare-without", "x2^2")
    assert code == 0, err
    summary, anova = out.split("Analysis of Variance Table")
    assert "Coefficients:" in summary
    assert "Model 1: y ~ x1 + x2 + group[b] + group[c]" in anova
    assert "Model 2: y ~ x1 + x2 + x2^2 + group[b] + group[c]" in anova
    assert "from adding x2^2" in anova


def test_no_comparison_key_without_the_option(capsys, numeric_csv):
    assert "comparison" not in run_json(capsys, "fit", numeric_csv, "--target", "y")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--compare-without", "nope"], "'nope' is not a term of the model; the terms are: Intercept, x1, x2"),
        (["--compare-without", "x1", "--method", "gd"],
         "--compare-without applies to least-squares fits (qr, svd, normal), not to --method gd"),
        (["--compare-without", "x1", "--penalty", "ridge", "--lambda", "1"], "not to --penalty ridge"),
        (["--maxlags", "2"], "--maxlags sets the lags of the HAC covariance; add --cov-type HAC"),
        (["--cov-type", "HC3", "--method", "gd"], "--cov-type applies to least-squares fits"),
        (["--weights", "nope"], "unknown weights column 'nope'"),
        (["--weights", "x1", "--features", "x1,x2"], "the weights column 'x1' is also a predictor"),
        (["--cov-type", "HC9"], "invalid choice: 'HC9'"),
    ],
)
def test_inference_and_comparison_options_refuse_what_would_be_ignored(capsys, numeric_csv, argv, message):
    code, out, err = run(capsys, "fit", numeric_csv, "--target", "y", *argv)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert message in err


# ---------------------------------------------------------------------------
# predict
# ---------------------------------------------------------------------------

@pytest.fixture
def new_csv(tmp_path) -> Path:
    return _write(tmp_path / "new.csv", pd.DataFrame({"x1": [0.5, -1.0], "x2": [1.0, 0.0], "group": ["c", "a"]}))


def test_predict_csv_matches_the_library(capsys, mixed_csv, new_csv, frame):
    from linreg.design import ModelSpec, build_design, fit_design
    from linreg.predict import predict

    code, out, err = run(capsys, "predict", "--data", mixed_csv, "--target", "y", "--categorical", "group",
                         "--poly", "x1:2", "--new", new_csv, "--alpha", "0.1", "--format", "csv")
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    assert list(got.columns) == ["x1", "x2", "group", *PREDICT_COLUMNS]
    design = build_design(frame, ModelSpec("y", categorical=("group",), poly=(("x1", 2),)))
    new = pd.read_csv(new_csv)
    ref = predict(fit_design(design), design, new, alpha=0.1)
    assert_allclose(got[list(PREDICT_COLUMNS)].to_numpy(), ref.to_numpy(), rtol=1e-12)
    assert got["group"].tolist() == ["c", "a"]


def test_predict_text_and_json(capsys, numeric_csv, tmp_path):
    new = _write(tmp_path / "n.csv", pd.DataFrame({"x1": [1.0], "x2": [2.0], "y": [0.0]}))
    code, out, err = run(capsys, "predict", "--data", numeric_csv, "--target", "y", "--new", new)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["row", "x1", "x2", *PREDICT_COLUMNS]
    assert "95% confidence interval of the mean" in out and "95% prediction interval" in out
    code, out, err = run(capsys, "predict", "--data", numeric_csv, "--target", "y", "--new", new, "--format", "json")
    rows = json.loads(out)
    assert len(rows) == 1 and rows[0]["pi_low"] < rows[0]["ci_low"] < rows[0]["prediction"] < rows[0]["ci_high"]


def test_predict_bad_new_rows_exit_2_naming_the_row_and_column(capsys, mixed_csv, tmp_path):
    unseen = _write(tmp_path / "u.csv", pd.DataFrame({"x1": [1.0, 2.0], "x2": [0.0, 1.0], "group": ["a", "zz"]}))
    code, out, err = run(capsys, "predict", "--data", mixed_csv, "--target", "y", "--categorical", "group",
                         "--new", unseen)
    assert code == 2 and out == ""
    assert "row 1 of the new rows has the level 'zz' in column 'group'" in err
    missing = _write(tmp_path / "m.csv", pd.DataFrame({"x1": [1.0]}))
    code, _, err = run(capsys, "predict", "--data", mixed_csv, "--target", "y", "--categorical", "group",
                       "--new", missing)
    assert code == 2 and "the new rows have no column 'x2', 'group'" in err
    text = _write(tmp_path / "t.csv", pd.DataFrame({"x1": ["one"], "x2": [1.0], "group": ["a"]}))
    code, _, err = run(capsys, "predict", "--data", mixed_csv, "--target", "y", "--categorical", "group",
                       "--new", text)
    assert code == 2 and "row 0 of the new rows holds 'one' in column 'x1'" in err
