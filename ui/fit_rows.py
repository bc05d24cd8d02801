"""The rows a weighted least-squares fit uses: the design without the rows of a missing or zero weight.

Pure pandas and linreg (no Streamlit): ``ui.cache`` stores the result, so that the Fit page's
fit, its diagnostics, predictions and nested comparisons all use the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class FitRows:
    """The rows a least-squares fit of the Fit page uses, and their weights.

    Attributes
    ----------
    design : linreg.design.Design
        The current design without the rows of a missing or zero weight (the whole design
        when unweighted), so that the fit, its diagnostics and its predictions match it
        row for row (see :func:`weighted_rows`).
    weights : ndarray, shape (n_samples,), or None
        The weights of those rows, as the data holds them (None: unweighted).
    column : str or None
        The weights column.
    n_missing, n_zero : int
        Rows of the design left out for a missing weight (R's na.omit) and for a zero
        weight (which R's lm leaves out of the fit).
    """

    design: object
    weights: np.ndarray | None = None
    column: str | None = None
    n_missing: int = 0
    n_zero: int = 0


def weighted_rows(df: pd.DataFrame, spec, column: str, limits) -> FitRows:
    """The design of ``spec`` on the rows of ``df`` with a usable weight in ``column``. Raises LinregError.

    ``limits`` are the design's size limits (``linreg.budget.Limits``), as ``build_design`` takes them.

    As the CLI's ``--weights``: a row without a weight is left out of the data (R's na.omit),
    so the design (its levels and standardization) is built without it; a row of zero weight
    stays in the design's levels and means, as in the CLI, but not in its rows, since the fit
    leaves it out (R's lm does too).
    """
    from linreg.design import build_design
    from linreg.exceptions import DataError, ModelError
    from linreg.ols import Basis

    names = [str(c) for c in df.columns]
    used = {spec.target, *spec.features, *spec.categorical, *(c for c, _ in spec.poly)}
    used.update(c for pair in spec.interactions for c in pair)
    if column not in names:
        raise ModelError(f"the weights column '{column}' is not in the data; choose another on the Data page")
    if column in used:
        raise ModelError(f"the weights column '{column}' is also in the model; take it out of the model or "
                         "choose another weights column on the Data page")
    values = df.iloc[:, names.index(column)]
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        raise DataError(f"the weights column '{column}' does not hold numbers; choose a numeric column")
    if not df.index.is_unique:
        raise DataError("the data's row labels repeat, so the weights cannot be matched to the rows")
    missing = values.isna().to_numpy()
    frame = df.loc[~missing] if missing.any() else df
    design = build_design(frame, spec, limits=limits)
    w = values.to_numpy(dtype=np.float64, na_value=np.nan)[df.index.get_indexer(design.row_labels)]
    zero = w == 0.0
    n_missing = int(missing.sum())
    if not zero.any():
        return FitRows(design, w, column, n_missing)
    keep, basis = ~zero, design.basis
    rows = replace(design, X=design.X[keep], y=design.y[keep], row_labels=design.row_labels[keep],
                   basis=None if basis is None else Basis(Z=basis.Z[keep], M=basis.M))
    return FitRows(rows, w[keep], column, n_missing, int(zero.sum()))
