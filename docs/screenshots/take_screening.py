"""Screenshots of the « Dépistage » dialog (issue 7) in ``docs/screenshots/``:
``screening-progress.png`` (a run in progress) and ``screening-done.png`` (the summary).

    python docs/screenshots/take_screening.py     # under X, or re-runs itself under xvfb-run

It screens a generated file of ``HOUSEHOLDS`` households (the valid rows of
``examples/batch/exemple.csv`` repeated, plus its faulty rows) with the real screening
(worker processes). User data and output go to a temporary folder.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

from shots import HEIGHT, OUT, ROOT, WIDTH, Pump, start  # helpers of this folder
HOUSEHOLDS = 400


def make_input(path: Path, households: int) -> None:
    """The example's rows, the valid ones repeated with new references."""
    text = (ROOT / "examples" / "batch" / "exemple.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    valid, faulty = body[:8], body[8:]
    out = [header]
    for n in range(households - len(faulty)):
        row = list(valid[n % len(valid)])
        row[0] = f"F-{n + 1:05d}"
        out.append(row)
    out.extend(faulty)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(out)


def main() -> int:
    work = start(__file__, "guichet-screening-shots-")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from app.core.base.i18n import t

    from app.gui.app import create_application
    from app.gui.views import screening_dialog

    app = create_application()
    pump = Pump(app)
    wait, settle, save = pump.wait, pump.settle, pump.save
    window = QMainWindow()
    window.month_value = "2026-11"  # type: ignore[attr-defined] - the main window's month
    window.resize(WIDTH, HEIGHT)
    screening_dialog.install(window)
    window.show()

    source = work / "foyers-quartier-nord.csv"
    make_input(source, HOUSEHOLDS)
    window.screening_action.trigger()  # type: ignore[attr-defined]
    dialog = window.screening_dialog  # type: ignore[attr-defined]
    dialog.move(60, 20)
    dialog.set_input(source)
    dialog.chunk_size = 50
    dialog.workers = 2
    settle()
    dialog.grab().save(str(OUT / "screening-start.png"))
    assert dialog.start()
    wait(lambda: dialog.last_progress is not None and dialog.last_progress.phase == "computing"
         and dialog.last_progress.done >= HOUSEHOLDS // 4 and dialog.last_progress.eta is not None, 300, "progress")
    settle(0.3)
    dialog.grab().save(str(OUT / "screening-progress.png"))
    wait(lambda: not dialog.running, 600, "the end of the run")
    settle()
    dialog.grab().save(str(OUT / "screening-done.png"))
    print("outcome:", dialog.outcome)

    # A second run, cancelled at about a third, then resumed.
    dialog.set_output(work / "foyers-quartier-nord-bis.xlsx")
    assert dialog.start()
    wait(lambda: dialog.last_progress is not None and dialog.last_progress.phase == "computing"
         and dialog.last_progress.done >= HOUSEHOLDS // 3, 300, "progress of the second run")
    dialog.cancel_button.click()
    wait(lambda: not dialog.running, 60, "the cancel")
    settle()
    dialog.grab().save(str(OUT / "screening-cancelled.png"))
    print("cancelled:", dialog.outcome)

    def answer_resume() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(100, answer_resume)
            return
        box.grab().save(str(OUT / "screening-resume.png"))
        resume = next(b for b in box.buttons() if b.text() == t("gui.screening.resume.resume"))
        resume.click()

    QTimer.singleShot(300, answer_resume)
    assert dialog.start()
    wait(lambda: not dialog.running, 600, "the end of the resumed run")
    settle()
    dialog.grab().save(str(OUT / "screening-resumed.png"))
    print("resumed:", dialog.outcome)
    window.close()
    app.processEvents()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
