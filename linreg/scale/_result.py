"""The result of an out-of-core fit: OLSResult's statistics, streamed diagnostics instead of per-row arrays."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .._repr import short_repr
from ..diagnostics import TestResult
from ..exceptions import ModelError
from ..ols import OLSResult, _FitOptions, _FitStatistics

_PER_ROW = ("fitted", "resid", "leverage", "standardized_resid", "studentized_resid", "cooks_distance", "X",
            "features", "y")


def not_kept(result: object, name: str, per_row: tuple[str, ...], who: str, instead: str) -> Exception:
    """The error for an attribute ``result`` lacks: for a per-row one, a ModelError that says what to use ``instead``.

    ``who`` names what does not keep the rows ("an out-of-core fit"); any other name gets
    Python's own AttributeError.
    """
    if name in per_row:
        return ModelError(f"'{name}' has one value per row, which {who} does not keep; {instead}")
    return AttributeError(f"'{type(result).__name__}' object has no attribute '{name}'")


@dataclass(frozen=True, eq=False)
class ResidualSummary:
    """Residual diagnostics streamed over every row (one pass), as :mod:`linreg.diagnostics` computes them in memory.

    Attributes
    ----------
    breusch_pagan, jarque_bera, durbin_watson : TestResult
        Same statistics, p-values and degrees of freedom as the in-memory tests.
    leverage_sum, leverage_max : float
        Sum (= rank) and largest of the leverages h_i.
    n_studentized_over_3 : int
        Rows whose externally studentized residual exceeds 3 in absolute value.
    cooks_max : float
        Largest Cook's distance.
    top : pandas.DataFrame
        The most influential rows (largest Cook's distance and largest |studentized
        residual|, 20 of each per partition, the overall top kept), with their global
        row number ``row`` (position in the dataset, in file order, counting dropped rows).
    """

    breusch_pagan: TestResult
    jarque_bera: TestResult
    durbin_watson: TestResult
    leverage_sum: float
    leverage_max: float
    n_studentized_over_3: int
    cooks_max: float
    top: object = field(repr=False)

    def to_dict(self) -> dict:
        """JSON-safe numbers (the ``"diagnostics"`` key of the CLI's JSON)."""
        def f(v):
            return float(v) if v is not None and math.isfinite(v) else None

        out = {}
        for t in (self.breusch_pagan, self.jarque_bera, self.durbin_watson):
            key = t.name.lower().replace("-", "_")
            out[key] = {"statistic": f(t.statistic), "p_value": None if t.p_value is None else f(t.p_value),
                        "df": None if t.df is None else f(t.df)}
        out.update(leverage_sum=f(self.leverage_sum), leverage_max=f(self.leverage_max),
                   n_studentized_over_3=int(self.n_studentized_over_3), cooks_max=f(self.cooks_max),
                   top_rows=[int(r) for r in self.top["row"].head(20)])
        return out


@dataclass(frozen=True, eq=False, repr=False)
class ScaleResult(_FitOptions, _FitStatistics):
    """Result of :func:`linreg.scale.fit_ols`: every per-term and fit statistic of :class:`~linreg.ols.OLSResult`.

    The attributes and :meth:`to_dict` keys are OLSResult's. The per-row arrays
    (``fitted``, ``resid``, ``leverage``, ``X``, ...) are not kept: asking for one
    raises a ModelError that names what to use instead: :attr:`diagnostics` (the
    tests and extremes over every row), :attr:`sample` (about ``sample`` rows with
    the most influential ones in it) or :meth:`residuals` (every row, lazily).

    Extra attributes
    ----------------
    n_dropped : int
        Rows dropped for a missing value in a used column.
    n_partitions : int
    passes : int
        Passes over the data (facts, fit, refinement, diagnostics).
    refine_rounds : int
        Refinement passes run.
    diagnostics : ResidualSummary or None
    sample : pandas.DataFrame or None
        Rows with their global row number, the used columns, fitted, resid, leverage,
        standardized_resid, studentized_resid and cooks_distance.
    """

    # After _FitStatistics's fields (terms ... alpha) and _FitOptions's (intercept ... n_zero_weight:
    # an out-of-core fit is unweighted, with the classical covariance, their defaults), in this order:
    n_dropped: int = 0
    n_partitions: int = 0
    passes: int = 0
    refine_rounds: int = 0
    diagnostics: ResidualSummary | None = None
    sample: object = field(default=None, repr=False)
    _residuals: Callable[[], object] | None = field(default=None, repr=False)

    # The statistics derived from the fields above are OLSResult's own code.
    t = OLSResult.t
    p_value = OLSResult.p_value
    _t_crit = OLSResult._t_crit
    ci_low = OLSResult.ci_low
    ci_high = OLSResult.ci_high
    adj_r_squared = OLSResult.adj_r_squared
    f_p_value = OLSResult.f_p_value
    log_likelihood = OLSResult.log_likelihood
    aic = OLSResult.aic
    bic = OLSResult.bic
    aicc = OLSResult.aicc
    aic_r = OLSResult.aic_r
    bic_r = OLSResult.bic_r
    aicc_r = OLSResult.aicc_r
    to_dict = OLSResult.to_dict
    interval = OLSResult.interval
    predict = OLSResult.predict

    def __getattr__(self, name: str):
        # Only reached for attributes the class does not have: the per-row ones among them.
        raise not_kept(self, name, _PER_ROW, "an out-of-core fit",
                       "use result.residuals() (every row, lazily: .to_parquet(path) writes them), result.sample "
                       "(about 10,000 rows including the most influential) or result.diagnostics (tests and extremes)")

    def _design_new(self, X_new: object) -> np.ndarray:
        X_new = np.asarray(X_new, dtype=np.float64)
        p = len(self.terms) - int(self.intercept)
        if X_new.ndim == 1:
            X_new = X_new[:, None] if p == 1 else X_new[None, :]
        if X_new.ndim != 2 or X_new.shape[1] != p:
            from ..exceptions import DataError

            raise DataError(f"X_new must have {p} columns (the terms, without a ones column); got shape {X_new.shape}")
        if self.intercept:
            X_new = np.column_stack([np.ones(X_new.shape[0]), X_new])
        return X_new

    def residuals(self):
        """Every row's fitted value, residual, leverage and influence, as a lazy dask DataFrame.

        Columns: ``row`` (global row number), the used columns, ``fitted``, ``resid``,
        ``leverage``, ``standardized_resid``, ``studentized_resid``, ``cooks_distance``.
        Nothing is read until it is computed or written (``.to_parquet(path)``: one pass).
        """
        if self._residuals is None:  # pragma: no cover - every fit sets it
            raise ModelError("this result has no data source to compute residuals from")
        return self._residuals()

    def as_ols_view(self) -> OLSResult:
        """An OLSResult with this fit's statistics and zero-memory placeholders (broadcast zeros) per row.

        For code that only reads statistics, such as :func:`linreg.report.summary_text`;
        its per-row arrays are zeros, not the residuals.
        """
        zeros = np.broadcast_to(np.float64(0.0), (self.n,))
        p = len(self.terms) - int(self.intercept)
        return OLSResult(
            terms=self.terms, coef=self.coef, std_err=self.std_err, cov_params=self.cov_params, sigma=self.sigma,
            rss=self.rss, tss=self.tss, r_squared=self.r_squared, f_statistic=self.f_statistic,
            df_model=self.df_model, df_resid=self.df_resid, n=self.n, rank=self.rank, aliased=self.aliased,
            condition_number=self.condition_number, method=self.method, alpha=self.alpha, fitted=zeros,
            resid=zeros, leverage=zeros, features=np.broadcast_to(np.float64(0.0), (self.n, p)), y=zeros,
            intercept=self.intercept, warnings=self.warnings,
        )

    def summary(self, *, target: str = "y", call: str | None = None) -> str:
        """The fit as text, as :meth:`OLSResult.summary` prints it."""
        from ..report import summary_text

        return summary_text(self.as_ols_view(), target=target, n_dropped=self.n_dropped, call=call)

    def __repr__(self) -> str:
        return short_repr("ScaleResult", {
            "method": self.method, "n": self.n, "k": len(self.terms), "rank": self.rank,
            "r_squared": self.r_squared, "sigma": self.sigma, "terms": self.terms, "coef": self.coef,
        })
