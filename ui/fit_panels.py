"""The Fit page's inference sections: the covariance and its reading, weights, a smaller model, predictions;
and the weights column that the Data page chooses.

Each section reads its numbers from ``ui.cache`` (:func:`ui.cache.fit` and the calls beside it)
and shows user names through the escaping helpers of ``ui.widgets``; nothing here computes
with numbers beyond picking a default value to start a form with.
"""

from __future__ import annotations

import zlib

import pandas as pd
import streamlit as st

from linreg import export
from linreg.data import load_csv
from linreg.exceptions import LinregError
from linreg.format import fmt, fmt_p
from linreg.plots import tables

from . import cache, session
from .settings import COV_LABELS, COV_READINGS, FIELDS
from .text import md_escape
from .widgets import Code, download, field_input, markdown, seed, show_error

__all__ = ["weights_select", "covariance_controls", "breusch_pagan_note", "covariance_caption", "weights_note", "compare_panel",
           "predict_panel", "MAX_NEW_ROWS"]

MAX_NEW_ROWS = 10_000
_FIT = FIELDS["fit"]


# --------------------------------------------------------------------------- weights (on the Data page)


def _store_weights() -> None:
    """Widget callback: the weights column into the fit settings."""
    session.set_fit_settings(weights=st.session_state["data_weights"])


def weights_select(df: pd.DataFrame, spec) -> None:
    """The Data page's choice of the weights column: a numeric column outside the model ``spec``, or none.

    A column that is no longer a choice (new data, a link's column, or now in the model) is
    dropped from the settings with a note, so the fit is then unweighted.
    """
    used = {spec.target, *spec.features, *spec.categorical, *(c for c, _ in spec.poly)}
    used.update(c for pair in spec.interactions for c in pair)
    numeric = [str(c) for j, c in enumerate(df.columns)
               if pd.api.types.is_numeric_dtype(df.iloc[:, j]) and not pd.api.types.is_bool_dtype(df.iloc[:, j])]
    options = [None] + [c for c in numeric if c not in used]
    current = session.fit_settings().weights
    if current not in options:  # a new dataset, a link's column, or the column is now in the model
        where = "in the model" if current in used else "not a numeric column of this data"
        markdown("The weights column {column} is " + where + ", so the fit is no longer weighted.",
                 element=st.caption, column=Code(current))
        session.set_fit_settings(weights=None)
        current = None
    seed("data_weights", current)
    if st.session_state["data_weights"] not in options:
        st.session_state["data_weights"] = current
    field = _FIT["weights"]
    st.selectbox(f"{field.label} (weighted least squares)", options, key="data_weights", on_change=_store_weights,
                 format_func=lambda c: "none (every row counts once)" if c is None else c,
                 help=field.help + " Numeric columns outside the model; take a column out of the features to "
                 "weight by it. Gradient descent and the penalized fits stay unweighted.")


# --------------------------------------------------------------------------- covariance


def _store_covariance() -> None:
    """Widget callback: the covariance and the HAC lags into the state."""
    ss = st.session_state
    changes = {"cov_type": ss["fit_cov"]}
    if "fit_lags" in ss:
        changes["maxlags"] = None if int(ss["fit_lags"]) == 0 else int(ss["fit_lags"])
    session.set_fit_settings(**changes)


def covariance_controls():
    """The covariance selector (and the HAC lags), with a one-line reading of when to use it.

    Returns the column where :func:`breusch_pagan_note` goes once the model is fitted.
    """
    settings = session.fit_settings()
    seed("fit_cov", settings.cov_type)
    left, right = st.columns([3, 2])
    with left:
        cov = field_input(_FIT["cov_type"], "fit_cov", format_func=COV_LABELS.get, on_change=_store_covariance)
        if cov == "HAC":
            seed("fit_lags", int(settings.maxlags or 0))
            field_input(_FIT["maxlags"], "fit_lags", on_change=_store_covariance)
        st.caption(COV_READINGS[cov])
    return right


def breusch_pagan_note(where) -> None:
    """Beside the selector: the Breusch-Pagan test of the fit and what it says about the choice."""
    try:
        bp = cache.breusch_pagan()
    except LinregError as err:
        show_error("The Breusch–Pagan test cannot run:", err, element=where.info)
        return
    if bp.p_value is None:
        where.info("Breusch–Pagan: not defined for this model (no predictor, or an exact fit).")
    elif bp.p_value < session.fit_settings().alpha:
        where.warning(f"Breusch–Pagan p = {fmt_p(bp.p_value)}: the residual spread changes with the predictors; "
                      "HC3 standard errors are safer.")
    else:
        where.info(f"Breusch–Pagan p = {fmt_p(bp.p_value)}: no sign that the residual spread changes with the "
                   "predictors; classical standard errors are fine.")


def covariance_caption(result) -> str:
    """What the coefficient table's standard errors are, in one sentence."""
    if result.cov_type == "nonrobust":
        return "Classical standard errors (R's summary(lm))."
    lags = f" with {result.maxlags} lags (Bartlett kernel)" if result.cov_type == "HAC" else ""
    test = ("t tests on the residual degrees of freedom" if result.use_t
            else "z tests and intervals on the normal distribution (statsmodels' default for robust errors)")
    return (f"{COV_LABELS[result.cov_type]} standard errors{lags}, as statsmodels' cov_type and R's sandwich; "
            f"{test}. F is the Wald test of every slope with this covariance.")


def weights_note(rows) -> None:
    """That the fit is weighted, by which column, and which rows the weights leave out."""
    if rows.column is None:
        return
    left = []
    if rows.n_missing:
        left.append(f"{rows.n_missing:,} without a weight")
    if rows.n_zero:
        left.append(f"{rows.n_zero:,} of weight 0")
    markdown("Weighted least squares, as R's lm(weights = {column}): each row counts as much as its weight."
             + (f" Rows left out: {' and '.join(left)}." if left else ""), element=st.info, column=Code(rows.column))


# --------------------------------------------------------------------------- a smaller model


def _drop_options(design) -> tuple[list[str], dict[str, str]]:
    """What can be left out: each term, and each categorical column as a whole; with their labels."""
    options = (["Intercept"] if design.intercept else []) + list(design.terms)
    labels = {t: t for t in options}
    for column in design.spec.categorical:
        if column not in labels:
            options.append(column)
            labels[column] = f"{column} (all its levels)"
    return options, labels


def compare_panel(design, method: str) -> None:
    """Compare with a smaller model: untick terms, read R's anova F test and the change in R²."""
    st.subheader("Compare with a smaller model")
    st.caption("Leave terms out to get a smaller model on the same rows, and test whether the left-out terms "
               "explain more than chance would (the F test of R's anova(smaller, larger); it assumes a constant "
               "residual spread, whatever the standard errors above).")
    options, labels = _drop_options(design)
    key = f"fit_drop_{session.data_version()}"
    if key in st.session_state:
        st.session_state[key] = [t for t in st.session_state[key] if t in labels]
    drop = st.multiselect("Terms to leave out of the smaller model", options, key=key, format_func=labels.get)
    if not drop:
        st.caption("Choose one or more terms to leave out.")
        return
    try:
        comparison, _smaller = cache.compare_without(tuple(drop), method)
    except LinregError as err:
        show_error("The comparison is refused:", err)
        return
    st.dataframe(tables.comparison_table(comparison), hide_index=True)
    c = comparison
    alpha = session.fit_settings().alpha
    verdict = ("the left-out terms explain significantly more: keep them" if c.p_value < alpha
               else "no evidence that the left-out terms add anything: the smaller model is enough")
    delta = "—" if c.delta_r_squared != c.delta_r_squared else fmt(c.delta_r_squared)
    st.markdown(f"F = {fmt(c.f_statistic)} on {c.df_num} and {c.df_den} degrees of freedom, p = {fmt_p(c.p_value)}, "
                f"ΔR² = {delta}: at α = {alpha:g}, {verdict}.")


# --------------------------------------------------------------------------- prediction


def _needed(design) -> list[str]:
    """The original columns a new row needs: the main effects, then the interactions' columns."""
    pairs = [c for pair in design.spec.interactions for c in pair]
    return list(dict.fromkeys(list(design.predictors) + pairs))


def _typed_row(design, df: pd.DataFrame) -> pd.DataFrame:
    """A form with one input per needed column; the row its values make (the defaults until submitted)."""
    needed = _needed(design)
    values = {}
    with st.form(key="pred_form"):
        columns = st.columns(min(3, len(needed)) or 1)
        for i, name in enumerate(needed):
            key = f"pred_{session.data_version()}_{i}_{zlib.crc32(name.encode())}"
            where = columns[i % len(columns)]
            if name in design.levels:
                levels = list(design.levels[name])
                values[name] = where.selectbox(md_escape(name), levels, key=key, format_func=str)
            else:
                if key not in st.session_state:  # start at the column's median
                    column = pd.to_numeric(df[df.columns[[str(c) for c in df.columns].index(name)]], errors="coerce")
                    st.session_state[key] = float(column.median()) if column.notna().any() else 0.0
                values[name] = where.number_input(md_escape(name), key=key, format="%.6g")
        st.form_submit_button("Predict", type="primary", key="pred_submit")
    return pd.DataFrame({name: [value] for name, value in values.items()})


def _uploaded_rows() -> pd.DataFrame | None:
    uploaded = st.file_uploader(f"A CSV of new rows (at most {MAX_NEW_ROWS:,}; first line = column names)",
                                type=["csv", "tsv", "txt"], key="pred_upload")
    if uploaded is None:
        return None
    try:
        return load_csv(uploaded.getvalue(), max_rows=MAX_NEW_ROWS, max_cols=500)
    except LinregError as err:
        show_error(f"{md_escape(uploaded.name)} cannot be read:", err)
        return None


def _show_predictions(new_rows: pd.DataFrame, needed: list[str], method: str, target: str, key: str) -> None:
    try:
        predictions = cache.predict(new_rows, method)
    except LinregError as err:
        show_error("These rows cannot be predicted:", err)
        return
    alpha = session.fit_settings().alpha
    level = f"{100 * (1 - alpha):g}%"
    # predict has checked that every needed column is there; the others are not shown.
    used = new_rows.set_axis([str(c) for c in new_rows.columns], axis=1)[needed]
    if len(predictions) == 1:
        p = predictions.iloc[0]
        markdown(f"Predicted {{target}}: **{fmt(p['prediction'], 5)}**; {level} confidence interval of the mean "
                 f"[{fmt(p['ci_low'], 5)}, {fmt(p['ci_high'], 5)}]; {level} prediction interval of a new "
                 f"observation [{fmt(p['pi_low'], 5)}, {fmt(p['pi_high'], 5)}].", target=Code(target))
    st.dataframe(tables.prediction_table(used, predictions, alpha), hide_index=True)
    download("Predictions (CSV)", lambda: export.prediction_csv(used, predictions), "predictions.csv",
             key=f"dl_pred_{key}")


def predict_panel(design, method: str) -> None:
    """Predictions for a typed-in row or an uploaded CSV of new rows, with their intervals at the page's level."""
    st.subheader("Predict")
    target = design.spec.target
    markdown("The prediction of {target} for new values of the columns the model uses, with the model's terms "
             "(powers, dummies, products, standardization) applied as in the fit. The confidence interval is "
             "for the mean at those values; the prediction interval is for one new observation (with weight 1 "
             "after a weighted fit).", element=st.caption, target=Code(target))
    if not _needed(design):
        st.caption("The model has no columns to give values for: its prediction is the intercept.")
        return
    df, _ = session.current_data()
    needed = _needed(design)
    typed, uploaded = st.tabs(["Type a row", "Upload new rows"])
    with typed:
        _show_predictions(_typed_row(design, df), needed, method, target, "typed")
    with uploaded:
        rows = _uploaded_rows()
        if rows is not None:
            _show_predictions(rows, needed, method, target, "upload")
