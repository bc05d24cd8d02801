"""Data page: choose a dataset (built-in, synthetic, uploaded or large), look at it, and set up the model.

The tabs that choose the dataset are ``ui.dataset_tabs``; the "Large dataset" tab, there when
the server's operator registered Parquet datasets, is in ``ui.large_pages`` (over ``ui.large``):
the dataset is used whole (fitted out of core; the session holds its first rows) or as a sample.

The dataset and the model spec live in the session (``ui.session``); the widgets here are
seeded from it each time the page is shown, and write the user's choices back.
"""

from __future__ import annotations

import itertools

import pandas as pd
import streamlit as st

from linreg.design import ModelSpec, text_columns
from linreg.exceptions import LinregError
from ui import cache, charts, dataset_tabs, fit_panels, session
from ui.legacy import through_app
from ui.text import md_code, md_escape
from ui.widgets import Code, escaped, markdown, seed, show_error

through_app()

PREVIEW_ROWS = 200

# Widget keys of the model section: dropped when the dataset changes, so they are
# re-seeded from the new dataset's spec instead of keeping the old dataset's columns.
MODEL_KEYS = ("target", "features", "categorical", "interactions", "standardize", "intercept", "explore_x",
              "data_weights")
POLY_PREFIX = "poly::"


def _reset_model_widgets() -> None:
    for key in list(st.session_state.keys()):
        if key in MODEL_KEYS or str(key).startswith(POLY_PREFIX):
            del st.session_state[key]


def _data_section(df: pd.DataFrame, label: str) -> None:
    st.subheader("The data")
    if session.is_large():
        markdown("**{label}**.", label=label)
        st.caption("Shown here: its first rows, whose columns set up the model below. The fit reads every row.")
    else:
        markdown("**{label}**: {rows} rows × {columns} columns.", label=label, rows=f"{len(df):,}",
                 columns=df.shape[1])
    left, right = st.columns([3, 2])
    with left:
        st.caption(f"Preview (first {min(PREVIEW_ROWS, len(df)):,} rows)")
        st.dataframe(df.head(PREVIEW_ROWS), height=300)
    with right:
        st.caption("Columns: type and missing values")
        table, missing = cache.column_summary()
        st.dataframe(table, hide_index=True)
    st.markdown(missing)  # linreg quotes the column names as inline code


def _model_section(df: pd.DataFrame) -> ModelSpec:
    st.subheader("The model")
    spec = session.current_spec()
    columns = [str(c) for c in df.columns]
    text = set(text_columns(df))

    seed("target", spec.target if spec.target in columns else columns[-1])
    target = st.selectbox("Target (what to predict)", columns, key="target")

    candidates = [c for c in columns if c != target]
    seed("features", [f for f in (spec.features or candidates) if f in candidates])
    # Keep only valid choices (e.g. the new target cannot stay a feature).
    st.session_state["features"] = [f for f in st.session_state["features"] if f in candidates]
    features = st.multiselect("Features (predictors)", candidates, key="features")
    for column, reason in session.excluded():
        if column not in features:
            markdown("{column} is left out of the default model: {reason}. You can still add it as a feature.",
                     element=st.caption, column=Code(column), reason=reason)

    c1, c2 = st.columns(2)
    with c1:
        seed("categorical", [f for f in features if f in text or f in spec.categorical])
        st.session_state["categorical"] = [f for f in st.session_state["categorical"] if f in features]
        categorical = st.multiselect(
            "Categorical (one dummy column per level, first level is the reference)", features, key="categorical",
            help="Text columns must be categorical; a numeric column can be made categorical too.",
        )
        not_cat_text = [f for f in features if f in text and f not in categorical]
        if not_cat_text:
            st.warning("These text columns are used as features but are not categorical, so the model cannot use "
                       "them: " + ", ".join(md_code(f) for f in not_cat_text))
    with c2:
        pair_of = {f"{a} × {b}": (a, b) for a, b in itertools.combinations(features, 2)}
        seed("interactions", [f"{a} × {b}" for a, b in spec.interactions if f"{a} × {b}" in pair_of])
        st.session_state["interactions"] = [p for p in st.session_state["interactions"] if p in pair_of]
        chosen_pairs = st.multiselect("Interactions (products of two features)", list(pair_of), key="interactions")
        seed("standardize", spec.standardize)
        standardize = st.checkbox(
            "Standardize numeric features (mean 0, sd 1)", key="standardize",
            help="Changes the coefficients' units, not the fit: R², fitted values and p-values stay the same.",
        )
        seed("intercept", spec.intercept)
        intercept = st.checkbox("Intercept", key="intercept", help="Fit a constant term (almost always wanted).")

    numeric_feats = [f for f in features if f not in categorical and f not in text]
    degrees = dict(spec.poly)
    poly: list[tuple[str, int]] = []
    if numeric_feats:
        with st.expander("Polynomial degree per column", expanded=any(d > 1 for d in degrees.values())):
            cols = st.columns(min(4, len(numeric_feats)))
            for i, f in enumerate(numeric_feats):
                key = f"{POLY_PREFIX}{f}"
                seed(key, int(degrees.get(f, 1)))
                with cols[i % len(cols)]:
                    d = st.number_input(md_escape(f), min_value=1, max_value=10, step=1, key=key,
                                        help="1 = straight line; 2 adds the square; 3 adds the cube, …")
                if d > 1:
                    poly.append((f, int(d)))

    if not features:
        st.warning("Choose at least one feature: the model keeps its previous terms until you do.")
        return spec
    new_spec = ModelSpec(target=target, features=tuple(features), categorical=tuple(categorical), poly=tuple(poly),
                         interactions=tuple(pair_of[p] for p in chosen_pairs), standardize=bool(standardize),
                         intercept=bool(intercept))
    if new_spec != spec:
        session.set_spec(new_spec)
    return new_spec


def _design_summary() -> None:
    try:
        design = cache.design()
    except LinregError as err:
        show_error("This model cannot be built:", err)
        return
    k = len(design.terms) + int(design.intercept)
    terms = ", ".join(md_code(t) for t in (("Intercept",) if design.intercept else ()) + tuple(design.terms))
    st.markdown(f"**Model terms ({k}):** {terms}")
    if session.is_large():
        st.caption("Terms as the rows in view show them: the fit takes the categorical levels and polynomial ranges "
                   "from every row.")
        return
    if design.n_dropped:
        st.warning(f"{design.n_dropped:,} rows with a missing value in a used column are left out; "
                   f"the model uses the other {len(design.y):,} rows.")
    if design.reference_levels:
        refs = "; ".join(f"{md_code(c)}: {md_code(v)}" for c, v in design.reference_levels.items())
        st.caption(f"Reference levels (absorbed in the intercept): {refs}")
    if len(design.y) <= k:
        st.warning(f"The model has {k} coefficients but only {len(design.y)} usable rows: it needs more rows "
                   "than coefficients.")


def _explore_plot(df: pd.DataFrame, spec: ModelSpec) -> None:
    if session.is_large():  # a scatter of the first rows would pass for the data's
        return
    candidates = [c for c in df.columns.astype(str) if c != spec.target]
    if spec.target not in df.columns or not candidates:
        return
    st.subheader("Look before you fit")
    default = spec.features[0] if spec.features and spec.features[0] in candidates else candidates[0]
    seed("explore_x", default)
    if st.session_state["explore_x"] not in candidates:
        st.session_state["explore_x"] = default
    x = st.selectbox("Plot the target against", candidates, key="explore_x")
    summary, note = charts.target_scatter(x, key="explore_chart")
    escaped(summary)
    if note:
        escaped(note)


st.title("📂 Data")
st.markdown(
    "Pick a dataset, generate one with known true coefficients, or upload your own CSV. "
    "Then choose what to predict and from what. Every other page uses the data and model set here."
)

dataset_tabs.show(on_loaded=_reset_model_widgets)

df, label = session.current_data()
_data_section(df, label)
spec = _model_section(df)
fit_panels.weights_select(df, spec)
_design_summary()
_explore_plot(df, spec)
st.page_link("pages/fit.py", label="Next: fit this model", icon="📈")
