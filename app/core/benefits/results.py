"""What a computation found for each benefit: its status, amount, who gets it, what to do.

Frozen dataclasses that cross every layer above (engine, local aids, store, case exports,
handout, screening, GUI): ``Status``, ``Claim`` (to request, paid automatically, already
received), ``BenefitResult`` and ``SimulationResult`` (one household, one month).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.core.base.formats import euros, month as month_text
from app.core.base.i18n import t
from app.core.openfisca.staleness import StaleParameter


class Status(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    TO_CHECK = "to_check"
    ERROR = "error"


class Claim(StrEnum):
    """What the household has to do about a benefit (``BenefitResult.claim``): the one
    decision behind « à demander », « versée automatiquement » and « déjà perçue », on
    screen, on the command line, in JSON, in the screening and on the handout."""

    TO_REQUEST = "to_request"  # likely eligible, not received, needs a claim: the non-recours
    AUTOMATIC = "automatic"  # likely eligible, not received, comes without a claim
    RECEIVED = "received"  # likely eligible and already received
    NONE = "none"  # not eligible, or failed: nothing to do

    @property
    def label(self) -> str:
        """« Non demandée », « Versée automatiquement », « Déjà perçue », or "" (nothing to do)."""
        key = {"to_request": "results.not_claimed", "automatic": "results.paid_automatically",
               "received": "results.already_received"}.get(self.value)
        return t(key) if key else ""


@dataclass(frozen=True)
class BenefitResult:
    benefit_id: str
    status: Status
    amount: float  # in the benefit's amount_period (per month, per year, or paid once)
    amount_period: str  # "month" | "year" | "once" (a one-off sum: in neither total)
    beneficiaries: tuple[str, ...] = ()  # person ids, for per-person benefits
    detail: str | None = None  # e.g. "apl" for housing aid
    already_received: bool = False
    error: str | None = None  # French message when the computation failed
    # paid without a claim for this household (catalogue ``Benefit.paid_automatically``)
    paid_automatically: bool = False
    # Parameters this computation read whose value predates their yearly revaluation
    # (staleness.py): the amount may differ from what the paying body computes.
    stale_parameters: tuple[StaleParameter, ...] = ()
    # What the paying body actually pays when ``amount`` is before the 0,5 % CRDS (the
    # catalogue's ``paid``: family benefits, prime d'activité); None otherwise.
    amount_paid: float | None = None
    # The month a one-off sum is paid when it is not the month computed (YYYY-MM): the prime
    # à la naissance, paid in the 7th month of pregnancy (model/birth.py).
    paid_in: str | None = None

    @property
    def monthly(self) -> float | None:
        return self.amount if self.amount_period == "month" else None

    @property
    def yearly(self) -> float:
        return self.amount * 12 if self.amount_period == "month" else self.amount

    @property
    def claim(self) -> Claim:
        """To request, paid automatically, already received, or nothing to do."""
        if self.status not in (Status.ELIGIBLE, Status.TO_CHECK):
            return Claim.NONE
        if self.already_received:
            return Claim.RECEIVED
        return Claim.AUTOMATIC if self.paid_automatically else Claim.TO_REQUEST

    @property
    def not_claimed(self) -> bool:
        """Likely eligible, not received, and needing a claim: the non-recours the app
        exists to find (a benefit paid automatically is not in it)."""
        return self.claim == Claim.TO_REQUEST


def paid_note(result: BenefitResult) -> str | None:
    """« avant CRDS ; versé : 152,25 € » when the amount shown is before the CRDS, and
    « versée en janvier 2027 » when a one-off sum is paid another month than the one computed."""
    notes = []
    if result.amount_paid is not None:
        notes.append(t("results.before_crds", paid=euros(result.amount_paid)))
    if result.paid_in is not None:
        notes.append(t("results.paid_in", month=month_text(result.paid_in)))
    return " ; ".join(notes) or None


@dataclass(frozen=True)
class SimulationResult:
    month: str
    benefits: tuple[BenefitResult, ...]
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    openfisca_france: str = ""
    legislation_until: str = ""  # ISO date of the last known parameter change
    catalogue_version: str = ""
    totals_ids: tuple[str, ...] = field(default=(), repr=False)  # benefits counted in totals

    def get(self, benefit_id: str) -> BenefitResult:
        for item in self.benefits:
            if item.benefit_id == benefit_id:
                return item
        raise KeyError(benefit_id)

    def total_monthly(self) -> float:
        """Monthly benefits the household may receive (eligible, counted in totals)."""
        return round(
            sum(
                b.amount
                for b in self.benefits
                if b.status == Status.ELIGIBLE and b.amount_period == "month" and b.benefit_id in self.totals_ids
            ),
            2,
        )

    def total_yearly_extra(self) -> float:
        """Benefits paid once a year (school-year allowance, energy cheque, grants)."""
        return round(
            sum(
                b.amount
                for b in self.benefits
                if b.status == Status.ELIGIBLE and b.amount_period == "year" and b.benefit_id in self.totals_ids
            ),
            2,
        )

    def not_claimed(self) -> tuple[BenefitResult, ...]:
        """The non-recours: benefits to request that are counted in the totals, and one-off
        sums (prime à la naissance, AGEPI…), which are in no total but are claimed all the same."""
        return tuple(b for b in self.benefits
                     if b.not_claimed and (b.benefit_id in self.totals_ids or b.amount_period == "once"))
