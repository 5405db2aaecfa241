"""French formats for amounts, numbers, dates and months.

French typography: narrow no-break space (U+202F) as thousands separator,
comma as decimal mark, no-break space before the euro sign: ``1 234,56 €``.
"""

from __future__ import annotations

import datetime as dt
import re

NNBSP = "\u202f"  # thousands separator
NBSP = "\u00a0"  # before units

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def number(value: float, decimals: int = 2) -> str:
    """``1234.5`` -> ``1 234,50`` (with U+202F)."""
    text = f"{abs(value):,.{decimals}f}".replace(",", NNBSP).replace(".", ",")
    return ("-" if value < 0 and round(abs(value), decimals) != 0 else "") + text


def euros(value: float, decimals: int = 2) -> str:
    """``1234.56`` -> ``1 234,56 €``. Whole amounts keep their cents for clarity."""
    return f"{number(value, decimals)}{NBSP}€"


def euros_short(value: float) -> str:
    """Whole euros when the amount has no cents: ``429 €``; else ``429,01 €``."""
    if abs(round(value, 2) - round(value)) < 0.005:
        return f"{number(round(value), 0)}{NBSP}€"
    return euros(value)


def date(value: dt.date) -> str:
    """``29/11/2026``."""
    return value.strftime("%d/%m/%Y")


def month(value: str | dt.date) -> str:
    """``2026-11`` -> ``novembre 2026``."""
    if isinstance(value, str):
        year, mon = (int(part) for part in value.split("-")[:2])
    else:
        year, mon = value.year, value.month
    return f"{MONTHS_FR[mon - 1]} {year}"


def parse_amount(text: str) -> float:
    """Parse an amount typed the French way (``1 234,56``, ``1234.56``, ``1 234 €``).

    Raises ValueError when the text is not a number.
    """
    cleaned = (
        text.replace(NNBSP, "").replace(NBSP, "").replace(" ", "").replace("€", "").strip()
    )
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    elif "," in cleaned and "." in cleaned:  # 1.234,56
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not cleaned:
        raise ValueError("empty amount")
    return float(cleaned)


def parse_date(text: str) -> dt.date:
    """Parse ``29/11/2026`` or ``2026-11-29``. Raises ValueError otherwise."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


_DATE_SHAPES = (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"))


def date_problem_key(text: str) -> str:
    """The problem of a text ``parse_date`` refused: ``problem.no_such_date`` when it is
    written as a date but no such day exists (31/02/2026, 29/02/2027), else
    ``problem.not_a_date`` (the format is wrong)."""
    stripped = text.strip()
    for shape in _DATE_SHAPES:
        if shape.match(stripped):
            return "problem.no_such_date"
    return "problem.not_a_date"


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``."""
    from app.core.i18n import t

    seconds = int(round(max(0.0, seconds)))
    if seconds < 60:
        return t("duration.seconds", s=seconds)
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return t("duration.minutes", m=minutes, s=f"{seconds:02d}")
    hours, minutes = divmod(minutes, 60)
    return t("duration.hours", h=hours, m=f"{minutes:02d}")
