"""The one way Guichet writes CSV: French numbers, and no cell a spreadsheet would run.

Every CSV file Guichet writes (screening results, their summary and errors file, the
activity statistics export) goes through ``writer``. Its rows hold typed values:

* numbers stay numbers: an ``int`` is written as is, a ``float`` with 2 decimals and
  the decimal comma French spreadsheets read (``-12,50`` is a negative amount, not a
  formula, and is left alone); a NaN or an infinity, which no computation should give,
  is written as an empty cell rather than ``nan``;
* text is neutralised per the OWASP CSV-injection rules: a cell whose first character
  (or first character after spaces) is ``=``, ``+``, ``-``, ``@``, a tab, a carriage
  return, a line feed or NUL (or their full-width forms) is prefixed with a single
  quote, which spreadsheets show as text and never evaluate; the csv module then
  quotes and doubles the quotes as RFC 4180 says. A reference typed
  ``=HYPERLINK("http://…")`` comes out as ``'=HYPERLINK("http://…")``.

Text a person typed (a reference, a commune, a benefit name repeated in a message) is
therefore never a formula; a number is never turned into text to look safe.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")


def safe_text(text: str) -> str:
    """``text``, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    stripped = text.lstrip(" ")
    if text[:1] in FORMULA_STARTS or (stripped and stripped[0] in FORMULA_STARTS):
        return "'" + text
    return text


def decimal(value: float) -> str:
    """``1234.5`` -> ``1234,50``: the decimal comma French spreadsheets read as a number."""
    return f"{value:.2f}".replace(".", ",")


def cell(value: Any) -> str:
    """The text of one cell (see the module's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return decimal(value) if math.isfinite(value) else ""
    return safe_text(str(value))


class SafeWriter:
    """``csv.writer``'s ``writerow`` / ``writerows``, every cell through ``cell``."""

    def __init__(self, handle: IO[str], **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: IO[str], delimiter: str = ";", **options: Any) -> SafeWriter:
    """A CSV writer for ``handle`` (``;``-separated by default: Excel in French)."""
    return SafeWriter(handle, delimiter=delimiter, **options)
