"""Gradient descent page: watch GD walk downhill, step by step, on the current data.

The settings live in the session (``ui.session``) so they survive a page switch. The run's
history goes to the browser once (``ui.components.stepper``): stepping, scrubbing and Play redraw
the figure and the step's arithmetic there, and only the iteration the user stops at comes back,
so the share link and the other pages know it. Nothing here reruns the descent.
"""

from __future__ import annotations

import streamlit as st

from linreg.exceptions import LinregError
from linreg.format import fmt
from linreg.plots import descent as plots
from ui import cache, charts, descent_cache, large_pages, session
from ui.components.stepper import descent_stepper
from ui.legacy import through_app
from ui.settings import FIELDS
from ui.text import md_code, md_escape
from ui.widgets import download_gd_trace, escaped, gd_settings_controls, in_range, latex, seed, show_error

through_app()
large_pages.guard("descent")  # a registered dataset read out of core: its own version of the page

K = "gd_k"  # the server-side slider (a widget key: the iteration on show is also kept in the session)
STEPPER = "gd_stepper"  # the browser's stepper (its state: the iteration the user settled on)
MEMO = "gd_stepper_opened"  # (run and view, iteration the stepper opened at, the last one it settled on)
ROWS_SHOWN = 5
RATE = FIELDS["gd"]["learning_rate"]


def _use_rate(rate: float) -> None:
    """Button callback: adopt a learning rate (rounded for reading) in the widget and the app state."""
    rate = float(f"{rate:.4g}")
    st.session_state[f"gd_{RATE.key}"] = rate
    session.set_gd_settings(learning_rate=rate)


def _rate_button(column, label: str, rate: float, key: str, help_text: str) -> None:
    # A rate the learning-rate box cannot hold is not offered, rather than clamped.
    ok = in_range(RATE, float(f"{rate:.4g}"))
    column.button(f"{label} ({fmt(rate, 3)})", key=key, on_click=_use_rate, args=(rate,), width="stretch",
                  disabled=not ok, help=help_text if ok else f"Outside the learning rate's range {RATE.low:g} "
                  f"to {RATE.high:g}.")


def _settings(bounds: tuple[float, float] | None) -> None:
    """The GD settings (shared with the Fit page's), and the rates the data allows."""
    box = gd_settings_controls("gd", "**Settings** (shared with the Fit and Compare pages)",
                               widths=[1.3, 1, 1, 1, 1, 1, 1])
    if bounds is None:
        return
    max_stable, optimal = bounds
    with box:
        b = st.columns([1, 1, 2.2])
        _rate_button(b[0], "Use optimal η", optimal, "gd_use_optimal",
                     "2/(λ_max + λ_min): the rate that shrinks the slowest direction fastest.")
        _rate_button(b[1], "Use 0.9 × max stable", 0.9 * max_stable, "gd_use_stable",
                     f"Just under the stability limit 2/λ_max = {fmt(max_stable)}.")
        b[2].markdown(
            f"Largest stable rate **2/λ_max = {fmt(max_stable)}** · optimal rate "
            f"**2/(λ_max+λ_min) = {fmt(optimal)}** (for {'standardized' if session.gd_settings().standardize else 'raw'} "
            "features, full batch)."
        )


def _scrubber(n_iter: int) -> int:
    """A slider over every iteration, on the server: it moves the stepper to any iteration, also one
    between those a long run's stepper holds, and states the iteration the link and the other pages use."""
    if n_iter == 0:
        st.caption("The run stopped before its first step: there is only iteration 0 to show.")
        return 0
    if st.session_state.get(K, 0) > n_iter:  # a shorter run than the last one
        st.session_state[K] = n_iter
    if K not in st.session_state and session.iteration() > n_iter:
        st.warning(f"Iteration k = {session.iteration():,} is past this run's last iteration, {n_iter:,}: the "
                   "stepper starts there instead.")
    # The iteration on show lives in the app state too, so a page switch or a shared link comes back to it.
    seed(K, min(session.iteration(), n_iter))
    with st.expander("Go to any iteration"):
        k = int(st.slider(FIELDS["view"]["iteration"].label, 0, n_iter, key=K,
                          help="Moves the stepper above to any iteration; this never reruns the descent."))
        st.caption(f"Iteration {k} of {n_iter} is the one the share link and the other pages use: the stepper "
                   "above sends the iteration you stop at.")
    session.set_iteration(k)
    return k


def _stepped() -> None:
    """The browser settled on an iteration: the link, the slider and the other pages take it."""
    k = int(st.session_state[STEPPER]["k"])
    session.set_iteration(k)
    st.session_state[K] = k
    memo = st.session_state.get(MEMO)
    if memo is not None:
        st.session_state[MEMO] = (memo[0], memo[1], k)


def _opening_iteration(ident: tuple, k: int) -> int:
    """The iteration the stepper opens at: kept while the stepper stays mounted on the same run and
    view, so that the settle's own rerun sends the same payload; a new run, a page switch (Streamlit
    then forgets the component's state) or the slider below make it ``k``."""
    memo = st.session_state.get(MEMO)
    if STEPPER not in st.session_state or memo is None or memo[0] != ident or memo[2] != k:
        memo = (ident, k, k)
        st.session_state[MEMO] = memo
    return memo[1]


def _stepper_notes(g, payload: dict, feature) -> None:
    # Play runs through the stepper's own iterations now, not through the figure's frames.
    for note in plots.figure_notes(g, feature=feature):
        if not note.startswith("Play shows"):
            escaped(note)
    stored = len(payload["iterations"])
    if stored < g.n_iter + 1:
        st.caption(f"The stepper holds {stored:,} of the run's {g.n_iter + 1:,} iterations (every one early on, then "
                "an even spread), so its page stays small; **Go to any iteration** reaches the others.")
    if payload["surface"] is not None:
        st.caption("With more than two coefficients the contour is the slice through the other coefficients' values at "
                f"the nearest of {len(payload['surface']['at'])} evenly spread iterations; it follows the stepper "
                "once you stop.")


def _view_options(design) -> tuple[int | None, int, int]:
    """Which feature the data panel draws and which two coefficients the contour uses."""
    terms = ("Intercept",) + tuple(design.terms) if design.intercept else tuple(design.terms)
    features = list(design.terms)
    c = st.columns(3)
    feature = None
    if len(features) > 1:
        feature = c[0].selectbox(
            "Data panel", [None, *range(len(features))], key="gd_view",
            format_func=lambda f: "Predicted against actual" if f is None else f"Line along {features[f]}",
            help="With several features the model is a plane or more: show predicted against actual, or the "
            "line along one feature with the others held at their means.",
        )
    if len(terms) < 2:
        return feature, 0, 0
    i = c[1].selectbox("Contour x axis", range(len(terms)), index=0, key="gd_ci", format_func=lambda t: terms[t])
    others = [t for t in range(len(terms)) if t != i]
    j = c[2].selectbox("Contour y axis", others, index=0, key="gd_cj", format_func=lambda t: terms[t])
    return feature, i, j


def _status(g) -> None:
    if g.diverged:
        show_error("Gradient descent diverged.", g.message)
        with st.container(border=True):
            st.markdown("**Why it diverged**")
            st.markdown(plots.divergence_explanation(g))
            st.caption("The history stops before the numbers overflow: the chart below shows every step that was "
                       "taken, and the loss curve climbs instead of falling.")
    elif g.converged:
        show_error("", g.message, element=st.success)
    else:
        show_error("", g.message, element=st.info)


def _page() -> None:
    st.title("⛰️ Gradient descent")
    df, label = session.current_data()
    st.markdown(
        f"Gradient descent fits {md_code(session.current_spec().target)} on **{md_escape(label)}** by walking "
        r"downhill on the loss $L(w) = \tfrac{1}{N}\lVert y - Xw \rVert^2$, one step $w \leftarrow w - \eta\nabla L$ "
        r"at a time, with $\nabla L = \tfrac{2}{N}X^\top(Xw - y)$. Step through the run below, or press ▶ Play "
        "to watch it."
    )
    ridge = session.gd_settings().ridge
    if ridge > 0:
        st.markdown(
            rf"With the ridge penalty λ = {fmt(ridge)} the loss is $L(w) = \tfrac{{1}}{{N}}\lVert y - Xw \rVert^2 + "
            r"\lambda\lVert b \rVert^2$ (b: the slopes, the intercept is not penalized) and the gradient gains "
            r"$2\lambda b$: $\nabla L = \tfrac{2}{N}X^\top(Xw - y) + 2\lambda b$. Descent then stops at the ridge "
            "solution, not at least squares (the grey dashed line)."
        )

    try:
        design = cache.design()
        g = descent_cache.gd()
        cache.ols()  # the closed form the figure compares against: its errors stop the page here
    except LinregError as err:
        _settings(None)
        show_error("Gradient descent cannot run:", err)
        return
    _settings((g.max_stable_learning_rate, g.optimal_learning_rate))

    rates = (g.learning_rate, g.optimal_learning_rate, g.max_stable_learning_rate)
    text, = charts.chart(("learning_rate",) + rates + (g.momentum,),
                         lambda: plots.learning_rate_figure(*rates, momentum=g.momentum),
                         key="gd_rate_chart", config={"displayModeBar": False})
    st.caption(text)
    _status(g)

    st.subheader("Step through the iterations")
    feature, i, j = _view_options(design)
    # The stepper, above the slider that can move it. Its container must keep its place from run to run,
    # or the browser mounts the stepper anew (losing its state mid-step) when the settle's rerun is
    # painted half-way: hence every cached call's placeholder (ui.jobs.placeholder), and the key.
    box = st.container(key="gd_stepper_box")
    k = _scrubber(g.n_iter)
    view = (feature, i, j)
    k0 = _opening_iteration(charts.fingerprint() + view, k)
    payload = charts.descent_history(k0, feature=feature, i=i, j=j, rows=ROWS_SHOWN)
    with box:
        descent_stepper(payload, key=STEPPER, on_step=_stepped)
        _stepper_notes(g, payload, feature)
        st.caption("Left: the model at step k (orange) against the data and the least-squares fit (grey dashes). "
                   "Right: the loss over two coefficients, the path so far and the downhill direction −∇L (red "
                   "arrow, its length in proportion to the gradient's size, the run's steepest at a quarter of the "
                   "view). Bottom: the loss at every step on a log scale, with the minimum (green). Step with the "
                   "buttons, the slider or the keyboard (← → step, Home / End jump, Space plays).")
        st.markdown("In symbols, every step is")
        penalty = r" + 2\lambda b" if g.ridge > 0 else ""
        latex(rf"\nabla L = \tfrac{{2}}{{N}} X^\top(\hat y - y){penalty}, \qquad "
              + (r"v_{k+1} = \mu v_k - \eta\nabla L, \quad w_{k+1} = w_k + v_{k+1}" if g.momentum > 0
                 else r"w_{k+1} = w_k - \eta\nabla L"))
        if g.standardize:
            st.caption("The run works on standardized columns (x − mean)/sd, so the arithmetic's x and w are in "
                       "standardized units; the chart's lines and the Compare page convert them back to the "
                       "original units.")
    download_gd_trace(g, key="dl_gd_trace")


_page()
