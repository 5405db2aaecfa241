"""Screenshots of the case database in the window (issue #5), 1366 x 768:

    python docs/screenshots/take_cases.py      # under X, or re-run itself under xvfb-run

``cases-list.png`` (« Dossiers »: search, period, list), ``cases-historical.png`` (an
old simulation shown as stored, recomputed on today's rules, differences listed),
``cases-read-only.png`` (a second window on the same database: read-only banner).
Everything happens in a temporary data folder (GUICHET_DATA_DIR) with made-up cases.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys

from shots import HEIGHT, OUT, WIDTH, Pump, start  # helpers of this folder


def main() -> int:
    work = start(__file__, "guichet-screenshots-")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.core.benefits.catalogue import load_catalogue
    from app.core.model.examples import warm_up_household
    from app.core.model.household import Housing, HousingStatus
    from app.core.store import Store
    from app.gui.app import create_application
    from app.gui.case_session import CaseSession
    from app.gui.main_window import MainWindow
    from app.gui.views.case_list import CaseListDialog

    app = create_application()
    events = Pump(app)

    def wait(condition: object, timeout: float = 300.0) -> None:
        events.wait(condition, timeout, "the window")  # type: ignore[arg-type]
    catalogue = load_catalogue()
    settings = QSettings(str(work / "guichet.ini"), QSettings.Format.IniFormat)
    db = work / "data" / "guichet.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    base = warm_up_household()
    with Store.open(db) as store:
        store.mark_purge_notice_shown()
        for name, child, insee, postal in (("Léa", "Tom", "69123", "69003"), ("Zoé", "", "75056", "75011"),
                                           ("Amir", "Nina", "33063", "33000"), ("", "", "13055", "13001"),
                                           ("Léon", "Jade", "69123", "69001"), ("Inès", "Sami", "31555", "31000"),
                                           ("Awa", "", "59350", "59000")):
            persons = (dataclasses.replace(base.persons[0], first_name=name),
                       dataclasses.replace(base.persons[1], first_name=child))
            store.save_case(dataclasses.replace(base, persons=persons, housing=Housing(
                HousingStatus.LOCATAIRE_VIDE, rent=650.0, commune_insee=insee, postal_code=postal)), "2026-11")

    pump = events.settle

    window = MainWindow(catalogue=catalogue, settings=settings)
    window.ask_before_discard = False
    window.resize(WIDTH, HEIGHT)
    window.show()
    wait(lambda: window.cases.store is not None)
    store = window.cases.store

    # 1. The case list.
    dialog = CaseListDialog(store, window, on_history=lambda _i: None, on_export=lambda _i: None)
    dialog.show()
    pump(0.6)
    dialog.grab().save(str(OUT / "cases-list.png"))
    dialog.close()

    # 2. A case computed and saved, an older simulation of it shown, then recomputed.
    case_id = store.search_cases().items[-1].id  # Léa, the first saved
    window.open_stored_case(case_id, ask=False)
    wait(window.is_up_to_date)
    window.note_edit.setText("Premier rendez-vous")
    window.save_case()
    today = window.displayed_result()
    changed = next(b for b in today.benefits if b.status.value == "eligible" and b.amount > 50)
    older = dataclasses.replace(changed, amount=round(changed.amount - 48.3, 2))
    old = dataclasses.replace(today, benefits=tuple(older if b is changed else b for b in today.benefits),
                              openfisca_france="174.2.0", catalogue_version="2025.2")
    household = window.cases.store.get_case(case_id).household()[0]
    simulation = store.add_simulation(case_id, household, old, note="Simulation de l'an dernier")
    window.show_simulation(simulation.id)
    window.historical_banner.recompute_button.click()
    wait(lambda: window.recomputed is not None)
    pump(0.5)
    window.grab().save(str(OUT / "cases-historical.png"))

    # 3. A second window on the same database (the lock is held): read-only.
    window.leave_historical()
    second = MainWindow(engine=window.engine, catalogue=catalogue, settings=settings, cases=CaseSession(db))
    second.cases.open_now()
    second.ask_before_discard = False
    second.resize(WIDTH, HEIGHT)
    second.show()
    second.open_stored_case(case_id, ask=False)
    wait(second.is_up_to_date)
    pump(0.5)
    second.grab().save(str(OUT / "cases-read-only.png"))
    second.close()
    window.close()
    QApplication.processEvents()
    shutil.rmtree(work, ignore_errors=True)
    print("saved:", ", ".join(p.name for p in sorted(OUT.glob("cases-*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
