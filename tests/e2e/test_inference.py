"""Inference in a real browser: robust standard errors, a smaller model, a prediction for a typed-in row.

Each number on screen is compared with linreg's own, computed here from the same data.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from linreg.datasets import load_dataset
from linreg.design import ModelSpec, build_design, fit_design
from linreg.format import fmt, fmt_p
from linreg.nested import compare_models, fit_without
from linreg.predict import predict

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e


def _open(page, base_url: str, path: str) -> None:
    page.goto(f"{base_url}/{path}")
    wait_for_app(page, timeout=60_000)


def _settle(page) -> None:
    page.wait_for_timeout(400)
    wait_for_app(page)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Traceback").count() == 0


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').first.inner_text()


def _coefficients_csv(page) -> pd.DataFrame:
    """The Fit page's coefficient table as its download gives it (the table itself is drawn on a canvas)."""
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Coefficients (CSV)").click()
    return pd.read_csv(io.StringIO(download.value.path().read_text(encoding="utf-8")))


def _metric(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]', has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text()


def _cars():
    df, _ = load_dataset("cars")
    design = build_design(df, ModelSpec("dist", ("speed",)))
    return df, design


def test_choosing_hc3_changes_the_standard_errors(page, base_url, shots_dir):
    _, design = _cars()
    classical, hc3 = fit_design(design), fit_design(design, cov_type="HC3")
    _open(page, base_url, "fit?data=cars")
    before = _coefficients_csv(page)
    assert_array_equal(before["std_err"], classical.std_err)
    assert _metric(page, "F statistic") == fmt(classical.f_statistic)

    page.get_by_role("radiogroup", name="Standard errors").get_by_text("HC3", exact=True).click()
    _settle(page)
    page.wait_for_function("() => window.location.search.includes('cov=HC3')", timeout=15_000)
    after = _coefficients_csv(page)
    assert_array_equal(after["estimate"], before["estimate"])  # the coefficients stay
    assert_array_equal(after["std_err"], hc3.std_err)  # exact: the CSV round-trips
    assert not np.allclose(after["std_err"], before["std_err"])
    assert _metric(page, "F statistic") == fmt(hc3.f_statistic)  # the Wald F with HC3
    assert "HC3 standard errors" in _main_text(page)
    _no_exception(page)
    page.screenshot(path=str(shots_dir / "fit-hc3.png"), full_page=True)


def test_a_smaller_model_is_compared(page, base_url, shots_dir):
    df, _ = load_dataset("stackloss")
    design = build_design(df, ModelSpec("stack_loss"))
    c = compare_models(fit_without(design, ["acid_conc"]), fit_design(design))
    _open(page, base_url, "fit?data=stackloss")
    box = page.locator('[data-testid="stMultiSelect"]', has_text="Terms to leave out").first
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name="acid_conc", exact=True).click()
    page.keyboard.press("Escape")
    _settle(page)
    sentence = (f"F = {fmt(c.f_statistic)} on 1 and 17 degrees of freedom, p = {fmt_p(c.p_value)}, "
                f"ΔR² = {fmt(c.delta_r_squared)}")
    page.get_by_text(sentence).first.wait_for(timeout=15_000)
    assert "no evidence that the left-out terms add anything" in _main_text(page)
    _no_exception(page)
    page.screenshot(path=str(shots_dir / "fit-compare.png"), full_page=True)


def test_a_typed_in_row_is_predicted_with_both_intervals(page, base_url, shots_dir):
    _, design = _cars()
    p = predict(fit_design(design), design, pd.DataFrame({"speed": [21.0]})).iloc[0]
    _open(page, base_url, "fit?data=cars")
    form = page.locator('[data-testid="stForm"]').first
    form.scroll_into_view_if_needed()
    box = form.locator('[data-testid="stNumberInput"]', has_text="speed").locator("input")
    box.fill("21")
    box.press("Enter")
    form.get_by_role("button", name="Predict").click()
    _settle(page)
    sentence = (f"Predicted dist: {fmt(p['prediction'], 5)}; 95% confidence interval of the mean "
                f"[{fmt(p['ci_low'], 5)}, {fmt(p['ci_high'], 5)}]; 95% prediction interval of a new observation "
                f"[{fmt(p['pi_low'], 5)}, {fmt(p['pi_high'], 5)}].")
    page.get_by_text(sentence).first.wait_for(timeout=15_000)
    _no_exception(page)
    page.screenshot(path=str(shots_dir / "fit-predict.png"), full_page=True)
