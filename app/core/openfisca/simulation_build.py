"""Build one vectorised OpenFisca simulation from many situations, with arrays.

Building from a dict costs about 10 ms per household (96 s for 10,000); this
builder declares the entities and sets every input as one array per variable
and period, so one household and ten thousand take the same path.

A situation here is the standard OpenFisca JSON (``individus``, ``familles``,
``foyers_fiscaux``, ``menages``), as produced by ``situation.build_situation``
or given by a user (``guichet simulate --openfisca``). All situations of one
build must give the same (variable, period) inputs when those variables have a
formula; inputs given by some situations only take the variable's default value
in the others, which is right for our own situations (they always give every
resource) and for a single situation.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any, Iterable, Sequence

import numpy as np
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.simulations import Simulation, SimulationBuilder

from app.core.base.i18n import t

GROUP_ENTITIES = (("famille", "familles"), ("foyer_fiscal", "foyers_fiscaux"), ("menage", "menages"))


class SituationError(ValueError):
    """A situation that cannot be built (message in French, naming the place)."""


def _role_keys(entity: Any) -> dict[str, tuple[str, ...]]:
    """Plural (as in situations) and singular role names -> the role keys to give the
    members in order: a role with sub-roles (famille's parents: demandeur then
    conjoint; foyer fiscal's declarants) hands them out by position, as OpenFisca's
    dict builder does."""
    keys: dict[str, tuple[str, ...]] = {}
    for role in entity.roles:
        order = tuple(sub.key for sub in role.subroles) if role.subroles else (role.key,)
        keys[role.plural or role.key] = order
        keys[role.key] = order
    return keys


def build_simulation(tbs: Any, situations: Sequence[dict[str, Any]]) -> tuple[Simulation, dict[str, list[str]]]:
    """One simulation holding every situation, side by side.

    Returns the simulation and, per entity key, the ids in order
    (``"<situation index>:<id in the situation>"``).
    """
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    person_ids: list[str] = []
    for k, situation in enumerate(situations):
        individus = situation.get("individus")
        if not isinstance(individus, dict) or not individus:
            raise SituationError(f"Situation {k + 1} : la clé « individus » est absente ou vide.")
        person_ids.extend(f"{k}:{pid}" for pid in individus)
    person_index = {pid: i for i, pid in enumerate(person_ids)}
    builder.declare_person_entity("individu", person_ids)
    ids: dict[str, list[str]] = {"individu": person_ids}

    for key, plural in GROUP_ENTITIES:
        entity = next(e for e in tbs.group_entities if e.key == key)
        role_keys = _role_keys(entity)
        group_ids: list[str] = []
        member_of = np.full(len(person_ids), -1, dtype=np.int32)
        roles = np.empty(len(person_ids), dtype=object)
        for k, situation in enumerate(situations):
            groups = situation.get(plural) or {}
            for gid, group in groups.items():
                group_ids.append(f"{k}:{gid}")
                for role_name, members in group.items():
                    if role_name not in role_keys:
                        continue
                    for position, pid in enumerate(members):
                        index = person_index.get(f"{k}:{pid}")
                        if index is None:
                            raise SituationError(
                                f"Situation {k + 1}, {plural} « {gid} » : la personne « {pid} » n'existe pas."
                            )
                        if member_of[index] >= 0:
                            raise SituationError(
                                f"Situation {k + 1} : la personne « {pid} » est dans deux {plural}."
                            )
                        member_of[index] = len(group_ids) - 1
                        order = role_keys[role_name]
                        roles[index] = order[min(position, len(order) - 1)]
            # OpenFisca requires every person in one group of each kind: alone if not placed.
            for pid in situation["individus"]:
                index = person_index[f"{k}:{pid}"]
                if member_of[index] < 0:
                    group_ids.append(f"{k}:_{key}_{pid}")
                    member_of[index] = len(group_ids) - 1
                    first = entity.roles[0]
                    roles[index] = first.subroles[0].key if first.subroles else first.key
        group = builder.declare_entity(key, group_ids)
        _join(builder, group, group_ids, member_of, roles)
        ids[key] = group_ids

    simulation = builder.build(tbs)
    _set_inputs(tbs, simulation, situations, ids)
    return simulation, ids


def _join(builder: SimulationBuilder, group: Any, group_ids: list[str], member_of: np.ndarray, roles: Any) -> None:
    """Each person's group (``member_of``: the group's row) and role. openfisca-core's
    ``join_with_persons`` takes each person's group *id* and numbers the ids that have
    members only, which shifts every person after a group without members (a situation
    may give one: openfisca-core's dict build keeps it): its roles, then the rows."""
    builder.join_with_persons(group, np.asarray(group_ids, dtype=object)[member_of], roles)
    group.members_entity_id = np.asarray(member_of, dtype=np.int32)


Inputs = dict[str, dict[tuple[str, str], tuple[list[int], list[Any]]]]


def _collect(tbs: Any, situations: Sequence[dict[str, Any]], ids: dict[str, list[str]]) -> Inputs:
    """Per entity key, the rows and values of each (variable, period) input.

    A household gives about 2,000 (variable, period) values, mostly ~70 variables over
    the same 27 months: the loop over the situations only notes, per variable, each
    row and its ``{period: value}`` dict; the values are then read period by period
    with list comprehensions, and the arrays filled by numpy (``_array``)."""
    plural_to_key = {"individus": "individu", **{plural: key for key, plural in GROUP_ENTITIES}}
    variables = tbs.variables
    out: Inputs = {}
    for plural, key in plural_to_key.items():
        index = {eid: i for i, eid in enumerate(ids[key])}
        per_variable: dict[str, tuple[list[int], list[dict[Any, Any]]]] = {}
        for k, situation in enumerate(situations):
            prefix = f"{k}:"
            for eid, entity_data in (situation.get(plural) or {}).items():
                row = index[prefix + eid]
                for variable, by_period in entity_data.items():
                    if isinstance(by_period, list) or variable == "id":
                        continue  # role lists
                    seen = per_variable.get(variable)
                    if seen is None:
                        _check_variable(variables, variable, key, k)
                        seen = per_variable[variable] = ([], [])
                    if not isinstance(by_period, dict):
                        raise SituationError(
                            f"Situation {k + 1}, « {variable} » : une valeur par période est attendue."
                        )
                    seen[0].append(row)
                    seen[1].append(by_period)
        inputs: dict[tuple[str, str], tuple[list[int], list[Any]]] = {}
        for variable, (rows, dicts) in per_variable.items():
            # Dicts with the same periods in the same order (nearly all of them) are read
            # together, column by column: zip() walks their values without a lookup.
            same_periods: dict[tuple[Any, ...], list[int]] = {}
            for i, by_period in enumerate(dicts):
                members = same_periods.get(signature := tuple(by_period))
                if members is None:
                    same_periods[signature] = [i]
                else:
                    members.append(i)
            for signature, members in same_periods.items():
                if len(members) == len(dicts):
                    member_rows, columns = rows, zip(*[d.values() for d in dicts])
                else:
                    member_rows, columns = [rows[i] for i in members], zip(*[dicts[i].values() for i in members])
                for period, column in zip(signature, columns):
                    if None in column:  # None: a variable to compute (Web API style)
                        kept = [i for i, value in enumerate(column) if value is not None]
                        if not kept:
                            continue
                        where, values = [member_rows[i] for i in kept], [column[i] for i in kept]
                    else:
                        where, values = member_rows, list(column)
                    input_key = (variable, period if type(period) is str else str(period))
                    known = inputs.get(input_key)
                    if known is None:
                        inputs[input_key] = (list(where), values)
                    else:
                        known[0].extend(where)
                        known[1].extend(values)
        out[key] = inputs
    return out


def _set_inputs(
    tbs: Any, simulation: Simulation, situations: Sequence[dict[str, Any]], ids: dict[str, list[str]]
) -> None:
    """Every input of every situation, one array per (variable, period)."""
    for key, inputs in _collect(tbs, situations, ids).items():
        size = len(ids[key])
        for input_key in _sorted(inputs):
            definition = tbs.variables[input_key[0]]
            try:
                _put(simulation, definition, input_key[1], _array(definition, size, *inputs[input_key]))
            except ValueError as error:
                if not str(error).startswith("Inconsistent input"):
                    raise
                # openfisca-core's set_input_divide_by_period: every month of a larger
                # period already given, and their total is not the larger period's amount.
                raise SituationError(
                    t("openfisca_input.inconsistent", variable=input_key[0], period=input_key[1])
                ) from None


def _check_variable(variables: Any, variable: str, key: str, k: int) -> None:
    if variable not in variables:
        raise SituationError(f"Situation {k + 1} : la variable « {variable} » est inconnue d'OpenFisca-France.")
    entity = variables[variable].entity.key
    if entity != key:
        raise SituationError(f"La variable « {variable} » se rapporte à l'entité « {entity} », pas à « {key} ».")


def _sorted(keys: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """openfisca-core's order (``SimulationBuilder.finalize_variables_init``): per variable,
    the smaller periods first (``periods.key_period_size``, a string: unit weight then
    size), periods of the same size in the order they first appear. A year given with
    some of its months is then spread over the remaining months only (divided, or
    dispatched), never over the months given."""
    return sorted(keys, key=lambda item: (item[0], _period_size_key(item[1])))


@functools.lru_cache(maxsize=4096)
def _period_size_key(text: str) -> str:
    from openfisca_core.periods import key_period_size

    return str(key_period_size(_parsed_period(text)))


def _array(definition: Any, size: int, rows: Sequence[int], values: Sequence[Any]) -> np.ndarray:
    """The variable's default value everywhere, ``values`` at ``rows``."""
    where = np.asarray(rows, dtype=np.int64)
    value_type = definition.value_type
    if getattr(definition, "possible_values", None) is not None:  # Enum: names, encoded by set_input
        out = np.full(size, definition.default_value.name, dtype=object)
        out[where] = np.asarray(values, dtype=object)
        return out.astype(str)
    if value_type is str:
        out = np.full(size, definition.default_value or "", dtype=object)
        out[where] = np.asarray(values, dtype=object)
        return out.astype(str)
    if value_type.__name__ == "date":
        out = np.full(size, np.datetime64(definition.default_value, "D"))
        out[where] = np.asarray([str(value) for value in values], dtype="datetime64[D]")
        return out
    dtype = {bool: bool, int: np.int32, float: np.float32}[value_type]
    out = np.full(size, definition.default_value, dtype=dtype)
    out[where] = np.asarray(values, dtype=dtype)
    return out


def _put(simulation: Simulation, definition: Any, period_text: str, array: Any) -> None:
    """``simulation.set_input``; an input of exactly the variable's own period (or an
    eternal one) goes straight into the holder's cache, which is what ``set_input``
    ends in after its checks (the value types are ours, already right)."""
    parsed = _parsed_period(period_text)
    unit = getattr(definition.definition_period, "value", definition.definition_period)
    if str(parsed.unit) == "eternity" or (str(parsed.unit) == str(unit) and parsed.size == 1):
        holder = simulation.get_holder(definition.name)
        if getattr(definition, "possible_values", None) is not None and not isinstance(array, EnumArray):
            array = definition.possible_values.encode(array)
        holder.put_in_cache(array, parsed)
    else:
        simulation.set_input(definition.name, parsed, array)


# --------------------------------------------------------------------------- copies of one situation


def build_copies(
    tbs: Any,
    situation: dict[str, Any],
    n: int,
    overrides: dict[tuple[str, str, str], Any] | None = None,
) -> tuple[Simulation, dict[str, list[str]]]:
    """One simulation holding ``n`` copies of one situation, some inputs changed per copy.

    Same result as ``build_simulation(tbs, [situation] * n)`` followed by per-copy
    edits, without the per-situation Python work: the situation's input arrays are
    built once and repeated with ``np.tile``. ``overrides`` maps ``(entity id in the
    situation, variable, period)`` to ``n`` values, one per copy (for instance a
    person's ``salaire_net`` of every month, for an earnings curve); the variable
    must belong to that entity, and a (variable, period) the situation does not give
    is set to the variable's default value in the other rows.

    Ids follow ``build_simulation``: ``"<copy index>:<id in the situation>"``.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    overrides = dict(overrides or {})
    layout = _single_layout(tbs, situation)
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    person_ids0: list[str] = layout["individu"]
    builder.declare_person_entity("individu", [f"{k}:{pid}" for k in range(n) for pid in person_ids0])
    ids: dict[str, list[str]] = {"individu": [f"{k}:{pid}" for k in range(n) for pid in person_ids0]}
    layouts = layout["groups"]
    for key, _plural in GROUP_ENTITIES:
        group_ids0, member_of0, roles0 = layouts[key]
        group_ids = [f"{k}:{gid}" for k in range(n) for gid in group_ids0]
        offsets = np.repeat(np.arange(n, dtype=np.int64) * len(group_ids0), len(person_ids0))
        member_of = np.tile(np.asarray(member_of0, dtype=np.int64), n) + offsets
        roles = np.tile(np.asarray(roles0, dtype=object), n)
        group = builder.declare_entity(key, group_ids)
        _join(builder, group, group_ids, member_of, roles)
        ids[key] = group_ids
    simulation = builder.build(tbs)

    # Inputs of the single situation, as arrays over its own rows.
    local_ids = {"individu": person_ids0, **{key: layouts[key][0] for key, _ in GROUP_ENTITIES}}
    local_index = {key: {eid: i for i, eid in enumerate(values)} for key, values in local_ids.items()}
    inputs = _collect(tbs, [situation], {key: [f"0:{eid}" for eid in values] for key, values in local_ids.items()})
    # Overrides: which local row, per (variable, period).
    by_input: dict[tuple[str, str], list[tuple[int, np.ndarray]]] = defaultdict(list)
    for (eid, variable, period), values in overrides.items():
        if variable not in tbs.variables:
            raise SituationError(f"La variable « {variable} » est inconnue d'OpenFisca-France.")
        key = tbs.variables[variable].entity.key
        if eid not in local_index[key]:
            raise SituationError(f"« {eid} » n'est pas une entité « {key} » de la situation.")
        array = np.asarray(values)
        if array.shape != (n,):
            raise ValueError(f"override {eid}/{variable}/{period}: {n} values expected, got {array.shape}")
        by_input[(variable, str(period))].append((local_index[key][eid], array))
        inputs[key].setdefault((variable, str(period)), ([], []))

    encoded: dict[tuple[str, tuple[Any, ...]], np.ndarray] = {}
    for key, entity_inputs in inputs.items():
        size = len(local_ids[key])
        for input_key in _sorted(entity_inputs):
            variable, period = input_key
            definition = tbs.variables[variable]
            single = _array(definition, size, *entity_inputs[input_key])
            positions = [(np.arange(n) * size + row, values) for row, values in by_input.get(input_key, ())]
            enum = getattr(definition, "possible_values", None)
            if enum is not None:
                # Encode the one copy (cached across periods), tile the indices.
                cache_key = (variable, tuple(single.tolist()))
                if cache_key not in encoded:
                    encoded[cache_key] = np.asarray(enum.encode(single))
                indices = np.tile(encoded[cache_key], n)
                for where, values in positions:
                    indices[where] = np.asarray(enum.encode(np.asarray(values).astype(str)))
                tiled: Any = EnumArray(indices, enum)
            else:
                tiled = np.tile(single, n)
                if positions:
                    text = tiled.dtype.kind in "US"  # strings: no truncation to the base's width
                    out = tiled.astype(object) if text else tiled
                    for where, values in positions:
                        out[where] = values if text else values.astype(tiled.dtype)
                    tiled = out.astype(str) if text else out
            _put(simulation, definition, period, tiled)
    return simulation, ids


@functools.lru_cache(maxsize=4096)
def _parsed_period(text: str) -> Any:
    from openfisca_core.periods import period

    return period(text)


def _single_layout(tbs: Any, situation: dict[str, Any]) -> dict[str, Any]:
    """Person ids and, per group entity, (group ids, each person's group index, roles)
    of one situation, as ``build_simulation`` lays them out."""
    individus = situation.get("individus")
    if not isinstance(individus, dict) or not individus:
        raise SituationError("Situation : la clé « individus » est absente ou vide.")
    person_ids = list(individus)
    person_index = {pid: i for i, pid in enumerate(person_ids)}
    layouts: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
    for key, plural in GROUP_ENTITIES:
        entity = next(e for e in tbs.group_entities if e.key == key)
        role_keys = _role_keys(entity)
        group_ids: list[str] = []
        member_of = np.full(len(person_ids), -1, dtype=np.int64)
        roles = np.empty(len(person_ids), dtype=object)
        for gid, group in (situation.get(plural) or {}).items():
            group_ids.append(gid)
            for role_name, members in group.items():
                if role_name not in role_keys:
                    continue
                for position, pid in enumerate(members):
                    index = person_index.get(pid)
                    if index is None:
                        raise SituationError(f"{plural} « {gid} » : la personne « {pid} » n'existe pas.")
                    if member_of[index] >= 0:
                        raise SituationError(f"La personne « {pid} » est dans deux {plural}.")
                    member_of[index] = len(group_ids) - 1
                    order = role_keys[role_name]
                    roles[index] = order[min(position, len(order) - 1)]
        for pid in person_ids:
            index = person_index[pid]
            if member_of[index] < 0:
                group_ids.append(f"_{key}_{pid}")
                member_of[index] = len(group_ids) - 1
                first = entity.roles[0]
                roles[index] = first.subroles[0].key if first.subroles else first.key
        layouts[key] = (group_ids, member_of, roles)
    return {"individu": person_ids, "groups": layouts}
