"""AppTest fixtures: a fresh cache for every test, and the app's paths."""

from pathlib import Path

import pytest
import streamlit as st

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _clear_cache():
    # st.cache_data lives for the whole process; one test's results must not leak into the next.
    st.cache_data.clear()
    yield
    st.cache_data.clear()
