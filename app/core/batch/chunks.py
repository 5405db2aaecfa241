"""The chunks of a screening: households to compute, computed in a worker process.

The same chunks (``ChunkTask``) are computed by the same task function (``worker_chunk``:
``compute_chunk`` on the process's engine, loaded once per worker) on the local process
pool (``screen.py``) and on a Dask cluster (``dask.py``); ``drive_chunks`` is the loop of
both pools. ``catalogue_fingerprint`` and ``openfisca_versions`` say what a chunk's
results depend on (a resumed run and a cluster's workers must match them).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Protocol

from app.core.base.i18n import t
from app.core.base.paths import bundled_rules_dir

log = logging.getLogger(__name__)


IN_FLIGHT_PER_WORKER = 2
STATUS_CODES = {"eligible": "e", "not_eligible": "n", "to_check": "c", "error": "x"}


class ScreenError(Exception):
    """The screening cannot start: bad input file or options (message in French)."""


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True, repr=False)
class Item:
    """A household to compute: ``n`` is the record's position in the input (0-based).

    Its ``repr`` names no personal data: a task's arguments end up in logs (Dask's
    workers log a failed task's ``repr``)."""

    n: int
    line: str
    reference: str
    household: Any  # Household
    month: str

    def __repr__(self) -> str:
        return f"Item(n={self.n}, month={self.month!r})"


@dataclass(frozen=True, repr=False)
class ChunkTask:
    """Households of one gate profile (so that the engine builds one simulation for
    the chunk), and the rejected records read since the previous chunk. Its ``repr``
    holds counts only (no household, reference or error text)."""

    index: int
    items: tuple[Item, ...]
    errors: tuple[tuple[int, str, str, str, str], ...] = ()  # (n, line, reference, column, message)

    @property
    def records(self) -> int:
        return len(self.items) + len({e[0] for e in self.errors})

    def __repr__(self) -> str:
        return f"ChunkTask(index={self.index}, households={len(self.items)}, rejected_rows={len(self.errors)})"


# --------------------------------------------------------------------------- computing a chunk


def compute_chunk(engine: Any, task: ChunkTask) -> dict[str, Any]:
    """Compute one chunk's households with ``engine.compute_many``, one call per month.

    Returns the chunk's result: a header (counts, benefit ids, versions, warnings)
    and ``items``, the households' rows and the rejected records' errors, each with
    its input position ``n``, sorted by it."""
    started = time.perf_counter()
    by_month: dict[str, list[int]] = {}
    for i, item in enumerate(task.items):
        by_month.setdefault(item.month, []).append(i)
    results: dict[int, Any] = {}
    for month, indexes in by_month.items():
        households = [task.items[i].household for i in indexes]
        try:
            computed = engine.compute_many(households, month)
        except Exception as error:  # noqa: BLE001 - one bad household must not lose its chunk
            log.error("chunk %d: vectorised computation failed (%s); computing one by one", task.index,
                      type(error).__name__)
            computed = [_compute_one(engine, h, month) for h in households]
        for i, result in zip(indexes, computed):
            results[i] = result

    entries: list[tuple[int, dict[str, Any]]] = [
        (n, {"n": n, "e": [line, reference, column, message]}) for n, line, reference, column, message in task.errors
    ]
    benefit_ids: list[str] = []
    warnings: set[str] = set()
    failed = 0
    for i, item in enumerate(task.items):
        result = results.get(i)
        if result is None:
            failed += 1
            entries.append((item.n, {"n": item.n, "e": [item.line, item.reference, "", t("batch.row.compute_failed")]}))
            continue
        benefit_ids = [b.benefit_id for b in result.benefits]
        warnings.update(result.warnings)
        entries.append((item.n, {"n": item.n, "r": {
            "l": item.line,
            "r": item.reference,
            "m": result.month,
            "s": "".join(STATUS_CODES[b.status.value] for b in result.benefits),
            "a": [b.amount for b in result.benefits],
            "f": "".join("1" if b.not_claimed else "0" for b in result.benefits),
            "p": "".join("1" if b.already_received else "0" for b in result.benefits),
            "h": list(result.assumptions),
        }}))
    entries.sort(key=lambda entry: entry[0])
    versions = getattr(engine, "versions", None)
    until = getattr(engine, "legislation_until", None)
    return {
        "chunk": task.index,
        "records": task.records,
        "rejected": len({e[0] for e in task.errors}) + failed,
        "benefits": benefit_ids,
        "warnings": sorted(warnings),
        "meta": {
            "openfisca_france": getattr(versions, "openfisca_france", "") or "",
            "legislation_until": str(until) if until else "",
            "catalogue_version": getattr(engine, "catalogue_version", "") or "",
        },
        "seconds": time.perf_counter() - started,
        "items": [entry for _n, entry in entries],
    }


def _compute_one(engine: Any, household: Any, month: str) -> Any:
    try:
        return engine.compute(household, month)
    except Exception as error:  # noqa: BLE001 - reported as a rejected row, the run goes on
        log.error("a household could not be computed (%s)", type(error).__name__)
        return None


_WORKER_ENGINE: Any = None
_WORKER_MONTHS: set[str] = set()


def load_worker_engine(month: str) -> Any:
    """The engine of this worker process, loaded once for its lifetime (a local pool
    process or a Dask worker), warmed on ``month`` (a month not yet seen warms it again,
    which is cheap once loaded)."""
    global _WORKER_ENGINE
    if _WORKER_ENGINE is None:
        from app.core.compute.engine import Engine

        _WORKER_ENGINE = Engine(warm_up=False)
    if month not in _WORKER_MONTHS:
        _WORKER_ENGINE.warm_up(month)  # then frozen: the garbage collector walks a chunk's objects only
        _WORKER_MONTHS.add(month)
    return _WORKER_ENGINE


def init_worker(month: str) -> None:
    """Worker start: Ctrl+C is the parent's business; load and warm one engine."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from app.core.base.logs import setup_logging

        setup_logging()
    except Exception:  # noqa: BLE001 - logging is a convenience here
        pass
    load_worker_engine(month)


def worker_ready() -> bool:
    return _WORKER_ENGINE is not None


def worker_chunk(task: ChunkTask) -> dict[str, Any]:
    """The task of a worker, local pool or Dask cluster: one chunk on this process's
    engine (loaded on first use if the worker's start-up did not)."""
    engine = _WORKER_ENGINE
    if engine is None and task.items:
        engine = load_worker_engine(task.items[0].month)
    result = compute_chunk(engine, task)
    _release_memory()
    return result


def _release_memory() -> None:
    """Give the freed memory of the chunk's simulation back to the system. Without it a
    worker's resident memory creeps from ~300 to ~430 MB over 100,000 households (heap
    fragmentation); with it, it stays about 200 MB between chunks (measured, glibc)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl…): nothing to trim
            pass


# --------------------------------------------------------------------------- what the results depend on


def catalogue_fingerprint() -> str:
    """Every file of the rules folder (national benefits, local aids and their
    OpenFisca extension, the manifest), not its tests."""
    root = bundled_rules_dir()
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not relative.startswith("tests/") and "__pycache__" not in relative:
            digest.update(relative.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def openfisca_versions() -> dict[str, str]:
    out = {}
    for name in ("openfisca-core", "openfisca-france"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = ""
    return out


# --------------------------------------------------------------------------- the loop of both pools


def drive_chunks(
    tasks: Iterator[ChunkTask],
    slots: int,
    pending: dict[Any, int],
    submit: Callable[[ChunkTask], Any],
    completed: Callable[[], Iterator[tuple[Any, dict[str, Any]]]],
    on_result: Callable[[dict[str, Any]], None],
    cancel: CancelFlag | None,
    tick: Callable[[], None],
) -> str | None:
    """The loop of both pools (local processes, a Dask cluster): ``slots`` chunks in
    flight (``pending``: future -> chunk index), each result handed to ``on_result`` as
    it arrives and replaced by the next chunk; ``completed()`` waits a little (0.2 s at
    most) and yields the (future, result) pairs finished meanwhile. ``None`` once every
    chunk is in, "cancelled" when ``cancel`` is set."""

    def refill() -> bool:
        task = next(tasks, None)
        if task is None:
            return False
        pending[submit(task)] = task.index
        return True

    for _ in range(slots):
        if not refill():
            break
    last_tick = time.perf_counter()
    while pending:
        if cancel is not None and cancel.is_set():
            return "cancelled"
        for future, result in completed():
            pending.pop(future)
            on_result(result)
            refill()
        if time.perf_counter() - last_tick > 0.5:
            tick()
            last_tick = time.perf_counter()
    return None
