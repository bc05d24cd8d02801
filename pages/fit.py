"""Fit page (being written)."""

import streamlit as st

st.title("Fit")
st.info("This page is being written.")
