"""Lesson 1: Fit a line by eye."""

from __future__ import annotations

import math

import streamlit as st

from linreg import lessons
from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import charts
from . import common

TITLE = "Fit a line by eye"


def show() -> None:
    st.markdown(
        "A straight line y = β₀ + β₁x predicts every point; the **residual** is how far the point lies above "
        "(+) or below (−) the line. Least squares judges a line by the **residual sum of squares**, "
        "RSS = Σ (yᵢ − β₀ − β₁xᵢ)²: drawn as squares, it is the total orange area. Move the sliders to make it "
        "as small as you can."
    )
    d = common.dataset_picker(1)
    b0, b1 = common.user_line(d)
    fit = lessons.line_fit(d.x, d.y, b0, b1)
    ols = d.ols
    shown = st.session_state.get("learn_shown_1", False)
    equal = st.checkbox("Equal scales on both axes (true squares)", value=d.name == "anscombe_1",
                        key=f"learn_equal_{d.name}",
                        help="With equal scales each square's area is exactly the squared residual. "
                        "Otherwise the squares are stretched sideways by one common factor so they still look "
                        "square: their areas stay proportional to the squared residuals.")
    ols_fit = lessons.line_fit(d.x, d.y, float(ols.coef[0]), float(ols.coef[1])) if shown else None
    text, = charts.chart(("learn_line", d.name, b0, b1, shown, equal),
                        lambda: plots.line_figure(d, fit, ols_fit=ols_fit, equal_aspect=equal), key="learn_line_chart")
    st.caption(text)
    if not equal:
        st.caption("The axes have different scales, so the squares are drawn wider or narrower than their "
                   "height by the same factor for every point: compare their sizes with each other, not with "
                   "the axis units.")
    c = st.columns(3)
    c[0].metric("Your RSS", fmt(fit.rss, 6))
    c[1].metric("Your loss L = RSS/N", fmt(fit.loss, 6), help=f"N = {d.n} points.")
    c[2].metric("Largest |residual|", fmt(fit.max_abs_resid, 4))
    with st.container(border=True):
        st.markdown("**Predict, then reveal**: when you think your line is as good as it gets, reveal the best one.")
        if not shown and st.button("Reveal the least-squares line", key="learn_reveal_1"):
            st.session_state["learn_shown_1"] = True
            st.rerun()
        if shown and st.button("Hide it and try again", key="learn_hide_1"):
            st.session_state["learn_shown_1"] = False
            st.rerun()
        if shown:
            ratio = fit.rss / ols.rss if ols.rss > 0 else math.inf
            st.success(
                f"Least squares: y = {fmt(ols.coef[0], 6)} + {fmt(ols.coef[1], 6)} x with RSS = {fmt(ols.rss, 6)}, "
                f"the smallest any line can reach. Yours is {fmt(fit.rss, 6)}, "
                f"{fmt(ratio, 4)} times as large." + (" A perfect guess!" if ratio < 1.001 else "")
            )
            st.metric("Least-squares RSS", fmt(ols.rss, 6), delta=f"{fmt(fit.rss - ols.rss, 4)} yours above",
                      delta_color="off")
    common.try_it("pages/fit.py", "the Fit page draws the least-squares line of any data", "📈")
