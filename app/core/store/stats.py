"""Activity statistics with no personal data, for the service point's reporting.

Only per-day counters are kept: how many simulations, and per benefit how many
times it was found eligible, to check, or eligible-but-not-claimed, and the sum
of the eligible amounts. No case, reference, name, date of birth or commune is
stored here, and purging cases leaves the statistics untouched.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Mapping

from sqlite_utils import Database

from app.core.base import csv_safe
from app.core.benefits.results import SimulationResult, Status
from app.core.base.formats import date as fr_date
from app.core.base.i18n import t
from app.core.store.clock import local_day


@dataclass(frozen=True)
class BenefitActivity:
    benefit_id: str
    amount_period: str  # "month" | "year": the period of ``amount_total``
    eligible: int  # results "éligible"
    to_check: int  # results "à vérifier"
    not_claimed: int  # eligible or to check, and not already received (non-recours)
    amount_total: float  # sum of the eligible amounts, in euros per amount_period


@dataclass(frozen=True)
class DayActivity:
    day: dt.date
    simulations: int
    benefits: tuple[BenefitActivity, ...]


def add_activity(db: Database, when: dt.datetime, result: SimulationResult) -> None:
    """Count one simulation made at ``when`` (inside the caller's transaction)."""
    day = local_day(when).isoformat()
    db.execute(
        "INSERT INTO activity_days(day, simulations) VALUES (?, 1) "
        "ON CONFLICT(day) DO UPDATE SET simulations = simulations + 1",
        (day,),
    )
    for benefit in result.benefits:
        if benefit.status not in (Status.ELIGIBLE, Status.TO_CHECK):
            continue
        eligible = benefit.status == Status.ELIGIBLE
        cents = round(benefit.amount * 100) if eligible else 0
        db.execute(
            "INSERT INTO activity_benefits(day, benefit_id, amount_period, eligible, to_check, not_claimed, amount_cents) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(day, benefit_id, amount_period) DO UPDATE SET "
            "eligible = eligible + excluded.eligible, to_check = to_check + excluded.to_check, "
            "not_claimed = not_claimed + excluded.not_claimed, amount_cents = amount_cents + excluded.amount_cents",
            (day, benefit.benefit_id, benefit.amount_period, int(eligible), int(not eligible),
             int(benefit.not_claimed), cents),
        )


def activity(db: Database, date_from: dt.date | None = None, date_to: dt.date | None = None) -> tuple[DayActivity, ...]:
    """Every day with simulations between the two dates (included), oldest first."""
    low = date_from.isoformat() if date_from else "0000-00-00"
    high = date_to.isoformat() if date_to else "9999-99-99"
    benefits: dict[str, list[BenefitActivity]] = {}
    for day, benefit_id, period, eligible, to_check, not_claimed, cents in db.execute(
        "SELECT day, benefit_id, amount_period, eligible, to_check, not_claimed, amount_cents "
        "FROM activity_benefits WHERE day BETWEEN ? AND ? ORDER BY day, benefit_id, amount_period",
        (low, high),
    ):
        benefits.setdefault(day, []).append(
            BenefitActivity(benefit_id, period, eligible, to_check, not_claimed, cents / 100)
        )
    return tuple(
        DayActivity(dt.date.fromisoformat(day), simulations, tuple(benefits.get(day, ())))
        for day, simulations in db.execute(
            "SELECT day, simulations FROM activity_days WHERE day BETWEEN ? AND ? ORDER BY day", (low, high)
        )
    )


def activity_csv(days: tuple[DayActivity, ...], labels: Mapping[str, str] | None = None) -> str:
    """CSV (``;``-separated, decimal comma, French headers) of ``days``: one row per
    day and benefit found, and one row with no benefit for a day where none was."""
    labels = labels or {}
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow([t(f"store.stats.column.{name}") for name in (
        "day", "simulations", "benefit", "benefit_id", "eligible", "to_check", "not_claimed", "amount", "period",
    )])
    for item in days:
        rows = item.benefits or (None,)
        for benefit in rows:
            if benefit is None:
                writer.writerow([fr_date(item.day), item.simulations, "", "", 0, 0, 0, 0.0, ""])
                continue
            writer.writerow([
                fr_date(item.day),
                item.simulations,
                labels.get(benefit.benefit_id, benefit.benefit_id),
                benefit.benefit_id,
                benefit.eligible,
                benefit.to_check,
                benefit.not_claimed,
                float(benefit.amount_total),
                t(f"results.per_{benefit.amount_period}"),
            ])
    return out.getvalue()


def catalogue_labels() -> dict[str, str]:
    """Benefit id -> label, from the bundled catalogue (empty when it cannot load)."""
    try:
        from app.core.benefits.catalogue import load_catalogue

        return {benefit.id: benefit.label for benefit in load_catalogue()}
    except Exception:  # noqa: BLE001 - the CSV falls back to benefit ids
        return {}
