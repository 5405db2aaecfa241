"""Month arithmetic on ``YYYY-MM`` strings, the periods OpenFisca understands."""

from __future__ import annotations

import datetime as dt


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-11"`` -> ``(2026, 11)``; raises ValueError on anything else."""
    parts = text.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or not parts[1].isdigit():
        raise ValueError(f"not a month: {text!r}")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"not a month: {text!r}")
    return year, month


def month_str(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def add_months(month: str, count: int) -> str:
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + count
    return month_str(index // 12, index % 12 + 1)


def months_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` included, in order."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def current_month(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return month_str(today.year, today.month)


def first_day(month: str) -> dt.date:
    year, mon = parse_month(month)
    return dt.date(year, mon, 1)


def year_of(month: str) -> int:
    return parse_month(month)[0]


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a given day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
