"""Readable summaries of fits, in the style of R's ``summary.lm``.

:func:`summary_text` renders an :class:`~linreg.ols.OLSResult` (the full table with
standard errors, tests and intervals), a :class:`~linreg.descent.GDResult` (estimates and
how the descent went) or a :class:`~linreg.penalized.PenalizedResult` (estimates, the
penalty and its optimality) as plain text. It is what ``python -m linreg fit`` prints and
what ``OLSResult.summary()`` returns.

User text (column names, the call, messages) may hold terminal control sequences; every
piece of it goes through :func:`terminal_safe` before it is written, so printing a
summary can never recolour, move or clear the reader's terminal.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from .descent import GDResult
from .exceptions import ModelError
from .format import fmt
from .ols import OLSResult
from .penalized import PenalizedResult

__all__ = ["summary_text", "html_summary", "fit_warnings", "terminal_safe", "OBJECTIVE", "COV_NAMES"]

#: How the summary names each ``cov_type`` of :func:`linreg.ols.fit_ols`.
COV_NAMES = {
    "nonrobust": "classical (constant error variance)",
    "HC0": "HC0 (White's heteroscedasticity-consistent)",
    "HC1": "HC1 (heteroscedasticity-consistent, times n / (n - k))",
    "HC2": "HC2 (heteroscedasticity-consistent, leverage-adjusted)",
    "HC3": "HC3 (heteroscedasticity-consistent, MacKinnon-White jackknife)",
    "HAC": "HAC (Newey-West, Bartlett kernel)",
}

#: The penalized objective, as the summary and ``fit --help`` state it.
OBJECTIVE = "L(b0, b) = (1/N)||y - b0 - Xb||^2 + λ(α||b||_1 + (1 - α)||b||_2^2)"

_SIGNIF_LEGEND = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1"

# Escape sequences a terminal acts on: CSI (colours, cursor moves, "ESC [ ... m"), OSC
# (window titles, hyperlinks, "ESC ] ... BEL" or "... ESC \"), the 8-bit CSI, and the
# two-character ESC forms. They are removed whole, so no stray "[31m" is left behind.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -~]?"
)
# What is left of C0 (but newline, handled apart), DEL, C1, and the bidirectional
# embedding, override and isolate controls, which reorder what a reader sees.
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n\x0b\x0c\r\x85\u2028\u2029]")


def terminal_safe(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every terminal control sequence and control character removed.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    keep_newlines : bool, default False
        Keep ``"\\n"`` (for a whole report). Otherwise tabs and line breaks become
        spaces, so a name stays on its line and cannot fake lines of its own.

    Returns
    -------
    str
        ANSI/VT escape sequences (CSI, OSC, 8-bit CSI) dropped whole; the other C0
        and C1 control characters, DEL and the bidirectional override and isolate
        characters dropped; printable text, non-ASCII letters included, unchanged.

    Examples
    --------
    >>> terminal_safe("speed\\x1b[31m (mph)\\x1b[0m")
    'speed (mph)'
    >>> terminal_safe("a\\nb\\x07")
    'a b'
    >>> terminal_safe("λ = 1\\n", keep_newlines=True)
    'λ = 1\\n'
    """
    text = _ESCAPES.sub("", str(text))
    if keep_newlines:
        return _CONTROLS.sub("", text)
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", text))


def summary_text(
    result: OLSResult | GDResult | PenalizedResult,
    *,
    target: str = "y",
    n_dropped: int = 0,
    warnings: Sequence[str] | None = None,
    call: str | None = None,
) -> str:
    """A readable summary of a fit, after R's ``summary.lm``.

    Parameters
    ----------
    result : OLSResult, GDResult or PenalizedResult
    target : str, default "y"
        Name of the target, for the ``Formula:`` line.
    n_dropped : int, default 0
        Rows left out for missing values before the fit (``Design.n_dropped``).
    warnings : sequence of str, optional
        Plain-language warnings to list. Default: the result's own (``OLSResult.warnings``;
        a penalized fit's message when it did not converge; none for gradient descent).
    call : str, optional
        The command that made the fit, shown first as ``Call: ...``; left out when None.

    Returns
    -------
    str
        Lines ending in ``"\\n"``; no terminal control characters.

    Raises
    ------
    ModelError
        If ``result`` is none of the three result types.

    Notes
    -----
    For gradient descent the residual standard error, R² and adjusted R² are computed at
    the descent's coefficients (``GDResult.sigma``, ``r_squared``, ``adj_r_squared``); standard errors and tests are
    not shown, since they assume the exact least-squares solution.

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> text = summary_text(fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0]))
    >>> print(text.splitlines()[0])
    Method: least squares by Householder QR
    >>> print(text.splitlines()[1])
    Formula: y ~ x1
    """
    if isinstance(result, OLSResult):
        lines = _ols_lines(result, target)
    elif isinstance(result, GDResult):
        lines = _gd_lines(result, target)
    elif isinstance(result, PenalizedResult):
        lines = _penalized_lines(result, target)
    else:
        raise _not_a_result("summary_text", result)
    if call is not None:
        lines.insert(0, f"Call: {terminal_safe(call)}")
    aliased = result.aliased if isinstance(result, OLSResult) else ()
    lines += _notes_block(len(result.y), n_dropped, aliased, fit_warnings(result) if warnings is None else warnings,
                          n_zero_weight=result.n_zero_weight if isinstance(result, OLSResult)
                          and result.weights is not None else None)
    return terminal_safe("\n".join(lines).rstrip() + "\n", keep_newlines=True)


def html_summary(result: OLSResult | GDResult | PenalizedResult) -> str:
    """A small HTML table of a fit, for a notebook cell (the results' ``_repr_html_``).

    Parameters
    ----------
    result : OLSResult, GDResult or PenalizedResult

    Returns
    -------
    str
        A ``<table>``: one row per term with its estimate (and, for least squares, the
        standard error, t or z, and p-value), under a caption that names the fit. Names
        are HTML-escaped.

    Raises
    ------
    ModelError
        If ``result`` is none of the three result types.

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> table = html_summary(fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0], terms=["<x>"]))
    >>> "<td>&lt;x&gt;</td>" in table, table.count("<tr>")
    (True, 3)
    """
    if isinstance(result, OLSResult):
        stat = "t" if result.use_t else "z"
        header = ["", "coef", "std_err", stat, "p_value"]
        rows = [[term, _fmt(c), _fmt(se), _fmt_t(t), _fmt_p(p)]
                for term, c, se, t, p in zip(result.terms, result.coef, result.std_err, result.t, result.p_value)]
        cov = result.cov_type if result.maxlags is None else f"{result.cov_type}, {result.maxlags} lags"
        caption = (f"{'Weighted l' if result.weights is not None else 'L'}east squares ({result.method}), "
                   f"standard errors {cov}: n = {result.n}, R² = {_fmt(result.r_squared, 4)}, "
                   f"σ = {_fmt(result.sigma, 4)}")
    elif isinstance(result, GDResult):
        header, rows = ["", "coef"], [[term, _fmt(c)] for term, c in zip(result.terms, result.coef)]
        status = "diverged" if result.diverged else "converged" if result.converged else "not converged"
        caption = (f"Gradient descent ({status}, {result.n_iter} iterations): n = {result.n}, "
                   f"R² = {_fmt(result.r_squared, 4)}")
    elif isinstance(result, PenalizedResult):
        header, rows = ["", "coef"], [[term, _fmt(c)] for term, c in zip(result.terms, result.coef)]
        name = {"ridge": "Ridge", "lasso": "Lasso", "elasticnet": "Elastic net"}[result.penalty]
        caption = (f"{name} (λ = {_fmt(result.lam)}, α = {_fmt(result.l1_ratio)}; "
                   f"{'converged' if result.converged else 'NOT converged'}): {result.n_nonzero} non-zero slopes, "
                   f"R² = {_fmt(result.r_squared, 4)}")
    else:
        raise _not_a_result("html_summary", result)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + f"<td>{html.escape(terminal_safe(row[0]))}</td>"
        + "".join(f'<td style="text-align:right">{html.escape(c)}</td>' for c in row[1:]) + "</tr>"
        for row in rows
    )
    return (f"<table><caption>{html.escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def fit_warnings(result: OLSResult | GDResult | PenalizedResult) -> tuple[str, ...]:
    """The plain-language warnings a result carries, as :func:`summary_text` lists them by default.

    ``OLSResult.warnings``; for a penalized fit, its message when it did not converge;
    none for gradient descent (its ``message`` is always shown).

    Examples
    --------
    >>> from linreg.ols import fit_ols
    >>> fit_warnings(fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0]))
    ()
    """
    if isinstance(result, OLSResult):
        return tuple(result.warnings)
    if isinstance(result, PenalizedResult):
        return () if result.converged else (result.message,)
    if isinstance(result, GDResult):
        return ()
    raise _not_a_result("fit_warnings", result)


def _not_a_result(caller: str, result: object) -> ModelError:
    return ModelError(
        f"{caller} takes an OLSResult, GDResult or PenalizedResult (from fit_ols, fit_design, "
        f"gradient_descent or fit_penalized); got {type(result).__name__}"
    )


# ---------------------------------------------------------------------------
# One renderer per result type
# ---------------------------------------------------------------------------

def _ols_lines(result: OLSResult, target: str) -> list[str]:
    terms = _names(result.terms)
    weighted = result.weights is not None
    method = ("weighted " if weighted else "") + _method_name(result.method)
    lines = [f"Method: {method}", f"Formula: {_formula(target, terms, result.intercept)}", ""]
    # R's summary.lm shows the weighted residuals sqrt(w) e of a weighted fit.
    lines += _residual_block(result.weighted_resid, "Weighted Residuals:" if weighted else "Residuals:")
    lines += _coef_block(result, terms)
    sigma_line, r2_line = _fit_lines(result.sigma, result.df_resid, result.r_squared, result.adj_r_squared,
                                     terms, at="")
    lines += [sigma_line, r2_line]
    f = result.f_statistic
    # No F test for an intercept-only model (NaN); an exact fit's infinite F is still shown.
    if not math.isnan(f):
        kind = "F-statistic" if result.cov_type == "nonrobust" else f"Wald F-statistic ({result.cov_type})"
        lines.append(f"{kind}: {_fmt(f, 5)} on {result.df_model} and "
                     f"{result.df_resid} DF,  p-value: {_fmt_p(result.f_p_value)}")
    # R's AIC() and BIC() count sigma as a parameter, as R's logLik's df does.
    lines.append(f"Log-likelihood: {_fmt(result.log_likelihood)} (df={result.rank + 1}),  "
                 f"AIC: {_fmt(result.aic_r)},  BIC: {_fmt(result.bic_r)},  AICc: {_fmt(result.aicc_r)}  "
                 "(R's convention: σ counted)")
    lines.append(f"Condition number: {_fmt(result.condition_number, 4)},  rank: {result.rank} "
                 f"of {len(terms)} terms")
    return lines


def _gd_lines(result: GDResult, target: str) -> list[str]:
    terms = _names(result.terms)
    rows = [[term, _fmt(c)] for term, c in zip(terms, result.coef)]
    status = "diverged" if result.diverged else "converged" if result.converged else "not converged"
    batch = result.batch_size or "all rows"
    lines = [f"Method: {_method_name('gd')}", f"Formula: {_formula(target, terms, result.intercept)}", ""]
    lines += _residual_block(result.resid)
    lines += [
        "Coefficients (gradient descent; no standard errors: they assume the exact least-squares solution,",
        "use --method qr for inference):",
        *_table(["", "Estimate"], rows), "",
        f"Gradient descent ({status}, {result.n_iter} iterations): {terminal_safe(result.message)}",
        f"Learning rate: {_fmt(result.learning_rate)} (largest stable full-batch rate: "
        f"{_fmt(result.max_stable_learning_rate)}); momentum {_fmt(result.momentum)}; "
        f"batch size {batch}; standardized: {'yes' if result.standardize else 'no'}",
        f"Final loss (mean squared residual): {_fmt(result.final_loss)}", "",
    ]
    lines += _fit_lines(result.sigma, result.df_resid, result.r_squared, result.adj_r_squared, terms,
                        at=" (at the gradient-descent coefficients)")
    return lines


def _penalized_lines(result: PenalizedResult, target: str) -> list[str]:
    name = {"ridge": "ridge", "lasso": "lasso", "elasticnet": "elastic net"}[result.penalty]
    solver = result.to_dict()["method"]
    terms = _names(result.terms)
    slopes = [t for t in terms if t != "Intercept"]
    rows = []
    for term, c in zip(terms, result.coef):
        note = "" if term == "Intercept" or c != 0 else "(exactly 0: dropped by the penalty)"
        rows.append([term, _fmt(c), note])
    std = ("on standardized columns (coefficients shown in original units)" if result.standardize
           else "on the columns as given")
    status = "converged" if result.converged else "NOT converged"
    return [
        f"Method: {name} ({solver}), λ = {_fmt(result.lam)}, α = {_fmt(result.l1_ratio)}; penalty {std}",
        f"Objective: {OBJECTIVE}  (intercept not penalized)",
        f"Formula: {_formula(target, terms, result.intercept)}", "",
        *_residual_block(result.resid),
        "Coefficients (penalized estimates; no standard errors, tests or intervals: they are not",
        "defined for a penalized fit, use --method qr for inference):",
        *_table(["", "Estimate", ""], rows), "",
        f"Non-zero slopes: {result.n_nonzero} of {len(slopes)};  effective degrees of freedom: "
        f"{_fmt(result.df, 4)}",
        f"Mean squared residual: {_fmt(result.mse)};  RSS: {_fmt(result.rss)};  "
        f"R-squared: {_fmt(result.r_squared, 5)}",
        f"Objective at the solution: {_fmt(result.objective)}",
        f"Optimality (KKT) violation: {_fmt(result.kkt_violation, 2)} (relative {_fmt(result.kkt_relative, 2)}); "
        f"{status}: {terminal_safe(result.message)}",
    ]


# ---------------------------------------------------------------------------
# Blocks shared by the renderers
# ---------------------------------------------------------------------------

def _names(names: Sequence[str]) -> list[str]:
    return [terminal_safe(name) for name in names]


def _method_name(method: str) -> str:
    return {
        "qr": "least squares by Householder QR",
        "svd": "least squares by SVD",
        "normal": "least squares by the normal equations",
        "gd": "gradient descent",
    }.get(method, str(method))


def _formula(target: str, terms: Sequence[str], intercept: bool) -> str:
    """R-style formula of the fitted terms.

    Examples
    --------
    >>> _formula("y", ("Intercept", "x", "x^2"), True)
    'y ~ x + x^2'
    >>> _formula("y", ("x",), False)
    'y ~ 0 + x'
    """
    rhs = [t for t in terms if t != "Intercept"] if intercept else list(terms)
    if not intercept:
        rhs = ["0", *rhs]
    return f"{terminal_safe(target)} ~ {' + '.join(rhs) if rhs else '1'}"


def _fmt(value: Any, digits: int = 6) -> str:
    """A number in ``digits`` significant digits; NA when undefined (as R prints aliased terms).

    Examples
    --------
    >>> _fmt(3.932409), _fmt(None), _fmt(float("-inf"))
    ('3.93241', 'NA', '-Inf')
    """
    return fmt(value, digits, na="NA", inf="Inf", neg_inf="-Inf")


def _fmt_t(t: Any) -> str:
    """A t value with three decimals, as R prints it (significant digits once it is huge).

    Examples
    --------
    >>> _fmt_t(26.5), _fmt_t(1.23456e7), _fmt_t(float("nan"))
    ('26.500', '1.235e+07', 'NA')
    """
    if t is None or not math.isfinite(float(t)):
        return _fmt(t)
    return f"{float(t):.3f}" if abs(t) < 1e6 else f"{float(t):.4g}"


def _fmt_p(p: Any) -> str:
    """A p-value the way R's format.pval shows it: tiny values as '< 2e-16'.

    Examples
    --------
    >>> _fmt_p(1e-30), _fmt_p(0.01234)
    ('< 2e-16', '0.0123')
    """
    if p is None or math.isnan(float(p)):
        return "NA"
    # Below double precision's epsilon the digits are noise, as R says.
    return "< 2e-16" if p < 2.2e-16 else f"{float(p):.3g}"


def _stars(p: Any) -> str:
    """Significance stars of R's summary.lm.

    Examples
    --------
    >>> [_stars(p) for p in (0.0001, 0.004, 0.02, 0.07, 0.5)]
    ['***', '**', '*', '.', '']
    """
    if p is None or math.isnan(float(p)):
        return ""
    for cut, mark in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p < cut:
            return mark
    return ""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-align the first column (names) and right-align the others."""
    cols = list(zip(header, *rows))
    widths = [max(len(c) for c in col) for col in cols]
    out = []
    for row in (header, *rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        out.append("  ".join(cells).rstrip())
    return out


def _residual_block(resid: np.ndarray, title: str = "Residuals:") -> list[str]:
    # Five-number summary as R prints it; numpy's default quantile is R's type 7.
    q = np.quantile(np.asarray(resid, dtype=float), [0, 0.25, 0.5, 0.75, 1])
    return [title, *_table(["", "Min", "1Q", "Median", "3Q", "Max"],
                                   [["", *(_fmt(v, 5) for v in q)]]), ""]


def _coef_block(result: OLSResult, terms: Sequence[str]) -> list[str]:
    alpha = result.alpha
    rows = []
    for i, term in enumerate(terms):
        p = result.p_value[i]
        rows.append([term, _fmt(result.coef[i]), _fmt(result.std_err[i]), _fmt_t(result.t[i]),
                     _fmt_p(p), _stars(p), _fmt(result.ci_low[i]), _fmt(result.ci_high[i])])
    # Interval bounds headed as R's confint heads them ("2.5 %", "97.5 %"); z for normal-based
    # tests, as R's lmtest::coeftest heads them.
    stat = "t" if result.use_t else "z"
    header = ["", "Estimate", "Std. Error", f"{stat} value", f"Pr(>|{stat}|)", "",
              f"{100 * alpha / 2:g} %", f"{100 * (1 - alpha / 2):g} %"]
    lines = ["Coefficients:", *_table(header, rows), "---", _SIGNIF_LEGEND]
    if result.cov_type != "nonrobust":
        lags = f", maxlags = {result.maxlags}" if result.maxlags is not None else ""
        dist = f"t on {result.df_resid} DF" if result.use_t else "the normal distribution"
        lines.append(f"Standard errors: {COV_NAMES[result.cov_type]}{lags}; tests and intervals from {dist}")
    return [*lines, ""]


def _fit_lines(sigma: Any, df_resid: int, r_squared: Any, adj_r_squared: Any, terms: Sequence[str],
               at: str) -> list[str]:
    r2_kind = "" if terms and terms[0] == "Intercept" else " (uncentred: no intercept)"
    return [
        f"Residual standard error: {_fmt(sigma, 5)} on {df_resid} degrees of freedom{at}",
        f"Multiple R-squared: {_fmt(r_squared, 5)},  Adjusted R-squared: {_fmt(adj_r_squared, 5)}{r2_kind}",
    ]


def _notes_block(n: int, n_dropped: int, aliased: Sequence[str], warnings: Sequence[str],
                 n_zero_weight: int | None = None) -> list[str]:
    lines = [f"Observations: {n} used, {n_dropped} dropped for missing values"]
    if n_zero_weight is not None:
        lines.append(f"Weights: case weights as R's lm(weights=); rows of weight 0 left out: {n_zero_weight}")
    if aliased:
        lines.append(f"Aliased terms (not identified, shown as NA): {', '.join(_names(aliased))}")
    # One line each, whitespace collapsed and repeats dropped.
    messages = list(dict.fromkeys(" ".join(terminal_safe(w).split()) for w in warnings))
    if messages:
        lines.append("Warnings:")
        lines += [f"  - {w}" for w in messages]
    return lines
