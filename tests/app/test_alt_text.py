"""Every plotly chart carries alt text for screen readers: its one-line summary, as plain text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
# Pages whose main content is a plotly chart (the GD page steps in its own component).
CHART_PAGES = ["pages/data.py", "pages/fit.py", "pages/residuals.py", "pages/compare.py", "pages/regularization.py"]
HOSTILE_X = "<img src=x onerror=alert(1)> [a](http://e.com) *b*"
HOSTILE_Y = "y</b>$z$"


def _charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def _assert_alt(at: AppTest, where: str) -> list[str]:
    assert not at.exception, (where, [e.value for e in at.exception])
    alts = [c.proto.alt for c in _charts(at)]
    assert all(a.strip() for a in alts), (where, alts)
    return alts


@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_on_every_page_has_alt_text(page):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    alts = _assert_alt(at, page)
    assert alts, f"{page} drew no plotly chart"


def test_the_residual_plots_say_what_their_captions_say():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/residuals.py").run()
    alts = _assert_alt(at, "residuals")
    assert len(alts) == 5  # R's four plots and the histogram
    assert alts[0].startswith("Residuals") or "residual" in alts[0].lower(), alts[0]
    shown = " ".join(m.value.replace("\\", "") for m in [*at.markdown, *at.caption])
    for alt in alts:
        assert alt in shown, alt  # the same sentence as the caption under the chart


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_every_lesson_chart_has_alt_text(lesson):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state["lr_lesson"] = lesson
    at.switch_page("pages/learn.py").run()
    assert at.session_state["learn_lesson"] == lesson
    _assert_alt(at, f"lesson {lesson}")


def test_hostile_column_names_stay_plain_text_in_alt_text():
    rng = np.random.default_rng(0)
    x = rng.normal(size=30)
    df = pd.DataFrame({HOSTILE_X: x, HOSTILE_Y: 1 + 2 * x + rng.normal(scale=0.3, size=30)})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.file_uploader(key="upload").set_value(("h.csv", df.to_csv(index=False).encode(), "text/csv")).run()
    alts = _assert_alt(at, "data page")
    assert len(alts) == 1
    # The names as they are: not escaped for Markdown (a screen reader would read the backslashes),
    # since the browser sets alt text as an attribute, which is never markup.
    assert HOSTILE_X in alts[0] and HOSTILE_Y in alts[0], alts[0]
    at.switch_page("pages/fit.py").run()
    alts = _assert_alt(at, "fit page")
    assert any(HOSTILE_X in a for a in alts), alts
