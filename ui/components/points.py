"""Lesson 1's points and lines, moved in the browser.

``line_dragger`` mounts ``points_drag.js`` (an ``st.components.v2`` component, after the shared
``lesson_plot.js``) with the payload of ``linreg.plots.lessons.line_drag_view``. The user's line
(two sliders), dragged, added and removed points, the least-squares line, its R², and the
selected point's leverage and Cook's distance all move in the browser, with no rerun; the
settled state (the line, the points, whether the least-squares line is shown) comes back as the
component's state ``settled`` about 400 ms after the user lets go: one rerun.

The figure is SVG drawn by the component itself, so it needs no plotly chart on the page.
"""

from __future__ import annotations

from ._inline import lesson_component

__all__ = ["line_dragger"]

#: ``line_dragger(payload, *, key, on_settle)``: the settled state is a dict with ``name``, ``line``,
#: ``x``, ``y`` and ``shown`` (check it with ``linreg.lessons.moved_points`` and ``checked_line``).
line_dragger = lesson_component("linreg_line_dragger", "points_drag.js")
