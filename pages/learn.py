"""Learn page: ten short, interactive lessons on linear regression, each with live numbers.

This page only picks the lesson; each lesson is its own module in ``ui/lessons/``. The lesson
on show lives in the session (carried by links), so a page switch or a shared link returns to it.
"""

from __future__ import annotations

import streamlit as st

from linreg.exceptions import LinregError
from ui import large_pages, session
from ui.legacy import through_app
from ui.lessons import LESSONS
from ui.settings import FIELDS
from ui.widgets import seed, show_error

through_app()
large_pages.guard("learn")  # a registered dataset read out of core: its own version of the page

st.title("🎓 Learn")
st.markdown("Ten short lessons, each with live numbers: predict what will happen, then reveal it.")
seed("learn_lesson", session.lesson() if session.lesson() in LESSONS else 1)
n = st.selectbox(FIELDS["view"]["lesson"].label, list(LESSONS), key="learn_lesson",
                 format_func=lambda k: f"{k}. {LESSONS[k].TITLE}")
session.set_lesson(n)
st.header(f"{n}. {LESSONS[n].TITLE}")
try:
    LESSONS[n].show()
except LinregError as err:
    show_error("This lesson cannot run:", err)
