"""Figure builders for the app: plotly figures plus one-line text summaries, no streamlit.

Each page has its module (``fit``, ``residuals``, ``descent`` with the GD page's animated
figure in ``animation``, ``penalized``, ``lessons``); ``_common`` holds the shared sampling,
layout and hover helpers.
"""
