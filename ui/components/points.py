"""Lesson 1's points and lines, moved in the browser.

``line_dragger`` mounts ``points_drag.js`` (an ``st.components.v2`` component, after the shared
``lesson_plot.js``) with the payload of
``linreg.plots.lessons.line_drag_view``. The user's line (two sliders), dragged, added and removed
points, the least-squares line, its R², and the selected point's leverage and Cook's distance all
move in the browser, with no rerun; the settled state (the line, the points, whether the
least-squares line is shown) comes back as the component's state ``settled`` about 400 ms after
the user lets go: one rerun.

The figure is SVG drawn by the component itself, so it needs no plotly chart on the page.
"""

from __future__ import annotations

from ._inline import lesson_component

__all__ = ["line_dragger"]

_mount = lesson_component("linreg_line_dragger", "points_drag.js")


def line_dragger(payload: dict, *, key: str, on_settle) -> dict | None:
    """Mount the lesson-1 component on ``payload``; return the state it last settled on (None before).

    ``on_settle`` is called (before the rerun's script) when the browser settles; read the state from
    ``st.session_state[key]["settled"]``: a dict with ``name``, ``line``, ``x``, ``y`` and ``shown``,
    which comes from the browser and must be checked (``linreg.lessons.moved_points``).
    """
    state = _mount(key=key, data=payload, default={"settled": None}, on_settled_change=on_settle)
    return state.get("settled") if state else None
