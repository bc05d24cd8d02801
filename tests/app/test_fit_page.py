"""Fit page: each method's numbers are linreg's numbers, warnings show inline, settings persist."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from linreg.descent import gradient_descent
from linreg.design import build_design, fit_design
from linreg.exceptions import LinregWarning
from linreg.format import fmt, fmt_p
from ui.settings import GDSettings
from ui.text import md_escape

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _fit_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error
    return at


def _expected(at: AppTest, method: str, alpha: float = 0.05):
    design = build_design(at.session_state["lr_data"], at.session_state["lr_spec"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        return design, fit_design(design, method=method, alpha=alpha)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _upload_then_fit(at: AppTest, name: str, df: pd.DataFrame) -> AppTest:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value((name, df.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and not at.error
    return at.switch_page("pages/fit.py").run()


@pytest.mark.parametrize("method", ["qr", "svd", "normal"])
def test_metrics_and_coefficients_are_linregs(method):
    at = _fit_page()
    at.radio(key="fit_method").set_value(method).run()
    assert not at.exception and not at.error
    _, res = _expected(at, method)
    m = _metrics(at)
    assert m["R²"] == fmt(res.r_squared)
    assert m["Adjusted R²"] == fmt(res.adj_r_squared)
    assert m["σ (residual std. error)"] == fmt(res.sigma)
    assert m["F statistic"] == fmt(res.f_statistic)
    assert m["p-value of F"] == fmt_p(res.f_p_value)
    # R's convention (sigma counted), as R's AIC() and BIC() and the CLI's summary, named on screen.
    assert m["AIC (R, σ counted)"] == fmt(res.aic_r)
    assert m["BIC (R, σ counted)"] == fmt(res.bic_r)
    assert m["AICc (R, σ counted)"] == fmt(res.aicc_r)
    assert m["Condition number"] == fmt(res.condition_number)
    table = at.dataframe[0].value
    assert table["term"].tolist() == list(res.terms)
    assert table["estimate"].tolist() == [fmt(c, 5) for c in res.coef]
    assert table["std. error"].tolist() == [fmt(s) for s in res.std_err]
    assert table["p-value"].tolist() == [fmt_p(float(p)) for p in res.p_value]
    assert table["95% CI low"].tolist() == [fmt(c, 5) for c in res.ci_low]
    # The numbers agree between methods to the digits shown.
    assert at.session_state["lr_fit_settings"].method == method
    # Every chart is followed by a summary in numbers.
    assert at.get("plotly_chart")
    assert any(fmt(res.r_squared, 3) in c.value for c in at.caption)


def test_confidence_level_changes_intervals():
    at = _fit_page()
    at.select_slider(key="fit_level").set_value(90).run()
    assert not at.exception
    _, res = _expected(at, "qr", alpha=0.1)
    table = at.dataframe[0].value
    assert table["90% CI high"].tolist() == [fmt(c, 5) for c in res.ci_high]


def test_gradient_descent_method_uses_the_gd_settings():
    at = _fit_page()
    at.radio(key="fit_method").set_value("gd").run()
    at.number_input(key="fit_gd_lr").set_value(0.05).run()
    at.number_input(key="fit_gd_n_iter").set_value(300).run()
    assert not at.exception and not at.error
    design, res = _expected(at, "qr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        g = gradient_descent(design.X, design.y, learning_rate=0.05, n_iter=300, intercept=design.intercept,
                             standardize=True, batch_size=None, momentum=0.0, seed=0)
    m = _metrics(at)
    assert m["Iterations run"] == f"{g.n_iter:,}"
    assert m["Final loss L(w)"] == fmt(g.history.loss[-1])
    assert m["Least-squares loss L(w*)"] == fmt(res.rss / res.n)
    assert m["Largest stable learning rate"] == fmt(g.max_stable_learning_rate)
    table = at.dataframe[0].value
    assert table["gradient descent"].tolist() == [fmt(c, 5) for c in g.coef]
    assert table["closed form (QR)"].tolist() == [fmt(c, 5) for c in res.coef]
    # The settings are plain state: they survive a round trip through another page.
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/fit.py").run()
    assert at.radio(key="fit_method").value == "gd"
    assert at.number_input(key="fit_gd_lr").value == 0.05
    assert at.number_input(key="fit_gd_n_iter").value == 300


def test_gradient_descent_with_a_ridge_term_says_it_is_penalized():
    at = _fit_page()
    at.radio(key="fit_method").set_value("gd").run()
    assert not any("ridge penalty" in i.value for i in at.info)
    # The ridge term is set on the Gradient descent page; the Fit page has no control for it.
    at.session_state["lr_gd_settings"] = replace(at.session_state["lr_gd_settings"], ridge=0.5)
    at.run()
    assert not at.exception
    note = next(i.value for i in at.info if "ridge penalty" in i.value)
    assert "λ = 0.5" in note and "ridge solution" in note
    assert any(c.value.endswith("without the penalty:") for c in at.caption)


def test_divergent_learning_rate_is_explained():
    at = _fit_page()
    at.radio(key="fit_method").set_value("gd").run()
    at.checkbox(key="fit_gd_standardize").uncheck().run()
    at.number_input(key="fit_gd_lr").set_value(100.0).run()
    assert not at.exception
    assert any("diverged" in e.value for e in at.error)


def test_aliased_terms_say_aliased_and_warn():
    rng = np.random.default_rng(1)
    x = rng.normal(size=25)
    df = pd.DataFrame({"x": x, "twice_x": 2 * x, "y": 1 + x + rng.normal(scale=0.1, size=25)})
    at = _upload_then_fit(AppTest.from_file(APP, default_timeout=30).run(), "aliased.csv", df)
    assert not at.exception and not at.error
    _, res = _expected(at, "qr")
    assert res.aliased == ("twice_x",)
    table = at.dataframe[0].value
    row = table.set_index("term").loc["twice_x"]
    assert set(row.tolist()) == {"aliased"}
    assert not table.isna().any().any()
    assert not any("nan" in str(v).lower() for v in table.to_numpy().ravel())
    shown = [w.value for w in at.warning]
    for w in res.warnings:
        assert md_escape(w) in shown


def test_normal_equations_warn_about_lost_digits():
    rng = np.random.default_rng(2)
    x = np.linspace(1000, 1001, 40)
    df = pd.DataFrame({"x": x, "y": 3 + 0.5 * x + rng.normal(scale=0.01, size=40)})
    at = _upload_then_fit(AppTest.from_file(APP, default_timeout=30).run(), "ill.csv", df)
    at.switch_page("pages/data.py").run()
    at.number_input(key="poly::x").set_value(3).run()
    at.switch_page("pages/fit.py").run()
    at.radio(key="fit_method").set_value("normal").run()
    assert not at.exception
    _, res = _expected(at, "normal")
    assert res.warnings, "this design is ill-conditioned enough for linreg to warn"
    shown = [w.value for w in at.warning]
    for w in res.warnings:
        assert md_escape(w) in shown


def test_several_features_plot_predicted_against_actual():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    df["y"] = 1 + df["a"] - 2 * df["b"] + rng.normal(scale=0.2, size=40)
    at = _upload_then_fit(AppTest.from_file(APP, default_timeout=30).run(), "two.csv", df)
    assert not at.exception and not at.error
    assert any(c.value.startswith("Actual against predicted y") for c in at.caption)


def _figure(at: AppTest, key: str) -> dict:
    import json

    charts = [c for c in at.get("plotly_chart") if key in c.proto.id]
    assert charts, f"no chart with key {key}"
    return json.loads(charts[0].proto.spec)


def test_one_feature_draws_the_line_with_bands_and_row_hover():
    at = _fit_page()
    spec = at.session_state["lr_spec"]
    assert len(spec.features) == 1  # the default dataset is a one-feature set
    fig = _figure(at, "fit_chart")
    names = [t.get("name") for t in fig["data"]]
    assert "95% confidence band" in names and "95% prediction band" in names and "least-squares fit" in names
    data = next(t for t in fig["data"] if t.get("name") == "data")
    assert "row %{customdata[0]}" in data["hovertemplate"]
    assert fig["layout"]["xaxis"]["title"]["text"] == spec.features[0]
    assert fig["layout"]["yaxis"]["title"]["text"] == spec.target


def test_large_data_is_fitted_on_every_row_and_plotted_from_a_sample():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.number_input(key="gen::linear::n").set_value(25_000).run()
    at.button(key="generate").click().run()
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error
    _, res = _expected(at, "qr")
    assert res.n == 25_000
    assert any("random sample of 20,000 of the 25,000 rows" in c.value for c in at.caption)
    fig = _figure(at, "fit_chart")
    points = next(t for t in fig["data"] if t.get("name") == "data")
    assert points["type"] == "scattergl"


def test_gd_settings_changed_elsewhere_show_on_return():
    # Another page (Gradient descent) writes the shared settings with session.set_gd_settings;
    # the Fit page's widgets must show them when it is shown again, not their old values.
    at = _fit_page()
    at.radio(key="fit_method").set_value("gd").run()
    at.number_input(key="fit_gd_lr").set_value(0.05).run()
    at.switch_page("pages/data.py").run()
    at.session_state["lr_gd_settings"] = GDSettings(learning_rate=0.02, n_iter=123)
    at.switch_page("pages/fit.py").run()
    assert not at.exception
    assert at.number_input(key="fit_gd_lr").value == 0.02
    assert at.number_input(key="fit_gd_n_iter").value == 123
    assert _metrics(at)["Iterations run"] != ""


def test_exports_offer_the_tables_and_a_script():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/fit.py").run()
    assert not at.exception
    buttons = at.get("download_button")
    labels = [b.proto.label for b in buttons]
    assert labels[:3] == ["Coefficients (CSV)", "Per-row diagnostics (CSV)", "Python script"]
    # A download does not rerun the page: a rerun gives each file a new id while the browser fetches the old one.
    assert [b.proto.ignore_rerun for b in buttons] == [True] * len(buttons)


def test_a_failed_fit_keeps_the_last_good_one_in_view():
    from linreg.design import ModelSpec

    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/fit.py").run()
    good = {m.label: m.value for m in at.metric}
    at.session_state["lr_spec"] = ModelSpec("dist", ("no_such_column",))
    at.run()
    assert not at.exception
    assert any("no_such_column" in e.value.replace("\\", "") for e in at.error)
    assert any("last fit that worked" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric} == good


def test_the_shared_fit_cannot_be_written_into():
    # The fit is one object shared by every session (in ui.cache.STORE): its arrays are read-only,
    # so a page that wrote into one would fail loudly instead of changing other sessions' numbers.
    from linreg.ols import OLSResult
    from ui import cache

    _fit_page()
    (result,) = [v for v in cache.STORE.values() if isinstance(v, OLSResult)]
    for name in ("coef", "std_err", "fitted", "resid", "leverage", "features", "y"):
        assert not getattr(result, name).flags.writeable, name
    with pytest.raises(ValueError, match="read-only"):
        result.coef[0] = 0.0


# ----------------------------------------------------------------------------- inference


def _fit_options(at: AppTest, **options):
    """linreg's own fit of the page's model, with the covariance or weights given."""
    design = build_design(at.session_state["lr_data"], at.session_state["lr_spec"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        return design, fit_design(design, alpha=at.session_state["lr_fit_settings"].alpha, **options)


def test_aic_and_bic_follow_r():
    at = _fit_page()
    m = _metrics(at)
    # R 4.3: AIC(lm(dist ~ speed, cars)) = 419.1569, BIC(...) = 424.8929.
    assert m["AIC (R, σ counted)"] == "419.2"
    assert m["BIC (R, σ counted)"] == "424.9"
    assert any(c.value.startswith("AIC, BIC and AICc follow R's convention") for c in at.caption)


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_a_robust_covariance_changes_the_standard_errors_not_the_coefficients(cov_type):
    at = _fit_page()
    classical = at.dataframe[0].value
    at.radio(key="fit_cov").set_value(cov_type).run()
    assert not at.exception and not at.error
    assert at.session_state["lr_fit_settings"].cov_type == cov_type
    _, res = _fit_options(at, cov_type=cov_type)
    table = at.dataframe[0].value
    assert table["estimate"].tolist() == classical["estimate"].tolist()
    assert table["std. error"].tolist() == [fmt(s) for s in res.std_err]
    assert table["std. error"].tolist() != classical["std. error"].tolist()
    assert table["z"].tolist() == [fmt(t) for t in res.t]  # statsmodels' default: normal tests for robust errors
    assert table["p-value"].tolist() == [fmt_p(float(p)) for p in res.p_value]
    assert table["95% CI low"].tolist() == [fmt(c, 5) for c in res.ci_low]
    assert _metrics(at)["F statistic"] == fmt(res.f_statistic)  # the Wald F with this covariance
    assert any(f"{cov_type}" in c.value and "standard errors" in c.value for c in at.caption)
    assert "cov=" + cov_type in "&".join(f"{k}={v}" for k, v in at.query_params.items()).replace("['", "").replace("']", "")


def test_hac_takes_its_lags_and_a_link_carries_them():
    at = _fit_page()
    at.radio(key="fit_cov").set_value("HAC").run()
    at.number_input(key="fit_lags").set_value(3).run()
    assert not at.exception and not at.error
    _, res = _fit_options(at, cov_type="HAC", maxlags=3)
    assert at.dataframe[0].value["std. error"].tolist() == [fmt(s) for s in res.std_err]
    assert any("with 3 lags" in c.value for c in at.caption)
    at.number_input(key="fit_lags").set_value(0).run()  # 0: statsmodels' automatic lag count
    _, auto = _fit_options(at, cov_type="HAC")
    assert at.session_state["lr_fit_settings"].maxlags is None
    assert at.dataframe[0].value["std. error"].tolist() == [fmt(s) for s in auto.std_err]
    at.number_input(key="fit_lags").set_value(60).run()  # more lags than rows: refused by name
    assert any("maxlags must be a whole number from 0 to n - 1 = 49" in e.value for e in at.error)


def test_breusch_pagan_sits_beside_the_selector():
    from linreg.diagnostics import breusch_pagan

    at = _fit_page()
    _, res = _fit_options(at)
    p = breusch_pagan(res).p_value
    assert any(i.value.startswith(f"Breusch–Pagan p = {fmt_p(p)}: no sign") for i in at.info), [i.value for i in at.info]
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update({"gen": "heteroscedastic"})
    at.run()
    at.switch_page("pages/fit.py").run()
    _, res = _fit_options(at)
    p = breusch_pagan(res).p_value
    assert p < 0.05
    assert any(w.value == f"Breusch–Pagan p = {fmt_p(p)}: the residual spread changes with the predictors; "
               "HC3 standard errors are safer." for w in at.warning), [w.value for w in at.warning]


def _weighted_upload(at: AppTest) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.uniform(1, 10, 30)
    df = pd.DataFrame({"w": 1.0 / x, "x": x, "y": 2 + 3 * x + rng.normal(0, x)})
    df.loc[[0, 1], "w"] = [0.0, np.nan]
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value(("w.csv", df.to_csv(index=False).encode(), "text/csv")).run()
    at.multiselect(key="features").set_value(["x"]).run()
    at.selectbox(key="data_weights").set_value("w").run()
    assert not at.exception and not at.error
    return df


def test_a_weights_column_fits_weighted_least_squares_as_r():
    at = AppTest.from_file(APP, default_timeout=30).run()
    _weighted_upload(at)
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error
    data = at.session_state["lr_data"]
    kept = data[data["w"].notna()]
    design = build_design(kept, at.session_state["lr_spec"])
    res = fit_design(design, weights=kept.loc[design.row_labels, "w"].to_numpy())
    assert res.n == 28
    m = _metrics(at)
    assert m["R²"] == fmt(res.r_squared)
    assert m["σ (residual std. error)"] == fmt(res.sigma)
    assert m["AIC (R, σ counted)"] == fmt(res.aic_r)
    assert at.dataframe[0].value["std. error"].tolist() == [fmt(s) for s in res.std_err]
    note = next(i.value for i in at.info if i.value.startswith("Weighted least squares"))
    assert "lm(weights = `w`)" in note and "1 without a weight and 1 of weight 0" in note
    assert at.session_state["lr_fit_settings"].weights == "w"
    # Making the weights column a feature takes the weights away, with a note.
    at.switch_page("pages/data.py").run()
    at.multiselect(key="features").set_value(["x", "w"]).run()
    assert at.session_state["lr_fit_settings"].weights is None
    assert any("is in the model, so the fit is no longer weighted" in c.value for c in at.caption)


def test_a_smaller_model_is_compared_as_r_anova():
    from linreg.nested import compare_models, fit_without

    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update({"data": "stackloss"})
    at.run()
    at.switch_page("pages/fit.py").run()
    key = next(w.key for w in at.multiselect if w.key.startswith("fit_drop_"))
    at.multiselect(key=key).set_value(["water_temp", "acid_conc"]).run()
    assert not at.exception and not at.error
    design, larger = _fit_options(at)
    c = compare_models(fit_without(design, ["water_temp", "acid_conc"]), larger)
    table = next(d.value for d in at.dataframe if "Res.Df" in d.value.columns)
    assert table["Res.Df"].tolist() == ["19", "17"]
    assert table["F"].tolist() == ["", fmt(c.f_statistic)]
    assert table["Pr(>F)"].tolist() == ["", fmt_p(c.p_value)]
    assert table["RSS"].tolist() == [fmt(c.rss_smaller), fmt(c.rss_larger)]
    # By hand, from a separate fit of the smaller model: ((RSS_smaller - RSS_larger) / 2) / (RSS_larger / 17).
    small = fit_design(build_design(at.session_state["lr_data"], replace(at.session_state["lr_spec"],
                                                                         features=("air_flow",))))
    assert c.f_statistic == pytest.approx(((small.rss - larger.rss) / 2) / (larger.rss / 17), rel=1e-10)
    assert any(m.value.startswith(f"F = {fmt(c.f_statistic)} on 2 and 17 degrees of freedom, p = {fmt_p(c.p_value)}, "
                                  f"ΔR² = {fmt(c.delta_r_squared)}") for m in at.markdown)


def test_a_comparison_that_cannot_be_made_is_refused_with_the_reason():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "b": [2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
                       "y": [1.0, 3.0, 2.0, 5.0, 4.0, 6.5]})
    at = _upload_then_fit(AppTest.from_file(APP, default_timeout=30).run(), "alias.csv", df)
    key = next(w.key for w in at.multiselect if w.key.startswith("fit_drop_"))
    at.multiselect(key=key).set_value(["b"]).run()
    assert not at.exception
    assert any(e.value.startswith("The comparison is refused:") and "aliased" in e.value for e in at.error)


def test_a_typed_row_is_predicted_with_both_intervals():
    from linreg.predict import predict

    at = _fit_page()
    key = next(w.key for w in at.number_input if w.key.startswith("pred_"))
    at.number_input(key=key).set_value(21.0)
    at.button(key="pred_submit").click().run()
    assert not at.exception and not at.error
    design, res = _fit_options(at)
    p = predict(res, design, pd.DataFrame({"speed": [21.0]})).iloc[0]
    # R's coef(lm(dist ~ speed, cars)) is (-17.579095, 3.932409): at speed 21 the fit is 65.00149.
    assert round(p["prediction"], 5) == 65.00149
    sentence = next(m.value for m in at.markdown if m.value.startswith("Predicted"))
    assert sentence == (f"Predicted `dist`: **{fmt(p['prediction'], 5)}**; 95% confidence interval of the mean "
                        f"[{fmt(p['ci_low'], 5)}, {fmt(p['ci_high'], 5)}]; 95% prediction interval of a new "
                        f"observation [{fmt(p['pi_low'], 5)}, {fmt(p['pi_high'], 5)}].")
    table = next(d.value for d in at.dataframe if "prediction" in d.value.columns)
    assert table["95% PI high"].tolist() == [fmt(p["pi_high"], 5)]
    assert "Predictions (CSV)" in [b.proto.label for b in at.get("download_button")]


def test_prediction_follows_the_robust_covariance_and_the_level():
    from linreg.predict import predict

    at = _fit_page()
    at.radio(key="fit_cov").set_value("HC3").run()
    at.select_slider(key="fit_level").set_value(90).run()
    design, res = _fit_options(at, cov_type="HC3")
    key = next(w.key for w in at.number_input if w.key.startswith("pred_"))
    speed = at.number_input(key=key).value  # the median speed, where the form starts
    p = predict(res, design, pd.DataFrame({"speed": [speed]}), alpha=0.1).iloc[0]
    table = next(d.value for d in at.dataframe if "prediction" in d.value.columns)
    assert table["90% CI low"].tolist() == [fmt(p["ci_low"], 5)]
    assert table["std. error"].tolist() == [fmt(p["se_fit"])]


def test_uploaded_new_rows_are_predicted_and_bad_ones_get_a_clear_message():
    from linreg.predict import predict

    rng = np.random.default_rng(8)
    df = pd.DataFrame({"g": rng.choice(["a", "b", "c"], 40), "x": rng.normal(size=40)})
    df["y"] = 1 + df["x"] + (df["g"] == "b") + rng.normal(0, 0.3, 40)
    at = _upload_then_fit(AppTest.from_file(APP, default_timeout=30).run(), "g.csv", df)
    select = next(w for w in at.selectbox if w.key.startswith("pred_"))
    assert select.options == ["a", "b", "c"]  # a categorical column's levels
    new = pd.DataFrame({"x": [0.5, -1.0], "g": ["c", "a"]})
    at.file_uploader(key="pred_upload").set_value(("new.csv", new.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and not at.error
    design, res = _fit_options(at)
    p = predict(res, design, new)
    table = [d.value for d in at.dataframe if "prediction" in d.value.columns][-1]
    assert table["prediction"].tolist() == [fmt(v, 5) for v in p["prediction"]]
    assert table["g"].tolist() == ["c", "a"]
    for bad, message in [
        (pd.DataFrame({"x": [0.5], "g": ["z"]}), "has the level 'z' in column 'g', which the model was not fitted with"),
        (pd.DataFrame({"x": [0.5]}), "the new rows have no column 'g'"),
        (pd.DataFrame({"x": ["lots"], "g": ["a"]}), "holds 'lots' in column 'x', which the model uses as a number"),
    ]:
        at.file_uploader(key="pred_upload").set_value(("bad.csv", bad.to_csv(index=False).encode(), "text/csv")).run()
        assert not at.exception
        errors = [e.value.replace("\\", "") for e in at.error]
        assert any(e.startswith("These rows cannot be predicted:") and message in e for e in errors), errors


def test_hostile_names_in_the_weights_comparison_and_prediction_render_literally():
    from .test_hostile_names import FILE_NAME, LINK, TEXT, WWW, _assert_nothing_live, _frame

    df = _frame()
    df[WWW] = df[WWW].abs() + 0.1  # a positive column, to weight by
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.file_uploader(key="upload").set_value((FILE_NAME, df.to_csv(index=False).encode(), "text/csv")).run()
    features = [f for f in at.multiselect(key="features").value if f != WWW]
    at.multiselect(key="features").set_value(features).run()
    at.selectbox(key="data_weights").set_value(WWW).run()
    _assert_nothing_live(at, "data page with a weights column")
    at.switch_page("pages/fit.py").run()
    assert not at.error, [e.value for e in at.error]
    _assert_nothing_live(at, "fit page, weighted")
    key = next(w.key for w in at.multiselect if w.key.startswith("fit_drop_"))
    at.multiselect(key=key).set_value([LINK, TEXT]).run()
    assert not at.error, [e.value for e in at.error]
    assert any(d.value.columns.tolist()[:2] == ["model", "Res.Df"] for d in at.dataframe)
    _assert_nothing_live(at, "fit page, a smaller model")
    bad = pd.DataFrame({c: ["[x](http://a.b)"] for c in features})
    at.file_uploader(key="pred_upload").set_value(("<b>new</b>.csv", bad.to_csv(index=False).encode(),
                                                   "text/csv")).run()
    assert at.error  # text where the model needs a number
    _assert_nothing_live(at, "fit page, bad new rows")
    at.switch_page("pages/residuals.py").run()
    _assert_nothing_live(at, "residuals page, weighted")
    # Making the weights column a feature again drops it, with a note that names it literally.
    at.switch_page("pages/data.py").run()
    at.multiselect(key="features").set_value([*features, WWW]).run()
    _assert_nothing_live(at, "data page, weights column made a feature")
