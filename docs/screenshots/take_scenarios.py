"""Screenshots of the « Outils » scenarios tools (1366 x 768) and a render of the handout
with the earnings curve.

    python docs/screenshots/take_scenarios.py        # under X, or re-run itself under xvfb-run

Saves ``scenarios-compare.png`` (three variants side by side), ``scenarios-work.png``
(« Mieux en emploi ? »), ``curve-chart.png`` (the earnings curve with its cursor) and
``curve-handout.png`` and ``comparison-handout.png`` (the handout's page with the curve,
« Ajouter la courbe au document », and with the comparison, « Ajouter la comparaison au
document », rendered with poppler's ``pdftoppm``; the PDFs stay in a temporary folder). Settings and user data go to a temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from shots import HEIGHT, OUT, ROOT, WIDTH, Pump, start  # helpers of this folder
EXAMPLE = "01-parent-isolee-lyon.json"
WORK_EXAMPLE = "08-mere-au-chomage-lyceen-marseille.json"


def render_page(pdf: Path, title: str, name: str) -> None:
    """``<name>.png``: the handout's page holding ``title`` (poppler's tools)."""
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        print(f"pdftoppm / pdftotext missing (poppler-utils): {name}.png skipped")
        return
    count = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    for page in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        if title in text:
            stem = OUT / name
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(stem)], check=True)
            print(f"{stem.with_suffix('.png').relative_to(ROOT)}  page {page} of {count}")
            return
    print(f"{title!r} is not in the handout!")


def main() -> int:
    work = start(__file__, "guichet-screenshots-")

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from app.core.benefits.catalogue import load_catalogue
    from app.core.base.i18n import t
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow, list_examples
    from app.gui.views import scenarios_view

    app = create_application()
    pump = Pump(app)
    wait, settle, save = pump.wait, pump.settle, pump.save
    settings = QSettings(str(work / "guichet.ini"), QSettings.Format.IniFormat)
    settings.setValue("service_point/name", "France Services Exemple-sur-Loire")
    window = MainWindow(catalogue=load_catalogue(), settings=settings)

    def save_handout(handout: Any, name: str, title: str) -> None:
        """The handout preview's PDF, then the render of its page holding ``title``."""
        if handout is None:
            print(f"no handout for {name}")
            return
        handout.resize(960, HEIGHT - 8)
        wait(lambda: bool(handout.data), 60, "the handout")
        pdf = work / f"{name}.pdf"
        pdf.write_bytes(handout.data)
        print("PDF:", pdf, handout.document.pageCount(), "pages")
        handout.close()
        render_page(pdf, title, name)
    window.ask_before_discard = False
    scenarios_view.install(window)
    window.move(0, 0)
    window.resize(WIDTH, HEIGHT)
    window.show()

    wait(lambda: window.engine.is_ready, 300, "the rules")
    example = next(e for e in list_examples() if e.path is not None and e.path.name == EXAMPLE)
    window.load_example(example)
    wait(window.is_up_to_date, 120, "the results")

    window.scenarios_compare_action.trigger()
    dialog = window.scenarios_dialog
    dialog.move(0, 0)
    dialog.resize(WIDTH - 20, HEIGHT - 40)
    page = dialog.compare_page
    first = page.variants[0]
    first.boxes["earnings"].setChecked(True)
    first.earnings_amount.value.setText("1 500")
    second = page.add_variant()
    second.boxes["birth"].setChecked(True)
    third = page.add_variant()
    third.boxes["move"].setChecked(True)
    from app.gui.views.housing_form import search

    label, (insee, postal) = search("13001")[0]  # as picked in the commune list
    third.commune.choose(insee, postal, label)
    third.rent.setText("450")
    page.compare_button.click()
    wait(lambda: page.table.comparison is not None or "échou" in page.status.text(), 120, "the comparison")
    print("compare status:", page.status.text())
    save(dialog, "scenarios-compare.png")
    save_handout(scenarios_view.open_handout_with(
        window, scenarios_view.comparison_flowable(page.table.comparison), "", "comparison_handout_dialog"),
        "comparison-handout", t("scenario.sheet.title"))

    # « Mieux en emploi ? » for a job seeker (example 08), then back to example 01
    job_seeker = next(e for e in list_examples() if e.path is not None and e.path.name == WORK_EXAMPLE)
    window.load_example(job_seeker)
    wait(window.is_up_to_date, 120, "the results of the job seeker")
    dialog.tabs.setCurrentIndex(1)
    work_page = dialog.work_page
    work_page.amount.value.setText("24")
    work_page.compute_button.click()
    wait(lambda: work_page.result is not None or "échou" in work_page.status.text(), 120, "better off in work")
    save(dialog, "scenarios-work.png")

    window.load_example(example)
    wait(window.is_up_to_date, 120, "the results again")
    dialog.tabs.setCurrentIndex(2)
    curve_page = dialog.curve_page
    curve_page.draw_button.click()
    wait(lambda: curve_page.curve is not None or "échou" in curve_page.status.text(), 120, "the curve")
    curve_page.chart.setFocus(Qt.FocusReason.TabFocusReason)
    curve_page.chart.set_cursor(35)
    save(dialog, "curve-chart.png")

    save_handout(scenarios_view.open_handout_with_curve(window, curve_page.curve, curve_page.title()),
                 "curve-handout", curve_page.title())
    dialog.close()
    window.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
