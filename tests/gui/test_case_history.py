"""Saving a computed result as a simulation, and reopening an old simulation exactly
as it was computed, then recomputing it on today's rules (issue #5, GUI part).

Expected values come from the core's own ``Engine().compute`` of the same household
(the ``core_engine`` fixture), not from the window; the "old" simulation is that
result with one amount changed by a known 50 € and other rule versions, stored with
``store.add_simulation`` — what a database written last year would hold.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from app.core.base import formats
from app.core.model.examples import warm_up_household
from app.core.base.i18n import t
from app.core.io.results_json import result_to_dict
from gui_helpers import type_text, wait_results

pytestmark = pytest.mark.slow

SHIFT = 50.0  # the amount the "old" simulation differs by


@pytest.fixture
def hwin(qtbot: Any, gui_app: Any, engine_client: Any, catalogue: Any, settings: QSettings,
         tmp_path: Path) -> Iterator[Any]:
    from app.gui.case_session import CaseSession
    from app.gui.main_window import MainWindow

    session = CaseSession(tmp_path / "data" / "guichet.db")
    session.open_now()
    win = MainWindow(engine=engine_client, catalogue=catalogue, settings=settings, cases=session)
    win.ask_before_discard = False
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.ask_before_discard = False
    win.close()


def amount_text(benefit: Any, item: Any) -> str:
    key = "gui.results.amount_year" if item.amount_period == "year" else "gui.results.amount_month"
    return t(key, amount=formats.euros(item.amount))


def test_save_keeps_the_result_and_the_note(hwin: Any, qtbot: Any, core_engine: Any, catalogue: Any) -> None:
    win = hwin
    store = win.cases.store
    household = warm_up_household()
    win.load_household(household, "2026-11")
    shown = wait_results(qtbot, win)
    expected = core_engine.compute(household, "2026-11")
    assert result_to_dict(shown) == result_to_dict(expected)  # the engine process and the core agree
    type_text(win.note_edit, "RDV CAF le 12, apporter l'avis d'impôt")
    assert win.save_case()
    assert win.statusBar().currentMessage() == t("gui.cases.saved_with_simulation", reference=win.case_reference)
    assert win.is_up_to_date()  # adopting the reference did not start a computation
    sims = store.list_simulations(win.case_id)
    assert len(sims) == 1 and sims[0].note == "RDV CAF le 12, apporter l'avis d'impôt"
    assert sims[0].month == "2026-11" and sims[0].total_monthly == expected.total_monthly()
    assert result_to_dict(store.get_simulation(sims[0].id).result) == result_to_dict(expected)
    assert win.note_edit.text() == ""
    assert win.history_button.text() == t("gui.cases.strip.history_button", count=1)
    # Saving again without a change stores no second simulation.
    assert win.save_case()
    assert len(store.list_simulations(win.case_id)) == 1


def test_old_simulation_is_shown_as_stored_then_recomputed(hwin: Any, qtbot: Any, core_engine: Any,
                                                            catalogue: Any) -> None:
    win = hwin
    store = win.cases.store
    household = warm_up_household()
    win.load_household(household, "2026-11")
    wait_results(qtbot, win)
    assert win.save_case()
    today = core_engine.compute(household, "2026-11")
    by_id = {b.id: b for b in catalogue}
    changed = next(b for b in today.benefits if b.status.value == "eligible" and b.amount_period == "month"
                   and b.amount > SHIFT and by_id[b.benefit_id].value == "amount")
    old_item = dataclasses.replace(changed, amount=round(changed.amount - SHIFT, 2))
    old = dataclasses.replace(today, benefits=tuple(old_item if b is changed else b for b in today.benefits),
                              openfisca_france="150.0.0", catalogue_version="2025.1")
    stored = store.add_simulation(win.case_id, household, old, note="avant la revalorisation")

    chosen: list[str] = []

    def pick(dialog: Any) -> None:
        dialog.activateWindow()
        QApplication.processEvents()
        assert dialog.model.rowCount() == 2 and dialog.model.items[0].id == stored.id  # newest first
        assert dialog.model.data(dialog.model.index(0, 5)) == "avant la revalorisation"
        chosen.append("ok")
        dialog.show_selected()

    def attempt() -> None:
        dialog = win.history_dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, attempt)
            return
        try:
            pick(dialog)
        except BaseException as error:
            chosen.append(repr(error))
            dialog.reject()

    QTimer.singleShot(0, attempt)
    win.show_history()
    assert chosen == ["ok"]

    # Shown exactly as stored: the old amount, not today's; marked historical, read-only.
    assert win.historical is not None and win.historical.id == stored.id
    label = by_id[changed.benefit_id]
    assert win.results.displayed()[changed.benefit_id]["amount"] == amount_text(label, old_item)
    assert win.results.total.text() == t("gui.results.total", label=t("results.total_monthly"),
                                         amount=formats.euros(old.total_monthly()))
    banner = win.historical_banner
    assert banner.isVisible() and banner.title.text() == t("gui.cases.historical.title")
    assert "150.0.0" in banner.detail.text() and "2025.1" in banner.detail.text()
    assert formats.month("2026-11") in banner.detail.text()
    assert banner.note.text() == t("gui.cases.historical.note", note="avant la revalorisation")
    assert not win.editor.isEnabled() and not win.save_action.isEnabled() and not win.month.isEnabled()
    assert not win.is_up_to_date()  # no handout of an old result as if current
    qtbot.wait(1500)  # nothing recomputes it behind the agent's back
    assert win.results.displayed()[changed.benefit_id]["amount"] == amount_text(label, old_item)

    # « Recalculer avec les règles d'aujourd'hui »: the differences, in French.
    banner.recompute_button.click()
    qtbot.waitUntil(lambda: win.recomputed is not None, timeout=120_000)
    text = banner.differences.text()
    status = t("status.eligible")
    line = t("gui.cases.historical.change_amount", benefit=label.short_label or label.label,
             before=f"{status}, {amount_text(label, old_item)}", after=f"{status}, {amount_text(label, changed)}",
             delta="+" + formats.euros(SHIFT))
    assert text.startswith(t("gui.cases.historical.differences", openfisca=today.openfisca_france, count=1))
    assert f"• {line}" in text.splitlines()
    assert t("gui.cases.historical.total", before=formats.euros(old.total_monthly()),
             after=formats.euros(today.total_monthly())) in text
    # The stored result is still the one displayed.
    assert win.results.displayed()[changed.benefit_id]["amount"] == amount_text(label, old_item)
    # At 1366×768 the banner and its differences leave the table rows to read: the detail
    # pane gave the banner its room (before, three rows were left).
    qtbot.waitUntil(lambda: win.results.visible_rows() >= 5, timeout=2_000)
    detail_with_banner = win.results.splitter.sizes()[1]

    # « Revenir au dossier »: editable again, computed on today's rules.
    banner.back_button.click()
    assert win.historical is None and win.editor.isEnabled() and not banner.isVisible()
    qtbot.waitUntil(lambda: win.results.splitter.sizes()[1] > detail_with_banner, timeout=2_000)  # room given back
    current = wait_results(qtbot, win)
    assert result_to_dict(current) == result_to_dict(today)


def test_recompute_of_an_unchanged_simulation_says_identical(hwin: Any, qtbot: Any) -> None:
    win = hwin
    win.load_household(warm_up_household(), "2026-11")
    wait_results(qtbot, win)
    assert win.save_case()
    simulation = win.cases.store.list_simulations(win.case_id)[0]
    assert win.show_simulation(simulation.id)
    win.historical_banner.recompute_button.click()
    qtbot.waitUntil(lambda: win.recomputed is not None, timeout=120_000)
    assert win.historical_banner.differences.text() == t(
        "gui.cases.historical.no_difference", openfisca=win.recomputed.openfisca_france)
