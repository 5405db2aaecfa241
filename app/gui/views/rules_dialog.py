"""The « Règles actives » dialog and the « Règles » menu (issue 9, GUI part).

Shows the active rules (version, legislation coverage, origin, who signed the pack,
what a rollback would bring back) and every national benefit and local aid with its
version and territory. Imports a rules pack (verified off the GUI thread with
``run_task``: it runs the extension's tests in a child process); a pack older than the
active rules is imported only when the agent confirms that rollback. Rolls back; after
an import or a rollback, the main window restarts its engine process so that the next
computation uses the new rules.

``install(window)`` adds the « Règles » menu to the main window.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.base.i18n import t
from app.gui.tasks import TaskHandle, run_task

if TYPE_CHECKING:
    from app.core.benefits.rules_pack import RuleEntry
    from app.core.rules.folder import RulesInfo

log = logging.getLogger(__name__)

COLUMNS = ("label", "kind", "version", "territory", "paying_body")


def _reason(error: BaseException) -> str:
    """The French message of a refusal (RulesPackError carries one); a short generic one otherwise."""
    from app.core.rules.folder import RulesPackError

    if isinstance(error, RulesPackError):
        return str(error)
    log.warning("rules operation failed: %s", type(error).__name__, exc_info=error)
    return str(error) or type(error).__name__


def _french_date(iso: str) -> str:
    """« 01/02/2024 » for an ISO date, « 02/12/2026 14:50 » for an ISO date-time; as is when unreadable."""
    import datetime as dt

    from app.core.base import formats

    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    text = formats.date(moment.date())
    return f"{text} {moment:%H:%M}" if "T" in iso or " " in iso else text


class RulesDialog(QDialog):
    """« Règles actives »: what the engine computes with, and the import / rollback buttons."""

    def __init__(self, window: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.window_ref = window  # the MainWindow whose engine restarts after a change (None in tests)
        self._tasks: list[TaskHandle] = []
        self.busy = False
        self.setWindowTitle(t("gui_rules.dialog.title"))
        self.setAccessibleName(t("gui_rules.dialog.title"))
        self.resize(900, 560)

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.summary.setAccessibleName(t("gui_rules.dialog.summary_name"))

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([t(f"gui_rules.columns.{c}") for c in COLUMNS])
        self.table.setAccessibleName(t("gui_rules.dialog.table_name"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)

        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(t("gui_rules.dialog.status_name"))

        self.import_button = QPushButton(t("gui_rules.import.button"))
        self.import_button.setAccessibleName(t("gui_rules.import.button_name"))
        self.import_button.clicked.connect(lambda _checked=False: self.choose_and_import())
        self.rollback_button = QPushButton(t("gui_rules.rollback.button"))
        self.rollback_button.setAccessibleName(t("gui_rules.rollback.button_name"))
        self.rollback_button.clicked.connect(lambda _checked=False: self.rollback())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(t("gui_rules.dialog.close"))
        close.setAccessibleName(t("gui_rules.dialog.close_name"))
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.rollback_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)

        self.info: RulesInfo | None = None
        self.entries: list[RuleEntry] = []
        self._pending: Path | None = None  # the pack being imported
        self.refresh()

    # -- display --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the active rules (the manifest at once, the benefits list off the GUI thread)."""
        from app.core.rules.folder import RulesPackError, active_rules_info

        try:
            info = active_rules_info()
        except (RulesPackError, OSError) as error:
            self.info = None
            self.summary.setText(_reason(error))
        else:
            self.info = info
            lines = [info.problem] if info.problem else []
            lines += [
                t("gui_rules.dialog.version", version=info.version),
                t("gui_rules.dialog.rules_title", title=info.title),
                t("gui_rules.dialog.coverage", start=_french_date(info.legislation_from),
                  until=_french_date(info.legislation_until)),
                t("gui_rules.dialog.source", source=info.source_label),
                t("gui_rules.dialog.signed", signed=info.signed_label),
            ]
            if info.imported_at:
                lines.append(t("gui_rules.dialog.imported_at", when=_french_date(info.imported_at)))
            lines.append(t("gui_rules.dialog.previous", previous=info.previous_version or t("rules.info.no_previous")))
            self.summary.setText("\n".join(lines))
        self._update_buttons()
        self.table.setRowCount(0)
        self.table.setAccessibleDescription(t("gui_rules.dialog.loading"))
        from app.core.benefits.rules_pack import list_rules

        self._start(list_rules, self._show_entries, self._entries_failed)

    def _show_entries(self, entries: list[RuleEntry]) -> None:
        self.entries = list(entries)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            values = {
                "label": entry.label,
                "kind": t(f"rules.kind.{entry.kind}"),
                "version": entry.version,
                "territory": entry.territory,
                "paying_body": entry.paying_body,
            }
            for column, key in enumerate(COLUMNS):
                item = QTableWidgetItem(values[key])
                if key == "label" and entry.source_url:
                    item.setToolTip(entry.source_url)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleDescription("")

    def _entries_failed(self, error: BaseException) -> None:
        self.entries = []
        self.table.setRowCount(0)
        self.table.setAccessibleDescription("")
        self.status.setText(t("gui_rules.dialog.load_failed", reason=_reason(error)))

    def local_aids(self) -> list[RuleEntry]:
        return [e for e in self.entries if e.kind != "national"]

    def _update_buttons(self) -> None:
        self.import_button.setEnabled(not self.busy)
        self.rollback_button.setEnabled(not self.busy and self.info is not None
                                        and self.info.previous_version is not None)

    # -- actions --------------------------------------------------------------------------
    def choose_and_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, t("gui_rules.import.file_title"), "", t("gui_rules.import.file_filter"))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path, allow_older: bool = False) -> None:
        """Verify and activate the pack ``path`` in a worker thread (its tests take a while);
        ``allow_older``: the agent confirmed going back to an older version."""
        if self.busy:
            return
        from app.core.benefits import rules_pack

        self.busy = True
        self._update_buttons()
        self.status.setText(t("gui_rules.import.checking", path=path.name))
        self._pending = path

        def work() -> Any:
            return rules_pack.import_pack(path, allow_older=True) if allow_older else rules_pack.import_pack(path)

        self._start(work, self._imported, self._import_failed)

    def _imported(self, info: RulesInfo) -> None:
        self.busy = False
        self._rules_changed()
        self.status.setText(t("gui_rules.import.done", version=info.version))

    def _import_failed(self, error: BaseException) -> None:
        from app.core.benefits.rules_pack import OlderPackError

        self.busy = False
        self._update_buttons()
        self.status.setText(t("gui_rules.import.refused", reason=_reason(error)))
        path = self._pending
        if isinstance(error, OlderPackError) and path is not None and self.confirm_older(str(error)):
            self.import_file(path, allow_older=True)

    def confirm_older(self, message: str) -> bool:
        """Ask the agent whether to go back to the older pack (the explicit rollback)."""
        answer = QMessageBox.question(
            self, t("gui_rules.import.older_title"), t("gui_rules.import.older_text", reason=message),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def rollback(self, confirm: bool = True) -> None:
        """Bring back the rules active before the last import (after the agent confirms)."""
        from app.core.benefits import rules_pack

        if self.busy:
            return
        info = self.info
        if info is None or info.previous_version is None:
            self.status.setText(t("gui_rules.rollback.refused", reason=t("rules.pack.nothing_to_roll_back")))
            return
        if confirm:
            answer = QMessageBox.question(
                self, t("gui_rules.rollback.confirm_title"),
                t("gui_rules.rollback.confirm_text", current=info.version, previous=info.previous_version),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            new_info = rules_pack.rollback()  # writes one small state file: no worker needed
        except Exception as error:  # noqa: BLE001 - shown to the agent
            self.status.setText(t("gui_rules.rollback.refused", reason=_reason(error)))
            return
        self._rules_changed()
        self.status.setText(t("gui_rules.rollback.done", version=new_info.version))

    def _rules_changed(self) -> None:
        """New active rules: the engine process reloads them, and this dialog shows them."""
        window = self.window_ref
        if window is not None and hasattr(window, "restart_engine"):
            window.restart_engine()
        self.refresh()

    # -- tasks ----------------------------------------------------------------------------
    def _start(self, work: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None]) -> None:
        self._tasks = [h for h in self._tasks if not h.finished.is_set()]
        self._tasks.append(run_task(work, on_done, on_error))

    def is_idle(self) -> bool:
        return not self.busy and all(h.finished.is_set() for h in self._tasks)

    def done(self, result: int) -> None:  # noqa: D102 - QDialog API
        if not self.busy:  # an import still running keeps updating the dialog when it is shown again
            for handle in self._tasks:
                handle.cancel()
        super().done(result)


def show_rules_dialog(window: Any) -> RulesDialog:
    """The window's one « Règles actives » dialog, shown and raised (re-read when reopened)."""
    dialog = getattr(window, "rules_dialog", None)
    if not isinstance(dialog, RulesDialog):
        dialog = RulesDialog(window)
        window.rules_dialog = dialog
    elif not dialog.isVisible() and not dialog.busy:
        dialog.refresh()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def install(window: Any) -> None:
    """Add the « Règles » menu (before « Aide ») to ``window``'s menu bar."""
    bar = window.menuBar()
    help_title = t("gui.menu.help")
    before = next((a for a in bar.actions() if a.menu() is not None and a.text() == help_title), None)
    menu = bar.addMenu(t("gui_rules.menu.title"))
    if before is not None:
        bar.insertMenu(before, menu)
    window.rules_menu = menu

    def action(key: str, slot: Callable[[], object]) -> QAction:
        act = QAction(t(key), window)
        act.setToolTip(t(key).replace("&", "").rstrip("…"))
        act.triggered.connect(lambda _checked=False: slot())
        menu.addAction(act)
        return act

    window.rules_show_action = action("gui_rules.menu.show", lambda: show_rules_dialog(window))
    menu.addSeparator()
    window.rules_import_action = action("gui_rules.menu.import",
                                        lambda: show_rules_dialog(window).choose_and_import())
    window.rules_rollback_action = action("gui_rules.menu.rollback", lambda: show_rules_dialog(window).rollback())
