"""The engine: parameter cache, gates, per-benefit errors, warnings, typed results."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pytest

from app.core.compute.engine import GATES
from app.core.benefits.results import Claim, Status
from app.core.openfisca.loading import Versions, _read_parameter_cache, _write_parameter_cache
from app.core.model.household import (
    Activity,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
)

MONTH = "2026-11"
VERSIONS = Versions("44.7.1", "176.1.8")


# ----------------------------------------------------------------- parameter cache (no OpenFisca needed)


def test_cache_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    _write_parameter_cache(path, VERSIONS, {"tree": [1, 2, 3]})
    assert _read_parameter_cache(path, VERSIONS) == {"tree": [1, 2, 3]}


def test_cache_of_another_version_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    _write_parameter_cache(path, VERSIONS, {"tree": 1})
    assert _read_parameter_cache(path, Versions("44.7.1", "177.0.0")) is None


def test_tampered_or_truncated_cache_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    _write_parameter_cache(path, VERSIONS, {"tree": 1})
    raw = path.read_bytes()
    path.write_bytes(raw[:-3] + pickle.dumps(2)[-3:])  # payload changed, checksum not
    assert _read_parameter_cache(path, VERSIONS) is None
    path.write_bytes(raw[: len(raw) // 2])
    assert _read_parameter_cache(path, VERSIONS) is None
    path.write_bytes(b"garbage without header")
    assert _read_parameter_cache(path, VERSIONS) is None
    assert _read_parameter_cache(tmp_path / "missing.pickle", VERSIONS) is None


# ----------------------------------------------------------------- gates (no OpenFisca needed)


def base_household(**person_changes: Any) -> Household:
    demandeur = Person("p1", Role.DEMANDEUR, dt.date(1988, 5, 1), activity=Activity.SALARIE,
                       resources=(Resource(ResourceKind.SALAIRE_NET, stable=900.0),))
    return Household(
        persons=(dataclasses.replace(demandeur, **person_changes),),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=500.0, commune_insee="59350"),
        savings=0.0,
    )


def applied(household: Household) -> set[str]:
    return {gate.name for gate in GATES if gate.applies(household, MONTH)}


def test_every_gate_applies_to_a_profile_that_rules_it_out() -> None:
    assert applied(base_household()) == {gate.name for gate in GATES}


@pytest.mark.parametrize(
    ("changes", "gate"),
    [
        ({"disability_rate": 80.0}, "no_disability"),
        ({"activity": Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE}, "no_job_seeker"),
        ({"activity": Activity.DEMANDEUR_EMPLOI_INDEMNISE}, "no_unemployment_benefit"),
        ({"resources": (Resource(ResourceKind.CHOMAGE, stable=800.0),)}, "no_unemployment_benefit"),
        ({"activity": Activity.RETRAITE}, "no_pension"),
        ({"resources": (Resource(ResourceKind.RETRAITE, stable=800.0),)}, "no_pension"),
        ({"birth_date": dt.date(1971, 11, 1)}, "nobody_55_or_more"),
        ({"resources": (Resource(ResourceKind.PENSION_INVALIDITE, stable=600.0),)}, "nobody_55_or_more"),
    ],
)
def test_a_gate_never_applies_when_an_input_could_need_it(changes: dict[str, Any], gate: str) -> None:
    assert gate not in applied(base_household(**changes))


# ----------------------------------------------------------------- with OpenFisca


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changes", "benefit"),
    [
        ({"disability_rate": 85.0, "activity": Activity.INACTIF, "resources": ()}, "aah"),
        ({"birth_date": dt.date(1956, 1, 1), "activity": Activity.RETRAITE,
          "resources": (Resource(ResourceKind.RETRAITE, stable=500.0),)}, "aspa"),
        ({"activity": Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE, "ass_work_history": True, "resources": ()}, "ass"),
    ],
)
def test_fast_path_equals_standard_path_where_a_gate_must_not_apply(
    engine: Any, changes: dict[str, Any], benefit: str
) -> None:
    household = base_household(**changes)
    fast = engine.compute_many([household], MONTH)[0]
    standard = engine.compute_many([household], MONTH, fast=False)[0]
    assert fast.get(benefit).amount > 0
    assert [(b.benefit_id, b.amount, b.status) for b in fast.benefits] == [
        (b.benefit_id, b.amount, b.status) for b in standard.benefits
    ]


@pytest.mark.slow
def test_month_beyond_the_legislation_is_warned_in_french(engine: Any) -> None:
    until = engine.legislation_until
    assert until == dt.date(2026, 10, 1)  # openfisca-france 176.1.8: last parameter change (shared notes)
    assert engine.month_warnings("2026-11") == ()
    late = engine.compute(base_household(), "2027-03")
    assert len(late.warnings) == 1
    assert "mars 2027" in late.warnings[0] and "01/10/2026" in late.warnings[0]


@pytest.mark.slow
def test_a_failing_benefit_does_not_stop_the_others(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = dataclasses.replace(engine.catalogue.get("rsa"), variable="variable_that_does_not_exist")
    catalogue = dataclasses.replace(
        engine.catalogue, benefits=tuple(broken if b.id == "rsa" else b for b in engine.catalogue.benefits)
    )
    monkeypatch.setattr(engine, "catalogue", catalogue)
    result = engine.compute(base_household(), MONTH)
    assert result.get("rsa").status == Status.ERROR
    assert result.get("rsa").error and "échoué" in result.get("rsa").error
    assert result.get("prime_activite").status == Status.ELIGIBLE
    assert result.get("aide_logement").amount > 0


@pytest.mark.slow
def test_results_are_typed_and_totals_leave_out_contributions(engine: Any) -> None:
    result = engine.compute(base_household(), MONTH)
    assert result.month == MONTH and result.openfisca_france == "176.1.8"
    css = result.get("css_participation")
    assert css.amount_period == "month"
    monthly = sum(
        b.amount for b in result.benefits
        if b.status == Status.ELIGIBLE and b.amount_period == "month" and engine.catalogue.get(b.benefit_id).counts_in_total
    )
    assert result.total_monthly() == pytest.approx(monthly)
    if css.amount > 0:
        assert result.total_monthly() == pytest.approx(
            sum(b.amount for b in result.benefits if b.status == Status.ELIGIBLE and b.amount_period == "month") - css.amount
        )
    assert {b.benefit_id for b in result.benefits} == set(engine.catalogue.all_ids())
    assert "savings_unknown" not in result.assumptions
    assert "n2_income_derived" in result.assumptions


@pytest.mark.slow
def test_benefits_paid_automatically_are_outside_the_unclaimed_ones(engine: Any) -> None:
    """Example 01 (single parent, two children of 4 and 9, AF and ASF received): the ARS
    comes by itself to a family the CAF already pays, the energy cheque to everyone;
    neither is « à demander » nor in ``not_claimed()``. Without any CAF benefit received,
    the ARS must be claimed again."""
    from app.core.io.casefile import load_case
    from app.core.model.examples import example_files

    path = next(p for p in example_files() if p.name == "01-parent-isolee-lyon.json")
    household, _month = load_case(path)
    assert set(household.benefits_received) == {"allocations_familiales", "asf"}
    result = engine.compute(household, MONTH)
    claims = {b.benefit_id: b.claim for b in result.benefits}
    assert result.get("allocation_rentree_scolaire").status == Status.ELIGIBLE
    assert claims["allocation_rentree_scolaire"] == Claim.AUTOMATIC
    assert claims["cheque_energie"] == Claim.AUTOMATIC
    assert claims["prime_activite"] == Claim.TO_REQUEST
    assert claims["allocations_familiales"] == Claim.RECEIVED
    assert claims["rsa"] == Claim.NONE
    unclaimed = {b.benefit_id for b in result.not_claimed()}
    assert "allocation_rentree_scolaire" not in unclaimed and "cheque_energie" not in unclaimed
    assert "prime_activite" in unclaimed
    assert Claim.AUTOMATIC.label == "Versée automatiquement"

    alone = engine.compute(dataclasses.replace(household, benefits_received=()), MONTH)
    assert alone.get("allocation_rentree_scolaire").claim == Claim.TO_REQUEST
    assert alone.get("cheque_energie").claim == Claim.AUTOMATIC


@pytest.mark.slow
def test_job_seeker_without_computed_ass_is_to_check(engine: Any) -> None:
    household = base_household(activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE, resources=())
    assert engine.compute(household, MONTH).get("ass").status == Status.TO_CHECK


def test_to_check_rules_look_only_at_the_persons_they_name() -> None:
    from app.core.benefits.catalogue import load_catalogue
    from app.core.compute.engine import _check_applies

    catalogue = load_catalogue()
    child = Person("c1", Role.ENFANT, dt.date(2013, 1, 1), disability_rate=80.0)
    with_disabled_child = dataclasses.replace(base_household(), persons=base_household().persons + (child,))
    disabled_adult = base_household(disability_rate=60.0)
    assert _check_applies(catalogue.get("aeeh"), with_disabled_child, MONTH)
    assert not _check_applies(catalogue.get("asi"), with_disabled_child, MONTH)
    assert _check_applies(catalogue.get("asi"), disabled_adult, MONTH)
    assert not _check_applies(catalogue.get("aeeh"), disabled_adult, MONTH)
    assert not _check_applies(catalogue.get("aspa"), with_disabled_child, MONTH)
    assert _check_applies(catalogue.get("aspa"), base_household(birth_date=dt.date(1962, 1, 1)), MONTH)
