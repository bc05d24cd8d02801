"""Every table the app shows, as display strings: no NaN, inf or raw float reaches the screen.

Each builder is a pure function of linreg results (or the user's DataFrame) returning a
``pandas.DataFrame`` of strings, plus the one-line summaries that go with some of them.
Numbers follow the one rule of :mod:`linreg.format`: 4 significant digits (5 or 6 for
estimates), p-values to 3, "—" for undefined and "aliased" for a term with no coefficient.

- Data page: :func:`column_table`, :func:`missing_summary`;
- Fit page: :func:`coef_table` (least squares), :func:`gd_coef_table` (gradient descent beside it),
  :func:`comparison_table` (a smaller model against it), :func:`prediction_table` (new rows);
- Compare page: :func:`compare_coef_table`, :func:`compare_coef_summary`;
- Residuals page: :func:`diagnostic_test_table`, :func:`vif_table`, :func:`vif_summary`,
  :func:`influential_rows`, :func:`influence_measures`, :func:`influence_display`;
- Regularization page: :func:`penalized_coef_table` (and :func:`penalty_name`, its column title).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from linreg.format import fmt, fmt_p

if TYPE_CHECKING:
    from linreg.penalized import PenalizedResult

__all__ = [
    "column_table",
    "missing_summary",
    "coef_table",
    "gd_coef_table",
    "compare_coef_table",
    "compare_coef_summary",
    "diagnostic_test_table",
    "vif_table",
    "vif_summary",
    "influential_rows",
    "influence_measures",
    "influence_display",
    "comparison_table",
    "prediction_table",
    "penalty_name",
    "penalized_coef_table",
]


def _true_value(truth: Mapping[str, float], term: str) -> str:
    """The true coefficient of ``term`` (synthetic data), or "—" when the truth has none."""
    return fmt(truth[term], 5) if term in truth else "—"


# ---------------------------------------------------------------------------
# Data page
# ---------------------------------------------------------------------------
def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "true/false"
    if pd.api.types.is_numeric_dtype(s):
        return "number"
    if isinstance(s.dtype, pd.CategoricalDtype):
        return "category"
    return "text"


def _example(values: pd.Series) -> str:
    if not len(values):
        return "—"
    v = values.iloc[0]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return fmt(float(v), 6)
    return str(v)


def column_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per column: its type, number of distinct values, missing count and share, an example.

    Examples
    --------
    >>> t = column_table(pd.DataFrame({"x": [1.0, None, 3.0], "g": ["a", "b", "a"]}))
    >>> t[["column", "type", "missing"]].values.tolist()
    [['x', 'number', 1], ['g', 'text', 0]]
    """
    n = len(df)
    rows = []
    for c in df.columns:
        s = df[c]
        missing = int(s.isna().sum())
        non_missing = s.dropna()
        rows.append(
            {
                "column": str(c),
                "type": _kind(s),
                "distinct": int(non_missing.nunique()),
                "missing": missing,
                "missing %": f"{100 * missing / n:.1f}%" if n else "—",
                "example": _example(non_missing),
            }
        )
    return pd.DataFrame(rows, columns=["column", "type", "distinct", "missing", "missing %", "example"])


def missing_summary(df: pd.DataFrame) -> str:
    """A sentence reporting the missing values of ``df`` (plain text, column names in backticks).

    Examples
    --------
    >>> missing_summary(pd.DataFrame({"x": [1.0, 2.0]}))
    'No missing values: all 2 rows are complete.'
    >>> missing_summary(pd.DataFrame({"x": [1.0, None], "y": [None, None]}))
    'Missing values: 2 of 2 rows (100.0%) have at least one; by column: `y` 2, `x` 1. Rows missing a value in a column the model uses are left out of the fit.'
    """
    n = len(df)
    counts = df.isna().sum()
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
    if counts.empty:
        return f"No missing values: all {n:,} rows are complete."
    rows = int(df.isna().any(axis=1).sum())
    by_col = ", ".join(f"`{str(c).replace('`', 'ʼ')}` {int(k):,}" for c, k in counts.items())
    return (
        f"Missing values: {rows:,} of {n:,} rows ({100 * rows / n:.1f}%) have at least one; by column: {by_col}. "
        "Rows missing a value in a column the model uses are left out of the fit."
    )


# ---------------------------------------------------------------------------
# Fit page
# ---------------------------------------------------------------------------
def coef_table(result, truth: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The coefficient table of an ``OLSResult`` as display strings: aliased terms say "aliased", never NaN.

    Parameters
    ----------
    result : OLSResult
    truth : mapping of term name to true value, optional
        Adds a "true value" column (synthetic data).

    Returns
    -------
    DataFrame with columns term, estimate, std. error, t (z when the tests use the normal
    distribution, ``result.use_t`` False), p-value, CI low, CI high (and true value).
    """
    level = f"{100 * (1 - result.alpha):g}%"
    aliased = set(result.aliased)
    # Tests on the normal distribution (the robust covariances' default) give z, not t.
    stat = "t" if getattr(result, "use_t", True) else "z"
    rows = []
    for j, term in enumerate(result.terms):
        if term in aliased:
            row = dict.fromkeys(["estimate", "std. error", stat, "p-value", f"{level} CI low", f"{level} CI high"], "aliased")
        else:
            row = {
                "estimate": fmt(result.coef[j], 5),
                "std. error": fmt(result.std_err[j]),
                stat: fmt(result.t[j]),
                "p-value": fmt_p(float(result.p_value[j])),
                f"{level} CI low": fmt(result.ci_low[j], 5),
                f"{level} CI high": fmt(result.ci_high[j], 5),
            }
        row = {"term": term, **row}
        if truth is not None:
            row["true value"] = _true_value(truth, term)
        rows.append(row)
    return pd.DataFrame(rows)


def gd_coef_table(gd_result, ols_result, truth: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Gradient-descent coefficients beside the closed-form ones, term by term.

    Standard errors are a property of the least-squares solution, so they are shown only
    in the closed-form table.
    """
    rows = []
    aliased = set(ols_result.aliased)
    for j, term in enumerate(ols_result.terms):
        row = {
            "term": term,
            "gradient descent": fmt(gd_result.coef[j], 5),
            "closed form (QR)": "aliased" if term in aliased else fmt(ols_result.coef[j], 5),
            "difference": "—" if term in aliased else fmt(gd_result.coef[j] - ols_result.coef[j], 3),
        }
        if truth is not None:
            row["true value"] = _true_value(truth, term)
        rows.append(row)
    return pd.DataFrame(rows)



def prediction_table(new_rows: pd.DataFrame, predictions: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """New rows beside their predictions (``linreg.predict.predict``), as display strings.

    Returns
    -------
    DataFrame
        The new rows' columns (their values as text), then prediction, std. error of the
        mean, and the confidence and prediction intervals at level 1 - alpha.

    Examples
    --------
    >>> pred = pd.DataFrame({"prediction": [2.0], "se_fit": [0.5], "ci_low": [1.0], "ci_high": [3.0],
    ...                      "pi_low": [0.0], "pi_high": [4.0]})
    >>> prediction_table(pd.DataFrame({"x": [1.5]}), pred, 0.05).iloc[0].tolist()
    ['1.5', '2', '0.5', '1', '3', '0', '4']
    """
    level = f"{100 * (1 - alpha):g}%"
    out = pd.DataFrame({str(c): [v if isinstance(v, str) else fmt(v) if isinstance(v, (int, float, np.number))
                                 else str(v) for v in new_rows[c]] for c in new_rows.columns})
    names = {"prediction": "prediction", "se_fit": "std. error", "ci_low": f"{level} CI low",
             "ci_high": f"{level} CI high", "pi_low": f"{level} PI low", "pi_high": f"{level} PI high"}
    for col, name in names.items():
        out[name] = [fmt(v, 5) if col != "se_fit" else fmt(v) for v in predictions[col].to_numpy()]
    return out


def comparison_table(comparison) -> pd.DataFrame:
    """A nested-model comparison as R's ``anova(smaller, larger)`` prints it, as display strings.

    Parameters
    ----------
    comparison : linreg.nested.ModelComparison

    Returns
    -------
    DataFrame
        Two rows (the smaller model, the larger one) and R's columns: model, Res.Df, RSS, Df,
        Sum of Sq, F, Pr(>F), then R² (the larger model's row has the test).

    Examples
    --------
    >>> from linreg.nested import compare_models
    >>> from linreg.ols import fit_ols
    >>> x = np.arange(8.0); y = np.array([1.0, 1.8, 3.5, 3.9, 6.2, 6.8, 8.1, 9.9])
    >>> t = comparison_table(compare_models(fit_ols(np.ones((8, 0)), y), fit_ols(x[:, None], y)))
    >>> t.columns.tolist()
    ['model', 'Res.Df', 'RSS', 'Df', 'Sum of Sq', 'F', 'Pr(>F)', 'R²']
    >>> t.iloc[1].tolist()
    ['larger', '6', '0.939', '1', '66.88', '427.3', '8.34e-07', '0.9862']
    """
    c = comparison
    return pd.DataFrame({
        "model": ["smaller", "larger"],
        "Res.Df": [f"{c.df_resid_smaller:g}", f"{c.df_resid_larger:g}"],
        "RSS": [fmt(c.rss_smaller), fmt(c.rss_larger)],
        "Df": ["", f"{c.df_num:g}"],
        "Sum of Sq": ["", fmt(c.sum_of_squares)],
        "F": ["", fmt(c.f_statistic)],
        "Pr(>F)": ["", fmt_p(c.p_value)],
        "R²": [fmt(c.r_squared_smaller), fmt(c.r_squared_larger)],
    })

# ---------------------------------------------------------------------------
# Compare page: gradient descent against the closed form
# ---------------------------------------------------------------------------
def compare_coef_table(terms, ols_coef: np.ndarray, gd_coef: np.ndarray, aliased=()) -> pd.DataFrame:
    """Coefficients side by side as strings: OLS, GD, GD − OLS ("aliased" where OLS has none).

    Examples
    --------
    >>> compare_coef_table(("Intercept", "x"), np.array([1.0, 2.0]), np.array([1.001, 1.999])).to_dict("list")
    {'term': ['Intercept', 'x'], 'OLS (closed form)': ['1', '2'], 'gradient descent': ['1.001', '1.999'], 'GD − OLS': ['0.001', '-0.001']}
    """
    ols_coef = np.asarray(ols_coef, float)
    gd_coef = np.asarray(gd_coef, float)
    out = {"term": [str(t) for t in terms], "OLS (closed form)": [], "gradient descent": [], "GD − OLS": []}
    for t, a, b in zip(terms, ols_coef, gd_coef):
        undefined = t in aliased or not math.isfinite(a)
        out["OLS (closed form)"].append("aliased" if undefined else fmt(a, 6))
        out["gradient descent"].append(fmt(b, 6))
        out["GD − OLS"].append("—" if undefined else fmt(b - a, 3))
    return pd.DataFrame(out)


def compare_coef_summary(terms, ols_coef: np.ndarray, gd_coef: np.ndarray) -> str:
    """One line: how far gradient descent is from the closed form, in numbers.

    Examples
    --------
    >>> compare_coef_summary(("Intercept", "x"), np.array([1.0, 2.0]), np.array([1.001, 1.999]))
    'Largest difference GD − OLS: 0.001 on Intercept (relative 0.001); 2 coefficients compared.'
    """
    ols_coef, gd_coef = np.asarray(ols_coef, float), np.asarray(gd_coef, float)
    ok = np.isfinite(ols_coef)
    if not ok.any():
        return "No coefficient is identified by the closed form (all aliased), so there is nothing to compare."
    diff = np.where(ok, np.abs(gd_coef - np.where(ok, ols_coef, 0.0)), -1.0)
    worst = int(np.argmax(diff))
    rel = diff[worst] / max(abs(ols_coef[worst]), np.finfo(float).tiny)
    text = (f"Largest difference GD − OLS: {fmt(gd_coef[worst] - ols_coef[worst])} on {terms[worst]} "
            f"(relative {fmt(rel)}); {int(ok.sum())} coefficients compared")
    if not ok.all():
        text += f", {int((~ok).sum())} aliased in the closed form left out"
    return text + "."


# ---------------------------------------------------------------------------
# Residuals page
# ---------------------------------------------------------------------------
def diagnostic_test_table(tests: Sequence) -> pd.DataFrame:
    """One row per test result: test, statistic, df, p-value and its one-line reading.

    Parameters
    ----------
    tests : sequence of linreg.diagnostics.TestResult

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(name="Durbin-Watson", statistic=1.9761, p_value=None, df=None, reading="fine")
    >>> diagnostic_test_table([t]).values.tolist()
    [['Durbin-Watson', '1.976', '—', '—', 'fine']]
    """
    rows = [
        {
            "test": t.name,
            "statistic": fmt(t.statistic),
            "df": fmt(t.df, 3) if t.df is not None else "—",
            "p-value": fmt_p(t.p_value),
            "reading": t.reading,
        }
        for t in tests
    ]
    return pd.DataFrame(rows, columns=["test", "statistic", "df", "p-value", "reading"])


def _vif_reading(value: float, aliased: bool) -> str:
    if aliased:
        return "aliased: a linear combination of other terms, so it has no coefficient of its own"
    if not math.isfinite(value):
        return "perfectly collinear with other terms"
    if value >= 10:
        return "high: its standard error is inflated ×" + fmt(math.sqrt(value), 3) + " by collinearity"
    if value >= 5:
        return "moderate collinearity (standard error ×" + fmt(math.sqrt(value), 3) + ")"
    return "low: little collinearity"


def vif_table(vif: Mapping[str, float], aliased: Sequence[str] = ()) -> pd.DataFrame:
    """VIF per term with a reading; aliased terms show "aliased", never NaN or inf.

    Parameters
    ----------
    vif : mapping of term to float
        ``linreg.diagnostics.vif(result)``.
    aliased : sequence of str
        ``result.aliased``.

    Examples
    --------
    >>> vif_table({"a": 1.2, "b": float("inf")}, aliased=("b",))["VIF"].tolist()
    ['1.2', 'aliased']
    """
    aliased = set(aliased)
    rows = []
    for term, value in vif.items():
        value = float(value)
        is_aliased = term in aliased
        shown = "aliased" if is_aliased else ("∞" if not math.isfinite(value) else fmt(value, 3))
        rows.append({"term": term, "VIF": shown, "reading": _vif_reading(value, is_aliased)})
    return pd.DataFrame(rows, columns=["term", "VIF", "reading"])


def vif_summary(vif: Mapping[str, float], aliased: Sequence[str] = ()) -> str:
    """One line reading the VIFs: the largest, and how many pass the usual 5 and 10 marks.

    Examples
    --------
    >>> vif_summary({"a": 1.2, "b": 7.0})
    'Largest VIF 7 (b): 1 of 2 terms above 5, 0 above 10; VIF = 1/(1 - R²) of a term regressed on the others, and √VIF is how much collinearity inflates its standard error.'
    >>> vif_summary({})
    'VIF needs at least two terms besides the intercept; this model has fewer, so there is no collinearity to measure.'
    """
    aliased = set(aliased)
    finite = {t: float(v) for t, v in vif.items() if t not in aliased and math.isfinite(float(v))}
    if len(vif) < 2:
        return (
            "VIF needs at least two terms besides the intercept; this model has fewer, "
            "so there is no collinearity to measure."
        )
    parts = []
    if finite:
        worst = max(finite, key=finite.get)
        above5 = sum(v > 5 for v in finite.values())
        above10 = sum(v > 10 for v in finite.values())
        parts.append(
            f"Largest VIF {fmt(finite[worst], 3)} ({worst}): {above5} of {len(vif)} terms above 5, {above10} above 10"
        )
    infinite = [t for t, v in vif.items() if t not in aliased and not math.isfinite(float(v))]
    if infinite:
        parts.append(f"{len(infinite)} perfectly collinear ({', '.join(infinite)})")
    if aliased & set(vif):
        parts.append(f"{len(aliased & set(vif))} aliased ({', '.join(t for t in vif if t in aliased)})")
    return (
        "; ".join(parts)
        + "; VIF = 1/(1 - R²) of a term regressed on the others, and √VIF is how much collinearity inflates its "
        "standard error."
    )


def influential_rows(result, row_labels=None, top: int = 10) -> pd.DataFrame:
    """The ``top`` rows of largest Cook's distance, then any rows of leverage one (at most ``top``).

    ``linreg.diagnostics.influence_table`` sorts rows of undefined Cook's distance last,
    where a short table would hide them; yet a row that alone decides a term (leverage 1)
    is the most influential of all, so it is kept.

    Returns
    -------
    DataFrame
        The columns of ``influence_table``.
    """
    from linreg.diagnostics import influence_table  # scipy.stats and integrate: not for every table

    table = influence_table(result, row_labels, top=None)
    undefined = table["cooks_distance"].isna()
    return pd.concat([table[~undefined].head(top), table[undefined].head(top)], ignore_index=True)


def influence_measures(result, row_labels=None, top: int = 10) -> pd.DataFrame:
    """:func:`influential_rows` with R's ``influence.measures`` beside them, and why each row is flagged.

    Parameters
    ----------
    result : OLSResult
    row_labels : array-like, shape (n,), optional
        The rows' labels in the user's data; default 0..n-1.
    top : int, default 10

    Returns
    -------
    DataFrame
        The columns of ``influence_table``, then ``dffits``; ``dfbetas_max``, the DFBETAS of
        largest size in the row (signed), and ``dfbetas_term``, its term ("" when undefined);
        ``covratio``; and ``flagged``: the rules of R's ``is.influential`` the row breaks
        (``InfluenceFlags.reasons``), joined by "; " ("" for none).

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> r = fit_ols([[0.0], [1.0], [2.0], [3.0], [10.0]], [0.1, 1.0, 2.1, 2.9, 4.0])
    >>> t = influence_measures(r, top=1)
    >>> t["row"].tolist(), t["dfbetas_term"].tolist()
    ([4], ['x1'])
    >>> t["flagged"].iloc[0]
    "|DFBETAS| > 1 for Intercept, x1; |DFFITS| > 2.45; Cook's distance > 0.881 (median of F)"
    """
    labels = np.arange(result.n) if row_labels is None else np.asarray(row_labels)
    table = influential_rows(result, np.arange(result.n), top=top)
    at = table["row"].to_numpy(dtype=np.intp)
    dfbetas = result.dfbetas[at]
    defined = ~np.isnan(dfbetas).all(axis=1) if dfbetas.size else np.zeros(len(at), dtype=bool)
    big = np.zeros(len(at), dtype=np.intp)
    big[defined] = np.nanargmax(np.abs(dfbetas[defined]), axis=1)
    flags = result.influence_flags
    return table.assign(
        row=labels[at],
        dffits=result.dffits[at],
        dfbetas_max=np.where(defined, dfbetas[np.arange(len(at)), big] if len(at) else np.nan, np.nan),
        dfbetas_term=[result.terms[j] if ok else "" for j, ok in zip(big, defined)],
        covratio=result.covratio[at],
        flagged=["; ".join(flags.reasons(int(i))) for i in at],
    )


_INFLUENCE_NAMES = {
    "row": "row",
    "fitted": "fitted",
    "resid": "residual",
    "leverage": "leverage",
    "studentized_resid": "studentized residual",
    "cooks_distance": "Cook's distance",
    "dffits": "DFFITS",
    "dfbetas_max": "largest DFBETAS",
    "dfbetas_term": "of term",
    "covratio": "COVRATIO",
    "flagged": "flagged by R's rules",
}


def influence_display(table: pd.DataFrame) -> pd.DataFrame:
    """``linreg.diagnostics.influence_table`` formatted for the screen: 4 significant digits, "—" for undefined.

    Examples
    --------
    >>> t = pd.DataFrame({"row": [7], "fitted": [1.0], "resid": [0.0], "leverage": [1.0],
    ...                   "studentized_resid": [float("nan")], "cooks_distance": [float("nan")]})
    >>> influence_display(t).values.tolist()
    [['7', '1', '0', '1', '—', '—']]
    """
    out = pd.DataFrame(index=range(len(table)))
    for col in table.columns:
        values = table[col].to_numpy()
        name = _INFLUENCE_NAMES.get(col, str(col))
        if col != "row" and pd.api.types.is_numeric_dtype(table[col]):
            out[name] = [fmt(v) for v in values]
        else:
            out[name] = [str(v) for v in values]
    return out


# ---------------------------------------------------------------------------
# Regularization page
# ---------------------------------------------------------------------------
def penalty_name(l1_ratio: float) -> str:
    """Display name of the penalty for ``l1_ratio`` (α).

    Examples
    --------
    >>> penalty_name(0.0), penalty_name(1.0), penalty_name(0.5)
    ('Ridge', 'Lasso', 'Elastic net (α = 0.5)')
    """
    if l1_ratio == 0:
        return "Ridge"
    if l1_ratio == 1:
        return "Lasso"
    return f"Elastic net (α = {fmt(l1_ratio, 3)})"


def penalized_coef_table(
    result: PenalizedResult, ols=None, truth: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Penalized coefficients beside the OLS ones (and the truth), as display strings.

    Parameters
    ----------
    result : PenalizedResult
    ols : OLSResult, optional
        The least-squares fit of the same design; aliased OLS terms say "aliased".
    truth : mapping of term name to true value, optional
        Adds a "true value" column (synthetic data).

    Returns
    -------
    DataFrame with columns term, the penalized fit (named with its λ), and when given
    "OLS", "shrinkage" (penalized / OLS, slopes only) and "true value".

    Examples
    --------
    >>> from linreg.penalized import fit_penalized
    >>> X = np.array([[-1.0], [0.0], [1.0]]); y = np.array([-1.0, 0.0, 1.0])
    >>> penalized_coef_table(fit_penalized(X, y, lam=0.5)).to_dict("records")
    [{'term': 'Intercept', 'Lasso (λ = 0.5)': '0'}, {'term': 'x1', 'Lasso (λ = 0.5)': '0.625'}]
    """
    col = f"{penalty_name(result.l1_ratio)} (λ = {fmt(result.lam)})"
    aliased = set(ols.aliased) if ols is not None else set()
    rows = []
    for j, term in enumerate(result.terms):
        row = {"term": term, col: fmt(result.coef[j], 5)}
        if ols is not None:
            ok = term not in aliased and term in ols.terms
            b = float(ols.coef[ols.terms.index(term)]) if ok else math.nan
            row["OLS"] = fmt(b, 5) if ok else "aliased"
            if term == "Intercept" or not ok or b == 0:
                row["shrinkage"] = "—"
            else:
                row["shrinkage"] = fmt(result.coef[j] / b, 3)
        if truth is not None:
            row["true value"] = _true_value(truth, term)
        rows.append(row)
    return pd.DataFrame(rows)
