"""Gradient descent page: watch GD walk downhill, step by step, on the current data.

Thin page: widgets -> state (the cached descent) -> figures from ``linreg.plots.descent``.
The settings live in ``state`` (plain session keys) so they survive a page switch; the
scrubber only picks which stored iteration to show, so moving it never reruns the descent.
The Play button inside the chart animates plotly frames in the browser.
"""

from __future__ import annotations

import streamlit as st

import state
from linreg import export
from linreg.exceptions import LinregError
from linreg.plots import descent as plots
from linreg.plots._common import fmt

state.through_app()

K = "gd_k"  # the scrubber (a widget key: where we are in the run is a view, not app state)
ROWS_SHOWN = 5


def _seed(key: str, value) -> None:
    """Give a widget its value from the app state when the page is (re)entered."""
    if key not in st.session_state:
        st.session_state[key] = value


def _use_rate(rate: float) -> None:
    """Button callback: adopt a learning rate (rounded for reading) in the widget and the app state."""
    rate = float(f"{rate:.4g}")
    st.session_state["gd_lr"] = rate
    state.set_gd_settings(learning_rate=rate)


def _store() -> None:
    """Widget callback: copy the settings widgets into ``state`` before the page reruns,
    so the run the page draws always has the settings on screen."""
    ss = st.session_state
    state.set_gd_settings(state.GDSettings(
        learning_rate=float(ss["gd_lr"]),
        n_iter=int(ss["gd_n_iter"]),
        batch_size=int(ss["gd_batch"]) or None,
        momentum=float(ss["gd_momentum"]),
        standardize=bool(ss["gd_standardize"]),
        seed=int(ss["gd_seed"]),
        ridge=float(ss["gd_ridge"]),
    ))


def _settings(bounds: tuple[float, float] | None) -> None:
    """The GD settings, seeded from and written back to ``state`` (through ``_store``)."""
    g = state.gd_settings()
    _seed("gd_lr", float(g.learning_rate))
    _seed("gd_n_iter", int(g.n_iter))
    _seed("gd_batch", int(g.batch_size or 0))
    _seed("gd_momentum", float(g.momentum))
    _seed("gd_standardize", bool(g.standardize))
    _seed("gd_seed", int(g.seed))
    _seed("gd_ridge", float(g.ridge))
    with st.container(border=True):
        st.markdown("**Settings** (shared with the Fit and Compare pages)")
        c = st.columns([1.3, 1, 1, 1, 1, 1, 1])
        c[0].number_input(
            "Learning rate η", min_value=1e-10, max_value=1e6, step=None, format="%.4g", key="gd_lr", on_change=_store,
            help="Step size of w ← w − η∇L. Full-batch descent is stable only below 2/λ_max, λ_max the largest "
            "eigenvalue of the Hessian H = (2/N)XᵀX; the fastest rate is 2/(λ_max + λ_min).",
        )
        c[1].number_input("Iterations", min_value=1, max_value=100_000, step=100, key="gd_n_iter", on_change=_store)
        c[2].number_input(
            "Batch size (0 = all rows)", min_value=0, max_value=10_000_000, step=1, key="gd_batch", on_change=_store,
            help="0 uses every row in each step (full batch); a smaller batch gives stochastic (mini-batch) descent.",
        )
        c[3].slider("Momentum μ", 0.0, 0.99, step=0.01, key="gd_momentum", on_change=_store,
                               help="Heavy ball: v ← μv − η∇L, w ← w + v. 0 is plain gradient descent.")
        c[4].number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key="gd_seed", on_change=_store,
                                 help="Shuffles the mini-batches; the same seed gives the same run.")
        c[5].checkbox(
            "Standardize", key="gd_standardize", on_change=_store,
            help="Run on standardized columns: a rounder loss bowl, so a larger stable rate and far fewer "
            "steps. Coefficients are still reported in the original units.",
        )
        c[6].number_input(
            "Ridge λ", min_value=0.0, max_value=1e6, step=0.01, format="%.4g", key="gd_ridge", on_change=_store,
            help="Adds the ridge penalty λ‖b‖² on the slopes (not the intercept) to the loss, so the gradient "
            "gains 2λb. 0 is plain least squares. With Standardize the penalty is on the standardized slopes, "
            "as ridge (α = 0) on the Regularization page.",
        )
        if bounds is not None:
            max_stable, optimal = bounds
            b = st.columns([1, 1, 2.2])
            b[0].button(f"Use optimal η ({fmt(optimal, 3)})", key="gd_use_optimal", on_click=_use_rate,
                        args=(optimal,), width="stretch",
                        help="2/(λ_max + λ_min): the rate that shrinks the slowest direction fastest.")
            b[1].button(f"Use 0.9 × max stable ({fmt(0.9 * max_stable, 3)})", key="gd_use_stable",
                        on_click=_use_rate, args=(0.9 * max_stable,), width="stretch",
                        help=f"Just under the stability limit 2/λ_max = {fmt(max_stable)}.")
            b[2].markdown(
                f"Largest stable rate **2/λ_max = {fmt(max_stable)}** · optimal rate "
                f"**2/(λ_max+λ_min) = {fmt(optimal)}** (for {'standardized' if g.standardize else 'raw'} features, "
                "full batch)."
            )


def _move(delta: int | None, last: int) -> None:
    """Scrubber button callback: step by ``delta``, or jump to 0 / ``last`` when delta is None."""
    k = st.session_state.get(K, 0)
    st.session_state[K] = min(max(k + delta, 0), last) if delta is not None else last


def _scrubber(n_iter: int) -> int:
    """First / back / forward / last buttons and a slider over the stored iterations."""
    if n_iter == 0:
        st.caption("The run stopped before its first step: there is only iteration 0 to show.")
        return 0
    if st.session_state.get(K, 0) > n_iter:  # a shorter run than the last one
        st.session_state[K] = n_iter
    # The iteration on show lives in the app state too, so a page switch or a shared link comes back to it.
    _seed(K, min(state.iteration(), n_iter))
    c = st.columns([1, 1, 1, 1, 3])
    c[0].button("« First", key="gd_first", on_click=_move, args=(-n_iter, n_iter), help="Iteration 0",
                width="stretch")
    c[1].button("‹ Back", key="gd_back", on_click=_move, args=(-1, n_iter), help="One step back",
                width="stretch")
    c[2].button("Next ›", key="gd_forward", on_click=_move, args=(1, n_iter), help="One step forward",
                width="stretch")
    c[3].button("Last »", key="gd_last", on_click=_move, args=(None, n_iter), help=f"Iteration {n_iter}",
                width="stretch")
    k = int(st.slider("Iteration k", 0, n_iter, key=K,
                      help="Scrub through the stored iterations; this never reruns the descent."))
    state.set_iteration(k)
    return k


def _view_options(design) -> tuple[int | None, int, int]:
    """Which feature the data panel draws and which two coefficients the contour uses."""
    terms = ("Intercept",) + tuple(design.terms) if design.intercept else tuple(design.terms)
    features = list(design.terms)
    c = st.columns(3)
    feature = None
    if len(features) > 1:
        options = [None, *range(len(features))]
        feature = c[0].selectbox(
            "Data panel", options, key="gd_view",
            format_func=lambda f: "Predicted against actual" if f is None else f"Line along {features[f]}",
            help="With several features the model is a plane or more: show predicted against actual, or the "
            "line along one feature with the others held at their means.",
        )
    if len(terms) >= 2:
        i = c[1].selectbox("Contour x axis", range(len(terms)), index=0, key="gd_ci",
                           format_func=lambda t: terms[t])
        others = [t for t in range(len(terms)) if t != i]
        j = c[2].selectbox("Contour y axis", others, index=0, key="gd_cj", format_func=lambda t: terms[t])
    else:
        i, j = 0, 0
    return feature, i, j


def _status(g) -> None:
    if g.diverged:
        st.error(f"Gradient descent diverged. {g.message}")
        with st.container(border=True):
            st.markdown("**Why it diverged**")
            st.markdown(plots.divergence_explanation(g))
            st.caption("The history stops before the numbers overflow: the chart below shows every step that was "
                       "taken, and the loss curve climbs instead of falling.")
    elif g.converged:
        st.success(g.message)
    else:
        st.info(g.message)


def _arithmetic(g, k: int) -> None:
    st.subheader(f"The arithmetic of step {k} → {k + 1}")
    view = state.step_view(k, ROWS_SHOWN)
    st.markdown(
        f"Each step predicts every row with the current coefficients w_{k}, measures how wrong each prediction "
        f"is, averages those errors into the gradient ∇L over all N = {len(g.y):,} rows, and steps against it. "
        f"The first {len(view.table)} rows:"
    )
    st.dataframe(view.table, hide_index=True)
    st.caption(state.md_escape(view.summary))
    for line in view.latex:
        st.latex(line)
    notes = []
    if g.standardize:
        notes.append("The run works on standardized columns (x − mean)/sd, so these x and w are in standardized "
                     "units; the chart's lines and the Compare page convert them back to the original units.")
    if g.batch_size is not None:
        notes.append(f"This run used mini-batches of {g.batch_size} rows: its actual step used the gradient of one "
                     f"batch, not the full-data gradient shown here, so the stored w_{k + 1} differs from this update.")
    elif k < g.n_iter:
        stored = g.history.coef[k + 1]
        notes.append("The run's stored next iterate w_" + f"{k + 1} = ("
                     + ", ".join(fmt(v) for v in stored) + ") is this update.")
    else:
        notes.append(f"Iteration {k} is the last one the run kept, so this step was never taken"
                     + (" (it would make things worse: the run diverged)." if g.diverged else "."))
    for note in notes:
        st.caption(note)


def _page() -> None:
    st.title("⛰️ Gradient descent")
    df, label = state.current_data()
    spec = state.current_spec()
    st.markdown(
        f"Gradient descent fits {state.md_code(spec.target)} on **{state.md_escape(label)}** by walking downhill "
        r"on the loss $L(w) = \tfrac{1}{N}\lVert y - Xw \rVert^2$, one step $w \leftarrow w - \eta\nabla L$ at a "
        r"time, with $\nabla L = \tfrac{2}{N}X^\top(Xw - y)$. Step through the run below, or press ▶ Play under "
        "the chart to watch it in your browser."
    )
    ridge = state.gd_settings().ridge
    if ridge > 0:
        st.markdown(
            rf"With the ridge penalty λ = {fmt(ridge)} the loss is $L(w) = \tfrac{{1}}{{N}}\lVert y - Xw \rVert^2 + "
            r"\lambda\lVert b \rVert^2$ (b: the slopes, the intercept is not penalized) and the gradient gains "
            r"$2\lambda b$: $\nabla L = \tfrac{2}{N}X^\top(Xw - y) + 2\lambda b$. Descent then stops at the ridge "
            "solution, not at least squares (the grey dashed line)."
        )

    try:
        design = state.design()
        g = state.gd()
        state.ols()  # the closed form the figure compares against: its errors stop the page here
    except LinregError as err:
        _settings(None)
        st.error(f"Gradient descent cannot run: {state.md_escape(err)}")
        return
    _settings((g.max_stable_learning_rate, g.optimal_learning_rate))

    rates = (g.learning_rate, g.optimal_learning_rate, g.max_stable_learning_rate)
    text, = state.chart(("learning_rate",) + rates + (g.momentum,),
                        lambda: plots.learning_rate_figure(*rates, momentum=g.momentum),
                        key="gd_rate_chart", config={"displayModeBar": False})
    st.caption(text)
    _status(g)

    st.subheader("Step through the iterations")
    k = _scrubber(g.n_iter)
    feature, i, j = _view_options(design)
    # The animation is built once per run and view; a new k only makes the figure at k, and a rerun with
    # nothing new replays the chart already sent (state.chart).
    state.descent_figure(k, feature=feature, i=i, j=j, key="gd_chart")
    st.caption(state.md_escape(plots.descent_summary(g, k, i=i, j=j, terms=design.terms)))
    for note in plots.figure_notes(g, feature=feature):
        st.caption(note)
    st.caption("Left: the model at step k (orange) against the data and the least-squares fit (grey dashes). "
               "Right: the loss over two coefficients, the path so far and the downhill direction −∇L (red arrow, "
               "its length in proportion to the gradient's size, the run's steepest at a quarter of the view). Bottom: the loss at every step on a log scale, with the minimum (green).")
    _arithmetic(g, k)
    st.download_button("Download the whole run (CSV)", data=lambda: export.gd_trace_csv(g), file_name="gd_trace.csv",
                       mime="text/csv", key="dl_gd_trace",
                       help="iteration, loss, gradient norm and the coefficients (original units) at every step")


_page()
