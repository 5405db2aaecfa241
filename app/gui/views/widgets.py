"""Small widgets shared by the views: amount and date entries, inline error labels,
choice combos, section titles. Texts come from ``t()``; formats from ``formats``."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any, Iterable, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core import formats
from app.core.i18n import t

E = TypeVar("E", bound=StrEnum)

ERROR_COLOR = "#b3261e"
INVALID_BACKGROUND = "#fde8e6"

# No application-wide style sheet: it puts every widget through QStyleSheetStyle, which
# doubles the time to build and paint the window. Colours go through palettes instead.


def set_text_color(widget: QWidget, color: str | None) -> None:
    """Text colour of a label (None: the normal one), through its palette."""
    palette = widget.palette()
    default = QApplication.palette(widget)
    palette.setColor(QPalette.ColorRole.WindowText,
                     QColor(color) if color else default.color(QPalette.ColorRole.WindowText))
    widget.setPalette(palette)


def titled_group(title: str) -> tuple[QGroupBox, QWidget]:
    """A group box with a bold title; put the content's layout on the returned body
    (its font is the normal one again)."""
    group = QGroupBox(title)
    bold = QFont(group.font())
    bold.setBold(True)
    group.setFont(bold)
    body = QWidget()
    normal = QFont(bold)
    normal.setBold(False)
    body.setFont(normal)
    layout = QVBoxLayout(group)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(body)
    return group, body


def accessible(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a control its accessible name (what a screen reader says) and tooltip-free description."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


class AmountEdit(QLineEdit):
    """An amount in euros typed the French way (``1 234,56``); empty means 0 or unknown."""

    def __init__(self, name: str, parent: QWidget | None = None, placeholder: str = "0") -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText(placeholder)
        self.setMaxLength(20)
        accessible(self, name)

    def is_empty(self) -> bool:
        return not self.text().strip()

    def amount(self) -> float:
        """The amount typed; raises ValueError when the text is not one."""
        return self.amount_of(self.text())

    @staticmethod
    def amount_of(text: str) -> float:
        """An amount typed the French way (``formats.parse_amount``, the one parser of
        case files and screening rows too); raises ``formats.AmountError``, a ValueError
        whose ``key`` says why (``1.500`` is ambiguous, ``nan`` is not an amount)."""
        return formats.parse_amount(text)

    def set_amount(self, value: float | None) -> None:
        self.setText("" if value is None else format_amount(value))


def format_amount(value: float) -> str:
    """``650`` for whole euros, ``1 234,56`` otherwise (no euro sign: the label says it)."""
    if abs(value - round(value)) < 0.005:
        return formats.number(round(value), 0)
    return formats.number(value, 2)


_DIGITS_DATE = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_SHORT_DATE = re.compile(r"^(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})$")


def normalise_date_text(text: str) -> str:
    """``12031985`` or ``1.3.1985`` -> ``12/03/1985``; anything else unchanged."""
    stripped = text.strip()
    match = _DIGITS_DATE.match(stripped) or _SHORT_DATE.match(stripped)
    if match:
        day, month, year = match.groups()
        return f"{int(day):02d}/{int(month):02d}/{year}"
    return text


def parse_date_text(text: str) -> dt.date:
    """A date typed by the agent; raises ValueError."""
    return formats.parse_date(normalise_date_text(text))


class DateEdit(QLineEdit):
    """A date typed ``29/11/2026`` (or ``29112026``); tidied when the field is left."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(t("gui.date_placeholder"))
        self.setMaxLength(10)
        accessible(self, name, t("gui.date_help"))

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        tidy = normalise_date_text(self.text())
        if tidy != self.text():
            self.setText(tidy)
        super().focusOutEvent(event)

    def date(self) -> dt.date:
        return parse_date_text(self.text())

    def set_date(self, value: dt.date | None) -> None:
        self.setText("" if value is None else formats.date(value))


class ChoiceCombo(QComboBox):
    """A combo over a StrEnum, labelled with ``choice.<key>.<value>``."""

    def __init__(self, enum: type[E], key: str, name: str, parent: QWidget | None = None,
                 values: Iterable[E] | None = None) -> None:
        super().__init__(parent)
        for value in values if values is not None else enum:
            self.addItem(t(f"choice.{key}.{value.value}"), value.value)
        self._enum = enum
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        accessible(self, name)

    def value(self) -> StrEnum:
        return self._enum(self.currentData())

    def set_value(self, value: StrEnum) -> None:
        index = self.findData(value.value)
        if index >= 0:
            self.setCurrentIndex(index)


class ErrorLabel(QLabel):
    """The French message next to a field; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setObjectName("fieldError")
        set_text_color(self, ERROR_COLOR)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.hide()

    def show_message(self, message: str | None) -> None:
        if message:
            self.setText(message)
            self.show()
        else:
            self.clear()
            self.hide()


class FieldBox(QWidget):
    """A control with its inline error message under it.

    ``touched`` turns true once the agent edits the control (or a case is loaded):
    "to be filled in" messages wait until then, other problems show at once.
    """

    edited = Signal()

    def __init__(self, control: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.control = control
        self.error = ErrorLabel(self)
        self.touched = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(control)
        layout.addWidget(self.error)
        self._description = control.accessibleDescription()
        self._shown: str | None = None
        self.control.setProperty("invalid", False)
        if isinstance(control, QLineEdit):
            control.textEdited.connect(self._on_edit)
        elif isinstance(control, QComboBox):
            control.activated.connect(self._on_edit)
        elif isinstance(control, QCheckBox):
            control.clicked.connect(self._on_edit)

    def _on_edit(self, *_args: object) -> None:
        self.touched = True
        self.edited.emit()

    def show_problem(self, message: str | None) -> None:
        message = message or None
        if message == self._shown:
            return  # unchanged: no relayout, no restyling (this runs at every keystroke)
        self._shown = message
        self.error.show_message(message)
        self.control.setProperty("invalid", bool(message))
        self.control.setAccessibleDescription(message or self._description)
        palette = QApplication.palette(self.control)
        if message:
            for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
                palette.setColor(role, QColor(INVALID_BACKGROUND))
        self.control.setPalette(palette)

    @property
    def message(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def tools_menu(window: Any) -> Any:
    """The window's « Outils » menu (objectName ``toolsMenu``), shared by the tools that
    install themselves in it; created before « Aide » when absent."""
    from PySide6.QtWidgets import QMenu

    bar = window.menuBar()
    menu = bar.findChild(QMenu, "toolsMenu")
    if menu is not None:
        return menu
    menu = QMenu(t("gui.menu.tools"), bar)
    menu.setObjectName("toolsMenu")
    help_title = t("gui.menu.help")
    before = next((a for a in bar.actions() if a.menu() is not None and a.text() == help_title), None)
    if before is not None:
        bar.insertMenu(before, menu)
    else:
        bar.addMenu(menu)
    return menu
