"""The earnings curve widget (QPainter): points drawn where they belong, the cursor's
readout equal to ``EarningsCurve.at(i)``, French axis labels, keyboard and mouse.

The curve here is built by hand (known arrays, no engine): each expected value is
read from those arrays, so a wrong index, a swapped series or a mis-scaled axis fails.
The chart on a real curve from the engine is tested in test_scenarios_view.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from app.core.base import formats
from app.core.base.i18n import t
from app.core.compute.scenarios import EarningsCurve
from app.gui.views.earnings_chart import PALETTE, EarningsChart, chart_series, ticks
from gui_helpers import key

NNBSP, NBSP = "\u202f", "\u00a0"


def synthetic_curve(points: int = 41) -> EarningsCurve:
    earnings = np.round(np.linspace(0.0, 2800.0, points), 2)
    rsa = np.round(np.maximum(0.0, 650.0 - 0.38 * earnings), 2)
    prime = np.round(np.where((earnings > 300) & (earnings < 2200), 180.0 + 0.05 * earnings, 0.0), 2)
    logement = np.round(np.maximum(0.0, 320.0 - 0.12 * earnings), 2)
    never = np.zeros(points)
    yearly = np.full(points, 400.0)
    resources = earnings + 120.0
    monthly = rsa + prime + logement
    return EarningsCurve(
        month="2026-11", person_id="p1", earnings=earnings, resources=resources,
        disposable=np.round(resources + monthly, 2),
        benefits={"rsa": rsa, "prime_activite": prime, "aide_logement": logement, "aah": never,
                  "ars": yearly, "css_participation": np.full(points, 30.0)},
        periods={"rsa": "month", "prime_activite": "month", "aide_logement": "month", "aah": "month",
                 "ars": "year", "css_participation": "month"},
        labels={"rsa": "RSA", "prime_activite": "Prime d'activité", "aide_logement": "Aide au logement",
                "aah": "AAH", "ars": "Allocation de rentrée scolaire", "css_participation": "CSS"},
        css_participation=np.full(points, 30.0), benefits_monthly=monthly, smic_net=1443.11,
    )


@pytest.fixture
def chart(qtbot: Any, gui_app: Any) -> EarningsChart:
    widget = EarningsChart()
    qtbot.addWidget(widget)
    widget.resize(900, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_series_are_the_disposable_income_the_salary_and_each_monthly_benefit_not_always_zero() -> None:
    curve = synthetic_curve()
    keys = [s.key for s in chart_series(curve)]
    # never-zero monthly benefits only: not AAH (always 0), not the yearly ARS, not the CSS participation
    assert keys == ["disposable", "earnings", "rsa", "prime_activite", "aide_logement"]


def test_the_cursor_readout_is_the_curves_point(chart: EarningsChart) -> None:
    curve = synthetic_curve()
    chart.set_curve(curve, "Titre")
    for index in (0, 7, 20, 40):
        chart.set_cursor(index)
        point = curve.at(index)
        readout = {k: v for k, _label, v in chart.readout()}
        assert readout == {k: point[k] for k in ("earnings", "disposable", "rsa", "prime_activite", "aide_logement",
                                                 "resources")}
        # the text a screen reader gets: each figure in French format
        text = chart.accessibleDescription()
        assert f"{t('curve.disposable')} : {formats.euros(float(curve.disposable[index]))}" in text
        assert f"RSA : {formats.euros(float(curve.benefits['rsa'][index]))}" in text


def test_the_cursor_starts_at_the_smic_and_follows_the_keyboard(chart: EarningsChart) -> None:
    curve = synthetic_curve()
    moved: list[int] = []
    chart.cursorMoved.connect(moved.append)
    chart.set_curve(curve)
    # earnings step 70 €: the point nearest 1 443,11 € is 1 470 € (index 21)
    assert chart.cursor_index == 21
    chart.setFocus()
    key(chart, Qt.Key.Key_Right)
    assert chart.cursor_index == 22
    key(chart, Qt.Key.Key_PageUp)
    assert chart.cursor_index == 12
    key(chart, Qt.Key.Key_Home)
    assert chart.cursor_index == 0
    key(chart, Qt.Key.Key_Left)  # stays at the first point
    assert chart.cursor_index == 0
    key(chart, Qt.Key.Key_End)
    assert chart.cursor_index == 40
    assert moved == [21, 22, 12, 0, 40]


def test_the_mouse_puts_the_cursor_on_the_nearest_point(chart: EarningsChart, qtbot: Any) -> None:
    curve = synthetic_curve()
    chart.set_curve(curve)
    for index in (3, 17, 33):
        x = chart.to_pixel(float(curve.earnings[index]), 0).x()
        qtbot.mouseMove(chart, QPointF(x + 1, chart.plot_rect().center().y()).toPoint())
        qtbot.wait(20)
        assert chart.cursor_index == index


def test_points_map_to_the_axes(chart: EarningsChart) -> None:
    curve = synthetic_curve()
    chart.set_curve(curve)
    rect = chart.plot_rect()
    origin = chart.to_pixel(0, 0)
    assert (origin.x(), origin.y()) == (rect.left(), rect.bottom())
    top_x, top_y = chart.x_ticks()[-1][0], chart.y_ticks()[-1][0]
    corner = chart.to_pixel(top_x, top_y)
    assert (corner.x(), corner.y()) == pytest.approx((rect.right(), rect.top()))
    # the axes reach the data: the highest tick is at least the largest value, one step at most above
    assert top_x >= float(curve.earnings[-1]) and top_y >= float(np.max(curve.disposable))
    step = chart.y_ticks()[1][0] - chart.y_ticks()[0][0]
    assert top_y - float(np.max(curve.disposable)) < step
    for index in range(len(curve.earnings)):
        assert chart.index_at(chart.to_pixel(float(curve.earnings[index]), 0).x()) == index


def test_axis_ticks_are_whole_euros_in_french(chart: EarningsChart) -> None:
    chart.set_curve(synthetic_curve())
    x_labels = dict(chart.x_ticks())
    y_labels = dict(chart.y_ticks())
    assert x_labels[0.0] == f"0{NBSP}€"
    assert x_labels[1000.0] == f"1{NNBSP}000{NBSP}€"
    assert all(label.endswith(f"{NBSP}€") and "," not in label for label in (*x_labels.values(), *y_labels.values()))
    assert ticks(2800.0) == [0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0, 3000.0]


def _near(image: Any, point: QPointF, color: str, radius: int = 2) -> bool:
    target = QColor(color)
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            pixel = image.pixelColor(int(round(point.x())) + dx, int(round(point.y())) + dy)
            if abs(pixel.red() - target.red()) + abs(pixel.green() - target.green()) + abs(
                    pixel.blue() - target.blue()) < 60:
                return True
    return False


def test_the_disposable_income_line_is_drawn_through_its_points(chart: EarningsChart) -> None:
    """Pixels of the rendered widget: the disposable income's colour at its points, not
    at the same salary one grid step lower (where no series of that colour passes)."""
    curve = synthetic_curve()
    chart.set_curve(curve)
    chart.set_cursor(None)  # no cursor box over the lines
    image = chart.grab().toImage()
    for index in (2, 10, 30, 38):
        point = chart.to_pixel(float(curve.earnings[index]), float(curve.disposable[index]))
        assert _near(image, point, PALETTE[0]), index
        below = chart.to_pixel(float(curve.earnings[index]), float(curve.disposable[index]) - 400)
        assert not _near(image, below, PALETTE[0]), index


def test_an_empty_chart_says_what_to_do(chart: EarningsChart) -> None:
    chart.set_curve(None)
    assert chart.readout() == [] and chart.cursor_index is None
    chart.repaint()  # painting without a curve does not fail
