"""Family benefits and the prime d'activité are OpenFisca amounts before the 0,5 % CRDS the
CAF withholds: the result says so and gives the amount actually paid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from app.core.io.casefile import load_case
from app.core.benefits.results import paid_note
from app.core.base.formats import euros

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "tests" / "core" / "reference"
TODAY = dt.date(2026, 11, 29)
CRDS = "prelevements_sociaux.contributions_sociales.crds"


def _crds_rate(engine: Any) -> float:
    node = engine.tbs.parameters("2026-11-01")
    for part in CRDS.split("."):
        node = node[part]
    return float(node)


@pytest.mark.parametrize(
    ("case", "benefit"),
    [
        ("r02-parent-isolee-lyon", "allocations_familiales"),  # af_nettes_crds
        ("r02-parent-isolee-lyon", "asf"),  # asf_nette_crds
        ("r02-parent-isolee-lyon", "allocation_rentree_scolaire"),  # ars_nette_crds (per year)
        ("r02-parent-isolee-lyon", "prime_activite"),  # ppa_nette_crds
        ("r03-couple-marie-trois-enfants-marseille", "complement_familial"),  # cf_net_crds
        ("r08-paje-pacses-accedants-toulouse", "paje_base"),  # the rate: paje_nette_crds is all of the PAJE
    ],
)
def test_amount_paid_is_the_amount_less_the_crds(engine: Any, case: str, benefit: str) -> None:
    """Expected: OpenFisca's net-of-CRDS variables are ``x + crds_x`` with ``crds_x = -x *
    prelevements_sociaux.contributions_sociales.crds`` (0.005 since 1996-02-01, ordonnance
    n° 96-50 art. 19), so the amount paid is the amount x (1 - 0.005), within the cent the
    unrounded amount can move (the amounts themselves are the reference households', checked
    against plain openfisca-core in test_reference_households.py). Before: only the amount
    before CRDS was given, and nothing said so."""
    assert _crds_rate(engine) == 0.005
    household, month = load_case(REFERENCE / f"{case}.case.json", today=TODAY)
    result = engine.compute(household, month).get(benefit)
    assert result.amount > 0 and result.amount_paid is not None
    assert abs(result.amount_paid - result.amount * (1 - 0.005)) <= 0.01  # both roundings: half a cent each
    assert result.amount_paid < result.amount
    assert paid_note(result) == f"avant CRDS ; versé : {euros(result.amount_paid)}"


def test_exact_paid_amounts_of_example_01(engine: Any) -> None:
    # AF 153.01 (32 % of the BMAF 478.16, rounded to the cent by OpenFisca) x 0.995 = 152.24495 -> 152.24;
    # ASF 403.57 (2 x 42.2 % BMAF = 403.567) x 0.995 = 401.5492 -> 401.55.
    household, month = load_case(ROOT / "examples" / "01-parent-isolee-lyon.json", today=TODAY)
    result = engine.compute(household, month)
    assert (result.get("allocations_familiales").amount, result.get("allocations_familiales").amount_paid) == (153.01, 152.24)
    assert (result.get("asf").amount, result.get("asf").amount_paid) == (403.57, 401.55)


def test_benefits_without_crds_say_nothing(engine: Any) -> None:
    # RSA, AAH, ASPA are not subject to the CRDS; housing aid is already net of it in OpenFisca
    # (aide_logement_montant: brut - crds_logement, rounded down to the euro).
    household, month = load_case(REFERENCE / "r15-rsa-majore-separation-nantes.case.json", today=TODAY)
    result = engine.compute(household, month)
    for benefit in ("rsa", "aide_logement"):
        assert result.get(benefit).amount > 0
        assert result.get(benefit).amount_paid is None and paid_note(result.get(benefit)) is None
