"""Cost of recording which parameters each benefit reads (stale-parameter notes).

    python bench/staleness.py [--month 2026-11] [--rounds 7]

One process, one warm engine; every example and reference household computed alone,
with the recorder (``Engine.record_parameters``) on and off, interleaved household by
household so that the machine's load hits both alike. Prints the median CPU time per household
of each, the ratio, and checks that every amount is the same either way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    from app.core.io.casefile import load_case
    from app.core.compute.engine import Engine

    files = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests/core/reference").glob("*.case.json"))
    households = [load_case(path)[0] for path in files]
    engine = Engine(warm_up=True)
    for household in households:  # fill the caches (taxable grid, parameter trees, verdicts)
        engine.compute(household, args.month)
    times: dict[bool, list[float]] = {True: [], False: []}
    same = True
    for round_ in range(args.rounds):
        for household in households:  # each household off then on (on then off every other round)
            order = (False, True) if round_ % 2 == 0 else (True, False)
            amounts = {}
            for recording in order:
                engine.record_parameters = recording
                started = time.process_time()
                result = engine.compute(household, args.month)
                times[recording].append(time.process_time() - started)
                amounts[recording] = tuple(b.amount for b in result.benefits)
            same = same and amounts[True] == amounts[False]
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"{len(households)} households x {args.rounds} rounds, interleaved, median CPU per household")
    print(f"  without recording  {off * 1000:7.1f} ms")
    print(f"  with recording     {on * 1000:7.1f} ms   ratio {on / off:.2f}")
    print(f"  amounts identical: {same}")


if __name__ == "__main__":
    main()
