"""Figures of the case database in the window (docs/gui.md « Dossiers »): store opening
at start (worker thread, import of the store included), building the autosave draft
on the GUI thread, writing it (writer thread), saving a case with Ctrl+S.

    GUICHET_DATA_DIR=$(mktemp -d) QT_QPA_PLATFORM=offscreen python bench/gui_cases.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GUICHET_DATA_DIR", tempfile.mkdtemp(prefix="guichet-bench-cases-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from app.gui.app import create_application

    app = create_application(["bench"])
    from app.core.io.casefile import load_case
    from app.core.benefits.catalogue import load_catalogue
    from app.core.model.examples import example_files
    from app.gui.engine_process import EngineClient
    from app.gui.main_window import MainWindow

    catalogue = load_catalogue()
    started = time.perf_counter()
    window = MainWindow(engine=EngineClient(), catalogue=catalogue)
    window.ask_before_discard = False
    window.show()
    while window.cases.store is None and window.cases.error is None:
        app.processEvents()
        time.sleep(0.002)
    print(f"store ready after the window is shown: {(time.perf_counter() - started) * 1000:.0f} ms (worker thread)")
    household, month = load_case(max(example_files(), key=lambda p: p.stat().st_size))
    window.load_household(household, month)
    window.setWindowModified(True)
    built = []
    for _ in range(50):
        t0 = time.perf_counter()
        window._draft_to_save()
        built.append((time.perf_counter() - t0) * 1000)
    print(f"draft built on the GUI thread ({len(household.persons)} persons): median {statistics.median(built):.2f} ms,"
          f" max {max(built):.2f} ms")
    store = window.cases.store
    written = []
    for i in range(30):
        body, case_id = window._draft_to_save()  # type: ignore[misc]
        body["case"]["household"]["savings"] = float(i)
        t0 = time.perf_counter()
        store.save_draft(body, case_id)
        written.append((time.perf_counter() - t0) * 1000)
    print(f"draft written (synced transaction, writer thread): median {statistics.median(written):.2f} ms,"
          f" max {max(written):.2f} ms")
    saves = []
    for i in range(20):
        t0 = time.perf_counter()
        window._save(new=True)
        saves.append((time.perf_counter() - t0) * 1000)
    print(f"Ctrl+S (new case, GUI thread): median {statistics.median(saves):.1f} ms, max {max(saves):.1f} ms")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    window.close()


if __name__ == "__main__":
    main()
