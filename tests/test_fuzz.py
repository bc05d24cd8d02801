"""Fuzzing the path from a file to a fit: never a traceback.

Whatever the input, ``load_csv``, ``build_design`` and ``fit_design``/``fit_ols`` either
return a result whose numbers are finite or explicitly flagged (see
``assert_finite_or_flagged`` in test_hostile_input.py), or raise a ``LinregError`` with a
message. Warnings are ``LinregWarning`` subclasses only: a numpy RuntimeWarning (an
overflow or an invalid operation) would mean a number went wrong silently.

Bounded: 100-200 examples per property, no deadline (the machine may be busy).
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from linreg.data import load_csv
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import LinregError, LinregWarning
from linreg.ols import fit_ols


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


def _sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"_linreg_tests_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assert_finite_or_flagged = _sibling("test_hostile_input").assert_finite_or_flagged

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def run_strictly(func, *args, **kwargs):
    """Call ``func``; return (result, None) or (None, LinregError). Any non-linreg warning fails the test."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out, err = func(*args, **kwargs), None
        except LinregError as exc:
            out, err = None, exc
    foreign = [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, LinregWarning)]
    assert not foreign, foreign
    if err is not None:
        assert str(err).strip(), "a LinregError must carry a message"
    return out, err


def default_spec(df: pd.DataFrame) -> ModelSpec:
    """Every other column a feature, every text column categorical.

    ``linreg.design.default_spec`` leaves ID-like text out; this keeps it, so that fuzzed tables
    also reach build_design's limit on levels.
    """
    columns = [str(c) for c in df.columns]
    text = {c for c in columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])}
    numeric = [c for c in columns if c not in text]
    target = numeric[-1] if numeric else columns[-1]
    features = tuple(c for c in columns if c != target)
    return ModelSpec(target=target, features=features, categorical=tuple(c for c in features if c in text))


# ---------------------------------------------------------------------------
# The loader over CSV-shaped hostile text
# ---------------------------------------------------------------------------

TOKENS = [
    "", " ", "1", "-2.5", "3e2", "1e308", "1e-308", "1e400", "-1e999", "5e-324", "0", "-0", "inf", "-inf", "nan", "NA",
    "null", "1,234", "1,234.5", "1.234,5", "12,5", "0x1F", "1_000", "True", "false", "2024-01-31", "abc", "Zürich",
    "é", "€", "日本", "a b", '"quoted"', '"a,b"', '"x\ny"', '"""', "'", "#", "=1+1", "<script>", "**x**", "\t", ";",
    "9" * 40, "-" * 3, "١٢٣",
]


@st.composite
def csvish(draw) -> bytes:
    n_cols = draw(st.integers(1, 5))
    n_rows = draw(st.integers(0, 6))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    cell = st.sampled_from(TOKENS) | st.text(max_size=8)
    header = [draw(st.sampled_from(["x", "y", "", "x", " a ", "col", "名前", "y"])) for _ in range(n_cols)]
    widths = [n_cols + draw(st.integers(-1, 1)) if draw(st.booleans()) else n_cols for _ in range(n_rows)]
    rows = [[draw(cell) for _ in range(max(w, 1))] for w in widths]
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(r) for r in [header, *rows]) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


def _check_frame(df: pd.DataFrame) -> None:
    assert isinstance(df, pd.DataFrame) and len(df) >= 1 and df.shape[1] >= 1
    assert df.columns.is_unique and all(isinstance(c, str) and c for c in df.columns)
    for c in df.columns:
        assert df[c].dtype == np.float64 or pd.api.types.is_string_dtype(df[c]), (c, df[c].dtype)


@FUZZ
@given(csvish())
def test_loader_on_csv_like_files_gives_a_frame_or_a_message(raw):
    df, _ = run_strictly(load_csv, raw)
    if df is not None:
        _check_frame(df)


@FUZZ
@given(st.binary(min_size=1, max_size=2000))
def test_loader_on_arbitrary_bytes_gives_a_frame_or_a_message(raw):
    df, _ = run_strictly(load_csv, raw)
    if df is not None:
        _check_frame(df)


@FUZZ
@given(csvish(), st.integers(1, 4), st.integers(1, 4))
def test_caps_are_enforced_with_their_numbers(raw, max_rows, max_cols):
    df, err = run_strictly(load_csv, raw, max_rows=max_rows, max_cols=max_cols)
    if df is not None:
        assert len(df) <= max_rows and df.shape[1] <= max_cols
    elif "the limit is" in str(err):
        assert f"the limit is {max_rows:,} row" in str(err) or f"the limit is {max_cols:,} column" in str(err)


@FUZZ
@given(csvish())
def test_any_loadable_file_fits_or_says_why(raw):
    df, _ = run_strictly(load_csv, raw)
    assume(df is not None and df.shape[1] >= 2)
    design, _ = run_strictly(build_design, df, default_spec(df))
    if design is not None:
        result, _ = run_strictly(fit_design, design)
        if result is not None:
            assert_finite_or_flagged(result)


# ---------------------------------------------------------------------------
# The fit over random small tables with trouble in them
# ---------------------------------------------------------------------------

@st.composite
def tables(draw) -> pd.DataFrame:
    """A small table: numeric columns of many scales, constants, duplicates, combinations, text, NaN, inf."""
    n = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    columns: dict[str, object] = {}
    for j in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["normal", "scaled", "integer", "constant", "duplicate", "combination",
                                     "text", "nan", "inf", "tiny-noise"]))
        numeric = [v for v in columns.values() if isinstance(v, np.ndarray) and v.dtype == np.float64]
        if kind == "normal":
            v = rng.normal(size=n)
        elif kind == "scaled":
            v = rng.normal(size=n) * 10.0 ** draw(st.integers(-150, 150))
        elif kind == "integer":
            v = rng.integers(-3, 4, size=n).astype(np.float64)
        elif kind == "constant":
            v = np.full(n, draw(st.sampled_from([0.0, 1.0, -7.5, 1e100])))
        elif kind in ("duplicate", "combination") and numeric:
            with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN: one more kind of trouble
                v = numeric[0].copy() if kind == "duplicate" else 2.0 * numeric[0] - 3.0 * numeric[-1] + 1.0
        elif kind == "text":
            v = np.array(rng.choice(["a", "b", "c"], size=n), dtype=object)
        elif kind == "nan":
            v = rng.normal(size=n)
            v[rng.random(n) < 0.4] = np.nan
        elif kind == "inf":
            v = rng.normal(size=n)
            v[rng.integers(n)] = draw(st.sampled_from([np.inf, -np.inf]))
        else:
            v = 1.0 + rng.normal(size=n) * 1e-13
        columns[f"c{j}"] = v
    y_kind = draw(st.sampled_from(["linear", "noise", "constant", "exact", "huge", "tiny", "nan"]))
    first = next((v for v in columns.values() if isinstance(v, np.ndarray) and v.dtype == np.float64), np.zeros(n))
    clean = np.nan_to_num(first, nan=0.0, posinf=0.0, neginf=0.0)
    y = {
        "linear": 1.0 + 2.0 * clean + rng.normal(size=n),
        "noise": rng.normal(size=n),
        "constant": np.full(n, 4.0),
        "exact": 1.0 + 2.0 * clean,
        "huge": rng.normal(size=n) * 1e150,
        "tiny": rng.normal(size=n) * 1e-150,
        "nan": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
    }[y_kind]
    columns["y"] = y
    return pd.DataFrame(columns)


def _fit_table(df: pd.DataFrame, spec: ModelSpec) -> None:
    design, _ = run_strictly(build_design, df, spec)
    if design is None:
        return
    for method in ("qr", "svd"):
        result, _ = run_strictly(fit_design, design, method=method)
        if result is not None:
            assert_finite_or_flagged(result)


@settings(FUZZ, max_examples=200)
@given(tables(), st.booleans(), st.booleans())
def test_fit_of_random_tables_is_finite_or_flagged(df, intercept, standardize):
    spec = default_spec(df)
    spec = ModelSpec(spec.target, spec.features, spec.categorical, standardize=standardize, intercept=intercept)
    _fit_table(df, spec)


@FUZZ
@given(tables())
def test_fit_of_random_tables_through_a_csv_file(df):
    raw = df.to_csv(index=False, float_format="%.17g").encode()
    loaded, _ = run_strictly(load_csv, raw)
    if loaded is None:
        return
    # The file keeps every number exactly (repr round-trips; inf is written and read back as inf).
    for c in df.columns:
        if df[c].dtype == np.float64:
            np.testing.assert_array_equal(loaded[c].to_numpy(), df[c].to_numpy())
    _fit_table(loaded, default_spec(loaded))


@FUZZ
@given(
    st.integers(1, 10),
    st.integers(0, 4),
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=60),
    st.booleans(),
)
def test_fit_ols_on_arbitrary_floats(n, p, values, intercept):
    X = np.resize(np.asarray(values, dtype=np.float64), n * p).reshape(n, p) if p else np.empty((n, 0))
    y = np.resize(np.asarray(values[::-1], dtype=np.float64), n)
    result, err = run_strictly(fit_ols, X, y, intercept=intercept)
    if result is not None:
        assert_finite_or_flagged(result)
    else:
        assert isinstance(err, LinregError)


@pytest.mark.parametrize("method", ["qr", "svd", "normal"])
def test_fuzz_strategy_covers_each_trouble(method):
    # A fixed table with every kind of trouble at once, for each method: aliased, flagged, no traceback.
    rng = np.random.default_rng(0)
    x = rng.normal(size=20)
    df = pd.DataFrame({"x": x, "dup": x, "const": 3.0, "g": rng.choice(["a", "b"], 20), "y": 1 + 2 * x})
    design = build_design(df, ModelSpec("y", categorical=("g",)))
    result, err = run_strictly(fit_design, design, method=method)
    if result is not None:
        assert set(result.aliased) == {"dup", "const"}
        assert_finite_or_flagged(result)
    else:
        assert "normal equations" in str(err)
