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
partitioning.

:func:`gradient_descent` runs full-batch descent from the Gram matrix of one pass (its
iterates are those of :func:`linreg.descent.gradient_descent` on the same rows and
terms), and mini-batch descent on an in-memory sample, saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .._validation import StopHook, check_option
from ..design import ModelSpec
from ..exceptions import ModelError
from ._engine import SCHEDULER_ENV, is_dask_frame, is_out_of_core_path
from ._result import ResidualSummary, ScaleResult

__all__ = ["SCHEDULER_ENV", "ResidualSummary", "ScaleResult", "convert", "fit_ols", "gradient_descent",
           "is_dask_frame", "is_out_of_core_path"]


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

    spec = _spec(spec, target, features, intercept)
    if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0):
        raise ModelError(f"alpha must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}")
    if refine != "auto":
        if isinstance(refine, bool) or not isinstance(refine, int) or not 0 <= refine <= 10:
            check_option("refine", refine, ("auto", 0, 1, 2, 3))
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise ModelError(f"sample must be a whole number of rows >= 0; got {sample!r}")
    return fit(source, spec, alpha=float(alpha), client=client, refine=refine, diagnostics=diagnostics,
               sample=sample, seed=seed, progress=progress)


def gradient_descent(
    source: object,
    target: str | None = None,
    *,
    learning_rate: float | None,
    n_iter: int,
    spec: ModelSpec | None = None,
    features: Sequence[str] | None = None,
    intercept: bool = True,
    standardize: bool = False,
    batch_size: int | None = None,
    momentum: float = 0.0,
    seed: int | None = None,
    tol: float = 1e-8,
    init: object = None,
    ridge: float = 0.0,
    client: object = None,
    fit: ScaleResult | None = None,
    sample: int = 100_000,
    progress: Callable[[str, int, int], None] | None = None,
    should_stop: StopHook = None,
):
    """Gradient descent on ``L(w) = (1/N)||y - X1 w||^2`` over a dataset read a partition at a time.

    Full batch (``batch_size=None``): one pass gives the Gram matrix of the working
    design, and the least-squares fit ``fit`` (run here when not given: two more passes)
    gives the minimiser; every step is then O(k^2), and the iterates equal those of
    :func:`linreg.descent.gradient_descent` on the same rows and terms, to rounding.

    Mini-batch: each epoch would need a pass and a global shuffle, so the run is
    :func:`linreg.descent.gradient_descent` on a reproducible sample of about ``sample``
    rows (one pass), and ``result.note`` says so.

    Parameters
    ----------
    source, target, spec, features, intercept, client
        As :func:`fit_ols`.
    learning_rate, n_iter, standardize, batch_size, momentum, seed, tol, init, ridge
        As :func:`linreg.descent.gradient_descent`; ``learning_rate=None`` is the optimal
        full-batch rate 2/(λ_max + λ_min) (of the sample's loss for mini-batch).
    fit : ScaleResult, optional
        ``fit_ols`` of the same source and model, if already at hand (full batch).
    sample : int, default 100_000
        About how many rows mini-batch descent runs on.
    progress : callable, optional
        ``progress(stage, done, total)`` after each partition of each pass.
    should_stop : callable, optional
        Asked between chunks of iterations; True raises :class:`linreg.exceptions.Cancelled`.

    Returns
    -------
    linreg.scale._descent.ScaleGDResult
        GDResult's statistics and ``to_dict()`` keys, without per-row arrays, with ``note``.
    """
    from . import _descent

    spec = _spec(spec, target, features, intercept)
    if batch_size is not None:
        return _descent.minibatch(source, spec, learning_rate=learning_rate, n_iter=n_iter, standardize=standardize,
                                  batch_size=batch_size, momentum=momentum, seed=seed, tol=tol, init=init,
                                  ridge=ridge, client=client, sample=sample, progress=progress,
                                  should_stop=should_stop)
    moments, plan = _descent.gram_moments(source, spec, client=client, progress=progress)
    if fit is None:
        fit = fit_ols(source, spec=spec, client=client, diagnostics=False, progress=progress)
    elif fit.n != moments.n or tuple(fit.terms) != ((("Intercept",) if spec.intercept else ()) + plan.terms):
        raise ModelError("the fit given is not of this source and model (its rows or terms differ); "
                         "pass the fit_ols result of the same source and spec, or none")
    return _descent.descend(moments, fit, tuple(fit.terms), learning_rate=learning_rate, n_iter=n_iter,
                            standardize=standardize, momentum=momentum, tol=tol, init=init, ridge=ridge,
                            should_stop=should_stop)


def _spec(spec, target, features, intercept) -> ModelSpec:
    if spec is None:
        if target is None:
            raise ModelError("give the target column (target='y') or a ModelSpec (spec=ModelSpec('y', ...))")
        return ModelSpec(target=target, features=tuple(features or ()), intercept=intercept)
    if target is not None and target != spec.target:
        raise ModelError(f"target '{target}' differs from spec.target '{spec.target}'; give one of them")
    return spec


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
