"""AppTest fixtures: a fresh cache for every test, and the app's paths."""

from pathlib import Path

import pytest
import streamlit as st

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Streamlit's caches live for the whole process; one test's results must not leak into the next.
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()

