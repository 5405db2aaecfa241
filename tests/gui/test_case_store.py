"""The case database in the window (issue #5, GUI part), without the rules engine:
saving, the case list (search, sort, pages, open, duplicate, delete with
confirmation), the draft offered back after a SIGKILL, the read-only second
instance, an unreadable database, retention, export/import, statistics.

Each test has its own database (``tmp_path``); the engine process is never started
(a result is never needed here; tests/gui/test_case_history.py uses the engine).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.model.household import (
    Activity,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)
from app.core.base.i18n import t
from gui_helpers import key, type_text

REPO = Path(__file__).resolve().parents[2]


def household(first_name: str = "Léa", commune: str = "69123", postal_code: str = "69003",
              child: str = "Tom") -> Household:
    return Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1988, 3, 14), first_name=first_name, activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=1234.56),)),
            Person("p2", Role.ENFANT, dt.date(2016, 9, 2), first_name=child, schooling=Schooling.PRIMAIRE),
        ),
        couple=CoupleStatus.SEUL,
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=612.4, charges=48.0, commune_insee=commune,
                        postal_code=postal_code),
        savings=1500.0,
    )


def with_reference(h: Household, reference: str) -> Household:
    return dataclasses.replace(h, reference=reference)


def make_window(qtbot: Any, catalogue: Any, settings: QSettings, db: Path, open_now: bool = True) -> Any:
    from app.gui.case_session import CaseSession
    from app.gui.engine_process import EngineClient
    from app.gui.main_window import MainWindow

    session = CaseSession(db)
    if open_now:
        session.open_now()
    win = MainWindow(engine=EngineClient(), catalogue=catalogue, settings=settings, cases=session)
    win.ask_before_discard = False
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    QApplication.processEvents()
    return win


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "guichet.db"


@pytest.fixture
def cwin(qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings, db: Path) -> Iterator[Any]:
    win = make_window(qtbot, catalogue, settings, db)
    yield win
    win.ask_before_discard = False
    win.close()


def when_modal(qtbot: Any, action: Callable[[Any], None]) -> None:
    """Run ``action(dialog)`` on the next modal dialog, once it is shown (exec() blocks)."""
    def attempt() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or not modal.isVisible():
            QTimer.singleShot(20, attempt)
            return
        modal.activateWindow()  # offscreen: activation is not automatic
        QApplication.processEvents()
        action(modal)

    QTimer.singleShot(0, attempt)


# -- saving ---------------------------------------------------------------------------------------
def test_save_gives_a_reference_and_stores_the_case(cwin: Any, qtbot: Any) -> None:
    win = cwin
    store = win.cases.store
    win.load_household(household("Inès"), "2026-11")
    type_text(win.editor.forms[0].first_name, "Inès-Marie", clear=True)
    assert win.isWindowModified()
    assert win.save_case()
    year = dt.date.today().year
    reference = f"G-{year}-000001"
    assert win.case_reference == reference
    assert reference in win.windowTitle() and reference in win.case_label.text()
    assert not win.isWindowModified()
    assert win.editor.reference.text() == reference  # the stored body carries it
    record = store.get_case(win.case_id)
    stored, month = record.household()
    assert stored.persons[0].first_name == "Inès-Marie" and month == "2026-11"
    assert stored == with_reference(win.editor.collect().household, reference)
    # No result was up to date (the engine never ran): no simulation stored.
    assert store.list_simulations(win.case_id) == ()
    # A second save updates the same case; no new reference.
    type_text(win.editor.forms[0].first_name, "Inès", clear=True)
    assert win.save_case()
    assert win.case_reference == reference and store.count_cases() == 1
    assert store.get_case(win.case_id).household()[0].persons[0].first_name == "Inès"
    # « Enregistrer comme nouveau dossier »: a second reference.
    assert win.save_case_as()
    assert win.case_reference == f"G-{year}-000002" and store.count_cases() == 2


def test_a_case_without_any_name_is_listed(cwin: Any) -> None:
    from app.gui.views.case_list import CaseListDialog

    win = cwin
    win.load_household(household("", child=""), "2026-11")
    assert win.save_case()
    dialog = CaseListDialog(win.cases.store, win)
    assert dialog.model.rowCount() == 1
    assert dialog.model.data(dialog.model.index(0, 1)) == t("store.case.no_name")
    dialog.close()


# -- the case list ----------------------------------------------------------------------------------
def fill(store: Any) -> dict[str, int]:
    ids = {}
    for name, commune, postal in (("Léa", "69123", "69003"), ("Zoé", "75056", "75011"), ("Amir", "33063", "33000"),
                                  ("Léon", "69123", "69001")):
        ids[name] = store.save_case(household(name, commune, postal), "2026-11").id
    return ids


def test_search_sort_and_open_from_the_keyboard(cwin: Any, qtbot: Any) -> None:
    win = cwin
    ids = fill(win.cases.store)
    opened: list[str] = []

    def drive(dialog: Any) -> None:
        try:
            assert dialog.model.rowCount() == 4
            assert QApplication.focusWidget() is dialog.search
            # First names and communes, accents ignored: "lea lyon" finds Léa in Lyon only.
            type_text(dialog.search, "lea lyon")
            qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=3000)
            assert dialog.model.items[0].first_names[0] == "Léa"
            # A reference number, in part.
            reference = win.cases.store.get_case(ids["Amir"]).reference
            type_text(dialog.search, reference.split("-")[-1].lstrip("0"), clear=True)
            qtbot.waitUntil(lambda: [c.id for c in dialog.model.items] == [ids["Amir"]], timeout=3000)
            # A postal code, then sorting by first name (column header), both ways.
            type_text(dialog.search, "", clear=True)
            qtbot.waitUntil(lambda: dialog.model.rowCount() == 4, timeout=3000)
            dialog.sort_by("name")
            assert [c.first_names[0] for c in dialog.model.items] == ["Amir", "Léa", "Léon", "Zoé"]
            dialog.sort_by("name", descending=True)
            assert [c.first_names[0] for c in dialog.model.items] == ["Zoé", "Léon", "Léa", "Amir"]
            # Down arrow from the search field moves in the list; Enter opens.
            type_text(dialog.search, "zoe")
            qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=3000)
            dialog.search.setFocus()
            key(dialog.search, Qt.Key.Key_Down)
            key(None, Qt.Key.Key_Return)
            opened.append("done")
        except BaseException as error:  # surfaced below, not lost in the event loop
            opened.append(repr(error))
            dialog.reject()

    when_modal(qtbot, drive)
    win.show_cases()
    assert opened == ["done"]
    assert win.case_id == ids["Zoé"]
    assert win.editor.forms[0].first_name.text() == "Zoé"
    assert win.case_reference in win.windowTitle()
    assert not win.isWindowModified()


def test_date_range_and_pages(cwin: Any, qtbot: Any) -> None:
    from app.gui.views import case_list
    from app.gui.views.case_list import CaseListDialog

    store = cwin.cases.store
    for i in range(case_list.PAGE_SIZE + 5):
        store.save_case(household(f"Nom{i:02d}"), "2026-11")
    dialog = CaseListDialog(store, cwin)
    assert dialog.model.rowCount() == case_list.PAGE_SIZE and dialog.next_button.isEnabled()
    assert dialog.count.text() == t("gui.cases.list.count", first=1, last=case_list.PAGE_SIZE,
                                    total=case_list.PAGE_SIZE + 5)
    dialog.go_page(1)
    assert dialog.model.rowCount() == 5 and not dialog.next_button.isEnabled()
    dialog.period.setCurrentIndex(dialog.period.findData("today"))
    assert dialog.total == case_list.PAGE_SIZE + 5  # all created today
    dialog.period.setCurrentIndex(dialog.period.findData("custom"))
    dialog.date_from.setDate(dialog.date_from.date().addDays(-10))
    dialog.date_to.setDate(dialog.date_from.date().addDays(1))  # well before today
    assert dialog.total == 0 and dialog.count.text() == t("gui.cases.list.count_none")
    dialog.close()


def test_delete_asks_first_and_duplicate_makes_a_variant(cwin: Any, qtbot: Any) -> None:
    from app.gui.views.case_list import CaseListDialog

    win = cwin
    store = win.cases.store
    ids = fill(store)
    deleted: list[str] = []
    dialog = CaseListDialog(store, win, on_deleted=lambda case_id, ref: deleted.append(ref))
    dialog.show()
    type_text(dialog.search, "zoe")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=3000)
    reference = dialog.selected_case().reference
    questions: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> Callable[[Any], None]:
        def act(box: Any) -> None:
            questions.append(box.text())
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)  # Enter keeps the case
            box.button(button).click()
        return act

    when_modal(qtbot, answer(QMessageBox.StandardButton.No))
    dialog.table.setFocus()
    key(dialog.table, Qt.Key.Key_Delete)  # the Delete key asks
    assert questions == [t("store.case.delete_confirm", reference=reference, count=0)]
    assert store.find_case(reference) == ids["Zoé"]  # « Non »: still there
    when_modal(qtbot, answer(QMessageBox.StandardButton.Yes))
    dialog.delete_button.click()
    assert len(questions) == 2 and store.find_case(reference) is None and deleted == [reference]
    assert store.count_cases() == 3
    # Duplicate Léa: a variant with a new reference, selected in the list.
    type_text(dialog.search, "lea lyon", clear=True)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=3000)
    original = dialog.selected_case()
    dialog.duplicate_button.click()
    variant = dialog.selected_case()
    assert variant.id != original.id and variant.variant_of == original.reference
    assert store.get_case(variant.id).household()[0].persons[0].first_name == "Léa"
    assert store.count_cases() == 4
    dialog.close()


def test_deleting_the_open_case_keeps_the_form_as_new(cwin: Any) -> None:
    win = cwin
    win.load_household(household("Awa"), "2026-11")
    assert win.save_case()
    case_id, reference = win.case_id, win.case_reference
    win.cases.store.delete_case(case_id)
    win._on_case_deleted(case_id, reference)
    assert win.case_id is None and win.isWindowModified()
    assert win.editor.forms[0].first_name.text() == "Awa"
    assert win.save_case() and win.case_reference != reference


# -- autosave and the draft after a crash ----------------------------------------------------------------
CHILD = textwrap.dedent("""
    import os, sys, time
    sys.path[:0] = [{repo!r}, {tests!r}]
    from PySide6.QtWidgets import QApplication
    from app.gui.app import create_application
    app = create_application(["guichet-child"])
    from app.gui.engine_process import EngineClient
    from app.gui.main_window import MainWindow
    from gui_helpers import type_text
    from app.gui import case_session
    case_session.AUTOSAVE_DELAY_MS = 300
    win = MainWindow(engine=EngineClient())     # the real window; its store opens after the first paint
    win.ask_before_discard = False
    win.show()
    deadline = time.monotonic() + 60
    while win.cases.store is None:
        assert time.monotonic() < deadline and win.cases.error is None, win.cases.error
        app.processEvents(); time.sleep(0.01)
    saved = []
    win.cases.draftSaved.connect(lambda: saved.append(1))
    form = win.editor.forms[0]
    type_text(form.first_name, "Éloïse")
    type_text(form.birth_date, "12/0")          # not a date yet
    type_text(win.editor.housing.rent, "735,50")
    type_text(win.editor.housing.charges, "4O")  # a letter O: not an amount yet
    win.activateWindow()
    while not saved:
        assert time.monotonic() < deadline
        app.processEvents(); time.sleep(0.01)
    print("DRAFT_SAVED", flush=True)
    while True:
        app.processEvents(); time.sleep(0.05)
""")


def test_draft_comes_back_after_a_kill(qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings,
                                       tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(repo=str(REPO), tests=str(REPO / "tests" / "gui")), encoding="utf-8")
    env = dict(os.environ, GUICHET_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        line = child.stdout.readline() if child.stdout else ""
        killed = child.poll() is None
        child.send_signal(signal.SIGKILL)  # as a crash or a power cut: no close, no cleanup
    finally:
        if child.poll() is None:
            child.kill()
        _out, err = child.communicate(timeout=30)
    assert line.strip() == "DRAFT_SAVED", (line, err[-3000:])
    assert killed and child.returncode == -signal.SIGKILL

    win = make_window(qtbot, catalogue, settings, data / "guichet.db")
    assert win.draft_bar.isVisible()
    assert win.draft_bar.title.text() == t("gui.cases.draft.title")
    assert "Voulez-vous la reprendre" in win.draft_bar.text.text()
    win.draft_resume_button.click()
    assert not win.draft_bar.isVisible()
    form = win.editor.forms[0]
    assert form.first_name.text() == "Éloïse"
    assert form.birth_date.text() == "12/0"  # what was typed, not a stand-in date
    assert win.editor.housing.rent.amount() == 735.5
    assert win.editor.housing.charges.text() == "4O"  # not the stand-in 0
    assert win.isWindowModified() and win.case_id is None
    # Saved now: the draft is gone (a new start offers nothing).
    win.close()
    again = make_window(qtbot, catalogue, settings, data / "guichet.db")
    assert not again.draft_bar.isVisible()
    assert again.cases.store.pending_draft() is None
    again.close()


def test_autosave_is_debounced_and_cleared_on_save(cwin: Any, qtbot: Any) -> None:
    win = cwin
    store = win.cases.store
    win.cases._timer.setInterval(200)
    win.load_household(household("Nour"), "2026-11")
    assert store.pending_draft() is None  # loading is not an edit
    type_text(win.editor.forms[0].first_name, "Nourane", clear=True)
    assert win.cases._timer.isActive()
    with qtbot.waitSignal(win.cases.draftSaved, timeout=5000):
        pass
    draft = store.pending_draft()
    assert draft is not None and draft.case["case"]["household"]["persons"][0]["first_name"] == "Nourane"
    assert win.save_case()
    win.cases.flush()
    assert store.pending_draft() is None
    # Editing the stored case: the draft names it.
    type_text(win.editor.forms[0].first_name, "Nour", clear=True)
    with qtbot.waitSignal(win.cases.draftSaved, timeout=5000):
        pass
    assert store.pending_draft().case_id == win.case_id
    win.new_case()
    win.cases.flush()
    assert store.pending_draft() is None


# -- a second instance, a database that cannot open -------------------------------------------------------
HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from app.core.store import Store
    store = Store.open({db!r})
    print("LOCKED", flush=True)
    time.sleep(120)
""")


def test_second_instance_is_read_only_with_a_banner(qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings,
                                                   db: Path, tmp_path: Path, monkeypatch: Any) -> None:
    from app.core.store import Store

    db.parent.mkdir(parents=True)
    with Store.open(db) as store:
        reference = store.save_case(household("Salomé"), "2026-11").reference
    script = tmp_path / "holder.py"
    script.write_text(HOLDER.format(repo=str(REPO), db=str(db)), encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        win = make_window(qtbot, catalogue, settings, db)
        assert win.cases.store.read_only
        assert win.read_only_bar.isVisible()
        assert win.read_only_bar.text.text().startswith(
            "Base ouverte en lecture seule : Guichet est déjà ouvert sur ce poste")
        for action in (win.save_action, win.save_as_action, win.import_action, win.retention_action):
            assert not action.isEnabled()
        assert win.open_action.isEnabled() and win.stats_action.isEnabled()
        assert not win.note_edit.isEnabled()
        warnings: list[str] = []
        monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
        win.load_household(household("Test"), "2026-11")
        assert not win.save_case()
        assert warnings == [t("gui.cases.read_only_refused")]
        # Reading works: the case list opens the stored case; deleting is not offered.
        from app.gui.views.case_list import CaseListDialog

        dialog = CaseListDialog(win.cases.store, win)
        assert dialog.model.rowCount() == 1 and not dialog.read_only_note.isHidden()
        assert not dialog.delete_button.isEnabled() and not dialog.duplicate_button.isEnabled()
        dialog.close()
        assert win.open_stored_case(win.cases.store.find_case(reference), ask=False)
        assert win.editor.forms[0].first_name.text() == "Salomé"
        # Autosave does nothing in read-only (and does not fail).
        type_text(win.editor.forms[0].first_name, "X", clear=True)
        win.cases.save_draft_now()
        win.cases.flush()
        win.close()
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    with Store.open(db) as store:
        assert store.pending_draft() is None and store.count_cases() == 1


def test_unreadable_database_gives_a_french_message_and_the_app_still_works(
        qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings, db: Path, monkeypatch: Any) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"SQLite format 3\0" + b"this is not a database" * 100)
    win = make_window(qtbot, catalogue, settings, db)
    assert win.cases.store is None
    assert win.store_error_bar.isVisible()
    text = win.store_error_bar.text.text()
    assert "est endommagée" in text and "mise de côté" in text and "Traceback" not in text
    assert "Les calculs restent possibles" in text
    assert not win.save_action.isEnabled() and not win.open_action.isEnabled()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    win.load_household(household(), "2026-11")
    assert win._current_key is not None  # complete: the window would compute it
    assert not win.save_case() and "endommagée" in warnings[0]
    win.close()


def test_the_real_start_opens_the_store_off_the_gui_thread(qtbot: Any, gui_app: Any, catalogue: Any,
                                                           settings: QSettings, db: Path) -> None:
    win = make_window(qtbot, catalogue, settings, db, open_now=False)
    qtbot.waitUntil(lambda: win.cases.store is not None, timeout=30000)
    assert db.exists() and win.save_action.isEnabled()
    assert win.retention_bar.isVisible()  # first start: the retention notice
    win.close()


# -- retention ------------------------------------------------------------------------------------------
def test_retention_notice_first_then_purge_at_next_start(qtbot: Any, gui_app: Any, catalogue: Any,
                                                          settings: QSettings, db: Path, monkeypatch: Any) -> None:
    from app.core.store import Store, purge_done, purge_notice

    db.parent.mkdir(parents=True)
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)
    with Store.open(db, clock=lambda: long_ago) as store:
        old = store.save_case(household("Ancienne"), "2026-11").reference
    with Store.open(db) as store:
        recent = store.save_case(household("Récente"), "2026-11").reference
    win = make_window(qtbot, catalogue, settings, db)
    assert win.retention_bar.isVisible()
    assert win.retention_bar.text.text() == purge_notice(90, 1)  # 1 case concerned, nothing deleted yet
    assert win.cases.store.find_case(old) is not None
    win.close()
    again = make_window(qtbot, catalogue, settings, db)  # next start: purged, no notice
    assert not again.retention_bar.isVisible()
    assert again.cases.store.find_case(old) is None and again.cases.store.find_case(recent) is not None
    assert again.statusBar().currentMessage() == purge_done(1, 90)
    # « Durée de conservation »: 30 days, kept in the database.
    from app.gui.views.case_dialogs import RetentionDialog

    def set_days(dialog: Any) -> None:
        assert isinstance(dialog, RetentionDialog) and dialog.days.value() == 90
        dialog.days.setValue(30)
        dialog.accept()

    when_modal(qtbot, set_days)
    again.edit_retention()
    assert again.cases.store.retention_days == 30
    again.close()


def test_retention_understood_purges_now(cwin: Any, qtbot: Any) -> None:
    assert cwin.retention_bar.isVisible()
    cwin.retention_bar.findChildren(type(cwin.history_button))[0].click()
    assert not cwin.retention_bar.isVisible()


# -- export, import, statistics ----------------------------------------------------------------------------
def test_export_then_import_and_a_tampered_file_is_refused(cwin: Any, qtbot: Any, tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    win = cwin
    store = win.cases.store
    win.load_household(household("Anaïs"), "2026-11")
    assert win.save_case()
    reference = win.case_reference
    target = tmp_path / "out" / f"{reference}.guichet.json"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert win.export_case()
    assert target.exists()
    # Tampered: one character of the first name changed; the checksum no longer matches.
    tampered = tmp_path / "tampered.guichet.json"
    tampered.write_text(target.read_text(encoding="utf-8").replace("Anaïs", "Anaïz"), encoding="utf-8")
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: messages.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: messages.append(text))
    before = store.count_cases()
    win.import_case(tampered)
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages == [t("store.import.checksum")] and store.count_cases() == before
    # The same case again: already here; « Non » to replacing it imports nothing.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    win.import_case(target)
    qtbot.wait(1500)
    qtbot.waitUntil(lambda: win.import_action.isEnabled(), timeout=20000)
    assert store.count_cases() == before
    # Deleted here, then imported: it comes back and is opened.
    store.delete_case(win.case_id)
    win._on_case_deleted(win.case_id, reference)
    messages.clear()
    win.import_case(target)
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages[0].startswith(t("store.import.done", reference=reference, count=0))
    assert win.case_reference == reference and win.editor.forms[0].first_name.text() == "Anaïs"


def test_statistics_csv_has_no_personal_data(cwin: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.core.benefits.results import BenefitResult, SimulationResult, Status
    from app.gui.views.case_dialogs import StatsDialog

    win = cwin
    result = SimulationResult(month="2026-11", benefits=(BenefitResult("rsa", Status.ELIGIBLE, 412.37, "month", (), None),),
                              assumptions=(), warnings=(), openfisca_france="x", legislation_until="2026-01-01",
                              catalogue_version="1")
    win.cases.store.save_case(household("Gwendoline", commune="33063", postal_code="33000"), "2026-11", result=result)
    target = tmp_path / "stats.csv"
    monkeypatch.setattr(StatsDialog, "exec", lambda self: StatsDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert win.export_statistics()
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Date;Simulations du jour;Aide")
    assert "412,37" in text  # the stored amount, decimal comma
    assert "Gwendoline" not in text and "33063" not in text and "G-" not in text


def test_the_first_start_notice_keeps_its_room_from_the_start(qtbot: Any, gui_app: Any, catalogue: Any,
                                                              settings: QSettings, db: Path) -> None:
    """No database yet (issue 22): the retention notice has its place from the first paint,
    so the form does not move down when the store is open and the notice's text arrives."""
    from PySide6.QtCore import QPoint

    win = make_window(qtbot, catalogue, settings, db, open_now=False)
    assert win.retention_bar.isVisible()
    assert not any(button.isEnabled() for button in win.retention_buttons)  # nothing to act on yet
    top = win.editor_scroll.mapTo(win, QPoint(0, 0)).y()
    qtbot.waitUntil(lambda: win.cases.info is not None, timeout=30_000)
    QApplication.processEvents()
    assert win.retention_bar.isVisible() and win.retention_bar.title.text() == t("store.purge.notice_title")
    assert all(button.isEnabled() for button in win.retention_buttons)
    assert abs(win.editor_scroll.mapTo(win, QPoint(0, 0)).y() - top) <= 4  # was 42 px
    win.close()


def make_plain_database(path: Path) -> None:
    """A plain SQLite database, as a Guichet before encryption left it."""
    import sqlite3

    from sqlite_utils import Database

    from app.core.store import schema

    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(sqlite3.connect(path), execute_plugins=False)
    schema.migrate(db)
    db.close()


def test_a_plain_database_is_encrypted_when_the_agent_agrees(
        qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings, db: Path, monkeypatch: Any) -> None:
    make_plain_database(db)
    questions: list[str] = []

    def answer(parent: Any, title: str, text: str, *args: Any) -> Any:
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    win = make_window(qtbot, catalogue, settings, db)
    qtbot.waitUntil(lambda: bool(questions), timeout=5000)
    assert "n'est pas chiffrée" in questions[0]
    qtbot.waitUntil(lambda: win.cases.store.encrypted, timeout=20000)
    qtbot.waitUntil(lambda: t("gui.cases.encrypt.done") in win.statusBar().currentMessage(), timeout=5000)
    assert not db.read_bytes().startswith(b"SQLite format 3\0")
    win.load_household(household(), "2026-11")
    assert win.save_case() and win.cases.store.count_cases() == 1  # still working, encrypted
    win.close()


def test_a_plain_database_stays_as_it_is_when_the_agent_declines(
        qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings, db: Path, monkeypatch: Any) -> None:
    make_plain_database(db)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    win = make_window(qtbot, catalogue, settings, db)
    qtbot.waitUntil(lambda: t("gui.cases.encrypt.later") in win.statusBar().currentMessage(), timeout=5000)
    assert not win.cases.store.encrypted and db.read_bytes().startswith(b"SQLite format 3\0")
    win.close()


def test_a_big_purge_at_start_is_asked_first(
        qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings, db: Path, monkeypatch: Any) -> None:
    from app.core.store import Store

    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db, clock=lambda: old) as store:
        for i in range(7):
            store.save_case(household(f"Ancien{i}"), "2026-11")
        store.mark_purge_notice_shown()
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def answer(parent: Any, title: str, text: str, *args: Any) -> Any:
        asked.append(text)
        return answers[len(asked) - 1]

    monkeypatch.setattr(QMessageBox, "question", answer)
    win = make_window(qtbot, catalogue, settings, db)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "7 dossiers" in asked[0] and "Rien n'a encore été supprimé" in asked[0]
    assert win.cases.store.count_cases() == 7  # « non »: nothing deleted
    win.close()
    win2 = make_window(qtbot, catalogue, settings, db)
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=5000)
    qtbot.waitUntil(lambda: win2.cases.store.count_cases() == 0, timeout=10000)
    win2.close()


def test_without_keyring_the_passphrase_is_asked_and_a_wrong_one_asked_again(
        qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings, db: Path, monkeypatch: Any) -> None:
    from app.core.store import Store, keys
    from app.gui.views.case_dialogs import PassphraseDialog

    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.setattr(keys, "_keyring", lambda: None)
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db, passphrase="phrase juste") as store:
        store.save_case(household("Secrète"), "2026-11")
    typed = iter(["phrase fausse", "phrase juste"])
    shown: list[tuple[bool, str]] = []

    def fake_exec(dialog: PassphraseDialog) -> int:
        shown.append((dialog.new, dialog.findChildren(type(dialog.problem))[0].text()))
        dialog.first.setText(next(typed))
        return PassphraseDialog.DialogCode.Accepted

    monkeypatch.setattr(PassphraseDialog, "exec", fake_exec)
    win = make_window(qtbot, catalogue, settings, db)
    qtbot.waitUntil(lambda: win.cases.store is not None, timeout=15000)
    assert [new for new, _text in shown] == [False, False]
    assert "saisissez sa phrase secrète" in shown[0][1]
    assert "n'ouvre pas la base" in shown[1][1]
    assert win.cases.store.count_cases() == 1 and win.cases.store.key_source == "passphrase"
    assert not win.store_error_bar.isVisible()
    win.close()


def test_the_passphrase_dialog_checks_a_new_passphrase(qtbot: Any, gui_app: Any) -> None:
    from app.gui.views.case_dialogs import PassphraseDialog

    dialog = PassphraseDialog(True, t("store.errors.key_needed_new"))
    qtbot.addWidget(dialog)
    dialog.first.setText("court")
    dialog._check()
    assert "au moins 8 caractères" in dialog.problem.text() and dialog.result() == 0
    dialog.first.setText("assez longue")
    dialog.second.setText("assez longuE")
    dialog._check()
    assert "pas identiques" in dialog.problem.text()
    dialog.second.setText("assez longue")
    dialog._check()
    assert dialog.result() == PassphraseDialog.DialogCode.Accepted and dialog.passphrase() == "assez longue"


def test_a_draft_keeps_the_separation_and_due_dates() -> None:
    import dataclasses
    import datetime as dt

    from app.core.io.casefile import case_to_dict, load_case
    from app.core.model.examples import examples_dir
    from app.gui.case_session import draft_body, read_draft

    household, month = load_case(examples_dir() / "11-mere-separee-recemment-nantes.json")
    mother = dataclasses.replace(household.persons[0], pregnant=True, pregnancy_due_date=dt.date(2027, 3, 2))
    household = dataclasses.replace(household, persons=(mother,) + household.persons[1:])
    back, back_month, _texts = read_draft(draft_body(case_to_dict(household, month), {}, None))
    assert (back, back_month) == (household, month)
