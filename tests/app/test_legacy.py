"""The old-``pages/``-mode workaround (``ui.legacy``) still matches what Streamlit does.

``ui.legacy.through_app`` turns the old mode off by setting ``PagesManager.uses_pages_directory``
to False. If Streamlit renames that flag, or stops keying the old mode on a ``pages/`` folder
beside the main script, these tests fail instead of the workaround silently doing nothing.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

from ui import legacy

ROOT = Path(__file__).resolve().parents[2]
# Streamlit's own constructor, taken at import, before the autouse fixture wraps it for a test.
STREAMLIT_INIT = PagesManager.__init__


def _fresh_manager(monkeypatch, main_script: Path) -> bool:
    """The old-mode flag a first PagesManager sets for ``main_script`` (as on a started server)."""
    monkeypatch.setattr(PagesManager, "__init__", STREAMLIT_INIT)
    monkeypatch.setattr(PagesManager, legacy.FLAG, None)
    PagesManager(str(main_script))
    return getattr(PagesManager, legacy.FLAG)


def test_the_flag_is_still_a_class_attribute():
    assert legacy.FLAG in vars(PagesManager)


def test_a_pages_folder_beside_the_main_script_turns_the_old_mode_on(monkeypatch):
    assert (ROOT / "pages").is_dir()
    assert _fresh_manager(monkeypatch, ROOT / "app.py") is True


def test_without_a_pages_folder_the_old_mode_stays_off(monkeypatch, tmp_path):
    (tmp_path / "main.py").write_text("")
    assert _fresh_manager(monkeypatch, tmp_path / "main.py") is False


def test_a_flag_set_to_false_stays_false(monkeypatch):
    # What through_app relies on: once off (as st.navigation leaves it), a new manager keeps it off.
    monkeypatch.setattr(PagesManager, "__init__", STREAMLIT_INIT)
    monkeypatch.setattr(PagesManager, legacy.FLAG, False)
    PagesManager(str(ROOT / "app.py"))
    assert getattr(PagesManager, legacy.FLAG) is False


def test_serve_as_started_turns_it_off_and_undoes_cleanly(monkeypatch):
    monkeypatch.setattr(PagesManager, "__init__", STREAMLIT_INIT)
    undo = legacy.serve_as_started()
    monkeypatch.setattr(PagesManager, legacy.FLAG, None)
    PagesManager(str(ROOT / "app.py"))
    assert getattr(PagesManager, legacy.FLAG) is False
    undo()
    assert PagesManager.__init__ is STREAMLIT_INIT
