"""The app side of linreg: what the Streamlit pages share, one concept per module.

- :mod:`ui.settings` (pure): the settings types and the one table of every setting's default,
  range, help text and link name;
- :mod:`ui.share` (pure): the state (its ``linreg.sources.DataSource`` and settings) as URL
  query parameters and back, driven by that table;
- :mod:`ui.text` (pure): escaping user text for Streamlit's Markdown;
- :mod:`ui.session`: the plain ``lr_*`` session keys and their typed accessors, and the default data;
- :mod:`ui.links`: restoring the state from the URL and keeping the URL in step;
- :mod:`ui.cache`: the shared result store, and the designs, fits and fit diagnostics in it;
  :mod:`ui.descent_cache`, :mod:`ui.penalty_cache`, :mod:`ui.complexity_cache` and
  :mod:`ui.lesson_cache`: the other ``st.cache_*`` and stored wrappers over linreg, by concept;
- :mod:`ui.fit_rows` (pure): the rows and weights of a weighted fit;
- :mod:`ui.charts`: drawing figures, each built and encoded once;
- :mod:`ui.widgets`: the controls written once (GD settings, seeds, errors);
- :mod:`ui.legacy`: the one workaround for Streamlit's old ``pages/`` mode;
- :mod:`ui.complexity`, :mod:`ui.fit_panels`, :mod:`ui.dataset_tabs` and :mod:`ui.lessons`: page sections
  too long for their page.

Importing this package imports nothing: the pure modules stay usable without streamlit.
"""
