"""What the lessons share: the lesson dataset, the user's line, predict-then-reveal, and the way out."""

from __future__ import annotations

from functools import partial

import streamlit as st

from linreg import lessons
from linreg.exceptions import LinregError

from .. import lesson_cache, session
from ..widgets import seed

DEFAULT_DATASET = "anscombe_1"


def dataset_picker(lesson: int) -> lessons.LessonData:
    """The lesson dataset, shared by the lessons that draw one line (kept in the session)."""
    key = f"learn_ds_{lesson}"
    seed(key, session.lesson_dataset(DEFAULT_DATASET))
    name = st.selectbox("Dataset", list(lessons.LESSON_DATA), key=key, format_func=lessons.LESSON_DATA.get,
                        help="The same dataset is used by lessons 1, 2, 3, 5 and 6.")
    session.set_lesson_dataset(name)
    return lesson_cache.data(name)


def line_start(d: lessons.LessonData) -> tuple[float, float]:
    """The user's line as lessons 1-3 last left it, inside the sliders' ranges (first: flat at the mean of y)."""
    (lo0, hi0, _), (lo1, hi1, _) = lessons.line_ranges(d.x, d.y)
    start = session.lesson_line(d.name) or lessons.starting_line(d)
    return float(f"{min(max(start[0], lo0), hi0):.10g}"), float(f"{min(max(start[1], lo1), hi1):.10g}")


def set_line(name: str, line: tuple[float, float]) -> None:
    """Make ``line`` the user's line on dataset ``name``, for lessons 1-3 (from a component's callback)."""
    session.set_lesson_line(name, line)


def take_settled(key: str, error: str, keep) -> None:
    """A lesson component settled: hand its state to ``keep(data, state)``, or keep why it was refused.

    ``key`` is the component's key; ``error`` the session key where a refusal (a ``LinregError``
    from ``keep``'s checks) waits for the next run to say it (:func:`warn_refused`).
    """
    state = (st.session_state.get(key) or {}).get("settled")
    if not isinstance(state, dict) or state.get("name") not in lessons.LESSON_DATA:
        return  # not a state these components send
    try:
        keep(lesson_cache.data(state["name"]), state)
    except LinregError as err:
        st.session_state[error] = str(err)
        return
    st.session_state.pop(error, None)


def mount(component, payload: dict, *, key: str, error: str, keep) -> None:
    """Draw a lesson's browser ``component`` on ``payload``; the state it settles on goes to ``keep``.

    The component calls :func:`take_settled` with ``key``, ``error`` and ``keep`` when the browser settles.
    """
    component(payload, key=key, on_settle=partial(take_settled, key, error, keep))


def warn_refused(error: str) -> None:
    """Say why the browser's last change was not kept, if it was not (see :func:`take_settled`)."""
    if st.session_state.get(error):
        st.warning(f"The last change in the plot was not kept: {st.session_state[error]}.")


def shown(lesson: int) -> bool:
    """Whether the answer of ``lesson``'s question has been revealed (and a guess is still chosen)."""
    return bool(st.session_state.get(f"learn_shown_{lesson}")) and st.session_state.get(f"learn_guess_{lesson}") is not None


def reveal(lesson: int, question: str, options: list[str], answer: str, explanation: str) -> None:
    """A predict-then-reveal question: the reader picks an answer, then presses Reveal."""
    with st.container(border=True):
        st.markdown("**Predict, then reveal**")
        guess = st.radio(question, options, index=None, key=f"learn_guess_{lesson}")
        if st.button("Reveal", key=f"learn_reveal_{lesson}", disabled=guess is None,
                     help=None if guess is not None else "Pick an answer first."):
            st.session_state[f"learn_shown_{lesson}"] = True
        if st.session_state.get(f"learn_shown_{lesson}") and guess is not None:
            if guess == answer:
                st.success(f"Right: {answer}. {explanation}")
            else:
                st.info(f"The answer is: {answer}. {explanation}")


@st.fragment
def question(lesson: int, question: str, options: list[str], answer: str, explanation: str, *,
             revealed=None, before: str | None = None) -> None:
    """:func:`reveal` and what its answer uncovers, as a fragment: a guess or Reveal reruns only this part.

    ``revealed()`` draws what the answer uncovers, below the question once it is shown; until then
    ``before``, if given, says what to do. Nothing here is in the share link, so the rest of the
    page (and the link) has nothing to follow.
    """
    reveal(lesson, question, options, answer, explanation)
    if shown(lesson):
        if revealed is not None:
            revealed()
    elif before:
        st.caption(before)


def try_it(page: str, label: str, icon: str) -> None:
    """The link from a lesson to the page where the same thing runs on the user's data."""
    st.page_link(page, label=f"Try it on your own data: {label}", icon=icon)
