"""Lesson 1: Fit a line by eye, and move the data under it.

Everything the reader moves here (the two sliders of their line, the points dragged, added and
removed, the least-squares line revealed) moves in the browser (``ui.components.points``), with
no rerun; the state it settles on comes back once, checked by ``linreg.lessons``, so that lessons
2 and 3 start from the same line and the moved points survive a change of lesson.
"""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.plots import lessons as plots

from .. import session
from ..components.points import line_dragger
from . import common

TITLE = "Fit a line by eye"
KEY = "learn_drag"  # the component's state: what the browser settled on
SHOWN = "learn_shown_1"  # whether the least-squares line is revealed
ERROR = "learn_drag_error"  # why the browser's last state was not taken, for the next run to say


def _keep(d: lessons.LessonData, state: dict) -> None:
    """The browser settled: keep its line, points and reveal, once checked."""
    line = lessons.checked_line(d, state.get("line"))
    x, y = lessons.moved_points(d, state.get("x"), state.get("y"))
    common.set_line(d.name, line)
    same = x.shape == d.x.shape and (x == d.x).all() and (y == d.y).all()
    session.set_lesson_points(d.name, None if same else (x, y))
    st.session_state[SHOWN] = bool(state.get("shown"))


def show() -> None:
    st.markdown(
        "A straight line y = β₀ + β₁x predicts every point; the **residual** is how far the point lies above "
        "(+) or below (−) the line. Least squares judges a line by the **residual sum of squares**, "
        "RSS = Σ (yᵢ − β₀ − β₁xᵢ)²: drawn as squares, it is the total orange area. Move the sliders to make it "
        "as small as you can, then reveal the least-squares line and drag the points: watch how far one point "
        "can pull the line, by its **leverage** (how far its x lies from the others') and its **Cook's "
        "distance** (how much the line moves when it is left out)."
    )
    d = common.dataset_picker(1)
    equal = st.checkbox("Equal scales on both axes (true squares)", value=d.name == "anscombe_1",
                        key=f"learn_equal_{d.name}",
                        help="With equal scales each square's area is exactly the squared residual. "
                        "Otherwise the squares are stretched sideways by one common factor so they still look "
                        "square: their areas stay proportional to the squared residuals.")
    if not equal:
        st.caption("The axes have different scales, so the squares are drawn wider or narrower than their "
                   "height by the same factor for every point: compare their sizes with each other, not with "
                   "the axis units.")
    common.warn_refused(ERROR)
    payload = plots.line_drag_view(d, common.line_start(d), points=session.lesson_points(d.name),
                                   shown=bool(st.session_state.get(SHOWN, False)), equal_aspect=equal)
    common.mount(line_dragger, payload, key=KEY, error=ERROR, keep=_keep)
    common.try_it("pages/fit.py", "the Fit page draws the least-squares line of any data", "📈")
