"""The sidebar's share link: the URL as text, with a Copy button.

Not ``st.code``: on a first visit it makes the browser load Streamlit's code highlighter (1.6 MB
of script) for this one line, about a second of a cold first paint on a 2-core machine. The URL
quotes a stranger's link values, so the script sets it as text (``textContent``), never as markup.
"""

from __future__ import annotations

from ._inline import inline_component

__all__ = ["share_link"]

_mount = inline_component("linreg_share_link", "share_link")


def share_link(url: str, *, key: str = "share_link") -> None:
    """Draw ``url`` and a button that copies it to the clipboard."""
    _mount(key=key, data={"url": url})
