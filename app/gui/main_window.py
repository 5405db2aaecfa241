"""The main window: household editor on the left, results on the right, menus,
shortcuts, the legislation month, and the engine's status.

Edits are validated at once (messages next to the fields) and, when the household
is complete and valid, computed ~600 ms after the last keystroke by the engine
process. The results show "not up to date" in between.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core.base import formats
from app.core.io.casefile import case_to_dict, load_case
from app.core.model.examples import example_files, warm_up_household
from app.core.base.os_errors import os_reason
from app.core.model.household import Household
from app.core.base.i18n import has, t
from app.core.model.periods import add_months, current_month, months_range
from app.core.model.validation import InvalidHousehold, Problem, notices, person_label
from app.gui import icons
from app.gui.case_session import CaseSession, StartInfo, draft_body, read_draft, unavailable_message
from app.gui.engine_process import FAILED, LOADING, READY, RESTARTING, STARTING, EngineClient
from app.gui.tasks import FirstPaint, run_task
from app.gui.views import rules_dialog
from app.gui.views.case_dialogs import NoticeBar
from app.gui.views.case_history import HistoricalBanner
from app.gui.views.household_editor import HouseholdEditor
from app.gui.views.results_panel import ResultsPanel
from app.gui.views.widgets import install_focus_outline, install_wheel_guard

if TYPE_CHECKING:  # heavy modules (jsonschema, numpy, OpenFisca): loaded later, off the GUI thread
    from app.core.benefits.catalogue import Catalogue
    from app.core.benefits.results import SimulationResult
    from app.core.store import Store, StoredSimulation

log = logging.getLogger(__name__)

RECOMPUTE_DELAY_MS = 600
VALIDATE_DELAY_MS = 30


def app_settings() -> QSettings:
    """The app's own settings (window geometry…): an INI file in the user's data folder,
    the only place Guichet writes to (GUICHET_DATA_DIR moves it, as everything else).
    Created ``0600`` (Qt keeps an existing file's mode when it rewrites it)."""
    from app.core.base.files import private_file
    from app.core.base.paths import user_data_dir

    path = private_file(user_data_dir() / "settings.ini")
    return QSettings(str(path), QSettings.Format.IniFormat)


@dataclass(frozen=True)
class Example:
    title: str
    path: Path | None  # None: the built-in warm-up household


def list_examples() -> list[Example]:
    examples = []
    for path in example_files():
        title = ""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            title = str(data.get("title") or data.get("description") or "") if isinstance(data, dict) else ""
        except (OSError, ValueError):
            continue
        if not title:
            key = f"gui.examples.{path.stem}"
            title = t(key) if has(key) else path.stem.replace("_", " ").replace("-", " ").capitalize()
        examples.append(Example(title, path))
    if not examples:
        examples.append(Example(t("gui.examples.warm_up"), None))
    return examples


def load_core_modules() -> Catalogue:
    """In a worker thread at start: the catalogue, and the engine's result types (which
    unpickling the first result would otherwise import on the reader thread)."""
    from app.core.benefits.catalogue import load_catalogue
    import app.core.compute.engine  # noqa: F401 - imported now rather than at the first result
    import app.core.compute.explain  # noqa: F401 - the explanations' types, likewise

    return load_catalogue()


class MainWindow(QMainWindow):
    resultShown = Signal(object)  # SimulationResult now displayed and up to date

    def __init__(self, engine: EngineClient | None = None, catalogue: Catalogue | None = None,
                 settings: QSettings | None = None, cases: CaseSession | None = None) -> None:
        super().__init__()
        install_wheel_guard()  # before any control is shown: the wheel never changes an unfocused field
        install_focus_outline()
        self.setWindowIcon(icons.icon("guichet"))
        self.settings = settings or app_settings()
        self.current_path: Path | None = None
        self.ask_before_discard = True
        self._owns_engine = engine is None
        self.engine = engine or EngineClient(self)
        self.catalogue = catalogue
        self._pending_id: int | None = None
        self._pending_key: tuple[Household, str] | None = None
        self._shown_key: tuple[Household, str] | None = None
        self._shown_id: int | None = None  # request whose result is displayed (its explanations follow)
        self._current_key: tuple[Household, str] | None = None
        self._last_problems: tuple[Problem, ...] = ()
        self._loading = False
        self._closed = False
        # The case database (docs/storage.md, docs/gui.md « Dossiers »).
        self.cases = cases if cases is not None else CaseSession(parent=self)
        self.case_id: int | None = None  # the stored case being edited
        self.case_reference: str | None = None
        self.case_variant_of: str | None = None
        self.case_simulations = 0
        self._stored_key: tuple[Household, str] | None = None  # result already stored as a simulation
        self._recorded_key: tuple[Household, str] | None = None  # result already counted in the statistics
        self.historical: StoredSimulation | None = None  # old simulation shown (read-only)
        self._recompute_id: int | None = None
        self._pending_draft: Any = None  # Draft offered back, not answered yet
        self.case_list_dialog: Any = None  # open dialogs (tests drive them)
        self.help_dialog: Any = None
        self.history_dialog: Any = None
        self.recomputed: SimulationResult | None = None  # last « Recalculer » result
        self.last_import: Any = None
        self.last_import_error: str | None = None

        self.editor = HouseholdEditor(catalogue)
        self.editor_scroll = QScrollArea()
        self.editor_scroll.setWidget(self.editor)
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.editor_scroll.setMinimumWidth(560)
        self.editor_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its fields, not to its frame
        self.results = ResultsPanel(catalogue)
        self.results.setMinimumWidth(400)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.editor_scroll)
        self.splitter.addWidget(self.results)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self._build_case_area()

        self.month = QComboBox()
        self.month.setAccessibleName(t("gui.month.name"))
        self.month.setToolTip(t("gui.month.help"))
        self._fill_months(current_month())

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._update_case_actions()

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(VALIDATE_DELAY_MS)
        self._validate_timer.timeout.connect(self.validate_now)
        self._compute_timer = QTimer(self)
        self._compute_timer.setSingleShot(True)
        self._compute_timer.setInterval(RECOMPUTE_DELAY_MS)
        self._compute_timer.timeout.connect(self.compute_now)

        self.editor.changed.connect(self._on_edit)
        self.month.currentIndexChanged.connect(self._on_month)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
            if self._owns_engine:
                app.aboutToQuit.connect(self.engine.stop)  # also when quitting without closing

        self.engine.stateChanged.connect(self._on_engine_state)
        self.engine.ready.connect(self._on_engine_ready)
        self.engine.resultReady.connect(self._on_result)
        self.engine.invalid.connect(self._on_invalid)
        self.engine.computeFailed.connect(self._on_compute_failed)
        self.engine.explanationsReady.connect(self._on_explanations)
        self.engine.crashed.connect(self._on_engine_crashed)
        self.engine.fatal.connect(self._on_engine_fatal)

        self._restore_geometry()
        self._update_title()
        self._on_engine_state(self.engine.state)
        FirstPaint(self, self._after_first_paint)
        self.validate_now()
        self.editor.couple.setFocus()  # the cursor starts in the form's first field

    def _after_first_paint(self) -> None:
        """Start-up work that must not delay the window: the engine process (it loads
        the rules in its own process), the catalogue (results list, benefits already
        received) and the communes search index, in worker threads."""
        if self._owns_engine and not self._closed:
            self.engine.start()
        if not self._closed:
            self.cases.open_async()  # off the GUI thread (the store imports the engine's types)
        if self.catalogue is None:
            self.reload_catalogue()
        from app.gui.app import warm_up_in_background

        warm_up_in_background()

    # -- construction -----------------------------------------------------------------------
    def _action(self, key: str, slot: Callable[[], Any],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                icon: str | None = None) -> QAction:
        action = QAction(t(key), self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon:
            action.setIcon(icons.icon(icon))
        tip = t(key).replace("&", "").rstrip("…")
        if shortcut is not None:
            tip += f" ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("gui.menu.new", self.new_case, QKeySequence.StandardKey.New, "new")
        self.open_action = self._action("gui.cases.menu.cases", self.show_cases, QKeySequence.StandardKey.Open, "open")
        self.open_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Open), QKeySequence("Ctrl+L")])
        self.save_action = self._action("gui.menu.save", self.save_case, QKeySequence.StandardKey.Save, "save")
        self.save_as_action = self._action("gui.cases.menu.save_new", self.save_case_as, "Ctrl+Shift+S")
        self.history_action = self._action("gui.cases.menu.history", self.show_history, "Ctrl+H")
        self.open_file_action = self._action("gui.cases.menu.open_file", self.open_file)
        self.import_action = self._action("gui.cases.menu.import", self.import_case)
        self.export_case_action = self._action("gui.cases.menu.export", self.export_case)
        self.stats_action = self._action("gui.cases.menu.stats", self.export_statistics)
        self.retention_action = self._action("gui.cases.menu.retention", self.edit_retention)
        self.preview_action = self._action("gui.menu.preview", self.preview_handout, "Ctrl+Shift+P", "preview")
        self.print_action = self._action("gui.menu.print", self.print_handout, QKeySequence.StandardKey.Print, "print")
        self.export_action = self._action("gui.menu.export_pdf", self.export_handout, "Ctrl+E", "pdf")
        self.service_action = self._action("gui.menu.service_point", self.edit_service_point)
        self.quit_action = self._action("gui.menu.quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.add_conjoint_action = self._action(
            "gui.menu.add_conjoint", lambda: self._add_person("conjoint"), "Ctrl+Shift+C")
        self.add_child_action = self._action("gui.menu.add_child", lambda: self._add_person("enfant"), "Ctrl+Shift+E")
        self.add_other_action = self._action(
            "gui.menu.add_other", lambda: self._add_person("autre_personne_a_charge"), "Ctrl+Shift+A")
        self.remove_person_action = self._action(
            "gui.menu.remove_person", lambda: self.editor.remove_person(self.editor.current_index()), "Ctrl+Shift+Del")
        self.focus_editor_action = self._action("gui.menu.focus_editor", self.focus_editor, "Ctrl+1")
        self.focus_results_action = self._action("gui.menu.focus_results", self.focus_results, "Ctrl+2")
        self.focus_month_action = self._action("gui.menu.focus_month", self.month.setFocus, "Ctrl+M")
        self.recompute_action = self._action("gui.menu.recompute", self.compute_now, "F5")
        self.restart_engine_action = self._action("gui.menu.restart_engine", self.restart_engine)
        self.help_action = self._action("gui.menu.help_contents", self.show_help, QKeySequence.StandardKey.HelpContents)
        self.about_action = self._action("gui.menu.about", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.example_actions: list[QAction] = []

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(t("gui.menu.file"))
        for action in (self.new_action, self.open_action, self.save_action, self.save_as_action, self.history_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.open_file_action, self.import_action, self.export_case_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.preview_action, self.print_action, self.export_action, self.service_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.stats_action, self.retention_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        household_menu = bar.addMenu(t("gui.menu.household"))
        for action in (self.add_conjoint_action, self.add_child_action, self.add_other_action,
                       self.remove_person_action):
            household_menu.addAction(action)
        household_menu.addSeparator()
        for action in (self.focus_editor_action, self.focus_results_action, self.focus_month_action,
                       self.recompute_action, self.restart_engine_action):
            household_menu.addAction(action)
        self.examples_menu = bar.addMenu(t("gui.menu.examples"))
        for example in list_examples():
            action = QAction(icons.icon("example"), example.title, self)
            action.triggered.connect(lambda _checked=False, ex=example: self.load_example(ex))
            self.examples_menu.addAction(action)
            self.example_actions.append(action)
        help_menu = bar.addMenu(t("gui.menu.help"))
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)
        rules_dialog.install(self)  # « Règles » menu
        from app.gui.views import scenarios_view, screening_dialog

        scenarios_view.install(self)  # « Outils » menu: scenarios, better off in work, curve, trace export
        screening_dialog.install(self)  # « Outils » menu: screening a file of households

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(t("gui.toolbar.name"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.new_action, self.open_action, self.save_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        from PySide6.QtWidgets import QToolButton

        examples_button = QToolButton()
        examples_button.setText(t("gui.menu.examples").replace("&", ""))
        examples_button.setIcon(icons.icon("example"))
        examples_button.setMenu(self.examples_menu)
        examples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        examples_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        examples_button.setAccessibleName(t("gui.menu.examples").replace("&", ""))
        examples_button.setToolTip(t("gui.toolbar.examples_help"))
        toolbar.addWidget(examples_button)
        self.examples_button = examples_button
        toolbar.addSeparator()
        for action in (self.preview_action, self.print_action):
            toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        label = QLabel(t("gui.month.label"))
        label.setBuddy(self.month)
        toolbar.addWidget(label)
        toolbar.addWidget(self.month)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        self.engine_label = QLabel()
        self.engine_label.setAccessibleName(t("gui.engine.status_name"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(t("gui.engine.busy_name"))
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.engine_label)

    def _build_case_area(self) -> None:
        """Over the editor and results: the notices of the case database (read-only,
        unavailable, draft to resume, retention), and a strip with the case's
        reference, the note of the next stored simulation and the history button."""
        self.read_only_bar = NoticeBar("warning", "read_only")
        self.store_error_bar = NoticeBar("error", "store_error")
        self.draft_bar = NoticeBar("info", "draft")
        self.draft_resume_button = self.draft_bar.add_button(t("gui.cases.draft.resume"), self.resume_draft)
        self.draft_discard_button = self.draft_bar.add_button(t("gui.cases.draft.discard"), self.discard_draft)
        self.retention_bar = NoticeBar("info", "retention")
        self.retention_buttons = (
            self.retention_bar.add_button(t("gui.cases.retention.understood"), self._retention_understood),
            self.retention_bar.add_button(t("gui.cases.retention.settings"), self.edit_retention),
        )
        if self.cases.first_start_expected():  # its room now, its text when the store is open
            self.retention_bar.show_text(t("gui.cases.retention.pending"), t("store.purge.notice_title"))
            for button in self.retention_buttons:
                button.setEnabled(False)
        self.case_label = QLabel(t("gui.cases.strip.unsaved"))
        font = self.case_label.font()
        font.setBold(True)
        self.case_label.setFont(font)
        self.case_label.setAccessibleName(t("gui.cases.strip.unsaved"))
        from PySide6.QtWidgets import QLineEdit, QPushButton

        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(t("gui.cases.strip.note_placeholder"))
        self.note_edit.setMaxLength(500)
        self.note_edit.setAccessibleName(t("gui.cases.strip.note_name"))
        self.note_edit.setClearButtonEnabled(True)
        note_label = QLabel(t("gui.cases.strip.note_label"))
        note_label.setBuddy(self.note_edit)
        self.history_button = QPushButton(t("gui.cases.strip.history_none"))
        self.history_button.clicked.connect(lambda _checked=False: self.show_history())
        self.history_button.setAccessibleName(t("gui.cases.menu.history").replace("&", "").rstrip("…"))
        strip = QWidget()
        strip_layout = QHBoxLayout(strip)
        strip_layout.setContentsMargins(6, 2, 6, 0)
        strip_layout.addWidget(self.case_label)
        strip_layout.addSpacing(16)
        strip_layout.addWidget(note_label)
        strip_layout.addWidget(self.note_edit, 1)
        strip_layout.addWidget(self.history_button)
        self.case_strip = strip
        self.historical_banner = HistoricalBanner()
        self.historical_banner.recompute_button.clicked.connect(lambda _checked=False: self.recompute_historical())
        self.historical_banner.back_button.clicked.connect(lambda _checked=False: self.leave_historical())
        self.results.add_banner(self.historical_banner)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for bar in (self.read_only_bar, self.store_error_bar, self.draft_bar, self.retention_bar):
            layout.addWidget(bar)
        layout.addWidget(strip)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.cases.set_draft_builder(self._draft_to_save)
        self.cases.opened.connect(self._on_store_opened)
        self.cases.failed.connect(self._on_store_failed)
        self.cases.keyNeeded.connect(self._ask_passphrase)
        if self.cases.info is not None:
            info = self.cases.info
            QTimer.singleShot(0, lambda: self._on_store_opened(info))
        elif self.cases.error is not None:
            QTimer.singleShot(0, lambda: self._on_store_failed(self.cases.error or ""))
            asked = self.cases.key_needed
            if asked is not None:  # opened before this window existed: ask now
                QTimer.singleShot(0, lambda: self._ask_passphrase(*asked))

    def _fill_months(self, selected: str) -> None:
        now = current_month()
        first, last = add_months(now, -36), add_months(now, 12)
        months = months_range(min(first, selected), max(last, selected))
        self.month.blockSignals(True)
        self.month.clear()
        for month in reversed(months):
            self.month.addItem(formats.month(month), month)
        self.month.setCurrentIndex(self.month.findData(selected))
        self.month.blockSignals(False)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            state = self.settings.value("window/splitter")
            if isinstance(state, QByteArray):
                self.splitter.restoreState(state)
            return
        screen = QApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        width = min(1366, available.width()) if available is not None else 1366
        height = min(768, available.height()) if available is not None else 768
        self.resize(width, height)
        self.splitter.setSizes([int(width * 0.58), int(width * 0.42)])

    # -- state -------------------------------------------------------------------------------
    @property
    def month_value(self) -> str:
        return str(self.month.currentData())

    def set_month(self, month: str) -> None:
        if self.month.findData(month) < 0:
            self._fill_months(month)
        self.month.setCurrentIndex(self.month.findData(month))

    def is_up_to_date(self) -> bool:
        return self._current_key is not None and self._current_key == self._shown_key

    def displayed_result(self) -> SimulationResult | None:
        return self.results.model.result

    def _update_title(self) -> None:
        if self.case_reference:
            name = self.case_reference
        else:
            name = self.current_path.name if self.current_path else t("gui.window.untitled")
        self.setWindowTitle(t("gui.window.title", name=name) + "[*]")
        if hasattr(self, "case_label"):
            if self.case_reference and self.case_variant_of:
                text = t("gui.cases.strip.reference_variant", reference=self.case_reference,
                         original=self.case_variant_of)
            elif self.case_reference:
                text = t("gui.cases.strip.reference", reference=self.case_reference)
            else:
                text = t("gui.cases.strip.unsaved")
            self.case_label.setText(text)
            self.case_label.setAccessibleName(text)
            self.history_button.setText(t("gui.cases.strip.history_button", count=self.case_simulations)
                                        if self.case_id is not None else t("gui.cases.strip.history_none"))

    def _on_catalogue(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.editor.set_catalogue(catalogue)
        self.results.set_catalogue(catalogue)
        self.validate_now()

    def _on_catalogue_error(self, error: BaseException) -> None:
        from app.core.base.logs import report_unexpected

        self.results.set_engine_message(report_unexpected(error))

    # -- editing and computing -------------------------------------------------------------
    def _on_edit(self) -> None:
        if self._loading or self.historical is not None:
            return
        self.setWindowModified(True)
        self._current_key = None  # not known to be up to date until read again
        self._validate_timer.start()
        if self._pending_draft is None:  # an unanswered draft offer is not overwritten
            self.cases.schedule_draft()

    def _on_month(self, _index: int) -> None:
        self.editor.set_month(self.month_value)
        self._on_edit()

    def validate_now(self) -> None:
        """Read the editor, show every problem, and schedule the computation."""
        self._validate_timer.stop()
        if self.historical is not None:
            return  # an old result is shown as it was: nothing is computed
        collected = self.editor.collect()
        self._last_problems = collected.problems
        held = self.editor.show_problems(collected.problems)
        del held  # the summary lists every problem, shown inline or not
        self.results.set_persons({p.id: person_label(i, p) for i, p in enumerate(collected.household.persons)})
        if not collected.computable:
            self.results.set_notices([])
            self._current_key = None
            self._compute_timer.stop()
            self.results.set_problems([p.message for p in collected.problems])
            self.results.set_stale(self._shown_key is not None)
            self.results.set_state(t("gui.state.incomplete"), "stale")
            return
        self.results.set_problems([])
        self.results.set_notices([n.message for n in notices(collected.household)])
        self._current_key = (collected.household, self.month_value)
        if self._current_key == self._shown_key:
            self._compute_timer.stop()
            self.results.set_stale(False)
            self.results.set_state(t("gui.state.up_to_date"), "ok")
            return
        if self._current_key == self._pending_key:
            return  # already asked for; its result is on its way
        self.results.set_stale(self._shown_key is not None)
        self.results.set_state(t("gui.state.pending"), "stale")
        self._compute_timer.start()

    def compute_now(self) -> None:
        self._compute_timer.stop()
        if self._current_key is None or self.historical is not None:
            return
        household, month = self._current_key
        self._pending_key = self._current_key
        self._pending_id = self.engine.compute(case_to_dict(household, month), month)
        self._show_busy()

    def _show_busy(self) -> None:
        if self._pending_id is None:
            self.busy.setVisible(self.engine.state in (STARTING, LOADING, RESTARTING))
            return
        self.busy.setVisible(True)
        if self.engine.is_ready:
            self.results.set_state(t("gui.state.computing"), "busy")
        else:
            self.results.set_state(t("gui.state.waiting_rules"), "busy")

    def _on_result(self, request_id: int, result: SimulationResult) -> None:
        if request_id == self._recompute_id:
            self._on_recomputed(result)
            return
        if request_id != self._pending_id:
            return
        self._shown_key = self._pending_key
        self._shown_id = request_id
        self._pending_id = self._pending_key = None
        self.results.set_engine_message(None)
        self.results.show_result(result)
        self._show_busy()
        if self.is_up_to_date():
            self.results.set_state(t("gui.state.up_to_date"), "ok")
            self.resultShown.emit(result)
        else:
            self.results.set_stale(True)
            self.validate_now()

    def _on_explanations(self, request_id: int, explanations: Any) -> None:
        if request_id == self._shown_id:
            self.results.set_explanations(explanations)

    def _on_invalid(self, request_id: int, problems: Any) -> None:
        if request_id == self._recompute_id:
            self._recompute_id = None
            self.historical_banner.recompute_button.setEnabled(True)
            self.historical_banner.show_message(t("gui.cases.historical.failed",
                                                  reason=" ".join(p.message for p in problems)))
            return
        if request_id != self._pending_id:
            return
        self._pending_id = self._pending_key = None
        self._show_busy()
        self.results.set_problems([p.message for p in problems])
        self.results.set_state(t("gui.state.incomplete"), "stale")

    def _on_compute_failed(self, request_id: int, message: str) -> None:
        if request_id == self._recompute_id:
            self._recompute_id = None
            self.historical_banner.recompute_button.setEnabled(True)
            self.historical_banner.show_message(t("gui.cases.historical.failed", reason=message))
            return
        if request_id != self._pending_id:
            return
        self._pending_id = self._pending_key = None
        self._show_busy()
        self.results.set_engine_message(message)
        self.results.set_state(t("gui.state.failed"), "error")

    # -- engine ---------------------------------------------------------------------------------
    def _on_engine_state(self, state: str) -> None:
        texts = {
            STARTING: t("engine.loading"),
            LOADING: t("engine.loading"),
            RESTARTING: t("gui.engine.restarting"),
            FAILED: t("gui.engine.failed"),
        }
        if state == READY:
            info = self.engine.info
            until = info.get("legislation_until")
            self.engine_label.setText(t(
                "gui.engine.ready_detail",
                version=info.get("openfisca_france", "?"),
                until=formats.date(dt.date.fromisoformat(until)) if until else "?",
            ))
        else:
            self.engine_label.setText(texts.get(state, ""))
        self.restart_engine_action.setEnabled(state in (READY, FAILED))
        self._show_busy()

    def _on_engine_ready(self, _info: dict[str, Any]) -> None:
        if self.results.engine_banner.isVisible() and self._pending_id is None:
            self.results.set_engine_message(None)
        self._show_busy()

    def _on_engine_crashed(self, message: str) -> None:
        self.results.set_engine_message(message)
        self.statusBar().showMessage(message, 10000)
        self._show_busy()

    def _on_engine_fatal(self, message: str) -> None:
        self.results.set_engine_message(message + "\n" + t("gui.engine.restart_hint"))
        self.results.set_state(t("gui.state.failed"), "error")
        self._pending_id = self._pending_key = None
        self._show_busy()

    def restart_engine(self) -> None:
        """The engine process reloads the rules (after a rules pack was imported or rolled
        back, or on the agent's request), and the window its catalogue: the results' labels
        and the « Aides déjà perçues » boxes follow the active rules without a restart."""
        self.engine.restart()
        self.reload_catalogue()
        if self._current_key is not None and self._current_key != self._shown_key:
            self.compute_now()

    def reload_catalogue(self) -> None:
        """The active rules' catalogue, read in a worker thread (cached when unchanged)."""
        run_task(load_core_modules, self._on_catalogue, self._on_catalogue_error)

    # -- cases ------------------------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """True when the current case may be replaced (saved, or the agent said so)."""
        if not self.isWindowModified() or not self.ask_before_discard:
            return True
        answer = QMessageBox.question(
            self, t("gui.dialog.unsaved_title"), t("gui.dialog.unsaved_text"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save_case()
        return answer == QMessageBox.StandardButton.Discard

    def _replace_case(self, load: Callable[[], None], path: Path | None) -> None:
        self._record_unsaved_result()
        self._leave_historical_state()
        self._loading = True
        try:
            load()
        finally:
            self._loading = False
        self.current_path = path
        self.setWindowModified(False)
        self._update_title()
        self._update_case_actions()
        self.validate_now()
        if self._compute_timer.isActive():
            self.compute_now()  # a whole case was loaded: no typing to wait for

    def _set_case(self, case_id: int | None, reference: str | None = None, variant_of: str | None = None,
                  simulations: int = 0, keep_note: bool = False) -> None:
        self.case_id = case_id
        self.case_reference = reference
        self.case_variant_of = variant_of
        self.case_simulations = simulations
        self._stored_key = None
        if not keep_note:
            self.note_edit.clear()

    def new_case(self) -> None:
        if not self.confirm_discard():
            return
        self._set_case(None)
        self.clear_results()
        self._replace_case(self.editor.new_case, None)
        self.cases.clear_draft()
        self.editor.forms[0].birth_date.setFocus()

    def clear_results(self) -> None:
        """No figure of the previous household stays readable: the table, the detail pane
        and the totals are emptied at once, and a result still on its way is dropped."""
        self._record_unsaved_result()  # the statistics count the result before it goes
        self._compute_timer.stop()
        self._pending_id = self._pending_key = None
        self._shown_key = None
        self._shown_id = None
        self.results.clear()
        self.results.set_engine_message(None)
        self._show_busy()

    def load_household(self, household: Household, month: str | None = None, path: Path | None = None) -> None:
        def load() -> None:
            if month:
                self.set_month(month)
                self.editor.set_month(month)
            self.editor.load(household)

        self._replace_case(load, path)

    def open_file(self, path: Path | None = None) -> None:
        """« Ouvrir un fichier… »: a plain case file (examples, files of older versions),
        opened as a new case, not yet stored."""
        if not self.confirm_discard():
            return
        if path is None:
            folder = str(self.settings.value("files/last_folder", "") or "")
            name, _ = QFileDialog.getOpenFileName(self, t("gui.cases.open_file_title"), folder,
                                                  t("gui.cases.file_filter"))
            if not name:
                return
            path = Path(name)
        self._open_path(path, keep_path=True)

    def _open_path(self, path: Path, keep_path: bool) -> bool:
        try:
            household, month = load_case(path)
        except InvalidHousehold as error:
            self._show_problems_dialog(t("gui.dialog.open_failed", name=path.name), error.problems)
            return False
        self.settings.setValue("files/last_folder", str(path.parent))
        self._set_case(None)
        self.load_household(household, month, path if keep_path else None)
        self.cases.clear_draft()
        return True

    def load_example(self, example: Any) -> None:
        if not self.confirm_discard():
            return
        if example.path is None:
            self._set_case(None)
            self.load_household(warm_up_household(), None, None)
            self.cases.clear_draft()
        else:
            self._open_path(example.path, keep_path=False)
        self.results.table.setFocus()

    # -- the case database ---------------------------------------------------------------------
    @property
    def store(self) -> Store | None:
        return self.cases.store

    def _writable_store(self, title: str) -> Store | None:
        """The store, writable; else says why (French) and returns None."""
        self.cases.open_now()  # before the start-up opening (or while it runs): now
        store = self.cases.store
        if store is None or store.read_only:
            QMessageBox.warning(self, title, unavailable_message(self.cases))
            return None
        return store

    def _readable_store(self, title: str) -> Store | None:
        self.cases.open_now()
        if self.cases.store is None:
            QMessageBox.warning(self, title, unavailable_message(self.cases))
        return self.cases.store

    def _update_case_actions(self) -> None:
        store = self.cases.store
        writable = store is not None and not store.read_only
        readable = store is not None
        historical = self.historical is not None
        for action in (self.save_action, self.save_as_action):
            action.setEnabled(not historical and (writable or self.cases.opening))
        self.import_action.setEnabled(writable)
        self.retention_action.setEnabled(writable)
        self.open_action.setEnabled(readable or self.cases.opening)
        self.history_action.setEnabled(readable and self.case_id is not None)
        self.history_button.setEnabled(readable and self.case_id is not None)
        self.export_case_action.setEnabled(readable and self.case_id is not None)
        self.stats_action.setEnabled(readable)
        self.note_edit.setEnabled(writable and not historical)
        self.month.setEnabled(not historical)

    def _on_store_opened(self, info: StartInfo) -> None:
        from app.core.store import purge_done, purge_notice

        if self._closed:
            return
        self.read_only_bar.show_text(t("gui.cases.read_only_banner")) if info.read_only else self.read_only_bar.hide()
        self.store_error_bar.hide()
        if info.notice_needed:
            self.retention_bar.show_text(purge_notice(info.retention_days, info.expired),
                                         t("store.purge.notice_title"))
            for button in self.retention_buttons:
                button.setEnabled(True)
        else:
            self.retention_bar.hide()  # reserved for a first start that was not one
        if not info.notice_needed and info.purged:
            self.statusBar().showMessage(purge_done(info.purged, info.retention_days), 15000)
        if info.draft is not None and not info.read_only:
            self._offer_draft(info.draft)
        self._update_case_actions()
        if not info.read_only and info.purge_to_confirm:
            self._confirm_purge(info.store, info.purge_to_confirm, info.retention_days)
        if not info.read_only and not info.encrypted:
            self._offer_encryption(info.store)

    def _ask_passphrase(self, new: bool, message: str) -> None:
        """No keyring on this machine: the database's passphrase, typed by the agent."""
        from app.gui.views.case_dialogs import PassphraseDialog

        if self._closed:
            return
        dialog = PassphraseDialog(new, message, self)
        if dialog.exec() == PassphraseDialog.DialogCode.Accepted:
            self.cases.retry(dialog.passphrase())

    def _confirm_purge(self, store: Store, count: int, days: int) -> None:
        """More than a few cases to purge at start: asked first (no: asked at next start)."""
        from app.core.store import purge_done

        text = t("store.purge.confirm", count=count, days=days) + "\n\n" + t("store.purge.confirm_question")
        answer = QMessageBox.question(self, t("store.purge.confirm_title"), text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(purged: int) -> None:
            if purged and not self._closed:
                self.statusBar().showMessage(purge_done(purged, days), 15000)

        run_task(lambda: store.purge_expired(confirmed=True), done,
                 lambda error: log.warning("purge failed: %s", type(error).__name__))

    def _offer_encryption(self, store: Store) -> None:
        """A plain database of an older Guichet: encrypted on the agent's consent."""
        from app.core.store.keys import from_environment, keyring_available
        from app.gui.case_session import error_text
        from app.gui.views.case_dialogs import PassphraseDialog

        title = t("gui.cases.encrypt.title")
        answer = QMessageBox.question(self, title, t("gui.cases.encrypt.question"),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            self.statusBar().showMessage(t("gui.cases.encrypt.later"), 15000)
            return
        passphrase: str | None = None
        if from_environment() is None and not keyring_available():
            dialog = PassphraseDialog(True, t("store.errors.key_needed_new"), self)
            if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
                self.statusBar().showMessage(t("gui.cases.encrypt.later"), 15000)
                return
            passphrase = dialog.passphrase()

        def done(_result: object) -> None:
            if not self._closed:
                self.statusBar().showMessage(t("gui.cases.encrypt.done"), 15000)

        def failed(error: BaseException) -> None:
            if not self._closed:
                QMessageBox.warning(self, title, t("gui.cases.encrypt.failed", reason=error_text(error)))

        self.cases.flush()
        run_task(lambda: store.encrypt(passphrase), done, failed)

    def _on_store_failed(self, message: str) -> None:
        if self._closed:
            return
        self.store_error_bar.show_text(t("gui.cases.unavailable_banner", reason=message))
        self.retention_bar.hide()
        self._update_case_actions()

    # drafts
    def _draft_to_save(self) -> tuple[dict[str, Any], int | None] | None:
        """The form as it is (incomplete is fine), for the autosave."""
        if self.historical is not None or not self.isWindowModified():
            return None
        collected = self.editor.collect()
        texts = {path: edit.text() for path, edit in self.editor.typed_fields().items() if edit.text().strip()}
        body = draft_body(case_to_dict(collected.household, self.month_value), texts, self.case_reference)
        return body, self.case_id

    def _offer_draft(self, draft: Any) -> None:
        self._pending_draft = draft
        local = draft.saved_at.astimezone()
        date, time = formats.date(local.date()), local.strftime("%H:%M")
        reference = str(draft.case.get("reference") or "") if isinstance(draft.case, dict) else ""
        if draft.case_id is not None and reference:
            text = t("store.draft.offer_case", reference=reference, date=date, time=time)
        else:
            text = t("store.draft.offer", date=date, time=time)
        self.draft_bar.show_text(text, t("gui.cases.draft.title"))
        self.draft_resume_button.setFocus()

    def resume_draft(self) -> None:
        from app.core.store import StoreError

        draft = self._pending_draft
        if draft is None:
            return
        if not self.confirm_discard():
            return
        self._pending_draft = None
        self.draft_bar.hide()
        try:
            household, month, texts = read_draft(draft.case)
        except (ValueError, KeyError, TypeError, AttributeError):
            self.statusBar().showMessage(t("gui.cases.draft.unreadable"), 10000)
            self.cases.clear_draft()
            return
        reference = None
        variant_of = None
        simulations = 0
        case_id = draft.case_id
        if case_id is not None and self.cases.store is not None:
            try:
                summary = self.cases.store.get_case(case_id).summary
                reference, variant_of, simulations = summary.reference, summary.variant_of, summary.simulations
            except StoreError:
                case_id = None  # deleted since: kept as a new case
        self._set_case(case_id, reference, variant_of, simulations)

        def load() -> None:
            if month:
                self.set_month(month)
                self.editor.set_month(month)
            self.editor.load(household)
            self._apply_draft_texts(texts)

        self._replace_case(load, None)
        self.setWindowModified(True)  # not saved yet
        self.statusBar().showMessage(t("gui.cases.draft.resumed"), 10000)
        self.cases.schedule_draft()

    def _apply_draft_texts(self, texts: dict[str, str]) -> None:
        """Put back what the agent had typed (a partial birth date, an amount that is not
        one yet…), in place of the stand-ins of the saved household."""
        fields = self.editor.typed_fields()
        for path, text in texts.items():
            edit = fields.get(path)
            if edit is not None and isinstance(text, str):
                edit.setText(text)

    def discard_draft(self) -> None:
        self._pending_draft = None
        self.draft_bar.hide()
        self.cases.clear_draft()

    # retention
    def _retention_understood(self) -> None:
        from app.core.store import purge_done

        self.retention_bar.hide()
        store = self.cases.store
        if store is None or store.read_only:
            return

        def done(count: int) -> None:
            if count and not self._closed:
                self.statusBar().showMessage(purge_done(count, store.retention_days), 15000)

        def failed(error: BaseException) -> None:
            from app.core.store import PurgeNeedsConfirmation

            if isinstance(error, PurgeNeedsConfirmation) and not self._closed:
                self._confirm_purge(store, error.count, error.days)
            else:
                log.warning("purge failed: %s", type(error).__name__)

        run_task(store.purge_expired, done, failed)

    def edit_retention(self) -> None:
        from app.core.store import StoreError
        from app.gui.views.case_dialogs import RetentionDialog

        store = self._writable_store(t("gui.cases.retention.dialog_title"))
        if store is None:
            return

        def expired(days: int) -> int:
            now = dt.datetime.now(dt.timezone.utc)
            return store.expired_count(now - dt.timedelta(days=store.retention_days - days))

        dialog = RetentionDialog(store.retention_days, expired, self)
        if dialog.exec() != RetentionDialog.DialogCode.Accepted:
            return
        try:
            store.set_retention_days(dialog.days.value())
        except (StoreError, ValueError) as error:
            QMessageBox.warning(self, t("gui.cases.retention.dialog_title"), str(error))
            return
        self.statusBar().showMessage(t("gui.cases.retention.saved", days=dialog.days.value()), 8000)

    # saving
    def save_case(self) -> bool:
        """« Enregistrer »: the case into the database (a reference the first time) and,
        when the result shown is up to date and not stored yet, that result as a
        simulation, with the note typed in the strip."""
        return self._save(new=False)

    def save_case_as(self) -> bool:
        """« Enregistrer comme nouveau dossier »: the form as a new case (a variant)."""
        return self._save(new=True)

    def _save(self, new: bool) -> bool:
        from app.core.store import StoreError

        if self.historical is not None:
            return False
        collected = self.editor.collect()
        if collected.problems:
            self._show_problems_dialog(t("gui.dialog.save_blocked"), collected.problems)
            return False
        store = self._writable_store(t("gui.dialog.save_title"))
        if store is None:
            return False
        household, month = collected.household, self.month_value
        key = (household, month)
        result = self.displayed_result() if self.is_up_to_date() else None
        if result is not None and not new and key == self._stored_key:
            result = None  # already stored as a simulation of this case
        case_id = None if new else self.case_id
        note = self.note_edit.text().strip()
        try:
            summary = store.save_case(household, month, case_id=case_id, result=result,
                                      note=note if result is not None else "")
        except StoreError as error:
            QMessageBox.warning(self, t("gui.dialog.save_title"), t("gui.cases.save_failed", reason=str(error)))
            return False
        except InvalidHousehold as error:
            self._show_problems_dialog(t("gui.dialog.save_blocked"), error.problems)
            return False
        stored_key = self._stored_key if (result is None and not new) else None
        self._set_case(summary.id, summary.reference, summary.variant_of, summary.simulations,
                       keep_note=result is None)  # the note waits for a result to go with
        self._adopt_reference(household, summary.reference)
        if result is not None:
            self._stored_key = self._shown_key
            self._recorded_key = self._shown_key
        elif stored_key is not None:
            self._stored_key = self._shown_key if self.is_up_to_date() else None
        self.current_path = None
        self.setWindowModified(False)
        self._update_title()
        self._update_case_actions()
        self.cases.clear_draft()
        if result is not None:
            message = t("gui.cases.saved_with_simulation", reference=summary.reference)
        elif self.is_up_to_date():
            message = t("gui.cases.saved", reference=summary.reference)
        else:
            message = t("gui.cases.saved_without_simulation", reference=summary.reference)
        self.statusBar().showMessage(message, 8000)
        return True

    def _adopt_reference(self, household: Household, reference: str) -> None:
        """The stored case carries its reference in ``household.reference``: show it in
        the form, without counting it as an edit nor computing again."""
        if household.reference == reference:
            return
        updated = dataclasses.replace(household, reference=reference)
        self._loading = True
        try:
            self.editor.reference.setText(reference)
        finally:
            self._loading = False

        def renamed(key: tuple[Household, str] | None) -> tuple[Household, str] | None:
            return (updated, key[1]) if key is not None and key[0] == household else key

        self._shown_key = renamed(self._shown_key)
        self._current_key = renamed(self._current_key)
        self._pending_key = renamed(self._pending_key)
        self._validate_timer.stop()

    def _record_unsaved_result(self) -> None:
        """The statistics count each case's last computed result once, saved or not."""
        store = self.cases.store
        result = self.displayed_result()
        if store is None or store.read_only or result is None or self.historical is not None:
            return
        if not self.is_up_to_date() or self._shown_key in (self._stored_key, self._recorded_key):
            return
        self._recorded_key = self._shown_key
        try:
            store.record_activity(result)
        except Exception as error:  # noqa: BLE001 - statistics never stop the agent
            log.warning("recording the activity failed: %s", type(error).__name__)

    # opening stored cases
    def show_cases(self) -> None:
        """« Dossiers »: search, open, duplicate, export, delete."""
        from app.gui.views.case_list import CaseListDialog

        store = self._readable_store(t("gui.cases.list.title"))
        if store is None:
            return
        dialog = CaseListDialog(store, self, self.case_id, on_history=self._history_from_list,
                                on_export=self.export_case, on_deleted=self._on_case_deleted)
        self.case_list_dialog = dialog
        try:
            if dialog.exec() == CaseListDialog.DialogCode.Accepted and dialog.chosen_case_id is not None:
                self.open_stored_case(dialog.chosen_case_id)
        finally:
            self.case_list_dialog = None

    def _history_from_list(self, case_id: int) -> None:
        self._history_case_id = case_id
        if self.case_list_dialog is not None and self._show_history_dialog(case_id):
            self.case_list_dialog.reject()

    def _on_case_deleted(self, case_id: int, reference: str) -> None:
        if case_id == self.case_id:
            self._set_case(None)
            self.setWindowModified(True)
            self._update_title()
            self._update_case_actions()
            self.statusBar().showMessage(t("gui.cases.current_deleted", reference=reference), 10000)

    def open_stored_case(self, case_id: int, ask: bool = True) -> bool:
        from app.core.store import StoreError

        store = self._readable_store(t("gui.cases.list.title"))
        if store is None or (ask and case_id != self.case_id and not self.confirm_discard()):
            return False
        if ask and case_id == self.case_id and self.isWindowModified() and not self.confirm_discard():
            return False
        try:
            record = store.open_case(case_id)
            household, month = record.household()
        except StoreError as error:
            QMessageBox.warning(self, t("gui.cases.list.title"), str(error))
            return False
        except InvalidHousehold as error:
            self._show_problems_dialog(t("gui.cases.open_failed", reference=str(case_id)), error.problems)
            return False
        summary = record.summary
        self._set_case(summary.id, summary.reference, summary.variant_of, summary.simulations)
        self.load_household(household, month, None)
        self._update_title()
        self._update_case_actions()
        self.cases.clear_draft()
        self.statusBar().showMessage(t("gui.cases.opened", reference=summary.reference), 5000)
        return True

    # history
    def show_history(self, case_id: int | None = None) -> None:
        case_id = case_id if case_id is not None else self.case_id
        if case_id is None:
            QMessageBox.information(self, t("gui.cases.menu.history").replace("&", "").rstrip("…"),
                                    t("gui.cases.history.need_saved"))
            return
        self._show_history_dialog(case_id)

    def _show_history_dialog(self, case_id: int) -> bool:
        """True when a simulation was chosen (and is now shown)."""
        from app.core.store import StoreError
        from app.gui.views.case_history import CaseHistoryDialog

        store = self._readable_store(t("gui.cases.list.title"))
        if store is None:
            return False
        try:
            reference = store.get_case(case_id).reference
        except StoreError as error:
            QMessageBox.warning(self, t("gui.cases.list.title"), str(error))
            return False
        chosen: list[int] = []
        dialog = CaseHistoryDialog(store, case_id, reference, chosen.append, self)
        self.history_dialog = dialog
        try:
            dialog.exec()
        finally:
            self.history_dialog = None
        if not chosen:
            return False
        return self.show_simulation(chosen[0])

    def show_simulation(self, simulation_id: int) -> bool:
        """An old simulation, exactly as stored: its household in the form (read-only)
        and its stored result in the results panel, marked historical."""
        from app.core.store import StoreError

        store = self._readable_store(t("gui.cases.list.title"))
        if store is None:
            return False
        try:
            stored = store.get_simulation(simulation_id)
            record = store.get_case(stored.summary.case_id)
            household, _month = stored.household()
        except StoreError as error:
            QMessageBox.warning(self, t("gui.cases.list.title"), str(error))
            return False
        except InvalidHousehold as error:
            self._show_problems_dialog(t("gui.cases.open_failed", reference=str(simulation_id)), error.problems)
            return False
        if self.historical is None and (record.id != self.case_id or self.isWindowModified()):
            if not self.confirm_discard():
                return False
        self._record_unsaved_result()
        summary = record.summary
        self._set_case(summary.id, summary.reference, summary.variant_of, summary.simulations)
        self._compute_timer.stop()
        self._validate_timer.stop()
        self.cases.clear_draft()
        self.historical = stored
        self._recompute_id = None
        self._pending_id = self._pending_key = None
        self._shown_key = self._current_key = None
        self._loading = True
        try:
            self.set_month(stored.summary.month)
            self.editor.set_month(stored.summary.month)
            self.editor.load(household)
        finally:
            self._loading = False
        self.editor.show_problems(())
        self.editor.setEnabled(False)
        self.results.set_problems([])
        self.results.set_engine_message(None)
        self.results.set_persons({p.id: person_label(i, p) for i, p in enumerate(household.persons)})
        self.results.show_result(stored.result)
        self.results.set_state(t("gui.cases.historical.state"), "stale")
        self.historical_banner.show_simulation(stored)
        self.setWindowModified(False)
        self._update_title()
        self._update_case_actions()
        self._show_busy()
        self.historical_banner.recompute_button.setFocus()
        return True

    def recompute_historical(self) -> None:
        """« Recalculer avec les règles d'aujourd'hui »: the same household and month,
        computed by today's engine; the differences are listed in the banner."""
        stored = self.historical
        if stored is None:
            return
        self.historical_banner.recompute_button.setEnabled(False)
        self.historical_banner.show_message(t("gui.cases.historical.computing"))
        self._recompute_id = self.engine.compute(dict(stored.inputs), stored.summary.month)

    def _on_recomputed(self, result: SimulationResult) -> None:
        from app.core.io.results_json import result_differences
        from app.gui.views.case_history import differences_lines

        self._recompute_id = None
        stored = self.historical
        self.historical_banner.recompute_button.setEnabled(True)
        if stored is None:
            return
        changes = result_differences(stored.result, result)
        self.recomputed = result
        lines = differences_lines(changes, stored.result, result, self.catalogue)
        self.historical_banner.show_differences(len(changes), lines, result)
        self.record_recomputation(result)

    def record_recomputation(self, result: SimulationResult) -> None:
        store = self.cases.store
        if store is not None and not store.read_only:
            try:
                store.record_activity(result)
            except Exception as error:  # noqa: BLE001
                log.warning("recording the activity failed: %s", type(error).__name__)

    def _leave_historical_state(self) -> None:
        if self.historical is None:
            return
        self.historical = None
        self._recompute_id = None
        self.editor.setEnabled(True)
        self.historical_banner.hide()
        self.results.show_result(None)
        self._shown_key = None

    def leave_historical(self) -> None:
        """« Revenir au dossier »: the case as stored today, computed on today's rules."""
        stored = self.historical
        if stored is None:
            return
        case_id = stored.summary.case_id
        self._leave_historical_state()
        self._update_case_actions()
        if not self.open_stored_case(case_id, ask=False):
            self._set_case(None)
            self._replace_case(self.editor.new_case, None)

    # moving cases: export, import
    def export_case(self, case_id: int | None = None) -> bool:
        from app.core.store import StoreError

        title = t("gui.cases.export.title")
        store = self._readable_store(title)
        if store is None:
            return False
        if case_id is None:
            if self.case_id is None or (self.isWindowModified() and not store.read_only):
                if self.case_id is None and not self.isWindowModified():
                    QMessageBox.information(self, title, t("gui.cases.export.need_saved"))
                    return False
                if not self.save_case():
                    return False
            case_id = self.case_id
        if case_id is None:
            return False
        try:
            suggested = store.export_file_name(case_id)
        except StoreError as error:
            QMessageBox.warning(self, title, str(error))
            return False
        folder = str(self.settings.value("files/last_folder", "") or "")
        name, _ = QFileDialog.getSaveFileName(self, title, str(Path(folder) / suggested) if folder else suggested,
                                              t("gui.cases.export.filter"))
        if not name:
            return False
        path = Path(name)
        try:
            store.export_case(case_id, path)
        except StoreError as error:
            QMessageBox.warning(self, title, str(error))
            return False
        except OSError as error:
            QMessageBox.warning(self, title, t("gui.cases.export.failed", reason=os_reason(error)))
            return False
        self.settings.setValue("files/last_folder", str(path.parent))
        self.statusBar().showMessage(t("gui.cases.export.done", reference=suggested.split(".")[0], name=path.name), 8000)
        return True

    def import_case(self, path: Path | None = None) -> None:
        """« Importer un dossier… »: a case exported by Guichet (all of it, or nothing),
        validated in a worker thread (~1 s), then opened."""
        title = t("gui.cases.import.title")
        store = self._writable_store(title)
        if store is None or not self.confirm_discard():
            return
        if path is None:
            folder = str(self.settings.value("files/last_folder", "") or "")
            name, _ = QFileDialog.getOpenFileName(self, title, folder, t("gui.cases.import.filter"))
            if not name:
                return
            path = Path(name)
        self.settings.setValue("files/last_folder", str(path.parent))
        self._run_import(store, path, replace=False)

    def _run_import(self, store: Store, path: Path, replace: bool) -> None:
        title = t("gui.cases.import.title")
        self.import_action.setEnabled(False)
        self.statusBar().showMessage(t("gui.cases.import.running"))
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)

        def finish() -> None:
            QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()
            self._update_case_actions()

        def done(result: Any) -> None:
            finish()
            if self._closed:
                return
            lines = [t("store.import.done", reference=result.reference, count=result.simulations)]
            if result.renamed_from:
                lines.append(t("store.import.renamed", old=result.renamed_from, new=result.reference))
            self.open_stored_case(result.case_id, ask=False)
            self.last_import = result
            QMessageBox.information(self, title, "\n\n".join(lines))

        def failed(error: BaseException) -> None:
            from app.core.store import ImportConflict, ImportRefused

            finish()
            if self._closed:
                return
            if isinstance(error, ImportConflict):
                answer = QMessageBox.question(
                    self, title, t("store.import.replace_confirm", reference=error.reference),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
                if answer == QMessageBox.StandardButton.Yes:
                    self._run_import(store, path, replace=True)
                return
            from app.gui.case_session import error_text

            text = error_text(error)
            if isinstance(error, ImportRefused) and error.details:
                text += "\n\n" + "\n".join(f"• {line}" for line in error.details[:15])
            self.last_import_error = text
            QMessageBox.warning(self, title, text)

        run_task(lambda: store.import_case(path, replace=replace), done, failed)

    def export_statistics(self) -> bool:
        """« Exporter les statistiques (CSV)… »: per day and benefit, no personal data."""
        from app.core.store import StoreError
        from app.gui.views.case_dialogs import StatsDialog

        title = t("gui.cases.stats.title")
        store = self._readable_store(title)
        if store is None:
            return False
        dialog = StatsDialog(self)
        if dialog.exec() != StatsDialog.DialogCode.Accepted:
            return False
        start, end = dialog.period()
        folder = str(self.settings.value("files/last_folder", "") or "")
        suggested = t("gui.cases.stats.file_name", start=start.isoformat(), end=end.isoformat())
        name, _ = QFileDialog.getSaveFileName(self, title, str(Path(folder) / suggested) if folder else suggested,
                                              t("gui.cases.stats.filter"))
        if not name:
            return False
        path = Path(name)
        if path.suffix.lower() != ".csv":
            path = path.with_suffix(".csv")
        try:
            store.export_activity_csv(path, start, end)
        except StoreError as error:
            QMessageBox.warning(self, title, str(error))
            return False
        except OSError as error:
            QMessageBox.warning(self, title, t("gui.cases.stats.failed", reason=os_reason(error)))
            return False
        self.settings.setValue("files/last_folder", str(path.parent))
        self.statusBar().showMessage(t("gui.cases.stats.done", name=path.name), 8000)
        return True

    def _show_problems_dialog(self, title: str, problems: tuple[Problem, ...]) -> None:
        lines = [f"• {p.message}" for p in problems[:15]]
        if len(problems) > 15:
            lines.append(t("gui.results.problems_more", count=len(problems) - 15))
        QMessageBox.warning(self, t("gui.window.short_title"), title + "\n\n" + "\n".join(lines))

    def _add_person(self, role: str) -> None:
        from app.core.model.household import Role

        if role == "conjoint" and not self.editor.add_conjoint_button.isEnabled():
            return
        self.editor.add_person(Role(role), focus=True)

    # -- handout ----------------------------------------------------------------------------------
    def _handout_inputs(self) -> tuple[Household, SimulationResult] | None:
        if not self.is_up_to_date() or self.displayed_result() is None or self._shown_key is None:
            QMessageBox.information(self, t("gui.handout.title"), t("gui.handout.not_ready"))
            return None
        return self._shown_key[0], self.displayed_result()  # type: ignore[return-value]

    def preview_handout(self) -> None:
        from app.gui.views import handout_preview

        inputs = self._handout_inputs()
        if inputs is not None:
            self.handout_dialog = handout_preview.preview(self, *inputs)

    def print_handout(self) -> None:
        from app.gui.views import handout_preview

        inputs = self._handout_inputs()
        if inputs is not None:
            handout_preview.print_handout(self, *inputs)

    def export_handout(self) -> None:
        from app.gui.views import handout_preview

        inputs = self._handout_inputs()
        if inputs is not None:
            handout_preview.export_pdf(self, *inputs)

    def edit_service_point(self) -> None:
        from app.gui.views import handout_preview

        handout_preview.edit_service_point(self, self.settings)

    # -- misc ------------------------------------------------------------------------------------
    def focus_editor(self) -> None:
        form = self.editor.current_form()
        (form.birth_date if form is not None else self.editor.table).setFocus()

    def focus_results(self) -> None:
        self.results.table.setFocus()
        if not self.results.table.currentIndex().isValid() and self.results.model.rowCount():
            self.results.table.selectRow(0)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.editor.isAncestorOf(new):
            self.editor_scroll.ensureWidgetVisible(new, 20, 40)

    def show_help(self) -> None:
        """F1: the short help (shortcuts, workflow, where the data is kept)."""
        from app.core.base.paths import user_data_dir
        from app.gui.views.help_dialog import HelpDialog

        if self.help_dialog is None:
            self.help_dialog = HelpDialog(str(user_data_dir()), self)
        self.help_dialog.show()
        self.help_dialog.raise_()
        self.help_dialog.activateWindow()

    def show_about(self) -> None:
        from importlib import metadata

        from app.core.rules.folder import version_label

        info = self.engine.info
        try:
            france = info.get("openfisca_france") or metadata.version("openfisca-france")
        except metadata.PackageNotFoundError:
            france = "?"
        until = info.get("legislation_until")
        QMessageBox.about(self, t("gui.about.title"), t(
            "gui.about.text",
            version=__version__,
            openfisca=france,
            until=formats.date(dt.date.fromisoformat(until)) if until else t("gui.about.loading"),
            catalogue=version_label(str(info.get("catalogue_version") or "")) or "—",
        ))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        screening = getattr(self, "screening_dialog", None)
        if not self._closed and screening is not None and not screening.confirm_quit():
            event.ignore()  # the screening goes on
            return
        if not self.confirm_discard():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()
        event.accept()
        if self._closed:
            return
        if screening is not None and screening.running:
            screening.cancel_run()  # what it has computed stays in its partial folder, for a resume
        self._record_unsaved_result()
        self.cases.clear_draft()  # saved, or discarded by the agent: nothing to offer back
        self._closed = True
        self.cases.close()
        self._validate_timer.stop()
        self._compute_timer.stop()
        for signal, slot in (
            (self.engine.stateChanged, self._on_engine_state), (self.engine.ready, self._on_engine_ready),
            (self.engine.resultReady, self._on_result), (self.engine.invalid, self._on_invalid),
            (self.engine.computeFailed, self._on_compute_failed), (self.engine.crashed, self._on_engine_crashed),
            (self.engine.fatal, self._on_engine_fatal),
        ):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        app = QApplication.instance()
        if isinstance(app, QApplication):
            try:
                app.focusChanged.disconnect(self._on_focus_changed)
            except (RuntimeError, TypeError):
                pass
        if self._owns_engine:
            self.engine.stop()
