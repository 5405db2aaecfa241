"""The case file format (``docs/case-format.md``): JSON <-> ``Household``.

Reading collects every structural problem (wrong type, unknown choice, bad
date) as French ``Problem``s naming the field, then runs ``validate`` for the
value problems, and raises ``InvalidHousehold`` with all of them together.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from app.core.model.household import (
    Activity,
    BacMention,
    ChildcareMode,
    CoupleStatus,
    Establishment,
    EventKind,
    Household,
    Housing,
    HousingStatus,
    JobOffer,
    UnemploymentRights,
    OfferKind,
    LifeEvent,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
    SoughtHome,
    Studies,
    StudyYear,
)
from app.core.base.i18n import t
from app.core.model.periods import parse_month
from app.core.model.validation import (
    MAX_BENEFIT_ID,
    MAX_CODE,
    MAX_EVENTS,
    MAX_FIRST_NAME,
    MAX_ID,
    MAX_LIST_ITEMS,
    MAX_PERSONS,
    MAX_REFERENCE,
    InvalidHousehold,
    Problem,
    field_label,
    has_bad_characters,
    shown,
    validate,
)

FORMAT = "guichet-case"
VERSION = 3
# Versions this code reads: version 1 files (before the separation date and the expected date of
# birth) and version 2 files (before the studies, the job to come, the childcare, the asylum
# request and the life events) read unchanged.
READABLE_VERSIONS = (1, 2, 3)
MAX_CASE_BYTES = 1_000_000  # a case of 20 persons with 12 monthly amounts each is ~20 kB

E = TypeVar("E", bound=StrEnum)

PERSON_FIELDS = {
    "id", "role", "first_name", "birth_date", "activity", "disability_rate", "pregnant",
    "schooling", "resources", "taxable_income_last_year", "taxable_income_n2", "ass_work_history",
    "pregnancy_due_date", "studies", "apprentice", "job_offer", "adoption_date",
    "unemployment_rights",
}
UNEMPLOYMENT_RIGHTS_FIELDS = {"daily_allowance", "reference_daily_wage", "days_left"}
STUDIES_FIELDS = {"study_year", "establishment", "family_distance_km", "parents_income_n2", "bac_mention"}
JOB_OFFER_FIELDS = {"contract", "start_date", "duration_months", "training_hours", "weekly_hours", "distance_km",
                    "trip_minutes", "round_trips"}
HOUSING_FIELDS = {"status", "rent", "charges", "conventionne", "commune_insee", "postal_code"}
SOUGHT_HOME_FIELDS = {"entry_date", "rent", "charges"}
HOUSEHOLD_FIELDS = {
    "couple", "persons", "housing", "savings", "benefits_received", "reference", "separation_date",
    "childcare", "asylum_seeker", "asylum_housed", "events", "sought_home",
}
EVENT_FIELDS = {"kind", "month", "person", "activity_before", "salary_before", "unemployment_before", "housing_before"}
CHOICE_KEYS = {
    Role: "role", Activity: "activity", Schooling: "schooling", CoupleStatus: "couple",
    ResourceKind: "resource", HousingStatus: "housing", ChildcareMode: "childcare", StudyYear: "study_year",
    Establishment: "establishment", BacMention: "bac_mention", OfferKind: "offer_kind", EventKind: "event",
}


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.kinds: dict[str, str] = {}  # resource path -> its kind, to name it in messages

    def problem(self, path: str, key: str, **params: Any) -> None:
        """A French message naming the field; values repeated are cut to a few words."""
        params = {name: shown(value) if name in ("value", "name") else value for name, value in params.items()}
        self.problems.append(Problem(path, t(key, field=field_label(path, kinds=self.kinds), **params)))

    def choice(self, data: dict[str, Any], name: str, path: str, enum: type[E], default: E | None = None) -> E | None:
        value = data.get(name)
        if value is None:
            if default is None:
                self.problem(path, "problem.required")
            return default
        try:
            return enum(value)
        except ValueError:
            choices = ", ".join(t(f"choice.{CHOICE_KEYS[enum]}.{e.value}") + f" ({e.value})" for e in enum)
            self.problem(path, "problem.not_a_choice", value=value, choices=choices)
            return default

    def number(self, data: dict[str, Any], name: str, path: str, required: bool = False) -> float | None:
        """A JSON number (kept as it is), or a text read as a French amount
        (``formats.parse_amount``: ``1 500,50``; ``1.500`` is refused as ambiguous);
        always finite."""
        value = data.get(name)
        if value is None:
            if required:
                self.problem(path, "problem.required")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.problem(path, "problem.not_a_number", value=value)
            return None
        if isinstance(value, str):
            from app.core.base.formats import AmountError, parse_amount

            try:
                return parse_amount(value)
            except AmountError as error:
                self.problem(path, error.key, value=value)
                return None
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
        if not math.isfinite(number):  # NaN, Infinity (Python's JSON reads them)
            self.problem(path, "problem.not_a_number", value=value)
            return None
        return number

    def text(self, data: dict[str, Any], name: str, path: str, limit: int, default: str = "") -> str:
        """A JSON text (a number, a list… is refused), at most ``limit`` characters."""
        value = data.get(name)
        if value is None or value == "":
            return default
        if not isinstance(value, str):
            self.problem(path, "problem.not_text", value=value)
            return default
        if len(value) > limit:
            self.problem(path, "problem.too_long", count=len(value), max=limit)
            return default
        if has_bad_characters(value):
            self.problem(path, "problem.bad_characters")
            return default
        return value

    def items(self, data: dict[str, Any], name: str, path: str, limit: int = MAX_LIST_ITEMS) -> list[Any]:
        """A JSON list of at most ``limit`` items (absent: empty)."""
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, "problem.not_a_list")
            return []
        if len(value) > limit:
            self.problem(path, "problem.too_many_items", count=len(value), max=limit)
            return []
        return value

    def boolean(self, data: dict[str, Any], name: str, path: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.problem(path, "problem.not_a_bool", value=value)
            return False
        return value

    def date(self, data: dict[str, Any], name: str, path: str, required: bool = True) -> dt.date | None:
        value = data.get(name)
        if value is None or value == "":
            if required:
                self.problem(path, "problem.required")
            return None
        from app.core.base.formats import parse_date

        try:
            return parse_date(str(value))
        except ValueError:
            from app.core.base.formats import date_problem_key

            self.problem(path, date_problem_key(str(value)), value=value)
            return None

    def unknown(self, data: dict[str, Any], allowed: set[str], path: str) -> None:
        """The first few fields not in the format (the rest would only repeat the point)."""
        for name in [name for name in data if name not in allowed][:5]:
            self.problem(path, "problem.unknown_field", name=name)


def household_from_dict(data: Any, today: dt.date | None = None) -> Household:
    """A validated household from the ``household`` object of a case file."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise InvalidHousehold((Problem("household", t("problem.not_an_object", field=t("field.household"))),))
    reader.unknown(data, HOUSEHOLD_FIELDS, "household")
    persons: list[Person] = []
    raw_persons = data.get("persons")
    if not isinstance(raw_persons, list):
        reader.problem("persons", "problem.not_a_list")
        raw_persons = []
    elif len(raw_persons) > MAX_PERSONS:
        raise InvalidHousehold((Problem("persons", t("problem.too_many_persons", count=len(raw_persons), max=MAX_PERSONS)),))
    for i, raw in enumerate(raw_persons):
        base = f"persons.{i}"
        if not isinstance(raw, dict):
            reader.problem(base, "problem.not_an_object")
            continue
        reader.unknown(raw, PERSON_FIELDS, base)
        role = reader.choice(raw, "role", f"{base}.role", Role)
        birth = reader.date(raw, "birth_date", f"{base}.birth_date")
        activity = reader.choice(raw, "activity", f"{base}.activity", Activity, Activity.INACTIF)
        schooling = reader.choice(raw, "schooling", f"{base}.schooling", Schooling, Schooling.AUCUNE)
        resources = _resources(reader, raw, f"{base}.resources")
        person_args = dict(
            first_name=reader.text(raw, "first_name", f"{base}.first_name", MAX_FIRST_NAME),
            disability_rate=reader.number(raw, "disability_rate", f"{base}.disability_rate"),
            pregnant=reader.boolean(raw, "pregnant", f"{base}.pregnant"),
            pregnancy_due_date=reader.date(raw, "pregnancy_due_date", f"{base}.pregnancy_due_date", required=False),
            adoption_date=reader.date(raw, "adoption_date", f"{base}.adoption_date", required=False),
            ass_work_history=reader.boolean(raw, "ass_work_history", f"{base}.ass_work_history"),
            taxable_income_last_year=reader.number(raw, "taxable_income_last_year", f"{base}.taxable_income_last_year"),
            taxable_income_n2=reader.number(raw, "taxable_income_n2", f"{base}.taxable_income_n2"),
            apprentice=reader.boolean(raw, "apprentice", f"{base}.apprentice"),
            studies=_studies(reader, raw, f"{base}.studies"),
            job_offer=_job_offer(reader, raw, f"{base}.job_offer"),
            unemployment_rights=_unemployment_rights(reader, raw, f"{base}.unemployment_rights"),
        )
        if role is None or birth is None or activity is None or schooling is None:
            continue
        persons.append(
            Person(
                id=reader.text(raw, "id", f"{base}.id", MAX_ID, f"p{i + 1}"),
                role=role,
                birth_date=birth,
                activity=activity,
                schooling=schooling,
                resources=resources,
                **person_args,  # type: ignore[arg-type]
            )
        )
    housing = _housing(reader, data.get("housing") or {}, "housing")
    received = reader.items(data, "benefits_received", "benefits_received")
    received_ids = [
        reader.text({"b": b}, "b", "benefits_received", MAX_BENEFIT_ID) for b in received
    ]
    household = Household(
        persons=tuple(persons),
        couple=reader.choice(data, "couple", "couple", CoupleStatus, CoupleStatus.SEUL) or CoupleStatus.SEUL,
        housing=housing,
        savings=reader.number(data, "savings", "savings"),
        benefits_received=tuple(b for b in received_ids if b),
        reference=reader.text(data, "reference", "reference", MAX_REFERENCE),
        separation_date=reader.date(data, "separation_date", "separation_date", required=False),
        childcare=reader.choice(data, "childcare", "childcare", ChildcareMode, ChildcareMode.AUCUN) or ChildcareMode.AUCUN,
        asylum_seeker=reader.boolean(data, "asylum_seeker", "asylum_seeker"),
        asylum_housed=reader.boolean(data, "asylum_housed", "asylum_housed"),
        events=_events(reader, data),
        sought_home=_sought_home(reader, data),
    )
    problems = tuple(reader.problems)
    if len(persons) == len(raw_persons):  # value checks need every person
        unreadable = {p.field for p in problems}  # a value not read is not checked again
        problems += tuple(p for p in validate(household, today, known_benefits=_known_benefits()) if p.field not in unreadable)
    if problems:
        raise InvalidHousehold(problems)
    return household


@functools.lru_cache(maxsize=1)  # loading the catalogue costs ~150 ms: once per process, not per case
def _known_benefits() -> tuple[str, ...] | None:
    """Ids of the active catalogue's benefits and local aids (read once per rules folder)."""
    try:
        from app.core.rules.folder import active_rules_dir_or_bundled

        return _catalogue_ids(str(active_rules_dir_or_bundled()))
    except Exception:  # noqa: BLE001 - the catalogue's own loader reports its errors
        return None


@functools.lru_cache(maxsize=4)
def _catalogue_ids(rules_dir: str) -> tuple[str, ...]:
    from app.core.benefits.catalogue import load_catalogue

    return load_catalogue(Path(rules_dir) / "benefits").all_ids()


def _object(reader: _Reader, person: dict[str, Any], name: str, path: str, allowed: set[str]) -> dict[str, Any] | None:
    """An optional nested object of a person (absent or null: None)."""
    raw = person.get(name)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        reader.problem(path, "problem.not_an_object")
        return None
    reader.unknown(raw, allowed, path)
    return raw


def _whole(reader: _Reader, data: dict[str, Any], name: str, path: str) -> int | None:
    """A count or a whole number of km, minutes, hours or months (read as an amount)."""
    value = reader.number(data, name, path)
    if value is None:
        return None
    if value != int(value):
        reader.problem(path, "problem.not_whole", value=data.get(name))
        return None
    return int(value)


def _studies(reader: _Reader, person: dict[str, Any], path: str) -> Studies | None:
    raw = _object(reader, person, "studies", path, STUDIES_FIELDS)
    if raw is None:
        return None
    return Studies(
        study_year=reader.choice(raw, "study_year", f"{path}.study_year", StudyYear, StudyYear.LICENCE_1)
        or StudyYear.LICENCE_1,
        establishment=reader.choice(raw, "establishment", f"{path}.establishment", Establishment, Establishment.PUBLIC)
        or Establishment.PUBLIC,
        family_distance_km=_whole(reader, raw, "family_distance_km", f"{path}.family_distance_km") or 0,
        parents_income_n2=reader.number(raw, "parents_income_n2", f"{path}.parents_income_n2"),
        bac_mention=reader.choice(raw, "bac_mention", f"{path}.bac_mention", BacMention, BacMention.AUCUNE)
        or BacMention.AUCUNE,
    )


def _job_offer(reader: _Reader, person: dict[str, Any], path: str) -> JobOffer | None:
    raw = _object(reader, person, "job_offer", path, JOB_OFFER_FIELDS)
    if raw is None:
        return None
    contract = reader.choice(raw, "contract", f"{path}.contract", OfferKind)
    start = reader.date(raw, "start_date", f"{path}.start_date")
    counts = {name: _whole(reader, raw, name, f"{path}.{name}")
              for name in ("duration_months", "training_hours", "trip_minutes", "round_trips")}
    weekly = reader.number(raw, "weekly_hours", f"{path}.weekly_hours")
    distance = reader.number(raw, "distance_km", f"{path}.distance_km")
    if contract is None or start is None:
        return None
    return JobOffer(contract=contract, start_date=start, weekly_hours=weekly, distance_km=distance, **counts)


def _unemployment_rights(reader: _Reader, person: dict[str, Any], path: str) -> UnemploymentRights | None:
    raw = _object(reader, person, "unemployment_rights", path, UNEMPLOYMENT_RIGHTS_FIELDS)
    if raw is None:
        return None
    daily = reader.number(raw, "daily_allowance", f"{path}.daily_allowance", required=True)
    wage = reader.number(raw, "reference_daily_wage", f"{path}.reference_daily_wage", required=True)
    days = _whole(reader, raw, "days_left", f"{path}.days_left")
    if "days_left" not in raw:
        reader.problem(f"{path}.days_left", "problem.required")
    if daily is None or wage is None or days is None:
        return None
    return UnemploymentRights(daily_allowance=daily, reference_daily_wage=wage, days_left=days)


def unemployment_rights_to_dict(rights: UnemploymentRights) -> dict[str, Any]:
    return {"daily_allowance": rights.daily_allowance, "reference_daily_wage": rights.reference_daily_wage,
            "days_left": rights.days_left}


def studies_to_dict(studies: Studies) -> dict[str, Any]:
    out: dict[str, Any] = {
        "study_year": studies.study_year.value,
        "establishment": studies.establishment.value,
        "family_distance_km": studies.family_distance_km,
        "parents_income_n2": studies.parents_income_n2,
    }
    if studies.bac_mention != BacMention.AUCUNE:
        out["bac_mention"] = studies.bac_mention.value
    return out


def job_offer_to_dict(offer: JobOffer) -> dict[str, Any]:
    out: dict[str, Any] = {"contract": offer.contract.value, "start_date": offer.start_date.isoformat()}
    for name in ("duration_months", "training_hours", "weekly_hours", "distance_km", "trip_minutes", "round_trips"):
        value = getattr(offer, name)
        if value is not None:
            out[name] = value
    return out


def _housing(reader: _Reader, raw: Any, path: str) -> Housing:
    """The dwelling (``housing``, or a move's ``housing_before``)."""
    if not isinstance(raw, dict):
        reader.problem(path, "problem.not_an_object")
        raw = {}
    reader.unknown(raw, HOUSING_FIELDS, path)
    status = reader.choice(raw, "status", f"{path}.status", HousingStatus)
    return Housing(
        status=status or HousingStatus.HEBERGE,
        rent=reader.number(raw, "rent", f"{path}.rent") or 0.0,
        charges=reader.number(raw, "charges", f"{path}.charges") or 0.0,
        conventionne=reader.boolean(raw, "conventionne", f"{path}.conventionne"),
        commune_insee=reader.text(raw, "commune_insee", f"{path}.commune_insee", MAX_CODE),
        postal_code=reader.text(raw, "postal_code", f"{path}.postal_code", MAX_CODE),
    )


def _sought_home(reader: _Reader, data: dict[str, Any]) -> SoughtHome | None:
    """``sought_home`` (case format 3): a home about to be rented (Visale)."""
    raw = _object(reader, data, "sought_home", "sought_home", SOUGHT_HOME_FIELDS)
    if raw is None:
        return None
    entry = reader.date(raw, "entry_date", "sought_home.entry_date")
    rent = reader.number(raw, "rent", "sought_home.rent", required=True)
    charges = reader.number(raw, "charges", "sought_home.charges")
    if entry is None or rent is None:
        return None
    return SoughtHome(entry_date=entry, rent=rent, charges=charges or 0.0)


def sought_home_to_dict(sought: SoughtHome) -> dict[str, Any]:
    return {"entry_date": sought.entry_date.isoformat(), "rent": sought.rent, "charges": sought.charges}


def _events(reader: _Reader, data: dict[str, Any]) -> tuple[LifeEvent, ...]:
    """``events`` (case format 3): each a kind, a month and what was true before it."""
    out = []
    for j, raw in enumerate(reader.items(data, "events", "events", MAX_EVENTS)):
        path = f"events.{j}"
        if not isinstance(raw, dict):
            reader.problem(path, "problem.not_an_object")
            continue
        reader.unknown(raw, EVENT_FIELDS, path)
        kind = reader.choice(raw, "kind", f"{path}.kind", EventKind)
        if kind is not None:
            reader.kinds[path] = kind.value
        month = raw.get("month")
        if month is None:
            reader.problem(f"{path}.month", "problem.required")
        else:
            try:
                parse_month(str(month))
            except ValueError:
                reader.problem(f"{path}.month", "problem.not_a_month", value=month)
                month = None
        activity = reader.choice(raw, "activity_before", f"{path}.activity_before", Activity) \
            if raw.get("activity_before") is not None else None
        salary = reader.number(raw, "salary_before", f"{path}.salary_before")
        unemployment = reader.number(raw, "unemployment_before", f"{path}.unemployment_before")
        before = raw.get("housing_before")
        housing_before = _housing(reader, before, f"{path}.housing_before") if before is not None else None
        if kind is None or month is None:
            continue
        out.append(LifeEvent(
            kind=kind, month=str(month),
            person=reader.text(raw, "person", f"{path}.person", MAX_ID),
            activity_before=activity,
            salary_before=salary or 0.0,
            unemployment_before=unemployment or 0.0,
            housing_before=housing_before,
        ))
    return tuple(out)


def _resources(reader: _Reader, person: dict[str, Any], path: str) -> tuple[Resource, ...]:
    out = []
    for j, item in enumerate(reader.items(person, "resources", path)):
        rpath = f"{path}.{j}"
        if not isinstance(item, dict):
            reader.problem(rpath, "problem.not_an_object")
            continue
        reader.unknown(item, {"kind", "stable", "monthly"}, rpath)
        kind = reader.choice(item, "kind", f"{rpath}.kind", ResourceKind)
        if kind is not None:
            reader.kinds[rpath] = kind.value
        stable = reader.number(item, "stable", f"{rpath}.stable")
        monthly: tuple[float, ...] | None = None
        raw_monthly = item.get("monthly")
        if raw_monthly is not None:
            values = reader.items(item, "monthly", f"{rpath}.monthly")
            if isinstance(raw_monthly, list) and len(raw_monthly) <= MAX_LIST_ITEMS:
                parsed = [reader.number({"v": v}, "v", f"{rpath}.monthly", required=True) for v in values]
                monthly = tuple(v if v is not None else 0.0 for v in parsed)
        if item.get("stable") is None and raw_monthly is None:  # absent (an unreadable one is said)
            reader.problem(f"{rpath}.stable", "problem.required")
        if kind is not None:
            out.append(Resource(kind=kind, stable=stable, monthly=monthly))
    return tuple(out)


def household_to_dict(household: Household) -> dict[str, Any]:
    def person(p: Person) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": p.id,
            "role": p.role.value,
            "first_name": p.first_name,
            "birth_date": p.birth_date.isoformat(),
            "activity": p.activity.value,
            "schooling": p.schooling.value,
            "resources": [
                {"kind": r.kind.value, **({"monthly": list(r.monthly)} if r.monthly is not None else {"stable": r.stable})}
                for r in p.resources
            ],
        }
        if p.disability_rate is not None:
            out["disability_rate"] = p.disability_rate
        if p.pregnant:
            out["pregnant"] = True
        if p.pregnancy_due_date is not None:
            out["pregnancy_due_date"] = p.pregnancy_due_date.isoformat()
        if p.adoption_date is not None:
            out["adoption_date"] = p.adoption_date.isoformat()
        if p.ass_work_history:
            out["ass_work_history"] = True
        if p.taxable_income_last_year is not None:
            out["taxable_income_last_year"] = p.taxable_income_last_year
        if p.taxable_income_n2 is not None:
            out["taxable_income_n2"] = p.taxable_income_n2
        if p.apprentice:
            out["apprentice"] = True
        if p.studies is not None:
            out["studies"] = studies_to_dict(p.studies)
        if p.job_offer is not None:
            out["job_offer"] = job_offer_to_dict(p.job_offer)
        if p.unemployment_rights is not None:
            out["unemployment_rights"] = unemployment_rights_to_dict(p.unemployment_rights)
        return out

    out: dict[str, Any] = {
        "couple": household.couple.value,
        "persons": [person(p) for p in household.persons],
        "housing": _housing_to_dict(household.housing),
        "savings": household.savings,
        "benefits_received": list(household.benefits_received),
    }
    if household.reference:
        out["reference"] = household.reference
    if household.separation_date is not None:
        out["separation_date"] = household.separation_date.isoformat()
    if household.childcare != ChildcareMode.AUCUN:
        out["childcare"] = household.childcare.value
    if household.asylum_seeker:
        out["asylum_seeker"] = True
    if household.asylum_housed:
        out["asylum_housed"] = True
    if household.events:
        out["events"] = [_event_to_dict(e) for e in household.events]
    if household.sought_home is not None:
        out["sought_home"] = sought_home_to_dict(household.sought_home)
    return out


def _housing_to_dict(h: Housing) -> dict[str, Any]:
    return {
        "status": h.status.value,
        "rent": h.rent,
        "charges": h.charges,
        "conventionne": h.conventionne,
        "commune_insee": h.commune_insee,
        "postal_code": h.postal_code,
    }


def _event_to_dict(event: LifeEvent) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": event.kind.value, "month": event.month}
    if event.is_job:
        out["person"] = event.person
        if event.activity_before is not None:
            out["activity_before"] = event.activity_before.value
        out["salary_before"] = event.salary_before
        if event.unemployment_before:
            out["unemployment_before"] = event.unemployment_before
    if event.housing_before is not None:
        out["housing_before"] = _housing_to_dict(event.housing_before)
    return out


def case_to_dict(household: Household, month: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if month:
        out["month"] = month
    out["household"] = household_to_dict(household)
    return out


def case_from_dict(data: Any, today: dt.date | None = None) -> tuple[Household, str | None]:
    """(household, month or None) from a whole case file's content."""
    if not isinstance(data, dict):
        raise InvalidHousehold((Problem("", t("problem.bad_format", value=type(data).__name__)),))
    if data.get("format") != FORMAT:
        raise InvalidHousehold((Problem("format", t("problem.bad_format", value=shown(data.get("format")))),))
    if data.get("version") not in READABLE_VERSIONS:
        raise InvalidHousehold((Problem("version", t("problem.bad_version", value=shown(data.get("version")), supported=VERSION)),))
    month = data.get("month")
    if month is not None:
        try:
            parse_month(str(month))
        except ValueError:
            raise InvalidHousehold((Problem("month", t("problem.not_a_month", field=t("field.month"), value=shown(month))),)) from None
    return household_from_dict(data.get("household"), today), (str(month) if month else None)


def load_case(path: Path, today: dt.date | None = None) -> tuple[Household, str | None]:
    try:
        with Path(path).open("rb") as handle:
            content = handle.read(MAX_CASE_BYTES + 1)
    except OSError as error:
        raise InvalidHousehold((Problem("", t("problem.unreadable", reason=type(error).__name__)),)) from None
    try:
        text = content.decode("utf-8-sig")  # the byte-order mark Windows' Notepad writes is not content
    except UnicodeDecodeError:
        raise InvalidHousehold((Problem("", t("problem.not_utf8")),)) from None
    return case_from_dict(parse_case_json(text), today)


def parse_case_json(text: str, line: str | None = None) -> Any:
    """The JSON of a case file or of a JSON-lines line (``line``: its number, for the
    message), at most ``MAX_CASE_BYTES``; raises InvalidHousehold (French) for what is
    not JSON, too big or too deeply nested."""
    if len(text) > MAX_CASE_BYTES:
        raise InvalidHousehold((Problem("", t("problem.too_big", size=f"{len(text):,}".replace(",", " "),
                                              max=f"{MAX_CASE_BYTES:,}".replace(",", " "))),))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidHousehold((Problem("", t("problem.not_json", line=line or error.lineno, column=error.colno)),)) from None
    except (ValueError, RecursionError):  # an integer of thousands of digits, [[[[…]]]]
        raise InvalidHousehold((Problem("", t("problem.too_deep")),)) from None


def dump_case(household: Household, month: str | None = None) -> str:
    return json.dumps(case_to_dict(household, month), ensure_ascii=False, indent=2) + "\n"
