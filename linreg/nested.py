"""Nested models: does a larger model explain significantly more than a smaller one?

:func:`compare_models` is the F test of R's ``anova(smaller, larger)`` and statsmodels'
``larger.compare_f_test(smaller)``, with the change in R²; :func:`fit_without` fits the
smaller model of a design by leaving out some of its terms, and :func:`comparison_text`
prints the comparison as R's ``anova`` table does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from .design import Design
from .exceptions import ModelError
from .ols import Basis, OLSResult, fit_ols

__all__ = ["ModelComparison", "compare_models", "fit_without", "terms_without", "comparison_text"]


@dataclass(frozen=True)
class ModelComparison:
    """The F test of a smaller model nested in a larger one, fitted to the same rows.

    Attributes
    ----------
    f_statistic : float
        ((rss_smaller - rss_larger) / df_num) / (rss_larger / df_den); inf when the larger
        model fits exactly and the smaller does not.
    df_num : int
        Parameters the larger model adds: df_resid of the smaller minus that of the larger
        (ranks, so aliased terms do not count).
    df_den : int
        Residual degrees of freedom of the larger model.
    p_value : float
        P(F(df_num, df_den) > f_statistic).
    rss_smaller, rss_larger : float
    df_resid_smaller, df_resid_larger : int
    r_squared_smaller, r_squared_larger : float
    delta_r_squared : float
        r_squared_larger - r_squared_smaller (JASP's "R² change"); NaN when only one model
        has an intercept (R² is then centred in one and uncentred in the other).
    added_terms : tuple of str
        Terms of the larger model that the smaller one does not have.
    """

    f_statistic: float
    df_num: int
    df_den: int
    p_value: float
    rss_smaller: float
    rss_larger: float
    df_resid_smaller: int
    df_resid_larger: int
    r_squared_smaller: float
    r_squared_larger: float
    delta_r_squared: float
    added_terms: tuple[str, ...]

    @property
    def sum_of_squares(self) -> float:
        """rss_smaller - rss_larger: what the added terms explain (R's "Sum of Sq")."""
        return self.rss_smaller - self.rss_larger

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (NaN and inf as None), for JSON."""
        out: dict[str, Any] = {}
        for key in ("f_statistic", "df_num", "df_den", "p_value", "rss_smaller", "rss_larger", "df_resid_smaller",
                    "df_resid_larger", "r_squared_smaller", "r_squared_larger", "delta_r_squared"):
            value = getattr(self, key)
            if isinstance(value, float):
                value = value if math.isfinite(value) else None
            out[key] = value
        out["added_terms"] = list(self.added_terms)
        return out


def compare_models(smaller: OLSResult, larger: OLSResult) -> ModelComparison:
    """F test of ``smaller`` against ``larger``, as R's ``anova(smaller, larger)``.

    Parameters
    ----------
    smaller, larger : OLSResult
        Fitted to the same rows (same n and y, same weights if any); every term of
        ``smaller`` is a term of ``larger``, with the same values.

    Returns
    -------
    ModelComparison

    Raises
    ------
    ModelError
        Not OLS results; different rows (n, y or weights differ); a term of ``smaller``
        that ``larger`` lacks or that holds other values there; the same terms; or no
        parameter added once aliased terms are left out.

    Notes
    -----
    F = ((RSS_s - RSS_l) / (df_s - df_l)) / (RSS_l / df_l), df the residual degrees of
    freedom, compared with F(df_s - df_l, df_l). The test uses the residual sums of
    squares whatever covariance the fits report (as R's ``anova`` and statsmodels'
    ``compare_f_test`` do): it assumes constant error variance.

    Examples
    --------
    >>> x = np.arange(8.0)
    >>> y = np.array([1.0, 1.8, 3.5, 3.9, 6.2, 6.8, 8.1, 9.9])
    >>> small = fit_ols(np.ones((8, 0)), y)
    >>> large = fit_ols(x[:, None], y, terms=["x"])
    >>> c = compare_models(small, large)
    >>> c.df_num, c.df_den, round(c.f_statistic, 2), round(c.delta_r_squared, 4)
    (1, 6, 427.33, 0.9862)
    """
    for name, r in (("smaller", smaller), ("larger", larger)):
        if not isinstance(r, OLSResult):
            raise ModelError(f"{name} must be an OLSResult (from fit_ols or fit_design); got {type(r).__name__}")
    _check_same_rows(smaller, larger)
    _check_nested(smaller, larger)
    df_num = smaller.df_resid - larger.df_resid
    if df_num <= 0:
        raise ModelError(
            "the larger model adds no estimable parameter: its extra terms "
            f"({', '.join(t for t in larger.terms if t not in smaller.terms)}) are aliased with the others "
            "(exact linear combinations), so there is nothing to test"
        )
    df_den = larger.df_resid
    ss = smaller.rss - larger.rss
    if larger.rss == 0.0:
        f = math.inf if ss > 0 else math.nan
    else:
        f = max(ss, 0.0) / df_num / (larger.rss / df_den)
    p = float(stats.f.sf(f, df_num, df_den)) if not math.isnan(f) else math.nan
    return ModelComparison(
        f_statistic=float(f), df_num=int(df_num), df_den=int(df_den), p_value=p,
        rss_smaller=float(smaller.rss), rss_larger=float(larger.rss),
        df_resid_smaller=int(smaller.df_resid), df_resid_larger=int(larger.df_resid),
        r_squared_smaller=float(smaller.r_squared), r_squared_larger=float(larger.r_squared),
        delta_r_squared=float(larger.r_squared - smaller.r_squared) if smaller.intercept == larger.intercept
        else math.nan,
        added_terms=tuple(t for t in larger.terms if t not in smaller.terms),
    )


def _check_same_rows(smaller: OLSResult, larger: OLSResult) -> None:
    if smaller.n != larger.n:
        raise ModelError(
            f"the models were fitted to different rows: the smaller to {smaller.n:,}, the larger to {larger.n:,}; "
            "fit both to the same rows (rows with a missing value in a column only the larger model uses are "
            "dropped from it alone: drop them from the data first)"
        )
    if not np.array_equal(smaller.y, larger.y):
        i = int(np.flatnonzero(smaller.y != larger.y)[0])
        raise ModelError(
            f"the models were fitted to different targets: y differs first at row {i} "
            f"({smaller.y[i]!r} against {larger.y[i]!r}); compare models of the same target on the same rows"
        )
    ws, wl = getattr(smaller, "weights", None), getattr(larger, "weights", None)
    if (ws is None) != (wl is None) or (ws is not None and not np.array_equal(ws, wl)):
        raise ModelError("the models were fitted with different weights; fit both with the same weights")


def _check_nested(smaller: OLSResult, larger: OLSResult) -> None:
    missing = [t for t in smaller.terms if t not in larger.terms]
    if missing:
        raise ModelError(
            f"the models are not nested: the smaller model's terms {', '.join(missing)} are not in the larger "
            "model; every term of the smaller model must also be in the larger one"
        )
    if set(smaller.terms) == set(larger.terms):
        raise ModelError("the two models have the same terms; the larger model must add at least one term")
    index = {t: j for j, t in enumerate(larger.terms)}
    Xs, Xl = smaller.X, larger.X
    for j, t in enumerate(smaller.terms):
        a, b = Xs[:, j], Xl[:, index[t]]
        if not np.allclose(a, b, rtol=1e-12, atol=0.0):
            raise ModelError(
                f"the term '{t}' holds different values in the two models (e.g. standardized with other means, "
                "or built from other rows); build both designs from the same data and options"
            )


def terms_without(design: Design, drop: Iterable[str]) -> tuple[str, ...]:
    """The design's terms (and "Intercept") that remain when ``drop`` is left out.

    Parameters
    ----------
    design : Design
    drop : iterable of str
        Each one of: a term of the design (``x^2``, ``g[b]``, ``g[b]:x``); a categorical
        column (all its dummies, ``g[b]``, ``g[c]``, ...); an interaction of the spec written
        ``a:b`` (all its product columns); or ``Intercept``.

    Returns
    -------
    tuple of str
        The remaining terms in design order, "Intercept" first when kept.

    Raises
    ------
    ModelError
        A name that matches no term (the message lists them), or nothing left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from linreg.design import ModelSpec, build_design
    >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3, 6, 5], "x": [1.0, 2, 3, 4, 5, 6], "g": list("abcabc")})
    >>> d = build_design(df, ModelSpec("y", categorical=("g",)))
    >>> terms_without(d, ["g"])
    ('Intercept', 'x')
    """
    drop = [str(name).strip() for name in drop]
    terms = (("Intercept",) if design.intercept else ()) + tuple(design.terms)
    categorical = set(design.spec.categorical)
    pairs = {f"{a}:{b}": (a, b) for a, b in design.spec.interactions}
    gone: set[str] = set()
    for name in drop:
        if name in terms:
            matched = [name]
        elif name in categorical:
            matched = [t for t in terms if t.startswith(f"{name}[") and ":" not in t[len(name):].split("]", 1)[-1]]
        elif name in pairs:
            a, b = pairs[name]
            matched = [t for t in terms if _is_product_of(t, a, b)]
        else:
            matched = []
        if not matched:
            shown = ", ".join(terms[:30]) + (" ..." if len(terms) > 30 else "")
            raise ModelError(f"'{name}' is not a term of the model; the terms are: {shown}")
        gone.update(matched)
    kept = tuple(t for t in terms if t not in gone)
    if len(kept) == len(terms):
        raise ModelError("name at least one term to leave out of the smaller model")
    return kept


def _is_product_of(term: str, a: str, b: str) -> bool:
    """Whether ``term`` is a column of the interaction a:b (``a:b``, ``a[l]:b``, ``a:b[m]``, ``a[l]:b[m]``)."""
    for left in (a, f"{a}["):
        if term.startswith(left):
            rest = term[len(a):]
            if rest.startswith("["):
                close = rest.find("]")
                if close < 0:
                    return False
                rest = rest[close + 1:]
            if rest == f":{b}" or (rest.startswith(f":{b}[") and rest.endswith("]")):
                return True
    return False


def fit_without(design: Design, drop: Iterable[str], *, method: str = "qr", alpha: float = 0.05,
                **fit_options: Any) -> OLSResult:
    """Fit the smaller model: ``design`` without the terms named in ``drop``.

    Parameters
    ----------
    design : Design
    drop : iterable of str
        See :func:`terms_without`.
    method, alpha
        As for :func:`linreg.design.fit_design`.
    **fit_options
        Passed on to :func:`linreg.ols.fit_ols` (e.g. the weights of the larger fit).

    Returns
    -------
    OLSResult
        On the same rows as ``fit_design(design)``, ready for :func:`compare_models`.

    Examples
    --------
    >>> import pandas as pd
    >>> from linreg.design import ModelSpec, build_design
    >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3, 6, 5], "x": [1.0, 2, 3, 4, 5, 6], "g": list("abcabc")})
    >>> fit_without(build_design(df, ModelSpec("y", categorical=("g",))), ["g"]).terms
    ('Intercept', 'x')
    """
    kept = terms_without(design, drop)
    intercept = "Intercept" in kept
    columns = [j for j, t in enumerate(design.terms) if t in kept]
    X = design.X[:, columns]
    return fit_ols(X, design.y, intercept=intercept, method=method, alpha=alpha,
                   terms=tuple(design.terms[j] for j in columns),
                   basis=_basis_without(design, columns, intercept), **fit_options)


def _basis_without(design: Design, columns: list[int], intercept: bool) -> Basis | None:
    """The design's polynomial basis with the dropped columns removed, when it stays valid.

    A column the basis leaves as it is (its row and column of M are those of the identity)
    can be removed from Z and M alike; removing a polynomial column or the intercept
    changes the basis itself, so the smaller model is then fitted on its raw columns.
    """
    basis = design.basis
    if basis is None or intercept != design.intercept:
        return None
    off = int(design.intercept)
    keep = list(range(off)) + [off + j for j in columns]
    M = basis.M
    k = M.shape[0]
    for j in sorted(set(range(k)) - set(keep)):
        unit = [int(i == j) for i in range(k)]
        if [M[j, i] for i in range(k)] != unit or [M[i, j] for i in range(k)] != unit:
            return None
    return Basis(Z=basis.Z[:, keep], M=M[np.ix_(keep, keep)])


def comparison_text(comparison: ModelComparison, smaller_terms: Iterable[str], larger_terms: Iterable[str],
                    *, target: str = "y") -> str:
    """The comparison as R's ``anova(smaller, larger)`` prints it, with the change in R².

    Parameters
    ----------
    comparison : ModelComparison
    smaller_terms, larger_terms : iterable of str
        ``OLSResult.terms`` of the two fits, for the model formulas.
    target : str, default "y"

    Returns
    -------
    str
        Lines: the title, both formulas, the table (Res.Df, RSS, Df, Sum of Sq, F, Pr(>F)),
        the significance legend and R² of both models with its change.

    Examples
    --------
    >>> x = np.arange(8.0)
    >>> y = np.array([1.0, 1.8, 3.5, 3.9, 6.2, 6.8, 8.1, 9.9])
    >>> small, large = fit_ols(np.ones((8, 0)), y), fit_ols(x[:, None], y, terms=["x"])
    >>> print(comparison_text(compare_models(small, large), small.terms, large.terms).splitlines()[2])
    Model 1: y ~ 1
    """
    from .report import _SIGNIF_LEGEND, _fmt, _fmt_p, _formula, _stars, _table, terminal_safe

    c = comparison
    smaller_terms, larger_terms = tuple(smaller_terms), tuple(larger_terms)
    rows = [
        ["1", str(c.df_resid_smaller), _fmt(c.rss_smaller, 5), "", "", "", ""],
        ["2", str(c.df_resid_larger), _fmt(c.rss_larger, 5), str(c.df_num), _fmt(c.sum_of_squares, 5),
         _fmt(c.f_statistic, 5), _fmt_p(c.p_value), _stars(c.p_value)],
    ]
    rows[0].append("")
    lines = [
        "Analysis of Variance Table",
        "",
        f"Model 1: {_formula(target, smaller_terms, 'Intercept' in smaller_terms)}",
        f"Model 2: {_formula(target, larger_terms, 'Intercept' in larger_terms)}",
        *_table(["", "Res.Df", "RSS", "Df", "Sum of Sq", "F", "Pr(>F)", ""], rows),
        "---",
        _SIGNIF_LEGEND,
        "",
        f"R-squared: {_fmt(c.r_squared_smaller, 4)} (model 1), {_fmt(c.r_squared_larger, 4)} (model 2), "
        + (f"change {_fmt(c.delta_r_squared, 4)} from adding {', '.join(c.added_terms)}"
           if math.isfinite(c.delta_r_squared) else "not comparable (centred with an intercept, uncentred without)"),
    ]
    return terminal_safe("\n".join(lines), keep_newlines=True)
