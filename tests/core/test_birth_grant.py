"""The prime à la naissance (``paje_naissance``), computed on the household with its expected
child at the month it is paid (app/core/model/birth.py), and nothing else changed.

Expected values: the parameter files of openfisca-france 176.1.8 (``parameter_from_file``)
and plain openfisca-core (``SimulationBuilder.build_from_entities``) on situations written
here with the unborn child as OpenFisca expects it (a child of the famille whose
``date_naissance`` is the expected date), not through Guichet's mapping.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

import pytest

from explain_cases import parameter_from_file
from app.core.model.birth import UNBORN_ID, birth_grant_case
from app.core.model.household import Activity, CoupleStatus, Household, Housing, HousingStatus, Person, Role

MONTH = "2026-11"
PAJE = "prestations_sociales.prestations_familiales.petite_enfance.paje"
BMAF = "prestations_sociales.prestations_familiales.bmaf.bmaf"
TOULOUSE = Housing(HousingStatus.LOCATAIRE_VIDE, rent=520.0, charges=40.0, commune_insee="31555", postal_code="31500")


def pregnant_alone(due: dt.date | None, n2: float | None = 0.0, n1: float | None = 0.0) -> Household:
    """Chloé, 26, alone, no resources (example 09), with an expected date of birth."""
    chloe = Person("chloe", Role.DEMANDEUR, dt.date(2000, 1, 27), pregnant=True, pregnancy_due_date=due,
                   taxable_income_n2=n2, taxable_income_last_year=n1)
    return Household((chloe,), housing=TOULOUSE, savings=0.0)


def expecting_couple(n2: float) -> Household:
    """A married couple, one income (her husband's), expecting their first child in January."""
    return Household(
        (Person("ana", Role.DEMANDEUR, dt.date(1995, 4, 2), pregnant=True, pregnancy_due_date=dt.date(2027, 1, 20),
                taxable_income_n2=0.0, taxable_income_last_year=0.0),
         Person("marc", Role.CONJOINT, dt.date(1993, 8, 9), activity=Activity.SALARIE, taxable_income_n2=n2,
                taxable_income_last_year=n2)),
        couple=CoupleStatus.MARIE, housing=TOULOUSE, savings=0.0,
    )


def prime_from_parameters(on: str) -> float:
    # paje_naissance (2018-04 formula): round(100 x paje_cm2.montant.prime_naissance x bmaf) / 100
    rate = parameter_from_file(f"{PAJE}.paje_cm2.montant.prime_naissance", on)  # 2.2975 BMAF
    return round(100 * rate * parameter_from_file(BMAF, on)) / 100  # x 478.16 from 2026-04-01 = 1 098.57


def plain_grant(engine: Any, month: str, due: str, income_n2: float, year_n2: int) -> float:
    """Plain openfisca-core: a woman alone with a child born on ``due`` (OpenFisca's own way to
    say a child to be born), taxable salary ``income_n2`` in ``year_n2``."""
    from openfisca_core.simulation_builder import SimulationBuilder

    situation = {
        "individus": {
            "chloe": {"date_naissance": {"ETERNITY": "2000-01-27"},
                      "salaire_imposable": {str(year_n2): income_n2}},
            "bebe": {"date_naissance": {"ETERNITY": due}},
        },
        "familles": {"f": {"parents": ["chloe"], "enfants": ["bebe"]}},
        "foyers_fiscaux": {"ff": {"declarants": ["chloe"], "personnes_a_charge": ["bebe"]}},
        "menages": {"m": {"personne_de_reference": ["chloe"], "enfants": ["bebe"]}},
    }
    simulation = SimulationBuilder().build_from_entities(engine.tbs, copy.deepcopy(situation))
    return round(float(simulation.calculate("paje_naissance", month)[0]), 2)


# --------------------------------------------------------------------------- the household copy


def test_the_expected_child_is_added_at_its_due_date_and_the_grant_paid_two_months_before() -> None:
    case = birth_grant_case(pregnant_alone(dt.date(2027, 1, 20)), MONTH)
    assert case is not None and case.month == "2026-11"
    child = case.household.persons[-1]
    assert (child.id, child.role, child.birth_date) == (UNBORN_ID, Role.ENFANT, dt.date(2027, 1, 20))
    # No expected date, or a birth before the month computed: no copy (the child is declared).
    assert birth_grant_case(pregnant_alone(None), MONTH) is None
    assert birth_grant_case(pregnant_alone(dt.date(2026, 10, 30)), MONTH) is None


def test_a_grant_paid_next_year_reads_last_year_income_as_its_n2() -> None:
    case = birth_grant_case(pregnant_alone(dt.date(2027, 6, 1), n2=30000.0, n1=12000.0), MONTH)
    assert case is not None and case.month == "2027-04"
    mother = case.household.persons[0]
    assert (mother.taxable_income_n2, mother.taxable_income_last_year) == (12000.0, None)


# --------------------------------------------------------------------------- the engine


@pytest.mark.slow
def test_prime_for_a_woman_alone_from_the_parameters_and_plain_openfisca(engine: Any) -> None:
    household = pregnant_alone(dt.date(2027, 1, 20))
    result = engine.compute(household, MONTH)
    grant = result.get("paje_naissance")
    assert grant.status == "eligible" and grant.paid_in == "2026-11"
    assert grant.amount == prime_from_parameters("2026-11-01") == 1098.57
    assert grant.amount == plain_grant(engine, MONTH, "2027-01-20", 0.0, 2024)
    # One-off: in neither total.
    assert result.total_monthly() == round(sum(
        b.amount for b in result.benefits if b.status == "eligible" and b.amount_period == "month"
        and b.benefit_id in result.totals_ids), 2)


@pytest.mark.slow
def test_the_unborn_child_is_counted_by_no_other_benefit(engine: Any) -> None:
    """Every other benefit equals the computation without an expected date; OpenFisca's
    simulation with the child in the household gives another RSA (why it is a copy)."""
    with_date = engine.compute(pregnant_alone(dt.date(2027, 1, 20)), MONTH)
    without = engine.compute(pregnant_alone(None), MONTH)
    others = lambda r: [(b.benefit_id, b.status, b.amount) for b in r.benefits if b.benefit_id != "paje_naissance"]  # noqa: E731
    assert others(with_date) == others(without)
    assert without.get("paje_naissance").amount == 0 and without.get("paje_naissance").paid_in is None
    grant = engine.birth_grant(pregnant_alone(dt.date(2027, 1, 20)), MONTH)
    rsa_with_child = round(float(grant.simulation.calculate("rsa", MONTH)[0]), 2)
    assert rsa_with_child != with_date.get("rsa").amount


@pytest.mark.slow
def test_no_prime_above_the_paje_ceiling(engine: Any) -> None:
    # Ceiling of a couple with one income and its first child (ne_adopte_apres_04_2018):
    # plafond_ressources_0_enfant x (1 + premier_2eme_enfant) = 29 694 x 1.25 = 37 117.50.
    day = "2026-11-01"
    ceiling = parameter_from_file(f"{PAJE}.paje_plaf.ne_adopte_apres_04_2018.taux_partiel.plafond_ressources_0_enfant",
                                  day) * (1 + parameter_from_file(
                                      f"{PAJE}.paje_plaf.ne_adopte_apres_04_2018.majorations_enfants.premier_2eme_enfant",
                                      day))
    assert ceiling == 37117.5
    # 45 000 € of taxable salary in 2024: 40 500 € after the 10 % deduction, above it.
    above = engine.compute(expecting_couple(45000.0), MONTH).get("paje_naissance")
    # 30 000 €: 27 000 € after the deduction, under it.
    under = engine.compute(expecting_couple(30000.0), MONTH).get("paje_naissance")
    assert (above.status, above.amount) == ("not_eligible", 0.0)
    assert (under.status, under.amount) == ("eligible", prime_from_parameters(day))


@pytest.mark.slow
def test_a_grant_paid_next_year_uses_the_income_of_its_own_n2(engine: Any) -> None:
    """Due on 1 June 2027: paid in April 2027, on the resources of 2025 (declared as last year's)."""
    # 2024: 60 000 € (over any ceiling); 2025: 12 000 €.
    low_n1 = engine.compute(pregnant_alone(dt.date(2027, 6, 1), n2=60000.0, n1=12000.0), MONTH)
    high_n1 = engine.compute(pregnant_alone(dt.date(2027, 6, 1), n2=12000.0, n1=60000.0), MONTH)
    assert low_n1.get("paje_naissance").paid_in == "2027-04"
    assert low_n1.get("paje_naissance").amount == plain_grant(engine, "2027-04", "2027-06-01", 12000.0, 2025) > 0
    assert high_n1.get("paje_naissance").amount == plain_grant(engine, "2027-04", "2027-06-01", 60000.0, 2025) == 0
    # April 2027 is after the legislation known: said, with the month.
    assert any("avril 2027" in w for w in low_n1.warnings)


@pytest.mark.slow
def test_the_explanation_reads_the_grant_simulation(engine: Any) -> None:
    from app.core.compute.explain import Explainer

    explanation = Explainer(engine, pregnant_alone(dt.date(2027, 1, 20)), MONTH).explain("paje_naissance")
    assert explanation.determined and explanation.amount == 1098.57
    texts = [c.text for c in explanation.conditions]
    assert any(text.startswith("naissance attendue à la date prévue") for text in texts), texts


@pytest.mark.slow
def test_the_payment_month_in_the_command_line_the_json_and_back(engine: Any) -> None:
    from app.cli import amount_text
    from app.core.benefits.catalogue import load_catalogue
    from app.core.io.results_json import result_from_dict, result_to_dict

    result = engine.compute(pregnant_alone(dt.date(2027, 1, 20)), MONTH)
    benefit = load_catalogue().get("paje_naissance")
    assert amount_text(result.get("paje_naissance"), benefit) == "1\u202f098,57\u00a0€ versés une fois (versé en novembre 2026)"
    again = result_from_dict(result_to_dict(result))
    assert again.get("paje_naissance").paid_in == "2026-11"
    assert dataclasses.replace(again) == result


@pytest.mark.slow
def test_example_17(engine: Any) -> None:
    """The couple of example 17: 18 800 € of taxable salary in 2024 (16 920 € after the 10 %
    deduction), under the one-income ceiling of a first child (37 117,50 €): the whole prime,
    paid in November 2026 for a birth expected on 20 January 2027."""
    from pathlib import Path

    from app.core.io.casefile import load_case

    household, month = load_case(Path(__file__).resolve().parents[2] / "examples" / "17-couple-attend-un-enfant-toulouse.json")
    grant = engine.compute(household, month).get("paje_naissance")
    assert (grant.status, grant.amount, grant.paid_in) == ("eligible", prime_from_parameters("2026-11-01"), "2026-11")
