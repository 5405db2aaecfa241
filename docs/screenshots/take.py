"""Refresh the screenshots of the desktop app in ``docs/screenshots/`` (1366 x 768).

    python docs/screenshots/take.py            # under X, or re-run itself under xvfb-run

It opens the real main window on an example household, waits for the results, and
saves: ``main-window.png`` (editor filled + results), ``benefit-detail.png`` (the
detail of a benefit), ``inline-validation.png`` (a message next to a field),
``handout-preview.png`` (the handout preview, QtPdf), ``handout-preview-ar.png`` (in
Arabic) and ``handout-preview-detailed.png`` (the detailed version, in English). Settings and user data go
to a temporary folder: nothing of the machine's agent is used or changed.
"""

from __future__ import annotations

import shutil
import sys

from shots import HEIGHT, WIDTH, Pump, start  # helpers of this folder
EXAMPLE = "01-parent-isolee-lyon.json"
DETAIL_BENEFIT = "aide_logement"


def main() -> int:
    work = start(__file__, "guichet-screenshots-")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.core.benefits.catalogue import load_catalogue
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow, list_examples

    app = create_application()
    pump = Pump(app)
    wait, settle, save = pump.wait, pump.settle, pump.save
    settings = QSettings(str(work / "guichet.ini"), QSettings.Format.IniFormat)
    for key, value in (("name", "France Services Exemple-sur-Loire"),
                       ("address", "2 place de la Mairie, 45000 Exemple-sur-Loire"),
                       ("phone", "02 38 00 00 00"),
                       ("opening_hours", "Du lundi au vendredi, 9 h - 12 h et 13 h 30 - 17 h")):
        settings.setValue(f"service_point/{key}", value)
    window = MainWindow(catalogue=load_catalogue(), settings=settings)
    window.ask_before_discard = False
    window.move(0, 0)
    window.resize(WIDTH, HEIGHT)
    window.show()

    wait(lambda: window.engine.is_ready, 300, "the rules")
    example = next(e for e in list_examples() if e.path is not None and e.path.name == EXAMPLE)
    window.load_example(example)
    wait(window.is_up_to_date, 120, "the results")
    window.editor.select_person(0)
    window.results.select_benefit("prime_activite")
    window.editor_scroll.verticalScrollBar().setValue(0)
    save(window, "main-window.png")

    window.results.select_benefit(DETAIL_BENEFIT)
    window.results.splitter.setSizes([260, 420])
    window.results.table.setFocus()
    save(window, "benefit-detail.png")
    window.results.splitter.setSizes([420, 260])

    form = window.editor.forms[0]
    form.birth_date.setFocus()
    form.birth_date.setText("01/01/2030")
    form.boxes["birth_date"].touched = True
    window.validate_now()
    window.editor_scroll.ensureWidgetVisible(form.birth_date, 20, 200)
    save(window, "inline-validation.png")

    window.load_example(example)
    wait(window.is_up_to_date, 120, "the results again")
    window.preview_handout()
    dialog = window.handout_dialog
    if dialog is None:
        print("handout preview not available: skipped")
    else:
        dialog.move(0, 0)
        dialog.resize(960, HEIGHT - 8)
        wait(lambda: dialog.document.pageCount() > 0, 60, "the handout")
        settle(1.0)
        save(dialog, "handout-preview.png")

        def rebuilt(change: object) -> None:
            before = dialog.data
            change()  # type: ignore[operator]
            wait(lambda: dialog.data != before and dialog.save_button.isEnabled(), 60, "the new handout")
            settle(1.0)

        rebuilt(lambda: dialog.language.setCurrentIndex(dialog.language.findData("ar")))
        save(dialog, "handout-preview-ar.png")
        rebuilt(lambda: dialog.language.setCurrentIndex(dialog.language.findData("en")))
        rebuilt(lambda: dialog.detailed.setChecked(True))
        save(dialog, "handout-preview-detailed.png")
        dialog.close()
    window.close()
    QApplication.processEvents()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
