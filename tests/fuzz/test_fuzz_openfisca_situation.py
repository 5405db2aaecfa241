"""Generated OpenFisca situation files (the property test's situations, changed in
hostile ways, in the wrong bytes) through ``guichet simulate --openfisca``'s reader:
each ends in the reader's French messages or in a reading (``fuzz_paths.SITUATION``),
OpenFisca not computed. Fixed seed, bounded examples; ``bench/fuzz.py`` runs thousands."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from fuzz_oracles import check
from fuzz_paths import SITUATION, SituationInput, situation_tbs
from fuzz_settings import CI


@CI(max_examples=120)
@given(situation=SITUATION.strategy)
def test_a_generated_situation_file_ends_in_french_messages_or_a_reading(
    situation: SituationInput, fuzz_work: Any, engine: Any
) -> None:
    situation_tbs(engine.tbs)  # the session's tax-benefit system, not a second one
    check(SITUATION, situation, fuzz_work())
