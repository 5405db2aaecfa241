"""Household (the agent's words) -> OpenFisca-France situation (its own format).

This is where wrong amounts come from, so every look-back window is filled
explicitly, month by month, from January of year N-2 to the simulated month M:

* RSA and prime d'activité read resources of M-3 .. M-1;
* housing aid reads taxable income over the rolling 12 months M-13 .. M-2;
* the complémentaire santé solidaire reads M-12 .. M-1;
* family benefits, the school-year allowance, the energy cheque and school
  grants read the fiscal income of year N-2;
* housing status, rent and commune are needed on past months (flat-rate
  housing deduction of RSA/prime d'activité) and in January (energy cheque).

A life event (``Household.events``, case format 3) splits the months at its month X:
before X, what it says was true (the salary, unemployment benefit and activity before
a job ended or started; the dwelling before a move; no couple before it formed), from
X on, what the household declares. It also sets the dates OpenFisca-France reads:
``date_debut_chomage`` (housing aid: abatement or neutralisation of earlier income once
unemployed for 2 months), ``contrat_de_travail_debut`` and ``date_entree_logement``
(Action Logement's aids).

Declared history covers M-12 .. M-1. Month M repeats M-1. Months before M-12
repeat the declared amount when it is "stable", else the 12-month average;
this is an assumption, reported in ``Situation.assumptions``. When a person
declares their taxable income of a year, the months of that year outside the
declared history are set so that the year adds up to it.

OpenFisca does not derive taxable salary from net salary: a ``TaxableConverter``
(in practice, the engine's grid computed by OpenFisca itself) gives it.

The output is a standard OpenFisca situation (the Web API's JSON), usable as is
by ``openfisca`` tools and exported by ``guichet export-openfisca``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from app.core.model.household import (
    Activity,
    BacMention,
    ChildcareMode,
    CoupleStatus,
    EventKind,
    Household,
    Housing,
    HousingStatus,
    OfferKind,
    LifeEvent,
    Person,
    ResourceKind,
    Role,
    Schooling,
)
from app.core.model.periods import add_months, months_range, parse_month

MONTHS_DECLARED = 12

# Resource kind -> OpenFisca variables (amount received, taxable, gross). The taxable and
# gross amounts of these kinds are derived from the net through the TaxableConverter: some
# benefits read the taxable amount (housing aid, fiscal income), others the gross one
# (ASPA and ASI count the gross pension and salary).
CONVERTED_KINDS: dict[ResourceKind, tuple[str, str, str]] = {
    ResourceKind.SALAIRE_NET: ("salaire_net", "salaire_imposable", "salaire_de_base"),
    ResourceKind.CHOMAGE: ("chomage_net", "chomage_imposable", "chomage_brut"),
    ResourceKind.RETRAITE: ("retraite_nette", "retraite_imposable", "retraite_brute"),
}
# Kinds whose amount is also what the tax return counts (or that are not taxable).
DIRECT_KINDS: dict[ResourceKind, str] = {
    ResourceKind.PENSION_ALIMENTAIRE_RECUE: "pensions_alimentaires_percues",
    ResourceKind.PENSION_ALIMENTAIRE_VERSEE: "pensions_alimentaires_versees_individu",
    # Monthly profit of a micro-entrepreneur: counted as activity income by RSA and prime d'activité.
    ResourceKind.INDEPENDANT: "rpns_auto_entrepreneur_benefice",
    ResourceKind.INDEMNITES_JOURNALIERES: "indemnites_journalieres_maladie",
    ResourceKind.PENSION_INVALIDITE: "pensions_invalidite",
    ResourceKind.BOURSE: "bourse_enseignement_sup",
    # Other regular resources: counted by RSA as non-professional resources.
    ResourceKind.AUTRE: "gains_exceptionnels",
}
# Taxable variables whose year total a declared taxable income replaces.
TAXABLE_VARIABLES = ("salaire_imposable", "chomage_imposable", "retraite_imposable")
# Every resource variable a situation gives on every month of its inputs.
GROSS_VARIABLES = tuple(gross for _received, _taxable, gross in CONVERTED_KINDS.values())
RESOURCE_VARIABLES = (
    tuple(received for received, _taxable, _gross in CONVERTED_KINDS.values())
    + TAXABLE_VARIABLES
    + GROSS_VARIABLES
    + tuple(DIRECT_KINDS.values())
    + ("livret_a",)
)

ACTIVITE = {
    Activity.SALARIE: "actif",
    Activity.INDEPENDANT: "actif",
    Activity.DEMANDEUR_EMPLOI_INDEMNISE: "chomeur",
    Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE: "chomeur",
    Activity.ETUDIANT: "etudiant",
    Activity.RETRAITE: "retraite",
    Activity.INACTIF: "inactif",
}
SCOLARITE = {
    Schooling.AUCUNE: "inconnue",
    Schooling.CRECHE: "inconnue",
    Schooling.MATERNELLE: "maternelle",
    Schooling.PRIMAIRE: "primaire",
    Schooling.COLLEGE: "college",
    Schooling.LYCEE: "lycee",
    Schooling.SUPERIEUR: "enseignement_superieur",
}
STATUT_OCCUPATION = {
    HousingStatus.LOCATAIRE_VIDE: "locataire_vide",
    HousingStatus.LOCATAIRE_MEUBLE: "locataire_meuble",
    HousingStatus.LOCATAIRE_FOYER: "locataire_foyer",
    HousingStatus.PROPRIETAIRE: "proprietaire",
    HousingStatus.ACCEDANT: "primo_accedant",
    HousingStatus.HEBERGE: "loge_gratuitement",
    HousingStatus.SANS_DOMICILE: "sans_domicile",
}
STATUT_MARITAL = {
    CoupleStatus.MARIE: "marie",
    CoupleStatus.PACSE: "pacse",
    CoupleStatus.CONCUBIN: "celibataire",
    CoupleStatus.SEUL: "celibataire",
}

# Childcare mode -> the famille's CMG input (OpenFisca-France ``paje_cmg`` reads ``ass_mat``,
# ``gar_dom`` and ``empl_dir``; a crèche gives none).
CHILDCARE_INPUT = {
    ChildcareMode.ASSISTANTE_MATERNELLE: "ass_mat",
    ChildcareMode.GARDE_DOMICILE: "gar_dom",
}
MENTION = {
    BacMention.AUCUNE: "non_renseignee",
    BacMention.ASSEZ_BIEN: "mention_assez_bien",
    BacMention.BIEN: "mention_bien",
    BacMention.TRES_BIEN: "mention_tres_bien",
}
CONTRACT = {OfferKind.CDI: "cdi", OfferKind.CDD: "cdd", OfferKind.INTERIM: "ctt", OfferKind.FORMATION: "formation"}
JOB_SEEKERS = (Activity.DEMANDEUR_EMPLOI_INDEMNISE, Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE)
# Where the job or training is (``lieu_emploi_ou_formation``), from the household's commune:
# France Travail's aids only ask that it is in France; overseas departments by INSEE prefix.
OVERSEAS_PLACE = {"971": "guadeloupe", "972": "martinique", "973": "guyane", "974": "la_reunion", "976": "mayotte"}

# Assumption codes (translated in resources/i18n/fr/core.yaml, "assumption.*").
ASSUMED_N2_INCOME = "n2_income_derived"
ASSUMED_N1_INCOME = "n1_income_derived"
ASSUMED_OLDER_MONTHS = "older_months_extended"
ASSUMED_SAVINGS = "savings_unknown"
ASSUMED_SEPARATION = "separation_majoration_conditions"
ASSUMED_JOB_SEEKER_CATEGORY = "job_seeker_category_1"
ASSUMED_TRAINING_APPROVED = "training_approved_and_funded"
ASSUMED_DWELLING_BEFORE = "dwelling_before_unknown"

# A separation or widowhood opens the RSA's majoration for a parent left alone (« isolement
# récent ») for 12 months within the 18 months after it (CASF L262-9); OpenFisca-France's
# ``rsa_isolement_recent`` reads « isolement depuis moins de 18 mois ».
ISOLATION_MONTHS = 18
# The pregnancy's months before its expected date of birth.
PREGNANCY_MONTHS = 9


class TaxableConverter(Protocol):
    def taxable(self, kind: ResourceKind, net: float) -> float:
        """Taxable monthly amount for a net monthly amount of a converted kind."""
        ...

    def gross(self, kind: ResourceKind, net: float) -> float:
        """Gross monthly amount for a net monthly amount of a converted kind."""
        ...


@dataclass(frozen=True)
class FixedRatioConverter:
    """Taxable = net x ratio, gross = net x gross ratio. For tests and for use without
    the engine's grid."""

    salary: float = 1.0
    unemployment: float = 1.0
    pension: float = 1.0
    gross_ratio: float = 1.0

    def taxable(self, kind: ResourceKind, net: float) -> float:
        ratio = {
            ResourceKind.SALAIRE_NET: self.salary,
            ResourceKind.CHOMAGE: self.unemployment,
            ResourceKind.RETRAITE: self.pension,
        }[kind]
        return net * ratio

    def gross(self, kind: ResourceKind, net: float) -> float:
        return net * self.gross_ratio


@dataclass(frozen=True)
class Situation:
    """An OpenFisca situation and what the mapping had to assume."""

    data: dict[str, Any]
    month: str
    famille_id: str  # the household's main famille (the demandeur's)
    menage_id: str
    person_ids: tuple[str, ...]
    assumptions: tuple[str, ...]


@functools.lru_cache(maxsize=64)
def input_months(month: str) -> tuple[str, ...]:
    """Every month the situation fills: January of N-2 .. M (asked for every person and
    resource of every household: computed once per month)."""
    year, _ = parse_month(month)
    return tuple(months_range(f"{year - 2:04d}-01", month))


def monthly_series(amounts: tuple[float, ...], stable: bool, month: str) -> dict[str, float]:
    """Amount per month from January N-2 to M, from the 12 declared months M-12 .. M-1."""
    declared = {add_months(month, -MONTHS_DECLARED + i): float(v) for i, v in enumerate(amounts)}
    older = declared[add_months(month, -MONTHS_DECLARED)] if stable else sum(amounts) / len(amounts)
    series: dict[str, float] = {}
    for m in input_months(month):
        if m in declared:
            series[m] = declared[m]
        elif m == month:
            series[m] = declared[add_months(month, -1)]
        else:
            series[m] = older
    return series


def _month_of(day: Any) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _pregnancy_months(person: Person, months: tuple[str, ...]) -> dict[str, bool]:
    """``enceinte`` per month: on the 9 months before the expected date of birth when it is
    known (the month of birth excluded), else on every month when a pregnancy is declared."""
    if person.pregnancy_due_date is None or not person.pregnant:
        return {m: person.pregnant for m in months}
    due = _month_of(person.pregnancy_due_date)
    start = add_months(due, -PREGNANCY_MONTHS)
    return {m: start <= m < due for m in months}


def isolation_months(household: Household, months: tuple[str, ...]) -> dict[str, bool]:
    """``rsa_isolement_recent`` per month: from the month of the separation or widowhood
    for 18 months (a household alone only; none declared: never)."""
    day = household.separation_date
    if day is None or household.in_couple:
        return {m: False for m in months}
    start = _month_of(day)
    end = add_months(start, ISOLATION_MONTHS)
    return {m: start <= m < end for m in months}


@functools.lru_cache(maxsize=64)
def _declared_window(month: str) -> frozenset[str]:
    return frozenset(months_range(add_months(month, -MONTHS_DECLARED - 1), month))


def _converted(
    series: dict[str, float], kind: ResourceKind, convert: Callable[[ResourceKind, float], float]
) -> dict[str, float]:
    """``convert`` of each month's amount, rounded to the cent; once per distinct amount
    (a stable resource is the same amount on all 27 months)."""
    done: dict[float, float] = {}
    out = {}
    for m, value in series.items():
        converted = done.get(value)
        if converted is None:
            converted = done[value] = round(convert(kind, value), 2)
        out[m] = converted
    return out


def _activite(person: Person) -> str:
    """OpenFisca's ``activite``: a pupil or student the agent left « inactif » (the
    default of a child) is « etudiant » for OpenFisca, which otherwise reads a
    17-year-old at the lycée as a young person out of school (contrat d'engagement
    jeune: 224,68 € shown for a lycée pupil)."""
    if person.activity == Activity.INACTIF and person.schooling in (
            Schooling.COLLEGE, Schooling.LYCEE, Schooling.SUPERIEUR):
        return ACTIVITE[Activity.ETUDIANT]
    return ACTIVITE[person.activity]


# A job event's amounts before its month, by the kind they replace.
JOB_BEFORE = {ResourceKind.SALAIRE_NET: "salary_before", ResourceKind.CHOMAGE: "unemployment_before"}
JOB_SEEKER = frozenset({Activity.DEMANDEUR_EMPLOI_INDEMNISE, Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE})


def _first_day_of(month: str) -> str:
    return f"{month}-01"


def _person_variables(
    person: Person, month: str, converter: TaxableConverter, assumptions: set[str],
    job: LifeEvent | None = None,
) -> dict[str, Any]:
    months = input_months(month)
    year = parse_month(month)[0]
    values: dict[str, Any] = {"date_naissance": {"ETERNITY": person.birth_date.isoformat()}}

    def every_month(value: Any) -> dict[str, Any]:
        return {m: value for m in months}

    values["activite"] = every_month(_activite(person))
    if job is not None:  # the activity before the job ended or started
        activity_before = ACTIVITE[job.activity_before_or_default()]
        values["activite"] = {m: activity_before if m < job.month else v for m, v in values["activite"].items()}
        if job.kind == EventKind.JOB_END and person.activity in JOB_SEEKER:
            # Housing aid: earned income abated (indemnified) or neutralised (not indemnified)
            # once unemployed for 2 months (CCH R822-13 to R822-17).
            values["date_debut_chomage"] = {"ETERNITY": _first_day_of(job.month)}
        if job.kind == EventKind.JOB_START:  # Action Logement's aids for a new job
            values["contrat_de_travail_debut"] = {m: _first_day_of(job.month) for m in months if m >= job.month}
    values["scolarite"] = every_month(SCOLARITE[person.schooling])
    values["enceinte"] = _pregnancy_months(person, months)
    values["handicap"] = every_month(person.has_disability)
    values["taux_incapacite"] = every_month(round((person.disability_rate or 0.0) / 100, 4))
    values["ass_precondition_remplie"] = every_month(person.ass_work_history)
    if person.apprentice:
        values["alternant"] = every_month(True)
    if person.adoption_date is not None:  # the prime à l'adoption (paje_adoption)
        values["adoption"] = every_month(True)
        values["date_adoption"] = {"ETERNITY": person.adoption_date.isoformat()}
    if person.studies is not None:
        _study_variables(person, values, every_month)

    # What the agent declares is exhaustive: a resource not declared is zero. Every resource
    # variable is therefore given on every month, which also spares OpenFisca the formulas
    # that would rebuild net income from gross (and makes every household carry the same
    # inputs, which the vectorised build relies on).
    zeros = {m: 0.0 for m in months}
    for received, _taxable, gross in CONVERTED_KINDS.values():
        values[received] = dict(zeros)
        values[gross] = dict(zeros)
    for variable in DIRECT_KINDS.values():
        values[variable] = dict(zeros)
    any_income = False
    taxable_by_month: dict[str, dict[str, float]] = {v: dict(zeros) for v in TAXABLE_VARIABLES}
    for resource in person.resources:
        series = monthly_series(resource.months(), resource.is_stable, month)
        if any(series.values()):
            any_income = True
            if not resource.is_stable:
                assumptions.add(ASSUMED_OLDER_MONTHS)
        if resource.kind in CONVERTED_KINDS:
            received, taxable, gross = CONVERTED_KINDS[resource.kind]
            values[received] = series
            values[gross] = _converted(series, resource.kind, converter.gross)
            taxable_by_month[taxable] = _converted(series, resource.kind, converter.taxable)
        else:
            values[DIRECT_KINDS[resource.kind]] = series
    if job is not None:  # the salary and unemployment benefit before the job ended or started
        for kind, name in JOB_BEFORE.items():
            amount = float(getattr(job, name))
            net_name, taxable_name, gross_name = CONVERTED_KINDS[kind]
            earlier = [m for m in months if m < job.month]
            values[net_name] = {**values[net_name], **{m: amount for m in earlier}}
            values[gross_name] = {**values[gross_name], **{m: round(converter.gross(kind, amount), 2) for m in earlier}}
            taxable_by_month[taxable_name] = {**taxable_by_month[taxable_name],
                                              **{m: round(converter.taxable(kind, amount), 2) for m in earlier}}
            any_income = any_income or (amount > 0 and bool(earlier))

    # A declared taxable income replaces what the monthly figures imply, on the months of
    # that year outside the declared history (which stays as declared).
    window = _declared_window(month)
    for declared_income, fiscal_year, assumption in (
        (person.taxable_income_n2, year - 2, ASSUMED_N2_INCOME),
        (person.taxable_income_last_year, year - 1, ASSUMED_N1_INCOME),
    ):
        year_months = [m for m in months if m.startswith(f"{fiscal_year:04d}-")]
        if declared_income is None:
            if any_income:
                assumptions.add(assumption)
            continue
        inside = [m for m in year_months if m in window]
        outside = [m for m in year_months if m not in window]
        if not outside:
            continue
        already = sum(taxable_by_month[v][m] for v in TAXABLE_VARIABLES for m in inside)
        per_month = max(0.0, declared_income - already) / len(outside)
        shares = _taxable_shares(person, taxable_by_month)
        for m in outside:
            for variable in TAXABLE_VARIABLES:
                taxable_by_month[variable][m] = round(per_month * shares[variable], 2)
    values.update(taxable_by_month)
    values["livret_a"] = dict(zeros)
    return values


def _study_variables(person: Person, values: dict[str, Any], every_month: Callable[[Any], dict[str, Any]]) -> None:
    """The higher-education inputs of the Crous grant (``bourse_criteres_sociaux``) and the
    aide au mérite: year, establishment, distance to the family home, the parents' income."""
    studies = person.studies
    assert studies is not None
    values["annee_etude"] = every_month(studies.study_year.value)
    values["statuts_etablissement_scolaire"] = every_month(studies.establishment.value)
    values["bourse_criteres_sociaux_distance_domicile_familial"] = every_month(int(studies.family_distance_km))
    values["bourse_criteres_sociaux_base_ressources_parentale"] = every_month(float(studies.parents_income_n2 or 0.0))
    values["mention_baccalaureat"] = {"ETERNITY": MENTION[studies.bac_mention]}


def _job_offer_variables(
    person: Person, values: dict[str, Any], month: str, commune: str, assumptions: set[str]
) -> None:
    """France Travail's inputs for a job seeker's job or training to come (AGEPI, aide à la
    mobilité), on the month M only: both aids are asked for when the job or training starts
    (the request dated the first day of M), and read no other month."""
    offer = person.job_offer
    assert offer is not None
    assumptions.add(ASSUMED_JOB_SEEKER_CATEGORY)
    request = f"{month}-01"
    training = offer.contract == OfferKind.FORMATION
    at_m: dict[str, Any] = {
        "pole_emploi_categorie_demandeur_emploi": "categorie_1",
        "contexte_activite_pole_emploi": "formation" if training else "reprise_emploi",
        "contrat_de_travail_type": CONTRACT[offer.contract],
        "contrat_de_travail_debut": offer.start_date.isoformat(),
        "contrat_de_travail_duree": float(offer.duration_months or 0),
        "duree_formation": float(offer.training_hours or 0),
        "lieu_emploi_ou_formation": OVERSEAS_PLACE.get(commune[:3], "corse" if commune[:2] in ("2A", "2B") else "metropole_hors_corse"),
        "agepi_date_demande": request,
        "aide_mobilite_date_demande": request,
        "type_intensite_activite": "hebdomadaire" if offer.weekly_hours else "inconnue",
        "agepi_temps_travail_en_heure": float(offer.weekly_hours or 0),
        "distance_activite_domicile": float(offer.distance_km or 0),
        "aide_mobilite_duree_trajet": float(offer.trip_minutes or 0),
        "nombre_allers_retours": float(offer.round_trips or 0),
    }
    if training:
        assumptions.add(ASSUMED_TRAINING_APPROVED)
        at_m["formation_validee_pole_emploi"] = True
        at_m["formation_financee_ou_cofinancee"] = True
    # The daily unemployment benefit both aids compare with the minimum ARE: the gross ARE
    # of M-1 over its days (0 for a job seeker without benefit).
    gross = values.get("chomage_brut", {}).get(add_months(month, -1), 0.0)
    days = _days_in_month(add_months(month, -1))
    at_m["allocation_retour_emploi_journaliere"] = round(float(gross) / days, 2)
    for variable, value in at_m.items():
        values[variable] = {month: value}


def _unemployment_rights_variables(person: Person, values: dict[str, Any], month: str) -> None:
    """The complément ARE's inputs on the month M (the only month it is computed for): the
    ARE's gross daily amount and reference daily wage of France Travail's notification, and
    the days of ARE left at the start of M (OpenFisca would otherwise derive them from the
    month before, back without end)."""
    rights = person.unemployment_rights
    assert rights is not None
    values["allocation_retour_emploi_journaliere"] = {month: float(rights.daily_allowance)}
    values["are_salaire_journalier_reference"] = {month: float(rights.reference_daily_wage)}
    values["complement_are_nombre_jours_restants"] = {month: float(rights.days_left)}


def _days_in_month(month: str) -> int:
    year, number = parse_month(month)
    following = dt.date(year + (number == 12), number % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def _housing_variables(household: Household, months: tuple[str, ...], assumptions: set[str]) -> dict[str, Any]:
    """The dwelling's variables per month: the declared dwelling, or, before the month of a
    move, the dwelling before it (when given; else the declared one, and the result says so)."""
    move = household.event(EventKind.MOVE)
    current = household.housing

    def housing_on(m: str) -> Housing:
        if move is not None and m < move.month and move.housing_before is not None:
            return move.housing_before
        return current

    by_month = {m: housing_on(m) for m in months}
    values: dict[str, Any] = {
        "statut_occupation_logement": {m: STATUT_OCCUPATION[h.status] for m, h in by_month.items()},
        "loyer": {m: float(h.rent) for m, h in by_month.items()},
        "charges_locatives": {m: float(h.charges) for m, h in by_month.items()},
        "logement_conventionne": {m: bool(h.conventionne) for m, h in by_month.items()},
    }
    if current.commune_insee:
        values["depcom"] = {m: h.commune_insee or current.commune_insee for m, h in by_month.items()}
    if move is not None:
        # Action Logement's aids (Loca-Pass, Mon job mon logement) read the date of entry.
        values["date_entree_logement"] = {m: _first_day_of(move.month) for m in months if m >= move.month}
        if move.housing_before is None and any(m < move.month for m in months):
            assumptions.add(ASSUMED_DWELLING_BEFORE)
    return values


# Without any taxable resource declared, the kind a declared taxable income most likely is.
KIND_OF_ACTIVITY = {
    Activity.RETRAITE: "retraite_imposable",
    Activity.DEMANDEUR_EMPLOI_INDEMNISE: "chomage_imposable",
}


def _taxable_shares(person: Person, taxable_by_month: dict[str, dict[str, float]]) -> dict[str, float]:
    """How a declared year's taxable income splits between salary, unemployment benefit and
    pension (each has its own rules: the pension's deduction has its own floor and ceiling):
    as the person's declared monthly resources of those kinds split; with none, by their
    activity (a pensioner's is a pension, an indemnified job seeker's an unemployment
    benefit), else salary."""
    totals = {variable: sum(taxable_by_month[variable].values()) for variable in TAXABLE_VARIABLES}
    whole = sum(totals.values())
    if whole > 0:
        return {variable: total / whole for variable, total in totals.items()}
    kind = KIND_OF_ACTIVITY.get(person.activity, "salaire_imposable")
    return {variable: 1.0 if variable == kind else 0.0 for variable in TAXABLE_VARIABLES}


def build_situation(household: Household, month: str, converter: TaxableConverter) -> Situation:
    """The OpenFisca situation of a (validated) household for month M."""
    months = input_months(month)
    assumptions: set[str] = set()
    persons = household.persons
    ids = tuple(p.id for p in persons)
    individus = {p.id: _person_variables(p, month, converter, assumptions, household.job_event(p.id)) for p in persons}
    for p in persons:
        if p.job_offer is not None and p.activity in JOB_SEEKERS:
            _job_offer_variables(p, individus[p.id], month, household.housing.commune_insee, assumptions)
        if p.unemployment_rights is not None and p.activity == Activity.SALARIE:
            _unemployment_rights_variables(p, individus[p.id], month)

    demandeur = household.demandeur
    assert demandeur is not None, "validate() first: a household has a demandeur"
    conjoint = household.conjoint
    children = [p.id for p in persons if p.role == Role.ENFANT]
    others = [p.id for p in persons if p.role == Role.AUTRE]
    in_couple = household.in_couple and conjoint is not None

    couple_start = household.event(EventKind.COUPLE_START)
    for p in persons:
        status = household.couple if p.role in (Role.DEMANDEUR, Role.CONJOINT) and in_couple else CoupleStatus.SEUL
        marital = {m: STATUT_MARITAL[status] for m in months}
        if couple_start is not None and in_couple:  # married or pacsé from the month the couple formed
            marital.update({m: STATUT_MARITAL[CoupleStatus.SEUL] for m in months if m < couple_start.month})
        individus[p.id]["statut_marital"] = marital

    parents = [demandeur.id] + ([conjoint.id] if in_couple and conjoint else [])
    isolation = isolation_months(household, months)
    familles: dict[str, Any] = {"famille_1": {"parents": parents, "enfants": children, "rsa_isolement_recent": isolation}}
    for i, other in enumerate(others, start=2):
        familles[f"famille_{i}"] = {"parents": [other], "enfants": [], "rsa_isolement_recent": {m: False for m in months}}
    famille = familles["famille_1"]
    if household.childcare in CHILDCARE_INPUT:
        # ``paje_cmg`` reads the mode of the month M only
        famille[CHILDCARE_INPUT[household.childcare]] = {month: True}
    if household.asylum_seeker:
        famille["asile_demandeur"] = {m: True for m in months}
        famille["place_hebergement"] = {m: household.asylum_housed for m in months}
    if any(p.studies is not None for p in persons):
        # The Crous grant's family points: the famille's children, and those in higher education.
        kids = household.children
        famille["bourse_criteres_sociaux_nombre_enfants_a_charge"] = {m: len(kids) for m in months}
        famille["bourse_criteres_sociaux_nombre_enfants_a_charge_dans_enseignement_superieur"] = {
            m: sum(1 for p in kids if p.schooling == Schooling.SUPERIEUR or p.studies is not None) for m in months}
    if isolation[month]:  # the majoration's conditions OpenFisca cannot check
        assumptions.add(ASSUMED_SEPARATION)

    shared_tax_return = in_couple and household.couple in (CoupleStatus.MARIE, CoupleStatus.PACSE)
    declarants = parents if shared_tax_return else [demandeur.id]
    foyers: dict[str, Any] = {"foyer_fiscal_1": {"declarants": declarants, "personnes_a_charge": children}}
    extra_declarants = ([conjoint.id] if conjoint and not shared_tax_return else []) + others
    for i, pid in enumerate(extra_declarants, start=2):
        foyers[f"foyer_fiscal_{i}"] = {"declarants": [pid], "personnes_a_charge": []}

    menage: dict[str, Any] = {
        "personne_de_reference": [demandeur.id],
        "conjoint": [conjoint.id] if conjoint else [],
        "enfants": children,
        "autres": others,
        **_housing_variables(household, months, assumptions),
    }

    if household.savings is None:
        assumptions.add(ASSUMED_SAVINGS)
    else:
        individus[demandeur.id]["livret_a"] = {m: float(household.savings) for m in months}

    data = {
        "individus": individus,
        "familles": familles,
        "foyers_fiscaux": foyers,
        "menages": {"menage_1": menage},
    }
    return Situation(
        data=data,
        month=month,
        famille_id="famille_1",
        menage_id="menage_1",
        person_ids=ids,
        assumptions=tuple(sorted(assumptions)),
    )


def row_positions(ids: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Entity key -> simulation id -> row, built once per simulation read."""
    return {key: {eid: row for row, eid in enumerate(values)} for key, values in ids.items()}
