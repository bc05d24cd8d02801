"""Model terms: from a table and a model specification to a design matrix.

A :class:`ModelSpec` names the target and the terms; :func:`build_design` turns
a DataFrame into a :class:`Design` (numbers only, every column named), and
:func:`fit_design` fits it with :func:`linreg.ols.fit_ols`.

Term names: a numeric column ``x``; its powers ``x^2``, ``x^3``; a dummy
``group[b]`` for each level of a categorical column except the reference level
(the first in sorted order); interactions ``a:b`` (with dummies, ``group[b]:x``).

For polynomial terms the design also carries a well-conditioned basis: the
same column space spanned by Legendre polynomials of the column mapped to
[-1, 1], with the exact (rational) map back to the raw powers. Raw powers of a
column far from 0 are nearly collinear (NIST Filip: condition number ~1e15),
while the Legendre basis is well conditioned, so fitting in it and mapping back
keeps the digits that rounding the raw powers would lose.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd

from .budget import DEFAULT_LIMITS, NO_LIMITS, Limits, format_bytes
from .exceptions import BudgetError, DataError, ModelError
from .ols import PRECISE_SIZE, Basis, CovType, Method, OLSResult, fit_ols

__all__ = [
    "ModelSpec",
    "Design",
    "DefaultSpec",
    "build_design",
    "design_rows",
    "fit_design",
    "text_columns",
    "default_spec",
    "default_spec_with_notes",
]

_LD = np.longdouble

# The exact (Fraction) map back from the Legendre basis costs O(k^3) operations on
# big rationals in fit_ols: 0.07 s of a fit at k = 25 terms, 18 s at k = 157. Up to
# this many terms (the NIST polynomial problems have at most 11) it keeps every
# digit; beyond it the map is applied in extended precision (eps ~1e-19), which
# still leaves a cancellation of 1e3 (NIST Wampler's is 1e6) below float64's eps.
_EXACT_MAP_TERMS = 30


@dataclass(frozen=True)
class ModelSpec:
    """What to fit: the target and the terms. Frozen and hashable (a cache key).

    Parameters
    ----------
    target : str
        Column to predict.
    features : tuple of str, default ()
        Columns used as predictors; () means every column except the target.
    categorical : tuple of str, default ()
        Columns expanded into dummies (added to the predictors if not among them).
    poly : tuple of (str, int), default ()
        ``(column, degree)``: the terms ``x, x^2, ..., x^degree`` replace ``x``.
    interactions : tuple of (str, str), default ()
        Pairwise products, named ``a:b``.
    standardize : bool, default False
        Centre and scale numeric columns (sample SD, ddof=1) before powers and products.
    intercept : bool, default True

    Examples
    --------
    >>> ModelSpec("y", poly=[("x", 2)]).poly
    (('x', 2),)
    """

    target: str
    features: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    poly: tuple[tuple[str, int], ...] = ()
    interactions: tuple[tuple[str, str], ...] = ()
    standardize: bool = False
    intercept: bool = True

    def __post_init__(self) -> None:
        # Accept lists (from JSON, the CLI, widgets) but store tuples so the spec stays hashable.
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "categorical", tuple(self.categorical))
        object.__setattr__(self, "poly", tuple((str(c), d) for c, d in self.poly))
        object.__setattr__(self, "interactions", tuple((str(a), str(b)) for a, b in self.interactions))


@dataclass(frozen=True, eq=False)
class Design:
    """A built design matrix with its names and bookkeeping.

    Attributes
    ----------
    X : ndarray, shape (n_samples, p)
        Numeric terms, without the ones column.
    y : ndarray, shape (n_samples,)
    terms : tuple of str, length p
    intercept : bool
    n_dropped : int
        Rows dropped for a missing value in a used column.
    row_labels : ndarray, shape (n_samples,)
        The DataFrame index of the kept rows.
    reference_levels : dict of str to str
        The dropped (reference) level of each categorical column.
    spec : ModelSpec
    basis : Basis or None
        Well-conditioned re-parametrisation for polynomial terms (None without them).
    predictors : tuple of str
        The main-effect columns in design order (features, then polynomial and
        categorical columns not among them); with the interactions' columns, the columns
        new rows need (:func:`design_rows`).
    levels : dict of str to tuple
        The levels of each categorical column as they appear in the data, sorted; the
        first is the reference.
    standardization : dict of str to (float, float)
        ``(mean, sd)`` of each numeric column when ``spec.standardize`` (sd 1 for a
        constant column), applied to new rows as to the training rows.
    """

    X: np.ndarray
    y: np.ndarray
    terms: tuple[str, ...]
    intercept: bool
    n_dropped: int
    row_labels: np.ndarray
    reference_levels: dict[str, str]
    spec: ModelSpec
    basis: Basis | None = field(default=None)
    predictors: tuple[str, ...] = ()
    levels: dict[str, tuple] = field(default_factory=dict)
    standardization: dict[str, tuple[float, float]] = field(default_factory=dict)


def fit_design(design: Design, *, method: Method = "qr", alpha: float = 0.05, cov_type: CovType = "nonrobust",
               maxlags: int | None = None, use_t: bool | None = None, weights: object = None) -> OLSResult:
    """Fit a built design by OLS (the design's terms and basis are passed on).

    ``cov_type``, ``maxlags``, ``use_t`` and ``weights`` (shape ``(n_samples,)``, one per
    row of the design) are passed on to :func:`linreg.ols.fit_ols`. With a zero weight,
    fit_ols drops its row, so the result has fewer rows than the design; to keep the two
    row for row, leave such rows out of the data first.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 5.0, 8.0]})
    >>> fit_design(build_design(df, ModelSpec("y"))).coef.round(12).tolist()
    [0.8, 2.3]
    >>> fit_design(build_design(df, ModelSpec("y")), cov_type="HC0").std_err.round(6).tolist()
    [0.162481, 0.115758]
    """
    return fit_ols(
        design.X, design.y, intercept=design.intercept, method=method, alpha=alpha, terms=design.terms,
        basis=design.basis, cov_type=cov_type, maxlags=maxlags, use_t=use_t, weights=weights,
    )


def build_design(df: pd.DataFrame, spec: ModelSpec, *, limits: Limits = NO_LIMITS) -> Design:
    """Build the design matrix of ``spec`` from ``df``.

    Parameters
    ----------
    df : pandas.DataFrame, shape (n_rows, n_columns)
    spec : ModelSpec
    limits : Limits, default linreg.budget.NO_LIMITS
        Caps on the design's size, checked before any column is made. None by default,
        since the caller's own memory is at stake; a shared server passes its own
        (``linreg.budget.DEFAULT_LIMITS`` are a demo's).

    Returns
    -------
    Design
        ``X`` has shape (n_kept, p) with ``n_kept = n_rows - n_dropped``.

    Raises
    ------
    ModelError
        Unknown column, target used as a feature, polynomial degree below 1, an
        interaction pair listed twice (``a:b`` and ``b:a`` are the same product).
    BudgetError
        A categorical column with more than ``limits.max_levels`` distinct values, a
        degree above ``limits.max_poly_degree``, more than ``limits.max_interactions``
        pairs or ``limits.max_terms`` columns, or a peak memory above
        ``limits.max_design_bytes`` (estimated from the level counts, before allocating).
    DataError
        Text in a numeric column, infinite values, no rows left, non-numeric target.

    Notes
    -----
    Rows with a missing value in any used column (target included) are dropped.
    Columns: 1 per numeric term, d for a polynomial of degree d, L - 1 for a
    categorical of L levels, and the product of its parts' counts for an
    interaction. Memory: 8 bytes per row and column, plus the basis of a
    polynomial model (16 bytes per value below PRECISE_SIZE values, else 8).
    Dummies: for a categorical column with sorted levels l_0 < l_1 < ..., the
    terms ``col[l_j] = 1{col == l_j}`` for j >= 1 (l_0 is the reference).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 5.0], "x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "b", "a", "b"]})
    >>> d = build_design(df, ModelSpec("y", categorical=("g",), poly=(("x", 2),), interactions=(("g", "x"),)))
    >>> d.terms
    ('x', 'x^2', 'g[b]', 'g[b]:x')
    >>> d.X[1].tolist()
    [2.0, 4.0, 1.0, 2.0]
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame; got {type(df).__name__}")
    columns = [str(c) for c in df.columns]
    df = df.set_axis(columns, axis=1)
    degree, categorical, main, used = _spec_columns(spec, columns, limits)
    cat_set = set(categorical)
    sub, n_dropped = _complete_rows(df, used)
    n_levels = {c: _count_levels(sub[c], c, limits) for c in categorical}
    width = {c: (n_levels[c] - 1 if c in cat_set else degree.get(c, 1)) for c in main}
    inter_width = [
        (n_levels[a] - 1 if a in cat_set else 1) * (n_levels[b] - 1 if b in cat_set else 1)
        for a, b in spec.interactions
    ]
    _check_size(len(sub), width, spec.interactions, inter_width, n_levels, bool(degree), spec.intercept, limits)

    numeric = {c: _numeric_column(sub[c], c, is_target=c == spec.target) for c in used if c not in cat_set}
    y = numeric.pop(spec.target)
    standardization = _standardize(numeric) if spec.standardize else {}
    levels = {c: sorted(pd.unique(sub[c]), key=_sort_key) for c in categorical}
    level_names = {c: [_level_name(v) for v in lv] for c, lv in levels.items()}
    codes = {c: _codes(sub[c], levels[c]) for c in categorical}

    p = sum(width.values()) + sum(inter_width)
    X, terms, poly_blocks = _columns(len(y), p, main, spec, degree, cat_set, numeric,
                                     _term_blocks(cat_set, level_names, codes, numeric))
    basis = _poly_basis(X, numeric, poly_blocks, spec.intercept) if any(d > 1 for _, _, d in poly_blocks) else None
    return Design(
        X=X,
        y=y,
        terms=tuple(terms),
        intercept=bool(spec.intercept),
        n_dropped=n_dropped,
        row_labels=sub.index.to_numpy(),
        reference_levels={c: level_names[c][0] for c in categorical if level_names[c]},
        spec=spec,
        basis=basis,
        predictors=tuple(main),
        levels={c: tuple(levels[c]) for c in categorical},
        standardization=standardization,
    )


def _spec_columns(spec: ModelSpec, columns: list[str], limits: Limits
                  ) -> tuple[dict[str, int], list[str], list[str], list[str]]:
    """Check ``spec`` against the table's columns and the limits, before any data is read.

    Returns (polynomial degree by column, categorical columns, main effects, used columns):
    the main effects are the features, then the polynomial and categorical columns not
    already among them; the used columns are the target, the main effects and the
    interactions' columns.
    """
    _check_known(spec.target, columns, "target")
    degree = _poly_degrees(spec, columns)
    categorical = list(dict.fromkeys(spec.categorical))
    for c in categorical:
        _check_known(c, columns, "categorical column")
    features = list(spec.features) if spec.features else [c for c in columns if c != spec.target]
    for c in features:
        _check_known(c, columns, "feature")
    inter_cols = [c for pair in spec.interactions for c in pair]
    for c in inter_cols:
        _check_known(c, columns, "interaction column")
    main = list(dict.fromkeys(features + list(degree) + categorical))
    if spec.target in main or spec.target in inter_cols:
        raise ModelError(
            f"the target '{spec.target}' is also used as a predictor; remove it from the features "
            "(a column cannot explain itself)"
        )
    _check_interactions(spec.interactions, limits)
    for c, d in degree.items():
        if d > limits.max_poly_degree:
            raise BudgetError(
                f"polynomial degree {d} for '{_short(c)}' is above the limit of {limits.max_poly_degree}; "
                f"use degree {limits.max_poly_degree} or less"
            )
    cat_set = set(categorical)
    # Before copying anything: the columns every numeric term needs whatever the data.
    at_least = sum(degree.get(c, 1) for c in main if c not in cat_set) + sum(
        a not in cat_set and b not in cat_set for a, b in spec.interactions)
    if at_least > limits.max_terms:
        raise BudgetError(
            f"the model asks for at least {at_least:,} design columns; the limit is {limits.max_terms:,}; "
            "use fewer features, interactions or polynomial terms"
        )
    return degree, categorical, main, list(dict.fromkeys([spec.target] + main + inter_cols))


def _complete_rows(df: pd.DataFrame, used: list[str]) -> tuple[pd.DataFrame, int]:
    """The ``used`` columns of the rows with no missing value in them, and how many rows were dropped."""
    sub = df[used]
    keep = ~sub.isna().any(axis=1).to_numpy()
    sub = sub.loc[keep]
    n_dropped = int((~keep).sum())
    if len(sub) == 0:
        raise DataError(
            f"no rows left after dropping rows with a missing value in {', '.join(used)} "
            f"({n_dropped} dropped); fill the missing values or use fewer columns"
        )
    return sub, n_dropped


def _standardize(numeric: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    """Centre and scale each numeric column in place (sample SD, ddof=1; 1 for a constant column).

    Returns each column's ``(mean, sd)``, for new rows (:func:`design_rows`).
    """
    standardization: dict[str, tuple[float, float]] = {}
    for c, v in numeric.items():
        sd = float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
        standardization[c] = (float(v.mean()), sd if sd > 0 else 1.0)
        numeric[c] = (v - standardization[c][0]) / standardization[c][1]
    return standardization


def _term_blocks(cat_set: set[str], level_names: dict[str, list[str]], codes: dict[str, np.ndarray],
                 numeric: dict[str, np.ndarray]):
    """``blocks(c)``: the named columns of a single (non-polynomial) term, made one at a time.

    A categorical column gives a dummy ``c[level]`` for each level but the reference (the
    first); a numeric column gives itself.
    """

    def blocks(c: str) -> Iterator[tuple[str, np.ndarray]]:
        if c in cat_set:
            for j, name in enumerate(level_names[c]):
                if j > 0:
                    yield f"{c}[{name}]", (codes[c] == j).astype(np.float64)
        else:
            yield c, numeric[c]

    return blocks


def design_rows(design: Design, new_df: pd.DataFrame) -> np.ndarray:
    """The design rows of new data, built exactly as ``design`` was built from its data.

    Parameters
    ----------
    design : Design
        From :func:`build_design`.
    new_df : pandas.DataFrame, shape (m, n_columns)
        New rows with the original columns the model uses (the target is not needed;
        other columns are ignored).

    Returns
    -------
    ndarray, shape (m, p)
        One row per row of ``new_df``, columns as ``design.terms`` (no ones column):
        the same powers, dummies (with the training levels and reference), products,
        and standardization with the training means and SDs.

    Raises
    ------
    DataError
        A column the model needs is missing; a row has no value, text in a numeric
        column, an infinite value, or a level of a categorical column that the training
        data did not have (the message names the row and the column).

    Notes
    -----
    A categorical value matches a training level when it equals it, or when its text
    equals the level's name (so "2" typed into a form matches the level 2).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 5.0], "x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "b", "a", "b"]})
    >>> d = build_design(df, ModelSpec("y", categorical=("g",), poly=(("x", 2),), interactions=(("g", "x"),)))
    >>> design_rows(d, pd.DataFrame({"x": [10.0], "g": ["b"]})).tolist()
    [[10.0, 100.0, 1.0, 10.0]]
    """
    if not isinstance(new_df, pd.DataFrame):
        raise DataError(f"new rows must be a pandas DataFrame; got {type(new_df).__name__}")
    spec = design.spec
    frame = new_df.set_axis([str(c) for c in new_df.columns], axis=1)
    needed = list(dict.fromkeys(list(design.predictors) + [c for pair in spec.interactions for c in pair]))
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(
            f"the new rows have no column {', '.join(repr(_short(c)) for c in missing)}; the model needs the "
            f"columns {', '.join(repr(_short(c)) for c in needed)}"
        )
    cat_set = set(design.levels)
    degree = {c: int(d) for c, d in spec.poly}
    numeric: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    for c in needed:
        if c in cat_set:
            codes[c] = _new_codes(frame[c], c, design.levels[c])
        else:
            v = _new_numeric(frame[c], c)
            if c in design.standardization:
                mean, sd = design.standardization[c]
                v = (v - mean) / sd
            numeric[c] = v
    names = {c: [_level_name(v) for v in lv] for c, lv in design.levels.items()}
    X, terms, _ = _columns(len(frame), len(design.terms), list(design.predictors), spec, degree, cat_set,
                           numeric, _term_blocks(cat_set, names, codes, numeric))
    if tuple(terms) != tuple(design.terms):  # a design built by other code than build_design
        raise ModelError("the design's terms cannot be rebuilt from its spec; build it with build_design")
    return X


def _new_numeric(s: pd.Series, name: str) -> np.ndarray:
    """float64 values of a numeric column of new rows, or a DataError naming the first bad row."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
        text = np.zeros(len(s), dtype=bool)
    else:
        conv = pd.to_numeric(s.map(lambda x: x.strip() if isinstance(x, str) else x), errors="coerce")
        text = (conv.isna() & s.notna()).to_numpy()
        v = conv.to_numpy(dtype=np.float64, na_value=np.nan)
    if text.any():
        i = int(np.flatnonzero(text)[0])
        raise DataError(
            f"row {s.index[i]!r} of the new rows holds {_short(str(s.iloc[i]))!r} in column '{_short(name)}', "
            "which the model uses as a number; give a number"
        )
    bad = ~np.isfinite(v)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "no value" if np.isnan(v[i]) else "an infinite value"
        raise DataError(f"row {s.index[i]!r} of the new rows has {what} in column '{_short(name)}'; give a finite number")
    return v


def _new_codes(s: pd.Series, name: str, levels: tuple) -> np.ndarray:
    """Codes of a categorical column of new rows in the training levels, or a DataError naming the row."""
    by_value = {v: j for j, v in enumerate(levels)}
    by_name = {_level_name(v): j for j, v in enumerate(levels)}
    out = np.empty(len(s), dtype=np.intp)
    for i, v in enumerate(s.to_numpy(dtype=object)):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            raise DataError(f"row {s.index[i]!r} of the new rows has no value in column '{_short(name)}'; give one of its levels")
        try:
            j = by_value.get(v)
        except TypeError:  # an unhashable cell
            j = None
        if j is None:
            key = v.strip() if isinstance(v, str) else _level_name(v)
            j = by_name.get(key)
        if j is None:
            shown = ", ".join(repr(_short(n)) for n in by_name)
            raise DataError(
                f"row {s.index[i]!r} of the new rows has the level {_short(str(v))!r} in column '{_short(name)}', "
                f"which the model was not fitted with; the levels are {shown}"
            )
        out[i] = j
    return out


def _columns(n, p, main, spec, degree, cat_set, numeric, blocks, out=None):
    """The design (filled in place, one column in flight), term names and polynomial blocks.

    ``out``, an (n, p) array to fill instead of a new one (``linreg.scale`` passes a
    column slice of its working block). Raises DataError for the first term whose finite
    data overflows (a power or a product).
    """
    X = np.empty((n, p)) if out is None else out
    terms: list[str] = []
    poly_blocks: list[tuple[int, str, int]] = []  # (first column index, column, degree)

    def put(name: str, values: np.ndarray) -> None:
        if not np.isfinite(values).all():
            raise DataError(f"term '{name}' overflows to infinity; rescale the column (or standardize) first")
        X[:, len(terms)] = values
        terms.append(name)

    with np.errstate(over="ignore"):  # overflow is reported by put, naming the term
        for c in main:
            if c in degree and c not in cat_set:
                poly_blocks.append((len(terms), c, degree[c]))
                v = numeric[c]
                for j in range(1, degree[c] + 1):
                    put(c if j == 1 else f"{c}^{j}", v**j)
            else:
                for name, v in blocks(c):
                    put(name, v)
        for a, b in spec.interactions:
            for na, va in blocks(a):
                for nb, vb in blocks(b):
                    put(f"{na}:{nb}", va * vb)
    return X, terms, poly_blocks


def _check_interactions(pairs: tuple[tuple[str, str], ...], limits: Limits) -> None:
    """Refuse a pair of a column with itself, a pair listed twice, and too many pairs."""
    if len(pairs) > limits.max_interactions:
        raise BudgetError(
            f"the model asks for {len(pairs):,} interaction pairs; at most {limits.max_interactions:,} are allowed; "
            "keep the pairs you need"
        )
    seen: dict[frozenset, str] = {}
    for a, b in pairs:
        if a == b:
            raise ModelError(f"interaction '{a}:{b}' pairs a column with itself; use poly=(('{a}', 2),) for a square")
        key = frozenset((a, b))
        if key in seen:
            # Refused, not dropped: a repeated product is an exact copy of a column (aliased).
            name = f"{_short(a)}:{_short(b)}"
            also = f" (also as '{seen[key]}')" if seen[key] != name else ""
            raise ModelError(f"interaction '{name}' is listed twice{also}; list each pair once")
        seen[key] = f"{_short(a)}:{_short(b)}"


def _count_levels(values: pd.Series, name: str, limits: Limits) -> int:
    """Distinct values of a categorical column, or a BudgetError before any dummy is made."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        # A sorted copy (8 bytes a row) instead of pandas' hash table (several times that).
        v = np.sort(values.to_numpy(dtype=np.float64))
        v = v[~np.isnan(v)]
        count = int(v.size > 0) + int(np.count_nonzero(v[1:] != v[:-1]))
    else:
        count = int(values.nunique(dropna=True))
    if count > limits.max_levels:
        raise BudgetError(
            f"column '{_short(name)}' has {count:,} distinct values; a categorical may have at most "
            f"{limits.max_levels:,} levels; leave it out or bin it"
        )
    return count


def _check_size(n, width, pairs, inter_width, n_levels, polynomial, intercept, limits: Limits) -> None:
    """Refuse a design with too many columns or too large a peak, from its sizes alone."""
    p = sum(width.values()) + sum(inter_width)
    if p > limits.max_terms:
        parts = sorted(
            [(w, f"{_short(c)}: {w:,}") for c, w in width.items()]
            + [(w, f"{_short(a)}:{_short(b)}: {w:,}") for (a, b), w in zip(pairs, inter_width, strict=True)],
            key=lambda part: -part[0],
        )
        shown = ", ".join(text for _, text in parts[:4]) + (", ..." if len(parts) > 4 else "")
        raise BudgetError(
            f"the model has {p:,} design columns ({shown}); the limit is {limits.max_terms:,}; "
            "leave out terms or bin the categorical columns"
        )
    k = p + int(intercept)
    # X, the column in flight, the kept rows of the data read, and per categorical its codes and values.
    per_row = 8 * (p + 2 * len(n_levels) + 2)
    if polynomial:
        per_row += (16 if n * k <= PRECISE_SIZE else 8) * k
    if n * per_row > limits.max_design_bytes:
        fits = limits.max_design_bytes // per_row
        raise BudgetError(
            f"the design of {n:,} rows and {p:,} columns needs about {format_bytes(n * per_row)} of memory; "
            f"the limit is {format_bytes(limits.max_design_bytes)}; with these terms at most {fits:,} rows fit, "
            "so use a sample of the rows or fewer terms"
        )


def _codes(values: pd.Series, levels: list) -> np.ndarray:
    """Position of each value in ``levels`` (every value is one of them)."""
    codes = pd.Index(levels, dtype=object).get_indexer(values.to_numpy(dtype=object))
    if (codes < 0).any():  # values pandas' hashing does not match to a level: compare as Python does
        lookup = {v: i for i, v in enumerate(levels)}
        codes = np.array([lookup[v] for v in values], dtype=np.intp)
    return codes.astype(np.intp, copy=False)


# -----------------------------------------------------------------------------
# the default model of a table
# -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DefaultSpec:
    """The default model of a table, and the columns it leaves out with the reason.

    Attributes
    ----------
    spec : ModelSpec
    excluded : tuple of (str, str)
        ``(column, reason)`` for each text column left out of the features, in column order.
    """

    spec: ModelSpec
    excluded: tuple[tuple[str, str], ...] = ()


def text_columns(df: pd.DataFrame) -> list[str]:
    """Columns that do not hold numbers (text, categories, booleans): candidates for categorical.

    Examples
    --------
    >>> text_columns(pd.DataFrame({"x": [1.0], "g": ["a"], "b": [True]}))
    ['g', 'b']
    """
    return [str(c) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]


def default_spec_with_notes(
    df: pd.DataFrame, target: str | None = None, features=None, *, limits: Limits = DEFAULT_LIMITS
) -> DefaultSpec:
    """A sensible ModelSpec for ``df``, and the text columns it leaves out, with why.

    Parameters
    ----------
    df : pandas.DataFrame, shape (n_rows, n_columns)
    target : str, optional
        Default: the last numeric column (the last column if none is numeric).
    features : sequence of str, optional
        Default: every other column.
    limits : Limits, default linreg.budget.DEFAULT_LIMITS
        ``limits.max_default_levels`` is the most distinct values a text column may
        have to be made categorical by default.

    Returns
    -------
    DefaultSpec
        Text features are categorical, except those with more than
        ``max_default_levels`` distinct values (an ID, a timestamp, free text: one
        dummy per value would be a column per row), which leave the features and
        are listed in ``excluded``.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [f"r{i}" for i in range(60)], "g": ["a", "b"] * 30, "y": range(60)})
    >>> d = default_spec_with_notes(df)
    >>> d.spec.features, d.spec.categorical
    (('g',), ('g',))
    >>> d.excluded[0][0]
    'id'
    """
    columns = [str(c) for c in df.columns]
    frame = df.set_axis(columns, axis=1)
    text = set(text_columns(frame))
    if target is None:
        numeric = [c for c in columns if c not in text]
        target = numeric[-1] if numeric else columns[-1]
    if not features:
        features = [c for c in columns if c != target]
    features = [str(f) for f in features]
    excluded = []
    for f in features:
        if f in text and f in frame.columns and f != target:
            count = int(frame[f].nunique(dropna=True))
            if count > limits.max_default_levels:
                excluded.append((f, (
                    f"'{_short(f)}' holds text with {count:,} distinct values (an ID, a date or free text?); "
                    f"as a categorical it would need {count - 1:,} dummy columns, and only columns of at most "
                    f"{limits.max_default_levels:,} values are made categorical by default; bin it or leave it out"
                )))
    left_out = {c for c, _ in excluded}
    kept = tuple(f for f in features if f not in left_out)
    categorical = tuple(f for f in kept if f in text)
    return DefaultSpec(ModelSpec(target=str(target), features=kept, categorical=categorical), tuple(excluded))


def default_spec(df: pd.DataFrame, target: str | None = None, features=None, *,
                 limits: Limits = DEFAULT_LIMITS) -> ModelSpec:
    """The model of :func:`default_spec_with_notes`, without the notes.

    Examples
    --------
    >>> default_spec(pd.DataFrame({"x": [1.0, 2.0], "g": ["a", "b"], "y": [0.0, 1.0]}))
    ModelSpec(target='y', features=('x', 'g'), categorical=('g',), poly=(), interactions=(), standardize=False, intercept=True)
    """
    return default_spec_with_notes(df, target, features, limits=limits).spec


# -----------------------------------------------------------------------------
# checks and conversions
# -----------------------------------------------------------------------------
def _short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters: messages quote user cells and names, which can be megabytes long.

    >>> _short("abc"), _short("x" * 50, 5)
    ('abc', 'xxxx…')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_known(name: str, columns: list[str], role: str) -> None:
    if name not in columns:
        shown = ", ".join(repr(_short(c)) for c in columns[:30]) + (" ..." if len(columns) > 30 else "")
        raise ModelError(f"unknown {role} '{name}'; the available columns are: {shown}")


def _poly_degrees(spec: ModelSpec, columns: list[str]) -> dict[str, int]:
    degree: dict[str, int] = {}
    for c, d in spec.poly:
        _check_known(c, columns, "polynomial column")
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ModelError(f"polynomial degree for '{c}' must be a whole number >= 1; got {d!r}")
        if c in spec.categorical:
            raise ModelError(f"'{c}' is categorical and cannot have polynomial terms; remove it from poly or categorical")
        degree[c] = int(d)
    return degree


def _numeric_column(s: pd.Series, name: str, *, is_target: bool) -> np.ndarray:
    """float64 values of a column, or a DataError naming the column."""
    if pd.api.types.is_bool_dtype(s):
        v = s.to_numpy(dtype=np.float64)
    elif pd.api.types.is_numeric_dtype(s):
        v = s.to_numpy(dtype=np.float64)
    else:
        conv = pd.to_numeric(s, errors="coerce")
        text = conv.isna() & s.notna()
        if text.any():
            examples = ", ".join(repr(_short(str(x))) for x in pd.unique(s[text])[:3])
            hint = (
                "the target must be numeric; choose a numeric column"
                if is_target
                else "treat it as categorical"
            )
            raise DataError(f"column '{name}' holds text ({examples}, ...); {hint}")
        v = conv.to_numpy(dtype=np.float64)
    inf = np.isinf(v)
    if inf.any():
        rows = s.index[inf][:5].tolist()
        raise DataError(
            f"column '{name}' has infinite values at rows {rows}{' ...' if inf.sum() > 5 else ''}; "
            "replace or drop them before fitting"
        )
    return v


def _sort_key(v: object) -> tuple:
    # Numbers sort numerically, before text; text sorts as text.
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return (0, float(v), "")
    return (1, 0.0, str(v))


def _level_name(v: object) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


# -----------------------------------------------------------------------------
# well-conditioned basis for polynomial terms
# -----------------------------------------------------------------------------
def _poly_basis(
    X: np.ndarray, numeric: dict[str, np.ndarray], blocks: list[tuple[int, str, int]], intercept: bool
) -> Basis:
    """Z (with the ones column when ``intercept``) and M with coef_raw = M @ coef_Z.

    With an intercept each polynomial block x, ..., x^d is replaced by the
    Legendre polynomials P_1(t), ..., P_d(t) of t = (x - c) / s, where c is the
    mid-range and s the half-range (t in [-1, 1]). Without an intercept a shift
    is not in the column space, so the block becomes t^j with t = x / s.
    Writing P_j(t) = sum_m A[m, j] x^m, the fitted function Z gamma equals
    X1 (A gamma), so M = A (rows and columns of the intercept and the block),
    kept exact (``Fraction`` entries): the map cancels heavily (NIST Wampler:
    working coefficients ~1e6 for raw ones ~1), so fit_ols applies it exactly.
    """
    n, p = X.shape
    off = int(intercept)
    k = p + off
    # Computed columns are kept in extended precision (see Basis) while fit_ols will
    # solve in extended precision anyway; large designs stay float64 (memory, speed).
    Z = np.empty((n, k), dtype=_LD if n * k <= PRECISE_SIZE else np.float64)
    if intercept:
        Z[:, 0] = 1.0
    Z[:, off:] = X
    M = [[Fraction(int(i == j)) for j in range(k)] for i in range(k)]
    for start, name, d in blocks:
        if d < 2:
            continue
        x = numeric[name]
        lo, hi = float(np.min(x)), float(np.max(x))
        if intercept:
            c = Fraction(lo) / 2 + Fraction(hi) / 2
            s = Fraction(hi) / 2 - Fraction(lo) / 2
        else:
            c = Fraction(0)
            s = Fraction(max(abs(lo), abs(hi)))
        if s == 0:  # a constant column: no basis can help; aliasing will show
            continue
        t = (np.asarray(x, dtype=_LD) - _LD(float(c))) / _LD(float(s))
        # float(c) is exact only approximately; use the exact c, s in M and the same
        # rounded values in t, so both describe one affine map.
        c_used, s_used = Fraction(float(c)), Fraction(float(s))
        if intercept:
            # Bonnet's recurrence in longdouble: (j + 1) P_{j+1} = (2j + 1) t P_j - j P_{j-1}.
            # (numpy's legval rounds its Clenshaw coefficients to float64 from degree 3.)
            p_prev, p_cur = np.ones_like(t), t
            for j in range(1, d + 1):
                Z[:, off + start + j - 1] = p_cur
                p_prev, p_cur = p_cur, ((2 * j + 1) * t * p_cur - j * p_prev) / (j + 1)
            power = [[Fraction(0)] * (d + 1) for _ in range(d + 1)]  # power[m][j]: t^m coef of P_j
            for j in range(d + 1):
                pj = _legendre_power_coefs(j)
                for m in range(j + 1):
                    power[m][j] = pj[m]
        else:
            for j in range(1, d + 1):
                Z[:, off + start + j - 1] = t**j
            power = [[Fraction(int(m == j)) for j in range(d + 1)] for m in range(d + 1)]
        # t^m = ((x - c)/s)^m = sum_q comb(m, q) x^q (-c)^(m-q) / s^m
        A = [[Fraction(0)] * (d + 1) for _ in range(d + 1)]  # A[q][j]: x^q coef of basis j
        for j in range(d + 1):
            for m in range(j + 1):
                if power[m][j] == 0:
                    continue
                for q in range(m + 1):
                    A[q][j] += power[m][j] * comb(m, q) * (-c_used) ** (m - q) / s_used**m
        # Place A: raw index of x^q is (off + start + q - 1) for q >= 1, intercept (0) for q = 0.
        def raw(q: int) -> int | None:
            return off + start + q - 1 if q >= 1 else (0 if intercept else None)

        for j in range(1, d + 1):
            col = off + start + j - 1
            for q in range(d + 1):
                rq = raw(q)
                if rq is None:
                    continue
                M[rq][col] = A[q][j]
    if k > _EXACT_MAP_TERMS:
        M_rounded = np.array([[_LD(v.numerator) / _LD(v.denominator) for v in row] for row in M], dtype=_LD)
        return Basis(Z=Z, M=M_rounded)
    M_exact = np.empty((k, k), dtype=object)
    M_exact[:, :] = M
    return Basis(Z=Z, M=M_exact)


def _legendre_power_coefs(j: int) -> list[Fraction]:
    """Exact power-series coefficients of the Legendre polynomial P_j (index = power)."""
    # P_j(t) = 2^-j sum_k (-1)^k comb(j, k) comb(2j - 2k, j) t^(j - 2k)
    out = [Fraction(0)] * (j + 1)
    for kk in range(j // 2 + 1):
        out[j - 2 * kk] += Fraction((-1) ** kk * comb(j, kk) * comb(2 * j - 2 * kk, j), 2**j)
    return out
