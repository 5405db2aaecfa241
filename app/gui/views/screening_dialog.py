"""The « Dépistage » dialog: screen a file of households for likely unclaimed benefits
(issue 7, GUI part; the screening itself is ``app.core.batch.screen.screen``, docs/batch.md).

The agent picks the households file (CSV/XLSX in the template, JSON-lines of cases, or
a folder of case files), the results file (``.xlsx`` beside the input by default) and
the legislation month, then runs the screening. ``screen()`` computes in worker
processes of its own; it is called from a worker THREAD (``run_task`` on a pool of the
dialog's), so the window stays responsive. Its progress callbacks arrive in that
thread: the latest one is kept and handed to the main thread (``call_in_main_thread``),
at most one pending at a time; no widget is touched from the worker.

« Annuler » sets the run's cancel flag: ``screen`` stops within a fraction of a second
(it terminates its workers) and keeps the finished chunks in ``OUT.partial/`` (with a
``LISEZ-MOI.txt`` saying the work is incomplete); the results file is not written. The
dialog says so, and starting the same screening again offers to resume it.

``install(window)`` adds « Outils > Dépister un fichier de foyers… » to the window's menu
bar (the « Outils » menu is created when absent).
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QThreadPool, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.base import formats
from app.core.base.os_errors import os_reason
from app.core.base.i18n import t
from app.core.model.periods import add_months, current_month, months_range
from app.gui.tasks import TaskHandle, call_in_main_thread, run_task
from app.gui.views.widgets import ERROR_COLOR, set_text_color, titled_group, tools_menu

if TYPE_CHECKING:
    from app.core.batch.screen import PartialRun, Progress, ScreenOutcome

log = logging.getLogger(__name__)

OUTPUT_SUFFIXES = (".xlsx", ".csv")
TEMPLATES = {"template": "modele.csv", "example": "exemple.csv"}  # in examples/batch/

# One screening at a time, on a thread of its own (not the global pool the other
# short GUI tasks share: a screening may last minutes).
_POOL: QThreadPool | None = None


def _pool() -> QThreadPool:
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(1)
    return _POOL


def open_path(path: Path) -> bool:
    """Open a local file or folder with the system's application (no network)."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def count(value: int) -> str:
    return formats.number(value, 0)


def rate_text(rate: float) -> str:
    return formats.number(rate, 1 if rate < 10 else 0)


def progress_texts(item: Progress) -> tuple[str, str]:
    """(phase, detail) shown above and below the bar, in French."""
    if item.phase == "reading":
        return t("gui.screening.run.reading"), ""
    if item.phase == "starting":
        phase = t("gui.screening.run.starting", elapsed=formats.duration(item.elapsed))
    elif item.phase == "writing":
        phase = t("gui.screening.run.writing")
    elif item.phase == "done":
        phase = t("gui.screening.summary.done_title", elapsed=formats.duration(item.elapsed))
    else:
        phase = t("gui.screening.run.computing")
    parts = [t("gui.screening.run.count", done=count(item.done), total=count(item.total))]
    if item.resumed:
        parts[0] += " (" + t("gui.screening.run.resumed", resumed=count(item.resumed)) + ")"
    if item.phase in ("starting", "computing"):
        if item.rate:
            parts.append(t("gui.screening.run.rate", rate=rate_text(item.rate)))
        if item.eta is not None:
            parts.append(t("gui.screening.run.eta", eta=formats.duration(item.eta)))
        else:
            parts.append(t("gui.screening.run.eta_unknown"))
    return phase, " · ".join(parts)


def default_output(source: Path) -> Path:
    """``foyers.csv`` -> ``foyers-resultats.xlsx`` beside it (a folder: beside the folder)."""
    name = source.name if source.is_dir() else source.stem
    stem = name or t("gui.screening.output.fallback_stem")
    return source.parent / f"{stem}{t('gui.screening.output.default_suffix')}.xlsx"


def failure_message(error: BaseException) -> str:
    """The French reason a screening could not run (never a traceback)."""
    from app.core.batch.chunks import ScreenError

    if isinstance(error, ScreenError):
        return str(error)
    if isinstance(error, OSError):
        log.warning("screening: file error %s (errno %s)", type(error).__name__, error.errno)
        return t("gui.screening.failed.os_error", path=error.filename or "?", reason=os_reason(error))
    from app.core.base.logs import report_unexpected

    return report_unexpected(error)


@dataclass
class _Run:
    """One screening run: its cancel flag and the latest progress, shared with its thread."""

    source: Path
    output: Path
    cancel: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latest: Any = None  # Progress
    posted: bool = False
    handle: TaskHandle | None = None


class ScreeningDialog(QDialog):
    """« Dépister un fichier de foyers »: choose, run with progress and cancel, summary."""

    def __init__(self, window: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.window_ref = window
        self.workers: int | None = None  # screening processes (None: one per core); tests use 1
        self.chunk_size: int | None = None  # None: the core's choice; tests use small chunks
        self.outcome: ScreenOutcome | None = None
        self.error_message: str | None = None
        self.last_progress: Progress | None = None
        self._run: _Run | None = None
        self._close_when_done = False
        self._output_is_default = True
        self._hint_shown = False
        self.setWindowTitle(t("gui.screening.dialog.title"))
        self.setAccessibleName(t("gui.screening.dialog.title"))
        self.resize(860, 660)

        intro = self._label(t("gui.screening.dialog.intro"))

        # -- input ---------------------------------------------------------------------
        input_group, input_body = titled_group(t("gui.screening.input.group"))
        self.input_edit = QLineEdit()
        self.input_edit.setAccessibleName(t("gui.screening.input.name"))
        self.input_edit.setPlaceholderText(t("gui.screening.input.placeholder"))
        self.input_edit.textChanged.connect(lambda _text: self._input_changed())
        input_label = QLabel(t("gui.screening.input.label"))
        input_label.setBuddy(self.input_edit)
        self.choose_file_button = self._button("gui.screening.input.choose_file", self.choose_input_file)
        self.choose_folder_button = self._button("gui.screening.input.choose_folder", self.choose_input_folder)
        row = QHBoxLayout()
        row.addWidget(input_label)
        row.addWidget(self.input_edit, 1)
        row.addWidget(self.choose_file_button)
        row.addWidget(self.choose_folder_button)
        self.template_info = self._label(t("gui.screening.input.template"))
        self.save_template_button = self._button("gui.screening.input.save_template",
                                                 lambda: self.save_template("template"))
        self.save_example_button = self._button("gui.screening.input.save_example",
                                                lambda: self.save_template("example"))
        templates = QHBoxLayout()
        templates.addWidget(self.save_template_button)
        templates.addWidget(self.save_example_button)
        templates.addStretch(1)
        layout = QVBoxLayout(input_body)
        layout.addLayout(row)
        layout.addWidget(self.template_info)
        layout.addLayout(templates)

        # -- output and month ----------------------------------------------------------
        output_group, output_body = titled_group(t("gui.screening.output.group"))
        self.output_edit = QLineEdit()
        self.output_edit.setAccessibleName(t("gui.screening.output.name"))
        self.output_edit.textEdited.connect(lambda _text: self._output_edited())
        self.output_edit.textChanged.connect(lambda _text: self._update_resume_hint())
        self.choose_output_button = self._button("gui.screening.output.choose", self.choose_output)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output_edit, 1)
        out_row.addWidget(self.choose_output_button)
        self.month_combo = QComboBox()
        self.month_combo.setAccessibleName(t("gui.screening.output.month_name"))
        self._fill_months()
        form = QFormLayout(output_body)
        output_label = QLabel(t("gui.screening.output.label"))
        output_label.setBuddy(self.output_edit)
        month_label = QLabel(t("gui.screening.output.month_label"))
        month_label.setBuddy(self.month_combo)
        form.addRow(output_label, out_row)
        form.addRow("", self._label(t("gui.screening.output.hint")))
        form.addRow(month_label, self.month_combo)

        # -- progress ------------------------------------------------------------------
        self.phase_label = self._label(t("gui.screening.run.idle"))
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName(t("gui.screening.run.progress_name"))
        self.progress_bar.setFormat(f"%p{formats.NBSP}%")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.detail_label = self._label("")

        # -- summary -------------------------------------------------------------------
        self.summary_group, summary_body = titled_group(t("gui.screening.summary.group"))
        self.summary_group.setAccessibleName(t("gui.screening.summary.name"))
        summary_form = self.summary_form = QFormLayout(summary_body)
        self.summary_values: dict[str, QLabel] = {}
        for key in ("records", "households", "rejected", "flagged", "monthly", "yearly", "output", "notices"):
            value = self._label("")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            value.setAccessibleName(t(f"gui.screening.summary.{key}").rstrip(" :"))
            title = QLabel(t(f"gui.screening.summary.{key}"))
            summary_form.addRow(title, value)
            self.summary_values[key] = value
        self.open_output_button = self._button("gui.screening.summary.open_output", lambda: self._open("output"))
        self.open_report_button = self._button("gui.screening.summary.open_report", lambda: self._open("report"))
        self.open_errors_button = self._button("gui.screening.summary.open_errors", lambda: self._open("errors"))
        self.open_folder_button = self._button("gui.screening.summary.open_folder", lambda: self._open("folder"))
        open_row = QHBoxLayout()
        for button in (self.open_output_button, self.open_report_button, self.open_errors_button,
                       self.open_folder_button):
            open_row.addWidget(button)
        open_row.addStretch(1)
        summary_form.addRow(open_row)
        self.summary_group.hide()

        self.status = self._label("")
        self.status.hide()

        # -- buttons -------------------------------------------------------------------
        self.start_button = self._button("gui.screening.run.start", self.start)
        self.start_button.setDefault(True)
        self.cancel_button = self._button("gui.screening.run.cancel", self.cancel_run)
        self.cancel_button.setEnabled(False)
        self.close_button = self._button("gui.screening.run.close", self.reject)
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        main = QVBoxLayout(self)
        main.addWidget(intro)
        main.addWidget(input_group)
        main.addWidget(output_group)
        main.addWidget(self.phase_label)
        main.addWidget(self.progress_bar)
        main.addWidget(self.detail_label)
        main.addWidget(self.status)
        main.addWidget(self.summary_group)
        main.addStretch(1)
        main.addLayout(buttons)

        app = QCoreApplication.instance()
        if app is not None:  # quitting the app cancels a run (its workers stop at once)
            app.aboutToQuit.connect(self._cancel_silently)

    # -- small builders ---------------------------------------------------------------
    def _label(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def _button(self, key: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(t(key))
        name_key = key + "_name"
        from app.core.base.i18n import has

        button.setAccessibleName(t(name_key) if has(name_key) else t(key).replace("&", ""))
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _fill_months(self) -> None:
        now = current_month()
        selected = str(getattr(self.window_ref, "month_value", "") or now)
        months = months_range(min(add_months(now, -36), selected), max(add_months(now, 12), selected))
        self.month_combo.clear()
        self.month_combo.addItem(t("gui.screening.output.month_per_row"), None)
        for month in reversed(months):
            self.month_combo.addItem(formats.month(month), month)
        self.month_combo.setCurrentIndex(max(0, self.month_combo.findData(selected)))

    # -- choices ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._run is not None

    def set_input(self, path: Path | str) -> None:
        self.input_edit.setText(str(path))

    def set_output(self, path: Path | str) -> None:
        self.output_edit.setText(str(path))
        self._output_is_default = False

    def set_month(self, month: str | None) -> None:
        index = self.month_combo.findData(month)
        if index < 0 and month is not None:
            self.month_combo.addItem(formats.month(month), month)
            index = self.month_combo.count() - 1
        self.month_combo.setCurrentIndex(max(0, index))

    def month(self) -> str | None:
        data = self.month_combo.currentData()
        return str(data) if data else None

    def source_path(self) -> Path | None:
        text = self.input_edit.text().strip()
        return Path(text).expanduser() if text else None

    def output_path(self) -> Path | None:
        text = self.output_edit.text().strip()
        return Path(text).expanduser() if text else None

    def output_problem(self) -> str | None:
        """What is wrong with the results path as typed (French), or None: checked at
        every keystroke, so it never raises whatever is typed (« / », « ~ », « . »)."""
        output = self.output_path()
        if output is None:
            return t("gui.screening.check.no_output")
        typed = self.output_edit.text().strip()
        if not output.name or output.name in (".", "..") or typed.endswith(("/", "\\")):
            return t("gui.screening.check.output_name", path=typed)
        if output.suffix.lower() not in OUTPUT_SUFFIXES:
            return t("gui.screening.check.output_format", name=output.name)
        try:
            folder_exists = output.parent.is_dir()
        except OSError:
            folder_exists = False
        if not folder_exists:
            return t("gui.screening.check.output_folder", path=str(output.parent))
        return None

    def _input_changed(self) -> None:
        source = self.source_path()
        if source is not None and (self._output_is_default or not self.output_edit.text().strip()):
            self.output_edit.setText(str(default_output(source)))
            self._output_is_default = True
        self._update_resume_hint()

    def _output_edited(self) -> None:
        self._output_is_default = False

    def choose_input_file(self) -> None:
        source = self.source_path()
        start = str(source.parent) if source is not None else ""
        path, _filter = QFileDialog.getOpenFileName(self, t("gui.screening.input.file_title"), start,
                                                    t("gui.screening.input.file_filter"))
        if path:
            self.set_input(path)

    def choose_input_folder(self) -> None:
        start = str(self.source_path() or "")
        path = QFileDialog.getExistingDirectory(self, t("gui.screening.input.folder_title"), start)
        if path:
            self.set_input(path)

    def choose_output(self) -> None:
        start = str(self.output_path() or "")
        path, chosen = QFileDialog.getSaveFileName(self, t("gui.screening.output.file_title"), start,
                                                   t("gui.screening.output.file_filter"))
        if path:
            target = Path(path)
            if target.suffix.lower() not in OUTPUT_SUFFIXES:
                target = target.with_name(target.name + (".csv" if "csv" in chosen.lower() else ".xlsx"))
            self.set_output(target)

    def save_template(self, kind: str, target: Path | None = None) -> Path | None:
        """Copy the empty template (``kind="template"``) or the filled example of
        ``examples/batch/`` where the agent says (``target``: no file dialog)."""
        from app.core.model.examples import examples_dir

        source = examples_dir() / "batch" / TEMPLATES[kind]
        if not source.is_file():
            self._show_status(t("gui.screening.input.template_missing", path=str(source)), error=True)
            return None
        if target is None:
            name = t("gui.screening.input.template_file" if kind == "template" else "gui.screening.input.example_file")
            chosen_input = self.source_path()
            folder = chosen_input.parent if chosen_input is not None else Path.home()
            chosen, _filter = QFileDialog.getSaveFileName(self, t("gui.screening.input.save_title"),
                                                          str(folder / name), t("gui.screening.input.save_filter"))
            if not chosen:
                return None
            target = Path(chosen)
        try:
            shutil.copyfile(source, target)
        except OSError as error:
            self._show_status(t("gui.screening.input.template_failed", path=str(target),
                                reason=os_reason(error)), error=True)
            return None
        self._show_status(t("gui.screening.input.template_saved", path=str(target)))
        return target

    def _update_resume_hint(self) -> None:
        if self.running:
            return
        if self.output_edit.text().strip() and self.output_problem() is not None:
            self._show_status(self.output_problem() or "", error=True)  # as typed: the path's problem
            self._hint_shown = True
            return
        partial = self._partial_for_current()
        if partial is not None:
            self._show_status(t("gui.screening.resume.available", done=count(partial.done),
                                total=count(partial.total)))
            self._hint_shown = True
        elif self._hint_shown:
            self._show_status("")

    def _partial_for_current(self) -> PartialRun | None:
        from app.core.batch.screen import find_partial

        source, output = self.source_path(), self.output_path()
        if source is None or output is None:
            return None
        try:
            partial = find_partial(output)
        except (OSError, ValueError):  # whatever is typed, never an « Erreur inattendue »
            return None
        if partial is None or partial.input_name != source.name:
            return None
        return partial

    # -- running ------------------------------------------------------------------------
    def check(self) -> str | None:
        """The French reason the screening cannot start, or None."""
        source = self.source_path()
        if source is None:
            return t("gui.screening.check.no_input")
        if not source.exists():
            return t("gui.screening.check.input_missing", path=str(source))
        return self.output_problem()

    def ask_resume(self, partial: PartialRun) -> str | None:
        """« Reprendre » -> "resume", « Tout recommencer » -> "restart", else None."""
        box = QMessageBox(QMessageBox.Icon.Question, t("gui.screening.resume.title"),
                          t("gui.screening.resume.text", input=partial.input_name, done=count(partial.done),
                            total=count(partial.total)), QMessageBox.StandardButton.NoButton, self)
        resume = box.addButton(t("gui.screening.resume.resume"), QMessageBox.ButtonRole.AcceptRole)
        restart = box.addButton(t("gui.screening.resume.restart"), QMessageBox.ButtonRole.DestructiveRole)
        abort = box.addButton(t("gui.screening.resume.abort"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(resume)
        box.setEscapeButton(abort)
        box.exec()
        clicked = box.clickedButton()
        return "resume" if clicked is resume else "restart" if clicked is restart else None

    def confirm_cancel(self, quitting: bool = False) -> bool:
        """Asked when the dialog (or, ``quitting``, the app's window) is closed during a
        run: True cancels the run."""
        text = t("gui.screening.close.quit_text" if quitting else "gui.screening.close.text")
        box = QMessageBox(QMessageBox.Icon.Warning, t("gui.screening.close.title"), text,
                          QMessageBox.StandardButton.NoButton, self)
        stop = box.addButton(t("gui.screening.close.cancel_run"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(t("gui.screening.close.continue_run"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is stop

    def start(self) -> bool:
        """Check the choices, offer to resume an interrupted run, and start the screening
        in a worker thread. False when it did not start (the reason is shown)."""
        if self.running:
            return False
        problem = self.check()
        if problem:
            self._show_failure(problem)
            return False
        source, output = self.source_path(), self.output_path()
        assert source is not None and output is not None
        restart = False
        partial = self._partial_for_current()
        if partial is not None:
            answer = self.ask_resume(partial)
            if answer is None:
                return False
            restart = answer == "restart"

        self.outcome = None
        self.error_message = None
        self.last_progress = None
        self._close_when_done = False
        self.summary_group.hide()
        self._show_status("")
        run = _Run(source, output)
        self._run = run
        self._set_running(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.phase_label.setText(t("gui.screening.run.reading"))
        self.detail_label.setText("")
        self.progress_bar.setRange(0, 0)

        month, workers, chunk_size = self.month(), self.workers, self.chunk_size

        def on_progress(item: Progress) -> None:  # the worker thread: no widget here
            with run.lock:
                run.latest = item
                if run.posted:
                    return
                run.posted = True
            call_in_main_thread(lambda: self._apply_progress(run))

        def work() -> ScreenOutcome:
            from app.core.batch.screen import screen

            return screen(source, output, month=month, workers=workers, chunk_size=chunk_size, restart=restart,
                          progress=on_progress, cancel=run.cancel)

        run.handle = run_task(work, lambda outcome: self._finished(run, outcome),
                              lambda error: self._failed(run, error), pool=_pool())
        return True

    def cancel_run(self) -> None:
        """« Annuler »: raise the run's cancel flag (the run ends within a second or so)."""
        run = self._run
        if run is None or run.cancel.is_set():
            return
        run.cancel.set()
        self.cancel_button.setEnabled(False)
        self.phase_label.setText(t("gui.screening.run.cancelling"))

    def confirm_quit(self) -> bool:
        """The main window is being closed: True when no run goes on, or the agent chose
        to cancel it (the window then cancels it as it closes)."""
        return self._run is None or self._run.cancel.is_set() or self.confirm_cancel(quitting=True)

    def _cancel_silently(self) -> None:
        if self._run is not None:
            self._run.cancel.set()

    def _set_running(self, running: bool) -> None:
        for widget in (self.input_edit, self.output_edit, self.month_combo, self.choose_file_button,
                       self.choose_folder_button, self.choose_output_button, self.start_button):
            widget.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _alive(self, run: _Run) -> bool:
        """Whether ``run`` is this dialog's current one (and the dialog still exists: the
        window may have been closed while the run was ending)."""
        return shiboken6.isValid(self) and run is self._run

    def _apply_progress(self, run: _Run) -> None:
        with run.lock:
            item = run.latest
            run.posted = False
        if not self._alive(run) or item is None:
            return
        self.show_progress(item)

    def show_progress(self, item: Progress) -> None:
        self.last_progress = item
        if item.phase == "reading" or item.total <= 0:
            self.progress_bar.setRange(0, 0)  # busy: the number of households is not known yet
        else:
            self.progress_bar.setRange(0, item.total)
            self.progress_bar.setValue(min(item.done, item.total))
        phase, detail = progress_texts(item)
        if self._run is not None and self._run.cancel.is_set():
            phase = t("gui.screening.run.cancelling")
        self.phase_label.setText(phase)
        self.detail_label.setText(detail)
        self.progress_bar.setAccessibleDescription(detail)

    def _finished(self, run: _Run, outcome: ScreenOutcome) -> None:
        if not self._alive(run):
            return
        self._apply_progress(run)
        self._run = None
        self._set_running(False)
        self.outcome = outcome
        if outcome.complete:
            self._show_summary(outcome)
        else:
            self._show_incomplete(outcome)
        self._after_run()

    def _failed(self, run: _Run, error: BaseException) -> None:
        if not self._alive(run):
            return
        self._run = None
        self._set_running(False)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.phase_label.setText(t("gui.screening.failed.title"))
        self.detail_label.setText("")
        self._show_failure(failure_message(error))
        self._after_run()

    def _after_run(self) -> None:
        if self._close_when_done:
            self._close_when_done = False
            super().reject()

    def _show_failure(self, reason: str) -> None:
        self.error_message = t("gui.screening.failed.text", reason=reason)
        self._show_status(self.error_message, error=True)

    def _show_status(self, text: str, error: bool = False) -> None:
        self._hint_shown = False
        self.status.setText(text)
        set_text_color(self.status, ERROR_COLOR if error else None)
        self.status.setVisible(bool(text))

    def _show_incomplete(self, outcome: ScreenOutcome) -> None:
        done = outcome.computed + outcome.rejected  # records finished, resumed chunks included
        key = ("gui.screening.cancelled.worker_died" if outcome.reason == "worker_died"
               else "gui.screening.cancelled.text")
        self.phase_label.setText(t("gui.screening.cancelled.title"))
        self.detail_label.setText(t("gui.screening.run.count", done=count(done), total=count(outcome.total)))
        self._show_status(t(key, done=count(done), total=count(outcome.total), output=outcome.output.name,
                            partial=str(outcome.partial_dir)), error=True)
        self.summary_group.hide()

    def _show_summary(self, outcome: ScreenOutcome) -> None:
        self.progress_bar.setRange(0, max(1, outcome.total))
        self.progress_bar.setValue(max(1, outcome.total))
        self.phase_label.setText(t("gui.screening.summary.done_title", elapsed=formats.duration(outcome.elapsed)))
        values = self.summary_values
        values["records"].setText(count(outcome.total))
        values["households"].setText(count(outcome.computed))
        if outcome.rejected and outcome.errors_path is not None:
            values["rejected"].setText(t("gui.screening.summary.rejected_value", count=count(outcome.rejected),
                                         path=outcome.errors_path.name))
        else:
            values["rejected"].setText(count(outcome.rejected))
        share = outcome.households_flagged / outcome.computed * 100 if outcome.computed else 0.0
        values["flagged"].setText(t("gui.screening.summary.flagged_value", count=count(outcome.households_flagged),
                                    share=f"{formats.number(share, 0)}{formats.NBSP}%"))
        values["monthly"].setText(t("gui.screening.summary.monthly_value",
                                    amount=formats.euros(outcome.monthly_unclaimed)))
        values["yearly"].setText(t("gui.screening.summary.yearly_value",
                                   amount=formats.euros(outcome.yearly_unclaimed)))
        values["output"].setText(str(outcome.output))
        values["notices"].setText("\n".join(f"• {n}" for n in outcome.notices))
        self.summary_form.setRowVisible(values["notices"], bool(outcome.notices))
        self.open_report_button.setVisible(outcome.report_path is not None)
        self.open_errors_button.setVisible(bool(outcome.rejected) and outcome.errors_path is not None)
        self.summary_group.show()
        self._show_status("")
        self.open_output_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open(self, what: str) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        path = {"output": outcome.output, "report": outcome.report_path, "errors": outcome.errors_path,
                "folder": outcome.output.parent}.get(what)
        if path is None:
            return
        if not open_path(path):
            self._show_status(t("gui.screening.summary.open_failed", path=str(path)), error=True)

    # -- closing ------------------------------------------------------------------------
    def reject(self) -> None:
        """Close (Esc, « Fermer », the title bar): during a run, ask whether to cancel it;
        the dialog then closes once the run has stopped."""
        if self._run is None:
            super().reject()
            return
        if self._run.cancel.is_set() or self.confirm_cancel():
            self._close_when_done = True
            self.cancel_run()


def show_screening_dialog(window: Any) -> ScreeningDialog:
    """The window's one screening dialog, shown and raised (its last run stays visible)."""
    dialog = getattr(window, "screening_dialog", None)
    if not isinstance(dialog, ScreeningDialog):
        dialog = ScreeningDialog(window)
        window.screening_dialog = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def install(window: Any) -> None:
    """Add « Outils > Dépister un fichier de foyers… » to ``window``'s menu bar."""
    menu = tools_menu(window)
    action = QAction(t("gui.screening.menu.screen"), window)
    action.setToolTip(t("gui.screening.menu.screen").replace("&", "").rstrip("…"))
    action.triggered.connect(lambda _checked=False: show_screening_dialog(window))
    menu.addAction(action)
    window.tools_menu = menu
    window.screening_action = action
