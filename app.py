"""Linear regression, learned and done: the Streamlit entry point.

Run with ``streamlit run app.py``. This file sets up the page, the session state and
the navigation, and draws the shared sidebar summary; each page lives in ``pages/``,
and what the pages share lives in ``ui/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from ui import prefetch

# First, so that the browser loads the charts' code while the imports below run (see ui.prefetch).
prefetch.send()

from linreg.exceptions import LinregError
from ui import cache, large, links, session
from ui.components.share_link import share_link
from ui.text import md_code, md_escape
from ui.widgets import markdown

# (file, title, icon). A page's URL is its file's name: on a freshly started server, Streamlit
# answers the first request in its old pages/ mode, which knows pages only by file name, before
# ui.legacy.through_app hands the session to this file; any other URL would show "Page not found" first.
PAGES = [
    ("pages/data.py", "Data", "📂"),
    ("pages/fit.py", "Fit", "📈"),
    ("pages/residuals.py", "Residuals", "🔍"),
    ("pages/descent.py", "Gradient descent", "⛰️"),
    ("pages/compare.py", "Compare", "⚖️"),
    ("pages/regularization.py", "Regularization", "🪢"),
    ("pages/learn.py", "Learn", "🎓"),
]
URLS = [Path(path).stem for path, *_ in PAGES]


def _row_count(df) -> str:
    """The data's rows; for a registered dataset every row (its footers), not the first rows held for a look."""
    if not session.is_large():
        return f"{len(df):,} rows"
    try:
        rows = large.facts(session.source().name).rows
    except LinregError:
        return f"{len(df):,} rows shown (the first of a large dataset)"
    return f"{rows:,} rows (read a partition at a time; plots draw a sample)"


def _sidebar_summary() -> None:
    """The current dataset and model, on every page."""
    with st.sidebar:
        st.markdown("**Current data and model**")
        df, label = session.current_data()
        spec = session.current_spec()
        st.markdown(f"{md_escape(label)}  \n{_row_count(df)} × {df.shape[1]} columns")
        st.markdown(f"Target: {md_code(spec.target)}")
        try:
            terms = cache.design().terms
        except LinregError as err:
            markdown("The model cannot be built yet: {err}", element=st.caption, err=err)
            return
        shown = ", ".join(md_code(t) for t in terms[:12])
        more = f" and {len(terms) - 12} more" if len(terms) > 12 else ""
        intercept = "intercept + " if spec.intercept else "no intercept; "
        st.markdown(f"Terms: {intercept}{shown}{more}")


def _share_link(url_path: str) -> None:
    """Keep the URL in step with the state, and offer it for copying."""
    query = links.sync()
    with st.sidebar:
        st.divider()
        st.markdown("**Share this view**")
        base = (st.context.url or "").split("?")[0].rstrip("/")
        # The URL the session opened with may be a page's; the link names the page on show now.
        for url in URLS:
            if base.endswith("/" + url):
                base = base[: -len(url) - 1]
        link = f"{base}/{url_path}" if url_path else f"{base}/"
        share_link(f"{link}?{urlencode(query)}" if query else link)
        if session.data_is_shareable():
            st.caption("Copy this link: it opens the same data, model and settings.")
        else:
            st.caption("Uploaded data cannot travel in a link, so this one opens the app's default data. "
                       "Share the CSV too, or export the results from the Fit page.")


st.set_page_config(page_title="Linear regression", page_icon="📈", layout="wide")
session.init()

pages = [st.Page(path, title=title, icon=icon, url_path=url, default=(i == 0))
         for i, ((path, title, icon), url) in enumerate(zip(PAGES, URLS))]
nav = st.navigation(pages)
if session.link_error():
    # The message quotes the link's values: they are a stranger's text.
    st.warning(md_escape(session.link_error()))
nav.run()
_sidebar_summary()
_share_link(nav.url_path)
