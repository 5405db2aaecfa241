"""The command line's cost against the bare OpenFisca-France load (issue 16: at most 0.4).

    python bench/cli_startup.py [--runs 5]

Every figure is the median over ``--runs`` fresh processes (Python started anew each
time, from this source tree), in CPU seconds of the process (user + system, what the
machine spends on it: a busy shared machine inflates wall times, printed beside):

* (a) ``CountryTaxBenefitSystem()`` of OpenFisca-France in a fresh process
  (import included): the cost any OpenFisca-France program pays (its bytecode compiled
  by one run before the measured ones, as (b)'s: see ``environment``);
* (b) ``python -m app simulate examples/01-parent-isolee-lyon.json``, whole process,
  with warm caches (a temporary data folder, filled by one run before the measured
  ones: parameter tree and taxable-income grids), no case database;
* (c) the ratio b / a (target: 0.4 or less);
* (d) ``simulate`` with 5 case files in one call: per household (the whole process
  divided by 5) and the extra cost of each of the 4 further households;
* (b') (b) through the code of the ``guichet`` console script (``from app.__main__
  import main``) instead of ``python -m app``: CPython 3.11 allocates its frame stack in
  16 KB chunks and frees a chunk as soon as the stack leaves it, so the depth at which
  OpenFisca's deep recursion starts decided how often it maps and unmaps one (125,000
  times through ``-m``, 32,000 through the script; ``strace -c -e trace=mmap``) until
  ``app/__main__.py`` ran the command on a roomy stack: both should now be equal;
* (e) (b) again with a case database in the data folder (opened with
  ``GUICHET_DB_KEY``), for the retention purge that runs before ``simulate``: the first
  ``simulate`` of the day (it opens the database) and the next ones (it does not).

Numbers only: nothing is enforced (tests do not time anything).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "01-parent-isolee-lyon.json"
FIVE = sorted((ROOT / "examples").glob("0[1-5]-*.json"))
TARGET_RATIO = 0.4
BARE_LOAD = "from openfisca_france import CountryTaxBenefitSystem\nCountryTaxBenefitSystem()\n"


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one fresh process; raises if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{stderr}")
    return usage.ru_utime + usage.ru_stime, wall


def median_of(runs: int, argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    samples = [timed(argv, env) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def environment(data_dir: Path) -> dict[str, str]:
    """A fresh data folder, and compiled bytecode kept (in a folder beside it): a
    workstation's installed Guichet has its ``.pyc`` files (the wheel's install, the
    bundle), which a ``PYTHONDONTWRITEBYTECODE`` of the shell running the bench would
    otherwise deny our own modules (0.2-0.3 s of compiling per run), not openfisca's."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("GUICHET_") and key != "PYTHONDONTWRITEBYTECODE"}
    env.update(GUICHET_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT),
               PYTHONPYCACHEPREFIX=str(data_dir.parent / "pycache"))
    return env


def create_case_database(env: dict[str, str]) -> None:
    """An empty case database in the data folder, its key from ``GUICHET_DB_KEY``."""
    code = "from app.core.store import Store\nwith Store.open():\n    pass\n"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)


def measure(runs: int) -> dict[str, float]:
    """The figures (a)-(e), printed as they come; also returned."""
    python = sys.executable
    simulate = [python, "-m", "app", "simulate", str(EXAMPLE)]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="guichet-cli-startup-") as folder:
        env = environment(Path(folder) / "data")
        timed([python, "-c", BARE_LOAD], env)  # compiles openfisca's bytecode into the cache folder
        out["bare_cpu"], out["bare_wall"] = median_of(runs, [python, "-c", BARE_LOAD], env)
        print(f"(a) CountryTaxBenefitSystem() in a fresh process: {out['bare_cpu']:.2f} s CPU "
              f"(wall {out['bare_wall']:.2f} s)")
        timed(simulate, env)  # fills the caches of the data folder
        out["cli_cpu"], out["cli_wall"] = median_of(runs, simulate, env)
        print(f"(b) python -m app simulate {EXAMPLE.name}, warm caches: {out['cli_cpu']:.2f} s CPU "
              f"(wall {out['cli_wall']:.2f} s)")
        script = [python, "-c", "import sys\nfrom app.__main__ import main\nsys.exit(main())",
                  "simulate", str(EXAMPLE)]
        out["script_cpu"], out["script_wall"] = median_of(runs, script, env)
        print(f"(b') the same through the guichet script's code: {out['script_cpu']:.2f} s CPU "
              f"(wall {out['script_wall']:.2f} s), ratio to (a) {out['script_cpu'] / out['bare_cpu']:.2f}")
        out["ratio"] = out["cli_cpu"] / out["bare_cpu"]
        verdict = "met" if out["ratio"] <= TARGET_RATIO else "NOT met"
        print(f"(c) ratio b / a: {out['ratio']:.2f} CPU (wall {out['cli_wall'] / out['bare_wall']:.2f}); "
              f"target <= {TARGET_RATIO}: {verdict}")
        five_cpu, five_wall = median_of(runs, [python, "-m", "app", "simulate", *map(str, FIVE)], env)
        out["per_household_cpu"] = five_cpu / len(FIVE)
        out["extra_household_cpu"] = (five_cpu - out["cli_cpu"]) / (len(FIVE) - 1)
        print(f"(d) simulate with {len(FIVE)} files in one call: {five_cpu:.2f} s CPU (wall {five_wall:.2f} s), "
              f"{out['per_household_cpu']:.2f} s per household, "
              f"{out['extra_household_cpu']:.3f} s for each household after the first")
        env_db = {**env, "GUICHET_DB_KEY": "bench-passphrase-not-a-secret"}
        create_case_database(env_db)
        marker = Path(env["GUICHET_DATA_DIR"]) / "cache" / "automatic_purge_day.txt"
        first = []
        for _ in range(runs):
            marker.unlink(missing_ok=True)
            first.append(timed(simulate, env_db))
        out["cli_db_first_cpu"] = statistics.median(cpu for cpu, _wall in first)
        out["cli_db_cpu"], out["cli_db_wall"] = median_of(runs, simulate, env_db)
        print(f"(e) (b) with a case database: first simulate of the day (the purge opens it) "
              f"{out['cli_db_first_cpu']:.2f} s CPU ({out['cli_db_first_cpu'] - out['cli_cpu']:+.2f} s), "
              f"the next ones {out['cli_db_cpu']:.2f} s CPU ({out['cli_db_cpu'] - out['cli_cpu']:+.2f} s)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, 1-min load average {load:.1f}; median of {args.runs} runs each")
    measure(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
