"""The pages drawn on a registered dataset read out of core, and the Data page's tab that chooses one.

:func:`guard` is what a page calls first: on such data it draws the page's out-of-core
version (Fit, Residuals, and Gradient descent, full batch from the Gram matrix of one pass),
or says in a sentence why the page needs rows in memory and offers a sample of it as ordinary
data, then stops the page. The fits, the fingerprint and the sample are ``ui.large``'s.

User text (dataset and column names) is shown escaped.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from linreg import export
from linreg.budget import format_bytes
from linreg.exceptions import LinregError
from linreg.format import fmt, fmt_p
from linreg.plots import fit as fit_plots
from linreg.plots import tables
from linreg.sources import DatasetFacts

from . import charts, large, session
from .text import md_escape
from .widgets import Code, download, download_gd_trace, escaped, latex, markdown, seed, show_error

__all__ = ["WHY", "dataset_tab", "guard"]

#: Influential rows listed on the Residuals page.
TOP_ROWS = 10

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




def guard(page: str) -> None:
    """A page's first call: on a registered large dataset, draw its out-of-core version and stop the page.

    ``page``: "fit", "residuals", "descent", "compare", "regularization" or "learn".
    """
    if not large.active():
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
        large.offer_sample(WHY.get(page, "This page needs the rows in memory, and this dataset is read a partition at a "
                                   "time, so it runs on a sample of it."))
    st.stop()


def _intro(verb: str) -> DatasetFacts | None:
    name, spec = session.source().name, session.current_spec()
    try:
        f = large.facts(name)
    except LinregError as err:
        show_error("The dataset cannot be read:", err)
        return None
    markdown(verb + " {target} on every row of **{name}**: {rows} rows in {files} Parquet files, read a partition "
             "at a time on " + large.where() + ".", target=Code(spec.target), name=name, rows=f"{f.rows:,}",
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
        result = large.fit()
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
    download("Coefficients (CSV)", lambda: export.coef_csv(result), "coefficients.csv", key="large_dl_coef")
    st.page_link("pages/residuals.py", label="Next: check the residuals", icon="🔍")


def _residuals_page() -> None:
    st.title("🔍 Residuals")
    if _intro("Residuals of") is None:
        return
    try:
        result, figures = large.residual_view()
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
        g = large.descent()
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
        table["least squares"] = [fmt(v) for v in large.fit().coef]
    st.dataframe(table, hide_index=True)
    download_gd_trace(g, key="large_dl_gd_trace")
    large.offer_sample(WHY["descent"])


def dataset_tab(on_loaded) -> None:
    """The Data page's "Large dataset" tab: the registered datasets, their facts, and Use or Load a sample.

    ``on_loaded()`` runs once a dataset or a sample is the session's data (the page resets its widgets).
    """
    names = list(large.registered())
    src = session.source()
    seed("large_name", src.name if src.kind == "registered" and src.name in names else names[0])
    if st.session_state["large_name"] not in names:  # the operator changed the list
        st.session_state["large_name"] = names[0]
    name = st.selectbox("Dataset", names, key="large_name",
                        help="The datasets this server's operator offers. Each is fitted out of core: every row, "
                             "a partition at a time, without holding the data in memory.")
    try:
        info = large.facts(name)
    except LinregError as err:
        show_error(f"{md_escape(name)} cannot be read:", err)
        return
    markdown("**{name}**: {files} Parquet files, {rows} rows, {columns} columns, {size}.", name=name,
             files=f"{len(info.files):,}", rows=f"{info.rows:,}", columns=len(info.columns),
             size=format_bytes(info.size))
    st.dataframe(large.facts_table(info), hide_index=True, height=min(300, 38 + 35 * len(info.columns)))
    c1, c2 = st.columns(2)
    use = c1.button("Use this dataset", key="load_large", type="primary",
                    help="Fit, Residuals and the model below then work on every row.")
    sample = c2.button(f"Load a sample of about {large.SAMPLE_ROWS:,} rows", key="load_large_sample",
                       help="Ordinary data in memory, for the pages that need the rows themselves.")
    if use or sample:
        try:
            if use:
                session.use_source(large.source(name))
            else:
                large.load_sample(name)
        except LinregError as err:
            show_error(f"Could not load {md_escape(name)}:", err)
            return
        on_loaded()
        markdown("Loaded {label}.", element=st.success, label=session.current_data()[1])
