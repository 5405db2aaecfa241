"""The citizen's handout by default: two A4 pages, one sheet front and back.

Page 1: the service point and the date, the estimated total, the notice that it is an
estimate, and one table row per benefit to request (the amount, who pays, how to apply
in one line with a short link), then one QR code per paying body (or per place where
the claim is made: the AAH is paid by the CAF but asked from the MDPH).

Page 2: the papers to prepare as one checklist (a paper asked by three benefits is
there once, with the three benefits named), the conditions to confirm, the benefits
that come without a claim, those already received, those that could not be computed,
and the service point's contact with the date.

Page 2 is measured before the build: when the conditions of many benefits would push
it onto a third page, each benefit keeps its first conditions and says how many more
the « version détaillée » has (``HandoutOptions(detailed=True)``: every block).

Texts in the handout's language (``i18n.language``); a benefit's name in French, then
its translation (``resources/i18n/<lang>/catalogue.yaml``); the papers and the
conditions are the catalogue's French texts, papers translated beside them when the
language has them.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table

from app.core.base import formats
from app.core.benefits.benefit import Benefit
from app.core.handout.layout import (
    ACCENT,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    NOTICE_EDGE,
    NOTICE_TINT,
    TINT,
    QRFlowable,
    isolate,
    left_to_right,
    para,
    styles,
    table_style,
)
from app.core.base.i18n import current_language, has, is_right_to_left, t
from app.core.handout.citizen import (
    Context,
    amount_text,
    benefit_name,
    box,
    contact_lines,
    fact_lines,
    logo_flowable,
    qr_target,
    received_amount,
    total_lines,
)

if TYPE_CHECKING:
    from app.core.benefits.results import BenefitResult

QR_SIZE = 25 * mm
QR_SIZE_TIGHT = 20 * mm  # modules of 0.45 mm or more for the addresses of the catalogue: still read by a phone
QR_PER_ROW = 4
QR_MAX_PER_ROW = 6
GRID = colors.HexColor("#9a9a9a")  # rules between rows: visible in black and white


# --------------------------------------------------------------------------- helpers


def _row(cells: list[Any]) -> list[Any]:
    """A table row in reading order: right to left in Arabic."""
    return list(reversed(cells)) if is_right_to_left() else cells


def _widths(widths: list[float]) -> list[float]:
    return list(reversed(widths)) if is_right_to_left() else widths


def _table(data: list[list[Any]], widths: list[float], commands: Sequence[tuple[Any, ...]] = ()) -> Table:
    return Table([_row(r) for r in data], colWidths=_widths(widths), style=table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *commands,
    ]))


def paper_key(text: str) -> str:
    """The key of a paper's translation: its French text in lower-case ASCII words."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "catalogue.paper." + "_".join(re.findall(r"[a-z0-9]+", plain))[:80]


def same_paper(text: str) -> str:
    """What makes two papers the same: case, accents, spaces and final dots aside."""
    return paper_key(text)


def host(url: str) -> str:
    """The short link printed: the site's name without « www. » (caf.fr)."""
    name = urlsplit(url).hostname or url
    return re.sub(r"^(www|wwwd)\.", "", name)


def _domain(url: str) -> str:
    return ".".join(host(url).split(".")[-2:])


def _how(benefit: Benefit) -> str:
    """How to apply, in one line."""
    apply = benefit.apply
    if apply.online is not None and apply.online.url:
        return t("handout.short.how_online", site=host(apply.online.url))
    if apply.paper is not None:
        if apply.paper.cerfa:
            return t("handout.short.how_cerfa", number=apply.paper.cerfa)
        return t("handout.short.how_paper")
    return t("handout.short.how_desk")


# --------------------------------------------------------------------------- QR codes


@dataclass(frozen=True)
class QRGroup:
    """One QR code: where it leads, who takes the claims there, for which benefits."""

    target: str
    body: str
    benefits: tuple[Benefit, ...]


def qr_groups(rows: list[tuple[Benefit, BenefitResult]]) -> list[QRGroup]:
    """One QR code per paying body: its online claims page (``paying_body.url``) when
    the benefit is asked on the body's own site, else the benefit's own address (the
    MDPH's site for the AAH), one per distinct address, in the table's order."""
    groups: dict[str, tuple[str, list[Benefit]]] = {}
    for benefit, _item in rows:
        own = qr_target(benefit)
        if own is None:
            continue
        body_url = benefit.paying_body.url
        if body_url and _domain(body_url) == _domain(own):
            target, body = body_url, benefit.paying_body.short
        else:
            target, body = own, host(own)
        groups.setdefault(target, (body, []))[1].append(benefit)
    return [QRGroup(target, body, tuple(benefits)) for target, (body, benefits) in groups.items()]


def _qr_strip(rows: list[tuple[Benefit, BenefitResult]], size: float = QR_SIZE) -> list[Flowable]:
    """The QR codes side by side, each over its paying body and its benefits; in the
    tight layout (``QR_SIZE_TIGHT``) with more codes than one row holds, three to a
    row with the texts beside each code (``_qr_grid``)."""
    groups = qr_groups(rows)
    if not groups:
        return []
    s = styles()
    if size != QR_SIZE and len(groups) > QR_MAX_PER_ROW:
        return _qr_title_with(_qr_grid(groups, size))
    cells: list[list[Flowable]] = []
    for group in groups:
        names = ", ".join(b.short_label for b in group.benefits)
        cell: list[Flowable] = [QRFlowable(group.target, size=min(size, FRAME_WIDTH / QR_MAX_PER_ROW - 6)),
                                _body_label(group)]
        if group.body != host(group.target) and size == QR_SIZE:  # tight: the table's rows name the site
            cell.append(left_to_right(host(group.target), s.compact))
        cells.append(cell + [left_to_right(names, s.compact_grey)])
    per_row = max(QR_PER_ROW, min(len(cells), QR_MAX_PER_ROW))  # up to six side by side: one row
    width = FRAME_WIDTH / per_row
    data = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
    data = [row + [[] for _ in range(per_row - len(row))] for row in data]
    return _qr_title_with(_table(data, [width] * QR_PER_ROW, [("LEFTPADDING", (0, 0), (-1, -1), 0)]))


def _body_label(group: QRGroup) -> Flowable:
    """The paying body over its code; a site's name (mdphenligne.cnsa.fr) left to right."""
    style = styles().compact_bold
    return left_to_right(group.body, style) if group.body == host(group.target) else para(group.body, style)


def _qr_title_with(codes: Flowable) -> list[Flowable]:
    return [KeepTogether([  # the title never alone at the foot of page 1
        Spacer(1, 2 * mm),
        para(t("handout.short.qr_title"), styles().compact_bold),
        codes,
    ])]


QR_GRID_COLUMNS = 3


def _qr_grid(groups: list[QRGroup], size: float) -> Table:
    """Three codes to a row, the paying body and its benefits to the side of each code
    (reading side): a row is as tall as a code, where codes over their texts took
    two rows of texts more."""
    s = styles()
    width = FRAME_WIDTH / QR_GRID_COLUMNS
    cells: list[Table] = []
    for group in groups:
        names = ", ".join(b.short_label for b in group.benefits)
        text = [_body_label(group), left_to_right(names, s.compact_grey)]
        cells.append(_table([[QRFlowable(group.target, size=size), text]], [size + 2 * mm, width - size - 2 * mm],
                            [("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    data: list[list[Any]] = [list(cells[i:i + QR_GRID_COLUMNS]) for i in range(0, len(cells), QR_GRID_COLUMNS)]
    data = [row + [""] * (QR_GRID_COLUMNS - len(row)) for row in data]
    return _table(data, [width] * QR_GRID_COLUMNS, [("LEFTPADDING", (0, 0), (-1, -1), 0)])


# --------------------------------------------------------------------------- page 1


def header(context: Context) -> list[Flowable]:
    s = styles()
    point = context.service_point
    left: list[Flowable] = []
    logo = logo_flowable(point.logo_path)
    if logo is not None:
        left.append(logo)
    left.append(left_to_right(point.name, s.header_name))
    right = [para(t("handout.header.date", date=formats.date(context.day)), s.compact),
             para(t("handout.header.month", month=formats.month(context.result.month)), s.compact)]
    return [
        _table([[left, right]], [FRAME_WIDTH * 0.60, FRAME_WIDTH * 0.40],
               [("LEFTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 0.8, ACCENT)]),
        Spacer(1, 3 * mm),
        para(t("handout.title"), s.title),
    ]


def _total_and_notice(context: Context) -> list[Flowable]:
    s = styles()
    notice = [para(t("handout.short.notice"), s.compact)]
    notice += [para(f"{t('handout.notice.warnings')} {w}", s.compact) for w in context.warnings()]
    return [box(total_lines(context, s.compact, s.compact_bold), TINT), Spacer(1, 2 * mm),
            box(notice, NOTICE_TINT, NOTICE_EDGE)]


def _benefits_table(context: Context, tight: bool = False) -> list[Flowable]:
    s = styles()
    rows = context.to_request()
    if not rows:
        return [Spacer(1, 4 * mm), para(t("handout.summary.nothing"), s.compact_bold)]
    data: list[list[Any]] = [[
        para(t("handout.summary.column_benefit"), s.compact_bold),
        para(t("handout.summary.column_amount"), s.compact_bold),
        para(t("handout.short.column_payer"), s.compact_bold),
        para(t("handout.short.column_how"), s.compact_bold),
    ]]
    for benefit, item in rows:
        how = [para(_how(benefit), s.compact)]
        if item.status == "to_check":
            how.append(para(t("handout.short.to_check"), s.compact_grey))
        data.append([
            benefit_name(benefit, s.compact_bold, tight),
            para(amount_text(benefit, item), s.compact_bold),
            para(benefit.paying_body.short, s.compact),
            how,
        ])
    # « 1 234,50 € par mois » on one line; a wider name column when a translation follows it
    # (tight: a wider name column; « 1 234,50 € par mois » still on one line in French)
    if tight:
        shares = (0.36, 0.25, 0.13, 0.26) if current_language() == "fr" else (0.40, 0.24, 0.12, 0.24)
    else:
        shares = (0.31, 0.25, 0.13, 0.31) if current_language() == "fr" else (0.37, 0.24, 0.12, 0.27)
    widths = [FRAME_WIDTH * w for w in shares]
    table = _table(data, widths, [
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, GRID),
        *([("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)] if tight else []),
    ])
    table.repeatRows = 1
    return [para(t("handout.section.to_request"), s.compact_h1), table]


# --------------------------------------------------------------------------- page 2


@dataclass(frozen=True)
class Paper:
    """One paper of the checklist and the benefits that ask for it."""

    text: str
    benefits: tuple[Benefit, ...]


def papers(rows: list[tuple[Benefit, BenefitResult]]) -> list[Paper]:
    """Every paper the benefits to request ask for, each once (in the order first
    asked), with the benefits that ask for it."""
    found: dict[str, tuple[str, list[Benefit]]] = {}
    for benefit, _item in rows:
        for text in benefit.documents:
            entry = found.setdefault(same_paper(text), (text, []))
            if benefit not in entry[1]:
                entry[1].append(benefit)
    return [Paper(text, tuple(benefits)) for text, benefits in found.values()]


def _papers(context: Context, translated: bool = True, tight: bool = False) -> list[Flowable]:
    """The checklist, in two columns (read row by row); each paper's translation under
    it when ``translated``."""
    items = papers(context.to_request())
    if not items:
        return []
    s = styles()
    cells: list[list[Flowable]] = []
    for paper in items:
        key = paper_key(paper.text)
        names = ", ".join(b.short_label for b in paper.benefits)
        if not translated and tight:  # one paragraph each
            cell = [left_to_right(f"☐ {paper.text} — {t('handout.short.paper_for', names=names)}", s.compact)]
        elif translated and current_language() != "fr" and has(key):  # the French text, then the translation
            cell = [left_to_right(f"☐ {paper.text}", s.compact),
                    para(f"{t(key)} · {t('handout.short.paper_for', names=names)}", s.compact_grey)]
        else:
            cell = [left_to_right(f"☐ {paper.text}", s.compact),
                    para(t("handout.short.paper_for", names=names), s.compact_grey)]
        cells.append(cell)
    half = (len(cells) + 1) // 2  # first column down, then the second: the order asked
    data = [[cells[i], cells[half + i] if half + i < len(cells) else []] for i in range(half)]
    return [
        para(t("handout.short.papers_title"), s.compact_h1),
        para(t("handout.short.papers_intro"), s.compact),
        _table(data, [FRAME_WIDTH / 2] * 2, [("LINEBELOW", (0, 0), (-1, -1), 0.5, GRID),
                                             ("LEFTPADDING", (0, 0), (-1, -1), 1)]),
    ]


def _conditions(context: Context, keep: int | None) -> list[Flowable]:
    """Each benefit's conditions to confirm; with ``keep``, the first ``keep`` of them
    and how many more the detailed version has."""
    rows = [(b, r) for b, r in context.to_request() if b.conditions_to_check]
    if not rows:
        return []
    s = styles()
    data = []
    for benefit, _item in rows:
        shown = benefit.conditions_to_check if keep is None else benefit.conditions_to_check[:keep]
        lines: list[Flowable] = [left_to_right(f"– {c}", s.compact) for c in shown]
        more = len(benefit.conditions_to_check) - len(shown)
        if more:
            lines.append(para(t("handout.short.more_conditions", count=more), s.compact_grey))
        data.append([left_to_right(benefit.short_label, s.compact_bold), lines])
    return [
        para(t("handout.block.conditions"), s.compact_h1),
        _table(data, [FRAME_WIDTH * 0.25, FRAME_WIDTH * 0.75], [("LINEBELOW", (0, 0), (-1, -1), 0.5, GRID)]),
    ]


def _other_benefits(context: Context, tight: bool = False) -> list[Flowable]:
    """Benefits coming without a claim, already received, and not computed (``tight``:
    without the sections' introductions)."""
    s = styles()
    out: list[Flowable] = []
    for title, intro, rows in (
        (t("handout.section.automatic"), t("handout.short.automatic_line"), context.automatic()),
        (t("handout.section.already"), t("handout.section.already_intro"), context.already_received()),
    ):
        if not rows:
            continue
        data = [[benefit_name(b, s.compact_bold, tight), para(received_amount(b, r), s.compact_bold),
                 para(b.paying_body.short, s.compact)] for b, r in rows]
        out += [para(title, s.compact_h1), *([] if tight else [para(intro, s.compact)]),
                _table(data, [FRAME_WIDTH * w for w in (0.50, 0.32, 0.18)],
                       [("LINEBELOW", (0, 0), (-1, -1), 0.5, GRID)])]
    failed = context.failed()
    if failed:
        out += [para(t("handout.section.errors"), s.compact_h1), para(t("handout.section.errors_intro"), s.compact)]
        out += [left_to_right(f"– {b.label} ({b.paying_body.short})", s.compact) for b, _r in failed]
    return out


def _contact(context: Context, tight: bool = False) -> list[Flowable]:
    s = styles()
    lines: list[Flowable] = [para(t("handout.short.contact_title"), s.compact_bold),
                             *contact_lines(context, s.compact_bold, s.compact)]
    facts = fact_lines(context, t("handout.short.given_on", date=formats.date(context.day)))
    if tight:  # the rules' version is in the detailed version and the agent's copy
        facts = [line for line in facts if not line.startswith(t("handout.header.rules", version=""))]
    facts.append(t("handout.short.detailed_exists"))
    columns = _table([[lines, [para(line, s.compact_grey) for line in facts]]], [FRAME_WIDTH * 0.5 - 9] * 2,
                     [("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return [Spacer(1, 3 * mm), box([columns], TINT)]


def _height(flowables: list[Flowable]) -> float:
    """The height the flowables take in the frame (measured on a scratch canvas)."""
    canvas = Canvas(io.BytesIO())
    total = 0.0
    for flowable in flowables:
        if isinstance(flowable, KeepTogether):  # its own wrap answers « too tall » outside a frame
            total += _height(list(flowable._content))
            continue
        _w, h = flowable.wrapOn(canvas, FRAME_WIDTH, FRAME_HEIGHT * 4)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _fit(context: Context, tight: bool) -> tuple[list[Flowable], bool]:
    """Page 1, then page 2 made to fit one page. The QR codes end page 1 when they fit
    there, else they open page 2. Then the conditions are shortened (each benefit keeps
    its first ones, the detailed version has them all), then said in one sentence; if
    page 2 is still too long, the service point's box goes at the foot of page 1 when
    there is room there, and at last page 2 starts where page 1 ends (the papers'
    translations left to the detailed version if needed). Returns the story and
    whether it fits two pages by the measures."""
    page_one = [*header(context), *_total_and_notice(context), *_benefits_table(context, tight)]
    codes = _qr_strip(context.to_request(), QR_SIZE_TIGHT if tight else QR_SIZE)
    slack = 14 * mm  # reportlab's own rounding, the tables' paddings, the headings kept with what follows
    full = FRAME_HEIGHT - slack
    checklist, others, contact = _papers(context), _other_benefits(context, tight), _contact(context, tight)
    if _height(page_one + codes) <= full:
        page_one += codes
        codes = []
    room = full - _height(codes + checklist + others + contact)
    conditions: list[Flowable] = []
    for keep in (None, 3, 2, 1):
        conditions = _conditions(context, keep)
        if _height(conditions) <= room:
            return [*page_one, PageBreak(), *codes, *checklist, *conditions, *others, *contact], True
    conditions = _conditions_elsewhere(context)
    page_two = [*codes, *checklist, *conditions, *others]
    if _height(page_two + contact) <= full:
        return [*page_one, PageBreak(), *page_two, *contact], True
    for translated in (True, False):  # the papers' translations left to the detailed version if needed
        if not translated:
            page_two = [*codes, *_papers(context, translated=False, tight=tight), *conditions, *others]
        if _height(page_one + contact) <= full and _height(page_two) <= full:  # the service point on page 1
            return [*page_one, *contact, PageBreak(), *page_two], True
        if _height(page_two + contact) <= full:
            return [*page_one, PageBreak(), *page_two, *contact], True
    # Flowing: a page break inside the checklist loses up to one of its rows' height.
    story = [*page_one, *page_two, *contact]
    return story, _height(story) <= 2 * FRAME_HEIGHT - 3 * slack


def _conditions_elsewhere(context: Context) -> list[Flowable]:
    """The conditions in one sentence: which benefits have some, where to read them."""
    rows = [b for b, _r in context.to_request() if b.conditions_to_check]
    if not rows:
        return []
    s = styles()
    names = ", ".join(b.short_label for b in rows)
    return [para(t("handout.block.conditions"), s.compact_h1),
            para(t("handout.short.conditions_elsewhere", names=isolate(names)), s.compact)]


def short_story(context: Context) -> list[Flowable]:
    story, fits = _fit(context, tight=False)
    if not fits:  # smaller QR codes, no sections' introductions, no rules' version on page 2
        story, _fits = _fit(context, tight=True)
    return story
