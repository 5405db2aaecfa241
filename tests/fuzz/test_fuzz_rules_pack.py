"""Generated rules packs (path traversal, absolute and Windows names, symbolic links,
encrypted members, zip bombs, 1,001 files, YAML anchors, files not matching the signed
manifest, unsigned or wrongly signed, not a zip at all) through ``import_pack``: each
refused with a French message, nothing written outside its temporary folder, the active
rules unchanged (``fuzz_paths.RULES_PACK``). Fixed seed, bounded examples."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from fuzz_oracles import check
from fuzz_paths import RULES_PACK, PackInput
from fuzz_settings import CI


@CI(max_examples=60)
@given(pack=RULES_PACK.strategy)
def test_a_generated_rules_pack_is_refused_in_french_and_changes_nothing(pack: PackInput, fuzz_work: Any) -> None:
    check(RULES_PACK, pack, fuzz_work())
