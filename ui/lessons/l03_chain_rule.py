"""Lesson 3: The gradient by the chain rule."""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import charts
from . import common

TITLE = "The gradient by the chain rule"


def show() -> None:
    st.markdown(
        "Gradient descent needs the gradient ∇L: which way is uphill, and how steep. The loss is an average over "
        "points, L = (1/N) Σ Lᵢ, so its gradient is the average of each point's gradient, and each point's "
        "gradient follows from the **chain rule** through its prediction ŷᵢ = β₀ + β₁xᵢ. Here at your line from "
        "lesson 1 (the sliders move it)."
    )
    d = common.dataset_picker(3)
    b0, b1 = common.user_line(d)
    i = st.slider("Point i", 0, d.n - 1, key=f"learn_i_{d.name}", help="Row position of the point, from 0.")
    c = lessons.chain_rule(d.X1, d.y, [b0, b1], i)
    left, right = st.columns([3, 2])
    with left:
        text, = charts.chart(("learn_chain", d.name, b0, b1, int(i)), lambda: plots.chain_figure(d, c),
                            key="learn_chain_chart")
        st.caption(text)
    with right:
        st.markdown("**Finite-difference check** of the full gradient ∇L (central differences of L):")
        chk = c.check
        st.dataframe({"coefficient": ["β₀ (intercept)", f"β₁ (slope on {d.x_name})"],
                      "analytic (2/N)Xᵀ(ŷ − y)": [fmt(v, 10) for v in chk.analytic],
                      "finite difference": [fmt(v, 10) for v in chk.numeric]}, hide_index=True)
        st.metric("Largest relative difference", fmt(chk.max_rel_error, 2))
        st.caption("They agree to about ten digits: the formula is right. The check costs two loss evaluations "
                   "per coefficient, which is why we derive the gradient instead of always using it.")
    for line in plots.chain_latex(c):
        st.latex(line)
    st.caption(f"Point {c.i}'s own gradient is ({fmt(c.grad_i[0])}, {fmt(c.grad_i[1])}); averaging all {c.n} "
               f"points' gradients gives ∇L = ({fmt(c.grad[0])}, {fmt(c.grad[1])}) at L = {fmt(c.loss)}.")
    verb = "raises" if c.dL_dyhat < 0 else "lowers" if c.dL_dyhat > 0 else "leaves"
    common.reveal(3, f"A descent step using point {c.i} alone moves w against its gradient 2(ŷᵢ − yᵢ)xᵢ. "
                  "What does it do to the intercept?", ["raises it", "lowers it", "leaves it"], f"{verb} it",
                  f"The intercept's part of point {c.i}'s gradient is 2(ŷᵢ − yᵢ)·1 = {fmt(c.dL_dyhat)}; a step goes "
                  f"against it, so it {verb} the intercept"
                  + (": the line moves toward the point" if c.dL_dyhat != 0 else ": the line already passes through it")
                  + f" (ŷᵢ = {fmt(c.yhat_i)}, yᵢ = {fmt(c.y_i)}).")
    common.try_it("pages/descent.py", "the Gradient descent page shows these numbers at every step", "⛰️")
