"""The totals of a screening: per benefit, and for the whole file (``Summary``).

Counted by the run as the chunks' rows are assembled (``screen.py``), printed in the
output's summary sheet and the PDF report (``report.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app.core.base import formats
from app.core.base.i18n import t
from app.core.benefits.benefit import Benefit


@dataclass
class BenefitTotals:
    benefit: Benefit
    likely: int = 0  # households: eligible, not received
    to_check: int = 0  # households: to check, not received
    received: int = 0  # households: eligible, already received
    errors: int = 0
    amount: float = 0.0  # sum of the likely households' amounts (per month, or per year)


@dataclass
class Summary:
    input_name: str
    benefits: list[BenefitTotals]
    records: int = 0
    households: int = 0
    rejected: int = 0
    flagged_households: int = 0
    monthly_total: float = 0.0
    yearly_total: float = 0.0
    months: Counter[str] = field(default_factory=Counter)
    assumptions: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    openfisca_france: str = ""
    legislation_until: str = ""
    catalogue_version: str = ""
    created: dt.datetime = field(default_factory=dt.datetime.now)
    national: tuple[Benefit, ...] = ()  # the national benefits (the others are local aids)

    def add(self, row: dict[str, Any]) -> tuple[int, float, float]:
        """Count one household; its (likely benefits, monthly and yearly amounts)."""
        self.households += 1
        self.months[row["m"]] += 1
        self.assumptions.update(row["h"])
        count, monthly, yearly = 0, 0.0, 0.0
        statuses, amounts, flags, received = row["s"], row["a"], row["f"], row["p"]
        for j, totals in enumerate(self.benefits):
            status = statuses[j]
            if status == "x":
                totals.errors += 1
            if flags[j] == "1":
                if status == "e":
                    count += 1
                    totals.likely += 1
                    totals.amount += amounts[j]
                    if totals.benefit.counts_in_total and totals.benefit.value == "amount":
                        if totals.benefit.amount_period == "month":
                            monthly += amounts[j]
                        else:
                            yearly += amounts[j]
                elif status == "c":
                    totals.to_check += 1
            elif status == "e" and received[j] == "1":
                totals.received += 1
        if count:
            self.flagged_households += 1
        self.monthly_total += monthly
        self.yearly_total += yearly
        return count, round(monthly, 2), round(yearly, 2)

    def month_text(self) -> str:
        if not self.months:
            return "—"
        if len(self.months) == 1:
            return formats.month(next(iter(self.months)))
        return t("batch.summary.several_months", months=", ".join(formats.month(m) for m in sorted(self.months)))
