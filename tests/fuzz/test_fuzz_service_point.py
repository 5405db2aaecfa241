"""Generated service point files (texts of every length and kind, hostile JSON, logos that
are links, folders, devices, fake or huge images) through ``ServicePoint.from_file``:
refused with French messages naming the file or the field, or read with a real image
(``fuzz_paths.SERVICE_POINT``). Fixed seed, bounded examples."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from fuzz_oracles import check
from fuzz_paths import SERVICE_POINT, PointInput
from fuzz_settings import CI


@CI(max_examples=100)
@given(point=SERVICE_POINT.strategy)
def test_a_generated_service_point_ends_in_named_messages_or_a_printable_point(point: PointInput,
                                                                              fuzz_work: Any) -> None:
    check(SERVICE_POINT, point, fuzz_work())
