"""``SimulationResult`` <-> JSON, exactly, and the differences between two results.

The store keeps every simulation's results in this form, and case exports carry
it, so that reopening an old simulation shows it exactly as it was computed.
``result_from_dict(result_to_dict(r)) == r`` for every result: amounts are
written as JSON numbers (Python's shortest ``repr``, which reads back to the
same float), statuses as their values, tuples as lists.

Reading is strict: anything that is not exactly what ``result_to_dict`` writes
raises ``ResultFormatError`` with a French message (a tampered export must not
slip through).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.base.i18n import t
from app.core.model.periods import parse_month
from app.core.openfisca.staleness import StaleParameter

RESULT_FORMAT = "guichet-result"
RESULT_VERSION = 1
AMOUNT_PERIODS = ("month", "year", "once")


class ResultFormatError(ValueError):
    """Stored or imported results that cannot be read back (French message)."""


def benefit_to_dict(benefit: BenefitResult) -> dict[str, Any]:
    return {
        "benefit_id": benefit.benefit_id,
        "status": benefit.status.value,
        "amount": float(benefit.amount),
        "amount_period": benefit.amount_period,
        "beneficiaries": list(benefit.beneficiaries),
        "detail": benefit.detail,
        "already_received": bool(benefit.already_received),
        "error": benefit.error,
        "paid_automatically": bool(benefit.paid_automatically),
        "stale_parameters": [
            {"path": p.path, "description": p.description, "since": p.since} for p in benefit.stale_parameters
        ],
        "amount_paid": benefit.amount_paid,
        "paid_in": benefit.paid_in,
    }


def result_to_dict(result: SimulationResult) -> dict[str, Any]:
    """A JSON-ready dict holding every field of ``result`` (``totals_ids`` included)."""
    return {
        "format": RESULT_FORMAT,
        "version": RESULT_VERSION,
        "month": result.month,
        "benefits": [benefit_to_dict(b) for b in result.benefits],
        "assumptions": list(result.assumptions),
        "warnings": list(result.warnings),
        "openfisca_france": result.openfisca_france,
        "legislation_until": result.legislation_until,
        "catalogue_version": result.catalogue_version,
        "totals_ids": list(result.totals_ids),
    }


# --------------------------------------------------------------------------- reading


def _fail(path: str, reason: str) -> ResultFormatError:
    return ResultFormatError(t("store.result.bad_field", field=path, reason=reason))


def _str(data: dict[str, Any], name: str, path: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise _fail(f"{path}{name}", t("store.result.expected_text"))
    return value


def _opt_str(data: dict[str, Any], name: str, path: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise _fail(f"{path}{name}", t("store.result.expected_text"))
    return value


def _opt_month(data: dict[str, Any], name: str, path: str) -> str | None:
    value = _opt_str(data, name, path)
    if value is not None:
        try:
            parse_month(value)
        except ValueError:
            raise _fail(f"{path}{name}", t("store.result.bad_month", value=value)) from None
    return value


def _strs(data: dict[str, Any], name: str, path: str) -> tuple[str, ...]:
    value = data.get(name)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(f"{path}{name}", t("store.result.expected_texts"))
    return tuple(value)


def _fields(data: Any, allowed: set[str], path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(path.rstrip(".") or "résultats", t("store.result.expected_object"))
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(f"{path}{unknown[0]}", t("store.result.unknown_field"))
    missing = sorted(allowed - set(data))
    if missing:
        raise _fail(f"{path}{missing[0]}", t("store.result.missing_field"))
    return data


_BENEFIT_FIELDS = {
    "benefit_id", "status", "amount", "amount_period", "beneficiaries", "detail", "already_received", "error",
    "stale_parameters", "amount_paid", "paid_automatically", "paid_in",
}
_RESULT_FIELDS = {
    "format", "version", "month", "benefits", "assumptions", "warnings", "openfisca_france",
    "legislation_until", "catalogue_version", "totals_ids",
}


# Fields results stored before they existed may lack (read as empty, None or False).
_OPTIONAL_BENEFIT_FIELDS: dict[str, Callable[[], Any]] = {
    "stale_parameters": list, "amount_paid": lambda: None, "paid_automatically": lambda: False,
    "paid_in": lambda: None,
}


def benefit_from_dict(data: Any, path: str = "") -> BenefitResult:
    if isinstance(data, dict):
        data = {**{name: default() for name, default in _OPTIONAL_BENEFIT_FIELDS.items()}, **data}
    data = _fields(data, _BENEFIT_FIELDS, path)
    try:
        status = Status(data["status"])
    except ValueError:
        raise _fail(f"{path}status", t("store.result.bad_status", value=data["status"])) from None
    amount = data["amount"]
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount):
        raise _fail(f"{path}amount", t("store.result.expected_number"))
    period = _str(data, "amount_period", path)
    if period not in AMOUNT_PERIODS:
        raise _fail(f"{path}amount_period", t("store.result.bad_period", value=period))
    if not isinstance(data["already_received"], bool):
        raise _fail(f"{path}already_received", t("store.result.expected_bool"))
    automatic = data["paid_automatically"]
    if not isinstance(automatic, bool):
        raise _fail(f"{path}paid_automatically", t("store.result.expected_bool"))
    return BenefitResult(
        benefit_id=_str(data, "benefit_id", path),
        status=status,
        amount=float(amount),
        amount_period=period,
        beneficiaries=_strs(data, "beneficiaries", path),
        detail=_opt_str(data, "detail", path),
        already_received=data["already_received"],
        error=_opt_str(data, "error", path),
        paid_automatically=automatic,
        stale_parameters=_stale(data["stale_parameters"], f"{path}stale_parameters"),
        amount_paid=_opt_number(data, "amount_paid", path),
        paid_in=_opt_month(data, "paid_in", path),
    )


def _opt_number(data: dict[str, Any], name: str, path: str) -> float | None:
    value = data[name]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(f"{path}{name}", t("store.result.expected_number"))
    return float(value)


def _stale(raw: Any, path: str) -> tuple[StaleParameter, ...]:
    if not isinstance(raw, list):
        raise _fail(path, t("store.result.expected_object"))
    out = []
    for i, item in enumerate(raw):
        item = _fields(item, {"path", "description", "since"}, f"{path}.{i}.")
        out.append(StaleParameter(_str(item, "path", path), _str(item, "description", path), _str(item, "since", path)))
    return tuple(out)


def result_from_dict(data: Any) -> SimulationResult:
    """The ``SimulationResult`` written by ``result_to_dict``; raises ``ResultFormatError``."""
    data = _fields(data, _RESULT_FIELDS, "")
    if data["format"] != RESULT_FORMAT:
        raise _fail("format", t("store.result.bad_format", value=data["format"]))
    if data["version"] != RESULT_VERSION:
        raise _fail("version", t("store.result.bad_version", value=data["version"], supported=RESULT_VERSION))
    benefits = data["benefits"]
    if not isinstance(benefits, list):
        raise _fail("benefits", t("store.result.expected_object"))
    return SimulationResult(
        month=_str(data, "month", ""),
        benefits=tuple(benefit_from_dict(item, f"benefits.{i}.") for i, item in enumerate(benefits)),
        assumptions=_strs(data, "assumptions", ""),
        warnings=_strs(data, "warnings", ""),
        openfisca_france=_str(data, "openfisca_france", ""),
        legislation_until=_str(data, "legislation_until", ""),
        catalogue_version=_str(data, "catalogue_version", ""),
        totals_ids=_strs(data, "totals_ids", ""),
    )


# --------------------------------------------------------------------------- differences


@dataclass(frozen=True)
class BenefitChange:
    """A benefit whose status, amount or period differs between two results.

    ``before`` is None for a benefit the old result did not have (new in the
    catalogue), ``after`` None for one that is no longer computed.
    """

    benefit_id: str
    before: BenefitResult | None
    after: BenefitResult | None

    @property
    def amount_change(self) -> float:
        """New amount minus old amount (0 for a missing side), rounded to the cent."""
        return round((self.after.amount if self.after else 0.0) - (self.before.amount if self.before else 0.0), 2)


def result_differences(before: SimulationResult, after: SimulationResult) -> tuple[BenefitChange, ...]:
    """The benefits that changed from ``before`` (e.g. a stored simulation) to ``after``
    (the same household recomputed on today's rules), in ``after``'s order, then the
    benefits that disappeared."""
    old = {b.benefit_id: b for b in before.benefits}
    new_ids = {b.benefit_id for b in after.benefits}
    changes: list[BenefitChange] = []
    for benefit in after.benefits:
        previous = old.get(benefit.benefit_id)
        if previous is None or (previous.status, previous.amount, previous.amount_period) != (
            benefit.status, benefit.amount, benefit.amount_period,
        ):
            changes.append(BenefitChange(benefit.benefit_id, previous, benefit))
    changes.extend(BenefitChange(b.benefit_id, b, None) for b in before.benefits if b.benefit_id not in new_ids)
    return tuple(changes)
