"""What the application-wide ``WheelGuard`` (views/widgets.py) costs: every event of the
window goes through its Python ``eventFilter``.

    python bench/wheel_guard.py          # offscreen Qt, a temporary data folder

Prints, for building and showing the main window (engine not started) and for loading an
example household into it: how many events went through the guard and the time spent
inside it (the call from C++ into Python comes on top), with the 1-minute load average
(a busy machine stretches every figure).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["GUICHET_DATA_DIR"] = tempfile.mkdtemp(prefix="guichet-bench-wheel-")
    sys.path.insert(0, str(ROOT))
    import app.gui.views.widgets as widgets

    guarded = widgets.WheelGuard.eventFilter
    seen = [0, 0.0]

    def timed(self: widgets.WheelGuard, watched: object, event: object) -> bool:
        started = time.perf_counter()
        try:
            return guarded(self, watched, event)  # type: ignore[arg-type]
        finally:
            seen[0] += 1
            seen[1] += time.perf_counter() - started

    widgets.WheelGuard.eventFilter = timed  # type: ignore[method-assign]
    from app.core.io.casefile import load_case
    from app.core.benefits.catalogue import load_catalogue
    from app.gui.app import create_application
    from app.gui.engine_process import EngineClient
    from app.gui.main_window import MainWindow

    application = create_application()

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            application.processEvents()
            time.sleep(0.01)

    started = time.perf_counter()
    window = MainWindow(engine=EngineClient(), catalogue=load_catalogue())
    window.ask_before_discard = False
    window.resize(1366, 768)
    window.show()
    pump(1.0)
    print(f"window built and shown: {seen[0]} events through the guard, {seen[1] * 1000:.1f} ms inside it "
          f"(of {(time.perf_counter() - started) * 1000:.0f} ms, 1 s of it waiting)")
    seen[:] = [0, 0.0]
    household, month = load_case(ROOT / "examples" / "02-couple-trois-enfants-marseille.json")
    window.load_household(household, month)
    pump(0.5)
    print(f"example 02 loaded: {seen[0]} events through the guard, {seen[1] * 1000:.1f} ms inside it")
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
