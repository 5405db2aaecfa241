"""The citizen's handout in the app: preview (QtPdf), save as PDF, print; and the
service point's details (name, address, phone, hours, logo) set once in settings.

The PDF itself comes from ``app.core.handout.build.build_handout`` (pure Python), built
off the GUI thread with ``tasks.run_task``; if that module is missing the agent
gets a plain French message instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPageLayout, QPageSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.benefits.results import SimulationResult
from app.core.base.files import atomic_write
from app.core.base.os_errors import write_failed
from app.core.model.household import Household
from app.core.base.i18n import LANGUAGES, t
from app.gui import icons
from app.gui.tasks import run_task
from app.gui.views.widgets import ErrorLabel, accessible, set_text_color

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

log = logging.getLogger(__name__)

PRINT_DPI = 300  # pages are rasterised for printing at most at this resolution
AGENT_COPY_MODES = ("none", "appendix", "separate")


def handout_module() -> Any | None:
    """``app.core.handout.build`` (``build_handout``, ``build_agent_copy``, with the
    ``ServicePoint`` and ``HandoutOptions`` they take), or None when it is not available
    in this build."""
    try:
        from app.core.handout import build as handout
    except ImportError:
        log.warning("app.core.handout is not available")
        return None
    return handout if hasattr(handout, "build_handout") else None


def _unavailable(parent: QWidget) -> None:
    QMessageBox.information(parent, t("gui.handout.title"), t("gui.handout.unavailable"))


# --------------------------------------------------------------------------- service point


def service_point_values(settings: QSettings) -> dict[str, str]:
    return {
        name: str(settings.value(f"service_point/{name}", "") or "")
        for name in ("name", "address", "phone", "opening_hours", "logo_path")
    }


def service_point(settings: QSettings, module: Any) -> Any:
    return module.ServicePoint.from_values(service_point_values(settings))


class ServicePointDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("gui.service.title"))
        self._settings = settings
        values = service_point_values(settings)
        self.name = QLineEdit(values["name"])
        self.address = QPlainTextEdit(values["address"])
        self.phone = QLineEdit(values["phone"])
        self.hours = QPlainTextEdit(values["opening_hours"])
        self.logo = QLineEdit(values["logo_path"])
        for text_box in (self.address, self.hours):
            text_box.setTabChangesFocus(True)
            text_box.setFixedHeight(text_box.fontMetrics().lineSpacing() * 3 + 12)
        browse = QPushButton(t("gui.service.browse"))
        browse.clicked.connect(self._browse)
        accessible(browse, t("gui.service.browse").replace("&", ""))
        form = QFormLayout()
        fields: tuple[tuple[str, QWidget], ...] = (
            ("name", self.name), ("address", self.address), ("phone", self.phone), ("hours", self.hours))
        for key, widget in fields:
            label = QLabel(t(f"gui.service.{key}"))
            label.setBuddy(widget)
            accessible(widget, t(f"gui.service.{key}").replace("&", "").rstrip(" :"))
            form.addRow(label, widget)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo, 1)
        logo_row.addWidget(browse)
        logo_label = QLabel(t("gui.service.logo"))
        logo_label.setBuddy(self.logo)
        accessible(self.logo, t("gui.service.logo").replace("&", "").rstrip(" :"))
        form.addRow(logo_label, logo_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.error = ErrorLabel()
        accessible(self.error, t("gui.service.errors_name"))
        layout = QVBoxLayout(self)
        intro = QLabel(t("gui.service.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, t("gui.service.logo_title"), self.logo.text(),
                                              t("gui.service.logo_filter"))
        if name:
            self.logo.setText(name)

    def values(self) -> dict[str, str]:
        return {"name": self.name.text(), "address": self.address.toPlainText(), "phone": self.phone.text(),
                "opening_hours": self.hours.toPlainText(), "logo_path": self.logo.text()}

    def accept(self) -> None:
        """Saved only when every field can be printed (``service_point.problems``: the
        lengths, a real PNG or JPEG logo); else the messages stay under the fields and
        nothing typed is lost."""
        from app.core.handout.service_point import problems

        values = self.values()
        found = problems(values)
        self.error.show_message("\n".join(found))
        if found:
            return
        for key, value in values.items():
            self._settings.setValue(f"service_point/{key}", value.strip())
        self._settings.sync()
        super().accept()


def edit_service_point(parent: QWidget, settings: QSettings) -> bool:
    return ServicePointDialog(settings, parent).exec() == QDialog.DialogCode.Accepted


# --------------------------------------------------------------------------- building


def handout_options(module: Any, without_names: bool, not_eligible: bool, agent_copy: str,
                    language: str = "fr", detailed: bool = False) -> Any:
    return module.HandoutOptions(
        names="none" if without_names else "first_names",
        include_not_eligible=not_eligible,
        agent_copy="appendix" if agent_copy == "appendix" else "none",
        created=dt.date.today(),
        language=language,
        detailed=detailed,
    )


def build_pdf(window: MainWindow, household: Household, result: SimulationResult, options: Any, agent: bool = False) -> bytes:
    module = handout_module()
    assert module is not None
    assert window.catalogue is not None
    build = module.build_agent_copy if agent else module.build_handout
    return bytes(build(household, result, window.catalogue, service_point(window.settings, module), options))


def default_file_name(result: SimulationResult, agent: bool = False) -> str:
    key = "gui.handout.agent_file_name" if agent else "gui.handout.file_name"
    return t(key, month=result.month)


def save_pdf_as(parent: QWidget, settings: QSettings, data: bytes, name: str) -> Path | None:
    folder = str(settings.value("files/last_pdf_folder", "") or "")
    suggested = str(Path(folder) / name) if folder else name
    chosen, _ = QFileDialog.getSaveFileName(parent, t("gui.handout.save_title"), suggested, t("gui.handout.pdf_filter"))
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_suffix(".pdf")
    try:
        atomic_write(path, data)
    except OSError as error:
        QMessageBox.warning(parent, t("gui.handout.title"), write_failed(path, error))
        return None
    settings.setValue("files/last_pdf_folder", str(path.parent))
    return path


def print_pdf(parent: QWidget, data: bytes) -> bool:
    """Ask for a printer (QPrintDialog) and print the PDF's pages on it."""
    document = QPdfDocument(parent)
    buffer = _load(document, data)
    if document.status() != QPdfDocument.Status.Ready:
        QMessageBox.warning(parent, t("gui.handout.title"), t("gui.handout.print_failed"))
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setDocName(t("gui.handout.doc_name"))
    printer.setFromTo(1, document.pageCount())
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(t("gui.handout.print_title"))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    ok = render_to_printer(document, printer)
    buffer.close()
    if not ok:
        QMessageBox.warning(parent, t("gui.handout.title"), t("gui.handout.print_failed"))
    return ok


def render_to_printer(document: QPdfDocument, printer: QPrinter) -> bool:
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0:
        first, last = 1, document.pageCount()
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        target = printer.pageLayout().paintRectPixels(printer.resolution())
        dpi = min(printer.resolution(), PRINT_DPI)
        for number in range(first, min(last, document.pageCount()) + 1):
            if number > first:
                printer.newPage()
            points = document.pagePointSize(number - 1)
            size = QSize(int(points.width() / 72 * dpi), int(points.height() / 72 * dpi))
            image: QImage = document.render(number - 1, size)
            scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(QPointF(0, 0).toPoint(), scaled), image)
    finally:
        painter.end()
    return True


def _load(document: QPdfDocument, data: bytes) -> QBuffer:
    buffer = QBuffer(document)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return buffer


# --------------------------------------------------------------------------- preview dialog


class HandoutDialog(QDialog):
    """The handout as it will print, with its options; save as PDF and print from here."""

    def __init__(self, window: MainWindow, household: Household, result: SimulationResult,
                 detailed: bool = False) -> None:
        super().__init__(window)
        self.setWindowTitle(t("gui.handout.preview_title"))
        self._window, self._household, self._result = window, household, result
        self._data: bytes = b""
        self._buffer: QBuffer | None = None
        self._generation = 0

        self.without_names = QCheckBox(t("gui.handout.without_names"))
        self.not_eligible = QCheckBox(t("gui.handout.not_eligible"))
        # The « version détaillée »: every block, the situation; the two pages otherwise.
        self.detailed = QCheckBox(t("gui.handout.detailed"))
        self.detailed.setChecked(detailed)
        accessible(self.detailed, t("gui.handout.detailed").replace("&", ""))
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(t(f"gui.handout.language.{code}"), code)
        accessible(self.language, t("gui.handout.language_name"))
        self.language.setToolTip(t("gui.handout.language_tip"))
        self.agent_copy = QComboBox()
        for mode in AGENT_COPY_MODES:
            self.agent_copy.addItem(t(f"gui.handout.agent_copy.{mode}"), mode)
        for widget, key in ((self.without_names, "gui.handout.without_names"),
                            (self.not_eligible, "gui.handout.not_eligible")):
            accessible(widget, t(key).replace("&", ""))
        accessible(self.agent_copy, t("gui.handout.agent_copy_name"))
        self.save_button = QPushButton(icons.icon("pdf"), t("gui.handout.save"))
        self.print_button = QPushButton(icons.icon("print"), t("gui.handout.print"))
        self.agent_button = QPushButton(t("gui.handout.save_agent"))
        self.close_button = QPushButton(t("gui.handout.close"))
        for button, key in ((self.save_button, "gui.handout.save"), (self.print_button, "gui.handout.print"),
                            (self.agent_button, "gui.handout.save_agent"), (self.close_button, "gui.handout.close")):
            accessible(button, t(key).replace("&", ""))
        self.status = QLabel()
        self.service_hint = QLabel(t("gui.handout.service_hint"))
        self.service_hint.setWordWrap(True)
        set_text_color(self.service_hint, "#8a5a00")
        needs_service_point = not service_point_values(window.settings)["name"]
        self.service_hint.setVisible(needs_service_point)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        accessible(self.view, t("gui.handout.view_name"))

        options = QHBoxLayout()
        language_label = QLabel(t("gui.handout.language_label"))
        language_label.setBuddy(self.language)
        options.addWidget(language_label)
        options.addWidget(self.language)
        options.addWidget(self.detailed)
        options.addWidget(self.without_names)
        options.addWidget(self.not_eligible)
        options.addWidget(self.agent_copy)
        options.addStretch(1)
        options.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addWidget(self.service_hint, 1)
        if not needs_service_point:
            buttons.addStretch(1)
        buttons.addWidget(self.agent_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.without_names.toggled.connect(self.rebuild)
        self.not_eligible.toggled.connect(self.rebuild)
        self.detailed.toggled.connect(self._detailed_toggled)
        self.language.currentIndexChanged.connect(self.rebuild)
        self.agent_copy.currentIndexChanged.connect(self.rebuild)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_)
        self.agent_button.clicked.connect(self.save_agent_copy)
        self.close_button.clicked.connect(self.reject)
        self.print_button.setDefault(True)
        self.not_eligible.setEnabled(self.detailed.isChecked())

        screen = window.screen().availableGeometry()
        self.resize(min(900, screen.width() - 40), screen.height() - 60)
        self.rebuild()

    def _detailed_toggled(self, detailed: bool) -> None:
        self.not_eligible.setEnabled(detailed)  # listed in the detailed version only
        self.rebuild()

    def _options(self) -> Any:
        module = handout_module()
        return handout_options(module, self.without_names.isChecked(), self.not_eligible.isChecked(),
                               str(self.agent_copy.currentData()), str(self.language.currentData()),
                               self.detailed.isChecked())

    def rebuild(self, *_args: object) -> None:
        self._generation += 1
        generation = self._generation
        self.status.setText(t("gui.handout.building"))
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.agent_button.setVisible(self.agent_copy.currentData() == "separate")
        options = self._options()
        household, result, window = self._household, self._result, self._window
        run_task(lambda: build_pdf(window, household, result, options),
                 lambda data: self._on_built(generation, data), self._on_error)

    def _on_built(self, generation: int, data: bytes) -> None:
        if generation != self._generation:
            return
        self._data = data
        self.document.close()
        old = self._buffer
        self._buffer = _load(self.document, data)
        if old is not None:
            old.close()
        self.status.setText(t("gui.handout.pages", count=self.document.pageCount()))
        self.save_button.setEnabled(True)
        self.print_button.setEnabled(True)

    def _on_error(self, error: BaseException) -> None:
        from app.core.base.logs import report_unexpected

        self.status.setText(t("gui.handout.failed"))
        QMessageBox.warning(self, t("gui.handout.title"), report_unexpected(error))

    @property
    def data(self) -> bytes:
        return self._data

    def save(self) -> None:
        if self._data:
            path = save_pdf_as(self, self._window.settings, self._data, default_file_name(self._result))
            if path is not None:
                self.status.setText(t("gui.files.saved", name=path.name))

    def save_agent_copy(self) -> None:
        data = build_pdf(self._window, self._household, self._result, self._options(), agent=True)
        path = save_pdf_as(self, self._window.settings, data, default_file_name(self._result, agent=True))
        if path is not None:
            self.status.setText(t("gui.files.saved", name=path.name))

    def print_(self) -> None:
        if self._data:
            print_pdf(self, self._data)


def preview(window: MainWindow, household: Household, result: SimulationResult) -> HandoutDialog | None:
    if handout_module() is None:
        _unavailable(window)
        return None
    dialog = HandoutDialog(window, household, result)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _build_then(window: MainWindow, household: Household, result: SimulationResult,
                then: Callable[[bytes], None]) -> None:
    module = handout_module()
    if module is None:
        _unavailable(window)
        return
    options = handout_options(module, False, False, "none")
    window.statusBar().showMessage(t("gui.handout.building"))

    def done(data: bytes) -> None:
        window.statusBar().clearMessage()
        then(data)

    def failed(error: BaseException) -> None:
        from app.core.base.logs import report_unexpected

        window.statusBar().clearMessage()
        QMessageBox.warning(window, t("gui.handout.title"), report_unexpected(error))

    run_task(lambda: build_pdf(window, household, result, options), done, failed)


def print_handout(window: MainWindow, household: Household, result: SimulationResult) -> None:
    def print_it(data: bytes) -> None:
        print_pdf(window, data)

    _build_then(window, household, result, print_it)


def export_pdf(window: MainWindow, household: Household, result: SimulationResult) -> None:
    def save(data: bytes) -> None:
        path = save_pdf_as(window, window.settings, data, default_file_name(result))
        if path is not None:
            window.statusBar().showMessage(t("gui.files.saved", name=path.name), 5000)

    _build_then(window, household, result, save)
