"""The app's settings: one table of what each one means, its default, its range and its link name.

Pure Python (no streamlit). ``FIELDS[group][name]`` is a :class:`Field`, shaped like
``linreg.synthetic.GENERATOR_PARAMS``: the widgets take their bounds and help text from it
(``ui.widgets``), and a link is encoded and checked against it (``ui.share``), so a value
that one accepts the other shows unchanged. The groups are the settings types below
(``fit``, ``gd``, ``reg``) and ``view``: where the user is (iteration, lesson, λ).

A newcomer looking for a setting: find its name here; the widget key is ``<prefix>_<key>``
and the link parameter is ``link``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from linreg.ols import COV_TYPES

__all__ = [
    "Field",
    "FIELDS",
    "SEED",
    "Method",
    "METHODS",
    "METHOD_LABELS",
    "COV_TYPES",
    "COV_LABELS",
    "COV_READINGS",
    "Penalty",
    "PENALTIES",
    "N_LESSONS",
    "FitSettings",
    "GDSettings",
    "RegSettings",
]

Method = Literal["qr", "svd", "normal", "gd"]
METHODS: tuple[str, ...] = get_args(Method)
METHOD_LABELS: dict[str, str] = {
    "qr": "QR (Householder)",
    "svd": "SVD",
    "normal": "Normal equations",
    "gd": "Gradient descent",
}
# The covariances of linreg.ols.fit_ols, each with a label and a one-line reading of when to use it.
COV_LABELS: dict[str, str] = {
    "nonrobust": "Classical",
    "HC0": "HC0 (White)",
    "HC1": "HC1",
    "HC2": "HC2",
    "HC3": "HC3",
    "HAC": "HAC (Newey–West)",
}
COV_READINGS: dict[str, str] = {
    "nonrobust": "Classical standard errors assume every residual has the same spread and no correlation "
    "between rows (R's summary(lm)).",
    "HC0": "White's heteroscedasticity-robust standard errors: valid when the residual spread changes, but "
    "too small in small samples.",
    "HC1": "HC0 scaled by n / (n − k): Stata's robust standard errors.",
    "HC2": "Robust standard errors that correct each residual for its leverage, 1/(1 − h).",
    "HC3": "Robust standard errors that correct each residual by 1/(1 − h)²: the safest choice when the "
    "spread changes, especially with few rows or high-leverage rows.",
    "HAC": "Newey–West standard errors, robust to a changing spread and to correlation between nearby rows: "
    "for data in time order.",
}
Penalty = Literal["ridge", "lasso", "elasticnet"]
PENALTIES: tuple[str, ...] = get_args(Penalty)
# The Learn page has lessons 1..N_LESSONS (tests/app/test_learn_page.py checks that the two agree).
N_LESSONS = 10


@dataclass(frozen=True)
class Field:
    """One setting: its default, range, words and names.

    Attributes
    ----------
    default : bool, int, float, str or None
        The value a fresh session starts with; its type is the field's type.
    low, high : float, optional
        The closed range of a number. ``None`` for a choice or a flag.
    help : str
        The widget's help text.
    link : str
        The query parameter a shareable link carries it under ("" for none).
    label : str
        The widget's label.
    key : str
        The stem of its widget keys: ``f"{prefix}_{key}"``.
    options : tuple
        For a choice: every value it may hold.
    step : float, optional
        The widget's step; with ``grid`` a link value must also be a multiple of it.
    grid : bool
        Whether a link value must lie on the widget's ``step`` grid.
    whole : bool
        A whole number (``int``), for fields whose default is None.
    column : bool
        The name of a column of the data (default None: no column). A link carries it only
        with the model it belongs to, and the app checks it against the data.
    slider : bool
        Drawn as a slider rather than a number box.
    """

    default: object
    low: float | None = None
    high: float | None = None
    help: str = ""
    link: str = ""
    label: str = ""
    key: str = ""
    options: tuple = ()
    step: float | None = None
    grid: bool = False
    whole: bool = False
    slider: bool = False
    column: bool = False

    @property
    def kind(self) -> str:
        """"bool", "int", "float", "choice" or "column"."""
        if self.column:
            return "column"
        if self.options:
            return "choice"
        if isinstance(self.default, bool):
            return "bool"
        if isinstance(self.default, int) or self.whole:
            return "int"
        return "float"


# A seed of numpy's generator: any whole number from 0 to 2**31 - 1.
SEED = Field(0, 0, 2**31 - 1, help="The same seed gives the same numbers.", label="Seed", key="seed")
_ROWS = "0 uses every row in each step (full batch); a smaller batch gives stochastic (mini-batch) descent."

FIELDS: dict[str, dict[str, Field]] = {
    "fit": {
        "method": Field("qr", options=METHODS, link="method", label="Method", key="method",
                        help="QR and SVD are the stable closed forms; the normal equations square the condition "
                        "number; gradient descent walks downhill on the loss L(w) = (1/N)‖y − Xw‖²."),
        # The confidence level 1 - alpha is chosen from a few levels (the widget shows 90, 95, 99 %).
        "alpha": Field(0.05, options=(0.1, 0.05, 0.01), link="alpha", label="Confidence level (%)", key="level"),
        "cov_type": Field("nonrobust", options=COV_TYPES, link="cov", label="Standard errors", key="cov",
                          help="The covariance of the coefficients behind the standard errors, t, p-values, "
                          "confidence intervals and F (as statsmodels' cov_type and R's sandwich package). The "
                          "coefficients stay the same."),
        # None (the default) is statsmodels' rule floor(4 (n/100)^(2/9)); the widget and the link say 0 for it.
        "maxlags": Field(None, 0, 10_000, link="lags", label="HAC lags (0 = automatic)", key="lags", step=1,
                         whole=True, help="How many neighbouring rows' residuals may be correlated (Bartlett "
                         "kernel). 0 chooses floor(4 (n/100)^(2/9)), statsmodels' default; must be below the "
                         "number of rows."),
        # Chosen on the Data page, among the numeric columns that are not in the model.
        "weights": Field(None, link="weights", label="Weights column", key="weights", column=True,
                         help="Weighted least squares, as R's lm(weights=): each row counts w times. Rows with a "
                         "missing or zero weight are left out; a negative weight is an error."),
    },
    "gd": {
        "learning_rate": Field(0.1, 1e-10, 1e6, link="lr", label="Learning rate η", key="lr",
                               help="Step size of w ← w − η∇L. Full-batch descent is stable only below 2/λ_max, "
                               "λ_max the largest eigenvalue of the Hessian H = (2/N)XᵀX; the fastest rate is "
                               "2/(λ_max + λ_min)."),
        "n_iter": Field(500, 1, 100_000, link="iters", label="Iterations", key="n_iter", step=100,
                        help="The most steps the run takes; it stops earlier once it has converged."),
        # None (the default) is the full batch; the widget and the link say 0 for it.
        "batch_size": Field(None, 0, 10_000_000, link="batch", label="Batch size (0 = all rows)", key="batch",
                            step=1, whole=True, help=_ROWS),
        "momentum": Field(0.0, 0.0, 0.99, link="mom", label="Momentum μ", key="momentum", step=0.01, slider=True,
                          help="Heavy ball: v ← μv − η∇L, w ← w + v. 0 is plain gradient descent."),
        "seed": Field(0, 0, 2**31 - 1, link="gseed", label="Seed", key="seed",
                      help="Shuffles the mini-batches; the same seed gives the same run."),
        "standardize": Field(True, link="gstd", label="Standardize", key="standardize",
                             help="Run on standardized columns: a rounder loss bowl, so a larger stable rate and "
                             "far fewer steps. Coefficients are still reported in the original units."),
        "ridge": Field(0.0, 0.0, 1e6, link="ridge", label="Ridge λ", key="ridge", step=0.01,
                       help="Adds the ridge penalty λ‖b‖² on the slopes (not the intercept) to the loss, so the "
                       "gradient gains 2λb. 0 is plain least squares. With Standardize the penalty is on the "
                       "standardized slopes, as ridge (α = 0) on the Regularization page."),
    },
    "reg": {
        "penalty": Field("lasso", options=PENALTIES, link="pen", label="Penalty", key="penalty"),
        # The elastic-net mix moves in steps of 0.05; a link holds one of those.
        "alpha": Field(0.5, 0.05, 0.95, link="mix", label="Mix α (0 ridge … 1 lasso)", key="alpha", step=0.05,
                       grid=True, slider=True, help="The share of the L1 (lasso) part of the penalty; 1 − α goes to the "
                       "squared L2 (ridge) part."),
        "standardize": Field(True, link="rstd", label="Standardize", key="standardize",
                             help="Penalize the coefficients of standardized columns (mean 0, SD 1), so that every "
                             "feature is shrunk on the same scale. Coefficients are still reported in the "
                             "original units."),
        "cv_seed": Field(0, 0, 2**31 - 1, link="rseed", label="CV seed", key="cv_seed",
                         help="Shuffles the rows into folds; the same seed gives the same folds."),
    },
    "view": {
        # The scrubber can reach at most the longest run's last iteration.
        "iteration": Field(0, 0, 100_000, link="k", label="Iteration k", key="k"),
        "lesson": Field(1, 1, N_LESSONS, link="lesson", label="Lesson", key="lesson"),
        # λ travels as its value; the page snaps it to its grid (see ui.share.decode).
        "reg_lambda": Field(None, 1e-300, 1e300, link="lam", label="λ", key="lam"),
    },
}


def _default(group: str, name: str):
    return FIELDS[group][name].default


@dataclass(frozen=True)
class FitSettings:
    """How the Fit page fits: a closed-form method or gradient descent, and the CI level 1 - alpha.

    ``cov_type`` and ``maxlags`` (None: automatic; used with HAC only) choose the covariance of
    the least-squares fit; ``weights`` names the data's weights column (None: unweighted).
    Gradient descent, the penalized fits and the pages comparing them are always unweighted.
    """

    method: Method = _default("fit", "method")
    alpha: float = _default("fit", "alpha")
    cov_type: str = _default("fit", "cov_type")
    maxlags: int | None = _default("fit", "maxlags")
    weights: str | None = _default("fit", "weights")


@dataclass(frozen=True)
class GDSettings:
    """Gradient-descent settings shared by the Fit, Gradient descent and Compare pages.

    ``batch_size`` None means full batch. Standardizing by default keeps the default
    learning rate stable on any dataset: the Hessian of standardized columns has
    eigenvalues of order 2, so 0.1 is well below the stable limit 2/lambda_max.
    ``ridge`` is the λ of the penalty λ||b||² on the (working) slopes; 0 is plain least squares.
    """

    learning_rate: float = _default("gd", "learning_rate")
    n_iter: int = _default("gd", "n_iter")
    batch_size: int | None = _default("gd", "batch_size")
    momentum: float = _default("gd", "momentum")
    standardize: bool = _default("gd", "standardize")
    seed: int = _default("gd", "seed")
    ridge: float = _default("gd", "ridge")


@dataclass(frozen=True)
class RegSettings:
    """The Regularization page's penalty controls, kept across pages and carried by links.

    ``alpha`` is the elastic-net mix, kept while another penalty is on show so that going
    back to the elastic net finds it again.
    """

    penalty: Penalty = _default("reg", "penalty")
    alpha: float = _default("reg", "alpha")
    standardize: bool = _default("reg", "standardize")
    cv_seed: int = _default("reg", "cv_seed")

    @property
    def l1_ratio(self) -> float:
        """The mix the fits use: 0 for ridge, 1 for the lasso, ``alpha`` for the elastic net."""
        return {"ridge": 0.0, "lasso": 1.0}.get(self.penalty, self.alpha)
