"""Generated screening tables (CSV in several delimiters and encodings, XLSX, Parquet, broken
files, hostile cells) through the screener's reader: the file refused naming it, or
each row a household read as written or messages naming its column
(``fuzz_paths.TABLE``). Fixed seed, bounded examples; ``bench/fuzz.py`` runs thousands."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from fuzz_oracles import check
from fuzz_paths import TABLE, TableInput
from fuzz_settings import CI


@CI(max_examples=80)
@given(table=TABLE.strategy)
def test_a_generated_screening_table_ends_in_named_messages_or_its_households(table: TableInput,
                                                                             fuzz_work: Any) -> None:
    check(TABLE, table, fuzz_work())
