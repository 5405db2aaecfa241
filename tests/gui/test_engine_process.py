"""The rules engine in its own process: the GUI thread stays free while it computes, a
killed engine is restarted and the result still arrives, nothing typed is lost."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer

from app.core.model.examples import warm_up_household
from app.core.model.household import Household
from app.core.base.i18n import t
from app.core.base import formats
from gui_helpers import ENGINE_TIMEOUT_MS, key, type_text, wait_results

pytestmark = pytest.mark.slow

MONTH = "2026-11"


def variant(rent: float) -> Household:
    """The warm-up household with another rent: a case no earlier test has computed."""
    household = warm_up_household()
    return replace(household, housing=replace(household.housing, rent=rent))


def test_event_loop_keeps_ticking_while_the_engine_computes(window: Any, qtbot: Any) -> None:
    """A 10 ms timer keeps firing, with no gap over 100 ms, from an edit to its results.

    The machine running the tests may be busy (other processes preempt this one now
    and then), so up to three edits are measured and the best must have no gap over
    100 ms; none may stall for as long as a computation lasts (what computing on the
    GUI thread would do, every time)."""
    win = window
    qtbot.waitUntil(lambda: win.engine.is_ready, timeout=ENGINE_TIMEOUT_MS)
    win.load_household(variant(611.0), MONTH)
    wait_results(qtbot, win)
    rent = win.editor.housing.rent
    measured: list[tuple[float, float]] = []  # (largest gap, edit -> results)
    for attempt in range(3):
        stamps: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
        timer.start()
        qtbot.wait(50)
        rent.setFocus()
        key(rent, Qt.Key.Key_End)
        type_text(rent, "7", focus=False)  # 611 -> 6117 -> 61177…: recomputed after the pause
        asked_at = time.perf_counter()
        wait_results(qtbot, win)
        done_at = time.perf_counter()
        timer.stop()
        ticks = [s for s in stamps if s >= asked_at - 0.05]
        gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:])]
        assert len(ticks) > 20
        assert done_at - asked_at > 0.3  # a real computation (and the pause) happened meanwhile
        measured.append((max(gaps), done_at - asked_at))
        if max(gaps) < 0.100:
            break
    assert win.editor.collect().household.housing.rent == float("611" + "7" * len(measured))
    report = ", ".join(f"{gap * 1000:.0f} ms gap in {total:.2f} s" for gap, total in measured)
    assert min(gap for gap, _ in measured) < 0.100, f"the event loop stalled: {report}"
    assert max(gap for gap, _ in measured) < 0.400, f"the event loop stalled: {report}"


def test_killed_engine_is_restarted_and_the_result_still_arrives(window: Any, qtbot: Any, core_engine: Any) -> None:
    win = window
    client = win.engine
    qtbot.waitUntil(lambda: client.is_ready, timeout=ENGINE_TIMEOUT_MS)
    household = variant(577.0)
    win.load_household(household, MONTH)  # a whole case: asked at once
    assert client.busy
    old_pid = client.pid
    os.kill(old_pid, signal.SIGKILL)

    qtbot.waitUntil(lambda: win.results.engine_banner.isVisible(), timeout=10_000)
    assert win.results.engine_banner.text() == t("gui.engine.crashed")
    assert client.pid != old_pid
    result = wait_results(qtbot, win, timeout=ENGINE_TIMEOUT_MS)
    assert client.is_ready
    assert not win.results.engine_banner.isVisible()
    assert win.editor.collect().household == household  # nothing typed is lost
    assert result.benefits == core_engine.compute(household, MONTH).benefits


def test_month_after_the_known_legislation_shows_the_warning(window: Any, qtbot: Any) -> None:
    win = window
    qtbot.waitUntil(lambda: win.engine.is_ready, timeout=ENGINE_TIMEOUT_MS)
    until = dt.date.fromisoformat(win.engine.info["legislation_until"])
    late = f"{until.year + 1:04d}-{until.month:02d}"
    win.load_household(variant(598.0), MONTH)
    wait_results(qtbot, win)
    assert not win.results.warning_banner.isVisible()
    win.set_month(late)
    result = wait_results(qtbot, win)
    assert result.month == late and result.warnings
    assert win.results.warning_banner.isVisible()
    assert win.results.warning_banner.text() == "\n".join(result.warnings)


def test_an_example_gives_results_in_two_clicks(window: Any, qtbot: Any) -> None:
    win = window
    assert win.example_actions
    win.example_actions[0].trigger()  # Examples menu, then the example
    result = wait_results(qtbot, win, timeout=ENGINE_TIMEOUT_MS)
    assert result is not None and result.total_monthly() >= 0
    assert win.results.total.text().endswith(formats.euros(result.total_monthly()))


def _run_task(qtbot: Any, client: Any, name: str, payload: dict[str, Any]) -> tuple[str, Any]:
    """Send one engine task and wait for its answer: ("done", value) or ("failed", text)."""
    answers: dict[int, tuple[str, Any]] = {}

    def done(request_id: int, value: Any) -> None:
        answers[request_id] = ("done", value)

    def failed(request_id: int, text: str) -> None:
        answers[request_id] = ("failed", text)

    client.taskDone.connect(done)
    client.taskFailed.connect(failed)
    try:
        request_id = client.run(name, payload)
        qtbot.waitUntil(lambda: request_id in answers, timeout=ENGINE_TIMEOUT_MS)
    finally:
        client.taskDone.disconnect(done)
        client.taskFailed.disconnect(failed)
    return answers[request_id]


def test_a_scenario_comparison_computed_in_the_engine_process_equals_the_core(
        engine_client: Any, qtbot: Any, core_engine: Any) -> None:
    """Oracle: ``scenarios.compare`` run in this process on the same household."""
    from app.core.io.casefile import case_to_dict
    from app.core.compute.scenarios import EarningsChange, Scenario, compare

    household = variant(640.0)
    scenario = Scenario((EarningsChange(household.persons[0].id, net_monthly=900.0),))
    kind, value = _run_task(qtbot, engine_client, "compare", {
        "case": case_to_dict(household, MONTH), "month": MONTH, "scenarios": [scenario]})
    assert kind == "done"
    expected = compare(core_engine, household, [scenario], MONTH)
    assert value.columns == expected.columns
    assert [(r.key, r.values) for r in value.rows] == [(r.key, r.values) for r in expected.rows]


def test_a_task_on_an_unknown_person_fails_with_a_french_message(engine_client: Any, qtbot: Any) -> None:
    from app.core.io.casefile import case_to_dict

    kind, text = _run_task(qtbot, engine_client, "curve", {
        "case": case_to_dict(variant(640.0), MONTH), "month": MONTH, "person_id": "personne_inconnue", "points": 3})
    assert kind == "failed"
    assert text == t("scenario.error.unknown_person", person="personne_inconnue")
    with pytest.raises(ValueError):
        engine_client.run("no_such_task", {})
