"""Compare page: gradient descent against the closed form, on the same data and model.

The two fits come from ``ui.cache``, the figures and tables from ``linreg.plots.descent``.
The raw-against-standardized comparison runs two more descents through ``ui.descent_cache.gd``
(cached by their settings), each at its own optimal learning rate.

With a ridge term (``GDSettings.ridge`` > 0) gradient descent minimises a different loss,
so its end point is the ridge solution, not least squares: the page says so, and shows
that solution (``GDResult.optimum_original``) beside the two.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from linreg.exceptions import LinregError
from linreg.format import fmt
from linreg.plots import descent as plots
from linreg.plots import tables
from linreg.quadratic import condition_number
from ui import cache, charts, descent_cache, large_pages, session
from ui.legacy import through_app
from ui.text import md_code, md_escape
from ui.widgets import escaped, seed, show_error

through_app()
large_pages.guard("compare")  # a registered dataset read out of core: its own version of the page

ITERATION_CHOICES = (100, 500, 1_000, 5_000, 20_000, 100_000)


def _ridge_note(g) -> None:
    """Say that the gap to least squares is the ridge penalty's doing, and where to turn it off."""
    slopes = "standardized slopes" if g.standardize else "slopes"
    st.info(
        f"**This gradient descent is penalized: ridge λ = {fmt(g.ridge)}.** It minimises "
        f"(1/N)‖y − Xw‖² + λ‖b‖², where b are the {slopes} (the intercept is not penalized), so it "
        "converges to the **ridge solution**, not to least squares. The gap between the closed form (QR) "
        "and the ridge solution below is the shrinkage that penalty asks for, by design, not a failure of "
        "gradient descent: judge gradient descent against the ridge-solution column. It is the loss of ridge "
        f"(α = 0) on the Regularization page with *Standardize* {'on' if g.standardize else 'off'}. To "
        "compare with least squares, set **Ridge λ** to 0 on the Gradient descent page."
    )
    st.page_link("pages/descent.py", label="Set Ridge λ on the Gradient descent page", icon="⛰️")


def _coefficients(ols, g) -> None:
    st.subheader("The coefficients, side by side")
    table = tables.compare_coef_table(ols.terms, ols.coef, g.coef, ols.aliased)
    if g.ridge > 0:
        # The minimiser of the run's own (penalized) loss, in original units: where GD is headed.
        table[f"ridge solution (λ = {fmt(g.ridge)})"] = [fmt(v, 6) for v in g.optimum_original]
        table["GD − ridge"] = [fmt(b - a, 3) for a, b in zip(g.optimum_original, g.coef)]
    st.dataframe(table, hide_index=True)
    escaped(tables.compare_coef_summary(ols.terms, ols.coef, g.coef))
    if g.diverged:
        show_error("This gradient-descent run diverged, so its coefficients are meaningless. Lower the learning "
                   "rate on the Gradient descent page.", g.message)
    elif not g.converged:
        show_error("", g.message, element=st.info)
    else:
        show_error("", g.message, element=st.success)


def _convergence(g) -> None:
    st.subheader("How fast gradient descent closes the gap")
    st.markdown(
        "For full-batch descent on this quadratic loss, theory predicts the error shrinks by a constant factor "
        r"every step: $\lVert w_k - w^* \rVert \le \rho^k \lVert w_0 - w^* \rVert$ with "
        r"$\rho = \max_i |1 - \eta\lambda_i|$, where $\lambda_i$ are the eigenvalues of the Hessian "
        r"$H = \tfrac{2}{N}X^\top X$ (twice those of $X^\top X/N$). The excess loss $L(w_k) - L(w^*)$ shrinks "
        r"like $\rho^{2k}$. The dashed lines are that prediction, started from the run's own first error."
    )
    if g.ridge > 0:
        st.markdown(
            rf"With the ridge term, $w^*$ is the minimiser of the penalized loss, the **ridge solution** "
            rf"(λ = {fmt(g.ridge)}), not the least-squares one, and $H = \tfrac{{2}}{{N}}X^\top X + 2\lambda D$ "
            r"($D$: 1 for each slope, 0 for the intercept). So the curves below fall towards 0 when descent "
            "reaches the ridge solution, however far that is from least squares."
        )
    text, = charts.chart(("convergence", charts.fingerprint()), lambda: plots.convergence_figure(g),
                        key="compare_rate_chart")
    st.caption(text)
    lam = g.eigenvalues
    st.caption(
        f"Eigenvalues of H in the run's {'standardized' if g.standardize else 'raw'} coordinates: "
        + ", ".join(fmt(v) for v in lam) + f"; η = {fmt(g.learning_rate)}. Distances are measured in those "
        "coordinates, where the bound holds exactly."
        + (" With momentum the dashed line is the heavy-ball rate." if g.momentum > 0 else "")
    )


def _conditioning(design) -> None:
    st.subheader("Raw against standardized features")
    st.markdown(
        "Standardizing rescales each feature to mean 0 and standard deviation 1. The fitted model is the same, "
        "but the loss bowl changes shape: the condition number λ_max/λ_min of H decides how many steps descent "
        "needs, because the best single rate must be safe for the steepest direction and still make progress "
        "along the flattest. Both runs below use full batches, no momentum and each its own optimal rate "
        "2/(λ_max + λ_min)."
    )
    # Plain least squares: the optimal rates are those of XᵀX without the penalty, and a ridge term on raw
    # slopes and one on standardized slopes are different losses, so the two runs would not agree.
    settings = replace(session.gd_settings(), ridge=0.0)
    if session.gd_settings().ridge > 0:
        st.caption("These two runs leave out the ridge term, so that both minimise the same least-squares loss.")
    # Enough steps for the raw features to show their crawl, at most a blink for the quadratic's O(k²) steps.
    default = min((c for c in ITERATION_CHOICES if c >= max(settings.n_iter, 5_000)), default=ITERATION_CHOICES[-1])
    seed("compare_iters", default)
    n_iter = st.select_slider("Iterations for both runs", ITERATION_CHOICES, key="compare_iters")
    run_settings, runs = {}, {}
    for title, standardize in (("raw features", False), ("standardized", True)):
        # Cached by the data's key, not by hashing the whole design on every rerun.
        _, optimal = descent_cache.rate_bounds(standardize)
        run_settings[title] = replace(settings, standardize=standardize, learning_rate=float(optimal),
                                      n_iter=int(n_iter), batch_size=None, momentum=0.0)
        runs[title] = descent_cache.gd(run_settings[title])
    st.dataframe(plots.conditioning_table(runs), hide_index=True)
    raw, std = runs["raw features"], runs["standardized"]
    st.caption(
        f"Condition number {fmt(condition_number(raw))} raw against {fmt(condition_number(std))} "
        f"standardized; iterations run {raw.n_iter:,} against {std.n_iter:,} "
        f"({'converged' if raw.converged else 'not converged'} against "
        f"{'converged' if std.converged else 'not converged'})."
    )
    k = raw.history.coef.shape[1]
    if k < 2:
        st.info("The model has a single coefficient, so there is no two-dimensional loss surface to draw.")
        return
    terms = ("Intercept",) + tuple(design.terms) if design.intercept else tuple(design.terms)
    c = st.columns(2)
    i = c[0].selectbox("Contour x axis", range(k), index=0, key="compare_ci", format_func=lambda t: terms[t])
    others = [t for t in range(k) if t != i]
    j = c[1].selectbox("Contour y axis", others, index=0, key="compare_cj", format_func=lambda t: terms[t])
    escaped(charts.conditioning_figure(run_settings, i=i, j=j, key="compare_contours"))
    st.caption("Both panels use equal scales on their two axes, so a circle means every direction is equally "
               "steep and a thin ellipse means a narrow valley that descent crosses quickly but travels slowly.")


def _page() -> None:
    st.title("⚖️ Compare: gradient descent against the closed form")
    df, label = session.current_data()
    spec = session.current_spec()
    st.markdown(
        f"Least squares on {md_code(spec.target)} from **{md_escape(label)}**, solved twice: once in "
        "closed form (QR) and once by gradient descent with the settings of the Gradient descent page."
    )
    try:
        design = cache.design()
        ols = cache.ols()
        g = descent_cache.gd()
    except LinregError as err:
        show_error("The comparison cannot run:", err)
        return
    if g.ridge > 0:
        _ridge_note(g)
    _coefficients(ols, g)
    _convergence(g)
    try:
        _conditioning(design)
    except LinregError as err:
        show_error("The raw-against-standardized comparison cannot run:", err)


_page()
