"""Export a fit: CSV tables and a short Python script that reproduces it with linreg.

- :func:`coef_csv`: the coefficient table of an :class:`~linreg.ols.OLSResult`;
- :func:`diagnostics_csv`: one row per observation (fitted, residual, leverage, Cook's distance);
- :func:`gd_trace_csv`: the loss, gradient norm and coefficients at every gradient-descent iterate;
- :func:`data_csv`: a table written so that :func:`linreg.data.load_csv` reads back the same numbers;
- :func:`reproduce_script`: a Python script (a string) that rebuilds the data from its
  :class:`DataSource` (a built-in name, a generator with its parameters and seed, or a CSV
  file saved next to the script), builds the design of a :class:`~linreg.design.ModelSpec`,
  fits it and prints the coefficients.

Floats are written with Python's shortest round-trip representation (``repr``), so a
parsed CSV equals the arrays it came from exactly. Undefined values (the NaN of an aliased
term) are written as empty cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._validation import check_option
from .design import ModelSpec
from .exceptions import ModelError

__all__ = [
    "DataSource",
    "SourceKind",
    "builtin_source",
    "synthetic_source",
    "csv_source",
    "source_from_synthetic",
    "source_from_recipe",
    "coef_csv",
    "diagnostics_csv",
    "gd_trace_csv",
    "data_csv",
    "reproduce_script",
    "DEFAULT_CSV_NAME",
]

SourceKind = Literal["builtin", "synthetic", "csv"]
SOURCE_KINDS: tuple[str, ...] = ("builtin", "synthetic", "csv")
#: File name the script reads for uploaded data (the user saves the data next to the script).
DEFAULT_CSV_NAME = "data.csv"


@dataclass(frozen=True)
class DataSource:
    """Where the data of a fit comes from, so a script can rebuild it.

    Attributes
    ----------
    kind : {"builtin", "synthetic", "csv"}
    name : str
        Built-in dataset name, generator kind, or CSV file name.
    params : tuple of (str, value)
        Generator parameters (``n`` included), sorted by name; empty otherwise.
    seed : int or None
        Generator seed.
    """

    kind: SourceKind
    name: str
    params: tuple[tuple[str, Any], ...] = field(default=())
    seed: int | None = None

    def __post_init__(self) -> None:
        check_option("kind", self.kind, SOURCE_KINDS)
        object.__setattr__(self, "params", tuple(sorted((str(k), v) for k, v in dict(self.params).items())))


def builtin_source(name: str) -> DataSource:
    """A built-in dataset of :mod:`linreg.datasets` by name.

    Examples
    --------
    >>> builtin_source("cars")
    DataSource(kind='builtin', name='cars', params=(), seed=None)
    """
    from .datasets import DATASETS

    check_option("dataset", name, DATASETS)
    return DataSource("builtin", name)


def synthetic_source(kind: str, seed: int, **params: Any) -> DataSource:
    """A generator of :mod:`linreg.synthetic` with its parameters and seed.

    Examples
    --------
    >>> synthetic_source("linear", 3, n=20, noise=0.5).params
    (('n', 20), ('noise', 0.5))
    """
    from .synthetic import GENERATORS

    check_option("kind", kind, GENERATORS)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ModelError(f"seed must be a whole number so the script draws the same data; got {seed!r}")
    return DataSource("synthetic", kind, tuple(params.items()), int(seed))


def source_from_synthetic(kind: str, data) -> DataSource:
    """The source of generated data: its kind and the parameters and seed it recorded.

    Parameters
    ----------
    kind : str
        The generator that made it (a key of ``linreg.synthetic.GENERATORS``).
    data : SyntheticData
        Its ``params`` hold every parameter used, ``seed`` included.

    Examples
    --------
    >>> from linreg.synthetic import make_data
    >>> src = source_from_synthetic("linear", make_data("linear", n=5, seed=2))
    >>> src.name, src.seed, dict(src.params)["n"]
    ('linear', 2, 5)
    """
    params = dict(data.params)
    seed = params.pop("seed", None)
    if seed is None or isinstance(seed, str):
        raise ModelError("this synthetic data was drawn without an integer seed, so no script can redraw it; "
                         "generate it again with a seed")
    return synthetic_source(kind, seed, **params)


def source_from_recipe(recipe: Any, csv_name: str = DEFAULT_CSV_NAME) -> DataSource:
    """The source described by the app's recipe (any object with ``kind``, ``name``, ``params``).

    ``kind`` is ``"builtin"``, ``"synthetic"`` (``params`` hold the generator's keywords,
    ``seed`` included) or ``"upload"`` (the script then reads ``csv_name`` next to it).

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> source_from_recipe(R(kind="synthetic", name="linear", params=(("n", 20), ("seed", 4))))
    DataSource(kind='synthetic', name='linear', params=(('n', 20),), seed=4)
    >>> source_from_recipe(R(kind="upload", name="my.csv", params=())).name
    'data.csv'
    """
    kind = getattr(recipe, "kind", None)
    if kind == "builtin":
        return builtin_source(recipe.name)
    if kind == "synthetic":
        params = dict(recipe.params)
        seed = params.pop("seed", None)
        return synthetic_source(recipe.name, seed, **params)
    if kind == "upload":
        return csv_source(csv_name)
    raise ModelError(f"recipe kind must be one of ('builtin', 'synthetic', 'upload'); got {kind!r}")


def csv_source(filename: str = DEFAULT_CSV_NAME) -> DataSource:
    """A CSV file saved next to the script (uploaded data cannot travel inside it).

    Examples
    --------
    >>> csv_source().name
    'data.csv'
    """
    filename = str(filename)
    if not filename or "\n" in filename:
        raise ModelError(f"the CSV file name must be a non-empty single line; got {filename!r}")
    return DataSource("csv", filename)


# =============================================================================
# CSV tables
# =============================================================================
def _to_csv(df: pd.DataFrame) -> str:
    # float_format=None keeps pandas' repr-based round-trip output; NaN -> empty cell.
    return df.to_csv(index=False, lineterminator="\n")


def coef_csv(result) -> str:
    """The coefficient table: term, estimate, std_err, t, p_value, ci_low, ci_high.

    Parameters
    ----------
    result : OLSResult

    Returns
    -------
    str
        CSV text with a header row; aliased terms have empty cells.

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> r = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0])
    >>> print(coef_csv(r).splitlines()[0])
    term,estimate,std_err,t,p_value,ci_low,ci_high
    """
    return _to_csv(pd.DataFrame({
        "term": list(result.terms),
        "estimate": result.coef,
        "std_err": result.std_err,
        "t": result.t,
        "p_value": result.p_value,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
    }))


def diagnostics_csv(result, row_labels: object = None) -> str:
    """Per-observation diagnostics: row, y, fitted, residual, leverage, cooks_distance.

    Parameters
    ----------
    result : OLSResult
    row_labels : array-like, shape (n,), optional
        The rows' labels in the user's data (``Design.row_labels``); default 0..n-1.

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> r = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0])
    >>> print(diagnostics_csv(r).splitlines()[0])
    row,y,fitted,residual,leverage,cooks_distance
    """
    n = result.n
    labels = np.arange(n) if row_labels is None else np.asarray(row_labels)
    if labels.shape != (n,):
        raise ModelError(f"row_labels must have one label per observation ({n}); got shape {labels.shape}")
    return _to_csv(pd.DataFrame({
        "row": labels,
        "y": result.y,
        "fitted": result.fitted,
        "residual": result.resid,
        "leverage": result.leverage,
        "cooks_distance": result.cooks_distance,
    }))


def gd_trace_csv(result) -> str:
    """The gradient-descent trace: iteration, loss, grad_norm, then one column per coefficient.

    Parameters
    ----------
    result : GDResult

    Returns
    -------
    str
        ``n_iter + 1`` rows (iteration 0 is the start). ``loss`` is the full-data loss
        L(w) = (1/N)||y - Xw||^2 (the same in any parametrisation); ``grad_norm`` is the norm
        of the full-data gradient in the run's working parametrisation (standardized columns
        when the run standardized); the coefficient columns ``coef[<term>]`` are in the
        ORIGINAL units of the data.

    Examples
    --------
    >>> from linreg.descent import gradient_descent
    >>> g = gradient_descent([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0], learning_rate=0.1, n_iter=2)
    >>> print(gd_trace_csv(g).splitlines()[0])
    iteration,loss,grad_norm,coef[Intercept],coef[x1]
    """
    h = result.history
    cols: dict[str, Any] = {
        "iteration": np.arange(h.loss.shape[0]),
        "loss": h.loss,
        "grad_norm": h.grad_norm,
    }
    coef = h.coef_original
    for j, term in enumerate(result.terms):
        cols[f"coef[{term}]"] = coef[:, j]
    return _to_csv(pd.DataFrame(cols))


def data_csv(df: pd.DataFrame) -> str:
    """The data as CSV for the reproduction script (no index; floats round-trip exactly).

    Examples
    --------
    >>> data_csv(pd.DataFrame({"x": [0.1, 2.0], "y": [1.0, float("nan")]}))
    'x,y\\n0.1,1.0\\n2.0,\\n'
    """
    return _to_csv(df)


# =============================================================================
# the reproduction script
# =============================================================================
def _py(value: Any) -> str:
    """A Python literal for a parameter value (numbers, strings, bools, None, sequences)."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            raise ModelError(f"parameter value {v!r} cannot be written into a script; give a finite number")
        return repr(v)
    if value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        items = [_py(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise ModelError(f"parameter value {value!r} of type {type(value).__name__} cannot be written into a script")


def _spec_code(spec: ModelSpec) -> str:
    parts = [f"target={_py(spec.target)}"]
    if spec.features:
        parts.append(f"features={_py(tuple(spec.features))}")
    if spec.categorical:
        parts.append(f"categorical={_py(tuple(spec.categorical))}")
    if spec.poly:
        parts.append("poly=(" + "".join(f"({_py(c)}, {int(d)}), " for c, d in spec.poly).rstrip() + ")")
    if spec.interactions:
        parts.append("interactions=(" + "".join(f"({_py(a)}, {_py(b)}), " for a, b in spec.interactions).rstrip() + ")")
    if spec.standardize:
        parts.append("standardize=True")
    if not spec.intercept:
        parts.append("intercept=False")
    return "ModelSpec(\n    " + ",\n    ".join(parts) + ",\n)"


def _data_code(source: DataSource) -> tuple[str, str]:
    """(import line, code that sets ``df``) for a source."""
    if source.kind == "builtin":
        return "from linreg import load_dataset", f"df, _ = load_dataset({_py(source.name)})"
    if source.kind == "synthetic":
        args = "".join(f", {k}={_py(v)}" for k, v in source.params)
        return "from linreg import make_data", f"df = make_data({_py(source.name)}, seed={_py(source.seed)}{args}).data"
    return (
        "from pathlib import Path\n\nfrom linreg import load_csv",
        "# The data travels separately: save it as this file next to the script.\n"
        f"df = load_csv(Path(__file__).with_name({_py(source.name)}))",
    )


def reproduce_script(source: DataSource, spec: ModelSpec, *, method: str = "qr", alpha: float = 0.05) -> str:
    """A short Python script that reproduces the closed-form fit with linreg and prints it.

    The script prints one line per term, ``<term>\\t<coefficient>`` with the coefficient's
    full round-trip representation (``nan`` for an aliased term), then ``R^2`` and ``RSS``.

    Parameters
    ----------
    source : DataSource
        From :func:`builtin_source`, :func:`synthetic_source` or :func:`csv_source`.
    spec : ModelSpec
    method : {"qr", "svd", "normal"}
    alpha : float
        CI level 1 - alpha (passed on to ``fit_design``).

    Returns
    -------
    str
        The script's source code.

    Examples
    --------
    >>> code = reproduce_script(builtin_source("cars"), ModelSpec("dist", features=("speed",)))
    >>> "load_dataset('cars')" in code and "fit_design(design, method='qr'" in code
    True
    """
    from .ols import METHODS

    check_option("method", method, METHODS)
    if not isinstance(source, DataSource):
        raise ModelError(f"source must be a DataSource (builtin_source, synthetic_source or csv_source); got {source!r}")
    imports, data = _data_code(source)
    return f'''"""Reproduce a linear-regression fit made in the linreg app.

Run it with Python in the folder that holds it; it needs the linreg package installed.
"""

{imports}
from linreg import ModelSpec, build_design, fit_design

{data}

spec = {_spec_code(spec)}

design = build_design(df, spec)
result = fit_design(design, method={_py(method)}, alpha={_py(float(alpha))})

for term, coef in zip(result.terms, result.coef):
    print(f"{{term}}\\t{{float(coef)!r}}")
print(f"R^2\\t{{result.r_squared!r}}")
print(f"RSS\\t{{result.rss!r}}")
'''
