"""linreg: linear regression by closed form and by gradient descent, with the numbers to teach it.

The public surface, by concept:

- ``fit_ols`` (module ``ols``): least squares by QR, SVD or the normal equations, with full inference.
- ``ModelSpec``, ``build_design``, ``fit_design`` (``design``): model terms from a table.
- ``gradient_descent`` and its teaching helpers (``descent``).
- ``breusch_pagan``, ``jarque_bera``, ``durbin_watson``, ``vif``, ``influence_table`` (``diagnostics``).
- ``load_csv`` (``data``), ``make_data`` and the generators (``synthetic``), ``load_dataset`` (``datasets``).
- ``fit_penalized``, ``penalty_path``, ``cross_validate`` (``penalized``): ridge, lasso, elastic net.
- ``degree_explorer``, ``bootstrap_fits`` (``complexity``): model complexity, bias and variance.

- ``summary_text`` (``report``): the R-style summary of any fit (also ``OLSResult.summary()``).
- ``DataSource`` (``sources``): where data comes from (built-in, generator, CSV); ``load()`` makes it.

Exports to CSV and the reproducing script live in ``linreg.export``; the lessons' helpers in
``linreg.lessons``.

Figure builders live in ``linreg.plots`` and are imported from there.
"""

from .complexity import BootstrapFits, DegreeExplorer, bootstrap_fits, degree_explorer
from .data import check_finite, load_csv
from .datasets import DATASETS, DatasetInfo, load_dataset
from .descent import (
    GDHistory,
    GDResult,
    GradientCheck,
    StepArithmetic,
    check_gradient,
    convergence_rate,
    gradient,
    gradient_descent,
    hessian_eigenvalues,
    learning_rate_bounds,
    loss,
    loss_surface,
    step_arithmetic,
)
from .design import Design, ModelSpec, build_design, fit_design
from .diagnostics import TestResult, breusch_pagan, durbin_watson, influence_table, jarque_bera, vif
from .exceptions import (
    ConvergenceWarning,
    DataError,
    LinregError,
    LinregWarning,
    ModelError,
    RankDeficiencyWarning,
)
from .ols import METHODS, OLSResult, fit_ols
from .penalized import CVResult, PenalizedResult, PenaltyPath, cross_validate, fit_penalized, penalty_path
from .report import summary_text
from .sources import DataSource, LoadedData
from .synthetic import GENERATOR_PARAMS, GENERATORS, SyntheticData, make_data

__all__ = [
    # closed form
    "fit_ols", "OLSResult", "METHODS",
    # model terms
    "ModelSpec", "Design", "build_design", "fit_design",
    # gradient descent
    "gradient_descent", "GDResult", "GDHistory", "loss", "gradient", "hessian_eigenvalues",
    "learning_rate_bounds", "check_gradient", "GradientCheck", "step_arithmetic", "StepArithmetic",
    "loss_surface", "convergence_rate",
    # diagnostics
    "TestResult", "breusch_pagan", "jarque_bera", "durbin_watson", "vif", "influence_table",
    # penalized fits and model complexity
    "fit_penalized", "PenalizedResult", "penalty_path", "PenaltyPath", "cross_validate", "CVResult",
    "degree_explorer", "DegreeExplorer", "bootstrap_fits", "BootstrapFits",
    # data
    "load_csv", "check_finite", "load_dataset", "DATASETS", "DatasetInfo",
    "make_data", "GENERATORS", "GENERATOR_PARAMS", "SyntheticData", "DataSource", "LoadedData",
    # reports
    "summary_text",
    # errors and warnings
    "LinregError", "DataError", "ModelError", "LinregWarning", "RankDeficiencyWarning", "ConvergenceWarning",
]
