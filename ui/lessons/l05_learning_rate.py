"""Lesson 5: The learning rate."""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import charts, lesson_cache
from . import common

TITLE = "The learning rate"


def show() -> None:
    st.markdown(
        "How big may a step be? The loss is a bowl whose steepness along its principal directions is given by the "
        "eigenvalues λ of the Hessian H = (2/N)XᵀX. Each step multiplies the error along direction i by "
        "(1 − ηλᵢ). Below η = 2/λ_max every factor lies between −1 and 1 and the error shrinks; just below, the "
        "factor along the steepest direction is close to −1, so the coefficients **overshoot back and forth**; "
        "above, it is below −1 and every step overshoots further: **divergence**."
    )
    d = common.dataset_picker(5)
    c = st.columns([2, 1])
    factor = c[0].select_slider("Learning rate as a multiple of 2/λ_max", lessons.FACTORS, value=0.95, key="learn_factor",
                                format_func=lambda f: f"{f:g} ×")
    standardize = c[1].checkbox("Standardize x", value=True, key="learn_lr_std",
                                help="Standardized, the bowl is round (lesson 6) and 2/λ_max = 1.")
    r = lesson_cache.lr_run(d.name, float(factor), bool(standardize))
    m = st.columns(4)
    m[0].metric("λ_max", fmt(r.lam_max))
    m[1].metric("Stable bound 2/λ_max", fmt(r.max_stable))
    m[2].metric("η used", fmt(r.run.learning_rate))
    m[3].metric("Factor 1 − ηλ_max", fmt(r.step_factor))
    text, = charts.chart(("learn_lr", d.name, float(factor), bool(standardize)),
                        lambda: plots.learning_rate_figure(r, x_name=d.x_name), key="learn_lr_chart")
    st.caption(text)
    st.caption("The zig-zag is in the coefficients (left). The loss (right) squares the error, so below the bound "
               "it still falls at every step — slowly, by (1 − ηλ_max)² — and above it it climbs.")
    if r.run.diverged:
        st.error(f"Diverged: {r.run.message}")
    above = lesson_cache.lr_run(d.name, 1.05, bool(standardize))
    common.question(5, "At 1.05 × 2/λ_max, what does gradient descent do?",
                  ["converges slowly", "oscillates but converges", "diverges"], "diverges",
                  f"At η = {fmt(above.run.learning_rate)} the factor 1 − ηλ_max is {fmt(above.step_factor)}: each step "
                  f"multiplies the error along the steepest direction by {fmt(abs(above.step_factor))} and flips its "
                  f"sign, so the loss grows from {fmt(above.run.history.loss[0])} to {fmt(above.run.final_loss)} in "
                  f"{above.run.n_iter} steps.")
    common.try_it("pages/descent.py", "the Gradient descent page marks the stable and the optimal rates", "⛰️")
