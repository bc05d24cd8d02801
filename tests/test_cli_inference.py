"""``fit`` and ``predict`` with --cov-type, --maxlags and --weights.

These options hand their values to ``fit_ols(cov_type=..., maxlags=..., weights=...)``; the
tests compare what the command prints with the library (and, for the plain cases, with
statsmodels), so they need a fit_ols that takes those keywords.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from linreg.cli import JSON_KEYS, PREDICT_COLUMNS, main
from linreg.ols import fit_ols


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: object) -> dict:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 60
    x1 = rng.normal(size=n)
    x2 = rng.uniform(-2, 2, size=n)
    w = rng.uniform(0.5, 3.0, size=n)
    y = 1.0 + 2.0 * x1 - 0.5 * x2 + rng.normal(size=n) * (0.3 + np.abs(x1)) / np.sqrt(w)
    return pd.DataFrame({"x1": x1, "x2": x2, "w": w, "y": y})


@pytest.fixture
def csv(tmp_path, frame) -> Path:
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_cov_type_matches_statsmodels(capsys, csv, frame, cov_type):
    out = run_json(capsys, "fit", csv, "--target", "y", "--features", "x1,x2", "--cov-type", cov_type)
    ref = sm.OLS(frame["y"], sm.add_constant(frame[["x1", "x2"]])).fit(cov_type=cov_type)
    assert_allclose(out["std_err"], ref.bse, rtol=1e-8)
    assert_allclose(out["coef"], ref.params, rtol=1e-10)
    assert set(JSON_KEYS) <= set(out)


def test_nonrobust_is_the_plain_fit(capsys, csv):
    plain = run_json(capsys, "fit", csv, "--target", "y", "--features", "x1,x2")
    named = run_json(capsys, "fit", csv, "--target", "y", "--features", "x1,x2", "--cov-type", "nonrobust")
    assert named["std_err"] == plain["std_err"]


@pytest.mark.parametrize("maxlags", [1, 4])
def test_hac_passes_maxlags_to_fit_ols(capsys, csv, frame, maxlags):
    out = run_json(capsys, "fit", csv, "--target", "y", "--features", "x1,x2", "--cov-type", "HAC",
                   "--maxlags", maxlags)
    ref = fit_ols(frame[["x1", "x2"]], frame["y"], cov_type="HAC", maxlags=maxlags)
    assert_allclose(out["std_err"], ref.std_err, rtol=1e-12)
    other = fit_ols(frame[["x1", "x2"]], frame["y"], cov_type="HAC", maxlags=maxlags + 3)
    assert not np.allclose(out["std_err"], other.std_err)


def test_weights_column_matches_statsmodels_wls(capsys, csv, frame):
    out = run_json(capsys, "fit", csv, "--target", "y", "--weights", "w")
    # Without --features, the weights column is not a predictor.
    assert out["terms"] == ["Intercept", "x1", "x2"]
    ref = sm.WLS(frame["y"], sm.add_constant(frame[["x1", "x2"]]), weights=frame["w"]).fit()
    assert_allclose(out["coef"], ref.params, rtol=1e-10)
    assert_allclose(out["std_err"], ref.bse, rtol=1e-8)


def test_rows_without_a_weight_are_dropped_and_counted(capsys, tmp_path, frame):
    holes = frame.copy()
    holes.loc[[3, 10], "w"] = np.nan
    path = tmp_path / "holes.csv"
    holes.to_csv(path, index=False)
    out = run_json(capsys, "fit", path, "--target", "y", "--weights", "w")
    kept = holes.dropna()
    ref = fit_ols(kept[["x1", "x2"]], kept["y"], weights=kept["w"])
    assert out["n"] == 58 and out["n_dropped"] == 2
    assert_allclose(out["coef"], ref.coef, rtol=1e-12)


def test_a_negative_weight_is_refused(capsys, tmp_path, frame):
    bad = frame.copy()
    bad.loc[5, "w"] = -1.0
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    code, out, err = run(capsys, "fit", path, "--target", "y", "--weights", "w")
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "weight" in err


def test_compare_without_uses_the_weights_for_both_models(capsys, csv, frame):
    out = run_json(capsys, "fit", csv, "--target", "y", "--weights", "w", "--compare-without", "x2")
    X1 = sm.add_constant(frame[["x1", "x2"]])
    large = sm.WLS(frame["y"], X1, weights=frame["w"]).fit()
    small = sm.WLS(frame["y"], X1[["const", "x1"]], weights=frame["w"]).fit()
    f, p, _ = large.compare_f_test(small)
    assert_allclose([out["comparison"]["f_statistic"], out["comparison"]["p_value"]], [f, p], rtol=1e-8)


def test_predict_with_hc3_uses_the_robust_covariance(capsys, csv, frame, tmp_path):
    new = tmp_path / "new.csv"
    pd.DataFrame({"x1": [0.0, 2.0], "x2": [1.0, -1.0]}).to_csv(new, index=False)
    code, out, err = run(capsys, "predict", "--data", csv, "--target", "y", "--features", "x1,x2", "--new", new,
                         "--cov-type", "HC3", "--format", "csv")
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    ref = sm.OLS(frame["y"], sm.add_constant(frame[["x1", "x2"]])).fit(cov_type="HC3")
    exog = sm.add_constant(pd.read_csv(new), has_constant="add")
    assert_allclose(got["se_fit"], ref.get_prediction(exog).se_mean, rtol=1e-8)
    assert list(got.columns)[-len(PREDICT_COLUMNS):] == list(PREDICT_COLUMNS)


def test_predict_with_a_zero_weight_matches_statsmodels_wls(capsys, tmp_path):
    # A zero weight takes its row out of the fit, as R's lm does; the new row's weight is 1 (predict.lm).
    (tmp_path / "train.csv").write_text("x,y,w\n1,2.1,1\n2,3.9,0\n3,6.2,2\n4,8.1,1\n5,9.8,1\n")
    (tmp_path / "new.csv").write_text("x\n6\n")
    code, out, err = run(capsys, "predict", "--data", tmp_path / "train.csv", "--new", tmp_path / "new.csv",
                         "--target", "y", "--features", "x", "--weights", "w", "--format", "csv")
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    x, y, w = np.array([1.0, 3, 4, 5]), np.array([2.1, 6.2, 8.1, 9.8]), np.array([1.0, 2, 1, 1])
    ref = sm.WLS(y, sm.add_constant(x), weights=w).fit().get_prediction(np.array([[1.0, 6.0]])).summary_frame()
    assert_allclose(got[["prediction", "ci_low", "ci_high", "pi_low", "pi_high"]].to_numpy()[0],
                    ref[["mean", "mean_ci_lower", "mean_ci_upper", "obs_ci_lower", "obs_ci_upper"]].to_numpy()[0],
                    rtol=1e-10)
