"""What the agent may add to the citizen's handout after the benefits: the comparison of
scenarios (« Et si… ? » on paper, to take home), « Mieux en emploi ? » and the earnings
curve.

Both are reportlab flowables for ``HandoutOptions.extra_flowables``, in the handout's
fonts and width. The texts of a comparison's cells are the ones the window's comparison
table shows (``value_text``, ``delta_text``), and the same rows are kept (``shown_rows``):
what the person reads on paper is what the agent read on screen. Differences are written
out (« +45,00 € (hausse) »); the shading of a favourable or unfavourable change only
repeats them, so a black-and-white printout loses nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.core.base import formats
from app.core.base.i18n import t

if TYPE_CHECKING:
    from app.core.compute.scenarios import Comparison, ComparisonRow, EarningsCurve, WorkComparison

LOWER_IS_BETTER = frozenset({"css_participation"})  # a payment: less is better for the household
TOTAL_KEYS = ("resources", "benefits_monthly", "css_participation", "disposable", "yearly_extra")
FAVOURABLE = ("#e3f4e8", "#14532d")  # background, text
UNFAVOURABLE = ("#fde8e6", "#7a1b14")
STATUS_CHANGED = "#fff4cc"  # same amount, another status


# --------------------------------------------------------------------------- cell texts


def value_text(row: ComparisonRow, column: int) -> str:
    """A cell's amount, or the status when there is no amount to show."""
    value = row.values[column]
    status = row.statuses[column] if row.statuses else None
    if row.kind == "benefit" and status is not None and status != "eligible" and abs(value) < 0.005:
        return t(f"status.{status}")
    if row.kind == "benefit" and status is None:
        return t("status.not_eligible")
    if row.kind == "benefit" and status == "eligible" and abs(value) < 0.005:
        return t("status.eligible")  # a benefit without an amount (free CSS…)
    return formats.euros(value)


def delta_text(row: ComparisonRow, column: int) -> str:
    """« +45,00 € (hausse) », « −45,00 € (baisse) », the new status, or « = inchangé »; a
    right lost says so (« → Non éligible : droit perdu »), whatever the sign of the amount."""
    delta = row.deltas[column]
    if row.lost(column):
        return t("scenario.lost", status=t(f"status.{row.statuses[column] or 'not_eligible'}"))
    if delta >= 0.005:
        return t("scenario.increase", amount=formats.euros(delta))
    if delta <= -0.005:
        return t("scenario.decrease", amount=formats.euros(-delta))
    if status_changed(row, column):
        return t("scenario.became", status=t(f"status.{row.statuses[column] or 'not_eligible'}"))
    return t("scenario.unchanged")


def favourable(row: ComparisonRow, column: int) -> bool | None:
    """True: better for the household; False: worse (a right lost always is); None: no
    amount changed."""
    if row.lost(column):
        return False
    delta = row.deltas[column]
    if abs(delta) < 0.005:
        return None
    return (delta < 0) if row.key in LOWER_IS_BETTER else (delta > 0)


def status_changed(row: ComparisonRow, column: int) -> bool:
    """The benefit's status in ``column`` differs from the current situation's."""
    return bool(row.statuses) and (row.statuses[column] or "not_eligible") != (row.statuses[0] or "not_eligible")


def row_label(row: ComparisonRow) -> str:
    if row.kind == "benefit" and row.period in ("year", "once"):
        return t(f"scenario.per_{row.period}", label=row.label)
    return row.label


def shown_rows(comparison: Comparison, show_all: bool = False, only_changed: bool = False) -> list[ComparisonRow]:
    """The rows worth showing: the disposable income always; then the benefits that are
    paid or change in some column (every benefit with ``show_all``; only what changes
    with ``only_changed``), and the totals that are not all zero. The CSS participation
    is told once, in the totals (its benefit row has the same key)."""

    def shown(row: ComparisonRow) -> bool:
        if row.key == "disposable":
            return True
        if only_changed:
            return row.changed
        if row.kind == "total":
            return row.key in ("resources", "benefits_monthly") or row.changed or any(abs(v) >= 0.005 for v in row.values)
        if show_all:
            return True
        return row.changed or any(abs(v) >= 0.005 for v in row.values) or any(
            s not in (None, "not_eligible") for s in row.statuses)

    return [r for r in comparison.rows if shown(r) and not (r.kind == "benefit" and r.key in TOTAL_KEYS)]


# --------------------------------------------------------------------------- flowables


def comparison_flowable(
    comparison: Comparison,
    show_all: bool = False,
    only_changed: bool = False,
    title: str | None = None,
    summary: str | None = None,
    note: str | None = None,
) -> Any:
    """The comparison as a titled table for the handout (one flowable): one column per
    situation, under each variant's amount its difference with the current situation;
    then the note that the comparison assumes settled situations. ``summary``: a
    sentence in bold before the table (« Mieux en emploi ? »'s answer)."""
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Spacer, Table

    from app.core.handout.layout import FONT, FRAME_WIDTH, GREY, markup, para, rich, styles, table_style

    st = styles()
    cell = st.cell.clone("comparison_cell", fontSize=8.5, leading=11)
    cell_right = st.cell_right.clone("comparison_right", fontSize=8.5, leading=11)
    bold = st.cell_bold.clone("comparison_bold", fontSize=8.5, leading=11)
    bold_right = st.cell_right.clone("comparison_bold_right", fontSize=8.5, leading=11, fontName=st.cell_bold.fontName)
    columns = len(comparison.columns)
    label_width = FRAME_WIDTH * {2: 0.36, 3: 0.30}.get(columns, 0.25)  # a situation's title keeps its words whole
    value_width = (FRAME_WIDTH - label_width) / columns

    data: list[list[Any]] = [[para(t("scenario.column_row"), bold),
                              *(para(name, bold_right) for name in comparison.columns)]]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
    ]
    for r, row in enumerate(shown_rows(comparison, show_all, only_changed), start=1):
        strong = row.kind == "total"
        cells: list[Any] = [para(row_label(row), bold if strong else cell)]
        for c in range(columns):
            text = markup(value_text(row, c)) + ("" if c == 0 else "<br/>" + markup(delta_text(row, c)))
            cells.append(rich(text, bold_right if row.key == "disposable" else cell_right))
            good = favourable(row, c) if c > 0 else None
            if good is not None:
                commands.append(("BACKGROUND", (c + 1, r), (c + 1, r),
                                 colors.HexColor(FAVOURABLE[0] if good else UNFAVOURABLE[0])))
            elif c > 0 and status_changed(row, c):
                commands.append(("BACKGROUND", (c + 1, r), (c + 1, r), colors.HexColor(STATUS_CHANGED)))
        data.append(cells)
        if row.key == "disposable":
            commands.append(("LINEABOVE", (0, r), (-1, r), 0.8, GREY))
    table = Table(data, colWidths=[label_width] + [value_width] * columns, repeatRows=1)
    table.setStyle(table_style(commands))
    parts: list[Any] = [
        para(title or t("scenario.sheet.title"), st.h2),
        para(t("scenario.sheet.intro", month=formats.month(comparison.month)), st.small),
    ]
    if summary:
        parts.append(para(summary, st.bold))
    return KeepTogether([*parts, Spacer(1, 4), table, Spacer(1, 4), para(note or t("scenario.note"), st.small)])


def work_flowable(work: WorkComparison) -> Any:
    """« Mieux en emploi ? » for the handout: the answer's sentence, the rows that change
    (as the window shows them) and the settled-situation note."""
    return comparison_flowable(work.comparison, only_changed=True, title=t("scenario.sheet.work_title"),
                               summary=work.text, note=work.note)


def curve_flowable(curve: EarningsCurve, title: str) -> Any:
    """The reportlab drawing of the curve, the handout's width, with its caption."""
    from reportlab.platypus import KeepTogether

    from app.core.handout.layout import FRAME_WIDTH, para, styles
    from app.core.compute.scenarios import curve_drawing

    drawing = curve_drawing(curve, width=FRAME_WIDTH, height=330, title=title)
    return KeepTogether([drawing, para(" ".join((t("curve.caption"), *curve.notes)), styles().small)])
