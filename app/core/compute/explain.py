"""Why, why not: explanations of every catalogue benefit, from the household's own computation.

Rules as data: ``rules/explain/<benefit id>.yaml`` (schema
``rules/schema/explanation.schema.json``, format in docs/explanations.md) lists a
benefit's conditions in order. Each condition compares a value read from the
household's OpenFisca simulation (a variable, on some person or group, over some
period) with a threshold (a parameter of the legislation at the date, or a
variable when the ceiling is computed, e.g. a ceiling depending on the size of the
household), and carries French sentences for "met" and "not met".

The simulation is the household's own, built by the engine's path
(``engine.situation`` → ``build_simulation`` → ``engine.compute_built``: the same
gates and the same fixed order as ``engine.compute``), so the explanation reads the
very values that made the result. Then:

* not eligible: the first unmet condition decides (all stay in ``conditions``);
* eligible: the main conditions met and, where the spec describes it and the terms
  add up to the amount computed, how the amount is formed;
* every condition met but nothing to pay (or a condition unmet while an amount is
  due): said as such — the exact reason could not be determined — never guessed.

Each threshold taken from a parameter carries its legal reference (the parameter's
``metadata["reference"]`` at the date: title and Légifrance link).

Texts: sentences of a benefit live in its rules file (with the rest of the rules,
like the catalogue's); generic words in ``resources/i18n/fr/explain.yaml``.
"""

from __future__ import annotations

import ast
import datetime as dt
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import yaml

from app.core.base import formats
from app.core.rules import safe_yaml
from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.compute.engine import Engine
from app.core.model.household import Household, Role
from app.core.base.i18n import t
from app.core.base.paths import bundled_rules_dir, install_root
from app.core.model.periods import add_months, months_range, parse_month
from app.core.openfisca.simulation_build import build_simulation
from app.core.openfisca.situation import Situation
from app.core.model.validation import require_valid

log = logging.getLogger(__name__)


class ExplanationSpecError(Exception):
    """A rules/explain file is missing, unreadable or invalid (message in French)."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Reference:
    """The legal text behind a threshold: from the parameter's metadata at the date."""

    parameter: str  # dotted path in the parameter tree
    title: str
    href: str | None
    since: str | None = None  # date of the reference entry used
    description: str | None = None  # the parameter's own description


@dataclass(frozen=True)
class ConditionResult:
    id: str
    kind: str
    met: bool | None  # None: could not be evaluated for this household
    text: str  # French sentence: "24 ans, il faut 25 ans"
    value: Any = None
    threshold: Any = None
    unit: str = "number"
    person_id: str | None = None  # per-person benefits: whose condition (an id, never a name)
    main: bool = True
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class AmountStep:
    label: str
    amount: float
    sign: str  # "+", "-" or "=" (the result)


@dataclass(frozen=True)
class WhatCouldChange:
    kind: str  # "assumption" (an input assumed, not entered) | "input" (an input that commonly changes it)
    code: str  # assumption code, or "change_<n>"
    text: str


@dataclass(frozen=True)
class Explanation:
    benefit_id: str
    label: str
    month: str
    status: Status
    amount: float
    amount_period: str
    summary: str  # one French sentence answering "why / why not"
    determined: bool  # False: the deciding condition could not be determined
    deciding: tuple[ConditionResult, ...] = ()  # the first unmet condition (per-person benefits: each adult's)
    met: tuple[ConditionResult, ...] = ()  # main conditions met
    conditions: tuple[ConditionResult, ...] = ()  # every condition evaluated, in the spec's order
    amount_steps: tuple[AmountStep, ...] = ()
    notes: tuple[str, ...] = ()
    what_could_change: tuple[WhatCouldChange, ...] = ()
    references: tuple[Reference, ...] = ()  # those of the conditions cited (deciding, or met)

    def lines(self) -> list[str]:
        """Plain-text rendering (CLI, handout, logs of tests): summary, details, references."""
        out = [self.summary]
        if self.status in (Status.ELIGIBLE,) and self.met:
            out.append(t("explain.heading.met"))
            out.extend(f"  • {c.text}" for c in self.met)
        if self.amount_steps:
            out.append(t("explain.heading.amount"))
            out.extend(f"  {step.sign} {step.label} : {formats.euros(step.amount)}" for step in self.amount_steps)
        out.extend(self.notes)
        if self.what_could_change:
            out.append(t("explain.heading.what_could_change"))
            out.extend(f"  • {item.text}" for item in self.what_could_change)
        if self.references:
            out.append(t("explain.heading.references"))
            out.extend(f"  • {r.title}" + (f" — {r.href}" if r.href else "") for r in self.references)
        return out


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class ValueSpec:
    name: str
    unit: str
    variable: str | None = None
    of: str = "famille"
    aggregate: str | None = None
    where: Mapping[str, Any] | None = None
    period: str = "M"
    over: str = "sum"
    expression: str | None = None
    labels: Mapping[str, str] | None = None
    first_day: str | None = None  # the first day of a month (``M``): a date, no variable read


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    path: str
    unit: str
    at: str = "M"
    index: Mapping[str, Any] | None = None  # {"value": name, "min": 1, "max": 8}: "{n}" in the path
    scale: str | None = None  # "first_zero_threshold": the first threshold of a scale where the amount is 0


@dataclass(frozen=True)
class ConditionSpec:
    id: str
    kind: str
    value: Any  # a name, or a literal
    threshold: Any = None  # a name, a number, or None (boolean / equals with expected)
    expected: Any = None
    strict: bool = False
    unless: tuple["ConditionSpec", ...] = ()
    when: str | None = None
    met: str | None = None
    not_met: str | None = None
    main: bool = True
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class AmountTermSpec:
    label: str
    value: str
    sign: str


@dataclass(frozen=True)
class ExplanationSpec:
    benefit: str
    per_person: bool
    assumptions: tuple[str, ...]
    changes: tuple[str, ...]
    values: Mapping[str, ValueSpec]
    parameters: Mapping[str, ParameterSpec]
    conditions: tuple[ConditionSpec, ...]
    amount: tuple[AmountTermSpec, ...]
    amount_tolerance: float
    eligible: str | None
    undetermined: str | None
    source_file: str


def explain_dir() -> Path:
    """``explain/`` of the active rules folder (an imported rules pack that has one), else
    the bundled ``rules/explain``."""
    try:
        from app.core.rules.folder import active_rules_dir

        folder = active_rules_dir() / "explain"
        if folder.is_dir():
            return folder
    except Exception:  # noqa: BLE001 - an unreadable pack state falls back on the bundled rules
        log.warning("active rules folder unreadable: bundled explanations used")
    return bundled_rules_dir() / "explain"


def load_specs(folder: Path | None = None) -> dict[str, ExplanationSpec]:
    """Every ``*.yaml`` of ``folder`` (default :func:`explain_dir`), validated against the
    sibling ``schema/explanation.schema.json``; by benefit id. ExplanationSpecError (French,
    naming the file and the field) on the first invalid file."""
    return _load_specs((folder if folder is not None else explain_dir()).resolve())


@lru_cache(maxsize=4)
def _load_specs(folder: Path) -> dict[str, ExplanationSpec]:
    schema_path = folder.parent / "schema" / "explanation.schema.json"
    try:
        import jsonschema

        from app.core.benefits.benefit import load_json_text

        schema = load_json_text(schema_path.read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
    except (OSError, ValueError) as exc:
        raise ExplanationSpecError(f"{_display(schema_path)} : schéma illisible ({exc}).") from exc
    specs: dict[str, ExplanationSpec] = {}
    for path in sorted(folder.glob("*.yaml")):
        name = _display(path)
        try:
            data = safe_yaml.load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ExplanationSpecError(f"{name} : fichier illisible ou YAML invalide ({exc}).") from exc
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            error = errors[0]
            where = ".".join(str(p) for p in error.absolute_path) or "(racine)"
            raise ExplanationSpecError(f"{name}, champ « {where} » : {error.message}")
        if data["benefit"] != path.stem:
            raise ExplanationSpecError(
                f"{name}, champ « benefit » : « {data['benefit']} » doit être égal au nom du fichier (« {path.stem} »)."
            )
        spec = _spec(data, name)
        _check_names(spec)
        specs[spec.benefit] = spec
    return specs


def _spec(data: dict[str, Any], source: str) -> ExplanationSpec:
    values = {
        name: ValueSpec(
            name=name,
            unit=item.get("unit", "number"),
            variable=item.get("variable"),
            of=item.get("of", "famille"),
            aggregate=item.get("aggregate"),
            where=item.get("where"),
            period=str(item.get("period", "M")),
            over=item.get("over", "sum"),
            expression=item.get("expression"),
            labels=item.get("labels"),
            first_day=item.get("first_day"),
        )
        for name, item in (data.get("values") or {}).items()
    }
    parameters = {
        name: ParameterSpec(
            name=name, path=item["path"], unit=item.get("unit", "number"), at=str(item.get("at", "M")),
            index=item.get("index"), scale=item.get("scale"),
        )
        for name, item in (data.get("parameters") or {}).items()
    }
    amount = data.get("amount") or {}
    return ExplanationSpec(
        benefit=data["benefit"],
        per_person=bool(data.get("per_person", False)),
        assumptions=tuple(data.get("assumptions", ())),
        changes=tuple(data.get("changes", ())),
        values=values,
        parameters=parameters,
        conditions=tuple(_condition(c) for c in data.get("conditions", ())),
        amount=tuple(AmountTermSpec(x["label"], x["value"], x.get("sign", "+")) for x in amount.get("terms", ())),
        amount_tolerance=float(amount.get("tolerance", 0.01)),
        eligible=data.get("eligible"),
        undetermined=data.get("undetermined"),
        source_file=source,
    )


def _condition(item: dict[str, Any]) -> ConditionSpec:
    return ConditionSpec(
        id=item.get("id", ""),
        kind=item["kind"],
        value=item["value"],
        threshold=item.get("threshold"),
        expected=item.get("expected"),
        strict=bool(item.get("strict", False)),
        unless=tuple(_condition(u) for u in item.get("unless", ())),
        when=item.get("when"),
        met=item.get("met"),
        not_met=item.get("not_met"),
        main=bool(item.get("main", True)),
        references=tuple(item.get("references", ())),
    )


def _check_names(spec: ExplanationSpec) -> None:
    """Every name a condition, a term or an expression uses is declared."""
    known = set(spec.values) | set(spec.parameters)
    clash = set(spec.values) & set(spec.parameters)
    if clash:
        raise ExplanationSpecError(f"{spec.source_file} : nom déclaré deux fois : {sorted(clash)}.")

    def check(name: Any, where: str) -> None:
        if isinstance(name, str) and name not in known:
            raise ExplanationSpecError(f"{spec.source_file}, {where} : « {name} » n'est déclaré ni dans values ni dans parameters.")

    def check_expression(text: str | None, where: str) -> None:
        if text is None:
            return
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise ExplanationSpecError(f"{spec.source_file}, {where} : expression invalide « {text} ».") from exc
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in _FUNCTIONS and node.id not in ("True", "False"):
                check(node.id, where)

    for value in spec.values.values():
        check_expression(value.expression, f"values.{value.name}")
    for parameter in spec.parameters.values():
        if parameter.index:
            check(parameter.index.get("value"), f"parameters.{parameter.name}.index")

    def check_condition(condition: ConditionSpec, where: str) -> None:
        check(condition.value, f"{where}.value")
        check(condition.threshold, f"{where}.threshold")
        check_expression(condition.when, f"{where}.when")
        for ref in condition.references:
            if ref not in spec.parameters:
                raise ExplanationSpecError(f"{spec.source_file}, {where}.references : « {ref} » n'est pas un paramètre déclaré.")
        for k, sub in enumerate(condition.unless):
            check_condition(sub, f"{where}.unless.{k}")

    for i, condition in enumerate(spec.conditions):
        check_condition(condition, f"conditions.{i}")
    for i, term in enumerate(spec.amount):
        check(term.value, f"amount.terms.{i}")


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(install_root()).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- expressions


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": lambda x, n=0: float(np.round(x, int(n))),
    "floor": math.floor,
    "ceil": math.ceil,
}


def evaluate_expression(text: str, resolve: Callable[[str], Any]) -> Any:
    """A small, safe arithmetic language over named values: + - * / // %, comparisons,
    and/or/not, ``a if c else b`` (lazy: only the branch taken is read) and
    min/max/abs/round/floor/ceil. Names are read through ``resolve``."""
    return _eval(ast.parse(text, mode="eval").body, resolve)


def _eval(node: ast.AST, resolve: Callable[[str], Any]) -> Any:
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (int, float, bool, str))):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("True", "False"):
            return node.id == "True"
        return resolve(node.id)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, resolve), _eval(node.right, resolve)
        if left is None or right is None:
            return None
        ops: dict[type, Callable[[Any, Any], Any]] = {
            ast.Add: lambda a, b: a + b,
            ast.Sub: lambda a, b: a - b,
            ast.Mult: lambda a, b: a * b,
            ast.Div: lambda a, b: a / b if b else math.inf,
            ast.FloorDiv: lambda a, b: a // b,
            ast.Mod: lambda a, b: a % b,
        }
        return ops[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, resolve)
        if isinstance(node.op, ast.Not):
            return not operand
        if isinstance(node.op, ast.USub):
            return None if operand is None else -operand
        return operand
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result: Any = True
            for item in node.values:
                result = _eval(item, resolve)
                if not result:
                    return result
            return result
        result = False
        for item in node.values:
            result = _eval(item, resolve)
            if result:
                return result
        return result
    if isinstance(node, ast.Compare):
        left = _eval(node.left, resolve)
        for op, comparator in zip(node.ops, node.comparators):
            right = _eval(comparator, resolve)
            checks: dict[type, Callable[[Any, Any], bool]] = {
                ast.Lt: lambda a, b: a < b,
                ast.LtE: lambda a, b: a <= b,
                ast.Gt: lambda a, b: a > b,
                ast.GtE: lambda a, b: a >= b,
                ast.Eq: lambda a, b: a == b,
                ast.NotEq: lambda a, b: a != b,
                ast.Is: lambda a, b: a is b,
                ast.IsNot: lambda a, b: a is not b,
            }
            if not checks[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, resolve) if _eval(node.test, resolve) else _eval(node.orelse, resolve)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        args = [_eval(a, resolve) for a in node.args]
        return _FUNCTIONS[node.func.id](*args)
    raise ValueError(f"unsupported expression element: {ast.dump(node)[:80]}")


# --------------------------------------------------------------------------- parameters


def parameter_node(tbs: Any, path: str) -> Any:
    """The parameter (leaf) at a dotted path of ``tbs.parameters``."""
    node = tbs.parameters
    for part in path.split("."):
        children = getattr(node, "children", None)
        if children is None or part not in children:
            raise KeyError(f"unknown parameter {path}")
        node = children[part]
    return node


def parameter_value(tbs: Any, path: str, instant: dt.date) -> Any:
    return parameter_node(tbs, path)(instant.isoformat())


def parameter_references(tbs: Any, path: str, instant: dt.date) -> tuple[Reference, ...]:
    """The legal references of a parameter in force at ``instant`` (latest entry on or
    before it, else the earliest), as metadata gives them."""
    node = parameter_node(tbs, path)
    metadata = getattr(node, "metadata", None) or {}
    raw = metadata.get("reference")
    description = getattr(node, "description", None)
    entries: list[tuple[str | None, Any]] = []
    if isinstance(raw, dict) and raw and all(_is_date(k) for k in raw):
        dates = sorted(raw)
        chosen = [d for d in dates if d <= instant.isoformat()]
        date = chosen[-1] if chosen else dates[0]
        entries = [(date, raw[date])]
    elif raw is not None:
        entries = [(None, raw)]
    out: list[Reference] = []
    for date, item in entries:
        items = item if isinstance(item, list) else [item]
        for entry in items:
            if isinstance(entry, dict):
                title = entry.get("title") or entry.get("href") or path
                out.append(Reference(path, str(title), entry.get("href"), date, description))
            elif isinstance(entry, str):
                out.append(Reference(path, entry, entry if entry.startswith("http") else None, date, description))
    return tuple(out)


def _is_date(text: Any) -> bool:
    return isinstance(text, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


# --------------------------------------------------------------------------- periods


_MONTH_TOKEN = re.compile(r"^M(?:([+-])(\d+))?$")
_YEAR_TOKEN = re.compile(r"^N(?:-(\d))?$")
_YEAR_MONTH_TOKEN = re.compile(r"^N(?:-(\d))?/(\d{2})$")


def resolve_period(token: str, month: str) -> list[str]:
    """Period tokens of the rules files -> OpenFisca periods.

    ``M`` the month computed, ``M-1`` a month before; ``M-3..M-1`` every month of a
    range; ``N``, ``N-1``, ``N-2`` a calendar year; ``N/10`` October of year N,
    ``N-2/07`` July of N-2.
    """
    token = token.strip()
    if ".." in token:
        first, last = (resolve_period(part, month)[0] for part in token.split(".."))
        return months_range(first, last)
    year = parse_month(month)[0]
    if m := _MONTH_TOKEN.match(token):
        offset = int(m.group(2) or 0) * (-1 if m.group(1) == "-" else 1)
        return [add_months(month, offset)]
    if m := _YEAR_MONTH_TOKEN.match(token):
        return [f"{year - int(m.group(1) or 0):04d}-{m.group(2)}"]
    if m := _YEAR_TOKEN.match(token):
        return [f"{year - int(m.group(1) or 0):04d}"]
    raise ValueError(f"unknown period token {token!r}")


def resolve_instant(token: str, month: str) -> dt.date:
    period = resolve_period(token, month)[0]
    return dt.date.fromisoformat(period + "-01") if len(period) == 7 else dt.date(int(period), 1, 1)


# --------------------------------------------------------------------------- evaluation context


class _Household:
    """Rows of one household in a simulation (copy ``k`` of ``build_simulation``)."""

    def __init__(self, ids: dict[str, list[str]], k: int, situation: Situation, household: Household) -> None:
        self.household = household
        index = {key: {eid: i for i, eid in enumerate(values)} for key, values in ids.items()}
        self.person_row = {pid: index["individu"][f"{k}:{pid}"] for pid in situation.person_ids}
        self.group_row = {
            "famille": index["famille"][f"{k}:{situation.famille_id}"],
            "menage": index["menage"][f"{k}:{situation.menage_id}"],
            "foyer_fiscal": index["foyer_fiscal"].get(f"{k}:foyer_fiscal_1", -1),
        }
        self.foyer_rows = [i for eid, i in index["foyer_fiscal"].items() if eid.startswith(f"{k}:")]
        demandeur = household.demandeur
        conjoint = household.conjoint if household.in_couple else None
        self.roles: dict[str, list[str]] = {
            "demandeur": [demandeur.id] if demandeur else [],
            "conjoint": [conjoint.id] if conjoint else [],
            "parents": [p.id for p in (demandeur, conjoint) if p is not None],
            "children": [p.id for p in household.persons if p.role == Role.ENFANT],
            "persons": [p.id for p in household.persons],
        }


class _Evaluator:
    """Values, parameters and conditions of one spec on one household's simulation."""

    def __init__(
        self,
        tbs: Any,
        simulation: Any,
        rows: _Household,
        spec: ExplanationSpec,
        month: str,
        person: str | None = None,
        cache: dict[tuple[str, str], Any] | None = None,
    ) -> None:
        self.tbs = tbs
        self.simulation = simulation
        self.rows = rows
        self.spec = spec
        self.month = month
        self.person = person
        self._arrays = cache if cache is not None else {}
        self._values: dict[str, Any] = {}
        self.used_parameters: list[str] = []

    # -- raw reading
    def _array(self, variable: str, period: str) -> Any:
        key = (variable, period)
        if key not in self._arrays:
            definition = self.tbs.variables[variable]
            unit = definition.definition_period
            unit = getattr(unit, "value", unit)
            if len(period) == 4 and str(unit) == "month":
                array = self.simulation.calculate_add(variable, period)
            elif len(period) == 7 and str(unit) == "year":
                array = self.simulation.calculate(variable, period[:4])
            else:
                array = self.simulation.calculate(variable, period)
            if hasattr(array, "decode_to_str"):
                array = array.decode_to_str()
            self._arrays[key] = np.asarray(array)
        return self._arrays[key]

    def _read(self, spec: ValueSpec) -> Any:
        assert spec.variable is not None
        variable = spec.variable
        definition = self.tbs.variables.get(variable)
        if definition is None:
            raise KeyError(f"{self.spec.source_file}: unknown variable {variable}")
        periods = resolve_period(spec.period, self.month)
        entity = definition.entity.key
        per_period = []
        for period in periods:
            array = self._array(variable, period)
            per_period.append(self._select(array, entity, spec))
        if len(per_period) == 1:
            return per_period[0]
        numbers = [float(v) for v in per_period if v is not None]
        if not numbers:
            return None
        total = sum(numbers)
        return total / len(numbers) if spec.over == "average" else total

    def _select(self, array: Any, entity: str, spec: ValueSpec) -> Any:
        of = spec.of
        if of == "foyers":  # every tax household of the situation
            if entity != "foyer_fiscal":
                raise ValueError(f"{self.spec.source_file}: {spec.variable} is on {entity}, not foyer_fiscal")
            numbers = [_scalar(array[row]) for row in self.rows.foyer_rows]
            return float(sum(numbers)) if (spec.aggregate or "sum") == "sum" else max(numbers)
        if of in ("famille", "menage", "foyer_fiscal"):
            if entity != of:
                raise ValueError(f"{self.spec.source_file}: {spec.variable} is on {entity}, not {of}")
            row = self.rows.group_row[of]
            return _scalar(array[row]) if row >= 0 else None
        if entity != "individu":
            raise ValueError(f"{self.spec.source_file}: {spec.variable} is on {entity}, not on persons")
        if of == "person":
            pids = [self.person] if self.person else []
        else:
            pids = self.rows.roles[of]
        values = [_scalar(array[self.rows.person_row[pid]]) for pid in pids]
        if spec.where:
            values = [v for v in values if self._where(v, spec.where)] if spec.aggregate != "count" else values
        aggregate = spec.aggregate or ("first" if len(pids) <= 1 else None)
        if aggregate is None:
            raise ValueError(f"{self.spec.source_file}: value {spec.name} needs an aggregate")
        if aggregate == "count":
            condition = (lambda v: self._where(v, spec.where)) if spec.where else bool
            return sum(1 for v in values if condition(v))
        if not values:
            return None
        if aggregate == "first":
            return values[0]
        if aggregate == "max":
            return max(values)
        if aggregate == "min":
            return min(values)
        if aggregate == "sum":
            return float(sum(values))
        if aggregate == "any":
            return any(bool(v) for v in values)
        if aggregate == "all":
            return all(bool(v) for v in values)
        raise ValueError(f"unknown aggregate {aggregate}")

    def _where(self, value: Any, where: Mapping[str, Any]) -> bool:
        for op, bound in where.items():
            bound = self.resolve(bound) if isinstance(bound, str) and self._is_name(bound) else bound
            if op == "equals" and not value == bound:
                return False
            if op == "in" and value not in bound:
                return False
            if op == "below" and not value < bound:
                return False
            if op == "at_least" and not value >= bound:
                return False
        return True

    def _is_name(self, text: str) -> bool:
        return text in self.spec.values or text in self.spec.parameters

    # -- names
    def resolve(self, name: str) -> Any:
        if name in self.spec.parameters:
            if name not in self.used_parameters:
                self.used_parameters.append(name)
            return self.parameter(name)
        if name not in self._values:
            spec = self.spec.values[name]
            if spec.expression is not None:
                self._values[name] = evaluate_expression(spec.expression, self.resolve)
            elif spec.first_day is not None:
                self._values[name] = resolve_instant(spec.first_day, self.month)
            else:
                self._values[name] = self._read(spec)
        return self._values[name]

    def parameter_path(self, name: str) -> str:
        spec = self.spec.parameters[name]
        path = spec.path
        if spec.index:
            n = self.resolve(spec.index["value"])
            n = int(min(max(int(n or 0), int(spec.index.get("min", 0))), int(spec.index.get("max", 10**6))))
            path = path.replace("{n}", str(n))
        return path

    def parameter(self, name: str) -> Any:
        spec = self.spec.parameters[name]
        value = parameter_value(self.tbs, self.parameter_path(name), resolve_instant(spec.at, self.month))
        if spec.scale == "first_zero_threshold":
            zeros = [th for th, amount in zip(value.thresholds, value.amounts) if not amount]
            return float(zeros[0]) if zeros else None
        return _scalar(value)

    def unit_of(self, name: Any) -> str:
        if isinstance(name, str):
            if name in self.spec.values:
                return self.spec.values[name].unit
            if name in self.spec.parameters:
                return self.spec.parameters[name].unit
        return "number"

    def fmt(self, name: str) -> str:
        value = self.resolve(name)
        labels = self.spec.values[name].labels if name in self.spec.values else None
        return format_value(value, self.unit_of(name), labels)

    def references(self, names: Iterable[str]) -> tuple[Reference, ...]:
        out: list[Reference] = []
        for name in names:
            spec = self.spec.parameters[name]
            try:
                path = self.parameter_path(name)
            except Exception:  # noqa: BLE001 - a reference that cannot be read is left out, not fatal
                continue
            out.extend(parameter_references(self.tbs, path, resolve_instant(spec.at, self.month)))
        return tuple(_unique(out))


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    return value


def _cited(conditions: Iterable[ConditionResult]) -> tuple[Reference, ...]:
    """The legal references of the conditions an explanation cites, each once."""
    return tuple(_unique(r for c in conditions for r in c.references))


def _unique(references: Iterable[Reference]) -> list[Reference]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for ref in references:
        key = (ref.title, ref.href)
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


def format_value(value: Any, unit: str, labels: Mapping[str, str] | None = None) -> str:
    """French display of a value in its unit: ``1 420 €``, ``25 ans``, ``80 %``."""
    if value is None:
        return t("explain.unknown_value")
    if unit in ("euros_month", "euros_year", "euros"):
        return formats.euros_short(round(float(value), 2))
    if unit == "years":
        n = int(math.floor(float(value) + 1e-9))
        return t("explain.unit.year_one" if n == 1 else "explain.unit.years", n=n)
    if unit == "months":
        return t("explain.unit.months", n=int(value))
    if unit == "count":
        return formats.number(float(value), 0)
    if unit == "percent":
        return f"{formats.number(float(value), 0)}\u00a0%"
    if unit == "rate":
        return f"{formats.number(float(value) * 100, 0)}\u00a0%"
    if unit == "bool":
        return t("explain.bool_true" if value else "explain.bool_false")
    if unit == "date":
        if isinstance(value, np.datetime64):
            value = value.astype("datetime64[D]").item()
        return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)
    if unit == "text":
        text = str(value)
        return (labels or {}).get(text, text)
    number = float(value)
    return formats.number(number, 0 if number == int(number) else 2)


# --------------------------------------------------------------------------- conditions


def _check(kind: str, value: Any, threshold: Any, expected: Any, strict: bool) -> bool | None:
    if value is None:
        return None
    if kind in ("minimum", "at_least_count"):
        if threshold is None:
            return None
        return value > threshold if strict else value >= threshold - 1e-9
    if kind == "maximum":
        if threshold is None:
            return None
        return value < threshold if strict else value <= threshold + 1e-9
    if kind == "equals":
        target = expected if expected is not None else threshold
        if isinstance(target, list):
            return value in target
        return bool(value == target)
    if kind == "boolean":
        wanted = True if expected is None else bool(expected)
        return bool(value) == wanted
    raise ValueError(f"unknown condition kind {kind}")


def _evaluate_condition(ev: _Evaluator, condition: ConditionSpec) -> ConditionResult | None:
    """None when the condition does not apply (``when`` false)."""
    if condition.when is not None and not evaluate_expression(condition.when, ev.resolve):
        return None
    before = len(ev.used_parameters)
    value = ev.resolve(condition.value) if isinstance(condition.value, str) else condition.value
    threshold = ev.resolve(condition.threshold) if isinstance(condition.threshold, str) else condition.threshold
    met = _check(condition.kind, value, threshold, condition.expected, condition.strict)
    unit = ev.unit_of(condition.value)
    threshold_unit = ev.unit_of(condition.threshold) if isinstance(condition.threshold, str) else unit
    if not met:
        for alternative in condition.unless:
            sub = _evaluate_condition(ev, alternative)
            if sub is not None and sub.met:
                used = list(dict.fromkeys(ev.used_parameters[before:] + list(condition.references)))
                return ConditionResult(
                    id=condition.id, kind=condition.kind, met=True, text=sub.text, value=value, threshold=threshold,
                    unit=unit, person_id=ev.person, main=condition.main,
                    references=tuple(_unique(ev.references(used) + sub.references)),
                )
    template = None if met is None else (condition.met if met else condition.not_met)
    if template:
        params = _template_params(ev, value, threshold, unit, threshold_unit, condition.value)
        text = _fill(template, {**params, "_ev": ev})
    else:
        text = t("explain.condition_unknown" if met is None else ("explain.condition_met" if met else "explain.condition_not_met"))
    used = list(dict.fromkeys(ev.used_parameters[before:] + list(condition.references)))
    return ConditionResult(
        id=condition.id, kind=condition.kind, met=met, text=text, value=value, threshold=threshold,
        unit=unit, person_id=ev.person, main=condition.main, references=ev.references(used),
    )


def _template_params(
    ev: _Evaluator, value: Any, threshold: Any, unit: str, threshold_unit: str, value_name: Any
) -> dict[str, Any]:
    labels = ev.spec.values[value_name].labels if isinstance(value_name, str) and value_name in ev.spec.values else None
    return {
        "value": format_value(value, unit, labels),
        "threshold": format_value(threshold, threshold_unit),
        "person": _person_label(ev),
    }


class _Lazy(dict[str, Any]):
    """Template fields: value/threshold given, any declared name formatted on demand."""

    def __init__(self, ev: _Evaluator, given: dict[str, Any]) -> None:
        super().__init__(given)
        self.ev = ev

    def __missing__(self, key: str) -> str:
        if key in self.ev.spec.values or key in self.ev.spec.parameters:
            if key in self.ev.spec.parameters and key not in self.ev.used_parameters:
                self.ev.used_parameters.append(key)
            return self.ev.fmt(key)
        raise KeyError(key)


def _fill(template: str, params: dict[str, Any]) -> str:
    ev = params.pop("_ev", None)
    return template.format_map(params) if ev is None else template.format_map(_Lazy(ev, params))


def _person_label(ev: _Evaluator) -> str:
    if ev.person is None:
        return ""
    person = next((p for p in ev.rows.household.persons if p.id == ev.person), None)
    if person is None:
        return ev.person
    return t(f"explain.person.{person.role.value}")


# --------------------------------------------------------------------------- explaining


class Explainer:
    """Explanations of one household's results for one month, from one simulation.

    ``Explainer(engine, household, month)`` computes once (~ as ``engine.compute``);
    ``explain(benefit_id)`` and ``explain_all()`` then read the same simulation.
    """

    def __init__(self, engine: Engine, household: Household, month: str, specs: Mapping[str, ExplanationSpec] | None = None) -> None:
        self.engine = engine
        self.household = household
        self.month = month
        self.specs = specs if specs is not None else load_specs()
        require_valid(household)  # as engine.compute: InvalidHousehold with French problems
        self.situation = engine.situation(household, month)
        self.simulation, self.ids = build_simulation(engine.tbs, [self.situation.data])
        self.result: SimulationResult = engine.compute_built(
            self.simulation, self.ids, [household], [self.situation], month, engine.gates_for(household, month)
        )[0]
        self.rows = _Household(self.ids, 0, self.situation, household)
        self._arrays: dict[tuple[str, str], Any] = {}

    def explain_all(self) -> dict[str, Explanation]:
        return {b.benefit_id: self.explain(b.benefit_id) for b in self.result.benefits}

    def explain(self, benefit_id: str) -> Explanation:
        benefit = self.engine.catalogue.get(benefit_id)
        result = self.result.get(benefit_id)
        spec = self.specs.get(benefit_id)
        base = dict(
            benefit_id=benefit_id,
            label=benefit.short_label,
            month=self.month,
            status=result.status,
            amount=result.amount,
            amount_period=result.amount_period,
            what_could_change=self._what_could_change(spec) if spec is not None else (),
        )
        if result.status == Status.ERROR:
            return Explanation(summary=t("explain.summary.error"), determined=False, **base)  # type: ignore[arg-type]
        try:
            if spec is None:
                return self._explain_without_spec(benefit, result, base)
            return self._explain(spec, benefit.value, result, base)
        except Exception as error:  # noqa: BLE001 - an explanation must never break the results
            log.error("explaining %s failed: %s", benefit_id, type(error).__name__, exc_info=True)
            return Explanation(summary=t("explain.summary.failed"), determined=False, **base)  # type: ignore[arg-type]

    # -- internals
    def _explain_without_spec(self, benefit: Any, result: BenefitResult, base: dict[str, Any]) -> Explanation:
        """A local aid evaluated on criteria (rules/local) gives its own reasons; anything
        else without a rules/explain file is said to be unexplained, never guessed."""
        reasons: tuple[str, ...] = ()
        if getattr(benefit, "rule", None) is not None:
            from app.core.benefits import local_aids

            known = {item.benefit_id: item for item in self.result.benefits}
            reasons = tuple(local_aids.evaluate(benefit, self.household, self.month, known).reasons)
        positive = self._positive(benefit.value, result)
        amount_text = self._amount_text(benefit.value, result)
        if positive:
            summary = t("explain.summary.eligible", amount=amount_text) if amount_text else t("explain.summary.eligible_no_amount")
            return Explanation(summary=summary, determined=True, notes=reasons, **base)
        if reasons and result.status == Status.NOT_ELIGIBLE:
            return Explanation(
                summary=t("explain.summary.not_eligible", reason=reasons[0].rstrip(". ")), determined=True,
                notes=reasons[1:], **base
            )
        summary = t("explain.summary.undetermined", detail=t("explain.no_spec"))
        return Explanation(summary=summary, determined=False, notes=reasons, **base)

    def _positive(self, value_kind: str, result: BenefitResult) -> bool:
        if value_kind == "boolean":
            return result.status == Status.ELIGIBLE
        return result.amount > 0

    def _explain(self, spec: ExplanationSpec, value_kind: str, result: BenefitResult, base: dict[str, Any]) -> Explanation:
        positive = self._positive(value_kind, result)
        if spec.per_person:
            return self._explain_per_person(spec, value_kind, result, base)
        ev = self._evaluator(spec, result)
        conditions = [c for c in (_evaluate_condition(ev, cond) for cond in spec.conditions) if c is not None]
        return self._assemble(spec, ev, value_kind, result, base, conditions, positive)

    def _evaluator(self, spec: ExplanationSpec, result: BenefitResult) -> "_Evaluator":
        """Reads the household's simulation, or, for a benefit the engine reads on a copy of
        the household (the prime à la naissance with the expected child at the month it is
        paid, Visale in the home to rent), that copy's simulation."""
        side = self.engine.side_simulation(result.benefit_id, self.household, self.month,
                                           self.engine.gates_for(self.household, self.month))
        if side is not None:
            rows = _Household(side.ids, 0, side.situation, side.case.household)
            return _Evaluator(self.engine.tbs, side.simulation, rows, spec, side.case.month, cache={})
        return _Evaluator(self.engine.tbs, self.simulation, self.rows, spec, self.month, cache=self._arrays)

    def _explain_per_person(
        self, spec: ExplanationSpec, value_kind: str, result: BenefitResult, base: dict[str, Any]
    ) -> Explanation:
        candidates = self.rows.roles["parents"]
        beneficiaries = set(result.beneficiaries)
        all_conditions: list[ConditionResult] = []
        evaluators = []
        for pid in candidates:
            ev = _Evaluator(self.engine.tbs, self.simulation, self.rows, spec, self.month, person=pid, cache=self._arrays)
            evaluators.append(ev)
            all_conditions.extend(c for c in (_evaluate_condition(ev, cond) for cond in spec.conditions) if c is not None)
        positive = bool(beneficiaries) and result.amount > 0
        if positive:
            shown = [c for c in all_conditions if c.person_id in beneficiaries]
        else:
            shown = all_conditions
        return self._assemble(spec, evaluators[0] if evaluators else None, value_kind, result, base, shown, positive,
                              every=all_conditions, persons=candidates)

    def _assemble(
        self,
        spec: ExplanationSpec,
        ev: _Evaluator | None,
        value_kind: str,
        result: BenefitResult,
        base: dict[str, Any],
        conditions: list[ConditionResult],
        positive: bool,
        every: list[ConditionResult] | None = None,
        persons: Sequence[str] | None = None,
    ) -> Explanation:
        every = every if every is not None else conditions
        unmet = [c for c in conditions if c.met is False]
        unknown = [c for c in conditions if c.met is None]
        notes: list[str] = []
        amount_text = self._amount_text(value_kind, result)
        if positive:
            met = tuple(c for c in conditions if c.met and c.main)
            steps = self._amount_steps(spec, ev, result) if ev is not None and not spec.per_person else ()
            summary = t("explain.summary.eligible", amount=amount_text) if amount_text else t("explain.summary.eligible_no_amount")
            if spec.eligible and ev is not None and not spec.per_person:
                summary = f"{summary} {_fill(spec.eligible, {'_ev': ev, 'amount': amount_text})}"
            if unmet:
                notes.append(t("explain.note.unmet_but_eligible", conditions=" ; ".join(c.text for c in unmet)))
            return Explanation(
                summary=summary, determined=not unmet, met=met, conditions=tuple(every), amount_steps=steps,
                notes=tuple(notes), references=_cited(met), **base,
            )
        if unmet:
            firsts, rest = self._deciding(unmet, persons)
            reason = " ; ".join(c.text for c in firsts)
            key = "explain.summary.to_check" if result.status == Status.TO_CHECK else "explain.summary.not_eligible"
            summary = t(key, reason=reason.rstrip(". "))
            return Explanation(
                summary=summary, determined=True, deciding=tuple(firsts), conditions=tuple(every),
                notes=tuple(notes), references=_cited(firsts), **base,
            )
        # Nothing unmet, yet nothing to pay: say it, do not guess.
        detail = spec.undetermined
        if detail and ev is not None and not spec.per_person:
            detail = _fill(detail, {"_ev": ev})
        if not detail:
            detail = t("explain.undetermined_default")
        if unknown:
            detail = f"{detail} {t('explain.note.unknown', conditions=' ; '.join(c.text for c in unknown))}"
        summary = t("explain.summary.undetermined", detail=detail)
        met = tuple(c for c in conditions if c.met and c.main)
        if result.status == Status.TO_CHECK:
            notes.append(t("explain.note.to_check"))
        return Explanation(
            summary=summary, determined=False, met=met, conditions=tuple(every), notes=tuple(notes),
            references=_cited(conditions), **base,
        )

    @staticmethod
    def _deciding(
        unmet: list[ConditionResult], persons: Sequence[str] | None
    ) -> tuple[list[ConditionResult], list[ConditionResult]]:
        """The deciding condition(s) first (per person: each one's first unmet), then the rest."""
        if not persons:
            return unmet[:1], unmet[1:]
        firsts: list[ConditionResult] = []
        seen: set[str | None] = set()
        for c in unmet:
            if c.person_id not in seen:
                seen.add(c.person_id)
                firsts.append(c)
        return firsts, [c for c in unmet if c not in firsts]

    def _amount_text(self, value_kind: str, result: BenefitResult) -> str:
        if value_kind == "boolean":
            return ""
        key = f"results.amount_{result.amount_period}"
        if value_kind == "contribution":
            key = "results.contribution_month"
        return t(key, amount=formats.euros(result.amount))

    def _amount_steps(self, spec: ExplanationSpec, ev: _Evaluator, result: BenefitResult) -> tuple[AmountStep, ...]:
        """The terms of the spec, shown only when they add up to the amount computed."""
        if not spec.amount:
            return ()
        steps: list[AmountStep] = []
        total = 0.0
        for term in spec.amount:
            value = ev.resolve(term.value)
            if value is None:
                return ()
            value = float(value)
            total += -value if term.sign == "-" else value
            if steps and abs(value) < 0.005:
                continue  # a zero term (other than the first) says nothing
            steps.append(AmountStep(_fill(term.label, {"_ev": ev}), round(value, 2), term.sign))
        if abs(total - result.amount) > spec.amount_tolerance + 1e-6:
            log.info("amount terms of %s do not add up (%.2f vs %.2f): not shown", spec.benefit, total, result.amount)
            return ()
        steps.append(AmountStep(t("explain.amount_result"), result.amount, "="))
        return tuple(steps)

    def _what_could_change(self, spec: ExplanationSpec) -> tuple[WhatCouldChange, ...]:
        out = [
            WhatCouldChange("assumption", code, t(f"assumption.{code}"))
            for code in spec.assumptions
            if code in self.result.assumptions
        ]
        out.extend(WhatCouldChange("input", f"change_{i + 1}", text) for i, text in enumerate(spec.changes))
        return tuple(out)


def explain(engine: Engine, household: Household, month: str, benefit_id: str) -> Explanation:
    """The explanation of one benefit's result (one computation of the household)."""
    return Explainer(engine, household, month).explain(benefit_id)


def explain_all(engine: Engine, household: Household, month: str) -> dict[str, Explanation]:
    """Explanations of every catalogue benefit, from one computation of the household."""
    return Explainer(engine, household, month).explain_all()
