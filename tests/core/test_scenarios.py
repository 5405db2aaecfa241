"""Scenarios and the earnings curve: every figure equals separate ``engine.compute`` calls.

The SMIC is read independently from openfisca-france's parameter files; amounts are
compared with ``engine.compute`` of the same variant household, to the cent.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import explain_cases as cases
from explain_cases import MONTH, D, parameter_from_file

from app.core.benefits.results import Status
from app.core.base.i18n import t
from app.core.model.household import Activity, CoupleStatus, HousingStatus, Person, Resource, ResourceKind, Role
from app.core.compute.scenarios import (
    Birth,
    CoupleChange,
    EarningsChange,
    Move,
    PersonLeaves,
    Scenario,
    ScenarioError,
    apply_scenario,
    better_off_in_work,
    compare,
    css_participation,
    curve_drawing,
    disposable_monthly,
    earnings_curve,
    net_resources,
    salary_for_hours,
    smic_gross_monthly,
    smic_net_monthly,
    with_salary,
)

pytestmark = pytest.mark.slow


def _single(engine, household):
    """(result, disposable income) of one separate computation."""
    result = engine.compute(household, MONTH)
    return result, disposable_monthly(result, net_resources(engine.situation(household, MONTH)))


def _amount(result, benefit_id):
    item = result.get(benefit_id)
    return item.amount if item.status == Status.ELIGIBLE else 0.0


def test_smic_from_the_parameters(engine) -> None:
    hourly = parameter_from_file("marche_travail.salaire_minimum.smic.smic_b_horaire", "2026-11-01")
    hours = parameter_from_file("marche_travail.salaire_minimum.smic.nb_heures_travail_mensuel", "2026-11-01")
    assert smic_gross_monthly(engine, MONTH) == pytest.approx(round(hourly * hours, 2))
    net = smic_net_monthly(engine, MONTH)
    assert 0.7 * hourly * hours < net < 0.85 * hourly * hours  # employee contributions ~ 21-23 %
    assert salary_for_hours(engine, MONTH, 35) == pytest.approx(net, abs=0.01)
    assert salary_for_hours(engine, MONTH, 17.5) == pytest.approx(net / 2, abs=0.01)


def test_scenario_differences_equal_separate_computations(engine) -> None:
    household = cases.parent_one_child()
    partner = Person("c1", Role.CONJOINT, D(1985, 1, 1), activity=Activity.SALARIE,
                     resources=(Resource(ResourceKind.SALAIRE_NET, stable=1300.0),))
    scenarios = [
        Scenario((EarningsChange("p1", net_monthly=1500.0),)),
        Scenario((Birth("2026-06"),)),
        Scenario((Move(commune_insee="75056", rent=900.0),)),
        Scenario((PersonLeaves("p2"),)),
        Scenario((CoupleChange(CoupleStatus.CONCUBIN, partner),)),
    ]
    comparison = compare(engine, household, scenarios, MONTH)
    assert len(comparison.columns) == 6 and comparison.columns[0] == "Situation actuelle"
    base_result, base_disposable = _single(engine, household)
    for k, scenario in enumerate(scenarios, start=1):
        variant = apply_scenario(engine, household, scenario, MONTH)
        result, disposable = _single(engine, variant)
        for row in comparison.rows:
            if row.kind != "benefit":
                continue
            try:
                expected = _amount(result, row.key) - _amount(base_result, row.key)
            except KeyError:  # a local aid of another territory
                continue
            assert row.deltas[k] == pytest.approx(expected, abs=0.005), (scenario, row.key)
        assert comparison.disposable[k] - comparison.disposable[0] == pytest.approx(disposable - base_disposable, abs=0.005)
        assert comparison.row("disposable").deltas[k] == pytest.approx(disposable - base_disposable, abs=0.005)
    # the birth adds a child under 3: the PAJE row changes
    assert comparison.row("paje_base").values[2] > 0 and comparison.row("paje_base").changed
    assert not comparison.row("aah").changed


def test_scenario_changes_are_applied_as_described(engine) -> None:
    household = cases.couple_two_children()
    moved = apply_scenario(engine, household, Scenario((Move(status=HousingStatus.PROPRIETAIRE, rent=0.0),)), MONTH)
    assert moved.housing.status == HousingStatus.PROPRIETAIRE and moved.housing.commune_insee == "69123"
    alone = apply_scenario(engine, household, Scenario((CoupleChange(CoupleStatus.SEUL),)), MONTH)
    assert alone.conjoint is None and alone.couple == CoupleStatus.SEUL and len(alone.persons) == 3
    assert alone.separation_date == D(2026, 11, 1)  # separated in the month computed: the RSA majoration
    born = apply_scenario(engine, household, Scenario((Birth("2026-10"),)), MONTH)
    assert born.persons[-1].role == Role.ENFANT and born.persons[-1].birth_date == D(2026, 10, 1)
    hours = apply_scenario(engine, household, Scenario((EarningsChange("p2", hours_per_week=20),)), MONTH)
    salary = next(r for r in hours.persons[1].resources if r.kind == ResourceKind.SALAIRE_NET)
    assert salary.stable == salary_for_hours(engine, MONTH, 20)
    with pytest.raises(ScenarioError, match="après le mois calculé"):
        apply_scenario(engine, household, Scenario((Birth("2027-01"),)), MONTH)
    with pytest.raises(ScenarioError, match="n'est pas dans le foyer"):
        apply_scenario(engine, household, Scenario((PersonLeaves("x9"),)), MONTH)
    with pytest.raises(ScenarioError, match="séparation"):
        apply_scenario(engine, household, Scenario((PersonLeaves("p2"),)), MONTH)


def test_better_off_in_work_equals_two_computations(engine) -> None:
    household = cases.single_no_income()
    work = better_off_in_work(engine, household, "p1", MONTH, hours_per_week=20)
    salary = salary_for_hours(engine, MONTH, 20)
    assert work.net_monthly == salary
    _, before = _single(engine, household)
    job = dataclasses.replace(with_salary(household, "p1", salary, Activity.SALARIE))
    _, after = _single(engine, job)
    assert (work.before, work.after) == (pytest.approx(before, abs=0.005), pytest.approx(after, abs=0.005))
    assert work.delta == pytest.approx(after - before, abs=0.005)
    assert ("augmente" if work.delta > 0 else "baisse") in work.text


def test_with_a_job_the_unemployment_benefit_stops_and_the_note_says_so(engine) -> None:
    """A job seeker paid 1 100 € of unemployment benefit takes a 24-hour job: the « with a
    job » side is the same household built by hand with the salary, the activity « salarié »
    and no unemployment benefit (keeping it would promise money France Travail would not
    pay in full)."""
    seeker = dataclasses.replace(cases.single_no_income(), persons=(dataclasses.replace(
        cases.single_no_income().persons[0], activity=Activity.DEMANDEUR_EMPLOI_INDEMNISE,
        resources=(Resource(ResourceKind.CHOMAGE, stable=1100.0),)),))
    work = better_off_in_work(engine, seeker, "p1", MONTH, hours_per_week=24)
    salary = salary_for_hours(engine, MONTH, 24)
    by_hand = dataclasses.replace(seeker, persons=(dataclasses.replace(
        seeker.persons[0], activity=Activity.SALARIE,
        resources=(Resource(ResourceKind.SALAIRE_NET, stable=salary),)),))
    _, before = _single(engine, seeker)
    _, after = _single(engine, by_hand)
    assert (work.before, work.after) == (pytest.approx(before, abs=0.005), pytest.approx(after, abs=0.005))
    assert work.comparison.row("resources").values == (1100.0, pytest.approx(salary, abs=0.005))
    assert "allocation chômage" in work.note and "France Travail" in work.note
    # nobody paid an unemployment benefit: the plain note
    assert better_off_in_work(engine, cases.single_no_income(), "p1", MONTH, hours_per_week=24).note == \
        t("scenario.better_off.steady")


def test_a_curve_keeping_an_unemployment_benefit_says_so(engine, curve) -> None:
    seeker = dataclasses.replace(cases.single_no_income(), persons=(dataclasses.replace(
        cases.single_no_income().persons[0], activity=Activity.DEMANDEUR_EMPLOI_INDEMNISE,
        resources=(Resource(ResourceKind.CHOMAGE, stable=1100.0),)),))
    kept = earnings_curve(engine, seeker, "p1", MONTH, points=3)
    assert kept.notes == (t("curve.keeps_unemployment_benefit", person="Demandeur"),)
    assert kept.resources[0] == pytest.approx(1100.0)  # the benefit is there at every level
    assert kept.resources[-1] == pytest.approx(1100.0 + kept.earnings[-1])
    assert curve.notes == ()  # a salaried parent: nothing to add


@pytest.fixture(scope="module")
def curve(engine):
    return earnings_curve(engine, cases.parent_one_child(), "p1", MONTH)


def test_curve_points_equal_single_computations(engine, curve) -> None:
    smic = smic_net_monthly(engine, MONTH)
    assert len(curve.earnings) == 101 and curve.earnings[0] == 0
    assert curve.earnings[-1] == pytest.approx(2 * smic, abs=0.01)
    household = cases.parent_one_child()
    for k in (0, 50, 75, 100):  # 0, 1 SMIC, 1.5 SMIC, 2 SMIC
        x = float(curve.earnings[k])
        assert x == pytest.approx(k / 50 * smic, abs=0.01)
        variant = with_salary(household, "p1", x)
        result, disposable = _single(engine, variant)
        assert curve.disposable[k] == pytest.approx(disposable, abs=0.005), k
        for benefit_id, values in curve.benefits.items():
            assert values[k] == pytest.approx(_amount(result, benefit_id), abs=0.005), (k, benefit_id)
        assert curve.css_participation[k] == pytest.approx(css_participation(result), abs=0.005)
    # the curve moves: more RSA at 0, none at 2 SMIC
    assert curve.benefits["rsa"][0] > 0 and curve.benefits["rsa"][-1] == 0
    assert np.all(np.diff(curve.resources) > 0)


def test_curve_with_declared_taxable_income_equals_single_computations(engine) -> None:
    """A declared taxable income of last year spreads over the months outside the declared
    window, which depends on the salary: still equal to single computations."""
    household = cases.couple_two_children()
    p2 = dataclasses.replace(household.persons[1], taxable_income_last_year=9000.0, taxable_income_n2=8000.0)
    household = dataclasses.replace(household, persons=(household.persons[0], p2) + household.persons[2:])
    curve = earnings_curve(engine, household, "p2", MONTH, points=5)
    for k in (0, 2, 4):
        result, disposable = _single(engine, with_salary(household, "p2", float(curve.earnings[k])))
        assert curve.disposable[k] == pytest.approx(disposable, abs=0.005)
        for benefit_id, values in curve.benefits.items():
            assert values[k] == pytest.approx(_amount(result, benefit_id), abs=0.005), (k, benefit_id)


def test_curve_drawing_renders_with_dejavu(curve) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.shapes import Drawing

    drawing = curve_drawing(curve, title="Revenu disponible")
    assert isinstance(drawing, Drawing)
    pdf = renderPDF.drawToString(drawing)
    assert pdf.startswith(b"%PDF") and b"DejaVuSans" in pdf


def test_build_copies_equals_build_simulation(engine) -> None:
    from app.core.openfisca.simulation_build import build_copies, build_simulation
    from app.core.openfisca.situation import input_months

    situation = engine.situation(cases.couple_two_children(), MONTH)
    plain, plain_ids = build_simulation(engine.tbs, [situation.data] * 3)
    copies, copy_ids = build_copies(engine.tbs, situation.data, 3)
    assert plain_ids == copy_ids
    for variable in ("rsa", "ppa", "aide_logement", "af", "cmu_c", "bourse_college"):
        assert np.array_equal(plain.calculate(variable, MONTH), copies.calculate(variable, MONTH)), variable
    overrides = {("p2", "activite", m): np.array(["actif", "chomeur", "etudiant"]) for m in input_months(MONTH)}
    changed, _ = build_copies(engine.tbs, situation.data, 3, overrides)
    assert changed.calculate("activite", MONTH).decode_to_str()[[1, 5, 9]].tolist() == ["actif", "chomeur", "etudiant"]
