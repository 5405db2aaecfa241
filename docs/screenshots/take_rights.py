"""Screenshots of the four households of issue 14's part B (``docs/screenshots/rights-*.png``).

    python docs/screenshots/take_rights.py     # under X, or re-run itself under xvfb-run

Each example is opened in the real main window; the person whose version 3 fields matter is
selected, the editor scrolled to those fields (childcare, studies, job to come), and the
benefit they open is selected in the results: a young mother with a baby at a childminder
(CMG), a student away from home (Crous grant), a 19-year-old not in training (CEJ), a job
seeker hired 40 km away (aide à la mobilité, « versés une fois »), a couple expecting a child
in January (prime à la naissance, paid in the 7th month of pregnancy), a young employee about to
rent a home (garantie Visale), an employee who took
up a part-time job with days of ARE left (complément ARE).
"""

from __future__ import annotations

import shutil
import sys

from shots import load_example, open_main_window, start  # helpers of this folder

# example file -> (screenshot, person to show, benefit to select, what to scroll to)
SHOTS = (
    ("12-jeune-mere-bebe-assistante-maternelle-rennes.json", "rights-childcare.png", 1, "paje_cmg", "childcare"),
    ("13-etudiant-loin-de-chez-ses-parents-grenoble.json", "rights-student.png", 0, "bourse_criteres_sociaux",
     "studies"),
    ("14-jeune-19-ans-sans-formation-metz.json", "rights-young.png", 0, "contrat_engagement_jeune", "person"),
    ("15-demandeur-emploi-offre-a-40-km-amiens.json", "rights-job-40-km.png", 0, "aide_mobilite", "job_offer"),
    ("17-couple-attend-un-enfant-toulouse.json", "rights-birth.png", 0, "paje_naissance", "pregnancy"),
    ("18-jeune-cherche-location-nantes.json", "rights-visale.png", 0, "visale", "sought_home"),
    ("19-salarie-reprise-emploi-droits-chomage-amiens.json", "rights-are-kept.png", 0, "complement_are",
     "unemployment_rights"),
)


def main() -> int:
    work = start(__file__, "guichet-screenshots-rights-")

    from PySide6.QtWidgets import QApplication

    window, pump = open_main_window(work)
    for name, shot, person, benefit, target in SHOTS:
        load_example(window, pump, name)
        window.editor.select_person(person)
        form = window.editor.forms[person]
        widget = {"childcare": window.editor.boxes["childcare"], "studies": form.studies,
                  "job_offer": form.job_offer, "person": form.boxes["activity"],
                  "pregnancy": form.boxes["pregnancy_due_date"], "unemployment_rights": form.are_rights,
                  "sought_home": window.editor.housing.sought_boxes["rent"]}[target]
        window.editor_scroll.ensureWidgetVisible(widget, 20, 40)
        window.editor_scroll.horizontalScrollBar().setValue(0)
        window.results.select_benefit(benefit)
        pump.save(window, shot)
    window.close()
    QApplication.processEvents()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
