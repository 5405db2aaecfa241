"""Action Logement's aids reached through the life events of case format 3 (issue 14): a move
gives OpenFisca's ``date_entree_logement``, a job that started its ``contrat_de_travail_debut``.

Expected values from the parameter files of openfisca-france 176.1.8
(``prestations_sociales.aides_logement.action_logement``): Loca-Pass for an entry on or after
the first day of M - ``locapass.delai_max`` (2 months); Mon job mon logement, ``montant``
(1 000 €), for an entry after the first day of M - 3 months
(``delai_max_en_mois_apres_entree_logement``), a contract started on or after the first day of
M - 3 months and a gross salary at most ``pourcentage_maximum_smic`` (1.5) SMIC. Each case is
computed on Guichet's gated path and on the full path (no gate): both must agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from explain_cases import parameter_from_file
from app.core.model.household import (
    Activity, EventKind, Household, Housing, HousingStatus, LifeEvent, Person, Resource, ResourceKind, Role,
)
from app.core.model.periods import add_months, first_day

MONTH = "2026-11"
DAY = "2026-11-01"
ACTION_LOGEMENT = "prestations_sociales.aides_logement.action_logement"
RENNES = Housing(HousingStatus.LOCATAIRE_VIDE, rent=520.0, charges=40.0, commune_insee="35238", postal_code="35000")
PARENTS = Housing(HousingStatus.HEBERGE, commune_insee="35238")


def worker(salary: float, *events: LifeEvent) -> Household:
    """Lucas, 27, salaried, a tenant in Rennes (after living at his parents')."""
    lucas = Person("lucas", Role.DEMANDEUR, dt.date(1999, 3, 3), activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=salary),))
    return Household((lucas,), housing=RENNES, savings=0.0, events=events)


def moved(month: str) -> LifeEvent:
    return LifeEvent(EventKind.MOVE, month, housing_before=PARENTS)


def hired(month: str) -> LifeEvent:
    return LifeEvent(EventKind.JOB_START, month, person="lucas", activity_before=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE)


LOCAPASS_DELAY = parameter_from_file(f"{ACTION_LOGEMENT}.locapass.delai_max", DAY)  # 2 months
MJML_DELAY = parameter_from_file(f"{ACTION_LOGEMENT}.mon_job_mon_logement.delai_max_en_mois_apres_entree_logement", DAY)
MJML_AMOUNT = parameter_from_file(f"{ACTION_LOGEMENT}.mon_job_mon_logement.montant", DAY)  # 1 000 €
# The latest move month each aid accepts, from the parameters: Loca-Pass: entry >= 1st of M-2;
# Mon job mon logement: entry > 1st of M-3 (the date of entry is the 1st of the move's month).
LOCAPASS_OLDEST = add_months(MONTH, -int(LOCAPASS_DELAY))  # 2026-09
MJML_OLDEST = add_months(MONTH, -int(MJML_DELAY) + 1)  # 2026-09

CASES: dict[str, Household] = {
    "no_move": worker(1500.0),
    "moved_in_time": worker(1500.0, moved(LOCAPASS_OLDEST)),
    "moved_too_early": worker(1500.0, moved(add_months(LOCAPASS_OLDEST, -1))),
    "hired_and_moved": worker(1500.0, moved(MJML_OLDEST), hired(MJML_OLDEST)),
    "hired_moved_high_salary": worker(3000.0, moved(MJML_OLDEST), hired(MJML_OLDEST)),
}


@pytest.fixture(scope="module")
def computed(engine: Any) -> dict[str, Any]:
    names = list(CASES)
    gated = engine.compute_many([CASES[n] for n in names], MONTH)
    full = engine.compute_many([CASES[n] for n in names], MONTH, fast=False)
    return {"gated": dict(zip(names, gated)), "full": dict(zip(names, full))}


def test_the_delays_read_from_the_parameters() -> None:
    assert (LOCAPASS_DELAY, MJML_DELAY, MJML_AMOUNT) == (2, 3, 1000)
    assert first_day(LOCAPASS_OLDEST) == dt.date(2026, 9, 1)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_gated_equals_full(computed: dict[str, Any], name: str) -> None:
    gated, full = computed["gated"][name], computed["full"][name]
    assert [(b.benefit_id, b.status, b.amount) for b in gated.benefits] == [
        (b.benefit_id, b.status, b.amount) for b in full.benefits]


@pytest.mark.slow
def test_loca_pass_after_a_recent_move_only(computed: dict[str, Any]) -> None:
    status = {name: computed["gated"][name].get("locapass").status for name in CASES}
    assert status == {"no_move": "not_eligible", "moved_in_time": "eligible", "moved_too_early": "not_eligible",
                      "hired_and_moved": "eligible", "hired_moved_high_salary": "eligible"}


@pytest.mark.slow
def test_mon_job_mon_logement_for_a_new_job_and_a_new_home_under_the_salary_ceiling(computed: dict[str, Any]) -> None:
    amounts = {name: computed["gated"][name].get("mon_job_mon_logement").amount for name in CASES}
    # 1 500 € net is about 1 920 € gross, under 1.5 SMIC (about 2 735 € gross); 3 000 € net is over it.
    assert amounts == {"no_move": 0.0, "moved_in_time": 0.0, "moved_too_early": 0.0,
                       "hired_and_moved": MJML_AMOUNT, "hired_moved_high_salary": 0.0}
    assert computed["gated"]["hired_and_moved"].get("mon_job_mon_logement").amount_period == "once"
