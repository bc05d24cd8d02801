"""Figure builders for the app: plotly figures plus one-line text summaries, no streamlit.

Each page has its module (``fit``, ``residuals``, ``descent`` with the GD page's animated
figure in ``animation``, ``penalized``, ``lessons``, and ``lesson_drag`` for the payloads of
lessons 2 and 3's browser components); every display table is in ``tables``.
Shared pieces: ``_common`` (sampling, layout, hover, names), ``_style`` (palette and the
point and frame budgets), ``_payload`` (what a figure sends: packed numbers, byte-budgeted
points) and ``_tex`` (LaTeX). The statistics the figures draw come from ``linreg.smooth``
and ``linreg.diagnostics``, the number formats from ``linreg.format``.
"""
