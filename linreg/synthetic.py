"""Seeded synthetic datasets that come with the truth they were drawn from.

Every generator takes ``n`` rows and a ``seed`` (an int, a ``numpy.random.Generator``
or None, passed to ``numpy.random.default_rng``: the same int gives the same data).
Without a seed a generator uses ``DEFAULT_SEED`` (0), so a call or a link that
names no seed always gives the same data; only an explicit ``seed=None`` draws
fresh entropy
and returns a ``SyntheticData``: the table, the target column, the true
coefficients keyed by the term names ``linreg.design`` gives (``Intercept``, ``x``,
``x^2``, ``group[b]``), and the ``ModelSpec`` keywords that recover them.

The app exists to compare estimates with the truth, so each kind shows one thing:

========================  ====================================================
kind                      what it teaches
========================  ====================================================
``linear``                y = b0 + b1 x1 + ... + bp xp + N(0, noise^2)
``polynomial``            a curve: a straight line is the wrong model
``heteroscedastic``       a fan: the noise SD grows with x
``outliers``              a fraction of rows shifted far off the line
``leverage``              one point far out in x that can drag the line
``collinear``             features correlated at a chosen level
``categorical``           parallel lines, one per group (dummies + slope)
========================  ====================================================

``GENERATOR_PARAMS[kind][name] = (default, min, max, help)`` describes each scalar
knob for the UI and the CLI; ``make_data`` checks values against it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_option
from .exceptions import ModelError

__all__ = [
    "DEFAULT_SEED",
    "SyntheticData",
    "GENERATORS",
    "GENERATOR_PARAMS",
    "make_data",
    "make_linear",
    "make_polynomial",
    "make_heteroscedastic",
    "make_outliers",
    "make_leverage",
    "make_collinear",
    "make_categorical",
]

Seed = int | np.random.Generator | None

#: The seed of every generator called without one: the same data for every visitor.
DEFAULT_SEED = 0


@dataclass(frozen=True, eq=False)
class SyntheticData:
    """A generated table with the truth behind it.

    Attributes
    ----------
    data : pandas.DataFrame, shape (n, n_columns)
        Features (float64, or text for a group column) and the target.
    target : str
        Name of the response column.
    coef : dict of str to float
        True coefficients keyed by term name, ``"Intercept"`` first.
    spec_hint : dict
        Keyword arguments for ``linreg.design.ModelSpec`` (``target``,
        ``features``, and ``poly`` or ``categorical`` where needed) whose terms
        are exactly the keys of ``coef``.
    description : str
        One plain sentence on how the data was made.
    params : dict
        Every parameter used, including ``n`` and ``seed``.
    special_rows : tuple of int
        Row positions made special on purpose (outliers, the leverage point).
    """

    data: pd.DataFrame
    target: str
    coef: dict[str, float]
    spec_hint: dict[str, Any]
    description: str
    params: dict[str, Any]
    special_rows: tuple[int, ...] = field(default=())


_N = (100, 5, 1_000_000, "Number of rows")
_NOISE = (1.0, 0.0, 100.0, "Standard deviation sigma of the Gaussian noise added to y")
# The true intercept of every generator but linear's.
_INTERCEPT = (1.0, -100.0, 100.0, "True intercept b0")
# The true slope of the one-feature generators (heteroscedastic, outliers, leverage).
_LINE_SLOPE = (2.0, -100.0, 100.0, "True slope b1")

#: For each kind, each scalar knob: (default, min, max, help). Ints are ints, floats floats.
GENERATOR_PARAMS: dict[str, dict[str, tuple[Any, Any, Any, str]]] = {
    "linear": {
        "n": _N,
        "p": (1, 1, 10, "Number of features x1..xp (a single one is called x)"),
        "noise": _NOISE,
        "intercept": (2.0, -100.0, 100.0, "True intercept b0"),
        "slope": (1.5, -100.0, 100.0, "True slope of the first feature; feature j gets slope * (-1)^(j-1) / j"),
    },
    "polynomial": {
        "n": _N,
        "degree": (2, 1, 6, "Degree d of the true polynomial in x (fit it with x^1..x^d)"),
        "noise": _NOISE,
        "intercept": _INTERCEPT,
    },
    "heteroscedastic": {
        "n": _N,
        "noise": (0.5, 0.0, 100.0, "Noise SD at x = 0"),
        "growth": (1.0, 0.0, 10.0, "How fast the noise SD grows: SD(x) = noise * (1 + growth * x)"),
        "intercept": _INTERCEPT,
        "slope": _LINE_SLOPE,
    },
    "outliers": {
        "n": _N,
        "fraction": (0.05, 0.0, 0.5, "Fraction of rows turned into outliers"),
        "size": (15.0, 0.0, 1000.0, "How far (in y units) each outlier is moved, up or down at random"),
        "noise": _NOISE,
        "intercept": _INTERCEPT,
        "slope": _LINE_SLOPE,
    },
    "leverage": {
        "n": _N,
        "x_position": (30.0, 10.0, 1000.0, "x of the one high-leverage point (the others lie in 0..10)"),
        "y_shift": (-30.0, -1000.0, 1000.0, "How far that point lies off the true line (0: a harmless one)"),
        "noise": _NOISE,
        "intercept": _INTERCEPT,
        "slope": _LINE_SLOPE,
    },
    "collinear": {
        "n": _N,
        "p": (2, 2, 10, "Number of features x1..xp"),
        "correlation": (0.95, 0.0, 1.0, "Correlation between every pair of features (1: exactly collinear)"),
        "noise": _NOISE,
        "intercept": _INTERCEPT,
    },
    "categorical": {
        "n": _N,
        "groups": (3, 2, 10, "Number of groups a, b, c, ... (a is the reference level)"),
        "group_effect": (3.0, -100.0, 100.0, "Shift of group b from a; group k is shifted k times this"),
        "slope": (1.5, -100.0, 100.0, "Common slope of x in every group"),
        "noise": _NOISE,
        "intercept": (1.0, -100.0, 100.0, "True intercept b0 (of the reference group a)"),
    },
}


def make_linear(
    n: int = 100,
    *,
    seed: Seed = DEFAULT_SEED,
    p: int = 1,
    noise: float = 1.0,
    intercept: float = 2.0,
    slope: float = 1.5,
    coef: Sequence[float] | None = None,
) -> SyntheticData:
    """Straight-line data: y = b0 + b1 x1 + ... + bp xp + e, e ~ N(0, noise^2).

    Parameters
    ----------
    n : int
        Rows.
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    p : int
        Features, each uniform on [0, 10]; named ``x`` when p = 1, else ``x1..xp``.
    noise : float
        Noise standard deviation sigma.
    intercept : float
        b0.
    slope : float
        Used when ``coef`` is None: b_j = slope * (-1)^(j-1) / j.
    coef : sequence of float, shape (p,), optional
        The slopes b1..bp.

    Returns
    -------
    SyntheticData
        ``data`` has shape (n, p + 1), target ``y``.

    Examples
    --------
    >>> sd = make_linear(5, seed=0, noise=0.0, intercept=1.0, slope=2.0)
    >>> sd.coef
    {'Intercept': 1.0, 'x': 2.0}
    >>> bool(np.allclose(sd.data["y"], 1 + 2 * sd.data["x"]))
    True
    """
    params = _checked("linear", n=n, p=p, noise=noise, intercept=intercept, slope=slope)
    n, p = params["n"], params["p"]
    b = _slopes("linear", coef, p, slope)
    rng = np.random.default_rng(seed)
    names = ["x"] if p == 1 else [f"x{j}" for j in range(1, p + 1)]
    X = rng.uniform(0.0, 10.0, size=(n, p))
    y = intercept + X @ b + rng.normal(0.0, 1.0, n) * noise
    return _features_data(X, names, y, intercept, b, params, seed, f"N(0, {noise:g}^2) noise; x uniform on [0, 10].")


# Default polynomial coefficients of x^1..x^6 on x in [-3, 3]: a visible bend at every degree.
_POLY_COEF = (1.0, 0.8, -0.3, 0.05, 0.02, -0.004)


def make_polynomial(
    n: int = 100,
    *,
    seed: Seed = DEFAULT_SEED,
    degree: int = 2,
    noise: float = 1.0,
    intercept: float = 1.0,
    coef: Sequence[float] | None = None,
) -> SyntheticData:
    """A curve: y = b0 + b1 x + b2 x^2 + ... + bd x^d + e, x uniform on [-3, 3].

    Parameters
    ----------
    n : int
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    degree : int
        d, the highest power.
    noise : float
        Noise SD.
    intercept : float
    coef : sequence of float, shape (degree,), optional
        b1..bd; default (1.0, 0.8, -0.3, 0.05, 0.02, -0.004)[:degree].

    Returns
    -------
    SyntheticData
        Columns ``x`` and ``y``; ``spec_hint`` asks for ``poly=(("x", degree),)``
        and ``coef`` is keyed ``x``, ``x^2``, ..., ``x^d``.

    Examples
    --------
    >>> make_polynomial(10, seed=1, degree=2).coef
    {'Intercept': 1.0, 'x': 1.0, 'x^2': 0.8}
    """
    params = _checked("polynomial", n=n, degree=degree, noise=noise, intercept=intercept)
    n, degree = params["n"], params["degree"]
    b = _coef_vector("polynomial", coef, degree, _POLY_COEF[:degree])
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, n)
    powers = np.column_stack([x**j for j in range(1, degree + 1)])
    y = intercept + powers @ b + rng.normal(0.0, 1.0, n) * noise
    terms = ["x"] + [f"x^{j}" for j in range(2, degree + 1)]
    return SyntheticData(
        data=pd.DataFrame({"x": x, "y": y}),
        target="y",
        coef=_truth(intercept, terms, b),
        spec_hint={"target": "y", "features": ("x",), "poly": (("x", degree),)},
        description=f"y = {_equation(intercept, terms, b)} + N(0, {noise:g}^2) noise; x uniform on [-3, 3].",
        params={**params, "coef": b.tolist(), "seed": _seed_repr(seed)},
    )


def make_heteroscedastic(
    n: int = 100,
    *,
    seed: Seed = DEFAULT_SEED,
    noise: float = 0.5,
    growth: float = 1.0,
    intercept: float = 1.0,
    slope: float = 2.0,
) -> SyntheticData:
    """A fan: y = b0 + b1 x + e with SD(e) = noise * (1 + growth * x), x uniform on [0, 10].

    OLS is still unbiased here, but its standard errors assume a constant SD;
    the Breusch-Pagan test should flag the fan.

    Parameters
    ----------
    n : int
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    noise : float
        Noise SD at x = 0.
    growth : float
        Relative growth of the SD per unit of x.
    intercept, slope : float
        b0 and b1.

    Returns
    -------
    SyntheticData
        Columns ``x`` and ``y``.

    Examples
    --------
    >>> sd = make_heteroscedastic(200, seed=0)
    >>> sd.coef
    {'Intercept': 1.0, 'x': 2.0}
    """
    params = _checked("heteroscedastic", n=n, noise=noise, growth=growth, intercept=intercept, slope=slope)
    n = params["n"]
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, n)
    sd = noise * (1.0 + growth * x)
    y = intercept + slope * x + rng.normal(0.0, 1.0, n) * sd
    return _line_data(x, y, intercept, slope, params, seed, (
        f"noise whose SD grows with x: {noise:g} * (1 + {growth:g} x), from {noise:g} at x = 0 to "
        f"{noise * (1 + 10 * growth):g} at x = 10."))


def make_outliers(
    n: int = 100,
    *,
    seed: Seed = DEFAULT_SEED,
    fraction: float = 0.05,
    size: float = 15.0,
    noise: float = 1.0,
    intercept: float = 1.0,
    slope: float = 2.0,
) -> SyntheticData:
    """A line with round(fraction * n) rows moved ``size`` up or down (at random) in y.

    Parameters
    ----------
    n : int
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    fraction : float
        Share of rows made outliers, chosen at random.
    size : float
        Distance in y units each outlier is moved.
    noise : float
        Noise SD of the ordinary rows.
    intercept, slope : float
        b0 and b1 of the true line.

    Returns
    -------
    SyntheticData
        Columns ``x`` and ``y``; ``special_rows`` are the outliers (sorted).

    Examples
    --------
    >>> sd = make_outliers(20, seed=0, fraction=0.1)
    >>> len(sd.special_rows)
    2
    """
    params = _checked("outliers", n=n, fraction=fraction, size=size, noise=noise, intercept=intercept, slope=slope)
    n = params["n"]
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, n)
    y = intercept + slope * x + rng.normal(0.0, 1.0, n) * noise
    count = int(round(fraction * n))
    rows = np.sort(rng.choice(n, size=count, replace=False))
    y[rows] += size * rng.choice([-1.0, 1.0], size=count)
    return _line_data(x, y, intercept, slope, params, seed,
                      f"N(0, {noise:g}^2) noise, then {count} of {n} rows moved {size:g} up or down.",
                      special_rows=tuple(int(r) for r in rows))


def make_leverage(
    n: int = 100,
    *,
    seed: Seed = DEFAULT_SEED,
    x_position: float = 30.0,
    y_shift: float = -30.0,
    noise: float = 1.0,
    intercept: float = 1.0,
    slope: float = 2.0,
) -> SyntheticData:
    """A line with one high-leverage point, the last row, far out at ``x_position``.

    The other n - 1 rows have x uniform on [0, 10]. The last point lies
    ``y_shift`` off the true line (plus noise), so it alone can tilt the fit:
    its leverage and Cook's distance stand out.

    Parameters
    ----------
    n : int
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    x_position : float
        x of the last row.
    y_shift : float
        Its vertical distance from the true line; 0 gives a "good" leverage point.
    noise : float
    intercept, slope : float

    Returns
    -------
    SyntheticData
        Columns ``x`` and ``y``; ``special_rows == (n - 1,)``.

    Examples
    --------
    >>> sd = make_leverage(10, seed=0, x_position=50.0)
    >>> float(sd.data["x"].iloc[-1]), sd.special_rows
    (50.0, (9,))
    """
    params = _checked(
        "leverage", n=n, x_position=x_position, y_shift=y_shift, noise=noise, intercept=intercept, slope=slope
    )
    n = params["n"]
    rng = np.random.default_rng(seed)
    x = np.append(rng.uniform(0.0, 10.0, n - 1), x_position)
    y = intercept + slope * x + rng.normal(0.0, 1.0, n) * noise
    y[-1] += y_shift
    return _line_data(x, y, intercept, slope, params, seed, (
        f"N(0, {noise:g}^2) noise for x in [0, 10], plus one point at x = {x_position:g}, {y_shift:g} off the "
        f"line (row {n - 1})."), special_rows=(n - 1,))


def make_collinear(
    n: int = 100,
    *,
    seed: Seed = DEFAULT_SEED,
    p: int = 2,
    correlation: float = 0.95,
    noise: float = 1.0,
    intercept: float = 1.0,
    coef: Sequence[float] | None = None,
) -> SyntheticData:
    """Features x1..xp, standard normal, with the same correlation between every pair.

    x_j = sqrt(rho) z_0 + sqrt(1 - rho) z_j with independent standard normal z,
    so corr(x_i, x_j) = rho in the population. At rho = 1 the columns are
    identical and the coefficients are not identified (only their sum is).

    Parameters
    ----------
    n : int
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    p : int
        Number of features.
    correlation : float
        rho in [0, 1].
    noise : float
    intercept : float
    coef : sequence of float, shape (p,), optional
        Default b_j = 2 (-1)^(j-1) / j: 2, -1, 0.667, ...

    Returns
    -------
    SyntheticData
        Columns ``x1..xp`` and ``y``.

    Examples
    --------
    >>> sd = make_collinear(20000, seed=0, correlation=0.9)
    >>> round(float(sd.data["x1"].corr(sd.data["x2"])), 2)
    0.9
    """
    params = _checked("collinear", n=n, p=p, correlation=correlation, noise=noise, intercept=intercept)
    n, p = params["n"], params["p"]
    b = _slopes("collinear", coef, p, 2.0)
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    own = rng.normal(size=(n, p))
    X = math.sqrt(correlation) * common + math.sqrt(1.0 - correlation) * own
    y = intercept + X @ b + rng.normal(0.0, 1.0, n) * noise
    names = [f"x{j}" for j in range(1, p + 1)]
    return _features_data(X, names, y, intercept, b, params, seed, (
        f"N(0, {noise:g}^2) noise; the features are standard normal with correlation {correlation:g} between "
        "every pair."))


def make_categorical(
    n: int = 100,
    *,
    seed: Seed = DEFAULT_SEED,
    groups: int = 3,
    group_effect: float = 3.0,
    slope: float = 1.5,
    noise: float = 1.0,
    intercept: float = 1.0,
    effects: Sequence[float] | None = None,
) -> SyntheticData:
    """Parallel lines, one per group: y = b0 + effect[group] + slope x + e.

    Groups are named ``a``, ``b``, ``c``, ...; ``a`` is the reference level
    (effect 0), as ``linreg.design`` chooses the first level in sorted order.
    Rows are spread as evenly as possible over the groups, in random order,
    so every group appears when n >= groups.

    Parameters
    ----------
    n : int
        Rows, at least ``groups``.
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    groups : int
    group_effect : float
        Used when ``effects`` is None: group k (k = 1 for ``b``) is shifted k * group_effect.
    slope : float
        Common slope of x (uniform on [0, 10]).
    noise : float
    intercept : float
        b0, the intercept of group ``a``.
    effects : sequence of float, shape (groups - 1,), optional
        Shifts of groups b, c, ... from group a.

    Returns
    -------
    SyntheticData
        Columns ``x`` (float), ``group`` (text) and ``y``; ``coef`` keys
        ``Intercept``, ``x``, ``group[b]``, ...

    Examples
    --------
    >>> make_categorical(30, seed=0, groups=3, group_effect=2.0, slope=1.0).coef
    {'Intercept': 1.0, 'x': 1.0, 'group[b]': 2.0, 'group[c]': 4.0}
    """
    params = _checked(
        "categorical", n=n, groups=groups, group_effect=group_effect, slope=slope, noise=noise, intercept=intercept
    )
    n, groups = params["n"], params["groups"]
    if n < groups:
        raise ModelError(f"categorical data needs at least one row per group: n = {n} < groups = {groups}; raise n")
    shifts = _coef_vector(
        "categorical", effects, groups - 1, [group_effect * k for k in range(1, groups)], name="effects"
    )
    rng = np.random.default_rng(seed)
    levels = np.array([chr(ord("a") + k) for k in range(groups)])
    codes = rng.permutation(np.arange(n) % groups)
    x = rng.uniform(0.0, 10.0, n)
    y = intercept + np.concatenate([[0.0], shifts])[codes] + slope * x + rng.normal(0.0, 1.0, n) * noise
    data = pd.DataFrame({"x": x, "group": pd.Series(levels[codes], dtype="str"), "y": y})
    coef = {"Intercept": float(intercept), "x": float(slope)}
    coef.update({f"group[{lv}]": float(s) for lv, s in zip(levels[1:], shifts, strict=True)})
    shown = ", ".join(f"{lv}: {s:+g}" for lv, s in zip(levels[1:], shifts, strict=True))
    return SyntheticData(
        data=data,
        target="y",
        coef=coef,
        spec_hint={"target": "y", "features": ("x", "group"), "categorical": ("group",)},
        description=(
            f"{groups} parallel lines y = {intercept:g} + {slope:g} x + shift + N(0, {noise:g}^2) noise; "
            f"group a is the reference, the shifts are {shown}."
        ),
        params={**params, "effects": shifts.tolist(), "seed": _seed_repr(seed)},
    )


#: kind -> generator; every one accepts ``n`` and ``seed`` plus its ``GENERATOR_PARAMS`` knobs.
GENERATORS: dict[str, Callable[..., SyntheticData]] = {
    "linear": make_linear,
    "polynomial": make_polynomial,
    "heteroscedastic": make_heteroscedastic,
    "outliers": make_outliers,
    "leverage": make_leverage,
    "collinear": make_collinear,
    "categorical": make_categorical,
}


def make_data(kind: str, *, n: int = 100, seed: Seed = DEFAULT_SEED, **params: Any) -> SyntheticData:
    """Generate data of the given kind: dispatch to ``GENERATORS[kind]``.

    Parameters
    ----------
    kind : str
        One of ``GENERATORS``.
    n : int
        Rows.
    seed : int, numpy.random.Generator or None, default 0
        See :data:`DEFAULT_SEED`; None draws fresh entropy.
    **params
        The kind's knobs (see ``GENERATOR_PARAMS[kind]``), plus ``coef`` for
        linear, polynomial and collinear, ``effects`` for categorical.

    Returns
    -------
    SyntheticData

    Raises
    ------
    ModelError
        For an unknown kind (the message lists the kinds), an unknown
        parameter, or a value out of its range.

    Examples
    --------
    >>> make_data("linear", n=5, seed=0).data.shape
    (5, 2)
    >>> make_data("spline")
    Traceback (most recent call last):
    ...
    linreg.exceptions.ModelError: kind must be one of ('linear', 'polynomial', 'heteroscedastic', 'outliers', 'leverage', 'collinear', 'categorical'); got 'spline'
    """
    check_option("kind", kind, GENERATORS)
    allowed = set(GENERATOR_PARAMS[kind]) - {"n"}
    allowed |= {"linear": {"coef"}, "polynomial": {"coef"}, "collinear": {"coef"}, "categorical": {"effects"}}.get(
        kind, set()
    )
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ModelError(
            f"{kind} data has no parameter {unknown[0]!r}; its parameters are {sorted(allowed | {'n', 'seed'})}"
        )
    return GENERATORS[kind](n, seed=seed, **params)


def _checked(kind: str, **values: Any) -> dict[str, Any]:
    """Check each value against ``GENERATOR_PARAMS[kind]``; ints come back as int, floats as float."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        default, low, high, _ = GENERATOR_PARAMS[kind][name]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ModelError(f"{name} must be a number; got {value!r}")
        if isinstance(default, int):
            if not float(value).is_integer():
                raise ModelError(f"{name} must be a whole number; got {value!r}")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ModelError(f"{name} must be a finite number; got {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ModelError(f"{name} must be between {low} and {high} for {kind} data; got {value!r}")
        out[name] = value
    return out


def _slopes(kind: str, coef: Sequence[float] | None, p: int, first: float) -> np.ndarray:
    default = [first * (-1) ** j / (j + 1) for j in range(p)]
    return _coef_vector(kind, coef, p, default)


def _coef_vector(
    kind: str, given: Sequence[float] | None, size: int, default: Sequence[float], *, name: str = "coef"
) -> np.ndarray:
    if given is None:
        return np.asarray(default, dtype=np.float64)
    try:
        b = np.asarray(given, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be a sequence of {size} numbers; got {given!r}") from None
    if b.size != size:
        raise ModelError(f"{name} for {kind} data must have {size} values; got {b.size}")
    if not np.isfinite(b).all():
        raise ModelError(f"{name} must be finite numbers; got {given!r}")
    return b


def _truth(intercept: float, terms: Sequence[str], b: np.ndarray) -> dict[str, float]:
    return {"Intercept": float(intercept), **{t: float(v) for t, v in zip(terms, b, strict=True)}}


def _equation(intercept: float, terms: Sequence[str], b: np.ndarray) -> str:
    parts = [f"{intercept:g}"] + [f"{'-' if v < 0 else '+'} {abs(v):.4g} {t}" for t, v in zip(terms, b, strict=True)]
    return " ".join(parts)


def _features_data(X: np.ndarray, names: Sequence[str], y: np.ndarray, intercept: float, b: np.ndarray,
                   params: dict[str, Any], seed: Seed, noise_text: str) -> SyntheticData:
    """The data of a true plane ``y = intercept + X @ b`` plus noise: the columns ``names`` (X, (n, p)) and ``y``.

    ``noise_text`` says what was added to the plane, after "y = b0 + b1 x1 + ... + " in the description.
    """
    data = pd.DataFrame(X, columns=names)
    data["y"] = y
    return SyntheticData(
        data=data,
        target="y",
        coef=_truth(intercept, names, b),
        spec_hint={"target": "y", "features": tuple(names)},
        description=f"y = {_equation(intercept, names, b)} + {noise_text}",
        params={**params, "coef": b.tolist(), "seed": _seed_repr(seed)},
    )


def _line_data(x: np.ndarray, y: np.ndarray, intercept: float, slope: float, params: dict[str, Any], seed: Seed,
               noise_text: str, *, special_rows: tuple[int, ...] = ()) -> SyntheticData:
    """The data of a true line ``y = intercept + slope x`` plus noise, in the columns ``x`` and ``y`` (n,).

    ``noise_text`` says what was added to the line, after "y = b0 + b1 x + " in the description.
    """
    b = np.array([slope])
    return SyntheticData(
        data=pd.DataFrame({"x": x, "y": y}),
        target="y",
        coef=_truth(intercept, ["x"], b),
        spec_hint={"target": "y", "features": ("x",)},
        description=f"y = {_equation(intercept, ['x'], b)} + {noise_text}",
        params={**params, "seed": _seed_repr(seed)},
        special_rows=special_rows,
    )


def _seed_repr(seed: Seed) -> int | str | None:
    # A Generator has no short faithful description; say what it was.
    return seed if seed is None or isinstance(seed, int) else type(seed).__name__
