"""Lesson 8: Linear in the parameters."""

from __future__ import annotations

import streamlit as st

from linreg.design import ModelSpec
from linreg.format import fmt
from linreg.plots import lessons as plots

from .. import charts, lesson_cache
from . import common

TITLE = "Linear in the parameters"


def show() -> None:
    st.markdown(
        "“Linear” regression means linear **in the parameters** β, not in x. Any column you can compute from the "
        "data can go into X: a power x², a 0/1 **dummy** for each group (except a reference group), or an "
        "**interaction** x·dummy that gives each group its own slope. The fit is still least squares, "
        "Xβ ≈ y."
    )
    c = st.columns(4)
    kind = c[0].selectbox("Data", ["categorical", "polynomial"], key="learn_terms_kind",
                          format_func={"categorical": "three groups, parallel lines",
                                       "polynomial": "one curve"}.get)
    square = c[1].checkbox("x² term", value=kind == "polynomial", key=f"learn_sq_{kind}")
    groups = c[2].checkbox("group dummies", value=kind == "categorical", key=f"learn_dummies_{kind}",
                           disabled=kind != "categorical")
    inter = c[3].checkbox("x × group interaction", value=False, key=f"learn_inter_{kind}",
                          disabled=kind != "categorical" or not groups)
    groups = groups and kind == "categorical"
    inter = inter and groups
    spec = ModelSpec(
        "y", features=("x", "group") if groups else ("x",), categorical=("group",) if groups else (),
        poly=(("x", 2),) if square else (), interactions=(("x", "group"),) if inter else (),
    )
    df, truth = lesson_cache.terms_data(kind)
    fit = lesson_cache.terms_fit(kind, spec)
    design, result, curves = fit.design, fit.result, fit.curves
    st.markdown("**The design matrix X** (first rows): one column per parameter.")
    st.dataframe(fit.preview, hide_index=True)
    st.latex(r"\hat y = " + " + ".join([r"\beta_0"] + [rf"\beta_{{{j + 1}}}\,\text{{{t}}}".replace("^", r"\^{}")
                                                         for j, t in enumerate(design.terms)]))
    left, right = st.columns([3, 2])
    with left:
        text, = charts.chart(("learn_terms", kind, spec),
                            lambda: plots.curves_figure(df, "x", "y", "group" if groups else None, curves),
                            key="learn_terms_chart")
        st.caption(text)
    with right:
        st.dataframe({"term": list(result.terms), "estimate": [fmt(v, 5) for v in result.coef],
                      "true value": [fmt(truth.get(t, 0.0), 5) for t in result.terms]}, hide_index=True)
        st.metric("R²", fmt(result.r_squared))
        st.caption(f"{result.n} rows, {len(result.terms)} parameters. A term the truth does not have has true "
                   "value 0.")
    common.question(8, "Is y = β₀ + β₁x + β₂x² a linear regression model?", ["yes", "no"], "yes",
                  "It is linear in β₀, β₁, β₂: the prediction is X·β with columns 1, x and x², so the same least squares "
                  "fits it" + (f" — here with x² coefficient {fmt(result.coef[list(result.terms).index('x^2')], 4)}."
                               if "x^2" in result.terms else "."))
    common.try_it("pages/data.py", "choose terms (powers, categorical columns, interactions) on the Data page", "📂")
