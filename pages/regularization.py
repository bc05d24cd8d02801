"""Regularization page: ridge, lasso and elastic net on the current model, and model complexity.

The λ control walks the path's own (log-spaced) grid, so the coefficients, the path plot and
the CV curve always talk about the same λ. The penalty controls and the chosen λ live in the
session (carried by links): the widgets are seeded from there and written back, so leaving
the page and coming back, or opening a shared link, finds the same settings.
"""

from __future__ import annotations

import math

import streamlit as st

from linreg.exceptions import LinregError
from linreg.format import fmt
from linreg.plots import penalized as plots
from linreg.plots import tables
from ui import cache, charts, complexity, large_pages, links, penalty_cache, session
from ui.legacy import through_app
from ui.settings import FIELDS, RegSettings
from ui.text import md_code, md_escape
from ui.widgets import escaped, field_input, seed, show_error

through_app()
large_pages.guard("regularization")  # a registered dataset read out of core: its own version of the page

REG = FIELDS["reg"]
PENALTY_LABELS = {"ridge": "Ridge (α = 0)", "lasso": "Lasso (α = 1)", "elasticnet": "Elastic net (choose α)"}
K_FOLDS = 5
LAM = "reg_lam_index"  # widget key: the λ slider holds a position on the path's grid

OBJECTIVE = (
    r"L(b_0, b) = \frac{1}{N}\lVert y - b_0 - Xb \rVert^2"
    r" + \lambda\left(\alpha \lVert b \rVert_1 + (1 - \alpha)\lVert b \rVert_2^2\right)"
)


def _jump(index: int) -> None:
    """Button callback: move the λ slider to a grid position (λ_min or λ_1se)."""
    st.session_state[LAM] = int(index)


def _controls() -> RegSettings:
    """Penalty, α, standardization and CV seed, seeded from the session and written back to it."""
    reg = session.reg_settings()
    seed("reg_penalty", reg.penalty)
    seed("reg_standardize", reg.standardize)
    seed("reg_cv_seed", reg.cv_seed)
    c = st.columns([1.6, 1.2, 1, 1])
    penalty = field_input(REG["penalty"], "reg_penalty", where=c[0], format_func=PENALTY_LABELS.get)
    alpha = reg.alpha  # kept while ridge or the lasso is on show
    if penalty == "elasticnet":
        # Seeded only when drawn: a key set in a run without its widget stays a plain key, and its
        # stale value would come back whenever the slider had been off the page.
        seed("reg_alpha", reg.alpha)
        # Rounded to the slider's step, so that the state and the link hold 0.3, not 0.30000000000000004.
        alpha = round(float(field_input(REG["alpha"], "reg_alpha", where=c[1])), 2)
    else:
        c[1].markdown(f"α = {fmt(0.0 if penalty == 'ridge' else 1.0)} for "
                      f"{'ridge' if penalty == 'ridge' else 'the lasso'}")
    standardize = field_input(REG["standardize"], "reg_standardize", where=c[2])
    cv_seed = field_input(REG["cv_seed"], "reg_cv_seed", where=c[3], label=f"CV seed ({K_FOLDS} folds)")
    new = RegSettings(penalty=penalty, alpha=float(alpha), standardize=bool(standardize), cv_seed=int(cv_seed))
    if new != reg:
        session.set_reg_settings(new)
    return new


def _lambda_control(path, cv) -> int:
    """The λ slider over the path's grid (small λ left, as on the plots) and the jump buttons.

    The chosen λ is kept in the session as a value, which a link carries; it is snapped to this
    grid's nearest point here. ``session.reg_lambda`` is None when no λ was chosen on this grid
    (new data, model, penalty or standardization): the slider then starts afresh.
    """
    m = path.lams.size
    lam = session.reg_lambda()
    if lam is None:
        # Start at the CV choice λ_1se (or the middle of the path without CV).
        st.session_state[LAM] = int(cv.index_1se) if cv is not None else m // 2
    elif st.session_state.get(LAM) not in range(m):
        # The slider forgot its position (the page was left) or never had one (a link opened the app).
        st.session_state[LAM] = path.nearest(lam)
        low, high = float(path.lams[-1]), float(path.lams[0])
        if not low * (1 - 1e-9) <= lam <= high * (1 + 1e-9):  # only a link can hold a λ off the grid
            st.warning(f"The link's λ = {fmt(lam)} is outside this path's grid (λ from {fmt(low)} to {fmt(high)}), "
                       f"so the slider starts at the nearest end, λ = {fmt(path.lams[path.nearest(lam)])}.")
    c = st.columns([4, 1, 1])
    index = c[0].select_slider(
        "λ (log scale: each step multiplies λ by the same factor)", options=list(range(m - 1, -1, -1)),
        format_func=lambda i: f"λ = {fmt(path.lams[i], 3)}", key=LAM,
        help="Larger λ shrinks the coefficients harder; λ → 0 approaches least squares.",
    )
    if cv is not None:
        c[1].button(f"λ_min = {fmt(cv.lam_min, 3)}", key="reg_use_min", on_click=_jump, args=(cv.index_min,),
                    help="The λ with the least mean cross-validated error.")
        c[2].button(f"λ_1se = {fmt(cv.lam_1se, 3)}", key="reg_use_1se", on_click=_jump, args=(cv.index_1se,),
                    help="The largest λ whose CV error is within one standard error of the least: a simpler "
                    "model that predicts about as well.")
    session.set_reg_lambda(float(path.lams[index]))
    return int(index)


def _metrics(fit, cv, index: int) -> None:
    c = st.columns(5)
    c[0].metric("λ", fmt(fit.lam, 4))
    c[1].metric("Non-zero coefficients", f"{fit.n_nonzero} of {fit.coef_work.size}")
    c[2].metric("Training MSE", fmt(fit.mse, 5))
    c[3].metric(f"{K_FOLDS}-fold CV MSE", fmt(cv.mse_mean[index], 5) if cv is not None else "—",
                help="Mean test error over the folds at this λ." if cv is not None else
                "Cross-validation could not run on this data (see the note below).")
    c[4].metric("R²", fmt(fit.r_squared, 4), help="1 − RSS/TSS on the training data (— when y is constant).")


def _coefficients(fit) -> None:
    st.subheader("Coefficients beside least squares")
    try:
        ols = cache.ols()
    except LinregError as err:
        ols = None
        st.info(f"Least squares cannot be fitted here ({md_escape(err)}); the penalized fit still can, which is "
                "one reason to penalize.")
    truth = session.truth()
    st.dataframe(tables.penalized_coef_table(fit, ols, truth), hide_index=True)
    shrink = "" if ols is None else " “shrinkage” is the penalized slope divided by the least-squares one."
    st.caption(
        f"{tables.penalty_name(fit.l1_ratio)} at λ = {fmt(fit.lam)}: {fit.n_nonzero} of {fit.coef_work.size} "
        f"slopes non-zero, effective degrees of freedom {fmt(fit.df, 3)}, objective {fmt(fit.objective, 6)}, "
        f"largest KKT violation {fmt(fit.kkt_violation, 2)} (0 at the exact minimum).{shrink}"
        + (" The true values come from the synthetic generator." if truth else "")
    )
    if not fit.converged:
        show_error("", fit.message, element=st.warning)


def _charts(path, cv, fit, reg: RegSettings, index: int) -> None:
    lam = float(path.lams[index])
    show_std = st.toggle("Plot standardized coefficients", value=False, key="reg_plot_std",
                         disabled=not reg.standardize,
                         help="The coefficients the penalty acts on; in original units a feature with a large "
                         "scale has a small coefficient whatever its importance.")
    # The path, the CV curve and the fit all follow from the data, the model and these widgets.
    ident = (charts.fingerprint(), float(reg.l1_ratio), bool(reg.standardize), lam)
    standardized = bool(show_std and reg.standardize)
    text, = charts.chart(("penalty_path", standardized) + ident,
                         lambda: plots.path_figure(path, lam=lam, standardized=standardized), key="reg_path_chart")
    escaped(text)
    if cv is None:
        return

    def cv_chart():
        fig, text = plots.cv_figure(cv)
        # The chosen λ on the CV curve too (the CV grid is the path's grid).
        fig.add_vline(x=math.log10(lam), line={"color": "#555555", "width": 1})
        return fig, text

    text, = charts.chart(("penalty_cv", K_FOLDS, int(reg.cv_seed)) + ident, cv_chart, key="reg_cv_chart")
    st.caption(md_escape(text) + f" The grey line is the chosen λ = {fmt(lam)} (CV MSE "
               f"{fmt(cv.mse_mean[index])} ± {fmt(cv.mse_se[index])}).")


def _penalized_section() -> None:
    df, label = session.current_data()
    st.markdown(f"Penalized least squares on {md_code(session.current_spec().target)} from **{md_escape(label)}** "
                "with the model of the Data page. Every fit minimises")
    st.latex(OBJECTIVE)
    st.markdown(
        "The intercept b₀ is not penalized. α = 0 is **ridge** (every coefficient shrinks smoothly towards 0), "
        "α = 1 is the **lasso** (coefficients reach exactly 0 one by one, so it selects features), and in between "
        "is the **elastic net**. With *Standardize* on, the penalty applies to the coefficients of standardized "
        "columns, and the results are reported in original units."
    )
    reg = _controls()
    try:
        path = penalty_cache.penalty_path(reg.l1_ratio, reg.standardize)
    except LinregError as err:
        show_error("The penalty path cannot be computed:", err)
        return
    cv, cv_error = None, None
    try:
        cv = penalty_cache.penalty_cv(reg.l1_ratio, reg.standardize, K_FOLDS, reg.cv_seed)
    except LinregError as err:
        cv_error = err
    if len(path.feature_terms) == 1:
        st.info("This model has a single feature, so the path is one line. For features entering one by one, "
                "generate *collinear* or *linear* synthetic data on the Data page, or add polynomial terms.")
    _at_lambda(path, cv, cv_error, reg)


@st.fragment
def _at_lambda(path, cv, cv_error, reg: RegSettings) -> None:
    """The λ slider and everything that follows from λ: a fragment, so moving λ reruns only this part.

    A fragment's rerun skips app.py, so the URL is brought in step with the new λ here; the
    sidebar's copy of the link follows at the next full run (any other control).
    """
    index = _lambda_control(path, cv)
    links.sync()
    try:
        fit = penalty_cache.penalized(float(path.lams[index]), reg.l1_ratio, reg.standardize)
    except LinregError as err:
        show_error("The penalized fit cannot be computed:", err)
        return
    _metrics(fit, cv, index)
    _charts(path, cv, fit, reg, index)
    if cv is None:
        show_error("Cross-validation cannot run on this data:", cv_error, element=st.warning)
    _coefficients(fit)


st.title("🪢 Regularization: ridge, lasso and elastic net")
_penalized_section()
st.divider()
complexity.section()
