"""A household as a front-desk agent describes it, in the agent's words.

Frozen dataclasses that cross every layer (GUI, CLI, batch, store, handout).
They hold what was declared, nothing derived: the mapping to OpenFisca lives in
``situation.py``; the checks in ``validation.py``; the JSON case format in
``casefile.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

MONTHS_OF_HISTORY = 12  # monthly resources are declared for the 12 months before the simulated month


class Role(StrEnum):
    DEMANDEUR = "demandeur"
    CONJOINT = "conjoint"
    ENFANT = "enfant"
    AUTRE = "autre_personne_a_charge"


class Activity(StrEnum):
    SALARIE = "salarie"
    INDEPENDANT = "independant"
    DEMANDEUR_EMPLOI_INDEMNISE = "demandeur_emploi_indemnise"
    DEMANDEUR_EMPLOI_NON_INDEMNISE = "demandeur_emploi_non_indemnise"
    ETUDIANT = "etudiant"
    RETRAITE = "retraite"
    INACTIF = "inactif"


class Schooling(StrEnum):
    AUCUNE = "aucune"
    CRECHE = "creche"
    MATERNELLE = "maternelle"
    PRIMAIRE = "primaire"
    COLLEGE = "college"
    LYCEE = "lycee"
    SUPERIEUR = "superieur"


class CoupleStatus(StrEnum):
    SEUL = "seul"
    MARIE = "marie"
    PACSE = "pacse"
    CONCUBIN = "concubin"


class ResourceKind(StrEnum):
    SALAIRE_NET = "salaire_net"
    CHOMAGE = "chomage"
    RETRAITE = "retraite"
    PENSION_ALIMENTAIRE_RECUE = "pension_alimentaire_recue"
    PENSION_ALIMENTAIRE_VERSEE = "pension_alimentaire_versee"
    INDEPENDANT = "independant"
    INDEMNITES_JOURNALIERES = "indemnites_journalieres"
    PENSION_INVALIDITE = "pension_invalidite"
    BOURSE = "bourse"
    AUTRE = "autre"


class HousingStatus(StrEnum):
    LOCATAIRE_VIDE = "locataire_vide"
    LOCATAIRE_MEUBLE = "locataire_meuble"
    LOCATAIRE_FOYER = "locataire_foyer"
    PROPRIETAIRE = "proprietaire"  # owner with no loan left
    ACCEDANT = "accedant"  # owner repaying a loan
    HEBERGE = "heberge_gratuitement"
    SANS_DOMICILE = "sans_domicile"


TENANT_STATUSES = frozenset(
    {HousingStatus.LOCATAIRE_VIDE, HousingStatus.LOCATAIRE_MEUBLE, HousingStatus.LOCATAIRE_FOYER}
)
STATUSES_WITH_HOUSING_COST = TENANT_STATUSES | {HousingStatus.ACCEDANT}


@dataclass(frozen=True)
class Resource:
    """One kind of resource of one person, in euros per month.

    Either ``stable`` (the same every month over the last 12 months) or
    ``monthly``: 12 amounts, oldest first, for the months M-12 .. M-1 before the
    simulated month M.
    """

    kind: ResourceKind
    stable: float | None = None
    monthly: tuple[float, ...] | None = None

    def months(self) -> tuple[float, ...]:
        """The 12 monthly amounts M-12 .. M-1, oldest first."""
        if self.monthly is not None:
            return tuple(self.monthly)
        return (float(self.stable or 0.0),) * MONTHS_OF_HISTORY

    @property
    def is_stable(self) -> bool:
        return self.monthly is None

    def average(self) -> float:
        values = self.months()
        return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class Person:
    id: str
    role: Role
    birth_date: dt.date
    first_name: str = ""
    activity: Activity = Activity.INACTIF
    disability_rate: float | None = None  # taux d'incapacité in percent; None: no disability declared
    pregnant: bool = False
    # Expected date of birth, when known: the pregnancy is then declared on its own months
    # only (the 9 months before it), not on every month of the situation.
    pregnancy_due_date: dt.date | None = None
    schooling: Schooling = Schooling.AUCUNE
    resources: tuple[Resource, ...] = ()
    # Taxable income (revenu imposable) declared for last year and the year before, when known.
    taxable_income_last_year: float | None = None
    taxable_income_n2: float | None = None
    # Job seeker who worked at least 5 of the last 10 years and no longer receives ARE:
    # the condition of the allocation de solidarité spécifique (Code du travail, R5423-1).
    ass_work_history: bool = False

    @property
    def has_disability(self) -> bool:
        return self.disability_rate is not None and self.disability_rate > 0

    def declares(self, *kinds: ResourceKind) -> bool:
        """A resource of one of ``kinds`` with some amount over the declared months."""
        return any(r.kind in kinds and any(r.months()) for r in self.resources)

    def resource(self, kind: ResourceKind) -> Resource | None:
        for item in self.resources:
            if item.kind == kind:
                return item
        return None

    def age_on(self, day: dt.date) -> int:
        return day.year - self.birth_date.year - (
            (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        )


@dataclass(frozen=True)
class Housing:
    status: HousingStatus = HousingStatus.HEBERGE
    rent: float = 0.0  # loyer, or loan repayment for an accédant, per month
    charges: float = 0.0  # charges locatives per month
    conventionne: bool = False  # logement conventionné (APL rather than ALF/ALS)
    commune_insee: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class Household:
    persons: tuple[Person, ...]
    couple: CoupleStatus = CoupleStatus.SEUL
    housing: Housing = field(default_factory=Housing)
    savings: float | None = None  # épargne disponible (livrets…); None when unknown
    benefits_received: tuple[str, ...] = ()  # catalogue ids of benefits already received
    reference: str = ""  # pseudonymous case reference; never a name
    # Date of the separation or widowhood that left the demandeur alone, when recent: the
    # RSA's majoration for a single parent (« isolement récent », CASF L262-9).
    separation_date: dt.date | None = None

    @property
    def demandeur(self) -> Person | None:
        return next((p for p in self.persons if p.role == Role.DEMANDEUR), None)

    @property
    def conjoint(self) -> Person | None:
        return next((p for p in self.persons if p.role == Role.CONJOINT), None)

    @property
    def adults(self) -> tuple[Person, ...]:
        return tuple(p for p in self.persons if p.role in (Role.DEMANDEUR, Role.CONJOINT))

    @property
    def dependants(self) -> tuple[Person, ...]:
        return tuple(p for p in self.persons if p.role in (Role.ENFANT, Role.AUTRE))

    @property
    def in_couple(self) -> bool:
        return self.couple != CoupleStatus.SEUL and self.conjoint is not None
