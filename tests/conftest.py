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
def _every_run_goes_through_app_py():
    """Run app.py on every page, as the served app does once it has started (``ui.legacy``).

    ``tests/e2e`` checks the hand-over on a freshly started server, and ``tests/app/test_legacy.py``
    that Streamlit still behaves as the workaround expects.
    """
    from ui.legacy import serve_as_started

    undo = serve_as_started()
    yield
    undo()


@pytest.fixture(autouse=True)
def _the_real_main_module():
    """Put back the ``__main__`` module an AppTest run replaces with its script and leaves behind.

    A process that multiprocessing spawns later (a Dask LocalCluster's workers) re-runs ``__main__``'s
    file: after ``AppTest.from_function`` that is a temporary script that fails outside Streamlit.
    """
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
