"""What the screenshot scripts of this folder share: running under Xvfb when there is no
display, a temporary data folder, and waiting for the window while Qt runs.

    from shots import ROOT, OUT, WIDTH, HEIGHT, start, Pump
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
