"""Cached gradient descent on the current design, and what the GD and Compare pages draw from it.

Like every result over the visitor's data, each lives in ``ui.cache``'s shared store (see
there), keyed by the data's digest, the model spec and the frozen ``GDSettings``. The public
functions read the session's data and model and raise ``linreg.exceptions.LinregError``.
"""

from __future__ import annotations

import pandas as pd

from linreg import budget

from . import session
from .cache import current, design_of, n_coef, ols_of, stored
from .settings import GDSettings


def _gd(key: str, spec, settings: GDSettings, df: pd.DataFrame):
    from linreg.descent import gradient_descent

    d = design_of(key, spec, df)
    return stored("gd", (key, spec, settings), "gradient descent",
                   lambda: budget.descent_cost(d.X.shape[0], n_coef(d), settings.n_iter, settings.batch_size),
                   lambda hooks: gradient_descent(
                       d.X, d.y, learning_rate=settings.learning_rate, n_iter=settings.n_iter,
                       intercept=d.intercept, standardize=settings.standardize, batch_size=settings.batch_size,
                       momentum=settings.momentum, seed=settings.seed, ridge=settings.ridge, terms=d.terms, **hooks))


def gd(settings: GDSettings | None = None):
    """The ``GDResult`` of gradient descent on the current design, with ``session.gd_settings()`` by default.

    Raises
    ------
    LinregError
        If the design cannot be built, a setting is invalid, or the run is over the budget.
    """
    key, spec, df = current()
    return _gd(key, spec, settings if settings is not None else session.gd_settings(), df)


def rate_bounds(standardize: bool) -> tuple[float, float]:
    """(largest stable, optimal) full-batch learning rates of the current design. Raises LinregError."""
    from linreg.quadratic import learning_rate_bounds

    key, spec, df = current()
    d = design_of(key, spec, df)
    return stored("rate_bounds", (key, spec, bool(standardize)), "the stable learning rates",
                   lambda: budget.ols_cost(d.X.shape[0], n_coef(d)),
                   lambda hooks: learning_rate_bounds(d.X, intercept=d.intercept, standardize=bool(standardize)))


def descent_animation(settings: GDSettings, alpha: float, feature: int | None, i: int, j: int):
    """``linreg.plots.animation.descent_animation`` of the current run against the QR fit. Raises LinregError."""
    from linreg.plots.animation import descent_animation as _animation

    key, spec, df = current()
    d, result, fit = design_of(key, spec, df), _gd(key, spec, settings, df), ols_of(key, spec, "qr", alpha, df)
    return stored("animation", (key, spec, settings, alpha, feature, i, j), "the descent's figure", lambda: None,
                   lambda hooks: _animation(result, ols_coef=fit.coef, feature=feature, i=i, j=j, terms=d.terms,
                                            row_labels=d.row_labels))
