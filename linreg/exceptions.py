"""Errors and warnings raised by linreg.

Every error is a ``LinregError``, itself a ``ValueError``, so callers that
already catch ``ValueError`` keep working. Its message says what was expected,
what was received, and what to do about it: the app shows it verbatim.
"""

__all__ = [
    "LinregError",
    "DataError",
    "ModelError",
    "BudgetError",
    "LinregWarning",
    "RankDeficiencyWarning",
    "ConvergenceWarning",
    "Cancelled",
]


class LinregError(ValueError):
    """Base class of every error raised by linreg."""


class DataError(LinregError):
    """The data cannot be used: unreadable, empty, non-numeric or non-finite."""


class ModelError(LinregError):
    """The model cannot be fitted as asked: unknown column, too few rows, bad option."""


class BudgetError(ModelError):
    """The request is larger than the server allows: too many terms, levels, bytes or seconds.

    Raised before any of the work starts; the message names the limit and the
    largest setting that fits.
    """


class LinregWarning(UserWarning):
    """Base class of every warning issued by linreg."""


class RankDeficiencyWarning(LinregWarning):
    """Some terms are linear combinations of others; their coefficients are not identified."""


class ConvergenceWarning(LinregWarning):
    """An iterative solver stopped before meeting its tolerance."""


class Cancelled(LinregError):
    """The caller asked the computation to stop (``should_stop`` returned True) before it finished."""
