"""« Pourquoi ce résultat » in the results' detail view: the explanations are computed in
the engine process after each result, and the detail shows the core's own summary, the
deciding condition, what could change the result and the legal references."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.core.base.i18n import t
from gui_helpers import ENGINE_TIMEOUT_MS, RESULT_TIMEOUT_MS, wait_results

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-parent-isolee-lyon.json"


def plain(text: str) -> str:
    """As ``toPlainText`` gives it: non-breaking spaces become spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_detail_shows_why_and_why_not(window: Any, qtbot: Any, core_engine: Any, monkeypatch: Any) -> None:
    from app.core.compute import explain
    from app.core.io.casefile import load_case
    from app.core.benefits.results import Status

    household, month = load_case(EXAMPLE)
    expected = explain.explain_all(core_engine, household, month)
    assert expected["rsa"].status != Status.ELIGIBLE  # the case has a non-eligible RSA
    eligible = next(b for b, e in expected.items() if e.status == Status.ELIGIBLE and e.references)

    # From here on, an explanation computed in the GUI process would fail the test.
    def not_here(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("explanations must be computed in the engine process")

    monkeypatch.setattr(explain.Explainer, "__init__", not_here)

    win = window
    qtbot.waitUntil(lambda: win.engine.is_ready, timeout=ENGINE_TIMEOUT_MS)
    win.load_household(household, month)
    wait_results(qtbot, win)
    panel = win.results
    qtbot.waitUntil(lambda: panel.explanation("rsa") is not None, timeout=RESULT_TIMEOUT_MS)

    for benefit_id in ("rsa", eligible):
        panel.select_benefit(benefit_id)
        want = expected[benefit_id]
        shown = panel.explanation(benefit_id)
        assert shown.summary == want.summary
        text = panel.detail.toPlainText()
        assert t("gui_explain.title") in text
        assert plain(want.summary) in text
        for condition in want.deciding:
            assert plain(condition.text) in text
        if want.what_could_change:
            assert t("gui_explain.what_could_change") in text
            assert all(plain(w.text) in text for w in want.what_could_change)
        html = panel.detail.toHtml()
        for reference in want.references:
            assert plain(reference.title) in text
            if reference.href:
                assert reference.href in html

    rsa = expected["rsa"]
    assert rsa.deciding  # the deciding condition, with its threshold, is shown
    panel.select_benefit("rsa")
    assert plain(rsa.deciding[0].text) in plain(panel.detail.toPlainText())
