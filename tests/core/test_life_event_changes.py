"""Changes at a given month inside OpenFisca's look-back windows (case format 3, ``events``):
a job that ended or started, a move, a couple that formed.

Each amount test first reproduces the wrong amount (the case without the event: the
situation the same on every month, as before format 3, or the best a format-2 case could
say) and then checks the right one against plain openfisca-core computing a situation
written out here in full (``SimulationBuilder().build_from_entities``), month by month."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from app.core.io.casefile import VERSION, case_from_dict, case_to_dict, load_case
from app.core.model.household import (
    Activity,
    CoupleStatus,
    EventKind,
    Household,
    Housing,
    HousingStatus,
    LifeEvent,
    Person,
    Resource,
    ResourceKind,
    Role,
)
from app.core.openfisca.situation import ASSUMED_DWELLING_BEFORE, FixedRatioConverter, build_situation, input_months
from app.core.model.validation import InvalidHousehold, validate

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "16-licencie-recemment-rennes.json"
TODAY = dt.date(2026, 11, 29)
MONTH = "2026-11"
MONTHS = input_months(MONTH)  # 2024-01 .. 2026-11, as Guichet fills them


def _example() -> Household:
    return load_case(EXAMPLE, today=TODAY)[0]


def _with(household: Household, **changes: Any) -> Household:
    return dataclasses.replace(household, **changes)


def _person(household: Household, **changes: Any) -> Household:
    return _with(household, persons=(dataclasses.replace(household.persons[0], **changes),) + household.persons[1:])


# ----------------------------------------------------------------- case format


def test_format_1_and_2_files_are_still_read_and_new_files_are_format_3() -> None:
    for name, version in (("09-jeune-femme-enceinte-toulouse.json", 1), ("11-mere-separee-recemment-nantes.json", 2)):
        old = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
        assert old["version"] == version
        household, month = case_from_dict(old, today=TODAY)
        assert household.events == ()
        written = case_to_dict(household, month)
        assert written["version"] == VERSION == 3
        assert "events" not in written["household"]


def test_events_round_trip() -> None:
    household = _example()
    assert household.events == (
        LifeEvent(EventKind.JOB_END, "2026-08", person="yanis", activity_before=Activity.SALARIE, salary_before=1147.81),
    )
    partner = Person("lea", Role.CONJOINT, dt.date(1990, 5, 1), activity=Activity.SALARIE,
                     resources=(Resource(ResourceKind.SALAIRE_NET, stable=1300.0),))
    before = Housing(HousingStatus.LOCATAIRE_MEUBLE, rent=420.0, charges=30.0, commune_insee="35047")
    more = _with(household, couple=CoupleStatus.CONCUBIN, persons=household.persons + (partner,), events=household.events + (
        LifeEvent(EventKind.JOB_START, "2026-06", person="lea", unemployment_before=800.0),
        LifeEvent(EventKind.MOVE, "2026-05", housing_before=before),
        LifeEvent(EventKind.COUPLE_START, "2026-05"),
    ))
    assert validate(more, TODAY) == ()
    data = case_to_dict(more, MONTH)
    assert data["household"]["events"][1] == {"kind": "job_start", "month": "2026-06", "person": "lea",
                                              "salary_before": 0.0, "unemployment_before": 800.0}
    assert case_from_dict(json.loads(json.dumps(data)), today=TODAY)[0] == more


def _messages(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidHousehold) as caught:
        case_from_dict(data, today=TODAY)
    return [p.message for p in caught.value.problems]


def _event_case(**event: Any) -> dict[str, Any]:
    data = case_to_dict(_example(), MONTH)
    data["household"]["events"] = [{"kind": "job_end", "month": "2026-08", "person": "yanis", "salary_before": 1147.81, **event}]
    return data


def test_bad_events_are_named_in_french() -> None:
    assert _messages(_event_case(month="2026-8")) == [
        "Changement 1 (fin d'emploi), mois du changement : « 2026-8 » n'est pas un mois (format attendu : 2026-11)."
    ]
    assert _messages(_event_case(month="2026-12")) == [
        "Changement 1 (fin d'emploi), mois du changement : le mois est dans le futur ; indiquez un changement qui a déjà eu lieu."
    ]
    assert _messages(_event_case(month="2023-10")) == [
        "Changement 1 (fin d'emploi), mois du changement : plus de 36 mois avant aujourd'hui ; un changement aussi "
        "ancien ne change plus les droits calculés : décrivez seulement la situation actuelle."
    ]
    assert _messages(_event_case(salary_before="1.450")) == [
        "Changement 1 (fin d'emploi), salaire net mensuel d'avant : « 1.450 » est ambigu. Écrivez 1 500 ou 1500 "
        "pour des milliers, 1,50 pour des centimes.",
    ]
    assert _messages(_event_case(salary_before=None)) == [
        "Changement 1 (fin d'emploi), salaire net mensuel d'avant : indiquez le salaire net mensuel que la personne "
        "touchait avant la fin de l'emploi."
    ]
    assert _messages(_event_case(person="p9")) == [
        "Changement 1 (fin d'emploi), personne : « p9 » n'est ni le demandeur ni le conjoint (indiquez l'identifiant de l'un d'eux)."
    ]
    assert _messages(_event_case(kind="demenagement")) == [
        "Changement 1 (?), type de changement : « demenagement » n'est pas une valeur possible (fin d'emploi (job_end), "
        "reprise d'emploi (job_start), déménagement (move), mise en couple (couple_start))."
    ]
    move = _event_case(kind="move", housing_before={"status": "heberge_gratuitement", "rent": 300, "commune_insee": "99999"})
    assert _messages(move) == [
        "Changement 1 (déménagement), logement d'avant, loyer : un loyer est indiqué, mais le statut « hébergé(e) "
        "gratuitement » ne paie pas de loyer.",
        "Changement 1 (déménagement), logement d'avant, commune : le code « 99999 » ne correspond à aucune commune connue.",
    ]
    assert _messages(_event_case(kind="couple_start")) == [
        "Changement 1 (mise en couple), type de changement : une mise en couple est indiquée, mais le foyer est déclaré « seul(e) »."
    ]


def test_events_must_agree_with_the_household_declared_now() -> None:
    household = _example()
    working = _person(household, activity=Activity.SALARIE)
    assert [p.message for p in validate(working, TODAY)] == [
        "Changement 1 (fin d'emploi), personne : une fin d'emploi est indiquée, mais l'activité actuelle de "
        "Personne 1 (Yanis) est « salarié(e) » : indiquez l'activité depuis la fin de l'emploi (demandeur d'emploi…)."
    ]
    start = _with(household, events=(LifeEvent(EventKind.JOB_START, "2026-08", person="yanis"),))
    assert [p.field for p in validate(start, TODAY)] == ["events.0.person"]
    monthly = _person(household, resources=(Resource(ResourceKind.CHOMAGE, monthly=(930.0,) * 12),))
    assert [p.message for p in validate(monthly, TODAY)] == [
        "Changement 1 (fin d'emploi), personne : le salaire ou l'allocation chômage de Personne 1 (Yanis) est indiqué "
        "mois par mois ; avec un changement d'emploi, indiquez le montant actuel comme montant stable, et celui "
        "d'avant dans le changement."
    ]
    twice = _with(household, events=household.events * 2)
    assert [p.field for p in validate(twice, TODAY)] == ["events.1.kind"]


# ----------------------------------------------------------------- mapping (no OpenFisca)

RATIOS = FixedRatioConverter(salary=0.9, unemployment=0.95, gross_ratio=1.3)


def test_a_job_that_ended_splits_salary_benefit_and_activity_at_its_month() -> None:
    person = build_situation(_example(), MONTH, RATIOS).data["individus"]["yanis"]
    before = [m for m in MONTHS if m < "2026-08"]
    after = [m for m in MONTHS if m >= "2026-08"]
    assert {person["salaire_net"][m] for m in before} == {1147.81} and {person["salaire_net"][m] for m in after} == {0.0}
    assert {person["salaire_imposable"][m] for m in before} == {1033.03}  # 1 147.81 x 0.9
    assert {person["chomage_net"][m] for m in before} == {0.0} and {person["chomage_net"][m] for m in after} == {930.0}
    assert {person["activite"][m] for m in before} == {"actif"} and {person["activite"][m] for m in after} == {"chomeur"}
    assert person["date_debut_chomage"] == {"ETERNITY": "2026-08-01"}
    without = build_situation(_with(_example(), events=()), MONTH, RATIOS).data["individus"]["yanis"]
    assert "date_debut_chomage" not in without and set(without["salaire_net"].values()) == {0.0}


def test_a_job_that_started_sets_the_contract_date_from_its_month() -> None:
    household = _person(_example(), activity=Activity.SALARIE, resources=(Resource(ResourceKind.SALAIRE_NET, stable=1400.0),))
    household = _with(household, events=(LifeEvent(EventKind.JOB_START, "2026-10", person="yanis", unemployment_before=700.0),))
    person = build_situation(household, MONTH, RATIOS).data["individus"]["yanis"]
    assert person["salaire_net"]["2026-09"] == 0.0 and person["salaire_net"]["2026-10"] == 1400.0
    assert person["chomage_net"]["2026-09"] == 700.0 and person["chomage_net"]["2026-10"] == 0.0
    assert person["activite"]["2026-09"] == "chomeur"  # indemnified before: a job seeker
    assert person["contrat_de_travail_debut"] == {"2026-10": "2026-10-01", "2026-11": "2026-10-01"}
    assert "date_debut_chomage" not in person


def test_a_move_gives_the_dwelling_before_on_the_months_before_it() -> None:
    before = Housing(HousingStatus.HEBERGE, commune_insee="35047")
    household = _with(_example(), events=(LifeEvent(EventKind.MOVE, "2026-03", housing_before=before),))
    situation = build_situation(household, MONTH, RATIOS)
    menage = situation.data["menages"]["menage_1"]
    assert menage["statut_occupation_logement"]["2026-02"] == "loge_gratuitement"
    assert menage["statut_occupation_logement"]["2026-03"] == "locataire_vide"
    assert (menage["loyer"]["2026-02"], menage["loyer"]["2026-03"]) == (0.0, 510.0)
    assert (menage["depcom"]["2026-02"], menage["depcom"]["2026-03"]) == ("35047", "35238")
    assert menage["date_entree_logement"]["2026-03"] == "2026-03-01" and "2026-02" not in menage["date_entree_logement"]
    assert ASSUMED_DWELLING_BEFORE not in situation.assumptions
    unknown = _with(_example(), events=(LifeEvent(EventKind.MOVE, "2026-03"),))
    situation = build_situation(unknown, MONTH, RATIOS)
    assert set(situation.data["menages"]["menage_1"]["statut_occupation_logement"].values()) == {"locataire_vide"}
    assert ASSUMED_DWELLING_BEFORE in situation.assumptions


def test_a_couple_formed_is_married_from_its_month_only() -> None:
    partner = Person("lea", Role.CONJOINT, dt.date(1990, 5, 1))
    household = _with(_example(), couple=CoupleStatus.MARIE, persons=_example().persons + (partner,),
                      events=(LifeEvent(EventKind.COUPLE_START, "2026-06"),))
    marital = build_situation(household, MONTH, RATIOS).data["individus"]["lea"]["statut_marital"]
    assert (marital["2026-05"], marital["2026-06"], marital[MONTH]) == ("celibataire", "marie", "marie")


# ----------------------------------------------------------------- amounts against plain openfisca-core


def _plain(engine: Any, data: dict[str, Any], variable: str, period: str = MONTH) -> float:
    """``variable`` computed by openfisca-core alone on a situation dict."""
    from openfisca_core.simulation_builder import SimulationBuilder

    simulation = SimulationBuilder().build_from_entities(engine.tbs, copy.deepcopy(data))
    return round(float(simulation.calculate(variable, period)[0]), 2)


def _taxable(engine: Any, kind: ResourceKind, net: float) -> float:
    """OpenFisca-France's own net -> taxable amount (the engine's grid is computed by it)."""
    return round(engine.converter(MONTH).taxable(kind, net), 2)


def _single_tenant(individu: dict[str, Any], menage: dict[str, Any] | None = None) -> dict[str, Any]:
    """One adult alone, tenant (empty dwelling, not conventionné) in Rennes, every month."""
    return {
        "individus": {"yanis": {"date_naissance": {"ETERNITY": "1988-04-17"}, **individu}},
        "familles": {"f": {"parents": ["yanis"]}},
        "foyers_fiscaux": {"ff": {"declarants": ["yanis"]}},
        "menages": {"m": {
            "personne_de_reference": ["yanis"],
            "statut_occupation_logement": {m: "locataire_vide" for m in MONTHS},
            "loyer": {m: 510.0 for m in MONTHS},
            "charges_locatives": {m: 45.0 for m in MONTHS},
            "depcom": {m: "35238" for m in MONTHS},
            **(menage or {}),
        }},
    }


def test_housing_aid_abates_earned_income_after_two_months_of_indemnified_unemployment(engine: Any) -> None:
    """Example 16: Yanis earned 1 147,81 € net a month until his job ended in August 2026; since
    then, an unemployment benefit of 930 € net. Housing aid in November reads the taxable
    income of November 2025 .. September 2026 (M-13 .. M-2), and, for a person unemployed
    and indemnified for 2 months or more (``date_debut_chomage`` before M-2), abates the
    earned income by 30 % (CCH R822-13; ``aide_logement_abattement_revenus_activite_professionnelle``).

    Expected: openfisca-core on the situation below (every month of January 2024 .. November
    2026 written out: salary before August, benefit from August, job seeker since 01/08/2026)."""
    salary, benefit = 1147.81, 930.0
    salary_taxable = _taxable(engine, ResourceKind.SALAIRE_NET, salary)
    benefit_taxable = _taxable(engine, ResourceKind.CHOMAGE, benefit)
    worked = {m: m < "2026-08" for m in MONTHS}
    individu = {
        "activite": {m: "actif" if w else "chomeur" for m, w in worked.items()},
        "salaire_net": {m: salary if w else 0.0 for m, w in worked.items()},
        "salaire_imposable": {m: salary_taxable if w else 0.0 for m, w in worked.items()},
        "chomage_net": {m: 0.0 if w else benefit for m, w in worked.items()},
        "chomage_imposable": {m: 0.0 if w else benefit_taxable for m, w in worked.items()},
        "date_debut_chomage": {"ETERNITY": "2026-08-01"},
    }
    expected = _plain(engine, _single_tenant(individu), "aide_logement")
    # The same without the date the unemployment started: no abatement (what a format-2 case,
    # typing the 12 months of salary and benefit, was computed with).
    no_date = {k: v for k, v in individu.items() if k != "date_debut_chomage"}
    wrong = _plain(engine, _single_tenant(no_date), "aide_logement")
    # Also tests/core/reference/r16-*: 181 with the date, 84 without (there from the gross salary).
    assert (wrong, expected) == (84.0, 181.0)

    household = _example()
    typed_by_month = _with(household, events=(), persons=(dataclasses.replace(household.persons[0], resources=(
        Resource(ResourceKind.SALAIRE_NET, monthly=(salary,) * 9 + (0.0,) * 3),
        Resource(ResourceKind.CHOMAGE, monthly=(0.0,) * 9 + (benefit,) * 3),
    )),))
    assert engine.compute(typed_by_month, MONTH).get("aide_logement").amount == wrong
    assert engine.compute(household, MONTH).get("aide_logement").amount == expected


def test_rsa_neutralises_a_salary_that_stopped_in_the_month_computed(engine: Any) -> None:
    """A job that ended in the month computed, no unemployment benefit: the RSA's quarterly
    resources leave out an earned income that stopped in month M with no replacement income
    (``rsa_base_ressources_individu``: « revenus pros interrompus au mois M … neutralisés »;
    CASF R262-13). Without the event, month M repeats M-1 (the salary still paid) and the
    3 months of salary are counted.

    Expected: openfisca-core on the situation below (1 100 € net until October, nothing
    from November, job seeker not indemnified)."""
    salary = 1100.0
    taxable = _taxable(engine, ResourceKind.SALAIRE_NET, salary)
    worked = {m: m < MONTH for m in MONTHS}
    individu = {
        "activite": {m: "actif" if w else "chomeur" for m, w in worked.items()},
        "salaire_net": {m: salary if w else 0.0 for m, w in worked.items()},
        "salaire_imposable": {m: taxable if w else 0.0 for m, w in worked.items()},
        "date_debut_chomage": {"ETERNITY": "2026-11-01"},
    }
    expected = _plain(engine, _single_tenant(individu), "rsa")
    still_paid = dict(individu, salaire_net={m: salary for m in MONTHS}, salaire_imposable={m: taxable for m in MONTHS})
    wrong = _plain(engine, _single_tenant(still_paid), "rsa")
    # Neutralised: the base amount less the housing flat rate (housing aid is received).
    assert wrong == 0.0 and expected == 573.49

    household = _with(_person(_example(), activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE, resources=()), events=())
    ended_now = _with(household, events=(LifeEvent(EventKind.JOB_END, MONTH, person="yanis", salary_before=salary),))
    typed_by_month = _person(household, resources=(Resource(ResourceKind.SALAIRE_NET, monthly=(salary,) * 12),))
    assert engine.compute(typed_by_month, MONTH).get("rsa").amount == wrong
    assert engine.compute(ended_now, MONTH).get("rsa").amount == expected


def test_prime_activite_counts_only_the_months_of_a_job_that_started(engine: Any) -> None:
    """A job started in October 2026 at 1 400 € net, after months of unemployment benefit of
    700 €: the prime d'activité of November averages August .. October (one month of salary,
    two of benefit). Without the event, a « salarié(e) » with a stable salary is computed as
    if paid for the whole quarter (and the benefit as never received).

    Expected: openfisca-core on the situation below."""
    salary, benefit = 1400.0, 700.0
    salary_taxable = _taxable(engine, ResourceKind.SALAIRE_NET, salary)
    benefit_taxable = _taxable(engine, ResourceKind.CHOMAGE, benefit)
    working = {m: m >= "2026-10" for m in MONTHS}
    individu = {
        "activite": {m: "actif" if w else "chomeur" for m, w in working.items()},
        "salaire_net": {m: salary if w else 0.0 for m, w in working.items()},
        "salaire_imposable": {m: salary_taxable if w else 0.0 for m, w in working.items()},
        "chomage_net": {m: 0.0 if w else benefit for m, w in working.items()},
        "chomage_imposable": {m: 0.0 if w else benefit_taxable for m, w in working.items()},
        "contrat_de_travail_debut": {m: "2026-10-01" for m in MONTHS if m >= "2026-10"},
    }
    expected = _plain(engine, _single_tenant(individu), "ppa")
    whole_quarter = {
        "activite": {m: "actif" for m in MONTHS},
        "salaire_net": {m: salary for m in MONTHS},
        "salaire_imposable": {m: salary_taxable for m in MONTHS},
    }
    wrong = _plain(engine, _single_tenant(whole_quarter), "ppa")
    assert wrong != expected

    household = _person(_example(), activity=Activity.SALARIE, resources=(Resource(ResourceKind.SALAIRE_NET, stable=salary),))
    started = _with(household, events=(LifeEvent(EventKind.JOB_START, "2026-10", person="yanis", unemployment_before=benefit),))
    assert engine.compute(_with(household, events=()), MONTH).get("prime_activite").amount == wrong
    assert engine.compute(started, MONTH).get("prime_activite").amount == expected


def test_energy_cheque_reads_the_dwelling_of_january(engine: Any) -> None:
    """Moved in March 2026 from a relative's home (hébergé gratuitement) into the declared
    rented dwelling: the energy cheque of 2026 goes to a household that occupied, on
    1 January, a dwelling subject to the housing tax (``cheque_energie_eligibilite_logement``
    reads ``statut_occupation_logement`` of January; Code de l'énergie L124-1). Without the
    event the rented dwelling is given on every month, January included.

    Expected: openfisca-core on the situation below (no income, hébergé until February 2026)."""
    moved = {m: m >= "2026-03" for m in MONTHS}
    menage = {
        "statut_occupation_logement": {m: "locataire_vide" if v else "loge_gratuitement" for m, v in moved.items()},
        "loyer": {m: 510.0 if v else 0.0 for m, v in moved.items()},
        "charges_locatives": {m: 45.0 if v else 0.0 for m, v in moved.items()},
        "date_entree_logement": {m: "2026-03-01" for m, v in moved.items() if v},
    }
    individu = {"activite": {m: "chomeur" for m in MONTHS}}
    expected = _plain(engine, _single_tenant(individu, menage), "cheque_energie", "2026")
    wrong = _plain(engine, _single_tenant(individu), "cheque_energie", "2026")
    assert wrong > 0 and expected == 0.0

    household = _with(_person(_example(), activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE, resources=()), events=())
    moved_in = _with(household, events=(LifeEvent(EventKind.MOVE, "2026-03", housing_before=Housing(HousingStatus.HEBERGE)),))
    assert engine.compute(household, MONTH).get("cheque_energie").amount == wrong
    assert engine.compute(moved_in, MONTH).get("cheque_energie").amount == expected


def test_a_couple_formed_changes_no_amount_in_openfisca_france(engine: Any) -> None:
    """The couple's resources count over the whole windows (the law counts the resources of
    the household's members, also from before they lived together), and OpenFisca-France's
    groups (famille, foyer fiscal, ménage) are the same on every month: the couple's month
    only moves ``statut_marital``, which none of the benefits computed reads on past months.
    This test keeps that true: if a later OpenFisca-France reads it, it fails."""
    partner = Person("lea", Role.CONJOINT, dt.date(1990, 5, 1), activity=Activity.SALARIE,
                     resources=(Resource(ResourceKind.SALAIRE_NET, stable=1300.0),))
    couple = _with(_example(), couple=CoupleStatus.MARIE, persons=_example().persons + (partner,))
    formed = _with(couple, events=couple.events + (LifeEvent(EventKind.COUPLE_START, "2026-06"),))
    always = engine.compute(couple, MONTH)
    since_june = engine.compute(formed, MONTH)
    assert [(b.benefit_id, b.amount) for b in since_june.benefits] == [(b.benefit_id, b.amount) for b in always.benefits]


def test_scenarios_drop_the_events_they_make_untrue(engine: Any) -> None:
    """A scenario is the situation as if always so: taking a job drops the person's job
    change, a move drops the move (else the case would not validate: a job ended but
    « salarié(e) »)."""
    from app.core.compute.scenarios import EarningsChange, Move, Scenario, apply_scenario

    household = _with(_example(), events=_example().events + (LifeEvent(EventKind.MOVE, "2026-03"),))
    job = apply_scenario(engine, household, Scenario((EarningsChange("yanis", 1200.0, activity=Activity.SALARIE),)), MONTH)
    assert [e.kind for e in job.events] == [EventKind.MOVE]
    moved = apply_scenario(engine, household, Scenario((Move(rent=450.0),)), MONTH)
    assert [e.kind for e in moved.events] == [EventKind.JOB_END]
