"""Screening figures: synthetic households end to end, households per second, peak memory.

    python bench/batch.py                 # 10,000 households on 2 workers
    python bench/batch.py --large         # 10,000 then 100,000: linear time, flat memory
    python bench/batch.py --households 3000 --workers 2 --chunk-size 500

End to end = ``batch.screen()`` from the template CSV to the XLSX output, the errors
file and the PDF report, with a spawned worker pool (each worker loads and warms
its own engine: that start-up is included). The CSV is generated beforehand
(seeded, varied: singles, couples, children, students, retired, disabled, job
seekers, tenants/owners in 12 communes, 1 % bad rows) and not timed.

Peak memory is the peak of the sum of the resident set sizes (RSS) of the main
process and every pool process, sampled every 50 ms with psutil. The parameter
cache in the user data folder is filled before timing, as on a workstation that
has run Guichet once (GUICHET_DATA_DIR is honoured).

Targets (issue 7): 10,000 households in at most 30 s and 800 MB on 2 cores.

    python bench/batch.py --dask             # 100,000: local pool and 2-worker LocalCluster
    python bench/batch.py --dask --million   # then 1,000,000 from Parquet on the cluster

``--dask`` (issue 17) screens one synthetic Parquet file (written beforehand, streamed)
into Parquet twice, with the local pool of 2 workers and on a Dask ``LocalCluster``
of 2 worker processes (1 thread each, started before timing; their engines load
inside the timed run, as the local workers' do), and prints for each run the wall
time, the CPU of every process (psutil, sampled every 0.2 s) and each process's peak
resident memory: main (the reader/writer, and the cluster's scheduler, which
LocalCluster runs in this process), pool workers, Dask nannies and workers.
Target: under 1 GB per process at 1,000,000 households.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMUNES = ("69123", "13055", "59350", "33063", "31555", "35238", "75056", "67482", "44109", "34172",
            "63113", "21231")


def synthetic_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    return list(iter_synthetic_rows(count, seed))


def iter_synthetic_rows(count: int, seed: int = 7) -> Iterator[dict[str, str]]:
    """The synthetic households one at a time (1,000,000 of them never sit in memory)."""
    rng = random.Random(seed)
    for i in range(count):
        row: dict[str, str] = {"reference": f"S-{i + 1:06d}", "commune_insee": rng.choice(COMMUNES)}
        profile = rng.random()
        year = 2026
        if profile < 0.12:  # retired
            birth = dt.date(rng.randint(1940, 1962), rng.randint(1, 12), rng.randint(1, 28))
            row.update(demandeur_activite="retraite", demandeur_retraite_mensuelle=str(rng.randint(600, 2200)))
        elif profile < 0.20:  # job seeker
            birth = dt.date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.5:
                row.update(demandeur_activite="demandeur_emploi_indemnise",
                           demandeur_chomage_mensuel=str(rng.randint(600, 1600)))
            else:
                row.update(demandeur_activite="demandeur_emploi_non_indemnise",
                           demandeur_ass_5_ans_travail=rng.choice(("oui", "non")))
        elif profile < 0.25:  # disabled
            birth = dt.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
            row.update(demandeur_activite="inactif", demandeur_taux_incapacite=rng.choice(("50", "80")))
        elif profile < 0.30:  # student
            birth = dt.date(rng.randint(2000, 2006), rng.randint(1, 12), rng.randint(1, 28))
            row.update(demandeur_activite="etudiant", demandeur_bourse_mensuelle=rng.choice(("", "250")))
        else:  # employee or inactive
            birth = dt.date(rng.randint(1970, 2002), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.75:
                row.update(demandeur_activite="salarie", demandeur_salaire_net_mensuel=str(rng.randint(300, 3200)))
            else:
                row.update(demandeur_activite="inactif")
        row["demandeur_date_naissance"] = birth.strftime("%d/%m/%Y")
        if rng.random() < 0.4 and birth.year < 1995:
            row["situation_couple"] = rng.choice(("marie", "pacse", "concubin"))
            spouse = dt.date(min(birth.year + rng.randint(-4, 4), 2003), rng.randint(1, 12), rng.randint(1, 28))
            row["conjoint_date_naissance"] = spouse.strftime("%d/%m/%Y")
            if rng.random() < 0.6:
                row.update(conjoint_activite="salarie", conjoint_salaire_net_mensuel=str(rng.randint(400, 2800)))
            else:
                row["conjoint_activite"] = "inactif"
        if birth.year >= 1970 and birth.year <= 2002 and rng.random() < 0.5:
            births, schooling = [], []
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                child_year = rng.randint(max(birth.year + 18, year - 20), year - 1)
                births.append(dt.date(child_year, rng.randint(1, 12), rng.randint(1, 28)).strftime("%d/%m/%Y"))
                age = year - child_year
                schooling.append("creche" if age < 3 else "maternelle" if age < 6 else "primaire" if age < 11
                                 else "college" if age < 15 else "lycee" if age < 18 else "superieur")
            row["enfants_dates_naissance"] = ";".join(births)
            row["enfants_scolarite"] = ";".join(schooling)
        housing = rng.random()
        if housing < 0.55:
            row.update(statut_logement=rng.choice(("locataire_vide", "locataire_vide", "locataire_meuble")),
                       loyer=str(rng.randint(250, 950)), charges=str(rng.randint(0, 120)),
                       logement_conventionne=rng.choice(("oui", "non")))
        elif housing < 0.75:
            row.update(statut_logement="proprietaire")
        elif housing < 0.85:
            row.update(statut_logement="accedant", loyer=str(rng.randint(300, 1100)))
        else:
            row.update(statut_logement="heberge_gratuitement")
        if rng.random() < 0.8:
            row["epargne"] = str(rng.choice((0, 0, 200, 1500, 8000, 25000)))
        if rng.random() < 0.4:
            row["aides_percues"] = ";".join(rng.sample(("aide_logement", "allocations_familiales", "rsa",
                                                        "prime_activite", "Chèque énergie"), rng.randint(1, 2)))
        if rng.random() < 0.01:  # a bad row
            row[rng.choice(("loyer", "demandeur_date_naissance", "commune_insee"))] = rng.choice(("-5", "31/02/1990", "99999"))
        yield row


def write_parquet(path: Path, rows: Iterable[dict[str, str]]) -> None:
    """The template as a Parquet file of text columns, streamed by row groups."""
    from app.core.batch.input import TEMPLATE_COLUMNS
    from app.core.batch.parquet import write_table

    write_table(path, TEMPLATE_COLUMNS, ([row.get(c, "") for c in TEMPLATE_COLUMNS] for row in rows))


def write_csv(path: Path, rows: Iterable[dict[str, str]]) -> None:
    from app.core.batch.input import TEMPLATE_COLUMNS

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(TEMPLATE_COLUMNS)
        for row in rows:
            writer.writerow([row.get(c, "") for c in TEMPLATE_COLUMNS])


class MemorySampler(threading.Thread):
    """Peak of the summed RSS of this process and all its descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.peak = 0
        self.peak_processes = 0
        self.peak_single = 0
        self.per_process: dict[int, dict[str, Any]] = {}  # pid -> role, peak RSS, last CPU seconds
        self._stop_event = threading.Event()

    def _role(self, process: Any) -> str:
        """main; a direct child: a worker (local pool, or Dask: LocalCluster runs its
        nannies in this process); a grandchild: a Dask worker started by a nanny process."""
        import psutil

        if process.pid == self.process.pid:
            return "main"
        try:
            parent = process.ppid()
            if parent == self.process.pid:
                return "nanny" if process.children() else "worker"
            return "dask worker"
        except psutil.Error:
            return "?"

    def run(self) -> None:
        import psutil

        while not self._stop_event.is_set():
            total, count, single = 0, 0, 0
            for process in [self.process] + self.process.children(recursive=True):
                try:
                    rss = process.memory_info().rss
                    times = process.cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                entry = self.per_process.setdefault(process.pid, {"role": self._role(process), "peak": 0, "cpu": 0.0})
                entry["peak"] = max(entry["peak"], rss)
                entry["cpu"] = times.user + times.system
                if entry["role"] == "worker" and process.children():
                    entry["role"] = "nanny"
                total += rss
                count += 1
                single = max(single, rss)
            if total > self.peak:
                self.peak, self.peak_processes = total, count
            self.peak_single = max(self.peak_single, single)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run(count: int, workers: int, chunk_size: int | None, month: str, folder: Path) -> dict[str, float]:
    from app.core.batch.screen import screen

    source = folder / f"foyers-{count}.csv"
    write_csv(source, synthetic_rows(count))  # the rows are freed before timing
    output = folder / f"resultats-{count}.xlsx"
    sampler = MemorySampler()
    sampler.start()
    cpu_before = _cpu_seconds()
    load_before = os.getloadavg()[0]
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(item: object) -> None:
        phase = getattr(item, "phase")
        if phase == "computing" and "first_chunk" not in marks:
            marks["first_chunk"] = time.perf_counter() - started
        if phase == "writing":
            marks["writing"] = time.perf_counter() - started

    outcome = screen(source, output, month=month, workers=workers, chunk_size=chunk_size, restart=True,
                     progress=progress)
    elapsed = time.perf_counter() - started
    sampler.stop()
    cpu = _cpu_seconds() - cpu_before
    load = max(load_before, os.getloadavg()[0])
    assert outcome.complete, outcome
    return {
        "households": count,
        "computed": outcome.computed,
        "rejected": outcome.rejected,
        "chunks": outcome.chunks,
        "seconds": elapsed,
        "per_second": count / elapsed,
        "first_chunk": marks.get("first_chunk", 0.0),
        "writing": elapsed - marks.get("writing", elapsed),
        "peak_mb": sampler.peak / 1e6,
        "peak_processes": sampler.peak_processes,
        "peak_single_mb": sampler.peak_single / 1e6,
        "output_mb": output.stat().st_size / 1e6,
        "cpu": cpu,
        "load": load,
    }


def run_compared(count: int, month: str, folder: Path, source: Path, label: str,
                 scheduler: str | None = None, cluster_pids: tuple[int, ...] = ()) -> dict[str, Any]:
    """One screening of ``source`` into Parquet, locally (2 pool workers) or on the
    cluster at ``scheduler``: wall time, CPU and peak memory of every process."""
    from app.core.batch.screen import screen

    output = folder / f"resultats-{label}-{count}.parquet"
    sampler = MemorySampler(interval=0.2)
    sampler.start()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    last = [started]

    def progress(item: Any) -> None:
        """A line a minute: a long run stopped early still tells its rate and memory."""
        now = time.perf_counter()
        if item.phase == "computing" and now - last[0] >= 60:
            last[0] = now
            peaks = ", ".join(f"{entry['role']} {entry['peak'] / 1e6:.0f}" for entry in sampler.per_process.values()
                              if entry["peak"] > 100e6)
            print(f"    {label}: {item.done:,}/{item.total:,} after {now - started:.0f} s "
                  f"({item.done / (now - started):.0f}/s), load {os.getloadavg()[0]:.1f}, peak MB so far: {peaks}",
                  flush=True)

    outcome = screen(source, output, month=month, workers=2, restart=True, write_report=False, scheduler=scheduler,
                     progress=progress)
    elapsed = time.perf_counter() - started
    sampler.stop()
    assert outcome.complete, outcome
    processes = sorted(sampler.per_process.items(), key=lambda item: (item[1]["role"], item[0]))
    cpu = sum(entry["cpu"] for _pid, entry in processes)
    return {"label": label, "households": count, "computed": outcome.computed, "rejected": outcome.rejected,
            "chunks": outcome.chunks, "seconds": elapsed, "cpu": cpu, "peak_mb": sampler.peak / 1e6,
            "processes": [(pid, "dask worker" if scheduler and entry["role"] == "worker" else entry["role"],
                           entry["peak"] / 1e6, entry["cpu"]) for pid, entry in processes],
            "load": max(load_before, os.getloadavg()[0]), "output_mb": output.stat().st_size / 1e6}


def print_compared(result: dict[str, Any]) -> None:
    count = result["households"]
    print(f"{result['label']:>6} {count:>9,} households: {result['seconds']:7.1f} s, "
          f"{count / result['seconds']:5.0f} households/s, CPU {result['cpu']:.0f} s = "
          f"{result['cpu'] / count * 1000:.2f} ms per household, peak memory (sum) {result['peak_mb']:.0f} MB, "
          f"load {result['load']:.1f}; {result['computed']:,} computed, {result['rejected']:,} rejected, "
          f"{result['chunks']} chunks, output {result['output_mb']:.1f} MB", flush=True)
    for pid, role, peak, cpu in result["processes"]:
        if cpu > 0.5 or peak > 100:
            print(f"         {role:<12} pid {pid:>7}: peak {peak:6.0f} MB, CPU {cpu:7.1f} s", flush=True)


def dask_main(args: argparse.Namespace) -> int:
    """--dask: the local pool and a 2-worker LocalCluster side by side on one Parquet
    file, then (--million) 1,000,000 households from Parquet on the cluster."""
    from distributed import LocalCluster

    counts = [args.households if args.households != 10_000 else 100_000]
    with tempfile.TemporaryDirectory(prefix="guichet-bench-") as tmp:
        folder = Path(tmp)
        results = []
        for count in counts:
            source = folder / f"foyers-{count}.parquet"
            made = time.perf_counter()
            write_parquet(source, iter_synthetic_rows(count))
            print(f"{count:,} households written to Parquet in {time.perf_counter() - made:.1f} s "
                  f"({source.stat().st_size / 1e6:.1f} MB)", flush=True)
            if not args.skip_local:
                results.append(run_compared(count, args.month, folder, source, "local"))
                print_compared(results[-1])
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                              scheduler_kwargs={"dashboard": False}) as cluster:
                results.append(run_compared(count, args.month, folder, source, "dask", cluster.scheduler_address))
                print_compared(results[-1])
        if args.million:
            count = 1_000_000
            source = folder / f"foyers-{count}.parquet"
            made = time.perf_counter()
            write_parquet(source, iter_synthetic_rows(count))
            print(f"{count:,} households written to Parquet in {time.perf_counter() - made:.1f} s "
                  f"({source.stat().st_size / 1e6:.1f} MB)", flush=True)
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                              scheduler_kwargs={"dashboard": False}) as cluster:
                results.append(run_compared(count, args.month, folder, source, "dask", cluster.scheduler_address))
                print_compared(results[-1])
    largest = max(peak for result in results for _pid, _role, peak, _cpu in result["processes"])
    print(f"largest process: {largest:.0f} MB (target: under 1,000 MB per process)", flush=True)
    return 0


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its finished (reaped) children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--large", action="store_true", help="also 100,000 households (several minutes)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--dask", action="store_true",
                        help="the local pool and a 2-worker Dask LocalCluster side by side, Parquet in and out "
                             "(100,000 households unless --households says otherwise)")
    parser.add_argument("--million", action="store_true", help="with --dask: then 1,000,000 households from Parquet "
                                                              "on the cluster (about an hour on 2 cores)")
    parser.add_argument("--skip-local", action="store_true", help="with --dask: the cluster only")
    args = parser.parse_args()

    # Fill the parameter cache if needed (not timed), in another process: this one must
    # stay the screener's main process, which never loads the OpenFisca-France system.
    subprocess.run([sys.executable, "-c", "from app.core.compute.engine import Engine; Engine(warm_up=False)"],
                   cwd=ROOT, check=True)
    if args.dask:
        return dask_main(args)
    sizes = [args.households] + ([100_000] if args.large else [])
    results = []
    with tempfile.TemporaryDirectory(prefix="guichet-bench-") as tmp:
        for count in sizes:
            result = run(count, args.workers, args.chunk_size, args.month, Path(tmp))
            results.append(result)
            print(f"{count:>7,} households: {result['seconds']:7.1f} s end to end, "
                  f"{result['per_second']:6.0f} households/s, peak memory {result['peak_mb']:6.0f} MB "
                  f"(sum of {result['peak_processes']} processes; largest {result['peak_single_mb']:.0f} MB); "
                  f"first chunk after {result['first_chunk']:.1f} s, writing {result['writing']:.1f} s; "
                  f"{result['computed']:,} computed, {result['rejected']:,} rejected, {result['chunks']} chunks, "
                  f"output {result['output_mb']:.1f} MB", flush=True)
            print(f"         CPU {result['cpu']:.1f} s in all processes = {result['cpu'] / count * 1000:.2f} ms "
                  f"per household; load average {result['load']:.1f} on {os.cpu_count()} cores "
                  f"(above {os.cpu_count()}: other programs share the cores, wall time is inflated)", flush=True)
    first = results[0]
    print(f"targets for 10,000 on 2 cores: <= 30 s and <= 800 MB")
    if len(results) > 1:
        last = results[-1]
        ratio = last["households"] / first["households"]
        print(f"x{ratio:.0f} households: time x{last['seconds'] / first['seconds']:.2f} "
              f"(steady rate {first['per_second']:.0f} -> {last['per_second']:.0f} households/s), "
              f"peak memory x{last['peak_mb'] / first['peak_mb']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
