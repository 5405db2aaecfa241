"""Every problem of a household at once, each a French message naming its field.

``validate`` checks a ``Household`` built by the GUI, a case file or a batch row;
it never raises. ``Problem.field`` is a path into the case format
(``persons.1.birth_date``) that the GUI uses to show the message next to the
widget; ``Problem.message`` is what the agent reads.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from app.core.model.household import (
    STATUSES_WITH_HOUSING_COST,
    Activity,
    CoupleStatus,
    Household,
    Person,
    ResourceKind,
    Role,
)
from app.core.base.i18n import t

MAX_AGE = 120
MAX_PERSONS = 20
MAX_MONTHLY_AMOUNT = 50_000.0  # a monthly resource above this is a typing error
MAX_RENT = 10_000.0
MAX_YEARLY_INCOME = 1_000_000.0
MAX_SAVINGS = 10_000_000.0
# Free-text fields, in characters (the case file, a screening row and the editor all
# stop here, with a message; a longer text is a pasting error, and would slow the handout).
MAX_FIRST_NAME = 60
MAX_REFERENCE = 40
MAX_ID = 40
MAX_CODE = 10  # commune INSEE code (5), postal code (5)
MAX_BENEFIT_ID = 80
MAX_LIST_ITEMS = 100  # benefits received, resources of a person
MAX_SHOWN = 40  # characters of a value repeated in a message
MAX_PREGNANCY_DAYS = 300  # an expected date of birth further than this from today is a typing error


@dataclass(frozen=True)
class Problem:
    field: str  # path in the case format: "persons.0.birth_date", "housing.rent"
    message: str  # French, names the field


class InvalidHousehold(ValueError):
    """Raised where a household must be valid; carries every problem."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(p.message for p in problems))
        self.problems = problems


def shown(value: Any) -> str:
    """A value as a message repeats it: at most ``MAX_SHOWN`` characters."""
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def has_bad_characters(text: str) -> bool:
    """A control character (NUL, escape, line break, tab) or a lone surrogate: text that
    could not be saved in UTF-8 nor printed as typed."""
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in text)


def person_label(index: int, person: Person | None = None) -> str:
    name = person.first_name.strip() if person is not None else ""
    if name and len(name) <= MAX_FIRST_NAME and not has_bad_characters(name):
        return t("field.person_named", number=index + 1, name=name)
    return t("field.person", number=index + 1)


def role_label(household: Household, person_id: str) -> str:
    """Role and rank, never a name (for a printed document): « Demandeur », « Enfant 2 »."""
    person = next((p for p in household.persons if p.id == person_id), None)
    if person is None:
        return person_id
    label = t(f"explain.person.{person.role.value}")
    same = [p for p in household.persons if p.role == person.role]
    return f"{label} {same.index(person) + 1}" if len(same) > 1 else label


def field_label(path: str, household: Household | None = None, kinds: dict[str, str] | None = None) -> str:
    """French name of a field path, e.g. ``Personne 2 (Léa), date de naissance``.
    ``kinds``: resource kinds by resource path (``persons.0.resources.1`` -> ``salaire_net``),
    for a reader that has no household yet."""
    parts = path.split(".")
    if parts[0] == "persons" and len(parts) >= 2 and parts[1].isdigit():
        index = int(parts[1])
        person = household.persons[index] if household and index < len(household.persons) else None
        label = person_label(index, person)
        rest = [p for p in parts[2:] if not p.isdigit()]
        if rest and rest[0] == "resources" and len(parts) >= 5:
            kind = person.resources[int(parts[3])].kind.value if person and int(parts[3]) < len(person.resources) else ""
            kind = kind or (kinds or {}).get(".".join(parts[:4]), "")
            label += ", " + t("field.resource", kind=t(f"choice.resource.{kind}") if kind else "?")
            rest = rest[1:]
        for name in rest:
            label += ", " + t(f"field.{name}")
        return label
    names = [t(f"field.{p}") for p in parts if not p.isdigit()]
    return ", ".join([names[0]] + names[1:]) if names else path


def _amount_problems(path: str, value: float | None, maximum: float, household: Household, yearly: bool = False) -> list[Problem]:
    if value is None:
        return []
    if not math.isfinite(value):
        return [Problem(path, t("problem.not_a_number", field=field_label(path, household), value=shown(value)))]
    if value < 0:
        return [Problem(path, t("problem.negative", field=field_label(path, household)))]
    if value > maximum:
        from app.core.base.formats import euros

        key = "problem.implausible_year" if yearly else "problem.implausible"
        return [Problem(path, t(key, field=field_label(path, household), value=shown(euros(value))))]
    return []


def notices(household: Household) -> tuple[Problem, ...]:
    """What the agent should know about a household that can be computed as it is (not
    problems: nothing is blocked): a « salarié(e) » with no salary declared is computed
    with no earned income. For the agent (the window shows them over the results, the
    command line under its table), not for the citizen's handout nor a screening."""
    out = []
    for i, person in enumerate(household.persons):
        if person.activity == Activity.SALARIE and not person.declares(ResourceKind.SALAIRE_NET):
            out.append(Problem(f"persons.{i}.resources",
                               t("notice.salaried_without_salary", person=person_label(i, person))))
    return tuple(out)


def validate(household: Household, today: dt.date | None = None, known_benefits: tuple[str, ...] | None = None) -> tuple[Problem, ...]:
    """All problems of the household; an empty tuple when it can be computed."""
    today = today or dt.date.today()
    problems: list[Problem] = []

    def add(path: str, key: str, **params: object) -> None:
        problems.append(Problem(path, t(key, field=field_label(path, household), **params)))

    persons = household.persons
    roles = [p.role for p in persons]
    if len(persons) > MAX_PERSONS:
        problems.append(Problem("persons", t("problem.too_many_persons", count=len(persons), max=MAX_PERSONS)))
    if Role.DEMANDEUR not in roles:
        problems.append(Problem("persons", t("problem.no_demandeur")))
    if roles.count(Role.DEMANDEUR) > 1:
        problems.append(Problem("persons", t("problem.two_demandeurs")))
    if roles.count(Role.CONJOINT) > 1:
        problems.append(Problem("persons", t("problem.two_conjoints")))
    if Role.CONJOINT in roles and household.couple == CoupleStatus.SEUL:
        problems.append(Problem("couple", t("problem.conjoint_without_couple")))
    if Role.CONJOINT not in roles and household.couple != CoupleStatus.SEUL:
        problems.append(
            Problem("couple", t("problem.couple_without_conjoint", couple=t(f"choice.couple.{household.couple.value}")))
        )

    problems.extend(_text_problems(household))
    seen_ids: set[str] = set()
    parents = [p for p in persons if p.role in (Role.DEMANDEUR, Role.CONJOINT)]
    for i, person in enumerate(persons):
        base = f"persons.{i}"
        if person.id in seen_ids:
            add(f"{base}.id", "problem.duplicate_id", value=shown(person.id))
        seen_ids.add(person.id)
        if person.birth_date > today:
            add(f"{base}.birth_date", "problem.date_in_future")
        elif person.age_on(today) > MAX_AGE:
            add(f"{base}.birth_date", "problem.age_over_120")
        if person.role == Role.ENFANT:
            for parent in parents:
                if person.birth_date <= parent.birth_date:
                    add(
                        f"{base}.birth_date",
                        "problem.child_older_than_parent",
                        parent=person_label(persons.index(parent), parent),
                    )
                    break
        if person.pregnancy_due_date is not None:
            if not person.pregnant:
                add(f"{base}.pregnancy_due_date", "problem.due_date_not_pregnant")
            elif person.pregnancy_due_date > today + dt.timedelta(days=MAX_PREGNANCY_DAYS):
                add(f"{base}.pregnancy_due_date", "problem.due_date_too_far")
        if person.disability_rate is not None and not 0 <= person.disability_rate <= 100:
            add(f"{base}.disability_rate", "problem.rate_range")
        for j, resource in enumerate(person.resources):
            rpath = f"{base}.resources.{j}"
            if resource.stable is not None and resource.monthly is not None:
                add(rpath, "problem.stable_or_monthly")
            if resource.monthly is not None:
                if len(resource.monthly) != 12:
                    add(f"{rpath}.monthly", "problem.twelve_months", count=len(resource.monthly))
                for value in resource.monthly:
                    found = _amount_problems(f"{rpath}.monthly", value, MAX_MONTHLY_AMOUNT, household)
                    if found:
                        problems.extend(found)
                        break
            problems.extend(_amount_problems(f"{rpath}.stable", resource.stable, MAX_MONTHLY_AMOUNT, household))
        for name in ("taxable_income_last_year", "taxable_income_n2"):
            problems.extend(
                _amount_problems(f"{base}.{name}", getattr(person, name), MAX_YEARLY_INCOME, household, yearly=True)
            )

    if household.separation_date is not None:
        if household.separation_date > today:
            add("separation_date", "problem.date_in_future")
        elif household.couple != CoupleStatus.SEUL:
            add("separation_date", "problem.separation_in_couple",
                couple=t(f"choice.couple.{household.couple.value}"))

    housing = household.housing
    problems.extend(_amount_problems("housing.rent", housing.rent, MAX_RENT, household))
    problems.extend(_amount_problems("housing.charges", housing.charges, MAX_RENT, household))
    if housing.rent > 0 and housing.status not in STATUSES_WITH_HOUSING_COST:
        problems.append(
            Problem("housing.rent", t("problem.rent_without_tenant", status=t(f"choice.housing.{housing.status.value}")))
        )
    problems.extend(_commune_problems(household))
    problems.extend(_amount_problems("savings", household.savings, MAX_SAVINGS, household, yearly=True))
    if known_benefits is not None:
        for benefit_id in household.benefits_received:
            if benefit_id not in known_benefits:
                problems.append(Problem("benefits_received", t("problem.unknown_benefit", value=shown(benefit_id))))
    return tuple(problems)


def _text_problems(household: Household) -> list[Problem]:
    """Free texts over their length, and lists over their size."""
    texts: list[tuple[str, str, int]] = [
        ("reference", household.reference, MAX_REFERENCE),
        ("housing.commune_insee", household.housing.commune_insee, MAX_CODE),
        ("housing.postal_code", household.housing.postal_code, MAX_CODE),
    ]
    for i, person in enumerate(household.persons):
        texts += [(f"persons.{i}.id", person.id, MAX_ID), (f"persons.{i}.first_name", person.first_name, MAX_FIRST_NAME)]
    texts += [("benefits_received", b, MAX_BENEFIT_ID) for b in household.benefits_received]
    problems = [
        Problem(path, t("problem.too_long", field=field_label(path, household), count=len(text), max=limit))
        for path, text, limit in texts if len(text) > limit
    ]
    problems += [  # a control character (a line break pasted in a name) or half a character
        Problem(path, t("problem.bad_characters", field=field_label(path, household)))
        for path, text, limit in texts if len(text) <= limit and has_bad_characters(text)
    ]
    lists: list[tuple[str, int]] = [("benefits_received", len(household.benefits_received))]
    lists += [(f"persons.{i}.resources", len(p.resources)) for i, p in enumerate(household.persons)]
    problems += [
        Problem(path, t("problem.too_many_items", field=field_label(path, household), count=count, max=MAX_LIST_ITEMS))
        for path, count in lists if count > MAX_LIST_ITEMS
    ]
    return problems


def _commune_problems(household: Household) -> list[Problem]:
    from app.core.model.communes import default_index

    housing = household.housing
    if not housing.commune_insee:
        return [Problem("housing.commune_insee", t("problem.required", field=field_label("housing.commune_insee")))]
    commune = default_index().by_insee(housing.commune_insee)
    if commune is None:
        if len(housing.commune_insee) > MAX_CODE:
            return []  # said by _text_problems
        return [Problem("housing.commune_insee", t("problem.unknown_commune", value=housing.commune_insee))]
    if housing.postal_code and len(housing.postal_code) <= MAX_CODE and housing.postal_code not in commune.postal_codes:
        return [
            Problem(
                "housing.postal_code",
                t("problem.postal_code_mismatch", postal_code=housing.postal_code, commune=commune.name),
            )
        ]
    return []


def require_valid(household: Household, today: dt.date | None = None) -> Household:
    problems = validate(household, today)
    if problems:
        raise InvalidHousehold(problems)
    return household
