"""The Visale guarantee (``visale_eligibilite``), computed on the household in the home it is
about to rent (app/core/model/sought_home.py), and nothing else changed.

Expected values: the parameter files of openfisca-france 176.1.8 (``parameter_from_file``) and
plain openfisca-core (``SimulationBuilder.build_from_entities``) on a situation written here,
month by month, as OpenFisca-France's formula asks for it (a home about to be rented: the
ménage's ``date_entree_logement`` after the first day of the month, its rent and charges on
that month), not through Guichet's mapping.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest

from explain_cases import parameter_from_file
from app.core.model.household import (
    Activity,
    EventKind,
    Household,
    Housing,
    HousingStatus,
    LifeEvent,
    Person,
    Resource,
    ResourceKind,
    Role,
    SoughtHome,
)
from app.core.model.sought_home import sought_home_case
from app.core.model.validation import validate

ROOT = Path(__file__).resolve().parents[2]
MONTH = "2026-11"
TODAY = dt.date(2026, 11, 29)
VISALE = "prestations_sociales.aides_logement.action_logement.visale"
NANTES = Housing(HousingStatus.HEBERGE, commune_insee="44109", postal_code="44000")
SALARY = 1800.0
ENTRY = dt.date(2026, 11, 15)  # in the month computed, after its first day


def young_worker(born: dt.date = dt.date(2001, 5, 10), sought: SoughtHome | None = SoughtHome(ENTRY, 600.0, 50.0),
                 housing: Housing = NANTES) -> Household:
    """Léa, 25 on 1 November 2026, salaried (1 800 € net a month), hosted by her parents in
    Nantes (outside Île-de-France), about to rent a studio at 600 € + 50 € of charges."""
    lea = Person("lea", Role.DEMANDEUR, born, activity=Activity.SALARIE,
                 resources=(Resource(ResourceKind.SALAIRE_NET, stable=SALARY),))
    return Household((lea,), housing=housing, savings=0.0, sought_home=sought)


def plain_situation(engine: Any, rent: float, charges: float, entry: str, born: str = "2001-05-10") -> dict[str, Any]:
    """The same person written for plain openfisca-core, every month from January 2024 to
    November 2026: net salary 1 800 €, its gross and taxable amounts from OpenFisca's own
    gross -> net grid (what a payslip shows), hosted free until October, tenant of the private
    sector from November (the month computed), entering on ``entry``."""
    from app.core.model.periods import months_range

    grid = engine.converter(MONTH)
    gross = round(grid.gross(ResourceKind.SALAIRE_NET, SALARY), 2)
    taxable = round(grid.taxable(ResourceKind.SALAIRE_NET, SALARY), 2)
    months = months_range("2024-01", MONTH)
    before = [m for m in months if m < MONTH]
    return {
        "individus": {"lea": {
            "date_naissance": {"ETERNITY": born},
            "activite": {m: "actif" for m in months},
            "salaire_net": {m: SALARY for m in months},
            "salaire_de_base": {m: gross for m in months},
            "salaire_imposable": {m: taxable for m in months},
        }},
        "familles": {"f": {"parents": ["lea"]}},
        "foyers_fiscaux": {"ff": {"declarants": ["lea"]}},
        "menages": {"m": {
            "personne_de_reference": ["lea"],
            "depcom": {m: "44109" for m in months},
            "statut_occupation_logement": {**{m: "loge_gratuitement" for m in before}, MONTH: "locataire_vide"},
            "loyer": {**{m: 0.0 for m in before}, MONTH: rent},
            "charges_locatives": {**{m: 0.0 for m in before}, MONTH: charges},
            "date_entree_logement": {MONTH: entry},
        }},
    }


def plain(engine: Any, situation: dict[str, Any], variable: str, period: str = MONTH) -> Any:
    from openfisca_core.simulation_builder import SimulationBuilder

    simulation = SimulationBuilder().build_from_entities(engine.tbs, copy.deepcopy(situation))
    return simulation.calculate(variable, period)[0]


# --------------------------------------------------------------------------- the household copy


def test_the_copy_lives_in_the_sought_home_from_the_month_computed() -> None:
    household = young_worker()
    case = sought_home_case(household, MONTH)
    assert case is not None and (case.month, case.entry_date) == (MONTH, ENTRY)
    home = case.household.housing
    # A rented home of the private sector in the same commune, at the sought rent and charges.
    assert (home.status, home.rent, home.charges, home.conventionne) == (HousingStatus.LOCATAIRE_VIDE, 600.0, 50.0, False)
    assert (home.commune_insee, home.postal_code) == ("44109", "44000")
    # Before M, the dwelling the household lives in now (the resources of M-1 are its own).
    (move,) = case.household.events
    assert (move.kind, move.month, move.housing_before) == (EventKind.MOVE, MONTH, NANTES)
    assert case.household.sought_home is None and case.household.persons == household.persons
    assert sought_home_case(young_worker(sought=None), MONTH) is None


def test_an_earlier_move_is_replaced_by_the_move_into_the_sought_home() -> None:
    earlier = LifeEvent(EventKind.MOVE, "2026-08", housing_before=Housing(HousingStatus.HEBERGE, commune_insee="44109"))
    household = dataclasses.replace(young_worker(), events=(earlier,))
    case = sought_home_case(household, MONTH)
    assert case is not None
    assert [(e.kind, e.month) for e in case.household.events] == [(EventKind.MOVE, MONTH)]


# --------------------------------------------------------------------------- validation and the case file


def test_validation_names_the_sought_home_fields() -> None:
    def messages(sought: SoughtHome, month: str | None = MONTH) -> dict[str, str]:
        return {p.field: p.message for p in validate(young_worker(sought=sought), TODAY, month=month)}

    assert messages(SoughtHome(ENTRY, 600.0, 50.0)) == {}
    found = messages(SoughtHome(dt.date(2026, 11, 1), 0.0, -5.0))
    assert found["sought_home.entry_date"] == (
        "Logement à louer (garantie Visale), date d'entrée prévue : la date d'entrée prévue doit être après le 1er "
        "du mois calculé (le 1er novembre 2026) : Visale se demande avant d'entrer dans le logement.")
    assert found["sought_home.rent"] == ("Logement à louer (garantie Visale), loyer : indiquez le loyer mensuel du "
                                         "logement à louer (plus de 0 €).")
    assert found["sought_home.charges"] == "Logement à louer (garantie Visale), charges : le montant ne peut pas être négatif."
    # Plausible bounds: the rent's (10 000 € a month), a date at most a year from today.
    too_far = messages(SoughtHome(dt.date(2028, 1, 15), 12000.0, 0.0))
    assert "montant invraisemblable" in too_far["sought_home.rent"]
    assert too_far["sought_home.entry_date"].endswith("la date est à plus d'un an d'aujourd'hui ; vérifiez l'année.")
    # Without the month computed (a case file, a stored case), a past entry date is not refused.
    assert messages(SoughtHome(dt.date(2026, 11, 1), 600.0, 0.0), month=None) == {}


def test_the_case_file_round_trip_and_old_files() -> None:
    from app.core.io.casefile import InvalidHousehold, case_from_dict, case_to_dict, household_from_dict

    household = young_worker()
    data = case_to_dict(household, MONTH)
    assert data["household"]["sought_home"] == {"entry_date": "2026-11-15", "rent": 600.0, "charges": 50.0}
    assert case_from_dict(json.loads(json.dumps(data)), TODAY) == (household, MONTH)
    # A file without it (version 3 before it, or 1 and 2) reads as no home to rent.
    del data["household"]["sought_home"]
    assert case_from_dict(data, TODAY)[0].sought_home is None
    # French amounts and dates; problems name the field.
    raw = case_to_dict(household, MONTH)["household"]
    raw["sought_home"] = {"entry_date": "15/11/2026", "rent": "1 200,50"}
    assert household_from_dict(raw, TODAY).sought_home == SoughtHome(ENTRY, 1200.5, 0.0)
    raw["sought_home"] = {"rent": "1.200", "loyer": 3}
    with pytest.raises(InvalidHousehold) as error:
        household_from_dict(raw, TODAY)
    assert [p.message for p in error.value.problems] == [
        "Logement à louer (garantie Visale) : champ inconnu « loyer ».",
        "Logement à louer (garantie Visale), date d'entrée prévue : à renseigner.",
        "Logement à louer (garantie Visale), loyer : « 1.200 » est ambigu. Écrivez 1 500 ou 1500 pour des milliers, "
        "1,50 pour des centimes.",
    ]


def test_the_screening_columns() -> None:
    from app.core.batch.input import Record, TEMPLATE_COLUMNS, parse_record

    row = {"statut_logement": "heberge_gratuitement", "code_postal": "44000", "mois": "2026-11",
           "demandeur_date_naissance": "10/05/2001", "demandeur_activite": "salarie",
           "demandeur_salaire_net_mensuel": "1 800", "logement_recherche_date_entree": "15/11/2026",
           "logement_recherche_loyer": "600", "logement_recherche_charges": "50"}
    assert {"logement_recherche_date_entree", "logement_recherche_loyer", "logement_recherche_charges"} <= set(TEMPLATE_COLUMNS)
    parsed = parse_record("csv", tuple(row), Record("2", tuple(row.values())), TODAY)
    assert parsed.household is not None and parsed.household.sought_home == SoughtHome(ENTRY, 600.0, 50.0)
    # Without the columns: no home to rent.
    plain_row = {k: v for k, v in row.items() if not k.startswith("logement_recherche")}
    parsed = parse_record("csv", tuple(plain_row), Record("2", tuple(plain_row.values())), TODAY)
    assert parsed.household is not None and parsed.household.sought_home is None
    # A faulty cell: the message names its column.
    bad = {**row, "logement_recherche_loyer": "6OO", "logement_recherche_date_entree": ""}
    parsed = parse_record("csv", tuple(bad), Record("2", tuple(bad.values())), TODAY)
    assert parsed.household is None
    columns = dict(parsed.problems)
    assert "« 6OO » n'est pas un montant" in columns["logement_recherche_loyer"]
    assert "à renseigner" in columns["logement_recherche_date_entree"]


# --------------------------------------------------------------------------- the engine


@pytest.mark.slow
def test_eligible_with_the_ceiling_from_the_parameters_and_plain_openfisca(engine: Any) -> None:
    day = f"{MONTH}-01"
    result = engine.compute(young_worker(), MONTH)
    assert result.get("visale").status == "eligible"
    side = engine.side_simulation("visale", young_worker(), MONTH)
    ours_max = round(float(side.simulation.calculate("visale_montant_max", MONTH)[0]), 2)
    ours_base = round(float(side.simulation.calculate("visale_base_ressources", MONTH)[0]), 2)

    situation = plain_situation(engine, 600.0, 50.0, ENTRY.isoformat())
    base = round(float(plain(engine, situation, "visale_base_ressources")), 2)
    # visale_base_ressources (formula 2016): the resources of M-1 (net salary 1 800 €, the
    # prime d'activité of October) + quote_part_aides_logement (0.67) x the housing aid
    # computed for the home requested, on M.
    ppa_october = float(plain(engine, situation, "ppa", "2026-10"))
    housing_aid = float(plain(engine, situation, "aide_logement", MONTH))
    share = parameter_from_file(f"{VISALE}.quote_part_aides_logement", day)
    assert share == 0.67
    assert base == round(SALARY + ppa_october + share * housing_aid, 2)
    # visale_montant_max = min(resources / 2, plafond_loyer.cas_general.hors_ile_de_france):
    # a student's floor does not apply (not a student).
    cap = parameter_from_file(f"{VISALE}.plafond_loyer.cas_general.hors_ile_de_france", day)
    assert cap == 1300
    ceiling = round(min(base / 2, cap), 2)
    assert (ours_base, ours_max) == (base, ceiling)
    assert 600 + 50 <= ceiling
    assert bool(plain(engine, situation, "visale_eligibilite")) is True
    # Age: at most visale.eligibilite.age_max (30) years.
    assert parameter_from_file(f"{VISALE}.eligibilite.age_max", day) == 30


@pytest.mark.slow
def test_not_eligible_above_the_ceiling_at_31_or_entering_on_the_1st(engine: Any) -> None:
    side = engine.side_simulation("visale", young_worker(), MONTH)
    ceiling = math.floor(float(side.simulation.calculate("visale_montant_max", MONTH)[0]) * 100) / 100
    # Rent + charges one euro above the ceiling (cut to the cent), then at it (the ceiling does
    # not move with the rent: no housing aid at 1 800 € of salary).
    above = SoughtHome(ENTRY, round(ceiling - 50.0 + 1.0, 2), 50.0)
    assert engine.compute(young_worker(sought=above), MONTH).get("visale").status == "not_eligible"
    at = SoughtHome(ENTRY, round(ceiling - 50.0, 2), 50.0)
    assert engine.compute(young_worker(sought=at), MONTH).get("visale").status == "eligible"
    situation = plain_situation(engine, above.rent, 50.0, ENTRY.isoformat())
    assert bool(plain(engine, situation, "visale_eligibilite")) is False
    # 31 on 1 November 2026: over visale.eligibilite.age_max.
    older = young_worker(born=dt.date(1995, 5, 10))
    assert engine.compute(older, MONTH).get("visale").status == "not_eligible"
    assert bool(plain(engine, plain_situation(engine, 600.0, 50.0, ENTRY.isoformat(), born="1995-05-10"),
                      "visale_eligibilite")) is False
    # Entering on the 1st of the month computed: « date_entree_logement > period.start » fails.
    first = young_worker(sought=SoughtHome(dt.date(2026, 11, 1), 600.0, 50.0))
    assert engine.compute(first, MONTH).get("visale").status == "not_eligible"
    assert bool(plain(engine, plain_situation(engine, 600.0, 50.0, "2026-11-01"), "visale_eligibilite")) is False


@pytest.mark.slow
def test_without_a_sought_home_nothing_changes_and_no_extra_simulation(engine: Any, monkeypatch: Any) -> None:
    from app.core.compute import engine as engine_module

    built = []
    original = engine_module.build_simulation

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(engine_module, "build_simulation", counting)
    without = engine.compute(young_worker(sought=None), MONTH)
    assert len(built) == 1 and without.get("visale").status == "not_eligible"
    assert engine.side_simulation("visale", young_worker(sought=None), MONTH) is None
    built.clear()
    with_home = engine.compute(young_worker(), MONTH)
    assert len(built) == 2 and with_home.get("visale").status == "eligible"
    # Every other benefit is the household's own: the home to rent is not its dwelling yet.
    others = lambda r: [(b.benefit_id, b.status, b.amount) for b in r.benefits if b.benefit_id != "visale"]  # noqa: E731
    assert others(with_home) == others(without)


@pytest.mark.slow
def test_the_gated_computation_equals_the_full_one(engine: Any) -> None:
    household = young_worker()
    fast = engine.compute_many([household], MONTH)[0]
    full = engine.compute_many([household], MONTH, fast=False)[0]
    assert fast.get("visale").status == full.get("visale").status == "eligible"
    gates = engine.gates_for(household, MONTH)
    assert gates
    gated = engine.side_simulation("visale", household, MONTH, gates)
    ungated = engine.side_simulation("visale", household, MONTH)
    for variable in ("visale_base_ressources", "visale_montant_max"):
        assert float(gated.simulation.calculate(variable, MONTH)[0]) == float(ungated.simulation.calculate(variable, MONTH)[0])
    # Above the ceiling, both paths say no.
    above = dataclasses.replace(household, sought_home=SoughtHome(ENTRY, 1300.0, 50.0))
    assert engine.compute_many([above], MONTH)[0].get("visale").status == "not_eligible"
    assert engine.compute_many([above], MONTH, fast=False)[0].get("visale").status == "not_eligible"


@pytest.mark.slow
def test_the_explanation_reads_the_sought_home(engine: Any) -> None:
    from app.core.compute.explain import Explainer

    explanation = Explainer(engine, young_worker(), MONTH).explain("visale")
    assert explanation.determined and explanation.status == "eligible"
    texts = [c.text for c in explanation.conditions]
    assert "entrée prévue le 15/11/2026 dans le logement à louer" in texts
    assert any(text.startswith("loyer charges comprises de 650\u00a0€, sous le plafond de 9") for text in texts), texts
    none = Explainer(engine, young_worker(sought=None), MONTH).explain("visale")
    assert none.determined and none.summary.startswith("Non éligible : pas de logement à louer avec une entrée prévue "
                                                       "après le 01/11/2026")


@pytest.mark.slow
def test_example_18_and_the_command_line(engine: Any, capsys: Any) -> None:
    """Example 18: Léa, 25, 1 800 € net, hosted by her parents in Nantes, about to rent a studio
    at 600 € + 50 € from 15 November 2026: eligible (ceiling: half her resources, under 1 300 €)."""
    from app import cli
    from app.core.io.casefile import load_case

    path = ROOT / "examples" / "18-jeune-cherche-location-nantes.json"
    household, month = load_case(path, today=TODAY)
    assert month == MONTH and household.sought_home == SoughtHome(ENTRY, 600.0, 50.0)
    assert engine.compute(household, month).get("visale").status == "eligible"
    assert cli.main(["simulate", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (visale,) = [b for b in data["benefits"] if b["benefit_id"] == "visale"]
    assert visale["status"] == "eligible"
    assert cli.main(["simulate", str(path)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Garantie Visale"))
    assert "oui" in line and "Éligible" in line
