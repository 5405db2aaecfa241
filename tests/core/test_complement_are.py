"""The complément ARE (``complement_are_net``): an employee who took up a job while days of
ARE are left (``unemployment_rights``, case format 3), from the case file, the screening
table and the validation to OpenFisca's inputs on the month computed.

Expected values: a hand calculation from the parameter files of openfisca-france 176.1.8
(``parameter_from_file``) following the formulas of ``model/prestations/complement_are.py``
and ``cotisations_sociales/chomage.py``, and plain openfisca-core
(``SimulationBuilder.build_from_entities``) on a situation written here.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

import pytest

from explain_cases import parameter_from_file
from app.core.io.casefile import household_from_dict, household_to_dict
from app.core.model.household import Activity, Household, Housing, HousingStatus, Person, Resource, ResourceKind
from app.core.model.household import Role, UnemploymentRights
from app.core.model.validation import validate

MONTH = "2026-11"  # 30 days
TODAY = dt.date(2026, 11, 20)
RIGHTS = UnemploymentRights(daily_allowance=40.0, reference_daily_wage=70.0, days_left=300)
COMPLEMENT = "chomage.allocations_assurance_chomage.complement_are"
CRC = "prelevements_sociaux.regimes_complementaires_retraite_secteur_prive.cotisation_retraite_complementaire.chomage.taux"
ARE_MINIMUM = "chomage.allocations_assurance_chomage.alloc_base.montant_minimum.apres_1979.montant_minimum_hors_mayotte"
SMIC = "marche_travail.salaire_minimum.smic.smic_b_horaire"


def employee(rights: UnemploymentRights | None, salary: float = 1000.0, activity: Activity = Activity.SALARIE) -> Household:
    """Sam, 36, alone, rents in Amiens, took up a part-time job paid ``salary`` net a month."""
    return Household(
        (Person("sam", Role.DEMANDEUR, dt.date(1990, 5, 5), activity=activity,
                resources=(Resource(ResourceKind.SALAIRE_NET, stable=salary),), unemployment_rights=rights),),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=500.0, charges=40.0, commune_insee="80021",
                        postal_code="80000"),
        savings=0.0,
    )


def test_the_rights_are_read_and_written_by_the_case_file() -> None:
    household = employee(RIGHTS)
    data = household_to_dict(household)
    assert data["persons"][0]["unemployment_rights"] == {"daily_allowance": 40.0, "reference_daily_wage": 70.0,
                                                         "days_left": 300}
    assert household_from_dict(data) == household
    del data["persons"][0]["unemployment_rights"]["days_left"]
    from app.core.io.casefile import InvalidHousehold

    with pytest.raises(InvalidHousehold) as caught:
        household_from_dict(data)
    assert [p.message for p in caught.value.problems] == [
        "Personne 1, droits à l'allocation chômage (ARE) restants, jours d'ARE restants : à renseigner."]


def test_bad_rights_are_named_in_french() -> None:
    def messages(household: Household) -> list[str]:
        return [p.message for p in validate(household, today=TODAY) if ".unemployment_rights" in p.field]

    assert messages(employee(RIGHTS)) == []
    assert messages(employee(RIGHTS, activity=Activity.DEMANDEUR_EMPLOI_INDEMNISE)) == [
        "Personne 1, droits à l'allocation chômage (ARE) restants : des droits à l'allocation chômage restants sont "
        "indiqués, mais la personne n'est pas salariée (le complément ARE concerne un emploi repris)."]
    wrong = dataclasses.replace(RIGHTS, daily_allowance=4000.0, days_left=5000)
    from app.core.base.i18n import t

    out_of_range = t("problem.out_of_range", field="", value="5\u202f000", max="1\u202f095").removeprefix(" : ")
    assert messages(employee(wrong)) == [
        "Personne 1, droits à l'allocation chômage (ARE) restants, allocation journalière brute (ARE) : montant "
        "invraisemblable (4\u202f000,00\xa0€). Vérifiez qu'il s'agit d'un montant par jour en euros.",
        "Personne 1, droits à l'allocation chômage (ARE) restants, jours d'ARE restants : " + out_of_range,
    ]


def test_the_screening_table_reads_the_three_columns() -> None:
    from test_batch import parse_row

    row = {"statut_logement": "locataire_vide", "loyer": "500", "commune_insee": "80021", "mois": "11/2026",
           "demandeur_date_naissance": "05/05/1990", "demandeur_activite": "salarie",
           "demandeur_salaire_net_mensuel": "1000", "demandeur_are_allocation_journaliere_brute": "40",
           "demandeur_are_salaire_journalier_reference": "70", "demandeur_are_jours_restants": "300"}
    parsed = parse_row(row)
    assert parsed.problems == []
    assert parsed.household.persons[0].unemployment_rights == RIGHTS
    missing = parse_row({k: v for k, v in row.items() if k != "demandeur_are_jours_restants"})
    assert [column for column, _message in missing.problems] == ["demandeur_are_jours_restants"]


@pytest.fixture(scope="module")
def computed(engine: Any) -> dict[str, Any]:
    cases = {
        "working_with_days_left": employee(RIGHTS),
        "five_days_left": employee(dataclasses.replace(RIGHTS, days_left=5)),
        "no_day_left": employee(dataclasses.replace(RIGHTS, days_left=0)),
        "salary_too_high": employee(RIGHTS, salary=2500.0),
        "no_rights_declared": employee(None),
    }
    gated = engine.compute_many(list(cases.values()), MONTH)
    full = engine.compute_many(list(cases.values()), MONTH, fast=False)
    return {"gated": dict(zip(cases, gated)), "full": dict(zip(cases, full)), "cases": cases}


def gross_salary(engine: Any, household: Household) -> float:
    """The gross salary of M our situation gives OpenFisca (salaire_de_base, from the net by
    the engine's converter: tested in test_situation)."""
    from app.core.openfisca.situation import build_situation

    situation = build_situation(household, MONTH, engine.converter(MONTH))
    return float(situation.data["individus"][household.persons[0].id]["salaire_de_base"][MONTH])


def by_hand(gross: float, rights: UnemploymentRights) -> float:
    """complement_are_net for a daily ARE under the CSG/CRDS exemption threshold (ceil(SMIC
    horaire brut x 35 / 7)) and over the CRC's (the minimum ARE): the days that the ARE of
    the month minus 70 % of the gross salary covers (rounded), at most the days left, times
    the daily ARE, less the complementary pension contribution (SJR x rate, rounded to the
    cent) on every day covered."""
    import math

    on = "2026-11-01"
    daily = rights.daily_allowance
    crc = round(rights.reference_daily_wage * parameter_from_file(CRC, on), 2)
    assert daily - crc > parameter_from_file(ARE_MINIMUM, on)  # the contribution is due
    assert daily < math.ceil(parameter_from_file(SMIC, on) * 35 / 7)  # no CSG nor CRDS
    kept = round(gross * parameter_from_file(f"{COMPLEMENT}.taux_remuneration_retenue", on), 1)
    covered = round(max(0.0, 30 * daily - kept) / daily)
    paid = min(covered, rights.days_left)
    return round(daily * paid - crc * covered, 2)


@pytest.mark.slow
def test_complement_from_the_parameters(engine: Any, computed: dict[str, Any]) -> None:
    cases = computed["cases"]
    amounts = {name: result.get("complement_are").amount for name, result in computed["gated"].items()}
    expected_full = by_hand(gross_salary(engine, cases["working_with_days_left"]), RIGHTS)
    # 1 263,27 € gross: 30 x 40 - 884,30 = 315,70 € -> 8 days -> 320 € - 8 x 2,10 € = 303,20 €
    assert expected_full == 303.2
    expected_five = by_hand(gross_salary(engine, cases["five_days_left"]), cases["five_days_left"].persons[0].unemployment_rights)
    assert amounts == {"working_with_days_left": expected_full, "five_days_left": expected_five, "no_day_left": 0.0,
                       "salary_too_high": 0.0, "no_rights_declared": 0.0}
    assert computed["gated"]["working_with_days_left"].get("complement_are").status == "eligible"
    assert computed["gated"]["salary_too_high"].get("complement_are").status == "not_eligible"
    for name in amounts:  # no gate changes any benefit
        assert [(b.benefit_id, b.amount) for b in computed["gated"][name].benefits] == [
            (b.benefit_id, b.amount) for b in computed["full"][name].benefits]


@pytest.mark.slow
def test_against_plain_openfisca(engine: Any, computed: dict[str, Any]) -> None:
    from openfisca_core.simulation_builder import SimulationBuilder

    gross = gross_salary(engine, computed["cases"]["working_with_days_left"])
    situation = {
        "individus": {"sam": {
            "date_naissance": {"ETERNITY": "1990-05-05"}, "activite": {MONTH: "actif"},
            "salaire_de_base": {MONTH: gross}, "allocation_retour_emploi_journaliere": {MONTH: 40.0},
            "are_salaire_journalier_reference": {MONTH: 70.0}, "complement_are_nombre_jours_restants": {MONTH: 300.0},
        }},
        "familles": {"f": {"parents": ["sam"]}},
        "foyers_fiscaux": {"ff": {"declarants": ["sam"]}},
        "menages": {"m": {"personne_de_reference": ["sam"]}},
    }
    plain = SimulationBuilder().build_from_entities(engine.tbs, copy.deepcopy(situation))
    expected = round(float(plain.calculate("complement_are_net", MONTH)[0]), 2)
    assert expected > 0
    assert computed["gated"]["working_with_days_left"].get("complement_are").amount == expected


@pytest.mark.slow
def test_the_explanation_names_the_days_and_the_salary(engine: Any) -> None:
    from app.core.compute.explain import Explainer

    texts = {name: [c.text for c in Explainer(engine, household, MONTH).explain("complement_are").conditions]
             for name, household in (("paid", employee(RIGHTS)), ("none", employee(None)),
                                     ("high", employee(RIGHTS, salary=2500.0)))}
    assert "300 jours d'ARE restants" in texts["paid"]
    # 30 days x 40 € = 1 200 €; 1 200 - round(0.7 x 1 263,27, 1) = 315,70 €
    assert "l'allocation du mois (1\u202f200\xa0€) moins 70\xa0% du salaire brut laisse 315,70\xa0€" in texts["paid"]
    assert [text for text in texts["none"] if "ARE" in text] == [
        "pas de droits à l'allocation chômage (ARE) restants indiqués : ils se saisissent sur la fiche de la personne "
        "salariée (« Droits au chômage restants »)"]
    assert any(text.startswith("le salaire repris est trop élevé") for text in texts["high"])


@pytest.mark.slow
def test_example_19_keeps_303_20_euros_of_its_are(engine: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """examples/19-…: the household of ``employee(RIGHTS)`` with its declared taxable incomes;
    its complément is the hand calculation above, and the CLI's JSON says so."""
    import json
    from pathlib import Path

    from app.cli import main
    from app.core.io.casefile import load_case

    path = Path(__file__).resolve().parents[2] / "examples" / "19-salarie-reprise-emploi-droits-chomage-amiens.json"
    household, month = load_case(path, today=TODAY)
    assert month == MONTH and household.persons[0].unemployment_rights == RIGHTS
    result = engine.compute(household, month)
    assert result.get("complement_are").amount == by_hand(gross_salary(engine, household), RIGHTS) == 303.2
    capsys.readouterr()
    assert main(["simulate", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    line = next(b for b in data["benefits"] if b["benefit_id"] == "complement_are")
    assert (line["amount"], line["status"]) == (303.2, "eligible")
