"""build_design / fit_design: term names, dummies, interactions, missing values, the polynomial basis, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.polynomial import Polynomial
from numpy.testing import assert_allclose

from linreg.budget import DEFAULT_LIMITS, Limits
from linreg.design import Design, ModelSpec, build_design, fit_design
from linreg.exceptions import BudgetError, DataError, ModelError, RankDeficiencyWarning
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


# ---- size limits, checked before allocating ----------------------------------------------
def _timestamp_csv(n: int = 20_000) -> bytes:
    """A CSV like a logger's export: a timestamp per row, two measurements and a target (~740 KB)."""
    rng = np.random.default_rng(1)
    ts = pd.date_range("2024-01-01", periods=n, freq="37s").strftime("%Y-%m-%d %H:%M:%S")
    a, b = rng.normal(20, 5, n).round(3), rng.uniform(0, 100, n).round(2)
    y = (2 * a - 0.1 * b + rng.normal(0, 1, n)).round(3)
    return pd.DataFrame({"ts": ts, "temp": a, "humidity": b, "load": y}).to_csv(index=False).encode()


def _peak_bytes(f):
    import tracemalloc

    tracemalloc.start()
    try:
        out = f()
    except Exception as exc:  # noqa: BLE001 - the caller asserts on what was raised
        out = exc
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, peak


def test_a_timestamp_column_is_left_out_by_default_and_refused_as_categorical():
    from linreg.data import load_csv
    from linreg.design import default_spec, default_spec_with_notes

    raw = _timestamp_csv()
    assert 650_000 < len(raw) < 800_000
    df = load_csv(raw)
    notes = default_spec_with_notes(df)
    assert notes.spec == ModelSpec("load", features=("temp", "humidity"))
    assert default_spec(df) == notes.spec
    [(column, reason)] = notes.excluded
    assert column == "ts" and "20,000 distinct values" in reason and "bin it or leave it out" in reason
    fit, peak = _peak_bytes(lambda: fit_design(build_design(df, notes.spec)))
    assert_allclose(fit.coef[1:], [2.0, -0.1], atol=0.02)
    assert peak < 20e6, peak
    # Asked for explicitly, it is refused from its level count, before a dummy is made.
    err, peak = _peak_bytes(lambda: build_design(df, ModelSpec("load", categorical=("ts",)), limits=DEFAULT_LIMITS))
    assert isinstance(err, BudgetError), err
    assert str(err) == (
        "column 'ts' has 20,000 distinct values; a categorical may have at most 50 levels; leave it out or bin it"
    )
    assert peak < 50e6, peak


def test_a_numeric_column_of_a_million_values_made_categorical_is_refused_cheaply():
    from linreg.synthetic import make_data

    df = make_data("linear", n=1_000_000, seed=0).data
    err, peak = _peak_bytes(lambda: build_design(df, ModelSpec("y", features=("x",), categorical=("x",)),
                                                 limits=DEFAULT_LIMITS))
    assert isinstance(err, BudgetError) and "1,000,000 distinct values" in str(err), err
    assert peak < 50e6, peak


def test_default_spec_keeps_the_old_policy_for_small_text_columns():
    from linreg.design import default_spec, default_spec_with_notes, text_columns

    df = pd.DataFrame({"g": list("abcab"), "x": [1.0, 2, 3, 4, 5], "ok": [True, False] * 2 + [True], "y": range(5)})
    assert text_columns(df) == ["g", "ok"]
    assert default_spec(df) == ModelSpec("y", features=("g", "x", "ok"), categorical=("g", "ok"))
    assert default_spec(df, "x", ["g"]) == ModelSpec("x", features=("g",), categorical=("g",))
    assert default_spec_with_notes(df).excluded == ()
    # The threshold is a limit: one level more than it and the column is left out.
    assert default_spec(df, limits=Limits(max_default_levels=2)).features == ("x", "ok")


def test_repeated_interaction_pairs_are_refused_saying_which(df):
    with pytest.raises(ModelError, match=r"interaction 'z:x' is listed twice \(also as 'x:z'\); list each pair once"):
        build_design(df, ModelSpec("y", features=("x", "z"), interactions=(("x", "z"), ("z", "x"))))
    with pytest.raises(ModelError, match=r"interaction 'x:z' is listed twice; list each pair once"):
        build_design(df, ModelSpec("y", features=("x", "z"), interactions=(("x", "z"),) * 3))


def test_too_many_interaction_pairs_are_refused_before_any_is_made():
    wide = pd.DataFrame(np.ones((3, 16)), columns=[f"c{i}" for i in range(16)])
    pairs = [(f"c{i}", f"c{j}") for i in range(1, 16) for j in range(i + 1, 16)][:101]
    with pytest.raises(BudgetError, match=r"the model asks for 101 interaction pairs; at most 100 are allowed"):
        build_design(wide, ModelSpec("c0", interactions=pairs), limits=DEFAULT_LIMITS)
    assert len(build_design(wide, ModelSpec("c0", interactions=pairs[:100]), limits=DEFAULT_LIMITS).terms) == 115


@pytest.mark.parametrize(
    ("spec", "limits", "match"),
    [
        (ModelSpec("y", features=("x",), poly=(("x", 11),)), Limits(),
         r"polynomial degree 11 for 'x' is above the limit of 10; use degree 10 or less"),
        (ModelSpec("y", features=("x", "z", "g"), categorical=("g",), interactions=(("g", "x"),)),
         Limits(max_terms=4), r"the model has 6 design columns \(g: 2, g:x: 2, x: 1, z: 1\); the limit is 4"),
        (ModelSpec("y", features=("x", "z", "g"), categorical=("g",)), Limits(max_levels=2),
         r"column 'g' has 3 distinct values; a categorical may have at most 2 levels"),
        (ModelSpec("y", features=("x", "z")), Limits(max_design_bytes=500),
         r"the design of 40 rows and 2 columns needs about 1.28 kB of memory; the limit is 500 bytes; "
         r"with these terms at most 15 rows fit, so use a sample of the rows or fewer terms"),
    ],
    ids=["degree", "columns", "levels", "bytes"],
)
def test_size_limits_name_the_limit_and_what_fits(df, spec, limits, match):
    with pytest.raises(BudgetError, match=match):
        build_design(df, spec, limits=limits)
    build_design(df, spec, limits=Limits(max_terms=10_000, max_levels=1000, max_interactions=1000,
                                         max_poly_degree=20, max_design_bytes=10**9))


def test_an_id_column_is_refused_by_its_bytes_when_the_level_cap_allows_it():
    # One dummy per row: 8 n^2 bytes for X alone, estimated from the level count before any is made.
    n = 5_000
    df = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "y": np.arange(n, dtype=float)})
    big = Limits(max_levels=n, max_terms=n)
    err, peak = _peak_bytes(lambda: build_design(df, ModelSpec("y", categorical=("id",)), limits=big))
    assert isinstance(err, BudgetError), err
    assert str(err).startswith("the design of 5,000 rows and 4,999 columns needs about 200 MB of memory; the limit "
                               "is 150 MB; with these terms at most 3,747 rows fit"), err
    assert peak < 5e6, peak


def test_a_wide_polynomial_and_interaction_model_fits_fast_and_as_the_exact_map_does(monkeypatch):
    import time

    import linreg.design as design

    rng = np.random.default_rng(0)
    cols = [f"x{i}" for i in range(10)]
    df = pd.DataFrame(rng.uniform(0, 10, size=(1000, 10)), columns=cols)
    df["y"] = df.sum(axis=1) + rng.normal(size=1000)
    spec = ModelSpec("y", poly=[(c, 10) for c in cols],
                     interactions=[(a, b) for i, a in enumerate(cols) for b in cols[i + 1:]])
    t0 = time.process_time()
    d = build_design(df, spec)
    fast = fit_design(d)
    elapsed = time.process_time() - t0
    assert len(d.terms) == 145 and d.basis.M.dtype == np.longdouble
    assert elapsed < 3, f"145 terms took {elapsed:.1f} CPU-s"
    assert fast.r_squared > 0.98
    # Beyond 30 terms the map is applied in extended precision: it agrees with the exact map.
    small = ModelSpec("y", features=cols[:4], poly=[(c, 10) for c in cols[:4]],
                      interactions=[(a, b) for i, a in enumerate(cols[:4]) for b in cols[i + 1:4]])
    rounded = fit_design(build_design(df, small))
    monkeypatch.setattr(design, "_EXACT_MAP_TERMS", 1_000)
    exact_design = build_design(df, small)
    assert exact_design.basis.M.dtype == object
    exact = fit_design(exact_design)
    assert_allclose(rounded.coef, exact.coef, rtol=1e-10)
    assert_allclose(rounded.std_err, exact.std_err, rtol=1e-10)
