"""Generated case files (valid, changed in hostile ways, in the wrong bytes) through the
reader: each ends in French messages naming their fields or in the household written
(``fuzz_paths.CASE_FILE``). Fixed seed, bounded examples; ``bench/fuzz.py`` runs thousands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given

from fuzz_oracles import check
from fuzz_paths import CASE_FILE, CaseInput
from fuzz_settings import CI


@CI(max_examples=150)
@given(case=CASE_FILE.strategy)
def test_a_generated_case_file_ends_in_named_messages_or_the_household(case: CaseInput, fuzz_work: Any) -> None:
    check(CASE_FILE, case, fuzz_work())
