"""The screening's short PDF report: key figures, a bar chart of the households per
likely unclaimed benefit, and the table per benefit (reportlab, DejaVu fonts)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.base import formats
from app.core.base.files import atomic_path
from app.core.base.i18n import t
from app.core.base.pdf_fonts import FONT, FONT_BOLD, register_fonts

if TYPE_CHECKING:
    from app.core.batch.summary import Summary

ACCENT = colors.HexColor("#1f4e79")
GREY = colors.HexColor("#555555")
CHART_BENEFITS = 12  # the chart shows the benefits most often unclaimed, at most this many


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=23, textColor=ACCENT),
        "subtitle": ParagraphStyle("subtitle", parent=body, textColor=GREY, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=12.5, leading=16, textColor=ACCENT,
                             spaceBefore=10, spaceAfter=4),
        "key": ParagraphStyle("key", parent=body, fontSize=11, leading=15),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=9, leading=11.5, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=11),
    }


def chart(summary: Summary, width: float) -> Drawing:
    """Horizontal bars: households per benefit, likely eligible and not received."""
    items = sorted((b for b in summary.benefits if b.likely), key=lambda b: (-b.likely, b.benefit.order))
    items = items[:CHART_BENEFITS]
    if not items:
        drawing = Drawing(width, 20)
        drawing.add(String(0, 5, t("batch.report.chart_empty"), fontName=FONT, fontSize=10))
        return drawing
    bar_height = 14
    height = 30 + bar_height * len(items)
    drawing = Drawing(width, height)
    bars = HorizontalBarChart()
    label_width = 130
    bars.x, bars.y = label_width, 20
    bars.width, bars.height = width - label_width - 40, height - 30
    items = list(reversed(items))  # the first category is drawn at the bottom
    bars.data = [[b.likely for b in items]]
    bars.categoryAxis.categoryNames = [b.benefit.short_label for b in items]
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 8.5
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.categoryAxis.labels.dx = -4
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = 8
    bars.valueAxis.labelTextFormat = lambda value: formats.number(value, 0)
    top = max(b.likely for b in items)
    step = _nice_step(top / 5)
    bars.valueAxis.valueStep = step
    bars.valueAxis.valueMax = step * math.ceil(top * 1.12 / step)
    bars.bars[0].fillColor = ACCENT
    bars.bars[0].strokeColor = None
    bars.barLabelFormat = lambda value: formats.number(value, 0)
    bars.barLabels.fontName = FONT
    bars.barLabels.fontSize = 8
    bars.barLabels.boxAnchor = "w"
    bars.barLabels.dx = 3
    drawing.add(bars)
    return drawing


def _nice_step(raw: float) -> int:
    """1, 2, 5, 10, 20, 50… at least ``raw`` (whole households on the axis)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= raw:
                return step * factor
        step *= 10


def write_report(path: Path, summary: Summary) -> None:
    """Write the report; the file appears complete or not at all."""
    register_fonts()
    styles = _styles()
    path = Path(path)
    with atomic_path(path) as tmp:
        _build_report(tmp, summary, styles)


def _build_report(tmp: Path, summary: Summary, styles: Any) -> None:
    document = SimpleDocTemplate(
        str(tmp), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
        title=t("batch.report.title"), author=t("batch.report.author"), subject=summary.input_name,
    )
    width = A4[0] - 36 * mm
    share = formats.number(100 * summary.flagged_households / summary.households, 1) + " %" if summary.households else "—"
    story: list[Any] = [
        Paragraph(escape(t("batch.report.title")), styles["title"]),
        Paragraph(escape(t("batch.report.subtitle", input=summary.input_name, month=summary.month_text(),
                           created=formats.date(summary.created.date()))), styles["subtitle"]),
        Paragraph(escape(t("batch.report.key_households", households=formats.number(summary.households, 0),
                           records=formats.number(summary.records, 0),
                           rejected=formats.number(summary.rejected, 0))), styles["key"]),
        Paragraph("<b>" + escape(t("batch.report.key_flagged", flagged=formats.number(summary.flagged_households, 0),
                                   share=share)) + "</b>", styles["key"]),
        Paragraph("<b>" + escape(t("batch.report.key_monthly", amount=formats.euros(summary.monthly_total))) + "</b>",
                  styles["key"]),
        Paragraph(escape(t("batch.report.key_yearly", amount=formats.euros(summary.yearly_total))), styles["key"]),
        Paragraph(escape(t("batch.report.chart_title")), styles["h2"]),
        chart(summary, width),
        Paragraph(escape(t("batch.report.table_title")), styles["h2"]),
        _table(summary, styles, width),
        Spacer(1, 8),
    ]
    for warning in summary.warnings:
        story.append(Paragraph(escape(warning), styles["small"]))
    story.append(Paragraph(escape(t("batch.summary.notice")), styles["small"]))
    story.append(Paragraph(escape(t("batch.report.rules", version=summary.openfisca_france or "?",
                                     until=_until(summary.legislation_until))), styles["small"]))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, t("batch.report.page", page=doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)


def _until(iso: str) -> str:
    import datetime as dt

    try:
        return formats.date(dt.date.fromisoformat(iso))
    except ValueError:
        return "?"


def _table(summary: Summary, styles: dict[str, ParagraphStyle], width: float) -> Table:
    head = [t("batch.report.col_benefit"), t("batch.report.col_likely"), t("batch.report.col_check"),
            t("batch.report.col_month"), t("batch.report.col_year")]
    rows: list[list[Any]] = [[Paragraph(escape(h), styles["cell_head"]) for h in head]]
    national = {id(b) for b in summary.national}
    for totals in summary.benefits:
        benefit = totals.benefit
        if id(benefit) not in national and not (totals.likely or totals.to_check):
            continue  # a local aid of another territory: not worth a line here
        monthly = yearly = ""
        if benefit.value == "amount":
            if benefit.amount_period == "month":
                monthly = formats.euros(totals.amount)
            else:
                yearly = formats.euros(totals.amount)
        rows.append([
            Paragraph(escape(benefit.short_label), styles["cell"]),
            Paragraph(formats.number(totals.likely, 0), styles["cell_right"]),
            Paragraph(formats.number(totals.to_check, 0), styles["cell_right"]),
            Paragraph(monthly, styles["cell_right"]),
            Paragraph(yearly, styles["cell_right"]),
        ])
    table = Table(rows, colWidths=[width * 0.30, width * 0.14, width * 0.14, width * 0.21, width * 0.21],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table
