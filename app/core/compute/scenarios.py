"""What if: variants of a household compared side by side, and the earnings curve.

* A :class:`Scenario` is a tuple of frozen changes (:class:`EarningsChange`,
  :class:`CoupleChange`, :class:`Birth`, :class:`Move`, :class:`PersonLeaves`)
  applied to a household (:func:`apply_scenario`). Every variant is computed with the
  current situation in ONE ``engine.compute_many`` call, and :func:`compare` lays the
  results out as rows (each benefit, the household's net resources, the monthly
  benefits, the complémentaire santé solidaire participation, the disposable income)
  with per-variant values and deltas.
* Changes describe a settled situation: a new salary is taken as received over the
  12 declared months (so over every look-back window of the computation); taxable
  incomes the household declared for past years stay as declared (they are facts).
  The first months after a real change can differ (benefits computed on past months).
* :func:`better_off_in_work` compares the current situation with a job at a net
  salary (or a number of hours a week at the SMIC).
* :func:`earnings_curve`: the disposable income and each benefit as one person's net
  salary goes from 0 to 2 × SMIC net, ≥ 101 points computed in ONE vectorised
  simulation (copies of the household, ``simulation_build.build_copies``, only the
  person's salary inputs differing: net and taxable salary on every month of every
  window). Each point equals ``engine.compute`` of the same variant.

Disposable income per month = net resources of the household in the month computed
(declared resources: salaries, pensions, unemployment benefit, alimony received minus
alimony paid…) + monthly benefits counted in totals − the CSS participation when due.
Yearly benefits (school-year allowance, energy cheque, grants) are a separate row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np

from app.core.base import formats
from app.core.compute.engine import Engine
from app.core.benefits.results import SimulationResult, Status
from app.core.model.household import (
    Activity,
    CoupleStatus,
    EventKind,
    Household,
    HousingStatus,
    LifeEvent,
    Person,
    Resource,
    ResourceKind,
    Role,
)
from app.core.base.i18n import t
from app.core.model.periods import first_day, parse_month
from app.core.openfisca.simulation_build import build_copies
from app.core.openfisca.situation import CONVERTED_KINDS, DIRECT_KINDS, Situation, build_situation
from app.core.model.validation import require_valid, role_label, validate

CSS_PARTICIPATION = "css_participation"


class ScenarioError(ValueError):
    """A scenario that cannot be applied to the household (message in French)."""


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class EarningsChange:
    """A person's net salary becomes ``net_monthly`` (or ``hours_per_week`` at the SMIC net
    hourly rate), as a stable amount over the declared months; ``activity`` optionally set
    (``Activity.SALARIE`` when taking a job); ``ends``: the person's resources of these
    kinds stop (the unemployment benefit, when a job seeker takes a job)."""

    person_id: str
    net_monthly: float | None = None
    hours_per_week: float | None = None
    activity: Activity | None = None
    ends: tuple[ResourceKind, ...] = ()


@dataclass(frozen=True)
class CoupleChange:
    """Living as a couple (``status`` marié / pacsé / concubin) with ``partner`` (their data;
    the role is set to conjoint), or a separation (``status`` seul: the conjoint leaves)."""

    status: CoupleStatus
    partner: Person | None = None


@dataclass(frozen=True)
class Birth:
    """A child born in ``month`` (YYYY-MM, not after the month computed)."""

    month: str
    person_id: str = ""


@dataclass(frozen=True)
class Move:
    """New housing: any field left None keeps the current value."""

    commune_insee: str | None = None
    postal_code: str | None = None
    status: HousingStatus | None = None
    rent: float | None = None
    charges: float | None = None
    conventionne: bool | None = None


@dataclass(frozen=True)
class PersonLeaves:
    """A child (or another dependant) leaves the household."""

    person_id: str


Change = Union[EarningsChange, CoupleChange, Birth, Move, PersonLeaves]


@dataclass(frozen=True)
class Scenario:
    changes: tuple[Change, ...]
    label: str = ""  # empty: described from the changes


# --------------------------------------------------------------------------- SMIC


_SMIC_NET: dict[tuple[int, str], float] = {}


def smic_gross_monthly(engine: Engine, month: str) -> float:
    """SMIC brut mensuel: hourly SMIC × monthly hours, both from the parameters at the month."""
    smic = engine.tbs.parameters.marche_travail.salaire_minimum.smic
    day = first_day(month).isoformat()
    return round(float(smic.smic_b_horaire(day)) * float(smic.nb_heures_travail_mensuel(day)), 2)


def smic_net_monthly(engine: Engine, month: str) -> float:
    """SMIC net mensuel computed by OpenFisca-France (salaire_net of a full-time employee
    paid the gross SMIC in that month); cached per engine and month."""
    key = (id(engine), month)
    if key not in _SMIC_NET:
        from app.core.openfisca.simulation_build import build_simulation

        situation = {
            "individus": {"p": {"date_naissance": {"ETERNITY": "1980-01-01"},
                                "salaire_de_base": {month: smic_gross_monthly(engine, month)}}},
            "familles": {"f": {"parents": ["p"]}},
            "foyers_fiscaux": {"ff": {"declarants": ["p"]}},
            "menages": {"m": {"personne_de_reference": ["p"]}},
        }
        simulation, _ids = build_simulation(engine.tbs, [situation])
        _SMIC_NET[key] = round(float(simulation.calculate("salaire_net", month)[0]), 2)
    return _SMIC_NET[key]


# Legal weekly working time (Code du travail, art. L3121-27): the SMIC's monthly hours
# (smic.nb_heures_travail_mensuel, 151.67) are 35 h x 52 / 12.
LEGAL_WEEKLY_HOURS = 35.0


def salary_for_hours(engine: Engine, month: str, hours_per_week: float) -> float:
    """Net monthly salary of ``hours_per_week`` paid at the SMIC (35 h: the SMIC net)."""
    return round(smic_net_monthly(engine, month) * hours_per_week / LEGAL_WEEKLY_HOURS, 2)


# --------------------------------------------------------------------------- applying


def with_salary(household: Household, person_id: str, net_monthly: float, activity: Activity | None = None) -> Household:
    """The household with the person's net salary set to a stable ``net_monthly`` (0: none),
    as if always so: the person's job change at a given month, if any, no longer applies."""
    persons = []
    found = False
    for person in household.persons:
        if person.id == person_id:
            found = True
            others = tuple(r for r in person.resources if r.kind != ResourceKind.SALAIRE_NET)
            salary = (Resource(ResourceKind.SALAIRE_NET, stable=float(net_monthly)),) if net_monthly else ()
            person = dataclasses.replace(
                person, resources=others + salary, activity=activity if activity is not None else person.activity
            )
        persons.append(person)
    if not found:
        raise ScenarioError(t("scenario.error.unknown_person", person=person_id))
    return _without_events(dataclasses.replace(household, persons=tuple(persons)),
                           lambda e: e.is_job and e.person == person_id)


def _without_events(household: Household, drop: Callable[[LifeEvent], bool]) -> Household:
    """The household without the life events a scenario's change makes untrue (a scenario
    is the situation as if it had always been so)."""
    return dataclasses.replace(household, events=tuple(e for e in household.events if not drop(e)))


def apply_scenario(engine: Engine, household: Household, scenario: Scenario, month: str) -> Household:
    """The household after the scenario's changes, validated (ScenarioError otherwise)."""
    out = household
    for change in scenario.changes:
        out = _apply(engine, out, change, month)
    problems = validate(out)
    if problems:
        raise ScenarioError(" ".join(p.message for p in problems))
    return out


def _apply(engine: Engine, household: Household, change: Change, month: str) -> Household:
    if isinstance(change, EarningsChange):
        amount = change.net_monthly
        if change.hours_per_week is not None:
            amount = salary_for_hours(engine, month, change.hours_per_week)
        if amount is None:
            raise ScenarioError(t("scenario.error.no_amount"))
        household = with_salary(household, change.person_id, amount, change.activity)
        if change.ends:
            household = dataclasses.replace(household, persons=tuple(
                dataclasses.replace(p, resources=tuple(r for r in p.resources if r.kind not in change.ends))
                if p.id == change.person_id else p for p in household.persons))
        return household
    if isinstance(change, CoupleChange):
        persons = [p for p in household.persons if p.role != Role.CONJOINT]
        if change.status == CoupleStatus.SEUL:
            # A separation in the month computed: the RSA's majoration for a parent recently
            # left alone applies (situation.isolation_months); never a date after today.
            separated = household.separation_date
            if household.conjoint is not None:
                separated = min(first_day(month), dt.date.today())
            kept = {p.id for p in persons}
            alone = dataclasses.replace(household, persons=tuple(persons), couple=CoupleStatus.SEUL,
                                        separation_date=separated)
            return _without_events(alone, lambda e: e.kind == EventKind.COUPLE_START
                                   or (e.is_job and e.person not in kept))
        if change.partner is None:
            if household.conjoint is None:
                raise ScenarioError(t("scenario.error.no_partner"))
            return dataclasses.replace(household, couple=change.status, separation_date=None)
        if any(p.id == change.partner.id for p in persons):
            raise ScenarioError(t("scenario.error.duplicate_id", person=change.partner.id))
        partner = dataclasses.replace(change.partner, role=Role.CONJOINT)
        index = next((i for i, p in enumerate(persons) if p.role == Role.DEMANDEUR), 0) + 1
        persons.insert(index, partner)
        return dataclasses.replace(household, persons=tuple(persons), couple=change.status, separation_date=None)
    if isinstance(change, Birth):
        parse_month(change.month)
        if change.month > month:
            raise ScenarioError(t("scenario.error.birth_after", birth=formats.month(change.month), month=formats.month(month)))
        pid = change.person_id or _new_id(household, "naissance")
        if any(p.id == pid for p in household.persons):
            raise ScenarioError(t("scenario.error.duplicate_id", person=pid))
        child = Person(pid, Role.ENFANT, first_day(change.month))
        parents = tuple(
            dataclasses.replace(p, pregnant=False, pregnancy_due_date=None) if p.role in (Role.DEMANDEUR, Role.CONJOINT) else p
            for p in household.persons
        )
        return dataclasses.replace(household, persons=parents + (child,))
    if isinstance(change, Move):
        housing = household.housing
        updates: dict[str, Any] = {
            name: value
            for name, value in (
                ("commune_insee", change.commune_insee), ("postal_code", change.postal_code),
                ("status", change.status), ("rent", change.rent), ("charges", change.charges),
                ("conventionne", change.conventionne),
            )
            if value is not None
        }
        if change.commune_insee is not None and change.postal_code is None:
            updates["postal_code"] = ""  # the old postal code belongs to the old commune
        moved = dataclasses.replace(household, housing=dataclasses.replace(housing, **updates))
        return _without_events(moved, lambda e: e.kind == EventKind.MOVE)
    if isinstance(change, PersonLeaves):
        person = next((p for p in household.persons if p.id == change.person_id), None)
        if person is None:
            raise ScenarioError(t("scenario.error.unknown_person", person=change.person_id))
        if person.role not in (Role.ENFANT, Role.AUTRE):
            raise ScenarioError(t("scenario.error.not_dependant", person=change.person_id))
        return dataclasses.replace(household, persons=tuple(p for p in household.persons if p.id != change.person_id))
    raise TypeError(f"unknown change {change!r}")


def _new_id(household: Household, stem: str) -> str:
    taken = {p.id for p in household.persons}
    n = 1
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def describe(household: Household, scenario: Scenario, engine: Engine | None = None, month: str | None = None) -> str:
    """A French label for a scenario (its own label when given)."""
    if scenario.label:
        return scenario.label
    parts = []
    for change in scenario.changes:
        if isinstance(change, EarningsChange):
            who = role_label(household, change.person_id)
            if change.hours_per_week is not None and engine is not None and month is not None:
                amount = salary_for_hours(engine, month, change.hours_per_week)
                parts.append(t("scenario.hours", person=who, hours=formats.number(change.hours_per_week, 0),
                               amount=formats.euros_short(amount)))
            else:
                parts.append(t("scenario.earnings", person=who, amount=formats.euros_short(change.net_monthly or 0.0)))
            person = next((p for p in household.persons if p.id == change.person_id), None)
            if person is not None and person.declares(*change.ends):
                parts.append(t("scenario.benefit_ends", person=who))
        elif isinstance(change, CoupleChange):
            if change.status == CoupleStatus.SEUL:
                parts.append(t("scenario.separation"))
            else:
                parts.append(t("scenario.couple", status=t(f"choice.couple.{change.status.value}")))
        elif isinstance(change, Birth):
            parts.append(t("scenario.birth", month=formats.month(change.month)))
        elif isinstance(change, Move):
            parts.append(t("scenario.move_to", commune=_commune_name(change.commune_insee))
                         if change.commune_insee else t("scenario.move"))
        elif isinstance(change, PersonLeaves):
            parts.append(t("scenario.child_leaves", person=role_label(household, change.person_id)))
    return " ; ".join(parts)


def _commune_name(code: str) -> str:
    try:
        from app.core.model.communes import default_index

        commune = default_index().by_insee(code)
    except Exception:  # noqa: BLE001 - the name is a nicety; the code says the same
        commune = None
    return commune.name if commune is not None else code


# --------------------------------------------------------------------------- money


RECEIVED_VARIABLES: tuple[str, ...] = tuple(received for received, _taxable, _gross in CONVERTED_KINDS.values()) + tuple(
    variable for kind, variable in DIRECT_KINDS.items() if kind != ResourceKind.PENSION_ALIMENTAIRE_VERSEE
)
PAID_VARIABLES: tuple[str, ...] = (DIRECT_KINDS[ResourceKind.PENSION_ALIMENTAIRE_VERSEE],)


def net_resources(situation: Situation) -> float:
    """Net resources of the household in the month computed, as the situation gives them
    to OpenFisca (the month computed repeats the last declared month)."""
    month = situation.month
    total = 0.0
    for person in situation.data["individus"].values():
        for variable in RECEIVED_VARIABLES:
            total += float((person.get(variable) or {}).get(month, 0.0) or 0.0)
        for variable in PAID_VARIABLES:
            total -= abs(float((person.get(variable) or {}).get(month, 0.0) or 0.0))
    return round(total, 2)


def css_participation(result: SimulationResult) -> float:
    try:
        item = result.get(CSS_PARTICIPATION)
    except KeyError:
        return 0.0
    return item.amount if item.status == Status.ELIGIBLE else 0.0


def disposable_monthly(result: SimulationResult, resources: float) -> float:
    """Net resources + monthly benefits counted in totals − CSS participation."""
    return round(resources + result.total_monthly() - css_participation(result), 2)


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class ComparisonRow:
    key: str  # a benefit id, or resources / benefits_monthly / css_participation / disposable / yearly_extra
    label: str
    kind: str  # "benefit" | "total"
    period: str  # "month" | "year"
    values: tuple[float, ...]  # one per column; column 0 is the current situation
    deltas: tuple[float, ...]  # values - values[0]
    statuses: tuple[str | None, ...] = ()  # benefit rows: each column's status
    changed: bool = False  # a value or a status differs from the current situation

    def lost(self, column: int) -> bool:
        """A right the current situation has (eligible or to check) and ``column`` has not:
        a loss for the household whatever the sign of the amount (losing the CSS with
        participation lowers what is paid, yet the health cover is gone)."""
        if not self.statuses:
            return False
        held = ("eligible", "to_check")
        return self.statuses[0] in held and (self.statuses[column] or "not_eligible") not in held


@dataclass(frozen=True)
class Comparison:
    month: str
    columns: tuple[str, ...]  # French labels; 0 = « Situation actuelle »
    households: tuple[Household, ...]
    results: tuple[SimulationResult, ...]
    rows: tuple[ComparisonRow, ...]

    def row(self, key: str) -> ComparisonRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    @property
    def disposable(self) -> tuple[float, ...]:
        return self.row("disposable").values

    def changed_rows(self) -> tuple[ComparisonRow, ...]:
        return tuple(r for r in self.rows if r.changed)


def compare(
    engine: Engine, household: Household, scenarios: Sequence[Scenario], month: str
) -> Comparison:
    """The current situation and each scenario, computed in ONE ``compute_many`` call."""
    variants = [household] + [apply_scenario(engine, household, s, month) for s in scenarios]
    labels = [t("scenario.current")] + [describe(household, s, engine, month) for s in scenarios]
    return compare_households(engine, variants, labels, month)


def compare_households(
    engine: Engine, households: Sequence[Household], labels: Sequence[str], month: str
) -> Comparison:
    """Side by side comparison of any households (the first is the reference)."""
    results = engine.compute_many(list(households), month)
    resources = [net_resources(engine.situation(h, month)) for h in households]
    rows: list[ComparisonRow] = []
    catalogue = engine.catalogue
    ids: list[str] = []
    for result in results:
        for item in result.benefits:
            if item.benefit_id not in ids:
                ids.append(item.benefit_id)
    for benefit_id in ids:
        entry = catalogue.get(benefit_id)
        items = [_item(r, benefit_id) for r in results]
        values = tuple(round(i.amount, 2) if i is not None and i.status == Status.ELIGIBLE else 0.0 for i in items)
        statuses = tuple(i.status.value if i is not None else None for i in items)
        rows.append(_row(benefit_id, entry.short_label, "benefit", entry.amount_period, values, statuses))
    rows.append(_row("resources", t("scenario.row.resources"), "total", "month", tuple(resources)))
    rows.append(_row("benefits_monthly", t("scenario.row.benefits_monthly"), "total", "month",
                     tuple(r.total_monthly() for r in results)))
    rows.append(_row("css_participation", t("scenario.row.css_participation"), "total", "month",
                     tuple(css_participation(r) for r in results), tuple(_css_status(r) for r in results)))
    rows.append(_row("disposable", t("scenario.row.disposable"), "total", "month",
                     tuple(disposable_monthly(r, res) for r, res in zip(results, resources))))
    rows.append(_row("yearly_extra", t("scenario.row.yearly_extra"), "total", "year",
                     tuple(r.total_yearly_extra() for r in results)))
    return Comparison(month, tuple(labels), tuple(households), tuple(results), tuple(rows))


def _css_status(result: SimulationResult) -> str:
    """The complementary health cover, free or with a participation: « eligible » when
    either is (paying less because it became free is a gain; losing both, a lost right)."""
    items = [_item(result, benefit_id) for benefit_id in (CSS_PARTICIPATION, "css_gratuite")]
    if any(i is not None and i.status == Status.ELIGIBLE for i in items):
        return Status.ELIGIBLE.value
    if any(i is not None and i.status == Status.TO_CHECK for i in items):
        return Status.TO_CHECK.value
    return Status.NOT_ELIGIBLE.value


def _item(result: SimulationResult, benefit_id: str) -> Any:
    try:
        return result.get(benefit_id)
    except KeyError:
        return None


def _row(
    key: str, label: str, kind: str, period: str, values: tuple[float, ...], statuses: tuple[str | None, ...] = ()
) -> ComparisonRow:
    deltas = tuple(round(v - values[0], 2) for v in values)
    # a benefit absent from a column (a local aid of another territory) counts as not eligible
    changed = any(abs(d) >= 0.005 for d in deltas) or len({s or Status.NOT_ELIGIBLE.value for s in statuses}) > 1
    return ComparisonRow(key, label, kind, period, values, deltas, statuses, changed)


@dataclass(frozen=True)
class WorkComparison:
    comparison: Comparison
    person_id: str
    net_monthly: float
    before: float  # disposable income per month, now
    after: float  # with the job
    delta: float
    text: str  # French sentence
    note: str  # the settled-situation caveat


def better_off_in_work(
    engine: Engine,
    household: Household,
    person_id: str,
    month: str,
    net_monthly: float | None = None,
    hours_per_week: float | None = None,
) -> WorkComparison:
    """The current situation vs a job at ``net_monthly`` (or ``hours_per_week`` at the SMIC).

    With the job, the person's unemployment benefit stops: what France Travail would still
    pay alongside a part-time salary (cumul allocation-salaire) depends on the benefit's
    daily rate and former salary, which Guichet does not know, and keeping the whole
    benefit would promise money that will not come. The note says so."""
    if net_monthly is None and hours_per_week is None:
        hours_per_week = 35.0
    change = EarningsChange(person_id, net_monthly=net_monthly, hours_per_week=hours_per_week,
                            activity=Activity.SALARIE, ends=(ResourceKind.CHOMAGE,))
    scenario = Scenario((change,), label=t("scenario.work"))
    comparison = compare(engine, household, [scenario], month)
    salary = net_monthly if net_monthly is not None else salary_for_hours(engine, month, hours_per_week or 0.0)
    before, after = comparison.disposable
    delta = round(after - before, 2)
    values = dict(before=formats.euros(before), after=formats.euros(after), delta=formats.euros(abs(delta)))
    key = "scenario.better_off.gain" if delta > 0.005 else "scenario.better_off.loss" if delta < -0.005 else "scenario.better_off.same"
    note = t("scenario.better_off.steady")
    person = _person_of(household, person_id)
    if person.declares(ResourceKind.CHOMAGE):
        note += " " + t("scenario.better_off.unemployment_stops", person=role_label(household, person_id))
    return WorkComparison(comparison, person_id, salary, before, after, delta, t(key, **values), note)


# --------------------------------------------------------------------------- earnings curve


@dataclass(frozen=True)
class EarningsCurve:
    """Arrays over the earnings points (x axis: the person's net monthly salary)."""

    month: str
    person_id: str
    earnings: np.ndarray  # net salary per month, n points from 0
    resources: np.ndarray  # household net resources per month
    disposable: np.ndarray  # disposable income per month
    benefits: dict[str, np.ndarray]  # benefit id -> amount (in the benefit's own period)
    periods: dict[str, str]  # benefit id -> "month" | "year"
    labels: dict[str, str]  # benefit id -> short label
    css_participation: np.ndarray
    benefits_monthly: np.ndarray  # monthly benefits counted in totals
    smic_net: float
    notes: tuple[str, ...] = ()  # French sentences the curve must be read with

    def at(self, index: int) -> dict[str, float]:
        """Every figure of one point (for a tooltip)."""
        out = {"earnings": float(self.earnings[index]), "resources": float(self.resources[index]),
               "disposable": float(self.disposable[index])}
        out.update({k: float(v[index]) for k, v in self.benefits.items()})
        return out


class _MemoConverter:
    """The engine's net -> taxable / gross converter with a cache: a curve asks the same
    few amounts on every month."""

    def __init__(self, converter: Any) -> None:
        self._converter = converter
        self._cache: dict[tuple[str, ResourceKind, float], float] = {}

    def taxable(self, kind: ResourceKind, net: float) -> float:
        key = ("taxable", kind, net)
        if key not in self._cache:
            self._cache[key] = self._converter.taxable(kind, net)
        return self._cache[key]

    def gross(self, kind: ResourceKind, net: float) -> float:
        key = ("gross", kind, net)
        if key not in self._cache:
            self._cache[key] = self._converter.gross(kind, net)
        return self._cache[key]


def earnings_curve(
    engine: Engine,
    household: Household,
    person_id: str,
    month: str,
    points: int = 101,
    maximum: float | None = None,
) -> EarningsCurve:
    """Disposable income and each benefit as the person's net salary goes from 0 to
    ``maximum`` (default 2 × SMIC net), in one vectorised simulation of ``points`` copies.

    Each point k is the household ``with_salary(household, person_id, earnings[k])`` (the
    person's declared activity unchanged): its situation differs from the first point's only
    in that person's salary inputs (net, taxable and gross salary on every month of every
    window, and the months a declared taxable income spreads over), which ``build_copies``
    sets per copy. The amounts are read from the simulation's arrays as ``engine.compute``
    reads them; local aids are evaluated on each copy.
    """
    if points < 2:
        raise ValueError("at least 2 points")
    require_valid(household)
    smic = smic_net_monthly(engine, month)
    top = maximum if maximum is not None else 2 * smic
    levels = np.round(np.linspace(0.0, top, points), 2)
    households = [with_salary(household, person_id, float(x)) for x in levels]
    base = engine.situation(households[0], month)
    overrides = _salary_inputs(engine, households, person_id, month, base, levels)
    simulation, ids = build_copies(engine.tbs, base.data, points, overrides)
    values = engine.calculate_catalogue(simulation, ids, month, engine.gates_for(households[0], month))
    results = _copy_results(engine, values, simulation, ids, base, households, month)

    resources = net_resources(base) + levels  # the person's salary in the month is the level
    benefits: dict[str, np.ndarray] = {}
    periods: dict[str, str] = {}
    labels: dict[str, str] = {}
    for i, item in enumerate(results[0].benefits):  # the same benefits in the same order in every result
        entry = engine.catalogue.get(item.benefit_id)
        benefits[item.benefit_id] = np.array(
            [found.amount if found.status == Status.ELIGIBLE else 0.0 for found in (r.benefits[i] for r in results)]
        )
        periods[item.benefit_id] = item.amount_period
        labels[item.benefit_id] = entry.short_label
    monthly = np.array([r.total_monthly() for r in results])
    css = np.array([css_participation(r) for r in results])
    disposable = np.array([round(float(r + m - c), 2) for r, m, c in zip(resources, monthly, css)])
    return EarningsCurve(
        month=month, person_id=person_id, earnings=levels, resources=np.round(resources, 2), disposable=disposable,
        benefits=benefits, periods=periods, labels=labels, css_participation=css, benefits_monthly=monthly,
        smic_net=smic, notes=_curve_notes(household, person_id),
    )


def _curve_notes(household: Household, person_id: str) -> tuple[str, ...]:
    """The person's unemployment benefit is kept at every level of the curve (the rest of
    the situation is as declared): say so, since with a job it is cut or stops."""
    person = _person_of(household, person_id)
    if person.declares(ResourceKind.CHOMAGE):
        return (t("curve.keeps_unemployment_benefit", person=role_label(household, person_id)),)
    return ()


_NOT_THE_PERSONS_OWN = {"statut_marital", "livret_a"}  # set by the mapping from the household


def _person_alone(person: Person, month: str, converter: Any) -> dict[str, Any]:
    """What the situation mapping gives one person (their inputs depend on them only)."""
    alone = Household((dataclasses.replace(person, role=Role.DEMANDEUR),), savings=0.0)
    return build_situation(alone, month, converter).data["individus"][person.id]


def _salary_inputs(
    engine: Engine, households: Sequence[Household], person_id: str, month: str, base: Situation, levels: np.ndarray
) -> dict[tuple[str, str, str], np.ndarray]:
    """Per-copy inputs of the person, ``{(person id, variable, period): values}``.

    Fast path (no declared taxable income): a stable salary x gives x as net salary on
    every month, and the converter's taxable and gross amounts of x, as the mapping does;
    checked against the mapping itself at the first, middle and last levels. Otherwise,
    or if the check fails: the mapping run on the person alone at every level.
    """
    converter = _MemoConverter(engine.converter(month))
    base_person = base.data["individus"][person_id]
    person = next(p for p in households[0].persons if p.id == person_id)
    net_var, taxable_var, gross_var = CONVERTED_KINDS[ResourceKind.SALAIRE_NET][:3]
    if person.taxable_income_last_year is None and person.taxable_income_n2 is None:
        kind = ResourceKind.SALAIRE_NET
        columns = {
            net_var: levels.astype(float),
            taxable_var: np.array([round(converter.taxable(kind, float(x)), 2) if x else 0.0 for x in levels]),
            gross_var: np.array([round(converter.gross(kind, float(x)), 2) if x else 0.0 for x in levels]),
        }
        months = list(base_person[net_var])
        fast = {(person_id, variable, m): column for variable, column in columns.items() for m in months}
        if all(_matches(fast, base_person, person_id, k, _person_alone(_person_of(households[k], person_id), month, converter))
               for k in sorted({0, len(levels) // 2, len(levels) - 1})):
            return fast
    per_level = [_person_alone(_person_of(h, person_id), month, converter) for h in households]
    overrides: dict[tuple[str, str, str], np.ndarray] = {}
    for variable, by_period in per_level[0].items():
        if variable in _NOT_THE_PERSONS_OWN or not isinstance(by_period, dict):
            continue
        if all(level.get(variable) == base_person.get(variable) for level in per_level):
            continue
        for period in by_period:
            overrides[(person_id, variable, period)] = np.asarray([level[variable][period] for level in per_level])
    return overrides


def _person_of(household: Household, person_id: str) -> Person:
    return next(p for p in household.persons if p.id == person_id)


def _matches(
    overrides: Mapping[tuple[str, str, str], np.ndarray], base_person: Mapping[str, Any], person_id: str, k: int,
    built: Mapping[str, Any],
) -> bool:
    """Whether copy k's inputs (overrides, else the first point's) are what the mapping gives."""
    for variable, by_period in built.items():
        if variable in _NOT_THE_PERSONS_OWN or not isinstance(by_period, dict):
            continue
        for period, value in by_period.items():
            key = (person_id, variable, period)
            expected = overrides[key][k] if key in overrides else (base_person.get(variable) or {}).get(period)
            if expected != value:
                return False
    return True


def _copy_results(
    engine: Engine, values: Mapping[str, Any], simulation: Any, ids: dict[str, list[str]], base: Situation,
    households: Sequence[Household], month: str,
) -> list[SimulationResult]:
    """One SimulationResult per copy, read from the arrays as ``engine.compute`` reads them
    (amounts rounded to the cent, a per-person benefit summed over the persons, a boolean
    benefit without amount). A zero amount is « not eligible » here: the « to check » flag
    changes no figure of a curve."""
    from app.core.benefits.results import BenefitResult

    n = len(households)
    index = {key: {eid: i for i, eid in enumerate(v)} for key, v in ids.items()}
    person_rows = np.array([[index["individu"][f"{k}:{pid}"] for pid in base.person_ids] for k in range(n)])

    def group_rows(entity: str) -> np.ndarray:
        own = {"famille": base.famille_id, "menage": base.menage_id}[entity]
        rows = []
        for k in range(n):
            row = index[entity].get(f"{k}:{own}")
            rows.append(row if row is not None else index[entity][f"{k}:_{entity}_{base.person_ids[0]}"])
        return np.array(rows)

    rows_of = {"famille": group_rows("famille"), "menage": group_rows("menage")}
    columns: list[list[Any]] = []
    for benefit in engine.catalogue:
        value = values.get(benefit.id)
        received = [benefit.id in h.benefits_received for h in households]
        automatic = [benefit.paid_automatically(h.benefits_received) for h in households]
        if value is None or isinstance(value, Exception):
            columns.append([BenefitResult(benefit.id, Status.ERROR, 0.0, benefit.amount_period,
                                          already_received=received[k], error=t("engine.benefit_failed"),
                                          paid_automatically=automatic[k])
                            for k in range(n)])
            continue
        array, details = value
        if benefit.entity == "individu":
            per_person = np.asarray(array, dtype=float)[person_rows]  # (copies, persons)
            amounts = [round(sum(row.tolist()), 2) for row in per_person]
            beneficiaries = [tuple(pid for pid, a in zip(base.person_ids, row.tolist()) if a > 0) for row in per_person]
            first_rows = person_rows[:, 0]
        else:
            first_rows = rows_of[benefit.entity]
            amounts = [round(a, 2) for a in np.asarray(array, dtype=float)[first_rows].tolist()]
            beneficiaries = [()] * n
        detail: list[str | None] = [None] * n
        for name, detail_array in details.items():
            positive_detail = np.asarray(detail_array, dtype=float)[first_rows] > 0
            detail = [name if flag else old for flag, old in zip(positive_detail.tolist(), detail)]
        boolean = benefit.value == "boolean"
        columns.append([
            BenefitResult(benefit.id, Status.ELIGIBLE if amounts[k] > 0 else Status.NOT_ELIGIBLE,
                          0.0 if boolean else amounts[k], benefit.amount_period, beneficiaries[k], detail[k],
                          already_received=received[k], paid_automatically=automatic[k])
            for k in range(n)
        ])
    totals = tuple(b.id for b in engine.catalogue if b.counts_in_total)
    results = [SimulationResult(month=month, benefits=tuple(column[k] for column in columns), totals_ids=totals)
               for k in range(n)]
    if getattr(engine.catalogue, "local_aids", ()):
        from app.core.benefits.local_aids import append_local_aids

        situations = [dataclasses.replace(base, assumptions=()) for _ in households]
        results = append_local_aids(engine, results, simulation, ids, situations, households, month)
    return results


def curve_drawing(curve: EarningsCurve, width: float = 480, height: float = 300, title: str | None = None) -> Any:
    """A reportlab Drawing of the curve (disposable income, net salary, each monthly benefit
    that is not always zero), for the handout; DejaVu fonts from resources/fonts."""
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    font, bold = _fonts()
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y = 55, 70
    plot.width, plot.height = width - 75, height - 110
    series: list[tuple[str, np.ndarray]] = [
        (t("curve.disposable"), curve.disposable),
        (t("curve.earnings"), curve.earnings),
    ]
    for benefit_id, values in curve.benefits.items():
        if curve.periods.get(benefit_id) == "month" and np.any(values > 0) and benefit_id != CSS_PARTICIPATION:
            series.append((curve.labels.get(benefit_id, benefit_id), values))
    palette = [colors.HexColor(c) for c in (
        "#1b4f9c", "#7f7f7f", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    )]
    plot.data = [list(zip(curve.earnings.tolist(), values.tolist())) for _, values in series]
    for i in range(len(series)):
        line = plot.lines[i]
        line.strokeColor = palette[i % len(palette)]
        line.strokeWidth = 2.2 if i == 0 else 1.2
        if i == 1:
            line.strokeDashArray = [3, 2]
    top = float(max(float(np.max(v)) for _, v in series)) if series else 1.0
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = float(curve.earnings[-1])
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.valueMax = _nice_ceiling(top)
    step_x = _nice_step(float(curve.earnings[-1]))
    step_y = _nice_step(plot.yValueAxis.valueMax)
    plot.xValueAxis.valueSteps = list(np.arange(0, float(curve.earnings[-1]) + 1, step_x))
    plot.yValueAxis.valueSteps = list(np.arange(0, plot.yValueAxis.valueMax + 1, step_y))
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = 7
        axis.labelTextFormat = lambda v: formats.number(v, 0)
    drawing.add(plot)
    # the SMIC mark
    if 0 < curve.smic_net <= float(curve.earnings[-1]):
        x = plot.x + plot.width * curve.smic_net / float(curve.earnings[-1])
        drawing.add(Line(x, plot.y, x, plot.y + plot.height, strokeColor=colors.HexColor("#999999"),
                         strokeDashArray=[1, 2], strokeWidth=0.6))
        drawing.add(String(x + 2, plot.y + plot.height - 8, t("curve.smic"), fontName=font, fontSize=7,
                           fillColor=colors.HexColor("#666666")))
    drawing.add(String(plot.x, height - 18, title or t("curve.title", person=""), fontName=bold, fontSize=10))
    drawing.add(String(plot.x + plot.width / 2, plot.y - 24, t("curve.x_axis"), fontName=font, fontSize=8,
                       textAnchor="middle"))
    drawing.add(String(12, plot.y + plot.height + 6, t("curve.y_axis"), fontName=font, fontSize=8))
    legend = Legend()
    legend.x, legend.y = plot.x, 28
    legend.fontName = font
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 2
    legend.dx = legend.dy = 6
    legend.deltax = 110
    legend.colorNamePairs = [(palette[i % len(palette)], name) for i, (name, _) in enumerate(series)]
    drawing.add(legend)
    return drawing


def _nice_step(span: float) -> float:
    raw = max(span, 1.0) / 5
    magnitude = 10 ** int(np.floor(np.log10(raw)))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _nice_ceiling(value: float) -> float:
    step = _nice_step(value)
    return float(np.ceil(max(value, 1.0) / step) * step)


def _fonts() -> tuple[str, str]:
    """The bundled DejaVu Sans (regular, bold), registered once for every PDF (base/pdf_fonts.py)."""
    from app.core.base.pdf_fonts import FONT, FONT_BOLD, register_fonts

    register_fonts()
    return FONT, FONT_BOLD
