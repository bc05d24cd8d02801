"""Streamlit custom components of the app: inline HTML, JS and CSS, no build step."""
