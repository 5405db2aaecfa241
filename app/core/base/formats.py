"""French formats for amounts, numbers, dates and months.

French typography: narrow no-break space (U+202F) as thousands separator,
comma as decimal mark, no-break space before the euro sign: ``1 234,56 €``.
"""

from __future__ import annotations

import datetime as dt
import math
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


class AmountError(ValueError):
    """Text that is not an amount; ``key`` is the French message (``problem.*``) to give,
    with the field and the value typed."""

    def __init__(self, text: str, key: str = "problem.not_a_number") -> None:
        super().__init__(text)
        self.key = key


MAX_AMOUNT_TEXT = 40  # characters; a longer text is not an amount
_SPACES = (" ", NBSP, NNBSP, "\u2009", "\u2007")  # thousands separators agents and spreadsheets use
_AMOUNT_CHARS = re.compile(r"[+-]?[0-9\u202f]*(?:[.,][0-9\u202f.,]*)?")


def parse_amount(text: str) -> float:
    """An amount typed the French way: ``1500``, ``1 500``, ``1 500,50``, ``1500,5``,
    ``1 234 €``, or with a decimal point and at most 2 decimals (``1500.50``).

    Read with Babel's French parser (``fr_FR``, strict: thousands in groups of 3).
    Refused, with ``AmountError.key`` saying why: what is ambiguous (``1.500``,
    ``2.000``, ``1,500``: a point or a comma followed by 3 digits; ``1,234.56`` or
    ``1.234,56``: both marks), more than 2 decimals, and anything else that is not
    a plain number (``nan``, ``inf``, ``1e5``, ``1_000``, letters, other digits).
    The value is always finite. Negative amounts are read (validation refuses them,
    saying so).
    """
    from babel.numbers import NumberFormatError, parse_decimal

    if len(text) > MAX_AMOUNT_TEXT:
        raise AmountError(text)
    cleaned = text.strip()
    if cleaned.endswith("€"):
        cleaned = cleaned[:-1].rstrip()
    cleaned = cleaned.replace("\u2212", "-")  # the typographic minus
    for space in _SPACES:
        cleaned = cleaned.replace(space, NNBSP)
    if not cleaned or not _AMOUNT_CHARS.fullmatch(cleaned) or not any(c.isdigit() for c in cleaned):
        raise AmountError(text)
    marks = sum(cleaned.count(mark) for mark in ".,")
    if marks > 1:
        raise AmountError(text, "problem.ambiguous_amount")  # 1,234.56 / 1.234,56 / 1.500.000
    whole, decimals = cleaned, ""
    if marks:
        mark = "." if "." in cleaned else ","
        whole, decimals = cleaned.split(mark)
        if not decimals.isdigit():
            raise AmountError(text)
        if len(decimals) == 3 and whole.strip("+-0" + NNBSP):
            raise AmountError(text, "problem.ambiguous_amount")  # 1.500 or 1,500: thousands or decimals?
        if len(decimals) > 2:
            raise AmountError(text, "problem.too_many_decimals")
    try:
        value = parse_decimal(whole + ("," + decimals if decimals else ""), locale="fr_FR", strict=True)
    except NumberFormatError:
        raise AmountError(text) from None
    result = float(value)
    if not value.is_finite() or not math.isfinite(result):
        raise AmountError(text)
    return result


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
    from app.core.base.i18n import t

    seconds = int(round(max(0.0, seconds)))
    if seconds < 60:
        return t("duration.seconds", s=seconds)
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return t("duration.minutes", m=minutes, s=f"{seconds:02d}")
    hours, minutes = divmod(minutes, 60)
    return t("duration.hours", h=hours, m=f"{minutes:02d}")
