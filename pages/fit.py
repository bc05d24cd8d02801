"""Fit page: fit the current model by QR, SVD, the normal equations or gradient descent, and read the result.

The method and its settings live in the session (``ui.session``), so they survive a page
switch; the gradient-descent controls are the same as the Gradient descent page's. A
least-squares fit uses the weights column chosen on the Data page and the covariance chosen
here; the sections on covariance, smaller models and predictions are in ``ui.fit_panels``.
"""

from __future__ import annotations

import streamlit as st

from linreg import export
from linreg.exceptions import LinregError
from linreg.format import fmt, fmt_p
from linreg.plots import fit as plots
from linreg.plots import tables
from linreg.sources import DEFAULT_CSV_NAME, csv_source
from ui import cache, charts, descent_cache, fit_panels, large_pages, session
from ui.legacy import through_app
from ui.settings import FIELDS, METHOD_LABELS
from ui.widgets import Code, download, escaped, field_input, gd_settings_controls, latex, markdown, seed, show_error

through_app()
large_pages.guard("fit")  # a registered dataset read out of core: its own version of the page

ALPHAS = FIELDS["fit"]["alpha"].options
LEVELS = {round(100 * (1 - a)): a for a in ALPHAS}  # the widget shows the confidence level in %
FIT_GD_CONTROLS = ("learning_rate", "n_iter", "batch_size", "momentum", "seed", "standardize")


def _store_fit() -> None:
    """Widget callback: the method and the level into the state."""
    ss = st.session_state
    session.set_fit_settings(method=ss["fit_method"], alpha=LEVELS[ss["fit_level"]])


def _controls() -> str:
    settings = session.fit_settings()
    c1, c2 = st.columns([3, 1])
    seed("fit_method", settings.method)
    seed("fit_level", round(100 * (1 - settings.alpha)))
    method = field_input(FIELDS["fit"]["method"], "fit_method", where=c1, format_func=METHOD_LABELS.get,
                         on_change=_store_fit)
    c2.select_slider(FIELDS["fit"]["alpha"].label, list(LEVELS), key="fit_level", on_change=_store_fit)
    if method == "gd":
        gd_settings_controls("fit_gd", "**Gradient-descent settings**", FIT_GD_CONTROLS)
    return method


def _ols_tiles(result) -> tuple[tuple[tuple[str, str, str], ...], ...]:
    """The closed-form fit's tiles, as rows of (label, value, help): plain text, cheap to keep."""
    r2 = "R²" if result.intercept else "R² (uncentred)"
    adj = "Adjusted R²" if result.intercept else "Adjusted R² (uncentred)"
    # R's convention, as R's AIC() and BIC() and the CLI's summary: σ counts as a parameter.
    sigma = ("R's AIC(), BIC() and AICcmodavg::AICc count σ as a parameter; statsmodels and Stata do not, so "
             "their AIC is 2 lower and their BIC log(n) lower. Lower is better, for models of the same rows.")
    return (
        ((r2, fmt(result.r_squared), "Share of the variation in the target explained by the model."),
         (adj, fmt(result.adj_r_squared), "R² penalised for the number of coefficients."),
         ("σ (residual std. error)", fmt(result.sigma),
          f"Typical size of a residual: √(RSS / {result.df_resid:g} residual degrees of freedom)."),
         ("F statistic", fmt(result.f_statistic),
          f"Tests whether any term but the intercept matters: F on {result.df_model:g} and "
          f"{result.df_resid:g} degrees of freedom. — when the model has no terms to test.")),
        (("p-value of F", fmt_p(result.f_p_value),
          "Probability of an F this large if every coefficient but the intercept were zero."),
         ("AIC (R, σ counted)", fmt(result.aic_r), f"Akaike information criterion −2 log L + 2(k + 1). {sigma}"),
         ("BIC (R, σ counted)", fmt(result.bic_r),
          f"Bayesian information criterion −2 log L + log(n)(k + 1): a heavier penalty per term. {sigma}"),
         ("AICc (R, σ counted)", fmt(result.aicc_r),
          f"AIC with the small-sample correction 2K(K + 1)/(n − K − 1), K = k + 1. {sigma}"),
         ("Condition number", fmt(result.condition_number),
          "How much the design amplifies rounding and noise; above about 1e8 terms are nearly collinear.")),
    )


def _show_tiles(rows) -> None:
    for row in rows:
        for column, (label, value, help) in zip(st.columns(len(row)), row, strict=True):
            column.metric(label, value, help=help)
    st.caption("AIC, BIC and AICc follow R's convention (R's AIC() and BIC(), and the CLI's summary): σ counts as a "
               "parameter, so statsmodels' and Stata's AIC is 2 lower and their BIC log(n) lower.")


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
        show_error("", g.message)
    elif not g.converged:
        show_error("Gradient descent has not converged yet:", g.message, element=st.warning)
    else:
        show_error("", g.message, element=st.success)


def _last_good() -> None:
    """After a failed fit, the last one that worked stays in view, clearly marked as such."""
    last = session.last_good_fit()
    if last is None:
        return
    label, target, tiles, coef = last
    markdown("Below is the last fit that worked: {target} on {label}. Fix the model on the Data page (or undo "
             "the change) to fit again.", element=st.info, target=Code(target), label=label)
    _show_tiles(tiles)
    st.dataframe(coef, hide_index=True)


def _exports(design, result, method: str) -> None:
    """Download buttons; each file is built only when its button is clicked."""
    st.subheader("Take it with you")
    source = session.source()
    if source.kind == "csv":  # the script reads the data saved next to it
        source = csv_source()
    spec, alpha, settings = session.current_spec(), result.alpha, session.fit_settings()
    c = st.columns(4)
    download("Coefficients (CSV)", lambda: export.coef_csv(result), "coefficients.csv", key="dl_coef", where=c[0])
    download("Per-row diagnostics (CSV)", lambda: export.diagnostics_csv(result, design.row_labels), "diagnostics.csv",
             key="dl_diag", where=c[1], help="row, y, fitted, residual, leverage, Cook's distance, DFFITS, DFBETAS, "
             "COVRATIO and the rules of R's influence.measures each row breaks")
    # The script fits what the page shows: the same covariance and weights (none for gradient descent).
    options = {} if settings.method == "gd" else {"cov_type": result.cov_type, "weights": settings.weights,
                                                  "maxlags": settings.maxlags if result.cov_type == "HAC" else None}
    download("Python script", lambda: export.reproduce_script(source, spec, method=method, alpha=alpha, **options),
             "reproduce_fit.py", key="dl_script", mime="text/x-python", where=c[2],
             help="Runs with the linreg package and prints these coefficients.")
    if source.kind == "csv":
        df, _ = session.current_data()
        download("The data (CSV)", lambda: export.data_csv(df), DEFAULT_CSV_NAME, key="dl_data", where=c[3])
        st.caption(f"Uploaded data cannot travel inside a link or the script: save the data as "
                   f"{DEFAULT_CSV_NAME} next to the script.")


def _figure(design, result, method: str) -> tuple[str, str | None]:
    """The fit's figure: the shared one, or, for a weighted or robust fit, one of its own rows and bands."""
    settings = session.fit_settings()
    if method == "gd" or (settings.weights is None and settings.cov_type == "nonrobust"):
        return charts.fit_figure(method, key="fit_chart")
    from linreg.plots.fit import fit_figure

    df, _ = session.current_data()
    return charts.chart(("fit_inference", charts.fingerprint()), lambda: fit_figure(df, design, result), key="fit_chart")


def _coefficients(result, gd_result, method: str) -> None:
    st.subheader("Coefficients")
    truth = session.truth()
    if gd_result is not None:
        st.dataframe(tables.gd_coef_table(gd_result, result, truth), hide_index=True)
        st.caption("Standard errors, t, p and confidence intervals belong to the least-squares solution; "
                   "switch to QR, SVD or normal equations to see them.")
        if result.aliased:
            st.caption("With aliased terms the coefficients are not identified: the closed form leaves the aliased "
                       "terms out, while gradient descent spreads their effect over the collinear terms. "
                       "Both give the same predictions, so compare the losses, not the coefficients.")
    else:
        st.dataframe(tables.coef_table(result, truth), hide_index=True)
        st.caption(f"{METHOD_LABELS[method]}; {result.n:,} rows, {result.df_resid:,g} residual degrees of "
                   f"freedom; confidence intervals at {100 * (1 - result.alpha):g}%. "
                   + fit_panels.covariance_caption(result)
                   + (" The true values are the coefficients the synthetic data was generated with." if truth else ""))


def _page() -> None:
    st.title("📈 Fit")
    df, label = session.current_data()
    spec = session.current_spec()
    markdown("Fitting {target} on **{label}** (change the data or the terms on the Data page).",
             target=Code(spec.target), label=label)
    method = _controls()
    settings = session.fit_settings()
    beside = fit_panels.covariance_controls() if method != "gd" else None
    if method == "gd" and (settings.weights or settings.cov_type != "nonrobust"):
        st.caption("Gradient descent fits every row with weight 1, with classical statistics: the weights column and "
                   "the robust standard errors apply to QR, SVD and the normal equations.")

    try:
        if method == "gd":
            design, result, gd_result = cache.design(), cache.ols("qr"), descent_cache.gd()
        else:
            rows = cache.fit_rows()
            design, result, gd_result = rows.design, cache.fit(method), None
    except LinregError as err:
        show_error("The model cannot be fitted:", err)
        _last_good()
        return
    # Kept as text and a small table, not the fit: a large fit's per-row arrays would stay in the session.
    session.set_last_good_fit(_ols_tiles(result), tables.coef_table(result, None))
    if gd_result is None:
        fit_panels.breusch_pagan_note(beside)
        fit_panels.weights_note(rows)

    # Warnings first, in plain language, where the numbers are read.
    for w in result.warnings:
        show_error("", w, element=st.warning)
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
    _show_tiles(_ols_tiles(result))

    st.subheader("The fitted equation")
    coef = gd_result.coef if gd_result is not None else result.coef
    aliased = () if gd_result is not None else result.aliased
    latex(plots.equation_latex(spec.target, result.terms, coef, aliased))
    markdown("{equation}" + (" (gradient-descent coefficients)" if gd_result is not None else ""), element=st.caption,
             equation=plots.equation_text(spec.target, result.terms, coef, aliased))
    if result.aliased and gd_result is None:
        st.caption("Aliased terms are left out of the equation: the data cannot tell them apart from other terms.")

    _coefficients(result, gd_result, method)

    st.subheader("The fit, drawn")
    summary, note = _figure(design, result, method)
    escaped(summary)
    if note:
        escaped(note)
    _exports(design, result, "qr" if method == "gd" else method)
    if gd_result is None:
        fit_panels.compare_panel(design, method)
        fit_panels.predict_panel(design, method)
    st.page_link("pages/residuals.py", label="Next: check the residuals", icon="🔍")


_page()
