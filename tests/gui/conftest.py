"""GUI tests: offscreen Qt, test-mode standard paths, settings in a temporary folder,
one engine process shared by the whole session.

Keyboard input is sent as ``QKeyEvent``s carrying their text (``qtbot.keyClicks``
with "é" or "€" aborts the run): see ``type_text``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator


# Offscreen Qt (before any Qt import), with a 1366 x 768 screen: the smallest the app targets.
_SCREEN = Path(tempfile.mkdtemp(prefix="guichet-gui-screen-")) / "screen.json"
_SCREEN.write_text(json.dumps({"screens": [{
    "name": "Test", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1,
}]}), encoding="utf-8")
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"
if not os.environ.get("GUICHET_DATA_DIR"):
    os.environ["GUICHET_DATA_DIR"] = tempfile.mkdtemp(prefix="guichet-gui-tests-")

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

QStandardPaths.setTestModeEnabled(True)
_SETTINGS_DIR = Path(tempfile.mkdtemp(prefix="guichet-gui-settings-"))
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(_SETTINGS_DIR))

from gui_helpers import ENGINE_TIMEOUT_MS  # noqa: E402


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["guichet-tests"]


@pytest.fixture(scope="session")
def gui_app(qapp: Any) -> Any:
    """The QApplication, set up as the app does (French translators)."""
    from app.gui.app import install_translator

    install_translator(qapp)
    return qapp


@pytest.fixture(scope="session")
def catalogue() -> Any:
    from app.core.benefits.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="session")
def engine_client(gui_app: Any) -> Iterator[Any]:
    """One engine process for the whole session (started once; tests wait for it)."""
    from app.gui.engine_process import EngineClient

    client = EngineClient()
    client.start()
    yield client
    client.stop()


def wait_engine_ready(client: Any, timeout_ms: int = ENGINE_TIMEOUT_MS) -> None:
    """Process Qt events until the engine process is ready (for session fixtures)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not client.is_ready:
        if time.monotonic() > deadline:
            raise TimeoutError("engine process not ready")
        QApplication.processEvents()
        time.sleep(0.02)


@pytest.fixture(scope="session")
def core_engine(engine_client: Any, request: pytest.FixtureRequest) -> Any:
    """The core's own ``Engine`` in this process (the session's ``engine``), for the
    expected values. Loaded once the engine process is ready, so that it reuses the
    parameter cache that process wrote rather than building it a second time."""
    wait_engine_ready(engine_client)
    return request.getfixturevalue("engine")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "guichet.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: Any, gui_app: Any, engine_client: Any, catalogue: Any, settings: QSettings) -> Iterator[Any]:
    from app.gui.main_window import MainWindow

    yield from _shown(qtbot, MainWindow(engine=engine_client, catalogue=catalogue, settings=settings))


@pytest.fixture
def idle_window(qtbot: Any, gui_app: Any, catalogue: Any, settings: QSettings) -> Iterator[Any]:
    """A main window whose engine is never started: edits are checked, never computed."""
    from app.gui.engine_process import EngineClient
    from app.gui.main_window import MainWindow

    yield from _shown(qtbot, MainWindow(engine=EngineClient(), catalogue=catalogue, settings=settings))


def _shown(qtbot: Any, win: Any) -> Iterator[Any]:
    """A main window at 1366 × 768 on screen, for one test; closed without asking after it."""
    win.ask_before_discard = False
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.ask_before_discard = False
    win.close()
