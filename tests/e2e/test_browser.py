"""The app in a real browser: every page renders, an upload fits, the GD stepper moves."""

from __future__ import annotations

import re

import numpy as np
import pytest

from linreg.ols import fit_ols

from .conftest import start_app, stop_app, wait_for_app

pytestmark = pytest.mark.e2e

PAGES = [("", "Data"), ("fit", "Fit"), ("residuals", "Residuals"),
         ("descent", "Gradient descent"), ("compare", "Compare"),
         ("regularization", "Regularization"), ("learn", "Learn")]


def _open(page, base_url: str, path: str = "") -> None:
    page.goto(f"{base_url}/{path}")
    wait_for_app(page)


def _go(page, title: str) -> None:
    """Follow the sidebar link, which keeps the session (a new URL load would start a fresh one)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Traceback").count() == 0


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_every_page_loads_without_an_exception(page, base_url, shots_dir, path, title):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _open(page, base_url, path)
    assert title in page.locator("h1").first.inner_text()
    # Charts are the point of most pages: at least one plotly figure has drawn (lesson 1, which opens
    # the Learn page, draws its own figure in the browser).
    if path:
        page.wait_for_selector(".lpd[data-ready='1']" if path == "learn" else ".js-plotly-plot", timeout=30_000)
    _no_exception(page)
    page.screenshot(path=str(shots_dir / f"{path or 'data'}.png"), full_page=True)
    assert errors == []


def test_a_csv_uploads_and_fits(page, base_url, tmp_path, shots_dir):
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 10, 40)
    y = 3.25 + 1.75 * x + rng.normal(0, 0.5, 40)
    csv = tmp_path / "mine.csv"
    csv.write_text("hours,score\n" + "\n".join(f"{a:.6f},{b:.6f}" for a, b in zip(x, y)))
    xr = np.loadtxt(csv, delimiter=",", skiprows=1)
    expected = fit_ols(xr[:, :1], xr[:, 1])

    _open(page, base_url)
    page.get_by_role("tab", name="Upload a CSV").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    page.wait_for_timeout(500)
    wait_for_app(page)
    page.get_by_text("Upload: mine.csv").first.wait_for(timeout=15_000)
    _no_exception(page)

    _go(page, "Fit")
    body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
    _no_exception(page)
    page.screenshot(path=str(shots_dir / "fit-after-upload.png"), full_page=True)
    # The slope and R² shown are the closed-form ones for the uploaded numbers.
    assert f"{expected.coef[1]:.4f}"[:5] in body
    assert f"{expected.r_squared:.3f}"[:4] in body


def test_gd_scrubber_moves(page, base_url):
    _open(page, base_url)
    _go(page, "Gradient descent")
    page.wait_for_selector(".gds[data-ready='1']", timeout=30_000)

    def iteration() -> int:
        text = page.locator('[data-testid="stMain"]').first.inner_text()
        found = re.search(r"Iteration (\d+) of \d+", text)
        assert found, "the page states the iteration on show"
        return int(found.group(1))

    start = iteration()
    page.get_by_role("button", name="Next ›").click()
    assert iteration() == start + 1  # in the browser: no rerun to wait for
    slider = page.get_by_role("slider", name="Iteration k")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert iteration() == start + 4
    page.wait_for_timeout(800)
    wait_for_app(page)
    assert iteration() == start + 4  # the settled iteration's rerun leaves it there
    _no_exception(page)


def test_gd_play_animates_in_the_browser(page, base_url):
    # Play steps through the stored history in the browser, with no round trip.
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    _open(page, base_url, "descent")
    stepper = page.locator(".gds[data-ready='1']")
    stepper.wait_for(timeout=30_000)
    start = int(stepper.get_attribute("data-k"))
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("s => +document.querySelector('.gds').dataset.k > s", arg=start + 4, timeout=20_000)
    # The contour stays drawn while the marks move over it.
    assert page.locator(".gds-plot .contour path, .gds-plot .contourlines path").count() > 0
    page.get_by_role("button", name="❚❚ Pause").click()
    assert not errors, errors
    _no_exception(page)


def _metrics(page) -> dict[str, str]:
    tiles = page.locator('[data-testid="stMetric"]')
    return {tiles.nth(i).locator('[data-testid="stMetricLabel"]').inner_text():
            tiles.nth(i).locator('[data-testid="stMetricValue"]').inner_text() for i in range(tiles.count())}


def test_a_shared_link_reproduces_the_numbers(page, base_url, browser):
    _open(page, base_url)
    page.get_by_role("tab", name="Generate synthetic data").click()
    page.get_by_role("button", name="Generate").click()
    page.wait_for_timeout(500)
    wait_for_app(page)
    _go(page, "Fit")
    before = page.url
    page.get_by_text("SVD", exact=True).click()
    page.wait_for_timeout(500)
    wait_for_app(page)
    page.wait_for_function("() => window.location.search.includes('method=svd')", timeout=15_000)
    url = page.url
    assert url != before and "gen=" in url and "/fit" in url
    shown = _metrics(page)
    assert shown, "the Fit page shows metric tiles"

    fresh = browser.new_context()
    other = fresh.new_page()
    other.goto(url)
    wait_for_app(other)
    # The tiles arrive one by one as the script runs: wait until all of them are drawn.
    other.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= {len(shown)}",
                            timeout=30_000)
    wait_for_app(other)
    assert _metrics(other) == shown
    _no_exception(other)
    fresh.close()


def test_a_deep_link_to_a_freshly_started_server_goes_through_the_app(browser):
    # A shared link is often the first request a hosted demo gets after waking. Streamlit then
    # runs a pages/ file alone (its old multipage mode); ui.legacy.through_app hands it to app.py.
    proc, url = start_app()
    try:
        page = browser.new_page()
        page.goto(f"{url}/regularization?data=stackloss&pen=ridge&rseed=3")
        wait_for_app(page, timeout=60_000)
        page.wait_for_selector("text=Share this view", timeout=30_000)  # app.py's sidebar
        assert page.locator("h1").first.inner_text().startswith("🪢 Regularization")
        # The old mode found the page too (URLs are file names), so no "Page not found" dialog.
        assert page.locator("text=Page not found").count() == 0
        nav = page.locator('[data-testid="stSidebarNav"] a')
        titles = [nav.nth(i).inner_text().split("\n")[-1] for i in range(nav.count())]
        assert titles == ["Data", "Fit", "Residuals", "Gradient descent", "Compare", "Regularization", "Learn"]
        page.wait_for_function("() => window.location.search.includes('data=stackloss')", timeout=15_000)
        assert "pen=ridge" in page.url and "rseed=3" in page.url
        _no_exception(page)
        page.close()
    finally:
        stop_app(proc)
