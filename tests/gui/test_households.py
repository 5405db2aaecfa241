"""Whole households typed into the real main window, from the keyboard.

Each test types a household as an agent would (``QKeyEvent``s with their text,
arrow keys in combos and in the commune list, a few clicks), waits for the results,
and checks two things against values derived without the GUI:

* the household the window holds equals the ``Household`` written out in the test
  (the GUI maps what is typed to the core model, field by field);
* every amount and status displayed equals the core's ``Engine().compute`` of that
  household, in French format (``formats.euros``), and the monthly total too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox

from app.core.base import formats
from app.core.model.household import (
    Activity,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)
from app.core.base.i18n import t
from gui_helpers import choose, key, scroll_into_view, type_text, wait_results

pytestmark = pytest.mark.slow


def expected_amount(benefit: Any, item: Any) -> str:
    """The amount text for a core result, written from the translation keys."""
    if item.status.value == "to_check" and item.amount > 0 and benefit.value == "amount":
        key_name = f"gui.results.up_to_{item.amount_period}"
        return t(key_name, amount=formats.euros(item.amount))
    if item.status.value != "eligible":
        return "—"
    if benefit.value == "boolean":
        return t("gui.results.boolean_yes")
    if benefit.value == "contribution":
        return t("gui.results.contribution", amount=formats.euros(item.amount))
    key_name = f"gui.results.amount_{item.amount_period}"
    return t(key_name, amount=formats.euros(item.amount))


def expected_status(item: Any) -> str:
    """The status column says what the household has to do (``BenefitResult.claim``)."""
    claim = item.claim.value
    if claim == "to_request":
        return t("gui.results.to_request") if item.status.value == "eligible" else t("gui.results.to_check_request")
    if claim == "automatic":
        return t("gui.results.automatic_short")
    if claim == "received":
        return t("results.already_received")
    return t(f"status.{item.status.value}")


def assert_shows(win: Any, core: Any, catalogue: Any) -> None:
    """The window shows, benefit by benefit, exactly the core's result."""
    shown = win.results.displayed()
    # Every national benefit, and the local aids of the household's territory (the engine
    # lists the others as "hors_territoire", which screens leave out):
    listed = [b for b in core.benefits if b.detail not in ("hors_territoire", "non_evalue")]
    assert set(shown) == {b.benefit_id for b in listed} >= set(catalogue.ids())
    for item in listed:
        benefit = catalogue.get(item.benefit_id)
        assert shown[item.benefit_id]["amount"] == expected_amount(benefit, item), item.benefit_id
        assert shown[item.benefit_id]["status"] == expected_status(item), item.benefit_id
        assert shown[item.benefit_id]["paying_body"] == benefit.paying_body.short
    assert win.results.total.text() == f"{t('results.total_monthly')} : {formats.euros(core.total_monthly())}"
    assert win.displayed_result().benefits == core.benefits


def click(qtbot: Any, widget: Any) -> None:
    """A mouse click, after scrolling the widget into view (a click lands where it is seen)."""
    scroll_into_view(widget)
    if isinstance(widget, QCheckBox):  # on the box itself: the row may be wider than its text
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def pick_commune(text: str, field: Any) -> None:
    """Type into the commune field, then take the first proposal with Down and Enter."""
    type_text(field, text)
    key(field, Qt.Key.Key_Down)
    key(field, Qt.Key.Key_Return)


def test_single_parent_two_children_tenant_in_lyon(window: Any, qtbot: Any, core_engine: Any, catalogue: Any) -> None:
    win = window
    editor = win.editor
    parent = editor.forms[0]
    type_text(parent.birth_date, "12031988")  # tidied to 12/03/1988 when the field is left
    type_text(parent.first_name, "Léa")
    choose(parent.activity, t("choice.activity.salarie"))
    click(qtbot, parent.resources.add_button)
    salary = parent.resources.rows[0]
    assert salary.kind.currentText() == t("choice.resource.salaire_net")
    type_text(salary.stable, "1 250,50")

    click(qtbot, editor.add_child_button)
    first = editor.forms[1]
    type_text(first.birth_date, "05/09/2016")
    type_text(first.first_name, "Noé")
    click(qtbot, editor.add_child_button)
    second = editor.forms[2]
    type_text(second.birth_date, "14022021")
    type_text(second.first_name, "Zoé")
    assert parent.birth_date.text() == "12/03/1988"
    # Usual school levels proposed from the ages, school year 2026-2027:
    assert first.schooling.currentText() == t("choice.schooling.primaire")
    assert second.schooling.currentText() == t("choice.schooling.maternelle")

    housing = editor.housing
    type_text(housing.rent, "620")
    type_text(housing.charges, "80")
    pick_commune("69003", housing.commune)
    assert housing.commune.text() == "Lyon — 69003"
    click(qtbot, editor.savings_unknown)
    type_text(editor.savings, "1 500 €")

    wait_results(qtbot, win)
    expected = Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1988, 3, 12), first_name="Léa", activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=1250.5),)),
            Person("p2", Role.ENFANT, dt.date(2016, 9, 5), first_name="Noé", schooling=Schooling.PRIMAIRE),
            Person("p3", Role.ENFANT, dt.date(2021, 2, 14), first_name="Zoé", schooling=Schooling.MATERNELLE),
        ),
        couple=CoupleStatus.SEUL,
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=620.0, charges=80.0, commune_insee="69123",
                        postal_code="69003"),
        savings=1500.0,
    )
    assert editor.collect().household == expected
    core = core_engine.compute(expected, win.month_value)
    # The case is not trivial: several benefits are due, and shown as not claimed.
    due = {b.benefit_id for b in core.benefits if b.status.value == "eligible" and b.amount > 0}
    assert {"prime_activite", "aide_logement", "allocations_familiales"} <= due
    assert_shows(win, core, catalogue)
    assert win.results.not_claimed.isVisible()


def test_couple_with_a_baby_month_by_month_earnings(window: Any, qtbot: Any, core_engine: Any, catalogue: Any) -> None:
    win = window
    editor = win.editor
    first = editor.forms[0]
    type_text(first.birth_date, "20/06/1990")
    type_text(first.first_name, "Inès")
    choose(first.activity, t("choice.activity.salarie"))
    click(qtbot, first.resources.add_button)
    salary = first.resources.rows[0]
    choose(salary.mode, t("gui.resources.monthly"))
    assert salary.grid.isVisible() and not salary.stable.isVisible()
    type_text(salary.grid.edits[0], "900")
    qtbot.keyClick(salary.grid.edits[0], Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # copy forward
    type_text(salary.grid.edits[6], "1 100,00", clear=True)
    qtbot.keyClick(salary.grid.edits[6], Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [e.text() for e in salary.grid.edits] == ["900"] * 6 + ["1 100,00"] * 6

    click(qtbot, editor.add_conjoint_button)
    assert editor.couple.currentText() == t("choice.couple.marie")  # a conjoint makes a couple
    choose(editor.couple, t("choice.couple.pacse"))
    second = editor.forms[1]
    type_text(second.birth_date, "30/01/1992")
    type_text(second.first_name, "Maël")
    choose(second.activity, t("choice.activity.demandeur_emploi_indemnise"))
    assert second.ass_work_history.isVisible()
    click(qtbot, second.resources.add_button)
    benefit_row = second.resources.rows[0]
    choose(benefit_row.kind, t("choice.resource.chomage"))
    type_text(benefit_row.stable, "600")

    click(qtbot, editor.add_child_button)
    baby = editor.forms[2]
    type_text(baby.birth_date, "10/05/2026")
    assert baby.schooling.currentText() == t("choice.schooling.aucune")
    assert not baby.pregnant.isVisible() and baby.schooling.isVisible()

    housing = editor.housing
    pick_commune("Marseille", housing.commune)
    type_text(housing.rent, "450")
    type_text(housing.charges, "60")
    click(qtbot, housing.conventionne)
    click(qtbot, editor.received["paje_base"])

    wait_results(qtbot, win)
    expected = Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1990, 6, 20), first_name="Inès", activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, monthly=(900.0,) * 6 + (1100.0,) * 6),)),
            Person("p2", Role.CONJOINT, dt.date(1992, 1, 30), first_name="Maël",
                   activity=Activity.DEMANDEUR_EMPLOI_INDEMNISE,
                   resources=(Resource(ResourceKind.CHOMAGE, stable=600.0),)),
            Person("p3", Role.ENFANT, dt.date(2026, 5, 10)),
        ),
        couple=CoupleStatus.PACSE,
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=450.0, charges=60.0, conventionne=True,
                        commune_insee="13055", postal_code=""),
        savings=None,
        benefits_received=("paje_base",),
    )
    assert editor.collect().household == expected
    core = core_engine.compute(expected, win.month_value)
    paje = core.get("paje_base")
    assert paje.status.value == "eligible" and paje.already_received  # received: not highlighted
    assert core.get("aide_logement").detail == "apl"  # conventionné: APL
    assert core.get("ass").status.value == "to_check"  # a job seeker: shown to check
    assert_shows(win, core, catalogue)


def test_retired_owner_without_loan(window: Any, qtbot: Any, core_engine: Any, catalogue: Any) -> None:
    win = window
    editor = win.editor
    person = editor.forms[0]
    type_text(person.birth_date, "02/04/1955")
    choose(person.activity, t("choice.activity.retraite"))
    click(qtbot, person.resources.add_button)
    pension = person.resources.rows[0]
    choose(pension.kind, t("choice.resource.retraite"))
    type_text(pension.stable, "850")
    type_text(person.taxable_n1, "9 800")

    housing = editor.housing
    type_text(housing.rent, "500")  # typed while still a tenant…
    choose(housing.status, t("choice.housing.proprietaire"))
    assert not housing.rent.isVisible() and not housing.conventionne.isVisible()  # …then hidden, not used
    pick_commune("42000", housing.commune)
    click(qtbot, editor.savings_unknown)
    type_text(editor.savings, "3 000")

    wait_results(qtbot, win)
    expected = Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1955, 4, 2), activity=Activity.RETRAITE,
                   resources=(Resource(ResourceKind.RETRAITE, stable=850.0),), taxable_income_last_year=9800.0),
        ),
        housing=Housing(HousingStatus.PROPRIETAIRE, commune_insee="42218", postal_code="42000"),
        savings=3000.0,
    )
    assert editor.collect().household == expected
    assert housing.rent.text() == "500"  # kept in the field: back to tenant shows it again
    core = core_engine.compute(expected, win.month_value)
    assert core.get("aspa").status.value == "eligible" and core.get("aspa").amount > 0
    assert_shows(win, core, catalogue)


def test_a_yes_or_no_benefit_reads_oui_whatever_it_is() -> None:
    """« Oui, gratuite » was right for the CSS gratuite alone; the social housing ceilings,
    Visale and Loca-Pass are yes-or-no benefits too."""
    from app.core.benefits.catalogue import load_catalogue
    from app.core.benefits.results import BenefitResult, Status
    from app.gui.models.results_model import amount_text

    catalogue = load_catalogue()
    booleans = [b for b in catalogue if b.value == "boolean"]
    assert {"css_gratuite", "logement_social", "visale", "locapass"} <= {b.id for b in booleans}
    for benefit in booleans:
        result = BenefitResult(benefit_id=benefit.id, status=Status.ELIGIBLE, amount=1.0, amount_period="month")
        assert amount_text(benefit, result) == "Oui", benefit.id
