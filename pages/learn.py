"""Learn page: ten short, interactive lessons on linear regression, each with live numbers.

Thin page: widgets -> ``linreg.lessons`` (cached here on hashable arguments) -> figures and
LaTeX from ``linreg.plots.lessons``. Every lesson ends with a predict-then-reveal question
and a link into the page where the same thing can be done on the user's own data.

Lesson widgets are view state of this page (``learn_*`` keys); the one thing carried between
lessons 1-3 is the user's line, kept in a plain session key so that it survives switching
lessons (Streamlit forgets a widget's value when it is not drawn). The lesson on show lives
in ``state`` (a plain key, carried by links), so a page switch or a shared link returns to it.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import state
from linreg import lessons
from linreg.complexity import bootstrap_fits, degree_explorer, polynomial_truth
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import LinregError
from linreg.plots import descent as gd_plots
from linreg.plots import lessons as plots
from linreg.plots import penalized as pen_plots
from linreg.plots._common import fmt
from linreg.synthetic import make_data

state.through_app()

LESSONS: dict[int, str] = {
    1: "Fit a line by eye",
    2: "The loss is a bowl",
    3: "The gradient by the chain rule",
    4: "Gradient descent, step by step",
    5: "The learning rate",
    6: "Feature scaling and conditioning",
    7: "Residuals tell the truth",
    8: "Linear in the parameters",
    9: "Bias and variance",
    10: "Beyond least squares",
}
LINE = "learn_line"  # plain key: {dataset: (intercept, slope)}, the user's line shared by lessons 1-3
DATASET = "learn_dataset"  # plain key: the lesson dataset shared by lessons 1-3, 5 and 6
SHIFTS = (0.0, 100.0, 10_000.0, 1_000_000.0)
FACTORS = (0.5, 0.9, 0.95, 0.99, 1.01, 1.05, 1.1)
LAMBDAS = tuple(float(f"{v:.3g}") for v in np.logspace(-3, 1, 17))


# =============================================================================
# cached computations (pure functions of their arguments)
# =============================================================================
@st.cache_data(show_spinner=False, max_entries=8)
def _data(name: str) -> lessons.LessonData:
    return lessons.lesson_data(name)


@st.cache_data(show_spinner=False, max_entries=32)
def _bowl(name: str, b0: float, b1: float) -> lessons.Bowl:
    return lessons.bowl(_data(name), (b0, b1))


@st.cache_data(show_spinner=False, max_entries=16)
def _normal(name: str, shift: float) -> lessons.NormalEquations:
    return lessons.normal_equations(_data(name), shift)


@st.cache_data(show_spinner=False, max_entries=32)
def _lr_run(name: str, factor: float, standardize: bool) -> lessons.LearningRateRun:
    return lessons.learning_rate_run(_data(name), factor, standardize=standardize)


@st.cache_data(show_spinner="Running gradient descent twice…", max_entries=8)
def _scaling(name: str):
    return lessons.scaling_runs(_data(name))


@st.cache_data(show_spinner=False, max_entries=1)
def _gd_lesson():
    return lessons.gd_lesson_run()


@st.cache_data(show_spinner=False, max_entries=1)
def _anscombe():
    return lessons.anscombe_fits()


@st.cache_data(show_spinner=False, max_entries=8)
def _terms_data(kind: str):
    sd = make_data(kind, n=90, seed=0)
    return sd.data, dict(sd.coef)


@st.cache_data(show_spinner=False, max_entries=32)
def _terms_fit(kind: str, spec: ModelSpec):
    df, _ = _terms_data(kind)
    design = build_design(df, spec)
    result = fit_design(design)
    group = "group" if spec.categorical else None
    return design, result, lessons.design_preview(design), lessons.curves_by_group(df, design, result, "x", group)


@st.cache_data(show_spinner=False, max_entries=8)
def _complexity_data(noise: float, seed: int):
    sd = make_data("polynomial", n=40, seed=seed, degree=3, noise=noise, coef=(-2.0, 0.0, 0.5))
    return sd.data["x"].to_numpy(float), sd.data["y"].to_numpy(float), dict(sd.coef)


@st.cache_data(show_spinner=False, max_entries=16)
def _degrees(noise: float, seed: int):
    x, y, _ = _complexity_data(noise, seed)
    return degree_explorer(x, y, max_degree=10, seed=seed)


@st.cache_data(show_spinner="Refitting on 200 resamples…", max_entries=32)
def _bootstrap(noise: float, seed: int, degree: int):
    x, y, truth = _complexity_data(noise, seed)
    return bootstrap_fits(x, y, degree=degree, n_boot=200, seed=seed,
                          truth=lambda g: polynomial_truth(truth, g))


@st.cache_data(show_spinner=False, max_entries=1)
def _penalized_data():
    sd = make_data("collinear", n=40, seed=1, p=4, correlation=0.9, noise=2.0)
    names = tuple(c for c in sd.data.columns if c != sd.target)
    return sd.data[list(names)].to_numpy(float), sd.data[sd.target].to_numpy(float), names, dict(sd.coef)


@st.cache_data(show_spinner=False, max_entries=32)
def _penalized(lam: float):
    X, y, names, _ = _penalized_data()
    return lessons.penalized_preview(X, y, lam, terms=names)


# =============================================================================
# shared pieces
# =============================================================================
def _seed(key: str, value) -> None:
    """Give a widget its starting value once (from the plain state) when it is first drawn."""
    if key not in st.session_state:
        st.session_state[key] = value


def _dataset_picker(lesson: int) -> lessons.LessonData:
    """The lesson dataset, shared by the lessons that draw one line (kept in a plain key)."""
    key = f"learn_ds_{lesson}"
    _seed(key, st.session_state.get(DATASET, "anscombe_1"))
    name = st.selectbox("Dataset", list(lessons.LESSON_DATA), key=key, format_func=lessons.LESSON_DATA.get,
                        help="The same dataset is used by lessons 1, 2, 3, 5 and 6.")
    st.session_state[DATASET] = name
    return _data(name)


def _store_line(name: str) -> None:
    st.session_state.setdefault(LINE, {})[name] = (float(st.session_state[f"learn_b0_{name}"]),
                                                   float(st.session_state[f"learn_b1_{name}"]))


def _line_for(d: lessons.LessonData) -> tuple[float, float]:
    """The user's line, or to start with a flat line at the mean of y (rounded to the slider's step)."""
    stored = st.session_state.get(LINE, {}).get(d.name)
    if stored is not None:
        return stored
    (lo0, _, step0), _ = lessons.line_ranges(d.x, d.y)
    return float(f"{lo0 + round((float(d.y.mean()) - lo0) / step0) * step0:.10g}"), 0.0


def _user_line(d: lessons.LessonData) -> tuple[float, float]:
    """Sliders for the user's line, shared by lessons 1-3."""
    (lo0, hi0, step0), (lo1, hi1, step1) = lessons.line_ranges(d.x, d.y)
    start = _line_for(d)
    k0, k1 = f"learn_b0_{d.name}", f"learn_b1_{d.name}"
    _seed(k0, float(f"{min(max(start[0], lo0), hi0):.10g}"))
    _seed(k1, float(f"{min(max(start[1], lo1), hi1):.10g}"))
    c = st.columns(2)
    b0 = c[0].slider("Intercept β₀", lo0, hi0, step=step0, key=k0, on_change=_store_line, args=(d.name,),
                     help="Where the line crosses x = 0.")
    b1 = c[1].slider("Slope β₁", lo1, hi1, step=step1, key=k1, on_change=_store_line, args=(d.name,),
                     help=f"How much the line rises per unit of {d.x_name}.")
    return float(b0), float(b1)


def _reveal(lesson: int, question: str, options: list[str], answer: str, explanation: str) -> None:
    """A predict-then-reveal question: the reader picks an answer, then presses Reveal."""
    shown = f"learn_shown_{lesson}"
    with st.container(border=True):
        st.markdown("**Predict, then reveal**")
        guess = st.radio(question, options, index=None, key=f"learn_guess_{lesson}")
        if st.button("Reveal", key=f"learn_reveal_{lesson}", disabled=guess is None,
                     help=None if guess is not None else "Pick an answer first."):
            st.session_state[shown] = True
        if st.session_state.get(shown) and guess is not None:
            if guess == answer:
                st.success(f"Right: {answer}. {explanation}")
            else:
                st.info(f"The answer is: {answer}. {explanation}")


def _try_it(page: str, label: str, icon: str) -> None:
    st.page_link(page, label=f"Try it on your own data: {label}", icon=icon)


# =============================================================================
# the lessons
# =============================================================================
def lesson_1() -> None:
    st.markdown(
        "A straight line y = β₀ + β₁x predicts every point; the **residual** is how far the point lies above "
        "(+) or below (−) the line. Least squares judges a line by the **residual sum of squares**, "
        "RSS = Σ (yᵢ − β₀ − β₁xᵢ)²: drawn as squares, it is the total orange area. Move the sliders to make it "
        "as small as you can."
    )
    d = _dataset_picker(1)
    b0, b1 = _user_line(d)
    fit = lessons.line_fit(d.x, d.y, b0, b1)
    ols = d.ols
    shown = st.session_state.get("learn_shown_1", False)
    equal = st.checkbox("Equal scales on both axes (true squares)", value=d.name == "anscombe_1",
                        key=f"learn_equal_{d.name}",
                        help="With equal scales each square's area is exactly the squared residual. "
                        "Otherwise the squares are stretched sideways by one common factor so they still look "
                        "square: their areas stay proportional to the squared residuals.")
    ols_fit = lessons.line_fit(d.x, d.y, float(ols.coef[0]), float(ols.coef[1])) if shown else None
    text, = state.chart(("learn_line", d.name, b0, b1, shown, equal),
                        lambda: plots.line_figure(d, fit, ols_fit=ols_fit, equal_aspect=equal), key="learn_line_chart")
    st.caption(text)
    if not equal:
        st.caption("The axes have different scales, so the squares are drawn wider or narrower than their "
                   "height by the same factor for every point: compare their sizes with each other, not with "
                   "the axis units.")
    c = st.columns(3)
    c[0].metric("Your RSS", fmt(fit.rss, 6))
    c[1].metric("Your loss L = RSS/N", fmt(fit.loss, 6), help=f"N = {d.n} points.")
    c[2].metric("Largest |residual|", fmt(float(np.max(np.abs(fit.resid))), 4))
    with st.container(border=True):
        st.markdown("**Predict, then reveal**: when you think your line is as good as it gets, reveal the best one.")
        if not shown and st.button("Reveal the least-squares line", key="learn_reveal_1"):
            st.session_state["learn_shown_1"] = True
            st.rerun()
        if shown and st.button("Hide it and try again", key="learn_hide_1"):
            st.session_state["learn_shown_1"] = False
            st.rerun()
        if shown:
            ratio = fit.rss / ols.rss if ols.rss > 0 else math.inf
            st.success(
                f"Least squares: y = {fmt(ols.coef[0], 6)} + {fmt(ols.coef[1], 6)} x with RSS = {fmt(ols.rss, 6)}, "
                f"the smallest any line can reach. Yours is {fmt(fit.rss, 6)}, "
                f"{fmt(ratio, 4)} times as large." + (" A perfect guess!" if ratio < 1.001 else "")
            )
            st.metric("Least-squares RSS", fmt(ols.rss, 6), delta=f"{fmt(fit.rss - ols.rss, 4)} yours above",
                      delta_color="off")
    _try_it("pages/fit.py", "the Fit page draws the least-squares line of any data", "📈")


def lesson_2() -> None:
    st.markdown(
        "Every line (β₀, β₁) has a loss L(β₀, β₁) = (1/N) Σ (yᵢ − β₀ − β₁xᵢ)². Drawn over all lines, that loss is "
        "a **bowl** (a quadratic): one lowest point, and that point is the least-squares line. Your line from "
        "lesson 1 is the orange dot: move it with the sliders."
    )
    d = _dataset_picker(2)
    b0, b1 = _user_line(d)
    b = _bowl(d.name, b0, b1)
    text, = state.chart(("learn_bowl", d.name, b0, b1),
                        lambda: plots.bowl_figure(b, np.array([b0, b1]), x_name=d.x_name), key="learn_bowl_chart")
    st.caption(text)
    c = st.columns(2)
    c[0].metric("Loss of your line", fmt(lessons.line_fit(d.x, d.y, b0, b1).loss, 6))
    c[1].metric("Loss at the bottom", fmt(b.loss_min, 6))
    st.subheader("The bottom in closed form")
    st.markdown("At the bottom of the bowl the slope is zero in every direction: setting the gradient to zero "
                "gives the **normal equations**, two linear equations in two unknowns.")
    shift = st.select_slider(
        "Add a constant to x (e.g. calendar years instead of years since 2000)", SHIFTS, key="learn_shift",
        format_func=lambda v: f"{v:,.0f}",
        help="Shifting x changes only the intercept of the best line, but it makes the column of ones and the "
        "x column nearly parallel: the problem becomes ill-conditioned.",
    )
    ne = _normal(d.name, float(shift))
    for line in plots.normal_equations_latex(ne):
        st.latex(line)
    st.markdown(
        "Solving this system directly squares the **condition number**: cond(XᵀX) = cond(X)². A condition number "
        "of 10ᵏ can cost about k of the 16 significant digits a computer carries. QR factorization works on X "
        "itself (X = QR, then solve Rw = Qᵀy), so it only pays cond(X)."
    )
    c = st.columns(4)
    c[0].metric("cond(X)", fmt(ne.cond_X))
    c[1].metric("cond(X)²", fmt(ne.cond_X ** 2))
    c[2].metric("cond(XᵀX) as computed", fmt(ne.cond_XtX),
                help="Above about 10¹⁶ XᵀX is singular to working precision, so even this number is inaccurate.")
    c[3].metric("Normal equations vs QR", fmt(ne.max_rel_difference, 2),
                help="Largest difference between the two solutions, relative to the largest QR coefficient.")
    st.caption(
        f"With x shifted by {shift:,.0f}: QR can lose about {fmt(ne.digits_lost_qr, 2)} digits, the normal "
        f"equations about {fmt(ne.digits_lost_normal, 2)}; QR gives β = ({fmt(ne.coef_qr[0], 10)}, "
        f"{fmt(ne.coef_qr[1], 10)}), the normal equations ({fmt(ne.coef_normal[0], 10)}, "
        f"{fmt(ne.coef_normal[1], 10)})."
    )
    _reveal(2, "If cond(X) is 1,000, what is cond(XᵀX)?", ["about 1,000", "about 2,000", "about 1,000,000"],
            "about 1,000,000",
            f"Forming XᵀX squares the condition number: here cond(X) = {fmt(ne.cond_X)} and cond(XᵀX) = "
            f"{fmt(ne.cond_XtX)} ≈ {fmt(ne.cond_X ** 2)} = cond(X)². That is why linreg solves least squares by QR.")
    _try_it("pages/fit.py", "compare QR, SVD and the normal equations on the Fit page", "📈")


def lesson_3() -> None:
    st.markdown(
        "Gradient descent needs the gradient ∇L: which way is uphill, and how steep. The loss is an average over "
        "points, L = (1/N) Σ Lᵢ, so its gradient is the average of each point's gradient, and each point's "
        "gradient follows from the **chain rule** through its prediction ŷᵢ = β₀ + β₁xᵢ. Here at your line from "
        "lesson 1 (the sliders move it)."
    )
    d = _dataset_picker(3)
    b0, b1 = _user_line(d)
    i = st.slider("Point i", 0, d.n - 1, key=f"learn_i_{d.name}", help="Row position of the point, from 0.")
    c = lessons.chain_rule(d.X1, d.y, [b0, b1], i)
    left, right = st.columns([3, 2])
    with left:
        text, = state.chart(("learn_chain", d.name, b0, b1, int(i)), lambda: plots.chain_figure(d, c),
                            key="learn_chain_chart")
        st.caption(text)
    with right:
        st.markdown("**Finite-difference check** of the full gradient ∇L (central differences of L):")
        chk = c.check
        st.dataframe({"coefficient": ["β₀ (intercept)", f"β₁ (slope on {d.x_name})"],
                      "analytic (2/N)Xᵀ(ŷ − y)": [fmt(v, 10) for v in chk.analytic],
                      "finite difference": [fmt(v, 10) for v in chk.numeric]}, hide_index=True)
        st.metric("Largest relative difference", fmt(chk.max_rel_error, 2))
        st.caption("They agree to about ten digits: the formula is right. The check costs two loss evaluations "
                   "per coefficient, which is why we derive the gradient instead of always using it.")
    for line in plots.chain_latex(c):
        st.latex(line)
    st.caption(f"Point {c.i}'s own gradient is ({fmt(c.grad_i[0])}, {fmt(c.grad_i[1])}); averaging all {c.n} "
               f"points' gradients gives ∇L = ({fmt(c.grad[0])}, {fmt(c.grad[1])}) at L = {fmt(c.loss)}.")
    verb = "raises" if c.dL_dyhat < 0 else "lowers" if c.dL_dyhat > 0 else "leaves"
    _reveal(3, f"A descent step using point {c.i} alone moves w against its gradient 2(ŷᵢ − yᵢ)xᵢ. "
            "What does it do to the intercept?", ["raises it", "lowers it", "leaves it"], f"{verb} it",
            f"The intercept's part of point {c.i}'s gradient is 2(ŷᵢ − yᵢ)·1 = {fmt(c.dL_dyhat)}; a step goes "
            f"against it, so it {verb} the intercept"
            + (": the line moves toward the point" if c.dL_dyhat != 0 else ": the line already passes through it")
            + f" (ŷᵢ = {fmt(c.yhat_i)}, yᵢ = {fmt(c.y_i)}).")
    _try_it("pages/descent.py", "the Gradient descent page shows these numbers at every step", "⛰️")


def _prepare_gd() -> None:
    """Load the lesson's dataset and settings into the app state (for the Gradient descent page).

    Through a built-in recipe, so that a shareable link of the prepared state works.
    """
    from share import Recipe

    state.use_recipe(Recipe("builtin", str(lessons.GD_LESSON["dataset"])))
    state.set_gd_settings(state.GDSettings(
        learning_rate=float(lessons.GD_LESSON["learning_rate"]), n_iter=int(lessons.GD_LESSON["n_iter"]),
        batch_size=None, momentum=0.0, standardize=bool(lessons.GD_LESSON["standardize"]), seed=0,
    ))


def lesson_4() -> None:
    g = lessons.GD_LESSON
    st.markdown(
        "Gradient descent starts from w = 0 and repeats one step, w ← w − η∇L: compute the gradient of lesson 3 "
        "at the current line and move a little (the **learning rate** η) against it. The Gradient descent page "
        "lets you step through a run, with the arithmetic of every step."
    )
    st.markdown(
        f"This lesson opens it on the **cars** data (stopping distance against speed) with a deliberately small "
        f"learning rate η = {g['learning_rate']}, {g['n_iter']} iterations, full batches and standardized "
        "features, so that every step shows. Use **Next ›** to step, or ▶ Play under the chart."
    )
    run = _gd_lesson()
    excess = run.final_loss / run.loss_min - 1 if run.loss_min > 0 else run.final_loss
    options = ["at the minimum to 4 digits", "within 1% of it", "more than 1% above it"]
    _reveal(4, f"After {g['n_iter']} steps with η = {g['learning_rate']}, how far is the loss from its minimum?",
            options, options[0] if excess <= 1e-4 else options[1] if excess <= 0.01 else options[2],
            f"After {run.n_iter} steps the loss is {fmt(run.final_loss, 6)} against the minimum "
            f"{fmt(run.loss_min, 6)} ({fmt(100 * (run.final_loss / run.loss_min - 1), 3)}% above); the "
            f"coefficients are ({fmt(run.coef[0])}, {fmt(run.coef[1])}) against least squares "
            f"({fmt(run.optimum_original[0])}, {fmt(run.optimum_original[1])}).")
    st.warning("The button replaces the app's current data and gradient-descent settings with the lesson's.")
    if st.button("Open the Gradient descent page at this state", key="learn_open_gd", type="primary"):
        _prepare_gd()
        st.switch_page("pages/descent.py")
    _try_it("pages/descent.py", "the Gradient descent page, on your current data and settings", "⛰️")


def lesson_5() -> None:
    st.markdown(
        "How big may a step be? The loss is a bowl whose steepness along its principal directions is given by the "
        "eigenvalues λ of the Hessian H = (2/N)XᵀX. Each step multiplies the error along direction i by "
        "(1 − ηλᵢ). Below η = 2/λ_max every factor lies between −1 and 1 and the error shrinks; just below, the "
        "factor along the steepest direction is close to −1, so the coefficients **overshoot back and forth**; "
        "above, it is below −1 and every step overshoots further: **divergence**."
    )
    d = _dataset_picker(5)
    c = st.columns([2, 1])
    factor = c[0].select_slider("Learning rate as a multiple of 2/λ_max", FACTORS, value=0.95, key="learn_factor",
                                format_func=lambda f: f"{f:g} ×")
    standardize = c[1].checkbox("Standardize x", value=True, key="learn_lr_std",
                                help="Standardized, the bowl is round (lesson 6) and 2/λ_max = 1.")
    r = _lr_run(d.name, float(factor), bool(standardize))
    m = st.columns(4)
    m[0].metric("λ_max", fmt(r.lam_max))
    m[1].metric("Stable bound 2/λ_max", fmt(r.max_stable))
    m[2].metric("η used", fmt(r.run.learning_rate))
    m[3].metric("Factor 1 − ηλ_max", fmt(r.step_factor))
    text, = state.chart(("learn_lr", d.name, float(factor), bool(standardize)),
                        lambda: plots.learning_rate_figure(r, x_name=d.x_name), key="learn_lr_chart")
    st.caption(text)
    st.caption("The zig-zag is in the coefficients (left). The loss (right) squares the error, so below the bound "
               "it still falls at every step — slowly, by (1 − ηλ_max)² — and above it it climbs.")
    if r.run.diverged:
        st.error(f"Diverged: {r.run.message}")
    above = _lr_run(d.name, 1.05, bool(standardize))
    _reveal(5, "At 1.05 × 2/λ_max, what does gradient descent do?",
            ["converges slowly", "oscillates but converges", "diverges"], "diverges",
            f"At η = {fmt(above.run.learning_rate)} the factor 1 − ηλ_max is {fmt(above.step_factor)}: each step "
            f"multiplies the error along the steepest direction by {fmt(abs(above.step_factor))} and flips its "
            f"sign, so the loss grows from {fmt(above.run.history.loss[0])} to {fmt(above.run.final_loss)} in "
            f"{above.run.n_iter} steps.")
    _try_it("pages/descent.py", "the Gradient descent page marks the stable and the optimal rates", "⛰️")


def lesson_6() -> None:
    st.markdown(
        "The speed of gradient descent depends on the shape of the bowl. Its **condition number** λ_max/λ_min "
        "says how stretched it is: the step must be small enough for the steepest direction (2/λ_max) but then "
        "crawls along the flattest. Raw x far from 0 makes a long thin valley; **standardizing** x (mean 0, "
        "standard deviation 1) makes it round. Both runs below use their own best learning rate "
        "2/(λ_max + λ_min) and stop when the gradient is below 10⁻⁸."
    )
    d = _dataset_picker(6)
    runs = _scaling(d.name)
    raw, std = runs["raw features"], runs["standardized"]
    c = st.columns(2)
    c[0].metric("Condition number λ_max/λ_min, raw x", fmt(gd_plots.condition_number(raw)))
    c[1].metric("Condition number λ_max/λ_min, standardized x", fmt(gd_plots.condition_number(std)))
    ratio = raw.n_iter / max(std.n_iter, 1)
    answer = "more than 100 times as many" if ratio > 100 else ("2 to 100 times as many" if ratio >= 2
                                                                  else "about the same")
    _reveal(6, "How many iterations do raw features need, compared with standardized ones?",
            ["about the same", "2 to 100 times as many", "more than 100 times as many"], answer,
            f"Raw: condition number {fmt(gd_plots.condition_number(raw))}, {raw.n_iter:,} iterations; "
            f"standardized: {fmt(gd_plots.condition_number(std))}, {std.n_iter:,}. The fitted line is the same "
            f"(slope {fmt(raw.coef[1], 6)} against {fmt(std.coef[1], 6)}); only the path to it changes.")
    if not (st.session_state.get("learn_shown_6") and st.session_state.get("learn_guess_6") is not None):
        st.caption("Make your guess and reveal it to see both runs.")
    else:
        st.dataframe(gd_plots.conditioning_table(runs), hide_index=True)
        text, = state.chart(("learn_scaling", d.name), lambda: gd_plots.conditioning_figure(runs, terms=(d.x_name,)),
                            key="learn_scaling_chart")
        st.caption(state.md_escape(text))
        st.caption("Both panels use equal scales on their axes, in the coordinates each run works in "
                   "(standardized coefficients on the right): a circle means every direction is equally steep, "
                   "and the raw run zig-zags across its narrow valley.")
    _try_it("pages/compare.py", "the Compare page runs the same experiment on your data", "⚖️")


def lesson_7() -> None:
    st.markdown(
        "Summary numbers can hide everything. Anscombe (1973) built four datasets with the **same** fitted line "
        "and the same R². Here are the numbers, and the residuals of each fit against its fitted values."
    )
    fits = _anscombe()
    st.dataframe({
        "set": [t for t, *_ in fits],
        "intercept": [fmt(r.coef[0], 4) for *_, r in fits],
        "slope": [fmt(r.coef[1], 4) for *_, r in fits],
        "R²": [fmt(r.r_squared, 3) for *_, r in fits],
        "σ": [fmt(r.sigma, 3) for *_, r in fits],
    }, hide_index=True)
    st.caption("Four fits, one line: y ≈ 3.00 + 0.500 x with R² ≈ 0.67 in every set.")
    text, = state.chart(("learn_anscombe_resid",), lambda: plots.anscombe_residuals_figure(fits),
                        key="learn_anscombe_resid")
    st.caption(text)
    _reveal(7, "Judging by the residual plots, which set is a straight line with ordinary scatter?",
            ["set I", "set II", "set III", "set IV"], "set I",
            "Set I's residuals are a patternless band around 0. Set II's form an arch: the truth is a curve. "
            "Set III's are tiny except one: an outlier tilts the line. Set IV's fitted values take two values: "
            "one point alone decides the slope. The scatter plots below show it.")
    if st.session_state.get("learn_shown_7") and st.session_state.get("learn_guess_7") is not None:
        text, = state.chart(("learn_anscombe_fits",), lambda: plots.anscombe_figure(fits), key="learn_anscombe_fits")
        st.caption(text)
    _try_it("pages/residuals.py", "the Residuals page draws these plots for any fit", "🔍")


def lesson_8() -> None:
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
    df, truth = _terms_data(kind)
    design, result, preview, curves = _terms_fit(kind, spec)
    st.markdown("**The design matrix X** (first rows): one column per parameter.")
    st.dataframe(preview, hide_index=True)
    st.latex(r"\hat y = " + " + ".join([r"\beta_0"] + [rf"\beta_{{{j + 1}}}\,\text{{{t}}}".replace("^", r"\^{}")
                                                         for j, t in enumerate(design.terms)]))
    left, right = st.columns([3, 2])
    with left:
        text, = state.chart(("learn_terms", kind, spec),
                            lambda: plots.curves_figure(df, "x", "y", "group" if groups else None, curves),
                            key="learn_terms_chart")
        st.caption(text)
    with right:
        st.dataframe({"term": list(result.terms), "estimate": [fmt(v, 5) for v in result.coef],
                      "true value": [fmt(truth.get(t, 0.0), 5) for t in result.terms]}, hide_index=True)
        st.metric("R²", fmt(result.r_squared))
        st.caption(f"{result.n} rows, {len(result.terms)} parameters. A term the truth does not have has true "
                   "value 0.")
    _reveal(8, "Is y = β₀ + β₁x + β₂x² a linear regression model?", ["yes", "no"], "yes",
            "It is linear in β₀, β₁, β₂: the prediction is X·β with columns 1, x and x², so the same least squares "
            "fits it" + (f" — here with x² coefficient {fmt(result.coef[list(result.terms).index('x^2')], 4)}."
                         if "x^2" in result.terms else "."))
    _try_it("pages/data.py", "choose terms (powers, categorical columns, interactions) on the Data page", "📂")


def lesson_9() -> None:
    st.markdown(
        "A model can miss in two ways. **Bias**: it is too simple to follow the truth, however much data it sees. "
        "**Variance**: it is so flexible that it follows the noise, and a new sample gives a different fit. The "
        "data below come from a known cubic, y = 1 − 2x + 0.5x³ + noise (40 points)."
    )
    c = st.columns(3)
    noise = c[0].select_slider("Noise σ", (0.5, 1.0, 2.0, 4.0), value=2.0, key="learn_bv_noise")
    seed = int(c[1].number_input("Seed", 0, 999, 1, key="learn_bv_seed",
                                 help="Draws the data, the train/test split and the resamples."))
    degree = c[2].slider("Degree of the refits", 1, 10, 1, key="learn_bv_degree")
    ex = _degrees(float(noise), seed)
    text, = state.chart(("learn_degrees", float(noise), seed), lambda: pen_plots.degree_figure(ex),
                        key="learn_degree_chart")
    st.caption(text)
    st.caption("Training error can only fall as the degree grows; error on held-out test rows falls, then rises "
               "once the curve starts fitting noise. With only 12 test rows the best degree varies from seed to "
               "seed: try a few.")
    boot = _bootstrap(float(noise), seed, int(degree))
    x, y, _ = _complexity_data(float(noise), seed)
    text, = state.chart(("learn_boot", float(noise), seed, int(degree)),
                        lambda: pen_plots.bootstrap_figure(boot, x=x, y=y), key="learn_boot_chart")
    st.caption(text)
    m = st.columns(2)
    m[0].metric("Variance (mean over x)", fmt(boot.mean_variance))
    m[1].metric("Squared bias (mean over x)", fmt(boot.mean_bias_sq))
    low, high = _bootstrap(float(noise), seed, 1), _bootstrap(float(noise), seed, 9)
    answer = "degree 9" if high.mean_variance > low.mean_variance else "degree 1"
    _reveal(9, "Refit on 200 resamples: whose fitted curves vary more, a straight line (degree 1) or degree 9?",
            ["degree 1", "degree 9"], answer,
            f"Variance averages {fmt(low.mean_variance)} for the straight line and {fmt(high.mean_variance)} for "
            f"degree 9, while the squared bias is {fmt(low.mean_bias_sq)} against {fmt(high.mean_bias_sq)}: the "
            "straight line is low-variance but biased, the flexible curve the other way round.")
    _try_it("pages/fit.py", "fit polynomial terms to your data on the Fit page", "📈")


def lesson_10() -> None:
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
    lam = st.select_slider("λ", LAMBDAS, value=0.1, key="learn_lambda", format_func=lambda v: f"{v:g}")
    p = _penalized(float(lam))
    _, _, names, truth = _penalized_data()
    text, = state.chart(("learn_penalized", float(lam)), lambda: plots.penalized_figure(p), key="learn_penalized_chart")
    st.caption(text)
    st.dataframe({"term": list(p.terms), "true": [fmt(truth.get(t, 0.0), 4) for t in p.terms],
                  "least squares": [fmt(v, 4) for v in p.ols], "ridge": [fmt(v, 4) for v in p.ridge],
                  "lasso": [fmt(v, 4) for v in p.lasso]}, hide_index=True)
    m = st.columns(3)
    m[0].metric("Training MSE, least squares", fmt(p.ols_mse))
    m[1].metric("Training MSE, ridge", fmt(p.ridge_mse))
    m[2].metric("Training MSE, lasso", fmt(p.lasso_mse))
    big = _penalized(LAMBDAS[-3])
    _reveal(10, "As λ grows, which penalty sets coefficients exactly to zero?", ["ridge", "lasso", "both"], "lasso",
            f"At λ = {fmt(LAMBDAS[-3])} the lasso has {big.lasso_zeros} of {len(big.terms) - 1} slopes exactly 0, "
            f"ridge {int(np.count_nonzero(big.ridge[1:] == 0))}: the corner of |β| at 0 holds lasso coefficients "
            "there, while ridge's smooth β² only shrinks them. Training MSE always rises with λ, since least squares "
            "has the smallest possible.")
    _try_it("pages/regularization.py", "the Regularization page draws the paths over λ and cross-validates", "🪢")


RUNNERS = {1: lesson_1, 2: lesson_2, 3: lesson_3, 4: lesson_4, 5: lesson_5, 6: lesson_6, 7: lesson_7, 8: lesson_8,
           9: lesson_9, 10: lesson_10}


def _page() -> None:
    st.title("🎓 Learn")
    st.markdown("Ten short lessons, each with live numbers: predict what will happen, then reveal it.")
    _seed("learn_lesson", state.lesson() if state.lesson() in LESSONS else 1)
    n = st.selectbox("Lesson", list(LESSONS), key="learn_lesson", format_func=lambda k: f"{k}. {LESSONS[k]}")
    state.set_lesson(n)
    st.header(f"{n}. {LESSONS[n]}")
    try:
        RUNNERS[n]()
    except LinregError as err:
        st.error(f"This lesson cannot run: {err}")


_page()
