"""Datasets too large for memory, as the server's operator registered them: listing, fitting, and the pages.

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
- :func:`guard` is what a page calls first: on such data it draws the page's out-of-core
  version (Fit, Residuals, and Gradient descent, full batch from the Gram matrix of one
  pass) or says in a sentence why the page needs rows in memory and offers a sample of about :data:`SAMPLE_ROWS` rows as ordinary data, then stops the page.

User text (dataset and column names) is shown escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from linreg import export
from linreg.budget import format_bytes
from linreg.design import build_design, default_spec
from linreg.exceptions import Cancelled, LinregError, ModelError
from linreg.format import fmt, fmt_p
from linreg.plots import fit as fit_plots
from linreg.plots import residuals as residual_plots
from linreg.plots import tables
from linreg.sources import (
    DatasetFacts,
    DataSource,
    dataset_facts,
    registered_source,
    sample_rows,
)

from . import cache, charts, config, session
from .text import md_escape
from .widgets import Code, escaped, latex, markdown, seed, show_error

__all__ = ["SAMPLE_ROWS", "FIT_SAMPLE", "registered", "active", "facts", "fit", "descent", "residual_view",
           "load_sample", "offer_sample", "guard", "facts_table"]

#: Rows of the in-memory sample offered where a page needs the rows themselves.
SAMPLE_ROWS = 100_000
#: Rows the out-of-core fit keeps for the residual plots (the most influential always among them).
FIT_SAMPLE = 10_000
TOP_ROWS = 10
# Columns shown on hover in the residual plots, as linreg.plots.residuals.hover_frame keeps.
HOVER_COLUMNS = 6
# How long a dataset's fingerprint is trusted before its files are looked at again, in seconds.
FACTS_TTL = 10
_STAGES = ("facts", "fit", "refine", "diagnostics")

# Why each page that needs rows in memory cannot work on a dataset read a partition at a time.
WHY = {
    "descent": "The step-by-step view draws the model against every point of the data and the arithmetic of "
               "a step on its rows, which a dataset read a partition at a time cannot do, so it runs on a sample "
               "of it.",
    "compare": "Compare runs gradient descent, which steps over rows held in memory, against the closed form; "
               "this dataset is read a partition at a time, so the comparison runs on a sample of it.",
    "regularization": "Ridge, lasso and elastic net solve their path and cross-validation on rows held in memory, "
                      "and this dataset is read a partition at a time, so they run on a sample of it.",
    "learn": "The lessons draw every point of their data and refit it as you move a slider, which a dataset read "
             "a partition at a time cannot do, so they run on a sample of it.",
}


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


def _where() -> str:
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


# --------------------------------------------------------------------------- the pages


def guard(page: str) -> None:
    """A page's first call: on a registered large dataset, draw its out-of-core version and stop the page.

    ``page``: "fit", "residuals", "descent", "compare", "regularization" or "learn".
    """
    if not active():
        return
    if page == "fit":
        _fit_page()
    elif page == "residuals":
        _residuals_page()
    elif page == "descent":
        _descent_page()
    else:
        st.title({"descent": "⛰️ Gradient descent", "compare": "⚖️ Compare", "regularization": "🪢 Regularization",
                  "learn": "🎓 Learn"}.get(page, page))
        offer_sample(WHY.get(page, "This page needs the rows in memory, and this dataset is read a partition at a "
                                   "time, so it runs on a sample of it."))
    st.stop()


def _intro(verb: str) -> DatasetFacts | None:
    name, spec = session.source().name, session.current_spec()
    try:
        f = facts(name)
    except LinregError as err:
        show_error("The dataset cannot be read:", err)
        return None
    markdown(verb + " {target} on every row of **{name}**: {rows} rows in {files} Parquet files, read a partition "
             "at a time on " + _where() + ".", target=Code(spec.target), name=name, rows=f"{f.rows:,}",
             files=f"{len(f.files):,}")
    return f


def _tiles(result) -> None:
    c = st.columns(4)
    c[0].metric("R²" if result.intercept else "R² (uncentred)", fmt(result.r_squared))
    c[1].metric("Adjusted R²", fmt(result.adj_r_squared))
    c[2].metric("σ (residual std. error)", fmt(result.sigma))
    c[3].metric("F statistic", fmt(result.f_statistic))
    c = st.columns(4)
    c[0].metric("p-value of F", fmt_p(result.f_p_value))
    c[1].metric("AIC", fmt(result.aic))
    c[2].metric("BIC", fmt(result.bic))
    c[3].metric("Condition number", fmt(result.condition_number))


def _fit_page() -> None:
    st.title("📈 Fit")
    if _intro("Fitting") is None:
        return
    spec = session.current_spec()
    st.caption("Out of core the fit is always Householder QR (a TSQR pass, then a refinement pass in extended "
               "precision); the method choice applies to data in memory.")
    try:
        result = fit()
    except LinregError as err:
        show_error("The model cannot be fitted:", err)
        return
    for w in result.warnings:
        show_error("", w, element=st.warning)
    if result.n_dropped:
        st.info(f"{result.n_dropped:,} rows with a missing value in a used column are left out; "
                f"{result.n:,} rows are used.")
    _tiles(result)
    st.subheader("The fitted equation")
    latex(fit_plots.equation_latex(spec.target, result.terms, result.coef, result.aliased))
    escaped(fit_plots.equation_text(spec.target, result.terms, result.coef, result.aliased))
    st.subheader("Coefficients")
    st.dataframe(tables.coef_table(result, None), hide_index=True)
    st.caption(f"Householder QR over {result.n_partitions:,} partitions in {result.passes} passes "
               f"({result.refine_rounds} refinement); {result.n:,} rows, {result.df_resid:,g} residual degrees of "
               f"freedom; confidence intervals at {100 * (1 - result.alpha):g}%.")
    with st.expander("The fit as text (R's summary)"):
        st.code(result.summary(target=spec.target), language=None)
    st.download_button("Coefficients (CSV)", data=lambda: export.coef_csv(result), file_name="coefficients.csv",
                       mime="text/csv", key="large_dl_coef")
    st.page_link("pages/residuals.py", label="Next: check the residuals", icon="🔍")


def _residuals_page() -> None:
    st.title("🔍 Residuals")
    if _intro("Residuals of") is None:
        return
    try:
        result, figures = residual_view()
    except LinregError as err:
        show_error("The model cannot be fitted:", err)
        return
    d = result.diagnostics
    st.caption(f"The tests and extremes below are computed over all {result.n:,} rows in one more pass. The plots "
               f"draw a reproducible sample of {len(result.sample):,} rows that always holds the most influential ones, so "
               "their tails hold more extreme rows than a plain sample would. Rows are numbered in the dataset's "
               "file order from 0, counting rows left out for a missing value.")
    keys = ("large_res_fitted", "large_res_qq", "large_res_scale", "large_res_leverage", "large_res_hist")
    for row in (0, 2, 4):
        for column, (fig, summary, note), key in zip(st.columns(2, gap="medium"), figures[row:row + 2],
                                                     keys[row:row + 2]):
            with column:
                st.plotly_chart(fig, key=key, alt=charts.alt_text(fig, (summary,)))
                escaped(summary)
                if note:
                    escaped(note)
    st.subheader("Tests (every row)")
    st.table(tables.diagnostic_test_table([d.breusch_pagan, d.jarque_bera, d.durbin_watson]), hide_index=True)
    st.markdown(f"Largest leverage {fmt(d.leverage_max)} (they sum to the rank, {fmt(d.leverage_sum)}); "
                f"largest Cook's distance {fmt(d.cooks_max)}; {d.n_studentized_over_3:,} rows with a studentized "
                "residual beyond ±3.")
    st.subheader("Influential observations")
    top = d.top[["row", "fitted", "resid", "leverage", "studentized_resid", "cooks_distance"]].head(TOP_ROWS)
    st.caption(f"The {len(top)} rows of largest Cook's distance among all {result.n:,}, by their row number in "
               "the dataset.")
    st.dataframe(tables.influence_display(top), hide_index=True)
    shown = [c for c in d.top.columns if c not in top.columns or c == "row"]
    with st.expander("Their values in the data"):
        values = d.top[shown].head(TOP_ROWS)
        # Missing values in the data are shown as a dash, never as NaN.
        st.dataframe(values.astype(object).where(values.notna(), "—"), hide_index=True)


def _descent_page() -> None:
    from linreg.plots import descent as descent_plots

    from .widgets import gd_settings_controls

    st.title("⛰️ Gradient descent")
    if _intro("Gradient descent fits") is None:
        return
    st.markdown(r"It walks downhill on the loss $L(w) = \tfrac{1}{N}\lVert y - Xw \rVert^2$, one step "
                r"$w \leftarrow w - \eta\nabla L$ at a time, with $\nabla L = \tfrac{2}{N}X^\top(Xw - y)$. Full "
                r"batch needs the rows only through $X^\top X$, $X^\top y$ and $N$: one pass gives them, and "
                "every step after it costs the same whatever the number of rows.")
    gd_settings_controls("gd", "**Settings** (shared with the Fit and Compare pages)", widths=[1.3, 1, 1, 1, 1, 1, 1])
    try:
        g = descent()
    except LinregError as err:
        show_error("Gradient descent cannot run:", err)
        return
    st.caption(f"This run used {g.note}.")
    if g.diverged:
        show_error("Gradient descent diverged.", g.message)
    elif g.converged:
        show_error("", g.message, element=st.success)
    else:
        show_error("", g.message, element=st.info)
    fig, text = descent_plots.learning_rate_figure(g.learning_rate, g.optimal_learning_rate,
                                                   g.max_stable_learning_rate, momentum=g.momentum)
    st.plotly_chart(fig, key="large_gd_rate", config={"displayModeBar": False})
    st.caption(text)
    fig, text = descent_plots.convergence_figure(g)
    st.plotly_chart(fig, key="large_gd_convergence")
    escaped(text)
    c = st.columns(4)
    c[0].metric("Iterations", f"{g.n_iter:,}")
    c[1].metric("Final loss", fmt(g.final_loss))
    c[2].metric("Minimum loss", fmt(g.loss_min))
    c[3].metric("R² at the last step" if g.intercept else "R² (uncentred)", fmt(g.r_squared))
    table = pd.DataFrame({"term": list(g.terms), "gradient descent": [fmt(v) for v in g.coef]})
    if g.batch_size is None and g.ridge == 0:
        table["least squares"] = [fmt(v) for v in fit().coef]
    st.dataframe(table, hide_index=True)
    st.download_button("Download the whole run (CSV)", data=lambda: export.gd_trace_csv(g), file_name="gd_trace.csv",
                       mime="text/csv", key="large_dl_gd_trace",
                       help="iteration, loss, gradient norm and the coefficients (original units) at every step")
    offer_sample(WHY["descent"])


def dataset_tab(on_loaded) -> None:
    """The Data page's "Large dataset" tab: the registered datasets, their facts, and Use or Load a sample.

    ``on_loaded()`` runs once a dataset or a sample is the session's data (the page resets its widgets).
    """
    names = list(registered())
    src = session.source()
    seed("large_name", src.name if src.kind == "registered" and src.name in names else names[0])
    if st.session_state["large_name"] not in names:  # the operator changed the list
        st.session_state["large_name"] = names[0]
    name = st.selectbox("Dataset", names, key="large_name",
                        help="The datasets this server's operator offers. Each is fitted out of core: every row, "
                             "a partition at a time, without holding the data in memory.")
    try:
        info = facts(name)
    except LinregError as err:
        show_error(f"{md_escape(name)} cannot be read:", err)
        return
    markdown("**{name}**: {files} Parquet files, {rows} rows, {columns} columns, {size}.", name=name,
             files=f"{len(info.files):,}", rows=f"{info.rows:,}", columns=len(info.columns),
             size=format_bytes(info.size))
    st.dataframe(facts_table(info), hide_index=True, height=min(300, 38 + 35 * len(info.columns)))
    c1, c2 = st.columns(2)
    use = c1.button("Use this dataset", key="load_large", type="primary",
                    help="Fit, Residuals and the model below then work on every row.")
    sample = c2.button(f"Load a sample of about {SAMPLE_ROWS:,} rows", key="load_large_sample",
                       help="Ordinary data in memory, for the pages that need the rows themselves.")
    if use or sample:
        try:
            if use:
                session.use_source(source(name))
            else:
                load_sample(name)
        except LinregError as err:
            show_error(f"Could not load {md_escape(name)}:", err)
            return
        on_loaded()
        markdown("Loaded {label}.", element=st.success, label=session.current_data()[1])
