"""Households and an independent parameter reader for the explanation and scenario tests.

``parameter_from_file`` reads a value straight from openfisca-france's YAML parameter
files (not through the tax-benefit system the engine loads and caches), so that a
threshold an explanation shows is checked against the legislation files themselves.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from app.core.model.household import (
    Activity,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)

MONTH = "2026-11"
D = dt.date


def parameter_from_file(path: str, on: str | dt.date) -> float:
    """The value in force on ``on`` of a dotted parameter path, from the YAML file."""
    import openfisca_france

    file = Path(openfisca_france.__file__).parent / "parameters" / (path.replace(".", "/") + ".yaml")
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    day = on if isinstance(on, str) else on.isoformat()
    dates = sorted(str(d) for d in data["values"] if str(d) <= day)
    entry = {str(k): v for k, v in data["values"].items()}[dates[-1]]
    return entry["value"] if isinstance(entry, dict) else entry


def person(pid: str, role: Role, born: dt.date, activity: Activity = Activity.INACTIF, *, salary: float | None = None,
           pension: float | None = None, **kw: object) -> Person:
    resources = []
    if salary:
        resources.append(Resource(ResourceKind.SALAIRE_NET, stable=salary))
    if pension:
        resources.append(Resource(ResourceKind.RETRAITE, stable=pension))
    return Person(pid, role, born, activity=activity, resources=tuple(resources), **kw)  # type: ignore[arg-type]


def tenant(rent: float, commune: str = "69123") -> Housing:
    return Housing(HousingStatus.LOCATAIRE_VIDE, rent=rent, commune_insee=commune)


def young_hosted() -> Household:
    """24, no income, hosted free of charge: RSA refused for age."""
    return Household((person("p1", Role.DEMANDEUR, D(2002, 6, 1)),),
                     housing=Housing(HousingStatus.HEBERGE, commune_insee="69123"), savings=0.0)


def single_no_income() -> Household:
    """30, no income, tenant in Lyon: RSA due."""
    return Household((person("p1", Role.DEMANDEUR, D(1996, 3, 1)),), housing=tenant(450.0), savings=0.0)


def single_earning(salary: float) -> Household:
    return Household((person("p1", Role.DEMANDEUR, D(1990, 3, 1), Activity.SALARIE, salary=salary),),
                     housing=tenant(600.0), savings=0.0)


def parent_one_child() -> Household:
    """Single parent, 1,100 € net, one child of 10 at primary school."""
    return Household((person("p1", Role.DEMANDEUR, D(1988, 3, 1), Activity.SALARIE, salary=1100.0),
                      person("p2", Role.ENFANT, D(2016, 5, 1), schooling=Schooling.PRIMAIRE)),
                     housing=tenant(600.0), savings=0.0)


def couple_two_children() -> Household:
    return Household((person("p1", Role.DEMANDEUR, D(1985, 3, 1), Activity.SALARIE, salary=1800.0),
                      person("p2", Role.CONJOINT, D(1987, 3, 1), Activity.SALARIE, salary=900.0),
                      person("p3", Role.ENFANT, D(2013, 5, 1), schooling=Schooling.COLLEGE),
                      person("p4", Role.ENFANT, D(2018, 5, 1), schooling=Schooling.PRIMAIRE)),
                     couple=CoupleStatus.MARIE, housing=tenant(800.0), savings=0.0)


def retired(born: dt.date) -> Household:
    return Household((person("p1", Role.DEMANDEUR, born, Activity.RETRAITE, pension=700.0),),
                     housing=tenant(400.0), savings=0.0)


def couple_with_child(born: dt.date, salary1: float = 1600.0, salary2: float | None = None) -> Household:
    return Household((person("p1", Role.DEMANDEUR, D(1992, 3, 1), Activity.SALARIE, salary=salary1),
                      person("p2", Role.CONJOINT, D(1993, 3, 1), Activity.SALARIE if salary2 else Activity.INACTIF,
                             salary=salary2),
                      person("p3", Role.ENFANT, born)),
                     couple=CoupleStatus.CONCUBIN, housing=tenant(700.0), savings=0.0)


def parent_college(salary: float) -> Household:
    return Household((person("p1", Role.DEMANDEUR, D(1982, 3, 1), Activity.SALARIE, salary=salary),
                      person("p2", Role.ENFANT, D(2013, 2, 1), schooling=Schooling.COLLEGE)),
                     housing=tenant(500.0), savings=0.0)


def high_rent_paris() -> Household:
    """Low income, rent far above the housing-aid ceiling: the aid is cut to nothing by the
    degressivity for high rents, which the explanation does not model."""
    return Household((person("p1", Role.DEMANDEUR, D(1990, 3, 1), Activity.SALARIE, salary=700.0),),
                     housing=tenant(2600.0, "75056"), savings=0.0)


ALL = {
    "young_hosted": young_hosted,
    "single_no_income": single_no_income,
    "single_1420": lambda: single_earning(1420.0),
    "parent_one_child": parent_one_child,
    "couple_two_children": couple_two_children,
    "retired_66": lambda: retired(D(1960, 3, 1)),
    "retired_63": lambda: retired(D(1963, 3, 1)),
    "baby_couple": lambda: couple_with_child(D(2025, 9, 1)),
    "child4_couple": lambda: couple_with_child(D(2022, 3, 1)),
    "baby_two_earners_high": lambda: couple_with_child(D(2025, 9, 1), 5000.0, 4000.0),
    "college_low": lambda: parent_college(1000.0),
    "college_mid": lambda: parent_college(2500.0),
    "high_rent_paris": high_rent_paris,
}
