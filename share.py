"""The app's state as URL query parameters, and back: what makes a link shareable.

A link carries how to rebuild the data (a built-in name, or a generator with its
parameters and seed), the model terms, the fit and gradient-descent settings, the
current iteration, the Regularization page's penalty and λ, and the Learn page's lesson.
Uploaded data cannot travel in a URL; a link made from it carries everything but the
data, and the app says so.

Query parameters come from strangers, so :func:`decode` trusts nothing: every value
is parsed with ``int``/``float``/a fixed vocabulary, checked for range, and rejected
with a message. Nothing is ever evaluated.

These functions are pure (no streamlit): ``state.py`` calls them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from linreg.datasets import DATASETS
from linreg.design import ModelSpec
from linreg.exceptions import ModelError
from linreg.synthetic import GENERATOR_PARAMS

__all__ = ["Recipe", "Shared", "encode", "decode", "SHAREABLE_NAME", "PENALTIES", "N_LESSONS"]

SourceKind = Literal["builtin", "synthetic", "upload"]
# Term and column names travel joined by "," and ":"; a name holding either cannot.
_SEPARATORS = (",", ":")
SHAREABLE_NAME = "names without commas or colons"
_METHODS = ("qr", "svd", "normal", "gd")
_TRUE = {"1": True, "0": False}
PENALTIES = ("ridge", "lasso", "elasticnet")
# The elastic-net mix α moves in steps of 0.05 on the Regularization page; a link holds one of those.
_MIX_STEP, _MIX_RANGE = 0.05, (0.05, 0.95)
# The Learn page has lessons 1..N_LESSONS (tests/app/test_learn_page.py checks that the two agree).
N_LESSONS = 10


@dataclass(frozen=True)
class Recipe:
    """How the current data was made, so that a link can make it again.

    ``params`` are a generator's keyword arguments (``n`` and ``seed`` included), sorted by name;
    for a built-in dataset they are empty; for an upload, ``name`` is the file name.
    """

    kind: SourceKind
    name: str
    params: tuple[tuple[str, float | int], ...] = ()


@dataclass(frozen=True)
class Shared:
    """Everything a link restores. ``spec`` None: keep the data's default model.

    ``reg`` holds the Regularization page's ``penalty``, ``alpha`` (the elastic-net mix),
    ``standardize`` and ``cv_seed``; ``reg_lambda`` its chosen λ (None: the page's own
    default); ``lesson`` the Learn page's lesson (None: the first).
    """

    recipe: Recipe
    spec: ModelSpec | None = None
    fit: dict[str, Any] = field(default_factory=dict)
    gd: dict[str, Any] = field(default_factory=dict)
    iteration: int | None = None
    reg: dict[str, Any] = field(default_factory=dict)
    reg_lambda: float | None = None
    lesson: int | None = None


def encode(shared: Shared) -> dict[str, str]:
    """Query parameters for ``shared``; an upload gives only the settings.

    Examples
    --------
    >>> encode(Shared(Recipe("builtin", "cars"), ModelSpec("dist", ("speed",))))
    {'data': 'cars', 'target': 'dist', 'features': 'speed'}
    """
    q: dict[str, str] = {}
    r = shared.recipe
    if r.kind == "builtin":
        q["data"] = r.name
    elif r.kind == "synthetic":
        q["gen"] = r.name
        q.update({f"g_{k}": _num(v) for k, v in r.params})
    if r.kind != "upload" and shared.spec is not None and _spec_is_shareable(shared.spec):
        q.update(_encode_spec(shared.spec))
    q.update({k: _num(v) if not isinstance(v, str) else v for k, v in _fit_fields(shared.fit).items()})
    q.update({k: _num(v) for k, v in _short_fields(shared.gd, _GD_KEYS).items()})
    if shared.iteration:
        q["k"] = str(int(shared.iteration))
    reg = _short_fields(shared.reg, _REG_KEYS)
    q.update({short: v if isinstance(v, str) else _num(v) for short, v in reg.items()})
    if shared.reg_lambda is not None:
        q["lam"] = _num(float(shared.reg_lambda))
    if shared.lesson is not None and shared.lesson != 1:  # like k = 0, the first lesson goes without saying
        q["lesson"] = str(int(shared.lesson))
    return q


def decode(query: Mapping[str, str]) -> Shared | None:
    """The state a link describes, or None when it names no data source.

    Raises
    ------
    ModelError
        If a value is malformed or out of range; the message names the parameter.
    """
    if "data" in query:
        name = query["data"]
        if name not in DATASETS:
            raise ModelError(f"the link names an unknown dataset {name!r}; built-in ones are {sorted(DATASETS)}")
        recipe = Recipe("builtin", name)
    elif "gen" in query:
        recipe = Recipe("synthetic", query["gen"], _decode_generator(query["gen"], query))
    else:
        return None
    spec = _decode_spec(query) if "target" in query else None
    return Shared(recipe, spec, _decode_fit(query), _decode_gd(query), _int(query, "k", 0, 10**7),
                  reg=_decode_reg(query), reg_lambda=_decode_lambda(query),
                  lesson=_int(query, "lesson", 1, N_LESSONS))


# ---------------------------------------------------------------------------
# Pieces
# ---------------------------------------------------------------------------


def _spec_is_shareable(spec: ModelSpec) -> bool:
    names = [spec.target, *spec.features, *spec.categorical, *(c for c, _ in spec.poly)]
    names += [n for pair in spec.interactions for n in pair]
    return not any(sep in n for n in names for sep in _SEPARATORS)


def _encode_spec(spec: ModelSpec) -> dict[str, str]:
    q = {"target": spec.target, "features": ",".join(spec.features)}
    if spec.categorical:
        q["cat"] = ",".join(spec.categorical)
    if spec.poly:
        q["poly"] = ",".join(f"{c}:{d}" for c, d in spec.poly)
    if spec.interactions:
        q["inter"] = ",".join(f"{a}:{b}" for a, b in spec.interactions)
    if spec.standardize:
        q["std"] = "1"
    if not spec.intercept:
        q["icpt"] = "0"
    return q


def _decode_spec(query: Mapping[str, str]) -> ModelSpec:
    def names(key: str) -> tuple[str, ...]:
        return tuple(n for n in query.get(key, "").split(",") if n)

    def pairs(key: str) -> list[list[str]]:
        out = [p.split(":") for p in names(key)]
        if any(len(p) != 2 or not all(p) for p in out):
            raise ModelError(f"link parameter {key!r} must be a list like 'a:b,c:d'; got {query[key]!r}")
        return out

    poly = []
    for column, degree in pairs("poly"):
        if not degree.isdigit() or not 1 <= int(degree) <= 10:
            raise ModelError(f"link parameter 'poly' needs degrees from 1 to 10; got {query['poly']!r}")
        poly.append((column, int(degree)))
    return ModelSpec(
        target=query["target"],
        features=names("features"),
        categorical=names("cat"),
        poly=tuple(poly),
        interactions=tuple((a, b) for a, b in pairs("inter")),
        standardize=_bool(query, "std", False),
        intercept=_bool(query, "icpt", True),
    )


def _decode_generator(kind: str, query: Mapping[str, str]) -> tuple[tuple[str, float | int], ...]:
    if kind not in GENERATOR_PARAMS:
        raise ModelError(f"the link names an unknown generator {kind!r}; generators are {sorted(GENERATOR_PARAMS)}")
    params: list[tuple[str, float | int]] = []
    for name, (default, low, high, _help) in GENERATOR_PARAMS[kind].items():
        key = f"g_{name}"
        if key not in query:
            continue
        if isinstance(default, bool):
            params.append((name, _bool(query, key, default)))
        elif isinstance(default, int):
            params.append((name, _int(query, key, low, high)))
        else:
            params.append((name, _float(query, key, low, high)))
    if "g_seed" in query:
        params.append(("seed", _int(query, "g_seed", 0, 2**31 - 1)))
    return tuple(sorted(params))


def _fit_fields(fit: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (("method", fit.get("method")), ("alpha", fit.get("alpha"))) if v is not None}


def _decode_fit(query: Mapping[str, str]) -> dict[str, Any]:
    fit: dict[str, Any] = {}
    if "method" in query:
        fit["method"] = _choice(query, "method", _METHODS)
    if "alpha" in query:
        fit["alpha"] = _float(query, "alpha", 1e-6, 0.5)
    return fit


# Short link names for the gradient-descent settings.
_GD_KEYS = {"learning_rate": "lr", "n_iter": "iters", "batch_size": "batch", "momentum": "mom",
            "standardize": "gstd", "seed": "gseed", "ridge": "ridge"}


def _short_fields(values: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    """``values`` under their short link names (``keys``: name -> short name), the unset ones left out."""
    return {short: values[name] for name, short in keys.items() if values.get(name) is not None}


def _decode_gd(query: Mapping[str, str]) -> dict[str, Any]:
    readers = {
        "learning_rate": lambda k: _float(query, k, 1e-12, 1e6),
        "n_iter": lambda k: _int(query, k, 1, 100_000),
        "batch_size": lambda k: _int(query, k, 1, 10**7),
        "momentum": lambda k: _float(query, k, 0.0, 0.99),
        "standardize": lambda k: _bool(query, k, True),
        "seed": lambda k: _int(query, k, 0, 2**31 - 1),
        "ridge": lambda k: _float(query, k, 0.0, 1e6),
    }
    return {name: readers[name](short) for name, short in _GD_KEYS.items() if short in query}


# Short link names for the Regularization page's penalty controls ("r" as "g" for gradient descent).
_REG_KEYS = {"penalty": "pen", "alpha": "mix", "standardize": "rstd", "cv_seed": "rseed"}


def _decode_reg(query: Mapping[str, str]) -> dict[str, Any]:
    reg: dict[str, Any] = {}
    if "pen" in query:
        reg["penalty"] = _choice(query, "pen", PENALTIES)
    if "mix" in query:
        low, high = _MIX_RANGE
        steps = _float(query, "mix", low, high) / _MIX_STEP
        if abs(steps - round(steps)) > 1e-9:
            raise ModelError(f"link parameter 'mix' must be a multiple of {_MIX_STEP:g} from {low:g} to {high:g}; "
                             f"got {query['mix']!r}")
        reg["alpha"] = round(round(steps) * _MIX_STEP, 2)  # 0.3, not 0.30000000000000004
    if "rstd" in query:
        reg["standardize"] = _bool(query, "rstd", True)
    if "rseed" in query:
        reg["cv_seed"] = _int(query, "rseed", 0, 2**31 - 1)
    return reg


def _decode_lambda(query: Mapping[str, str]) -> float | None:
    """The Regularization page's λ, any positive number.

    λ travels as its value, not as a position on the page's grid: the grid (log-spaced down
    from a λ_max that depends on the data, model and penalty) is rebuilt from the rest of the
    link, and the page snaps the value to the nearest grid point. A link made on this grid
    lands on the same λ exactly (the value round-trips), and an old link still lands near its
    λ if a later version draws a finer or longer grid; an index would then point elsewhere.
    Whether λ lies on the grid can only be judged there, so the page reports one outside it.
    """
    return _float(query, "lam", 1e-300, 1e300) if "lam" in query else None


def _num(v: float | int | bool) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def _int(query: Mapping[str, str], key: str, low: float, high: float) -> int | None:
    if key not in query:
        return None
    text = query[key]
    if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
        raise ModelError(f"link parameter {key!r} must be a whole number from {low:g} to {high:g}; got {text!r}")
    return int(text)


def _float(query: Mapping[str, str], key: str, low: float, high: float) -> float:
    text = query[key]
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise ModelError(f"link parameter {key!r} must be a number from {low:g} to {high:g}; got {text!r}")
    return value


def _choice(query: Mapping[str, str], key: str, options: tuple[str, ...]) -> str:
    if query[key] not in options:
        raise ModelError(f"link parameter {key!r} must be one of {options}; got {query[key]!r}")
    return query[key]


def _bool(query: Mapping[str, str], key: str, default: bool) -> bool:
    if key not in query:
        return default
    if query[key] not in _TRUE:
        raise ModelError(f"link parameter {key!r} must be 0 or 1; got {query[key]!r}")
    return _TRUE[query[key]]
