"""What the household can now say for the benefits of issue 14 (case format version 3): the
childcare mode, a student's higher education, an apprenticeship, a job seeker's job or
training to come, an asylum request; and the one-off amounts (« versé une fois »).

Each field is checked from the case file to the OpenFisca situation (the input variables
and months OpenFisca-France 176.1.8's formulas read), then through the engine: for every
newly reachable benefit a household where it is positive and one where it is not, the
expected amount derived independently (the parameter files of openfisca-france, or plain
openfisca-core on a situation written by hand), and Guichet's gated computation equal to
the full one (no gate) on every benefit.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from explain_cases import parameter_from_file
from test_benefits_issue14 import person as _person, salary as _salary

from app.core.io.casefile import case_from_dict, case_to_dict, household_from_dict, household_to_dict
from app.core.model.household import (
    Activity,
    BacMention,
    ChildcareMode,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    JobOffer,
    OfferKind,
    Resource,
    ResourceKind,
    Role,
    Schooling,
    Studies,
    StudyYear,
)
from app.core.openfisca.situation import FixedRatioConverter, build_situation
from app.core.model.validation import InvalidHousehold, validate

ROOT = Path(__file__).resolve().parents[2]
MONTH = "2026-11"
DAY = "2026-11-01"
TODAY = dt.date(2026, 11, 15)
PAJE = "prestations_sociales.prestations_familiales.petite_enfance.paje"
BMAF = "prestations_sociales.prestations_familiales.bmaf.bmaf"
ADA = "prestations_sociales.solidarite_insertion.autre_solidarite.ada"
AMOB = "prestations_sociales.transport.aide_mobilite"


RENNES = Housing(HousingStatus.LOCATAIRE_VIDE, rent=540.0, charges=45.0, commune_insee="35238", postal_code="35000")
GRENOBLE = Housing(HousingStatus.LOCATAIRE_MEUBLE, rent=430.0, charges=30.0, commune_insee="38185", postal_code="38000")
AMIENS = Housing(HousingStatus.LOCATAIRE_VIDE, rent=610.0, charges=50.0, commune_insee="80021", postal_code="80000")

# A lone mother (1 250 € net) of a baby of 9 months.
MOTHER = Household(
    (_person("lea", Role.DEMANDEUR, "2002-05-14", activity=Activity.SALARIE, resources=_salary(1250.0)),
     _person("noe", Role.ENFANT, "2026-02-03", schooling=Schooling.CRECHE)),
    housing=RENNES, savings=0.0,
)
CHILDMINDER = dataclasses.replace(MOTHER, childcare=ChildcareMode.ASSISTANTE_MATERNELLE)
CRECHE = dataclasses.replace(MOTHER, childcare=ChildcareMode.CRECHE)

STUDIES = Studies(StudyYear.LICENCE_2, family_distance_km=250, parents_income_n2=24000.0)
STUDENT = Household(
    (_person("hugo", Role.DEMANDEUR, "2006-03-21", activity=Activity.ETUDIANT, schooling=Schooling.SUPERIEUR,
             studies=STUDIES),),
    housing=GRENOBLE, savings=0.0,
)
STUDENT_UNDECLARED = dataclasses.replace(
    STUDENT, persons=(dataclasses.replace(STUDENT.persons[0], studies=None),))
STUDENT_MERIT = dataclasses.replace(STUDENT, persons=(dataclasses.replace(
    STUDENT.persons[0], studies=dataclasses.replace(STUDIES, study_year=StudyYear.LICENCE_1,
                                                    bac_mention=BacMention.TRES_BIEN)),))
STUDENT_WELL_OFF_PARENTS = dataclasses.replace(STUDENT, persons=(dataclasses.replace(
    STUDENT.persons[0], studies=dataclasses.replace(STUDIES, parents_income_n2=90000.0)),))

OFFER = JobOffer(OfferKind.CDI, dt.date(2026, 11, 23), weekly_hours=35.0, distance_km=40.0, trip_minutes=70,
                 round_trips=20)
# A job seeker without benefit whose partner earns 1 900 €: offered a CDI 40 km away.
SEEKER = Household(
    (_person("karim", Role.DEMANDEUR, "1988-09-02", activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE, job_offer=OFFER),
     _person("sonia", Role.CONJOINT, "1990-01-15", activity=Activity.SALARIE, resources=_salary(1900.0))),
    couple=CoupleStatus.CONCUBIN, housing=AMIENS, savings=0.0,
)
SEEKER_NO_OFFER = dataclasses.replace(SEEKER, persons=(dataclasses.replace(SEEKER.persons[0], job_offer=None),
                                                       SEEKER.persons[1]))
SEEKER_NEAR = dataclasses.replace(SEEKER, persons=(dataclasses.replace(
    SEEKER.persons[0], job_offer=dataclasses.replace(OFFER, distance_km=20.0, trip_minutes=40)), SEEKER.persons[1]))
# A lone mother of a 4-year-old, job seeker without benefit, starting a CDI of 35 h a week.
MOTHER_BACK_TO_WORK = Household(
    (_person("ines", Role.DEMANDEUR, "1994-01-01", activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE,
             job_offer=JobOffer(OfferKind.CDI, dt.date(2026, 11, 16), weekly_hours=35.0)),
     _person("sami", Role.ENFANT, "2022-05-05", schooling=Schooling.MATERNELLE)),
    housing=AMIENS, savings=0.0,
)
MOTHER_OLD_OFFER = dataclasses.replace(MOTHER_BACK_TO_WORK, persons=(dataclasses.replace(
    MOTHER_BACK_TO_WORK.persons[0], job_offer=JobOffer(OfferKind.CDI, dt.date(2026, 8, 3), weekly_hours=35.0)),
    MOTHER_BACK_TO_WORK.persons[1]))
ASYLUM = Household((_person("ali", Role.DEMANDEUR, "1996-01-01"),),
                   housing=Housing(HousingStatus.SANS_DOMICILE, commune_insee="75056"), savings=0.0,
                   asylum_seeker=True)
ASYLUM_HOUSED = dataclasses.replace(ASYLUM, asylum_housed=True)
NOT_ASYLUM = dataclasses.replace(ASYLUM, asylum_seeker=False)

CASES: dict[str, Household] = {
    "childminder": CHILDMINDER, "creche": CRECHE, "mother": MOTHER,
    "student": STUDENT, "student_undeclared": STUDENT_UNDECLARED, "student_merit": STUDENT_MERIT,
    "student_well_off_parents": STUDENT_WELL_OFF_PARENTS,
    "seeker": SEEKER, "seeker_no_offer": SEEKER_NO_OFFER, "seeker_near": SEEKER_NEAR,
    "back_to_work": MOTHER_BACK_TO_WORK, "old_offer": MOTHER_OLD_OFFER,
    "asylum": ASYLUM, "asylum_housed": ASYLUM_HOUSED, "not_asylum": NOT_ASYLUM,
}
# benefit -> (cases where it is positive, cases where it is zero)
POSITIVE_ZERO = {
    "paje_cmg": (("childminder",), ("creche", "mother")),
    "bourse_criteres_sociaux": (("student", "student_merit"), ("student_undeclared", "student_well_off_parents")),
    "aide_merite": (("student_merit",), ("student", "student_undeclared")),
    "aide_mobilite": (("seeker",), ("seeker_no_offer", "seeker_near")),
    "agepi": (("back_to_work",), ("old_offer", "seeker", "mother")),
    "ada": (("asylum", "asylum_housed"), ("not_asylum",)),
}


# --------------------------------------------------------------------------- case file


def test_version_3_round_trip_and_older_versions_still_read() -> None:
    for household in CASES.values():
        assert household_from_dict(json.loads(json.dumps(household_to_dict(household))), TODAY) == household
    data = case_to_dict(SEEKER, MONTH)
    assert data["version"] == 3
    assert data["household"]["persons"][0]["job_offer"] == {
        "contract": "cdi", "start_date": "2026-11-23", "weekly_hours": 35.0, "distance_km": 40.0,
        "trip_minutes": 70, "round_trips": 20}
    for version in (1, 2):
        old = json.loads((ROOT / "examples" / "09-jeune-femme-enceinte-toulouse.json").read_text(encoding="utf-8"))
        old["version"] = version
        household, _month = case_from_dict(old, TODAY)
        assert household.childcare == ChildcareMode.AUCUN and not household.asylum_seeker
        assert all(p.studies is None and p.job_offer is None and not p.apprentice for p in household.persons)


def test_every_new_example_reads() -> None:
    for name in ("12-jeune-mere-bebe-assistante-maternelle-rennes", "13-etudiant-loin-de-chez-ses-parents-grenoble",
                 "14-jeune-19-ans-sans-formation-metz", "15-demandeur-emploi-offre-a-40-km-amiens"):
        case = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
        assert case["version"] == 3
        case_from_dict(case, TODAY)


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidHousehold) as raised:
        household_from_dict(data, TODAY)
    return [p.message for p in raised.value.problems]


def test_bad_values_are_refused_in_french_naming_the_field() -> None:
    data = household_to_dict(SEEKER)
    data["persons"][0]["job_offer"].update({"distance_km": -3, "round_trips": "2,5", "contract": "stage"})
    messages = _problems(data)
    assert ("Personne 1, emploi ou formation qui commence, type de contrat : « stage » n'est pas une valeur "
            "possible") in messages[0]
    assert any(m.startswith("Personne 1, emploi ou formation qui commence, nombre d'allers-retours à prendre en "
                            "charge : « 2,5 » doit être un nombre entier.") for m in messages)

    data = household_to_dict(SEEKER)
    data["persons"][0]["job_offer"]["distance_km"] = 5000
    assert _problems(data) == ["Personne 1, emploi ou formation qui commence, distance entre le domicile et le lieu "
                               "de travail ou de formation (km, aller) : « 5\u202f000 » n'est pas possible (de 0 à 2\u202f000)."]

    data = household_to_dict(STUDENT)
    data["persons"][0]["studies"].pop("parents_income_n2")
    data["persons"][0]["activity"] = "salarie"
    data["persons"][0]["schooling"] = "aucune"
    assert _problems(data) == [
        "Personne 1, études supérieures : des études supérieures sont indiquées, mais la personne n'est ni étudiante "
        "ni scolarisée dans le supérieur.",
        "Personne 1, études supérieures, revenu brut global des parents (avis d'imposition, revenus d'il y a deux "
        "ans) : à renseigner."]

    data = household_to_dict(MOTHER)
    data["persons"] = data["persons"][:1]
    data["childcare"] = "assistante_maternelle"
    data["asylum_housed"] = True
    assert _problems(data) == [
        "Mode de garde des enfants de moins de 6 ans : un mode de garde est indiqué, mais le foyer n'a pas d'enfant "
        "de moins de 6 ans.",
        "Hébergé(e) dans un centre pour demandeurs d'asile : un hébergement pour demandeurs d'asile est indiqué, mais "
        "la demande d'asile n'est pas cochée."]

    offer_for_worker = dataclasses.replace(MOTHER, persons=(dataclasses.replace(MOTHER.persons[0], job_offer=OFFER),
                                                            MOTHER.persons[1]))
    assert [p.message for p in validate(offer_for_worker, TODAY)] == [
        "Personne 1, emploi ou formation qui commence : un emploi ou une formation qui commence est indiqué, mais la personne n'est pas demandeuse "
        "d'emploi."]


# --------------------------------------------------------------------------- situation


def _situation(household: Household) -> dict[str, Any]:
    return build_situation(household, MONTH, FixedRatioConverter()).data


def test_job_offer_inputs_on_the_month_computed_only() -> None:
    person = _situation(SEEKER)["individus"]["karim"]
    # the variables OpenFisca-France's aide_mobilite_eligible and agepi_eligible read, on M
    assert {name: person[name] for name in (
        "pole_emploi_categorie_demandeur_emploi", "contexte_activite_pole_emploi", "contrat_de_travail_type",
        "contrat_de_travail_debut", "lieu_emploi_ou_formation", "aide_mobilite_date_demande", "agepi_date_demande",
        "distance_activite_domicile", "aide_mobilite_duree_trajet", "nombre_allers_retours",
        "type_intensite_activite", "agepi_temps_travail_en_heure", "allocation_retour_emploi_journaliere")} == {
        "pole_emploi_categorie_demandeur_emploi": {MONTH: "categorie_1"},
        "contexte_activite_pole_emploi": {MONTH: "reprise_emploi"},
        "contrat_de_travail_type": {MONTH: "cdi"},
        "contrat_de_travail_debut": {MONTH: "2026-11-23"},
        "lieu_emploi_ou_formation": {MONTH: "metropole_hors_corse"},
        "aide_mobilite_date_demande": {MONTH: "2026-11-01"},
        "agepi_date_demande": {MONTH: "2026-11-01"},
        "distance_activite_domicile": {MONTH: 40.0},
        "aide_mobilite_duree_trajet": {MONTH: 70.0},
        "nombre_allers_retours": {MONTH: 20.0},
        "type_intensite_activite": {MONTH: "hebdomadaire"},
        "agepi_temps_travail_en_heure": {MONTH: 35.0},
        "allocation_retour_emploi_journaliere": {MONTH: 0.0},
    }
    assert "contrat_de_travail_type" not in _situation(SEEKER_NO_OFFER)["individus"]["karim"]
    # an indemnified job seeker: the gross ARE of October over its 31 days (ratio 1 here)
    indemnified = dataclasses.replace(SEEKER, persons=(dataclasses.replace(
        SEEKER.persons[0], activity=Activity.DEMANDEUR_EMPLOI_INDEMNISE,
        resources=(Resource(ResourceKind.CHOMAGE, stable=1240.0),)), SEEKER.persons[1]))
    daily = _situation(indemnified)["individus"]["karim"]["allocation_retour_emploi_journaliere"]
    assert daily == {MONTH: round(1240.0 / 31, 2)}


def test_childcare_studies_apprentice_and_asylum_inputs() -> None:
    assert _situation(CHILDMINDER)["familles"]["famille_1"]["ass_mat"] == {MONTH: True}
    garde = dataclasses.replace(MOTHER, childcare=ChildcareMode.GARDE_DOMICILE)
    assert _situation(garde)["familles"]["famille_1"]["gar_dom"] == {MONTH: True}
    assert not {"ass_mat", "gar_dom", "empl_dir"} & set(_situation(CRECHE)["familles"]["famille_1"])

    student = _situation(STUDENT_MERIT)["individus"]["hugo"]
    assert student["annee_etude"]["2026-11"] == student["annee_etude"]["2024-01"] == "licence_1"
    assert student["statuts_etablissement_scolaire"][MONTH] == "public"
    assert student["bourse_criteres_sociaux_distance_domicile_familial"][MONTH] == 250
    assert student["bourse_criteres_sociaux_base_ressources_parentale"][MONTH] == 24000.0
    assert student["mention_baccalaureat"] == {"ETERNITY": "mention_tres_bien"}

    apprentice = dataclasses.replace(STUDENT_UNDECLARED, persons=(dataclasses.replace(
        STUDENT_UNDECLARED.persons[0], apprentice=True),))
    assert set(_situation(apprentice)["individus"]["hugo"]["alternant"].values()) == {True}

    famille = _situation(ASYLUM)["familles"]["famille_1"]
    assert set(famille["asile_demandeur"].values()) == {True}
    assert set(famille["place_hebergement"].values()) == {False}
    assert set(_situation(ASYLUM_HOUSED)["familles"]["famille_1"]["place_hebergement"].values()) == {True}


# --------------------------------------------------------------------------- engine


@pytest.fixture(scope="module")
def computed(engine: Any) -> dict[str, dict[str, Any]]:
    """Every case on Guichet's path (its gates) and on the full path (no gate)."""
    names = list(CASES)
    households = [CASES[n] for n in names]
    gated = engine.compute_many(households, MONTH)
    full = engine.compute_many(households, MONTH, fast=False)
    return {"gated": dict(zip(names, gated)), "full": dict(zip(names, full))}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_gated_equals_full_on_every_benefit(computed: dict[str, dict[str, Any]], name: str) -> None:
    gated, full = computed["gated"][name], computed["full"][name]
    assert [(b.benefit_id, b.status, b.amount) for b in gated.benefits] == [
        (b.benefit_id, b.status, b.amount) for b in full.benefits]


@pytest.mark.slow
@pytest.mark.parametrize("benefit_id", list(POSITIVE_ZERO))
def test_positive_and_zero_households(computed: dict[str, dict[str, Any]], benefit_id: str) -> None:
    positive, zero = POSITIVE_ZERO[benefit_id]
    for name in positive:
        assert computed["gated"][name].get(benefit_id).amount > 0, name
    for name in zero:
        assert computed["gated"][name].get(benefit_id).amount == 0, name


@pytest.mark.slow
def test_cmg_from_the_parameters(computed: dict[str, dict[str, Any]]) -> None:
    # paje_cmg (2017-04 formula): bmaf x 1.0 (a child under limite_age.pleine = 3) x the
    # childminder rate below the first income ceiling (resources of N-2 about 15 000 €, under
    # plaf_cmg.premier_plafond for one child).
    rate = parameter_from_file(f"{PAJE}.paje_cmg.assistante_mat_asso_entreprise_microcreche.sous_premier_plafond", DAY)
    expected = round(parameter_from_file(BMAF, DAY) * rate, 2)
    assert computed["gated"]["childminder"].get("paje_cmg").amount == pytest.approx(expected, abs=0.01)


@pytest.mark.slow
def test_mobility_aid_by_hand(computed: dict[str, dict[str, Any]]) -> None:
    # aide_mobilite = montants.deplacement (€/km) x one-way distance x round trips, capped by
    # montants.maximum: 0,23 x 40 x 20 = 184 €. It is a one-off sum: in neither total.
    per_km = parameter_from_file(f"{AMOB}.montants.deplacement", DAY)
    expected = min(per_km * 40 * 20, parameter_from_file(f"{AMOB}.montants.maximum", DAY))
    result = computed["gated"]["seeker"]
    mobility = result.get("aide_mobilite")
    assert mobility.amount == pytest.approx(expected, abs=0.01) and expected == pytest.approx(184.0)
    assert mobility.amount_period == "once" and mobility.monthly is None
    without = computed["gated"]["seeker_no_offer"]
    assert result.total_monthly() == without.total_monthly()
    assert result.total_yearly_extra() == without.total_yearly_extra()


@pytest.mark.slow
def test_agepi_from_the_parameters(computed: dict[str, dict[str, Any]]) -> None:
    # agepi_hors_mayotte: weekly intensity of 35 h >= intensite_hebdomadaire_seuil: the
    # maximum amount for one child under 10 (montants.hors_mayotte.maximum, a scale by
    # number of children: its first bracket).
    import yaml
    import openfisca_france

    path = Path(openfisca_france.__file__).parent / "parameters" / (
        "prestations_sociales/prestations_familiales/education_presence_parentale/agepi/montants/hors_mayotte/"
        "maximum.yaml")
    brackets = yaml.safe_load(path.read_text(encoding="utf-8"))["brackets"]
    one_child = [b for b in brackets if max(v["value"] for v in b["threshold"].values()) <= 1][-1]
    expected = sorted(one_child["amount"].items())[-1][1]["value"]
    assert computed["gated"]["back_to_work"].get("agepi").amount == pytest.approx(expected, abs=0.01)
    assert computed["gated"]["back_to_work"].get("agepi").beneficiaries == ("ines",)


@pytest.mark.slow
def test_asylum_allowance_per_day(computed: dict[str, dict[str, Any]]) -> None:
    # ada = 30 days of November x (montant_journalier_pour_une_personne, plus
    # supplement_non_hebergement when not housed in a centre)
    base = parameter_from_file(f"{ADA}.montant_journalier_pour_une_personne", DAY)
    supplement = parameter_from_file(f"{ADA}.supplement_non_hebergement", DAY)
    assert computed["gated"]["asylum"].get("ada").amount == pytest.approx(30 * (base + supplement), abs=0.01)
    assert computed["gated"]["asylum_housed"].get("ada").amount == pytest.approx(30 * base, abs=0.01)


@pytest.mark.slow
def test_student_grant_and_merit_aid_against_plain_openfisca(engine: Any, computed: dict[str, dict[str, Any]]) -> None:
    """The grant from plain openfisca-core on a situation written here, with the OpenFisca
    inputs the Crous's circular names (not Guichet's mapping): a student of 20 at a public
    university in licence 2, 250 km from the family home, parents' income 24 000 €."""
    from openfisca_core.simulation_builder import SimulationBuilder

    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13) if f"{y}-{m:02d}" <= MONTH]
    every = lambda value: {m: value for m in months}  # noqa: E731
    situation = {
        "individus": {"hugo": {
            "date_naissance": {"ETERNITY": "2006-03-21"}, "activite": every("etudiant"),
            "scolarite": every("enseignement_superieur"), "statuts_etablissement_scolaire": every("public"),
            "annee_etude": every("licence_2"), "bourse_criteres_sociaux_distance_domicile_familial": every(250),
            "bourse_criteres_sociaux_base_ressources_parentale": every(24000.0),
        }},
        "familles": {"f": {"parents": ["hugo"]}},
        "foyers_fiscaux": {"ff": {"declarants": ["hugo"]}},
        "menages": {"m": {"personne_de_reference": ["hugo"], "depcom": every("38185"),
                          "statut_occupation_logement": every("locataire_meuble"), "loyer": every(430.0)}},
    }
    plain = SimulationBuilder().build_from_entities(engine.tbs, copy.deepcopy(situation))
    expected = round(float(plain.calculate("bourse_criteres_sociaux", MONTH)[0]), 2)
    assert expected > 0
    assert computed["gated"]["student"].get("bourse_criteres_sociaux").amount == expected
    # aide au mérite: montant_annuel for a grant holder with the mention très bien, first year
    merit = parameter_from_file(
        "prestations_sociales.education.bourses.enseignement_superieur.aide_merite.montant_annuel", DAY)
    assert computed["gated"]["student_merit"].get("aide_merite").amount == merit


@pytest.mark.slow
def test_once_amounts_in_the_command_line_text(computed: dict[str, dict[str, Any]]) -> None:
    from app.cli import amount_text
    from app.core.benefits.catalogue import load_catalogue

    benefit = load_catalogue().get("aide_mobilite")
    assert amount_text(computed["gated"]["seeker"].get("aide_mobilite"), benefit) == "184,00\u00a0€ versés une fois"
