"""Smoke test: app.py and every registered page run without an exception on the default data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def _registered_pages() -> list[str]:
    """The page files app.py lists (read from its PAGES literal, so this test never falls behind)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [entry[0] for entry in ast.literal_eval(node.value)]
    raise AssertionError("app.py has no PAGES list")


# app.py registers the pages that exist; so does this test.
PAGES = [p for p in _registered_pages() if (ROOT / p).is_file()]
OWN_PAGES = {"pages/data.py", "pages/fit.py"}


def test_app_opens_on_data_page_with_a_dataset_loaded():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "📂 Data"
    # The sidebar names the dataset and the target.
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "rows" in sidebar and "Target" in sidebar


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    if page in OWN_PAGES:
        assert not at.error, [e.value for e in at.error]


def test_every_page_file_is_in_the_navigation():
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")}
    assert files <= set(_registered_pages()), f"pages missing from app.PAGES: {sorted(files - set(_registered_pages()))}"
