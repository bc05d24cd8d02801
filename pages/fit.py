"""Fit page: fit the current model by QR, SVD, the normal equations or gradient descent, and read the result.

Thin page: widgets -> state (cached linreg calls) -> render. The method and its settings
live in plain session keys owned by ``state``, so they survive a page switch.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import state
from linreg import export
from linreg.exceptions import LinregError
from linreg.plots import fit as plots
from linreg.plots._common import fmt

state.through_app()

LEVELS = (90, 95, 99)
METHODS = ("qr", "svd", "normal", "gd")


def _seed(key: str, value) -> None:
    """Give a widget its value from the app state when the page is (re)entered."""
    if key not in st.session_state:
        st.session_state[key] = value


def _controls() -> tuple[str, float]:
    settings = state.fit_settings()
    c1, c2 = st.columns([3, 1])
    with c1:
        _seed("fit_method", settings.method)
        method = st.radio(
            "Method",
            METHODS,
            key="fit_method",
            horizontal=True,
            format_func=state.METHOD_LABELS.get,
            help="QR and SVD are the stable closed forms; the normal equations square the condition number; "
            "gradient descent walks downhill on the loss L(w) = (1/N)‖y − Xw‖².",
        )
    with c2:
        _seed("fit_level", round(100 * (1 - settings.alpha)))
        level = st.select_slider("Confidence level (%)", LEVELS, key="fit_level")
    alpha = round(1 - level / 100, 4)
    if (method, alpha) != (settings.method, settings.alpha):
        state.set_fit_settings(method=method, alpha=alpha)
    if method == "gd":
        _gd_controls()
    return method, alpha


def _gd_controls() -> None:
    g = state.gd_settings()
    with st.container(border=True):
        st.markdown("**Gradient-descent settings**")
        c = st.columns(6)
        _seed("fit_gd_lr", float(g.learning_rate))
        _seed("fit_gd_n_iter", int(g.n_iter))
        _seed("fit_gd_batch", int(g.batch_size or 0))
        _seed("fit_gd_momentum", float(g.momentum))
        _seed("fit_gd_standardize", bool(g.standardize))
        _seed("fit_gd_seed", int(g.seed))
        lr = c[0].number_input("Learning rate η", min_value=1e-8, max_value=1e3, step=0.01, format="%.4g",
                               key="fit_gd_lr")
        n_iter = c[1].number_input("Iterations", min_value=1, max_value=100_000, step=100, key="fit_gd_n_iter")
        batch = c[2].number_input("Batch size (0 = all rows)", min_value=0, max_value=10_000_000, step=1,
                                  key="fit_gd_batch", help="0 uses every row in each step (full batch); "
                                  "a smaller batch gives stochastic (mini-batch) gradient descent.")
        momentum = c[3].slider("Momentum", 0.0, 0.99, step=0.01, key="fit_gd_momentum")
        seed = c[4].number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key="fit_gd_seed",
                                 help="Shuffles the mini-batches; the same seed gives the same run.")
        standardize = c[5].checkbox("Standardize", key="fit_gd_standardize",
                                    help="Run on standardized columns (better conditioned); coefficients are "
                                    "reported in the original units.")
    # replace() keeps the settings this page has no control for (the ridge term of the GD page).
    new = replace(
        g,
        learning_rate=float(lr),
        n_iter=int(n_iter),
        batch_size=int(batch) or None,
        momentum=float(momentum),
        standardize=bool(standardize),
        seed=int(seed),
    )
    if new != g:
        state.set_gd_settings(new)


def _ols_tiles(result) -> None:
    r2 = "R²" if result.intercept else "R² (uncentred)"
    adj = "Adjusted R²" if result.intercept else "Adjusted R² (uncentred)"
    c = st.columns(4)
    c[0].metric(r2, fmt(result.r_squared), help="Share of the variation in the target explained by the model.")
    c[1].metric(adj, fmt(result.adj_r_squared), help="R² penalised for the number of coefficients.")
    c[2].metric("σ (residual std. error)", fmt(result.sigma),
                help=f"Typical size of a residual: √(RSS / {result.df_resid:g} residual degrees of freedom).")
    c[3].metric("F statistic", fmt(result.f_statistic),
                help=f"Tests whether any term but the intercept matters: F on {result.df_model:g} and "
                f"{result.df_resid:g} degrees of freedom. — when the model has no terms to test.")
    c = st.columns(4)
    c[0].metric("p-value of F", plots.fmt_p(result.f_p_value),
                help="Probability of an F this large if every coefficient but the intercept were zero.")
    c[1].metric("AIC", fmt(result.aic), help="Akaike information criterion: lower is better, for models of the same rows.")
    c[2].metric("BIC", fmt(result.bic), help="Bayesian information criterion: like AIC with a heavier penalty per term.")
    c[3].metric("Condition number", fmt(result.condition_number),
                help="How much the design amplifies rounding and noise; above about 1e8 terms are nearly collinear.")


def _gd_tiles(g, result) -> None:
    c = st.columns(4)
    c[0].metric("Iterations run", f"{g.n_iter:,}")
    c[1].metric("Final loss L(w)", fmt(g.history.loss[-1]),
                help="L(w) = (1/N)‖y − Xw‖² at the last iterate (in the working parametrisation).")
    c[2].metric("Least-squares loss L(w*)", fmt(result.rss / result.n),
                help="The minimum of the same loss, reached by the closed form.")
    c[3].metric("Largest stable learning rate", fmt(g.max_stable_learning_rate),
                help="2 / λ_max of the Hessian (2/N)XᵀX: above this, full-batch descent diverges. "
                f"The fastest rate is 2 / (λ_max + λ_min) = {fmt(g.optimal_learning_rate)}.")


def _gd_status(g) -> None:
    # linreg's message already says what happened and what to do; the colour says how bad it is.
    if g.diverged:
        st.error(state.md_escape(g.message))
    elif not g.converged:
        st.warning(f"Gradient descent has not converged yet: {state.md_escape(g.message)}")
    else:
        st.success(state.md_escape(g.message))


def _last_good() -> None:
    """After a failed fit, the last one that worked stays in view, clearly marked as such."""
    last = state.last_good_fit()
    if last is None:
        return
    label, target, result = last
    st.info(f"Below is the last fit that worked: {state.md_code(target)} on {state.md_escape(label)}. "
            "Fix the model on the Data page (or undo the change) to fit again.")
    _ols_tiles(result)
    st.dataframe(plots.coef_table(result, None), hide_index=True)


def _exports(design, result, method: str) -> None:
    """Download buttons; each file is built only when its button is clicked."""
    st.subheader("Take it with you")
    source = export.source_from_recipe(state.recipe())
    spec, alpha = state.current_spec(), result.alpha
    c = st.columns(4)
    c[0].download_button("Coefficients (CSV)", data=lambda: export.coef_csv(result),
                         file_name="coefficients.csv", mime="text/csv", key="dl_coef")
    c[1].download_button("Per-row diagnostics (CSV)", data=lambda: export.diagnostics_csv(result, design.row_labels),
                         file_name="diagnostics.csv", mime="text/csv", key="dl_diag",
                         help="row, y, fitted, residual, leverage, Cook's distance")
    c[2].download_button("Python script", data=lambda: export.reproduce_script(source, spec, method=method, alpha=alpha),
                         file_name="reproduce_fit.py", mime="text/x-python", key="dl_script",
                         help="Runs with the linreg package and prints these coefficients.")
    if source.kind == "csv":
        df, _ = state.current_data()
        c[3].download_button("The data (CSV)", data=lambda: export.data_csv(df), file_name=export.DEFAULT_CSV_NAME,
                             mime="text/csv", key="dl_data")
        st.caption(f"Uploaded data cannot travel inside a link or the script: save the data as "
                   f"{export.DEFAULT_CSV_NAME} next to the script.")


def _page() -> None:
    st.title("📈 Fit")
    df, label = state.current_data()
    spec = state.current_spec()
    st.markdown(
        f"Fitting {state.md_code(spec.target)} on **{state.md_escape(label)}** "
        "(change the data or the terms on the Data page)."
    )
    method, _ = _controls()

    try:
        design = state.design()
        result = state.ols("qr" if method == "gd" else method)
        gd_result = state.gd() if method == "gd" else None
    except LinregError as err:
        st.error(f"The model cannot be fitted: {state.md_escape(err)}")
        _last_good()
        return

    # Warnings first, in plain language, where the numbers are read.
    for w in result.warnings:
        st.warning(state.md_escape(w))
    if design.n_dropped:
        st.info(f"{design.n_dropped:,} rows with a missing value in a used column are left out; "
                f"{result.n:,} rows are used.")

    if gd_result is not None:
        _gd_status(gd_result)
        if gd_result.ridge > 0:
            st.info(f"This run adds the ridge penalty λ = {fmt(gd_result.ridge)} set on the Gradient descent page, "
                    "so it converges to the ridge solution, with slopes shrunk towards 0, not to least squares. "
                    "Set Ridge λ to 0 there for plain least squares.")
        _gd_tiles(gd_result, result)
        st.caption("Closed-form statistics of the same model"
                   + (" without the penalty:" if gd_result.ridge > 0 else " (gradient descent converges to this fit):"))
    _ols_tiles(result)

    st.subheader("The fitted equation")
    coef = gd_result.coef if gd_result is not None else result.coef
    aliased = () if gd_result is not None else result.aliased
    st.latex(plots.equation_latex(spec.target, result.terms, coef, aliased))
    st.caption(state.md_escape(plots.equation_text(spec.target, result.terms, coef, aliased))
               + (" (gradient-descent coefficients)" if gd_result is not None else ""))
    if result.aliased and gd_result is None:
        st.caption("Aliased terms are left out of the equation: the data cannot tell them apart from other terms.")

    st.subheader("Coefficients")
    truth = state.truth()
    if gd_result is not None:
        st.dataframe(plots.gd_coef_table(gd_result, result, truth), hide_index=True)
        st.caption("Standard errors, t, p and confidence intervals belong to the least-squares solution; "
                   "switch to QR, SVD or normal equations to see them.")
        if result.aliased:
            st.caption("With aliased terms the coefficients are not identified: the closed form leaves the aliased "
                       "terms out, while gradient descent spreads their effect over the collinear terms. "
                       "Both give the same predictions, so compare the losses, not the coefficients.")
    else:
        st.dataframe(plots.coef_table(result, truth), hide_index=True)
        st.caption(f"{state.METHOD_LABELS[method]}; {result.n:,} rows, {result.df_resid:,g} residual degrees of "
                   f"freedom; confidence intervals at {100 * (1 - result.alpha):g}%."
                   + (" The true values are the coefficients the synthetic data was generated with." if truth else ""))

    st.subheader("The fit, drawn")
    summary, note = state.fit_figure(method, key="fit_chart")
    st.caption(state.md_escape(summary))
    if note:
        st.caption(note)
    _exports(design, result, "qr" if method == "gd" else method)
    st.page_link("pages/residuals.py", label="Next: check the residuals", icon="🔍")


_page()
