"""« Dossiers »: the list of stored cases — search (reference, first name, commune,
postal code, free text), period, sort by column, pages — and what to do with one:
open (Enter, double-click), history, duplicate as a variant, export, delete (after
confirmation). Everything works from the keyboard; searches run in the store
(< 100 ms on 10,000 cases, docs/storage.md) as the agent types.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
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
from app.gui.views.widgets import accessible

if TYPE_CHECKING:
    from app.core.store import CaseSummary, Store

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 50
SEARCH_DELAY_MS = 150

COLUMNS = ("reference", "names", "commune", "persons", "simulations", "updated", "created")
SORTABLE = {0: "reference", 1: "name", 2: "commune", 5: "updated", 6: "created"}


def local_datetime(value: dt.datetime) -> str:
    local = value.astimezone()
    return t("gui.cases.list.datetime", date=formats.date(local.date()), time=local.strftime("%H:%M"))


class RecordTableModel(QAbstractTableModel):
    """A read-only table of frozen records (one per row): subclasses name their
    ``columns`` (header texts under ``header_key``) and say what a cell shows."""

    columns: tuple[str, ...] = ()
    header_key = ""
    right_aligned: frozenset[str] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        self.items: tuple[Any, ...] = ()

    def set_items(self, items: tuple[Any, ...]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return t(f"{self.header_key}.{self.columns[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.right_aligned:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def display(self, item: Any, column: str) -> str:
        raise NotImplementedError

    def tooltip(self, item: Any, column: str) -> str | None:
        return None


class CaseTableModel(RecordTableModel):
    columns = COLUMNS
    header_key = "gui.cases.list.column"
    right_aligned = frozenset({"persons", "simulations"})

    def display(self, item: CaseSummary, column: str) -> str:
        return {
            "reference": lambda: item.reference,
            "names": lambda: item.display_name,
            "commune": lambda: item.commune_name or item.commune_insee or "—",
            "persons": lambda: str(item.persons),
            "simulations": lambda: str(item.simulations),
            "updated": lambda: local_datetime(item.updated_at),
            "created": lambda: local_datetime(item.created_at),
        }[column]()

    def tooltip(self, item: CaseSummary, column: str) -> str | None:
        if column == "reference" and item.variant_of:
            return t("gui.cases.list.variant", reference=item.variant_of)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting happens in the store (every page): the dialog listens to the header."""


class CaseListDialog(QDialog):
    """The case list. ``chosen_case_id`` is set when the agent opens a case (accept)."""

    def __init__(self, store: Store, parent: QWidget | None = None, current_case_id: int | None = None,
                 on_history: Callable[[int], None] | None = None,
                 on_export: Callable[[int], object] | None = None,
                 on_deleted: Callable[[int, str], None] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.chosen_case_id: int | None = None
        self.current_case_id = current_case_id
        self._on_history = on_history
        self._on_export = on_export
        self._on_deleted = on_deleted
        self.offset = 0
        self.total = 0
        self.sort_key = "updated"
        self.descending = True
        self.setWindowTitle(t("gui.cases.list.title"))
        self.resize(1000, 560)

        self.search = QLineEdit()
        self.search.setPlaceholderText(t("gui.cases.list.search_placeholder"))
        self.search.setClearButtonEnabled(True)
        accessible(self.search, t("gui.cases.list.search_name"), t("gui.cases.list.search_placeholder"))
        search_label = QLabel(t("gui.cases.list.search_label"))
        search_label.setBuddy(self.search)

        self.period = QComboBox()
        for key in ("all", "today", "week", "month", "custom"):
            self.period.addItem(t(f"gui.cases.list.period.{key}"), key)
        accessible(self.period, t("gui.cases.list.period_label").replace("&", ""))
        period_label = QLabel(t("gui.cases.list.period_label"))
        period_label.setBuddy(self.period)
        self.date_field = QComboBox()
        for key in ("updated", "created"):
            self.date_field.addItem(t(f"gui.cases.list.date_field.{key}"), key)
        accessible(self.date_field, t("gui.cases.list.date_field_label"))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit, name in ((self.date_from, "date_from_name"), (self.date_to, "date_to_name")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setEnabled(False)
            accessible(edit, t(f"gui.cases.list.{name}"))

        self.model = CaseTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSortIndicator(5, Qt.SortOrder.DescendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.sortIndicatorChanged.connect(self._on_sort)
        accessible(self.table, t("gui.cases.list.table_name"), t("gui.cases.list.table_help"))
        self.table.doubleClicked.connect(lambda _index: self.open_selected())

        self.count = QLabel()
        self.previous_button = QPushButton(t("gui.cases.list.previous"))
        self.next_button = QPushButton(t("gui.cases.list.next"))
        self.previous_button.clicked.connect(lambda: self.go_page(-1))
        self.next_button.clicked.connect(lambda: self.go_page(1))
        self.open_button = QPushButton(t("gui.cases.list.open"))
        self.open_button.setDefault(True)
        self.history_button = QPushButton(t("gui.cases.list.history"))
        self.duplicate_button = QPushButton(t("gui.cases.list.duplicate"))
        self.export_button = QPushButton(t("gui.cases.list.export"))
        self.delete_button = QPushButton(t("gui.cases.list.delete"))
        self.close_button = QPushButton(t("gui.cases.list.close"))
        self.open_button.clicked.connect(self.open_selected)
        self.history_button.clicked.connect(self.history_selected)
        self.duplicate_button.clicked.connect(self.duplicate_selected)
        self.export_button.clicked.connect(self.export_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.close_button.clicked.connect(self.reject)
        self.read_only_note = QLabel(t("gui.cases.list.read_only_note"))
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setStyleSheet("QLabel { background:#fff4cc; border:1px solid #e0b400; padding:4px; }")
        self.read_only_note.setVisible(store.read_only)
        self.duplicate_button.setEnabled(not store.read_only)
        self.delete_button.setEnabled(not store.read_only)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.delete_selected)

        filters = QHBoxLayout()
        filters.addWidget(search_label)
        filters.addWidget(self.search, 3)
        filters.addSpacing(12)
        filters.addWidget(period_label)
        filters.addWidget(self.period)
        filters.addWidget(self.date_from)
        filters.addWidget(self.date_to)
        filters.addWidget(QLabel(t("gui.cases.list.date_field_label")))
        filters.addWidget(self.date_field)
        pages = QHBoxLayout()
        pages.addWidget(self.count, 1)
        pages.addWidget(self.previous_button)
        pages.addWidget(self.next_button)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.history_button, self.duplicate_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_note)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(pages)
        layout.addLayout(buttons)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._new_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.installEventFilter(self)
        self.period.currentIndexChanged.connect(self._on_period)
        self.date_field.currentIndexChanged.connect(lambda _i: self._new_search())
        self.date_from.dateChanged.connect(lambda _d: self._new_search())
        self.date_to.dateChanged.connect(lambda _d: self._new_search())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.refresh()
        self.search.setFocus()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)  # type to search at once

    # -- querying ------------------------------------------------------------------------------
    def query(self) -> Any:
        from app.core.store import CaseQuery, CaseSort, DateField

        period = self.period.currentData()
        today = dt.date.today()
        date_from = date_to = None
        if period == "today":
            date_from = date_to = today
        elif period == "week":
            date_from, date_to = today - dt.timedelta(days=6), today
        elif period == "month":
            date_from, date_to = today - dt.timedelta(days=29), today
        elif period == "custom":
            date_from, date_to = self.date_from.date().toPython(), self.date_to.date().toPython()  # type: ignore[assignment]
        return CaseQuery(text=self.search.text().strip(), date_from=date_from, date_to=date_to,
                         date_field=DateField(self.date_field.currentData()), sort=CaseSort(self.sort_key),
                         descending=self.descending, limit=PAGE_SIZE, offset=self.offset)

    def refresh(self, select_id: int | None = None) -> None:
        if select_id is None:
            item = self.selected_case()
            select_id = item.id if item is not None else None
        page = self.store.search_cases(self.query())
        if not page.items and self.offset > 0 and page.total:
            self.offset = max(0, (page.total - 1) // PAGE_SIZE * PAGE_SIZE)
            page = self.store.search_cases(self.query())
        self.total = page.total
        self.model.set_items(page.items)
        if page.items:
            row = next((i for i, c in enumerate(page.items) if c.id == select_id), 0)
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, 0))
        if page.total:
            self.count.setText(t("gui.cases.list.count", first=self.offset + 1,
                                 last=self.offset + len(page.items), total=page.total))
        else:
            self.count.setText(t("gui.cases.list.count_none"))
        self.previous_button.setEnabled(self.offset > 0)
        self.next_button.setEnabled(self.offset + len(page.items) < page.total)
        self._update_buttons()

    def _new_search(self) -> None:
        self._search_timer.stop()
        self.offset = 0
        self.refresh()

    def go_page(self, step: int) -> None:
        self.offset = max(0, self.offset + step * PAGE_SIZE)
        self.refresh()
        self.table.setFocus()

    def _on_period(self, _index: int) -> None:
        custom = self.period.currentData() == "custom"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        self._new_search()

    def _on_sort(self, column: int, order: Qt.SortOrder) -> None:
        key = SORTABLE.get(column)
        if key is None:  # not sortable in the store: put the indicator back
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            back = next(c for c, k in SORTABLE.items() if k == self.sort_key)
            header.setSortIndicator(back, Qt.SortOrder.DescendingOrder if self.descending
                                    else Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.offset = 0
        self.refresh()

    def sort_by(self, key: str, descending: bool = False) -> None:
        column = next(c for c, k in SORTABLE.items() if k == key)
        self.table.horizontalHeader().setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)

    # -- selection and actions -------------------------------------------------------------------
    def selected_case(self) -> CaseSummary | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.items):
            return None
        return self.model.items[index.row()]

    def _update_buttons(self) -> None:
        has = self.selected_case() is not None
        self.open_button.setEnabled(has)
        self.history_button.setEnabled(has and self._on_history is not None)
        self.export_button.setEnabled(has and self._on_export is not None)
        self.duplicate_button.setEnabled(has and not self.store.read_only)
        self.delete_button.setEnabled(has and not self.store.read_only)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt API
        """Up/Down/PageUp/PageDown in the search field move in the list."""
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self.table.setFocus()
                from PySide6.QtWidgets import QApplication

                QApplication.sendEvent(self.table, QKeyEvent(event.type(), event.key(), event.modifiers()))
                return True
        return super().eventFilter(watched, event)

    def open_selected(self) -> None:
        item = self.selected_case()
        if item is None:
            return
        self.chosen_case_id = item.id
        self.accept()

    def history_selected(self) -> None:
        item = self.selected_case()
        if item is not None and self._on_history is not None:
            self._on_history(item.id)
            self.refresh()

    def export_selected(self) -> None:
        item = self.selected_case()
        if item is not None and self._on_export is not None:
            self._on_export(item.id)

    def duplicate_selected(self) -> None:
        from app.core.store import StoreError

        item = self.selected_case()
        if item is None or self.store.read_only:
            return
        try:
            variant = self.store.duplicate_case(item.id)
        except StoreError as error:
            QMessageBox.warning(self, t("gui.cases.list.title"), str(error))
            return
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.offset = 0
        self.refresh(select_id=variant.id)
        self.count.setText(self.count.text() + " — " + t("gui.cases.duplicated", reference=variant.reference,
                                                          original=item.reference))
        self.table.setFocus()

    def delete_selected(self) -> None:
        from app.core.store import StoreError

        item = self.selected_case()
        if item is None or self.store.read_only:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, t("gui.cases.list.delete_title"),
                          t("store.case.delete_confirm", reference=item.reference, count=item.simulations),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)  # Enter does not delete
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.delete_case(item.id)
        except StoreError as error:
            QMessageBox.warning(self, t("gui.cases.list.title"), str(error))
            return
        if self._on_deleted is not None:
            self._on_deleted(item.id, item.reference)
        self.refresh()
        self.count.setText(self.count.text() + " — " + t("gui.cases.deleted", reference=item.reference))
        self.table.setFocus()
