"""Screenshots of the window as used at the counter (issue 22), 1366 x 768.

    python docs/screenshots/take_counter.py     # under X, or re-run itself under xvfb-run

Saves, on example 01 and a temporary data folder:

* ``counter-start.png``: the very first start — the cursor in « Couple » with its focus
  outline, the retention notice in its place from the first paint;
* ``counter-results.png``: the results, benefits to request first (« À demander »), the
  ARS and the energy cheque « Versée automatiquement », the summary without them;
* ``counter-new-case.png``: right after « Nouveau dossier » (Ctrl+N): nothing left;
* ``counter-help.png``: F1;
* ``counter-lost-right.png``: a raise that loses the CSS: « droit perdu », in red;
* ``counter-screening-path.png``: « / » typed as the results path: a message;
* ``counter-salaried-without-salary.png``: the notice over the results;
* ``counter-qt-dialog.png``: Qt's file dialog in French (« Voir dans », « Fichiers de type »).
"""

from __future__ import annotations

import dataclasses
import shutil
import sys

from shots import HEIGHT, WIDTH, Pump, start  # helpers of this folder

EXAMPLE = "01-parent-isolee-lyon.json"


def main() -> int:
    work = start(__file__, "guichet-counter-shots-")

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from app.core.io.casefile import load_case
    from app.core.benefits.catalogue import load_catalogue
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow, list_examples

    app = create_application()
    pump = Pump(app)
    wait, settle, save = pump.wait, pump.settle, pump.save
    settings = QSettings(str(work / "guichet.ini"), QSettings.Format.IniFormat)
    window = MainWindow(catalogue=load_catalogue(), settings=settings)
    window.ask_before_discard = False
    window.move(0, 0)
    window.resize(WIDTH, HEIGHT)
    window.show()
    window.activateWindow()
    wait(lambda: QApplication.focusWidget() is window.editor.couple, 30, "the first field's focus")
    save(window, "counter-start.png")

    wait(lambda: window.engine.is_ready, 300, "the rules")
    example = next(e for e in list_examples() if e.path is not None and e.path.name == EXAMPLE)
    window.load_example(example)
    wait(window.is_up_to_date, 120, "the results")
    window.editor_scroll.verticalScrollBar().setValue(0)
    window.results.select_benefit("allocation_rentree_scolaire")
    window.results.table.scrollToTop()
    window.results.table.setFocus()
    save(window, "counter-results.png")

    window.new_action.trigger()
    save(window, "counter-new-case.png")

    window.help_action.trigger()
    help_dialog = window.help_dialog
    help_dialog.move(200, 40)
    save(help_dialog, "counter-help.png")
    help_dialog.close()

    # A raise to 1 500 € net: the CSS with participation is lost (not a « baisse »).
    window.load_example(example)
    wait(window.is_up_to_date, 120, "the results again")
    window.scenarios_compare_action.trigger()
    dialog = window.scenarios_dialog
    dialog.move(0, 0)
    dialog.resize(WIDTH, HEIGHT - 40)
    page = dialog.compare_page
    variant = page.variants[0]
    variant.boxes["earnings"].setChecked(True)
    variant.earnings_amount.value.setText("1 500")
    page.compare_button.click()
    wait(lambda: page.table.comparison is not None, 120, "the comparison")
    row = page.table.keys.index("css_participation")
    page.table.scrollToItem(page.table.item(row, 0))
    page.table.clearSelection()
    page.compare_button.setFocus()
    save(dialog, "counter-lost-right.png")
    dialog.close()

    window.screening_action.trigger()
    screening = window.screening_dialog
    screening.move(100, 40)
    screening.output_edit.setFocus(Qt.FocusReason.TabFocusReason)
    screening.output_edit.clear()
    screening.output_edit.insert("/")  # as typed: textChanged and textEdited
    screening.output_edit.textEdited.emit("/")
    save(screening, "counter-screening-path.png")
    screening.close()

    # A « salarié(e) » with no salary: computed, with a notice for the agent.
    from app.core.model.household import Activity

    household, month = load_case(example.path)
    sophie = dataclasses.replace(household.persons[0], resources=(), activity=Activity.SALARIE)
    window.load_household(dataclasses.replace(household, persons=(sophie, *household.persons[1:])), month)
    wait(window.is_up_to_date, 120, "the results without salary")
    window.results.table.scrollToTop()
    save(window, "counter-salaried-without-salary.png")

    # Qt's own file dialog (the widget one, as under Xvfb or without a desktop): in French.
    from PySide6.QtWidgets import QFileDialog

    files = QFileDialog(window, "Ouvrir un fichier")
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setDirectory(str(work))
    files.resize(760, 460)
    files.show()
    save(files, "counter-qt-dialog.png")
    files.close()

    window.close()
    QApplication.processEvents()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
