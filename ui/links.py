"""Shareable links: the session starts from the URL it opened with, and the URL follows the state.

The encoding is ``ui.share`` (pure); this module reads and writes ``st.query_params``.
"""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from linreg.design import build_design
from linreg.exceptions import LinregError

from . import session
from .config import CONFIG
from .share import Shared, decode, encode, left_out


def restore() -> None:
    """Start the session from the URL: its data (the default data if it names none) and its settings.

    A link that cannot be followed leaves the defaults in place and says why, and one followed
    with parameters left out names them (``session.link_error``).
    """
    query = st.query_params.to_dict()
    session.set_link_error(None)
    try:
        shared = decode(query) or Shared(None)
        source = shared.source or session.DEFAULT_SOURCE
        df, label, spec, truth = source.load()
        if shared.spec is not None:
            # A spec naming missing columns, or too large for the server, is refused here, not on every page.
            build_design(df, shared.spec, limits=CONFIG.limits)
            spec = shared.spec
        session.set_link_error(left_out(query))
    except LinregError as err:
        session.set_link_error(f"This link could not be followed, so the app opened with its default data: {err}")
        shared = Shared(None)
        source = session.DEFAULT_SOURCE
        df, label, spec, truth = source.load()
    session.start(shared, df, label, spec, truth, source)


def link_query() -> dict[str, str]:
    """The query parameters that describe the current state."""
    shared = Shared(session.source(), session.current_spec(), asdict(session.fit_settings()),
                    asdict(session.gd_settings()), session.iteration(), reg=asdict(session.reg_settings()),
                    reg_lambda=session.reg_lambda(), lesson=session.lesson())
    return encode(shared)


def sync() -> dict[str, str]:
    """Write the current state into the URL (only when it changed, so the browser history stays calm)."""
    query = link_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return query
