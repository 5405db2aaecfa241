"""Proactive screening: every household of a file, its likely unclaimed benefits.

``screen(input, output)`` reads a CSV/XLSX file in the template (or JSON-lines /
a folder of case files, see ``input.py``), computes every household with the
same engine as the single-household screen, and writes per household each
benefit's estimated amount and a flag "likely eligible, not received"
(``BenefitResult.not_claimed``), a summary sheet, an errors file (rejected rows,
with the row number and the reason) and a short PDF report. ``guichet screen``
(``run_screen``) is the command line face, with a progress bar on stderr.

How it runs (docs/batch.md):

* The main process reads and validates the records and groups the households by
  the engine's gate profile (``plan_chunks``): chunks of at most ``chunk_size``
  (1,000 by default) households that ``Engine.compute_many`` computes in one
  vectorised simulation, never one simulation per household. Each chunk is
  computed in a worker process (``spawn``; each worker loads its own ``Engine``
  once and warms it on the screening month). At most two chunks per worker are in
  flight, and at most four chunks' worth of households wait to be grouped, so the
  memory of the whole run does not grow with the file.
* Each finished chunk is written at once to ``OUT.partial/chunk-NNNNNN.json``
  (atomic rename) beside a manifest holding the input's SHA-256 and everything
  that changes results (month, chunk size, OpenFisca versions, catalogue). The
  final output is assembled from the chunks only when all are done; it is the last
  file written, so it exists only for a complete run. Ctrl+C, cancel or a killed
  process leave the ``.partial`` folder (with a French notice that the work is
  incomplete); running the same command again resumes, skipping the finished
  chunks if the manifest still matches, or starts over (``restart=True``,
  ``--restart``, or a changed input).
* The GUI passes ``progress`` (called with a ``Progress`` after each chunk and
  about twice a second) and ``cancel`` (any object with ``is_set()``, such as a
  ``threading.Event``), and runs ``screen`` off its main thread.

The main process never loads the OpenFisca-France system (it imports the engine
module for its gates only), unless ``engine`` is given: then the chunks are
computed in this process by that engine (tests, and callers that hold one). With
``scheduler``, the chunks are computed on a Dask cluster instead of local processes
(``batch_dask.py``), by the same task function (``worker_chunk``) and the same loop
(``drive_chunks``); Parquet files are read and written by ``batch_parquet.py``.
Those two modules alone import dask/distributed and pyarrow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import logging
import math
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from app.core.base import csv_safe
from app.core.base import formats
from app.core.batch.chunks import (
    IN_FLIGHT_PER_WORKER,
    CancelFlag,
    ChunkTask,
    Item,
    ScreenError,
    catalogue_fingerprint,
    compute_chunk,
    drive_chunks,
    init_worker,
    openfisca_versions,
    worker_chunk,
    worker_ready,
)
from app.core.batch.input import InputError, Source, parse_record
from app.core.batch.sources import open_source
from app.core.batch.summary import BenefitTotals, Summary
from app.core.benefits.benefit import Benefit
from app.core.benefits.catalogue import Catalogue, load_catalogue
from app.core.base.files import atomic_write, commit_file
from app.core.base.i18n import t
from app.core.model.periods import current_month, parse_month

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000  # households per chunk: ~12 % less CPU than 500 for ~60 MB more per worker (bench/batch.py)
MIN_CHUNK_SIZE = 50
BUFFERED_CHUNKS = 4
PARTIAL_FORMAT = "guichet-screen-partial"
PARTIAL_VERSION = 1
MANIFEST = "manifest.json"
OUTPUT_SUFFIXES = (".xlsx", ".csv", ".parquet")


@dataclass(frozen=True)
class Progress:
    phase: str  # "reading" | "starting" | "computing" | "writing" | "done"
    done: int  # records finished, rejected ones and those of resumed chunks included
    total: int
    rejected: int
    resumed: int  # records of chunks finished by an earlier run
    elapsed: float  # seconds since the start of this run
    rate: float | None = None  # records per second while computing (start-up left out)
    eta: float | None = None  # seconds left, None until estimated

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass(frozen=True)
class ScreenOutcome:
    complete: bool
    output: Path
    partial_dir: Path
    errors_path: Path | None = None
    report_path: Path | None = None
    summary_path: Path | None = None  # CSV output only: the summary beside it
    total: int = 0
    computed: int = 0
    rejected: int = 0
    chunks: int = 0
    resumed_chunks: int = 0
    households_flagged: int = 0
    monthly_unclaimed: float = 0.0
    yearly_unclaimed: float = 0.0
    elapsed: float = 0.0
    reason: str | None = None  # why incomplete: "cancelled" | "worker_died"
    notices: tuple[str, ...] = ()  # French notices for the agent (restart, unknown columns, legislation)


# --------------------------------------------------------------------------- the partial folder


def partial_dir_for(output: Path) -> Path:
    return output.with_name(output.name + ".partial")


def _chunk_path(folder: Path, index: int) -> Path:
    return folder / f"chunk-{index:06d}.json"


def _write_atomic(path: Path, text: str) -> None:
    atomic_write(path, text)


def _run_key(source: Source, chunk_size: int, month: str | None, default_month: str) -> dict[str, Any]:
    """Everything that changes the chunks' content: a resumed run must match it all."""
    return {
        "format": PARTIAL_FORMAT,
        "version": PARTIAL_VERSION,
        "input_name": source.path.name,
        "input_kind": source.kind,
        "input_sha256": source.sha256,
        "records": source.total,
        "chunk_size": chunk_size,
        "month": month,
        "default_month": None if month else default_month,
        "versions": openfisca_versions(),
        "catalogue": catalogue_fingerprint(),
    }


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _finished_chunks(folder: Path) -> set[int]:
    done = set()
    for path in folder.glob("chunk-*.json"):
        try:
            done.add(int(path.stem.split("-", 1)[1]))
        except ValueError:
            continue
    return done


def _chunk_header(folder: Path, index: int) -> dict[str, Any]:
    with _chunk_path(folder, index).open(encoding="utf-8") as handle:
        return json.loads(handle.readline())


def _write_chunk(folder: Path, result: dict[str, Any]) -> None:
    """JSON lines: the header, then one line per row or error (read back streaming)."""
    header = {k: v for k, v in result.items() if k != "items"}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines.extend(json.dumps(item, ensure_ascii=False) for item in result["items"])
    _write_atomic(_chunk_path(folder, result["chunk"]), "\n".join(lines) + "\n")


def _chunk_items(folder: Path, index: int) -> Iterator[dict[str, Any]]:
    with _chunk_path(folder, index).open(encoding="utf-8") as handle:
        handle.readline()
        for text in handle:
            yield json.loads(text)


@dataclass(frozen=True)
class PartialRun:
    """An interrupted run left beside ``output`` (what the app shows before offering to resume)."""

    folder: Path
    input_name: str  # the interrupted run's input file name
    month: str | None  # its ``month`` option (None: each record's month)
    total: int  # records of its input
    done: int  # records of its finished chunks


def find_partial(output: Path | str) -> PartialRun | None:
    """The interrupted run of ``output``, if its ``.partial`` folder is there (a cheap
    look: whether ``screen`` will really resume also depends on the input's hash). None
    too for a path that names no file (« / », typed while the agent types a path)."""
    if not Path(output).name:
        return None
    folder = partial_dir_for(Path(output))
    try:
        manifest = _read_manifest(folder) if folder.is_dir() else None
    except OSError:  # a path the system refuses (too long, not allowed)
        return None
    if manifest is None or manifest.get("complete"):
        return None
    stored = manifest.get("key")
    key: dict[str, Any] = stored if isinstance(stored, dict) else {}
    done = 0
    for index in _finished_chunks(folder):
        try:
            done += int(_chunk_header(folder, index)["records"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    month = key.get("month")
    return PartialRun(folder, str(key.get("input_name") or ""), month if isinstance(month, str) else None,
                      int(key.get("records") or 0), done)


def _profile_function() -> Callable[[Any, str], tuple[str, ...]]:
    """The engine's gate profile of a household: households of one profile share one
    simulation in ``compute_many``, whose fixed cost (about a second) dominates."""
    try:
        from app.core.compute.engine import GATES
    except ImportError:  # pragma: no cover - the engine without gates: one profile
        GATES = ()

    def profile(household: Any, month: str) -> tuple[str, ...]:
        return (month,) + tuple(g.name for g in GATES if g.applies(household, month))

    return profile


def plan_chunks(source: Source, chunk_size: int, month: str | None, default_month: str,
                today: dt.date) -> Iterator[ChunkTask]:
    """Read, validate and group the records: one chunk per ``chunk_size`` households
    of the same gate profile and month, in a deterministic order (so that a resumed
    run cuts the same chunks). Rejected records ride with the next chunk. At most
    ``BUFFERED_CHUNKS x chunk_size`` households wait in memory: past that, the fullest
    group leaves as a smaller chunk."""
    profile = _profile_function()
    groups: dict[tuple[str, ...], list[Item]] = {}
    errors: list[tuple[int, str, str, str, str]] = []
    buffered = 0
    index = 0
    for n, record in enumerate(source.records()):
        parsed = parse_record(source.kind, source.headers, record, today)
        if parsed.household is None:
            errors.extend((n, parsed.line, parsed.reference, column, message) for column, message in parsed.problems)
            continue
        item_month = month or parsed.month or default_month
        key = profile(parsed.household, item_month)
        group = groups.setdefault(key, [])
        group.append(Item(n, parsed.line, parsed.reference, parsed.household, item_month))
        buffered += 1
        if len(group) >= chunk_size or buffered >= BUFFERED_CHUNKS * chunk_size:
            fullest = key if len(group) >= chunk_size else max(groups, key=lambda k: (len(groups[k]), k))
            items = groups.pop(fullest)
            buffered -= len(items)
            yield ChunkTask(index, tuple(items), tuple(errors))
            errors, index = [], index + 1
    for key in sorted(groups):
        yield ChunkTask(index, tuple(groups[key]), tuple(errors))
        errors, index = [], index + 1
    if errors or index == 0:
        yield ChunkTask(index, (), tuple(errors))


# --------------------------------------------------------------------------- the run


def screen(
    source_path: Path | str,
    output: Path | str,
    *,
    month: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    errors_path: Path | str | None = None,
    report_path: Path | str | None = None,
    write_report: bool = True,
    restart: bool = False,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelFlag | None = None,
    engine: Any = None,
    today: dt.date | None = None,
    scheduler: str | None = None,
    security: Any = None,
) -> ScreenOutcome:
    """Screen every household of ``source_path`` into ``output`` (.xlsx, .csv or .parquet).

    ``month``: the month computed for every household (else each record's own month,
    else the current month). ``workers``: processes (default: every core). With
    ``engine``, chunks are computed in this process by that engine. With
    ``scheduler`` (``tcp://HOST:PORT`` or ``tls://…``, and ``security``: a
    ``distributed.Security`` for TLS), on that Dask cluster (``batch_dask.py``). Raises
    ``ScreenError`` when the input cannot be read at all; a bad row never raises.
    Returns an incomplete outcome when cancelled or when a worker died; Ctrl+C
    (KeyboardInterrupt) propagates after the partial output is left consistent.
    """
    options: dict[str, Any] = dict(
        month=month, workers=workers, chunk_size=chunk_size, errors_path=errors_path, report_path=report_path,
        write_report=write_report, restart=restart, progress=progress, cancel=cancel, engine=engine, today=today,
    )
    if not scheduler or engine is not None:
        return _screen(source_path, output, cluster=None, **options)
    _require_server_modules(Path(output).suffix.lower() == ".parquet", True)
    from app.core.batch.dask import Cluster  # dask/distributed only for a cluster run

    # Reached (and its workers' engines loaded) before anything is written: a wrong
    # address or certificate leaves a previous run's output untouched.
    with Cluster(scheduler, security, month or current_month(today)) as cluster:
        return _screen(source_path, output, cluster=cluster, **options)


def _screen(
    source_path: Path | str,
    output: Path | str,
    *,
    cluster: Any,
    month: str | None,
    workers: int | None,
    chunk_size: int | None,
    errors_path: Path | str | None,
    report_path: Path | str | None,
    write_report: bool,
    restart: bool,
    progress: Callable[[Progress], None] | None,
    cancel: CancelFlag | None,
    engine: Any,
    today: dt.date | None,
) -> ScreenOutcome:
    started = time.perf_counter()
    source_path, output = Path(source_path), Path(output)
    suffix = output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ScreenError(t("batch.error.output_format", path=output.name))
    if output.resolve() == source_path.resolve():
        raise ScreenError(t("batch.error.output_is_input"))
    _require_server_modules(suffix == ".parquet", False)
    if month is not None:
        try:
            parse_month(month)
        except ValueError:
            raise ScreenError(t("problem.not_a_month", field=t("field.month"), value=month)) from None
    stem = output.with_suffix("")
    errors_file = Path(errors_path) if errors_path else stem.with_name(stem.name + "-erreurs.csv")
    report_file = (Path(report_path) if report_path else stem.with_name(stem.name + "-rapport.pdf")) if write_report else None
    today_iso = (today or dt.date.today()).isoformat()
    default_month = current_month(today)

    def notify(item: Progress) -> None:
        if progress is not None:
            progress(item)

    notify(Progress("reading", 0, 0, 0, 0, time.perf_counter() - started))
    try:
        source = open_source(source_path)
    except InputError as error:
        raise ScreenError(str(error)) from None
    notices: list[str] = []
    if source.unknown_columns:
        notices.append(t("batch.notice.unknown_columns", columns=", ".join(source.unknown_columns)))

    catalogue = load_catalogue()
    cpu = os.cpu_count() or 1
    workers = cluster.threads if cluster is not None else max(1, workers or cpu)
    folder = partial_dir_for(output)
    manifest = None if restart else _read_manifest(folder)
    if chunk_size is None:
        previous = (manifest or {}).get("key") or {}
        if previous.get("input_sha256") == source.sha256 and previous.get("chunk_size"):
            chunk_size = int(previous["chunk_size"])  # resume with the interrupted run's chunks
        else:
            chunk_size = min(CHUNK_SIZE, max(MIN_CHUNK_SIZE, math.ceil(source.total / workers)))
    chunk_size = max(1, int(chunk_size))
    key = _run_key(source, chunk_size, month, default_month)

    if folder.exists() and manifest is not None and manifest.get("key") == key:
        done = _finished_chunks(folder)
        if done:
            notices.append(t("batch.notice.resumed", done=len(done)))
    else:
        if folder.exists():
            if manifest is not None and not restart:
                notices.append(t("batch.notice.restarted_changed"))
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        _write_atomic(folder / "LISEZ-MOI.txt", t("batch.partial.readme", output=output.name) + "\n")
        done = set()
    _write_atomic(folder / MANIFEST, json.dumps({"key": key, "complete": False, "output": output.name},
                                                ensure_ascii=False, indent=1))
    # The final files appear only for a complete run: remove a previous run's.
    for path in (output, errors_file, report_file, _summary_csv_path(output) if suffix != ".xlsx" else None):
        if path is not None and path.exists():
            path.unlink()

    state = _RunState(total=source.total, done=0, resumed=0, started=started)
    for index in done:
        header = _chunk_header(folder, index)
        state.resumed += int(header["records"])
        state.rejected += int(header["rejected"])
    state.done = state.resumed
    planned: list[int] = []  # every chunk index of the run, finished before or not

    def tasks() -> Iterator[ChunkTask]:
        for task in plan_chunks(source, chunk_size, month, default_month, dt.date.fromisoformat(today_iso)):
            planned.append(task.index)
            if task.index in done:
                continue
            if not task.items:  # only rejected records: nothing for an engine to do
                on_result(compute_chunk(None, task))
                continue
            yield task

    written: set[int] = set()

    def on_result(result: dict[str, Any]) -> None:
        # Once per chunk: a chunk computed twice (a cluster recomputing the work of a
        # worker lost after it had finished) is written and counted the first time only.
        if result["chunk"] in written or result["chunk"] in done:
            return
        written.add(result["chunk"])
        _write_chunk(folder, result)
        state.chunk_finished(result)
        notify(state.progress("computing"))

    notify(state.progress("starting"))
    reason: str | None
    if engine is not None:
        reason = _run_here(engine, tasks(), on_result, cancel)
    elif cluster is not None:
        state.workers = cluster.threads
        reason = cluster.run(tasks(), on_result, cancel,
                             lambda: notify(state.progress("computing" if state.chunks else "starting")))
    else:
        pool_size = min(workers, max(1, math.ceil((source.total - state.resumed) / chunk_size)))
        state.workers = pool_size
        reason = _run_pool(tasks(), pool_size, month or default_month, on_result, cancel,
                           lambda: notify(state.progress("computing" if state.chunks else "starting")))
    count = len(planned)
    elapsed = time.perf_counter() - started
    base = ScreenOutcome(
        complete=False, output=output, partial_dir=folder, total=source.total, chunks=count,
        resumed_chunks=len(done), rejected=state.rejected, computed=state.done - state.rejected,
        elapsed=elapsed, reason=reason, notices=tuple(notices),
    )
    if reason is not None or not set(planned) <= _finished_chunks(folder):
        return replace(base, reason=reason or "cancelled")

    notify(state.progress("writing"))
    summary = _assemble(folder, count, catalogue, output, errors_file, source)
    if report_file is not None:
        from app.core.batch.report import write_report as build_pdf

        build_pdf(report_file, summary)
    _finalise(folder, output)
    notices.extend(summary.warnings)
    outcome = replace(
        base, complete=True, errors_path=errors_file, report_path=report_file,
        summary_path=_summary_csv_path(output) if suffix != ".xlsx" else None,
        computed=summary.households, rejected=summary.rejected,
        households_flagged=summary.flagged_households, monthly_unclaimed=round(summary.monthly_total, 2),
        yearly_unclaimed=round(summary.yearly_total, 2), elapsed=time.perf_counter() - started,
        reason=None, notices=tuple(notices),
    )
    notify(Progress("done", source.total, source.total, summary.rejected, state.resumed, outcome.elapsed))
    return outcome


def _require_server_modules(parquet: bool, cluster: bool) -> None:
    """Parquet output and clusters need pyarrow and dask/distributed, which the desktop
    bundle leaves out: say so in French before anything starts."""
    import importlib

    for needed, module, key in ((parquet, "app.core.batch.parquet", "batch.error.no_parquet"),
                                (cluster, "app.core.batch.dask", "batch.error.no_dask")):
        if needed:
            try:
                importlib.import_module(module)
            except ImportError:
                raise ScreenError(t(key)) from None


@dataclass
class _RunState:
    total: int
    done: int
    resumed: int
    started: float
    rejected: int = 0
    chunks: int = 0
    workers: int = 1
    worker_seconds: float = 0.0
    worker_records: int = 0
    first_result: float | None = None
    first_done: int = 0  # households done when the first chunk came back

    def chunk_finished(self, result: dict[str, Any]) -> None:
        self.chunks += 1
        self.done += int(result["records"])
        self.rejected += int(result["rejected"])
        if result["benefits"]:  # households computed (not only rejected records)
            self.worker_seconds += float(result["seconds"])
            self.worker_records += int(result["records"])
        if self.first_result is None:
            self.first_result = time.perf_counter()
            self.first_done = self.done

    def progress(self, phase: str) -> Progress:
        elapsed = time.perf_counter() - self.started
        rate = eta = None
        if self.chunks and self.worker_seconds > 0 and self.worker_records > 0:
            now = time.perf_counter()
            since_first = now - self.first_result if self.first_result is not None else 0.0
            if self.chunks > self.workers and since_first > 1.0:
                # Steady state: the households finished since the first chunk came back,
                # over the wall time since then (engine start-up left out, the machine's
                # real load included).
                throughput = (self.done - self.first_done) / since_first
            else:
                # First chunks: the per-worker speed measured by the workers themselves,
                # times the workers.
                throughput = self.worker_records / self.worker_seconds * self.workers
            rate = throughput
            eta = max(0.0, (self.total - self.done) / throughput) if throughput > 0 else None
        return Progress(phase, self.done, self.total, self.rejected, self.resumed, elapsed, rate, eta)


def _run_here(engine: Any, tasks: Iterator[ChunkTask], on_result: Callable[[dict[str, Any]], None],
              cancel: CancelFlag | None) -> str | None:
    for task in tasks:
        if cancel is not None and cancel.is_set():
            return "cancelled"
        on_result(compute_chunk(engine, task))
    return None


def _run_pool(
    tasks: Iterator[ChunkTask],
    workers: int,
    warm_month: str,
    on_result: Callable[[dict[str, Any]], None],
    cancel: CancelFlag | None,
    tick: Callable[[], None],
) -> str | None:
    """Chunks on a spawned process pool, at most IN_FLIGHT_PER_WORKER per worker queued."""
    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker,
                                   initargs=(warm_month,))
    pending: dict[Any, int] = {}
    finished = False

    def completed() -> Iterator[tuple[Any, dict[str, Any]]]:
        done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        for future in done:
            yield future, future.result()

    try:
        # Start the workers (each loads its engine, ~4 s) now, while this process reads
        # the rows up to the first full chunk, rather than when that chunk is ready.
        for _ in range(workers):  # one process spawned per submission
            executor.submit(worker_ready)
        reason = drive_chunks(tasks, workers * IN_FLIGHT_PER_WORKER, pending,
                              lambda task: executor.submit(worker_chunk, task), completed, on_result, cancel, tick)
        finished = reason is None
        return reason
    except BrokenProcessPool:
        log.error("a screening worker process died")
        return "worker_died"
    finally:
        _stop_pool(executor, pending, finished)


def _stop_pool(executor: ProcessPoolExecutor, pending: dict[Any, int], finished: bool) -> None:
    """Stop the workers. Their work is over either way (every result received, or the
    run abandoned): they are terminated rather than asked to exit, which would make
    the run wait ~1.5 s per worker for each interpreter to tear down its engine."""
    for future in pending:
        future.cancel()
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=10)


def _finalise(folder: Path, output: Path) -> None:
    """The output was assembled in the partial folder: move it in place, drop the rest."""
    commit_file(folder / ("assembled" + output.suffix.lower()), output)
    shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- assembling the output


def _summary_csv_path(output: Path) -> Path:
    stem = output.with_suffix("")
    return stem.with_name(stem.name + "-synthese.csv")


def catalogue_entries(catalogue: Catalogue) -> list[Benefit]:
    """National benefits then local aids (rules/local), the order of every result."""
    entries = getattr(catalogue, "entries", None)
    return list(entries()) if callable(entries) else list(catalogue)


def household_headers(catalogue: Catalogue) -> list[str]:
    headers = [t("batch.column.line"), t("batch.column.reference"), t("batch.column.month"),
               t("batch.column.likely_count"), t("batch.column.monthly_unclaimed"), t("batch.column.yearly_unclaimed")]
    for benefit in catalogue_entries(catalogue):
        if benefit.value != "boolean":
            unit = t(f"batch.unit.{benefit.amount_period}")
            key = "batch.column.contribution" if benefit.value == "contribution" else "batch.column.amount"
            headers.append(t(key, benefit=benefit.short_label, unit=unit))
        headers.append(t("batch.column.flag", benefit=benefit.short_label))
    return headers


def _flag_text(status: str, flag: str) -> str:
    if status == "x":
        return t("batch.flag.error")
    if flag == "1":
        return t("batch.flag.likely") if status == "e" else t("batch.flag.check")
    return ""


def _household_cells(row: dict[str, Any], benefits: list[Benefit], totals: tuple[int, float, float],
                     line_value: Any) -> list[Any]:
    count, monthly, yearly = totals
    cells: list[Any] = [line_value, row["r"], row["m"], count, monthly, yearly]
    for j, benefit in enumerate(benefits):
        if benefit.value != "boolean":
            cells.append(None if row["s"][j] == "x" else row["a"][j])
        cells.append(_flag_text(row["s"][j], row["f"][j]))
    return cells


def _line_value(line: str) -> Any:
    return int(line) if line.isdigit() else line


def _assemble(folder: Path, count: int, catalogue: Catalogue, output: Path, errors_file: Path,
              source: Source) -> Summary:
    """Stream the chunks, in input order, into the output, the errors file and the summary."""
    benefits = catalogue_entries(catalogue)
    summary = Summary(source.path.name, [BenefitTotals(b) for b in benefits], records=source.total,
                      national=tuple(catalogue))
    ids = [b.id for b in benefits]
    headers = household_headers(catalogue)
    target = folder / ("assembled" + output.suffix.lower())
    errors_tmp = errors_file.with_name(errors_file.name + ".tmp")
    warnings: set[str] = set()
    try:
        _assemble_into(folder, count, benefits, ids, headers, summary, warnings, output, target, errors_tmp,
                       text_lines=source.kind == "folder")
    except BaseException:
        errors_tmp.unlink(missing_ok=True)
        raise
    commit_file(errors_tmp, errors_file)
    return summary


def _assemble_into(folder: Path, count: int, benefits: list[Benefit], ids: list[str], headers: list[str],
                   summary: Summary, warnings: set[str], output: Path, target: Path, errors_tmp: Path,
                   text_lines: bool = False) -> None:
    with errors_tmp.open("w", encoding="utf-8-sig", newline="") as errors_handle:
        errors_writer = csv_safe.writer(errors_handle)
        errors_writer.writerow([t("batch.errors.line"), t("batch.errors.reference"), t("batch.errors.column"),
                                t("batch.errors.reason")])
        if output.suffix.lower() == ".xlsx":
            from app.core.batch.xlsx import BOLD, EUROS, PLAIN, WorkbookWriter

            book = WorkbookWriter(target)
            try:
                widths = [8, 16, 9, 12, 14, 14] + [14] * (len(headers) - 6)
                sheet = book.sheet(t("batch.sheet.households"), widths, freeze_header=True, autofilter=True)
                sheet.append(headers, BOLD)
                styles = [PLAIN, PLAIN, PLAIN, PLAIN, EUROS, EUROS]
                for benefit in benefits:
                    if benefit.value != "boolean":
                        styles.append(EUROS)
                    styles.append(PLAIN)
                for row in _rows_in_order(folder, count, ids, summary, warnings, errors_writer):
                    sheet.append(_household_cells(row, benefits, summary.add(row), _line_value(row["l"])), styles)
                summary.warnings = sorted(warnings)
                _summary_sheet(book.sheet(t("batch.sheet.summary"), [46, 16, 16, 18, 18, 16], freeze_header=False),
                               summary)
            except BaseException:
                book.abort()
                raise
            book.close(order=[1, 0])
        else:
            if output.suffix.lower() == ".parquet":
                _parquet_households(folder, count, benefits, ids, headers, summary, warnings, target, errors_writer,
                                    text_lines)
            else:
                with target.open("w", encoding="utf-8-sig", newline="") as handle:
                    writer = csv_safe.writer(handle)
                    writer.writerow(headers)
                    for row in _rows_in_order(folder, count, ids, summary, warnings, errors_writer):
                        writer.writerow(_household_cells(row, benefits, summary.add(row), row["l"]))
            summary.warnings = sorted(warnings)
            summary_tmp = folder / "summary.csv"
            with summary_tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                summary_writer = csv_safe.writer(handle)
                for summary_row, _kind in _summary_rows(summary):
                    summary_writer.writerow(summary_row)
            commit_file(summary_tmp, _summary_csv_path(output))


def _parquet_households(folder: Path, count: int, benefits: list[Benefit], ids: list[str], headers: list[str],
                        summary: Summary, warnings: set[str], target: Path, errors_writer: Any,
                        text_lines: bool) -> None:
    """The households sheet as a Parquet file: the same columns as the XLSX/CSV output,
    typed (row number, counts: integers; amounts: floats, empty when not computed;
    references, months and flags: text), written a row group at a time."""
    from app.core.batch.parquet import ParquetRowWriter

    kinds = ["text" if text_lines else "int", "text", "text", "int", "float", "float"]
    for benefit in benefits:
        if benefit.value != "boolean":
            kinds.append("float")
        kinds.append("text")
    writer = ParquetRowWriter(target, headers, kinds)
    try:
        for row in _rows_in_order(folder, count, ids, summary, warnings, errors_writer):
            line = row["l"] if text_lines else int(row["l"])
            writer.append(_household_cells(row, benefits, summary.add(row), line))
    except BaseException:
        writer.abort()
        raise
    writer.close()


def _rows_in_order(folder: Path, count: int, ids: list[str], summary: Summary, warnings: set[str],
                   errors_writer: Any) -> Iterator[dict[str, Any]]:
    """Every household row of every chunk, merged back into input order (each chunk
    file is sorted; at most one line per chunk is in memory); rejected records go
    to the errors file on the way."""
    starts: list[tuple[int, int]] = []  # (first input position, chunk index)
    for index in range(count):
        header = _chunk_header(folder, index)
        if header["benefits"] and header["benefits"] != ids:
            raise ScreenError(t("batch.error.catalogue_changed"))
        summary.rejected += int(header["rejected"])
        warnings.update(header.get("warnings", ()))
        meta = header.get("meta") or {}
        summary.openfisca_france = summary.openfisca_france or meta.get("openfisca_france", "")
        summary.legislation_until = summary.legislation_until or meta.get("legislation_until", "")
        summary.catalogue_version = summary.catalogue_version or meta.get("catalogue_version", "")
        first = next(_chunk_items(folder, index), None)
        if first is not None:
            starts.append((int(first["n"]), index))
    for item in _merged(folder, sorted(starts)):
        if "e" in item:
            errors_writer.writerow(item["e"])
        else:
            yield item["r"]


def _merged(folder: Path, starts: list[tuple[int, int]]) -> Iterator[dict[str, Any]]:
    """The chunks' lines merged by input position. A chunk file is opened only when the
    merge reaches its first line and closed when read to its end, so the files open at
    once are the chunks whose rows overlap (a handful), not all of them (a run of
    1,000,000 households has over 1,000 chunks: more than a process may open on Windows)."""
    heap: list[tuple[int, int, dict[str, Any], Iterator[dict[str, Any]]]] = []
    following = 0
    while heap or following < len(starts):
        while following < len(starts) and (not heap or starts[following][0] <= heap[0][0]):
            index = starts[following][1]
            following += 1
            stream = _chunk_items(folder, index)
            item = next(stream, None)
            if item is not None:
                heapq.heappush(heap, (int(item["n"]), index, item, stream))
        if not heap:
            continue
        _n, index, item, stream = heapq.heappop(heap)
        yield item
        following_item = next(stream, None)
        if following_item is not None:
            heapq.heappush(heap, (int(following_item["n"]), index, following_item, stream))


def _summary_rows(summary: Summary) -> list[tuple[list[Any], str]]:
    """The summary as rows, each with its kind ("title", "header", "money", "table",
    "text"), shared by the XLSX sheet and the CSV file (typed values: ``csv_safe``
    writes the numbers the French way)."""
    def money(value: float) -> Any:
        return round(float(value), 2)

    rows: list[tuple[list[Any], str]] = [
        ([t("batch.summary.title")], "title"),
        ([t("batch.summary.input"), summary.input_name], "text"),
        ([t("batch.summary.month"), summary.month_text()], "text"),
        ([t("batch.summary.created"), formats.date(summary.created.date()) + summary.created.strftime(" %H:%M")],
         "text"),
        ([t("batch.summary.records"), summary.records], "text"),
        ([t("batch.summary.households"), summary.households], "text"),
        ([t("batch.summary.rejected"), summary.rejected], "text"),
        ([t("batch.summary.flagged"), summary.flagged_households], "text"),
        ([t("batch.summary.monthly_total"), money(summary.monthly_total)], "money"),
        ([t("batch.summary.yearly_total"), money(summary.yearly_total)], "money"),
        ([t("batch.summary.rules"), t("batch.summary.rules_value", version=summary.openfisca_france or "?",
                                      until=_until_text(summary.legislation_until))], "text"),
        ([t("batch.summary.notice")], "text"),
        ([], "text"),
        ([t("batch.summary.col_benefit"), t("batch.summary.col_likely"), t("batch.summary.col_check"),
          t("batch.summary.col_amount_month"), t("batch.summary.col_amount_year"),
          t("batch.summary.col_received")], "header"),
    ]
    for totals in summary.benefits:
        benefit = totals.benefit
        monthly = yearly = None
        if benefit.value == "amount":
            if benefit.amount_period == "month":
                monthly = money(totals.amount)
            else:
                yearly = money(totals.amount)
        rows.append(([benefit.label, totals.likely, totals.to_check, monthly, yearly, totals.received], "table"))
    if summary.assumptions:
        rows.append(([], "text"))
        rows.append(([t("batch.summary.col_assumption"), t("batch.summary.col_households")], "header"))
        for code, number in sorted(summary.assumptions.items()):
            text = t(f"assumption.{code}") if _has(f"assumption.{code}") else code
            rows.append(([text, number], "text"))
    for warning in summary.warnings:
        rows.append(([warning], "text"))
    return rows


def _has(key: str) -> bool:
    from app.core.base.i18n import has

    return has(key)


def _until_text(iso: str) -> str:
    try:
        return formats.date(dt.date.fromisoformat(iso))
    except ValueError:
        return "?"


def _summary_sheet(sheet: Any, summary: Summary) -> None:
    from app.core.batch.xlsx import BOLD, EUROS, PLAIN

    styles: dict[str, Any] = {"title": BOLD, "header": BOLD, "money": [PLAIN, EUROS],
                              "table": [PLAIN, PLAIN, PLAIN, EUROS, EUROS, PLAIN], "text": PLAIN}
    for row, kind in _summary_rows(summary):
        sheet.append(row, styles[kind])


# --------------------------------------------------------------------------- command line


def _month_argument(text: str) -> str:
    try:
        parse_month(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("problem.not_a_month", field=t("field.month"), value=text)) from None
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(t("batch.cli.not_positive", value=text))
    return value


def add_screen_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``guichet screen`` (wired by app/cli.py)."""
    parser.add_argument("input", type=Path, metavar="FICHIER", help=t("batch.cli.help_input"))
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="SORTIE.xlsx",
                        help=t("batch.cli.help_output"))
    parser.add_argument("--month", type=_month_argument, metavar="AAAA-MM", help=t("batch.cli.help_month"))
    parser.add_argument("--workers", type=_positive, metavar="N", help=t("batch.cli.help_workers"))
    parser.add_argument("--chunk-size", type=_positive, metavar="N",
                        help=t("batch.cli.help_chunk_size", default=formats.number(CHUNK_SIZE, 0)))
    parser.add_argument("--errors", type=Path, metavar="ERREURS.csv", help=t("batch.cli.help_errors"))
    parser.add_argument("--report", type=Path, metavar="RAPPORT.pdf", help=t("batch.cli.help_report"))
    parser.add_argument("--no-report", action="store_true", help=t("batch.cli.help_no_report"))
    parser.add_argument("--restart", action="store_true", help=t("batch.cli.help_restart"))
    parser.add_argument("--scheduler", metavar="tcp://HOTE:PORT", help=t("batch.cli.help_scheduler"))
    parser.add_argument("--tls-ca-file", type=Path, metavar="CA.pem", help=t("batch.cli.help_tls_ca"))
    parser.add_argument("--tls-cert", type=Path, metavar="CERT.pem", help=t("batch.cli.help_tls_cert"))
    parser.add_argument("--tls-key", type=Path, metavar="CLE.pem", help=t("batch.cli.help_tls_key"))


class ProgressBar:
    """``[#########...........]  45 %  4 500/10 000 foyers · 310 foyers/s · reste 18 s``
    on stderr, rewritten in place (\\r) on a terminal, a line every 5 % otherwise."""

    WIDTH = 28

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_len = 0
        self._last_step: tuple[str, int] | None = None
        self._shown = False

    def update(self, item: Progress) -> None:
        text = self.render(item)
        if self.tty:
            pad = max(0, self._last_len - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._last_len = len(text)
        else:  # a log file: a line per phase, then every 5 %
            step = (item.phase, int(item.fraction * 20) if item.phase == "computing" else 0)
            if step == self._last_step:
                return
            self._last_step = step
            self.stream.write(text + "\n")
        self.stream.flush()
        self._shown = True

    def render(self, item: Progress) -> str:
        if item.phase == "reading":
            return t("batch.progress.reading")
        if item.phase == "starting":
            return t("batch.progress.starting", elapsed=formats.duration(item.elapsed))
        if item.phase == "writing":
            return t("batch.progress.writing")
        filled = int(item.fraction * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        parts = [f"[{bar}] {int(item.fraction * 100):3d} %",
                 t("batch.progress.count", done=formats.number(item.done, 0), total=formats.number(item.total, 0))]
        if item.rate:
            parts.append(t("batch.progress.rate", rate=formats.number(item.rate, 0)))
        if item.phase == "done":
            parts.append(t("batch.progress.elapsed", elapsed=formats.duration(item.elapsed)))
        elif item.eta is not None:
            parts.append(t("batch.progress.eta", eta=formats.duration(item.eta)))
        else:
            parts.append(t("batch.progress.eta_unknown"))
        return " · ".join(parts)

    def finish(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
        self._shown = False


def run_screen(args: argparse.Namespace) -> int:
    """``guichet screen IN -o OUT``: exit 0 when complete, 2 on a bad input or
    option, 130 after Ctrl+C, 1 when a worker died (in each incomplete case the
    partial output stays, and the same command resumes)."""
    bar = ProgressBar(sys.stderr)
    output = Path(args.output)
    try:
        security = None
        tls = (getattr(args, "tls_ca_file", None), getattr(args, "tls_cert", None), getattr(args, "tls_key", None))
        scheduler = getattr(args, "scheduler", None)
        if any(tls) or (scheduler and scheduler.startswith("tls://")):
            if not scheduler:
                raise ScreenError(t("batch.dask.tls_without_scheduler"))
            from app.core.batch.dask import cluster_security

            security = cluster_security(*tls)
        outcome = screen(
            args.input, output, month=args.month, workers=args.workers, chunk_size=args.chunk_size,
            errors_path=args.errors, report_path=args.report, write_report=not args.no_report,
            restart=args.restart, progress=bar.update, scheduler=scheduler, security=security,
        )
    except ScreenError as error:
        bar.finish()
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        bar.finish()
        print(t("batch.cli.interrupted", partial=str(partial_dir_for(output))), file=sys.stderr)
        return 130
    bar.finish()
    for notice in outcome.notices:
        print(notice, file=sys.stderr)
    if not outcome.complete:
        key = "batch.cli.worker_died" if outcome.reason == "worker_died" else "batch.cli.interrupted"
        print(t(key, partial=str(outcome.partial_dir)), file=sys.stderr)
        return 1 if outcome.reason == "worker_died" else 130
    print(t("batch.cli.done", households=formats.number(outcome.computed, 0), total=formats.number(outcome.total, 0),
            flagged=formats.number(outcome.households_flagged, 0), monthly=formats.euros(outcome.monthly_unclaimed),
            elapsed=formats.duration(outcome.elapsed)))
    print(t("batch.cli.written", path=str(outcome.output)))
    if outcome.summary_path is not None:
        print(t("batch.cli.written_summary", path=str(outcome.summary_path)))
    if outcome.report_path is not None:
        print(t("batch.cli.written_report", path=str(outcome.report_path)))
    if outcome.rejected:
        print(t("batch.cli.rejected", count=formats.number(outcome.rejected, 0), path=str(outcome.errors_path)))
    return 0
