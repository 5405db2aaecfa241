"""The screening on an existing Dask distributed cluster (``guichet screen --scheduler``).

The same chunks as on one machine (``screen.plan_chunks``), computed by the same
task function (``chunks.worker_chunk``: ``compute_chunk`` on the process's engine),
written and resumed by the same code (``screen.screen``): only *where* the chunks
are computed changes.

* Each Dask worker loads **one** engine for its lifetime: ``EnginePlugin`` (a
  ``WorkerPlugin`` registered by the client, applied by the scheduler to every
  worker, present and future) loads and warms it in ``setup()``; a worker started
  with ``--preload app.core.batch.dask`` loads it at start-up (``dask_setup``).
  Registering the plugin again (the next run) finds the engine loaded and only
  warms it on the run's month.
* At most ``IN_FLIGHT_PER_WORKER`` chunks per worker thread are submitted at once,
  so neither this process nor the scheduler holds more than a few chunks of
  households whatever the file's size. Each chunk's result is fetched as soon as it
  is finished, handed to ``on_result`` (written to the partial folder, counted once
  per chunk index) and released on the cluster.
* A worker that dies: the scheduler gives its chunks to another worker (the tasks
  are pure functions of their chunk, which is in the task itself, not scattered on
  the lost worker); a chunk whose computation killed several workers
  (``distributed.scheduler.allowed-failures``) ends the run as "worker_died", the
  finished chunks stay for a resume.
* Privacy: a chunk carries the households' situations (pickled): see docs/batch.md,
  "What travels over the network". A task's ``repr`` (what Dask's logs show of a
  failed task) holds only counts (``ChunkTask.__repr__``), and the task never lets
  an exception out with its message: only its type name.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import distributed
from distributed.diagnostics.plugin import WorkerPlugin

from app.core.batch.chunks import (
    IN_FLIGHT_PER_WORKER,
    CancelFlag,
    ChunkTask,
    ScreenError,
    catalogue_fingerprint,
    drive_chunks,
    load_worker_engine,
    openfisca_versions,
    worker_chunk,
)
from app.core.base.i18n import t
from app.core.model.periods import current_month

log = logging.getLogger(__name__)

PLUGIN_NAME = "guichet-engine"
CONNECT_TIMEOUT = 20  # seconds to reach the scheduler
QUIET_LOGGERS = ("distributed", "distributed.client", "distributed.worker", "distributed.scheduler",
                 "distributed.nanny", "distributed.core", "distributed.comm")
_ENGINE_LOCK = threading.Lock()


class _Stopped(Exception):
    """The run cannot go on: a chunk failed for good on the cluster."""


class ChunkFailed(Exception):
    """A chunk's computation failed on a worker; the message is the error's type only."""


def quiet_dask_logs(level: int = logging.WARNING) -> None:
    """Dask's loggers of this process at ``level``: no task keys or worker chatter at
    INFO (and the task's ``repr`` holds no personal data anyway)."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(level)


def cluster_chunk(task: ChunkTask) -> dict[str, Any]:
    """The task sent to a Dask worker: ``chunks.worker_chunk``, one chunk at a time per
    process (the engine is not made for threads: a worker with several threads computes
    its chunks one after the other), and no error message (which could quote a value)
    leaves the worker: only the error's type."""
    try:
        with _ENGINE_LOCK:
            return worker_chunk(task)
    except Exception as error:  # noqa: BLE001 - re-raised without its message
        raise ChunkFailed(type(error).__name__) from None


class VersionMismatch(Exception):
    """A worker runs other OpenFisca versions or another benefit catalogue than the
    client: its results would differ. The message names versions only."""


def installation() -> dict[str, Any]:
    """What makes results differ between two machines: the OpenFisca versions and the
    fingerprint of the ``rules/`` folder (the manifest of a run holds the same)."""
    return {"versions": openfisca_versions(), "catalogue": catalogue_fingerprint()}


class EnginePlugin(WorkerPlugin):
    """Checks that the worker has the client's installation, then loads and warms the
    worker's engine once (``setup``), in a thread so that the worker keeps answering
    the scheduler's heartbeats while OpenFisca loads."""

    name = PLUGIN_NAME

    def __init__(self, month: str, expected: dict[str, Any] | None = None) -> None:
        self.month = month
        self.expected = expected

    async def setup(self, worker: Any) -> None:  # noqa: D401 - Dask's hook
        quiet_dask_logs()
        stop_profiler(worker)
        if self.expected is not None:
            found = installation()
            if found != self.expected:
                differ = sorted(k for k in set(found["versions"]) | set(self.expected["versions"])
                                if found["versions"].get(k) != self.expected["versions"].get(k))
                details = [f"{k} {found['versions'].get(k)} / {self.expected['versions'].get(k)}" for k in differ]
                if found["catalogue"] != self.expected["catalogue"]:
                    details.append("rules/")
                raise VersionMismatch(", ".join(details))
        await asyncio.to_thread(_load_locked, self.month)

    def teardown(self, worker: Any) -> None:
        """Nothing: the engine stays loaded for the next run (the plugin registered again)."""


def stop_profiler(worker: Any) -> None:
    """Stop the worker's statistical profiler (``distributed.worker.profile``): every
    10 ms it walks the stack of the running task, whose OpenFisca formulas go deep, and
    keeps a call tree a second for its dashboard. Measured here on a 100,000-household
    run: each worker's memory grew from 350 to over 520 MB in 36 chunks with it (the
    local workers' stays at 320 MB), and the sampling takes the computing thread's CPU.
    Same as ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`` at the worker's start."""
    callbacks = getattr(worker, "periodic_callbacks", None)
    if not isinstance(callbacks, dict):
        return
    for name in ("profile", "profile-cycle"):
        callback = callbacks.pop(name, None)
        if callback is not None:
            callback.stop()
    for name in ("profile_history", "profile_keys_history"):
        history = getattr(worker, name, None)
        if history is not None:
            history.clear()


def _load_locked(month: str) -> None:
    with _ENGINE_LOCK:
        load_worker_engine(month)


def dask_setup(worker: Any) -> None:
    """``dask worker … --preload app.core.batch.dask``: load the engine at the worker's
    start, before the first screening asks for it."""
    quiet_dask_logs()
    stop_profiler(worker)
    _load_locked(current_month())


def cluster_security(ca_file: Path | None, cert: Path | None, key: Path | None) -> distributed.Security:
    """The TLS settings of a closed network: this client's certificate and key, and the
    certificate authority that signed the scheduler's and workers' ones. Encryption is
    then required (a ``tcp://`` address is refused)."""
    missing = [name for name, value in (("--tls-ca-file", ca_file), ("--tls-cert", cert), ("--tls-key", key))
               if value is None]
    if missing:
        raise ScreenError(t("batch.dask.tls_incomplete", options=", ".join(missing)))
    for path in (ca_file, cert, key):
        assert path is not None
        if not Path(path).is_file():
            raise ScreenError(t("batch.input.missing", path=str(path)))
    return distributed.Security(tls_ca_file=str(ca_file), tls_client_cert=str(cert), tls_client_key=str(key),
                                require_encryption=True)


def keep_no_sent_messages() -> None:
    """Dask keeps, per connection, the last ``distributed.admin.low-level-log-length``
    (1,000) messages it sent, for debugging: on the scheduler, every task sent to a
    worker, households included; in this process, every chunk submitted. Measured: the
    main process grew by 1.6 MB a chunk of 1,000 households (1.6 GB at 1,000,000), and the
    scheduler's memory held the households of the last 1,000 chunks. None are kept here."""
    import dask

    dask.config.set({"distributed.admin.low-level-log-length": 0})


def forget_sent_messages(dask_scheduler: Any) -> None:
    """Run on the scheduler (``Client.run_on_scheduler``): the same for its connections
    to the workers and clients, present and future."""
    import collections

    keep_no_sent_messages()
    for comms in (getattr(dask_scheduler, "stream_comms", {}), getattr(dask_scheduler, "client_comms", {})):
        for comm in list(comms.values()):
            if hasattr(comm, "recent_message_log"):
                comm.recent_message_log = collections.deque(maxlen=0)


def connect(address: str, security: Any = None) -> distributed.Client:
    """A client of the cluster at ``address``, or ``ScreenError`` in French."""
    quiet_dask_logs()
    keep_no_sent_messages()
    try:
        client = distributed.Client(address, security=security, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as error:  # noqa: BLE001 - OSError, TimeoutError, ValueError (bad address), TLS errors…
        raise ScreenError(t("batch.dask.unreachable", address=address, reason=type(error).__name__)) from None
    try:
        client.run_on_scheduler(forget_sent_messages)
    except Exception as error:  # noqa: BLE001 - a scheduler without Guichet: docs/batch.md gives its setting
        log.warning("could not trim the scheduler's message log (%s)", type(error).__name__)
    return client


class Cluster:
    """A screening's connection to the cluster at ``address``: connected and the
    workers' engines loaded (``EnginePlugin``, warmed on ``warm_month``) on creation, or
    ``ScreenError`` in French; ``run`` computes the chunks; ``close`` disconnects."""

    def __init__(self, address: str, security: Any, warm_month: str) -> None:
        self.client = connect(address, security)
        try:
            try:
                self.client.register_plugin(EnginePlugin(warm_month, installation()), name=PLUGIN_NAME)
            except VersionMismatch as error:
                raise ScreenError(t("batch.dask.versions_differ", details=str(error))) from None
            except Exception as error:  # noqa: BLE001 - e.g. Guichet not installed on the workers
                raise ScreenError(t("batch.dask.plugin_failed", reason=type(error).__name__)) from None
            workers = self.client.scheduler_info()["workers"].values()
            self.threads = sum(int(w.get("nthreads", 1)) for w in workers) or 1
        except BaseException:
            self.client.close()
            raise

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def run(self, tasks: Iterator[ChunkTask], on_result: Callable[[dict[str, Any]], None],
            cancel: CancelFlag | None, tick: Callable[[], None]) -> str | None:
        """Compute the chunks; ``None`` when every chunk is in, else why not
        ("cancelled", "worker_died"). Chunks still pending are cancelled on the way out."""
        client = self.client
        pending: dict[distributed.Future, int] = {}
        run = uuid.uuid4().hex[:12]  # task keys: the run and the chunk index, nothing else
        arrived = threading.Event()  # set by the client's thread when a chunk is done

        def submit(task: ChunkTask) -> distributed.Future:
            future = client.submit(cluster_chunk, task, key=f"guichet-chunk-{run}-{task.index:06d}", pure=False)
            future.add_done_callback(lambda _future: arrived.set())
            return future

        def completed() -> Iterator[tuple[distributed.Future, dict[str, Any]]]:
            arrived.wait(0.2)
            arrived.clear()
            for future in [f for f in pending if f.done()]:
                if future.status != "finished":
                    # "error": a chunk that killed too many workers, or ChunkFailed;
                    # "cancelled": the scheduler was lost. Either way the run stops here.
                    log.error("a screening chunk failed on the cluster (%s)", _failure(future))
                    raise _Stopped()
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - the worker holding it died meanwhile
                    log.error("a screening chunk result was lost (%s)", type(error).__name__)
                    raise _Stopped() from None
                future.release()
                yield future, result

        try:
            return drive_chunks(tasks, self.threads * IN_FLIGHT_PER_WORKER, pending, submit, completed, on_result,
                                cancel, tick)
        except _Stopped:
            return "worker_died"
        finally:
            for future in pending:
                future.cancel()


def _failure(future: distributed.Future) -> str:
    if future.status == "cancelled":
        return "cancelled"
    try:
        error = future.exception(timeout=5)
    except Exception as lookup:  # noqa: BLE001
        return type(lookup).__name__
    if isinstance(error, ChunkFailed):
        return f"ChunkFailed: {error}"  # a type name only
    return type(error).__name__
