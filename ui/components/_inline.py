"""The browser components, declared from their scripts and styles next to this file.

:func:`inline_component` declares one from its own ``.js`` and ``.css``; the lessons' are each
built from the shared ``lesson_plot.js`` and their own script (:func:`lesson_component`).

A v2 component takes its script inline, as one ES module: the shared file (DOM and SVG helpers,
the plot panel, the line sliders, the settling of a state) goes first, so each component's own
script uses its declarations without copying them. All of them share ``lesson_plot.css``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent


def _read(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def inline_component(name: str, stem: str):
    """The v2 component ``name`` running ``stem.js`` with ``stem.css`` (files next to this one).

    Styles are not isolated: Streamlit's theme variables and fonts, and plotly's hover and
    modebar styles in the page's head, reach the component only without a shadow root.
    """
    return st.components.v2.component(name, js=_read(stem + ".js"), css=_read(stem + ".css"), isolate_styles=False)


def lesson_component(name: str, script: str):
    """The v2 component ``name`` running ``lesson_plot.js`` then ``script`` (a file next to this one).

    Returns ``mount(payload, *, key, on_settle) -> dict | None``: it draws the component on
    ``payload`` and returns the state the browser last settled on (None before). ``on_settle`` is
    called (before the rerun's script) when the browser settles; the state is then in
    ``st.session_state[key]["settled"]``. It comes from the browser and must be checked.
    """
    component = st.components.v2.component(
        name,
        js=_read("lesson_plot.js") + "\n" + _read(script),
        css=_read("lesson_plot.css"),
        # Streamlit's theme variables and fonts reach the component without a shadow root.
        isolate_styles=False,
    )

    def mount(payload: dict, *, key: str, on_settle) -> dict | None:
        state = component(key=key, data=payload, default={"settled": None}, on_settled_change=on_settle)
        return state.get("settled") if state else None

    return mount
