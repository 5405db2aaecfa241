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


class ChildcareMode(StrEnum):
    """How the household's children under 6 are looked after (the CMG's modes)."""

    AUCUN = "aucun"
    ASSISTANTE_MATERNELLE = "assistante_maternelle"  # agréée, employed by the parents
    GARDE_DOMICILE = "garde_domicile"  # someone employed at home
    CRECHE = "creche"  # collective crèche: no CMG


class StudyYear(StrEnum):
    """Year of higher-education study (OpenFisca-France's ``annee_etude``)."""

    BTS_1 = "bts_1"
    BTS_2 = "bts_2"
    BUT_1 = "but_1"
    BUT_2 = "but_2"
    BUT_3 = "but_3"
    CPGE_1 = "cpge_1"
    CPGE_2 = "cpge_2"
    LICENCE_1 = "licence_1"
    LICENCE_2 = "licence_2"
    LICENCE_3 = "licence_3"
    MASTER_1 = "master_1"
    MASTER_2 = "master_2"
    DOCTORAT = "doctorat_1"
    AUTRE = "autre"


class Establishment(StrEnum):
    PUBLIC = "public"
    PRIVE_SOUS_CONTRAT = "prive_sous_contrat"
    PRIVE_HORS_CONTRAT = "prive_hors_contrat"


class BacMention(StrEnum):
    AUCUNE = "aucune"
    ASSEZ_BIEN = "assez_bien"
    BIEN = "bien"
    TRES_BIEN = "tres_bien"


class OfferKind(StrEnum):
    """A job or training a job seeker takes up (OpenFisca-France's ``contrat_de_travail_type``)."""

    CDI = "cdi"
    CDD = "cdd"
    INTERIM = "interim"
    FORMATION = "formation"


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
class Studies:
    """A student's higher education, as the Crous grant asks it (bourse sur critères sociaux)."""

    study_year: StudyYear = StudyYear.LICENCE_1
    establishment: Establishment = Establishment.PUBLIC
    # Distance between the place of study and the family home, km (points de charge).
    family_distance_km: int = 0
    # Revenu brut global of the parents' tax notice of year N-2, euros a year (the grant's
    # resources); None when unknown: the grant is then not computed.
    parents_income_n2: float | None = None
    bac_mention: BacMention = BacMention.AUCUNE  # for the aide au mérite (mention très bien)


@dataclass(frozen=True)
class JobOffer:
    """A job or training a job seeker takes up or starts soon (France Travail's AGEPI and
    aide à la mobilité read it)."""

    contract: OfferKind
    start_date: dt.date
    duration_months: int | None = None  # CDD and intérim
    training_hours: int | None = None  # formation
    weekly_hours: float | None = None  # hours of work or training a week (AGEPI)
    distance_km: float | None = None  # one way, home to the job or training
    trip_minutes: int | None = None  # return trip, minutes
    round_trips: int | None = None  # return trips the aide à la mobilité is asked for


@dataclass(frozen=True)
class UnemploymentRights:
    """What remains of an unemployment insurance right (ARE) for a person who took up a job:
    the figures of France Travail's notification (complément ARE: the ARE kept while the new
    job pays less than the one that opened the right)."""

    daily_allowance: float  # allocation journalière brute, euros a day
    reference_daily_wage: float  # salaire journalier de référence (SJR), euros a day
    days_left: int  # days of ARE still to be paid at the start of the month computed


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
    studies: Studies | None = None  # a student in higher education (version 3)
    apprentice: bool = False  # in an apprenticeship or work-study contract (alternance)
    job_offer: JobOffer | None = None  # a job seeker's job or training to come (version 3)
    # A child who arrived in the home for adoption (or entrusted for adoption): the day
    # (version 3; the prime à l'adoption is paid in the 3 months after it).
    adoption_date: dt.date | None = None
    # An employee who still has days of ARE (version 3): the complément ARE.
    unemployment_rights: UnemploymentRights | None = None

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
class SoughtHome:
    """A home the household is about to rent (« logement à louer », case format 3): the
    Visale guarantee is asked before the lease is signed, on that home's rent."""

    entry_date: dt.date  # the planned date of entry
    rent: float  # loyer per month
    charges: float = 0.0  # charges locatives per month


class EventKind(StrEnum):
    """A change inside the look-back windows, at a given month (case format 3)."""

    JOB_END = "job_end"  # a job ended: the salary before it, then what is declared now
    JOB_START = "job_start"  # a job started: what was received before it, then the declared salary
    MOVE = "move"  # the household moved into the declared dwelling
    COUPLE_START = "couple_start"  # the couple formed (the partner arrived)


JOB_EVENTS = frozenset({EventKind.JOB_END, EventKind.JOB_START})


@dataclass(frozen=True)
class LifeEvent:
    """What changed at ``month`` (``YYYY-MM``) and what was true before it; the household's
    other fields describe the situation after it (from ``month`` on).

    * ``job_end`` / ``job_start``: ``person`` (an adult's id), ``activity_before``,
      ``salary_before`` and ``unemployment_before`` (net euros per month before the month);
    * ``move``: ``housing_before``, the dwelling before (``None``: not known, the declared
      dwelling is kept on the earlier months, only the date of entry is set);
    * ``couple_start``: nothing more."""

    kind: EventKind
    month: str
    person: str = ""
    activity_before: Activity | None = None
    salary_before: float = 0.0
    unemployment_before: float = 0.0
    housing_before: Housing | None = None

    @property
    def is_job(self) -> bool:
        return self.kind in JOB_EVENTS

    def activity_before_or_default(self) -> Activity:
        """The activity before the month: as given, else a salaried job before it ended,
        a job seeker (indemnified if an unemployment benefit is given) before a job started."""
        if self.activity_before is not None:
            return self.activity_before
        if self.kind == EventKind.JOB_END:
            return Activity.SALARIE
        if self.unemployment_before > 0:
            return Activity.DEMANDEUR_EMPLOI_INDEMNISE
        return Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE


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
    childcare: ChildcareMode = ChildcareMode.AUCUN  # of the children under 6 (version 3)
    asylum_seeker: bool = False  # the household is seeking asylum (ADA, version 3)
    # An asylum seeker housed in a centre (CADA, HUDA…): the ADA is then without its
    # supplement for those not housed.
    asylum_housed: bool = False
    # Changes at a given month inside the look-back windows (a job, a move, a couple).
    events: tuple[LifeEvent, ...] = ()
    # A home the household is about to rent (Visale, version 3); the dwelling it lives in
    # now stays ``housing``.
    sought_home: SoughtHome | None = None

    def event(self, kind: EventKind, person: str = "") -> LifeEvent | None:
        """The event of ``kind`` (of ``person`` for a job event), if declared."""
        return next((e for e in self.events if e.kind == kind and (not person or e.person == person)), None)

    def job_event(self, person_id: str) -> LifeEvent | None:
        return next((e for e in self.events if e.is_job and e.person == person_id), None)

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
    def children(self) -> tuple[Person, ...]:
        return tuple(p for p in self.persons if p.role == Role.ENFANT)

    @property
    def in_couple(self) -> bool:
        return self.couple != CoupleStatus.SEUL and self.conjoint is not None
