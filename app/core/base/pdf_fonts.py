"""The fonts of every PDF Guichet writes (handout, screening report, scenario comparison).

reportlab keeps one font object per TrueType face: a second registration of the same file
under another name silently gets the first object. The handout's fonts must be the
``_LogicalTextFont`` below (its Arabic text would otherwise be copied and read aloud as
presentation forms), so every PDF registers the bundled DejaVu family here, once per process.

Also here: the narrow no-break space (U+202F, the thousands separator of ``formats.euros``)
kept unbreakable inside reportlab's paragraphs.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph as rl_paragraph

from app.core.base.paths import resources_dir

FONT = "GuichetSans"
FONT_BOLD = "GuichetSans-Bold"
FONT_ITALIC = "GuichetSans-Oblique"

_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the bundled DejaVu family once per process; returns the regular name."""
    folder = resources_dir() / "fonts"
    with _lock:
        for name, file in (
            (FONT, "DejaVuSans.ttf"),
            (FONT_BOLD, "DejaVuSans-Bold.ttf"),
            (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
        ):
            pdfmetrics.registerFont(_LogicalTextFont(name, str(folder / file)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)
        _keep_narrow_no_break_space()
    return FONT


def logical_text(char: str) -> str:
    """The text a glyph drawn for ``char`` stands for, as a reader copies it: the
    letters of an Arabic presentation form (the joined shapes HarfBuzz chose: U+FEDF
    is « ل », the ligature U+FEFB is « لا »), any other character itself."""
    if not ("\ufb50" <= char <= "\ufdff" or "\ufe70" <= char <= "\ufefc"):
        return char
    letters = unicodedata.normalize("NFKC", char)
    # The isolated forms of the vowel marks decompose to a space and the mark.
    return letters.lstrip(" ") if letters.strip(" ") and all(unicodedata.combining(c) for c in letters.strip(" ")) \
        else letters


_CMAP_ENTRY = re.compile(r"^<([0-9A-F]{2})> <([0-9A-F]{4})>$", re.MULTILINE)


def _logical_entry(match: re.Match[str]) -> str:
    text = logical_text(chr(int(match.group(2), 16)))
    return f"<{match.group(1)}> <{text.encode('utf-16-be').hex().upper()}>"


class _LogicalTextFont(TTFont):
    """A TrueType font whose PDF text maps every glyph to the letters it stands for.

    reportlab draws a shaped Arabic word with the glyphs HarfBuzz chose, and its
    ToUnicode map gives each glyph the first character the font's cmap lists for it:
    an Arabic presentation form (U+FE8E for a final alef). Copying the text, searching
    it or reading it aloud would then meet presentation forms, not the letters typed.
    Each subset's ToUnicode map is rewritten here once reportlab made it, so that those
    glyphs stand for their letters (``logical_text``). The glyphs are drawn in visual
    order, as in every PDF; text extractors (poppler's pdftotext, pypdf, screen
    readers' PDF engines) turn right-to-left runs back into logical order
    (``tests/core/test_handout_short.py`` checks both).
    """

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - reportlab's name
        before = {name for name in doc.idToObject if name.startswith("toUnicodeCMap:")}
        super().addObjects(doc)
        for name, stream in list(doc.idToObject.items()):
            if name.startswith("toUnicodeCMap:") and name not in before:
                stream.content = _CMAP_ENTRY.sub(_logical_entry, stream.content)


def _keep_narrow_no_break_space() -> None:
    """Make reportlab's paragraphs treat U+202F (the thousands separator of
    ``formats.euros``) as a no-break space, as Unicode says it is.

    reportlab 5.1 already keeps U+00A0 inside words, but lists U+202F among the
    spaces where a line may break, and then replaces it with a plain space: an
    amount could be cut in two and would lose its thousands separator. Paragraph
    text is split by the module-level ``split`` function; we swap it for the same
    function with U+202F left out of the separators. Only the handout draws with
    reportlab in Guichet; ``test_handout`` checks the amounts survive intact.
    """
    if getattr(rl_paragraph.split, "_guichet", False):
        return
    separators = rl_paragraph._wsc.replace("\u202f", "")
    split_on = re.compile("[%s]+" % re.escape(separators)).split

    def split(text: Any, delim: Any = None) -> list[str]:
        if isinstance(text, bytes):
            text = text.decode("utf8")
        if delim is not None and isinstance(delim, bytes):
            delim = delim.decode("utf8")
        return list(split_on(text) if delim is None else text.split(delim))

    split._guichet = True  # type: ignore[attr-defined]
    rl_paragraph.split = split
