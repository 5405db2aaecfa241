"""Example households and service point for the handout's tests, bench and renders.

Invented people (no real person's data). ``eight_persons`` is the large case of the
issue: two adults and six children, one with a disability, about ten benefits to
request; ``single_person`` the small one.
"""

from __future__ import annotations

import datetime as dt

from app.core.handout.citizen import ServicePoint
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
CREATED = dt.date(2026, 11, 3)

SERVICE_POINT = ServicePoint(
    name="France Services Marseille Nord",
    address="12 boulevard de la Libération, 13015 Marseille",
    phone="04 91 00 00 00",
    opening_hours="Du lundi au vendredi, de 9 h à 12 h 30 et de 13 h 30 à 17 h",
)


def single_person() -> Household:
    """A young job seeker without unemployment benefit, alone in a furnished flat in Lille."""
    return Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1996, 4, 12), first_name="Karim",
                   activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE),
        ),
        housing=Housing(HousingStatus.LOCATAIRE_MEUBLE, rent=520.0, charges=30.0,
                        commune_insee="59350", postal_code="59000"),
        savings=150.0,
    )


def eight_persons() -> Household:
    """A married couple (one salary, one unemployment benefit going down) and six
    children from a baby to a lycée pupil, one with an 80 % disability rate, tenants
    of a conventionné flat in Marseille; already receiving the family allowances."""
    return Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1984, 5, 2), first_name="Samira", activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=1250.0),)),
            Person("p2", Role.CONJOINT, dt.date(1981, 10, 9), first_name="Mehdi",
                   activity=Activity.DEMANDEUR_EMPLOI_INDEMNISE,
                   resources=(Resource(ResourceKind.CHOMAGE, monthly=(900.0,) * 6 + (750.0,) * 6),)),
            Person("p3", Role.ENFANT, dt.date(2009, 9, 3), first_name="Inès", schooling=Schooling.LYCEE),
            Person("p4", Role.ENFANT, dt.date(2011, 2, 17), first_name="Yanis", schooling=Schooling.COLLEGE),
            Person("p5", Role.ENFANT, dt.date(2013, 6, 8), first_name="Sofia", schooling=Schooling.COLLEGE,
                   disability_rate=80.0),
            Person("p6", Role.ENFANT, dt.date(2016, 11, 30), first_name="Adam", schooling=Schooling.PRIMAIRE),
            Person("p7", Role.ENFANT, dt.date(2019, 1, 21), first_name="Lina", schooling=Schooling.MATERNELLE),
            Person("p8", Role.ENFANT, dt.date(2025, 12, 2), first_name="Nour", schooling=Schooling.CRECHE),
        ),
        couple=CoupleStatus.MARIE,
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=890.0, charges=120.0, conventionne=True,
                        commune_insee="13055", postal_code="13015"),
        savings=800.0,
        benefits_received=("allocations_familiales",),
        reference="DOSSIER-2026-0042",
    )


def single_parent() -> Household:
    """A mother working part time with two children, tenant in Paris."""
    return Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1992, 7, 1), first_name="Julie", activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=1100.0),)),
            Person("p2", Role.ENFANT, dt.date(2014, 3, 3), first_name="Léo", schooling=Schooling.COLLEGE),
            Person("p3", Role.ENFANT, dt.date(2018, 8, 8), first_name="Emma", schooling=Schooling.PRIMAIRE),
        ),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=700.0, charges=80.0,
                        commune_insee="75056", postal_code="75019"),
        savings=0.0,
    )


def retired() -> Household:
    """A retired woman living alone on a small pension, tenant in Lyon."""
    return Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1955, 3, 14), first_name="Odette", activity=Activity.RETRAITE,
                   resources=(Resource(ResourceKind.RETRAITE, stable=780.0),)),
        ),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=430.0, charges=60.0,
                        commune_insee="69123", postal_code="69003"),
        savings=2000.0,
    )
