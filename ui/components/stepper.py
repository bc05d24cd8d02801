"""The gradient-descent stepper: a run's history stepped through in the browser.

``descent_stepper`` mounts ``descent_stepper.js`` (an ``st.components.v2`` component) with the
payload of ``linreg.plots.animation.DescentAnimation.history``. First / Back / Next / Last, the
scrubber, the keyboard and Play redraw the figure and the step's arithmetic in the browser; only
the iteration the user settles on comes back, as the component's state ``k``, about 300 ms
after the last step (one rerun, in which the payload goes as a hash reference).

The figure is drawn with the plotly.js that Streamlit's own chart module puts on ``window``: the
page must draw an ``st.plotly_chart`` before the stepper (the GD page's learning-rate ruler).
"""

from __future__ import annotations

from ._inline import inline_component

__all__ = ["descent_stepper"]

_mount = inline_component("linreg_descent_stepper", "descent_stepper")


def descent_stepper(payload: dict, *, key: str, on_step) -> int:
    """Mount the stepper on ``payload`` (``DescentAnimation.history`` plus a ``run`` id); return its iteration.

    ``on_step`` is called (before the rerun's script) when the browser settles on an iteration;
    read it from ``st.session_state[key]["k"]``. Keep ``payload`` unchanged while the user steps:
    a new payload (another ``run`` or ``k0``) redraws the stepper at its ``k0``.
    """
    state = _mount(key=key, data=payload, default={"k": int(payload["k0"])}, on_k_change=on_step)
    return int(state["k"]) if state and state.get("k") is not None else int(payload["k0"])
