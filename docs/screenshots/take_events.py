"""Refresh ``docs/screenshots/recent-changes.png``: the main window on example 16 (a job
that ended in August 2026), scrolled to « Changements récents », with its results.

    python docs/screenshots/take_events.py     # under X, or re-run itself under xvfb-run
"""

from __future__ import annotations

import sys

from shots import load_example, open_main_window, start  # helpers of this folder

EXAMPLE = "16-licencie-recemment-rennes.json"


def main() -> int:
    work = start(__file__, "guichet-screenshots-")

    window, pump = open_main_window(work)
    load_example(window, pump, EXAMPLE)
    window.results.select_benefit("aide_logement")
    pump.settle()
    window.editor_scroll.ensureWidgetVisible(window.editor.events, 0, 0)
    window.editor_scroll.horizontalScrollBar().setValue(0)
    pump.save(window, "recent-changes.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
