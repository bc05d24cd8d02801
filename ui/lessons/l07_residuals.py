"""Lesson 7: Residuals tell the truth."""

from __future__ import annotations

import streamlit as st

from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import charts, lesson_cache
from . import common

TITLE = "Residuals tell the truth"


def show() -> None:
    st.markdown(
        "Summary numbers can hide everything. Anscombe (1973) built four datasets with the **same** fitted line "
        "and the same R². Here are the numbers, and the residuals of each fit against its fitted values."
    )
    fits = lesson_cache.anscombe()
    st.dataframe({
        "set": [t for t, *_ in fits],
        "intercept": [fmt(r.coef[0], 4) for *_, r in fits],
        "slope": [fmt(r.coef[1], 4) for *_, r in fits],
        "R²": [fmt(r.r_squared, 3) for *_, r in fits],
        "σ": [fmt(r.sigma, 3) for *_, r in fits],
    }, hide_index=True)
    st.caption("Four fits, one line: y ≈ 3.00 + 0.500 x with R² ≈ 0.67 in every set.")
    text, = charts.chart(("learn_anscombe_resid",), lambda: plots.anscombe_residuals_figure(fits),
                        key="learn_anscombe_resid")
    st.caption(text)
    def scatter_plots() -> None:
        text, = charts.chart(("learn_anscombe_fits",), lambda: plots.anscombe_figure(fits), key="learn_anscombe_fits")
        st.caption(text)

    common.question(7, "Judging by the residual plots, which set is a straight line with ordinary scatter?",
                    ["set I", "set II", "set III", "set IV"], "set I",
                    "Set I's residuals are a patternless band around 0. Set II's form an arch: the truth is a curve. "
                    "Set III's are tiny except one: an outlier tilts the line. Set IV's fitted values take two "
                    "values: one point alone decides the slope. The scatter plots below show it.",
                    revealed=scatter_plots)
    common.try_it("pages/residuals.py", "the Residuals page draws these plots for any fit", "🔍")
