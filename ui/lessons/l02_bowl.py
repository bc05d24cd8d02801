"""Lesson 2: The loss is a bowl.

The user's line is a dot on the loss contour (``ui.components.lines.bowl_dragger``): dragging it,
its sliders or the arrow keys move it, the line over the data and its loss in the browser, with
no rerun. The settled line comes back once, checked by ``linreg.lessons.checked_line``, so that
lessons 1 and 3 start from it. The normal equations below are drawn by the server.
"""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import lesson_cache
from ..components.lines import bowl_dragger
from . import common

TITLE = "The loss is a bowl"
KEY = "learn_bowl_drag"  # the component's state: the line the browser settled on
ERROR = "learn_bowl_error"  # why the browser's last line was not taken, for the next run to say


def _keep(d: lessons.LessonData, state: dict) -> None:
    common.set_line(d.name, lessons.checked_line(d, state.get("line")))


def show() -> None:
    st.markdown(
        "Every line (β₀, β₁) has a loss L(β₀, β₁) = (1/N) Σ (yᵢ − β₀ − β₁xᵢ)². Drawn over all lines, that loss is "
        "a **bowl** (a quadratic): one lowest point, and that point is the least-squares line. Your line from "
        "lesson 1 is the orange dot: drag it over the bowl and watch the line move over the data."
    )
    d = common.dataset_picker(2)
    common.warn_refused(ERROR)
    view = lesson_cache.bowl_view(d.name, *common.line_start(d))
    common.mount(bowl_dragger, view, key=KEY, error=ERROR, keep=_keep)
    st.subheader("The bottom in closed form")
    st.markdown("At the bottom of the bowl the slope is zero in every direction: setting the gradient to zero "
                "gives the **normal equations**, two linear equations in two unknowns.")
    shift = st.select_slider(
        "Add a constant to x (e.g. calendar years instead of years since 2000)", lessons.SHIFTS, key="learn_shift",
        format_func=lambda v: f"{v:,.0f}",
        help="Shifting x changes only the intercept of the best line, but it makes the column of ones and the "
        "x column nearly parallel: the problem becomes ill-conditioned.",
    )
    ne = lesson_cache.normal(d.name, float(shift))
    for line in plots.normal_equations_latex(ne):
        st.latex(line)
    st.markdown(
        "Solving this system directly squares the **condition number**: cond(XᵀX) = cond(X)². A condition number "
        "of 10ᵏ can cost about k of the 16 significant digits a computer carries. QR factorization works on X "
        "itself (X = QR, then solve Rw = Qᵀy), so it only pays cond(X)."
    )
    c = st.columns(4)
    c[0].metric("cond(X)", fmt(ne.cond_X))
    c[1].metric("cond(X)²", fmt(ne.cond_X ** 2))
    c[2].metric("cond(XᵀX) as computed", fmt(ne.cond_XtX),
                help="Above about 10¹⁶ XᵀX is singular to working precision, so even this number is inaccurate.")
    c[3].metric("Normal equations vs QR", fmt(ne.max_rel_difference, 2),
                help="Largest difference between the two solutions, relative to the largest QR coefficient.")
    st.caption(
        f"With x shifted by {shift:,.0f}: QR can lose about {fmt(ne.digits_lost_qr, 2)} digits, the normal "
        f"equations about {fmt(ne.digits_lost_normal, 2)}; QR gives β = ({fmt(ne.coef_qr[0], 10)}, "
        f"{fmt(ne.coef_qr[1], 10)}), the normal equations ({fmt(ne.coef_normal[0], 10)}, "
        f"{fmt(ne.coef_normal[1], 10)})."
    )
    common.reveal(2, "If cond(X) is 1,000, what is cond(XᵀX)?", ["about 1,000", "about 2,000", "about 1,000,000"],
                  "about 1,000,000",
                  f"Forming XᵀX squares the condition number: here cond(X) = {fmt(ne.cond_X)} and cond(XᵀX) = "
                  f"{fmt(ne.cond_XtX)} ≈ {fmt(ne.cond_X ** 2)} = cond(X)². That is why linreg solves least squares by QR.")
    common.try_it("pages/fit.py", "compare QR, SVD and the normal equations on the Fit page", "📈")
