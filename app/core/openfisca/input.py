"""An OpenFisca situation given by a user (``guichet simulate --openfisca``), read exactly
as openfisca-core reads it (``SimulationBuilder.build_from_entities``), or refused.

What openfisca-core refuses is refused here too, each problem a French message naming
the entity, the person or group and the variable:

* an entity that is not OpenFisca-France's (``individus``, ``familles``,
  ``foyers_fiscaux``, ``menages``), no person at all;
* a key of a group that is neither one of its roles (``parents``, ``enfants``…) nor a
  variable: a misspelt role (``"enfnats"``) is not silently dropped;
* an unknown variable, a variable given in another entity than its own, a variable
  not given as ``{period: value}`` (a list, a bare number);
* a period that does not parse or does not suit the variable's definition period
  (a year for a monthly variable only when OpenFisca spreads it: ``set_input``);
* a person named in a group but not declared, or in two groups of the same entity,
  more members in a role than it allows;
* a value OpenFisca cannot convert to the variable's type; an unknown enum value
  (with the allowed values).

Guichet also refuses what openfisca-core would accept but read wrongly or silently
ignore: a number that is not finite (``NaN``, ``"-inf"``) or outside the variable's
storage type, a number or a text for a boolean (numpy reads any non-empty text as
true), a fraction for an integer (truncated), a text that is not a plain number for a
number (openfisca-core evaluates it as an expression), a date not written AAAA-MM-JJ,
an enum given by its index, ``null`` for a variable that has no formula (nothing to
compute), a period not written the way openfisca-core stores it (``"month:2024-01"``
for ``"2024-01"``: openfisca-core then keeps only one instance's values), a monthly
or yearly period not starting on the first day of a month (or a rolling year for a
yearly variable), a value after the variable's end date (ignored by openfisca-core),
several values of a variable that does not change in time, a key given twice in one
JSON object, a month or year period over 100 years (spread month by month, it would
never end).

The file is UTF-8, with or without a byte-order mark. A message repeats a text of the
situation (a key, an id, a period) shortened to 60 characters.

What openfisca-core does and Guichet does too, with a notice: a person in no group of
an entity is counted alone in a group of their own; an entity absent altogether
gives each person their own group.

The accepted situation becomes ``ReadSituation.data``: the same situation with every
value converted to its type, periods in openfisca-core's spelling, role keys as
openfisca-core reads them, and the ``null`` values (the variables the situation asks
for, as the Web API's clients send them) moved to ``ReadSituation.requests``. It is
then built by ``simulation_build.build_simulation``, which sets the inputs in
openfisca-core's order (smaller periods first): the holders hold the same arrays as
openfisca-core's own build (checked on generated situations by
tests/core/test_openfisca_input_property.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from app.core.base import formats
from app.core.base.i18n import t
from app.core.model.periods import add_months, month_str
from app.core.model.validation import Problem

PERSONS = ("individu", "individus")
GROUPS = (("famille", "familles"), ("foyer_fiscal", "foyers_fiscaux"), ("menage", "menages"))
MAX_TEXT = 200  # characters of a text value (a commune code, an identifier)
MAX_PERIOD_YEARS = 100  # a period over a lifetime: spread month by month, it would never end
MAX_PROBLEMS = 30  # shown at once; the count of the others follows
MAX_FILE_BYTES = 20_000_000  # an exported 20-person household is about 1 MB
SHOWN = 60  # characters of a received text or value a message repeats
# The placeholders of the messages that repeat a text of the situation (shortened).
RECEIVED_TEXTS = frozenset({"key", "id", "variable", "period", "person", "role", "first", "second", "canonical"})
FLOAT32_MAX = float(np.finfo(np.float32).max)
INT32 = (int(np.iinfo(np.int32).min), int(np.iinfo(np.int32).max))
NUMBER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
INTEGER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)")
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class SituationRefused(ValueError):
    """The situation cannot be computed: every problem, each a French message."""

    def __init__(self, problems: Sequence[Problem], codes: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        self.codes = tuple(codes)  # the kind of each problem: its message key
        super().__init__("\n".join(p.message for p in self.problems))

    def lines(self) -> list[str]:
        """The messages to print, at most ``MAX_PROBLEMS`` and the count of the others."""
        shown = [p.message for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(t("openfisca_input.more_problems", count=len(self.problems) - MAX_PROBLEMS))
        return shown


@dataclass(frozen=True)
class Request:
    """A variable the situation asks for (``null``): on which entity, for which period."""

    entity: str  # entity key: "individu", "famille"...
    entity_id: str
    variable: str
    period: str


@dataclass(frozen=True)
class RequestedValue:
    """A requested variable outside Guichet's table: its value, or why it was not computed."""

    request: Request
    computed: bool
    value: Any = None  # float | int | bool | str (enum name, ISO date, text)
    reason: str = ""  # French, when not computed


@dataclass(frozen=True)
class ReadSituation:
    data: dict[str, Any]  # the situation as openfisca-core reads it, inputs only
    requests: tuple[Request, ...]
    notices: tuple[str, ...]  # French: how OpenFisca reads the situation
    famille_id: str  # the famille and ménage the results are read on: the first person's
    menage_id: str
    person_ids: tuple[str, ...]
    input_months: tuple[str, ...]  # every month a monthly input covers, sorted
    requested_months: tuple[str, ...]  # months of the monthly variables asked for, sorted


# --------------------------------------------------------------------------- the file


def load_situation_file(path: Path) -> Any:
    """The JSON of ``path``; refused (French) when unreadable, not JSON, or when an
    object gives a key twice (``json`` would keep the last one without a word)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SituationRefused(
                [Problem("", t("openfisca_input.too_big", path=str(path), max=MAX_FILE_BYTES // 1_000_000))], ["too_big"]
            )
        text = path.read_text(encoding="utf-8-sig")  # the byte-order mark Windows' Notepad writes is not content
    except (OSError, UnicodeDecodeError) as error:
        raise SituationRefused(
            [Problem("", t("openfisca_input.unreadable", path=str(path), reason=type(error).__name__))]
        ) from None
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise SituationRefused(
            [
                Problem(
                    "",
                    t(
                        "openfisca_input.not_json", path=str(path), line=error.lineno, column=error.colno,
                        reason=error.msg,
                    ),
                )
            ]
        ) from None
    except RecursionError:
        raise SituationRefused(
            [Problem("", t("openfisca_input.unreadable", path=str(path), reason="RecursionError"))]
        ) from None
    except ValueError:  # an integer of over 4 300 digits (Python's int_max_str_digits)
        raise SituationRefused([Problem("", t("openfisca_input.number_too_long", path=str(path)))]) from None
    if duplicates:
        raise SituationRefused(
            [Problem(key, t("openfisca_input.duplicate_key", key=key)) for key in dict.fromkeys(duplicates)]
        )
    return data


# --------------------------------------------------------------------------- reading


def _label(key: str) -> str:
    return t(f"openfisca_input.entity.{key}.label")


def _where(key: str, eid: str, variable: str | None = None, period: str | None = None) -> str:
    eid = _cut(eid)
    if variable is None:
        return t("openfisca_input.where_entity", label=_label(key), id=eid)
    if period is None:
        return t("openfisca_input.where_variable", label=_label(key), id=eid, variable=_cut(variable))
    return t("openfisca_input.where_period", label=_label(key), id=eid, variable=_cut(variable), period=_cut(period))


def _shown(value: Any) -> str:
    """A received value as the message shows it (JSON spelling, shortened)."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return _cut(text)


def _cut(text: str, limit: int = SHOWN) -> str:
    """A text of the situation (a key, an id, a period) as a message shows it: shortened."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hint(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return t("openfisca_input.hint", suggestion=close[0]) if close else ""


class _Reader:
    def __init__(self, tbs: Any) -> None:
        self.tbs = tbs
        self.problems: list[Problem] = []
        self.codes: list[str] = []
        self.notices: list[str] = []
        self.requests: list[Request] = []
        self.input_months: set[str] = set()
        # (entity key, variable) -> canonical period -> [(entity id, period as written)]
        self.given: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {}
        self.requested_months: set[str] = set()

    def refuse(self, path: str, message: str, /, _code: str | None = None, **values: Any) -> None:
        """A problem: its French ``message`` (key) and its kind (``_code``, default the key)."""
        shown = {
            name: _cut(value, 200) if name == "periods" and isinstance(value, str)
            else _cut(value) if name in RECEIVED_TEXTS and isinstance(value, str) else value
            for name, value in values.items()
        }
        self.problems.append(Problem(path, t(f"openfisca_input.{message}", **shown)))
        self.codes.append(_code or message)

    # -- the whole situation
    def read(self, data: Any) -> ReadSituation:
        if not isinstance(data, dict):
            raise SituationRefused([Problem("", t("openfisca_input.not_object"))], ["not_object"])
        plurals = {PERSONS[1]: PERSONS[0], **{plural: key for key, plural in GROUPS}}
        singulars = {key: plural for plural, key in plurals.items()}
        for top in data:
            if top == "axes":
                self.refuse("axes", "axes")
            elif top in singulars:
                self.refuse(top, "singular_entity", key=top, plural=singulars[top])
            elif top not in plurals:
                self.refuse(top, "unknown_entity", key=top, known=", ".join(plurals))
        persons = data.get(PERSONS[1])
        if not isinstance(persons, dict):
            if persons is None or persons == []:
                self.refuse(PERSONS[1], "no_persons")
            else:
                self.refuse(PERSONS[1], "entities_not_object", plural=PERSONS[1], example="alice")
            raise SituationRefused(self.problems, self.codes)
        if not persons:
            self.refuse(PERSONS[1], "no_persons")
            raise SituationRefused(self.problems, self.codes)
        person_ids = [str(pid) for pid in persons]
        out: dict[str, Any] = {PERSONS[1]: {pid: self.variables(PERSONS[0], pid, body) for pid, body in persons.items()}}
        reported = {}
        for key, plural in GROUPS:
            groups, reported[key] = self.groups(key, plural, data.get(plural), person_ids)
            if groups is not None:
                out[plural] = groups
        self.check_across_entities()
        if self.problems:
            raise SituationRefused(self.problems, self.codes)
        return ReadSituation(
            data=out,
            requests=tuple(self.requests),
            notices=tuple(self.notices),
            famille_id=reported["famille"],
            menage_id=reported["menage"],
            person_ids=tuple(person_ids),
            input_months=tuple(sorted(self.input_months)),
            requested_months=tuple(sorted(self.requested_months)),
        )

    # -- groups and roles
    def groups(
        self, key: str, plural: str, instances: Any, person_ids: list[str]
    ) -> tuple[dict[str, Any] | None, str]:
        """The groups of one entity as openfisca-core reads them, and the id of the first
        person's group (the one the results are read on)."""
        entity = next(e for e in self.tbs.group_entities if e.key == key)
        alone_id = f"_{key}_{person_ids[0]}"  # simulation_build's id for a person placed alone
        if instances is None:
            self.notices.append(
                t(
                    "openfisca_input.entity_absent",
                    none=t(f"openfisca_input.entity.{key}.none"),
                    own=t(f"openfisca_input.entity.{key}.own"),
                )
            )
            return None, alone_id
        if not isinstance(instances, dict):
            self.refuse(plural, "entities_not_object", plural=plural, example=f"{key}_1")
            return None, alone_id
        roles = {role.plural or role.key: role for role in entity.roles}
        placed: dict[str, str] = {}  # person id -> group id
        out: dict[str, Any] = {}
        for gid, body in instances.items():
            gid = str(gid)
            where = _where(key, gid)
            if not isinstance(body, dict):
                self.refuse(f"{plural}.{gid}", "instance_not_object", where=where)
                continue
            group: dict[str, Any] = {}
            variables: dict[str, Any] = {}
            for name, value in body.items():
                if name in roles:
                    group[name] = self.members(key, plural, gid, roles[name], name, value, person_ids, placed)
                elif name in self.tbs.variables:
                    variables[name] = value
                else:
                    self.refuse(
                        f"{plural}.{gid}.{name}", "unknown_group_key", where=where, key=name,
                        roles=", ".join(f"« {r} »" for r in roles), hint=_hint(name, list(roles) + self._names(key)),
                    )
            group.update(self.variables(key, gid, variables))
            if not any(group.get(role) for role in roles) and not any(
                isinstance(value, list) and value for value in body.values()
            ):
                # openfisca-core builds it, then fails or miscounts in formulas that sum
                # over members (a last group without members: arrays one row short).
                self.refuse(f"{plural}.{gid}", "empty_group", where=where)
            out[gid] = group
        with_values = any(name not in roles for group in out.values() for name in group)
        for pid in person_ids:
            if pid in placed:
                continue
            if with_values:
                # openfisca-core sizes the group inputs before adding the persons placed
                # alone, then repeats them (numpy.tile) to the new count: the values of
                # the declared groups would be copied to theirs, or the build would fail.
                self.refuse(plural, "unplaced_with_values", person=pid, plural=plural,
                            none=t(f"openfisca_input.entity.{key}.none"))
            elif pid in out:
                self.refuse(
                    f"{plural}", "alone_id_taken", person=pid, plural=plural,
                    none=t(f"openfisca_input.entity.{key}.none"),
                )
            else:
                self.notices.append(
                    t(
                        "openfisca_input.not_placed", person=pid,
                        none=t(f"openfisca_input.entity.{key}.none"), own=t(f"openfisca_input.entity.{key}.own"),
                    )
                )
        first = person_ids[0]
        reported = placed.get(first, f"_{key}_{first}")
        with_members = {g for g in placed.values()} | {f"_{key}_{p}" for p in person_ids if p not in placed}
        if key in ("famille", "menage") and len(with_members) > 1:
            self.notices.append(
                t(
                    "openfisca_input.several_groups", count=len(with_members),
                    plural=t(f"openfisca_input.entity.{key}.plural"),
                    label_lower=t(f"openfisca_input.entity.{key}.label").lower(),
                    group=f"« {reported} »" if reported in out else t(f"openfisca_input.entity.{key}.own"),
                    person=first,
                )
            )
        return out, reported

    def members(
        self, key: str, plural: str, gid: str, role: Any, name: str, value: Any,
        person_ids: list[str], placed: dict[str, str],
    ) -> list[str]:
        """A role's persons, as openfisca-core reads them (``transform_to_strict_syntax``:
        one id may be given alone, integers stand for their text)."""
        where = _where(key, gid)
        path = f"{plural}.{gid}.{name}"
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            self.refuse(path, "role_not_list", where=where, role=name, received=_shown(value))
            return []
        members: list[str] = []
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str):
                self.refuse(path, "role_member", where=where, role=name, value=_shown(item))
                continue
            if item not in person_ids:
                self.refuse(path, "role_unknown_person", where=where, role=name, person=item)
                continue
            if item in placed:
                self.refuse(path, "person_twice", person=item, plural=plural, first=placed[item], second=gid,
                            one=t(f"openfisca_input.entity.{key}.one"))
                continue
            placed[item] = gid
            members.append(item)
        if role.max is not None and len(value) > role.max:
            self.refuse(path, "role_too_many", where=where, role=name, max=role.max, count=len(value))
        return members

    def _names(self, key: str) -> list[str]:
        return [name for name, v in self.tbs.variables.items() if v.entity.key == key]

    # -- variables, periods, values
    def variables(self, key: str, eid: str, body: Any) -> dict[str, Any]:
        plural = PERSONS[1] if key == PERSONS[0] else dict(GROUPS)[key]
        if not isinstance(body, dict):
            self.refuse(f"{plural}.{eid}", "instance_not_object", where=_where(key, eid))
            return {}
        out: dict[str, Any] = {}
        for name, by_period in body.items():
            path = f"{plural}.{eid}.{name}"
            where = _where(key, eid, name)
            definition = self.tbs.variables.get(name)
            if definition is None:
                self.refuse(path, "unknown_variable", where=_where(key, eid), variable=name,
                            hint=_hint(name, self._names(key)))
                continue
            if definition.entity.key != key:
                expected = PERSONS[1] if definition.entity.key == PERSONS[0] else dict(GROUPS)[definition.entity.key]
                self.refuse(path, "wrong_entity", where=_where(key, eid), variable=name, expected=expected,
                            given=plural)
                continue
            if not isinstance(by_period, dict):
                received = (
                    t("openfisca_input.received_list") if isinstance(by_period, list)
                    else t("openfisca_input.received_null") if by_period is None
                    else t("openfisca_input.received_value", value=_shown(by_period))
                )
                self.refuse(path, "not_by_period", where=where, received=received)
                continue
            values = self.periods(key, eid, definition, by_period, path)
            if values:
                out[name] = values
        return out

    def periods(self, key: str, eid: str, definition: Any, by_period: dict[str, Any], path: str) -> dict[str, Any]:
        from openfisca_core.periods import period as parse_period

        name = definition.name
        unit = str(getattr(definition.definition_period, "value", definition.definition_period))
        out: dict[str, Any] = {}
        for text, value in by_period.items():
            text = str(text)
            where = _where(key, eid, name, text)
            try:
                parsed = parse_period(text)
            except Exception:  # noqa: BLE001 - openfisca-core raises several kinds for a bad period
                self.refuse(f"{path}.{text}", "bad_period", where=where, period=text)
                continue
            if value is None:  # asked for: openfisca-core only parses the period
                if definition.is_input_variable():
                    self.refuse(f"{path}.{text}", "null_input", where=where, variable=name)
                else:
                    self.requests.append(Request(key, eid, name, str(parsed)))
                    if unit == "month" and str(parsed.unit) == "month" and parsed.size == 1:
                        self.requested_months.add(str(parsed))
                continue
            if not self.period_fits(definition, unit, parsed, text, where, f"{path}.{text}"):
                continue
            ok, converted = self.value(definition, value, where)
            if not ok:
                self.refuse(f"{path}.{text}", converted[0], **converted[1])
                continue
            if definition.end is not None and parsed.start.date > definition.end:
                self.refuse(f"{path}.{text}", "after_end", where=where, variable=name,
                            end=formats.date(definition.end))
                continue
            out[str(parsed)] = converted  # as openfisca-core's input buffer keys it
            self.given.setdefault((key, name), {}).setdefault(str(parsed), []).append((eid, text))
            if unit == "month":
                self.input_months.update(covered_months(parsed))
        if unit == "eternity" and len(out) > 1:
            self.refuse(path, "eternity_once", where=_where(key, eid, name), variable=name, count=len(out))
        return out

    def check_across_entities(self) -> None:
        """What openfisca-core reads wrongly when several entities give one variable: its
        inputs are one array per period for the whole population, set period by period.

        * A period written otherwise than openfisca-core stores it (``"month:2024-01"``,
          ``"month:2024-01:12"`` for ``"2024"``): each such value replaces the array, so
          only the last entity's value would be kept.
        * A value that does not change in time given on different periods: only one
          period's array would be kept.
        * Overlapping periods (a year and months of it): a repeated value
          (``set_input_dispatch_by_period``) would carry a month's array to the following
          months, for everyone; a divided one would count the months given by other
          entities as known for this one (a negative or missing share). Refused unless
          the same entities give both periods of a divided variable."""
        for (key, name), by_period in self.given.items():
            definition = self.tbs.variables[name]
            where = _where(key, next(iter(by_period.values()))[0][0], name)
            for canonical, uses in by_period.items():
                odd = [text for _eid, text in uses if text != canonical]
                if odd and len(uses) > 1:
                    self.refuse(key, "non_canonical_period", where=where, period=odd[0], canonical=canonical)
            unit = str(getattr(definition.definition_period, "value", definition.definition_period))
            if unit == "eternity":
                if len(by_period) > 1:
                    self.refuse(key, "eternity_periods", where=where, variable=name,
                                periods=", ".join(f"« {p} »" for p in by_period))
                continue
            spread = getattr(definition.set_input, "__name__", "")
            periods = list(by_period)
            for i, first in enumerate(periods):
                for second in periods[i + 1:]:
                    if not set(_months(first)) & set(_months(second)):
                        continue
                    if "dispatch" in spread:
                        self.refuse(key, "overlap_repeated", where=where, variable=name, first=first, second=second)
                    elif {eid for eid, _ in by_period[first]} != {eid for eid, _ in by_period[second]}:
                        self.refuse(key, "overlap_divided", where=where, variable=name, first=first, second=second)

    def period_fits(self, definition: Any, unit: str, parsed: Any, text: str, where: str, path: str) -> bool:
        """The period suits the variable's definition period, the way openfisca-core stores
        it (and, where openfisca-core would store it apart where no formula reads it, not)."""
        name = definition.name
        spreads = definition.set_input is not None
        given = str(parsed.unit)
        if given in ("month", "year") and parsed.start.day != 1:
            self.refuse(path, "period_first_day", where=where, period=text)
            return False
        if unit == "eternity":
            return True  # openfisca-core keeps an eternal value whatever the period
        if given == "eternity":
            key = "period_month" if unit == "month" else "period_year" if unit == "year" else "period_other"
            larger = t(f"openfisca_input.{key}_larger") if spreads and unit in ("month", "year") else ""
            self.refuse(path, key, where=where, variable=name, period=text, larger=larger, unit=unit)
            return False
        if parsed.size < 1:
            self.refuse(path, "period_empty", where=where, period=text)
            return False
        if given in ("month", "year") and parsed.size > MAX_PERIOD_YEARS * (12 if given == "month" else 1):
            self.refuse(path, "period_too_long", where=where, period=text, max=MAX_PERIOD_YEARS)
            return False
        if unit == "month":
            fits = (given == "month" and (parsed.size == 1 or spreads)) or (given == "year" and spreads)
            if not fits:
                larger = t("openfisca_input.period_month_larger") if spreads else ""
                # A day or a week: openfisca-core spreads it over a "month" starting that
                # day, which no formula reads. Refused here only.
                shorter = spreads and given in ("day", "week", "weekday")
                self.refuse(path, "period_month", _code="period_shorter" if shorter else None, where=where,
                            variable=name, period=text, larger=larger)
            return fits
        if unit == "year":
            fits = given == "year" and parsed.start.month == 1 and (parsed.size == 1 or spreads)
            if not fits:
                larger = t("openfisca_input.period_year_larger") if spreads else ""
                self.refuse(path, "period_year", where=where, variable=name, period=text, larger=larger)
            return fits
        fits = given == unit and parsed.size == 1
        if not fits:
            self.refuse(path, "period_other", where=where, variable=name, period=text, unit=unit)
        return fits

    def value(self, definition: Any, value: Any, where: str) -> tuple[bool, Any]:
        """(True, the value as the holder will store it) or (False, (message key, its values))."""
        name = definition.name
        shown = _shown(value)
        if getattr(definition, "possible_values", None) is not None:
            names = [item.name for item in definition.possible_values]
            if isinstance(value, str) and value in names:
                return True, value
            allowed = ", ".join(names)
            return False, _no("enum_unknown", where=where, value=shown, variable=name, allowed=allowed)
        value_type = definition.value_type
        if value_type is bool:
            if isinstance(value, bool):
                return True, value
            if isinstance(value, int) and value in (0, 1):
                return True, bool(value)
            return False, _no("not_bool", where=where, value=shown)
        if value_type in (float, int):
            number: float | int
            if isinstance(value, bool):
                return False, _no("not_number", where=where, value=shown)
            if isinstance(value, str):
                pattern = INTEGER_TEXT if value_type is int else NUMBER_TEXT
                if not pattern.fullmatch(value):
                    key = "not_integer" if value_type is int and NUMBER_TEXT.fullmatch(value) else "not_number"
                    return False, _no(key, where=where, value=shown)
                if value_type is int and len(value) > len(str(INT32[0])):  # int() refuses over 4 300 digits
                    return False, _no("too_large", where=where, value=shown, variable=name)
                number = int(value) if value_type is int else float(value)
            elif isinstance(value, (int, float)):
                number = value
            else:
                return False, _no("not_number", where=where, value=shown)
            if isinstance(number, float) and not math.isfinite(number):
                return False, _no("not_finite", where=where, value=shown)
            if value_type is int:
                if isinstance(number, float):
                    if not number.is_integer():
                        return False, _no("not_integer", where=where, value=shown)
                    number = int(number)
                if not INT32[0] <= number <= INT32[1]:
                    return False, _no("too_large", where=where, value=shown, variable=name)
                return True, int(number)
            if abs(number) > FLOAT32_MAX:
                return False, _no("too_large", where=where, value=shown, variable=name)
            return True, float(number)
        if value_type is dt.date:
            if isinstance(value, str) and DATE_TEXT.fullmatch(value):
                try:
                    dt.date.fromisoformat(value)
                    return True, value
                except ValueError:
                    pass
            return False, _no("not_date", where=where, value=shown)
        if value_type is str:
            if not isinstance(value, str):
                return False, _no("not_text", where=where, value=shown)
            if len(value) > MAX_TEXT:
                return False, _no("text_too_long", where=where, max=MAX_TEXT)
            return True, value
        return False, _no("not_text", where=where, value=shown)  # no other type in OpenFisca


def _no(code: str, **values: Any) -> tuple[str, dict[str, Any]]:
    return code, values


def _months(text: str) -> list[str]:
    from openfisca_core.periods import period as parse_period

    return covered_months(parse_period(text))


def covered_months(parsed: Any) -> list[str]:
    """Every month (``YYYY-MM``) a month or year period covers."""
    start = month_str(parsed.start.year, parsed.start.month)
    count = parsed.size * (12 if str(parsed.unit) == "year" else 1)
    return [add_months(start, i) for i in range(count)]


def read_situation(tbs: Any, data: Any) -> ReadSituation:
    """The situation as openfisca-core reads it; ``SituationRefused`` with every problem."""
    return _Reader(tbs).read(data)


# --------------------------------------------------------------------------- the month


def choose_month(read: ReadSituation, given: str | None) -> tuple[str, str]:
    """The month to compute and the French line saying which and why: ``--month`` when
    given, else the month of the monthly variables the situation asks for (the latest),
    else the latest month its monthly inputs cover; refused when none."""
    if given is not None:
        line = t("openfisca_input.month_given", month=formats.month(given))
        covered = read.input_months
        if covered and given not in covered:
            line += " " + t(
                "openfisca_input.month_not_covered", month=formats.month(given),
                first=formats.month(covered[0]), last=formats.month(covered[-1]),
            )
        return given, line
    if read.requested_months:
        month = read.requested_months[-1]
        return month, t("openfisca_input.month_requested", month=formats.month(month))
    if read.input_months:
        month = read.input_months[-1]
        return month, t("openfisca_input.month_covered", month=formats.month(month))
    raise SituationRefused([Problem("--month", t("openfisca_input.month_unknown"))])


# --------------------------------------------------------------------------- requested variables


def requests_outside(read: ReadSituation, catalogue: Any, month: str) -> list[Request]:
    """The requested variables the results table does not already show: all but a
    catalogue variable (or detail) at the period the table computes, on the entity the
    table reads (the first person's famille and ménage, or any person)."""
    shown: set[tuple[str, str, str]] = set()  # (variable, period, entity id)
    for benefit in catalogue:
        period = month[:4] if benefit.period == "year" else month
        ids = read.person_ids if benefit.entity == "individu" else (
            read.famille_id if benefit.entity == "famille" else read.menage_id,
        )
        for variable in (benefit.variable, *benefit.detail):
            shown.update((variable, period, eid) for eid in ids)
    return [r for r in read.requests if (r.variable, r.period, r.entity_id) not in shown]


def compute_requests(
    tbs: Any, simulation: Any, ids: dict[str, list[str]], requests: Sequence[Request]
) -> tuple[RequestedValue, ...]:
    """Each request computed on ``simulation`` (built from ``ReadSituation.data`` by
    ``build_simulation``, situation index 0), after the catalogue: the values are those of
    the same simulation. A period that does not suit the variable is not computed (said),
    except a year or several months of an additive monthly number (summed, as the Web API
    does)."""
    from openfisca_core.periods import period as parse_period

    out = []
    for request in requests:
        definition = tbs.variables[request.variable]
        unit = str(getattr(definition.definition_period, "value", definition.definition_period))
        parsed = parse_period(request.period)
        row = ids[request.entity].index(f"0:{request.entity_id}")
        same = unit == "eternity" or (str(parsed.unit) == unit and parsed.size == 1)
        additive = unit == "month" and definition.value_type in (float, int) and str(parsed.unit) in ("month", "year")
        if not same and not additive:
            example = "2026-11" if unit == "month" else "2026"
            reason = t("openfisca_input.reason_period", unit=t(f"openfisca_input.unit.{unit}"), example=example)
            out.append(RequestedValue(request, False, reason=reason))
            continue
        try:
            array = (
                simulation.calculate(request.variable, parsed) if same
                else simulation.calculate_add(request.variable, parsed)
            )
        except Exception:  # noqa: BLE001 - one variable's failure must not stop the others
            import logging

            logging.getLogger(__name__).error("computing requested %s failed", request.variable, exc_info=True)
            out.append(RequestedValue(request, False, reason=t("openfisca_input.reason_error")))
            continue
        out.append(RequestedValue(request, True, value=_plain(definition, array, row)))
    return tuple(out)


def _plain(definition: Any, array: Any, row: int) -> Any:
    value = array[row]
    if getattr(definition, "possible_values", None) is not None:
        return str(array.decode_to_str()[row]) if hasattr(array, "decode_to_str") else str(value)
    if definition.value_type is bool:
        return bool(value)
    if definition.value_type is int:
        return int(value)
    if definition.value_type is float:
        return round(float(value), 4)
    return str(value)


def value_text(value: Any) -> str:
    """A requested value in French: ``1 234,56``, ``oui``, ``29/11/2026``, the enum's name."""
    if isinstance(value, bool):
        return t("openfisca_input.value_true") if value else t("openfisca_input.value_false")
    if isinstance(value, int):
        return formats.number(value, 0)
    if isinstance(value, float):
        return formats.number(value)
    if isinstance(value, str) and DATE_TEXT.fullmatch(value):
        try:
            return formats.date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def requested_lines(values: Sequence[RequestedValue]) -> list[str]:
    """The text output's section for the requested variables (empty when none)."""
    lines: list[str] = []
    computed = [v for v in values if v.computed]
    missing = [v for v in values if not v.computed]
    if computed:
        lines.append(t("openfisca_input.requested_title"))
        lines.extend(
            t(
                "openfisca_input.requested_line", variable=v.request.variable,
                where=_where(v.request.entity, v.request.entity_id), period=v.request.period,
                value=value_text(v.value),
            )
            for v in computed
        )
    if missing:
        if lines:
            lines.append("")
        lines.append(t("openfisca_input.not_computed_title"))
        lines.extend(
            t(
                "openfisca_input.not_computed_line", variable=v.request.variable,
                where=_where(v.request.entity, v.request.entity_id), period=v.request.period, reason=v.reason,
            )
            for v in missing
        )
    return lines


def requested_json(values: Sequence[RequestedValue]) -> list[dict[str, Any]]:
    return [
        {
            "entity": v.request.entity,
            "id": v.request.entity_id,
            "variable": v.request.variable,
            "period": v.request.period,
            "computed": v.computed,
            "value": v.value,
            **({"reason": v.reason} if not v.computed else {}),
        }
        for v in values
    ]
