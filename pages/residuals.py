"""Residuals page: R's four diagnostic plots, a histogram, the tests, VIF and the influential rows.

Nothing here computes with numbers: the figures, their one-line summaries, the tests and the
influential rows come ready-made from one cache (``ui.cache.residual_plots``), so a rerun only
renders.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from linreg.exceptions import LinregError
from linreg.format import fmt
from linreg.plots import tables
from ui import cache, charts, large_pages, session
from ui.legacy import through_app
from ui.text import md_code, md_escape
from ui.widgets import escaped, show_error

through_app()
large_pages.guard("residuals")  # a registered dataset read out of core: its own version of the page

INFLUENCE_ROWS = 10

HOW_TO_READ = """
These are the four plots R draws for `plot(lm(...))`, with R's names and numbers.

- **Residuals vs Fitted**: the residuals should scatter evenly around 0. A curved red smoother
  (R's lowess) says the model misses a curve: try a polynomial term.
- **Normal Q-Q**: standardized residuals against the quantiles a normal sample of the same size
  would have. Points on the dotted line mean normal errors; bent tails mean heavy or light tails.
- **Scale-Location**: √|standardized residual| against fitted. A flat smoother means constant spread;
  a rising one is the fan shape of heteroscedasticity (see Breusch–Pagan below).
- **Residuals vs Leverage**: leverage is how unusual a row's predictors are; Cook's distance
  combines leverage and residual into how much the fit moves without that row. Rows outside the
  dashed 0.5 contour are influential, outside 1 very much so.

In each plot the 3 most extreme rows are labelled, as R does. A standardized residual is the
residual divided by its own standard error, σ√(1 − leverage).
"""


def _plot(fig, summary: str, note: str | None, key: str) -> None:
    """A chart, then its one-line summary in numbers (for readers who cannot see it), then any caveat."""
    # The figures come from cache.residual_plots for the current fit: encoded once, replayed after.
    charts.chart(("residuals", charts.fingerprint()), lambda: fig, key=key, alt=summary)
    # Summaries quote row labels and term names from the user's data.
    escaped(summary)
    if note:
        escaped(note)


def _row_label_note(df: pd.DataFrame) -> str:
    if isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1:
        return (
            "Points are labelled with their row in your data, as on the Data page, counting from 0 "
            "(R counts from 1: R's row 49 is row 48 here)."
        )
    return "Points are labelled with their row label in your data, as on the Data page."


def _diagnostic_plots(figures) -> None:
    # Two rows of two, in R's order, so that each row's charts line up whatever their captions' length.
    keys = ("res_fitted", "res_qq", "res_scale", "res_leverage")
    for row in (0, 2):
        for column, plot, key in zip(st.columns(2, gap="medium"), figures[row:row + 2], keys[row:row + 2], strict=True):
            with column:
                _plot(*plot, key=key)


def _tests(result, histogram, tests, vif) -> None:
    left, right = st.columns(2, gap="medium")
    with left:
        st.subheader("Distribution of the residuals")
        _plot(*histogram, key="res_hist")
    with right:
        st.subheader("Tests")
        st.table(tables.diagnostic_test_table(tests), hide_index=True)
        st.caption(
            f"At α = {result.alpha:g}. Breusch–Pagan (Koenker's studentized form): does the residual spread change "
            "with the predictors? Jarque–Bera: are the residuals normal (skewness and kurtosis)? Durbin–Watson: "
            "are neighbouring rows' residuals correlated (it depends on the row order; 2 means no correlation)?"
        )
        st.subheader("Collinearity (VIF)")
        if len(vif) >= 2:  # one term has nothing to be collinear with
            # st.table renders its cells as Markdown, and the terms are the user's column names.
            table = tables.vif_table(vif, result.aliased)
            st.table(table.assign(term=table["term"].map(md_escape)), hide_index=True)
        escaped(tables.vif_summary(vif, result.aliased))


@st.fragment
def _influence(result, table: pd.DataFrame, n_flagged: int, df: pd.DataFrame) -> None:
    """The most influential rows (``table``, shared: read only); selecting one shows its data.

    A fragment: a click reruns only this part.
    """
    st.subheader("Influential observations")
    flags = result.influence_flags
    st.caption(
        f"The rows with the largest Cook's distance ({min(INFLUENCE_ROWS, result.n)} of {result.n:,}), and any of "
        "leverage 1, with R's influence.measures: the studentized residual leaves the row out of σ (R's rstudent); "
        "DFFITS is how far the row's own fitted value moves without it, and DFBETAS how far each coefficient "
        "moves (in standard errors; the largest is shown, with its term); COVRATIO above 1 means the row makes "
        "the coefficients more precise, below 1 less. Select a row (the box at its left) to see its data."
    )
    st.caption(
        f"R's rules (is.influential) flag {n_flagged:,} of the {result.n:,} rows: |DFBETAS| > 1, "
        f"|DFFITS| > 3√(k/(n − k)) = {fmt(flags.dffits_cut, 3)}, |1 − COVRATIO| > 3k/(n − k) = "
        f"{fmt(flags.covratio_cut, 3)}, Cook's distance above the median of F(k, n − k) = {fmt(flags.cooks_cut, 3)}, "
        f"or leverage > 3k/n = {fmt(flags.leverage_cut, 3)}. The per-row diagnostics download on the Fit page "
        "has every row."
    )
    event = st.dataframe(
        tables.influence_display(table),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"res_influence_{session.data_version()}",
    )
    if table["cooks_distance"].isna().any():
        st.caption(
            "— : undefined. A row with leverage 1 is fitted exactly (it alone decides a term, e.g. the only row "
            "of a category), so its residual is 0 and its studentized residual and Cook's distance have no value."
        )
    chosen = [i for i in event.selection.rows if i < len(table)] if event is not None else []
    position = chosen[0] if chosen else 0
    label = table["row"].iloc[position]
    what = "Selected" if chosen else "The most influential"
    st.markdown(f"**{what} row: {md_code(label)}**, as in your data:")
    row = df.loc[[label]]
    # Missing values in the user's data are shown as a dash, never as NaN.
    st.dataframe(row.astype(object).where(row.notna(), "—"))


st.title("🔍 Residuals")
st.markdown(
    "Is the straight-line model right for these data? The residuals (actual − fitted) should look like noise: "
    "no pattern, constant spread, roughly normal, and no single row steering the fit."
)

try:
    # The least-squares fit of the Fit page, weighted by the Data page's weights column; the residual
    # diagnostics do not depend on the choice of standard errors.
    design = cache.fit_rows().design
    result = cache.fit(covariance=False)
except LinregError as err:
    show_error("The model cannot be fitted:", err)
    st.info("Choose the target and features on the Data page.")
    st.stop()

df, source = session.current_data()
terms = " + ".join(md_code(t) for t in result.terms[:8]) + (" + …" if len(result.terms) > 8 else "")
st.caption(
    f"{md_escape(source)}: {md_code(design.spec.target)} ~ {terms} ({len(result.terms)} terms), "
    f"{result.n:,} rows, fitted by least squares (QR)"
    + (f", weighted by {md_code(session.fit_settings().weights)} (the standardized residuals, leverage and "
       "influence measures are the weighted ones, as R's rstandard and hatvalues)" if result.weights is not None
       else "")
    + f". {_row_label_note(df)}"
)
if result.aliased:
    st.warning(
        "Aliased terms (no coefficient of their own; they are linear combinations of other terms): "
        + ", ".join(md_code(t) for t in result.aliased)
    )
st.subheader("R's four diagnostic plots")
with st.expander("How to read these plots"):
    st.markdown(HOW_TO_READ)

try:
    figures, tests, vif, influence, n_flagged = cache.residual_plots(top=INFLUENCE_ROWS)
    _diagnostic_plots(figures[:4])
    _tests(result, figures[4], tests, vif)
    _influence(result, influence, n_flagged, df)
except LinregError as err:
    show_error("", err)
