"""Property-based fuzzing of every input path (issue 18), the full run.

    python bench/fuzz.py                      # 10,000+ generated inputs across the paths
    python bench/fuzz.py --examples 200       # per path
    python bench/fuzz.py --path case --seed 7

Each path (``tests/fuzz/fuzz_paths.py``, ``fuzz_editor.py``) gets hypothesis-generated
inputs; each input must end in a French message naming the field or the file, or in a
correct result (``tests/fuzz/fuzz_oracles.py``): never a traceback, a hang (every call
is bounded), a file written outside the expected place, or a result computed from
nonsense. Printed per path: inputs tried, clear messages, correct results, failures
(target 0), and the first failures found with the input that caused them.

``tests/fuzz/`` runs the same paths in CI with a fixed seed and a few examples each.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fuzz")]
os.environ["GUICHET_DATA_DIR"] = tempfile.mkdtemp(prefix="guichet-fuzz-data-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def targets(gui: bool) -> list:
    import fuzz_paths

    found = list(fuzz_paths.TARGETS)
    if gui:
        import fuzz_editor

        fuzz_editor.application()
        found.append(fuzz_editor.EDITOR)
    return found


def run(target, examples: int, seed: int, folder: Path) -> tuple[Counter, list[str], float]:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    from fuzz_oracles import FuzzFailure, check

    counts: Counter = Counter()
    failures: list[str] = []

    @fixed_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(target.strategy)
    def explore(value) -> None:
        counts["tried"] += 1
        with tempfile.TemporaryDirectory(dir=folder) as work:
            try:
                counts[check(target, value, Path(work))] += 1
            except FuzzFailure as error:
                counts["failures"] += 1
                if len(failures) < 5:
                    failures.append(f"{error}\n      input: {repr(value)[:400]}")

    started = time.perf_counter()
    explore()
    return counts, failures, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=0, help="inputs per path (default: 10,000+ in all)")
    parser.add_argument("--total", type=int, default=10_500, help="inputs across the paths when --examples is not given")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--path", default="", help="only the paths whose name contains this")
    parser.add_argument("--no-gui", action="store_true", help="leave out the household editor")
    args = parser.parse_args()

    chosen = [t for t in targets(not args.no_gui) if args.path.lower() in t.name.lower()]
    weights = {t.name: getattr(t, "weight", 1.0) for t in chosen}
    total_weight = sum(weights.values())
    folder = Path(tempfile.mkdtemp(prefix="guichet-fuzz-"))
    rows = []
    all_failures: list[tuple[str, list[str]]] = []
    for target in chosen:
        examples = args.examples or max(1, round(args.total * weights[target.name] / total_weight))
        counts, failures, seconds = run(target, examples, args.seed, folder)
        rows.append((target.name, counts["tried"], counts["message"], counts["result"], counts["failures"], seconds))
        all_failures.append((target.name, failures))
        print(f"  {target.name}: {counts['tried']} inputs in {seconds:.1f} s", file=sys.stderr, flush=True)

    header = ("path", "inputs tried", "clear messages", "correct results", "failures", "time")
    width = max(len(header[0]), *(len(r[0]) for r in rows))
    print(f"{header[0]:<{width}}  {header[1]:>12}  {header[2]:>14}  {header[3]:>15}  {header[4]:>8}  {header[5]:>7}")
    for name, tried, message, result, failed, seconds in rows:
        print(f"{name:<{width}}  {tried:>12,}  {message:>14,}  {result:>15,}  {failed:>8,}  {seconds:>6.0f}s")
    totals = [sum(r[i] for r in rows) for i in range(1, 6)]
    print(f"{'total':<{width}}  {totals[0]:>12,}  {totals[1]:>14,}  {totals[2]:>15,}  {totals[3]:>8,}  {totals[4]:>6.0f}s")
    for name, failures in all_failures:
        for failure in failures:
            print(f"\nFAILURE in {name}: {failure}")
    return 1 if totals[3] else 0


if __name__ == "__main__":
    sys.exit(main())
