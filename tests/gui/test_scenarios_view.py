"""« Outils »: scenarios side by side, « Mieux en emploi ? », the earnings curve in the
app and in the handout, the expert trace export — all computed in the engine process.

Oracles, independent of ``scenarios.compare``: two separate ``core_engine.compute``
calls (the household, and the variant built here by hand with ``dataclasses.replace``);
the disposable income is derived from them as declared net resources + monthly
benefits counted in totals − the CSS participation (docs/explanations.md), the
declared resources being the demandeur's salary only in this example. The curve's
readout is compared with ``scenarios.earnings_curve`` run in this process, the trace
file with ``trace_export.export_trace`` run in this process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from app.core.base import formats
from app.core.io.casefile import load_case
from app.core.benefits.results import SimulationResult, Status
from app.core.model.examples import example_files
from app.core.model.household import Activity, CoupleStatus, Household, Resource, ResourceKind
from app.core.base.i18n import t
from app.gui.views import scenarios_view, trace_export_action
from app.gui.views.housing_form import search
from gui_helpers import ENGINE_TIMEOUT_MS, RESULT_TIMEOUT_MS, type_text, wait_results

pytestmark = pytest.mark.slow

EXAMPLE = "01-parent-isolee-lyon.json"  # a single parent paid 1 147,81 € net, two children, renting in Lyon


def example() -> tuple[Household, str]:
    path = next(p for p in example_files() if p.name == EXAMPLE)
    household, month = load_case(path)
    assert month is not None
    return household, month


def with_salary(household: Household, person_id: str, net: float, activity: Activity | None = None) -> Household:
    """The oracle's variant, built by hand: the person's salary replaced by a stable ``net``."""
    persons = []
    for person in household.persons:
        if person.id == person_id:
            others = tuple(r for r in person.resources if r.kind != ResourceKind.SALAIRE_NET)
            person = dataclasses.replace(person, resources=others + (Resource(ResourceKind.SALAIRE_NET, stable=net),),
                                         activity=activity or person.activity)
        persons.append(person)
    return dataclasses.replace(household, persons=tuple(persons))


def amount(result: SimulationResult, benefit_id: str) -> float:
    item = result.get(benefit_id)
    return item.amount if item.status == Status.ELIGIBLE else 0.0


def disposable(result: SimulationResult, salary: float) -> float:
    css = amount(result, "css_participation") if any(b.benefit_id == "css_participation" for b in result.benefits) else 0
    return round(salary + result.total_monthly() - css, 2)


def delta_line(delta: float) -> str:
    if delta >= 0.005:
        return f"+{formats.euros(delta)} (hausse)"
    if delta <= -0.005:
        return f"−{formats.euros(-delta)} (baisse)"
    return "= inchangé"


def held(result: SimulationResult, key: str) -> bool:
    """The household has this right (eligible or to check); the CSS participation's row
    stands for the CSS, free or with a participation (``scenarios._css_status``)."""
    keys = ("css_participation", "css_gratuite") if key == "css_participation" else (key,)
    return any(result.get(k).status.value in ("eligible", "to_check") for k in keys)


def open_example(window: Any, qtbot: Any) -> tuple[Household, str]:
    household, month = example()
    qtbot.waitUntil(lambda: window.engine.is_ready, timeout=ENGINE_TIMEOUT_MS)
    window.load_household(household, month)
    wait_results(qtbot, window)
    scenarios_view.install(window)
    return household, month


def test_install_adds_the_tools_menu_once(window: Any) -> None:
    existing = window.menuBar().findChild(QMenu, "toolsMenu")
    scenarios_view.install(window)
    menu = window.menuBar().findChild(QMenu, "toolsMenu")
    assert menu is not None and (existing is None or existing is menu)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    for key in ("compare", "work", "curve", "trace"):
        assert t(f"gui.scenarios.menu.{key}") in texts
    assert window.scenarios_compare_action.shortcut().toString() == "Ctrl+K"
    # another tool's install finds the same menu (same objectName): no second « Outils »
    assert scenarios_view.tools_menu(window) is menu
    assert len([m for m in window.menuBar().findChildren(QMenu) if m.objectName() == "toolsMenu"]) == 1


def test_compared_differences_equal_two_core_computations(window: Any, qtbot: Any, core_engine: Any) -> None:
    household, month = open_example(window, qtbot)
    demandeur = household.persons[0]
    window.scenarios_compare_action.trigger()
    dialog = window.scenarios_dialog
    page = dialog.compare_page
    variant = page.variants[0]
    variant.boxes["earnings"].setChecked(True)
    assert variant.earnings_person.currentData() == demandeur.id
    type_text(variant.earnings_amount.value, "1 500", clear=True)
    page.compare_button.click()
    qtbot.waitUntil(lambda: page.table.comparison is not None, timeout=RESULT_TIMEOUT_MS)

    base = core_engine.compute(household, month)
    changed = core_engine.compute(with_salary(household, demandeur.id, 1500.0), month)
    shown = page.table.displayed()
    benefit_rows = [key for key in shown if key in {b.benefit_id for b in base.benefits}]
    assert benefit_rows, "no benefit row shown"
    moved = 0
    for key in benefit_rows:
        expected = round(amount(changed, key) - amount(base, key), 2)
        current, with_variant = shown[key]
        assert "\n" not in current  # the current situation: no difference line
        value_line, difference = with_variant.split("\n")
        if base.get(key).status == Status.ELIGIBLE and amount(base, key) > 0:
            assert current == formats.euros(amount(base, key)), key
        if changed.get(key).status == Status.ELIGIBLE and amount(changed, key) > 0:
            assert value_line == formats.euros(amount(changed, key)), key
        if held(base, key) and not held(changed, key):  # a right lost is a loss, whatever the sign
            moved += 1
            assert difference == t("scenario.lost", status=t("status.not_eligible")), key
        elif abs(expected) >= 0.005:
            moved += 1
            assert difference == delta_line(expected), key
        else:
            assert "hausse" not in difference and "baisse" not in difference, key
    assert moved >= 1, "a 350 € raise changes no benefit: the test would prove nothing"

    expected_total = round(changed.total_monthly() - base.total_monthly(), 2)
    assert shown["benefits_monthly"][1].split("\n")[1] == delta_line(expected_total)
    before, after = disposable(base, 1147.81), disposable(changed, 1500.0)
    assert shown["disposable"] == [formats.euros(before), f"{formats.euros(after)}\n{delta_line(after - before)}"]

    # the difference is also told by colour: green when better for the household, red when worse
    table = page.table
    for key in benefit_rows + ["disposable"]:
        row = table.keys.index(key)
        item = table.item(row, 2)
        text = item.text()
        if "droit perdu" in text:
            assert item.background().color().name() == scenarios_view.UNFAVOURABLE[0]
        elif "hausse" in text or "baisse" in text:
            good = "hausse" in text if key != "css_participation" else "baisse" in text
            assert item.background().color().name() == (scenarios_view.FAVOURABLE if good else
                                                         scenarios_view.UNFAVOURABLE)[0]
    dialog.close()


def test_the_comparison_goes_into_the_handout(window: Any, qtbot: Any, core_engine: Any, tmp_path: Path) -> None:
    """« Ajouter la comparaison au document »: the handout's PDF holds the comparison
    with the differences written out; the disposable income and its difference are those
    of two separate core computations (not read from the window)."""
    from pypdf import PdfReader

    household, month = open_example(window, qtbot)
    demandeur = household.persons[0]
    window.scenarios_compare_action.trigger()
    page = window.scenarios_dialog.compare_page
    assert not page.handout_button.isEnabled()  # nothing compared yet
    variant = page.variants[0]
    variant.boxes["earnings"].setChecked(True)
    type_text(variant.earnings_amount.value, "1 500", clear=True)
    page.compare_button.click()
    qtbot.waitUntil(lambda: page.table.comparison is not None, timeout=RESULT_TIMEOUT_MS)
    assert page.handout_button.isEnabled()
    page.handout_button.click()
    dialog = window.comparison_handout_dialog
    qtbot.waitUntil(lambda: bool(dialog.data), timeout=60_000)
    path = tmp_path / "handout.pdf"
    path.write_bytes(dialog.data)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\u00a0", " ").split())

    before = disposable(core_engine.compute(household, month), 1147.81)
    after = disposable(core_engine.compute(with_salary(household, demandeur.id, 1500.0), month), 1500.0)
    plain = lambda s: " ".join(s.replace("\u00a0", " ").replace("\u202f", " ").split())  # noqa: E731
    assert plain(t("scenario.sheet.title")) in text
    assert plain(t("scenario.row.disposable")) in text
    assert plain(f"{formats.euros(after)} {delta_line(after - before)}") in text
    assert plain(page.table.comparison.columns[1]) in text
    assert "Comparaison en situation établie" in text  # the note goes with it
    dialog.close()


def _earnings_variant(qtbot: Any) -> tuple[Any, Any, str]:
    """A variant editor on the job-seeking mother of example 08, « salaire net » checked."""
    path = next(p for p in example_files() if p.name == "08-mere-au-chomage-lyceen-marseille.json")
    household, month = load_case(path)
    editor = scenarios_view.VariantEditor(1)
    qtbot.addWidget(editor)
    editor.set_household(household, month)
    editor.boxes["earnings"].setChecked(True)
    editor.earnings_amount.mode.setCurrentIndex(0)
    return editor, household, month


def test_a_job_seeker_given_a_salary_takes_a_job_and_their_unemployment_benefit_stops(
        qtbot: Any, gui_app: Any) -> None:
    """The comparison's variant says what « Mieux en emploi ? » does: a job seeker paid
    an unemployment benefit who is given a salary becomes « salarié » and the benefit
    stops (the column's title says so)."""
    from app.core.compute.scenarios import EarningsChange, apply_scenario, describe

    editor, household, month = _earnings_variant(qtbot)
    seeker = household.persons[0]
    assert seeker.activity == Activity.DEMANDEUR_EMPLOI_INDEMNISE
    assert any(r.kind == ResourceKind.CHOMAGE for r in seeker.resources)
    type_text(editor.earnings_amount.value, "1 200", clear=True)
    scenario = editor.scenario()
    (change,) = scenario.changes
    assert change == EarningsChange(seeker.id, 1200.0, None, Activity.SALARIE, (ResourceKind.CHOMAGE,))
    after = apply_scenario(None, household, scenario, month)  # type: ignore[arg-type] - no engine for a net salary
    person = next(p for p in after.persons if p.id == seeker.id)
    assert person.activity == Activity.SALARIE
    assert {r.kind for r in person.resources} == {ResourceKind.SALAIRE_NET} | {
        r.kind for r in seeker.resources if r.kind not in (ResourceKind.CHOMAGE, ResourceKind.SALAIRE_NET)}
    assert "fin de l'allocation chômage" in describe(household, scenario)


def test_a_variant_label_over_its_length_or_an_ambiguous_salary_is_refused(qtbot: Any, gui_app: Any) -> None:
    """The label is printed on the handout's comparison: capped at input, with a message
    naming the variant; « 1.500 » is refused by the one amount parser."""
    editor, _household, _month = _earnings_variant(qtbot)
    type_text(editor.earnings_amount.value, "1.500", clear=True)
    with pytest.raises(ValueError) as raised:
        editor.scenario()
    assert str(raised.value) == t("gui.scenarios.amount_invalid", variant="Variante 1")
    type_text(editor.earnings_amount.value, "1 500", clear=True)
    editor.label.setText("L" * (scenarios_view.MAX_LABEL + 1))
    with pytest.raises(ValueError) as raised:
        editor.scenario()
    assert str(raised.value) == t("gui.scenarios.variant.label_too_long", variant="Variante 1",
                                  count=scenarios_view.MAX_LABEL + 1, max=scenarios_view.MAX_LABEL)
    assert editor.label.text() == "L" * (scenarios_view.MAX_LABEL + 1)  # kept as typed
    editor.label.setText("Reprise à 1 500 €")
    assert editor.scenario().label == "Reprise à 1 500 €"


def test_a_variant_with_several_changes_and_a_wrong_one(window: Any, qtbot: Any) -> None:
    """Three variants (birth; move + raise; a new partner), each column computed; an empty amount is refused
    with a French message naming the variant and nothing is sent."""
    household, month = open_example(window, qtbot)
    window.scenarios_compare_action.trigger()
    page = window.scenarios_dialog.compare_page
    first = page.variants[0]
    first.boxes["birth"].setChecked(True)
    second = page.add_variant()
    assert second is not None
    second.boxes["earnings"].setChecked(True)
    second.earnings_amount.value.setText("abc")
    page.compare_button.click()
    assert page.status.text() == t("gui.scenarios.amount_invalid", variant="Variante 2")
    assert page.request_id is None
    second.earnings_amount.value.setText("1300")
    second.boxes["move"].setChecked(True)
    label, (insee, postal) = search("13001")[0]  # « Marseille — 13001 », as picked in the list
    second.commune.choose(insee, postal, label)
    second.rent.setText("700")
    third = page.add_variant()
    assert third is not None and page.add_variant() is None  # three variants at most
    assert not page.add_button.isEnabled()
    third.boxes["couple"].setChecked(True)
    assert third.couple_kind.currentData() == "together"  # no conjoint yet
    type_text(third.partner_birth, "01/02/1990")
    type_text(third.partner_salary, "1 250")
    page.compare_button.click()
    qtbot.waitUntil(lambda: page.table.comparison is not None, timeout=RESULT_TIMEOUT_MS)
    comparison = page.table.comparison
    assert len(comparison.columns) == 4
    partner = comparison.households[3].conjoint
    assert partner is not None and partner.birth_date == dt.date(1990, 2, 1)
    assert partner.resource(ResourceKind.SALAIRE_NET) == Resource(ResourceKind.SALAIRE_NET, stable=1250.0)
    assert comparison.households[3].couple == CoupleStatus.CONCUBIN
    assert len(comparison.households[1].persons) == len(household.persons) + 1
    assert comparison.households[2].housing.commune_insee == "13055"  # Marseille
    assert comparison.households[2].housing.postal_code == "13001"
    assert comparison.households[2].housing.rent == 700.0
    assert page.table.horizontalHeaderItem(3).toolTip() == comparison.columns[2]
    assert page.table.horizontalHeaderItem(3).text().replace("\n", " ") == comparison.columns[2]
    window.scenarios_dialog.close()


def test_better_off_in_work_shows_the_cores_figures(window: Any, qtbot: Any, core_engine: Any) -> None:
    household, month = open_example(window, qtbot)
    demandeur = household.persons[0]
    window.scenarios_work_action.trigger()
    dialog = window.scenarios_dialog
    assert dialog.tabs.currentIndex() == 1
    page = dialog.work_page
    page.amount.mode.setCurrentIndex(0)  # net salary
    type_text(page.amount.value, "1 800", clear=True)
    page.compute_button.click()
    qtbot.waitUntil(lambda: page.result is not None, timeout=RESULT_TIMEOUT_MS)

    base = core_engine.compute(household, month)
    working = core_engine.compute(with_salary(household, demandeur.id, 1800.0, Activity.SALARIE), month)
    before, after = disposable(base, 1147.81), disposable(working, 1800.0)
    per_month = lambda v: t("gui.scenarios.work.per_month", amount=formats.euros(v))  # noqa: E731
    assert page.figures["salary"].text() == per_month(1800.0)
    assert page.figures["before"].text() == per_month(before)
    assert page.figures["after"].text() == per_month(after)
    assert page.figures["delta"].text() == delta_line(round(after - before, 2))
    gain = abs(round(after - before, 2))
    assert formats.euros(gain) in page.sentence.text()
    assert page.sentence.text().startswith("Avec cet emploi")
    assert page.note.text() == t("scenario.better_off.steady") and page.note.isVisible()

    # « Ajouter au document… »: the handout carries the answer, with the same gain
    from pypdf import PdfReader

    assert page.handout_button.isEnabled()
    page.handout_button.click()
    handout = window.work_handout_dialog
    qtbot.waitUntil(lambda: bool(handout.data), timeout=60_000)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handout.data)).pages)
    text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    plain = lambda s: " ".join(s.replace("\u00a0", " ").replace("\u202f", " ").split())  # noqa: E731
    assert plain(t("scenario.sheet.work_title")) in text
    assert plain(page.sentence.text()) in text and plain(formats.euros(gain)) in text
    assert plain(t("scenario.better_off.steady")) in text
    handout.close()
    dialog.close()


def test_the_curve_is_drawn_from_the_engine_and_its_cursor_reads_the_core_curve(
        window: Any, qtbot: Any, core_engine: Any) -> None:
    from app.core.compute.scenarios import earnings_curve

    household, month = open_example(window, qtbot)
    window.scenarios_curve_action.trigger()
    dialog = window.scenarios_dialog
    page = dialog.curve_page
    page.draw_button.click()
    qtbot.waitUntil(lambda: page.curve is not None, timeout=RESULT_TIMEOUT_MS)
    expected = earnings_curve(core_engine, household, household.persons[0].id, month)
    assert len(page.curve.earnings) == 101
    assert page.curve.earnings[-1] == pytest.approx(2 * expected.smic_net, abs=0.01)
    chart = page.chart
    chart.setFocus(Qt.FocusReason.TabFocusReason)
    for index in (0, 37, 50, 100):
        chart.set_cursor(index)
        point = expected.at(index)
        assert {k: v for k, _label, v in chart.readout()} == {k: point[k] for k, _label, _v in chart.readout()}
        assert f"{t('curve.disposable')} : {formats.euros(point['disposable'])}" in page.readout.text()
    assert page.handout_button.isEnabled()
    dialog.close()


def test_the_curve_goes_into_the_handout(window: Any, qtbot: Any, tmp_path: Path) -> None:
    """« Ajouter la courbe au document »: the handout preview's PDF holds the curve's title
    and axis texts (extracted from the PDF), and one more page's worth of content."""
    from pypdf import PdfReader

    household, month = open_example(window, qtbot)
    window.scenarios_curve_action.trigger()
    page = window.scenarios_dialog.curve_page
    page.draw_button.click()
    qtbot.waitUntil(lambda: page.curve is not None, timeout=RESULT_TIMEOUT_MS)
    page.handout_button.click()
    dialog = window.curve_handout_dialog
    qtbot.waitUntil(lambda: bool(dialog.data), timeout=60_000)
    path = tmp_path / "handout.pdf"
    path.write_bytes(dialog.data)
    text = "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert t("curve.title", person="Demandeur") in text
    assert t("curve.x_axis") in text and t("curve.smic") in text
    assert "Chaque point suppose ce salaire" in " ".join(text.split())  # the caption
    dialog.close()
    # the ordinary handout has no curve
    from app.gui.views import handout_preview

    plain = handout_preview.HandoutDialog(window, household, window.displayed_result())
    qtbot.addWidget(plain)
    qtbot.waitUntil(lambda: bool(plain.data), timeout=60_000)
    (tmp_path / "plain.pdf").write_bytes(plain.data)
    plain_text = "\n".join(p.extract_text() for p in PdfReader(str(tmp_path / "plain.pdf")).pages)
    assert t("curve.x_axis") not in plain_text
    plain.close()


def test_trace_export_writes_the_cores_trace(window: Any, qtbot: Any, core_engine: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.compute.trace_export import export_trace

    household, month = open_example(window, qtbot)
    target = tmp_path / "trace.json"
    asked: list[str] = []
    monkeypatch.setattr(trace_export_action, "ask_save_path", lambda _parent, name: asked.append(name) or target)
    window.results.select_benefit("aide_logement")
    window.trace_export_action.trigger()
    assert asked == [t("gui.scenarios.trace.file_name", benefit="aide_logement", month=month)]
    qtbot.waitUntil(target.exists, timeout=RESULT_TIMEOUT_MS)
    written = json.loads(target.read_text(encoding="utf-8"))
    expected = export_trace(core_engine, household, month, "aide_logement")
    assert written.pop("exported_at") and expected.pop("exported_at")
    assert written == json.loads(json.dumps(expected))
    assert written["benefit"] == "aide_logement" and written["tree"]
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == t("gui.scenarios.trace.saved", name="trace.json"))


def test_trace_export_without_a_selected_benefit_asks_for_one(window: Any, qtbot: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    scenarios_view.install(window)
    shown: list[str] = []
    monkeypatch.setattr(trace_export_action, "_message", lambda _w, key, **p: shown.append(t(key, **p)))
    monkeypatch.setattr(trace_export_action, "ask_save_path", lambda *_a: pytest.fail("no file to ask for"))
    window.results.table.setCurrentIndex(window.results.model.index(-1, -1))
    assert window.results.selected_benefit() is None
    window.trace_export_action.trigger()
    assert shown == [t("gui.scenarios.trace.no_benefit")]
