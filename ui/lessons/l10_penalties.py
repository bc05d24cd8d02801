"""Lesson 10: Beyond least squares."""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import charts, lesson_cache
from . import common

TITLE = "Beyond least squares"


def show() -> None:
    st.markdown(
        "Least squares minimises the loss alone. **Penalized** regression adds a price on large coefficients, "
        "weighted by λ ≥ 0 (the intercept is not penalized; features are standardized so the price is fair):"
    )
    st.latex(r"\text{ridge:}\quad \frac{1}{N}\lVert y - \beta_0 - X\beta\rVert^2 + \lambda \lVert\beta\rVert_2^2"
             r"\qquad\qquad \text{lasso:}\quad \frac{1}{N}\lVert y - \beta_0 - X\beta\rVert^2 + "
             r"\lambda \lVert\beta\rVert_1")
    st.markdown("Ridge shrinks every coefficient toward 0; the lasso sets some **exactly** to 0. Both trade a "
                "little bias for less variance, which helps most when features are correlated, as the four here "
                "are (correlation 0.9, true coefficients below).")
    lam = st.select_slider("λ", lessons.LAMBDAS, value=0.1, key="learn_lambda", format_func=lambda v: f"{v:g}")
    p = lesson_cache.penalized(float(lam))
    _, _, names, truth = lesson_cache.penalized_data()
    text, = charts.chart(("learn_penalized", float(lam)), lambda: plots.penalized_figure(p), key="learn_penalized_chart")
    st.caption(text)
    st.dataframe({"term": list(p.terms), "true": [fmt(truth.get(t, 0.0), 4) for t in p.terms],
                  "least squares": [fmt(v, 4) for v in p.ols], "ridge": [fmt(v, 4) for v in p.ridge],
                  "lasso": [fmt(v, 4) for v in p.lasso]}, hide_index=True)
    m = st.columns(3)
    m[0].metric("Training MSE, least squares", fmt(p.ols_mse))
    m[1].metric("Training MSE, ridge", fmt(p.ridge_mse))
    m[2].metric("Training MSE, lasso", fmt(p.lasso_mse))
    big = lesson_cache.penalized(lessons.LAMBDAS[-3])
    common.question(10, "As λ grows, which penalty sets coefficients exactly to zero?", ["ridge", "lasso", "both"], "lasso",
                  f"At λ = {fmt(lessons.LAMBDAS[-3])} the lasso has {big.lasso_zeros} of {len(big.terms) - 1} slopes exactly 0, "
                  f"ridge {big.ridge_zeros}: the corner of |β| at 0 holds lasso coefficients "
                  "there, while ridge's smooth β² only shrinks them. Training MSE always rises with λ, since least squares "
                  "has the smallest possible.")
    common.try_it("pages/regularization.py", "the Regularization page draws the paths over λ and cross-validates", "🪢")
