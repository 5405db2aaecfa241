"""Keyboard and waiting helpers for the GUI tests.

Keys are sent as ``QKeyEvent``s carrying their text (``qtbot.keyClicks`` with "é" or
"€" aborts the run), to where Qt would deliver a real key press: the open popup
(completer list, menu), else the focused widget.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

ENGINE_TIMEOUT_MS = 180_000  # cold start of OpenFisca on a busy 2-core machine
RESULT_TIMEOUT_MS = 120_000


def _target(widget: QWidget | None) -> QWidget:
    """Where a real key press goes: the open popup (completer list, menu), else the focus."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget() or widget
    assert target is not None
    return target


def key(widget: QWidget | None, code: Qt.Key, text: str = "",
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = _target(widget)
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(target, QKeyEvent(kind, code, modifiers, text))
    QApplication.processEvents()


def type_text(widget: QWidget, text: str, clear: bool = False, focus: bool = True) -> None:
    """Focus ``widget`` (as the Tab key does: its text selected, so typing replaces it)
    and type ``text`` key by key, accents and € included."""
    if focus:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        focused = QApplication.focusWidget()
        assert focused is widget or focused is widget.focusProxy(), "the field to type in did not get the focus"
    if clear:
        key(widget, Qt.Key.Key_A, "", Qt.KeyboardModifier.ControlModifier)
        key(widget, Qt.Key.Key_Backspace)
    for char in text:
        if char.isascii() and char.isalnum():
            code = Qt.Key(ord(char.upper()))
        elif char == " ":
            code = Qt.Key.Key_Space
        else:
            code = Qt.Key.Key_unknown
        key(widget, code, char)


def choose(combo: Any, label: str) -> None:
    """Pick a combo entry from the keyboard (arrow keys), as an agent would."""
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    target_index = combo.findText(label)
    assert target_index >= 0, f"{label!r} not in combo"
    for _ in range(combo.count()):
        if combo.currentIndex() == target_index:
            return
        step = Qt.Key.Key_Down if combo.currentIndex() < target_index else Qt.Key.Key_Up
        key(combo, step)
    assert combo.currentIndex() == target_index


def wait_results(qtbot: Any, win: Any, timeout: int = RESULT_TIMEOUT_MS) -> Any:
    qtbot.waitUntil(win.is_up_to_date, timeout=timeout)
    return win.displayed_result()


def scroll_into_view(widget: QWidget) -> None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget, 10, 10)
            QApplication.processEvents()
            return
        parent = parent.parentWidget()
