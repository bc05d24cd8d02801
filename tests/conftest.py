"""Shared fixtures: where the NIST certified datasets live."""

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
