"""The shared store of results over the visitor's data, and its designs, fits and fit diagnostics.

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
with ``ui.widgets.show_error``. The other cached calls, through the same store, are by concept:
``ui.descent_cache`` (gradient descent and its views), ``ui.penalty_cache`` (penalized fits),
``ui.complexity_cache`` (the degree explorer and bootstrap refits); the Learn page's, on its own
data, are in ``ui.lesson_cache``. :func:`current`, :func:`design_of`, :func:`ols_of`, :func:`n_coef`
and :func:`stored` are what those modules build on.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
import streamlit as st

from linreg import budget
from linreg.exceptions import Cancelled, LinregError, LinregWarning

from . import jobs, runtime, session
from .config import CONFIG
from .fit_rows import FitRows, weighted_rows
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
    box = jobs.placeholder()

    def compute():
        with warnings.catch_warnings():
            # The plain-language warnings travel in the results, which the pages show inline;
            # the Python warning would only reach the server log (or fail a strict test run).
            warnings.simplefilter("ignore", LinregWarning)
            return _read_only(jobs.run(label, key, cost(), work, heavy=heavy, box=box))

    return STORE.get_or_compute(key, runtime.session_id(), compute, wait=_still_wanted, join=not jobs.holding_slot())


def _sweep_forever(period: float = 10.0) -> None:
    """End expired sessions, drop what only closed sessions used, and hand the freed heap back."""
    while True:
        time.sleep(period)
        if runtime.reap_expired_sessions() + STORE.sweep(runtime.session_alive):
            gc.collect()
            runtime.trim_heap()


threading.Thread(target=_sweep_forever, name="linreg-store-sweeper", daemon=True).start()


def design_of(key: str, spec, df: pd.DataFrame):
    """The stored ``linreg.design.Design`` of ``spec`` on ``df`` (its digest ``key``). Raises LinregError."""
    from linreg.design import build_design

    # build_design checks its own size limits from the level counts before making any column. Its
    # memory is at least the data's: a large frame's design takes a heavy-job slot, so that two
    # sessions' large designs (and the fits after them) are not built at once.
    heavy = df.shape[0] * max(df.shape[1], 1) * 8 > CONFIG.jobs.heavy_mb * _MB
    return stored("design", (key, spec), "the design", lambda: None,
                   lambda hooks: build_design(df, spec, limits=CONFIG.limits), heavy=heavy)


def _fit_rows(key: str, spec, weights: str | None, df: pd.DataFrame) -> FitRows:
    if weights is None:
        return FitRows(design_of(key, spec, df))
    return stored("fit_rows", (key, spec, weights), "the weighted rows", lambda: None,
                   lambda hooks: weighted_rows(df, spec, weights, CONFIG.limits))


def ols_of(key: str, spec, method: str, alpha: float, df: pd.DataFrame, cov_type: str = "nonrobust",
           maxlags: int | None = None, weights: str | None = None):
    """The stored least-squares fit of ``spec`` on ``df`` with these settings. Raises LinregError."""
    from linreg.design import fit_design

    rows = _fit_rows(key, spec, weights, df)
    d = rows.design
    return stored("ols", (key, spec, method, alpha, cov_type, maxlags, weights), "the fit",
                   lambda: budget.ols_cost(d.X.shape[0], n_coef(d)),
                   lambda hooks: fit_design(d, method=method, alpha=alpha, cov_type=cov_type, maxlags=maxlags,
                                            weights=rows.weights))


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def _cached_column_table(key: str, _df: pd.DataFrame):
    from linreg.plots.tables import column_table, missing_summary

    return column_table(_df), missing_summary(_df)


def current() -> tuple[str, object, pd.DataFrame]:
    """The current data's digest, the model spec and the data: what the cached calls are keyed by."""
    key, df = session.data_and_key()
    return key, session.current_spec(), df


def n_coef(d) -> int:
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
    return design_of(*current())


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
    key, spec, df = current()
    return ols_of(key, spec, method, session.fit_settings().alpha, df)


def fit_rows() -> FitRows:
    """The rows and weights of :func:`fit`: the design without the rows of a missing or zero weight.

    Raises
    ------
    LinregError
        If the design cannot be built, or the weights column of ``session.fit_settings()`` is
        not a numeric column of the data outside the model.
    """
    key, spec, df = current()
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
    key, spec, df = current()
    s = session.fit_settings()
    cov_type, maxlags = _inference() if covariance else ("nonrobust", None)
    return ols_of(key, spec, method, s.alpha, df, cov_type, maxlags, s.weights)


def predict(new_rows: pd.DataFrame, method: str = "qr") -> pd.DataFrame:
    """``linreg.predict.predict`` of :func:`fit` for ``new_rows`` (original columns), at the fit's level.

    Returns the prediction, its standard error and the confidence and prediction intervals, one
    row per new row. Raises LinregError (``DataError`` naming the row and column of a missing
    column, a missing or non-numeric value or an unseen category).
    """
    from linreg.data import digest
    from linreg.predict import predict as _predict

    key, spec, df = current()
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

    key, spec, df = current()
    s = session.fit_settings()
    rows, larger = _fit_rows(key, spec, s.weights, df), fit(method, covariance=False)
    d, drop = rows.design, tuple(str(t) for t in drop)

    def work(hooks):
        smaller = fit_without(d, drop, method=method, alpha=s.alpha,
                              **({} if rows.weights is None else {"weights": rows.weights}))
        return compare_models(smaller, larger), smaller

    return stored("compare", (key, spec, method, s.alpha, s.weights, drop), "the smaller model",
                   lambda: budget.ols_cost(d.X.shape[0], n_coef(d)), work)


def breusch_pagan():
    """``linreg.diagnostics.breusch_pagan`` of the QR fit of :func:`fit` (weighted, classical). Raises LinregError."""
    from linreg.diagnostics import breusch_pagan as _bp

    key, spec, df = current()
    s = session.fit_settings()
    rows, result = _fit_rows(key, spec, s.weights, df), fit("qr", covariance=False)
    return stored("breusch_pagan", (key, spec, s.alpha, s.weights), "the Breusch-Pagan test",
                   lambda: budget.ols_cost(rows.design.X.shape[0], n_coef(rows.design)), lambda hooks: _bp(result))


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

    key, spec, df = current()
    alpha, weights = session.fit_settings().alpha, session.fit_settings().weights
    d = _fit_rows(key, spec, weights, df).design
    result = ols_of(key, spec, "qr", alpha, df, weights=weights)

    def work(hooks):
        figures = plots.diagnostic_figures(result, d.row_labels, hover=plots.hover_frame(df, d))
        tests = (diagnostics.breusch_pagan(result), diagnostics.jarque_bera(result),
                 diagnostics.durbin_watson(result))
        influence = influence_measures(result, d.row_labels, top=top)
        return figures, tests, diagnostics.vif(result), influence, int(result.influence_flags.any.sum())

    return stored("residuals", (key, spec, alpha, weights, int(top)), "the residual diagnostics",
                   lambda: budget.ols_cost(d.X.shape[0], n_coef(d)), work)
