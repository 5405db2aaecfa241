"""The prime à l'adoption (``paje_adoption``): a child's date of arrival in the home for
adoption (``adoption_date``, case format 3), from the case file, the screening table and the
validation to OpenFisca's ``adoption`` and ``date_adoption``.

Expected values: the parameter files of openfisca-france 176.1.8 (``parameter_from_file``)
and plain openfisca-core (``SimulationBuilder.build_from_entities``) on a situation written
here. OpenFisca pays the prime on the months whose first day is on or after the arrival and
before the first day of the arrival's month + 3 (``paje_adoption``, formula of 2018-04-01).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

import pytest

from explain_cases import parameter_from_file
from app.core.io.casefile import household_from_dict, household_to_dict
from app.core.model.household import Activity, CoupleStatus, Household, Housing, HousingStatus, Person, Resource
from app.core.model.household import ResourceKind, Role
from app.core.model.validation import validate

MONTH = "2026-11"
TODAY = dt.date(2026, 11, 20)
PAJE = "prestations_sociales.prestations_familiales.petite_enfance.paje"
BMAF = "prestations_sociales.prestations_familiales.bmaf.bmaf"


def adopting(arrival: dt.date | None) -> Household:
    """A married couple (one salary, 1 800 € net, 21 000 € taxable in 2024) with Lina, born
    in March 2025, who arrived in their home for adoption on ``arrival``."""
    return Household(
        (Person("paul", Role.DEMANDEUR, dt.date(1984, 2, 2), activity=Activity.SALARIE,
                resources=(Resource(ResourceKind.SALAIRE_NET, stable=1800.0),), taxable_income_n2=21000.0,
                taxable_income_last_year=21500.0),
         Person("lea", Role.CONJOINT, dt.date(1986, 6, 6), taxable_income_n2=0.0, taxable_income_last_year=0.0),
         Person("lina", Role.ENFANT, dt.date(2025, 3, 1), adoption_date=arrival)),
        couple=CoupleStatus.MARIE,
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=700.0, charges=60.0, commune_insee="69123",
                        postal_code="69001"),
        savings=0.0,
    )


def test_the_date_is_read_and_written_by_the_case_file() -> None:
    household = adopting(dt.date(2026, 10, 15))
    data = household_to_dict(household)
    assert data["persons"][2]["adoption_date"] == "2026-10-15"
    assert household_from_dict(data) == household


def test_bad_dates_are_named_in_french() -> None:
    def messages(household: Household) -> list[str]:
        return [p.message for p in validate(household, today=TODAY) if p.field.endswith("adoption_date")]

    adult = dataclasses.replace(adopting(None), persons=(
        dataclasses.replace(adopting(None).persons[0], adoption_date=dt.date(2026, 10, 1)), *adopting(None).persons[1:]))
    assert messages(adult) == ["Personne 1, date d'arrivée au foyer (adoption) : seul un enfant du foyer peut être "
                               "adopté ; choisissez le rôle « enfant »."]
    assert messages(adopting(dt.date(2026, 12, 1))) == [
        "Personne 3, date d'arrivée au foyer (adoption) : la date est dans le futur."]
    assert messages(adopting(dt.date(2025, 1, 1))) == [
        "Personne 3, date d'arrivée au foyer (adoption) : la date d'arrivée au foyer est avant la date de naissance."]
    assert messages(adopting(dt.date(2026, 10, 15))) == []


def test_the_screening_table_gives_each_child_its_date() -> None:
    from test_batch import parse_row

    row = {"statut_logement": "locataire_vide", "loyer": "700", "commune_insee": "69123", "mois": "11/2026",
           "demandeur_date_naissance": "02/02/1984", "enfants_dates_naissance": "01/09/2019;01/03/2025",
           "enfants_dates_adoption": "non;15/10/2026"}
    parsed = parse_row(row)
    assert parsed.problems == []
    assert [p.adoption_date for p in parsed.household.persons if p.role == Role.ENFANT] == [None, dt.date(2026, 10, 15)]
    wrong = parse_row({**row, "enfants_dates_adoption": "15/10/2026"})
    assert [column for column, _message in wrong.problems] == ["enfants_dates_adoption"]


@pytest.fixture(scope="module")
def computed(engine: Any) -> dict[str, Any]:
    cases = {"arrived_last_month": adopting(dt.date(2026, 10, 15)), "arrived_in_june": adopting(dt.date(2026, 6, 10)),
             "not_adopted": adopting(None)}
    gated = engine.compute_many(list(cases.values()), MONTH)
    full = engine.compute_many(list(cases.values()), MONTH, fast=False)
    return {"gated": dict(zip(cases, gated)), "full": dict(zip(cases, full))}


@pytest.mark.slow
def test_prime_in_the_three_months_after_the_arrival_only(computed: dict[str, Any]) -> None:
    # round(100 x paje_cm2.montant.prime_adoption (4.595 BMAF) x bmaf (478.16 from 2026-04-01)) / 100
    prime = round(100 * parameter_from_file(f"{PAJE}.paje_cm2.montant.prime_adoption", "2026-11-01")
                  * parameter_from_file(BMAF, "2026-11-01")) / 100
    amounts = {name: result.get("paje_adoption").amount for name, result in computed["gated"].items()}
    assert amounts == {"arrived_last_month": prime, "arrived_in_june": 0.0, "not_adopted": 0.0}
    assert computed["gated"]["arrived_last_month"].get("paje_adoption").status == "eligible"
    for name in amounts:  # no gate changes it
        assert [(b.benefit_id, b.amount) for b in computed["gated"][name].benefits] == [
            (b.benefit_id, b.amount) for b in computed["full"][name].benefits]


@pytest.mark.slow
def test_against_plain_openfisca(engine: Any, computed: dict[str, Any]) -> None:
    from openfisca_core.simulation_builder import SimulationBuilder

    situation = {
        "individus": {
            "paul": {"date_naissance": {"ETERNITY": "1984-02-02"}, "salaire_imposable": {"2024": 21000.0}},
            "lea": {"date_naissance": {"ETERNITY": "1986-06-06"}},
            "lina": {"date_naissance": {"ETERNITY": "2025-03-01"}, "adoption": {MONTH: True},
                     "date_adoption": {"ETERNITY": "2026-10-15"}},
        },
        "familles": {"f": {"parents": ["paul", "lea"], "enfants": ["lina"]}},
        "foyers_fiscaux": {"ff": {"declarants": ["paul", "lea"], "personnes_a_charge": ["lina"]}},
        "menages": {"m": {"personne_de_reference": ["paul"], "conjoint": ["lea"], "enfants": ["lina"]}},
    }
    plain = SimulationBuilder().build_from_entities(engine.tbs, copy.deepcopy(situation))
    expected = round(float(plain.calculate("paje_adoption", MONTH)[0]), 2)
    assert expected > 0
    assert computed["gated"]["arrived_last_month"].get("paje_adoption").amount == expected
