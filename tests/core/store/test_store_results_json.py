"""Results <-> JSON: exact round trip, strict reading, differences."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from typing import Any, Callable

import pytest
from store_helpers import household, result

from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.io.results_json import (
    ResultFormatError,
    result_differences,
    result_from_dict,
    result_to_dict,
)


def through_json(data: object) -> object:
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_round_trip_is_exact_including_awkward_floats_and_hidden_fields() -> None:
    original = result()
    back = result_from_dict(through_json(result_to_dict(original)))
    assert back == original
    # Dataclass equality skips nothing we care about, but check the parts that are
    # easy to lose: repr=False totals_ids, float bits, tuples, enums.
    assert back.totals_ids == original.totals_ids
    assert back.get("prime_activite").amount == 0.1 + 0.2 == 0.30000000000000004
    assert isinstance(back.benefits, tuple) and isinstance(back.get("allocation_rentree_scolaire").beneficiaries, tuple)
    assert back.get("aspa").status is Status.ERROR and back.get("aspa").error == original.get("aspa").error
    assert back.get("aide_logement").detail == "apl"
    assert back.get("allocations_familiales").already_received is True
    assert back.total_monthly() == original.total_monthly()
    assert back.not_claimed() == original.not_claimed()


def test_paid_automatically_round_trips_and_older_results_without_it_read_as_false() -> None:
    original = result()
    original = dataclasses.replace(original, benefits=tuple(
        dataclasses.replace(b, paid_automatically=True) if b.benefit_id == "allocation_rentree_scolaire" else b
        for b in original.benefits))
    data = through_json(result_to_dict(original))
    assert result_from_dict(data) == original
    for item in data["benefits"]:  # a simulation stored before the field existed
        del item["paid_automatically"]
    older = result_from_dict(data)
    assert not any(b.paid_automatically for b in older.benefits)


def test_integral_amounts_come_back_as_floats() -> None:
    data = result_to_dict(result(rsa=500.0))
    data["benefits"][0]["amount"] = 500  # a hand-written file may say 500
    back = result_from_dict(data)
    assert type(back.get("rsa").amount) is float and back.get("rsa").amount == 500.0


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d.update(format="autre"), "format"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.pop("totals_ids"), "totals_ids"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["benefits"][0].update(status="maybe"), "benefits.0.status"),
        (lambda d: d["benefits"][0].update(amount="412,37"), "benefits.0.amount"),
        (lambda d: d["benefits"][0].update(amount=True), "benefits.0.amount"),
        (lambda d: d["benefits"][1].update(amount_period="week"), "benefits.1.amount_period"),
        (lambda d: d["benefits"][2].update(beneficiaries="p1"), "benefits.2.beneficiaries"),
        (lambda d: d["benefits"][2].update(already_received="oui"), "benefits.2.already_received"),
        (lambda d: d.update(assumptions=[1]), "assumptions"),
        (lambda d: d["benefits"][2].update(paid_automatically="oui"), "benefits.2.paid_automatically"),
    ],
)
def test_strict_reading_names_the_faulty_field_in_french(change: Callable[[dict[str, Any]], object], field: str) -> None:
    data = result_to_dict(result())
    change(data)
    with pytest.raises(ResultFormatError) as caught:
        result_from_dict(data)
    assert f"champ « {field} »" in str(caught.value)


def test_differences_list_only_what_changed() -> None:
    before = result(rsa=412.37, housing_aid=287.0)
    after = replace(
        result(rsa=430.12, housing_aid=287.0),
        benefits=result(rsa=430.12).benefits[:-1] + (BenefitResult("css_gratuite", Status.ELIGIBLE, 0.0, "month"),),
    )
    changes = {c.benefit_id: c for c in result_differences(before, after)}
    assert set(changes) == {"rsa", "css_gratuite", "aspa"}
    assert changes["rsa"].amount_change == round(430.12 - 412.37, 2) == 17.75
    assert changes["css_gratuite"].before is None
    assert changes["aspa"].after is None
    assert result_differences(before, before) == ()


@pytest.mark.slow
def test_a_real_engine_result_round_trips_exactly() -> None:
    from app.core.compute.engine import shared_engine

    computed: SimulationResult = shared_engine().compute(household(), "2026-11")
    assert computed.benefits, "the engine returned no benefit"
    assert result_from_dict(through_json(result_to_dict(computed))) == computed
