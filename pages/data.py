"""Data page: choose a dataset (built-in, synthetic or uploaded), look at it, and set up the model.

Thin page: widgets -> linreg -> render. The dataset and the model spec live in plain
session keys owned by ``state``; the widgets here are seeded from them each time the
page is shown, and write the user's choices back.
"""

from __future__ import annotations

import itertools

import pandas as pd
import streamlit as st

import state
from linreg import datasets, synthetic
from linreg.data import load_csv
from linreg.design import ModelSpec
from linreg.exceptions import LinregError
from share import Recipe

state.through_app()

MAX_UPLOAD_ROWS = 2_000_000
MAX_UPLOAD_COLS = 500
PREVIEW_ROWS = 200

# Widget keys of the model section: dropped when the dataset changes, so they are
# re-seeded from the new dataset's spec instead of keeping the old dataset's columns.
MODEL_KEYS = ("target", "features", "categorical", "interactions", "standardize", "intercept", "explore_x")
POLY_PREFIX = "poly::"


def _reset_model_widgets() -> None:
    for key in list(st.session_state.keys()):
        if key in MODEL_KEYS or str(key).startswith(POLY_PREFIX):
            del st.session_state[key]


def _use(df: pd.DataFrame, label: str, spec: ModelSpec | None = None) -> None:
    state.set_data(df, label, spec)  # also clears a previous upload error
    _reset_model_widgets()


def _use_recipe(recipe: Recipe) -> None:
    state.use_recipe(recipe)
    _reset_model_widgets()


def _seed(key: str, value) -> None:
    """Give a widget its value from the app state when the page is (re)entered."""
    if key not in st.session_state:
        st.session_state[key] = value


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


def _builtin_tab() -> None:
    names = list(datasets.DATASETS)
    _, label = state.current_data()
    # Show the loaded dataset if it is a built-in one, so the selector never contradicts the data below.
    current = [n for n in names if label == f"Built-in: {datasets.DATASETS[n].title}"]
    _seed("builtin", current[0] if current else names[0])
    name = st.selectbox(
        "Dataset",
        names,
        key="builtin",
        format_func=lambda n: datasets.DATASETS[n].title,
    )
    info = datasets.DATASETS[name]
    st.markdown(state.md_escape(info.description))
    st.caption(f"Source: {state.md_escape(info.source)}")
    if st.button("Load this dataset", key="load_builtin", type="primary"):
        try:
            _use_recipe(Recipe("builtin", name))
        except LinregError as err:
            st.error(f"Could not load {info.title}: {state.md_escape(err)}")
            return
        st.success(f"Loaded {info.title}: {len(state.current_data()[0]):,} rows.")


def _knob(kind: str, param: str, spec: tuple) -> object:
    default, low, high, help_text = spec
    key = f"gen::{kind}::{param}"
    label = param.replace("_", " ")
    if isinstance(default, bool):
        return st.checkbox(label, value=default, key=key, help=help_text)
    if isinstance(default, int):
        return st.number_input(label, min_value=None if low is None else int(low),
                               max_value=None if high is None else int(high), value=int(default), step=1,
                               key=key, help=help_text)
    step = (float(high) - float(low)) / 100 if high is not None and low is not None else 0.1
    return st.number_input(label, min_value=None if low is None else float(low),
                           max_value=None if high is None else float(high), value=float(default),
                           step=step, format="%.4g", key=key, help=help_text)


def _generate_tab() -> None:
    kinds = list(synthetic.GENERATORS)
    kind = st.selectbox("Generator", kinds, key="gen_kind", format_func=lambda k: k.replace("_", " ").capitalize())
    params_spec = synthetic.GENERATOR_PARAMS.get(kind, {})
    cols = st.columns(3)
    params: dict[str, object] = {}
    knobs = list(params_spec.items())
    if "n" not in params_spec:
        with cols[0]:
            params["n"] = st.number_input("rows (n)", min_value=5, max_value=1_000_000, value=100, step=10,
                                          key=f"gen::{kind}::n", help="Number of rows to generate")
    for i, (param, spec) in enumerate(knobs, start=0 if "n" in params_spec else 1):
        with cols[i % 3]:
            params[param] = _knob(kind, param, spec)
    seed = st.number_input("seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="gen_seed",
                           help="The same seed gives the same data")
    if st.button("Generate", key="generate", type="primary"):
        recipe = Recipe("synthetic", kind, tuple(sorted({**params, "seed": int(seed)}.items())))
        try:
            _use_recipe(recipe)
        except LinregError as err:
            st.error(f"Could not generate the data: {state.md_escape(err)}")
            return
        st.success(f"Generated {len(state.current_data()[0]):,} rows with seed {int(seed)}.")


def _upload_tab() -> None:
    uploaded = st.file_uploader(
        "Upload a CSV file (comma, semicolon or tab separated; first line = column names)",
        type=["csv", "tsv", "txt"],
        key="upload",
    )
    if uploaded is None:
        state.set_upload_error(None)
    else:
        ident = (uploaded.name, uploaded.size, getattr(uploaded, "file_id", None))
        # Read each upload once: later reruns (a widget change below) must not reset the model.
        if state.upload_seen() != ident:
            state.set_upload_seen(ident)
            state.set_upload_error(None)
            try:
                df = load_csv(uploaded.getvalue(), max_rows=MAX_UPLOAD_ROWS, max_cols=MAX_UPLOAD_COLS)
                spec = state.default_spec(df)
            except LinregError as err:
                state.set_upload_error(f"{uploaded.name}: {err}")
            else:
                _use(df, f"Upload: {uploaded.name}", spec)
    if state.upload_error():
        st.error(
            f"The upload was rejected, so the previous dataset and model are kept. "
            f"{state.md_escape(state.upload_error())}"
        )


# ---------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------


def _data_section(df: pd.DataFrame, label: str) -> None:
    st.subheader("The data")
    st.markdown(f"**{state.md_escape(label)}**: {len(df):,} rows × {df.shape[1]} columns.")
    left, right = st.columns([3, 2])
    with left:
        st.caption(f"Preview (first {min(PREVIEW_ROWS, len(df)):,} rows)")
        st.dataframe(df.head(PREVIEW_ROWS), height=300)
    with right:
        st.caption("Columns: type and missing values")
        table, missing = state.column_summary()
        st.dataframe(table, hide_index=True)
    st.markdown(missing)


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


def _model_section(df: pd.DataFrame) -> ModelSpec:
    st.subheader("The model")
    spec = state.current_spec()
    columns = [str(c) for c in df.columns]
    text = set(state.text_columns(df))

    _seed("target", spec.target if spec.target in columns else columns[-1])
    target = st.selectbox("Target (what to predict)", columns, key="target")

    candidates = [c for c in columns if c != target]
    feats0 = [f for f in (spec.features or candidates) if f in candidates]
    _seed("features", feats0)
    # Keep only valid choices (e.g. the new target cannot stay a feature).
    st.session_state["features"] = [f for f in st.session_state["features"] if f in candidates]
    features = st.multiselect("Features (predictors)", candidates, key="features")

    c1, c2 = st.columns(2)
    with c1:
        _seed("categorical", [f for f in features if f in text or f in spec.categorical])
        st.session_state["categorical"] = [f for f in st.session_state["categorical"] if f in features]
        categorical = st.multiselect(
            "Categorical (one dummy column per level, first level is the reference)",
            features,
            key="categorical",
            help="Text columns must be categorical; a numeric column can be made categorical too.",
        )
        not_cat_text = [f for f in features if f in text and f not in categorical]
        if not_cat_text:
            st.warning(
                "These text columns are used as features but are not categorical, so the model cannot use them: "
                + ", ".join(state.md_code(f) for f in not_cat_text)
            )
    with c2:
        pairs = [f"{a} × {b}" for a, b in itertools.combinations(features, 2)]
        pair_of = {f"{a} × {b}": (a, b) for a, b in itertools.combinations(features, 2)}
        _seed("interactions", [f"{a} × {b}" for a, b in spec.interactions if f"{a} × {b}" in pair_of])
        st.session_state["interactions"] = [p for p in st.session_state["interactions"] if p in pair_of]
        chosen_pairs = st.multiselect("Interactions (products of two features)", pairs, key="interactions")
        _seed("standardize", spec.standardize)
        standardize = st.checkbox(
            "Standardize numeric features (mean 0, sd 1)", key="standardize",
            help="Changes the coefficients' units, not the fit: R², fitted values and p-values stay the same.",
        )
        _seed("intercept", spec.intercept)
        intercept = st.checkbox("Intercept", key="intercept", help="Fit a constant term (almost always wanted).")

    numeric_feats = [f for f in features if f not in categorical and f not in text]
    degrees = dict(spec.poly)
    poly: list[tuple[str, int]] = []
    if numeric_feats:
        with st.expander("Polynomial degree per column", expanded=any(d > 1 for d in degrees.values())):
            cols = st.columns(min(4, len(numeric_feats)))
            for i, f in enumerate(numeric_feats):
                key = f"{POLY_PREFIX}{f}"
                _seed(key, int(degrees.get(f, 1)))
                with cols[i % len(cols)]:
                    d = st.number_input(state.md_escape(f), min_value=1, max_value=10, step=1, key=key,
                                        help="1 = straight line; 2 adds the square; 3 adds the cube, …")
                if d > 1:
                    poly.append((f, int(d)))

    if not features:
        st.warning("Choose at least one feature: the model keeps its previous terms until you do.")
        return spec
    new_spec = ModelSpec(
        target=target,
        features=tuple(features),
        categorical=tuple(categorical),
        poly=tuple(poly),
        interactions=tuple(pair_of[p] for p in chosen_pairs),
        standardize=bool(standardize),
        intercept=bool(intercept),
    )
    if new_spec != spec:
        state.set_spec(new_spec)
    return new_spec


def _design_summary() -> None:
    try:
        design = state.design()
    except LinregError as err:
        st.error(f"This model cannot be built: {state.md_escape(err)}")
        return
    k = len(design.terms) + int(design.intercept)
    terms = ", ".join(state.md_code(t) for t in (("Intercept",) if design.intercept else ()) + tuple(design.terms))
    st.markdown(f"**Model terms ({k}):** {terms}")
    if design.n_dropped:
        st.warning(
            f"{design.n_dropped:,} rows with a missing value in a used column are left out; "
            f"the model uses the other {len(design.y):,} rows."
        )
    if design.reference_levels:
        refs = "; ".join(f"{state.md_code(c)}: {state.md_code(v)}" for c, v in design.reference_levels.items())
        st.caption(f"Reference levels (absorbed in the intercept): {refs}")
    if len(design.y) <= k:
        st.warning(
            f"The model has {k} coefficients but only {len(design.y)} usable rows: it needs more rows than coefficients."
        )


def _explore_plot(df: pd.DataFrame, spec: ModelSpec) -> None:
    candidates = [c for c in df.columns.astype(str) if c != spec.target]
    if spec.target not in df.columns or not candidates:
        return
    st.subheader("Look before you fit")
    default = spec.features[0] if spec.features and spec.features[0] in candidates else candidates[0]
    _seed("explore_x", default)
    if st.session_state["explore_x"] not in candidates:
        st.session_state["explore_x"] = default
    x = st.selectbox("Plot the target against", candidates, key="explore_x")
    summary, note = state.target_scatter(x, key="explore_chart")
    st.caption(state.md_escape(summary))
    if note:
        st.caption(note)


st.title("📂 Data")
st.markdown(
    "Pick a dataset, generate one with known true coefficients, or upload your own CSV. "
    "Then choose what to predict and from what. Every other page uses the data and model set here."
)

tab_builtin, tab_generate, tab_upload = st.tabs(["Built-in dataset", "Generate synthetic data", "Upload a CSV"])
with tab_builtin:
    _builtin_tab()
with tab_generate:
    _generate_tab()
with tab_upload:
    _upload_tab()

df, label = state.current_data()
_data_section(df, label)
spec = _model_section(df)
_design_summary()
_explore_plot(df, spec)
st.page_link("pages/fit.py", label="Next: fit this model", icon="📈")
