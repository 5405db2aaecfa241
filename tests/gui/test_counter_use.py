"""The window as a new agent uses it at the counter (issue 22): one test per defect found.

1. the mouse wheel over a combo box (or a spin box) that does not have the keyboard focus
   changes nothing, and scrolls the form instead;
2. « Nouveau dossier » empties the results, the detail and the totals at once;
3. every new result starts with the benefits to request, scrolled to the top;
4. a benefit paid automatically says so in words, in its own colour, outside the
   unclaimed total; the CSS with participation (a cost) is not in the « to claim » colour;
5. a right lost in a scenario is shown as a loss, whatever the sign of the amount;
   « Mieux en emploi ? » says that the salary typed replaces the current one;
6. the screening dialog's results path is checked as typed, « / » included;
7. keyboard: one Alt letter per control, the cursor in the form's first field, a
   visible first Tab, a focus outline, F1 opens a help;
9. and smaller: Qt's dialogs in French, accurate messages for an unknown postal code
   and a day that does not exist (the first start's notice: tests/gui/test_case_store.py).

Expected amounts come from the core's ``Engine().compute`` of the same household (the
session's ``core_engine``), never from the window.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QSpinBox, QWidget

from app.core.base import formats
from app.core.io.casefile import load_case
from app.core.base.i18n import t
from gui_helpers import ENGINE_TIMEOUT_MS, key, type_text, wait_results

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_01 = ROOT / "examples" / "01-parent-isolee-lyon.json"  # AF and ASF received, two children


def wheel(widget: QWidget, notches: int = -1) -> None:
    """A real wheel event over the middle of ``widget`` (negative: towards the user)."""
    inside = QPointF(widget.width() / 2, widget.height() / 2)
    outside = QPointF(widget.mapToGlobal(inside.toPoint()))
    event = QWheelEvent(inside, outside, QPoint(0, 0), QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()


def open_example(win: Any, qtbot: Any, path: Path = EXAMPLE_01) -> Any:
    qtbot.waitUntil(lambda: win.engine.is_ready, timeout=ENGINE_TIMEOUT_MS)
    household, month = load_case(path)
    win.load_household(household, month)
    return wait_results(qtbot, win)


# --------------------------------------------------------------------------- 1. wheel


@pytest.mark.slow
def test_the_wheel_over_an_unfocused_combo_changes_neither_the_value_nor_the_results(window: Any, qtbot: Any) -> None:
    win = window
    shown = open_example(win, qtbot)
    status = win.editor.housing.status
    before = status.currentIndex()
    assert status.focusPolicy() == Qt.FocusPolicy.StrongFocus  # Tab or click, not the wheel
    win.results.table.setFocus()
    scroll = win.editor_scroll.verticalScrollBar()
    scroll.setValue(0)
    assert scroll.maximum() > 0  # the form is taller than the window at 1366×768
    wheel(status, -1)
    wheel(status, -1)
    assert status.currentIndex() == before  # « locataire » stays « locataire »
    assert not win._compute_timer.isActive() and win.is_up_to_date()
    assert win.displayed_result() is shown  # no recomputation, the same figures
    assert scroll.value() > 0  # the wheel scrolled the form instead

    # With the keyboard focus the combo is being edited: the wheel changes it (Qt's usual way).
    status.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    wheel(status, -1)
    assert status.currentIndex() != before


def test_the_wheel_leaves_spin_boxes_of_dialogs_alone_too(qtbot: Any, gui_app: Any) -> None:
    """Every form of the app: the guard is on the application, not on the editor's fields."""
    from app.gui.views.case_dialogs import RetentionDialog
    from app.gui.views.widgets import install_wheel_guard

    install_wheel_guard()  # what create_application and the main window do
    dialog = RetentionDialog(90)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    days = dialog.findChild(QSpinBox)
    assert days is not None
    dialog.setFocus()
    days.clearFocus()
    QApplication.processEvents()
    wheel(days, 1)
    assert days.value() == 90
    assert days.focusPolicy() == Qt.FocusPolicy.StrongFocus


# --------------------------------------------------------------------------- 2. new case


@pytest.mark.slow
def test_new_case_clears_the_previous_households_figures_at_once(window: Any, qtbot: Any) -> None:
    win = window
    open_example(win, qtbot)
    win.results.select_benefit("prime_activite")
    assert win.results.detail.toPlainText()
    win.new_action.trigger()  # Ctrl+N
    # At once, before any event is processed: no figure of the previous household is left.
    assert win.displayed_result() is None
    assert win.results.total.text() == t("gui.results.total_none")
    assert not win.results.not_claimed.isVisible() and not win.results.yearly.isVisible()
    assert win.results.detail.toPlainText() == ""
    amounts = {row["amount"] for row in win.results.displayed().values()}
    assert amounts == {t("gui.results.no_amount")}


# --------------------------------------------------------------------------- 3. order and scroll


@pytest.mark.slow
def test_every_new_result_starts_with_the_benefits_to_request_at_the_top(window: Any, qtbot: Any) -> None:
    win = window
    open_example(win, qtbot)
    table = win.results.table
    table.scrollToBottom()
    QApplication.processEvents()
    assert table.verticalScrollBar().value() > 0  # more rows than the table shows
    win.results.select_benefit("cheque_energie")  # a row at the bottom, selected
    result = open_example(win, qtbot, ROOT / "examples" / "02-couple-trois-enfants-marseille.json")
    assert table.verticalScrollBar().value() == 0
    rows = [win.results.model.benefit_at(r)[1] for r in range(win.results.model.rowCount())]
    to_request = [i for i, item in enumerate(rows) if item is not None and item.not_claimed]
    others = [i for i, item in enumerate(rows) if item is None or not item.not_claimed]
    assert to_request and max(to_request) < min(others)
    assert {rows[i].benefit_id for i in to_request} == {b.benefit_id for b in result.benefits if b.not_claimed}


# --------------------------------------------------------------------------- 4. paid automatically


@pytest.mark.slow
def test_benefits_paid_automatically_are_said_so_and_left_out_of_the_unclaimed_total(
    window: Any, qtbot: Any, core_engine: Any,
) -> None:
    from app.gui.models.results_model import AUTOMATIC_COLOR, NOT_CLAIMED_COLOR, STATUS

    win = window
    open_example(win, qtbot)
    household, month = load_case(EXAMPLE_01)
    core = core_engine.compute(household, month)
    shown = win.results.displayed()
    model = win.results.model

    def background(benefit_id: str) -> Any:
        brush = model.data(model.index(model.row_of(benefit_id), STATUS), Qt.ItemDataRole.BackgroundRole)
        return brush.color() if brush is not None else None

    # The energy cheque always, the ARS because the CAF already pays this family (AF, ASF).
    for benefit_id in ("cheque_energie", "allocation_rentree_scolaire"):
        assert core.get(benefit_id).status.value == "eligible"
        assert shown[benefit_id]["status"] == t("gui.results.automatic_short") == "Automatique"
        assert background(benefit_id) == AUTOMATIC_COLOR
        row = model.index(model.row_of(benefit_id), STATUS)
        assert "Versée automatiquement" in model.data(row, Qt.ItemDataRole.ToolTipRole)
        assert "Versée automatiquement" in model.data(row, Qt.ItemDataRole.AccessibleTextRole)
        win.results.select_benefit(benefit_id)
        assert t("gui.results.status_with", status=t("status.eligible"), tag="Versée automatiquement") in (
            win.results.detail.toPlainText())
    # To request: said in words, not by the yellow alone.
    assert shown["prime_activite"]["status"] == t("gui.results.to_request")
    assert background("prime_activite") == NOT_CLAIMED_COLOR
    assert core.get("css_participation").status.value == "eligible"
    assert background("css_participation") != NOT_CLAIMED_COLOR  # a cost, not a right to claim
    # The unclaimed total: the prime d'activité and the housing aid only (each from the core).
    expected = core.get("prime_activite").amount + core.get("aide_logement").amount
    summary = win.results.not_claimed.text()
    assert t("gui.results.not_claimed_summary", count=2, amount=formats.euros(expected)) in summary
    assert "ARS" in summary and "Chèque énergie" in summary  # listed apart, as paid automatically


# --------------------------------------------------------------------------- 5. scenarios


def test_a_right_lost_in_a_scenario_is_shown_as_a_loss(qtbot: Any, gui_app: Any) -> None:
    from app.core.handout.extras import UNFAVOURABLE
    from app.core.compute.scenarios import Comparison, ComparisonRow
    from app.gui.views.scenarios_view import ComparisonTable

    # Losing the CSS entirely: 30 € of participation a month now, nothing to pay (and no
    # cover) in the variant. The amount goes down, the right is lost: a loss.
    css = ComparisonRow("css_participation", t("scenario.row.css_participation"), "total", "month",
                        (30.0, 0.0), (0.0, -30.0), ("eligible", "not_eligible"), True)
    cheaper = ComparisonRow("css_participation", "CSS", "total", "month",  # free now: a gain
                            (30.0, 0.0), (0.0, -30.0), ("eligible", "eligible"), True)
    disposable = ComparisonRow("disposable", t("scenario.row.disposable"), "total", "month",
                               (1000.0, 1030.0), (0.0, 30.0), (), True)
    table = ComparisonTable()
    qtbot.addWidget(table)
    for row, lost in ((css, True), (cheaper, False)):
        table.show_comparison(Comparison("2026-11", (t("scenario.current"), "Variante"), (), (), (row, disposable)))
        cell = table.item(table.keys.index("css_participation"), 2)
        assert cell is not None
        if lost:
            assert t("scenario.lost", status=t("status.not_eligible")) in cell.text()
            assert "(baisse)" not in cell.text()
            assert cell.background().color().name() == UNFAVOURABLE[0]
        else:
            assert t("scenario.decrease", amount=formats.euros(30)) in cell.text()
            assert cell.background().color().name() != UNFAVOURABLE[0]


def test_better_off_in_work_says_the_salary_replaces_the_current_one(idle_window: Any) -> None:
    from app.gui.views import scenarios_view

    scenarios_view.install(idle_window)
    idle_window.scenarios_work_action.trigger()
    dialog = idle_window.scenarios_dialog
    texts = [label.text() for label in dialog.work_page.findChildren(QLabel)]
    assert t("gui.scenarios.work.intro") in texts
    assert "remplace" in t("gui.scenarios.work.intro") and "avec et sans" not in t("gui.scenarios.work.intro")
    dialog.close()


# --------------------------------------------------------------------------- 6. screening path


def test_a_slash_typed_as_the_results_path_is_a_message_not_an_error(qtbot: Any, gui_app: Any,
                                                                      tmp_path: Path, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QMainWindow

    from app.gui.views.screening_dialog import ScreeningDialog, install

    monkeypatch.setenv("GUICHET_DATA_DIR", str(tmp_path / "data"))

    class Window(QMainWindow):
        month_value = "2026-11"

    window = Window()
    qtbot.addWidget(window)
    install(window)
    window.screening_action.trigger()
    dialog = window.screening_dialog
    assert isinstance(dialog, ScreeningDialog)
    for text in ("/", "~", ".", "//", "/tmp/"):
        type_text(dialog.output_edit, text, clear=True)  # an exception in a slot fails the test
        assert dialog.status.isVisible() and dialog.status.text() == dialog.output_problem()
        assert dialog.output_edit.text() == text  # what was typed stays
    type_text(dialog.output_edit, str(tmp_path / "resultats.xlsx"), clear=True)
    assert dialog.output_problem() is None and not dialog.status.isVisible()


# --------------------------------------------------------------------------- 7. keyboard


def _mnemonics(win: Any) -> dict[str, list[str]]:
    """Alt letters of what is on screen: menus, buttons, check boxes, labels of a field."""
    letters: dict[str, list[str]] = {}
    for action in win.menuBar().actions():
        if (match := re.search(r"&(\w)", action.text())):
            letters.setdefault(match.group(1).lower(), []).append(action.text())
    for widget in win.findChildren(QWidget):
        if not widget.isVisible() or not widget.isEnabled():
            continue
        text = ""
        if isinstance(widget, QAbstractButton):
            text = widget.text()
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            text = widget.text()
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            text = widget.title()
        if (match := re.search(r"&(\w)", text)):
            letters.setdefault(match.group(1).lower(), []).append(text)
    return letters


def test_each_alt_letter_opens_one_thing(idle_window: Any) -> None:
    win = idle_window
    win.retention_bar.show_text("…", t("store.purge.notice_title"))  # the first start's notice
    letters = _mnemonics(win)
    clashes = {letter: texts for letter, texts in letters.items() if len(texts) > 1}
    assert not clashes
    assert "m" in letters and "n" in letters  # Alt+M: the commune; Alt+N: the first name
    assert "Co&mmune" in letters["m"][0] and "Pré&nom" in letters["n"][0]


def test_the_cursor_starts_in_the_first_field_and_the_first_tab_is_visible(idle_window: Any, qtbot: Any) -> None:
    win = idle_window
    assert win.focusWidget() is win.editor.couple  # not the note of the case strip
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.editor.couple, timeout=5000)
    key(None, Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert focused is not None and focused.isVisible() and focused is not win.editor_scroll
    viewport = win.editor_scroll.viewport()
    where = focused.mapTo(viewport, QPoint(0, 0))
    assert viewport.rect().contains(where)  # on screen, where the agent looks
    # The focus outline: drawn around the focused control, on top of it.
    from app.gui.views.widgets import FocusOutline

    outlines = [o for o in win.findChildren(FocusOutline) if o.isVisible()]
    assert len(outlines) == 1 and outlines[0].target is focused
    outline = outlines[0]
    host = outline.parentWidget()
    around = focused.rect().translated(focused.mapTo(host, QPoint(0, 0)))
    assert outline.geometry() == around.adjusted(-FocusOutline.WIDTH, -FocusOutline.WIDTH,
                                                 FocusOutline.WIDTH, FocusOutline.WIDTH)
    assert host.rect().contains(outline.geometry())  # not clipped away by its parent
    # drawn: the outline's colour is on screen just outside the control
    from app.gui.views.widgets import FOCUS_COLOR

    image = win.grab().toImage()
    corner = focused.mapTo(win, QPoint(-1, focused.height() // 2))
    assert image.pixelColor(corner).name() == FOCUS_COLOR


def test_f1_opens_a_short_help_in_french(idle_window: Any, qtbot: Any) -> None:
    from PySide6.QtGui import QKeySequence

    from app.core.base.paths import user_data_dir

    win = idle_window
    assert win.help_action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    assert win.about_action.shortcut().isEmpty()  # F1 is the help, « À propos » is in the menu
    win.help_action.trigger()
    dialog = win.help_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.browser.toPlainText()
    for expected in ("Ctrl+N", "Ctrl+S", "F5", t("gui.help.workflow"), t("gui.help.data"), str(user_data_dir())):
        assert expected in text
    dialog.close()


# --------------------------------------------------------------------------- 9. smaller


def test_qt_dialogs_speak_french(gui_app: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    dialog = QFileDialog(None, "Choisir")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = [label.text().replace("\xa0", " ") for label in dialog.findChildren(QLabel)]
    assert "&Voir dans :" in labels and "&Fichiers de type :" in labels  # Qt asks « &Look in: »
    assert not any("Look in" in text or "Files of" in text for text in labels)


def test_a_salaried_person_without_salary_is_told_over_the_results(idle_window: Any, qtbot: Any) -> None:
    from app.core.model.validation import notices
    from gui_helpers import choose

    win = idle_window
    form = win.editor.forms[0]
    type_text(form.birth_date, "14031992")
    choose(form.activity, t("choice.activity.salarie"))
    type_text(win.editor.housing.commune, "69003")
    key(win.editor.housing.commune, Qt.Key.Key_Down)
    key(win.editor.housing.commune, Qt.Key.Key_Return)
    win.validate_now()
    collected = win.editor.collect()
    assert collected.computable  # a warning, not an error: the computation goes on
    expected = [n.message for n in notices(collected.household)]
    assert len(expected) == 1 and "aucun salaire" in expected[0]
    assert win.results.notice_banner.isVisible() and win.results.notice_banner.text() == expected[0]
    assert win._compute_timer.isActive() or win._pending_id is not None  # computed anyway
    form.resources.add_row()
    row = form.resources.rows[0]
    type_text(row.stable, "1200")
    win.validate_now()
    assert not win.results.notice_banner.isVisible()


def test_an_unknown_postal_code_and_a_day_that_does_not_exist_are_named(idle_window: Any, qtbot: Any) -> None:
    from app.core.model.validation import field_label

    win = idle_window
    commune = win.editor.housing.commune
    type_text(commune, "99999")
    key(commune, Qt.Key.Key_Escape)
    win.editor.housing.rent.setFocus()
    box = win.editor.housing.boxes["commune_insee"]
    qtbot.waitUntil(lambda: "inconnu" in box.error.text(), timeout=5000)
    assert box.error.text() == t("gui.problem.unknown_postal_code", field=field_label("housing.commune_insee"),
                                 value="99999")
    person = win.editor.forms[0]
    type_text(person.birth_date, "31022026")  # tidied to 31/02/2026: the format is right
    qtbot.waitUntil(lambda: "n'existe pas" in person.boxes["birth_date"].error.text(), timeout=5000)


@pytest.mark.slow
def test_the_prime_a_la_naissance_is_to_request_with_its_month(window: Any, qtbot: Any, core_engine: Any) -> None:
    """Example 17 (expected birth 20/01/2027): the prime is in the benefits to request, with
    the month it is paid, and the one-off sum is said apart from the monthly amounts."""
    from app.gui.models.results_model import NOT_CLAIMED_COLOR, STATUS

    path = ROOT / "examples" / "17-couple-attend-un-enfant-toulouse.json"
    win = window
    open_example(win, qtbot, path)
    household, month = load_case(path)
    core = core_engine.compute(household, month)
    grant = core.get("paje_naissance")
    assert grant.amount > 0 and grant.paid_in == "2026-11"  # the amount itself: tests/core/test_birth_grant.py
    model = win.results.model
    brush = model.data(model.index(model.row_of("paje_naissance"), STATUS), Qt.ItemDataRole.BackgroundRole)
    assert brush is not None and brush.color() == NOT_CLAIMED_COLOR
    win.results.select_benefit("paje_naissance")
    assert "versé en novembre 2026" in win.results.detail.toPlainText()
    monthly = core.get("prime_activite").amount + core.get("aide_logement").amount
    assert t("gui.results.not_claimed_summary_once", count=3, amount=formats.euros(monthly),
             once=formats.euros(grant.amount)) in win.results.not_claimed.text()
