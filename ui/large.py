"""Datasets too large for memory, as the server's operator registered them: listing, fitting, sampling.

The operator names Parquet datasets in ``linreg.toml``'s ``[datasets]`` table
(``ui.config.registry``); a visitor chooses among those names and never types a path. The
session then holds the dataset's first rows (for its columns, their types and a look) and a
``"registered"`` ``linreg.sources.DataSource``; every row is read only by the fit.

- The fit is :func:`linreg.scale.fit_ols` on the files of the dataset's fingerprint
  (``linreg.sources.dataset_facts``: paths, sizes, versions, rows and schema), on the
  operator's ``[dask] scheduler`` or this server's threads. It is kept in ``ui.cache``'s
  store under that fingerprint and the model, so a changed file means a new fit, and an
  unchanged one is fitted once for every visitor. It runs through ``ui.jobs.run`` with
  progress per partition and a Stop button; the per-request budget does not apply, since the
  operator chose the data and its memory is a few partitions, not the rows.
- A page that needs the rows themselves offers a sample of about :data:`SAMPLE_ROWS` rows
  as ordinary data (:func:`offer_sample`). The pages drawn on such data are in ``ui.large_pages``.

User text (dataset and column names) is shown escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from linreg.design import build_design, default_spec
from linreg.exceptions import Cancelled, LinregError, ModelError
from linreg.sources import (
    DatasetFacts,
    DataSource,
    dataset_facts,
    registered_source,
    sample_rows,
)

from . import cache, config, session
from .widgets import show_error

__all__ = ["SAMPLE_ROWS", "FIT_SAMPLE", "registered", "active", "source", "facts", "facts_table", "where",
           "fit", "descent", "residual_view", "load_sample", "offer_sample"]

#: Rows of the in-memory sample offered where a page needs the rows themselves.
SAMPLE_ROWS = 100_000
#: Rows the out-of-core fit keeps for the residual plots (the most influential always among them).
FIT_SAMPLE = 10_000
# Columns shown on hover in the residual plots, as linreg.plots.residuals.hover_frame keeps.
HOVER_COLUMNS = 6
# How long a dataset's fingerprint is trusted before its files are looked at again, in seconds.
FACTS_TTL = 10
_STAGES = ("facts", "fit", "refine", "diagnostics")

# --------------------------------------------------------------------------- the registry


def registered() -> dict[str, str]:
    """The operator's datasets: name -> location, in the file's order (empty: none offered)."""
    return dict(config.registry().datasets)


def active() -> bool:
    """Whether the current data is a registered dataset fitted out of core (not a sample of one)."""
    return session.is_large()


def source(name: str) -> DataSource:
    """The registered dataset ``name``, with its location from the operator's table.

    Raises
    ------
    ModelError
        If the server has no dataset of that name (any more).
    """
    datasets = registered()
    if name not in datasets:
        raise ModelError(f"this server has no large dataset named {name!r} any more; choose another on the Data page")
    return registered_source(name, datasets[name])


@st.cache_data(show_spinner=False, max_entries=64, ttl=FACTS_TTL)
def _facts(location: str) -> DatasetFacts:
    return dataset_facts(location)


def facts(name: str) -> DatasetFacts:
    """The fingerprint of the registered dataset ``name``: its files, sizes, versions, rows and schema.

    Raises
    ------
    LinregError
        The name is not registered, or its files cannot be read as one Parquet dataset.
    """
    return _facts(source(name).location)


def facts_table(f: DatasetFacts) -> pd.DataFrame:
    """The dataset's columns and their types, for the Data page."""
    return pd.DataFrame({"column": [c for c, _ in f.columns], "type": [t for _, t in f.columns]})


def where() -> str:
    """Where the out-of-core work runs, as a phrase: the operator's cluster or this server's threads."""
    return "the operator's Dask cluster" if config.registry().dask.scheduler else "this server's threads"


# --------------------------------------------------------------------------- the fit


def _progress(hooks, stages: tuple[str, ...] = _STAGES):
    """linreg.scale's progress(stage, done, total) as the job's fraction done, and the point where a stop lands."""
    def report(stage: str, done: int, total: int) -> None:
        step = stages.index(stage) if stage in stages else len(stages) - 1
        hooks["progress"]((step + done / max(total, 1)) / len(stages))
        if hooks["should_stop"]():
            raise Cancelled("stopped: the visitor left")

    return report


def fit():
    """The ``linreg.scale.ScaleResult`` of the current model on every row of the current registered dataset.

    Raises
    ------
    LinregError
        The model does not fit the dataset's columns (checked on its first rows, with the
        server's limits on terms and levels), the files cannot be read, or Dask is missing.
    """
    name, spec, alpha = session.source().name, session.current_spec(), session.fit_settings().alpha
    cache.design()  # the model's columns and sizes, checked on the rows in view before any pass
    fingerprint = facts(name)
    scheduler = config.registry().dask.scheduler

    def work(hooks):
        from linreg.scale import fit_ols

        return fit_ols(fingerprint.paths, spec=spec, alpha=alpha, client=scheduler or "threads",
                       sample=FIT_SAMPLE, seed=0, progress=_progress(hooks))

    # No estimate bounds a fit of a dataset the operator registered; it takes a heavy-job slot.
    return cache.stored("large_ols", (fingerprint, spec, float(alpha), FIT_SAMPLE), f"the fit of {name}",
                        lambda: None, work, heavy=True)


def descent():
    """Gradient descent with ``session.gd_settings()`` on the current registered dataset (a ``ScaleGDResult``).

    Full batch runs on every row from the Gram matrix of one pass, starting from the
    stored least-squares fit (its minimiser); mini-batch runs on an in-memory sample of
    about :data:`SAMPLE_ROWS` rows, and the result's ``note`` says which.

    Raises LinregError as :func:`fit`, or for a setting out of range.
    """
    name, spec, settings = session.source().name, session.current_spec(), session.gd_settings()
    least_squares = fit() if settings.batch_size is None else None
    fingerprint = facts(name)
    scheduler = config.registry().dask.scheduler

    def work(hooks):
        from linreg.scale import gradient_descent

        return gradient_descent(
            fingerprint.paths, spec=spec, learning_rate=settings.learning_rate, n_iter=settings.n_iter,
            standardize=settings.standardize, batch_size=settings.batch_size, momentum=settings.momentum,
            seed=settings.seed, ridge=settings.ridge, client=scheduler or "threads", fit=least_squares,
            sample=SAMPLE_ROWS, progress=_progress(hooks, ("facts", "gram", "sample")),
            should_stop=hooks["should_stop"])

    return cache.stored("large_gd", (fingerprint, spec, settings, SAMPLE_ROWS), f"gradient descent on {name}",
                        lambda: None, work, heavy=True)


@dataclass(frozen=True, eq=False)
class _SampleView:
    """The fit's sample rows in the shape linreg.plots.residuals reads (its per-row arrays, rank and σ)."""

    fitted: np.ndarray
    resid: np.ndarray
    standardized_resid: np.ndarray
    studentized_resid: np.ndarray
    leverage: np.ndarray
    cooks_distance: np.ndarray
    rank: int
    sigma: float
    alpha: float


def residual_view():
    """``(result, figures)``: the fit and the five residual figures drawn from its sample, labelled by global row.

    Raises LinregError as :func:`fit`.
    """
    result = fit()
    sample = result.sample
    spec = session.current_spec()

    def work(hooks):
        from linreg.plots import residuals as residual_plots  # scipy.stats: not on every page's import path

        view = _SampleView(*(sample[c].to_numpy(dtype=np.float64) for c in (
            "fitted", "resid", "standardized_resid", "studentized_resid", "leverage", "cooks_distance")),
            rank=result.rank, sigma=result.sigma, alpha=result.alpha)
        used = [c for c in (spec.target, *spec.features) if c in sample.columns][:HOVER_COLUMNS]
        return residual_plots.diagnostic_figures(view, sample["row"].to_numpy(), hover=sample[used].reset_index(drop=True))

    figures = cache.stored("large_residuals", (facts(session.source().name), spec, float(result.alpha), FIT_SAMPLE),
                           "the residual plots", lambda: None, work)
    return result, figures


# --------------------------------------------------------------------------- a sample in memory


def load_sample(name: str | None = None, n: int = SAMPLE_ROWS, seed: int = 0) -> None:
    """Make about ``n`` rows of the registered dataset ``name`` (default: the current one) the data, in memory.

    The current model is kept when the sample has its columns. Raises LinregError.
    """
    name = session.source().name if name is None else name
    fingerprint = facts(name)
    location = source(name).location
    df = cache.stored("large_sample", (fingerprint, int(n), int(seed)), f"a sample of {name}", lambda: None,
                      lambda hooks: sample_rows(location, int(n), int(seed)))
    df = df.copy()  # the session's data is its own; the stored frame is every session's
    spec = session.current_spec()
    try:
        build_design(df, spec, limits=config.CONFIG.limits)
    except LinregError:
        spec = default_spec(df)
    session.set_data(df, f"Sample of {name}: {len(df):,} rows (seed {seed})", spec,
                     source=registered_source(name, location, sample=int(n), seed=int(seed)))


def offer_sample(why: str) -> None:
    """Our sentence ``why``, then a button that loads a sample of the dataset into memory (and reruns)."""
    st.info(why)
    if st.button(f"Load a sample of about {SAMPLE_ROWS:,} rows", key="large_load_sample", type="primary",
                 help="Reads the dataset once and keeps each row with the same chance (seed 0); the sample is "
                      "ordinary data, and the Data page can return to the whole dataset."):
        try:
            load_sample()
        except LinregError as err:
            show_error("The sample could not be loaded:", err)
            return
        st.rerun()
    st.page_link("pages/fit.py", label="Or fit every row on the Fit page", icon="📈")
