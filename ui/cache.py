"""Every cached call into linreg for the current data: designs, fits, descents, penalties, diagnostics.

The results over the visitor's data live in one store shared by every session and bounded
in bytes (``ui.store.ResultStore``, sized by the operator's ``[cache]`` settings): a large
upload's fit weighs tens of megabytes, and Streamlit's own caches bound entries by count.
Each entry is keyed by a SHA-256 digest of what it is computed from: the data's digest
(``linreg.data.digest``, never a sampled or non-cryptographic hash), the model spec, the
settings and the arguments, all frozen values whose ``repr`` is exact. Its arrays are
read-only, since every session reads the same object. The work itself runs through
``ui.jobs.run``: checked against the budget, in a heavy-job slot when it is large, with
progress and a Stop button when it is slow, and stopped when its visitor leaves.

:func:`ols` is the plain least-squares fit the teaching pages compare gradient descent and
the penalties with; :func:`fit` is the Fit page's, with its weights column and covariance, on
the rows :func:`fit_rows` keeps (those of a positive weight), so that its diagnostics,
predictions (:func:`predict`) and nested comparisons (:func:`compare_without`) match it row for row.

The public functions read the session's data, model and settings; they raise
``linreg.exceptions.LinregError`` when the data or model cannot be used (``BudgetError``
when the server cannot afford it, ``Cancelled`` when it was stopped), and pages show it
with ``ui.widgets.show_error``. The Learn page's cached calls are in ``ui.lesson_cache``.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import streamlit as st

from linreg import budget
from linreg.exceptions import Cancelled, LinregError, LinregWarning

from . import jobs, runtime, session
from .config import CONFIG
from .settings import GDSettings
from .store import ResultStore

# Small results (column profiles, synthetic teaching data) stay in Streamlit's caches, bounded by
# count and age. The model and the GD settings are frozen, made of strings, numbers and tuples
# of those, so their repr is the same exactly when they are: cheaper than Streamlit's own hashing.
CACHE_TTL = "20m"
CACHE_HASH = MappingProxyType({"linreg.design.ModelSpec": repr, GDSettings: repr})

_MB = 1_000_000
STORE = ResultStore(CONFIG.cache.max_mb * _MB, CONFIG.cache.session_mb * _MB, CONFIG.cache.idle_s)


def clear() -> None:
    """Forget every computed result: the store's and Streamlit's caches (tests start from nothing)."""
    STORE.clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def _read_only(value):
    """``value`` with every numpy array in it (fields of dataclasses, items of containers) read-only.

    A stored result is one object that every session reads: a page writing into one of its
    arrays would change it for everyone, so such a write raises instead.
    """
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _read_only(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            _read_only(item)
    elif isinstance(value, dict):
        for item in value.values():
            _read_only(item)
    return value


def _digest(name: str, parts: tuple) -> str:
    """SHA-256 of a computation's name and inputs (data digests, frozen specs and settings, numbers)."""
    return hashlib.sha256(repr((name, parts)).encode()).hexdigest()


def _still_wanted() -> None:
    """While waiting for another session's computation of the same result: stop if this visitor left."""
    sid = runtime.session_id()
    if sid and not runtime.session_alive(sid):
        raise Cancelled("stopped: the visitor left")


def stored(name: str, parts: tuple, label: str, cost: Callable[[], budget.Cost | None],
           work: Callable[[jobs.Hooks], object], *, heavy: bool = False):
    """The result of ``work`` for these inputs: from the store, or computed once by ``ui.jobs.run``.

    ``parts`` are frozen values with exact reprs (data digests, specs, settings, numbers; ``ui.large``
    keys its fits by a dataset's fingerprint). ``cost()`` is the estimate checked first; ``heavy``
    takes a heavy-job slot whatever the estimate (an out-of-core fit, which no estimate bounds).
    """
    key = _digest(name, parts)

    def compute():
        with warnings.catch_warnings():
            # The plain-language warnings travel in the results, which the pages show inline;
            # the Python warning would only reach the server log (or fail a strict test run).
            warnings.simplefilter("ignore", LinregWarning)
            return _read_only(jobs.run(label, key, cost(), work, heavy=heavy))

    return STORE.get_or_compute(key, runtime.session_id(), compute, wait=_still_wanted, join=not jobs.holding_slot())


def _sweep_forever(period: float = 10.0) -> None:
    """End expired sessions, drop what only closed sessions used, and hand the freed heap back."""
    while True:
        time.sleep(period)
        if runtime.reap_expired_sessions() + STORE.sweep(runtime.session_alive):
            gc.collect()
            runtime.trim_heap()


threading.Thread(target=_sweep_forever, name="linreg-store-sweeper", daemon=True).start()


def _design(key: str, spec, df: pd.DataFrame):
    from linreg.design import build_design

    # build_design checks its own size limits from the level counts before making any column.
    return stored("design", (key, spec), "the design", lambda: None,
                   lambda hooks: build_design(df, spec, limits=CONFIG.limits))


@dataclass(frozen=True, eq=False)
class FitRows:
    """The rows a least-squares fit of the Fit page uses, and their weights.

    Attributes
    ----------
    design : linreg.design.Design
        The current design without the rows of a missing or zero weight (the whole design
        when unweighted), so that the fit, its diagnostics and its predictions match it
        row for row (see :func:`_weighted_rows`).
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


def _weighted_rows(df: pd.DataFrame, spec, column: str) -> FitRows:
    """The design of ``spec`` on the rows of ``df`` with a usable weight in ``column``. Raises LinregError.

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
    design = build_design(frame, spec, limits=CONFIG.limits)
    w = values.to_numpy(dtype=np.float64, na_value=np.nan)[df.index.get_indexer(design.row_labels)]
    zero = w == 0.0
    n_missing = int(missing.sum())
    if not zero.any():
        return FitRows(design, w, column, n_missing)
    keep, basis = ~zero, design.basis
    rows = replace(design, X=design.X[keep], y=design.y[keep], row_labels=design.row_labels[keep],
                   basis=None if basis is None else Basis(Z=basis.Z[keep], M=basis.M))
    return FitRows(rows, w[keep], column, n_missing, int(zero.sum()))


def _fit_rows(key: str, spec, weights: str | None, df: pd.DataFrame) -> FitRows:
    if weights is None:
        return FitRows(_design(key, spec, df))
    return stored("fit_rows", (key, spec, weights), "the weighted rows", lambda: None,
                   lambda hooks: _weighted_rows(df, spec, weights))


def _ols(key: str, spec, method: str, alpha: float, df: pd.DataFrame, cov_type: str = "nonrobust",
         maxlags: int | None = None, weights: str | None = None):
    from linreg.design import fit_design

    rows = _fit_rows(key, spec, weights, df)
    d = rows.design
    return stored("ols", (key, spec, method, alpha, cov_type, maxlags, weights), "the fit",
                   lambda: budget.ols_cost(d.X.shape[0], d.X.shape[1] + int(d.intercept)),
                   lambda hooks: fit_design(d, method=method, alpha=alpha, cov_type=cov_type, maxlags=maxlags,
                                            weights=rows.weights))


def _gd(key: str, spec, settings: GDSettings, df: pd.DataFrame):
    from linreg.descent import gradient_descent

    d = _design(key, spec, df)
    return stored("gd", (key, spec, settings), "gradient descent",
                   lambda: budget.descent_cost(d.X.shape[0], d.X.shape[1] + int(d.intercept), settings.n_iter,
                                               settings.batch_size),
                   lambda hooks: gradient_descent(
                       d.X, d.y, learning_rate=settings.learning_rate, n_iter=settings.n_iter,
                       intercept=d.intercept, standardize=settings.standardize, batch_size=settings.batch_size,
                       momentum=settings.momentum, seed=settings.seed, ridge=settings.ridge, terms=d.terms, **hooks))


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def _cached_column_table(key: str, _df: pd.DataFrame):
    from linreg.plots.tables import column_table, missing_summary

    return column_table(_df), missing_summary(_df)


def _current() -> tuple[str, object, pd.DataFrame]:
    key, df = session.data_and_key()
    return key, session.current_spec(), df


def _terms(d) -> int:
    """Coefficients of a design: its columns and the intercept."""
    return d.X.shape[1] + int(d.intercept)


def design():
    """The ``linreg.design.Design`` of the current data and spec.

    Raises
    ------
    LinregError
        If the spec does not fit the data (unknown column, text used as a number, ...), or
        the design is larger than the server's limits (``BudgetError``).
    """
    return _design(*_current())


def ols(method: str = "qr"):
    """The closed-form ``OLSResult`` of the current model (QR unless ``method`` says otherwise).

    Uses the alpha of ``session.fit_settings()`` for confidence intervals; unweighted, with the
    classical covariance: the fit that gradient descent and the penalized fits are compared
    with (neither takes weights). The Fit page's own fit, weighted and robust, is :func:`fit`.

    Raises
    ------
    LinregError
        If the design cannot be built or fitted (e.g. no residual degrees of freedom).
    """
    if method == "gd":
        raise LinregError("ols() fits in closed form; use gd() for gradient descent")
    key, spec, df = _current()
    return _ols(key, spec, method, session.fit_settings().alpha, df)


def fit_rows() -> FitRows:
    """The rows and weights of :func:`fit`: the design without the rows of a missing or zero weight.

    Raises
    ------
    LinregError
        If the design cannot be built, or the weights column of ``session.fit_settings()`` is
        not a numeric column of the data outside the model.
    """
    key, spec, df = _current()
    return _fit_rows(key, spec, session.fit_settings().weights, df)


def _inference() -> tuple[str, int | None]:
    """The covariance of the fit settings: (cov_type, maxlags), the lags only for HAC."""
    s = session.fit_settings()
    return s.cov_type, (s.maxlags if s.cov_type == "HAC" else None)


def fit(method: str = "qr", *, covariance: bool = True):
    """The Fit page's least-squares fit: ``ols`` with the weights and covariance of ``session.fit_settings()``.

    On the rows of :func:`fit_rows`. ``covariance=False`` keeps the classical covariance (the
    residual diagnostics do not depend on it). Without weights and with the classical
    covariance it is ``ols(method)``. Raises LinregError.
    """
    if method == "gd":
        raise LinregError("fit() fits in closed form; use gd() for gradient descent")
    key, spec, df = _current()
    s = session.fit_settings()
    cov_type, maxlags = _inference() if covariance else ("nonrobust", None)
    return _ols(key, spec, method, s.alpha, df, cov_type, maxlags, s.weights)


def gd(settings: GDSettings | None = None):
    """The ``GDResult`` of gradient descent on the current design, with ``session.gd_settings()`` by default.

    Raises
    ------
    LinregError
        If the design cannot be built, a setting is invalid, or the run is over the budget.
    """
    key, spec, df = _current()
    return _gd(key, spec, settings if settings is not None else session.gd_settings(), df)


def predict(new_rows: pd.DataFrame, method: str = "qr") -> pd.DataFrame:
    """``linreg.predict.predict`` of :func:`fit` for ``new_rows`` (original columns), at the fit's level.

    Returns the prediction, its standard error and the confidence and prediction intervals, one
    row per new row. Raises LinregError (``DataError`` naming the row and column of a missing
    column, a missing or non-numeric value or an unseen category).
    """
    from linreg.data import digest
    from linreg.predict import predict as _predict

    key, spec, df = _current()
    s = session.fit_settings()
    cov_type, maxlags = _inference()
    rows, result = _fit_rows(key, spec, s.weights, df), fit(method)
    return stored("predict", (key, spec, method, s.alpha, cov_type, maxlags, s.weights, digest(new_rows)),
                   "the predictions", lambda: None,
                   lambda hooks: _predict(result, rows.design, new_rows, alpha=s.alpha))


def compare_without(drop: tuple[str, ...], method: str = "qr"):
    """The F test of the current model without the terms ``drop`` against it (R's ``anova``).

    Returns ``(comparison, smaller)``: the ``linreg.nested.ModelComparison`` and the smaller
    model's ``OLSResult``, both weighted as :func:`fit`. The test uses the residual sums of
    squares, so the covariance setting does not enter it. Raises LinregError (``ModelError``
    when the comparison is refused, with the reason).
    """
    from linreg.nested import compare_models, fit_without

    key, spec, df = _current()
    s = session.fit_settings()
    rows, larger = _fit_rows(key, spec, s.weights, df), fit(method, covariance=False)
    d, drop = rows.design, tuple(str(t) for t in drop)

    def work(hooks):
        smaller = fit_without(d, drop, method=method, alpha=s.alpha,
                              **({} if rows.weights is None else {"weights": rows.weights}))
        return compare_models(smaller, larger), smaller

    return stored("compare", (key, spec, method, s.alpha, s.weights, drop), "the smaller model",
                   lambda: budget.ols_cost(d.X.shape[0], _terms(d)), work)


def breusch_pagan():
    """``linreg.diagnostics.breusch_pagan`` of the QR fit of :func:`fit` (weighted, classical). Raises LinregError."""
    from linreg.diagnostics import breusch_pagan as _bp

    key, spec, df = _current()
    s = session.fit_settings()
    rows, result = _fit_rows(key, spec, s.weights, df), fit("qr", covariance=False)
    return stored("breusch_pagan", (key, spec, s.alpha, s.weights), "the Breusch-Pagan test",
                   lambda: budget.ols_cost(rows.design.X.shape[0], _terms(rows.design)), lambda hooks: _bp(result))


def column_summary() -> tuple[pd.DataFrame, str]:
    """The current data's column table (type, distinct, missing) and missing-values sentence."""
    key, df = session.data_and_key()
    return _cached_column_table(key=key, _df=df)


# --------------------------------------------------------------------------- residual diagnostics


def residual_plots(top: int = 10):
    """The Residuals page's content for the current QR fit (weighted as :func:`fit`); read-only, shared.

    Returns ``(figures, tests, vif, influence)``: ``linreg.plots.residuals.diagnostic_figures``,
    the Breusch-Pagan, Jarque-Bera and Durbin-Watson results, ``linreg.diagnostics.vif`` and the
    ``top`` rows of ``linreg.plots.tables.influence_measures`` (with DFFITS, DFBETAS, COVRATIO and
    why R's rules flag each row) and how many rows those rules flag in all. Raises LinregError.
    """
    from linreg import diagnostics
    from linreg.plots import residuals as plots
    from linreg.plots.tables import influence_measures

    key, spec, df = _current()
    alpha, weights = session.fit_settings().alpha, session.fit_settings().weights
    d = _fit_rows(key, spec, weights, df).design
    result = _ols(key, spec, "qr", alpha, df, weights=weights)

    def work(hooks):
        figures = plots.diagnostic_figures(result, d.row_labels, hover=plots.hover_frame(df, d))
        tests = (diagnostics.breusch_pagan(result), diagnostics.jarque_bera(result),
                 diagnostics.durbin_watson(result))
        influence = influence_measures(result, d.row_labels, top=top)
        return figures, tests, diagnostics.vif(result), influence, int(result.influence_flags.any.sum())

    return stored("residuals", (key, spec, alpha, weights, int(top)), "the residual diagnostics",
                   lambda: budget.ols_cost(d.X.shape[0], _terms(d)), work)


# --------------------------------------------------------------------------- gradient descent views


def step_view(k: int, rows: int):
    """``linreg.plots.descent.step_view`` of ``gd()`` at iteration ``k``, its first ``rows`` rows. Raises LinregError."""
    from linreg.plots.descent import step_view as _step_view

    key, spec, df = _current()
    settings = session.gd_settings()
    d, result = _design(key, spec, df), _gd(key, spec, settings, df)
    # The arithmetic of a step is a pass over every row: computed once per step on show.
    return stored("step_view", (key, spec, settings, int(k), int(rows)), "the step's arithmetic", lambda: None,
                   lambda hooks: _step_view(result, int(k), range(int(rows)), row_labels=d.row_labels,
                                            terms=d.terms))


def rate_bounds(standardize: bool) -> tuple[float, float]:
    """(largest stable, optimal) full-batch learning rates of the current design. Raises LinregError."""
    from linreg.quadratic import learning_rate_bounds

    key, spec, df = _current()
    d = _design(key, spec, df)
    return stored("rate_bounds", (key, spec, bool(standardize)), "the stable learning rates",
                   lambda: budget.ols_cost(d.X.shape[0], _terms(d)),
                   lambda hooks: learning_rate_bounds(d.X, intercept=d.intercept, standardize=bool(standardize)))


def descent_animation(settings: GDSettings, alpha: float, feature: int | None, i: int, j: int):
    """``linreg.plots.animation.descent_animation`` of the current run against the QR fit. Raises LinregError."""
    from linreg.plots.animation import descent_animation as _animation

    key, spec, df = _current()
    d, result, fit = _design(key, spec, df), _gd(key, spec, settings, df), _ols(key, spec, "qr", alpha, df)
    return stored("animation", (key, spec, settings, alpha, feature, i, j), "the descent's figure", lambda: None,
                   lambda hooks: _animation(result, ols_coef=fit.coef, feature=feature, i=i, j=j, terms=d.terms,
                                            row_labels=d.row_labels))


# --------------------------------------------------------------------------- penalized fits


def penalty_path(l1_ratio: float, standardize: bool):
    """``linreg.penalized.PenaltyPath`` of the current design (default λ grid). Raises LinregError."""
    from linreg.penalized import penalty_path as _penalty_path

    key, spec, df = _current()
    d = _design(key, spec, df)
    return stored("path", (key, spec, float(l1_ratio), bool(standardize)), "the penalty path",
                   lambda: budget.path_cost(d.X.shape[0], d.X.shape[1], l1_ratio=float(l1_ratio)),
                   lambda hooks: _penalty_path(d.X, d.y, l1_ratio=float(l1_ratio), standardize=bool(standardize),
                                               intercept=d.intercept, terms=d.terms, **hooks))


def penalty_cv(l1_ratio: float, standardize: bool, k: int = 5, seed: int = 0):
    """``linreg.penalized.CVResult`` (k-fold, seeded) of the current design. Raises LinregError."""
    from linreg.penalized import cross_validate

    key, spec, df = _current()
    d = _design(key, spec, df)
    return stored("cv", (key, spec, float(l1_ratio), bool(standardize), int(k), int(seed)), "the cross-validation",
                   lambda: budget.cv_cost(d.X.shape[0], d.X.shape[1], k=int(k), l1_ratio=float(l1_ratio)),
                   lambda hooks: cross_validate(d.X, d.y, l1_ratio=float(l1_ratio), standardize=bool(standardize),
                                                intercept=d.intercept, terms=d.terms, k=int(k), seed=int(seed),
                                                **hooks))


def penalized(lam: float, l1_ratio: float, standardize: bool):
    """``linreg.penalized.PenalizedResult`` of the current design at λ = ``lam``. Raises LinregError."""
    from linreg.penalized import fit_penalized

    key, spec, df = _current()
    d = _design(key, spec, df)
    return stored("penalized", (key, spec, float(lam), float(l1_ratio), bool(standardize)), "the penalized fit",
                   lambda: budget.path_cost(d.X.shape[0], d.X.shape[1], n_lams=1, l1_ratio=float(l1_ratio)),
                   lambda hooks: fit_penalized(d.X, d.y, lam=float(lam), l1_ratio=float(l1_ratio),
                                               intercept=d.intercept, standardize=bool(standardize), terms=d.terms))


# --------------------------------------------------------------------------- model complexity


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def polynomial_data(n: int, degree: int, noise: float, seed: int):
    """``linreg.synthetic.make_polynomial`` data (x, y and the true coefficients)."""
    from linreg.synthetic import make_polynomial

    budget.check(budget.generator_cost("polynomial", n), CONFIG.limits)
    return make_polynomial(n, seed=seed, degree=degree, noise=noise)


def degree_explorer(n: int, degree: int, noise: float, seed: int, max_degree: int, test_fraction: float,
                    split_seed: int):
    """``linreg.complexity.degree_explorer`` on ``polynomial_data(n, degree, noise, seed)``."""
    from linreg.complexity import degree_explorer as _explore

    data = polynomial_data(n=n, degree=degree, noise=noise, seed=seed).data
    parts = (n, degree, noise, seed, max_degree, test_fraction, split_seed)
    return stored("synthetic_degrees", parts, "the fit of every degree",
                   lambda: budget.degree_explorer_cost(n, max_degree),
                   lambda hooks: _explore(data["x"].to_numpy(), data["y"].to_numpy(), max_degree=max_degree,
                                          test_fraction=test_fraction, seed=split_seed, **hooks))


def bootstrap_fits(n: int, degree: int, noise: float, seed: int, fit_degree: int, n_boot: int, boot_seed: int):
    """``linreg.complexity.bootstrap_fits`` on ``polynomial_data(...)``, against its true curve."""
    from linreg.complexity import bootstrap_fits as _bootstrap
    from linreg.complexity import polynomial_truth

    synth = polynomial_data(n=n, degree=degree, noise=noise, seed=seed)
    x, y = synth.data["x"].to_numpy(), synth.data["y"].to_numpy()
    parts = (n, degree, noise, seed, fit_degree, n_boot, boot_seed)
    return stored("synthetic_bootstrap", parts, "the bootstrap refits",
                   lambda: budget.bootstrap_cost(n, fit_degree, n_boot),
                   lambda hooks: _bootstrap(x, y, degree=fit_degree, n_boot=n_boot, seed=boot_seed,
                                            truth=lambda g: polynomial_truth(synth.coef, g), **hooks))


def current_degree_explorer(max_degree: int, test_fraction: float, split_seed: int):
    """``linreg.complexity.degree_explorer`` on the current single-feature design (its one column and y)."""
    from linreg.complexity import degree_explorer as _explore

    key, spec, df = _current()
    d = _design(key, spec, df)
    parts = (key, spec, int(max_degree), float(test_fraction), int(split_seed))
    return stored("degrees", parts, "the fit of every degree",
                   lambda: budget.degree_explorer_cost(d.X.shape[0], int(max_degree)),
                   lambda hooks: _explore(d.X[:, 0], d.y, max_degree=int(max_degree),
                                          test_fraction=float(test_fraction), seed=int(split_seed), **hooks))


def current_bootstrap_fits(fit_degree: int, n_boot: int, boot_seed: int):
    """``linreg.complexity.bootstrap_fits`` on the current single-feature design (no known truth)."""
    from linreg.complexity import bootstrap_fits as _bootstrap

    key, spec, df = _current()
    d = _design(key, spec, df)
    return stored("bootstrap", (key, spec, int(fit_degree), int(n_boot), int(boot_seed)),
                   "the bootstrap refits",
                   lambda: budget.bootstrap_cost(d.X.shape[0], int(fit_degree), int(n_boot)),
                   lambda hooks: _bootstrap(d.X[:, 0], d.y, degree=int(fit_degree), n_boot=int(n_boot),
                                            seed=int(boot_seed), **hooks))


# --------------------------------------------------------------------------- for other app modules
