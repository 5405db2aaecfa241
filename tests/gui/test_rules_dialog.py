"""The « Règles actives » dialog and the « Règles » menu (issue 9, GUI part)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from app.core.benefits import rules_pack
from app.core.rules import folder as rules_folder
from app.core.base.i18n import t
from app.gui.views import rules_dialog
from app.gui.views.rules_dialog import RulesDialog, install

LOCAL_AIDS = {"paris_logement", "paris_logement_familles", "paris_solidarite_seniors",
              "revenu_solidarite_jeunes", "tcl_solidaire_gratuit"}


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("GUICHET_DATA_DIR", str(folder))
    return folder


class FakeWindow(QWidget):
    """Stands for the main window: counts engine restarts."""

    def __init__(self) -> None:
        super().__init__()
        self.restarts = 0

    def restart_engine(self) -> None:
        self.restarts += 1


def open_dialog(qtbot: Any) -> tuple[RulesDialog, FakeWindow]:
    window = FakeWindow()
    qtbot.addWidget(window)
    dialog = RulesDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0 and dialog.is_idle(), timeout=15000)
    return dialog, window


def test_shows_active_version_and_local_aids(qtbot: Any, gui_app: Any) -> None:
    dialog, _window = open_dialog(qtbot)
    info = rules_folder.active_rules_info()
    text = dialog.summary.text()
    assert t("gui_rules.dialog.version", version=info.version) in text
    assert "du 01/02/2024 au 01/10/2026" in text  # French dates
    assert t("rules.info.source_bundled") in text
    assert t("rules.info.no_previous") in text
    assert not dialog.rollback_button.isEnabled()
    assert {e.id for e in dialog.local_aids()} == LOCAL_AIDS
    labels = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    for entry in dialog.local_aids():
        assert entry.label in labels
        assert entry.territory
    assert dialog.table.accessibleName() and dialog.import_button.accessibleName()


def test_corrupt_pack_refused_and_nothing_changes(qtbot: Any, gui_app: Any, tmp_path: Path,
                                                  data_dir: Path) -> None:
    dialog, window = open_dialog(qtbot)
    before = rules_folder.active_rules_info()
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"PK\x03\x04 this is not a zip file at all")
    dialog.import_file(corrupt)
    prefix = t("gui_rules.import.refused", reason="")
    qtbot.waitUntil(lambda: dialog.status.text().startswith(prefix), timeout=15000)
    assert len(dialog.status.text()) > len(prefix)  # the French reason follows
    assert rules_folder.active_rules_info() == before
    assert not (data_dir / "rules" / "packs").exists() or not any((data_dir / "rules" / "packs").iterdir())
    assert window.restarts == 0
    assert dialog.import_button.isEnabled()


def test_import_success_restarts_engine_then_rollback(qtbot: Any, gui_app: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    dialog, window = open_dialog(qtbot)
    bundled = rules_folder.active_rules_info()
    imported = rules_folder.RulesInfo(
        version="2099.1.1", title="Essai", legislation_from=bundled.legislation_from,
        legislation_until=bundled.legislation_until, source="imported", folder=str(tmp_path),
        previous_version=bundled.version)
    calls: list[Path] = []

    def fake_import(path: Path, run_tests: bool = True) -> rules_folder.RulesInfo:  # the heavy part, mocked
        calls.append(path)
        return imported

    monkeypatch.setattr(rules_pack, "import_pack", fake_import)
    monkeypatch.setattr(rules_folder, "active_rules_info", lambda: imported)
    dialog.import_file(tmp_path / "pack.zip")
    qtbot.waitUntil(lambda: dialog.status.text() == t("gui_rules.import.done", version="2099.1.1"), timeout=15000)
    assert calls == [tmp_path / "pack.zip"]
    assert window.restarts == 1
    assert "2099.1.1" in dialog.summary.text()
    assert dialog.rollback_button.isEnabled()
    qtbot.waitUntil(dialog.is_idle, timeout=15000)

    # Rollback: refused by the agent, nothing happens; confirmed, the engine restarts again.
    monkeypatch.setattr(rules_pack, "rollback", lambda: bundled)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog.rollback()
    assert window.restarts == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.rollback()
    assert window.restarts == 2
    assert dialog.status.text() == t("gui_rules.rollback.done", version=bundled.version)
    qtbot.waitUntil(dialog.is_idle, timeout=15000)


def test_rollback_without_previous_is_refused_in_french(qtbot: Any, gui_app: Any) -> None:
    dialog, window = open_dialog(qtbot)
    dialog.rollback(confirm=False)
    assert dialog.status.text() == t("gui_rules.rollback.refused", reason=t("rules.pack.nothing_to_roll_back"))
    assert window.restarts == 0


def test_install_adds_rules_menu_before_help(qtbot: Any, gui_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.menuBar().addMenu(t("gui.menu.file"))
    window.menuBar().addMenu(t("gui.menu.help"))
    install(window)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == [t("gui.menu.file"), t("gui_rules.menu.title"), t("gui.menu.help")]
    texts = [a.text() for a in window.rules_menu.actions() if not a.isSeparator()]
    assert texts == [t("gui_rules.menu.show"), t("gui_rules.menu.import"), t("gui_rules.menu.rollback")]
    shown: list[Any] = []
    monkeypatch.setattr(rules_dialog, "show_rules_dialog", lambda w: shown.append(w))
    window.rules_show_action.trigger()
    assert shown == [window]


def test_restarting_the_engine_reloads_the_windows_catalogue(qtbot: Any, window: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """After an import or a rollback the dialog restarts the window's engine: the window's
    own catalogue (results' labels, « Aides déjà perçues ») follows, no app restart."""
    import dataclasses

    from app.gui import main_window

    removed = window.catalogue.local_aids[-1]
    newer = dataclasses.replace(window.catalogue, local_aids=window.catalogue.local_aids[:-1])
    monkeypatch.setattr(main_window, "load_core_modules", lambda: newer)
    monkeypatch.setattr(window.engine, "restart", lambda: None)  # the process: tests/gui/test_engine_process.py
    assert removed.id in window.editor.received
    window.restart_engine()
    qtbot.waitUntil(lambda: window.catalogue is newer, timeout=5000)
    assert removed.id not in window.editor.received
    assert window.results.model._catalogue is newer


def test_signer_shown_and_older_pack_asks_before_going_back(qtbot: Any, gui_app: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    dialog, window = open_dialog(qtbot)
    assert t("gui_rules.dialog.signed", signed=t("rules.info.not_signed")) in dialog.summary.text()
    bundled = rules_folder.active_rules_info()
    imported = rules_folder.RulesInfo(
        version="2026.1.0", title="Essai", legislation_from=bundled.legislation_from,
        legislation_until=bundled.legislation_until, source="imported", folder=str(tmp_path),
        previous_version=bundled.version, signer="Projet Guichet (clé 1838 8A86 B0FB F113)")
    calls: list[bool] = []

    def fake_import(path: Path, run_tests: bool = True, allow_older: bool = False) -> rules_folder.RulesInfo:
        calls.append(allow_older)
        if not allow_older:
            raise rules_pack.OlderPackError(t("rules.pack.older", version="2026.1.0", active=bundled.version))
        return imported

    monkeypatch.setattr(rules_pack, "import_pack", fake_import)
    questions: list[str] = []

    def answer(_parent: Any, _title: str, text: str, *a: Any, **k: Any) -> QMessageBox.StandardButton:
        questions.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog.import_file(tmp_path / "old.zip")
    qtbot.waitUntil(lambda: bool(questions) and dialog.is_idle(), timeout=15000)
    assert calls == [False] and "plus ancien" in questions[0] and window.restarts == 0
    assert "plus ancien" in dialog.status.text()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(rules_folder, "active_rules_info", lambda: imported)
    dialog.import_file(tmp_path / "old.zip")
    qtbot.waitUntil(lambda: dialog.status.text() == t("gui_rules.import.done", version="2026.1.0"), timeout=15000)
    assert calls == [False, False, True] and window.restarts == 1
    assert "Signature : signé par Projet Guichet (clé 1838 8A86 B0FB F113)" in dialog.summary.text()
    qtbot.waitUntil(dialog.is_idle, timeout=15000)
