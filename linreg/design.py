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

from dataclasses import dataclass, field
from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd

from .exceptions import DataError, ModelError
from .ols import PRECISE_SIZE, Basis, Method, OLSResult, fit_ols

__all__ = ["ModelSpec", "Design", "build_design", "fit_design"]

_LD = np.longdouble


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


def fit_design(design: Design, *, method: Method = "qr", alpha: float = 0.05) -> OLSResult:
    """Fit a built design by OLS (the design's terms and basis are passed on).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 5.0, 8.0]})
    >>> fit_design(build_design(df, ModelSpec("y"))).coef.round(12).tolist()
    [0.8, 2.3]
    """
    return fit_ols(
        design.X, design.y, intercept=design.intercept, method=method, alpha=alpha, terms=design.terms, basis=design.basis
    )


def build_design(df: pd.DataFrame, spec: ModelSpec) -> Design:
    """Build the design matrix of ``spec`` from ``df``.

    Parameters
    ----------
    df : pandas.DataFrame, shape (n_rows, n_columns)
    spec : ModelSpec

    Returns
    -------
    Design
        ``X`` has shape (n_kept, p) with ``n_kept = n_rows - n_dropped``.

    Raises
    ------
    ModelError
        Unknown column, target used as a feature, polynomial degree below 1.
    DataError
        Text in a numeric column, infinite values, no rows left, non-numeric target.

    Notes
    -----
    Rows with a missing value in any used column (target included) are dropped.
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
    # Main effects: the features, then poly and categorical columns not already among them.
    main = list(dict.fromkeys(features + list(degree) + categorical))
    if spec.target in main or spec.target in inter_cols:
        raise ModelError(
            f"the target '{spec.target}' is also used as a predictor; remove it from the features "
            "(a column cannot explain itself)"
        )
    for a, b in spec.interactions:
        if a == b:
            raise ModelError(f"interaction '{a}:{b}' pairs a column with itself; use poly=(('{a}', 2),) for a square")
    used = list(dict.fromkeys([spec.target] + main + inter_cols))

    # Missing values: drop and count. Then check what is left.
    sub = df[used]
    keep = ~sub.isna().any(axis=1).to_numpy()
    sub = sub.loc[keep]
    n_dropped = int((~keep).sum())
    if len(sub) == 0:
        raise DataError(
            f"no rows left after dropping rows with a missing value in {', '.join(used)} "
            f"({n_dropped} dropped); fill the missing values or use fewer columns"
        )
    row_labels = sub.index.to_numpy()

    cat_set = set(categorical)
    numeric: dict[str, np.ndarray] = {}
    for c in used:
        if c not in cat_set:
            numeric[c] = _numeric_column(sub[c], c, is_target=c == spec.target)
    y = numeric.pop(spec.target)
    if spec.standardize:
        for c, v in numeric.items():
            sd = float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
            numeric[c] = (v - v.mean()) / (sd if sd > 0 else 1.0)

    levels: dict[str, list] = {}
    level_names: dict[str, list[str]] = {}
    codes: dict[str, np.ndarray] = {}
    for c in categorical:
        vals = sub[c]
        lv = sorted(pd.unique(vals), key=_sort_key)
        levels[c] = lv
        level_names[c] = [_level_name(v) for v in lv]
        lookup = {v: i for i, v in enumerate(lv)}
        codes[c] = np.array([lookup[v] for v in vals], dtype=np.intp)

    def blocks(c: str) -> list[tuple[str, np.ndarray]]:
        """Named columns of a single (non-polynomial) term: a number or dummies."""
        if c in cat_set:
            return [(f"{c}[{name}]", (codes[c] == j).astype(np.float64)) for j, name in enumerate(level_names[c]) if j > 0]
        return [(c, numeric[c])]

    with np.errstate(over="ignore"):  # overflow is reported below, naming the term
        X, terms, poly_blocks = _columns(len(y), main, spec, degree, cat_set, numeric, blocks)
    bad = ~np.isfinite(X)
    if bad.any():  # finite data whose powers or products overflow
        j = int(np.nonzero(bad.any(axis=0))[0][0])
        raise DataError(f"term '{terms[j]}' overflows to infinity; rescale the column (or standardize) first")
    basis = _poly_basis(X, numeric, poly_blocks, spec.intercept) if any(d > 1 for _, _, d in poly_blocks) else None
    return Design(
        X=X,
        y=y,
        terms=tuple(terms),
        intercept=bool(spec.intercept),
        n_dropped=n_dropped,
        row_labels=row_labels,
        reference_levels={c: level_names[c][0] for c in categorical if level_names[c]},
        spec=spec,
        basis=basis,
    )


def _columns(n, main, spec, degree, cat_set, numeric, blocks):
    """The design's columns (before the overflow check), term names and polynomial blocks."""
    cols: list[np.ndarray] = []
    terms: list[str] = []
    poly_blocks: list[tuple[int, str, int]] = []  # (first column index, column, degree)
    for c in main:
        if c in degree and c not in cat_set:
            poly_blocks.append((len(cols), c, degree[c]))
            v = numeric[c]
            for j in range(1, degree[c] + 1):
                cols.append(v**j)
                terms.append(c if j == 1 else f"{c}^{j}")
        else:
            for name, v in blocks(c):
                cols.append(v)
                terms.append(name)
    for a, b in spec.interactions:
        for na, va in blocks(a):
            for nb, vb in blocks(b):
                cols.append(va * vb)
                terms.append(f"{na}:{nb}")
    X = np.column_stack(cols) if cols else np.empty((n, 0))
    return X, terms, poly_blocks


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
