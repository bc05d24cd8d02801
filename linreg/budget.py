"""What one request may cost, and a model of what it will cost, checked before the work starts.

A shared server must refuse a request it cannot afford before allocating
anything for it. :class:`Limits` holds every cap in one place, with its
default; the ``*_cost`` functions estimate, from the sizes alone, the seconds
and bytes of each computation a visitor can start; :func:`check` raises
:class:`~linreg.exceptions.BudgetError` when an estimate is over a limit,
naming the largest setting that fits.

Unit and calibration
--------------------
Costs are in seconds of one core of the reference machine (a 2-core x86-64
VM, numpy 2 with OpenBLAS limited to one thread) and in bytes. Each constant
below was measured with ``time.process_time`` (best of 2-3 runs) on the
library's own functions at two or three sizes, e.g. ``fit_ols`` at
n x k = 1e6 x 10, 2e5 x 50 and 1e5 x 100, mini-batch gradient descent at
batch 10, 1e3, 1e5 and 999,000 on 1e6 rows, and ``penalty_path`` and
``cross_validate`` at 1e6 x 10 and 1e5 x 50. The model is a bound of the
right order, not a prediction: it is within about 2x of the measured time
at those sizes, erring high. A faster host runs the same jobs in less time,
so the limits stay safe there.

Examples
--------
>>> check(descent_cost(1000, 3, n_iter=500)).seconds < 1
True
>>> check(descent_cost(1_000_000, 5, n_iter=100_000, batch_size=999_000))
Traceback (most recent call last):
...
linreg.exceptions.BudgetError: gradient descent with 100,000 steps of batch 999,000 on 1,000,000 rows exceeds the server's budget (about 8,000 s of computing against a limit of 10 s per job); at most 124 steps fit, or use full batch
"""

from __future__ import annotations

import math

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .exceptions import BudgetError

__all__ = [
    "Limits",
    "DEFAULT_LIMITS",
    "NO_LIMITS",
    "Cost",
    "check",
    "format_bytes",
    "design_cost",
    "ols_cost",
    "descent_cost",
    "path_cost",
    "cv_cost",
    "bootstrap_cost",
    "degree_explorer_cost",
    "generator_cost",
]

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    """Caps on one request. Frozen and hashable; ``replace(DEFAULT_LIMITS, ...)`` makes a variant.

    Attributes
    ----------
    max_terms : int, default 200
        Columns of a design matrix (terms, without the intercept).
    max_levels : int, default 50
        Distinct values of a column made categorical (one dummy per level but one).
    max_default_levels : int, default 50
        A text column with more distinct values than this (an ID, a timestamp, free
        text) is left out of the default model instead of being made categorical.
    max_interactions : int, default 100
        Interaction pairs in one model.
    max_poly_degree : int, default 10
        Highest polynomial degree (NIST Filip, the hardest certified case, is degree 10).
    max_design_bytes : int, default 150 MB
        Peak memory of building one design matrix (1,000,000 rows of a degree-6
        polynomial or of 10 features fit); the fit adds about 50 MB at that size.
    max_seconds : float, default 10.0
        Estimated computing time of one job, in seconds of one core (see the module notes).
    max_bytes : int, default 300 MB
        Estimated peak memory of one job.
    """

    max_terms: int = 200
    max_levels: int = 50
    max_default_levels: int = 50
    max_interactions: int = 100
    max_poly_degree: int = 10
    max_design_bytes: int = 150 * MB
    max_seconds: float = 10.0
    max_bytes: int = 300 * MB

    def __post_init__(self) -> None:
        for name in ("max_terms", "max_levels", "max_default_levels", "max_interactions", "max_poly_degree",
                     "max_design_bytes", "max_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1; got {value!r}")
        if not (isinstance(self.max_seconds, (int, float)) and self.max_seconds > 0):
            raise ValueError(f"max_seconds must be a number > 0; got {self.max_seconds!r}")


#: The limits used wherever none are given.
DEFAULT_LIMITS = Limits()

#: No caps: what ``build_design`` applies unless it is given limits. A notebook or the CLI
#: runs on its user's own machine; a shared server passes its own (``ui.config``).
NO_LIMITS = Limits(max_terms=2**62, max_levels=2**62, max_interactions=2**62, max_poly_degree=2**62,
                   max_design_bytes=2**62, max_seconds=math.inf, max_bytes=2**62)


@dataclass(frozen=True)
class Cost:
    """The estimated cost of one computation, and how to scale it down.

    Attributes
    ----------
    what : str
        The computation in words, e.g. "gradient descent with 500 steps on 1,000 rows".
    seconds : float
        Estimated computing time, in seconds of one core of the reference machine.
    bytes : int
        Estimated peak memory.
    setting, label : str
        The keyword of the estimator that :func:`check` lowers to find what fits, and
        its name in a message ("n_iter", "steps").
    low : int
        The smallest valid value of the setting.
    hint : str
        Another way out, appended to the message (", or use full batch").
    estimator : callable
        The ``*_cost`` function that made this estimate, called again by :func:`check`.
    args : tuple of (str, object)
        Its keyword arguments.
    """

    what: str
    seconds: float
    bytes: int
    setting: str
    label: str
    low: int
    estimator: Callable[..., Cost] = field(repr=False)
    args: tuple[tuple[str, Any], ...] = field(repr=False)
    hint: str = ""

    def with_setting(self, value: int) -> Cost:
        """The same estimate with the setting changed to ``value``."""
        kwargs = dict(self.args)
        kwargs[self.setting] = value
        return self.estimator(**kwargs)


def format_bytes(n: float) -> str:
    """Bytes in words, in decimal units.

    >>> format_bytes(512), format_bytes(3_500_000), format_bytes(2.2e9)
    ('512 bytes', '3.5 MB', '2.2 GB')
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def _over(cost: Cost, limits: Limits) -> str:
    """Why ``cost`` is over ``limits`` ('' if it is not)."""
    parts = []
    if cost.seconds > limits.max_seconds:
        parts.append(f"about {_round(cost.seconds)} s of computing against a limit of {limits.max_seconds:g} s per job")
    if cost.bytes > limits.max_bytes:
        parts.append(f"about {format_bytes(cost.bytes)} of memory against a limit of {format_bytes(limits.max_bytes)}")
    return " and ".join(parts)


def _round(seconds: float) -> str:
    """Two significant figures: the model is good to a factor of about 2, not to the second."""
    v = float(f"{seconds:.2g}")
    return f"{v:,.0f}" if v >= 10 else f"{v:g}"


def check(cost: Cost, limits: Limits = DEFAULT_LIMITS) -> Cost:
    """Return ``cost`` if it is within ``limits``, else raise a BudgetError naming what fits.

    Parameters
    ----------
    cost : Cost
    limits : Limits, default DEFAULT_LIMITS

    Returns
    -------
    Cost
        The same estimate.

    Raises
    ------
    BudgetError
        The estimate is over ``max_seconds`` or ``max_bytes``. The message names the
        largest value of ``cost.setting`` that fits (found by bisection, the costs
        grow with their setting), or says that none does.

    Examples
    --------
    >>> check(ols_cost(100, 3)).what
    'a least-squares fit of 3 terms on 100 rows'
    """
    why = _over(cost, limits)
    if not why:
        return cost
    current = dict(cost.args)[cost.setting]
    lo, hi = cost.low, current - 1
    if hi < lo or _over(cost.with_setting(lo), limits):
        raise BudgetError(
            f"{cost.what} exceeds the server's budget ({why}); even {_count(lo, cost.label)} would not fit{cost.hint}"
        )
    while lo < hi:  # invariant: lo fits
        mid = (lo + hi + 1) // 2
        if _over(cost.with_setting(mid), limits):
            hi = mid - 1
        else:
            lo = mid
    raise BudgetError(
        f"{cost.what} exceeds the server's budget ({why}); at most {_count(lo, cost.label)} fit{cost.hint}"
    )


def _count(value: int, label: str) -> str:
    """``value`` and ``label``, singular for one.

    >>> _count(1, "values of λ"), _count(2, "rows")
    ('1 value of λ', '2 rows')
    """
    if value == 1:
        first, _, rest = label.partition(" ")
        label = first[:-1] + (" " + rest if rest else "") if first.endswith("s") else label
    return f"{value:,} {label}"


# -----------------------------------------------------------------------------
# calibrated constants (seconds of one core; see the module notes)
# -----------------------------------------------------------------------------
_CALL = 1e-3  # fixed cost of a public call: validation, small arrays, results
_PASS = 10e-9  # one elementwise pass over a float64 value (copy, centre, compare)
_GEMV = 0.8e-9  # one value of a matrix-vector product (memory bound)
_OLS_NK = 12e-9  # fit_ols, per row and term: scaling, QR with Q, per-row diagnostics
_REFINE_NK = 17e-9  # fit_ols's refinement pass (long-double residuals), per row and term, when it runs
_OLS_NKK = 8.3e-11  # fit_ols, per row and term squared (the QR's flops)
_OLS_PRECISE_NK = 350e-9  # fit_ols in extended precision (n k <= 10,000), per row and term
_PRECISE_SIZE = 10_000  # linreg.ols.PRECISE_SIZE, restated to keep this module free of imports
_QR_FLOP = 0.33e-9  # Householder QR (numpy, R only), per flop (2 n k^2 flops)
_GRAM_FLOP = 0.08e-9  # X^T X by BLAS, per n k^2
_GD_STEP = 3e-6  # a full-batch step: a k x k product and the bookkeeping of numpy calls
_MB_STEP = 8e-6  # a mini-batch step's fixed part
_MB_ROW = 20e-9  # a mini-batch step, per batch row: gathering it and shuffling the epoch
_MB_ROW_TERM = 12e-9  # a mini-batch step, per batch row and term: the two products
_CD_COORD = 1.5e-6  # one coordinate update of coordinate descent (Python loop)
_CD_SWEEPS = 20  # typical sweeps per λ on a warm-started path
_RESAMPLE_ROW = 60e-9  # a bootstrap resample, per row: draw, gather, count distinct x
_GEN_VALUE = 20e-9  # a generator, per value drawn and stored
_CAT_ROW = 150e-9  # coding one row of a categorical column


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _ols_seconds(n: int, k: int) -> float:
    if n * k <= _PRECISE_SIZE:
        return _CALL + _OLS_PRECISE_NK * n * k
    # The refinement pass is counted always: whether it runs depends on the data's conditioning.
    return _CALL + (_OLS_NK + _REFINE_NK) * n * k + _OLS_NKK * n * k * k


def design_cost(n_rows: int, n_columns: int, *, n_used: int = 1, n_categorical: int = 0,
                polynomial: bool = False) -> Cost:
    """Cost of :func:`linreg.design.build_design`.

    Parameters
    ----------
    n_rows : int
        Rows of the data.
    n_columns : int
        Columns of the design (p, without the intercept).
    n_used : int
        Data columns read (target included).
    n_categorical : int
        Columns coded as dummies.
    polynomial : bool
        Whether a polynomial basis (Legendre, a second n x (p + 1) array) is built.

    Returns
    -------
    Cost
        Setting ``n_rows``.

    Examples
    --------
    >>> design_cost(1000, 3).bytes  # 8 bytes x 1,000 rows x (3 columns + 2 in flight)
    40000
    """
    n, p = int(n_rows), int(n_columns)
    seconds = _CALL + _PASS * n * (n_used + p) + _CAT_ROW * n * n_categorical + (3 * _PASS * n * (p + 1) if polynomial else 0)
    # As build_design estimates it: X, a column in flight, the rows read, each categorical's codes
    # and values, and the basis.
    nbytes = 8 * n * (p + 2 * n_categorical + 2) + (16 * n * (p + 1) if polynomial else 0)
    return Cost(f"a design of {p:,} columns on {_rows(n)}", seconds, nbytes, "n_rows", "rows", 1,
                design_cost, (("n_rows", n), ("n_columns", p), ("n_used", n_used),
                              ("n_categorical", n_categorical), ("polynomial", polynomial)))


def ols_cost(n_rows: int, n_terms: int) -> Cost:
    """Cost of :func:`linreg.ols.fit_ols` on ``n_rows`` x ``n_terms`` (intercept included).

    Notes
    -----
    seconds = 1e-3 + 29e-9 n k + 8.3e-11 n k^2 (350e-9 n k in extended precision, n k <= 10,000),
    of which 17e-9 n k is the refinement pass, counted whether or not the data needs it;
    bytes = 8 n (5 + k / 10): the solver works through the rows in blocks, so its memory is
    the per-row results (fitted values, residuals, leverage ...), not copies of X.

    Examples
    --------
    >>> round(ols_cost(1_000_000, 10).seconds, 2)
    0.3
    """
    n, k = int(n_rows), int(n_terms)
    return Cost(f"a least-squares fit of {k:,} terms on {_rows(n)}", _ols_seconds(n, k), int(8 * n * (5 + k / 10)),
                "n_rows", "rows", 1, ols_cost, (("n_rows", n), ("n_terms", k)))


def descent_cost(n_rows: int, n_terms: int, n_iter: int, batch_size: int | None = None) -> Cost:
    """Cost of :func:`linreg.descent.gradient_descent`.

    Parameters
    ----------
    n_rows, n_terms : int
        Shape of the working design (intercept included in ``n_terms``).
    n_iter : int
        Steps.
    batch_size : int or None
        None for full batch.

    Returns
    -------
    Cost
        Setting ``n_iter``; a mini-batch estimate hints at full batch when that fits.

    Notes
    -----
    Full batch passes over the rows once (working copy and Gram matrix), then each
    step costs O(k^2) whatever n. A mini-batch step gathers and multiplies its
    batch: 8e-6 + b (20e-9 + 12e-9 k) seconds. Every step's iterate and gradient
    are kept: 32 k bytes per step.
    """
    n, k, m = int(n_rows), int(n_terms), int(n_iter)
    setup = _CALL + _PASS * n * (k + 1) + _GRAM_FLOP * n * (k + 1) ** 2
    history = 32 * (m + 1) * (k + 1)
    nbytes = 8 * n * (k + 3) + history
    if batch_size is None:
        seconds = setup + m * (_GD_STEP + 1e-9 * k * k)
        what = f"gradient descent with {m:,} full-batch steps on {_rows(n)}"
        hint = ""
    else:
        b = min(int(batch_size), n)
        seconds = setup + m * (_MB_STEP + b * (_MB_ROW + _MB_ROW_TERM * k) + 1e-9 * k * k)
        nbytes += 16 * b * (k + 1) + 8 * n
        what = f"gradient descent with {m:,} steps of batch {b:,} on {_rows(n)}"
        full = descent_cost(n, k, m)
        hint = ", or use full batch" if full.seconds <= DEFAULT_LIMITS.max_seconds else ""
    return Cost(what, seconds, nbytes, "n_iter", "steps", 1, descent_cost,
                (("n_rows", n), ("n_terms", k), ("n_iter", m), ("batch_size", batch_size)), hint)


def path_cost(n_rows: int, n_features: int, n_lams: int = 50, l1_ratio: float = 1.0) -> Cost:
    """Cost of :func:`linreg.penalized.penalty_path` (the features, without the intercept).

    Parameters
    ----------
    n_rows, n_features : int
        Shape of X.
    n_lams : int
        Values of λ.
    l1_ratio : float
        0 for ridge (closed form per λ), else coordinate descent.

    Notes
    -----
    One pass centres the data and one QR compresses it (2 n (p+1)^2 flops); each λ
    then costs a solve on the compressed problem (typically 20 coordinate-descent
    sweeps of p updates, or a p x p SVD for ridge) and one pass for its fitted
    values and MSE.
    """
    n, p, L = int(n_rows), int(n_features), int(n_lams)
    per_lam = _GEMV * n * p + 3 * _PASS * n / 10 + (_CD_SWEEPS * p * _CD_COORD if l1_ratio > 0 else 2e-9 * p**3)
    seconds = _CALL + 3 * _PASS * n * p + 2 * _QR_FLOP * n * (p + 1) ** 2 + L * per_lam
    nbytes = 8 * n * (3 * p + 6)
    kind = "ridge" if l1_ratio == 0 else ("lasso" if l1_ratio == 1 else "elastic-net")
    return Cost(f"a {kind} path of {L:,} values of λ with {p:,} features on {_rows(n)}", seconds, nbytes,
                "n_lams", "values of λ", 1, path_cost,
                (("n_rows", n), ("n_features", p), ("n_lams", L), ("l1_ratio", l1_ratio)))


def cv_cost(n_rows: int, n_features: int, k: int = 5, n_lams: int = 50, l1_ratio: float = 1.0) -> Cost:
    """Cost of :func:`linreg.penalized.cross_validate`: the path on all rows and on each of k training folds.

    Examples
    --------
    >>> cv_cost(1000, 3).label
    'folds'
    """
    n, p, folds, L = int(n_rows), int(n_features), int(k), int(n_lams)
    train = n * (folds - 1) // folds if folds > 1 else n
    full = path_cost(n, p, L, l1_ratio)
    fold = path_cost(train, p, L, l1_ratio)
    seconds = full.seconds + folds * (fold.seconds + _GEMV * (n - train) * p * L)
    nbytes = full.bytes + fold.bytes
    hint = ", or fewer values of λ" if L > 10 else ""
    return Cost(f"{folds}-fold cross-validation over {L:,} values of λ with {p:,} features on {_rows(n)}", seconds,
                nbytes, "k", "folds", 2, cv_cost,
                (("n_rows", n), ("n_features", p), ("k", folds), ("n_lams", L), ("l1_ratio", l1_ratio)), hint)


def bootstrap_cost(n_rows: int, degree: int, n_boot: int) -> Cost:
    """Cost of :func:`linreg.complexity.bootstrap_fits`: n_boot polynomial fits on resampled rows."""
    n, d, B = int(n_rows), int(degree), int(n_boot)
    per = 0.3e-3 + _RESAMPLE_ROW * n + _ols_seconds(n, d + 1) - _CALL
    seconds = _CALL + B * per
    nbytes = 8 * n * (d + 10) + 8 * B * 200
    return Cost(f"{B:,} bootstrap fits of degree {d} on {_rows(n)}", seconds, nbytes, "n_boot", "resamples", 2,
                bootstrap_cost, (("n_rows", n), ("degree", d), ("n_boot", B)))


def degree_explorer_cost(n_rows: int, max_degree: int) -> Cost:
    """Cost of :func:`linreg.complexity.degree_explorer`: fits of degree 1..D on the training split."""
    n, D = int(n_rows), int(max_degree)
    train = max(1, int(0.7 * n))
    seconds = _CALL + 1.5 * _PASS * n + sum(
        _ols_seconds(train, d + 1) + _PASS * n * (d + 1) for d in range(1, D + 1))
    nbytes = 8 * n * (D + 6)
    return Cost(f"the degree explorer up to degree {D} on {_rows(n)}", seconds, nbytes, "max_degree", "degrees", 1,
                degree_explorer_cost, (("n_rows", n), ("max_degree", D)))


def generator_cost(kind: str, n: int, p: int = 1) -> Cost:
    """Cost of :func:`linreg.synthetic.make_data`: n rows of p features and the target.

    Parameters
    ----------
    kind : str
        The generator ("categorical" also stores a text column of group names).
    n : int
        Rows.
    p : int
        Features drawn (``p`` for linear and collinear, else 1).
    """
    n, p = int(n), int(p)
    seconds = _CALL + _GEN_VALUE * n * (p + 2) * (2 if kind == "collinear" else 1)
    # collinear data passes through a correlated copy; a group column is a column of pointers.
    nbytes = (24 if kind == "collinear" else 16) * n * (p + 2) + (8 * n if kind == "categorical" else 0)
    return Cost(f"{kind} data of {_rows(n)} and {p} feature{'s' if p != 1 else ''}", seconds, nbytes, "n", "rows",
                5, generator_cost, (("kind", kind), ("n", n), ("p", p)))
