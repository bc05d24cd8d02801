"""The one workaround for Streamlit's old ``pages/`` mode, shared by the app, its tests and the benchmark.

With a folder literally named ``pages/`` beside app.py (the project keeps that name), Streamlit
starts in its old multipage mode: until some run has called ``st.navigation`` it serves a deep
link (``/fit`` on a server that has just started, e.g. a shared link waking a hosted demo) by
running the page file alone. Streamlit keeps the switch on a private class,
``PagesManager.uses_pages_directory``; ``tests/app/test_legacy.py`` fails if that changes.
"""

from __future__ import annotations

__all__ = ["FLAG", "through_app", "serve_as_started"]

FLAG = "uses_pages_directory"


def through_app() -> None:
    """Make sure app.py (navigation, sidebar, shareable link) runs around the page being shown.

    Every page calls this first. If Streamlit is in its old mode, this turns it off, as
    ``st.navigation`` does, and reruns, so the same URL goes through app.py. If the flag ever
    moves, this only fills in the state, and the page still runs (without the sidebar).
    """
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    from . import session

    if getattr(PagesManager, FLAG, False):
        setattr(PagesManager, FLAG, False)
        st.rerun()
    session.init()


def serve_as_started() -> None:
    """Make every later AppTest run behave like a served app that has started: old mode off.

    AppTest makes a new ``PagesManager`` before every run, which turns the old mode back on;
    each page would then run alone first and hand over to app.py with ``st.rerun``, which
    drops a button's click. A served app turns the mode off once, for good; so does this.
    Returns an undo function.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        setattr(PagesManager, FLAG, False)

    PagesManager.__init__ = init
    return lambda: setattr(PagesManager, "__init__", original)
