"""Month arithmetic on ``YYYY-MM`` strings, the periods OpenFisca understands."""

from __future__ import annotations

import datetime as dt
import re


_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the months Guichet computes (OpenFisca-France's legislation)


def _year_month(text: str) -> tuple[int, int]:
    match = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month: {text!r}")
    return int(match.group(1)), int(match.group(2))


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-11"`` -> ``(2026, 11)``; raises ValueError on anything else: a month given
    to compute is written only this way, in ``FIRST_YEAR``..``LAST_YEAR``. It is compared
    and stored as text: ``2026-1``, `` 2026-11``, ``+202-11`` or other digits
    (``٢٠٢٦-١١``) would be misread later."""
    year, month = _year_month(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"not a month: {text!r}")
    return year, month


def month_str(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def add_months(month: str, count: int) -> str:
    year, mon = _year_month(month)
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
    year, mon = _year_month(month)
    return dt.date(year, mon, 1)


def year_of(month: str) -> int:
    return _year_month(month)[0]


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a given day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
