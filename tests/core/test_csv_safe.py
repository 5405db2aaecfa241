"""Every CSV Guichet writes goes through ``csv_safe``: text cells a spreadsheet would
evaluate are neutralised (OWASP CSV injection), numbers stay numbers (issue 21)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.base import csv_safe
from app.core.store.stats import BenefitActivity, DayActivity, activity_csv

EXAMPLES = settings(max_examples=50, derandomize=True, deadline=None, database=None)
DANGEROUS = "=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20"


def _written(row: list[object]) -> list[str]:
    out = io.StringIO()
    csv_safe.writer(out).writerow(row)
    return next(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.invalid";"clic")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0",
                                  "-2+3", "\t=1", "\r=1", "  =1+1", "\uff1d1+1"])
def test_a_formula_leading_text_is_prefixed_with_a_quote(text: str) -> None:
    assert _written([text]) == ["'" + text]


def test_numbers_stay_numbers_negative_included_and_nan_is_never_written() -> None:
    assert _written([-12.5, 3, 0.0, 1234.567, None, float("nan"), float("inf"), True]) == [
        "-12,50", "3", "0,00", "1234,57", "", "", "", "1"]


@EXAMPLES
@given(text=st.text(max_size=30))
def test_no_text_cell_ever_starts_a_formula_and_the_text_is_kept(text: str) -> None:
    cell = _written([text])[0] if "\0" not in text else csv_safe.cell(text)
    stripped = cell.lstrip(" ")
    assert not stripped or stripped[0] not in DANGEROUS
    assert cell == text or cell == "'" + text


def test_the_statistics_export_neutralises_a_label_and_keeps_its_amounts() -> None:
    """A local aid's label comes from a rules pack: it must not run either."""
    day = DayActivity(dt.date(2026, 11, 2), 2, (BenefitActivity("aide_x", "month", 1, 0, 1, -5.5),))
    rows = list(csv.reader(io.StringIO(activity_csv((day,), {"aide_x": "=WEBSERVICE(\"http://x.invalid\")"})),
                           delimiter=";"))
    assert rows[1][2] == "'=WEBSERVICE(\"http://x.invalid\")"
    assert rows[1][7] == "-5,50"  # a number, not neutralised
