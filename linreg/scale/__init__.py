"""Exact least squares with full inference on data larger than memory, on Dask.

``linreg.scale.fit_ols(source, target=...)`` fits the same model as
:func:`linreg.design.build_design` + :func:`linreg.ols.fit_ols` on all rows, a
partition at a time:

1. Global facts (categorical levels, polynomial ranges, standardization) in one
   pass over the whole dataset when the model needs them, never per partition.
2. One TSQR pass: each partition gives the Householder R of its working block
   [1, V - c, y - c_y] (V the design or its Legendre basis, c a shift taken from the
   first partition), on 2,048-row sub-blocks; the R's are combined in a fixed tree
   in file order. The final triangle holds R, Q^T y and the residual norm.
3. Refinement passes: residuals in longdouble with the design rebuilt exactly, a
   correction solved with the same R (one pass, a second when the first correction
   is not small).
4. Aliasing, conditioning and every inference number from R, the RSS, the TSS and n,
   with the same helpers and texts as :mod:`linreg.ols`.
5. Optionally, one more pass for the residual diagnostics (Breusch-Pagan,
   Jarque-Bera, Durbin-Watson, leverage and Cook's extremes) and a reproducible
   sample of rows with the most influential ones in it.

Dask is imported only when a fit runs, so ``import linreg`` and ``import
linreg.scale`` work without it (``pip install 'linreg[scale]'`` adds it). The
scheduler is the one at ``$DASK_SCHEDULER_ADDRESS`` when set, else in-process
threads; results are the same bits on every scheduler and worker count for a fixed
partitioning. Gradient descent is not offered out of core here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .._validation import check_option
from ..design import ModelSpec
from ..exceptions import ModelError
from ._engine import SCHEDULER_ENV, is_dask_frame, is_out_of_core_path
from ._result import ResidualSummary, ScaleResult

__all__ = ["fit_ols", "ScaleResult", "ResidualSummary", "convert", "SCHEDULER_ENV", "is_out_of_core_path",
           "is_dask_frame"]


def fit_ols(
    source: object,
    target: str | None = None,
    *,
    spec: ModelSpec | None = None,
    features: Sequence[str] | None = None,
    intercept: bool = True,
    alpha: float = 0.05,
    client: object = None,
    refine: str | int = "auto",
    diagnostics: bool = True,
    sample: int = 10_000,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> ScaleResult:
    """Fit y = X1 w + e by least squares over a dataset read a partition at a time.

    Parameters
    ----------
    source : str, path, list of paths or dask DataFrame
        A Parquet or CSV file, a glob (``'data/*.parquet'``), a directory, a URL
        (``s3://...``, ``https://...``), a list of such paths, or a dask DataFrame.
    target : str, optional
        Column to predict (or give ``spec``).
    spec : ModelSpec, optional
        Terms: dummies, polynomial terms, interactions, standardization.
    features : sequence of str, optional
        Predictors without ``spec`` (default: every other column).
    intercept : bool, default True
        Without ``spec``.
    alpha : float, default 0.05
    client : None, str or distributed.Client
        None: $DASK_SCHEDULER_ADDRESS if set, else threads; "threads", "sync",
        "processes", a scheduler address, or a Client.
    refine : "auto" or int, default "auto"
        Refinement passes: "auto" runs one, and a second or third only when the
        previous correction was not small; an int runs exactly that many (0: none).
    diagnostics : bool, default True
        Make the diagnostics pass (tests, extremes, ``sample``).
    sample : int, default 10_000
        About how many rows to keep in ``result.sample`` (plus the influential ones).
    seed : int, default 0
        Seed of the sample (with the partition index: reproducible).
    progress : callable, optional
        ``progress(stage, done, total)`` after each partition of each pass.

    Returns
    -------
    ScaleResult

    Raises
    ------
    DataError, ModelError
        As :func:`linreg.design.build_design` and :func:`linreg.ols.fit_ols`; a missing Dask.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 5.0, 8.0]}).to_parquet(os.path.join(folder, "a.parquet"))
    >>> res = fit_ols(folder, "y", client="sync", diagnostics=False)
    >>> res.coef.round(12).tolist()
    [0.8, 2.3]
    """
    from ._fit import fit

    if spec is None:
        if target is None:
            raise ModelError("give the target column (target='y') or a ModelSpec (spec=ModelSpec('y', ...))")
        spec = ModelSpec(target=target, features=tuple(features or ()), intercept=intercept)
    elif target is not None and target != spec.target:
        raise ModelError(f"target '{target}' differs from spec.target '{spec.target}'; give one of them")
    if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0):
        raise ModelError(f"alpha must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}")
    if refine != "auto":
        if isinstance(refine, bool) or not isinstance(refine, int) or not 0 <= refine <= 10:
            check_option("refine", refine, ("auto", 0, 1, 2, 3))
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise ModelError(f"sample must be a whole number of rows >= 0; got {sample!r}")
    return fit(source, spec, alpha=float(alpha), client=client, refine=refine, diagnostics=diagnostics,
               sample=sample, seed=seed, progress=progress)


def convert(source: str, dest: str, *, rows_per_file: int = 1_000_000) -> list[str]:
    """Rewrite a CSV file (or glob) as Parquet files of ``rows_per_file`` rows (CSV is ~12x slower per pass).

    Parameters
    ----------
    source : str
        CSV file or glob.
    dest : str
        A ``.parquet`` file when the data fit in one, else a folder for ``part-00000.parquet``, ...

    Returns
    -------
    list of str
        The files written.
    """
    from ._convert import convert_csv

    return convert_csv(source, dest, rows_per_file=rows_per_file)
