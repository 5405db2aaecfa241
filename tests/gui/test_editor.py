"""The household editor without the rules engine: inline validation as the agent types,
nothing typed lost, fields hidden where they do not apply, accessible names, menus."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTableView, QTableWidget, QWidget

from app.core.model.household import Role
from app.core.base.i18n import t
from app.core.model.validation import field_label
from gui_helpers import choose, key, type_text


def test_future_birth_date_is_refused_next_to_the_field_and_kept(idle_window: Any, qtbot: Any) -> None:
    win = idle_window
    person = win.editor.forms[0]
    box = person.boxes["birth_date"]
    type_text(person.birth_date, "01/01/2030")
    # the last validation (a busy machine may validate « 01/01/ » while typing)
    qtbot.waitUntil(lambda: "dans le futur" in box.error.text(), timeout=5000)
    household = win.editor.collect().household
    assert box.error.text() == t("problem.date_in_future", field=field_label("persons.0.birth_date", household))
    assert "dans le futur" in box.error.text()
    assert person.birth_date.text() == "01/01/2030"  # what was typed stays
    assert person.birth_date.property("invalid") is True
    assert person.birth_date.accessibleDescription() == box.error.text()  # read by screen readers
    assert win.results.problems_banner.isVisible()
    assert win.results.state.text() == t("gui.state.incomplete")
    assert not win._compute_timer.isActive()  # an invalid household is never sent

    # Leaving the field keeps the text; a date that does not exist is refused too.
    win.editor.forms[0].first_name.setFocus()
    assert person.birth_date.text() == "01/01/2030"
    type_text(person.birth_date, "31/02/1990", clear=True)
    # the format is right: the message says that this day does not exist (issue 22)
    qtbot.waitUntil(lambda: "n'existe pas" in box.error.text(), timeout=5000)
    assert box.error.text() == t("problem.no_such_date", field=field_label("persons.0.birth_date"), value="31/02/1990")
    assert person.birth_date.text() == "31/02/1990"

    type_text(person.birth_date, "28/02/1990", clear=True)
    qtbot.waitUntil(lambda: not box.error.isVisible(), timeout=5000)
    assert person.birth_date.property("invalid") is False


def test_bad_amount_and_commune_messages_keep_the_text(idle_window: Any, qtbot: Any) -> None:
    win = idle_window
    rent = win.editor.housing.rent
    type_text(rent, "6OO €")  # letters O, not zeros
    box = win.editor.housing.boxes["rent"]
    qtbot.waitUntil(box.error.isVisible, timeout=5000)
    assert box.error.text() == t("problem.not_a_number", field=field_label("housing.rent"), value="6OO €")
    assert rent.text() == "6OO €"
    commune = win.editor.housing.commune
    type_text(commune, "Saint")  # many communes: one must be chosen
    key(commune, Qt.Key.Key_Escape)
    win.editor.housing.rent.setFocus()
    commune_box = win.editor.housing.boxes["commune_insee"]
    qtbot.waitUntil(commune_box.error.isVisible, timeout=5000)
    assert "Saint" in commune_box.error.text() and commune.text() == "Saint"


def test_child_older_than_parent_is_shown_on_the_child(idle_window: Any, qtbot: Any) -> None:
    win = idle_window
    editor = win.editor
    type_text(editor.forms[0].birth_date, "01/01/2000")
    child = editor.add_person(Role.ENFANT, focus=True)
    type_text(child.birth_date, "01/01/1995")
    box = child.boxes["birth_date"]
    qtbot.waitUntil(box.error.isVisible, timeout=5000)
    assert "né avant son parent" in box.error.text()
    assert editor.table.item(1, 0).toolTip() == box.error.text()  # the row is marked too


def test_fields_that_do_not_apply_are_hidden(idle_window: Any, qtbot: Any) -> None:
    editor = idle_window.editor
    adult = editor.forms[0]
    assert not adult.schooling.isVisible() and adult.pregnant.isVisible()
    choose(adult.activity, t("choice.activity.etudiant"))
    assert adult.schooling.isVisible()  # an adult student: level of studies
    assert not adult.ass_work_history.isVisible()
    choose(adult.activity, t("choice.activity.demandeur_emploi_non_indemnise"))
    assert adult.ass_work_history.isVisible()
    child = editor.add_person(Role.ENFANT, focus=True)
    assert child.schooling.isVisible() and not child.pregnant.isVisible() and not child.taxable_n1.isVisible()
    housing = editor.housing
    for status, shown in (("heberge_gratuitement", False), ("accedant", True), ("sans_domicile", False),
                          ("locataire_meuble", True)):
        choose(housing.status, t(f"choice.housing.{status}"))
        assert housing.rent.isVisible() is shown and housing.charges.isVisible() is shown
    choose(housing.status, t("choice.housing.accedant"))
    assert housing.rent.accessibleName() == t("gui.housing.loan")


def test_removing_the_conjoint_makes_the_household_single(idle_window: Any, qtbot: Any) -> None:
    editor = idle_window.editor
    qtbot.mouseClick(editor.add_conjoint_button, Qt.MouseButton.LeftButton)
    assert not editor.add_conjoint_button.isEnabled()
    assert editor.couple.currentData() == "marie"
    editor.select_person(1)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert len(editor.forms) == 1 and editor.couple.currentData() == "seul"
    assert not editor.remove_button.isEnabled()  # the demandeur stays


def test_every_control_has_an_accessible_name(idle_window: Any) -> None:
    editor = idle_window.editor
    editor.add_person(Role.ENFANT)
    form = editor.forms[0]
    form.resources.add_row().set_monthly(True)
    for window_part in (idle_window.editor, idle_window.results, idle_window.toolbar):
        for widget in window_part.findChildren(QWidget):
            if isinstance(widget, (QLineEdit, QComboBox, QAbstractButton, QTableView, QTableWidget)):
                if widget.parentWidget() is not None and widget.parentWidget().inherits("QComboBox"):
                    continue  # a combo's internal line edit
                if widget.objectName().startswith("qt_"):
                    continue  # Qt's own parts (table corner, toolbar overflow arrow)
                name = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
                assert name.strip(), f"{type(widget).__name__} {widget.objectName()} has no accessible name"


def test_menus_and_shortcuts(idle_window: Any, qtbot: Any) -> None:
    win = idle_window
    assert win.new_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert win.save_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert win.open_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert win.print_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert win.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    menus = [action.text() for action in win.menuBar().actions()]
    core_menus = [t("gui.menu.file"), t("gui.menu.household"), t("gui.menu.examples"), t("gui.menu.help")]
    assert [m for m in menus if m in core_menus] == core_menus and menus[-1] == t("gui.menu.help")
    assert t("gui_rules.menu.title") in menus  # added by views/rules_dialog.install
    assert win.example_actions  # examples reachable from the menu bar and the toolbar
    assert win.examples_button.menu() is win.examples_menu
    # Ctrl+N from the keyboard: a new, empty case.
    type_text(win.editor.forms[0].first_name, "Awa")
    win.activateWindow()
    qtbot.keyClick(win.editor.forms[0].first_name, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.editor.forms[0].first_name.text() == "", timeout=5000)
    assert not win.isWindowModified()


def test_save_and_open_a_case_file(idle_window: Any, qtbot: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.core.io.casefile import dump_case

    win = idle_window
    editor = win.editor
    type_text(editor.forms[0].birth_date, "03/03/1970")
    type_text(editor.forms[0].first_name, "Hélène")
    type_text(editor.housing.commune, "75011")
    key(None, Qt.Key.Key_Down)
    key(None, Qt.Key.Key_Return)
    assert win.isWindowModified()
    # « Enregistrer » stores the case in the case database (issue #5; tests/gui/test_case_store.py).
    assert win.save_case()
    household, month = win.cases.store.get_case(win.case_id).household()
    assert household.persons[0].first_name == "Hélène"
    assert household.persons[0].birth_date == dt.date(1970, 3, 3)
    assert household.housing.commune_insee == "75056" and household.housing.postal_code == "75011"
    assert month == win.month_value
    assert not win.isWindowModified() and win.case_reference in win.windowTitle()

    # « Ouvrir un fichier… » still reads a plain case file.
    saved = tmp_path / "cas.json"
    saved.write_text(dump_case(household, month), encoding="utf-8")
    win.new_case()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(saved), ""))
    win.open_file()
    assert editor.collect().household == household
    assert "cas.json" in win.windowTitle()


def test_unsavable_case_says_why(idle_window: Any, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    assert not idle_window.save_case()
    assert shown and t("gui.dialog.save_blocked") in shown[0]


def test_window_geometry_is_remembered(qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings) -> None:
    from app.gui.engine_process import EngineClient
    from app.gui.main_window import MainWindow

    first = MainWindow(engine=EngineClient(), catalogue=catalogue, settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(1200, 700)
    qtbot.waitUntil(lambda: first.size().width() == 1200)
    first.close()
    second = MainWindow(engine=EngineClient(), catalogue=catalogue, settings=settings)
    qtbot.addWidget(second)
    assert (second.size().width(), second.size().height()) == (1200, 700)
    second.close()


def test_month_grid_labels_follow_the_calculation_month(idle_window: Any) -> None:
    win = idle_window
    row = win.editor.forms[0].resources.add_row()
    row.set_monthly(True)
    win.set_month("2026-11")
    labels = [label.text() for label in row.grid.labels]
    assert labels[0] == t("gui.month_short", month=t("gui.months_short.m11"), year=2025)
    assert labels[-1] == t("gui.month_short", month=t("gui.months_short.m10"), year=2026)


def test_tab_follows_the_screen(idle_window: Any, qtbot: Any) -> None:
    """Tab goes through the household, the persons, the person shown, then the housing and
    the benefits received, even for a person and a resource added later."""
    from PySide6.QtWidgets import QApplication

    editor = idle_window.editor
    child = editor.add_person(Role.ENFANT, focus=True)
    child.resources.add_row()
    editor.select_person(1)
    editor.couple.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _ in range(80):
        seen.append(QApplication.focusWidget())
        key(None, Qt.Key.Key_Tab)
    positions = {id(widget): index for index, widget in reversed(list(enumerate(seen)))}

    def at(widget: QWidget) -> int:
        assert id(widget) in positions, f"{widget.accessibleName()} never reached with Tab"
        return positions[id(widget)]

    housing = editor.housing
    assert at(editor.couple) < at(editor.table) < at(editor.add_child_button)
    assert at(editor.add_child_button) < at(child.birth_date) < at(child.schooling)
    assert at(child.schooling) < at(child.resources.rows[0].stable) < at(child.resources.add_button)
    assert at(child.resources.add_button) < at(housing.status) < at(housing.commune) < at(housing.rent)
    assert at(housing.conventionne) < at(next(iter(editor.received.values())))
    assert id(editor.forms[0].birth_date) not in positions  # the person not shown is skipped


def test_about_names_the_app_rules_and_legislation(idle_window: Any, monkeypatch: Any) -> None:
    from importlib import metadata

    from PySide6.QtWidgets import QMessageBox

    from app import __version__

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    idle_window.show_about()
    assert f"Guichet {__version__}" in shown[0]
    assert f"OpenFisca-France {metadata.version('openfisca-france')}" in shown[0]
    assert t("gui.about.loading") in shown[0]  # the rules are not loaded in this window


def test_service_point_is_kept_in_the_settings(idle_window: Any, qtbot: Any, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QDialog

    from app.gui.views.handout_preview import ServicePointDialog, service_point_values

    dialog = ServicePointDialog(idle_window.settings, idle_window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(dialog.name, "CCAS de Saint-Étienne")
    type_text(dialog.phone, "04 77 00 00 00")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    values = service_point_values(idle_window.settings)
    assert values["name"] == "CCAS de Saint-Étienne" and values["phone"] == "04 77 00 00 00"


@pytest.mark.parametrize("path", __import__("app.core.model.examples", fromlist=["example_files"]).example_files(),
                         ids=lambda p: p.stem)
def test_every_example_reads_back_unchanged(idle_window: Any, path: Any) -> None:
    """Loading a case into the editor and reading it back gives the same household:
    every field of the case format has its control."""
    from app.core.io.casefile import load_case

    household, month = load_case(path)
    idle_window.load_household(household, month)
    collected = idle_window.editor.collect()
    assert collected.problems == ()
    assert collected.household == household


def test_a_local_aid_already_received_is_kept(idle_window: Any, catalogue: Any) -> None:
    from dataclasses import replace

    from app.core.model.examples import warm_up_household

    local = tuple(getattr(catalogue, "local_aids", ()) or ())
    if not local:
        pytest.skip("no local aid in this rules folder")
    household = replace(warm_up_household(), benefits_received=("rsa", local[0].id))
    idle_window.load_household(household, "2026-11")
    assert idle_window.editor.received[local[0].id].isChecked()
    collected = idle_window.editor.collect()
    assert collected.problems == () and collected.household == household


# --------------------------------------------------------------------------- inputs refused (issues 19 and 21)


def test_an_ambiguous_salary_is_refused_next_to_the_field_never_read_as_cents(idle_window: Any, qtbot: Any) -> None:
    """« 1.500 » is 1 500 € or 1,50 €: the editor says so (the same parser as the case
    file and the screening rows, formats.parse_amount) and keeps the text."""
    from app.core.model.household import ResourceKind

    win = idle_window
    row = win.editor.forms[0].resources.add_row()
    row.kind.set_value(ResourceKind.SALAIRE_NET)
    type_text(row.stable, "1.500")
    qtbot.waitUntil(row.stable_box.error.isVisible, timeout=5000)
    collected = win.editor.collect()
    expected = t("problem.ambiguous_amount", field=field_label("persons.0.resources.0.stable", collected.household),
                 value="1.500")
    assert row.stable_box.error.text() == expected and "ambigu" in expected
    assert row.stable.text() == "1.500"  # what was typed stays
    assert not win._compute_timer.isActive()  # never computed as 1,50 €
    type_text(row.stable, "1 500", clear=True)  # the French way: read right
    qtbot.waitUntil(lambda: not row.stable_box.error.isVisible(), timeout=5000)
    assert win.editor.collect().household.persons[0].resources[0].stable == 1500.0


def test_a_first_name_over_its_length_gets_a_message_and_is_kept(idle_window: Any, qtbot: Any) -> None:
    from app.core.model.validation import MAX_FIRST_NAME

    person = idle_window.editor.forms[0]
    box = person.boxes["first_name"]
    name = "É" + "a" * MAX_FIRST_NAME  # one character too many
    type_text(person.first_name, name)
    qtbot.waitUntil(box.error.isVisible, timeout=5000)
    assert box.error.text() == t("problem.too_long", field=field_label("persons.0.first_name"),
                                 count=MAX_FIRST_NAME + 1, max=MAX_FIRST_NAME)
    assert person.first_name.text() == name


def test_the_service_point_dialog_refuses_a_logo_that_is_not_an_image(idle_window: Any, qtbot: Any,
                                                                      tmp_path: Any) -> None:
    from PySide6.QtWidgets import QDialog

    from app.gui.views.handout_preview import ServicePointDialog, service_point_values

    fake = tmp_path / "logo.png"
    fake.write_text("pas une image", encoding="utf-8")
    dialog = ServicePointDialog(idle_window.settings, idle_window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(dialog.name, "France Services")
    dialog.logo.setText(str(fake))
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.error.text() == t("handout.logo.not_image", field=t("handout.logo.field"), logo=str(fake))
    assert service_point_values(idle_window.settings)["logo_path"] == ""  # nothing saved
    assert dialog.name.text() == "France Services"  # nothing typed lost

    from PIL import Image

    Image.new("RGB", (120, 40), "navy").save(fake, "PNG")  # a real PNG: accepted
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert service_point_values(idle_window.settings)["logo_path"] == str(fake)


def test_separation_and_due_date_fields_show_only_where_they_apply(idle_window: Any, qtbot: Any) -> None:
    from app.core.model.household import CoupleStatus

    editor = idle_window.editor
    separation = editor.boxes["separation_date"]
    person = editor.forms[0]
    due = person.boxes["pregnancy_due_date"]
    assert separation.isVisibleTo(idle_window)  # a new case: the demandeur alone
    assert not due.isVisibleTo(idle_window)  # no pregnancy declared
    person.pregnant.setChecked(True)
    assert due.isVisibleTo(idle_window)
    type_text(person.due_date, "02/03/2027")
    type_text(editor.separation_date, "15/09/2026")
    collected = editor.collect(today=dt.date(2026, 11, 29))
    assert collected.household.separation_date == dt.date(2026, 9, 15)
    assert collected.household.persons[0].pregnancy_due_date == dt.date(2027, 3, 2)
    editor.couple.set_value(CoupleStatus.MARIE)
    assert not separation.isVisibleTo(idle_window)
    assert editor.collect().household.separation_date is None  # not read for a couple
    editor.couple.set_value(CoupleStatus.SEUL)
    type_text(editor.separation_date, "31/02/2026", clear=True)
    problems = {p.field: p.message for p in editor.collect().problems}
    assert problems["separation_date"] == (
        "Date de la séparation ou du décès du conjoint : « 31/02/2026 » : cette date n'existe pas (le jour ne va pas avec le mois)."
    )
    assert editor.separation_date.text() == "31/02/2026"  # what was typed stays


def test_recent_changes_are_stated_in_the_editor(idle_window: Any, qtbot: Any) -> None:
    """« Changements récents »: hidden until ticked; a job that ended (with its month and the
    salary before), a move; the couple's row only for a couple; a bad month is named next to
    its field and kept as typed."""
    from app.core.model.household import Activity, CoupleStatus, EventKind, Housing, HousingStatus, LifeEvent

    editor = idle_window.editor
    events = editor.events
    job = events.jobs[0]
    assert not events.body.isVisibleTo(idle_window)
    events.enabled.setChecked(True)
    assert job.isVisibleTo(idle_window) and not events.jobs[1].isVisibleTo(idle_window)  # no conjoint
    assert not events.coupled.isVisibleTo(idle_window)  # alone
    assert not job.boxes["month"].isVisibleTo(idle_window)
    choose(job.kind, t("gui.events.job_end"))
    assert job.boxes["month"].isVisibleTo(idle_window)
    choose(editor.forms[0].activity, t("choice.activity.demandeur_emploi_non_indemnise"))
    type_text(job.month, "08/2026")
    type_text(job.salary, "1 450")
    events.moved.setChecked(True)
    type_text(events.move_month, "03/2026")
    choose(events.move_status, t("choice.housing.heberge_gratuitement"))
    collected = editor.collect(today=dt.date(2026, 11, 29))
    person_id = editor.forms[0].person_id
    assert collected.household.events == (
        LifeEvent(EventKind.JOB_END, "2026-08", person=person_id, activity_before=Activity.SALARIE, salary_before=1450.0),
        LifeEvent(EventKind.MOVE, "2026-03", housing_before=Housing(status=HousingStatus.HEBERGE)),
    )
    assert not [p for p in collected.problems if p.field.startswith("events")]

    type_text(job.month, "13/2026", clear=True)
    problems = {p.field: p.message for p in editor.collect(today=dt.date(2026, 11, 29)).problems}
    assert problems["events.0.month"] == (
        "Changement 1 (fin d'emploi), mois du changement : « 13/2026 » n'est pas un mois (format attendu : 2026-11)."
    )
    editor.show_problems(tuple(editor.collect(today=dt.date(2026, 11, 29)).problems))
    assert job.boxes["month"].message.startswith("Changement 1 (fin d'emploi), mois du changement")
    assert job.month.text() == "13/2026"  # what was typed stays

    editor.couple.set_value(CoupleStatus.CONCUBIN)
    assert events.coupled.isVisibleTo(idle_window)
