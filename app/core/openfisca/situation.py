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

import functools
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from app.core.model.household import (
    Activity,
    CoupleStatus,
    Household,
    HousingStatus,
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

# Assumption codes (translated in resources/i18n/fr/core.yaml, "assumption.*").
ASSUMED_N2_INCOME = "n2_income_derived"
ASSUMED_N1_INCOME = "n1_income_derived"
ASSUMED_OLDER_MONTHS = "older_months_extended"
ASSUMED_SAVINGS = "savings_unknown"
ASSUMED_SEPARATION = "separation_majoration_conditions"

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


def _person_variables(
    person: Person, month: str, converter: TaxableConverter, assumptions: set[str]
) -> dict[str, Any]:
    months = input_months(month)
    year = parse_month(month)[0]
    values: dict[str, Any] = {"date_naissance": {"ETERNITY": person.birth_date.isoformat()}}

    def every_month(value: Any) -> dict[str, Any]:
        return {m: value for m in months}

    values["activite"] = every_month(_activite(person))
    values["scolarite"] = every_month(SCOLARITE[person.schooling])
    values["enceinte"] = _pregnancy_months(person, months)
    values["handicap"] = every_month(person.has_disability)
    values["taux_incapacite"] = every_month(round((person.disability_rate or 0.0) / 100, 4))
    values["ass_precondition_remplie"] = every_month(person.ass_work_history)

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
    individus = {p.id: _person_variables(p, month, converter, assumptions) for p in persons}

    demandeur = household.demandeur
    assert demandeur is not None, "validate() first: a household has a demandeur"
    conjoint = household.conjoint
    children = [p.id for p in persons if p.role == Role.ENFANT]
    others = [p.id for p in persons if p.role == Role.AUTRE]
    in_couple = household.in_couple and conjoint is not None

    for p in persons:
        status = household.couple if p.role in (Role.DEMANDEUR, Role.CONJOINT) and in_couple else CoupleStatus.SEUL
        individus[p.id]["statut_marital"] = {m: STATUT_MARITAL[status] for m in months}

    parents = [demandeur.id] + ([conjoint.id] if in_couple and conjoint else [])
    isolation = isolation_months(household, months)
    familles: dict[str, Any] = {"famille_1": {"parents": parents, "enfants": children, "rsa_isolement_recent": isolation}}
    for i, other in enumerate(others, start=2):
        familles[f"famille_{i}"] = {"parents": [other], "enfants": [], "rsa_isolement_recent": {m: False for m in months}}
    if isolation[month]:  # the majoration's conditions OpenFisca cannot check
        assumptions.add(ASSUMED_SEPARATION)

    shared_tax_return = in_couple and household.couple in (CoupleStatus.MARIE, CoupleStatus.PACSE)
    declarants = parents if shared_tax_return else [demandeur.id]
    foyers: dict[str, Any] = {"foyer_fiscal_1": {"declarants": declarants, "personnes_a_charge": children}}
    extra_declarants = ([conjoint.id] if conjoint and not shared_tax_return else []) + others
    for i, pid in enumerate(extra_declarants, start=2):
        foyers[f"foyer_fiscal_{i}"] = {"declarants": [pid], "personnes_a_charge": []}

    housing = household.housing
    menage: dict[str, Any] = {
        "personne_de_reference": [demandeur.id],
        "conjoint": [conjoint.id] if conjoint else [],
        "enfants": children,
        "autres": others,
        "statut_occupation_logement": {m: STATUT_OCCUPATION[housing.status] for m in months},
        "loyer": {m: float(housing.rent) for m in months},
        "charges_locatives": {m: float(housing.charges) for m in months},
        "logement_conventionne": {m: bool(housing.conventionne) for m in months},
    }
    if housing.commune_insee:
        menage["depcom"] = {m: housing.commune_insee for m in months}

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
