"""The main window: household editor on the left, results on the right, menus,
shortcuts, the legislation month, and the engine's status.

Edits are validated at once (messages next to the fields) and, when the household
is complete and valid, computed ~600 ms after the last keystroke by the engine
process. The results show "not up to date" in between.
"""

from __future__ import annotations

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
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QWidget,
)

from app import __version__
from app.core import formats
from app.core.casefile import case_to_dict, dump_case, load_case
from app.core.examples import example_files, warm_up_household
from app.core.household import Household
from app.core.i18n import has, t
from app.core.periods import add_months, current_month, months_range
from app.core.validation import InvalidHousehold, Problem, person_label
from app.gui import icons
from app.gui.engine_process import FAILED, LOADING, READY, RESTARTING, STARTING, EngineClient
from app.gui.tasks import FirstPaint, run_task
from app.gui.views import rules_dialog
from app.gui.views.household_editor import HouseholdEditor
from app.gui.views.results_panel import ResultsPanel

if TYPE_CHECKING:  # heavy modules (jsonschema, numpy, OpenFisca): loaded later, off the GUI thread
    from app.core.catalogue import Catalogue
    from app.core.engine import SimulationResult

log = logging.getLogger(__name__)

RECOMPUTE_DELAY_MS = 600
VALIDATE_DELAY_MS = 30
CASE_FILTER_KEY = "gui.files.case_filter"


def app_settings() -> QSettings:
    """The app's own settings (window geometry…): an INI file in the user's data folder,
    the only place Guichet writes to (GUICHET_DATA_DIR moves it, as everything else)."""
    from app.core.paths import user_data_dir

    return QSettings(str(user_data_dir() / "settings.ini"), QSettings.Format.IniFormat)


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
    from app.core.catalogue import load_catalogue
    import app.core.engine  # noqa: F401 - imported now rather than at the first result
    import app.core.explain  # noqa: F401 - the explanations' types, likewise

    return load_catalogue()


class MainWindow(QMainWindow):
    resultShown = Signal(object)  # SimulationResult now displayed and up to date

    def __init__(self, engine: EngineClient | None = None, catalogue: Catalogue | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__()
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

        self.editor = HouseholdEditor(catalogue)
        self.editor_scroll = QScrollArea()
        self.editor_scroll.setWidget(self.editor)
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.editor_scroll.setMinimumWidth(560)
        self.results = ResultsPanel(catalogue)
        self.results.setMinimumWidth(400)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.editor_scroll)
        self.splitter.addWidget(self.results)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.month = QComboBox()
        self.month.setAccessibleName(t("gui.month.name"))
        self.month.setToolTip(t("gui.month.help"))
        self._fill_months(current_month())

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()

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

    def _after_first_paint(self) -> None:
        """Start-up work that must not delay the window: the engine process (it loads
        the rules in its own process), the catalogue (results list, benefits already
        received) and the communes search index, in worker threads."""
        if self._owns_engine and not self._closed:
            self.engine.start()
        if self.catalogue is None:
            run_task(load_core_modules, self._on_catalogue, self._on_catalogue_error)
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
        self.open_action = self._action("gui.menu.open", self.open_case, QKeySequence.StandardKey.Open, "open")
        self.save_action = self._action("gui.menu.save", self.save_case, QKeySequence.StandardKey.Save, "save")
        self.save_as_action = self._action("gui.menu.save_as", self.save_case_as, "Ctrl+Shift+S")
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
        self.about_action = self._action("gui.menu.about", self.show_about, QKeySequence.StandardKey.HelpContents)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.example_actions: list[QAction] = []

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(t("gui.menu.file"))
        for action in (self.new_action, self.open_action, self.save_action, self.save_as_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.preview_action, self.print_action, self.export_action, self.service_action):
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
        help_menu.addAction(self.about_action)
        rules_dialog.install(self)  # « Règles » menu

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
        name = self.current_path.name if self.current_path else t("gui.window.untitled")
        self.setWindowTitle(t("gui.window.title", name=name) + "[*]")

    def _on_catalogue(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.editor.set_catalogue(catalogue)
        self.results.set_catalogue(catalogue)
        self.validate_now()

    def _on_catalogue_error(self, error: BaseException) -> None:
        from app.core.logs import report_unexpected

        self.results.set_engine_message(report_unexpected(error))

    # -- editing and computing -------------------------------------------------------------
    def _on_edit(self) -> None:
        if self._loading:
            return
        self.setWindowModified(True)
        self._current_key = None  # not known to be up to date until read again
        self._validate_timer.start()

    def _on_month(self, _index: int) -> None:
        self.editor.set_month(self.month_value)
        self._on_edit()

    def validate_now(self) -> None:
        """Read the editor, show every problem, and schedule the computation."""
        self._validate_timer.stop()
        collected = self.editor.collect()
        self._last_problems = collected.problems
        held = self.editor.show_problems(collected.problems)
        del held  # the summary lists every problem, shown inline or not
        self.results.set_persons({p.id: person_label(i, p) for i, p in enumerate(collected.household.persons)})
        if not collected.computable:
            self._current_key = None
            self._compute_timer.stop()
            self.results.set_problems([p.message for p in collected.problems])
            self.results.set_stale(self._shown_key is not None)
            self.results.set_state(t("gui.state.incomplete"), "stale")
            return
        self.results.set_problems([])
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
        if self._current_key is None:
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
        if request_id != self._pending_id:
            return
        self._pending_id = self._pending_key = None
        self._show_busy()
        self.results.set_problems([p.message for p in problems])
        self.results.set_state(t("gui.state.incomplete"), "stale")

    def _on_compute_failed(self, request_id: int, message: str) -> None:
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
        self.engine.restart()
        if self._current_key is not None and self._current_key != self._shown_key:
            self.compute_now()

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
        self._loading = True
        try:
            load()
        finally:
            self._loading = False
        self.current_path = path
        self.setWindowModified(False)
        self._update_title()
        self.validate_now()
        if self._compute_timer.isActive():
            self.compute_now()  # a whole case was loaded: no typing to wait for

    def new_case(self) -> None:
        if not self.confirm_discard():
            return
        self._replace_case(self.editor.new_case, None)
        self.editor.forms[0].birth_date.setFocus()

    def load_household(self, household: Household, month: str | None = None, path: Path | None = None) -> None:
        def load() -> None:
            if month:
                self.set_month(month)
                self.editor.set_month(month)
            self.editor.load(household)

        self._replace_case(load, path)

    def open_case(self, path: Path | None = None) -> None:
        if not self.confirm_discard():
            return
        if path is None:
            folder = str(self.settings.value("files/last_folder", "") or "")
            name, _ = QFileDialog.getOpenFileName(self, t("gui.dialog.open_title"), folder, t(CASE_FILTER_KEY))
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
        self.load_household(household, month, path if keep_path else None)
        return True

    def load_example(self, example: Any) -> None:
        if not self.confirm_discard():
            return
        if example.path is None:
            self.load_household(warm_up_household(), None, None)
        else:
            self._open_path(example.path, keep_path=False)
        self.results.table.setFocus()

    def save_case(self) -> bool:
        if self.current_path is None:
            return self.save_case_as()
        return self._write_case(self.current_path)

    def save_case_as(self) -> bool:
        collected = self.editor.collect()
        if collected.problems:
            self._show_problems_dialog(t("gui.dialog.save_blocked"), collected.problems)
            return False
        folder = str(self.settings.value("files/last_folder", "") or "")
        suggested = str(Path(folder) / t("gui.files.default_name")) if folder else t("gui.files.default_name")
        name, _ = QFileDialog.getSaveFileName(self, t("gui.dialog.save_title"), suggested, t(CASE_FILTER_KEY))
        if not name:
            return False
        path = Path(name)
        if path.suffix.lower() != ".json":
            path = path.with_suffix(".json")
        return self._write_case(path)

    def _write_case(self, path: Path) -> bool:
        collected = self.editor.collect()
        if collected.problems:
            self._show_problems_dialog(t("gui.dialog.save_blocked"), collected.problems)
            return False
        try:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(dump_case(collected.household, self.month_value), encoding="utf-8")
            tmp.replace(path)
        except OSError as error:
            QMessageBox.warning(self, t("gui.dialog.save_title"),
                                t("gui.dialog.save_failed", name=path.name, reason=error.strerror or type(error).__name__))
            return False
        self.current_path = path
        self.settings.setValue("files/last_folder", str(path.parent))
        self.setWindowModified(False)
        self._update_title()
        self.statusBar().showMessage(t("gui.files.saved", name=path.name), 5000)
        return True

    def _show_problems_dialog(self, title: str, problems: tuple[Problem, ...]) -> None:
        lines = [f"• {p.message}" for p in problems[:15]]
        if len(problems) > 15:
            lines.append(t("gui.results.problems_more", count=len(problems) - 15))
        QMessageBox.warning(self, t("gui.window.short_title"), title + "\n\n" + "\n".join(lines))

    def _add_person(self, role: str) -> None:
        from app.core.household import Role

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

    def show_about(self) -> None:
        from importlib import metadata

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
            catalogue=info.get("catalogue_version") or "—",
        ))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self.confirm_discard():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()
        event.accept()
        if self._closed:
            return
        self._closed = True
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
