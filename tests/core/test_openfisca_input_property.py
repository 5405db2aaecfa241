"""Generated OpenFisca situations, valid and invalid: Guichet's reading
(``read_situation`` then ``build_simulation``) and openfisca-core's own
(``SimulationBuilder().build_from_entities``) give the same inputs (every holder's
array for every period, the same groups and roles) and the same amounts
(``salaire_net`` from the inputs, the ASF from the families), or both refuse; or
Guichet refuses where openfisca-core would read a value it should not (``STRICTER``:
NaN, "-inf", a text for a boolean...), and only then.

Bounded and derandomised: ``GUICHET_PROPERTY_EXAMPLES`` examples (60 by default;
``GUICHET_PROPERTY_EXAMPLES=2000 pytest tests/core/test_openfisca_input_property.py``
for a longer run).
"""

from __future__ import annotations

import copy
import os
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from openfisca_core.simulations import SimulationBuilder

from app.core.openfisca.input import SituationRefused, read_situation
from app.core.openfisca.simulation_build import SituationError, build_simulation
from openfisca_situations import situations  # tests/core, on sys.path (pytest's rootdir-less import)

EXAMPLES = int(os.environ.get("GUICHET_PROPERTY_EXAMPLES", "60"))

# Problems Guichet refuses where openfisca-core may accept (and read wrongly or ignore).
STRICTER = {
    "not_finite", "too_large", "not_number", "not_integer", "not_bool", "not_date", "not_text",
    "enum_unknown",  # an enum given by its index
    "null_input", "non_canonical_period", "period_first_day", "period_empty", "period_year",
    "after_end", "eternity_once", "alone_id_taken", "text_too_long", "unplaced_with_values", "empty_group", "period_shorter",
    "eternity_periods", "overlap_repeated", "overlap_divided", "period_too_long",
}


def guichet(tbs: Any, situation: dict[str, Any]) -> Any:
    try:
        read = read_situation(tbs, copy.deepcopy(situation))
        return build_simulation(tbs, [read.data])
    except SituationRefused as error:
        return error
    except SituationError as error:
        return SituationRefused([], ["inconsistent"]) if "s'additionnent" in str(error) else error


def core(tbs: Any, situation: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's overflow warnings on the values Guichet refuses
        try:
            return SimulationBuilder().build_from_entities(tbs, copy.deepcopy(situation))
        except Exception as error:  # noqa: BLE001 - any refusal of openfisca-core's
            return error


def _group_rows(core_ids: list[str], our_ids: list[str], key: str) -> list[int]:
    """Our row of each of openfisca-core's groups (a person alone: core ``pid``, ours ``_<key>_pid``)."""
    index = {eid: i for i, eid in enumerate(our_ids)}
    return [index.get(f"0:{cid}", index.get(f"0:_{key}_{cid}", -1)) for cid in core_ids]


def _values(array: Any) -> list[Any]:
    if hasattr(array, "decode_to_str"):
        return [str(v) for v in array.decode_to_str()]
    return [v.item() if hasattr(v, "item") else v for v in np.asarray(array)]


def assert_same_inputs(tbs: Any, ours: Any, theirs: Any) -> None:
    simulation, ids = ours
    rows: dict[str, list[int]] = {"individu": list(range(len(ids["individu"])))}
    assert [f"0:{pid}" for pid in theirs.persons.ids] == ids["individu"]
    for key in ("famille", "foyer_fiscal", "menage"):
        population = theirs.populations[key]
        rows[key] = _group_rows(list(population.ids), ids[key], key)
        assert sorted(rows[key]) == list(range(len(ids[key])))
        our_population = simulation.populations[key]
        # Each person: the same group (through the id mapping) and the same role.
        core_group = [rows[key][i] for i in population.members_entity_id]
        assert core_group == list(our_population.members_entity_id)
        assert [r.key for r in population.members_role] == [r.key for r in our_population.members_role]
    for name in tbs.variables:
        theirs_holder = theirs.get_holder(name)
        ours_holder = simulation.get_holder(name)
        known = {str(p) for p in theirs_holder.get_known_periods()}
        assert {str(p) for p in ours_holder.get_known_periods()} == known, name
        key = tbs.variables[name].entity.key
        for period in known:
            expected = _values(theirs_holder.get_array(period))
            got = _values(ours_holder.get_array(period))
            assert [got[r] for r in rows[key]] == expected, (name, period)


def assert_same_amounts(ours: Any, theirs: Any) -> None:
    simulation, _ids = ours
    for variable, period in (("salaire_net", "2024-06"), ("asf", "2024-06")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = np.asarray(theirs.calculate(variable, period))
            got = np.asarray(simulation.calculate(variable, period))
        population = theirs.get_variable_population(variable)
        key = population.entity.key
        order = _group_rows(list(population.ids), _ids[key], key) if key != "individu" else range(len(got))
        assert np.allclose(got[list(order)], expected, atol=0.01), variable


@pytest.fixture(scope="module")
def tbs(engine: Any) -> Any:
    return engine.tbs


@settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(situation=situations())
def test_guichet_reads_a_situation_as_openfisca_core_or_refuses(tbs: Any, situation: dict[str, Any]) -> None:
    ours = guichet(tbs, situation)
    theirs = core(tbs, situation)
    if isinstance(ours, SituationRefused):
        if not isinstance(theirs, Exception):
            # Accepted by openfisca-core: only a refusal Guichet makes on purpose.
            assert set(ours.codes) <= STRICTER, ours.lines()
            event("Guichet stricter: " + ", ".join(sorted(set(ours.codes))))
        else:
            event("both refuse")
        return
    event("both read")
    assert not isinstance(ours, Exception), ours
    assert not isinstance(theirs, Exception), f"openfisca-core refuses what Guichet reads: {theirs!r}"
    assert_same_inputs(tbs, ours, theirs)
    assert_same_amounts(ours, theirs)
