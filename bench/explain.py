"""Explanations, scenarios and the earnings curve: how long they take, side by side.

    python bench/explain.py [--month 2026-11] [--repeat 5] [--points 101]

* explanation of one benefit (warm engine): ``explain(engine, household, month, "rsa")``,
  i.e. one computation of the household plus the conditions read (target ≤ 0.5 s);
* the earnings curve, ``earnings_curve`` with 101 points in ONE vectorised simulation
  (target ≤ 0.5 s), against 101 separate ``engine.compute`` calls of the same variant
  households, measured for real in the same run (target: the curve ≥ 100× faster), and
  every point of the curve compared with its separate computation;
* for information: a comparison of 5 scenarios, the JSON trace export of one benefit.

Times are wall-clock medians; CPU time (this process) is printed too, because a busy
machine inflates wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GUICHET_DATA_DIR", tempfile.mkdtemp(prefix="guichet-bench-"))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(median wall s, median CPU s, last value)."""
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--points", type=int, default=101)
    args = parser.parse_args()
    month = args.month

    from app.core.engine import Engine
    from app.core.examples import warm_up_household
    from app.core.explain import Explainer, explain
    from app.core.household import CoupleStatus, Person, Role
    from app.core.scenarios import (
        Birth, CoupleChange, EarningsChange, Move, PersonLeaves, Scenario, compare, disposable_monthly,
        earnings_curve, net_resources, with_salary,
    )
    from app.core.trace_export import export_trace

    started = time.perf_counter()
    engine = Engine()
    print(f"engine load + warm-up: {time.perf_counter() - started:.1f} s")
    household = warm_up_household()  # single parent, 1,000 € net, one child, tenant in Lyon
    person = household.demandeur.id  # type: ignore[union-attr]
    engine.compute(household, month)  # warm the month's parameter trees

    print("\n## Explanation of one benefit (warm)")
    wall, cpu, e = timed(lambda: explain(engine, household, month, "rsa"), args.repeat)
    print(f"explain(rsa): {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU (target ≤ 500 ms) — {e.summary}")
    wall_c, cpu_c, _ = timed(lambda: engine.compute(household, month), args.repeat)
    print(f"  for reference, engine.compute of the same household: {wall_c * 1000:.0f} ms wall, {cpu_c * 1000:.0f} ms CPU")
    explainer = Explainer(engine, household, month)
    wall_a, cpu_a, all_ = timed(explainer.explain_all, args.repeat)
    print(f"  every benefit explained from one computation (explain_all after it): {wall_a * 1000:.0f} ms wall, "
          f"{cpu_a * 1000:.0f} ms CPU for {len(all_)} benefits")

    print(f"\n## Earnings curve, {args.points} points")
    wall_k, cpu_k, curve = timed(lambda: earnings_curve(engine, household, person, month, points=args.points),
                                 max(1, args.repeat // 2))
    print(f"earnings_curve: {wall_k * 1000:.0f} ms wall, {cpu_k * 1000:.0f} ms CPU (target ≤ 500 ms)")
    separate_wall, separate_cpu = time.perf_counter(), time.process_time()
    separate = []
    for x in curve.earnings:
        variant = with_salary(household, person, float(x))
        result = engine.compute(variant, month)
        separate.append(disposable_monthly(result, net_resources(engine.situation(variant, month))))
    separate_wall = time.perf_counter() - separate_wall
    separate_cpu = time.process_time() - separate_cpu
    print(f"{args.points} separate engine.compute calls: {separate_wall:.1f} s wall, {separate_cpu:.1f} s CPU")
    print(f"speed-up: {separate_wall / wall_k:.0f}× wall, {separate_cpu / cpu_k:.0f}× CPU (target ≥ 100×)")
    # The load of a shared machine moves between the two measures above; interleaved,
    # the same comparison: one curve vs one computation, alternately, several times.
    pairs = []
    for _ in range(args.repeat):
        c = time.process_time()
        earnings_curve(engine, household, person, month, points=args.points)
        curve_cpu = time.process_time() - c
        c = time.process_time()
        engine.compute(with_salary(household, person, float(curve.earnings[len(curve.earnings) // 2])), month)
        pairs.append((curve_cpu, time.process_time() - c))
    curve_cpu = statistics.median(p[0] for p in pairs)
    single_cpu = statistics.median(p[1] for p in pairs)
    print(f"interleaved, CPU medians: curve {curve_cpu * 1000:.0f} ms, one computation {single_cpu * 1000:.0f} ms: "
          f"{args.points} computations ≈ {args.points * single_cpu / curve_cpu:.0f}× the curve")
    worst = max(abs(a - b) for a, b in zip(curve.disposable.tolist(), separate))
    print(f"largest difference curve vs separate computations (disposable income): {worst:.4f} €")

    print("\n## For information")
    partner = Person("c1", Role.CONJOINT, household.demandeur.birth_date)  # type: ignore[union-attr]
    scenarios = [
        Scenario((EarningsChange(person, net_monthly=1500.0),)),
        Scenario((Birth(month),)),
        Scenario((Move(commune_insee="75056", rent=900.0),)),
        Scenario((PersonLeaves(household.persons[1].id),)),
        Scenario((CoupleChange(CoupleStatus.CONCUBIN, partner),)),
    ]
    wall_s, cpu_s, _ = timed(lambda: compare(engine, household, scenarios, month), max(1, args.repeat // 2))
    print(f"compare(current + 5 scenarios, one compute_many): {wall_s * 1000:.0f} ms wall, {cpu_s * 1000:.0f} ms CPU")
    wall_t, cpu_t, trace = timed(lambda: export_trace(engine, household, month, "rsa"), 1)
    print(f"export_trace(rsa): {wall_t * 1000:.0f} ms wall, {cpu_t * 1000:.0f} ms CPU, {trace['node_count']} nodes")


if __name__ == "__main__":
    main()
