"""Small parts of the case database's interface: the notice bars over the window
(read-only, unavailable store, draft to resume, retention notice), the
« Durée de conservation » dialog and the statistics export dialog."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.base.i18n import t
from app.gui.views.widgets import accessible

NOTICE_STYLES = {
    "warning": "background:#fff4cc; border:1px solid #e0b400; color:#4a3b00;",
    "error": "background:#fde8e6; border:1px solid #d9534f; color:#6b1410;",
    "info": "background:#e8f0fb; border:1px solid #7aa2d8; color:#14325c;",
}


class NoticeBar(QFrame):
    """A coloured bar with a text (and an optional bold title) and buttons."""

    def __init__(self, kind: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"notice_{name}")
        self.setStyleSheet(f"QFrame#notice_{name} {{ {NOTICE_STYLES[kind]} border-radius:4px; }}"
                           f" QFrame#notice_{name} QLabel {{ color:{NOTICE_STYLES[kind].split('color:')[1]} }}")
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.hide()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        accessible(self.text, name)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title)
        texts.addWidget(self.text)
        self.buttons = QHBoxLayout()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(texts, 1)
        layout.addLayout(self.buttons)
        self.hide()

    def add_button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False: slot())
        self.buttons.addWidget(button)
        return button

    def show_text(self, text: str, title: str = "") -> None:
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setText(text)
        self.show()


class RetentionDialog(QDialog):
    """« Durée de conservation »: the number of days an unused case is kept (1–3650)."""

    def __init__(self, days: int, expired_count: Callable[[int], int] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.core.store.database import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS

        self.setWindowTitle(t("gui.cases.retention.dialog_title"))
        self._expired_count = expired_count
        explanation = QLabel(t("gui.cases.retention.explanation"))
        explanation.setWordWrap(True)
        self.days = QSpinBox()
        self.days.setRange(MIN_RETENTION_DAYS, MAX_RETENTION_DAYS)
        self.days.setValue(days)
        self.days.setSuffix(t("gui.cases.retention.suffix"))
        accessible(self.days, t("gui.cases.retention.label").replace("&", ""))
        label = QLabel(t("gui.cases.retention.label"))
        label.setBuddy(self.days)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.days)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(row)
        layout.addWidget(self.preview)
        layout.addWidget(buttons)
        self.days.valueChanged.connect(self._update_preview)
        self._update_preview()
        self.resize(520, self.sizeHint().height())

    def _update_preview(self) -> None:
        if self._expired_count is None:
            self.preview.hide()
            return
        self.preview.setText(t("gui.cases.retention.expired_now", count=self._expired_count(self.days.value())))
        self.preview.show()


class PassphraseDialog(QDialog):
    """The passphrase of the encrypted case database, when the machine has no keyring:
    typed once (an existing database) or chosen and typed twice (a new one). The text
    never leaves this dialog but to open the database; it is not kept anywhere."""

    def __init__(self, new: bool, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.core.store.keys import MIN_PASSPHRASE

        self.new = new
        self._minimum = MIN_PASSPHRASE
        self.setWindowTitle(t("gui.cases.passphrase.title_new" if new else "gui.cases.passphrase.title"))
        explanation = QLabel(message)
        explanation.setWordWrap(True)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        accessible(self.first, t("gui.cases.passphrase.label").replace("&", ""))
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        accessible(self.second, t("gui.cases.passphrase.again").replace("&", ""))
        form = QFormLayout()
        form.addRow(t("gui.cases.passphrase.label"), self.first)
        if new:
            form.addRow(t("gui.cases.passphrase.again"), self.second)
        else:
            self.second.hide()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#a61b1b;")
        self.problem.hide()
        warning = QLabel(t("gui.cases.passphrase.lost_warning"))
        warning.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(warning)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def passphrase(self) -> str:
        return self.first.text()

    def _check(self) -> None:
        text = self.first.text()
        if not text:
            problem = t("gui.cases.passphrase.empty")
        elif self.new and len(text) < self._minimum:
            problem = t("gui.cases.passphrase.too_short", minimum=self._minimum)
        elif self.new and text != self.second.text():
            problem = t("gui.cases.passphrase.mismatch")
        else:
            self.accept()
            return
        self.problem.setText(problem)
        self.problem.show()


class StatsDialog(QDialog):
    """The period of the statistics export (default: this month so far)."""

    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        today = today or dt.date.today()
        self.setWindowTitle(t("gui.cases.stats.title"))
        explanation = QLabel(t("gui.cases.stats.explanation"))
        explanation.setWordWrap(True)
        self.date_from = QDateEdit(QDate(today.year, today.month, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        form = QFormLayout()
        for edit, key in ((self.date_from, "date_from"), (self.date_to, "date_to")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            accessible(edit, t(f"gui.cases.stats.{key}").replace("&", "").rstrip(" :"))
            label = QLabel(t(f"gui.cases.stats.{key}"))
            label.setBuddy(edit)
            form.addRow(label, edit)
        self.error = QLabel(t("gui.cases.stats.bad_range"))
        self.error.setStyleSheet("QLabel { color:#b3261e; }")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

    def period(self) -> tuple[dt.date, dt.date]:
        return self.date_from.date().toPython(), self.date_to.date().toPython()  # type: ignore[return-value]

    def _accept(self) -> None:
        start, end = self.period()
        if start > end:
            self.error.show()
            return
        self.accept()
