"""Predictions for new rows against statsmodels' formula predictions, and every bad new row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from numpy.testing import assert_allclose

from linreg.design import ModelSpec, build_design, design_rows, fit_design
from linreg.exceptions import DataError, ModelError
from linreg.predict import PREDICTION_COLUMNS, predict


def _table(seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "x": rng.uniform(-2, 3, n),
        "z": rng.normal(5, 2, n),
        "g": rng.choice(["lo", "mid", "hi"], n),
    })
    df["y"] = 1 + df.x - 0.5 * df.x**2 + 0.3 * df.z + (df.g == "hi") * 1.5 + (df.g == "mid") * df.z * 0.2
    df["y"] += rng.normal(size=n)
    return df


def _new_rows(seed: int, m: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(1000 + seed)
    return pd.DataFrame({
        "x": rng.uniform(-3, 4, m),
        "z": rng.normal(5, 3, m),
        "g": rng.choice(["lo", "mid", "hi"], m),
    }, index=[f"new{i}" for i in range(m)])


def _assert_matches(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(ours.columns) == list(PREDICTION_COLUMNS)
    assert_allclose(ours["prediction"], theirs["mean"], rtol=1e-9, atol=1e-9)
    assert_allclose(ours["se_fit"], theirs["mean_se"], rtol=1e-8)
    for a, b in (("ci_low", "mean_ci_lower"), ("ci_high", "mean_ci_upper"),
                 ("pi_low", "obs_ci_lower"), ("pi_high", "obs_ci_upper")):
        assert_allclose(ours[a], theirs[b], rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("seed", range(0, 100, 7))
@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_matches_statsmodels_get_prediction_with_dummies_powers_and_products(seed, alpha):
    df, new = _table(seed), _new_rows(seed)
    spec = ModelSpec("y", features=("x", "z", "g"), categorical=("g",), poly=(("x", 2),), interactions=(("g", "z"),))
    design = build_design(df, spec)
    ours = predict(fit_design(design), design, new, alpha=alpha)
    sm_fit = smf.ols("y ~ x + I(x**2) + z + C(g) + C(g):z", df).fit()
    theirs = sm_fit.get_prediction(new).summary_frame(alpha=alpha)
    _assert_matches(ours, theirs)
    assert list(ours.index) == list(new.index)


@pytest.mark.parametrize("seed", [0, 13, 99])
def test_standardization_uses_the_training_means_and_sds(seed):
    df, new = _table(seed), _new_rows(seed)
    spec = ModelSpec("y", features=("x", "z"), poly=(("x", 3),), standardize=True)
    design = build_design(df, spec)
    ours = predict(fit_design(design), design, new)
    # patsy's standardize is a stateful transform: it keeps the training mean and SD for new rows.
    sm_fit = smf.ols("y ~ standardize(x, ddof=1) + I(standardize(x, ddof=1)**2) + I(standardize(x, ddof=1)**3)"
                     " + standardize(z, ddof=1)", df).fit()
    _assert_matches(ours, sm_fit.get_prediction(new).summary_frame(alpha=0.05))


def test_training_rows_rebuild_the_design_and_predict_the_fitted_values():
    df = _table(4)
    design = build_design(df, ModelSpec("y", categorical=("g",), poly=(("x", 2),), interactions=(("g", "x"),),
                                        standardize=True))
    assert_allclose(design_rows(design, df), design.X, rtol=1e-13, atol=1e-13)
    result = fit_design(design)
    assert_allclose(predict(result, design, df)["prediction"], result.fitted, rtol=1e-10, atol=1e-10)
    low, high = result.interval(design.X[:5], kind="prediction")
    table = predict(result, design, df.iloc[:5])
    assert_allclose(table["pi_low"], low, rtol=1e-12)
    assert_allclose(table["pi_high"], high, rtol=1e-12)


def test_levels_typed_as_text_match_numeric_levels():
    df = pd.DataFrame({"y": [1.0, 2, 4, 3, 6, 5, 7, 9], "x": [1.0, 2, 3, 4, 5, 6, 7, 8], "k": [1, 2, 3, 1, 2, 3, 1, 2]})
    design = build_design(df, ModelSpec("y", categorical=("k",)))
    rows = design_rows(design, pd.DataFrame({"x": ["2.5", 3.0], "k": ["3", 2]}))
    assert design.terms == ("x", "k[2]", "k[3]")
    assert rows.tolist() == [[2.5, 0.0, 1.0], [3.0, 1.0, 0.0]]


def test_extra_columns_and_the_target_are_not_needed():
    df = _table(1)
    design = build_design(df, ModelSpec("y", features=("x",)))
    table = predict(fit_design(design), design, pd.DataFrame({"x": [0.0, 1.0], "unused": ["a", "b"]}))
    assert table.shape == (2, 6)


def test_bad_new_rows_get_a_message_naming_the_row_and_column():
    df = _table(2)
    design = build_design(df, ModelSpec("y", features=("x", "z", "g"), categorical=("g",)))
    result = fit_design(design)
    with pytest.raises(DataError, match=r"the new rows have no column 'g'; the model needs the columns 'x', 'z', 'g'"):
        predict(result, design, pd.DataFrame({"x": [1.0], "z": [2.0]}))
    with pytest.raises(DataError, match=r"row 'b' of the new rows has the level 'top' in column 'g', which the model "
                                        r"was not fitted with; the levels are 'hi', 'lo', 'mid'"):
        predict(result, design, pd.DataFrame({"x": [1.0, 2.0], "z": [2.0, 3.0], "g": ["lo", "top"]}, index=["a", "b"]))
    with pytest.raises(DataError, match=r"row 1 of the new rows holds 'abc' in column 'z', which the model uses as a "
                                        r"number; give a number"):
        predict(result, design, pd.DataFrame({"x": [1.0, 2.0], "z": ["2", "abc"], "g": ["lo", "hi"]}))
    with pytest.raises(DataError, match=r"row 0 of the new rows has no value in column 'x'"):
        predict(result, design, pd.DataFrame({"x": [np.nan], "z": [2.0], "g": ["lo"]}))
    with pytest.raises(DataError, match=r"row 0 of the new rows has an infinite value in column 'z'"):
        predict(result, design, pd.DataFrame({"x": [1.0], "z": [np.inf], "g": ["lo"]}))
    with pytest.raises(DataError, match=r"row 0 of the new rows has no value in column 'g'; give one of its levels"):
        predict(result, design, pd.DataFrame({"x": [1.0], "z": [2.0], "g": [None]}))
    with pytest.raises(DataError, match="new rows must be a pandas DataFrame"):
        predict(result, design, [[1.0, 2.0, "lo"]])


def test_refuses_a_result_of_another_design_and_a_bad_alpha():
    df = _table(3)
    design = build_design(df, ModelSpec("y", features=("x", "z")))
    other = fit_design(build_design(df, ModelSpec("y", features=("x",))))
    with pytest.raises(ModelError, match="result is not the fit of this design"):
        predict(other, design, df)
    with pytest.raises(ModelError, match="alpha must be a number between 0 and 1"):
        predict(fit_design(design), design, df, alpha=1.5)


def test_cars_matches_r_predict_lm_published_values():
    # R: predict(lm(dist ~ speed, cars), data.frame(speed = c(12, 19, 24)), interval = "confidence"),
    # printed to 3 significant digits in STHDA's "Predict in R: Model Predictions and Confidence Intervals":
    # fit 29.6 57.1 76.8, lwr 24.4 51.8 68.4, upr 34.8 62.4 85.2; and for speed 10, "Predicting Stopping
    # Distances Using Linear Models in R" (same model): "between 15.46 and 28.02".
    from linreg.datasets import load_dataset

    cars, _ = load_dataset("cars")
    design = build_design(cars, ModelSpec("dist", features=("speed",)))
    table = predict(fit_design(design), design, pd.DataFrame({"speed": [12.0, 19.0, 24.0, 10.0]}))
    assert [float(f"{v:.3g}") for v in table["prediction"][:3]] == [29.6, 57.1, 76.8]
    assert [float(f"{v:.3g}") for v in table["ci_low"][:3]] == [24.4, 51.8, 68.4]
    assert [float(f"{v:.3g}") for v in table["ci_high"][:3]] == [34.8, 62.4, 85.2]
    # The page writes 28.02 for 28.028 (cut, not rounded): within 0.01 of both ends.
    assert_allclose([table["ci_low"].iloc[3], table["ci_high"].iloc[3]], [15.46, 28.02], atol=0.01)
