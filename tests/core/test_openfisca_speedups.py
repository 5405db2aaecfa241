"""The speed-ups of ``app/core/openfisca_speedups.py`` (fancy-indexed parameters, values
already computed) change no value.

Oracle: the same computations with openfisca-core's own code (``uninstall()``: its
``build_from_node_name``, ``CorePopulation.__call__`` and ``Simulation.calculate``), in
the same process, on the same simulations' inputs. The
households are varied on purpose: the synthetic screening households of
``bench/batch.py`` (singles, couples, children, students, retired, disabled, job
seekers, tenants and owners in 12 communes: several housing-aid zones and family
sizes, the keys fancy indexing reads), every example case, and an earnings curve
(101 copies of one household).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

from app.core import openfisca_speedups
from app.core.batch_input import open_source, parse_record
from app.core.casefile import load_case
from app.core.examples import example_files, warm_up_household

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MONTH = "2026-11"


@pytest.fixture
def original_code() -> Iterator[None]:
    """openfisca-core's own code for the duration of a block; put back after."""
    yield
    openfisca_speedups.install()


def _synthetic_households(count: int, folder: Path) -> list[Any]:
    """The screening bench's synthetic rows, through the screening's own reader."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from batch import synthetic_rows  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    rows = synthetic_rows(count, seed=11)
    path = folder / "foyers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=sorted({key for row in rows for key in row}), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    source = open_source(path)
    parsed = [parse_record(source.kind, source.headers, record, dt.date(2026, 11, 29)) for record in source.records()]
    return [item.household for item in parsed if item.household is not None]


def test_the_speed_up_is_installed_by_the_engine(engine: Any) -> None:
    assert openfisca_speedups.installed()


def test_every_amount_is_the_same_with_openfisca_cores_own_code(
        engine: Any, original_code: None, tmp_path: Path) -> None:
    households = _synthetic_households(300, tmp_path) + [load_case(path)[0] for path in example_files()]
    assert len(households) > 250
    fast = engine.compute_many(households, MONTH)
    openfisca_speedups.uninstall()
    assert not openfisca_speedups.installed()
    slow = engine.compute_many(households, MONTH)
    compared = 0
    for a, b in zip(fast, slow):
        assert a.benefits == b.benefits
        compared += len(a.benefits)
    assert compared > 5000
    # the households did reach fancy-indexed parameters with several distinct keys
    assert len({b.detail for r in fast for b in r.benefits if b.benefit_id == "aide_logement"}) >= 2


def test_an_earnings_curve_is_the_same_with_openfisca_cores_own_code(
        engine: Any, original_code: None) -> None:
    from app.core.scenarios import earnings_curve

    household = warm_up_household()
    person = household.persons[0].id
    fast = earnings_curve(engine, household, person, MONTH)
    openfisca_speedups.uninstall()
    slow = earnings_curve(engine, household, person, MONTH)
    assert np.array_equal(fast.disposable, slow.disposable)
    assert fast.benefits.keys() == slow.benefits.keys()
    for benefit_id in fast.benefits:
        assert np.array_equal(fast.benefits[benefit_id], slow.benefits[benefit_id]), benefit_id


def test_values_already_computed_are_answered_from_the_cache_inside_formulas(engine: Any) -> None:
    """The second speed-up is really used by a computation (else the comparisons above
    would compare OpenFisca's code with itself)."""
    from app.core.openfisca_speedups import _known

    answered = []

    def counting(simulation: Any, holder: Any, period: Any) -> Any:
        value = _known(simulation, holder, period)
        answered.append(value is not None)
        return value

    openfisca_speedups._known = counting  # type: ignore[assignment]
    try:
        engine.compute(warm_up_household(), MONTH)
    finally:
        openfisca_speedups._known = _known  # type: ignore[assignment]
    assert sum(answered) > 1000


def test_a_full_trace_is_the_same_with_openfisca_cores_own_code(engine: Any, original_code: None) -> None:
    """A trace (explanations, the expert export) records every request, values already
    computed included: the speed-up stands aside while a full trace is recorded."""
    from app.core.trace_export import export_trace

    household = warm_up_household()
    fast = export_trace(engine, household, MONTH, "rsa")
    openfisca_speedups.uninstall()
    slow = export_trace(engine, household, MONTH, "rsa")
    assert fast["node_count"] == slow["node_count"] > 1000
    assert {**fast, "exported_at": None} == {**slow, "exported_at": None}
