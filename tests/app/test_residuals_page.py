"""Residuals page: R's plots with summaries, the tests and VIF equal linreg's, influential rows, edge cases."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from linreg import datasets, diagnostics
from linreg.design import build_design, fit_design
from linreg.exceptions import LinregWarning
from linreg.format import fmt
from linreg.plots import tables
from linreg.plots.residuals import CHART_POINTS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/residuals.py"
TITLES = ["Residuals vs Fitted", "Normal Q-Q", "Scale-Location", "Residuals vs Leverage", "Histogram of residuals"]


def _residuals_page(at: AppTest | None = None) -> AppTest:
    at = at if at is not None else AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _expected(at: AppTest):
    """The page's model, fitted by linreg directly from the app's state."""
    df = at.session_state["lr_data"]
    design = build_design(df, at.session_state["lr_spec"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        result = fit_design(design, alpha=at.session_state["lr_fit_settings"].alpha)
    return df, design, result


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _tests_table(at: AppTest) -> pd.DataFrame:
    return next(t.value for t in at.table if "test" in t.value.columns)


def _captions(at: AppTest) -> list[str]:
    """Captions as read on screen (without the markdown escapes of user text)."""
    return [c.value.replace("\\", "") for c in at.caption]


def _screen_text(at: AppTest) -> list[str]:
    """Every piece of text and every table cell on the page."""
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    texts += [e.value for e in at.warning] + [e.value for e in at.info]
    for table in [*at.table, *at.dataframe]:
        texts += table.value.astype(str).to_numpy().ravel().tolist()
    return texts


def _upload(at: AppTest, name: str, frame: pd.DataFrame) -> AppTest:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value((name, frame.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def _assert_numbers_equal_linreg(at: AppTest) -> None:
    _, design, result = _expected(at)
    expected = [diagnostics.breusch_pagan(result), diagnostics.jarque_bera(result), diagnostics.durbin_watson(result)]
    shown = _tests_table(at)
    assert shown["test"].tolist() == ["Breusch-Pagan", "Jarque-Bera", "Durbin-Watson"]
    assert shown["statistic"].tolist() == [fmt(t.statistic) for t in expected]
    assert shown["reading"].tolist() == [t.reading for t in expected]
    influence = tables.influence_display(tables.influence_measures(result, design.row_labels, top=10))
    pd.testing.assert_frame_equal(at.dataframe[0].value.reset_index(drop=True), influence, check_dtype=False)


def test_default_dataset_shows_r_plots_with_summaries_and_linreg_statistics():
    at = _residuals_page()
    assert not at.error
    _, design, result = _expected(at)
    charts = _charts(at)
    assert [c["layout"]["title"]["text"] for c in charts] == TITLES
    for chart in charts:
        assert chart["layout"]["xaxis"]["title"]["text"] and chart["layout"]["yaxis"]["title"]["text"]
    captions = _captions(at)
    for start in ("Residuals vs fitted:", "Normal Q-Q:", "Scale-Location:", "Residuals vs leverage:", "Histogram of residuals:"):
        assert any(c.startswith(start) for c in captions), start
    # R's three most extreme rows of lm(dist ~ speed, cars) are 23, 35, 49 (here 0-based: 22, 34, 48).
    if at.session_state["lr_source"].endswith("(1920s)"):
        assert any("rows 48, 22 and 34 have the largest |residual|" in c for c in captions)
    _assert_numbers_equal_linreg(at)
    # The Breusch-Pagan p-value shown is linreg's, to 3 significant digits.
    bp = diagnostics.breusch_pagan(result)
    assert _tests_table(at)["p-value"].iloc[0] == fmt(bp.p_value, 3)
    # The most influential row is shown with its data by default.
    top = diagnostics.influence_table(result, design.row_labels, top=1)["row"].iloc[0]
    assert any(m.value.startswith(f"**The most influential row: `{top}`**") for m in at.markdown)


def test_changing_the_dataset_changes_the_numbers():
    at = _residuals_page()
    before = _tests_table(at)["statistic"].tolist()
    at.switch_page("pages/data.py").run()
    current = at.session_state["lr_source"]
    name = next(n for n in ("stackloss", "anscombe_3") if f"Built-in: {datasets.DATASETS[n].title}" != current)
    at.selectbox(key="builtin").set_value(name).run()
    at.button(key="load_builtin").click().run()
    _residuals_page(at)
    assert at.session_state["lr_source"] == f"Built-in: {datasets.DATASETS[name].title}"
    after = _tests_table(at)["statistic"].tolist()
    assert after != before
    _assert_numbers_equal_linreg(at)
    if name == "stackloss":  # three predictors: the VIF table is shown and equals linreg's
        _, _, result = _expected(at)
        vif = next(t.value for t in at.table if "VIF" in t.value.columns)
        assert vif["VIF"].tolist() == [fmt(v, 3) for v in diagnostics.vif(result).values()]


def test_the_influence_table_shows_r_influence_measures_and_why_each_row_is_flagged():
    at = _residuals_page()
    _, design, result = _expected(at)
    shown = at.dataframe[0].value
    assert shown.columns.tolist() == ["row", "fitted", "residual", "leverage", "studentized residual",
                                      "Cook's distance", "DFFITS", "largest DFBETAS", "of term", "COVRATIO",
                                      "flagged by R's rules"]
    # Position of each shown row in the fit, from its label (cars: labels 0..49).
    at_ = [int(r) for r in shown["row"]]
    assert shown["DFFITS"].tolist() == [fmt(result.dffits[i]) for i in at_]
    assert shown["COVRATIO"].tolist() == [fmt(result.covratio[i]) for i in at_]
    biggest = [int(np.nanargmax(np.abs(result.dfbetas[i]))) for i in at_]
    assert shown["largest DFBETAS"].tolist() == [fmt(result.dfbetas[i, j]) for i, j in zip(at_, biggest)]
    assert shown["of term"].tolist() == [result.terms[j] for j in biggest]
    flags = result.influence_flags
    assert shown["flagged by R's rules"].tolist() == ["; ".join(flags.reasons(i)) for i in at_]
    # Row 48 (R's 49) of cars has the largest Cook's distance, and breaks R's DFFITS and COVRATIO rules.
    assert at_[0] == 48 and shown["flagged by R's rules"].iloc[0] == "|DFFITS| > 0.612; |1 - COVRATIO| > 0.125"
    n_flagged = int(flags.any.sum())
    assert any(f"flag {n_flagged:,} of the 50 rows" in c for c in _captions(at)), _captions(at)


def test_a_weighted_fit_is_diagnosed_with_its_weights_and_rows():
    df = datasets.load_dataset("stackloss")[0].assign(w=np.r_[np.zeros(2), np.linspace(0.5, 3.0, 19)])
    df.loc[5, "w"] = np.nan
    df = df[["w", "air_flow", "water_temp", "acid_conc", "stack_loss"]]  # the default target is the last column
    at = _upload(AppTest.from_file(APP, default_timeout=30).run(), "weighted.csv", df)
    at.multiselect(key="features").set_value(["air_flow", "water_temp", "acid_conc"]).run()
    at.selectbox(key="data_weights").set_value("w").run()
    assert not at.exception and not at.error
    _residuals_page(at)
    assert not at.error
    kept = at.session_state["lr_data"][at.session_state["lr_data"]["w"].notna()]
    design = build_design(kept, at.session_state["lr_spec"])
    weights = kept.loc[design.row_labels, "w"].to_numpy()
    result = fit_design(design, weights=weights)
    assert result.n == 18  # 21 rows, 1 without a weight, 2 of weight 0
    shown = at.dataframe[0].value
    labels = design.row_labels[weights > 0]
    top = tables.influence_display(tables.influence_measures(result, labels, top=10))
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), top, check_dtype=False)
    expected = [diagnostics.breusch_pagan(result), diagnostics.jarque_bera(result), diagnostics.durbin_watson(result)]
    assert _tests_table(at)["statistic"].tolist() == [fmt(t.statistic) for t in expected]
    assert any("weighted by `w`" in c.value for c in at.caption)


def test_selecting_an_influential_row_shows_its_data():
    at = _residuals_page()
    df, design, result = _expected(at)
    table = tables.influential_rows(result, design.row_labels, top=10)
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": [3], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    label = table["row"].iloc[3]
    assert any(m.value.startswith(f"**Selected row: `{label}`**") for m in at.markdown)
    pd.testing.assert_frame_equal(at.dataframe[1].value, df.loc[[label]], check_dtype=False)


def test_aliased_terms_and_leverage_one_never_show_nan():
    rng = np.random.default_rng(2)
    n = 24
    a = rng.normal(size=n)
    group = np.array(["north", "south"] * (n // 2), dtype=object)
    group[7] = "lonely"  # the only row of its level: the fit passes through it (leverage 1)
    y = 1 + 2 * a + rng.normal(size=n)
    at = _upload(AppTest.from_file(APP, default_timeout=30).run(), "odd.csv",
                 pd.DataFrame({"a": a, "b": 2 * a, "group": group, "y": y}))
    _residuals_page(at)
    assert not at.error
    text = _screen_text(at)
    assert not any("nan" in t.lower().replace("nance", "") for t in text), [t for t in text if "nan" in t.lower()]
    vif = next(t.value for t in at.table if "VIF" in t.value.columns).set_index("term")
    assert vif.loc["b", "VIF"] == "aliased"
    assert any("Aliased terms" in w.value and "`b`" in w.value for w in at.warning)
    assert any("Not plotted: 1 row (7) with leverage one" in c for c in _captions(at))
    influence = at.dataframe[0].value
    assert (influence.set_index("row").loc["7", ["studentized residual", "Cook's distance"]] == "—").all()


def test_large_data_plots_a_webgl_sample_and_says_so():
    rng = np.random.default_rng(4)
    n = 25_000
    x = rng.normal(size=n)
    at = _upload(AppTest.from_file(APP, default_timeout=60).run(), "big.csv",
                 pd.DataFrame({"x": x, "y": 3 - x + rng.normal(size=n)}))
    _residuals_page(at)
    captions = _captions(at)
    assert any(f"random sample of {CHART_POINTS:,} of the 25,000 rows" in c for c in captions)
    assert any(c.startswith("Residuals vs fitted: 25,000 points") for c in captions)
    for chart in _charts(at)[:4]:
        assert "scattergl" in [t["type"] for t in chart["data"]]
    _assert_numbers_equal_linreg(at)


def test_a_model_that_cannot_be_fitted_shows_an_error_not_a_traceback():
    at = _upload(AppTest.from_file(APP, default_timeout=30).run(), "tiny.csv", pd.DataFrame({"x": [1.0, 2.0], "y": [2.0, 3.0]}))
    _residuals_page(at)
    assert at.error and "cannot be fitted" in at.error[0].value
    assert not at.get("plotly_chart")
