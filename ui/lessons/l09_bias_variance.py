"""Lesson 9: Bias and variance."""

from __future__ import annotations

import streamlit as st

from linreg.format import fmt
from linreg.plots import penalized as pen_plots

from .. import charts, lesson_cache
from ..widgets import seed_input
from . import common

TITLE = "Bias and variance"


def show() -> None:
    st.markdown(
        "A model can miss in two ways. **Bias**: it is too simple to follow the truth, however much data it sees. "
        "**Variance**: it is so flexible that it follows the noise, and a new sample gives a different fit. The "
        "data below come from a known cubic, y = 1 − 2x + 0.5x³ + noise (40 points)."
    )
    c = st.columns(3)
    noise = c[0].select_slider("Noise σ", (0.5, 1.0, 2.0, 4.0), value=2.0, key="learn_bv_noise")
    seed = seed_input("Seed", "learn_bv_seed", where=c[1], default=1,
                      help="Draws the data, the train/test split and the resamples.")
    degree = c[2].slider("Degree of the refits", 1, 10, 1, key="learn_bv_degree")
    ex = lesson_cache.degrees(float(noise), seed)
    text, = charts.chart(("learn_degrees", float(noise), seed), lambda: pen_plots.degree_figure(ex),
                        key="learn_degree_chart")
    st.caption(text)
    st.caption("Training error can only fall as the degree grows; error on held-out test rows falls, then rises "
               "once the curve starts fitting noise. With only 12 test rows the best degree varies from seed to "
               "seed: try a few.")
    boot = lesson_cache.bootstrap(float(noise), seed, int(degree))
    x, y, _ = lesson_cache.complexity_data(float(noise), seed)
    text, = charts.chart(("learn_boot", float(noise), seed, int(degree)),
                        lambda: pen_plots.bootstrap_figure(boot, x=x, y=y), key="learn_boot_chart")
    st.caption(text)
    m = st.columns(2)
    m[0].metric("Variance (mean over x)", fmt(boot.mean_variance))
    m[1].metric("Squared bias (mean over x)", fmt(boot.mean_bias_sq))
    low, high = lesson_cache.bootstrap(float(noise), seed, 1), lesson_cache.bootstrap(float(noise), seed, 9)
    answer = "degree 9" if high.mean_variance > low.mean_variance else "degree 1"
    common.question(9, "Refit on 200 resamples: whose fitted curves vary more, a straight line (degree 1) or degree 9?",
                  ["degree 1", "degree 9"], answer,
                  f"Variance averages {fmt(low.mean_variance)} for the straight line and {fmt(high.mean_variance)} for "
                  f"degree 9, while the squared bias is {fmt(low.mean_bias_sq)} against {fmt(high.mean_bias_sq)}: the "
                  "straight line is low-variance but biased, the flexible curve the other way round.")
    common.try_it("pages/fit.py", "fit polynomial terms to your data on the Fit page", "📈")
