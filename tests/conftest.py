"""Shared fixtures: where the NIST certified datasets live; AppTest runs the app as the server does."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NIST_DIR = ROOT.parent / "shared" / "reference" / "nist"


@pytest.fixture(scope="session")
def nist_dir() -> Path:
    """The NIST StRD folder, or a skip saying why it is absent."""
    if not NIST_DIR.is_dir():
        pytest.skip(f"NIST reference data not found at {NIST_DIR} (it exists in CI)")
    return NIST_DIR


@pytest.fixture(autouse=True)
def _every_run_goes_through_app_py(monkeypatch):
    """Run app.py on every page, as the served app does once it has started.

    With a ``pages/`` folder beside app.py, Streamlit's old multipage mode is on until some run
    calls ``st.navigation``, and AppTest turns it back on before every run. Each page would then
    run alone first and hand over to app.py with ``st.rerun`` (``state.through_app``), which
    drops a button's click on every run. A served app turns the mode off once, for good; so
    do these tests. ``tests/e2e`` checks the hand-over on a freshly started server.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
