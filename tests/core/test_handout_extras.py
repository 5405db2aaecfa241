"""The comparison of scenarios on the handout (``app/core/handout/extras.py``).

Oracle: two separate ``engine.compute`` calls (the household and the same household
with another salary); the printed difference of the disposable income is derived from
them as declared net resources + monthly benefits counted in totals − the CSS
participation. The PDF is read back with pypdf.
"""

from __future__ import annotations

import dataclasses
import io

import pypdf
import pytest

from app.core.base import formats
from app.core.benefits.results import Status
from app.core.handout.citizen import HandoutOptions, ServicePoint
from app.core.handout.build import build_handout
from app.core.handout.extras import comparison_flowable, delta_text, shown_rows, value_text
from app.core.model.household import Resource, ResourceKind
from app.core.base.i18n import t
from app.core.compute.scenarios import EarningsChange, Scenario, compare

import explain_cases as cases
from explain_cases import MONTH

pytestmark = pytest.mark.slow

POINT = ServicePoint(name="France Services Essai", address="", phone="", opening_hours="", logo_path=None)


def plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def disposable(engine, household) -> float:
    result = engine.compute(household, MONTH)
    salary = sum(r.stable or 0.0 for p in household.persons for r in p.resources)
    css = next((b.amount for b in result.benefits if b.benefit_id == "css_participation"
                and b.status == Status.ELIGIBLE), 0.0)
    return round(salary + result.total_monthly() - css, 2)


def test_the_comparison_is_printed_with_its_differences_written_out(engine) -> None:
    household = cases.parent_one_child()  # a single parent paid 1 100 € net, one child, renting
    person = household.persons[0].id
    comparison = compare(engine, household, [Scenario((EarningsChange(person, net_monthly=1600.0),))], MONTH)
    raised = dataclasses.replace(household, persons=tuple(
        dataclasses.replace(p, resources=(Resource(ResourceKind.SALAIRE_NET, stable=1600.0),)) if p.id == person else p
        for p in household.persons))
    before, after = disposable(engine, household), disposable(engine, raised)
    assert abs(after - before) >= 1  # the raise changes the income: the test can tell

    result = engine.compute(household, MONTH)
    pdf = build_handout(household, result, engine.catalogue, POINT,
                        HandoutOptions(detailed=True, extra_flowables=(comparison_flowable(comparison),)))
    text = plain(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    assert plain(t("scenario.sheet.title")) in text
    assert plain(t("scenario.sheet.intro", month=formats.month(MONTH))) in text
    difference = (t("scenario.increase", amount=formats.euros(after - before)) if after > before
                  else t("scenario.decrease", amount=formats.euros(before - after)))
    assert plain(f"{formats.euros(after)} {difference}") in text
    assert plain(t("scenario.note")) in text

    # Every row the window shows is printed, with the window's texts.
    for row in shown_rows(comparison):
        assert plain(value_text(row, 0)) in text, row.key
        assert plain(f"{value_text(row, 1)} {delta_text(row, 1)}") in text, row.key


def test_the_plain_handout_has_no_comparison(engine) -> None:
    household = cases.parent_one_child()
    pdf = build_handout(household, engine.compute(household, MONTH), engine.catalogue, POINT, HandoutOptions())
    text = plain(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    assert plain(t("scenario.sheet.title")) not in text
