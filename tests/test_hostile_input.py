"""Hostile and odd input, end to end: file -> load_csv -> build_design -> fit_design.

Every case ends in one of two ways:

- a correct result, whose numbers are finite or explicitly flagged (aliased terms named
  and warned about, an exact fit noted in ``result.warnings``); or
- a ``LinregError`` whose message says what is wrong and how to fix it (the tests assert
  on the words, since the app shows the message verbatim).

Limits: the Data page's row and column caps and the server's upload cap each give a
message that states the limit.
"""

from __future__ import annotations

import ast
import json
import math
import time
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from linreg.budget import DEFAULT_LIMITS
from linreg.data import load_csv
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import (
    BudgetError,
    DataError,
    LinregWarning,
    ModelError,
    RankDeficiencyWarning,
)
from linreg.ols import OLSResult, fit_ols


@pytest.fixture(autouse=True, scope="module", params=["c-engine", "pyarrow"])
def parse_path(request):
    """Run every test on both of the loader's parse paths: which one a host takes depends on its core
    count (pyarrow from 4 cores), and the loader's behaviour must not. Module-scoped, so hypothesis
    tests can use it."""
    import linreg.data

    original = linreg.data._use_pyarrow
    linreg.data._use_pyarrow = lambda: request.param == "pyarrow"
    yield request.param
    linreg.data._use_pyarrow = original

ROOT = Path(__file__).resolve().parents[1]
EXACT_NOTE = "fits the data exactly"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def fit_file(raw: bytes, spec: ModelSpec, **load_kw) -> tuple[pd.DataFrame, OLSResult]:
    """Load, build and fit; linreg warnings are collected (they also travel in result.warnings)."""
    df = load_csv(raw, **load_kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        result = fit_design(build_design(df, spec))
    return df, result


def csv_bytes(columns: dict[str, np.ndarray]) -> bytes:
    """A comma-separated file of float columns, written with repr so values round-trip exactly."""
    names = list(columns)
    rows = zip(*(np.asarray(v, dtype=float).tolist() for v in columns.values()))
    return (",".join(names) + "\n" + "\n".join(",".join(repr(v) for v in row) for row in rows) + "\n").encode()


def assert_finite_or_flagged(res: OLSResult) -> None:
    """Every number a page may show is finite, or its non-finiteness is explained by the result.

    - NaN per-term values only for terms named in ``aliased`` (and warned about);
    - infinite t, zero p-values, infinite F and log-likelihood only with the exact-fit note;
    - a NaN R² only with a note that explains it;
    - the JSON form has no NaN or inf at all (they become None).
    """
    aliased = np.array([t in res.aliased for t in res.terms])
    kept = ~aliased
    exact = any(EXACT_NOTE in w for w in res.warnings)
    if aliased.any():
        assert any("aliased" in w for w in res.warnings), res.warnings
        assert math.isinf(res.condition_number)
    else:
        assert math.isfinite(res.condition_number)
    for name in ("coef", "std_err", "ci_low", "ci_high"):
        values = getattr(res, name)
        assert np.isfinite(values[kept]).all(), (name, values)
        assert np.isnan(values[aliased]).all(), (name, values)
    for name in ("t", "p_value"):
        values = getattr(res, name)[kept]
        assert exact or np.isfinite(values).all(), (name, values)
    for name in ("sigma", "rss", "tss"):
        assert math.isfinite(getattr(res, name)), (name, getattr(res, name))
    assert res.sigma >= 0 and res.rss >= 0
    if math.isnan(res.r_squared):
        assert any("constant" in w for w in res.warnings), ("R² is NaN but no note says why", res.warnings)
    else:
        assert math.isfinite(res.adj_r_squared)
    if res.df_model == 0:
        assert math.isnan(res.f_statistic)  # no term to test: the pages show "—" with a help text
    else:
        assert math.isfinite(res.f_statistic) or (exact and math.isinf(res.f_statistic)), res.f_statistic
        assert math.isfinite(res.f_p_value)
    for name in ("log_likelihood", "aic", "bic"):
        assert math.isfinite(getattr(res, name)) or exact, (name, getattr(res, name))
    for name in ("fitted", "resid", "leverage"):
        assert np.isfinite(getattr(res, name)).all(), name
    assert np.isfinite(res.cov_params[np.ix_(kept, kept)]).all()
    features = res.X[:, int(res.intercept):]
    assert np.isfinite(res.predict(features)).all()
    low, high = res.interval(features, kind="prediction")
    assert np.isfinite(low).all() and np.isfinite(high).all()
    if not exact and res.rank > 0:  # with every term aliased there is no model to be influenced
        inside = res.leverage < 1 - 1e-9
        for name in ("standardized_resid", "cooks_distance"):
            assert np.isfinite(getattr(res, name)[inside]).all(), name
    json.dumps(res.to_dict(), allow_nan=False)


# ---------------------------------------------------------------------------
# Files that cannot be data: a clear message each
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", ["empty", "upload a CSV with a header line"]),
        (b"\n\n  \r\n", ["empty"]),
        (b"x,y\n", ["header but no data rows", "add at least one row"]),
        (b"x,y\r\n\r\n\r\n", ["header but no data rows"]),
        (bytes(range(256)) * 8, ["binary data", "upload a comma-, semicolon- or tab-separated text file"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), ["binary data"]),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(200), ["binary data"]),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), ["Excel workbook", "Save As > CSV"]),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ["Excel workbook"]),
        (b"x,y\n1,2,3\n", ["data row 1 has 3 fields", "header names 2 columns", "check the comma delimiters"]),
        (b'x,y\n1,"2\n', ["quotes are closed"]),
    ],
    ids=["empty", "blank-lines", "header-only", "header-only-crlf", "random-bytes", "png", "elf", "xlsx", "xls",
         "ragged-row", "unclosed-quote"],
)
def test_unusable_files_say_what_is_wrong_and_what_to_do(raw, words):
    with pytest.raises(DataError) as info:
        load_csv(raw)
    for word in words:
        assert word in str(info.value)


def test_unclosed_quote_in_the_header_is_reported():
    with pytest.raises(DataError, match=r"unbalanced quotes; check the first line"):
        load_csv(b'"x' + b"a" * 200_000 + b",y\n1,2\n")


# ---------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be"])
def test_wrong_or_unusual_encodings_lose_no_text(encoding):
    text = "ville;température;y\nZürich;1,5;2\nSão Paulo;-2,25;3\nKraków;3;5\nBesançon;4;4\n"
    if encoding == "cp1252":
        text = text.replace("Kraków", "Caf\u00e9 \u201cle Sud\u201d \u2013 \u20ac")
        expected_city = "Caf\u00e9 \u201cle Sud\u201d \u2013 \u20ac"
    elif encoding == "latin-1":
        text = text.replace("Kraków", "Brest")
        expected_city = "Brest"
    else:
        expected_city = "Kraków"
    df, res = fit_file(text.encode(encoding), ModelSpec("y", features=("température",)))
    assert list(df.columns) == ["ville", "température", "y"]
    assert df["ville"].tolist() == ["Zürich", "São Paulo", expected_city, "Besançon"]
    assert df["température"].tolist() == [1.5, -2.25, 3.0, 4.0]
    assert_finite_or_flagged(res)


# ---------------------------------------------------------------------------
# Mixed types, separators, names, quoting
# ---------------------------------------------------------------------------

def test_mixed_types_stay_text_and_the_fit_says_to_make_them_categorical():
    raw = b"x,y\n1,2\nabc,3\n4,5\n7,9\n"
    df = load_csv(raw)
    assert df["x"].tolist() == ["1", "abc", "4", "7"]  # nothing silently turned into NaN
    with pytest.raises(DataError) as info:
        build_design(df, ModelSpec("y", features=("x",)))
    message = str(info.value)
    assert "column 'x' holds text" in message and "'abc'" in message and "categorical" in message
    _, res = fit_file(raw + b"abc,4\n", ModelSpec("y", categorical=("x",)))
    assert res.terms[0] == "Intercept" and "x[abc]" in res.terms
    assert_finite_or_flagged(res)


def test_text_target_is_refused_with_a_fix():
    with pytest.raises(DataError, match=r"column 'y' holds text .*the target must be numeric; choose a numeric column"):
        fit_file(b"x,y\n1,a\n2,b\n3,c\n", ModelSpec("y"))


@pytest.mark.parametrize(
    ("raw", "x"),
    [
        (b'x,y\n"1,000",2\n"2,500",3\n"3,000.5",5\n"10,000",4\n', [1000.0, 2500.0, 3000.5, 10000.0]),
        (b"x;y\n1.000,5;2\n2.500;3\n3,25;5\n10.000,75;4\n", [1000.5, 2500.0, 3.25, 10000.75]),
        (b"x;y\n1,5;2\n2,5;3\n3,5;5\n4,5;4\n", [1.5, 2.5, 3.5, 4.5]),
        (b"x\ty\n1,5\t2\n2,5\t3\n3,5\t5\n4,5\t4\n", [1.5, 2.5, 3.5, 4.5]),
    ],
    ids=["us-thousands", "eu-thousands-decimal-comma", "decimal-comma-semicolon", "decimal-comma-tab"],
)
def test_thousands_separators_and_decimal_commas_are_numbers(raw, x):
    df, res = fit_file(raw, ModelSpec("y"))
    assert df["x"].tolist() == x
    expected = fit_ols(np.array(x)[:, None], df["y"].to_numpy())
    assert_allclose(res.coef, expected.coef, rtol=1e-12)
    assert_finite_or_flagged(res)


def test_duplicate_and_empty_column_names_get_usable_names():
    raw = b"a,a,,y, \n1,2,3,4,0\n5,6,1,8,1\n9,1,2,3,0\n4,4,4,4,1\n2,7,5,1,0\n3,3,3,9,1\n"
    df, res = fit_file(raw, ModelSpec("y", features=("a", "a_2", "column_3", "column_5")))
    assert list(df.columns) == ["a", "a_2", "column_3", "y", "column_5"]
    assert res.terms == ("Intercept", "a", "a_2", "column_3", "column_5")
    assert_finite_or_flagged(res)


def test_quoted_newlines_and_delimiters_stay_inside_their_value():
    raw = b'x,note,y\n1,"line one\nline two",2\n2,"a, b; c",3\n3,"""quoted""",5\n4,plain,4\n'
    df, res = fit_file(raw, ModelSpec("y", features=("x",)))
    assert len(df) == 4
    assert df["note"].tolist() == ["line one\nline two", "a, b; c", '"quoted"', "plain"]
    assert_finite_or_flagged(res)


# ---------------------------------------------------------------------------
# Tiny and degenerate tables
# ---------------------------------------------------------------------------

def test_a_single_row_loads_but_cannot_be_fitted_and_says_why():
    df = load_csv(b"x,y\n1,2\n")
    assert df.shape == (1, 2)
    with pytest.raises(ModelError) as info:
        fit_design(build_design(df, ModelSpec("y")))
    message = str(info.value)
    assert "n=1 rows for k=2 parameters" in message and "add rows or drop terms" in message


def test_n_equal_to_p_is_refused_and_n_equal_to_p_plus_one_fits():
    with pytest.raises(ModelError, match=r"only n=2 rows for k=2 parameters.*add rows or drop terms"):
        fit_file(b"x,y\n1,3\n2,5.5\n", ModelSpec("y"))
    _, res = fit_file(b"x,y\n1,3\n2,5.5\n3,7\n", ModelSpec("y"))
    assert res.df_resid == 1
    assert_allclose(res.coef, [1.166666666666667, 2.0], rtol=1e-13)
    assert_finite_or_flagged(res)


def test_n_equal_to_p_plus_one_with_several_features():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 4))
    y = rng.normal(size=6)
    res = fit_ols(X, y)
    assert res.df_resid == 1
    assert np.isnan(res.studentized_resid).all()  # leave-one-out needs df_resid >= 2: documented as NaN
    assert_finite_or_flagged(res)
    with pytest.raises(ModelError, match=r"only n=5 rows for k=5 parameters"):
        fit_ols(X[:5], y[:5])


def test_constant_feature_is_aliased_named_and_warned_about():
    raw = b"x,c,y\n1,5,2\n2,5,3\n3,5,5\n4,5,4\n5,5,7\n"
    df = load_csv(raw)
    with pytest.warns(RankDeficiencyWarning, match=r"aliased.*: c\b"):
        res = fit_design(build_design(df, ModelSpec("y")))
    assert res.aliased == ("c",)
    assert_finite_or_flagged(res)


def test_constant_target_is_fitted_and_its_undefined_r_squared_explained():
    _, res = fit_file(b"x,y\n1,5\n2,5\n3,5\n4,5\n", ModelSpec("y"))
    assert_allclose(res.coef, [5.0, 0.0], atol=1e-14)
    assert res.sigma < 1e-15
    assert_finite_or_flagged(res)


def test_all_nan_column_unused_is_harmless_and_used_says_what_to_do():
    raw = b"x,empty,y\n1,,2\n2,,3\n3,NA,5\n4,,4\n"
    df, res = fit_file(raw, ModelSpec("y", features=("x",)))
    assert df["empty"].dtype == np.float64 and df["empty"].isna().all()
    assert_finite_or_flagged(res)
    with pytest.raises(DataError) as info:
        build_design(df, ModelSpec("y"))
    message = str(info.value)
    assert "no rows left after dropping rows with a missing value" in message
    assert "4 dropped" in message and "fill the missing values or use fewer columns" in message


def test_all_nan_target_says_what_to_do():
    with pytest.raises(DataError, match=r"no rows left .*fill the missing values"):
        fit_file(b"x,y\n1,\n2,\n3,\n", ModelSpec("y"))


# ---------------------------------------------------------------------------
# Extreme magnitudes
# ---------------------------------------------------------------------------

def test_extreme_magnitudes_load_exactly():
    values = [1e300, -1e-300, 1.7976931348623157e308, 5e-324, -2.2250738585072014e-308, 0.0]
    df = load_csv(("v\n" + "\n".join(repr(v) for v in values) + "\n").encode())
    assert df["v"].tolist() == values


def test_overflowing_values_are_named_with_their_rows():
    df = load_csv(b"x,y\n1,2\n1e400,3\n3,4\n-1e999,5\n")
    assert df["x"].tolist()[1] == math.inf
    with pytest.raises(DataError, match=r"column 'x' has infinite values at rows \[1, 3\]; replace or drop them"):
        build_design(df, ModelSpec("y"))


def test_powers_that_overflow_name_the_term_and_the_fix():
    df = load_csv(b"x,y\n1e200,2\n2,3\n3,5\n4,4\n")
    with pytest.raises(DataError, match=r"term 'x\^2' overflows to infinity; rescale the column \(or standardize\)"):
        build_design(df, ModelSpec("y", poly=(("x", 2),)))


# ---------------------------------------------------------------------------
# Width and length
# ---------------------------------------------------------------------------

def test_ten_thousand_columns_load_and_the_cap_states_its_limit():
    header = ",".join(f"c{i}" for i in range(10_000))
    rows = "\n".join(",".join(str((i * 7 + r) % 13) for i in range(10_000)) for r in range(3))
    raw = (header + "\n" + rows + "\n").encode()
    t0 = time.perf_counter()
    df = load_csv(raw)
    elapsed = time.perf_counter() - t0
    assert df.shape == (3, 10_000) and (df.dtypes == np.float64).all()
    assert elapsed < 30, f"10,000 columns took {elapsed:.1f} s"
    with pytest.raises(DataError, match=r"10,000 columns but the limit is 500 columns; keep only the columns you need"):
        load_csv(raw, max_cols=500)
    # The default limits refuse the design before building it; with room for it, the fit says why it cannot be.
    with pytest.raises(BudgetError, match=r"at least 9,999 design columns; the limit is 200"):
        build_design(df, ModelSpec("c9999"), limits=DEFAULT_LIMITS)  # a shared server's limits
    with pytest.raises(ModelError, match=r"only n=3 rows for k=10000 parameters"):
        fit_design(build_design(df, ModelSpec("c9999")))


def test_a_very_long_text_value_is_kept_whole():
    value = "ab" * 1_000_000
    df = load_csv(f"x,note,y\n1,{value},2\n2,short,3\n".encode())
    assert df["note"][0] == value


def test_a_very_long_line_of_numbers_loads():
    n = 50_000
    raw = (",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1.5" for _ in range(n)) + "\n").encode()
    df = load_csv(raw)
    assert df.shape == (1, n)


def test_a_header_longer_than_the_sniffer_sample_says_so():
    with pytest.raises(DataError, match=r"first line is longer than 1,048,576 bytes.*keep fewer columns"):
        load_csv(b"a," * 600_000 + b"b\n1\n")


def test_a_file_without_line_breaks_says_so():
    with pytest.raises(DataError, match=r"check that the file has line breaks"):
        load_csv(b"1," * 700_000)


def test_text_error_messages_stay_short_whatever_the_cell_holds():
    # A huge cell in a column used as a number: the message quotes it, but not all of it.
    df = load_csv(b"x,y\n1,2\n" + b"z" * 1_000_000 + b",3\n4,5\n")
    with pytest.raises(DataError) as info:
        build_design(df, ModelSpec("y", features=("x",)))
    message = str(info.value)
    assert "column 'x' holds text" in message and "categorical" in message
    assert len(message) < 500, f"the message is {len(message):,} characters long"


# ---------------------------------------------------------------------------
# Numerics that must never show NaN silently
# ---------------------------------------------------------------------------

def _line(n: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 2.0, n)
    return x, 3.0 + 2.0 * x + rng.normal(0.0, 0.1, n)


def test_duplicated_and_combined_columns_are_aliased_not_nan_silently():
    x, y = _line()
    z = np.random.default_rng(1).normal(size=len(x))
    X = np.column_stack([x, z, x, 2 * x - 3 * z + 1])
    with pytest.warns(RankDeficiencyWarning, match=r"2 term\(s\) .*aliased.*x3, x4"):
        res = fit_ols(X, y)
    assert res.aliased == ("x3", "x4") and res.rank == 3
    assert_finite_or_flagged(res)


def test_dummy_trap_is_aliased():
    rng = np.random.default_rng(2)
    g = np.repeat(["a", "b", "c"], 10)
    df = pd.DataFrame({"g": g, "a": (g == "a") * 1.0, "y": rng.normal(size=30)})
    with pytest.warns(RankDeficiencyWarning):
        res = fit_design(build_design(df, ModelSpec("y", categorical=("g",))))
    assert len(res.aliased) == 1
    assert_finite_or_flagged(res)


@pytest.mark.parametrize("method", ["qr", "svd", "normal"])
def test_perfect_fit_is_marked(method):
    x = np.arange(1.0, 11.0)
    res = fit_ols(x[:, None], 1.0 + 2.0 * x, method=method)
    assert any(EXACT_NOTE in w for w in res.warnings)
    assert_allclose(res.coef, [1.0, 2.0], rtol=1e-12)
    assert res.sigma < 1e-13
    assert_finite_or_flagged(res)


def test_perfect_fit_with_a_zero_coefficient_is_marked():
    x = np.arange(1.0, 11.0)
    z = (x % 3) - 1.0
    res = fit_ols(np.column_stack([x, z]), 1.0 + 2.0 * x)
    assert any(EXACT_NOTE in w for w in res.warnings)
    assert_finite_or_flagged(res)


@pytest.mark.parametrize(
    ("scale_x", "scale_y"),
    # A ratio of 1e300 makes the slope 1e±300 and its variance 1e±600, beyond float64: see the next test.
    [(sx, sy) for sx in (1e-150, 1.0, 1e150) for sy in (1e-150, 1.0, 1e150) if abs(np.log10(sx / sy)) < 299],
)
def test_huge_and_tiny_scales_give_the_same_statistics(scale_x, scale_y):
    x, y = _line()
    base = fit_ols(x[:, None], y)
    res = fit_ols((x * scale_x)[:, None], y * scale_y)
    assert res.aliased == ()
    assert_allclose(res.t, base.t, rtol=1e-9)
    assert_allclose(res.r_squared, base.r_squared, rtol=1e-12)
    assert_allclose(res.coef, base.coef * np.array([scale_y, scale_y / scale_x]), rtol=1e-9)
    assert_finite_or_flagged(res)


@pytest.mark.parametrize(("scale_x", "scale_y"), [(1e300, 1e300), (1e-300, 1e-300), (1e300, 1.0), (1e-300, 1.0),
                                                   (1.0, 1e300), (1.0, 1e-300), (1e-150, 1e150), (1e150, 1e-150)])
def test_extreme_scales_fit_correctly_or_ask_to_rescale(scale_x, scale_y):
    x, y = _line()
    base = fit_ols(x[:, None], y)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy overflow warnings too: nothing may overflow silently
            res = fit_ols((x * scale_x)[:, None], y * scale_y)
    except DataError as err:
        assert "rescale" in str(err), str(err)
        return
    assert res.aliased == ()
    assert_allclose(res.t, base.t, rtol=1e-9)
    assert_finite_or_flagged(res)


@pytest.mark.parametrize("method", ["qr", "svd", "normal"])
def test_every_term_aliased_is_flagged_not_a_traceback(method):
    # All-zero feature without an intercept: rank 0 (the SVD path raised IndexError).
    with pytest.warns(RankDeficiencyWarning, match=r"aliased.*x1"):
        res = fit_ols(np.zeros((4, 1)), np.array([1.0, 2.0, 0.5, 3.0]), intercept=False, method=method)
    assert res.rank == 0 and res.aliased == ("x1",)
    assert_finite_or_flagged(res)


def test_condition_number_of_columns_of_very_different_scale_is_finite():
    # A 1e17 column next to the ones column: the usual SVD rounds s_min to 0 and reported cond = inf
    # for a full-rank design; the Jacobi SVD gets it (statsmodels-style raw condition number ~3.7e17).
    X = np.array([[0.12573, -5.356694e16], [-0.132105, 3.615951e16], [0.640423, 1.304e17], [0.1049, 9.47081e16]])
    res = fit_ols(X, np.array([0.547725, -0.529631, 1.657571, 1.251126]))
    assert res.aliased == ()
    assert_allclose(res.condition_number, 3.7122e17, rtol=1e-3)
    assert_finite_or_flagged(res)


@pytest.mark.parametrize("value", [1.5e300, -1e305, 1.7976931348623157e308])
def test_values_near_the_largest_double_ask_to_rescale(value):
    X = np.array([[1.0], [2.0], [value], [4.0]])
    with pytest.raises(DataError, match=r"leave no room for least squares in double precision.*rescale the data"):
        fit_ols(X, np.array([1.0, 2.0, 3.0, 5.0]))
    with pytest.raises(DataError, match=r"rescale"):
        fit_ols(np.array([[1.0], [2.0], [3.0], [4.0]]), X[:, 0])


def test_extreme_scales_through_the_file_path():
    x, y = _line(12)
    raw = csv_bytes({"x": x * 1e300, "y": y * 1e300})
    try:
        _, res = fit_file(raw, ModelSpec("y"))
    except DataError as err:
        assert "rescale" in str(err)
    else:
        assert_finite_or_flagged(res)


# ---------------------------------------------------------------------------
# Limits: the upload cap, and the Data page's row and column caps
# ---------------------------------------------------------------------------

def _page_constant(name: str) -> int:
    """A module-level constant of ui/dataset_tabs.py (the Data page's upload tab), read without running it."""
    tree = ast.parse((ROOT / "ui" / "dataset_tabs.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"ui/dataset_tabs.py defines no {name}")


def test_server_caps_the_upload_size():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    size = config["server"]["maxUploadSize"]
    assert isinstance(size, int) and 1 <= size <= 200  # MB; Streamlit's own default is 200


def test_the_data_page_caps_state_their_limits():
    max_rows, max_cols = _page_constant("MAX_UPLOAD_ROWS"), _page_constant("MAX_UPLOAD_COLS")
    assert 1_000 <= max_rows and 2 <= max_cols <= 10_000
    wide = (",".join(f"c{i}" for i in range(max_cols + 1)) + "\n" + ",".join("1" for _ in range(max_cols + 1)) + "\n")
    with pytest.raises(DataError) as info:
        load_csv(wide.encode(), max_rows=max_rows, max_cols=max_cols)
    assert f"the limit is {max_cols:,} columns" in str(info.value) and "keep only the columns you need" in str(info.value)
    with pytest.raises(DataError) as info:
        load_csv(b"a\n" + b"1\n" * (max_rows + 1), max_rows=max_rows, max_cols=max_cols)
    assert f"the limit is {max_rows:,} rows" in str(info.value) and "upload a sample" in str(info.value)
    assert load_csv(b"a\n" + b"1\n" * max_rows, max_rows=max_rows, max_cols=max_cols).shape == (max_rows, 1)


def test_a_file_at_the_upload_size_cap_fits_under_the_row_cap_or_says_so():
    # maxUploadSize MB of the narrowest numeric CSV ("1\n" per row) must not pass the row cap silently:
    # either it is under the cap, or load_csv names the cap.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    rows_at_cap = config["server"]["maxUploadSize"] * 1024 * 1024 // 2
    max_rows = _page_constant("MAX_UPLOAD_ROWS")
    if rows_at_cap <= max_rows:
        pytest.skip(f"an upload of the maximal size has at most {rows_at_cap:,} rows, under the cap")
    with pytest.raises(DataError, match=rf"the limit is {max_rows:,} rows"):
        load_csv(b"a\n" + b"1\n" * (max_rows + 1), max_rows=max_rows)


# ---------------------------------------------------------------------------
# Security: nothing a user supplies is evaluated, unpickled or rendered as HTML
# ---------------------------------------------------------------------------

# ui/prefetch.py sends one fixed script of ours (tags naming files of the installed Streamlit, never
# anything a visitor typed or uploaded), so that the browser loads the charts' code early.
RAW_HTML_ALLOWED = {"prefetch.py"}
APP_FILES = sorted([ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "linreg").rglob("*.py")])


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_eval_exec_pickle_or_raw_html(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in {"eval", "exec", "compile", "__import__"}, f"{path.name}:{node.lineno} calls {func.id}"
            if isinstance(func, ast.Attribute):
                owner = getattr(func.value, "id", "")
                assert not (owner == "st" and func.attr == "html" and path.name not in RAW_HTML_ALLOWED), \
                    f"{path.name}:{node.lineno} renders raw HTML"
                assert not (owner in {"pd", "pandas"} and func.attr in {"read_pickle", "eval"}), \
                    f"{path.name}:{node.lineno} calls {owner}.{func.attr}"
                assert not (owner in {"np", "numpy"} and func.attr == "load"), f"{path.name}:{node.lineno} np.load"
            for kw in node.keywords:
                assert kw.arg != "unsafe_allow_html", f"{path.name}:{node.lineno} uses unsafe_allow_html"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            for m in modules:
                assert m not in {"pickle", "dill", "cloudpickle", "marshal", "shelve"}, f"{path.name}:{node.lineno} imports {m}"


APP_ONLY = sorted([ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py")])
WRITERS = {"to_csv", "to_parquet", "to_excel", "to_pickle", "to_json", "to_feather", "tofile", "save", "savez",
           "savetxt", "write_text", "write_bytes", "write_image", "write_html", "NamedTemporaryFile", "mkstemp"}


@pytest.mark.parametrize("path", APP_ONLY, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_writes_nothing_to_disk(path):
    # Uploads live in memory and in the session only; downloads go through st.download_button.
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "to_csv" and not node.args and not any(kw.arg == "path_or_buf" for kw in node.keywords):
                continue  # to_csv() without a path returns a string (for a download button)
            if name == "to_json" and not node.args:
                continue
            assert name not in WRITERS, f"{path.name}:{node.lineno} writes a file ({name})"
            if name == "open":
                mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
                assert not (isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+")), \
                    f"{path.name}:{node.lineno} opens a file for writing"


def _module_level_names(tree: ast.Module) -> set[str]:
    """Names bound at module level to data (not functions, classes or imports)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            names.add(node.target.id)
    return names


def _is_cached(func: ast.FunctionDef) -> bool:
    for dec in func.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute) and target.attr in {"cache_data", "cache_resource"}:
            return True
    return False


CACHING_FILES = sorted([ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py")])


@pytest.mark.parametrize("path", CACHING_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_cached_functions_read_no_module_level_data(path):
    # A cached function whose result depends on a global its key does not cover serves stale results
    # to other sessions. Constants in UPPER_CASE bound to immutable literals are fine.
    tree = ast.parse(path.read_text(), filename=str(path))
    data_names = _module_level_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and _is_cached(node):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in data_names:
                    assert sub.id.isupper() and sub.id not in _mutable_globals(tree), \
                        f"{path.name}:{sub.lineno}: cached {node.name}() reads the module-level {sub.id}"
            assert not any(isinstance(sub, ast.Global) for sub in ast.walk(node)), f"{path.name}: {node.name} uses global"


def _mutable_globals(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in {"list", "dict", "set"}
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out |= {t.id for t in targets if isinstance(t, ast.Name)}
    return out


@pytest.mark.parametrize("path", CACHING_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_level_state_is_mutated(path):
    # Module-level containers are shared by every session of the server: they must never change.
    tree = ast.parse(path.read_text(), filename=str(path))
    mutable = _mutable_globals(tree)
    mutators = {"append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault", "add",
                "discard", "sort", "reverse"}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for sub in ast.walk(node):
                if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                        and isinstance(sub.func.value, ast.Name) and sub.func.value.id in mutable
                        and sub.func.attr in mutators):
                    raise AssertionError(f"{path.name}:{sub.lineno}: {node.name}() mutates the module-level "
                                         f"{sub.func.value.id}")
                if isinstance(sub, (ast.Assign, ast.AugAssign)):
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    for t in targets:
                        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in mutable:
                            raise AssertionError(f"{path.name}:{sub.lineno}: {node.name}() writes into the "
                                                 f"module-level {t.value.id}")


# ---------------------------------------------------------------------------
# The same files through the app: never a traceback, never NaN on screen
# ---------------------------------------------------------------------------

APP = str(ROOT / "app.py")
APP_PAGES = ["pages/fit.py", "pages/residuals.py", "pages/descent.py", "pages/compare.py"]
_rng = np.random.default_rng(5)
_x = _rng.uniform(1, 2, 12)
UPLOADS = {
    "rejected-binary": (bytes(range(256)) * 4, "rejected"),
    "rejected-empty": (b"", "rejected"),
    "rejected-header-only": (b"x,y\n", "rejected"),
    "single-row": (b"x,y\n1,2\n", "fit-error"),
    "constant-target": (b"x,y\n1,5\n2,5\n3,5\n4,5\n", "ok"),
    "constant-feature": (b"x,c,y\n1,5,2\n2,5,3\n3,5,5\n4,5,4\n5,5,7\n", "ok"),
    "perfect-fit": (b"x,y\n1,3\n2,5\n3,7\n4,9\n5,11\n", "ok"),
    "n-equals-p-plus-1": (b"x,y\n1,3\n2,5.5\n3,7\n", "ok"),
    "huge-1e300": (csv_bytes({"x": _x * 1e300, "y": (3 + 2 * _x) * 1e300}), "fit-error"),
    "scaled-1e150": (csv_bytes({"x": _x * 1e150, "y": 3 + 2 * _x + _rng.normal(0, 0.1, 12)}), "ok"),
    "all-nan-column": (b"x,e,y\n1,,2\n2,,3\n3,,5\n4,,4\n", "fit-error"),
    "markdown-names": (b"**b**,<i>x</i>,$y$\n1,2,3\n2,1,5\n3,5,4\n4,3,7\n", "ok"),
}


def _page_text(at) -> str:
    parts = [str(getattr(el, "value", "")) for kind in ("markdown", "caption", "error", "warning", "info", "success")
             for el in getattr(at, kind)]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(UPLOADS))
def test_hostile_uploads_through_every_page(name):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    raw, outcome = UPLOADS[name]
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    before = at.session_state["lr_source"]
    at = at.file_uploader(key="upload").set_value((f"{name}.csv", raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    if outcome == "rejected":
        assert any("rejected" in e.value for e in at.error)
        assert at.session_state["lr_source"] == before  # nothing lost
    else:
        assert at.session_state["lr_source"] == f"Upload: {name}.csv"
    for page in APP_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        text = _page_text(at)
        assert "Traceback" not in text, page
        for metric in at.metric:
            assert "nan" not in str(metric.value).lower(), (page, metric.label, metric.value)
        if outcome == "fit-error" and page == "pages/fit.py":
            assert at.error, "a model that cannot be fitted says so"
    st.cache_data.clear()


def test_explore_plot_summary_of_huge_columns_is_computed_without_overflow():
    from linreg.plots.fit import target_scatter

    x = np.linspace(1.0, 2.0, 12)
    df = pd.DataFrame({"x": x * 1e300, "y": (3.0 + 2.0 * x) * 1e300})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _, summary, _ = target_scatter(df, "x", "y")
    assert "correlation r = 1" in summary, summary


def test_explore_plot_summary_says_why_a_constant_column_has_no_correlation():
    from linreg.plots.fit import target_scatter

    df = pd.DataFrame({"x": np.full(6, 2.0), "y": np.arange(6.0)})
    _, summary, _ = target_scatter(df, "x", "y")
    assert "the correlation is undefined because x is constant" in summary, summary
