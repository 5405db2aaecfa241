"""The service point's logo and texts (issue 19, « Files the service point may point
to »): only a real PNG or JPEG image of reasonable size is read; anything else is
refused with a French message naming the field."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.core.handout.citizen import ServicePoint
from app.core.base.i18n import t
from app.core.handout.service_point import (
    JPEG_SIGNATURE,
    MAX_LENGTHS,
    MAX_LOGO_BYTES,
    MAX_LOGO_SIDE,
    PNG_SIGNATURE,
    LogoError,
    problems,
    read_logo,
)

EXAMPLES = settings(max_examples=50, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELD = t("handout.logo.field")


def message(key: str, path: Path, **params: object) -> str:
    return t(f"handout.logo.{key}", field=FIELD, logo=str(path), **params)


def png_bytes(width: int, height: int, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and a valid IHDR chunk announcing ``width`` × ``height``, and no
    pixels: what a 12,000 × 12,000 image looks like before it is decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return PNG_SIGNATURE + chunk


@pytest.mark.parametrize(("width", "height", "fmt"), [(120, 40, "PNG"), (1, 1, "PNG"), (300, 300, "JPEG")])
def test_a_real_png_or_jpeg_is_accepted(tmp_path: Path, width: int, height: int, fmt: str) -> None:
    path = tmp_path / "logo.img"
    path.write_bytes(png_bytes(width, height, fmt))
    assert read_logo(path) == path.read_bytes()
    assert problems({"logo_path": str(path)}) == []


def test_every_kind_of_non_image_is_refused_naming_the_field(tmp_path: Path) -> None:
    empty = tmp_path / "vide.png"
    empty.write_bytes(b"")
    text = tmp_path / "texte.png"
    text.write_text("ceci n'est pas une image", encoding="utf-8")
    real = tmp_path / "vrai.png"
    real.write_bytes(png_bytes(10, 10))
    link = tmp_path / "lien.png"
    link.symlink_to(real)
    huge = tmp_path / "enorme.png"
    huge.write_bytes(png_header_only(12_000, 12_000))
    wide = tmp_path / "large.png"
    wide.write_bytes(png_bytes(MAX_LOGO_SIDE + 1, 1))
    heavy = tmp_path / "lourd.png"
    heavy.write_bytes(PNG_SIGNATURE + b"\0" * MAX_LOGO_BYTES)
    damaged = tmp_path / "abime.jpg"
    damaged.write_bytes(JPEG_SIGNATURE + b"\xe0 pas du JPEG")
    cases = {
        tmp_path / "absent.png": message("missing", tmp_path / "absent.png"),
        empty: message("empty", empty),
        text: message("not_image", text),
        link: message("symlink", link),
        tmp_path: message("not_file", tmp_path),
        huge: message("too_large", huge, width=12_000, height=12_000, max=MAX_LOGO_SIDE),
        wide: message("too_large", wide, width=MAX_LOGO_SIDE + 1, height=1, max=MAX_LOGO_SIDE),
        heavy: message("too_big", heavy, max="2 Mo"),
        damaged: message("damaged", damaged),
    }
    if Path("/dev/zero").exists():
        cases[Path("/dev/zero")] = message("not_file", Path("/dev/zero"))  # never read: it never ends
    for path, expected in cases.items():
        with pytest.raises(LogoError) as raised:
            read_logo(path)
        assert str(raised.value) == expected
        assert str(raised.value).startswith(FIELD + " : ")
        assert problems({"logo_path": str(path)}) == [expected]


@EXAMPLES
@given(content=st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(lambda b: PNG_SIGNATURE + b),
                         st.binary(max_size=300).map(lambda b: JPEG_SIGNATURE + b)))
@example(content=png_header_only(1, 1))
def test_generated_files_are_refused_unless_they_are_real_images(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(content)
    try:
        data = read_logo(path)
    except LogoError as error:
        assert str(error).startswith(FIELD + " : ")
        return
    with Image.open(io.BytesIO(data)) as image:  # accepted: Pillow reads it as a PNG or JPEG
        assert image.format in ("PNG", "JPEG") and max(image.size) <= MAX_LOGO_SIDE


@EXAMPLES
@given(key=st.sampled_from(sorted(MAX_LENGTHS)), extra=st.integers(min_value=1, max_value=100_000))
def test_a_text_over_its_length_is_refused_naming_the_field(key: str, extra: int) -> None:
    value = "x" * (MAX_LENGTHS[key] + extra)
    found = problems({key: value})
    assert found[0] == t("handout.service_point.too_long", field=t(f"handout.service_point.field.{key}"),
                         count=len(value), max=MAX_LENGTHS[key])
    point = ServicePoint.from_values({key: value})  # stored settings are cut, never a hang
    assert all(len(getattr(point, name) or "") <= MAX_LENGTHS[name] for name in ("name", "address", "phone"))


def test_a_refused_logo_is_left_out_of_the_values_and_the_handout(tmp_path: Path) -> None:
    text = tmp_path / "logo.png"
    text.write_text("texte", encoding="utf-8")
    assert ServicePoint.from_values({"name": "CCAS", "logo_path": str(text)}).logo_path is None
    os.symlink("/etc/passwd", tmp_path / "passwd.png")
    assert ServicePoint.from_values({"logo_path": str(tmp_path / "passwd.png")}).logo_path is None


def test_an_unknown_field_is_named_without_its_line_breaks_or_control_characters(tmp_path: Path) -> None:
    # Found by tests/fuzz: a key "nom\n\x1f" was repeated as it was, cutting the message in two lines.
    path = tmp_path / "point.json"
    path.write_text('{"name": "France Services", "nom\\n\\u001fx": "Lyon"}', encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        ServicePoint.from_file(path)
    assert str(raised.value) == t("handout.service_point.unknown_field", path=str(path), field="nom??x",
                                  fields=", ".join(ServicePoint.FIELDS))


def test_a_logo_name_too_long_for_the_disk_is_a_missing_logo(tmp_path: Path) -> None:
    # Found by bench/fuzz.py: a 300-character name raised OSError (File name too long).
    path = tmp_path / "point.json"
    logo = "é" * 300 + ".png"
    path.write_text('{"logo_path": "' + logo + '"}', encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        ServicePoint.from_file(path)
    assert str(raised.value) == t("handout.service_point.no_logo", path=str(path), logo=str(tmp_path / logo))
