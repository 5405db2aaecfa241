"""The agent's copy: every input and the computation details per benefit.

For the case file, as a separate PDF or as an appendix after the citizen's pages
(numbered apart). Same fonts, same 11 pt minimum, same name policy as the handout.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from app.core.base import formats
from app.core.handout.citizen import Context, assumption_text, commune_text, header
from app.core.handout.citizen import plain_amount_text as amount_text  # breakable: the column is narrow
from app.core.handout.layout import ACCENT, FRAME_WIDTH, TINT, Section, bullets, para, styles, table_style
from app.core.model.household import Person
from app.core.base.i18n import has, t
from app.core.benefits.local_aids import amount_note
from app.core.model.periods import add_months
from app.core.rules.folder import version_label

ELIGIBLE, TO_CHECK = "eligible", "to_check"  # values of app.core.benefits.results.Status


def agent_section(context: Context, appendix: bool) -> Section:
    title = t("agent_copy.appendix_title" if appendix else "agent_copy.title")
    return Section(
        name="agent",
        footer_left=t("agent_copy.footer"),
        running_header=t("handout.running_header", title=title, date=formats.date(context.day)),
    )


def _yes_no(value: bool) -> str:
    return t("handout.answer.yes" if value else "handout.answer.no")


def _none() -> str:
    return t("agent_copy.value.none")


def _money(value: float | None) -> str:
    return _none() if value is None else formats.euros(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _table(rows: list[tuple[str, str]], first: float = 0.36, pairs_per_row: int = 1) -> Table:
    """Label/value rows; with ``pairs_per_row=2``, two pairs side by side (a long
    value such as 12 monthly amounts gets a row of its own)."""
    s = styles()
    data: list[list[Flowable | str]] = []
    spans: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    pending: list[Flowable | str] = []
    for label, value in rows:
        cells: list[Flowable | str] = [para(_capital(label), s.cell_bold), para(value, s.cell)]
        if pairs_per_row == 1:
            data.append(cells)
        elif len(value) > 40:
            if pending:
                data.append(pending + ["", ""])
                pending = []
            spans.append(("SPAN", (1, len(data)), (3, len(data))))
            data.append(cells + ["", ""])
        else:
            pending += cells
            if len(pending) == 4:
                data.append(pending)
                pending = []
    if pending:
        data.append(pending + ["", ""])
    width = FRAME_WIDTH / pairs_per_row
    widths = [width * first, width * (1 - first)] * pairs_per_row
    return Table(
        data,
        colWidths=widths,
        style=table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *spans,
        ]),
    )


def _h1(text: str) -> list[Flowable]:
    """A section title, on a new page when less than 40 mm are left."""
    return [CondPageBreak(40 * mm), para(text, styles().h1)]


def agent_story(context: Context, appendix: bool) -> list[Flowable]:
    s = styles()
    result = context.result
    household = context.household
    story: list[Flowable] = []
    if not appendix:
        story.extend(header(context)[:2])  # the service point and the facts, not the citizen's title
    story.append(para(t("agent_copy.appendix_title" if appendix else "agent_copy.title"), s.title))
    story.append(para(t("agent_copy.intro"), s.body))

    # -- references of the computation
    versions = [
        (t("agent_copy.version.month"), formats.month(result.month)),
        (t("agent_copy.version.created"), formats.date(context.day)),
        (t("agent_copy.version.openfisca"), result.openfisca_france or _none()),
        (t("agent_copy.version.legislation_until"),
         formats.date(formats.parse_date(result.legislation_until)) if result.legislation_until else _none()),
        (t("agent_copy.version.catalogue"),
         version_label(result.catalogue_version or getattr(context.catalogue, "version", "")) or _none()),
    ]
    if context.options.rules_version:
        versions.append((t("agent_copy.version.rules"), context.options.rules_version))
    if household.reference:
        versions.append((t("agent_copy.version.reference"), household.reference))
    story += [*_h1(t("agent_copy.section.versions")), _table(versions)]

    # -- household
    received = [context.benefit_label(b) for b in household.benefits_received]
    story += [
        *_h1(t("agent_copy.section.household")),
        _table([
            (t("field.couple"), t(f"choice.couple.{household.couple.value}")),
            (t("field.persons"), str(len(household.persons))),
            (t("field.savings"), _money(household.savings)),
            (t("field.benefits_received"), ", ".join(received) if received else t("agent_copy.none")),
        ]),
    ]

    # -- persons
    story.extend(_h1(t("agent_copy.section.persons")))
    for index, person in enumerate(household.persons):
        story.append(KeepTogether([
            para(context.person_label(index, person), s.h2),
            Spacer(1, 1.5 * mm),
            _table(_person_rows(context, person), first=0.5, pairs_per_row=2),
            Spacer(1, 3 * mm),
        ]))

    # -- housing
    housing = household.housing
    story += [
        *_h1(t("agent_copy.section.housing")),
        _table([
            (t("field.status"), t(f"choice.housing.{housing.status.value}")),
            (t("field.rent"), formats.euros(housing.rent)),
            (t("field.charges"), formats.euros(housing.charges)),
            (t("field.conventionne"), _yes_no(housing.conventionne)),
            (t("field.commune_insee"),
             f"{commune_text(housing.commune_insee, housing.postal_code)} ({housing.commune_insee})"
             if housing.commune_insee else _none()),
            (t("field.postal_code"), housing.postal_code or _none()),
        ]),
    ]

    # -- results
    story += [*_h1(t("agent_copy.section.results")), _results_table(context)]
    if result.assumptions:
        story += [*_h1(t("agent_copy.section.assumptions")), bullets([assumption_text(a) for a in result.assumptions])]
    if result.warnings:
        story += [*_h1(t("agent_copy.section.warnings")), bullets(list(result.warnings))]
    return story


def _person_rows(context: Context, person: Person) -> list[tuple[str, str]]:
    age = person.age_on(context.day)
    rows = [
        (t("field.id"), person.id),
        (t("field.role"), t(f"choice.role.{person.role.value}")),
    ]
    if context.options.names == "first_names":
        rows.append((t("field.first_name"), person.first_name or _none()))
    rows += [
        (t("field.birth_date"), t("agent_copy.value.age", date=formats.date(person.birth_date), age=age)),
        (t("field.activity"), t(f"choice.activity.{person.activity.value}")),
        (t("field.disability_rate"),
         f"{formats.number(person.disability_rate, 0)} %" if person.disability_rate is not None else _none()),
        (t("field.pregnant"), _yes_no(person.pregnant)),
        (t("field.schooling"), t(f"choice.schooling.{person.schooling.value}")),
    ]
    month = context.result.month
    for resource in person.resources:
        label = t("field.resource", kind=t(f"choice.resource.{resource.kind.value}"))
        if resource.is_stable:
            value = t("agent_copy.value.resource_stable", amount=formats.euros(resource.stable or 0.0))
        else:
            items = [
                t("agent_copy.value.month_amount", month=formats.month(add_months(month, i - 12)), amount=formats.euros(v))
                for i, v in enumerate(resource.months())
            ]
            value = t("agent_copy.value.resource_monthly", items=" ; ".join(items))
        rows.append((label, value))
    if not person.resources:
        rows.append((t("field.resources"), t("agent_copy.none")))
    rows += [
        (t("field.taxable_income_last_year"), _money(person.taxable_income_last_year)),
        (t("field.taxable_income_n2"), _money(person.taxable_income_n2)),
    ]
    return rows


def _results_table(context: Context) -> Table:
    s = styles()
    totals = set(context.result.totals_ids)
    data: list[list[Flowable]] = [[
        para(t("agent_copy.column.benefit"), s.cell_bold),
        para(t("agent_copy.column.status_amount"), s.cell_bold),
        para(t("agent_copy.column.details"), s.cell_bold),
    ]]
    shaded: list[int] = []
    for benefit, item in context.pairs():
        period = t(f"agent_copy.period.{benefit.period}") if has(f"agent_copy.period.{benefit.period}") else benefit.period
        if benefit.variable:
            details = [t("agent_copy.detail.variable", variable=benefit.variable, entity=benefit.entity, period=period)]
        else:  # a local aid evaluated on its criteria (app/core/benefits/local_aids.py)
            territory = getattr(getattr(benefit, "territory", None), "label", "")
            details = [t("agent_copy.detail.local", territory=territory, version=getattr(benefit, "version", ""))]
        if item.detail and item.detail in benefit.detail:  # the OpenFisca variable that gave the amount
            name = t(f"handout.detail.{item.detail}") if has(f"handout.detail.{item.detail}") else item.detail
            details.append(t("agent_copy.detail.form", name=name, variable=item.detail))
        elif item.detail:  # a local aid's remark on its amount
            details.append(amount_note(item) or item.detail)
        if item.beneficiaries:
            details.append(t("agent_copy.detail.beneficiaries",
                             names=", ".join(context.label_of_id(pid) for pid in item.beneficiaries)))
        details.append(" · ".join([
            t("agent_copy.detail.counts_in_total", answer=_yes_no(benefit.id in totals)),
            t("agent_copy.detail.already_received", answer=_yes_no(item.already_received)),
            t("agent_copy.detail.not_claimed", answer=_yes_no(item.not_claimed)),
        ]))
        if item.error:
            details.append(t("agent_copy.detail.error", error=item.error))
        shown = item.status == ELIGIBLE or item.amount != 0
        if item.status in (ELIGIBLE, TO_CHECK):
            shaded.append(len(data))
        data.append([
            para(benefit.label, s.cell_bold),
            [para(t(f"status.{item.status}"), s.cell)]
            + ([para(amount_text(benefit, item), s.cell_bold)] if shown else []),
            [para(line, s.cell) for line in details],
        ])
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    commands += [("BACKGROUND", (0, row), (-1, row), TINT) for row in shaded]
    return Table(data, colWidths=[FRAME_WIDTH * 0.27, FRAME_WIDTH * 0.25, FRAME_WIDTH * 0.48], repeatRows=1,
                 style=table_style(commands))
