"""Regularization page: ridge, lasso and elastic net on the current model, and model complexity.

Thin page: widgets -> ``state`` (cached calls of ``linreg.penalized`` and
``linreg.complexity``) -> figures and tables from ``linreg.plots.penalized``. The λ
control walks the path's own (log-spaced) grid, so the coefficients, the path plot and
the CV curve always talk about the same λ.

The penalty controls and the chosen λ live in ``state`` (plain session keys, carried by
links): the widgets are seeded from there and written back, so leaving the page and coming
back, or opening a shared link, finds the same settings.
"""

from __future__ import annotations

import math

import streamlit as st

import state
from linreg.complexity import bootstrap_fits, degree_explorer
from linreg.exceptions import LinregError
from linreg.plots import penalized as plots
from linreg.plots._common import fmt

state.through_app()

PENALTY_LABELS = {"ridge": "Ridge (α = 0)", "lasso": "Lasso (α = 1)", "elasticnet": "Elastic net (choose α)"}
K_FOLDS = 5
LAM = "reg_lam_index"  # widget key: the λ slider holds a position on the path's grid

OBJECTIVE = (
    r"L(b_0, b) = \frac{1}{N}\lVert y - b_0 - Xb \rVert^2"
    r" + \lambda\left(\alpha \lVert b \rVert_1 + (1 - \alpha)\lVert b \rVert_2^2\right)"
)


def _seed(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _jump(index: int) -> None:
    """Button callback: move the λ slider to a grid position (λ_min or λ_1se)."""
    st.session_state[LAM] = int(index)


# --------------------------------------------------------------------------- penalty controls


def _controls() -> state.RegSettings:
    """Penalty, α, standardization and CV seed, seeded from ``state`` and written back to it."""
    reg = state.reg_settings()
    _seed("reg_penalty", reg.penalty)
    _seed("reg_standardize", reg.standardize)
    _seed("reg_cv_seed", reg.cv_seed)
    c = st.columns([1.6, 1.2, 1, 1])
    penalty = c[0].radio("Penalty", list(PENALTY_LABELS), format_func=PENALTY_LABELS.get, key="reg_penalty",
                         horizontal=True)
    alpha = reg.alpha  # kept while ridge or the lasso is on show
    if penalty == "elasticnet":
        # Seeded only when drawn: a key set in a run without its widget stays a plain key, and its
        # stale value would come back whenever the slider had been off the page.
        _seed("reg_alpha", reg.alpha)
        # Rounded to the slider's step, so that the state and the link hold 0.3, not 0.30000000000000004.
        alpha = round(float(c[1].slider("Mix α (0 ridge … 1 lasso)", 0.05, 0.95, step=0.05, key="reg_alpha",
                                        help="The share of the L1 (lasso) part of the penalty; 1 − α goes to the "
                                        "squared L2 (ridge) part.")), 2)
    else:
        c[1].markdown(f"α = {fmt(0.0 if penalty == 'ridge' else 1.0)} for "
                      f"{'ridge' if penalty == 'ridge' else 'the lasso'}")
    standardize = c[2].checkbox(
        "Standardize", key="reg_standardize",
        help="Penalize the coefficients of standardized columns (mean 0, SD 1), so that every feature is "
        "shrunk on the same scale. Coefficients are still reported in the original units.",
    )
    seed = c[3].number_input(f"CV seed ({K_FOLDS} folds)", min_value=0, max_value=2**31 - 1, step=1,
                             key="reg_cv_seed", help="Shuffles the rows into folds; the same seed gives the "
                             "same folds.")
    new = state.RegSettings(penalty=penalty, alpha=float(alpha), standardize=bool(standardize), cv_seed=int(seed))
    if new != reg:
        state.set_reg_settings(new)
    return new


def _lambda_control(path, cv) -> int:
    """The λ slider over the path's grid (small λ left, as on the plots) and the jump buttons.

    The chosen λ is kept in ``state`` as a value, which a link carries; it is snapped to this
    grid's nearest point here. ``state.reg_lambda`` is None when no λ was chosen on this grid
    (new data, model, penalty or standardization): the slider then starts afresh.
    """
    m = path.lams.size
    lam = state.reg_lambda()
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
    state.set_reg_lambda(float(path.lams[index]))
    return int(index)


# --------------------------------------------------------------------------- sections


def _metrics(fit, cv, index: int) -> None:
    c = st.columns(5)
    c[0].metric("λ", fmt(fit.lam, 4))
    c[1].metric("Non-zero coefficients", f"{fit.n_nonzero} of {fit.coef_work.size}")
    c[2].metric("Training MSE", fmt(fit.mse, 5))
    c[3].metric(f"{K_FOLDS}-fold CV MSE", fmt(cv.mse_mean[index], 5) if cv is not None else "—",
                help="Mean test error over the folds at this λ." if cv is not None else
                "Cross-validation could not run on this data (see the note below).")
    c[4].metric("R²", fmt(fit.r_squared, 4),
                help="1 − RSS/TSS on the training data (— when y is constant).")


def _coefficients(fit) -> None:
    st.subheader("Coefficients beside least squares")
    try:
        ols = state.ols()
    except LinregError as err:
        ols = None
        st.info(f"Least squares cannot be fitted here ({err}); the penalized fit still can, which is one reason "
                "to penalize.")
    truth = state.truth()
    st.dataframe(plots.penalized_coef_table(fit, ols, truth), hide_index=True)
    shrink = "" if ols is None else " “shrinkage” is the penalized slope divided by the least-squares one."
    st.caption(
        f"{plots.penalty_name(fit.l1_ratio)} at λ = {fmt(fit.lam)}: {fit.n_nonzero} of {fit.coef_work.size} "
        f"slopes non-zero, effective degrees of freedom {fmt(fit.df, 3)}, objective {fmt(fit.objective, 6)}, "
        f"largest KKT violation {fmt(fit.kkt_violation, 2)} (0 at the exact minimum).{shrink}"
        + (" The true values come from the synthetic generator." if truth else "")
    )
    if not fit.converged:
        st.warning(fit.message)


@st.cache_data(show_spinner="Fitting every degree…", max_entries=8, ttl=state.CACHE_TTL)
def _explore_xy(x, y, max_degree: int, test_fraction: float, split_seed: int):
    """``degree_explorer`` on given arrays: a pure function of its (hashed) arguments."""
    return degree_explorer(x, y, max_degree=max_degree, test_fraction=test_fraction, seed=split_seed)


@st.cache_data(show_spinner="Refitting on bootstrap resamples…", max_entries=8, ttl=state.CACHE_TTL)
def _bootstrap_xy(x, y, fit_degree: int, n_boot: int, boot_seed: int):
    """``bootstrap_fits`` on given arrays (no known truth): a pure function of its (hashed) arguments."""
    return bootstrap_fits(x, y, degree=fit_degree, n_boot=n_boot, seed=boot_seed)


def _single_feature():
    """(x, y, feature, target) when the current model has exactly one plain numeric feature, else None."""
    try:
        design = state.design()
    except LinregError:
        return None
    df, _ = state.current_data()
    if design.X.shape[1] != 1 or not design.intercept or design.terms[0] not in [str(c) for c in df.columns]:
        return None
    return design.X[:, 0], design.y, design.terms[0], state.current_spec().target


def _synthetic_source():
    """Knobs of the synthetic polynomial; returns (x, y, explore, bootstrap, degree note, axis labels,
    ident: what the data depends on, for the charts' cache) or None."""
    # Defaults where one seeded split already shows the U: best test error at the true degree 3.
    _seed("cx_n", 40)
    _seed("cx_degree", 3)
    _seed("cx_noise", 1.0)
    _seed("cx_seed", 1)
    c = st.columns(4)
    n = int(c[0].slider("Rows", 20, 500, step=10, key="cx_n"))
    degree = int(c[1].slider("True degree", 1, 6, key="cx_degree"))
    noise = float(c[2].slider("Noise SD", 0.1, 5.0, step=0.1, key="cx_noise"))
    seed = int(c[3].number_input("Data seed", min_value=0, max_value=2**31 - 1, step=1, key="cx_seed"))
    try:
        synth = state.polynomial_data(n, degree, noise, seed)
    except LinregError as err:
        st.error(f"The synthetic data cannot be generated: {err}")
        return None
    truth = ", ".join(f"{state.md_escape(t)} = {fmt(v)}" for t, v in synth.coef.items())
    st.caption(f"y = polynomial(x) + noise, x uniform on [−3, 3]. True coefficients: {truth}.")
    return (
        synth.data["x"].to_numpy(), synth.data["y"].to_numpy(),
        lambda md, tf, ss: state.degree_explorer(n, degree, noise, seed, md, tf, ss),
        lambda fd, nb, bs: state.bootstrap_fits(n, degree, noise, seed, fd, nb, bs),
        f"The true degree is {degree}. ", None, ("synthetic", n, degree, noise, seed),
    )


def _complexity() -> None:
    st.header("Model complexity: bias and variance")
    st.markdown(
        "A polynomial of higher degree can always fit the **training** rows better, but beyond the true "
        "curve's degree it starts fitting the noise, and the error on **held-out** rows rises again. On "
        "synthetic data the true curve is known, so the bootstrap below can also measure the bias."
    )
    single = _single_feature()
    source = "synthetic"
    if single is not None:
        _, _, feature, target = single
        labels = {"synthetic": "Synthetic polynomial (true curve known)",
                  "current": f"Current data: {target} against {feature}"}
        _seed("cx_source", "synthetic")
        source = st.radio("Data for this section", list(labels), format_func=labels.get, key="cx_source",
                          horizontal=True)
    if source == "current" and single is not None:
        x, y, feature, target = single
        explore = lambda md, tf, ss: _explore_xy(x, y, md, tf, ss)  # noqa: E731
        boot_of = lambda fd, nb, bs: _bootstrap_xy(x, y, fd, nb, bs)  # noqa: E731
        degree_note, axis, ident = "", {"x": feature, "y": target}, ("current", state.fingerprint())
        st.caption(f"{len(y):,} rows of the current data; their true curve is unknown, so only the variance of "
                   "the refits can be measured.")
    else:
        made = _synthetic_source()
        if made is None:
            return
        x, y, explore, boot_of, degree_note, axis, ident = made

    st.subheader("Training and test error by degree")
    _seed("cx_max_degree", 10)
    _seed("cx_test_fraction", 0.3)
    _seed("cx_split_seed", 0)
    c = st.columns(3)
    max_degree = c[0].slider("Highest degree", 1, 15, key="cx_max_degree")
    test_fraction = c[1].slider("Held-out share", 0.1, 0.5, step=0.05, key="cx_test_fraction")
    split_seed = c[2].number_input("Split seed", min_value=0, max_value=2**31 - 1, step=1, key="cx_split_seed")
    try:
        ex = explore(int(max_degree), float(test_fraction), int(split_seed))
    except LinregError as err:
        st.error(f"The degree explorer cannot run: {err}")
    else:
        text, = state.chart(("degrees", ident, int(max_degree), float(test_fraction), int(split_seed)),
                            lambda: plots.degree_figure(ex), key="reg_degree_chart")
        st.caption(text)
        st.caption(f"{degree_note}One split of {len(ex.test_index)} test rows is a noisy judge: change the split "
                   "seed and watch the best degree move, while the training error keeps falling with every degree.")

    st.subheader("Refits on bootstrap resamples")
    st.markdown(
        "Each faint curve is the same degree fitted to a resample of the rows (drawn with replacement). Their "
        "**spread** is the variance of the fit; the gap between their **mean** and the dashed **true curve** "
        "(when it is known) is the bias. A low degree is stiff (small spread, large bias); a high degree bends to "
        "every resample (large spread, little bias)."
    )
    _seed("cx_fit_degree", 1)
    _seed("cx_n_boot", 200)
    _seed("cx_boot_seed", 0)
    c = st.columns(3)
    fit_degree = c[0].slider("Degree fitted", 1, 12, key="cx_fit_degree")
    n_boot = c[1].select_slider("Resamples", [50, 100, 200, 500], key="cx_n_boot")
    boot_seed = c[2].number_input("Bootstrap seed", min_value=0, max_value=2**31 - 1, step=1, key="cx_boot_seed")
    try:
        boot = boot_of(int(fit_degree), int(n_boot), int(boot_seed))
    except LinregError as err:
        st.error(f"The bootstrap refits cannot run: {err}")
        return
    text, = state.chart(("bootstrap", ident, int(fit_degree), int(n_boot), int(boot_seed)),
                        lambda: plots.bootstrap_figure(boot, x=x, y=y, labels=axis), key="reg_bootstrap_chart")
    st.caption(text)


def _penalized_section() -> None:
    df, label = state.current_data()
    spec = state.current_spec()
    st.markdown(
        f"Penalized least squares on {state.md_code(spec.target)} from **{state.md_escape(label)}** with the "
        "model of the Data page. Every fit minimises"
    )
    st.latex(OBJECTIVE)
    st.markdown(
        "The intercept b₀ is not penalized. α = 0 is **ridge** (every coefficient shrinks smoothly towards 0), "
        "α = 1 is the **lasso** (coefficients reach exactly 0 one by one, so it selects features), and in between "
        "is the **elastic net**. With *Standardize* on, the penalty applies to the coefficients of standardized "
        "columns, and the results are reported in original units."
    )
    reg = _controls()
    alpha, standardize, cv_seed = reg.l1_ratio, reg.standardize, reg.cv_seed
    try:
        path = state.penalty_path(alpha, standardize)
    except LinregError as err:
        st.error(f"The penalty path cannot be computed: {err}")
        return
    cv, cv_error = None, None
    try:
        cv = state.penalty_cv(alpha, standardize, K_FOLDS, cv_seed)
    except LinregError as err:
        cv_error = str(err)
    if len(path.feature_terms) == 1:
        st.info("This model has a single feature, so the path is one line. For features entering one by one, "
                "generate *collinear* or *linear* synthetic data on the Data page, or add polynomial terms.")
    index = _lambda_control(path, cv)
    lam = float(path.lams[index])
    try:
        fit = state.penalized(lam, alpha, standardize)
    except LinregError as err:
        st.error(f"The penalized fit cannot be computed: {err}")
        return
    _metrics(fit, cv, index)

    show_std = st.toggle("Plot standardized coefficients", value=False, key="reg_plot_std",
                         disabled=not standardize,
                         help="The coefficients the penalty acts on; in original units a feature with a large "
                         "scale has a small coefficient whatever its importance.")
    # The path, the CV curve and the fit all follow from the data, the model and these widgets.
    ident = (state.fingerprint(), float(alpha), bool(standardize), lam)
    standardized = bool(show_std and standardize)
    text, = state.chart(("penalty_path", standardized) + ident,
                        lambda: plots.path_figure(path, lam=lam, standardized=standardized), key="reg_path_chart")
    st.caption(state.md_escape(text))

    if cv is not None:
        def cv_chart():
            fig, text = plots.cv_figure(cv)
            # The chosen λ on the CV curve too (the CV grid is the path's grid).
            fig.add_vline(x=math.log10(lam), line={"color": "#555555", "width": 1})
            return fig, text

        text, = state.chart(("penalty_cv", K_FOLDS, int(cv_seed)) + ident, cv_chart, key="reg_cv_chart")
        st.caption(state.md_escape(text) + f" The grey line is the chosen λ = {fmt(lam)} (CV MSE "
                   f"{fmt(cv.mse_mean[index])} ± {fmt(cv.mse_se[index])}).")
    else:
        st.warning(f"Cross-validation cannot run on this data: {cv_error}")
    _coefficients(fit)


def _page() -> None:
    st.title("🪢 Regularization: ridge, lasso and elastic net")
    _penalized_section()
    st.divider()
    _complexity()


_page()
