"""Explanations, scenarios and the earnings curve: how long they take, side by side.

    python bench/explain.py [--month 2026-11] [--repeat 5] [--points 101]

* explanation of one benefit (warm engine): ``explain(engine, household, month, "rsa")``,
  i.e. one computation of the household plus the conditions read (target ≤ 0.5 s);
* the earnings curve, ``earnings_curve`` with 101 points in ONE vectorised simulation
  (target ≤ 0.5 s), against 101 separate computations of the same variant households,
  measured for real in the same run (target: the curve ≥ 100× faster), two ways:
  - OpenFisca's standard computation of each point (``compute_many(..., fast=False)``:
    every variable computed by its formula, what a simulator computing one situation
    at a time does);
  - Guichet's fast path (``engine.compute``: the explicit zeros of the household's
    profile, which the curve uses too);
  and every point of the curve compared with its separate computation;
* why the second ratio cannot reach 100×: the curve costs one simulation's fixed cost F
  (the framework's work per variable and period, the same for 1 or 101 copies) plus
  m per copy; one fast computation costs about F. The ratio is then at most
  101·F / (F + 100·m): the bench measures F and m (a 2-point and a 101-point curve,
  interleaved) and prints that ceiling; ``--no-standard`` skips the slow baseline;
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
    parser.add_argument("--no-standard", action="store_true",
                        help="skip the 101 standard computations (about 3 minutes)")
    args = parser.parse_args()
    month = args.month

    from app.core.compute.engine import Engine
    from app.core.model.examples import warm_up_household
    from app.core.compute.explain import Explainer, explain
    from app.core.model.household import CoupleStatus, Person, Role
    from app.core.compute.scenarios import (
        Birth, CoupleChange, EarningsChange, Move, PersonLeaves, Scenario, compare, disposable_monthly,
        earnings_curve, net_resources, with_salary,
    )
    from app.core.compute.trace_export import export_trace

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
    print(f"{args.points} separate engine.compute calls (fast path): {separate_wall:.1f} s wall, "
          f"{separate_cpu:.1f} s CPU")
    print(f"speed-up against the fast path: {separate_wall / wall_k:.0f}× wall, {separate_cpu / cpu_k:.0f}× CPU "
          "(target ≥ 100×)")
    worst_standard = None
    if not args.no_standard:
        standard_wall, standard_cpu = time.perf_counter(), time.process_time()
        standard = []
        for x in curve.earnings:
            variant = with_salary(household, person, float(x))
            result = engine.compute_many([variant], month, fast=False)[0]
            standard.append(disposable_monthly(result, net_resources(engine.situation(variant, month))))
        standard_wall = time.perf_counter() - standard_wall
        standard_cpu = time.process_time() - standard_cpu
        worst_standard = max(abs(a - b) for a, b in zip(curve.disposable.tolist(), standard))
        print(f"{args.points} separate standard OpenFisca computations: {standard_wall:.1f} s wall, "
              f"{standard_cpu:.1f} s CPU")
        print(f"speed-up against the standard computation: {standard_wall / wall_k:.0f}× wall, "
              f"{standard_cpu / cpu_k:.0f}× CPU (target ≥ 100×)")
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
    print(f"largest difference curve vs separate computations (disposable income): {worst:.4f} € (fast path)"
          + (f", {worst_standard:.4f} € (standard)" if worst_standard is not None else ""))
    # Fixed cost and cost per copy: a 2-point and an n-point curve, interleaved.
    small, large = [], []
    for _ in range(args.repeat):
        c = time.process_time()
        earnings_curve(engine, household, person, month, points=2)
        small.append(time.process_time() - c)
        c = time.process_time()
        earnings_curve(engine, household, person, month, points=args.points)
        large.append(time.process_time() - c)
    per_copy = max(0.0, (statistics.median(large) - statistics.median(small)) / (args.points - 2))
    fixed = statistics.median(small) - 2 * per_copy
    ceiling = args.points * fixed / (fixed + (args.points - 1) * per_copy)
    print(f"curve cost: fixed {fixed * 1000:.0f} ms + {per_copy * 1000:.2f} ms per copy (CPU medians); "
          f"against the fast path the ratio is at most about {ceiling:.0f}×")

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
