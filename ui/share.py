"""The app's state as URL query parameters, and back: what makes a link shareable.

A link carries how to rebuild the data (a ``linreg.sources.DataSource``: a built-in
name, a generator with its parameters and seed, or the name of a dataset the server's operator
registered, ``large=<name>``, with ``large_n`` and ``large_seed`` for a sample of it), the model terms, and every setting of ``ui.settings.FIELDS`` under
its ``link`` name. Uploaded data cannot travel in a URL; a link made from it carries
everything but the data, and the app says so. A link may name only some settings
(``?lesson=3``, ``?k=20&lr=0.05``): the rest keep their defaults, on the default data. A
column setting (the weights column) travels with the model terms, since it names a column
of the data they come from.

Query parameters come from strangers, so :func:`decode` trusts nothing: every value is
parsed with ``int``/``float``/a fixed vocabulary and checked against the same range the
widget has; one out of range is refused with a message naming the parameter, never
clamped. Nothing is ever evaluated. A registered dataset is named, never located: the name is
looked up in the operator's ``[datasets]`` table (``ui.config.registry``), and a name the
server does not have is refused.

Pure functions (no streamlit): ``ui.links`` calls them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from linreg.datasets import DATASETS
from linreg.design import ModelSpec
from linreg.exceptions import ModelError
from linreg.sources import MAX_SAMPLE_ROWS, DataSource, registered_source
from linreg.synthetic import DEFAULT_SEED, GENERATOR_PARAMS

from . import config
from .settings import FIELDS, N_LESSONS, PENALTIES, SEED, Field

__all__ = ["Shared", "encode", "decode", "left_out", "parse", "SHAREABLE_NAME", "PENALTIES", "N_LESSONS"]

# Term and column names travel joined by "," and ":"; a name holding either cannot.
_SEPARATORS = (",", ":")
SHAREABLE_NAME = "names without commas or colons"
_TRUE = {"1": True, "0": False}
# The longest column name a link may carry.
_MAX_NAME = 1000
# The settings groups of Shared that hold a dict of field values.
_GROUPS = ("fit", "gd", "reg")
# Parameters that mail tools and sites add to the links they pass on: not the sender's words.
_FOREIGN = ("utm_", "fbclid", "gclid")
# How much of a left-out parameter's name a message quotes, and how many names (a link is a stranger's text).
_NAME_SHOWN, _NAMES_SHOWN = 60, 5


@dataclass(frozen=True)
class Shared:
    """Everything a link restores.

    ``source`` None: the link names no data, so the app's default data. ``spec`` None: the
    data's default model. ``fit``, ``gd`` and ``reg`` hold the fields of those groups the
    link names; ``iteration``, ``reg_lambda`` and ``lesson`` the view (None: not named).
    """

    source: DataSource | None
    spec: ModelSpec | None = None
    fit: dict[str, Any] = field(default_factory=dict)
    gd: dict[str, Any] = field(default_factory=dict)
    iteration: int | None = None
    reg: dict[str, Any] = field(default_factory=dict)
    reg_lambda: float | None = None
    lesson: int | None = None


def encode(shared: Shared) -> dict[str, str]:
    """Query parameters for ``shared``; an upload gives only the settings.

    Settings are always written (so a link keeps its meaning if a default changes); the view
    only when it is not where a fresh session starts (iteration 0, lesson 1, no λ).

    Examples
    --------
    >>> encode(Shared(DataSource("builtin", "cars"), ModelSpec("dist", ("speed",))))
    {'data': 'cars', 'target': 'dist', 'features': 'speed'}
    """
    q: dict[str, str] = {}
    s = shared.source
    if s is not None and s.kind == "builtin":
        q["data"] = s.name
    elif s is not None and s.kind == "synthetic":
        q["gen"] = s.name
        q.update({f"g_{k}": _text(v) for k, v in sorted({**dict(s.params), "seed": s.seed}.items())})
    elif s is not None and s.kind == "registered":
        q["large"] = s.name
        if s.params:
            q.update(large_n=_text(dict(s.params)["sample"]), large_seed=_text(s.seed))
    # A column setting (the weights column) belongs to the model, so it travels only with it.
    with_model = s is not None and s.kind != "csv" and shared.spec is not None and _spec_is_shareable(shared.spec)
    if with_model:
        q.update(_encode_spec(shared.spec))
    for group in _GROUPS:
        values = getattr(shared, group)
        q.update({f.link: _text(values[name]) for name, f in FIELDS[group].items()
                  if values.get(name) is not None and (f.kind != "column" or with_model)})
    for name, f in FIELDS["view"].items():
        value = getattr(shared, name)
        if value is not None and value != f.default:
            q[f.link] = _text(value)
    return q


def decode(query: Mapping[str, str]) -> Shared | None:
    """The state a link describes, or None when it names nothing the app knows.

    Raises
    ------
    ModelError
        If a value is malformed or out of range; the message names the parameter.

    Examples
    --------
    >>> decode({"lesson": "3"}).lesson, decode({"lesson": "3"}).source is None
    (3, True)
    >>> decode({"utm_source": "mail"}) is None
    True
    """
    if "data" in query:
        name = query["data"]
        if name not in DATASETS:
            raise ModelError(f"the link names an unknown dataset {name!r}; built-in ones are {sorted(DATASETS)}")
        source = DataSource("builtin", name)
    elif "gen" in query:
        source = _decode_generator(query["gen"], query)
    elif "large" in query:
        source = _decode_registered(query["large"], query)
    else:
        source = None
    spec = _decode_spec(query) if "target" in query else None
    groups = {group: {name: parse(f, query[f.link]) for name, f in FIELDS[group].items() if f.link in query}
              for group in _GROUPS}
    view = {name: parse(f, query[f.link]) for name, f in FIELDS["view"].items() if f.link in query}
    if source is None and spec is None and not view and not any(groups.values()):
        return None
    return Shared(source, spec, **groups, **view)


class _Reads(Mapping):
    """A query that remembers which of its parameters were read (``in`` alone does not count)."""

    def __init__(self, query: Mapping[str, str]):
        self._query, self.read = query, set()

    def __getitem__(self, key: str) -> str:
        value = self._query[key]
        self.read.add(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._query

    def __iter__(self):
        return iter(self._query)

    def __len__(self) -> int:
        return len(self._query)


def left_out(query: Mapping[str, str]) -> str | None:
    """What to tell the visitor when :func:`decode` follows ``query`` but reads not all of it, else None.

    A parameter the app does not read (a typo, a generator's knob without its ``g_``, a model
    term without a ``target``) would otherwise vanish from the URL without a word. Call it only
    on a query that :func:`decode` accepts.

    Examples
    --------
    >>> note = left_out({"gen": "collinear", "p": "4", "utm_source": "mail"})
    >>> note.startswith("This link's parameter 'p' is not a parameter the app reads"), "written g_<name>: g_p" in note
    (True, True)
    >>> left_out({"lesson": "3"}) is None
    True
    """
    reads = _Reads(query)
    decode(reads)
    names = [k for k in query if k not in reads.read and not k.startswith(_FOREIGN)]
    if not names:
        return None
    one = len(names) == 1
    shown = ", ".join(repr(k if len(k) <= _NAME_SHOWN else k[:_NAME_SHOWN] + "…") for k in names[:_NAMES_SHOWN])
    if len(names) > _NAMES_SHOWN:
        shown += f" and {len(names) - _NAMES_SHOWN} more"
    generator = GENERATOR_PARAMS.get(query.get("gen", ""))
    knobs = {*generator, "seed"} if generator is not None else set()
    hints = [f"g_{k}" for k in names if k in knobs]
    hint = f" (a generator's settings are written g_<name>: {', '.join(hints)})" if hints else ""
    what = "parameter" if one else "parameters"
    return (f"This link's {what} {shown} {'is not a' if one else 'are not'} {what} the app reads, so "
            f"{'it was' if one else 'they were'} left out{hint}; the rest of the link was followed.")


def parse(f: Field, text: str, key: str | None = None) -> Any:
    """The value of field ``f`` that the link text ``text`` stands for.

    Raises
    ------
    ModelError
        If the text is not a value of the field's type within its range.

    Examples
    --------
    >>> parse(FIELDS["gd"]["learning_rate"], "0.05")
    0.05
    >>> parse(FIELDS["gd"]["batch_size"], "0") is None
    True
    """
    key = key or f.link
    kind = f.kind
    if kind == "column":
        # Any name may be a column's; the app checks it against the data it opens with.
        if not text or len(text) > _MAX_NAME:
            raise ModelError(f"link parameter {key!r} must name a column (1 to {_MAX_NAME} characters); "
                             f"got {len(text)} characters")
        return text
    if kind == "bool":
        if text not in _TRUE:
            raise ModelError(f"link parameter {key!r} must be 0 or 1; got {text!r}")
        return _TRUE[text]
    if kind == "choice":
        value = _number(text) if all(isinstance(o, float) for o in f.options) else text
        if value not in f.options:
            raise ModelError(f"link parameter {key!r} must be one of {f.options}; got {text!r}")
        return f.options[f.options.index(value)]
    if kind == "int":
        if not text.lstrip("-").isdigit() or not f.low <= int(text) <= f.high:
            raise ModelError(f"link parameter {key!r} must be a whole number from {f.low:g} to {f.high:g}; "
                             f"got {text!r}")
        # A whole-number field without a default (the batch size) says 0 for "none".
        return None if f.default is None and int(text) == 0 else int(text)
    value = _number(text)
    if not (math.isfinite(value) and f.low <= value <= f.high):
        raise ModelError(f"link parameter {key!r} must be a number from {f.low:g} to {f.high:g}; got {text!r}")
    if f.grid:
        steps = value / f.step
        if abs(steps - round(steps)) > 1e-9:
            raise ModelError(f"link parameter {key!r} must be a multiple of {f.step:g} from {f.low:g} to "
                             f"{f.high:g}; got {text!r}")
        return round(round(steps) * f.step, 10)  # 0.3, not 0.30000000000000004
    return value


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
    flag = Field(True)
    return ModelSpec(
        target=query["target"],
        features=names("features"),
        categorical=names("cat"),
        poly=tuple(poly),
        interactions=tuple((a, b) for a, b in pairs("inter")),
        standardize=parse(flag, query["std"], "std") if "std" in query else False,
        intercept=parse(flag, query["icpt"], "icpt") if "icpt" in query else True,
    )


def _decode_generator(kind: str, query: Mapping[str, str]) -> DataSource:
    """A generator with its parameters from ``g_*``; the default seed when the link has none."""
    if kind not in GENERATOR_PARAMS:
        raise ModelError(f"the link names an unknown generator {kind!r}; generators are {sorted(GENERATOR_PARAMS)}")
    knobs = {name: Field(default, low, high) for name, (default, low, high, _help) in GENERATOR_PARAMS[kind].items()}
    knobs["seed"] = SEED
    params = {name: parse(f, query[f"g_{name}"], f"g_{name}") for name, f in knobs.items() if f"g_{name}" in query}
    seed = params.pop("seed", DEFAULT_SEED)
    return DataSource("synthetic", kind, tuple(params.items()), seed)


_SAMPLE_ROWS = Field(100_000, 1, MAX_SAMPLE_ROWS)


def _decode_registered(name: str, query: Mapping[str, str]) -> DataSource:
    """The operator's dataset of that name (its location from the server's table), or a sample of it."""
    datasets = config.registry().datasets
    if name not in datasets:
        known = f"its datasets are {sorted(datasets)}" if datasets else "it has none"
        raise ModelError(f"the link names a large dataset {name!r} that this server does not have; {known}")
    if "large_n" not in query:
        return registered_source(name, datasets[name])
    n = parse(_SAMPLE_ROWS, query["large_n"], "large_n")
    seed = parse(SEED, query["large_seed"], "large_seed") if "large_seed" in query else 0
    return registered_source(name, datasets[name], sample=n, seed=seed)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _text(v: float | int | bool | str) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return repr(float(v))
