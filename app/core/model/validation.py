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
    ChildcareMode,
    CoupleStatus,
    EventKind,
    Household,
    Housing,
    Person,
    ResourceKind,
    Role,
)
from app.core.base.i18n import t
from app.core.model.periods import add_months, current_month, first_day

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
# Plausible maxima of the version 3 fields (a larger value is a typing error).
MAX_STUDY_DISTANCE_KM = 20_000  # to the family home (overseas included)
MAX_OFFER_DISTANCE_KM = 2_000
MAX_TRIP_MINUTES = 24 * 60
MAX_WEEKLY_HOURS = 80
MAX_CONTRACT_MONTHS = 120
MAX_TRAINING_HOURS = 10_000
MAX_ROUND_TRIPS = 100
# Unemployment rights (complément ARE): the ARE's daily amount is capped near 300 euros and
# its reference wage near 4 social security ceilings a year over 365 days (about 530 euros); a
# right lasts at most about 3 years (1 095 days).
MAX_DAILY_ALLOWANCE = 500.0
MAX_REFERENCE_DAILY_WAGE = 1_000.0
MAX_ARE_DAYS = 1_095
CHILDCARE_MAX_AGE = 6  # the CMG's children are under 6
MAX_EVENTS = 10  # life events of a case (one job change per adult, a move, a couple)
# A change older than this no longer moves any look-back window (the oldest: January of N-2).
MAX_EVENT_AGE_MONTHS = 36
# A home to rent is looked for a few months ahead: an entry date further than this is a typing error.
MAX_SOUGHT_HOME_DAYS = 366
WORKING = frozenset({Activity.SALARIE, Activity.INDEPENDANT})


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
    if parts[0] == "events" and len(parts) >= 2 and parts[1].isdigit():
        index = int(parts[1])
        events = household.events if household else ()
        kind = events[index].kind.value if index < len(events) else (kinds or {}).get(".".join(parts[:2]), "")
        label = t("field.event", number=index + 1, kind=t(f"choice.event.{kind}") if kind else "?")
        rest = parts[2:]
        if rest:
            label += ", " + t(f"field.event_{rest[0]}")
        for name in rest[1:]:
            label += ", " + t(f"field.{name}")
        return label
    names = [t(f"field.{p}") for p in parts if not p.isdigit()]
    return ", ".join([names[0]] + names[1:]) if names else path


def _amount_problems(path: str, value: float | None, maximum: float, household: Household, yearly: bool = False,
                     daily: bool = False) -> list[Problem]:
    if value is None:
        return []
    if not math.isfinite(value):
        return [Problem(path, t("problem.not_a_number", field=field_label(path, household), value=shown(value)))]
    if value < 0:
        return [Problem(path, t("problem.negative", field=field_label(path, household)))]
    if value > maximum:
        from app.core.base.formats import euros

        key = "problem.implausible_year" if yearly else "problem.implausible_day" if daily else "problem.implausible"
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


def validate(
    household: Household, today: dt.date | None = None, known_benefits: tuple[str, ...] | None = None,
    month: str | None = None,
) -> tuple[Problem, ...]:
    """All problems of the household; an empty tuple when it can be computed. ``month``: the
    month computed, when the caller knows it (the editor): a home to rent must then be
    entered after its first day (a case file or a stored case is valid whatever the month)."""
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
        if person.adoption_date is not None:
            if person.role != Role.ENFANT:
                add(f"{base}.adoption_date", "problem.adoption_not_child")
            elif person.adoption_date > today:
                add(f"{base}.adoption_date", "problem.date_in_future")
            elif person.adoption_date < person.birth_date:
                add(f"{base}.adoption_date", "problem.adoption_before_birth")
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
        problems.extend(_version_3_person_problems(household, i, person))

    if household.separation_date is not None:
        if household.separation_date > today:
            add("separation_date", "problem.date_in_future")
        elif household.couple != CoupleStatus.SEUL:
            add("separation_date", "problem.separation_in_couple",
                couple=t(f"choice.couple.{household.couple.value}"))

    if household.childcare != ChildcareMode.AUCUN and not any(
            p.age_on(today) < CHILDCARE_MAX_AGE for p in household.children):
        add("childcare", "problem.childcare_without_young_child")
    if household.asylum_housed and not household.asylum_seeker:
        add("asylum_housed", "problem.housed_without_asylum")

    problems.extend(_housing_amount_problems("housing", household.housing, household))
    problems.extend(_sought_home_problems(household, today, month))
    problems.extend(_commune_problems(household))
    problems.extend(_event_problems(household, today))
    problems.extend(_amount_problems("savings", household.savings, MAX_SAVINGS, household, yearly=True))
    if known_benefits is not None:
        for benefit_id in household.benefits_received:
            if benefit_id not in known_benefits:
                problems.append(Problem("benefits_received", t("problem.unknown_benefit", value=shown(benefit_id))))
    return tuple(problems)


def _range_problem(household: Household, path: str, value: float | None, maximum: float) -> list[Problem]:
    """A count or a distance (not an amount): from 0 to ``maximum``."""
    if value is None or 0 <= value <= maximum:
        return []
    from app.core.base.formats import number

    return [Problem(path, t("problem.out_of_range", field=field_label(path, household), value=number(value, 0),
                            max=number(maximum, 0)))]


def _version_3_person_problems(household: Household, i: int, person: Person) -> list[Problem]:
    """Studies (students only), a job or training to come (job seekers only) and the
    unemployment rights left (employees only)."""
    base = f"persons.{i}"
    out: list[Problem] = []
    studies = person.studies
    if studies is not None:
        path = f"{base}.studies"
        from app.core.model.household import Schooling

        if person.activity != Activity.ETUDIANT and person.schooling != Schooling.SUPERIEUR:
            out.append(Problem(path, t("problem.studies_not_student", field=field_label(path, household))))
        if studies.parents_income_n2 is None:
            out.append(Problem(f"{path}.parents_income_n2",
                               t("problem.required", field=field_label(f"{path}.parents_income_n2", household))))
        out += _amount_problems(f"{path}.parents_income_n2", studies.parents_income_n2, MAX_YEARLY_INCOME, household,
                                yearly=True)
        out += _range_problem(household, f"{path}.family_distance_km", studies.family_distance_km, MAX_STUDY_DISTANCE_KM)
    offer = person.job_offer
    if offer is not None:
        path = f"{base}.job_offer"
        if person.activity not in (Activity.DEMANDEUR_EMPLOI_INDEMNISE, Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE):
            out.append(Problem(path, t("problem.offer_not_job_seeker", field=field_label(path, household))))
        for name, maximum in (("duration_months", MAX_CONTRACT_MONTHS), ("training_hours", MAX_TRAINING_HOURS),
                              ("weekly_hours", MAX_WEEKLY_HOURS), ("distance_km", MAX_OFFER_DISTANCE_KM),
                              ("trip_minutes", MAX_TRIP_MINUTES), ("round_trips", MAX_ROUND_TRIPS)):
            out += _range_problem(household, f"{path}.{name}", getattr(offer, name), maximum)
    rights = person.unemployment_rights
    if rights is not None:
        path = f"{base}.unemployment_rights"
        if person.activity != Activity.SALARIE:
            out.append(Problem(path, t("problem.rights_not_employee", field=field_label(path, household))))
        out += _amount_problems(f"{path}.daily_allowance", rights.daily_allowance, MAX_DAILY_ALLOWANCE, household,
                                daily=True)
        out += _amount_problems(f"{path}.reference_daily_wage", rights.reference_daily_wage, MAX_REFERENCE_DAILY_WAGE,
                                household, daily=True)
        out += _range_problem(household, f"{path}.days_left", rights.days_left, MAX_ARE_DAYS)
    return out


def _housing_amount_problems(path: str, housing: Housing, household: Household) -> list[Problem]:
    """The rent and charges of a dwelling (``housing``, or a move's ``housing_before``)."""
    problems = _amount_problems(f"{path}.rent", housing.rent, MAX_RENT, household)
    problems += _amount_problems(f"{path}.charges", housing.charges, MAX_RENT, household)
    if housing.rent > 0 and housing.status not in STATUSES_WITH_HOUSING_COST:
        status = t(f"choice.housing.{housing.status.value}")
        problems.append(Problem(f"{path}.rent", t("problem.rent_without_tenant",
                                                  field=field_label(f"{path}.rent", household), status=status)))
    return problems


def _sought_home_problems(household: Household, today: dt.date, month: str | None) -> list[Problem]:
    """A home to rent (Visale): a rent, charges, and an entry date after the first day of the
    month computed (OpenFisca-France's ``visale_eligibilite``: « date_entree_logement >
    period.start »), at most a year from today."""
    sought = household.sought_home
    if sought is None:
        return []
    path = "sought_home"
    problems = _amount_problems(f"{path}.rent", sought.rent, MAX_RENT, household)
    if not problems and math.isfinite(sought.rent) and not sought.rent > 0:
        problems.append(Problem(f"{path}.rent", t("problem.sought_rent_required", field=field_label(f"{path}.rent"))))
    problems += _amount_problems(f"{path}.charges", sought.charges, MAX_RENT, household)
    entry = f"{path}.entry_date"
    if month is not None and sought.entry_date <= first_day(month):
        from app.core.base.formats import month as fr_month

        problems.append(Problem(entry, t("problem.sought_entry_not_after_month", field=field_label(entry),
                                         month=fr_month(month))))
    elif sought.entry_date > today + dt.timedelta(days=MAX_SOUGHT_HOME_DAYS):
        problems.append(Problem(entry, t("problem.sought_entry_too_far", field=field_label(entry))))
    return problems


def _event_problems(household: Household, today: dt.date) -> list[Problem]:
    """Each life event: its month (not in the future, at most 3 years ago), its person (an
    adult, one job change each), its amounts before, and that it agrees with the household
    declared now (a job ended: not working now; a job started: working now; a couple formed:
    in couple now)."""
    problems: list[Problem] = []

    def add(path: str, key: str, **params: object) -> None:
        problems.append(Problem(path, t(key, field=field_label(path, household), **params)))

    if len(household.events) > MAX_EVENTS:
        return [Problem("events", t("problem.too_many_items", field=t("field.events"),
                                    count=len(household.events), max=MAX_EVENTS))]
    now = current_month(today)
    adults = {p.id: (i, p) for i, p in enumerate(household.persons) if p.role in (Role.DEMANDEUR, Role.CONJOINT)}
    seen: set[tuple[EventKind, str]] = set()
    for j, event in enumerate(household.events):
        base = f"events.{j}"
        if event.month > now:
            add(f"{base}.month", "problem.event_in_future")
        elif event.month < add_months(now, -MAX_EVENT_AGE_MONTHS):
            add(f"{base}.month", "problem.event_too_old", months=MAX_EVENT_AGE_MONTHS)
        key = (EventKind.JOB_END if event.is_job else event.kind, event.person if event.is_job else "")
        if key in seen:
            add(f"{base}.kind", "problem.event_twice_person" if event.is_job else "problem.event_twice")
        seen.add(key)
        if event.kind == EventKind.MOVE and event.housing_before is not None:
            problems.extend(_housing_amount_problems(f"{base}.housing_before", event.housing_before, household))
            problems.extend(_commune_problems(household, event.housing_before, f"{base}.housing_before", optional=True))
        if event.kind == EventKind.COUPLE_START and not household.in_couple:
            add(f"{base}.kind", "problem.couple_start_alone")
        if not event.is_job:
            continue
        for name in ("salary_before", "unemployment_before"):
            problems.extend(_amount_problems(f"{base}.{name}", getattr(event, name), MAX_MONTHLY_AMOUNT, household))
        if event.kind == EventKind.JOB_END and not event.salary_before > 0:
            add(f"{base}.salary_before", "problem.salary_before_required")
        if not event.person:
            add(f"{base}.person", "problem.required")
            continue
        if event.person not in adults:
            add(f"{base}.person", "problem.event_person", value=shown(event.person))
            continue
        index, person = adults[event.person]
        who = person_label(index, person)
        activity = t(f"choice.activity.{person.activity.value}")
        if event.kind == EventKind.JOB_END and person.activity in WORKING:
            add(f"{base}.person", "problem.job_end_still_working", person=who, activity=activity)
        if event.kind == EventKind.JOB_START and person.activity not in WORKING:
            add(f"{base}.person", "problem.job_start_not_working", person=who, activity=activity)
        if any(r.kind in (ResourceKind.SALAIRE_NET, ResourceKind.CHOMAGE) and not r.is_stable for r in person.resources):
            add(f"{base}.person", "problem.job_event_monthly", person=who)
    return problems


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


def _commune_problems(
    household: Household, housing: Housing | None = None, path: str = "housing", optional: bool = False
) -> list[Problem]:
    """The commune of the dwelling (or of a move's dwelling before: ``optional``, the
    declared commune when absent) and its postal code."""
    from app.core.model.communes import default_index

    housing = housing or household.housing
    if not housing.commune_insee:
        if optional:
            return []
        return [Problem(f"{path}.commune_insee", t("problem.required", field=field_label(f"{path}.commune_insee")))]
    commune = default_index().by_insee(housing.commune_insee)
    if commune is None:
        if len(housing.commune_insee) > MAX_CODE:
            return []  # said by _text_problems (the declared dwelling) or the reader
        return [Problem(f"{path}.commune_insee", t("problem.unknown_commune", value=housing.commune_insee,
                                                   field=field_label(f"{path}.commune_insee", household)))]
    if housing.postal_code and len(housing.postal_code) <= MAX_CODE and housing.postal_code not in commune.postal_codes:
        return [
            Problem(
                f"{path}.postal_code",
                t("problem.postal_code_mismatch", postal_code=housing.postal_code, commune=commune.name,
                  field=field_label(f"{path}.postal_code", household)),
            )
        ]
    return []


def require_valid(household: Household, today: dt.date | None = None) -> Household:
    problems = validate(household, today)
    if problems:
        raise InvalidHousehold(problems)
    return household
