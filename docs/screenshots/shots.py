"""What the screenshot scripts of this folder share: running under Xvfb when there is no
display, a temporary data folder, and waiting for the window while Qt runs.

    from shots import ROOT, OUT, WIDTH, HEIGHT, start, Pump, open_main_window, load_example
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
WIDTH, HEIGHT = 1366, 768


def start(script: str, prefix: str = "guichet-screenshots-") -> Path:
    """Run ``script`` again under ``xvfb-run`` when there is no display (this call then
    never returns); otherwise set Qt on X, a temporary data folder, and the import path.
    Returns the temporary folder."""
    if not os.environ.get("DISPLAY") and not os.environ.get("GUICHET_SCREENSHOTS_XVFB"):
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            sys.exit("No display and no xvfb-run: apt-get install xvfb xauth.")
        env = dict(os.environ, GUICHET_SCREENSHOTS_XVFB="1")
        command = [xvfb, "-a", "-s", f"-screen 0 {WIDTH}x{HEIGHT}x24 -dpi 96", sys.executable, script,
                   *sys.argv[1:]]
        sys.exit(subprocess.call(command, env=env))
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["GUICHET_DATA_DIR"] = str(work / "data")
    # Made-up cases in a throw-away encrypted database: a fixed raw key, no keyring, no prompt.
    os.environ.setdefault("GUICHET_DB_KEY", "raw:" + "5c" * 32)
    sys.path.insert(0, str(ROOT))
    return work


class Pump:
    """Process the application's events while waiting (the scripts drive a real window)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def wait(self, condition: Callable[[], Any], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            self.app.processEvents()
            time.sleep(0.02)

    def settle(self, seconds: float = 0.4) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.02)

    def save(self, widget: Any, name: str) -> None:
        """Grab ``widget`` into OUT/name once the events have settled."""
        self.settle()
        path = OUT / name
        widget.grab().save(str(path))
        print(f"{path.relative_to(ROOT)}  {widget.width()}x{widget.height()}")


def open_main_window(work: Path) -> tuple[Any, Pump]:
    """The real main window at WIDTH x HEIGHT, settings in ``work``, shown once its rules are
    loaded; returns (window, pump)."""
    from PySide6.QtCore import QSettings

    from app.core.benefits.catalogue import load_catalogue
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow

    pump = Pump(create_application())
    settings = QSettings(str(work / "guichet.ini"), QSettings.Format.IniFormat)
    window = MainWindow(catalogue=load_catalogue(), settings=settings)
    window.ask_before_discard = False
    window.move(0, 0)
    window.resize(WIDTH, HEIGHT)
    window.show()
    pump.wait(lambda: window.engine.is_ready, 300, "the rules")
    return window, pump


def load_example(window: Any, pump: Pump, name: str) -> None:
    """Open ``examples/<name>`` from the window's example list and wait for its results."""
    from app.gui.main_window import list_examples

    example = next(e for e in list_examples() if e.path is not None and e.path.name == name)
    window.load_example(example)
    pump.wait(window.is_up_to_date, 120, f"the results of {name}")
