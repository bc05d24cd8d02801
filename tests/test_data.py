"""linreg.data: the CSV loader and the finiteness check, including hostile files."""

from __future__ import annotations

import io
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from linreg.data import _clean_names, check_finite, digest, load_csv
from linreg.exceptions import DataError, LinregError


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


def assert_numeric(df: pd.DataFrame, column: str, expected: list[float]) -> None:
    assert df[column].dtype == np.float64, (column, df[column].dtype)
    assert_allclose(df[column].to_numpy(), expected, rtol=0, atol=0, equal_nan=True)


def assert_text(df: pd.DataFrame, column: str, expected: list[object]) -> None:
    assert pd.api.types.is_string_dtype(df[column]), (column, df[column].dtype)
    got = [None if isinstance(v, float) and math.isnan(v) else v for v in df[column].tolist()]
    assert got == expected


# ---------------------------------------------------------------------------
# Tiny exact cases: delimiters, encodings, sources
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_sniffed(delimiter):
    raw = delimiter.join(["x", "y", "name"]) + "\n" + delimiter.join(["1", "2.5", "a"]) + "\n" \
        + delimiter.join(["-3", "4e2", "b c"]) + "\n"
    df = load_csv(raw.encode())
    assert list(df.columns) == ["x", "y", "name"]
    assert_numeric(df, "x", [1.0, -3.0])
    assert_numeric(df, "y", [2.5, 400.0])
    assert_text(df, "name", ["a", "b c"])
    assert list(df.index) == [0, 1]


def test_semicolon_file_with_decimal_commas():
    df = load_csv(b"x;y\n1,5;2\n3,25;-4,125\n")
    assert_numeric(df, "x", [1.5, 3.25])
    assert_numeric(df, "y", [2.0, -4.125])


def test_european_thousands_and_decimal_comma():
    df = load_csv(b"price;qty\n1.234,5;1\n12,25;2\n999;3\n")
    assert_numeric(df, "price", [1234.5, 12.25, 999.0])


def test_quoted_thousands_separators_in_a_comma_file():
    df = load_csv(b'a,b\n"1,234.5",1\n"5,000",2\n7,3\n')
    assert_numeric(df, "a", [1234.5, 5000.0, 7.0])


def test_ambiguous_comma_values_follow_the_delimiter_convention():
    # "1,234" alone: thousands in a comma file, decimal comma in a semicolon file, text in a tab file.
    assert_numeric(load_csv(b'a,b\n"1,234",1\n'), "a", [1234.0])
    assert_numeric(load_csv(b"a;b\n1,234;1\n"), "a", [1.234])
    assert_text(load_csv(b"a\tb\n1,234\t1\n"), "a", ["1,234"])


def test_tab_file_with_unambiguous_decimal_comma():
    assert_numeric(load_csv(b"a\tb\n1,5\t1\n2,75\t2\n"), "a", [1.5, 2.75])


def test_utf8_with_bom():
    df = load_csv("\ufeffnaïve,y\n1,2\n".encode())
    assert list(df.columns) == ["naïve", "y"]
    assert_numeric(df, "naïve", [1.0])


def test_latin1_falls_back():
    df = load_csv("ville;température\nZürich;1,5\nBesançon;2\n".encode("latin-1"))
    assert list(df.columns) == ["ville", "température"]
    assert_text(df, "ville", ["Zürich", "Besançon"])
    assert_numeric(df, "température", [1.5, 2.0])


def test_utf16_with_bom_is_read():
    df = load_csv("x\ty\n1\t2\n".encode("utf-16"))
    assert_numeric(df, "y", [2.0])


def test_path_str_pathlike_bytes_and_file_objects_agree(tmp_path):
    raw = b"x,y\n1,2\n3,4\n"
    path = tmp_path / "d.csv"
    path.write_bytes(raw)
    expected = pd.DataFrame({"x": [1.0, 3.0], "y": [2.0, 4.0]})
    upload = io.BytesIO(raw)
    upload.read()  # an upload read once already, as on a Streamlit rerun: the loader rewinds
    for source in (str(path), path, raw, bytearray(raw), memoryview(raw), io.BytesIO(raw), upload):
        pd.testing.assert_frame_equal(load_csv(source), expected)


def test_text_file_object_is_accepted():
    pd.testing.assert_frame_equal(load_csv(io.StringIO("a,b\n1,2\n")), pd.DataFrame({"a": [1.0], "b": [2.0]}))


# ---------------------------------------------------------------------------
# Odd but valid files
# ---------------------------------------------------------------------------

def test_missing_values_stay_nan():
    df = load_csv(b"x,y,z\n1,,a\nNA,2,\n3,NaN,c\n")
    assert_numeric(df, "x", [1.0, np.nan, 3.0])
    assert_numeric(df, "y", [np.nan, 2.0, np.nan])
    assert_text(df, "z", ["a", None, "c"])


def test_mixed_types_stay_text():
    df = load_csv(b"v,y\n1,1\nabc,2\n3.5,3\n")
    assert_text(df, "v", ["1", "abc", "3.5"])


def test_dates_and_booleans_stay_text():
    df = load_csv(b"d,b,y\n2020-01-01,True,1\n2020-02-01,False,2\n")
    assert_text(df, "d", ["2020-01-01", "2020-02-01"])
    assert_text(df, "b", ["True", "False"])
    assert_numeric(df, "y", [1.0, 2.0])


def test_duplicate_and_empty_names_are_renamed_deterministically():
    df = load_csv(b"a,,a, b ,a_2\n1,2,3,4,5\n")
    assert list(df.columns) == ["a", "column_2", "a_3", "b", "a_2"]
    assert _clean_names(["x", "x", "x"]) == ["x", "x_2", "x_3"]


def test_quoted_newlines_are_kept_in_the_value():
    df = load_csv(b'note,y\n"two\nlines",1\n"plain",2\n')
    assert_text(df, "note", ["two\nlines", "plain"])
    assert_numeric(df, "y", [1.0, 2.0])


def test_single_row_is_fine():
    df = load_csv(b"x,y\n1,2\n")
    assert df.shape == (1, 2)


def test_single_column_file():
    assert_numeric(load_csv(b"y\n1\n2\n"), "y", [1.0, 2.0])


def test_constant_and_all_nan_columns():
    df = load_csv(b"c,e,y\n5,,1\n5,,2\n5,,3\n")
    assert_numeric(df, "c", [5.0, 5.0, 5.0])
    assert_numeric(df, "e", [np.nan] * 3)


def test_extreme_magnitudes_and_overflow():
    df = load_csv(b"a,b\n1e300,-1e-300\n-1.5e-308,2e308\n")
    assert_numeric(df, "a", [1e300, -1.5e-308])
    assert df["b"].iloc[0] == -1e-300 and df["b"].iloc[1] == np.inf


def test_blank_lines_and_crlf_are_ignored():
    df = load_csv(b"x,y\r\n1,2\r\n\r\n3,4\r\n\r\n")
    assert_numeric(df, "x", [1.0, 3.0])


def test_short_rows_are_padded_with_nan():
    df = load_csv(b"x,y,z\n1,2,3\n4,5\n")
    assert_numeric(df, "z", [3.0, np.nan])


def test_ten_thousand_columns():
    header = ",".join(f"c{j}" for j in range(10_000))
    row = ",".join(str(j) for j in range(10_000))
    df = load_csv(f"{header}\n{row}\n{row}\n".encode())
    assert df.shape == (2, 10_000)
    assert df["c9999"].tolist() == [9999.0, 9999.0]


def test_very_long_lines():
    long_text = "z" * 300_000  # longer than Python's csv field limit (131,072)
    df = load_csv(f"t,y\n{long_text},1\nshort,2\n".encode())
    assert len(df["t"].iloc[0]) == 300_000
    assert_numeric(df, "y", [1.0, 2.0])


def test_integers_become_float64_and_huge_integers_too():
    df = load_csv(b"i,big\n1,123456789012345678901234567890\n2,1\n")
    assert_numeric(df, "i", [1.0, 2.0])
    assert_numeric(df, "big", [1.2345678901234568e29, 1.0])


def test_whitespace_around_numbers_and_blank_text_cells():
    df = load_csv(b"x,t\n 1 ,a\n2,   \n")
    assert_numeric(df, "x", [1.0, 2.0])
    assert_text(df, "t", ["a", None])


def test_caps_allow_exactly_the_limit():
    df = load_csv(b"a,b\n1,2\n3,4\n", max_rows=2, max_cols=2)
    assert df.shape == (2, 2)


# ---------------------------------------------------------------------------
# Every error path, with its message
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"", r"the file is empty; upload a CSV"),
        (b" \n\r\n\t", r"the file is empty"),
        (b"\xef\xbb\xbf", r"the file is empty"),
        (b"x,y\n", r"header but no data rows; add at least one row"),
        (b"x,y\n\n\n", r"header but no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"binary data, not a text CSV"),
        (bytes(range(256)) * 4, r"binary data"),
        (b"PK\x03\x04\x14\x00\x06\x00", r"Excel workbook or a zip archive.*Save As > CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", r"Excel workbook"),
        (b"x,y\n1,2,3\n", r"data row 1 has 3 fields but the header names 2 columns; check the comma"),
        (b"x,y\n" + b"1,2\n" * 100 + b"1,2,3\n", r"cannot parse the file as comma-separated values.*same number of fields"),
        (b"\xff\xfeA\x00\xd8", r"UTF-16"),
    ],
)
def test_bad_files_raise_data_error(raw, match):
    with pytest.raises(DataError, match=match):
        load_csv(raw)


def test_too_many_rows_states_the_limit():
    with pytest.raises(DataError, match=r"has 3 rows but the limit is 2 rows; upload a sample"):
        load_csv(b"a\n1\n2\n3\n", max_rows=2)
    with pytest.raises(DataError, match=r"the limit is 1 row;"):
        load_csv(b"a\n1\n2\n", max_rows=1)


def test_too_many_columns_states_the_limit():
    with pytest.raises(DataError, match=r"has 3 columns but the limit is 2 columns; keep only"):
        load_csv(b"a,b,c\n1,2,3\n", max_cols=2)


@pytest.mark.parametrize("cap", [0, -1, 1.5, "10"])
def test_bad_caps(cap):
    with pytest.raises(DataError, match=r"max_rows must be a positive integer or None"):
        load_csv(b"a\n1\n", max_rows=cap)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(DataError, match=r"no file at .*missing\.csv.*check the path"):
        load_csv(tmp_path / "missing.csv")
    with pytest.raises(DataError, match=r"is a folder, not a file"):
        load_csv(tmp_path)


def test_unsupported_source_type():
    with pytest.raises(DataError, match=r"cannot read a CSV from a int; give a path, bytes"):
        load_csv(42)


# ---------------------------------------------------------------------------
# check_finite
# ---------------------------------------------------------------------------

def test_check_finite_names_column_and_rows():
    df = pd.DataFrame({"ok": [1.0, 2.0, np.nan, 4.0], "bad": [1.0, np.inf, 3.0, -np.inf]}, index=[10, 11, 12, 13])
    with pytest.raises(DataError, match=r"column 'bad' has infinite values at rows \[11, 13\]; fix or remove"):
        check_finite(df)
    check_finite(df, ["ok"])  # NaN is not infinite: the design step drops it


def test_check_finite_counts_many_rows_and_skips_text():
    df = pd.DataFrame({"t": ["inf", "a"] * 4, "x": [np.inf] * 8})
    with pytest.raises(DataError, match=r"rows \[0, 1, 2, 3, 4\] and 3 more"):
        check_finite(df)
    check_finite(df, ["t"])


def test_check_finite_unknown_column():
    with pytest.raises(DataError, match=r"no column named 'z'"):
        check_finite(pd.DataFrame({"x": [1.0]}), ["z"])


def test_loaded_overflow_is_caught_by_check_finite():
    with pytest.raises(DataError, match=r"column 'b' has infinite values at rows \[1\]"):
        check_finite(load_csv(b"a,b\n1,2\n3,1e999\n"))


# ---------------------------------------------------------------------------
# Properties: never anything but a DataFrame or a LinregError
# ---------------------------------------------------------------------------

def _load_or_error(raw: bytes) -> None:
    try:
        df = load_csv(raw)
    except LinregError as exc:
        assert str(exc)
        return
    assert isinstance(df, pd.DataFrame) and len(df) >= 1 and df.shape[1] >= 1
    for name in df.columns:
        assert isinstance(name, str) and name
        assert df[name].dtype == np.float64 or pd.api.types.is_string_dtype(df[name])
    assert df.columns.is_unique


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_frame_or_a_data_error(raw):
    _load_or_error(raw)


_CSVISH = st.text(alphabet=list('ab1.2,;\t"\n\r -e+9NA\u00e9\ufeff'), max_size=120)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CSVISH, st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_csv_like_text_gives_a_frame_or_a_data_error(text, encoding):
    _load_or_error(text.encode(encoding, errors="replace"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=20),
       st.sampled_from([",", ";", "\t"]))
def test_floats_round_trip_exactly(values, delimiter):
    frame = pd.DataFrame({"x": values, "y": np.arange(len(values), dtype=float)})
    df = load_csv(frame.to_csv(index=False, sep=delimiter).encode())
    assert_array_equal(df["x"].to_numpy(), np.asarray(values, dtype=float))


def test_blank_lines_above_the_header_are_skipped():
    for raw in (b"\n\nx,y\n1,2\n", b"  \r\n\t\r\nx;y\n1;2\n"):
        df = load_csv(raw)
        assert list(df.columns) == ["x", "y"]
        assert_numeric(df, "x", [1.0])


def test_header_of_empty_names_is_still_the_header():
    df = load_csv(b",,\n1,2,3\n")
    assert list(df.columns) == ["column_1", "column_2", "column_3"]
    assert_numeric(df, "column_3", [3.0])


def test_digits_of_other_scripts_stay_text():
    # \d would match these; float() would not, and the value must not silently become NaN.
    df = load_csv("a,b\n١٢,1\n".encode())
    assert_text(df, "a", ["١٢"])


# ---------------------------------------------------------------------------
# Without pyarrow (it is not a declared dependency): the C engine gives the same frames
# ---------------------------------------------------------------------------

_SAMPLES = [
    b"x,y,name\n1,2.5,a\n-3,4e2,b c\n",
    b"x;y\n1,5;2\n3,25;-4,125\n",
    b'a,b\n"1,234.5",1\n"5,000",2\n7,3\n',
    b"x,y,z\n1,,a\nNA,2,\n3,NaN,c\n",
    b'note,y\n"two\nlines",1\n"plain",2\n',
    b"d,b,y\n2020-01-01,True,1\n2020-02-01,False,2\n",
    b"x,y,z\n1,2,3\n4,5\n",
    "ville;température\nZürich;1,5\n".encode("latin-1"),
]


@pytest.mark.parametrize("raw", _SAMPLES)
def test_pyarrow_and_c_engine_give_the_same_frame(raw, monkeypatch):
    pytest.importorskip("pyarrow")
    monkeypatch.setattr("linreg.data._use_pyarrow", lambda: True)
    fast = load_csv(raw)
    monkeypatch.setattr("linreg.data._use_pyarrow", lambda: False)
    pd.testing.assert_frame_equal(load_csv(raw), fast)


@pytest.mark.parametrize("use", [True, False])
def test_both_engines_load_many_rows_exactly(use, monkeypatch):
    monkeypatch.setattr("linreg.data._use_pyarrow", lambda: use)
    values = np.random.default_rng(0).standard_normal((3000, 3)) * 10.0 ** np.arange(-100, 200, 100)
    df = load_csv(pd.DataFrame(values, columns=["a", "b", "c"]).to_csv(index=False).encode())
    assert_array_equal(df.to_numpy(), values)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CSVISH, st.booleans())
def test_csv_like_text_gives_a_frame_or_a_data_error_with_either_engine(text, use):
    from unittest import mock

    with mock.patch("linreg.data._use_pyarrow", lambda: use):
        _load_or_error(text.encode("utf-8"))


def test_first_line_longer_than_the_sniffer_sample():
    with pytest.raises(DataError, match=r"the first line is longer than 1,048,576 bytes"):
        load_csv(b"a," * 600_000 + b"b\n1\n")


# ---------------------------------------------------------------------------
# Encodings Excel and other tools actually write
# ---------------------------------------------------------------------------

def test_windows_1252_quotes_dashes_and_euro_are_read_as_such():
    # Excel's "CSV" on Windows: 0x80-0x9F are the euro sign, curly quotes and dashes, not control codes.
    df = load_csv("name,price\n\u201cBig\u201d \u2013 caf\u00e9,\u20ac5\nZ\u00fcrich,2\n".encode("cp1252"))
    assert_text(df, "name", ["\u201cBig\u201d \u2013 caf\u00e9", "Z\u00fcrich"])
    assert_text(df, "price", ["\u20ac5", "2"])


def test_bytes_undefined_in_windows_1252_fall_back_to_latin1():
    df = load_csv(b"name,y\n\x81\xe9,1\n")
    assert_text(df, "name", ["\x81\u00e9"])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(codec):
    df = load_csv("ville;y\nZ\u00fcrich;1,5\nParis;2\n".encode(codec))
    assert_text(df, "ville", ["Z\u00fcrich", "Paris"])
    assert_numeric(df, "y", [1.5, 2.0])


def test_broken_utf16_without_bom_says_save_as_utf8():
    with pytest.raises(DataError, match=r"UTF-16 text without a byte-order mark.*save it as CSV UTF-8"):
        load_csv(("x,y\n" + "1,2\n" * 40).encode("utf-16-le") + b"\x00\xd8")


def test_a_wide_header_longer_than_the_csv_field_limit_is_sniffed():
    # 50,000 names: for ';' and TAB the header is one 390 kB field, beyond the csv module's limit;
    # that rules those delimiters out instead of failing the file.
    n = 50_000
    raw = (",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1.5" for _ in range(n)) + "\n").encode()
    df = load_csv(raw)
    assert df.shape == (1, n) and df.columns[-1] == f"c{n - 1}"
    assert (df.iloc[0] == 1.5).all()


def test_one_huge_header_field_is_still_an_error():
    with pytest.raises(DataError, match=r"the header line has a field longer than 131,072 characters"):
        load_csv(b'"' + b"a" * 200_000 + b'\n1\n')


def test_a_line_of_delimiters_only_is_a_row_not_a_blank_line():
    # ", " is a row for pandas; the sniffer must see it too, or a one-column file loses data silently.
    df = load_csv(b"x\n\n, \n")
    assert df.shape == (1, 1)
    assert_text(df, "x", [", "])


def test_a_row_longer_than_the_header_is_an_error_not_a_loss():
    with pytest.raises(DataError, match=r"data row 2 has 3 fields but the header names 2 columns"):
        load_csv(b"x,y\n1,2\n,,\n3,4\n")


# ---------------------------------------------------------------------------
# digest: a cache key of the exact content
# ---------------------------------------------------------------------------

def _old_key(df: pd.DataFrame) -> bytes:
    """The key the app used before: pandas' row hashes and the dtypes."""
    return repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode() + \
        pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (pd.DataFrame({"x": [0.0, 1.0]}), pd.DataFrame({"x": [-0.0, 1.0]})),
        (pd.DataFrame({"g": ["a", None]}, dtype=object), pd.DataFrame({"g": ["a", np.nan]}, dtype=object)),
        (pd.DataFrame({"x": [np.nan]}),
         pd.DataFrame({"x": np.frombuffer(np.uint64(0x7FF8000000000001).tobytes(), dtype=np.float64)})),
    ],
    ids=["signed-zero", "none-vs-nan", "nan-payload"],
)
def test_digest_tells_apart_frames_that_pandas_row_hashes_confuse(a, b):
    assert _old_key(a) == _old_key(b)
    assert digest(a) != digest(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (pd.DataFrame({"s": ["ab", "c"]}), pd.DataFrame({"s": ["a", "bc"]})),
        (pd.DataFrame({"s": ["a\0b"]}), pd.DataFrame({"s": ["a", "b"]}).iloc[:1]),
        (pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1.0, 2.0]})),
        (pd.DataFrame({"x": [1.0], "y": [2.0]}), pd.DataFrame({"y": [2.0], "x": [1.0]})),
        (pd.DataFrame({"x": [1.0], "y": [2.0]}), pd.DataFrame({"x": [2.0], "y": [1.0]})),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"y": [1.0]})),
        (pd.DataFrame({1: [1.0]}), pd.DataFrame({"1": [1.0]})),
        (pd.DataFrame({"g": ["1"]}, dtype=object), pd.DataFrame({"g": [1]}, dtype=object)),
        (pd.DataFrame({"g": ["a", "b"]}), pd.DataFrame({"g": pd.Categorical(["a", "b"])})),
        (pd.DataFrame({"g": pd.Categorical(["a", "b"])}), pd.DataFrame({"g": pd.Categorical(["a", "b"], ["b", "a"])})),
        (pd.DataFrame({"x": pd.array([1, None], dtype="Int64")}), pd.DataFrame({"x": pd.array([1, 0], dtype="Int64")})),
        (pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"x": [1.0, 2.0]}, index=[1, 0])),
        (pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"x": [1.0, 2.0, 3.0]})),
        (pd.DataFrame({"t": pd.to_datetime(["2024-01-01"])}), pd.DataFrame({"t": pd.to_datetime(["2024-01-02"])})),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), pd.DataFrame({"a": ["xy"], "b": [""]})),
    ],
    ids=["split-text", "nul-in-text", "int-vs-float", "column-order", "swapped-values", "renamed", "name-type",
         "text-vs-int-object", "text-vs-categorical", "category-order", "nullable-missing", "index", "length",
         "datetime", "text-across-columns"],
)
def test_digest_differs_whenever_the_data_differs(a, b):
    assert digest(a) != digest(b)


def test_digest_is_the_same_for_the_same_content_and_stable():
    df = pd.DataFrame({"x": [1.5, np.nan], "g": ["a", None], "c": pd.Categorical(["u", "v"]),
                       "n": pd.array([1, None], dtype="Int64"), "b": [True, False]})
    assert digest(df) == digest(df.copy(deep=True)) == digest(pd.DataFrame(df.to_dict("list")).astype(df.dtypes))
    assert len(digest(df)) == 64 and int(digest(df), 16) >= 0
    with pytest.raises(DataError, match="expected a pandas DataFrame; got list"):
        digest([1, 2])


def test_digest_changes_with_every_cell_of_a_large_frame():
    rng = np.random.default_rng(0)
    base = pd.DataFrame(rng.normal(size=(200_000, 3)), columns=["a", "b", "y"])
    seen = {digest(base)}
    for i in range(200):
        df = base.copy()
        r, c = int(rng.integers(0, len(df))), int(rng.integers(0, 3))
        df.iat[r, c] = np.nextafter(df.iat[r, c], np.inf)  # one ulp in one cell
        seen.add(digest(df))
    assert len(seen) == 201


def test_digest_hashes_numeric_data_fast():
    df = pd.DataFrame(np.random.default_rng(0).normal(size=(1_000_000, 10)))
    digest(df)
    best = min(_timed(lambda: digest(df)) for _ in range(3))
    # ~600-850 MB/s on the reference machine; 300 MB/s leaves room for a busy one.
    assert df.to_numpy().nbytes / best > 300e6, f"{df.to_numpy().nbytes / best / 1e6:.0f} MB/s"


def _timed(f) -> float:
    import time

    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------
# Unclosed quotes: refused on every parse path
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (b'x,y\n1,"2\n3,4\n5,6\n', 2),
        (b'x,y\n1,2\n3,4\n"5,6\n', 4),
        (b'x;y\r\n1;2\r\n3;"4\r\n', 3),
        (b'x,y\n1,"a ""quoted"" word\n2,3\n', 2),
    ],
)
def test_an_unclosed_quote_is_refused_with_its_line(raw, line, parse_path):
    with pytest.raises(DataError, match=rf"^line {line} opens a quoted value that is never closed.*quotes are closed"):
        load_csv(raw)


@pytest.mark.parametrize(
    "raw",
    [b'x,y\n1,"2\n3"\n', b'len,y\n5",1\n6",2\n', b'x,y\n"a,""b""",1\n"",2\n', b'x,y\n1,ab"c\n2,"d"\n'],
    ids=["newline-inside", "inch-marks", "escaped", "quote-mid-field"],
)
def test_closed_and_literal_quotes_load(raw, parse_path):
    assert len(load_csv(raw)) >= 1


_QUOTY = st.text(alphabet='ab,"\n', min_size=1, max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_QUOTY)
def test_the_quote_scan_agrees_with_the_c_engine(body):
    from linreg.data import _unclosed_quote

    raw = ("h1,h2\n" + body + "\n").encode()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)  # rows longer than the header: not the point
            pd.read_csv(io.BytesIO(raw), engine="c", header=0, names=["h1", "h2"], index_col=False)
        eof_inside = False
    except pd.errors.ParserError as exc:
        assume("EOF inside string" in str(exc) or "Expected" not in str(exc))
        eof_inside = "EOF inside string" in str(exc)
    assert (_unclosed_quote(raw, ",") is not None) == eof_inside


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='a;"\n', min_size=1, max_size=60))
def test_the_quote_scan_gives_the_same_answer_in_small_chunks(body):
    import linreg.data as data

    raw = body.encode()
    whole = data._unclosed_quote(raw, ";")
    original = data._QUOTE_CHUNK
    try:
        data._QUOTE_CHUNK = 3
        assert data._unclosed_quote(raw, ";") == whole
    finally:
        data._QUOTE_CHUNK = original


def test_the_quote_scan_is_fast_on_a_large_quoted_file():
    from linreg.data import _unclosed_quote

    row = b'"2024-01-01 00:00:00","a ""b"" c",1.5\n'
    raw = b"t,s,x\n" + row * 500_000  # 19 MB, 2.5 million quotes
    t0 = time.perf_counter()
    assert _unclosed_quote(raw, ",") is None
    assert _unclosed_quote(raw + b'"open,1,2\n', ",") == len(raw)
    assert time.perf_counter() - t0 < 5
