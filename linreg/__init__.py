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

from __future__ import annotations

import importlib

# The exceptions are small and wanted everywhere; every other name is imported from its module on
# first use (PEP 562), so that ``import linreg.data`` (the app's first page, the CLI's ``--help``)
# does not import scipy.stats and every other module with it.
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

_MODULES = {
    "budget": ("DEFAULT_LIMITS", "Limits"),
    "complexity": ("BootstrapFits", "DegreeExplorer", "bootstrap_fits", "degree_explorer"),
    "data": ("check_finite", "digest", "load_csv"),
    "datasets": ("DATASETS", "DatasetInfo", "load_dataset"),
    "descent": ("GDHistory", "GDResult", "gradient_descent"),
    "design": ("DefaultSpec", "Design", "ModelSpec", "build_design", "default_spec", "default_spec_with_notes",
               "fit_design"),
    "diagnostics": ("TestResult", "breusch_pagan", "cooks_contour", "durbin_watson", "influence_table",
                    "jarque_bera", "vif"),
    "ols": ("METHODS", "OLSResult", "fit_ols"),
    "penalized": ("CVResult", "PenalizedResult", "PenaltyPath", "cross_validate", "fit_penalized", "penalty_path"),
    "quadratic": ("GradientCheck", "StepArithmetic", "check_gradient", "condition_number", "convergence_rate",
                  "gradient", "heavy_ball_rate", "hessian_eigenvalues", "learning_rate_bounds", "loss",
                  "loss_surface", "plain_rate", "predicted_iterations", "step_arithmetic"),
    "report": ("summary_text",),
    "smooth": ("lowess", "normal_quantiles", "qq_line"),
    "sources": ("DataSource", "LoadedData", "builtin_source", "csv_source", "synthetic_source"),
    "synthetic": ("DEFAULT_SEED", "GENERATOR_PARAMS", "GENERATORS", "SyntheticData", "make_data"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'linreg' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


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
