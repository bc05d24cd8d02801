"""The Data page's tabs that choose the dataset: built-in, generated with known truth, uploaded, registered.

Each tab puts its dataset in the session (``ui.session``) and then calls ``on_loaded()``, with
which the page drops its model widgets so that they are seeded from the new dataset's model.
The "Large dataset" tab, there when the operator registered datasets, is ``ui.large_pages``'s.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from linreg import datasets, synthetic
from linreg.data import load_csv
from linreg.design import default_spec_with_notes
from linreg.exceptions import LinregError
from linreg.sources import DataSource, builtin_source, synthetic_source

from . import large, large_pages, session
from .runtime import release_upload
from .settings import Field
from .text import md_escape
from .widgets import escaped, field_input, markdown, seed, seed_input, show_error

__all__ = ["MAX_UPLOAD_COLS", "MAX_UPLOAD_ROWS", "show"]

MAX_UPLOAD_ROWS = 2_000_000
MAX_UPLOAD_COLS = 500
# Rows of a generator without its own "n" knob.
ROWS = Field(100, 5, 1_000_000, help="Number of rows to generate", label="rows (n)", step=10)


def show(on_loaded: Callable[[], None]) -> None:
    """The tabs, one per kind of dataset; ``on_loaded()`` runs once a tab has made its dataset the data."""
    sources = {"Built-in dataset": _builtin_tab, "Generate synthetic data": _generate_tab, "Upload a CSV": _upload_tab}
    if large.registered():
        sources["Large dataset"] = large_pages.dataset_tab
    for tab, draw in zip(st.tabs(list(sources)), sources.values(), strict=True):
        with tab:
            draw(on_loaded)


def _builtin_tab(on_loaded: Callable[[], None]) -> None:
    names = list(datasets.DATASETS)
    _, label = session.current_data()
    # Show the loaded dataset if it is a built-in one, so the selector never contradicts the data below.
    current = [n for n in names if label == f"Built-in: {datasets.DATASETS[n].title}"]
    seed("builtin", current[0] if current else names[0])
    name = st.selectbox("Dataset", names, key="builtin", format_func=lambda n: datasets.DATASETS[n].title)
    info = datasets.DATASETS[name]
    escaped(info.description, element=st.markdown)
    markdown("Source: {source}", element=st.caption, source=info.source)
    if st.button("Load this dataset", key="load_builtin", type="primary"):
        try:
            session.use_source(builtin_source(name))
        except LinregError as err:
            show_error(f"Could not load {md_escape(info.title)}:", err)
            return
        on_loaded()
        st.success(f"Loaded {md_escape(info.title)}: {len(session.current_data()[0]):,} rows.")


def _generate_tab(on_loaded: Callable[[], None]) -> None:
    kinds = list(synthetic.GENERATORS)
    kind = st.selectbox("Generator", kinds, key="gen_kind", format_func=lambda k: k.replace("_", " ").capitalize())
    knobs = {name: Field(default, low, high, help=help_text, label=name.replace("_", " "))
             for name, (default, low, high, help_text) in synthetic.GENERATOR_PARAMS.get(kind, {}).items()}
    if "n" not in knobs:
        knobs = {"n": ROWS, **knobs}
    cols = st.columns(3)
    params: dict[str, object] = {}
    for i, (name, f) in enumerate(knobs.items()):
        key = f"gen::{kind}::{name}"
        seed(key, f.default)
        step = None if f.kind != "float" else (float(f.high) - float(f.low)) / 100
        params[name] = field_input(f, key, where=cols[i % 3], step=step)
    seed_value = seed_input("seed", "gen_seed", help="The same seed gives the same data")
    if st.button("Generate", key="generate", type="primary"):
        try:
            session.use_source(synthetic_source(kind, seed_value, **params))
        except LinregError as err:
            show_error("Could not generate the data:", err)
            return
        on_loaded()
        st.success(f"Generated {len(session.current_data()[0]):,} rows with seed {seed_value}.")


def _upload_tab(on_loaded: Callable[[], None]) -> None:
    uploaded = st.file_uploader("Upload a CSV file (comma, semicolon or tab separated; first line = column names)",
                                type=["csv", "tsv", "txt"], key="upload")
    if uploaded is not None:
        ident = (uploaded.name, uploaded.size, getattr(uploaded, "file_id", None))
        # Read each upload once: later reruns (a widget change below) must not reset the model.
        if session.upload_seen() != ident:
            session.set_upload_seen(ident)
            session.set_upload_error(None)
            try:
                source = DataSource("csv", uploaded.name)
                df = load_csv(uploaded.getvalue(), max_rows=MAX_UPLOAD_ROWS, max_cols=MAX_UPLOAD_COLS)
                notes = default_spec_with_notes(df)
            except LinregError as err:
                session.set_upload_error(f"{uploaded.name}: {err}")
            else:  # set_data also clears a previous upload error
                session.set_data(df, f"Upload: {uploaded.name}", notes.spec, source=source, excluded=notes.excluded)
                on_loaded()
            release_upload(uploaded)  # read once: its bytes are not needed again
    if session.upload_error():
        show_error("The upload was rejected, so the previous dataset and model are kept.", session.upload_error())
