"""Figure builders for the app: plotly figures plus one-line text summaries, no streamlit.

Each page has its module (``fit``, ``residuals``, ``descent``); ``_common`` holds the
shared sampling, layout and hover helpers.
"""
