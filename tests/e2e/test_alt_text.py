"""Alt text in the browser: each chart is a labelled figure, and a hostile column name stays text."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

HOSTILE_X = "<img src=x onerror=window.__pwned=1> [a](http://e.com)"


def test_charts_are_labelled_figures_and_hostile_names_stay_text(page, base_url, tmp_path):
    page.goto(f"{base_url}/")
    wait_for_app(page)
    chart = page.locator(".st-key-explore_chart [data-testid=stPlotlyChart]")
    chart.wait_for(timeout=30_000)
    assert chart.get_attribute("role") == "figure"
    assert chart.get_attribute("aria-label").startswith("50 rows of dist against speed")

    rng = np.random.default_rng(1)
    x = rng.normal(size=30)
    csv = tmp_path / "h.csv"
    csv.write_text(f'"{HOSTILE_X}",y\n' + "\n".join(f"{a:.6f},{1 + 2 * a:.6f}" for a in x))
    page.get_by_role("tab", name="Upload a CSV").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    page.get_by_text("Upload: h.csv").first.wait_for(timeout=30_000)
    wait_for_app(page)
    label = chart.get_attribute("aria-label")
    assert HOSTILE_X in label, label
    # The name was set as an attribute's text: no element came of it, and its script never ran.
    assert chart.locator("img").count() == 0
    assert page.evaluate("window.__pwned") is None
