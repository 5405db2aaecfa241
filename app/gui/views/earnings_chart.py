"""The earnings curve drawn with QPainter (no QtCharts): the household's disposable
income, the person's net salary and each monthly benefit that is not always zero, as
the person's net salary goes from 0 to 2 × SMIC net (``scenarios.EarningsCurve``).

Axes in euros (French formats), a legend, a dashed vertical mark at the SMIC, and a
cursor on the nearest point that follows the mouse or the keyboard (Left / Right one
point, Page Up / Page Down ten, Home / End); its figures are those of
``EarningsCurve.at(index)``, shown in a box on the chart and given to screen readers
(accessible description) and to the dialog (``cursorMoved``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.base import formats
from app.core.base.i18n import t
from app.gui.views.widgets import accessible

if TYPE_CHECKING:
    from app.core.compute.scenarios import EarningsCurve

CSS_PARTICIPATION = "css_participation"  # scenarios.CSS_PARTICIPATION (not imported: numpy-free GUI start)

# Colour-blind friendly palette (the handout's drawing uses the same order).
PALETTE = ("#1b4f9c", "#7f7f7f", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
           "#666666")
# Line styles vary too, so that the series differ by more than their colour.
STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.SolidLine, Qt.PenStyle.DashDotLine,
          Qt.PenStyle.SolidLine, Qt.PenStyle.DotLine, Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine,
          Qt.PenStyle.DashDotLine, Qt.PenStyle.DotLine)


@dataclass(frozen=True)
class Series:
    key: str  # "disposable", "earnings" or a benefit id
    label: str
    values: tuple[float, ...]
    color: str
    style: Qt.PenStyle
    width: float


def nice_step(span: float, count: int = 6) -> float:
    """A round tick step (1, 2, 2.5, 5 × 10^n) giving at least ``count`` intervals or so."""
    raw = max(span, 1.0) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude + 1e-9:
            return float(factor * magnitude)
    return float(10 * magnitude)


def ticks(top: float, count: int = 6) -> list[float]:
    """Tick values from 0 to at least ``top``, on a round step."""
    step = nice_step(top, count)
    last = math.ceil(max(top, 1.0) / step - 1e-9) * step
    return [round(i * step, 2) for i in range(int(round(last / step)) + 1)]


def tick_label(value: float) -> str:
    """An axis label in whole euros, French style: « 1 500 € »."""
    return formats.euros(value, 0)


def chart_series(curve: EarningsCurve) -> list[Series]:
    """What the chart draws: disposable income, net salary, then each monthly benefit
    counted as money (not the CSS participation) that is not zero everywhere."""
    items: list[tuple[str, str, Any]] = [
        ("disposable", t("curve.disposable"), curve.disposable),
        ("earnings", t("curve.earnings"), curve.earnings),
    ]
    for benefit_id, values in curve.benefits.items():
        if benefit_id == CSS_PARTICIPATION or curve.periods.get(benefit_id) != "month":
            continue
        if any(float(v) > 0 for v in values):
            items.append((benefit_id, curve.labels.get(benefit_id, benefit_id), values))
    out = []
    for i, (key, label, values) in enumerate(items):
        out.append(Series(key, label, tuple(float(v) for v in values), PALETTE[i % len(PALETTE)],
                          STYLES[i % len(STYLES)], 3.0 if i == 0 else 1.8))
    return out


class EarningsChart(QWidget):
    """The curve, its axes, legend, SMIC mark and cursor."""

    cursorMoved = Signal(int)  # index of the point under the cursor

    MARGIN_LEFT = 78
    MARGIN_RIGHT = 16
    MARGIN_TOP = 34
    MARGIN_BOTTOM = 46
    LEGEND_WIDTH = 210

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.curve: EarningsCurve | None = None
        self.series: list[Series] = []
        self.cursor_index: int | None = None
        self.title = ""
        self._y_ticks: list[float] = [0.0, 1.0]
        self._x_ticks: list[float] = [0.0, 1.0]
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(520, 320)
        accessible(self, t("gui.scenarios.curve.chart_name"), t("gui.scenarios.curve.chart_help"))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(820, 460)

    # -- data -----------------------------------------------------------------------------
    def set_curve(self, curve: EarningsCurve | None, title: str = "") -> None:
        self.curve = curve
        self.title = title
        self.series = chart_series(curve) if curve is not None else []
        if curve is not None and len(curve.earnings):
            top_y = max(max(s.values) for s in self.series) if self.series else 1.0
            self._y_ticks = ticks(top_y)
            self._x_ticks = ticks(float(curve.earnings[-1]))
            smic = int(min(range(len(curve.earnings)), key=lambda i: abs(float(curve.earnings[i]) - curve.smic_net)))
            self.set_cursor(smic)
        else:
            self._y_ticks, self._x_ticks = [0.0, 1.0], [0.0, 1.0]
            self.cursor_index = None
            self.setAccessibleDescription(t("gui.scenarios.curve.chart_help"))
        self.update()

    @property
    def point_count(self) -> int:
        return len(self.curve.earnings) if self.curve is not None else 0

    def x_ticks(self) -> list[tuple[float, str]]:
        return [(v, tick_label(v)) for v in self._x_ticks]

    def y_ticks(self) -> list[tuple[float, str]]:
        return [(v, tick_label(v)) for v in self._y_ticks]

    # -- geometry -------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        legend = self.LEGEND_WIDTH if self.width() > 700 else 0
        return QRectF(self.MARGIN_LEFT, self.MARGIN_TOP,
                      max(10.0, self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT - legend),
                      max(10.0, self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM))

    def x_max(self) -> float:
        return self._x_ticks[-1] if self._x_ticks[-1] > 0 else 1.0

    def y_max(self) -> float:
        return self._y_ticks[-1] if self._y_ticks[-1] > 0 else 1.0

    def to_pixel(self, x: float, y: float) -> QPointF:
        """Where the point (net salary x, euros y) is drawn."""
        rect = self.plot_rect()
        return QPointF(rect.left() + rect.width() * x / self.x_max(), rect.bottom() - rect.height() * y / self.y_max())

    def index_at(self, pixel_x: float) -> int | None:
        """Index of the point whose salary is nearest to the horizontal position."""
        if self.curve is None or not self.point_count:
            return None
        rect = self.plot_rect()
        salary = (pixel_x - rect.left()) / rect.width() * self.x_max()
        earnings = self.curve.earnings
        return int(min(range(self.point_count), key=lambda i: abs(float(earnings[i]) - salary)))

    # -- cursor ---------------------------------------------------------------------------
    def set_cursor(self, index: int | None) -> None:
        if index is None or self.curve is None:
            self.cursor_index = None
            self.update()
            return
        index = max(0, min(self.point_count - 1, int(index)))
        changed = index != self.cursor_index
        self.cursor_index = index
        self.setAccessibleDescription(self.readout_text())
        self.update()
        if changed:
            self.cursorMoved.emit(index)

    def readout(self, index: int | None = None) -> list[tuple[str, str, float]]:
        """(key, label, value) at the cursor (or ``index``): the net salary, then each
        series; values straight from ``EarningsCurve.at``."""
        if self.curve is None:
            return []
        i = self.cursor_index if index is None else index
        if i is None:
            return []
        point = self.curve.at(i)
        rows = [("earnings", t("gui.scenarios.curve.salary"), point["earnings"])]
        rows += [(s.key, s.label, point[s.key]) for s in self.series if s.key != "earnings"]
        rows.append(("resources", t("gui.scenarios.curve.resources"), point["resources"]))
        return rows

    def readout_text(self, index: int | None = None) -> str:
        return "\n".join(f"{label} : {formats.euros(value)}" for _key, label, value in self.readout(index))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if self.curve is None or self.cursor_index is None:
            super().keyPressEvent(event)
            return
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}
        key = Qt.Key(event.key())
        if key in steps:
            self.set_cursor(self.cursor_index + steps[key])
        elif key == Qt.Key.Key_Home:
            self.set_cursor(0)
        elif key == Qt.Key.Key_End:
            self.set_cursor(self.point_count - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        rect = self.plot_rect().adjusted(-6, 0, 6, 0)
        if self.curve is not None and rect.contains(event.position()):
            self.set_cursor(self.index_at(event.position().x()))
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.mouseMoveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        self.update()
        super().focusOutEvent(event)

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if self.hasFocus():
            painter.setPen(QPen(QColor("#1b4f9c"), 2))
            painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        rect = self.plot_rect()
        font = QFont(self.font())
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        if self.curve is None:
            painter.setPen(QColor("#555555"))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, t("gui.scenarios.curve.empty"))
            painter.end()
            return
        self._paint_axes(painter, rect, metrics)
        self._paint_smic(painter, rect, metrics)
        painter.save()
        painter.setClipRect(rect.adjusted(-2, -2, 2, 2))
        for series in reversed(self.series):  # the disposable income on top
            self._paint_series(painter, series)
        painter.restore()
        self._paint_legend(painter, rect, metrics)
        self._paint_cursor(painter, rect, metrics)
        painter.end()

    def _paint_axes(self, painter: QPainter, rect: QRectF, metrics: QFontMetricsF) -> None:
        grid = QPen(QColor("#e3e6ea"), 1)
        text = QColor("#333333")
        for value, label in self.y_ticks():
            y = self.to_pixel(0, value).y()
            painter.setPen(grid)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - metrics.height() / 2, rect.left() - 6, metrics.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        for value, label in self.x_ticks():
            x = self.to_pixel(value, 0).x()
            painter.setPen(grid)
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            painter.setPen(text)
            width = metrics.horizontalAdvance(label) + 4
            painter.drawText(QRectF(x - width / 2, rect.bottom() + 4, width, metrics.height()),
                             Qt.AlignmentFlag.AlignCenter, label)
        painter.setPen(QPen(QColor("#555555"), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.topLeft())
        painter.setPen(text)
        painter.drawText(QRectF(rect.left(), rect.bottom() + 6 + metrics.height(), rect.width(), metrics.height() + 4),
                         Qt.AlignmentFlag.AlignCenter, t("curve.x_axis"))
        painter.drawText(QRectF(8, 6, rect.width(), metrics.height() + 4),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, t("curve.y_axis"))
        if self.title:
            bold = QFont(painter.font())
            bold.setBold(True)
            painter.save()
            painter.setFont(bold)
            painter.drawText(QRectF(rect.left(), 6, rect.width(), metrics.height() + 4),
                             Qt.AlignmentFlag.AlignCenter, self.title)
            painter.restore()

    def _paint_smic(self, painter: QPainter, rect: QRectF, metrics: QFontMetricsF) -> None:
        assert self.curve is not None
        smic = self.curve.smic_net
        if not 0 < smic <= self.x_max():
            return
        x = self.to_pixel(smic, 0).x()
        painter.setPen(QPen(QColor("#666666"), 1.2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        painter.setPen(QColor("#444444"))
        label = f"{t('curve.smic')} ({formats.euros(smic, 0)})"
        painter.drawText(QPointF(x + 4, rect.top() + metrics.ascent() + 2), label)

    def _paint_series(self, painter: QPainter, series: Series) -> None:
        assert self.curve is not None
        path = QPainterPath()
        for i, (x, y) in enumerate(zip(self.curve.earnings.tolist(), series.values)):
            point = self.to_pixel(float(x), y)
            if i == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        pen = QPen(QColor(series.color), series.width, series.style)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def legend_rects(self) -> list[tuple[Series, QRectF]]:
        rect = self.plot_rect()
        metrics = QFontMetricsF(self.font())
        line = metrics.height() + 6
        if self.width() > 700:
            left, top, wide = rect.right() + 14, rect.top(), float(self.LEGEND_WIDTH - 18)
            return [(s, QRectF(left, top + i * line, wide, line)) for i, s in enumerate(self.series)]
        # narrow: two columns at the top of the plot
        half = rect.width() / 2
        return [(s, QRectF(rect.left() + (i % 2) * half, rect.top() + (i // 2) * line, half, line))
                for i, s in enumerate(self.series)]

    def _paint_legend(self, painter: QPainter, _rect: QRectF, metrics: QFontMetricsF) -> None:
        for series, box in self.legend_rects():
            y = box.center().y()
            pen = QPen(QColor(series.color), series.width, series.style)
            painter.setPen(pen)
            painter.drawLine(QPointF(box.left(), y), QPointF(box.left() + 26, y))
            painter.setPen(QColor("#222222"))
            text = metrics.elidedText(series.label, Qt.TextElideMode.ElideRight, box.width() - 32)
            painter.drawText(QRectF(box.left() + 32, box.top(), box.width() - 32, box.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_cursor(self, painter: QPainter, rect: QRectF, metrics: QFontMetricsF) -> None:
        if self.curve is None or self.cursor_index is None:
            return
        i = self.cursor_index
        x = self.to_pixel(float(self.curve.earnings[i]), 0).x()
        painter.setPen(QPen(QColor("#222222"), 1, Qt.PenStyle.SolidLine))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        for series in self.series:
            point = self.to_pixel(float(self.curve.earnings[i]), series.values[i])
            painter.setPen(QPen(QColor("#ffffff"), 1.5))
            painter.setBrush(QColor(series.color))
            painter.drawEllipse(point, 4.5, 4.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # the figures in a box beside the cursor, on the side with room
        lines = [(key, label, formats.euros(value)) for key, label, value in self.readout()]
        label_width = max(metrics.horizontalAdvance(label) for _, label, _ in lines)
        value_width = max(metrics.horizontalAdvance(value) for _, _, value in lines)
        label_width = min(label_width, 220.0)
        width = label_width + value_width + 48  # margins, colour mark, gap
        height = len(lines) * (metrics.height() + 2) + 10
        left = x + 12 if x + 12 + width <= rect.right() else x - 12 - width
        top = rect.top() + 22
        box = QRectF(left, top, width, height)
        painter.setPen(QPen(QColor("#9aa4b1"), 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 4, 4)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        series_colors = {s.key: s.color for s in self.series}
        for n, (key, label, value) in enumerate(lines):
            row = QRectF(box.left() + 8, box.top() + 5 + n * (metrics.height() + 2), box.width() - 16, metrics.height())
            color = series_colors.get(key)
            if color:
                painter.setPen(QPen(QColor(color), 3))
                painter.drawLine(QPointF(row.left(), row.center().y()), QPointF(row.left() + 6, row.center().y()))
            painter.setPen(QColor("#222222"))
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width + 2)
            painter.drawText(row.adjusted(10, 0, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, value)
