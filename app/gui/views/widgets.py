"""Small widgets shared by the views: amount and date entries, inline error labels,
choice combos, section titles. Texts come from ``t()``; formats from ``formats``."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any, Iterable, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
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

from app.core.base import formats
from app.core.base.i18n import t

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


class WheelGuard(QObject):
    """The mouse wheel never changes a value the agent is not editing.

    Installed once on the application (``install_wheel_guard``), it covers every combo
    box, spin box and date/time spin box of every form and dialog, present or added
    later: such a control gets ``Qt.StrongFocus`` (Tab or click, not the wheel) when it
    is polished, and a wheel turned over it while it does not have the keyboard focus is
    passed on to its parent (the form's scroll area scrolls) instead of changing it."""

    _GUARDED = (QComboBox, QAbstractSpinBox)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(watched, self._GUARDED) and not watched.hasFocus():
                return self._scroll_instead(watched, event)
        elif kind == QEvent.Type.Polish and isinstance(watched, self._GUARDED):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


    @staticmethod
    def _scroll_instead(control: QWidget, event: Any) -> bool:
        """The wheel goes to the scroll area around the control (the form scrolls); with
        none, it is left unaccepted, for Qt to offer it to the parent widgets."""
        from PySide6.QtCore import QPointF
        from PySide6.QtGui import QWheelEvent
        from PySide6.QtWidgets import QAbstractScrollArea

        area = control.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            event.ignore()
            return True
        viewport = area.viewport()
        position = QPointF(control.mapTo(viewport, event.position().toPoint()))
        QApplication.sendEvent(viewport, QWheelEvent(
            position, event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
            event.modifiers(), event.phase(), event.inverted()))
        event.accept()  # handled: not offered to the parents a second time
        return True


def install_wheel_guard() -> WheelGuard | None:
    """Install the ``WheelGuard`` on the running application (once; later calls return it)."""
    app = QApplication.instance()
    if app is None:
        return None
    guard = app.findChild(WheelGuard, "wheelGuard")
    if guard is None:
        guard = WheelGuard(app)
        guard.setObjectName("wheelGuard")
        app.installEventFilter(guard)
    return guard


FOCUS_COLOR = "#0b57d0"


class FocusOutline(QWidget):
    """A 2-pixel outline drawn around the control that has the keyboard focus (the
    style's own focus mark is faint): a transparent overlay that follows the control,
    moved on every focus change (``install_focus_outline``). No style sheet (see above)."""

    WIDTH = 2

    def __init__(self) -> None:
        super().__init__(None)
        self.setObjectName("focusOutline")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: QWidget | None = None
        self._watched: list[QWidget] = []  # the control and its parents up to the outline's host

    def follow(self, widget: QWidget | None) -> None:
        for watched in self._watched:
            try:
                watched.removeEventFilter(self)
            except RuntimeError:  # the control was deleted
                pass
        self._watched = []
        self.target = None
        if widget is None or widget.isWindow() or widget.parentWidget() is None or not self._outlined(widget):
            self.hide()
            return
        host = self._host(widget)
        if host is None:
            self.hide()
            return
        self.target = widget
        if self.parentWidget() is not host:
            self.setParent(host)
        item: QWidget | None = widget
        while item is not None and item is not host:  # any of them moving moves the control
            item.installEventFilter(self)
            self._watched.append(item)
            item = item.parentWidget()
        self._place()

    def _host(self, widget: QWidget) -> QWidget | None:
        """The closest ancestor with room for the outline around ``widget`` (a child is
        clipped to its parent: the control's own parent is often exactly its size)."""
        host = widget.parentWidget()
        while host is not None:
            area = widget.rect().translated(widget.mapTo(host, widget.rect().topLeft()))
            if host.rect().contains(area.adjusted(-self.WIDTH, -self.WIDTH, self.WIDTH, self.WIDTH)) or host.isWindow():
                return host
            host = host.parentWidget()
        return None

    @staticmethod
    def _outlined(widget: QWidget) -> bool:
        from PySide6.QtWidgets import QAbstractButton, QAbstractItemView

        return isinstance(widget, (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractButton, QAbstractItemView))

    def _place(self) -> None:
        target, host = self.target, self.parentWidget()
        if target is None or host is None:
            return
        if not target.isVisible():
            self.hide()
            return
        margin = self.WIDTH
        area = target.rect().translated(target.mapTo(host, target.rect().topLeft()))
        self.setGeometry(area.adjusted(-margin, -margin, margin, margin))
        from PySide6.QtGui import QRegion

        outer = QRegion(self.rect())
        self.setMask(outer.subtracted(QRegion(self.rect().adjusted(margin, margin, -margin, -margin))))
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched in self._watched and event.type() in (
            QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.ZOrderChange
        ):
            self._place()
        return False

    def paintEvent(self, _event: Any) -> None:  # noqa: N802 - Qt API
        from PySide6.QtGui import QPainter

        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(FOCUS_COLOR))


_focus_outline: list[FocusOutline] = []  # the application's one outline, once installed


def install_focus_outline() -> FocusOutline | None:
    """One ``FocusOutline`` for the application, following ``focusChanged`` (once). The
    overlay lives in the focused control's parent: when that parent goes (a dialog
    closed), a new one is made at the next focus change."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    if not _focus_outline:
        _focus_outline.append(FocusOutline())

        def moved(_old: QWidget | None, new: QWidget | None) -> None:
            import shiboken6

            if not shiboken6.isValid(_focus_outline[0]):
                _focus_outline[0] = FocusOutline()
            _focus_outline[0].follow(new)

        app.focusChanged.connect(moved)
    return _focus_outline[0]


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

    def problem_key(self) -> str:
        """Why the text is not a date: « cette date n'existe pas » (31/02/2026) or the format."""
        return formats.date_problem_key(normalise_date_text(self.text()))

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
