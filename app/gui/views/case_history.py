"""The simulations of a case (« Historique ») and the banner of a historical result.

An old simulation is shown exactly as stored (``store.get_simulation``: the result
read back by ``results_json``), marked read-only with its date, month and versions;
« Recalculer avec les règles d'aujourd'hui » computes the same household again in
the engine process and lists the differences (``results_json.result_differences``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.base import formats
from app.core.base.i18n import t
from app.gui.views.case_list import RecordTableModel, local_datetime
from app.gui.views.widgets import accessible

if TYPE_CHECKING:
    from app.core.benefits.catalogue import Catalogue
    from app.core.benefits.results import BenefitResult, SimulationResult
    from app.core.io.results_json import BenefitChange
    from app.core.store import SimulationSummary, Store, StoredSimulation

COLUMNS = ("date", "month", "total", "found", "versions", "note")


class SimulationTableModel(RecordTableModel):
    columns = COLUMNS
    header_key = "gui.cases.history.column"
    right_aligned = frozenset({"total", "found"})

    def display(self, item: SimulationSummary, column: str) -> str:
        return {
            "date": lambda: local_datetime(item.created_at),
            "month": lambda: formats.month(item.month),
            "total": lambda: formats.euros(item.total_monthly),
            "found": lambda: str(item.benefits_found),
            "versions": lambda: t("gui.cases.history.versions", openfisca=item.openfisca_france,
                                  catalogue=item.catalogue_version),
            "note": lambda: item.note,
        }[column]()


class CaseHistoryDialog(QDialog):
    """The simulations of one case, newest first; « Afficher » shows one (historical)."""

    def __init__(self, store: Store, case_id: int, reference: str, on_show: Callable[[int], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.case_id = case_id
        self._on_show = on_show
        self.setWindowTitle(t("gui.cases.history.title", reference=reference))
        self.resize(900, 420)
        self.model = SimulationTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        accessible(self.table, t("gui.cases.history.table_name"))
        self.table.doubleClicked.connect(lambda _index: self.show_selected())
        self.empty = QLabel(t("gui.cases.history.empty"))
        self.empty.setWordWrap(True)
        self.show_button = QPushButton(t("gui.cases.history.show"))
        self.show_button.setDefault(True)
        self.note_button = QPushButton(t("gui.cases.history.edit_note"))
        self.close_button = QPushButton(t("gui.cases.history.close"))
        self.show_button.clicked.connect(self.show_selected)
        self.note_button.clicked.connect(self.edit_note)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.note_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.refresh()
        self.table.setFocus()

    def refresh(self) -> None:
        selected = self.selected()
        items = self.store.list_simulations(self.case_id)
        self.model.set_items(items)
        self.empty.setVisible(not items)
        if items:
            row = next((i for i, s in enumerate(items) if selected is not None and s.id == selected.id), 0)
            self.table.selectRow(row)
        has = bool(items)
        self.show_button.setEnabled(has)
        self.note_button.setEnabled(has and not self.store.read_only)

    def selected(self) -> SimulationSummary | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.items):
            return None
        return self.model.items[index.row()]

    def show_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        self.accept()
        self._on_show(item.id)

    def edit_note(self) -> None:
        from app.core.store import StoreError

        item = self.selected()
        if item is None or self.store.read_only:
            return
        note, ok = QInputDialog.getText(self, t("gui.cases.history.note_title"), t("gui.cases.history.note_label"),
                                        QLineEdit.EchoMode.Normal, item.note)
        if not ok:
            return
        try:
            self.store.set_simulation_note(item.id, note.strip())
        except StoreError as error:
            QMessageBox.warning(self, self.windowTitle(), str(error))
            return
        self.refresh()


# -- the banner over a historical result -----------------------------------------------------------
def benefit_label(catalogue: Catalogue | None, benefit_id: str) -> str:
    if catalogue is not None:
        for benefit in catalogue:
            if benefit.id == benefit_id:
                return str(benefit.short_label or benefit.label)
    return benefit_id


def result_text(catalogue: Catalogue | None, result: BenefitResult | None) -> str:
    """« Éligible, 412,37 €/mois », « Non éligible »… (what the results table says)."""
    if result is None:
        return t("gui.cases.historical.absent")
    from app.gui.models.results_model import amount_text, status_text

    status = status_text(result)
    benefit = None
    if catalogue is not None:
        benefit = next((b for b in catalogue if b.id == result.benefit_id), None)
    if benefit is not None:
        amount = amount_text(benefit, result)
        if amount and amount != t("gui.results.no_amount"):
            return f"{status}, {amount}"
    elif result.amount:
        return f"{status}, {formats.euros(result.amount)}"
    return status


def differences_lines(changes: tuple[BenefitChange, ...], before: SimulationResult, after: SimulationResult,
                      catalogue: Catalogue | None) -> list[str]:
    """The differences in French: one line per benefit that changed, then the totals."""
    lines = []
    for change in changes:
        label = benefit_label(catalogue, change.benefit_id)
        before_text = result_text(catalogue, change.before)
        after_text = result_text(catalogue, change.after)
        delta = change.amount_change
        if delta and change.before is not None and change.after is not None \
                and change.before.amount_period == change.after.amount_period:
            sign = "+" if delta > 0 else "−"
            lines.append(t("gui.cases.historical.change_amount", benefit=label, before=before_text, after=after_text,
                           delta=sign + formats.euros(abs(delta))))
        else:
            lines.append(t("gui.cases.historical.change", benefit=label, before=before_text, after=after_text))
    if round(before.total_monthly(), 2) != round(after.total_monthly(), 2):
        lines.append(t("gui.cases.historical.total", before=formats.euros(before.total_monthly()),
                       after=formats.euros(after.total_monthly())))
    return lines


class HistoricalBanner(QFrame):
    """Over the results: « Résultat historique — lecture seule », when and with which
    rules it was computed, the recompute and back buttons, and the differences."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historicalBanner")
        self.setStyleSheet("QFrame#historicalBanner { background:#ece6f7; border:2px solid #6a4fb3; border-radius:4px; }"
                           " QLabel { color:#2a1a55; }")
        self.title = QLabel(t("gui.cases.historical.title"))
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.recompute_button = QPushButton(t("gui.cases.historical.recompute"))
        self.back_button = QPushButton(t("gui.cases.historical.back"))
        self.differences = QLabel()
        self.differences.setWordWrap(True)
        self.differences.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.differences.setStyleSheet("QLabel { background:#ffffff; border:1px solid #b9aee0; padding:4px; }")
        accessible(self.differences, t("gui.cases.historical.recompute").replace("&", ""))
        buttons = QHBoxLayout()
        buttons.addWidget(self.recompute_button)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(self.differences)
        self.hide()

    def show_simulation(self, stored: StoredSimulation) -> None:
        import datetime as dt

        summary = stored.summary
        local = summary.created_at.astimezone()
        until = summary.legislation_until
        try:
            until = formats.date(dt.date.fromisoformat(until)) if until else "?"
        except ValueError:
            pass
        self.detail.setText(t(
            "gui.cases.historical.detail", date=formats.date(local.date()), time=local.strftime("%H:%M"),
            month=formats.month(summary.month), openfisca=summary.openfisca_france or "?", until=until,
            catalogue=summary.catalogue_version or "?", app=summary.app_version or "?",
        ))
        self.note.setText(t("gui.cases.historical.note", note=summary.note))
        self.note.setVisible(bool(summary.note))
        self.differences.clear()
        self.differences.hide()
        self.recompute_button.setEnabled(True)
        self.show()

    def show_message(self, text: str) -> None:
        self.differences.setText(text)
        self.differences.show()

    def show_differences(self, count: int, lines: list[str], after: SimulationResult) -> None:
        openfisca = after.openfisca_france or "?"
        if not count:
            self.show_message(t("gui.cases.historical.no_difference", openfisca=openfisca))
            return
        head = t("gui.cases.historical.differences", openfisca=openfisca, count=count)
        self.show_message(head + "\n" + "\n".join(f"• {line}" for line in lines))
