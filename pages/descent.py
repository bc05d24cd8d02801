"""Gradient descent page: watch GD walk downhill, step by step, on the current data.

The settings live in the session (``ui.session``) so they survive a page switch; the
scrubber only picks which stored iteration to show, so moving it never reruns the descent.
The Play button inside the chart animates plotly frames in the browser.
"""

from __future__ import annotations

import streamlit as st

from linreg import export
from linreg.exceptions import LinregError
from linreg.format import fmt
from linreg.plots import descent as plots
from ui import cache, charts, session
from ui import large
from ui.legacy import through_app
from ui.settings import FIELDS
from ui.text import md_code, md_escape
from ui.widgets import escaped, gd_settings_controls, in_range, latex, seed, show_error

through_app()
large.guard("descent")  # a registered dataset read out of core: its own version of the page

K = "gd_k"  # the scrubber (a widget key: the iteration on show is also kept in the session)
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
    if K not in st.session_state and session.iteration() > n_iter:
        st.warning(f"Iteration k = {session.iteration():,} is past this run's last iteration, {n_iter:,}: the "
                   "scrubber starts there instead.")
    # The iteration on show lives in the app state too, so a page switch or a shared link comes back to it.
    seed(K, min(session.iteration(), n_iter))
    c = st.columns([1, 1, 1, 1, 3])
    for column, (label, key, delta, tip) in zip(c, (
            ("« First", "gd_first", -n_iter, "Iteration 0"), ("‹ Back", "gd_back", -1, "One step back"),
            ("Next ›", "gd_forward", 1, "One step forward"), ("Last »", "gd_last", None, f"Iteration {n_iter}"))):
        column.button(label, key=key, on_click=_move, args=(delta, n_iter), help=tip, width="stretch")
    k = int(st.slider(FIELDS["view"]["iteration"].label, 0, n_iter, key=K,
                      help="Scrub through the stored iterations; this never reruns the descent."))
    session.set_iteration(k)
    return k


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


def _arithmetic(g, k: int) -> None:
    st.subheader(f"The arithmetic of step {k} → {k + 1}")
    view = cache.step_view(k, ROWS_SHOWN)
    st.markdown(
        f"Each step predicts every row with the current coefficients w_{k}, measures how wrong each prediction "
        f"is, averages those errors into the gradient ∇L over all N = {len(g.y):,} rows, and steps against it. "
        f"The first {len(view.table)} rows:"
    )
    st.dataframe(view.table, hide_index=True)
    escaped(view.summary)
    for line in view.latex:
        latex(line)
    if g.standardize:
        st.caption("The run works on standardized columns (x − mean)/sd, so these x and w are in standardized "
                   "units; the chart's lines and the Compare page convert them back to the original units.")
    if g.batch_size is not None:
        st.caption(f"This run used mini-batches of {g.batch_size} rows: its actual step used the gradient of one "
                   f"batch, not the full-data gradient shown here, so the stored w_{k + 1} differs from this update.")
    elif k < g.n_iter:
        st.caption(f"The run's stored next iterate w_{k + 1} = ("
                   + ", ".join(fmt(v) for v in g.history.coef[k + 1]) + ") is this update.")
    else:
        st.caption(f"Iteration {k} is the last one the run kept, so this step was never taken"
                   + (" (it would make things worse: the run diverged)." if g.diverged else "."))


def _page() -> None:
    st.title("⛰️ Gradient descent")
    df, label = session.current_data()
    st.markdown(
        f"Gradient descent fits {md_code(session.current_spec().target)} on **{md_escape(label)}** by walking "
        r"downhill on the loss $L(w) = \tfrac{1}{N}\lVert y - Xw \rVert^2$, one step $w \leftarrow w - \eta\nabla L$ "
        r"at a time, with $\nabla L = \tfrac{2}{N}X^\top(Xw - y)$. Step through the run below, or press ▶ Play "
        "under the chart to watch it in your browser."
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
        g = cache.gd()
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
    k = _scrubber(g.n_iter)
    feature, i, j = _view_options(design)
    # The animation is built once per run and view; a new k only makes the figure at k.
    charts.descent_figure(k, feature=feature, i=i, j=j, key="gd_chart")
    escaped(plots.descent_summary(g, k, i=i, j=j, terms=design.terms))
    for note in plots.figure_notes(g, feature=feature):
        escaped(note)
    st.caption("Left: the model at step k (orange) against the data and the least-squares fit (grey dashes). "
               "Right: the loss over two coefficients, the path so far and the downhill direction −∇L (red arrow, "
               "its length in proportion to the gradient's size, the run's steepest at a quarter of the view). "
               "Bottom: the loss at every step on a log scale, with the minimum (green).")
    _arithmetic(g, k)
    st.download_button("Download the whole run (CSV)", data=lambda: export.gd_trace_csv(g), file_name="gd_trace.csv",
                       mime="text/csv", key="dl_gd_trace",
                       help="iteration, loss, gradient norm and the coefficients (original units) at every step")


_page()
