"""Predictions for new rows of a table, with confidence and prediction intervals.

:func:`predict` takes a fit, the design it was fitted on and new rows of the original
columns; :func:`linreg.design.design_rows` builds their design rows exactly as the
design was built (powers, dummies with the training levels, products, standardization
with the training means and SDs), and the intervals follow ``OLSResult.interval``
(R's ``predict.lm(..., interval = "confidence" | "prediction")``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .design import Design, design_rows
from .exceptions import ModelError
from .ols import OLSResult

__all__ = ["PREDICTION_COLUMNS", "predict"]

#: Columns of the table :func:`predict` returns, in order.
PREDICTION_COLUMNS = ("prediction", "se_fit", "ci_low", "ci_high", "pi_low", "pi_high")


def predict(result: OLSResult, design: Design, new_df: pd.DataFrame, alpha: float | None = None) -> pd.DataFrame:
    """Predicted mean for each new row, with its confidence and prediction intervals.

    Parameters
    ----------
    result : OLSResult
        The fit of ``design`` (``fit_design(design)``).
    design : Design
    new_df : pandas.DataFrame, shape (m, n_columns)
        New rows with the columns the model uses (numbers, categorical levels).
    alpha : float, optional
        Intervals at level 1 - alpha; default the fit's ``alpha``.

    Returns
    -------
    pandas.DataFrame, shape (m, 6)
        Index of ``new_df``; columns ``PREDICTION_COLUMNS``: the prediction x0'b, its
        standard error se_fit = sqrt(x0' Cov x0), the confidence interval of the mean
        and the prediction interval of a new observation.

    Raises
    ------
    ModelError
        ``result`` is not the fit of ``design``, or alpha is not in (0, 1).
    DataError
        From :func:`~linreg.design.design_rows`: a missing column, a row without a
        value, text in a numeric column, an unseen categorical level.

    Notes
    -----
    With t = t_{1 - alpha/2}(df_resid): ci = yhat -+ t se_fit and
    pi = yhat -+ t sqrt(se_fit^2 + sigma^2). Aliased terms count as 0 (as R's predict
    does); Cov is the fit's ``cov_params`` (robust when the fit's covariance is). After a
    weighted fit, the new observation is taken to have weight 1 (R's default, pred.var =
    sigma^2).

    Examples
    --------
    >>> from linreg.design import ModelSpec, build_design, fit_design
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 5.0, 8.0]})
    >>> d = build_design(df, ModelSpec("y"))
    >>> predict(fit_design(d), d, pd.DataFrame({"x": [4.0]}))["prediction"].round(12).tolist()
    [10.0]
    """
    if not isinstance(result, OLSResult):
        raise ModelError(f"result must be an OLSResult (from fit_design); got {type(result).__name__}")
    if not isinstance(design, Design):
        raise ModelError(f"design must be a Design (from build_design); got {type(design).__name__}")
    expected = (("Intercept",) if design.intercept else ()) + tuple(design.terms)
    if tuple(result.terms) != expected or result.intercept != design.intercept or result.n != len(design.y):
        raise ModelError(
            "result is not the fit of this design (its terms or rows differ); fit it with fit_design(design)"
        )
    alpha = result.alpha if alpha is None else alpha
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0.0 < alpha < 1.0:
        raise ModelError(f"alpha must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}")
    X = design_rows(design, new_df)
    X1 = np.column_stack([np.ones(len(X)), X]) if design.intercept else X
    ok = ~np.isnan(result.coef)
    Xk = X1[:, ok]
    cov = result.cov_params[np.ix_(ok, ok)]
    yhat = Xk @ result.coef[ok]
    var_mean = np.maximum(np.einsum("ij,jk,ik->i", Xk, cov, Xk), 0.0)
    var_new = var_mean + np.float64(result.sigma) ** 2
    t = float(stats.t.ppf(1.0 - alpha / 2.0, result.df_resid))
    se_fit = np.sqrt(var_mean)
    half_ci, half_pi = t * se_fit, t * np.sqrt(var_new)
    return pd.DataFrame(
        {
            "prediction": yhat,
            "se_fit": se_fit,
            "ci_low": yhat - half_ci,
            "ci_high": yhat + half_ci,
            "pi_low": yhat - half_pi,
            "pi_high": yhat + half_pi,
        },
        index=new_df.index,
    )
