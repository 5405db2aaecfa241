"""The household editor's version 3 fields: each shown only where it applies (childcare
with a child under 6, studies for a student, a job to come for a job seeker, the asylum
accommodation once asylum is asked), a French message naming the field next to it, and
nothing typed lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core.model.household import Activity, ChildcareMode, OfferKind, Role, StudyYear, UnemploymentRights
from app.core.base.i18n import t
from gui_helpers import choose, type_text

TODAY = dt.date(2026, 11, 29)


def test_childcare_shows_with_a_child_under_6_only(idle_window: Any) -> None:
    editor = idle_window.editor
    box = editor.boxes["childcare"]
    assert not box.isVisibleTo(idle_window)  # a new case: nobody under 6
    editor.add_person(Role.ENFANT)
    child = editor.forms[-1]
    type_text(child.birth_date, "03/02/2026")
    assert box.isVisibleTo(idle_window)
    choose(editor.childcare, t("choice.childcare.assistante_maternelle"))
    assert editor.collect(today=TODAY).household.childcare == ChildcareMode.ASSISTANTE_MATERNELLE
    type_text(child.birth_date, "03/02/2012", clear=True)  # now 14: no CMG question
    assert not box.isVisibleTo(idle_window)
    assert editor.collect(today=TODAY).household.childcare == ChildcareMode.AUCUN
    type_text(child.birth_date, "03/02/2026", clear=True)
    # hidden, the choice was kept
    assert editor.collect(today=TODAY).household.childcare == ChildcareMode.ASSISTANTE_MATERNELLE


def test_asylum_accommodation_shows_once_asylum_is_asked(idle_window: Any) -> None:
    editor = idle_window.editor
    assert editor.boxes["asylum_seeker"].isVisibleTo(idle_window)
    assert not editor.boxes["asylum_housed"].isVisibleTo(idle_window)
    editor.asylum_seeker.setChecked(True)
    assert editor.boxes["asylum_housed"].isVisibleTo(idle_window)
    editor.asylum_housed.setChecked(True)
    household = editor.collect(today=TODAY).household
    assert household.asylum_seeker and household.asylum_housed


def test_studies_for_a_student_with_a_message_naming_the_field(idle_window: Any, qtbot: Any) -> None:
    editor = idle_window.editor
    person = editor.forms[0]
    type_text(person.birth_date, "21/03/2006")
    assert not person.studies.isVisibleTo(idle_window)  # « inactif »: no studies asked
    choose(person.activity, t("choice.activity.etudiant"))
    assert person.studies.isVisibleTo(idle_window)
    assert not person.studies.boxes["parents_income_n2"].isVisibleTo(idle_window)
    person.studies.declared.setChecked(True)
    assert person.studies.boxes["parents_income_n2"].isVisibleTo(idle_window)
    choose(person.studies.study_year, t("choice.study_year.licence_2"))
    type_text(person.studies.distance, "250")
    type_text(person.studies.parents_income, "1.500")  # ambiguous: refused, kept as typed
    box = person.studies.boxes["parents_income_n2"]
    qtbot.waitUntil(lambda: "ambigu" in box.error.text(), timeout=5000)
    assert box.error.text() == ("Personne 1, études supérieures, revenu brut global des parents (avis d'imposition, "
                                "revenus d'il y a deux ans) : « 1.500 » est ambigu. Écrivez 1 500 ou 1500 pour des "
                                "milliers, 1,50 pour des centimes.")
    assert person.studies.parents_income.text() == "1.500"
    type_text(person.studies.parents_income, "24 000", clear=True)
    collected = editor.collect(today=TODAY)
    studies = collected.household.persons[0].studies
    assert studies is not None and studies.study_year == StudyYear.LICENCE_2
    assert studies.family_distance_km == 250 and studies.parents_income_n2 == 24000
    assert not [p for p in collected.problems if ".studies" in p.field]
    # a worker: the studies are hidden and not used, but what was typed stays
    choose(person.activity, t("choice.activity.salarie"))
    assert not person.studies.isVisibleTo(idle_window)
    assert editor.collect(today=TODAY).household.persons[0].studies is None
    assert person.studies.parents_income.text() == "24 000"


def test_job_offer_for_a_job_seeker_nothing_typed_lost(idle_window: Any, qtbot: Any) -> None:
    editor = idle_window.editor
    person = editor.forms[0]
    type_text(person.birth_date, "02/09/1988")
    offer = person.job_offer
    assert not offer.isVisibleTo(idle_window)
    choose(person.activity, t("choice.activity.demandeur_emploi_non_indemnise"))
    assert offer.isVisibleTo(idle_window)
    offer.declared.setChecked(True)
    choose(offer.contract, t("choice.offer_kind.cdd"))
    assert offer.boxes["duration_months"].isVisibleTo(idle_window)
    assert not offer.boxes["training_hours"].isVisibleTo(idle_window)
    type_text(offer.start, "23/11/2026")
    type_text(offer.months, "6")
    type_text(offer.distance, "4000")  # over 2 000 km: refused naming the field
    type_text(offer.trips, "20")
    box = offer.boxes["distance_km"]
    qtbot.waitUntil(lambda: "n'est pas possible" in box.error.text(), timeout=5000)
    assert box.error.text() == ("Personne 1, emploi ou formation qui commence, distance entre le domicile et le lieu "
                                "de travail ou de formation (km, aller) : « 4\u202f000 » n'est pas possible (de 0 à "
                                "2\u202f000).")
    assert offer.distance.text() == "4000"
    type_text(offer.distance, "40", clear=True)
    collected = editor.collect(today=TODAY)
    job = collected.household.persons[0].job_offer
    assert job is not None and job.contract == OfferKind.CDD and job.start_date == dt.date(2026, 11, 23)
    assert (job.duration_months, job.distance_km, job.round_trips) == (6, 40.0, 20)
    assert not [p for p in collected.problems if ".job_offer" in p.field]
    # typed fields are kept by the draft: their paths are in typed_fields()
    fields = editor.typed_fields()
    assert fields["persons.0.job_offer.distance_km"].text() == "40"
    choose(person.activity, t("choice.activity.salarie"))
    assert not offer.isVisibleTo(idle_window)
    assert editor.collect(today=TODAY).household.persons[0].job_offer is None
    choose(person.activity, t("choice.activity.demandeur_emploi_non_indemnise"))
    assert editor.collect(today=TODAY).household.persons[0].job_offer == job
    assert person.activity.currentData() == Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE.value


def test_adoption_date_for_a_child_only_named_when_wrong(idle_window: Any, qtbot: Any) -> None:
    editor = idle_window.editor
    assert not editor.forms[0].boxes["adoption_date"].isVisibleTo(idle_window)  # the demandeur
    editor.add_person(Role.ENFANT)
    editor.select_person(len(editor.forms) - 1)
    child = editor.forms[-1]
    type_text(child.birth_date, "01/03/2025")
    box = child.boxes["adoption_date"]
    assert box.isVisibleTo(idle_window)
    type_text(child.adoption_date, "15/10/2024")  # before the birth: named, kept as typed
    qtbot.waitUntil(lambda: "avant la date de naissance" in box.error.text(), timeout=5000)
    assert box.error.text().startswith("Personne 2, date d'arrivée au foyer (adoption) : ")
    assert child.adoption_date.text() == "15/10/2024"
    type_text(child.adoption_date, "15/10/2026", clear=True)
    collected = editor.collect(today=TODAY)
    assert collected.household.persons[-1].adoption_date == dt.date(2026, 10, 15)
    assert not [p for p in collected.problems if p.field.endswith("adoption_date")]


def test_unemployment_rights_for_an_employee_all_three_required(idle_window: Any, qtbot: Any) -> None:
    editor = idle_window.editor
    person = editor.forms[0]
    type_text(person.birth_date, "05/05/1990")
    rights = person.are_rights
    assert not rights.isVisibleTo(idle_window)  # « inactif »: no ARE question
    choose(person.activity, t("choice.activity.salarie"))
    assert rights.isVisibleTo(idle_window)
    assert not rights.boxes["days_left"].isVisibleTo(idle_window)
    rights.declared.setChecked(True)
    assert rights.boxes["days_left"].isVisibleTo(idle_window)
    type_text(rights.daily, "40")
    type_text(rights.wage, "70,50")
    collected = editor.collect(today=TODAY)  # the days left are missing: named
    assert [p.message for p in collected.problems if ".unemployment_rights" in p.field] == [
        "Personne 1, droits à l'allocation chômage (ARE) restants, jours d'ARE restants : à renseigner."]
    type_text(rights.days, "300")
    collected = editor.collect(today=TODAY)
    assert collected.household.persons[0].unemployment_rights == UnemploymentRights(40.0, 70.5, 300)
    assert not [p for p in collected.problems if ".unemployment_rights" in p.field]
    assert editor.typed_fields()["persons.0.unemployment_rights.reference_daily_wage"].text() == "70,50"
    # a job seeker: hidden and not used, what was typed stays
    choose(person.activity, t("choice.activity.demandeur_emploi_indemnise"))
    assert not rights.isVisibleTo(idle_window)
    assert editor.collect(today=TODAY).household.persons[0].unemployment_rights is None
    choose(person.activity, t("choice.activity.salarie"))
    assert editor.collect(today=TODAY).household.persons[0].unemployment_rights == UnemploymentRights(40.0, 70.5, 300)


def test_a_home_to_rent_shows_once_ticked_nothing_typed_lost(idle_window: Any, qtbot: Any) -> None:
    """« Cherche un logement à louer (garantie Visale) »: its date of entry, rent and charges,
    shown once ticked; named problems next to them; kept while hidden, not used."""
    from app.core.model.household import SoughtHome

    editor = idle_window.editor
    editor.set_month("2026-11")
    housing = editor.housing
    assert housing.seeking.text() == "Cherche un logement à louer (garantie Visale)"
    assert housing.seeking.isVisibleTo(idle_window)
    assert not housing.sought_boxes["entry_date"].isVisibleTo(idle_window)
    assert editor.collect(today=TODAY).household.sought_home is None
    housing.seeking.setChecked(True)
    for name in ("entry_date", "rent", "charges"):
        assert housing.sought_boxes[name].isVisibleTo(idle_window), name
    type_text(housing.entry, "01112026")  # the 1st of the month computed: Visale is not possible
    type_text(housing.sought_rent, "1.500")  # ambiguous: refused, kept as typed
    type_text(housing.sought_charges, "50")
    entry_box, rent_box = housing.sought_boxes["entry_date"], housing.sought_boxes["rent"]
    qtbot.waitUntil(lambda: "ambigu" in rent_box.error.text() and "1er du mois" in entry_box.error.text(), timeout=5000)
    assert entry_box.error.text() == (
        "Logement à louer (garantie Visale), date d'entrée prévue : la date d'entrée prévue doit être après le 1er du "
        "mois calculé (le 1er novembre 2026) : Visale se demande avant d'entrer dans le logement.")
    assert rent_box.error.text().startswith("Logement à louer (garantie Visale), loyer : « 1.500 » est ambigu.")
    assert housing.sought_rent.text() == "1.500"
    type_text(housing.entry, "15/11/2026", clear=True)
    type_text(housing.sought_rent, "600", clear=True)
    collected = editor.collect(today=TODAY)
    sought = SoughtHome(dt.date(2026, 11, 15), 600.0, 50.0)
    assert collected.household.sought_home == sought
    assert not [p for p in collected.problems if p.field.startswith("sought_home")]
    # the current dwelling is untouched
    assert collected.household.housing.rent == 0.0
    fields = editor.typed_fields()
    assert fields["sought_home.rent"].text() == "600" and fields["sought_home.entry_date"].text() == "15/11/2026"
    # unticked: hidden and not used, what was typed stays; ticked again: the same home
    housing.seeking.setChecked(False)
    assert not housing.sought_boxes["rent"].isVisibleTo(idle_window)
    assert editor.collect(today=TODAY).household.sought_home is None
    assert housing.sought_rent.text() == "600"
    housing.seeking.setChecked(True)
    assert editor.collect(today=TODAY).household.sought_home == sought
    # a case with a home to rent reopens with it; a new case has none
    household = editor.collect(today=TODAY).household
    editor.new_case()
    assert not housing.seeking.isChecked() and housing.sought_rent.text() == ""
    editor.load(household)
    assert housing.seeking.isChecked() and housing.sought_boxes["entry_date"].isVisibleTo(idle_window)
    assert editor.collect(today=TODAY).household.sought_home == sought
