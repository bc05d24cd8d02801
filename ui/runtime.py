"""What the app asks of Streamlit's runtime and of the C library about sessions and memory: who is
this, is a visitor still there, and handing back what closed sessions held.

Streamlit keeps a session whose browser went away for ``server.disconnectedSessionTTL`` seconds,
in case it reconnects. Its store drops an expired session only at its next write, and never shuts
it down, so the session's state and its uploaded files stay in memory until another visitor
happens to disconnect. :func:`reap_expired_sessions` ends them on time and empties their state.
It reaches into the runtime's session storage; if Streamlit moves it, it does nothing, and
``tests/load/test_large_uploads.py`` (memory back within a minute) fails.
"""

from __future__ import annotations

import ctypes

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

__all__ = ["session_id", "session_alive", "reap_expired_sessions", "release_upload", "trim_heap"]

try:
    _LIBC = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc (macOS, musl): the allocator's defaults stay
    _LIBC = None

if _LIBC is not None:
    # glibc serves a large block from its own mapping, returned to the system when freed, until
    # a freed block moves the threshold up (to 32 MB); from then on a fit's arrays of a few MB
    # come from the heap, and the heap keeps what they leave. Fixing the threshold keeps every
    # array of 256 kB or more in a mapping of its own, so a closed session's memory goes back.
    _M_MMAP_THRESHOLD = -3
    _LIBC.mallopt(_M_MMAP_THRESHOLD, 256 * 1024)


def session_id() -> str:
    """The id of the session this script run serves ("" outside a Streamlit run)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else ""


def session_alive(sid: str) -> bool:
    """Whether session ``sid`` still has a browser connected (always True without a Streamlit server)."""
    if not st.runtime.exists():
        return True
    return st.runtime.get_instance().is_active_session(sid)


def reap_expired_sessions() -> int:
    """Shut down the disconnected sessions whose time to reconnect has passed; return how many."""
    if not st.runtime.exists():
        return 0
    storage = getattr(getattr(st.runtime.get_instance(), "_session_mgr", None), "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    expire = getattr(cache, "expire", None)
    if expire is None:
        return 0
    expired = expire()
    for _, info in expired:
        session = info.session
        session.shutdown()
        # Streamlit's event loop may hold the last session it served until something else
        # happens; emptying its state and fragments frees the data even so.
        for holder in ("_session_state", "_fragment_storage"):
            clear = getattr(getattr(session, holder, None), "clear", None)
            if clear is not None:
                clear()
    return len(expired)


def trim_heap() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``), after a sweep."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def release_upload(uploaded) -> None:
    """Let Streamlit forget an uploaded file's bytes once the app has read it.

    Streamlit keeps every upload's bytes for the whole session, beside the DataFrame the app
    made of them: a 40 MB file twice over. Once the file is read (or refused), the bytes are
    not needed. The uploader then gives None on later runs, which the Data page reads as
    "nothing new".
    """
    file_id = getattr(uploaded, "file_id", None)
    if file_id and st.runtime.exists():
        st.runtime.get_instance().uploaded_file_mgr.remove_file(session_id(), file_id)
