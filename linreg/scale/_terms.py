"""Model terms out of core: the global facts of a :class:`~linreg.design.ModelSpec`, and its rows per partition.

:func:`linreg.design.build_design` takes every fact it needs (categorical
levels, the ranges of polynomial columns, the means and SDs of standardization)
from the frame it is given. Out of core each partition is a frame, and a
per-partition choice would silently change the model between partitions, so
:func:`plan` computes those facts over the whole dataset (one pass, only when
the spec needs them) and :func:`build_block` applies them to one partition, with
the design module's own column builder, names and checks. The result is the
same design as ``build_design`` on all rows, in the same column order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import design as _design
from .._rows import _ExactRows
from .._solvers import _poly_recipes
from ..design import ModelSpec
from ..exceptions import DataError, ModelError
from ._arrow import ArrowBlock, arrow_block


@dataclass(frozen=True, eq=False)
class Plan:
    """A spec resolved against the dataset's columns, with its global facts.

    Attributes
    ----------
    spec : ModelSpec
    used : tuple of str
        Columns read (target first); rows missing any of them are dropped.
    main : tuple of str
        Main-effect columns in design order.
    degree : dict of str to int
    levels : dict of str to list
        Sorted levels of each categorical column over the kept rows.
    mean, sd : dict of str to float
        Standardization of the numeric predictors (``spec.standardize``).
    ranges : dict of str to (float, float)
        Min and max of each polynomial column (after standardization).
    terms : tuple of str
        Design terms without the intercept (as ``build_design``'s ``Design.terms``).
    M : ndarray of Fraction, shape (k, k), or None
        Exact map from the Legendre basis to the raw terms (polynomial terms only).
    recipes : list or None
        How to rebuild the basis from the raw columns (:func:`linreg._solvers._poly_recipes`).
    """

    spec: ModelSpec
    used: tuple[str, ...]
    main: tuple[str, ...]
    degree: dict[str, int]
    levels: dict[str, list] = field(default_factory=dict)
    mean: dict[str, float] = field(default_factory=dict)
    sd: dict[str, float] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    terms: tuple[str, ...] = ()
    M: np.ndarray | None = None
    recipes: list | None = None

    @property
    def needs_facts(self) -> bool:
        """Whether the spec needs a pass over the data before the fit."""
        s = self.spec
        return bool(s.categorical or s.standardize or any(d > 1 for d in self.degree.values()))

    @property
    def k(self) -> int:
        return len(self.terms) + int(self.spec.intercept)


def resolve(columns: list[str], spec: ModelSpec) -> Plan:
    """Check ``spec`` against the dataset's columns (as ``build_design`` does) and list what to read."""
    columns = [str(c) for c in columns]
    _design._check_known(spec.target, columns, "target")
    degree = _design._poly_degrees(spec, columns)
    categorical = list(dict.fromkeys(spec.categorical))
    for c in categorical:
        _design._check_known(c, columns, "categorical column")
    features = list(spec.features) if spec.features else [c for c in columns if c != spec.target]
    for c in features:
        _design._check_known(c, columns, "feature")
    inter_cols = [c for pair in spec.interactions for c in pair]
    for c in inter_cols:
        _design._check_known(c, columns, "interaction column")
    main = list(dict.fromkeys(features + list(degree) + categorical))
    if spec.target in main or spec.target in inter_cols:
        raise ModelError(
            f"the target '{spec.target}' is also used as a predictor; remove it from the features "
            "(a column cannot explain itself)"
        )
    for a, b in spec.interactions:
        if a == b:
            raise ModelError(f"interaction '{a}:{b}' pairs a column with itself; use poly=(('{a}', 2),) for a square")
    used = tuple(dict.fromkeys([spec.target] + main + inter_cols))
    return Plan(spec=spec, used=used, main=tuple(main), degree=degree)


# ---------------------------------------------------------------------------
# the facts pass
# ---------------------------------------------------------------------------
def facts_of_partition(df: pd.DataFrame, plan: Plan) -> dict:
    """Per partition: kept rows, and per column count/mean/M2 (Chan et al.), min, max, distinct values."""
    sub, _ = _kept(df, plan)
    cat = set(plan.spec.categorical)
    out: dict = {"n": len(sub), "num": {}, "cat": {}}
    for c in plan.used:
        if c in cat:
            out["cat"][c] = set(pd.unique(sub[c]).tolist())
            continue
        if c == plan.spec.target:
            continue
        v = _design._numeric_column(sub[c], c, is_target=False)
        n = len(v)
        mean = float(v.mean()) if n else 0.0
        m2 = float(np.sum(np.square(v - mean))) if n else 0.0
        out["num"][c] = (n, mean, m2, float(v.min()) if n else np.inf, float(v.max()) if n else -np.inf)
    return out


def combine_facts(parts: list[dict], plan: Plan) -> Plan:
    """Fold the partitions' facts, in order, into the plan's global facts."""
    levels: dict[str, set] = {c: set() for c in plan.spec.categorical}
    num: dict[str, tuple] = {}
    n_kept = 0
    for part in parts:
        n_kept += part["n"]
        for c, vals in part["cat"].items():
            levels[c] |= vals
        for c, (n, mean, m2, lo, hi) in part["num"].items():
            if c not in num:
                num[c] = (n, mean, m2, lo, hi)
                continue
            n0, mean0, m20, lo0, hi0 = num[c]
            tot = n0 + n
            if tot == 0:
                continue
            delta = mean - mean0
            num[c] = (tot, mean0 + delta * n / tot, m20 + m2 + delta * delta * n0 * n / tot, min(lo0, lo), max(hi0, hi))
    if n_kept == 0:
        raise DataError(
            f"no rows left after dropping rows with a missing value in {', '.join(plan.used)}; "
            "fill the missing values or use fewer columns"
        )
    mean, sd, ranges = {}, {}, {}
    for c, (n, m, m2, lo, hi) in num.items():
        if plan.spec.standardize:
            s = float(np.sqrt(m2 / (n - 1))) if n > 1 else 0.0
            s = s if s > 0 else 1.0
            mean[c], sd[c] = m, s
            lo, hi = (lo - m) / s, (hi - m) / s
        if c in plan.degree:
            ranges[c] = (lo, hi)
    sorted_levels = {c: sorted(v, key=_design._sort_key) for c, v in levels.items()}
    return _with_terms(Plan(spec=plan.spec, used=plan.used, main=plan.main, degree=plan.degree,
                            levels=sorted_levels, mean=mean, sd=sd, ranges=ranges))


def _with_terms(plan: Plan) -> Plan:
    """Fill in terms, M and recipes by building the design of a tiny stand-in frame with the global facts."""
    stand_in = _stand_in(plan)
    X, terms, poly_blocks, _numeric = _columns(stand_in, plan)
    M = recipes = None
    if any(d > 1 for _, _, d in poly_blocks):
        # The basis map depends on the range of each polynomial column only: give
        # build_design's basis builder a two-row column holding the global min and max.
        numeric2 = {name: np.array(plan.ranges[name]) for _, name, _ in poly_blocks}
        X2 = np.zeros((2, X.shape[1]))
        M = _design._poly_basis(X2, numeric2, poly_blocks, plan.spec.intercept).M
        recipes = _poly_recipes(M, plan.spec.intercept)
    return Plan(spec=plan.spec, used=plan.used, main=plan.main, degree=plan.degree, levels=plan.levels,
                mean=plan.mean, sd=plan.sd, ranges=plan.ranges, terms=tuple(terms), M=M, recipes=recipes)


def _stand_in(plan: Plan) -> pd.DataFrame:
    """One row per categorical level (at least one), numbers 1.0: enough to name every term."""
    rows = max([1] + [len(v) for v in plan.levels.values()])
    data = {}
    for c in plan.used:
        if c in plan.spec.categorical:
            lv = plan.levels.get(c) or ["?"]
            data[c] = [lv[i % len(lv)] for i in range(rows)]
        else:
            data[c] = np.ones(rows)
    return pd.DataFrame(data)


# ---------------------------------------------------------------------------
# one partition
# ---------------------------------------------------------------------------
def _kept(df: pd.DataFrame, plan: Plan) -> tuple[pd.DataFrame, np.ndarray]:
    # Copies only when needed: a chunk read from a Piece has exactly the used columns, and
    # most chunks have no missing value.
    names = [str(c) for c in df.columns]
    if names != list(df.columns):
        df = df.set_axis(names, axis=1)
    sub = df if names == list(plan.used) else df[list(plan.used)]
    keep = ~sub.isna().any(axis=1).to_numpy()
    return (sub if keep.all() else sub.loc[keep]), keep


def _columns(sub: pd.DataFrame, plan: Plan, out: np.ndarray | None = None):
    spec = plan.spec
    cat_set = set(spec.categorical)
    numeric: dict[str, np.ndarray] = {}
    for c in plan.used:
        if c not in cat_set:
            numeric[c] = _design._numeric_column(sub[c], c, is_target=c == spec.target)
    numeric.pop(spec.target)
    if spec.standardize:
        for c, v in numeric.items():
            numeric[c] = (v - plan.mean[c]) / plan.sd[c]
    codes: dict[str, np.ndarray] = {}
    names: dict[str, list[str]] = {}
    for c in spec.categorical:
        lv = plan.levels.get(c, [])
        names[c] = [_design._level_name(v) for v in lv]
        lookup = {v: i for i, v in enumerate(lv)}
        codes[c] = np.array([lookup[v] for v in sub[c]], dtype=np.intp)

    def blocks(c: str):
        if c in cat_set:
            return [(f"{c}[{name}]", (codes[c] == j).astype(np.float64)) for j, name in enumerate(names[c]) if j > 0]
        return [(c, numeric[c])]

    def width(c: str) -> int:  # columns of c as an interaction factor
        return len(names[c]) - 1 if c in cat_set else 1

    p = (sum(plan.degree[c] if c in plan.degree and c not in cat_set else width(c) for c in plan.main)
         + sum(width(a) * width(b) for a, b in spec.interactions))
    X, terms, poly_blocks = _design._columns(len(sub), p, list(plan.main), spec, plan.degree, cat_set, numeric, blocks,
                                             out=out)
    return X, terms, poly_blocks, numeric


@dataclass(frozen=True, eq=False)
class Block:
    """One partition's rows of the design.

    Attributes
    ----------
    X : ndarray, shape (m, p)
        Raw terms of the kept rows (what ``fit_ols`` gets as X).
    y : ndarray, shape (m,)
    V : ndarray, shape (m, k)
        The working design: [1, X] or the Legendre basis (with its ones column), float64.
    kept_rows : ndarray of int, shape (m,)
        Positions of the kept rows in the partition.
    n_rows : int
        Rows in the partition, kept or not.
    frame : pandas.DataFrame
        The used columns of the kept rows, as read.
    """

    X: np.ndarray
    y: np.ndarray
    V: np.ndarray
    kept_rows: np.ndarray
    n_rows: int
    frame: pd.DataFrame
    # max |X| and max |y| are found by the first pass (an ArrowBlock has them already).
    xmax = ymax = None

    @property
    def k(self) -> int:
        """Columns of V."""
        return self.V.shape[1]

    def shifted(self, i: int, j: int, shift: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Rows i..j of V - shift written into ``out`` (shape (j - i, k)) in its dtype; returns ``out``."""
        return np.subtract(self.V[i:j], shift, out=out)

    def exact(self, plan: Plan) -> _ExactRows:
        """The working design's rows in longdouble (the basis rebuilt exactly from X)."""
        return _ExactRows(self.X, plan.spec.intercept, np.arange(plan.k), plan.recipes)

    def column(self, name: str, plan: Plan) -> np.ndarray:
        """The kept rows' values of one used column, as read (shape (m,))."""
        return self.frame[name].to_numpy()


def as_frame(chunk) -> pd.DataFrame:
    """A chunk as pandas: an Arrow batch (read from a Piece) converted, a frame as it is."""
    return chunk if isinstance(chunk, pd.DataFrame) else chunk.to_pandas(split_blocks=True)


def is_plain(plan: Plan) -> bool:
    """Whether the design is [1, X] of the main columns as they are: no levels, powers, products or scaling."""
    s = plan.spec
    return (plan.recipes is None and not (s.categorical or s.interactions or s.standardize)
            and plan.terms == plan.main)


def build_block(chunk, plan: Plan) -> Block | ArrowBlock:
    """The design rows of one partition (a pandas frame or an Arrow batch), with the plan's global facts.

    A plain numeric model's clean Arrow batch gives an :class:`ArrowBlock` (its columns
    as read, no design array copied); anything else a :class:`Block`.
    """
    if not isinstance(chunk, pd.DataFrame):
        block = arrow_block(chunk, plan) if is_plain(plan) else None
        if block is not None:
            return block
        chunk = as_frame(chunk)
    return _frame_block(chunk, plan)


def _frame_block(df: pd.DataFrame, plan: Plan) -> Block:
    sub, keep = _kept(df, plan)
    m, k, one = len(sub), plan.k, int(plan.spec.intercept)
    y = _design._numeric_column(sub[plan.spec.target], plan.spec.target, is_target=True) if m else np.empty(0)
    # Without a basis the working design is [1, X]: X is built straight into its columns
    # (Fortran order: a column is written, and the sub-blocks read, contiguously).
    V = np.empty((m, k), order="F") if plan.recipes is None else None
    if V is not None and one:
        V[:, 0] = 1.0
    out = None if V is None else V[:, one:]
    if m:
        # build_design's own builder: a term that overflows raises DataError naming it.
        X, terms, _blocks, _num = _columns(sub, plan, out=out)
    else:
        X, terms = (np.empty((0, len(plan.terms))) if out is None else out), plan.terms
    if tuple(terms) != plan.terms:  # pragma: no cover - the plan named them from the same builder
        raise ModelError(f"partition terms {terms} differ from the plan's {plan.terms}")
    if V is None:
        V = np.asarray(_ExactRows(X, plan.spec.intercept, np.arange(k), plan.recipes).block(0, m), dtype=np.float64)
    return Block(X=X, y=y, V=V, kept_rows=np.nonzero(keep)[0], n_rows=len(df), frame=sub)
