"""Cached penalized fits of the current design: the λ path, its cross-validation and one fit.

Each lives in ``ui.cache``'s shared store (see there), keyed by the data's digest, the model
spec and the penalty's settings. The functions read the session's data and model and raise
``linreg.exceptions.LinregError``.
"""

from __future__ import annotations

from linreg import budget

from .cache import current, design_of, stored


def penalty_path(l1_ratio: float, standardize: bool):
    """``linreg.penalized.PenaltyPath`` of the current design (default λ grid). Raises LinregError."""
    from linreg.penalized import penalty_path as _penalty_path

    key, spec, df = current()
    d = design_of(key, spec, df)
    return stored("path", (key, spec, float(l1_ratio), bool(standardize)), "the penalty path",
                   lambda: budget.path_cost(d.X.shape[0], d.X.shape[1], l1_ratio=float(l1_ratio)),
                   lambda hooks: _penalty_path(d.X, d.y, l1_ratio=float(l1_ratio), standardize=bool(standardize),
                                               intercept=d.intercept, terms=d.terms, **hooks))


def penalty_cv(l1_ratio: float, standardize: bool, k: int = 5, seed: int = 0):
    """``linreg.penalized.CVResult`` (k-fold, seeded) of the current design. Raises LinregError."""
    from linreg.penalized import cross_validate

    key, spec, df = current()
    d = design_of(key, spec, df)
    return stored("cv", (key, spec, float(l1_ratio), bool(standardize), int(k), int(seed)), "the cross-validation",
                   lambda: budget.cv_cost(d.X.shape[0], d.X.shape[1], k=int(k), l1_ratio=float(l1_ratio)),
                   lambda hooks: cross_validate(d.X, d.y, l1_ratio=float(l1_ratio), standardize=bool(standardize),
                                                intercept=d.intercept, terms=d.terms, k=int(k), seed=int(seed),
                                                **hooks))


def penalized(lam: float, l1_ratio: float, standardize: bool):
    """``linreg.penalized.PenalizedResult`` of the current design at λ = ``lam``. Raises LinregError."""
    from linreg.penalized import fit_penalized

    key, spec, df = current()
    d = design_of(key, spec, df)
    return stored("penalized", (key, spec, float(lam), float(l1_ratio), bool(standardize)), "the penalized fit",
                   lambda: budget.path_cost(d.X.shape[0], d.X.shape[1], n_lams=1, l1_ratio=float(l1_ratio)),
                   lambda hooks: fit_penalized(d.X, d.y, lam=float(lam), l1_ratio=float(l1_ratio),
                                               intercept=d.intercept, standardize=bool(standardize), terms=d.terms))
