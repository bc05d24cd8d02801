"""Lesson 3: The gradient by the chain rule.

Point i and the user's line move in the browser (``ui.components.lines.chain_dragger``), and so
do the chain rule's numbers at them, with no rerun; the settled line and point come back once,
checked by ``linreg.lessons``, and the finite-difference check and the derivation below are
the server's, at that line and point.
"""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import lesson_cache
from ..components.lines import chain_dragger
from . import common

TITLE = "The gradient by the chain rule"
KEY = "learn_chain_drag"  # the component's state: the line and point the browser settled on
ERROR = "learn_chain_error"  # why the browser's last state was not taken, for the next run to say


def _point_key(name: str) -> str:
    return f"learn_i_{name}"  # point i on a dataset: a plain key, so it survives a change of lesson


def _keep(d: lessons.LessonData, state: dict) -> None:
    line, i = lessons.checked_line(d, state.get("line")), lessons.checked_point(d, state.get("i"))
    common.set_line(d.name, line)
    st.session_state[_point_key(d.name)] = i


def show() -> None:
    st.markdown(
        "Gradient descent needs the gradient ∇L: which way is uphill, and how steep. The loss is an average over "
        "points, L = (1/N) Σ Lᵢ, so its gradient is the average of each point's gradient, and each point's "
        "gradient follows from the **chain rule** through its prediction ŷᵢ = β₀ + β₁xᵢ. Here at your line from "
        "lesson 1: pick a point and move the line, and watch the numbers follow."
    )
    d = common.dataset_picker(3)
    common.warn_refused(ERROR)
    b0, b1 = common.line_start(d)
    i = min(int(st.session_state.get(_point_key(d.name), 0)), d.n - 1)
    common.mount(chain_dragger, lesson_cache.chain_view(d.name, b0, b1, i), key=KEY, error=ERROR, keep=_keep)
    c = lessons.chain_rule(d.X1, d.y, [b0, b1], i)
    st.markdown(f"**At the line you settled on**, w = ({fmt(b0)}, {fmt(b1)}), and point i = {c.i}:")
    for line in plots.chain_latex(c):
        st.latex(line)
    st.markdown("**Finite-difference check** of the full gradient ∇L (central differences of L):")
    chk = c.check
    st.dataframe({"coefficient": ["β₀ (intercept)", f"β₁ (slope on {d.x_name})"],
                  "analytic (2/N)Xᵀ(ŷ − y)": [fmt(v, 10) for v in chk.analytic],
                  "finite difference": [fmt(v, 10) for v in chk.numeric]}, hide_index=True)
    st.metric("Largest relative difference", fmt(chk.max_rel_error, 2))
    st.caption("They agree to about ten digits: the formula is right. The check costs two loss evaluations "
               "per coefficient, which is why we derive the gradient instead of always using it.")
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
