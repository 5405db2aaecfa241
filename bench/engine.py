"""Engine figures, side by side: system load, first and warm screening, peak memory.

    python bench/engine.py [--month 2026-11] [--repeat 3]

Each path runs in a fresh process so that "first" really is first:
* load: plain ``CountryTaxBenefitSystem()`` vs Guichet's ``load_system()`` (parameter
  tree from the on-disk cache, filled beforehand);
* screening of the same households (examples/ and tests/core/reference/ case
  files): the standard path (``SimulationBuilder.build_from_entities`` on the very
  situation Guichet builds, then each catalogue variable in the catalogue's order; the
  prime de Noël restricted to the month's RSA and ASS as Guichet does)
  vs Guichet's ``Engine.compute`` (array build, explicit zeros where the household's
  profile rules a computation out, memoised period arithmetic);
* every amount of both paths compared: the speed-up only counts if they are equal.

Times are wall-clock medians; CPU time is printed too because a busy machine
inflates wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def case_files() -> list[Path]:
    extra = os.environ.get("GUICHET_BENCH_CASES")
    if extra:
        return sorted(Path(extra).glob("*.json"))
    return sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests/core/reference").glob("*.case.json"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(path_name: str, month: str, repeat: int) -> dict:
    out: dict = {}
    if path_name == "load-plain":
        started, cpu = time.perf_counter(), time.process_time()
        from openfisca_france import CountryTaxBenefitSystem

        CountryTaxBenefitSystem()
        return {"load": time.perf_counter() - started, "load_cpu": time.process_time() - cpu, "peak_mb": peak_mb()}
    if path_name == "load-ours":
        started, cpu = time.perf_counter(), time.process_time()
        from app.core.openfisca.loading import load_system

        load_system()
        return {"load": time.perf_counter() - started, "load_cpu": time.process_time() - cpu, "peak_mb": peak_mb()}

    from app.core.io.casefile import load_case
    from app.core.compute.engine import Engine

    engine = Engine(warm_up=False)
    households = [load_case(path)[0] for path in case_files()]
    situations = [engine.situation(h, month) for h in households]  # also fills the taxable grid

    def standard(index: int) -> dict:
        from openfisca_core.simulations import SimulationBuilder

        from app.core.compute.engine import _only_month_of_year

        simulation = SimulationBuilder().build_from_entities(engine.tbs, json.loads(json.dumps(situations[index].data)))
        values = {}
        year = month[:4]
        for benefit in engine.catalogue:
            # the prime de Noël on the month's RSA/ASS, as Guichet does (docs/rules.md): plain
            # OpenFisca adds a December the situation has no input for
            with _only_month_of_year(simulation, benefit.variable, month):
                array = simulation.calculate(benefit.variable, year if benefit.period == "year" else month)
            if benefit.entity == "individu":
                values[benefit.id] = round(float(array.sum()), 2)
            else:
                first = {"famille": situations[index].famille_id, "menage": situations[index].menage_id}[benefit.entity]
                population = simulation.populations[benefit.entity]
                row = list(population.ids).index(first)
                values[benefit.id] = round(float(array[row]), 2)
        # The benefits Guichet reads on a copy of the household (docs/rules.md: the prime à la
        # naissance with the expected child, Visale in the home to rent), also on the
        # standard path: the copy's situation, plain openfisca-core, that benefit only.
        from app.core.compute.engine import SIDE_KINDS

        for kind in SIDE_KINDS:
            case = kind.case(households[index], month)
            if case is None:
                continue
            side = engine.side_situation(case)
            copy = SimulationBuilder().build_from_entities(engine.tbs, json.loads(json.dumps(side.data)))
            benefit = next(b for b in engine.catalogue if b.variable == kind.variable)
            first = {"famille": side.famille_id, "menage": side.menage_id}[benefit.entity]
            row = list(copy.populations[benefit.entity].ids).index(first)
            values[benefit.id] = round(float(copy.calculate(benefit.variable, case.month)[row]), 2)
        return values

    def ours(index: int) -> dict:
        result = engine.compute(households[index], month)
        national = set(engine.catalogue.ids())  # the standard path knows no local aid
        return {
            b.benefit_id: (1.0 if b.status == "eligible" else 0.0)
            if engine.catalogue.get(b.benefit_id).value == "boolean" else b.amount
            for b in result.benefits if b.benefit_id in national
        }

    run = standard if path_name == "standard" else ours
    amounts = []
    started, cpu = time.perf_counter(), time.process_time()
    amounts.append(run(0))
    out["first"] = time.perf_counter() - started
    out["first_cpu"] = time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(repeat):
        amounts = []
        for index in range(len(households)):
            started, cpu = time.perf_counter(), time.process_time()
            amounts.append(run(index))
            warm.append(time.perf_counter() - started)
            warm_cpu.append(time.process_time() - cpu)
    out["warm_median"] = statistics.median(warm)
    out["warm_cpu_median"] = statistics.median(warm_cpu)
    out["households"] = len(households)
    out["amounts"] = amounts
    out["peak_mb"] = peak_mb()
    return out


def spawn(path_name: str, month: str, repeat: int, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", path_name, "--month", month, "--repeat", str(repeat)],
        capture_output=True, text=True, env=env, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.month, args.repeat)))
        return

    env = dict(os.environ)
    env.setdefault("GUICHET_DATA_DIR", tempfile.mkdtemp(prefix="guichet-bench-"))
    spawn("load-ours", args.month, 1, env)  # fills the parameter cache
    plain_runs = [spawn("load-plain", args.month, 1, env) for _ in range(3)]
    cached_runs = [spawn("load-ours", args.month, 1, env) for _ in range(3)]
    plain = [run["load"] for run in plain_runs]
    cached = [run["load"] for run in cached_runs]
    plain_cpu = statistics.median(run["load_cpu"] for run in plain_runs)
    cached_cpu = statistics.median(run["load_cpu"] for run in cached_runs)
    standard = spawn("standard", args.month, args.repeat, env)
    ours = spawn("ours", args.month, args.repeat, env)

    load_plain, load_ours = statistics.median(plain), statistics.median(cached)
    print(f"households: {ours['households']} case files, month {args.month}")
    print(f"{'':34}{'standard':>12}{'Guichet':>12}{'ratio':>9}")
    print(f"{'system load (s)':34}{load_plain:12.2f}{load_ours:12.2f}{load_ours / load_plain:9.2f}   target <= 0.60")
    print(f"{'system load, CPU (s)':34}{plain_cpu:12.2f}{cached_cpu:12.2f}{cached_cpu / plain_cpu:9.2f}")
    print(f"{'first household (s)':34}{standard['first']:12.2f}{ours['first']:12.2f}{ours['first'] / standard['first']:9.2f}")
    print(f"{'warm household, median (s)':34}{standard['warm_median']:12.3f}{ours['warm_median']:12.3f}"
          f"{ours['warm_median'] / standard['warm_median']:9.2f}   target <= 0.20")
    print(f"{'warm household, CPU median (s)':34}{standard['warm_cpu_median']:12.3f}{ours['warm_cpu_median']:12.3f}"
          f"{ours['warm_cpu_median'] / standard['warm_cpu_median']:9.2f}")
    print(f"{'peak memory (MB)':34}{standard['peak_mb']:12.0f}{ours['peak_mb']:12.0f}")
    differences = [
        (i, key, standard["amounts"][i][key], ours["amounts"][i][key])
        for i in range(len(ours["amounts"]))
        for key in ours["amounts"][i]
        if abs(standard["amounts"][i][key] - ours["amounts"][i][key]) > 0.005
    ]
    print(f"amounts compared: {sum(len(a) for a in ours['amounts'])}, different: {len(differences)}")
    for difference in differences[:20]:
        print("  household %d %s: standard %.2f, Guichet %.2f" % difference)


if __name__ == "__main__":
    main()
