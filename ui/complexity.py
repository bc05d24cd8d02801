"""The Regularization page's second section: model complexity, bias and variance.

Polynomials of rising degree on a synthetic polynomial (its true curve known) or on the
current data when its model has one plain numeric feature; a held-out split and bootstrap
refits. The numbers come from ``ui.cache``, the figures from ``linreg.plots.penalized``.
"""

from __future__ import annotations

import streamlit as st

from linreg.exceptions import LinregError
from linreg.format import fmt
from linreg.plots import penalized as plots

from . import cache, charts, complexity_cache, session
from .text import md_escape
from .widgets import escaped, seed, seed_input, show_error


def _single_feature():
    """(feature, target) when the current model has exactly one plain numeric feature, else None."""
    try:
        design = cache.design()
    except LinregError:
        return None
    df, _ = session.current_data()
    if design.X.shape[1] != 1 or not design.intercept or design.terms[0] not in [str(c) for c in df.columns]:
        return None
    return design.terms[0], session.current_spec().target


def _synthetic_source():
    """Knobs of the synthetic polynomial; returns (x, y, explore, bootstrap, degree note, axis labels,
    ident: what the data depends on, for the charts' cache) or None."""
    # Defaults where one seeded split already shows the U: best test error at the true degree 3.
    seed("cx_n", 40)
    seed("cx_degree", 3)
    seed("cx_noise", 1.0)
    c = st.columns(4)
    n = int(c[0].slider("Rows", 20, 500, step=10, key="cx_n"))
    degree = int(c[1].slider("True degree", 1, 6, key="cx_degree"))
    noise = float(c[2].slider("Noise SD", 0.1, 5.0, step=0.1, key="cx_noise"))
    data_seed = seed_input("Data seed", "cx_seed", where=c[3], default=1, help=None)
    try:
        synth = complexity_cache.polynomial_data(n, degree, noise, data_seed)
    except LinregError as err:
        show_error("The synthetic data cannot be generated:", err)
        return None
    truth = ", ".join(f"{md_escape(t)} = {fmt(v)}" for t, v in synth.coef.items())
    st.caption(f"y = polynomial(x) + noise, x uniform on [−3, 3]. True coefficients: {truth}.")
    return (
        synth.data["x"].to_numpy(), synth.data["y"].to_numpy(),
        lambda md, tf, ss: complexity_cache.degree_explorer(n, degree, noise, data_seed, md, tf, ss),
        lambda fd, nb, bs: complexity_cache.bootstrap_fits(n, degree, noise, data_seed, fd, nb, bs),
        f"The true degree is {degree}. ", None, ("synthetic", n, degree, noise, data_seed),
    )


def _current_source(feature: str, target: str):
    design = cache.design()
    st.caption(f"{len(design.y):,} rows of the current data; their true curve is unknown, so only the variance "
               "of the refits can be measured.")
    return (design.X[:, 0], design.y, complexity_cache.current_degree_explorer,
            complexity_cache.current_bootstrap_fits, "", {"x": feature, "y": target}, ("current", charts.fingerprint()))


def section() -> None:
    st.header("Model complexity: bias and variance")
    st.markdown(
        "A polynomial of higher degree can always fit the **training** rows better, but beyond the true "
        "curve's degree it starts fitting the noise, and the error on **held-out** rows rises again. On "
        "synthetic data the true curve is known, so the bootstrap below can also measure the bias."
    )
    single = _single_feature()
    source = "synthetic"
    if single is not None:
        feature, target = single
        # Radio options are Markdown: the names are the user's.
        labels = {"synthetic": "Synthetic polynomial (true curve known)",
                  "current": f"Current data: {md_escape(target)} against {md_escape(feature)}"}
        seed("cx_source", "synthetic")
        source = st.radio("Data for this section", list(labels), format_func=labels.get, key="cx_source",
                          horizontal=True)
    made = _current_source(*single) if source == "current" and single is not None else _synthetic_source()
    if made is None:
        return
    x, y, explore, boot_of, degree_note, axis, ident = made

    st.subheader("Training and test error by degree")
    seed("cx_max_degree", 10)
    seed("cx_test_fraction", 0.3)
    c = st.columns(3)
    max_degree = c[0].slider("Highest degree", 1, 15, key="cx_max_degree")
    test_fraction = c[1].slider("Held-out share", 0.1, 0.5, step=0.05, key="cx_test_fraction")
    split_seed = seed_input("Split seed", "cx_split_seed", where=c[2], help=None)
    try:
        ex = explore(int(max_degree), float(test_fraction), split_seed)
    except LinregError as err:
        show_error("The degree explorer cannot run:", err)
    else:
        text, = charts.chart(("degrees", ident, int(max_degree), float(test_fraction), split_seed),
                             lambda: plots.degree_figure(ex), key="reg_degree_chart")
        escaped(text)
        st.caption(f"{degree_note}One split of {len(ex.test_index)} test rows is a noisy judge: change the split "
                   "seed and watch the best degree move, while the training error keeps falling with every degree.")

    st.subheader("Refits on bootstrap resamples")
    st.markdown(
        "Each faint curve is the same degree fitted to a resample of the rows (drawn with replacement). Their "
        "**spread** is the variance of the fit; the gap between their **mean** and the dashed **true curve** "
        "(when it is known) is the bias. A low degree is stiff (small spread, large bias); a high degree bends to "
        "every resample (large spread, little bias)."
    )
    seed("cx_fit_degree", 1)
    seed("cx_n_boot", 200)
    c = st.columns(3)
    fit_degree = c[0].slider("Degree fitted", 1, 12, key="cx_fit_degree")
    n_boot = c[1].select_slider("Resamples", [50, 100, 200, 500], key="cx_n_boot")
    boot_seed = seed_input("Bootstrap seed", "cx_boot_seed", where=c[2], help=None)
    try:
        boot = boot_of(int(fit_degree), int(n_boot), boot_seed)
    except LinregError as err:
        show_error("The bootstrap refits cannot run:", err)
        return
    text, = charts.chart(("bootstrap", ident, int(fit_degree), int(n_boot), boot_seed),
                         lambda: plots.bootstrap_figure(boot, x=x, y=y, labels=axis), key="reg_bootstrap_chart")
    escaped(text)
