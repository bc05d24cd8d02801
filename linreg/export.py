"""Export a fit: CSV tables and a short Python script that reproduces it with linreg.

- :func:`coef_csv`: the coefficient table of an :class:`~linreg.ols.OLSResult`;
- :func:`diagnostics_csv`: one row per observation (fitted, residual, leverage, Cook's distance,
  DFFITS, DFBETAS, COVRATIO and why R's rules flag it);
- :func:`prediction_csv`: new rows beside their predictions and intervals;
- :func:`gd_trace_csv`: the loss, gradient norm and coefficients at every gradient-descent iterate;
- :func:`data_csv`: a table that :func:`load_data_csv` reads back as it was (the same numbers and text);
- :func:`reproduce_script`: a Python script (a string) that rebuilds the data from its
  :class:`~linreg.sources.DataSource` (a built-in name, a generator with its parameters and seed, or a CSV
  file saved next to the script), builds the design of a :class:`~linreg.design.ModelSpec`,
  fits it and prints the coefficients.

Floats are written with Python's shortest round-trip representation (``repr``), so a
parsed CSV equals the arrays it came from exactly. Undefined values (the NaN of an aliased
term) are written as empty cells.

Every CSV is safe to open in a spreadsheet (OWASP's rule against CSV injection): a text
cell or column name that a spreadsheet would run as a formula, one beginning with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return, is written with a leading ``'``, which
spreadsheets read as "this is text" (:func:`guard_formula`). Numbers are never changed,
and neither is text that is a plain decimal number ("-3", "+1.5e3"), which a spreadsheet
reads as that number, not as a formula. Text that already begins with ``'`` gets a second
one, so the rule can be undone exactly: :func:`load_data_csv` (what the reproduction
script calls) reads a :func:`data_csv` file back to the table it was written from. Lines
end in ``\n``; a file with a carriage return inside a value ends its lines in ``\r\n``, so
that the value is quoted and cannot start a row (or a formula cell) of its own.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from ._validation import check_option
from .design import ModelSpec
from .exceptions import ModelError
from .sources import DataSource

__all__ = [
    "coef_csv",
    "diagnostics_csv",
    "prediction_csv",
    "gd_trace_csv",
    "data_csv",
    "load_data_csv",
    "guard_formula",
    "unguard_formula",
    "reproduce_script",
]

# =============================================================================
# CSV tables
# =============================================================================
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def guard_formula(text: str) -> str:
    """``text`` as a spreadsheet will show it, never run it: a leading ``'`` where needed.

    Parameters
    ----------
    text : str
        One cell or column name.

    Returns
    -------
    str
        ``"'" + text`` when ``text`` begins with ``=``, ``+``, ``-``, ``@``, a tab or a
        carriage return and is not a plain decimal number, or when it begins with ``'``
        (so that :func:`unguard_formula` can undo the rule); otherwise ``text``.

    Examples
    --------
    >>> guard_formula("=HYPERLINK('http://evil')"), guard_formula("-x"), guard_formula("@SUM(A1)")
    ("'=HYPERLINK('http://evil')", "'-x", "'@SUM(A1)")
    >>> guard_formula("-3"), guard_formula("+1.5e3"), guard_formula("speed"), guard_formula("'quoted")
    ('-3', '+1.5e3', 'speed', "''quoted")
    """
    if text.startswith("'") or (text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def unguard_formula(text: str) -> str:
    """Undo :func:`guard_formula`: ``unguard_formula(guard_formula(s)) == s`` for every str.

    Examples
    --------
    >>> unguard_formula("'-x"), unguard_formula("''quoted"), unguard_formula("-3")
    ('-x', "'quoted", '-3')
    """
    return text[1:] if text.startswith("'") else text


def _map_text(df: pd.DataFrame, rule) -> pd.DataFrame:
    """``df`` with ``rule`` applied to its column names and to every str cell of its text columns."""
    out = df.rename(columns=lambda c: rule(str(c)), )
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if _is_text(col):
            if isinstance(col.dtype, pd.CategoricalDtype):
                col = col.astype(object)
            out.isetitem(j, col.map(lambda v: rule(v) if isinstance(v, str) else v))
    return out


def _to_csv(df: pd.DataFrame) -> str:
    guarded = _map_text(df, guard_formula)
    # The csv writer quotes a value only for the characters of its line terminator, and a
    # spreadsheet starts a new row at a bare carriage return: with one inside a value (which
    # could start a formula cell of its own), the file gets RFC 4180's CRLF line ends instead,
    # so that such values are quoted.
    crlf = _holds_carriage_return(guarded)
    # float_format=None keeps pandas' repr-based round-trip output; NaN -> empty cell.
    return guarded.to_csv(index=False, lineterminator="\r\n" if crlf else "\n")


def _holds_carriage_return(df: pd.DataFrame) -> bool:
    if any("\r" in str(c) for c in df.columns):
        return True
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        if _is_text(col) and col.map(lambda v: isinstance(v, str) and "\r" in v).any():
            return True
    return False


def _is_text(col: pd.Series) -> bool:
    """Whether a column may hold str cells (anything but numbers; booleans count as text)."""
    return not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


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
    """Per-observation diagnostics, with R's ``influence.measures`` and why each row is flagged.

    Columns: row, y, fitted, residual, leverage, cooks_distance, dffits, one
    ``dfbetas[<term>]`` per term (empty for an aliased term), covratio, and ``flagged``:
    the rules of R's ``is.influential`` the row breaks, joined by "; " (empty for none;
    see :class:`linreg.ols.InfluenceFlags`).

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
    row,y,fitted,residual,leverage,cooks_distance,dffits,dfbetas[Intercept],dfbetas[x1],covratio,flagged
    """
    n = result.n
    labels = np.arange(n) if row_labels is None else np.asarray(row_labels)
    if labels.shape != (n,):
        raise ModelError(f"row_labels must have one label per observation ({n}); got shape {labels.shape}")
    columns: dict[str, Any] = {
        "row": labels,
        "y": result.y,
        "fitted": result.fitted,
        "residual": result.resid,
        "leverage": result.leverage,
        "cooks_distance": result.cooks_distance,
        "dffits": result.dffits,
    }
    dfbetas = result.dfbetas
    for j, term in enumerate(result.terms):
        columns[f"dfbetas[{term}]"] = dfbetas[:, j]
    flags = result.influence_flags
    columns["covratio"] = result.covratio
    columns["flagged"] = ["; ".join(flags.reasons(i)) for i in range(n)]
    return _to_csv(pd.DataFrame(columns))


def prediction_csv(new_rows: pd.DataFrame, predictions: pd.DataFrame) -> str:
    """New rows beside their predictions (``linreg.predict.predict``), one line each.

    Parameters
    ----------
    new_rows : DataFrame, shape (m, c)
        The columns the model uses, as given.
    predictions : DataFrame, shape (m, 6)
        ``predict``'s table for those rows (``PREDICTION_COLUMNS``), in the same order.

    Returns
    -------
    str
        CSV text: the new rows' columns, then prediction, se_fit, ci_low, ci_high, pi_low,
        pi_high. Text and names that a spreadsheet would run are guarded.

    Examples
    --------
    >>> rows = pd.DataFrame({"=x": [1.0]})
    >>> pred = pd.DataFrame({"prediction": [2.0], "se_fit": [0.5], "ci_low": [1.0], "ci_high": [3.0],
    ...                      "pi_low": [0.0], "pi_high": [4.0]})
    >>> print(prediction_csv(rows, pred), end="")
    '=x,prediction,se_fit,ci_low,ci_high,pi_low,pi_high
    1.0,2.0,0.5,1.0,3.0,0.0,4.0
    """
    if len(new_rows) != len(predictions):
        raise ModelError(f"{len(new_rows)} new rows but {len(predictions)} predictions; give one prediction per row")
    rows = new_rows.reset_index(drop=True)
    return _to_csv(pd.concat([rows, predictions.reset_index(drop=True)], axis=1))


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

    Text cells and column names that a spreadsheet would run as formulas get a leading
    ``'`` (see :func:`guard_formula`); :func:`load_data_csv` reads the file back as ``df``.

    Examples
    --------
    >>> data_csv(pd.DataFrame({"x": [0.1, 2.0], "y": [1.0, float("nan")]}))
    'x,y\\n0.1,1.0\\n2.0,\\n'
    >>> data_csv(pd.DataFrame({"=x": [-1.5], "g": ["@a"]}))
    "'=x,g\\n-1.5,'@a\\n"
    """
    return _to_csv(df)


def load_data_csv(source: str | Path | bytes | IO[bytes], **options: Any) -> pd.DataFrame:
    """Read a file written by :func:`data_csv`: :func:`linreg.data.load_csv`, then the formula guard undone.

    Parameters
    ----------
    source : path, bytes or binary file
    **options
        Passed on to :func:`linreg.data.load_csv`.

    Returns
    -------
    DataFrame
        The table ``data_csv`` was given (the same numbers, names and text).

    Examples
    --------
    >>> load_data_csv(data_csv(pd.DataFrame({"=x": [-1.5], "g": ["@a"]})).encode()).columns.tolist()
    ['=x', 'g']
    """
    from .data import load_csv

    return _map_text(load_csv(source, **options), unguard_formula)


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
        "from pathlib import Path\n\nfrom linreg.export import load_data_csv",
        "# The data travels separately: save it as this file next to the script (the app's data\n"
        "# download; cells a spreadsheet would run as formulas were written with a leading ' and\n"
        "# are read back without it).\n"
        f"df = load_data_csv(Path(__file__).with_name({_py(source.name)}))",
    )


def reproduce_script(source: DataSource, spec: ModelSpec, *, method: str = "qr", alpha: float = 0.05,
                     cov_type: str = "nonrobust", maxlags: int | None = None, weights: str | None = None) -> str:
    """A short Python script that reproduces the closed-form fit with linreg and prints it.

    The script prints one line per term, ``<term>\\t<coefficient>`` with the coefficient's
    full round-trip representation (``nan`` for an aliased term), then ``R^2`` and ``RSS``.
    Term names are printed through :func:`linreg.report.terminal_safe`; every name and
    parameter is written into the script as a Python literal (``repr``), so no name can
    end a string or add a line of code.

    Parameters
    ----------
    source : DataSource
        From :func:`linreg.sources.builtin_source`, :func:`~linreg.sources.synthetic_source`
        or :func:`~linreg.sources.csv_source`.
    spec : ModelSpec
    method : {"qr", "svd", "normal"}
    alpha : float
        CI level 1 - alpha (passed on to ``fit_design``).
    cov_type, maxlags
        The covariance (passed on to ``fit_design``; ``maxlags`` with "HAC" only).
    weights : str, optional
        The weights column: the script leaves out the rows without a weight (as R's
        na.omit, and the CLI's ``--weights``) before building the design, and fits with
        the others' weights (a zero weight drops its row in the fit).

    Returns
    -------
    str
        The script's source code.

    Examples
    --------
    >>> from linreg.sources import builtin_source
    >>> code = reproduce_script(builtin_source("cars"), ModelSpec("dist", features=("speed",)))
    >>> "load_dataset('cars')" in code and "fit_design(design, method='qr'" in code
    True
    >>> "weights=weights" in reproduce_script(builtin_source("cars"), ModelSpec("dist"), weights="speed")
    True
    """
    from .ols import COV_TYPES, METHODS

    check_option("method", method, METHODS)
    check_option("cov_type", cov_type, COV_TYPES)
    if maxlags is not None and cov_type != "HAC":
        raise ModelError(f"maxlags applies to cov_type='HAC' only; got maxlags={maxlags!r} with cov_type={cov_type!r}")
    if not isinstance(source, DataSource):
        raise ModelError(f"source must be a DataSource (builtin_source, synthetic_source or csv_source); got {source!r}")
    imports, data = _data_code(source)
    fit_args = f"method={_py(method)}, alpha={_py(float(alpha))}"
    if cov_type != "nonrobust":
        fit_args += f", cov_type={_py(cov_type)}"
    if maxlags is not None:
        fit_args += f", maxlags={_py(int(maxlags))}"
    weighting = ""
    if weights is not None:
        fit_args += ", weights=weights"
        data += (f"\n# Weighted least squares, as R's lm(weights=): rows without a weight are left out.\n"
                 f"df = df[df[{_py(str(weights))}].notna()]")
        weighting = f"weights = df.loc[design.row_labels, {_py(str(weights))}].to_numpy(dtype=float)\n"
    return f'''"""Reproduce a linear-regression fit made in the linreg app.

Run it with Python in the folder that holds it; it needs the linreg package installed.
Get linreg with: pip install "linreg @ git+<repository URL>" (or pip install <path to a clone>)
"""

{imports}
from linreg import ModelSpec, build_design, fit_design
from linreg.report import terminal_safe

{data}

spec = {_spec_code(spec)}

design = build_design(df, spec)
{weighting}result = fit_design(design, {fit_args})

# Names come from the data: printed without the control codes a terminal would act on.
for term, coef in zip(result.terms, result.coef):
    print(f"{{terminal_safe(term)}}\\t{{float(coef)!r}}")
print(f"R^2\\t{{result.r_squared!r}}")
print(f"RSS\\t{{result.rss!r}}")
'''
