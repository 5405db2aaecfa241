"""The citizen's handout: an A4 PDF to take home, and what every handout document shares.

``build.build_handout`` returns the citizen's PDF (with the agent's appendix when asked);
``build.build_agent_copy`` the agent's copy alone. This module holds the service point,
the options, the shared ``Context`` (the name policy applied once) and the pieces the
short handout and the agent's copy reuse.

By default the citizen's handout is two A4 pages (``short.py``): page 1 the
total, the estimate notice and the table of the benefits to request with one QR code
per paying body; page 2 the papers to prepare as one checklist, the conditions to
confirm, the benefits already received or coming without a claim, the service point
and the date. With ``HandoutOptions(detailed=True)`` it is the « version détaillée »
(this module): the service point, the date and the rules used; the estimated total;
the notice; one block per benefit to request (amount, who pays, how to apply with a
QR code, papers, conditions); the benefits paid without a claim; those already
received; the agent's extra parts (comparison, curve); the situation declared and
the assumptions; on the agent's choice, the benefits that do not seem possible.

Both are written in ``HandoutOptions.language`` (French, English, Spanish, Portuguese,
Arabic: ``i18n.LANGUAGES``); the benefits' names stay in French with their translation
beside them, amounts and dates keep the French formats (1 234,56 €, 29/11/2026: the
ones the paying bodies' letters and sites use). Texts come from
``resources/i18n/<lang>/handout.yaml`` and the catalogue; amounts from ``formats``.

The same input (household, result, options with a fixed ``created`` date) gives the
same bytes. The PDF's metadata hold no personal data: a generic title, the service
point as author, the month as subject.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Spacer,
    Table,
)

from app.core.base import formats
from app.core.benefits.benefit import Benefit
from app.core.benefits.catalogue import Catalogue
from app.core.handout.layout import (
    LINE_LIMIT,
    NAME_LIMIT,
    TEXT_LIMIT,
    ACCENT,
    FRAME_WIDTH,
    NOTICE_EDGE,
    NOTICE_TINT,
    FONT,
    TINT,
    Metadata,
    QRFlowable,
    Section,
    bounded,
    bullets,
    isolate,
    left_to_right,
    link,
    markup,
    para,
    qr_matrix,
    rich,
    styles,
    table_style,
)
from app.core.model.household import Household, HousingStatus, Person, Role, STATUSES_WITH_HOUSING_COST
from app.core.base.i18n import LANGUAGES, current_language, has, is_right_to_left, t
from app.core.benefits.local_aids import amount_note, is_outside_territory
from app.core.rules.folder import version_label  # who signed the rules, for an imported pack
from app.core.openfisca.staleness import short_notes

if TYPE_CHECKING:  # the engine module pulls OpenFisca in; the GUI builds handouts without it
    from app.core.benefits.results import BenefitResult, SimulationResult

log = logging.getLogger(__name__)

# Values of app.core.benefits.results.Status (a StrEnum: equal to its value).
ELIGIBLE, NOT_ELIGIBLE, TO_CHECK, ERROR = "eligible", "not_eligible", "to_check", "error"

NameMode = Literal["first_names", "none"]
AgentCopyMode = Literal["none", "appendix", "separate"]
NAME_MODES = ("first_names", "none")
AGENT_COPY_MODES = ("none", "appendix", "separate")

__all__ = [
    "HandoutOptions",
    "ServicePoint",
    "build_agent_copy",
    "build_handout",
    "qr_matrix",
    "qr_target",
]


MAX_SERVICE_POINT_BYTES = 100_000  # the JSON file of --service-point


@dataclass(frozen=True)
class ServicePoint:
    """The desk that hands the document over (set once in the app's settings, or given
    to the command line as a JSON file)."""

    name: str
    address: str = ""
    phone: str = ""
    opening_hours: str = ""
    logo_path: Path | None = None

    FIELDS: ClassVar[tuple[str, ...]] = ("name", "address", "phone", "opening_hours", "logo_path")
    @staticmethod
    def problems(values: Mapping[str, Any]) -> list[str]:
        """What cannot be printed, in French (``service_point.problems``)."""
        from app.core.handout.service_point import problems

        return problems(values)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> "ServicePoint":
        """From the fields' texts (the app's settings, a JSON file): an empty name is
        « Point d'accueil »; a text is cut to its maximum length; a logo that is not a
        real image (``problems``) is left out."""
        from app.core.handout.service_point import MAX_LENGTHS, LogoError, read_logo

        def text(key: str) -> str:
            return str(values.get(key) or "").strip()[: MAX_LENGTHS[key]]

        logo_path: Path | None = Path(text("logo_path")) if text("logo_path") else None
        if logo_path is not None:
            try:
                read_logo(logo_path)
            except LogoError as error:
                log.warning("the service point's logo was refused (%s); handout made without it",
                            type(error).__name__)
                logo_path = None
        return cls(
            name=text("name") or t("handout.default_service_point"),
            address=text("address"),
            phone=text("phone"),
            opening_hours=text("opening_hours"),
            logo_path=logo_path,
        )

    @classmethod
    def from_file(cls, path: Path) -> "ServicePoint":
        """A JSON object with the fields of ``FIELDS`` (texts; all optional). Raises
        ValueError with a French message naming the file or the field at fault (every
        problem of ``problems``, one a line)."""
        try:
            with Path(path).open("rb") as handle:
                content = handle.read(MAX_SERVICE_POINT_BYTES + 1)
            too_big = len(content) > MAX_SERVICE_POINT_BYTES
            data = None if too_big else json.loads(content.decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ValueError(t("handout.service_point.unreadable", path=str(path), reason=type(error).__name__)) from None
        if too_big:
            raise ValueError(t("handout.service_point.too_big", path=str(path), max=MAX_SERVICE_POINT_BYTES // 1000))
        if not isinstance(data, dict):
            raise ValueError(t("handout.service_point.not_object", path=str(path)))
        for key, value in data.items():
            if key not in cls.FIELDS:
                name = "".join(c if c.isprintable() else "?" for c in str(key)[:40])  # no line break, no control
                raise ValueError(t("handout.service_point.unknown_field", path=str(path), field=name,
                                   fields=", ".join(cls.FIELDS)))
            if value is not None and not isinstance(value, str):
                raise ValueError(t("handout.service_point.not_text", path=str(path), field=key))
        from app.core.handout.service_point import MAX_LENGTHS

        logo = data.get("logo_path")
        if logo and len(logo) <= MAX_LENGTHS["logo_path"]:
            logo_path = Path(logo) if Path(logo).is_absolute() else path.parent / logo
            try:
                present = logo_path.exists() or logo_path.is_symlink()
            except (OSError, ValueError):  # a name too long for the disk, a NUL byte
                present = False
            if not present:
                raise ValueError(t("handout.service_point.no_logo", path=str(path), logo=str(logo_path)))
            data = {**data, "logo_path": str(logo_path)}
        problems = cls.problems(data)
        if problems:
            raise ValueError("\n".join(problems))
        return cls.from_values(data)


@dataclass(frozen=True)
class HandoutOptions:
    names: NameMode = "first_names"  # "none": persons are "Personne 1", "Personne 2"…
    include_not_eligible: bool = False
    agent_copy: AgentCopyMode = "none"  # "appendix": appended to build_handout's PDF
    rules_version: str = ""  # extra version label of the rules in use (e.g. local rules)
    created: dt.date | None = None  # the document's date; None: today
    # Flowables (e.g. scenarios.curve_drawing's Drawing) added to the detailed
    # version's pages after the benefits, each kept on one page.
    extra_flowables: tuple[Any, ...] = ()
    detailed: bool = False  # the « version détaillée »: every block, the situation declared
    language: str = "fr"  # the citizen's language (i18n.LANGUAGES); the agent's copy stays French
    # Sentences about the results to print in the detailed version's notice (e.g. that
    # the rules changed since a kept simulation was computed).
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {self.language!r}")
        if self.names not in NAME_MODES:
            raise ValueError(f"names must be one of {NAME_MODES}, not {self.names!r}")
        if self.agent_copy not in AGENT_COPY_MODES:
            raise ValueError(f"agent_copy must be one of {AGENT_COPY_MODES}, not {self.agent_copy!r}")

    @property
    def day(self) -> dt.date:
        return self.created or dt.date.today()


def qr_target(benefit: Benefit) -> str | None:
    """The address the QR code of a benefit opens: the online application, else the
    paper form's page; None when the catalogue gives neither."""
    if benefit.apply.online is not None and benefit.apply.online.url:
        return benefit.apply.online.url
    if benefit.apply.paper is not None and benefit.apply.paper.url:
        return benefit.apply.paper.url
    return None


# --------------------------------------------------------------------------- shared context


class Context:
    """Everything both documents need, with the name policy applied once."""

    def __init__(
        self,
        household: Household,
        result: SimulationResult,
        catalogue: Catalogue,
        service_point: ServicePoint,
        options: HandoutOptions,
    ) -> None:
        # Agents' texts bounded once: a pasted 100,000-character name must neither
        # overflow a table cell nor take seconds to break (handout_layout.bounded).
        self.household = dataclasses.replace(
            household,
            reference=bounded(household.reference, NAME_LIMIT) if household.reference else household.reference,
            persons=tuple(dataclasses.replace(p, first_name=bounded(p.first_name, NAME_LIMIT))
                          if len(p.first_name) > NAME_LIMIT or len(p.first_name.split()) > 1 else p
                          for p in household.persons),
        )
        self.result = result
        self.catalogue = catalogue
        self.service_point = dataclasses.replace(
            service_point,
            name=bounded(service_point.name, LINE_LIMIT),
            address=bounded(service_point.address, TEXT_LIMIT),
            phone=bounded(service_point.phone, LINE_LIMIT),
            opening_hours=bounded(service_point.opening_hours, TEXT_LIMIT),
        )
        self.options = options
        self.day = options.day

    # -- people
    def person_label(self, index: int, person: Person) -> str:
        name = person.first_name.strip() if self.options.names == "first_names" else ""
        return name or t("handout.situation.person_anonymous", number=index + 1)

    def label_of_id(self, person_id: str) -> str:
        for index, person in enumerate(self.household.persons):
            if person.id == person_id:
                return self.person_label(index, person)
        return person_id

    def age_text(self, person: Person) -> str:
        age = person.age_on(self.day)
        return t("handout.situation.age_baby") if age < 1 else t("handout.situation.age", age=age)

    # -- benefits
    def benefit(self, item: BenefitResult) -> Benefit | None:
        try:
            return self.catalogue.get(item.benefit_id)
        except KeyError:
            log.warning("benefit %s is not in the catalogue: left out of the handout", item.benefit_id)
            return None

    def benefit_label(self, benefit_id: str) -> str:
        try:
            return self.catalogue.get(benefit_id).label
        except KeyError:
            return benefit_id

    def pairs(self) -> list[tuple[Benefit, BenefitResult]]:
        """(catalogue entry, result) in the catalogue's order."""
        out = []
        for item in self.result.benefits:
            if is_outside_territory(item):  # a local aid of another territory
                continue
            benefit = self.benefit(item)
            if benefit is not None:
                out.append((benefit, item))
        entries = getattr(self.catalogue, "entries", None)  # national benefits, then local aids
        order = {b.id: i for i, b in enumerate(entries() if entries else self.catalogue)}
        return sorted(out, key=lambda pair: order.get(pair[0].id, len(order)))

    def kind(self, benefit: Benefit, item: BenefitResult) -> str:
        """« to_request », « automatic » (paid without a claim for this household: the
        result's ``claim``, decided by the catalogue's ``Benefit.paid_automatically``),
        « received », or « other » (values of app.core.benefits.results.Claim, a StrEnum)."""
        if item.already_received and item.status != ERROR:
            return "received"
        claim = str(item.claim)
        return claim if claim in ("to_request", "automatic") else "other"

    def to_request(self) -> list[tuple[Benefit, BenefitResult]]:
        return [(b, r) for b, r in self.pairs() if self.kind(b, r) == "to_request"]

    def automatic(self) -> list[tuple[Benefit, BenefitResult]]:
        """Benefits the person should receive without a claim (not in the list to request)."""
        return [(b, r) for b, r in self.pairs() if self.kind(b, r) == "automatic"]

    def already_received(self) -> list[tuple[Benefit, BenefitResult]]:
        return [(b, r) for b, r in self.pairs() if r.already_received and r.status != ERROR]

    def failed(self) -> list[tuple[Benefit, BenefitResult]]:
        return [(b, r) for b, r in self.pairs() if r.status == ERROR and not r.already_received]

    def not_eligible(self) -> list[tuple[Benefit, BenefitResult]]:
        return [(b, r) for b, r in self.pairs() if r.status == NOT_ELIGIBLE and not r.already_received]

    # -- document
    def rules_version(self) -> str:
        parts = []
        if self.result.openfisca_france:
            parts.append(t("handout.header.rules_openfisca", version=self.result.openfisca_france))
        catalogue_version = self.result.catalogue_version or getattr(self.catalogue, "version", "") or ""
        if catalogue_version:
            parts.append(t("handout.header.rules_catalogue", version=version_label(catalogue_version)))
        if self.options.rules_version:
            parts.append(self.options.rules_version)
        return ", ".join(parts)

    def metadata(self, subject: str | None = None) -> Metadata:
        return Metadata(
            title=t("handout.meta.title"),
            author=self.service_point.name,
            subject=subject or t("handout.meta.subject", month=formats.month(self.result.month)),
            creator=t("handout.meta.creator"),
        )

    def citizen_section(self) -> Section:
        return Section(
            name="citizen",
            footer_left=t("handout.footer.notice"),
            running_header=t("handout.running_header", title=t("handout.title"), date=formats.date(self.day)),
            language=self.options.language,
        )

    def warnings(self) -> list[str]:
        """The result's warnings as the citizen reads them, each once: the engine's
        « Attention : … les montants … peuvent être faux » for a month after the known
        legislation becomes the plain fact of the rules' date (the notice already says
        it is an estimate); another warning loses its own « Attention : » (the notice
        prints the label once)."""
        out = []
        label = t("handout.notice.warnings", lang="fr").rstrip(" :")
        for warning in self.result.warnings:
            if _BEYOND.match(warning) and self.result.legislation_until:
                out.append(t("handout.notice.rules_date",
                             until=formats.date(formats.parse_date(self.result.legislation_until))))
                continue
            text = re.sub(rf"^\s*{re.escape(label)}\s*:\s*", "", warning)
            out.append(text[:1].upper() + text[1:])
        return out


# The engine's warning for a month after the known legislation (its French text).
_BEYOND = re.compile(
    re.escape(t("engine.beyond_legislation", lang="fr", month="\0", until="\1"))
    .replace(re.escape("\0"), ".+?").replace(re.escape("\1"), ".+?") + "$"
)


# --------------------------------------------------------------------------- amounts


def amount_text(benefit: Benefit, item: BenefitResult) -> str:
    """The amount as the citizen reads it: "573,27 € par mois", "participation de
    76,00 € par mois", "Gratuite : rien à payer", "À vérifier"; "€ par mois" is kept
    on one line with its amount (no-break spaces)."""
    return _unbreakable_period(plain_amount_text(benefit, item))


_PERIOD_WORDS = re.compile(r" (par) (mois|an)\b")


def _unbreakable_period(text: str) -> str:
    return _PERIOD_WORDS.sub("\u00a0\\1\u00a0\\2", text)


def plain_amount_text(benefit: Benefit, item: BenefitResult) -> str:
    if benefit.value == "boolean":
        if item.status == ELIGIBLE:
            key = f"handout.amount.{benefit.id}"
            return t(key) if has(key) else t("handout.amount.boolean")
        return t("handout.amount.to_check")
    if item.status == TO_CHECK and item.amount <= 0:
        return t("handout.amount.to_check")
    note = amount_note(item)  # a local aid whose source gives only a maximum, or no amount
    if note is not None:
        return note
    amount = formats.euros(item.amount)
    if benefit.value == "contribution":
        if item.amount_period == "year":
            return t("handout.amount.contribution_year", amount=amount)
        return t("handout.amount.contribution_month", amount=amount)
    if item.paid_in is not None:  # a one-off sum paid another month (prime à la naissance)
        return t("handout.amount.once_in", amount=amount, month=formats.month(item.paid_in))
    return t(f"handout.amount.{item.amount_period}", amount=amount)


def already_received_monthly(result: SimulationResult) -> float:
    """The part of ``result.total_monthly()`` made of benefits already received
    (same selection as the total)."""
    return round(
        sum(
            b.amount
            for b in result.benefits
            if b.status == ELIGIBLE
            and b.amount_period == "month"
            and b.benefit_id in result.totals_ids
            and b.already_received
        ),
        2,
    )


# --------------------------------------------------------------------------- citizen's story


def citizen_story(context: Context) -> list[Flowable]:
    story: list[Flowable] = []
    story.extend(header(context))
    story.extend(_summary(context))
    story.extend(_to_request(context))
    story.extend(_to_request(context, automatic=True))
    story.extend(_already_received(context))
    story.extend(_failed(context))
    for extra in context.options.extra_flowables:
        story.extend([Spacer(1, 5 * mm), KeepTogether([extra])])
    story.extend(_situation(context))
    if context.options.include_not_eligible:
        story.extend(_not_eligible(context))
    return story


def header(context: Context) -> list[Flowable]:
    s = styles()
    point = context.service_point
    lines = contact_lines(context, s.header_name, s.cell)
    facts_cell = [para(line, s.cell) for line in fact_lines(context, t("handout.header.date", date=formats.date(context.day)))]

    logo = logo_flowable(point.logo_path)
    left: list[Flowable] = ([logo] if logo is not None else []) + lines
    table = Table(
        [[left, facts_cell]],
        colWidths=[FRAME_WIDTH * 0.52, FRAME_WIDTH * 0.48],
        style=table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
            ("LEFTPADDING", (1, 0), (1, 0), 10),
            ("LINEBEFORE", (1, 0), (1, 0), 0.6, ACCENT),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]),
    )
    return [
        table,
        Spacer(1, 7 * mm),
        para(t("handout.title"), s.title),
        para(t("handout.subtitle"), s.subtitle),
    ]


def contact_lines(context: Context, name_style: Any, style: Any) -> list[Flowable]:
    """The service point: its name, address, phone and hours (left to right in Arabic)."""
    point = context.service_point
    lines: list[Flowable] = [left_to_right(point.name, name_style)]
    if point.address:
        lines.append(left_to_right(point.address, style))
    if point.phone:
        lines.append(para(t("handout.header.phone", phone=isolate(point.phone)), style))
    if point.opening_hours:
        lines.append(para(t("handout.header.hours", hours=isolate(point.opening_hours)), style))
    return lines


def fact_lines(context: Context, first: str) -> list[str]:
    """``first`` (the date), the month computed, the rules' version, the case's reference."""
    facts = [first, t("handout.header.month", month=formats.month(context.result.month))]
    version = context.rules_version()
    if version:
        facts.append(t("handout.header.rules", version=version))
    if context.household.reference:
        facts.append(t("handout.header.reference", reference=context.household.reference))
    return facts


def logo_flowable(path: Path | None) -> Flowable | None:
    """The logo drawn from the bytes ``read_logo`` checked (the path is not opened again)."""
    if path is None:
        return None
    from app.core.handout.service_point import LogoError, read_logo

    try:
        data = read_logo(path)
    except LogoError as error:
        log.warning("the service point's logo was refused (%s); handout made without it", type(error).__name__)
        return None
    try:
        image = Image(io.BytesIO(data))
        width, height = image.imageWidth, image.imageHeight
        if not width or not height:
            return None
        scale = min(40 * mm / width, 18 * mm / height)
        image.drawWidth, image.drawHeight = width * scale, height * scale
        image.hAlign = "LEFT"
        return image
    except Exception:  # noqa: BLE001 - a broken logo must not stop the handout
        log.warning("the service point's logo could not be read; handout made without it", exc_info=True)
        return None


def box(content: list[Flowable], background: colors.Color, edge: colors.Color | None = None) -> Table:
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, -1), background),
        ("LEFTPADDING", (0, 0), (-1, -1), 9),
        ("RIGHTPADDING", (0, 0), (-1, -1), 9),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    if edge is not None:
        commands.append(("LINEBEFORE", (0, 0), (0, -1), 4, edge))
    return Table([[content]], colWidths=[FRAME_WIDTH], style=table_style(commands))


def total_lines(context: Context, body: Any, bold: Any) -> list[Flowable]:
    """The estimated total per month and what to know about it (both versions)."""
    s = styles()
    result = context.result
    rows = context.to_request()
    lines: list[Flowable] = [para(t("handout.summary.total_monthly", amount=formats.euros(result.total_monthly())), s.total)]
    received = already_received_monthly(result)
    if received > 0:
        lines.append(para(t("handout.summary.already_part", amount=formats.euros(received)), body))
    yearly = result.total_yearly_extra()
    if yearly > 0:
        lines.append(para(t("handout.summary.total_yearly", amount=formats.euros(yearly)), bold))
    if any(r.status == TO_CHECK for _b, r in rows):
        lines.append(para(t("handout.summary.to_check_not_counted"), body))
    if any(b.value == "contribution" for b, _r in rows):
        lines.append(para(t("handout.summary.contribution_not_counted"), body))
    return lines


def _summary(context: Context) -> list[Flowable]:
    s = styles()
    rows = context.to_request()
    lines: list[Flowable] = [para(t("handout.summary.title"), s.h2), Spacer(1, 2 * mm)]
    lines += total_lines(context, s.body, s.bold)
    story: list[Flowable] = [box(lines, TINT), *_notice(context)]

    if not rows:
        story += [Spacer(1, 4 * mm), para(t("handout.summary.nothing"), s.bold)]
        return story
    data: list[list[Flowable]] = [[
        para(t("handout.summary.column_benefit"), s.cell_bold),
        para(t("handout.summary.column_amount"), s.cell_bold),
    ]]
    for benefit, item in rows:
        data.append([_name(benefit, s.cell), para(amount_text(benefit, item), s.cell_bold)])
    table = Table(
        data,
        colWidths=[FRAME_WIDTH * 0.62, FRAME_WIDTH * 0.38],
        repeatRows=1,
        style=table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
            ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]),
    )
    story += [Spacer(1, 5 * mm), table]
    return story


def _notice(context: Context) -> list[Flowable]:
    s = styles()
    content: list[Flowable] = [para(t("handout.notice.title"), s.notice_title), para(t("handout.notice.body"), s.body)]
    for note in (*context.warnings(), *context.options.notes):
        content.append(para(note, s.body))
    return [Spacer(1, 4 * mm), box(content, NOTICE_TINT, NOTICE_EDGE)]


def para_text(text: str) -> str:
    """Text escaped for paragraph markup."""
    return markup(text)


def _section_title(text: str, intro: str | None = None, keep_space: bool = True) -> list[Flowable]:
    """A section's title (and introduction); with ``keep_space``, on a new page when
    less than 45 mm are left, so that some of the section follows it."""
    s = styles()
    out: list[Flowable] = [CondPageBreak(45 * mm)] if keep_space else []
    out.append(para(text, s.h1))
    if intro:
        out.append(para(intro, s.body))
    return out


def _to_request(context: Context, automatic: bool = False) -> list[Flowable]:
    """The blocks of the benefits to request (or, ``automatic``, of those paid without a claim)."""
    rows = context.automatic() if automatic else context.to_request()
    if not rows:
        return []
    if automatic:
        title = _section_title(t("handout.section.automatic"), t("handout.section.automatic_intro"))
    else:
        title = _section_title(t("handout.section.to_request"), t("handout.section.to_request_intro"), keep_space=False)
    story: list[Flowable] = []
    for index, (benefit, item) in enumerate(rows):
        block = _benefit_block(context, benefit, item)
        # The section's title stays with its first block, never alone at a page's foot.
        story.append(KeepTogether((title if index == 0 else []) + block))
    return story


def _name(benefit: Benefit, style: Any) -> list[Flowable]:
    """The benefit's French name, and its translation under it in another language."""
    return benefit_name(benefit, style)


def _heading_bar(benefit: Benefit, amount: str) -> Table:
    """The benefit's name and its amount on a tinted bar; the amount goes under the
    name when both do not fit side by side."""
    s = styles()
    amount_width = stringWidth(amount, s.amount.fontName, s.amount.fontSize) + 16
    commands = [
        ("BACKGROUND", (0, 0), (-1, -1), TINT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEABOVE", (0, 0), (-1, 0), 1.5, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 7),
        ("RIGHTPADDING", (0, 0), (-1, -1), 7),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    if amount_width <= FRAME_WIDTH * 0.42:
        width = max(amount_width, FRAME_WIDTH * 0.30)
        return Table(
            [[_name(benefit, s.h2), para(amount, s.amount)]],
            colWidths=[FRAME_WIDTH - width, width],
            style=table_style(commands),
        )
    commands.append(("TOPPADDING", (0, 1), (-1, 1), 0))
    return Table(
        [[_name(benefit, s.h2)], [para(amount, s.amount_left)]],
        colWidths=[FRAME_WIDTH],
        style=table_style(commands),
    )


def _benefit_block(context: Context, benefit: Benefit, item: BenefitResult) -> list[Flowable]:
    """One benefit to request: what it is, how much, who pays, how to apply, papers."""
    s = styles()
    block: list[Flowable] = [Spacer(1, 4 * mm), _heading_bar(benefit, amount_text(benefit, item)), Spacer(1, 1.5 * mm)]
    facts: list[Flowable] = []
    if item.status == TO_CHECK:
        facts.append(para(t("handout.block.to_check"), s.bold))
    facts.append(para(benefit.description, s.body))
    if benefit.value == "contribution":
        facts.append(para(t("handout.block.contribution_note"), s.bold))
    elif benefit.value == "boolean":
        facts.append(para(t("handout.block.boolean_note"), s.body))

    if item.beneficiaries and len(context.household.persons) > 1:
        names = ", ".join(context.label_of_id(pid) for pid in item.beneficiaries)
        facts.append(para(t("handout.block.for_persons", names=names), s.body))
    if item.detail and has(f"handout.detail.{item.detail}"):
        facts.append(para(t("handout.block.detail", name=t(f"handout.detail.{item.detail}")), s.body))
    if item.amount_paid is not None:  # the amount is before the CRDS: what is paid
        facts.append(para(t("handout.block.paid", paid=formats.euros(item.amount_paid)), s.body))
    for note in short_notes(item.stale_parameters):  # yearly parameters not revalued in Guichet's legislation
        facts.append(para(note[:1].upper() + note[1:] + ".", s.body))
    if _periodicity_says_more(benefit, item):
        key = "handout.block.contribution_periodicity" if benefit.value == "contribution" else "handout.block.periodicity"
        facts.append(para(t(key, text=t(f"handout.periodicity.{benefit.periodicity}")), s.body))
    payer = t("handout.block.payer", name=benefit.paying_body.name)
    if benefit.paying_body.alternative:
        payer += " " + t("handout.block.payer_alternative", alternative=benefit.paying_body.alternative)
    facts.append(para(payer, s.body))
    block.append(_with_qr(facts + _how_to_apply(benefit), qr_target(benefit)))

    lists: list[list[Flowable]] = []
    if benefit.documents:
        lists.append([para(t("handout.block.documents"), s.h3), bullets(benefit.documents)])
    if benefit.conditions_to_check:
        lists.append([para(t("handout.block.conditions"), s.h3), bullets(benefit.conditions_to_check)])
    if lists:
        block += [Spacer(1, 2 * mm), _columns(lists)]
    return block


# A periodicity that only repeats the amount's "par mois" / "par an" is left out.
_SAME_AS_AMOUNT = {("mensuelle", "month"), ("annuelle", "year"), ("ponctuelle", "once")}


def _periodicity_says_more(benefit: Benefit, item: BenefitResult) -> bool:
    if benefit.value == "boolean" or not has(f"handout.periodicity.{benefit.periodicity}"):
        return False
    shows_amount = item.amount > 0
    return not shows_amount or (benefit.periodicity, item.amount_period) not in _SAME_AS_AMOUNT


def _columns(cells: list[list[Flowable]]) -> Table:
    """Up to two stacks of flowables side by side (a one-row table)."""
    width = FRAME_WIDTH / len(cells)
    return Table(
        [cells],
        colWidths=[width] * len(cells),
        style=table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("LEFTPADDING", (1, 0), (-1, 0), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]),
    )


def _how_to_apply(benefit: Benefit) -> list[Flowable]:
    s = styles()
    apply = benefit.apply
    text: list[Flowable] = [para(t("handout.block.apply"), s.h3)]
    if apply.online is not None:
        text.append(para(t("handout.block.online", label=apply.online.label), s.body))
        if apply.online.url:
            text.append(rich(para_text(t("handout.block.address", url="")) + link(apply.online.url), s.body))
    if apply.paper is not None:
        text.append(para(t("handout.block.paper", label=apply.paper.label), s.body))
        if apply.paper.cerfa:
            text.append(para(t("handout.block.cerfa", number=apply.paper.cerfa), s.body))
        if apply.paper.url and (apply.online is None or not apply.online.url):
            text.append(rich(para_text(t("handout.block.form_page", url="")) + link(apply.paper.url), s.body))
    if apply.where:
        text.append(para(apply.where, s.body))
    return text


def _with_qr(text: list[Flowable], target: str | None) -> Flowable:
    """The text with, on its right, the QR code to ``target`` and how to use it."""
    s = styles()
    qr_width = 36 * mm
    if target is None:
        return _columns([text])
    code: list[Flowable] = [Spacer(1, 2 * mm), QRFlowable(target, size=32 * mm), para(t("handout.block.qr"), s.small)]
    return Table(
        [[text, code]],
        colWidths=[FRAME_WIDTH - qr_width, qr_width],
        style=table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("RIGHTPADDING", (0, 0), (0, 0), 10),
            ("LEFTPADDING", (1, 0), (1, 0), 2),
            ("RIGHTPADDING", (1, 0), (1, 0), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]),
    )


def _already_received(context: Context) -> list[Flowable]:
    rows = context.already_received()
    if not rows:
        return []
    s = styles()
    story = _section_title(t("handout.section.already"), t("handout.section.already_intro"))
    data = [
        [_name(benefit, s.cell), para(received_amount(benefit, item), s.cell_bold), para(benefit.paying_body.name, s.cell)]
        for benefit, item in rows
    ]
    story.append(Table(
        data,
        colWidths=[FRAME_WIDTH * 0.40, FRAME_WIDTH * 0.27, FRAME_WIDTH * 0.33],
        style=table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]),
    ))
    return story


def received_amount(benefit: Benefit, item: BenefitResult) -> str:
    if item.status in (ELIGIBLE, TO_CHECK):
        return amount_text(benefit, item)
    return t("handout.amount.to_check")


def _failed(context: Context) -> list[Flowable]:
    rows = context.failed()
    if not rows:
        return []
    s = styles()
    story = _section_title(t("handout.section.errors"), t("handout.section.errors_intro"))
    story.append(bullets([f"{b.label} : {b.paying_body.name}" for b, _r in rows], s.body))
    return story


def _not_eligible(context: Context) -> list[Flowable]:
    rows = context.not_eligible()
    if not rows:
        return []
    story = _section_title(t("handout.section.not_eligible"), t("handout.section.not_eligible_intro"))
    story.append(bullets([b.label for b, _r in rows]))
    return story


# --------------------------------------------------------------------------- situation


def _money(value: float) -> str:
    return formats.euros(value)


def person_details(context: Context, person: Person) -> str:
    parts = [t(f"choice.role.{person.role.value}"), context.age_text(person)]
    if person.role in (Role.DEMANDEUR, Role.CONJOINT) or person.activity.value != "inactif":
        parts.append(t(f"choice.activity.{person.activity.value}"))
    if person.schooling.value != "aucune":
        parts.append(t("handout.situation.schooling", schooling=t(f"choice.schooling.{person.schooling.value}")))
    if person.has_disability and person.disability_rate is not None:
        parts.append(t("handout.situation.disability", rate=formats.number(person.disability_rate, 0)))
    if person.pregnant:
        parts.append(t("handout.situation.pregnant"))
    return ", ".join(parts)


def resource_text(resource_kind: str, stable: bool, amount: float) -> str:
    kind = t(f"choice.resource.{resource_kind}")
    key = "handout.situation.resource_stable" if stable else "handout.situation.resource_average"
    return t(key, kind=kind, amount=_money(amount))


def commune_text(insee: str, postal_code: str) -> str:
    if not insee:
        return ""
    try:
        from app.core.model.communes import default_index

        commune = default_index().by_insee(insee)
    except Exception:  # noqa: BLE001 - the commune's name is a nicety
        log.warning("commune table unavailable for the handout", exc_info=True)
        commune = None
    if commune is None:
        return f"{postal_code} ({insee})" if postal_code else insee
    return commune.label(postal_code or None)


def _situation(context: Context) -> list[Flowable]:
    s = styles()
    household = context.household
    lines: list[str] = []
    lines.append(t("handout.situation.couple", status=t(f"choice.couple.{household.couple.value}")))
    lines.append(t("handout.situation.persons", count=len(household.persons)))
    people: list[Flowable] = []
    for index, person in enumerate(household.persons):
        label = context.person_label(index, person)
        items = [resource_text(r.kind.value, r.is_stable, r.average()) for r in person.resources if any(r.months())]
        people.append(rich(
            t("handout.situation.person", label=f"<b>{para_text(label)}</b>",
              details=para_text(person_details(context, person))),
            s.body,
        ))
        if items:
            people.append(para(t("handout.situation.resources", label=label, items=" ; ".join(items)), s.body))
        elif person.role in (Role.DEMANDEUR, Role.CONJOINT):
            people.append(para(t("handout.situation.no_resources", label=label), s.body))
        if person.taxable_income_last_year is not None:
            people.append(para(t("handout.situation.taxable", label=label, amount=_money(person.taxable_income_last_year)), s.body))

    housing = household.housing
    home: list[str] = [t("handout.situation.housing", status=t(f"choice.housing.{housing.status.value}"))]
    if housing.status in STATUSES_WITH_HOUSING_COST:
        if housing.status == HousingStatus.ACCEDANT:
            home.append(t("handout.situation.loan", rent=_money(housing.rent)))
        else:
            home.append(t("handout.situation.rent", rent=_money(housing.rent), charges=_money(housing.charges)))
            answer = t("handout.answer.yes" if housing.conventionne else "handout.answer.no")
            home.append(t("handout.situation.conventionne", answer=answer))
    commune = commune_text(housing.commune_insee, housing.postal_code)
    if commune:
        home.append(t("handout.situation.commune", commune=commune))
    if household.savings is None:
        home.append(t("handout.situation.savings_unknown"))
    else:
        home.append(t("handout.situation.savings", amount=_money(household.savings)))
    received = [context.benefit_label(b) for b in household.benefits_received]
    home.append(
        t("handout.situation.received", items=", ".join(received)) if received else t("handout.situation.received_none")
    )

    story = _section_title(t("handout.section.situation"), t("handout.section.situation_intro"))
    story.extend(para(line, s.body) for line in lines)
    story.extend(people)
    story.extend(para(line, s.body) for line in home)
    assumptions = [assumption_text(a) for a in context.result.assumptions]
    if assumptions:
        story.append(KeepTogether([para(t("handout.section.assumptions"), s.h3), bullets(assumptions)]))
    return story


def assumption_text(key: str) -> str:
    """An assumption of the engine in French (the engine gives keys of ``assumption.*``)."""
    return t(f"assumption.{key}") if has(f"assumption.{key}") else key


def benefit_name(benefit: Benefit, style: Any, tight: bool = False) -> list[Flowable]:
    """The benefit's French name (as the paying body writes it), then its translation
    (``tight``, left to right: in the same paragraph, after a dash)."""
    key = f"catalogue.{benefit.id}.label"
    if current_language() == "fr" or not has(key):
        return [left_to_right(benefit.label, style)]
    if tight and not is_right_to_left():
        grey = styles().compact_grey.textColor.hexval()[2:]
        return [rich(f"{markup(benefit.label)} <font color=\"#{grey}\" name=\"{FONT}\">— {markup(t(key))}</font>", style)]
    return [left_to_right(benefit.label, style), para(t(key), styles().compact_grey)]
