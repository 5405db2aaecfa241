"""French amounts read by ``formats.parse_amount``, the one parser of the case file, the
screening rows and the editor's amount fields (issue 21, « Amounts misread »): read
right, or refused with the reason; never ``1.500`` read as 1,50 €."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.core.base import formats
from app.core.base.formats import AmountError, parse_amount

EXAMPLES = settings(max_examples=50, derandomize=True, deadline=None, database=None)
SPACES = (" ", "\u00a0", "\u202f")  # what agents, Excel and Guichet itself put between thousands


@pytest.mark.parametrize(("text", "value"), [
    ("1500", 1500.0), ("1 500", 1500.0), ("1\u202f500", 1500.0), ("1\u00a0500", 1500.0),
    ("1 500,50", 1500.5), ("1500,5", 1500.5), ("1500.50", 1500.5), ("1 234 €", 1234.0),
    ("0,5", 0.5), ("12 345 678,90", 12345678.9), ("-50", -50.0), ("−50", -50.0),
])
def test_french_amounts_are_read_right(text: str, value: float) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["1.500", "2.000", "1,500", "12.345", "1,234.56", "1.234,56", "1.500.000"])
def test_ambiguous_amounts_are_refused_never_read_as_cents(text: str) -> None:
    with pytest.raises(AmountError) as raised:
        parse_amount(text)
    assert raised.value.key == "problem.ambiguous_amount"


@pytest.mark.parametrize("text", [
    "nan", "NaN", "inf", "-inf", "Infinity", "1e5", "1_000", "١٢", "12 3", "1 2345", "", " ", "€", "1,", ".",
    "cinq", "6OO", "1" * 41,
])
def test_what_is_not_a_plain_number_is_refused(text: str) -> None:
    with pytest.raises(AmountError) as raised:
        parse_amount(text)
    assert raised.value.key == "problem.not_a_number"


def test_more_than_two_decimals_is_refused() -> None:
    with pytest.raises(AmountError) as raised:
        parse_amount("12,3456")
    assert raised.value.key == "problem.too_many_decimals"


@EXAMPLES
@given(cents=st.integers(min_value=0, max_value=10**11), space=st.sampled_from(SPACES))
def test_any_amount_written_the_french_way_reads_back(cents: int, space: str) -> None:
    """Guichet's own French format (``1 234,56``, U+202F), and the same with an ordinary
    or a no-break space, read back to the cent."""
    value = cents / 100
    text = formats.number(value).replace("\u202f", space)
    assert parse_amount(text) == pytest.approx(value, abs=1e-9)
    assert parse_amount(text + " €") == pytest.approx(value, abs=1e-9)


@EXAMPLES
@given(whole=st.integers(min_value=1, max_value=999), three=st.integers(min_value=0, max_value=999),
       mark=st.sampled_from(".,"))
def test_a_mark_followed_by_three_digits_is_always_refused(whole: int, three: int, mark: str) -> None:
    with pytest.raises(AmountError) as raised:
        parse_amount(f"{whole}{mark}{three:03d}")
    assert raised.value.key == "problem.ambiguous_amount"


@EXAMPLES
@given(text=st.text(alphabet="0123456789 .,-+eE€naifNI_\u202f\u00a0", max_size=14))
@example("1.500")
@example("2.000")
@example("1,234.56")
def test_no_text_is_ever_misread(text: str) -> None:
    """Generated texts: either refused, or read as the plain reading of an unambiguous
    amount: a finite number, at most 2 decimals after a single mark, equal to the text
    with its spaces and euro sign removed and its comma made a point."""
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert math.isfinite(value)
    plain = text.strip().removesuffix("€")
    for space in SPACES:
        plain = plain.replace(space, "")
    marks = [c for c in plain if c in ".,"]
    assert len(marks) <= 1
    if marks:
        assert len(plain.split(marks[0])[1]) <= 2
    assert Decimal(plain.replace(",", ".")) == Decimal(str(value)) or float(plain.replace(",", ".")) == value
