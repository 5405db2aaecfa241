"""Refresh ``docs/screenshots/recent-changes.png``: the main window on example 16 (a job
that ended in August 2026), scrolled to « Changements récents », with its results.

    python docs/screenshots/take_events.py     # under X, or re-run itself under xvfb-run
"""

from __future__ import annotations

import sys

from shots import HEIGHT, WIDTH, Pump, start  # helpers of this folder

EXAMPLE = "16-licencie-recemment-rennes.json"


def main() -> int:
    work = start(__file__, "guichet-screenshots-")

    from PySide6.QtCore import QSettings

    from app.core.benefits.catalogue import load_catalogue
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow, list_examples

    app = create_application()
    pump = Pump(app)
    settings = QSettings(str(work / "guichet.ini"), QSettings.Format.IniFormat)
    window = MainWindow(catalogue=load_catalogue(), settings=settings)
    window.ask_before_discard = False
    window.move(0, 0)
    window.resize(WIDTH, HEIGHT)
    window.show()
    pump.wait(lambda: window.engine.is_ready, 300, "the rules")
    example = next(e for e in list_examples() if e.path is not None and e.path.name == EXAMPLE)
    window.load_example(example)
    pump.wait(window.is_up_to_date, 120, "the results")
    window.results.select_benefit("aide_logement")
    pump.settle()
    window.editor_scroll.ensureWidgetVisible(window.editor.events, 0, 0)
    window.editor_scroll.horizontalScrollBar().setValue(0)
    pump.save(window, "recent-changes.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
