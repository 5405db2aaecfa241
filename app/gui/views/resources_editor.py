"""A person's resources: one row per kind, each "stable over 12 months" or a 12-month grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.model.household import MONTHS_OF_HISTORY, Resource, ResourceKind
from app.core.base.i18n import t
from app.core.model.periods import add_months, current_month, parse_month
from app.core.model.validation import shown
from app.gui import icons
from app.gui.views.widgets import AmountEdit, ChoiceCombo, ErrorLabel, FieldBox, accessible

STABLE, MONTHLY = "stable", "monthly"


@dataclass(frozen=True)
class RawProblem:
    """A problem found while reading the widgets; worded once the household exists."""

    path: str
    key: str
    params: tuple[tuple[str, Any], ...] = ()


def amount_problem(path: str, text: str, error: ValueError) -> RawProblem:
    """The problem of an amount that cannot be read, worded as ``formats.parse_amount``
    says why (« n'est pas un montant », « est ambigu » for ``1.500``…)."""
    return RawProblem(path, getattr(error, "key", "problem.not_a_number"), (("value", shown(text)),))


def month_label(month: str) -> str:
    year, mon = parse_month(month)
    return t("gui.month_short", month=t(f"gui.months_short.m{mon}"), year=year)


class MonthGrid(QWidget):
    """Twelve amounts, M-12 .. M-1 (oldest first), and "copy to the following months"."""

    edited = Signal()

    def __init__(self, resource_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._resource_name = resource_name
        self.edits: list[AmountEdit] = []
        self.labels: list[QLabel] = []
        self.last_index = 0
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(1)
        for i in range(MONTHS_OF_HISTORY):
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
            edit = AmountEdit("")
            edit.setMinimumWidth(58)
            label.setBuddy(edit)
            edit.textEdited.connect(lambda _text, index=i: self._on_edit(index))
            row, column = divmod(i, 6)
            grid.addWidget(label, row * 2, column)
            grid.addWidget(edit, row * 2 + 1, column)
            self.labels.append(label)
            self.edits.append(edit)
        self.copy_button = QPushButton(t("gui.resources.copy_forward"))
        self.copy_button.setToolTip(t("gui.resources.copy_forward_help"))
        accessible(self.copy_button, t("gui.resources.copy_forward"), t("gui.resources.copy_forward_help"))
        self.copy_button.clicked.connect(self.copy_forward)
        grid.addWidget(self.copy_button, 4, 0, 1, 6, Qt.AlignmentFlag.AlignLeft)
        shortcut = QShortcut(QKeySequence("Ctrl+D"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.copy_forward)
        self.set_month(current_month())

    def set_month(self, month: str) -> None:
        for i, (label, edit) in enumerate(zip(self.labels, self.edits)):
            text = month_label(add_months(month, i - MONTHS_OF_HISTORY))
            label.setText(text)
            accessible(edit, t("gui.resources.month_amount", resource=self._resource_name, month=text))

    def set_resource_name(self, name: str) -> None:
        self._resource_name = name

    def _on_edit(self, index: int) -> None:
        self.last_index = index
        self.edited.emit()

    def copy_forward(self) -> None:
        """Copy the month being edited (or the last one edited) to every month after it."""
        focused = next((i for i, edit in enumerate(self.edits) if edit.hasFocus()), None)
        index = focused if focused is not None else self.last_index
        text = self.edits[index].text()
        for edit in self.edits[index + 1:]:
            edit.setText(text)
        self.edited.emit()

    def texts(self) -> list[str]:
        return [edit.text() for edit in self.edits]

    def set_values(self, values: tuple[float, ...] | list[float]) -> None:
        for edit, value in zip(self.edits, values):
            edit.set_amount(value)

    def fill(self, text: str) -> None:
        for edit in self.edits:
            edit.setText(text)


class ResourceRow(QWidget):
    """One resource: its kind, stable or month by month, the amount(s)."""

    edited = Signal()
    removeRequested = Signal(object)

    def __init__(self, kind: ResourceKind = ResourceKind.SALAIRE_NET, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ChoiceCombo(ResourceKind, "resource", t("gui.resources.kind"))
        self.kind.set_value(kind)
        self.mode = QComboBox()
        self.mode.addItem(t("gui.resources.stable"), STABLE)
        self.mode.addItem(t("gui.resources.monthly"), MONTHLY)
        accessible(self.mode, t("gui.resources.mode"))
        self.stable = AmountEdit(t("gui.resources.stable_amount"))
        self.stable.setMinimumWidth(90)
        self.stable_box = FieldBox(self.stable)
        self.per_month = QLabel(t("gui.resources.per_month"))
        self.per_month.setFixedHeight(self.stable.sizeHint().height())  # level with the amount
        self.remove = QToolButton()
        self.remove.setIcon(icons.icon("remove"))
        self.remove.setToolTip(t("gui.resources.remove"))
        accessible(self.remove, t("gui.resources.remove"))
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self))
        self.grid = MonthGrid(self.kind.currentText())
        self.grid_error = ErrorLabel()
        self.row_error = ErrorLabel()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.kind, 3)
        top.addWidget(self.mode, 2)
        top.addWidget(self.stable_box, 2, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.per_month, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.remove, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.grid)
        layout.addWidget(self.grid_error)
        layout.addWidget(self.row_error)
        self.grid.hide()

        self.kind.activated.connect(self._on_kind)
        self.mode.activated.connect(self._on_mode)
        self.stable_box.edited.connect(self.edited)
        self.grid.edited.connect(self._on_grid_edit)
        self._update_names()

    # -- state ------------------------------------------------------------------------
    def is_monthly(self) -> bool:
        return self.mode.currentData() == MONTHLY

    def set_monthly(self, monthly: bool) -> None:
        self.mode.setCurrentIndex(1 if monthly else 0)
        self._apply_mode()

    def _on_kind(self, *_args: object) -> None:
        self._update_names()
        self.edited.emit()

    def _update_names(self) -> None:
        name = self.kind.currentText()
        self.grid.set_resource_name(name)
        self.grid.set_month(getattr(self, "_month", current_month()))
        accessible(self.stable, t("gui.resources.stable_amount_of", resource=name))
        accessible(self.mode, t("gui.resources.mode_of", resource=name))
        accessible(self.remove, t("gui.resources.remove_of", resource=name))

    def _on_mode(self, *_args: object) -> None:
        if self.is_monthly() and not any(text.strip() for text in self.grid.texts()):
            self.grid.fill(self.stable.text())  # start the grid from the stable amount
        elif not self.is_monthly() and self.stable.is_empty():
            first = next((text for text in self.grid.texts() if text.strip()), "")
            self.stable.setText(first)
        self._apply_mode()
        self.edited.emit()

    def _on_grid_edit(self) -> None:
        self.edited.emit()

    def _apply_mode(self) -> None:
        monthly = self.is_monthly()
        self.grid.setVisible(monthly)
        self.stable_box.setVisible(not monthly)
        self.per_month.setVisible(not monthly)
        if not monthly:
            self.grid_error.show_message(None)

    def set_month(self, month: str) -> None:
        self._month = month
        self.grid.set_month(month)

    def load(self, resource: Resource) -> None:
        self.kind.set_value(resource.kind)
        if resource.monthly is not None:
            self.grid.set_values(resource.monthly)
            self.set_monthly(True)
        else:
            self.stable.set_amount(resource.stable)
            self.set_monthly(False)
        self._update_names()

    def mark_touched(self) -> None:
        self.stable_box.touched = True

    def collect(self, path: str) -> tuple[Resource, list[RawProblem]]:
        problems: list[RawProblem] = []
        kind = ResourceKind(self.kind.currentData())
        if self.is_monthly():
            values = []
            for text in self.grid.texts():
                if not text.strip():
                    values.append(0.0)
                    continue
                try:
                    values.append(AmountEdit.amount_of(text))
                except ValueError as error:
                    problems.append(amount_problem(f"{path}.monthly", text, error))
                    values.append(0.0)
            return Resource(kind, monthly=tuple(values)), problems[:1]
        text = self.stable.text()
        amount = 0.0
        if text.strip():
            try:
                amount = AmountEdit.amount_of(text)
            except ValueError as error:
                problems.append(amount_problem(f"{path}.stable", text, error))
        return Resource(kind, stable=amount), problems

    def show_problems(self, path: str, messages: dict[str, str]) -> None:
        self.stable_box.show_problem(messages.get(f"{path}.stable"))
        monthly = messages.get(f"{path}.monthly")
        self.grid_error.show_message(monthly if self.is_monthly() else None)
        self.row_error.show_message(messages.get(path) or messages.get(f"{path}.kind"))


class ResourcesEditor(QWidget):
    """The list of a person's resources, with "add a resource"."""

    edited = Signal()
    structureChanged = Signal()  # a row added or removed: the tab order is redone

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ResourceRow] = []
        self._month = current_month()
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(2)
        self.empty_label = QLabel(t("gui.resources.none"))
        self.empty_label.setEnabled(False)
        self.add_button = QPushButton(icons.icon("add"), t("gui.resources.add"))
        accessible(self.add_button, t("gui.resources.add").replace("&", ""))
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._rows_layout)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def add_row(self, resource: Resource | None = None, focus: bool = False) -> ResourceRow:
        used = {row.kind.currentData() for row in self.rows}
        kind = next((k for k in ResourceKind if k.value not in used), ResourceKind.AUTRE)
        row = ResourceRow(kind)
        row.set_month(self._month)
        if resource is not None:
            row.load(resource)
        row.edited.connect(self.edited)
        row.removeRequested.connect(self.remove_row)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self.empty_label.setVisible(False)
        self.structureChanged.emit()
        if focus:
            row.kind.setFocus()
            self.edited.emit()
        return row

    def remove_row(self, row: ResourceRow) -> None:
        if row not in self.rows:
            return
        index = self.rows.index(row)
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        self.empty_label.setVisible(not self.rows)
        self.structureChanged.emit()
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)].kind.setFocus()
        else:
            self.add_button.setFocus()
        self.edited.emit()

    def clear(self) -> None:
        for row in list(self.rows):
            row.hide()
            row.deleteLater()
        self.rows.clear()
        self.empty_label.setVisible(True)

    def load(self, resources: tuple[Resource, ...]) -> None:
        self.clear()
        for resource in resources:
            self.add_row(resource)

    def set_month(self, month: str) -> None:
        self._month = month
        for row in self.rows:
            row.set_month(month)

    def mark_touched(self) -> None:
        for row in self.rows:
            row.mark_touched()

    def collect(self, base: str) -> tuple[tuple[Resource, ...], list[RawProblem]]:
        resources, problems = [], []
        for j, row in enumerate(self.rows):
            resource, found = row.collect(f"{base}.resources.{j}")
            resources.append(resource)
            problems.extend(found)
        return tuple(resources), problems

    def show_problems(self, base: str, messages: dict[str, str]) -> None:
        for j, row in enumerate(self.rows):
            row.show_problems(f"{base}.resources.{j}", messages)

    def focus_order(self) -> list[QWidget]:
        """The controls in reading order (for the editor's tab order)."""
        order: list[QWidget] = []
        for row in self.rows:
            order += [row.kind, row.mode, row.stable, *row.grid.edits, row.grid.copy_button, row.remove]
        return order + [self.add_button]

    def monthly_total(self) -> float:
        """Average monthly amount of what could be read (for the persons table)."""
        total = 0.0
        for row in self.rows:
            try:
                resource, problems = row.collect("")
            except ValueError:
                continue
            if not problems:
                sign = -1.0 if resource.kind == ResourceKind.PENSION_ALIMENTAIRE_VERSEE else 1.0
                total += sign * resource.average()
        return total
