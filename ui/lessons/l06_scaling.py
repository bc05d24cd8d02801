"""Lesson 6: Feature scaling and conditioning."""

from __future__ import annotations

import streamlit as st

from linreg.format import fmt
from linreg.plots import descent as gd_plots
from linreg.quadratic import condition_number

from .. import charts, lesson_cache
from ..widgets import escaped
from . import common

TITLE = "Feature scaling and conditioning"


def show() -> None:
    st.markdown(
        "The speed of gradient descent depends on the shape of the bowl. Its **condition number** λ_max/λ_min "
        "says how stretched it is: the step must be small enough for the steepest direction (2/λ_max) but then "
        "crawls along the flattest. Raw x far from 0 makes a long thin valley; **standardizing** x (mean 0, "
        "standard deviation 1) makes it round. Both runs below use their own best learning rate "
        "2/(λ_max + λ_min) and stop when the gradient is below 10⁻⁸."
    )
    d = common.dataset_picker(6)
    runs = lesson_cache.scaling(d.name)
    raw, std = runs["raw features"], runs["standardized"]
    c = st.columns(2)
    c[0].metric("Condition number λ_max/λ_min, raw x", fmt(condition_number(raw)))
    c[1].metric("Condition number λ_max/λ_min, standardized x", fmt(condition_number(std)))
    ratio = raw.n_iter / max(std.n_iter, 1)
    answer = "more than 100 times as many" if ratio > 100 else ("2 to 100 times as many" if ratio >= 2
                                                                  else "about the same")
    def both_runs() -> None:
        st.dataframe(gd_plots.conditioning_table(runs), hide_index=True)
        text, = charts.chart(("learn_scaling", d.name), lambda: gd_plots.conditioning_figure(runs, terms=(d.x_name,)),
                            key="learn_scaling_chart")
        escaped(text)
        st.caption("Both panels use equal scales on their axes, in the coordinates each run works in "
                   "(standardized coefficients on the right): a circle means every direction is equally steep, "
                   "and the raw run zig-zags across its narrow valley.")

    common.question(6, "How many iterations do raw features need, compared with standardized ones?",
                    ["about the same", "2 to 100 times as many", "more than 100 times as many"], answer,
                    f"Raw: condition number {fmt(condition_number(raw))}, {raw.n_iter:,} iterations; "
                    f"standardized: {fmt(condition_number(std))}, {std.n_iter:,}. The fitted line is the same "
                    f"(slope {fmt(raw.coef[1], 6)} against {fmt(std.coef[1], 6)}); only the path to it changes.",
                    revealed=both_runs, before="Make your guess and reveal it to see both runs.")
    common.try_it("pages/compare.py", "the Compare page runs the same experiment on your data", "⚖️")
