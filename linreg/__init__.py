"""linreg: linear regression by closed form and by gradient descent, with the numbers to teach it."""

from .exceptions import (
    ConvergenceWarning,
    DataError,
    LinregError,
    LinregWarning,
    ModelError,
    RankDeficiencyWarning,
)

__all__ = [
    "ConvergenceWarning",
    "DataError",
    "LinregError",
    "LinregWarning",
    "ModelError",
    "RankDeficiencyWarning",
]
