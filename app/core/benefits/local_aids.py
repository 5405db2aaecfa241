"""Local aids: one YAML file per aid in ``rules/local/``, evaluated after OpenFisca.

A local aid is a catalogue entry (:class:`LocalAid`, a :class:`~app.core.benefits.benefit.Benefit`
with a territory, a version and its source page), of one of two kinds:

* **criteria** (no Python): ``criteria`` that the household must meet (age, activity,
  household composition, housing status, resources or quotient familial ceilings, already
  receiving RSA or AAH…) and an ``amount`` (fixed, or by brackets). They are evaluated on the
  same household AFTER OpenFisca, so that "receives the RSA" reads OpenFisca's result of this
  household (or the benefits the household declares it receives);
* **openfisca**: the aid is a variable of the rules folder's OpenFisca extension
  (``rules/local/extension``), computed in the same simulation as the national benefits.

Files are validated against ``rules/schema/local_aid.schema.json``; errors are French and
name the file, the field and the line (from the YAML node marks).

Results: :func:`append_local_aids` (called by the engine) adds one ``BenefitResult`` per
local aid of the household's territory to each ``SimulationResult``; aids of other
territories are left out. The GUI and the handout find the entry with
``catalogue.get(benefit_id)`` like a national benefit; ``catalogue.entries()`` lists both.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, cast

import jsonschema
import yaml
from jsonschema.exceptions import best_match

from app.core.rules import safe_yaml
from app.core.benefits.benefit import (
    Apply,
    Benefit,
    CatalogueError,
    Link,
    PaperForm,
    PayingBody,
    ValueKind,
    display_path,
    explain_error,
    load_json_text,
    optional_link,
)
from app.core.model.household import Household, Person, ResourceKind, Role
from app.core.base.i18n import t
from app.core.model.periods import first_day

from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.openfisca.situation import Situation, row_positions

log = logging.getLogger(__name__)

DEFAULT_ORDER = 1000
SCHEMA_NAME = "local_aid.schema.json"
# Detail of a BenefitResult whose amount is only the maximum the source gives.
DETAIL_MAXIMUM = "montant_maximum"
# Detail of a BenefitResult whose amount the source does not give.
DETAIL_UNKNOWN_AMOUNT = "montant_non_indique"
# Detail of the (not eligible) result of an aid of another territory: every result lists
# every local aid, in the same order (batch files rely on it); screens and handouts hide these.
DETAIL_OUTSIDE_TERRITORY = "hors_territoire"
# Detail of a criteria aid for a bare OpenFisca situation (no household to evaluate).
DETAIL_NOT_EVALUATED = "non_evalue"


def is_outside_territory(item: BenefitResult) -> bool:
    """True for the result of a local aid of another territory (to leave out of lists)."""
    return item.detail in (DETAIL_OUTSIDE_TERRITORY, DETAIL_NOT_EVALUATED)


def amount_note(item: BenefitResult) -> str | None:
    """The French text to show instead of a local aid's amount when the source gives only a
    maximum ("jusqu'à 84,00 € par mois") or no amount; None for an ordinary amount."""
    from app.core.base import formats

    if item.detail == DETAIL_MAXIMUM:
        key = "rules.result.maximum_year" if item.amount_period == "year" else "rules.result.maximum_month"
        return t(key, amount=formats.euros(item.amount))
    if item.detail == DETAIL_UNKNOWN_AMOUNT:
        return t("rules.result.unknown_amount")
    if item.detail == DETAIL_OUTSIDE_TERRITORY:
        return t("rules.result.outside_territory")
    if item.detail == DETAIL_NOT_EVALUATED:
        return t("rules.result.not_evaluated")
    return None


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Territory:
    label: str
    communes: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    postal_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonRule:
    roles: tuple[str, ...] = ()  # empty: every person
    age_min: int | None = None
    age_max: int | None = None
    activities: tuple[str, ...] = ()
    activities_excluded: tuple[str, ...] = ()
    disability: bool | None = None


@dataclass(frozen=True)
class Conditions:
    couple: bool | None = None
    children_min: int | None = None
    children_max: int | None = None
    disabled_children_min: int | None = None
    housing_status: tuple[str, ...] = ()
    person: PersonRule | None = None
    receives_any: tuple[str, ...] = ()
    receives_none: tuple[str, ...] = ()
    resources_at_most: float | None = None
    resources_below: float | None = None
    resources_above: float | None = None
    resources_at_least: float | None = None
    housing_cost_ratio_at_least: float | None = None

    def mentions_resources(self) -> bool:
        return any(
            v is not None
            for v in (self.resources_at_most, self.resources_below, self.resources_above,
                      self.resources_at_least, self.housing_cost_ratio_at_least)
        )


@dataclass(frozen=True)
class ResourceRule:
    basis: str = "household"  # household | person | quotient_familial
    months: int = 3
    kinds: tuple[str, ...] = ()  # empty: every resource received
    declared_income_first: bool = False
    add_benefits: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bracket:
    when: Conditions
    amount: float | None  # None: the source does not give it
    extra_child_from: int | None = None
    extra_child_amount: float = 0.0


@dataclass(frozen=True)
class AmountRule:
    value: ValueKind
    period: str
    fixed: float | None = None
    brackets: tuple[Bracket, ...] = ()
    maximum: bool = False
    per_person: bool = False


@dataclass(frozen=True)
class LocalRule:
    criteria: Conditions
    resources: ResourceRule
    amount: AmountRule


@dataclass(frozen=True)
class LocalAid(Benefit):
    """A catalogue entry of ``rules/local``; ``rule`` is None for an aid computed by the
    OpenFisca extension (``variable``)."""

    territory: Territory = field(default_factory=lambda: Territory(""))
    version: str = ""
    source: Link = field(default_factory=lambda: Link(""))
    source_updated: str = ""
    rule: LocalRule | None = None

    @property
    def kind(self) -> str:
        return "openfisca" if self.rule is None else "criteria"


# --------------------------------------------------------------------------- loading


def load_local_aids(folder: Path, known_ids: Iterable[str] = ()) -> tuple[LocalAid, ...]:
    """Every ``*.yaml`` of ``folder`` (not its sub-folders), validated, sorted by order.

    ``known_ids``: the national catalogue's ids, which ``receives_*`` and ``add_benefits``
    may name (as may local aids evaluated before). Raises :class:`CatalogueError` (French,
    naming the file, the field and the line).
    """
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        return ()
    validator = schema_validator(folder.parent / "schema" / SCHEMA_NAME)
    aids: dict[str, LocalAid] = {}
    texts: dict[str, tuple[str, str]] = {}
    for path in files:
        text, aid = load_benefit_file(path, validator)
        if aid.id in aids:
            raise CatalogueError(t("rules.local.duplicate_id", file=display_path(path), id=aid.id,
                                   other=aids[aid.id].source_file))
        aids[aid.id] = aid
        texts[aid.id] = (display_path(path), text)
    ordered = tuple(sorted(aids.values(), key=lambda a: (a.order, a.id)))
    national = set(known_ids)
    clash = sorted(national & set(aids))
    if clash:
        name, _text = texts[clash[0]]
        raise CatalogueError(t("rules.local.national_id", file=name, id=clash[0]))
    seen = set(national)
    for aid in ordered:
        _check_references(aid, seen, *texts[aid.id])
        seen.add(aid.id)
    return ordered


def schema_validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    try:
        text = schema_path.read_text(encoding="utf-8")
        return _checked_validator(text)
    except (OSError, ValueError) as error:
        raise CatalogueError(t("rules.local.schema_unreadable", file=display_path(schema_path), reason=error)) from error
    except jsonschema.SchemaError as error:
        raise CatalogueError(t("rules.local.schema_invalid", file=display_path(schema_path), reason=error.message)) from error


@functools.lru_cache(maxsize=4)
def _checked_validator(schema_text: str) -> jsonschema.Draft202012Validator:
    """A validator for a schema text, checked against the meta-schema once per process
    (the check costs as much as validating every local aid)."""
    schema = load_json_text(schema_text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _line_of(text: str, field_path: Sequence[str | int]) -> int | None:
    """1-based line of the field (its key, or its list item) in the YAML text, or of its
    closest parent when the field is missing, from the nodes' marks."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = int(node.start_mark.line)
    for part in field_path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child, line = value, int(key.start_mark.line)
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = int(child.start_mark.line)
        if child is None:
            break
        node = child
    return line + 1


def _fail(name: str, text: str, field_path: Sequence[str | int], reason: str) -> CatalogueError:
    line = _line_of(text, field_path)
    where = t("rules.local.at_line", line=line) if line is not None else ""
    field_name = ".".join(str(part) for part in field_path) or "(racine)"
    return CatalogueError(t("rules.local.error", file=name, field=field_name, where=where, reason=reason))


def load_benefit_file(path: Path, validator: jsonschema.Draft202012Validator) -> tuple[str, LocalAid]:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = safe_yaml.load(text)
    except safe_yaml.AnchorNotAllowed as error:
        raise CatalogueError(f"{name} : {error}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = t("rules.local.at_line", line=mark.line + 1) if mark is not None else ""
        raise CatalogueError(t("rules.local.not_yaml", file=name, where=where)) from error
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(t("rules.local.unreadable", file=name, reason=error)) from error
    problem = best_match(validator.iter_errors(data))
    if problem is not None:
        field_path, reason = explain_error(problem)
        raise _fail(name, text, field_path, reason)
    if data["id"] != path.stem:
        raise _fail(name, text, ["id"], t("rules.local.id_not_file_name", id=data["id"], stem=path.stem))
    has_formula = "openfisca" in data
    has_criteria = "criteria" in data or "amount" in data or "resources" in data
    if has_formula and has_criteria:
        raise _fail(name, text, ["openfisca"], t("rules.local.both_kinds"))
    if not has_formula and not ("criteria" in data and "amount" in data):
        missing = "criteria" if "criteria" not in data else "amount"
        raise _fail(name, text, [missing], t("rules.local.kind_missing"))
    if not has_formula:
        _check_amount(name, text, data)
    return text, _aid(data, name)


def _check_amount(name: str, text: str, data: dict[str, Any]) -> None:
    amount = data["amount"]
    sources = [key for key in ("fixed", "brackets") if key in amount]
    if amount["value"] == "boolean":
        if sources:
            raise _fail(name, text, ["amount", sources[0]], t("rules.local.boolean_with_amount"))
        if amount.get("maximum") or amount.get("per_person"):
            key = "maximum" if amount.get("maximum") else "per_person"
            raise _fail(name, text, ["amount", key], t("rules.local.boolean_with_amount"))
    elif len(sources) != 1:
        raise _fail(name, text, ["amount"], t("rules.local.amount_source"))
    person = (data.get("criteria") or {}).get("person")
    if amount.get("per_person") and not person:
        raise _fail(name, text, ["criteria", "person"], t("rules.local.per_person_needs_person"))
    basis = (data.get("resources") or {}).get("basis", "household")
    if basis == "person" and not amount.get("per_person"):
        raise _fail(name, text, ["resources", "basis"], t("rules.local.person_basis_needs_per_person"))
    uses_resources = _conditions_use_resources(data.get("criteria") or {}) or any(
        _conditions_use_resources(b["when"]) for b in amount.get("brackets", ())
    )
    if uses_resources and "resources" not in data:
        raise _fail(name, text, ["resources"], t("rules.local.resources_missing"))
    for i, bracket in enumerate(amount.get("brackets", ())):
        when = bracket["when"]
        for low, high in (("resources_above", "resources_at_most"), ("resources_at_least", "resources_below"),
                          ("children_min", "children_max")):
            if low in when and high in when and when[low] > when[high]:
                raise _fail(name, text, ["amount", "brackets", i, "when", low], t("rules.local.empty_range"))
        if "person" in when:
            raise _fail(name, text, ["amount", "brackets", i, "when", "person"], t("rules.local.person_in_bracket"))


def _conditions_use_resources(conditions: dict[str, Any]) -> bool:
    return any(key.startswith("resources_") or key == "housing_cost_ratio_at_least" for key in conditions)


def _check_references(aid: LocalAid, known: set[str], name: str, text: str) -> None:
    rule = aid.rule
    if rule is None:
        return
    lists: list[tuple[list[str | int], tuple[str, ...]]] = [
        (["criteria", "receives_any"], rule.criteria.receives_any),
        (["criteria", "receives_none"], rule.criteria.receives_none),
        (["resources", "add_benefits"], rule.resources.add_benefits),
    ]
    for i, bracket in enumerate(rule.amount.brackets):
        lists.append((["amount", "brackets", i, "when", "receives_any"], bracket.when.receives_any))
        lists.append((["amount", "brackets", i, "when", "receives_none"], bracket.when.receives_none))
    for path, ids in lists:
        for j, benefit_id in enumerate(ids):
            if benefit_id not in known:
                raise _fail(name, text, [*path, j], t("rules.local.unknown_benefit", id=benefit_id))


def _conditions(data: dict[str, Any]) -> Conditions:
    person = data.get("person")
    return Conditions(
        couple=data.get("couple"),
        children_min=data.get("children_min"),
        children_max=data.get("children_max"),
        disabled_children_min=data.get("disabled_children_min"),
        housing_status=tuple(data.get("housing_status", ())),
        person=PersonRule(
            roles=tuple(person.get("roles", ())),
            age_min=person.get("age_min"),
            age_max=person.get("age_max"),
            activities=tuple(person.get("activities", ())),
            activities_excluded=tuple(person.get("activities_excluded", ())),
            disability=person.get("disability"),
        )
        if person
        else None,
        receives_any=tuple(data.get("receives_any", ())),
        receives_none=tuple(data.get("receives_none", ())),
        resources_at_most=_number(data.get("resources_at_most")),
        resources_below=_number(data.get("resources_below")),
        resources_above=_number(data.get("resources_above")),
        resources_at_least=_number(data.get("resources_at_least")),
        housing_cost_ratio_at_least=_number(data.get("housing_cost_ratio_at_least")),
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _rule(data: dict[str, Any]) -> LocalRule:
    amount = data["amount"]
    resources = data.get("resources") or {}
    brackets = tuple(
        Bracket(
            when=_conditions(item["when"]),
            amount=_number(item["amount"]),
            extra_child_from=(item.get("per_extra_child") or {}).get("from_rank"),
            extra_child_amount=float((item.get("per_extra_child") or {}).get("amount", 0.0)),
        )
        for item in amount.get("brackets", ())
    )
    return LocalRule(
        criteria=_conditions(data["criteria"]),
        resources=ResourceRule(
            basis=resources.get("basis", "household"),
            months=int(resources.get("months", 3)),
            kinds=tuple(resources.get("kinds", ())),
            declared_income_first=bool(resources.get("declared_income_first", False)),
            add_benefits=tuple(resources.get("add_benefits", ())),
        ),
        amount=AmountRule(
            value=cast(ValueKind, amount["value"]),
            period=amount["period"],
            fixed=_number(amount.get("fixed")),
            brackets=brackets,
            maximum=bool(amount.get("maximum", False)),
            per_person=bool(amount.get("per_person", False)),
        ),
    )


def _aid(data: dict[str, Any], source_file: str) -> LocalAid:
    apply = data["apply"]
    paper = apply.get("paper")
    formula = data.get("openfisca")
    rule = None if formula else _rule(data)
    if formula:
        variable, entity, period = formula["variable"], formula["entity"], formula["period"]
        value = cast(ValueKind, formula["value"])
        amount_period = formula["amount_period"]
    else:
        assert rule is not None
        variable, entity, period = "", "famille", rule.amount.period
        value, amount_period = rule.amount.value, rule.amount.period
    territory = data["territory"]
    source = data["source"]
    return LocalAid(
        id=data["id"],
        order=int(data.get("order", DEFAULT_ORDER)),
        label=data["label"],
        short_label=data["short_label"],
        description=" ".join(data["description"].split()),
        variable=variable,
        entity=entity,
        period=period,
        value=value,
        amount_period=amount_period,
        detail=(),
        counts_in_total=data["counts_in_total"],
        periodicity=data["periodicity"],
        paying_body=PayingBody(
            short=data["paying_body"]["short"],
            name=data["paying_body"]["name"],
            alternative=data["paying_body"].get("alternative"),
        ),
        apply=Apply(
            online=optional_link(apply.get("online")),
            paper=PaperForm(paper["label"], paper.get("cerfa"), paper.get("url")) if paper else None,
            where=" ".join(apply["where"].split()),
            automatic=apply["automatic"],
        ),
        documents=tuple(data["documents"]),
        conditions_to_check=tuple(data["conditions_to_check"]),
        reference=Link(data["reference"]["title"], data["reference"]["url"]),
        check_when=None,
        source_file=source_file,
        territory=Territory(
            label=territory["label"],
            communes=tuple(territory.get("communes", ())),
            departments=tuple(territory.get("departments", ())),
            postal_codes=tuple(territory.get("postal_codes", ())),
        ),
        version=data["version"],
        source=Link(source["title"], source["url"]),
        source_updated=source.get("updated", ""),
        rule=rule,
    )


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Evaluation:
    """Outcome of one criteria aid for one household, with the reasons (French)."""

    status: str  # a Status value
    amount: float
    beneficiaries: tuple[str, ...] = ()
    detail: str | None = None
    reasons: tuple[str, ...] = ()


def territory_matches(territory: Territory, household: Household) -> bool:
    """True when the household's commune, department and postal code fit every list given.

    An unknown commune or postal code never matches: an aid of a territory is shown only
    to households known to live there. Former INSEE codes (arrondissements, merged
    communes) are resolved through the communes index.
    """
    housing = household.housing
    insee, department = _commune(housing.commune_insee)
    if territory.communes and (not insee or insee not in territory.communes):
        return False
    if territory.departments:
        if not department and housing.postal_code[:2].isdigit():
            department = _department_of_postal_code(housing.postal_code)
        if not department or department not in territory.departments:
            return False
    if territory.postal_codes and housing.postal_code not in territory.postal_codes:
        return False
    return True


def _commune(code: str) -> tuple[str, str]:
    """(current INSEE code, department) of a commune code, ('', '') when unknown."""
    code = (code or "").strip()
    if not code:
        return "", ""
    try:
        from app.core.model.communes import default_index

        commune = default_index().by_insee(code)
    except Exception:  # noqa: BLE001 - the index is optional for evaluation
        commune = None
    if commune is None:
        return code, _department_of_insee(code)
    return commune.insee, commune.department


def _department_of_insee(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def _department_of_postal_code(postal_code: str) -> str:
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):  # Corsica: the postal code does not say 2A or 2B
        return ""
    return postal_code[:2]


def evaluate(
    aid: LocalAid, household: Household, month: str, results: dict[str, BenefitResult]
) -> Evaluation:
    """Evaluate a criteria aid (``aid.rule`` not None) on a household whose territory matches.

    ``results``: benefit id -> result of the same household (national benefits and the
    local aids evaluated before), for ``receives_*`` and ``add_benefits``.
    """
    rule = aid.rule
    if rule is None:
        raise ValueError(f"{aid.id} is computed by OpenFisca, not by criteria")
    context = _Context(household, month, results, rule.resources)
    reasons: list[str] = []
    criteria = rule.criteria
    person_rule = criteria.person
    candidates = [p for p in household.persons if person_rule is None or context.person_matches(p, person_rule)]
    if person_rule is not None and not candidates:
        return Evaluation(Status.NOT_ELIGIBLE.value, 0.0, reasons=(t("rules.reason.no_person"),))
    household_criteria = replace(criteria, person=None)
    if rule.amount.per_person:
        return _evaluate_per_person(aid, rule, context, household_criteria, candidates)
    verdict = context.check(household_criteria, None, reasons)
    if verdict is False:
        return Evaluation(Status.NOT_ELIGIBLE.value, 0.0, reasons=tuple(reasons))
    amount, detail, amount_known = _amount(rule, context, None, reasons)
    if amount is None and amount_known:
        return Evaluation(Status.NOT_ELIGIBLE.value, 0.0, reasons=tuple(reasons))
    return _outcome(rule, verdict, amount, detail, amount_known, (), reasons)


def _evaluate_per_person(
    aid: LocalAid, rule: LocalRule, context: _Context, criteria: Conditions, candidates: list[Person]
) -> Evaluation:
    reasons: list[str] = []
    household_verdict = context.check(criteria, None, reasons, part="household")
    if household_verdict is False:
        return Evaluation(Status.NOT_ELIGIBLE.value, 0.0, reasons=tuple(reasons))
    total = 0.0
    beneficiaries: list[str] = []
    unknown = False
    for person in candidates:
        person_reasons: list[str] = []
        verdict = context.check(criteria, person, person_reasons, part="resources")
        if verdict is False:
            reasons.extend(person_reasons)
            continue
        amount, _detail, known = _amount(rule, context, person, person_reasons)
        reasons.extend(person_reasons)
        if amount is None and known:
            continue
        if amount is None or verdict is None:
            unknown = True
        beneficiaries.append(person.id)
        total += amount or 0.0
    if not beneficiaries:
        return Evaluation(Status.NOT_ELIGIBLE.value, 0.0, reasons=tuple(reasons))
    verdict_all: bool | None = None if (unknown or household_verdict is None) else True
    return _outcome(rule, verdict_all, total, None, True, tuple(beneficiaries), reasons)


def _outcome(
    rule: LocalRule, verdict: bool | None, amount: float | None, detail: str | None, amount_known: bool,
    beneficiaries: tuple[str, ...], reasons: list[str],
) -> Evaluation:
    if rule.amount.value == "boolean":
        status = Status.ELIGIBLE if verdict else Status.TO_CHECK
        return Evaluation(status.value, 0.0, beneficiaries, None, tuple(reasons))
    if amount is None or not amount_known:
        return Evaluation(Status.TO_CHECK.value, 0.0, beneficiaries, DETAIL_UNKNOWN_AMOUNT, tuple(reasons))
    if rule.amount.maximum:
        return Evaluation(Status.TO_CHECK.value, round(amount, 2), beneficiaries, DETAIL_MAXIMUM, tuple(reasons))
    if amount <= 0:
        return Evaluation(Status.NOT_ELIGIBLE.value, 0.0, beneficiaries, None, tuple(reasons))
    status = Status.ELIGIBLE if verdict else Status.TO_CHECK
    return Evaluation(status.value, round(amount, 2), beneficiaries, detail, tuple(reasons))


def _amount(
    rule: LocalRule, context: _Context, person: Person | None, reasons: list[str]
) -> tuple[float | None, str | None, bool]:
    """(amount, detail, known): amount None with known True means "no bracket fits"
    (not eligible); known False means a bracket fits but the source gives no amount, or
    a condition of the bracket could not be checked."""
    amount_rule = rule.amount
    if amount_rule.value == "boolean":
        return 0.0, None, True
    if amount_rule.fixed is not None:
        return amount_rule.fixed, None, True
    for bracket in amount_rule.brackets:
        bracket_reasons: list[str] = []
        verdict = context.check(bracket.when, person, bracket_reasons)
        if verdict is False:
            continue
        if verdict is None:
            reasons.extend(bracket_reasons)
            return None, None, False
        if bracket.amount is None:
            reasons.append(t("rules.reason.amount_not_given"))
            return None, DETAIL_UNKNOWN_AMOUNT, False
        extra = 0.0
        if bracket.extra_child_from is not None:
            extra_children = max(0, context.children() - bracket.extra_child_from + 1)
            extra = extra_children * bracket.extra_child_amount
        return bracket.amount + extra, None, True
    reasons.append(t("rules.reason.no_bracket"))
    return None, None, True


class _Context:
    """What the criteria read of one household, computed once."""

    def __init__(self, household: Household, month: str, results: dict[str, BenefitResult],
                 resources: ResourceRule) -> None:
        self.household = household
        self.month = month
        self.day = first_day(month)
        self.results = results
        self.resource_rule = resources
        self._resources: dict[str | None, float] = {}

    # -- household facts
    def children(self) -> int:
        return sum(1 for p in self.household.persons if p.role == Role.ENFANT)

    def disabled_children(self) -> int:
        return sum(1 for p in self.household.persons if p.role == Role.ENFANT and p.has_disability)

    def receives(self, benefit_id: str) -> bool:
        if benefit_id in self.household.benefits_received:
            return True
        result = self.results.get(benefit_id)
        return result is not None and result.status == Status.ELIGIBLE

    def person_matches(self, person: Person, rule: PersonRule) -> bool:
        if rule.roles and person.role.value not in rule.roles:
            return False
        age = person.age_on(self.day)
        if rule.age_min is not None and age < rule.age_min:
            return False
        if rule.age_max is not None and age > rule.age_max:
            return False
        if rule.activities and person.activity.value not in rule.activities:
            return False
        if person.activity.value in rule.activities_excluded:
            return False
        if rule.disability is not None and person.has_disability != rule.disability:
            return False
        return True

    # -- resources
    def resources(self, person: Person | None) -> float:
        key = person.id if person is not None else None
        if key not in self._resources:
            self._resources[key] = round(_resources(self.resource_rule, self.household, person, self.results), 2)
        return self._resources[key]

    def check(self, conditions: Conditions, person: Person | None, reasons: list[str],
              part: str = "all") -> bool | None:
        """True when every condition holds, False when one fails (its reason appended),
        None when one could not be checked. ``part``: "all", "household" (every condition
        but the resources ones) or "resources" (only those, on ``person``'s resources)."""
        household = self.household
        checks: list[tuple[bool | None, str]] = []
        if part != "resources":
            if conditions.couple is not None:
                checks.append((household.in_couple == conditions.couple,
                               t("rules.reason.couple" if conditions.couple else "rules.reason.single")))
            if conditions.children_min is not None:
                checks.append((self.children() >= conditions.children_min,
                               t("rules.reason.children_min", count=conditions.children_min)))
            if conditions.children_max is not None:
                checks.append((self.children() <= conditions.children_max,
                               t("rules.reason.children_max", count=conditions.children_max)))
            if conditions.disabled_children_min is not None:
                checks.append((self.disabled_children() >= conditions.disabled_children_min,
                               t("rules.reason.disabled_children_min", count=conditions.disabled_children_min)))
            if conditions.housing_status:
                checks.append((household.housing.status.value in conditions.housing_status,
                               t("rules.reason.housing_status")))
            if conditions.person is not None:
                checks.append((any(self.person_matches(p, conditions.person) for p in household.persons),
                               t("rules.reason.no_person")))
            for benefit_id in conditions.receives_none:
                checks.append((not self.receives(benefit_id), t("rules.reason.receives", id=benefit_id)))
            if conditions.receives_any:
                checks.append((any(self.receives(b) for b in conditions.receives_any),
                               t("rules.reason.receives_none_of", ids=", ".join(conditions.receives_any))))
        if part != "household" and conditions.mentions_resources():
            amount = self.resources(person)
            shown = _euros(amount)
            if conditions.resources_at_most is not None:
                checks.append((amount <= conditions.resources_at_most,
                               t("rules.reason.resources_over", amount=shown, limit=_euros(conditions.resources_at_most))))
            if conditions.resources_below is not None:
                checks.append((amount < conditions.resources_below,
                               t("rules.reason.resources_over", amount=shown, limit=_euros(conditions.resources_below))))
            if conditions.resources_above is not None:
                checks.append((amount > conditions.resources_above,
                               t("rules.reason.resources_under", amount=shown, limit=_euros(conditions.resources_above))))
            if conditions.resources_at_least is not None:
                checks.append((amount >= conditions.resources_at_least,
                               t("rules.reason.resources_under", amount=shown, limit=_euros(conditions.resources_at_least))))
            if conditions.housing_cost_ratio_at_least is not None:
                checks.append((self._housing_ratio_at_least(conditions.housing_cost_ratio_at_least),
                               t("rules.reason.housing_ratio", percent=round(conditions.housing_cost_ratio_at_least * 100))))
        verdict: bool | None = True
        for ok, reason in checks:
            if ok is False:
                reasons.append(reason)
                return False
            if ok is None:
                verdict = None
        return verdict

    def _housing_ratio_at_least(self, ratio: float) -> bool:
        housing = self.household.housing
        cost = housing.rent + housing.charges
        income = self.resources(None)
        if income <= 0:
            return cost > 0
        return cost / income >= ratio


def _euros(amount: float) -> str:
    from app.core.base import formats

    return formats.euros(amount)


RECEIVED_KINDS = tuple(kind.value for kind in ResourceKind if kind != ResourceKind.PENSION_ALIMENTAIRE_VERSEE)
# Family benefits of the CAF quotient familial (monthly amounts of the same computation).
QF_BENEFITS = ("allocations_familiales", "complement_familial", "asf", "paje_base", "aeeh")


def _resources(rule: ResourceRule, household: Household, person: Person | None,
               results: dict[str, BenefitResult]) -> float:
    """Monthly resources as the aid defines them (see docs/rules.md)."""
    people: Sequence[Person] = [person] if person is not None and rule.basis == "person" else household.persons
    kinds = rule.kinds or RECEIVED_KINDS
    adults = [p for p in people if p.role in (Role.DEMANDEUR, Role.CONJOINT)]
    declared = (
        rule.declared_income_first
        and adults
        and all(p.taxable_income_last_year is not None for p in adults)
    )
    total = 0.0
    if declared:
        total += sum(float(p.taxable_income_last_year or 0.0) for p in adults) / 12
        people = [p for p in people if p not in adults]
    for someone in people:
        for resource in someone.resources:
            if resource.kind.value in kinds:
                months = resource.months()[-rule.months:]
                total += sum(months) / len(months) if months else 0.0
    benefits = rule.add_benefits
    if rule.basis == "quotient_familial":
        benefits = tuple(dict.fromkeys((*benefits, *QF_BENEFITS)))
    total += _benefits_monthly(benefits, results)
    if rule.basis == "quotient_familial":
        return total / quotient_familial_parts(household)
    return total


def _benefits_monthly(ids: Iterable[str], results: dict[str, BenefitResult]) -> float:
    total = 0.0
    for benefit_id in ids:
        result = results.get(benefit_id)
        if result is None or result.status != Status.ELIGIBLE:
            continue
        total += result.amount if result.amount_period == "month" else result.amount / 12
    return total


def quotient_familial_parts(household: Household) -> float:
    """Parts of the CAF quotient familial: 2 for the parent(s), 0.5 for each of the first two
    children, 1 for the third, 0.5 for each further child, 0.5 more per disabled child."""
    parts = 2.0
    children = [p for p in household.persons if p.role == Role.ENFANT]
    for rank, child in enumerate(children, start=1):
        parts += 1.0 if rank == 3 else 0.5
        if child.has_disability:
            parts += 0.5
    return parts


# --------------------------------------------------------------------------- engine hook


class EngineHook(Protocol):
    """What :func:`append_local_aids` needs of the engine (``compute.engine.Engine``, a
    layer above): its catalogue, and how it reads one benefit's value into a result."""

    catalogue: Any

    def benefit_result(self, benefit: Benefit, value: Any, positions: dict[str, dict[str, int]], k: int,
                       situation: Situation, household: Household | None, month: str) -> BenefitResult: ...


def append_local_aids(
    engine: EngineHook,
    results: list[SimulationResult],
    simulation: Any,
    ids: dict[str, list[str]],
    situations: Sequence[Situation],
    households: Sequence[Household] | None,
    month: str,
) -> list[SimulationResult]:
    """Each result with every local aid appended (in the catalogue's order, after the
    national benefits: the same ids in the same order for every household), and its
    ``totals_ids`` extended.

    Aids of the OpenFisca extension are read from the same simulation; criteria aids are
    evaluated on the household. An aid of another territory is "not eligible" with the
    detail :data:`DETAIL_OUTSIDE_TERRITORY`; a criteria aid of a bare OpenFisca situation
    (no household) with :data:`DETAIL_NOT_EVALUATED` (see :func:`is_outside_territory`).
    """
    aids: tuple[LocalAid, ...] = tuple(getattr(engine.catalogue, "local_aids", ()) or ())
    if not aids:
        return results
    values: dict[str, Any] = {}
    year = month[:4]
    for aid in aids:
        if aid.rule is not None:
            continue
        try:
            period = year if aid.period == "year" else month
            import numpy as np

            values[aid.id] = (np.asarray(simulation.calculate(aid.variable, period)), {})
        except Exception as error:  # noqa: BLE001 - one aid's failure must not stop the others
            log.error("computing local aid %s failed: %s", aid.id, type(error).__name__, exc_info=True)
            values[aid.id] = error
    out = []
    positions = row_positions(ids)
    counted = {aid.id for aid in aids if aid.counts_in_total}
    in_territory: dict[tuple[str, str, str], bool] = {}  # by commune and postal code (copies share them)
    for k, result in enumerate(results):
        household = households[k] if households is not None else None
        known = {item.benefit_id: item for item in result.benefits}
        extra: list[BenefitResult] = []
        for aid in aids:
            received = household is not None and aid.id in household.benefits_received
            automatic = household is not None and aid.paid_automatically(household.benefits_received)
            if household is not None:
                where = (aid.id, household.housing.commune_insee, household.housing.postal_code)
                if where not in in_territory:
                    in_territory[where] = territory_matches(aid.territory, household)
            if household is not None and not in_territory[where]:
                item = BenefitResult(aid.id, Status.NOT_ELIGIBLE, 0.0, aid.amount_period,
                                     detail=DETAIL_OUTSIDE_TERRITORY, already_received=received)
            elif aid.rule is None:
                item = engine.benefit_result(aid, values.get(aid.id), positions, k, situations[k], household, month)
            elif household is None:
                item = BenefitResult(aid.id, Status.NOT_ELIGIBLE, 0.0, aid.amount_period, detail=DETAIL_NOT_EVALUATED)
            else:
                try:
                    outcome = evaluate(aid, household, month, known)
                    item = BenefitResult(
                        aid.id, Status(outcome.status), outcome.amount, aid.amount_period,
                        outcome.beneficiaries, outcome.detail, already_received=received,
                        paid_automatically=automatic,
                    )
                except Exception as error:  # noqa: BLE001
                    log.error("evaluating local aid %s failed: %s", aid.id, type(error).__name__, exc_info=True)
                    item = BenefitResult(aid.id, Status.ERROR, 0.0, aid.amount_period, already_received=received,
                                         error=t("engine.benefit_failed"))
            known[aid.id] = item
            extra.append(item)
        totals = result.totals_ids + tuple(item.benefit_id for item in extra if item.benefit_id in counted)
        out.append(replace(result, benefits=result.benefits + tuple(extra), totals_ids=totals))
    return out
