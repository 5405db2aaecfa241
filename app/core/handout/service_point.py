"""Checks of the service point printed on the handout (``citizen.ServicePoint``): its
texts' lengths, and its logo, of which only a real PNG or JPEG image of reasonable
size is ever read. Light (no reportlab): the app's dialog checks with it.

``problems`` says, in French and naming each field, what cannot be printed: a text
over ``MAX_LENGTHS`` (a longer one is a pasting error and would make the handout
crawl), a logo ``read_logo`` refuses.

``read_logo`` is the one check of the logo, used when the service point is given (the command
line's ``--service-point`` file, the app's « Point d'accueil » dialog) and again when
the handout is built, which draws the bytes checked here (never re-opening the path).
Refused, with a French message naming the field: a missing file, a symbolic link, a
folder or a device (``/dev/zero`` is never read), an empty file, a file over
``MAX_LOGO_BYTES``, anything whose first bytes are not a PNG or JPEG signature (a
text file named ``.png``), an image Pillow cannot decode, and one over
``MAX_LOGO_SIDE`` pixels a side (a 12,000 × 12,000 PNG, whose pixels would take
hundreds of megabytes). At most ``MAX_LOGO_BYTES + 1`` bytes are read.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.core.base.i18n import t

# Characters at most, per field of the service point.
MAX_LENGTHS = {"name": 80, "address": 200, "phone": 40, "opening_hours": 200, "logo_path": 1000}

MAX_LOGO_BYTES = 2_000_000  # a printed logo 40 mm wide needs a few tens of kilobytes
MAX_LOGO_SIDE = 4000  # pixels
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


class LogoError(ValueError):
    """A logo refused; the message is French and names the field."""


def _refuse(key: str, path: Path, **params: object) -> LogoError:
    return LogoError(t(f"handout.logo.{key}", field=t("handout.logo.field"), logo=str(path)[:200], **params))


def read_logo(path: Path) -> bytes:
    """The bytes of the PNG or JPEG image at ``path``; raises LogoError otherwise."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except (OSError, ValueError):  # ValueError: a NUL byte in the path
        raise _refuse("missing", path) from None
    if stat.S_ISLNK(info.st_mode):
        raise _refuse("symlink", path)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse("not_file", path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        raise _refuse("missing", path) from None
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode):  # replaced between the two looks
            raise _refuse("not_file", path)
        data = handle.read(MAX_LOGO_BYTES + 1)
    if not data:
        raise _refuse("empty", path)
    if len(data) > MAX_LOGO_BYTES:
        raise _refuse("too_big", path, max=f"{MAX_LOGO_BYTES // 1_000_000} Mo")
    if not (data.startswith(PNG_SIGNATURE) or data.startswith(JPEG_SIGNATURE)):
        raise _refuse("not_image", path)
    _check_image(data, path)
    return data


_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOF0-SOF15: the frame header


def dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG's IHDR chunk or a JPEG's frame header, without
    decoding anything; None when the header is not where the format puts it."""
    if data.startswith(PNG_SIGNATURE):
        if data[12:16] != b"IHDR" or len(data) < 24:
            return None
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    index = 2  # after the JPEG's start-of-image marker
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2:index + 4])
        if marker in _JPEG_FRAMES:
            if index + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return int(width), int(height)
        if length < 2:
            return None
        index += 2 + length
    return None


def _check_image(data: bytes, path: Path) -> None:
    """The dimensions from the header first (a huge image is refused before any
    decoding), then Pillow checks the whole file is that image."""
    from PIL import Image

    size = dimensions(data)
    if size is None:
        raise _refuse("damaged", path)
    width, height = size
    if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
        raise _refuse("too_large", path, width=width, height=height, max=MAX_LOGO_SIDE)
    if not width or not height:
        raise _refuse("damaged", path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
                if image.size != size:
                    raise ValueError("header and image disagree")
                image.verify()
    except Exception:  # noqa: BLE001 - whatever Pillow raises for a damaged image
        raise _refuse("damaged", path) from None


def problems(values: Mapping[str, Any]) -> list[str]:
    """French messages, each naming its field, for the values that cannot be printed
    (the app's dialog and the command line refuse the service point with them)."""
    out = []
    for key, limit in MAX_LENGTHS.items():
        text = str(values.get(key) or "").strip()
        if len(text) > limit:
            out.append(t("handout.service_point.too_long", field=t(f"handout.service_point.field.{key}"),
                         count=len(text), max=limit))
    logo = str(values.get("logo_path") or "").strip()
    if logo and len(logo) <= MAX_LENGTHS["logo_path"]:
        try:
            read_logo(Path(logo))
        except LogoError as error:
            out.append(str(error))
    return out
