"""build_design / fit_design: term names, dummies, interactions, missing values, the polynomial basis, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.polynomial import Polynomial
from numpy.testing import assert_allclose

from linreg.design import Design, ModelSpec, build_design, fit_design
from linreg.exceptions import DataError, ModelError, RankDeficiencyWarning
from linreg.ols import fit_ols


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 40
    g = np.array(["c", "a", "b", "a"] * 10)
    x = rng.uniform(0, 10, n)
    z = rng.normal(size=n)
    y = 1 + 2 * x + 0.5 * x**2 - z + (g == "b") * 3 + rng.normal(size=n)
    return pd.DataFrame({"y": y, "x": x, "z": z, "g": g})


# ---- term names and columns ------------------------------------------------------------
def test_default_features_are_all_but_target():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "y": [1.0, 3, 2, 5], "b": [0.0, 1, 0, 2]})
    d = build_design(df, ModelSpec("y"))
    assert d.terms == ("a", "b")
    assert_allclose(d.X, df[["a", "b"]].to_numpy(), rtol=0)
    assert_allclose(d.y, df["y"].to_numpy(), rtol=0)
    assert d.intercept and d.n_dropped == 0 and d.basis is None
    assert d.row_labels.tolist() == [0, 1, 2, 3]


def test_dummies_drop_sorted_first_level(df):
    d = build_design(df, ModelSpec("y", features=("x", "g"), categorical=("g",)))
    assert d.terms == ("x", "g[b]", "g[c]")
    assert d.reference_levels == {"g": "a"}
    assert_allclose(d.X[:4, 1], [0, 0, 1, 0], rtol=0)  # g = c, a, b, a
    assert_allclose(d.X[:4, 2], [1, 0, 0, 0], rtol=0)


def test_numeric_levels_are_named_like_integers():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "k": [3.0, 1.0, 2.0, 1.0, 3.0]})
    d = build_design(df, ModelSpec("y", categorical=("k",)))
    assert d.terms == ("k[2]", "k[3]") and d.reference_levels == {"k": "1"}


def test_polynomial_terms_replace_the_linear_term(df):
    d = build_design(df, ModelSpec("y", features=("x", "z"), poly=(("x", 3),)))
    assert d.terms == ("x", "x^2", "x^3", "z")
    assert_allclose(d.X[:, 2], df["x"] ** 3, rtol=1e-15)
    assert d.basis is not None and d.basis.Z.shape == (40, 5)


def test_interactions_numeric_and_categorical(df):
    spec = ModelSpec("y", features=("x", "z"), categorical=("g",), interactions=(("x", "z"), ("g", "x")))
    d = build_design(df, spec)
    assert d.terms == ("x", "z", "g[b]", "g[c]", "x:z", "g[b]:x", "g[c]:x")
    assert_allclose(d.X[:, 4], df["x"] * df["z"], rtol=1e-15)
    assert_allclose(d.X[:, 5], df["x"] * (df["g"] == "b"), rtol=0)


def test_standardize_centres_and_scales_numeric_columns(df):
    d = build_design(df, ModelSpec("y", features=("x", "z", "g"), categorical=("g",), standardize=True))
    assert_allclose(d.X[:, :2].mean(axis=0), 0, atol=1e-14)
    assert_allclose(d.X[:, :2].std(axis=0, ddof=1), 1, rtol=1e-13)
    assert set(np.unique(d.X[:, 2])) <= {0.0, 1.0}  # dummies are left alone
    assert_allclose(d.y, df["y"], rtol=0)  # the target is not standardized


def test_missing_values_dropped_and_counted(df):
    df = df.copy()
    df.loc[3, "x"] = np.nan
    df.loc[5, "y"] = np.nan
    df.loc[7, "z"] = np.nan  # z unused below: row 7 stays
    d = build_design(df, ModelSpec("y", features=("x",)))
    assert d.n_dropped == 2 and len(d.y) == 38
    assert 3 not in d.row_labels and 5 not in d.row_labels and 7 in d.row_labels


def test_boolean_and_numeric_text_columns_are_numbers():
    df = pd.DataFrame({"y": [1.0, 2, 3, 5], "b": [True, False, True, True], "s": ["1.5", "2", "3", "4"]})
    d = build_design(df, ModelSpec("y"))
    assert_allclose(d.X, [[1, 1.5], [0, 2], [1, 3], [1, 4]], rtol=0)


def test_spec_is_hashable_and_normalises_lists():
    a = ModelSpec("y", features=["x"], poly=[["x", 2]], interactions=[["x", "z"]])
    b = ModelSpec("y", features=("x",), poly=(("x", 2),), interactions=(("x", "z"),))
    assert a == b and hash(a) == hash(b)


# ---- fitting through the design ---------------------------------------------------------
def test_fit_design_matches_statsmodels(df):
    spec = ModelSpec("y", features=("x", "z"), categorical=("g",), interactions=(("g", "z"),))
    d = build_design(df, spec)
    res = fit_design(d, alpha=0.1)
    s = sm.OLS(d.y, sm.add_constant(d.X)).fit()
    assert res.terms == ("Intercept",) + d.terms
    assert_allclose(res.coef, s.params, rtol=1e-9)
    assert_allclose(res.std_err, s.bse, rtol=1e-9)
    assert_allclose(res.ci_low, s.conf_int(0.1)[:, 0], rtol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_polynomial_basis_matches_numpy_polynomial(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(50, 60, 80)  # far from 0: raw powers are badly conditioned
    y = np.sin(x / 3) + 0.01 * rng.normal(size=80)
    d = build_design(pd.DataFrame({"x": x, "y": y}), ModelSpec("y", poly=(("x", 6),)))
    res = fit_design(d)
    series = Polynomial.fit(x, y, 6)  # fitted in the mapped variable, accurate
    assert_allclose(res.coef, series.convert().coef, rtol=1e-7)  # numpy's conversion carries ~1e-9 error here
    assert_allclose(res.fitted, series(x), rtol=0, atol=1e-12)
    # The basis changes the parametrisation, not the fit: same residuals as the raw design.
    raw = fit_ols(d.X, d.y)
    assert_allclose(res.rss, raw.rss, rtol=1e-6)


def test_polynomial_without_intercept_uses_scaled_powers():
    x = np.linspace(1, 3, 25)
    y = 2 * x - 0.5 * x**2 + 0.1 * x**3
    d = build_design(pd.DataFrame({"x": x, "y": y}), ModelSpec("y", poly=(("x", 3),), intercept=False))
    res = fit_design(d)
    assert res.terms == ("x", "x^2", "x^3")
    assert_allclose(res.coef, [2, -0.5, 0.1], rtol=1e-12)


def test_polynomial_of_a_two_valued_column_aliases_high_powers():
    df = pd.DataFrame({"x": [0.0, 1.0] * 5, "y": np.arange(10.0)})
    d = build_design(df, ModelSpec("y", poly=(("x", 3),)))
    with pytest.warns(RankDeficiencyWarning, match="x\\^2, x\\^3"):
        res = fit_design(d)
    assert res.aliased == ("x^2", "x^3")
    assert_allclose(res.coef[:2], fit_ols(df[["x"]], df["y"]).coef, rtol=1e-12)


def test_dummy_trap_via_interaction_is_aliased():
    df = pd.DataFrame({"y": np.arange(8.0), "g": list("abab" * 2), "h": list("aabb" * 2), "x": np.arange(8.0) ** 0.5})
    spec = ModelSpec("y", features=("x",), categorical=("g", "h"), interactions=(("g", "h"),))
    d = build_design(df, spec)
    assert d.terms == ("x", "g[b]", "h[b]", "g[b]:h[b]")
    fit_design(d)  # full rank: 4 cells, one slope


# ---- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "exc", "match"),
    [
        (ModelSpec("nope"), ModelError, r"unknown target 'nope'; the available columns are: 'y', 'x', 'z', 'g'"),
        (ModelSpec("y", features=("w",)), ModelError, "unknown feature 'w'"),
        (ModelSpec("y", categorical=("w",)), ModelError, "unknown categorical column 'w'"),
        (ModelSpec("y", poly=(("w", 2),)), ModelError, "unknown polynomial column 'w'"),
        (ModelSpec("y", features=("x",), interactions=(("x", "w"),)), ModelError, "unknown interaction column 'w'"),
        (ModelSpec("y", features=("x", "y")), ModelError, "target 'y' is also used as a predictor"),
        (ModelSpec("y", features=("x",), poly=(("x", 0),)), ModelError, "degree for 'x' must be a whole number >= 1"),
        (ModelSpec("y", features=("x",), poly=(("x", 2.5),)), ModelError, "whole number"),
        (ModelSpec("y", categorical=("g",), poly=(("g", 2),)), ModelError, "'g' is categorical"),
        (ModelSpec("y", features=("x",), interactions=(("x", "x"),)), ModelError, "pairs a column with itself"),
        (ModelSpec("y"), DataError, r"column 'g' holds text \('c', 'a', 'b', \.\.\.\); treat it as categorical"),
        (ModelSpec("g", features=("x",)), DataError, "the target must be numeric"),
    ],
)
def test_errors(df, spec, exc, match):
    with pytest.raises(exc, match=match):
        build_design(df, spec)


def test_infinite_values_name_column_and_rows(df):
    df = df.copy()
    df.loc[[2, 9], "z"] = np.inf
    with pytest.raises(DataError, match=r"column 'z' has infinite values at rows \[2, 9\]"):
        build_design(df, ModelSpec("y", features=("x", "z")))


def test_no_rows_left(df):
    df = df.copy()
    df["x"] = np.nan
    with pytest.raises(DataError, match="no rows left after dropping rows with a missing value"):
        build_design(df, ModelSpec("y", features=("x",)))


def test_overflowing_power_is_named():
    df = pd.DataFrame({"x": [1e200, 2e200, 3e200], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match="term 'x\\^2' overflows"):
        build_design(df, ModelSpec("y", poly=(("x", 2),)))


def test_not_a_dataframe():
    with pytest.raises(DataError, match="expected a pandas DataFrame"):
        build_design([[1, 2]], ModelSpec("y"))


def test_too_few_rows_through_design():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]})
    d = build_design(df, ModelSpec("y", poly=(("x", 2),)))
    assert isinstance(d, Design)
    with pytest.raises(ModelError, match="n=3 rows for k=3 parameters"):
        fit_design(d)


def test_large_polynomial_design_uses_float64_basis_and_fits():
    rng = np.random.default_rng(9)
    x = rng.uniform(10, 20, 60_000)
    y = 3 - 0.5 * x + 0.02 * x**3 + rng.normal(size=x.size)
    d = build_design(pd.DataFrame({"x": x, "y": y}), ModelSpec("y", poly=(("x", 3),)))
    assert d.basis.Z.dtype == np.float64
    res = fit_design(d)
    ref = Polynomial.fit(x, y, 3)
    assert_allclose(res.fitted, ref(x), rtol=1e-11)
    assert_allclose(res.coef, ref.convert().coef, rtol=1e-8)
