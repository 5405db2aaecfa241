"""The reportlab plumbing of the handout: fonts, styles, page templates, QR codes.

What the documents say lives in ``citizen.py`` (citizen) and ``agent.py``
(agent); this module only knows how to put flowables on A4 pages:

* the bundled DejaVu fonts (``base/pdf_fonts.py``), embedded (subset) in every PDF;
* paragraph styles, 11 pt or more everywhere;
* a canvas that numbers pages "Page 1 sur 3" per section (the citizen's pages and
  the agent's appendix are numbered apart, so that each can be printed alone);
* reproducible output: ``invariant=1`` and a creation date taken from the
  document's date, so the same input gives the same bytes;
* right-to-left paragraphs (Arabic): reportlab 5.1 shapes words with HarfBuzz
  (``uharfbuzz``, style ``shaping=1``) but orders them right to left only with
  ``rlbidi``, which is not used here; ``_RightToLeftParagraph`` breaks the logical
  text into lines itself and gives each line to reportlab in visual word order
  (python-bidi), each Arabic word in logical order for HarfBuzz to join and turn;
* agents' texts (names, references, the service point) bounded in length, so that
  a pasted 100,000-character word neither overflows a table cell nor takes seconds
  to break (``bounded``).
"""

from __future__ import annotations

import datetime as dt
import contextlib
import functools
import gc
import io
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    TableStyle,
)

from app.core.base.i18n import current_language, is_right_to_left
from app.core.base.pdf_fonts import FONT, FONT_BOLD, register_fonts


BODY_SIZE = 11  # the detailed version's text
COMPACT_SIZE = 10  # the two-page handout's text, footers: nothing in the handout is smaller
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f3a5f")  # dark blue: headings, rules
TINT = colors.HexColor("#e8eef5")  # light blue-grey: heading bars, summary box
NOTICE_TINT = colors.HexColor("#fff4d6")
NOTICE_EDGE = colors.HexColor("#b7860b")
GREY = colors.HexColor("#555555")

_build_lock = threading.RLock()


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle  # still 11 pt: secondary text is grey, not smaller
    bold: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    total: ParagraphStyle
    amount: ParagraphStyle
    amount_left: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    header_name: ParagraphStyle
    notice_title: ParagraphStyle
    compact: ParagraphStyle  # the two-page handout's text: 10 pt, the minimum
    compact_bold: ParagraphStyle
    compact_right: ParagraphStyle
    compact_h1: ParagraphStyle
    compact_grey: ParagraphStyle
    footer_start: ParagraphStyle
    footer_end: ParagraphStyle


@functools.lru_cache(maxsize=1)
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=BODY_SIZE, leading=13.6, textColor=INK, spaceAfter=1.5,
    )

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **kw)

    return Styles(
        body=body,
        small=derive("small", textColor=GREY, leading=13.6),
        bold=derive("bold", fontName=FONT_BOLD),
        title=derive("title", fontName=FONT_BOLD, fontSize=22, leading=27, textColor=ACCENT, spaceAfter=2),
        subtitle=derive("subtitle", fontSize=12, leading=16, textColor=GREY, spaceAfter=6),
        h1=derive("h1", fontName=FONT_BOLD, fontSize=16, leading=20, textColor=ACCENT, spaceBefore=10, spaceAfter=6),
        h2=derive("h2", fontName=FONT_BOLD, fontSize=13.5, leading=17, textColor=ACCENT, spaceAfter=0),
        h3=derive("h3", fontName=FONT_BOLD, fontSize=BODY_SIZE, leading=14, spaceBefore=4, spaceAfter=1.5),
        total=derive("total", fontName=FONT_BOLD, fontSize=17, leading=22, textColor=ACCENT, spaceAfter=4),
        amount=derive("amount", fontName=FONT_BOLD, fontSize=13.5, leading=17, alignment=TA_RIGHT, textColor=ACCENT, spaceAfter=0),
        amount_left=derive("amount_left", fontName=FONT_BOLD, fontSize=13.5, leading=17, textColor=ACCENT, spaceAfter=0),
        cell=derive("cell", spaceAfter=0, leading=14),
        cell_bold=derive("cell_bold", fontName=FONT_BOLD, spaceAfter=0, leading=14),
        cell_right=derive("cell_right", spaceAfter=0, leading=14, alignment=TA_RIGHT),
        header_name=derive("header_name", fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=1),
        notice_title=derive("notice_title", fontName=FONT_BOLD, fontSize=12, leading=16, spaceAfter=3),
        compact=derive("compact", fontSize=COMPACT_SIZE, leading=11.6, spaceAfter=0),
        compact_bold=derive("compact_bold", fontName=FONT_BOLD, fontSize=COMPACT_SIZE, leading=11.6, spaceAfter=0),
        compact_right=derive("compact_right", fontName=FONT_BOLD, fontSize=COMPACT_SIZE, leading=11.6, spaceAfter=0,
                             alignment=TA_RIGHT),
        compact_h1=derive("compact_h1", fontName=FONT_BOLD, fontSize=13, leading=16, textColor=ACCENT,
                          spaceBefore=7, spaceAfter=3),
        compact_grey=derive("compact_grey", fontSize=COMPACT_SIZE, leading=11.6, spaceAfter=0, textColor=GREY),
        footer_start=derive("footer_start", fontSize=COMPACT_SIZE, leading=12, textColor=GREY, spaceAfter=0),
        footer_end=derive("footer_end", fontName=FONT_BOLD, fontSize=COMPACT_SIZE, leading=12, textColor=GREY,
                          spaceAfter=0, alignment=TA_RIGHT),
    )


_SPACE_BEFORE = re.compile(r" ([:;!?»])")


def french_spacing(text: str) -> str:
    """No-break spaces where French typography puts them (before « : ; ! ? » and after
    «), so that a line never starts with a colon or a closing quote."""
    return _SPACE_BEFORE.sub("\u00a0\\1", text).replace("« ", "«\u00a0")


def markup(text: str) -> str:
    """Plain text made safe for paragraph markup, with French spacing."""
    return escape(french_spacing(text))


class _Paragraph(Paragraph):
    """A paragraph that remembers its line breaking for the last width it was given.

    Tables and KeepTogether ask the same paragraph to wrap two or three times at the
    same width; the lines depend on the width only, so they are computed once
    (about a quarter of the build time, bench/handout.py)."""

    _wrapped_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._wrapped_for == availWidth and "blPara" in self.__dict__:  # split() may drop it
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return size


def para(text: str, style: ParagraphStyle) -> Flowable:
    """A paragraph of plain text (escaped: texts come from the catalogue and the agent);
    right to left while a right-to-left language is being written."""
    if is_right_to_left():
        return _RightToLeftParagraph(text, style)
    return _Paragraph(markup(text), style)


def left_to_right(text: str, style: ParagraphStyle) -> Flowable:
    """A paragraph that stays left to right in every language (a benefit's French
    name, an address), aligned on the reading side."""
    if is_right_to_left():
        return _Paragraph(markup(text), style.clone(style.name + "_ltr_in_rtl", alignment=_MIRRORED[style.alignment]))
    return _Paragraph(markup(text), style)


_TAGS = re.compile(r"<[^>]+>")


def rich(markup: str, style: ParagraphStyle) -> Flowable:
    """A paragraph whose markup the caller built from escaped parts (right to left: the
    text without its markup)."""
    if is_right_to_left():
        from xml.sax.saxutils import unescape

        return _RightToLeftParagraph(unescape(_TAGS.sub("", markup.replace("<br/>", " "))), style)
    return _Paragraph(markup, style)


# --------------------------------------------------------------------------- right to left

_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_OPENING, _CLOSING = "([{«", ")]}»"
_MIRROR = str.maketrans("()[]{}«»", ")(][}{»«")
_MIRRORED = {0: TA_RIGHT, 1: 1, 2: TA_LEFT, 4: 4, TA_LEFT: TA_RIGHT, TA_RIGHT: TA_LEFT}
_NO_ISOLATES = {0x2066: None, 0x2067: None, 0x2068: None, 0x2069: None}


def isolate(text: str) -> str:
    """Left-to-right text (a phone number, an address) kept in its order inside a
    right-to-left sentence (Unicode isolates, removed before drawing)."""
    return f"\u2066{text}\u2069" if is_right_to_left() else text


RTL_SAFETY = 0.97  # the width of a line of words measured one by one, with a little slack


@functools.lru_cache(maxsize=4096)
def _word_width(word: str, font: str, size: float) -> float:
    """A word's width as drawn: shaped by HarfBuzz when it is Arabic (joined letters are
    about a quarter narrower than the same letters alone)."""
    width = pdfmetrics.stringWidth(word, font, size)
    if not _RTL_CHARS.search(word):
        return width
    from reportlab.lib.abag import ABag
    from reportlab.pdfbase.ttfonts import shapeFragWord

    shaped = shapeFragWord([width, (ABag(fontName=font, fontSize=size), word)], force=True)
    return float(shaped[0])


def visual_words(line: str) -> str:
    """One line of logical text in visual order for reportlab: the words right to left
    (python-bidi's order), an Arabic word kept in logical order (HarfBuzz shapes and
    turns it), brackets that bidi left facing the wrong way turned round (python-bidi
    0.6 does not mirror)."""
    from bidi import get_display

    out = []
    for word in get_display(line, base_dir="R").translate(_NO_ISOLATES).split(" "):
        if _RTL_CHARS.search(word):
            out.append(word[::-1])
            continue
        if word[:1] in _CLOSING:
            word = word[:1].translate(_MIRROR) + word[1:]
        if word[-1:] in _OPENING:
            word = word[:-1] + word[-1:].translate(_MIRROR)
        out.append(word)
    return " ".join(out)


_SPACES = re.compile(r"[ \t\n]+")


def _break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking of logical text at spaces; a word wider than the line is cut."""
    lines: list[str] = []
    current = ""
    space = pdfmetrics.stringWidth(" ", font, size)
    used = 0.0
    for word in _SPACES.split(text.strip()):  # not str.split(): no-break spaces keep an amount whole
        word_width = _word_width(word, font, size)
        while word_width > width and len(word) > 1:  # an unbroken word longer than the line
            cut = max(1, int(len(word) * width / word_width))
            if current:
                lines.append(current)
                current, used = "", 0.0
            lines.append(word[:cut])
            word = word[cut:]
            word_width = _word_width(word, font, size)
        if current and used + space + word_width > width:
            lines.append(current)
            current, used = word, word_width
        else:
            current = f"{current} {word}" if current else word
            used = used + space + word_width if used else word_width
    if current:
        lines.append(current)
    return lines or [""]


def _isolates_per_line(lines: list[str]) -> list[str]:
    """An isolated left-to-right run (``isolate``) cut by a line break is closed at the
    end of the line and opened again on the next: bidi orders each line alone."""
    out, open_run = [], False
    for line in lines:
        if open_run:
            line = "\u2066" + line
        open_run = line.count("\u2066") > line.count("\u2069")
        out.append(line + "\u2069" if open_run else line)
    return out


@functools.lru_cache(maxsize=256)
def _rtl_style(style: ParagraphStyle) -> ParagraphStyle:
    """The style mirrored for right-to-left text, shaped by HarfBuzz (one per style)."""
    return style.clone(style.name + "_rtl", alignment=_MIRRORED[style.alignment], shaping=1)


# Laid-out right-to-left paragraphs by (text, width, style): the two-page handout
# measures several candidate layouts made of the same texts, and reportlab shapes
# every word again at each line breaking (bench/handout.py: the Arabic build took
# 2.5 times the French one). A paragraph is only read once wrapped, so one object
# serves every flowable with the same text, width and style.
_RTL_LAID_OUT: dict[tuple[str, float, ParagraphStyle], Paragraph] = {}
_RTL_LAID_OUT_MAX = 4096


def forget_laid_out_paragraphs() -> None:
    """Empty the cache of laid-out right-to-left paragraphs (bench/handout.py times a
    household's first build with it)."""
    _RTL_LAID_OUT.clear()


class _RightToLeftParagraph(Flowable):
    """A paragraph of right-to-left text: lines broken here, in logical order, then
    drawn by a reportlab paragraph (one forced line each, visual order, shaped)."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = text
        self.style = _rtl_style(style)
        self._inner: Paragraph | None = None
        self._width: float | None = None

    def _paragraph(self, width: float) -> Paragraph:
        if self._inner is None or self._width != width:
            key = (self.text, width, self.style)
            inner = _RTL_LAID_OUT.get(key)
            if inner is None:
                lines = _isolates_per_line(
                    _break_lines(self.text, self.style.fontName, self.style.fontSize, width * RTL_SAFETY))
                inner = _Paragraph("<br/>".join(escape(visual_words(line)) for line in lines), self.style)
                if len(_RTL_LAID_OUT) >= _RTL_LAID_OUT_MAX:
                    _RTL_LAID_OUT.clear()
                _RTL_LAID_OUT[key] = inner
            self._inner = inner
            self._width = width
        return self._inner

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        width, height = self._paragraph(availWidth).wrap(availWidth, availHeight)
        self.width, self.height = width, height
        return width, height

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:  # noqa: N802
        return float(self.style.spaceAfter)

    def draw(self) -> None:
        assert self._inner is not None
        self._inner.drawOn(self.canv, 0, 0)


# --------------------------------------------------------------------------- bounded texts

NAME_LIMIT = 60  # a first name, a case reference
LINE_LIMIT = 160  # the service point's name, phone
TEXT_LIMIT = 400  # an address, opening hours
LONG_WORD = 40  # a "word" longer than this is cut with spaces


def bounded(text: str, limit: int) -> str:
    """An agent's text made safe for the page: at most ``limit`` characters (then « … »),
    and no unbroken word longer than ``LONG_WORD`` characters (cut with spaces).
    Ordinary texts come back unchanged."""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if len(text) > LONG_WORD and any(len(word) > LONG_WORD for word in text.split()):
        text = " ".join(
            " ".join(word[i:i + LONG_WORD] for i in range(0, len(word), LONG_WORD)) for word in text.split(" ")
        )
    return text


def link(url: str) -> str:
    """Markup of a clickable address (escaped)."""
    safe = escape(url, {'"': "&quot;"})
    return f'<link href="{safe}" color="#1f3a5f"><u>{escape(url)}</u></link>'


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """A table style whose cells use the bundled font (reportlab's default cell font
    is Helvetica, which would be referenced without being embedded)."""
    return TableStyle([("FONT", (0, 0), (-1, -1), FONT, BODY_SIZE), *commands])


def bullets(items: Sequence[str], style: ParagraphStyle | None = None) -> Flowable:
    style = style or styles().body
    if is_right_to_left():  # the bullet on the reading side, part of the line; a table fits in a cell
        from reportlab.platypus import Table

        return Table([[para(f"• {item}", style)] for item in items], style=table_style([
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return ListFlowable(
        [ListItem(para(item, style), value="•") for item in items],
        bulletType="bullet",
        bulletFontName=FONT,
        bulletFontSize=BODY_SIZE,
        leftIndent=13,
        bulletDedent=13,
        start="•",
    )


# --------------------------------------------------------------------------- QR codes


@functools.lru_cache(maxsize=64)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of the QR code encoding ``payload`` (medium error correction,
    no quiet zone: the flowable draws its own white margin)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


@functools.lru_cache(maxsize=64)
def _qr_path(payload: str) -> str:
    """PDF path operators filling the dark modules, one unit per module, origin at
    the bottom left (rows of adjacent dark modules merged into one rectangle)."""
    matrix = qr_matrix(payload)
    size = len(matrix)
    ops = []
    for r, row in enumerate(matrix):
        y = size - r - 1
        c = 0
        while c < size:
            if row[c]:
                start = c
                while c < size and row[c]:
                    c += 1
                ops.append(f"{start} {y} {c - start} 1 re")
            else:
                c += 1
    return "\n".join(ops) + "\nf"


class QRFlowable(Flowable):
    """A QR code drawn as vector squares, with a link annotation to the same address."""

    def __init__(self, payload: str, size: float = 28 * mm, quiet: int = 2) -> None:
        super().__init__()
        self.payload = payload
        self.modules = len(qr_matrix(payload))
        self.size = size
        self.quiet = quiet  # modules of white margin on each side (inside ``size``)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        module = self.size / (self.modules + 2 * self.quiet)
        canvas.saveState()
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.translate(self.quiet * module, self.quiet * module)
        canvas.scale(module, module)
        canvas.addLiteral(_qr_path(self.payload))  # integers only: formatted once per address
        canvas.restoreState()
        canvas.linkURL(self.payload, (0, 0, self.size, self.size), relative=1, thickness=0)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Section:
    """One independently numbered part of a document (citizen's pages, agent's pages)."""

    name: str
    footer_left: str
    running_header: str  # drawn at the top of the section's pages after its first
    language: str = "fr"  # of its texts (the footers are drawn in it)


class _NumberedCanvas(Canvas):
    """Keeps every page until the end, then draws "Page n sur N" per section."""

    def __init__(self, *args: Any, sections: dict[str, Section], created: dt.date, **kwargs: Any) -> None:
        kwargs["initialFontName"] = FONT
        kwargs["initialFontSize"] = BODY_SIZE
        super().__init__(*args, **kwargs)
        self._sections = sections
        self._saved_pages: list[dict[str, Any]] = []
        self._section_name = next(iter(sections))
        # The creation date is the document's date (reproducible), not the build time.
        self.setDateFormatter(
            lambda *_parts: "D:%04d%02d%02d000000+00'00'" % (created.year, created.month, created.day)
        )

    def set_section(self, name: str) -> None:
        self._section_name = name

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals: dict[str, int] = {}
        for state in self._saved_pages:
            totals[state["_section_name"]] = totals.get(state["_section_name"], 0) + 1
        seen: dict[str, int] = {}
        for state in self._saved_pages:
            self.__dict__.update(state)
            name = state["_section_name"]
            seen[name] = seen.get(name, 0) + 1
            self._decorate(self._sections[name], seen[name], totals[name])
            Canvas.showPage(self)
        Canvas.save(self)

    def _decorate(self, section: Section, page: int, total: int) -> None:
        from app.core.base.i18n import language

        with language(section.language):
            self._draw_decoration(section, page, total)

    def _draw_decoration(self, section: Section, page: int, total: int) -> None:
        from app.core.base.i18n import t

        self.saveState()
        self.setFillColor(GREY)
        self.setStrokeColor(ACCENT)
        self.setLineWidth(0.6)
        y = MARGIN_BOTTOM - 9 * mm
        self.line(MARGIN_X, y + 5 * mm, PAGE_WIDTH - MARGIN_X, y + 5 * mm)
        s = styles()
        half = FRAME_WIDTH / 2
        # Drawn as paragraphs: shaped and right to left in Arabic (the page number on the left).
        left = para(section.footer_left, s.footer_start)
        right = para(t("handout.footer.page", page=page, total=total), s.footer_end)
        if is_right_to_left():  # mirrored: the title on the right, the page number on the left
            left, right = right, left
        for flowable, x in ((left, MARGIN_X), (right, MARGIN_X + half)):
            flowable.wrapOn(self, half, 20)
            flowable.drawOn(self, x, y - 2)
        if page > 1 and section.running_header:
            top = PAGE_HEIGHT - MARGIN_TOP + 7 * mm
            header = para(section.running_header, s.footer_start)
            header.wrapOn(self, FRAME_WIDTH, 20)
            header.drawOn(self, MARGIN_X, top - 2)
            self.line(MARGIN_X, top - 2.5 * mm, PAGE_WIDTH - MARGIN_X, top - 2.5 * mm)
        self.restoreState()


class _SectionStart(Flowable):
    """Zero-size marker: the pages from here on belong to ``name``."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canvas = self.canv
        if isinstance(canvas, _NumberedCanvas):
            canvas.set_section(self.name)


def new_section(name: str) -> list[Flowable]:
    """Flowables that start a new section on a new page."""
    return [NextPageTemplate(name), PageBreak(), _SectionStart(name)]


@contextlib.contextmanager
def building() -> Iterator[None]:
    """Around the making of one document (its flowables and its layout).

    reportlab keeps settings in globals: one build at a time (re-entrant), and the
    streams are left binary (zlib only; ASCII85 on top makes the file 25 % bigger
    and slower). The cyclic garbage collector is paused meanwhile: with OpenFisca
    loaded in the same process (CLI), its passes over ~500,000 objects took 40 % of
    the build time (bench/handout.py); the build's garbage is collected later.
    """
    with _build_lock:
        use_a85 = rl_config.useA85
        collecting = gc.isenabled()
        rl_config.useA85 = 0
        gc.disable()
        try:
            yield
        finally:
            rl_config.useA85 = use_a85
            if collecting:
                gc.enable()


PDF_LANGUAGES = {"fr": "fr-FR", "en": "en", "es": "es", "pt": "pt", "ar": "ar"}  # the PDF's /Lang


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    creator: str


def render(
    parts: Sequence[tuple[Section, Sequence[Flowable]]],
    metadata: Metadata,
    created: dt.date,
) -> bytes:
    """Lay out the sections one after the other and return the PDF bytes.

    Raises reportlab's ``LayoutError`` if a flowable can never fit a page (a bug:
    every block of the handout is made to fit)."""
    register_fonts()
    sections = {section.name: section for section, _ in parts}
    buffer = io.BytesIO()

    def frame() -> Frame:
        return Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, 0, 0, 0, 0, id="body")

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        pageTemplates=[PageTemplate(id=name, frames=[frame()], pagesize=A4) for name in sections],
        title=metadata.title,
        author=metadata.author,
        subject=metadata.subject,
        creator=metadata.creator,
        invariant=1,
        pageCompression=1,
        lang=PDF_LANGUAGES.get(current_language(), current_language()),
        displayDocTitle=1,
    )
    story: list[Flowable] = []
    for index, (section, flowables) in enumerate(parts):
        if index:
            story.extend(new_section(section.name))
        story.extend(flowables)
    canvasmaker: Callable[..., Canvas] = functools.partial(_NumberedCanvas, sections=sections, created=created)
    with building():
        doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()
