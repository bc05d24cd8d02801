"""AppTest fixtures: a fresh cache for every test, and the app's paths."""

from pathlib import Path

import pytest

from ui import cache

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _clear_cache():
    # The caches live for the whole process; one test's results must not leak into the next.
    cache.clear()
    yield
    cache.clear()

