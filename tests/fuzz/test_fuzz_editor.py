"""Generated texts typed into the household editor's fields (amounts, dates, the disability
rate, names, the reference, the commune) of a loaded household: French messages next to
their fields with the text kept, or a household whose amounts are the ones typed
(``fuzz_editor.EDITOR``). Offscreen Qt, fixed seed, bounded examples."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from fuzz_editor import EDITOR, EditorInput, application
from fuzz_oracles import check
from fuzz_settings import CI


@CI(max_examples=60)
@given(value=EDITOR.strategy)
def test_texts_typed_in_the_editor_end_in_messages_by_their_fields_or_the_amounts_typed(
        value: EditorInput, qapp: Any, fuzz_work: Any) -> None:
    application()
    check(EDITOR, value, fuzz_work())
