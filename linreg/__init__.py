"""linreg: linear regression by closed form and by gradient descent, with the numbers to teach it.

The public surface, by concept:

- ``fit_ols`` (module ``ols``): least squares by QR, SVD or the normal equations, with full inference.
- ``ModelSpec``, ``build_design``, ``fit_design`` (``design``): model terms from a table;
  ``default_spec`` (and ``default_spec_with_notes``, which says which text columns it left out).
- ``gradient_descent`` (``descent``); the quadratic bowl it runs on (``quadratic``): ``loss``,
  ``gradient``, ``hessian_eigenvalues``, ``learning_rate_bounds``, the convergence rates,
  ``predicted_iterations``, ``condition_number``, ``loss_surface``, ``step_arithmetic``.
- ``breusch_pagan``, ``jarque_bera``, ``durbin_watson``, ``vif``, ``influence_table``,
  ``cooks_contour`` (``diagnostics``); ``lowess``, ``normal_quantiles``, ``qq_line`` (``smooth``).
- ``load_csv``, ``digest`` (``data``), ``make_data`` and the generators (``synthetic``), ``load_dataset`` (``datasets``).
- ``DataSource`` (``sources``): where data comes from (built-in, generator, CSV); ``load()`` makes it.
- ``fit_penalized``, ``penalty_path``, ``cross_validate`` (``penalized``): ridge, lasso, elastic net.
- ``degree_explorer``, ``bootstrap_fits`` (``complexity``): model complexity, bias and variance.
- ``summary_text`` (``report``): the R-style summary of any fit (also ``OLSResult.summary()``).
- ``Limits`` (``budget``): the size and time limits a call may be given; exceeding one raises ``BudgetError``,
  and a run stopped by its ``should_stop`` callback raises ``Cancelled``.

Exports to CSV and the reproducing script live in ``linreg.export``; the lessons' helpers in
``linreg.lessons``; number formats in ``linreg.format``.

Figure builders live in ``linreg.plots`` and are imported from there.
"""

from .budget import DEFAULT_LIMITS, Limits
from .complexity import BootstrapFits, DegreeExplorer, bootstrap_fits, degree_explorer
from .data import check_finite, digest, load_csv
from .datasets import DATASETS, DatasetInfo, load_dataset
from .descent import GDHistory, GDResult, gradient_descent
from .design import DefaultSpec, Design, ModelSpec, build_design, default_spec, default_spec_with_notes, fit_design
from .diagnostics import TestResult, breusch_pagan, cooks_contour, durbin_watson, influence_table, jarque_bera, vif
from .exceptions import (
    BudgetError,
    Cancelled,
    ConvergenceWarning,
    DataError,
    LinregError,
    LinregWarning,
    ModelError,
    RankDeficiencyWarning,
)
from .ols import METHODS, OLSResult, fit_ols
from .penalized import CVResult, PenalizedResult, PenaltyPath, cross_validate, fit_penalized, penalty_path
from .quadratic import (
    GradientCheck,
    StepArithmetic,
    check_gradient,
    condition_number,
    convergence_rate,
    gradient,
    heavy_ball_rate,
    hessian_eigenvalues,
    learning_rate_bounds,
    loss,
    loss_surface,
    plain_rate,
    predicted_iterations,
    step_arithmetic,
)
from .report import summary_text
from .smooth import lowess, normal_quantiles, qq_line
from .sources import DataSource, LoadedData, builtin_source, csv_source, synthetic_source
from .synthetic import DEFAULT_SEED, GENERATOR_PARAMS, GENERATORS, SyntheticData, make_data

__all__ = [
    # closed form
    "fit_ols", "OLSResult", "METHODS",
    # model terms
    "ModelSpec", "Design", "build_design", "fit_design", "default_spec", "default_spec_with_notes", "DefaultSpec",
    # gradient descent and its bowl
    "gradient_descent", "GDResult", "GDHistory", "loss", "gradient", "hessian_eigenvalues",
    "learning_rate_bounds", "check_gradient", "GradientCheck", "step_arithmetic", "StepArithmetic",
    "loss_surface", "convergence_rate", "plain_rate", "heavy_ball_rate", "predicted_iterations", "condition_number",
    # diagnostics and their smoothers
    "TestResult", "breusch_pagan", "jarque_bera", "durbin_watson", "vif", "influence_table", "cooks_contour",
    "lowess", "normal_quantiles", "qq_line",
    # penalized fits and model complexity
    "fit_penalized", "PenalizedResult", "penalty_path", "PenaltyPath", "cross_validate", "CVResult",
    "degree_explorer", "DegreeExplorer", "bootstrap_fits", "BootstrapFits",
    # data and where it comes from
    "load_csv", "check_finite", "digest", "load_dataset", "DATASETS", "DatasetInfo",
    "make_data", "GENERATORS", "GENERATOR_PARAMS", "SyntheticData", "DEFAULT_SEED",
    "DataSource", "LoadedData", "builtin_source", "synthetic_source", "csv_source",
    # reports
    "summary_text",
    # limits, errors and warnings
    "Limits", "DEFAULT_LIMITS", "LinregError", "DataError", "ModelError", "BudgetError", "Cancelled",
    "LinregWarning", "RankDeficiencyWarning", "ConvergenceWarning",
]
