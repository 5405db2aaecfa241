"""Start the desktop app: QApplication, French Qt dialogs, logging, the excepthook,
the main window (shown at once) and the engine process (loading in the background)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from types import TracebackType
from typing import Callable, Sequence

# The core modules the window uses, imported before PySide6: once PySide6 is loaded, its
# import hook inspects the source of every module that imports something (start-up time).
import html  # noqa: E402,F401  isort: skip
import json  # noqa: E402,F401  isort: skip
import multiprocessing.connection  # noqa: E402,F401  isort: skip

import app.core.io.casefile  # noqa: E402,F401  isort: skip
import app.core.model.communes  # noqa: E402,F401  isort: skip
import app.core.model.examples  # noqa: E402,F401  isort: skip
import app.core.base.formats  # noqa: E402,F401  isort: skip
import app.core.base.logs  # noqa: E402,F401  isort: skip
import app.core.model.validation  # noqa: E402,F401  isort: skip
from app.core.base.i18n import messages  # noqa: E402  isort: skip

messages()  # the French texts, read once
from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import __version__
from app.core.base.i18n import t
from app.core.base.files import private_by_default
from app.core.base.logs import log_file, report_unexpected, setup_logging

log = logging.getLogger(__name__)

_showing_apology = False


def show_apology(message: str) -> None:
    """The short French apology for an unexpected error, naming the log file."""
    global _showing_apology
    if _showing_apology or QApplication.instance() is None:
        return
    _showing_apology = True
    try:
        parent = QApplication.activeWindow()
        QMessageBox.critical(parent, t("gui.errors.title"), message)
    finally:
        _showing_apology = False


def handle_exception(exc_type: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, error, tb)
        return
    if error.__traceback__ is None and tb is not None:
        error = error.with_traceback(tb)
    show_apology(report_unexpected(error))


def install_excepthook() -> None:
    """Unexpected errors: logged (no personal data) and an apology, never a silent crash."""
    sys.excepthook = handle_exception

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        error = args.exc_value
        from app.gui.tasks import call_in_main_thread

        call_in_main_thread(lambda: handle_exception(type(error), error, error.__traceback__))

    threading.excepthook = thread_hook


class MnemonicTranslator(QTranslator):
    """Qt's texts whose catalogue entry lost its « & » letter: Qt 6 asks for « &Look in: »
    and « Files of &type: » while ``qtbase_fr.qm`` translates « Look in: » and « Files of
    type: ». Such a text is looked up without its « & » in Qt's French catalogue and given
    back with the letter on the first word (« &Voir dans : »)."""

    def __init__(self, catalogue: QTranslator, parent: QApplication) -> None:
        super().__init__(parent)
        self._catalogue = catalogue

    def translate(self, context: str, source: str, disambiguation: str | None = None,  # noqa: D102
                  n: int = -1) -> str | None:
        # None is Qt's null string, "not translated here" (an empty text would be a translation)
        if "&" not in source or "&&" in source:
            return None
        plain = source.replace("&", "", 1)
        text = self._catalogue.translate(context, plain, disambiguation, n)
        return "&" + text if text and text != plain else None

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False


def translations_folders() -> list[str]:
    """Where Qt's own ``.qm`` files may be: Qt's configured place, then PySide6's folder."""
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    try:
        import PySide6

        folders.append(os.path.join(os.path.dirname(PySide6.__file__), "Qt", "translations"))
    except (ImportError, TypeError):
        pass
    return [folder for i, folder in enumerate(folders) if folder and folder not in folders[:i]]


def install_translator(app: QApplication) -> bool:
    """French texts for Qt's own dialogs and buttons (file dialog, print dialog…): Qt's
    catalogue ``qtbase_fr.qm``, and its entries for the texts asked with an « & » letter.
    False (and a log line) when the catalogue is missing."""
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    for folder in translations_folders():
        translator = QTranslator(app)
        if translator.load("qtbase_fr", folder):
            app.installTranslator(translator)
            others = QTranslator(app)  # the other Qt modules' texts, when present
            if others.load("qt_fr", folder):
                app.installTranslator(others)
            app.installTranslator(MnemonicTranslator(translator, app))
            return True
    log.warning("Qt's French translations (qtbase_fr.qm) not found: Qt's dialogs stay in English")
    return False


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName("Guichet")
    app.setApplicationName("Guichet")
    app.setApplicationDisplayName("Guichet")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("guichet")
    from app.gui import icons

    app.setWindowIcon(icons.icon("guichet"))
    install_translator(app)
    from app.gui.views.widgets import install_wheel_guard

    install_wheel_guard()
    return app


def warm_up_in_background() -> None:
    """Build the communes search index off the GUI thread (the first search is then instant)."""
    from app.core.model.communes import default_index
    from app.gui.tasks import run_task

    run_task(lambda: default_index().warm_up(), on_error=lambda error: log.warning(
        "communes warm-up failed: %s", type(error).__name__))


def run(argv: Sequence[str] | None = None, on_window: Callable[[QWidget], None] | None = None) -> int:
    """Open the main window; returns the exit code.

    ``on_window(window)`` runs before the window is shown (benchmarks). With
    ``GUICHET_EXIT_WHEN_SHOWN=1`` in the environment, the app prints a line starting
    with ``GUICHET_WINDOW_SHOWN`` once the window is first painted, then quits
    (docs/packaging.md: the bundle's start-up bench).
    """
    started = time.perf_counter()
    private_by_default()
    setup_logging()
    app = create_application(argv)
    install_excepthook()
    from app.gui.main_window import MainWindow

    window = MainWindow()
    if on_window is not None:
        on_window(window)
    if os.environ.get("GUICHET_EXIT_WHEN_SHOWN") == "1":
        def shown() -> None:
            print(f"GUICHET_WINDOW_SHOWN {time.perf_counter() - started:.3f}", flush=True)
            window.ask_before_discard = False
            window.close()

        from app.gui.tasks import FirstPaint

        FirstPaint(window, shown)
    window.show()
    log.info("window shown %.2f s after start of run()", time.perf_counter() - started)
    return app.exec()
