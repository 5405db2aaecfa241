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
from hypothesis import strategies as st
from openfisca_core.simulations import SimulationBuilder

from app.core.openfisca_input import SituationRefused, read_situation
from app.core.simulation_build import SituationError, build_simulation

EXAMPLES = int(os.environ.get("GUICHET_PROPERTY_EXAMPLES", "60"))

# Problems Guichet refuses where openfisca-core may accept (and read wrongly or ignore).
STRICTER = {
    "not_finite", "too_large", "not_number", "not_integer", "not_bool", "not_date", "not_text",
    "enum_unknown",  # an enum given by its index
    "null_input", "non_canonical_period", "period_first_day", "period_empty", "period_year",
    "after_end", "eternity_once", "alone_id_taken", "text_too_long", "unplaced_with_values", "empty_group", "period_shorter",
    "eternity_periods", "overlap_repeated", "overlap_divided",
}

PERSON_IDS = ("a", "b", "c")


ODD = 37  # not a bound: Hypothesis favours the bounds of a range (and shrinks towards the lower one)


def rarely(valid: Any, invalid: Any) -> Any:
    """Mostly ``valid``, one time in 60 ``invalid``: about one situation in three has a fault."""
    return st.integers(0, 59).flatmap(lambda n: invalid if n == ODD else valid)


MONTHS = st.sampled_from(["2024-01", "2024-02", "2024-06", "2024-12", "2025-03"])
SPREAD = st.sampled_from(["2024", "2025", "month:2024-01:3", "month:2024-06:12", "year:2024-03", "month:2024-01:12"])
BAD_PERIODS = st.sampled_from(
    ["ETERNITY", "2024-01-05", "month:2024-01", "month:2024-03:0", "bad", "year:2024:2", "2024"]
)
AMOUNTS = st.one_of(st.integers(-5, 3000), st.floats(-100, 50_000, allow_nan=False, width=32),
                    st.sampled_from(["1500", "1e3", "0"]))
BAD_NUMBERS = st.sampled_from([0.5, 1e39, float("nan"), float("inf"), "-inf", "1e5str", "1 234,56", True, None,
                               {"x": 1}, [1]])
BAD_OTHERS = st.sampled_from([None, 2, "1 234,56", {"x": 1}, [1], "sdf", 1.5, "2024-02-30", 69123])
# name -> (periods openfisca-core accepts for it, values of its type)
VARIABLES: dict[str, tuple[Any, Any]] = {
    "salaire_imposable": (st.one_of(MONTHS, SPREAD), AMOUNTS),  # float, divided
    "salaire_de_base": (st.one_of(MONTHS, SPREAD), AMOUNTS),
    "livret_a": (st.one_of(MONTHS, SPREAD), AMOUNTS),  # float, dispatched
    "are_allocation_nette_mensuelle": (MONTHS, AMOUNTS),  # float, month only
    "activite": (st.one_of(MONTHS, SPREAD), st.sampled_from(["actif", "chomeur", "inactif", "retraite"])),
    "age": (MONTHS, st.integers(0, 100)),  # int with a formula
    "handicap": (st.one_of(MONTHS, SPREAD), st.sampled_from([True, False, 0, 1])),
    "date_naissance": (st.just("ETERNITY"), st.sampled_from(["1985-03-01", "2019-07-14", "1950-01-01"])),
    "loyer": (st.one_of(MONTHS, SPREAD), AMOUNTS),
    "statut_occupation_logement": (st.one_of(MONTHS, SPREAD), st.sampled_from(["locataire_vide", "proprietaire"])),
    "logement_conventionne": (st.one_of(MONTHS, SPREAD), st.booleans()),
    "depcom": (st.one_of(MONTHS, SPREAD), st.sampled_from(["69123", "75056"])),
    "rfr": (st.sampled_from(["2023", "2024"]), AMOUNTS),  # yearly
    "af": (MONTHS, AMOUNTS),  # a benefit given as an input
}
PERSON_VARIABLES = ("salaire_imposable", "salaire_de_base", "livret_a", "are_allocation_nette_mensuelle",
                    "activite", "age", "handicap", "date_naissance")
MENAGE_VARIABLES = ("loyer", "statut_occupation_logement", "logement_conventionne", "depcom")
FOYER_VARIABLES = ("rfr",)
FAMILLE_VARIABLES = ("af",)


@st.composite
def by_period(draw: Any, name: str) -> Any:
    if draw(st.integers(0, 59)) == ODD:
        return draw(st.sampled_from([[True], 1500, None, "x"]))  # not {period: value}
    periods, values = VARIABLES[name]
    bad_values = BAD_NUMBERS if name in ("salaire_imposable", "salaire_de_base", "livret_a", "loyer", "rfr") else BAD_OTHERS
    chosen = draw(st.lists(rarely(periods, BAD_PERIODS), min_size=1, max_size=3, unique=True))
    return {period: draw(rarely(values, bad_values)) for period in chosen}


@st.composite
def entity_body(draw: Any, names: tuple[str, ...]) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) if names else []
    body = {name: draw(by_period(name)) for name in chosen}
    if draw(st.integers(0, 59)) == ODD:
        body[draw(st.sampled_from(["salaire_imposabel", "loyer", "enfnats"]))] = {"2024-01": 1}
    return body


@st.composite
def situations(draw: Any) -> dict[str, Any]:
    persons = PERSON_IDS[: draw(st.integers(1, 3))]
    situation: dict[str, Any] = {"individus": {pid: draw(entity_body(PERSON_VARIABLES)) for pid in persons}}
    for plural, roles, names in (
        ("familles", ("parents", "enfants"), FAMILLE_VARIABLES),
        ("foyers_fiscaux", ("declarants", "personnes_a_charge"), FOYER_VARIABLES),
        ("menages", ("personne_de_reference", "enfants", "conjoint", "autres"), MENAGE_VARIABLES),
    ):
        if draw(st.integers(0, 5)) == 0:
            continue  # the entity absent: openfisca-core gives each person their own group
        # Each person in one group or none (rarely two, or an unknown person).
        count = draw(st.sampled_from([0, 1, 1, 1, 2]))
        groups: dict[str, Any] = {f"g{g}": draw(entity_body(names)) for g in range(count)}
        if groups:
            for pid in persons + ("zz",):
                chance = draw(st.integers(0, 59))
                if pid == "zz" and chance != ODD:
                    continue  # an unknown person, rarely
                where = draw(st.lists(st.sampled_from(sorted(groups)), min_size=0 if chance in (ODD, ODD + 1) else 1,
                                      max_size=2 if chance == ODD + 2 else 1, unique=True))
                for gid in where:
                    placed = any(isinstance(v, list) for v in groups[gid].values())
                    usual = roles[1] if placed else roles[0]  # one demandeur, the others children
                    role = draw(rarely(st.just(usual), st.sampled_from(roles + ("enfnats",))))
                    members = groups[gid].setdefault(role, [])
                    if isinstance(members, list):
                        members.append(pid)
        situation[plural] = groups
    return situation


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
