"""Refresh the screenshots of the handout preview's options (1366 x 768, real window).

    DISPLAY=:17 python docs/screenshots/take_handout.py   # or under xvfb-run by itself

Opens the main window on an example household, then the handout preview, and saves
``handout-preview-ar.png`` (the two pages in Arabic, « Langue : Arabe ») and
``handout-preview-detailed.png`` (« Version détaillée » ticked, in English). Settings
and user data go to a temporary folder.
"""

from __future__ import annotations

import shutil
import sys

from shots import HEIGHT, WIDTH, Pump, start  # helpers of this folder

EXAMPLE = "01-parent-isolee-lyon.json"


def main() -> int:
    work = start(__file__, "guichet-screenshots-")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.core.catalogue import load_catalogue
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
    window.preview_handout()
    dialog = window.handout_dialog
    dialog.move(0, 0)
    dialog.resize(960, HEIGHT - 8)
    wait(lambda: dialog.document.pageCount() > 0, 60, "the handout")

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
