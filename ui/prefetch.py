"""Start loading the browser code of the pages' charts and tables while the server is still importing.

Streamlit's frontend fetches and runs the code of an element only when the first such element
arrives: plotly.js alone is 4.7 MB, about a second of the browser's time on our machines. On a
cold visit the first chart arrives after the server has imported numpy, pandas and scipy, so
that second would come on top. :func:`send` is the first thing a session's first run draws,
before app.py imports the rest: a script that imports those chunks in the browser, so the
browser loads them while the server imports. React later imports the same URLs and finds them
loaded.

The chunks' file names carry a hash that changes with Streamlit's version; they are found in
the installed Streamlit's static folder (``tests/test_startup.py`` fails if they no longer are,
and without them nothing is sent and the page only loads as it would have). This module
imports nothing but streamlit, so that calling it costs nothing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

__all__ = ["CHUNKS", "chunk_files", "send"]

# The element code the pages draw first: plotly charts, and st.dataframe (the Data page's preview).
CHUNKS = ("PlotlyChart", "DataFrame")
_SENT = "prefetch_sent"  # session key: sent in this session's first run already
_STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"


@cache
def chunk_files() -> tuple[str, ...]:
    """The file names of :data:`CHUNKS` in the installed Streamlit (those found exactly once)."""
    found = []
    for name in CHUNKS:
        files = sorted(_STATIC_JS.glob(f"{name}.*.js"))
        if len(files) == 1:
            found.append(files[0].name)
    return tuple(found)


def _script(files: tuple[str, ...]) -> str:
    # The URLs are resolved as Streamlit's own chunk imports are (./static/js/ under the app's
    # base), so the browser's module map holds one copy. The style hides the element's own
    # container, whose gap would otherwise push the page down while it is there.
    return (
        "<style>[data-testid=stElementContainer]:has(script[data-prefetch]) {display: none}</style>"
        "<script data-prefetch>"
        f"for (const f of {json.dumps(list(files))}) "
        "import(new URL('./static/js/' + f, document.baseURI).href).catch(() => {});"
        "</script>"
    )


def send() -> None:
    """In a session's first run, make the browser start loading the charts' and tables' code.

    Later runs put an empty element in its place, so that what follows keeps its place on the page
    (see ``ui.jobs.placeholder``).
    """
    files = chunk_files()
    if st.session_state.get(_SENT) or not files:
        st.empty()
        return
    st.session_state[_SENT] = True
    st.html(_script(files), unsafe_allow_javascript=True)
