"""The rules engine in a worker process, seen from the GUI as a QObject with signals.

OpenFisca is CPU-bound Python: in a thread it would hold the GIL and stutter the
interface. It runs instead in a ``spawn`` process (``engine_worker.serve``) that
loads ``Engine()`` once and answers one request at a time over two pipes.

``EngineClient`` lives on the main thread. A ``QThread`` waits on the reply pipe
and on the process's sentinel and re-emits what arrives as Qt signals, which
Qt delivers on the main thread. Requests asked before the rules are ready, or
while another one runs, wait; a newer request replaces an older one still
waiting (only the latest household matters). Tasks (``run``: scenario
comparison, earnings curve, trace export) wait in order and are never replaced;
a household's results go first. If the process dies, the client
says so (``crashed``, in French), starts a new one, and sends the unanswered
request again once it is ready; a request that kills the engine twice fails.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from app.core.base.i18n import t
from app.gui import engine_worker

log = logging.getLogger(__name__)

STARTING, LOADING, READY, RESTARTING, FAILED, STOPPED = (
    "starting", "loading", "ready", "restarting", "failed", "stopped",
)


@dataclass
class _Request:
    request_id: int
    case: dict[str, Any]
    month: str
    attempts: int = 0
    task: str | None = None  # None: the household's results; else a name of engine_worker.TASKS
    payload: dict[str, Any] | None = None

    def message(self) -> tuple[Any, ...]:
        if self.task is None:
            return ("compute", self.request_id, self.case, self.month)
        return ("task", self.request_id, self.task, self.payload)


class _Reader(QThread):
    """Waits for replies and for the process's end; never touches widgets."""

    message = Signal(object)
    died = Signal(object)  # the process's exit code

    def __init__(self, replies: Connection, process: Any) -> None:
        super().__init__()
        self._replies = replies
        self._process = process
        self._stopping = False

    def stop(self) -> None:
        self._stopping = True

    def run(self) -> None:
        sentinel = self._process.sentinel
        while not self._stopping:
            try:
                ready = wait([self._replies, sentinel], timeout=0.2)
            except OSError:
                break
            if self._replies in ready:
                try:
                    self.message.emit(self._replies.recv())
                    continue
                except (EOFError, OSError):
                    pass  # the process is gone: its sentinel says so
            if sentinel in ready or self._replies in ready:
                self._drain()
                self._process.join(1.0)
                if not self._stopping:
                    self.died.emit(self._process.exitcode)
                return

    def _drain(self) -> None:
        try:
            while self._replies.poll():
                self.message.emit(self._replies.recv())
        except (EOFError, OSError):
            pass


class EngineClient(QObject):
    """The GUI's handle on the engine process."""

    stateChanged = Signal(str)  # one of the module's state names
    ready = Signal(dict)  # versions and legislation date, once loaded
    resultReady = Signal(int, object)  # request id, SimulationResult
    invalid = Signal(int, object)  # request id, tuple of Problem
    computeFailed = Signal(int, str)  # request id, French message
    explanationsReady = Signal(int, object)  # request id, {benefit id: Explanation} (after its result)
    taskDone = Signal(int, object)  # request id, the task's value (see engine_worker.TASKS)
    taskFailed = Signal(int, str)  # request id, French message
    crashed = Signal(str)  # the process died; French message; a new one is starting
    fatal = Signal(str)  # the engine cannot work; French message

    MAX_RESTARTS = 3  # within RESTART_WINDOW seconds, then give up
    RESTART_WINDOW = 300.0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None
        self._reader: _Reader | None = None
        self._state = STOPPED
        self._info: dict[str, Any] = {}
        self._next_id = 0
        self._in_flight: _Request | None = None
        self._queued: _Request | None = None
        self._tasks: list[_Request] = []
        self._crash_times: list[float] = []
        self._stopping = False
        self.started_at = 0.0
        self.ready_at = 0.0

    # -- public ---------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def is_ready(self) -> bool:
        return self._state == READY

    @property
    def info(self) -> dict[str, Any]:
        return dict(self._info)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def busy(self) -> bool:
        return self._in_flight is not None or self._queued is not None or bool(self._tasks)

    def start(self) -> None:
        """Start the engine process (rules load in it; ``ready`` follows)."""
        if self._process is not None:
            return
        self._stopping = False
        self._launch(STARTING)

    def compute(self, case: dict[str, Any], month: str) -> int:
        """Ask for the results of a case (``case_to_dict``); returns the request id."""
        self._next_id += 1
        self._queued = _Request(self._next_id, case, month)
        self._pump()
        return self._next_id

    def run(self, name: str, payload: dict[str, Any]) -> int:
        """Ask for a task (``engine_worker.TASKS``: "compare", "work", "curve", "trace");
        its payload holds the case dict and month. Returns the request id: ``taskDone``
        or ``taskFailed`` follows."""
        if name not in engine_worker.TASKS:
            raise ValueError(f"unknown engine task {name!r}")
        self._next_id += 1
        self._tasks.append(_Request(self._next_id, payload.get("case", {}), str(payload.get("month", "")),
                                    task=name, payload=dict(payload)))
        self._pump()
        return self._next_id

    def cancel(self, request_id: int) -> None:
        """Forget a task not yet sent (a closed dialog); one already running finishes unread."""
        self._tasks = [r for r in self._tasks if r.request_id != request_id]

    def restart(self) -> None:
        """Start again after ``fatal`` (the agent asked for it)."""
        self._crash_times.clear()
        self._shutdown_process(graceful=False)
        self._stopping = False
        self._launch(RESTARTING)

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the process and its reader (the app is closing). A process still
        loading the rules does not read its requests: it is terminated at once."""
        self._stopping = True
        self._shutdown_process(graceful=self._state == READY, timeout=timeout)
        self._set_state(STOPPED)

    # -- process --------------------------------------------------------------------------
    def _launch(self, state: str) -> None:
        self._info = {}
        request_read, request_write = self._context.Pipe(duplex=False)
        reply_read, reply_write = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=engine_worker.serve,
            args=(request_read, reply_write, os.environ.get("GUICHET_DATA_DIR")),
            name="guichet-engine",
            daemon=True,
        )
        self.started_at = time.perf_counter()
        process.start()
        # Our copies of the child's ends: closed, so that a dead child means EOF here.
        request_read.close()
        reply_write.close()
        self._process, self._requests, self._replies = process, request_write, reply_read
        reader = _Reader(reply_read, process)
        reader.message.connect(self._on_message)
        reader.died.connect(self._on_died)
        self._reader = reader
        reader.start()
        self._set_state(state)
        log.info("engine process started (pid %s)", process.pid)

    def _shutdown_process(self, graceful: bool, timeout: float = 3.0) -> None:
        process, reader = self._process, self._reader
        self._process = self._reader = None
        if reader is not None:
            reader.stop()
        if process is not None:
            if graceful and self._requests is not None:
                try:
                    self._requests.send(("stop",))
                except (OSError, ValueError):
                    pass
                process.join(timeout)
            if process.is_alive():
                process.terminate()
                process.join(1.0)
            if process.is_alive():
                process.kill()
                process.join(1.0)
        if reader is not None:
            reader.wait(2000)
            reader.deleteLater()
        for connection in (self._requests, self._replies):
            if connection is not None:
                try:
                    connection.close()
                except OSError:
                    pass
        self._requests = self._replies = None
        if process is not None:
            try:
                process.close()
            except ValueError:
                pass

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)

    # -- requests -------------------------------------------------------------------------
    def _pump(self) -> None:
        if self._state != READY or self._in_flight is not None:
            return
        if self._queued is not None:
            request, self._queued = self._queued, None
        elif self._tasks:
            request = self._tasks.pop(0)
        else:
            return
        request.attempts += 1
        self._in_flight = request
        try:
            assert self._requests is not None
            self._requests.send(request.message())
        except (OSError, ValueError, AssertionError):
            log.warning("engine pipe closed while sending; waiting for the restart")

    def _on_message(self, message: Any) -> None:
        if self.sender() is not self._reader:
            return  # from a process we already replaced
        kind = message[0]
        if kind == "loading":
            self._set_state(LOADING if self._state == STARTING else self._state)
        elif kind == "ready":
            self._info = dict(message[1])
            self.ready_at = time.perf_counter()
            self._set_state(READY)
            self.ready.emit(self.info)
            self._pump()
        elif kind == "fatal":
            log.error("engine process could not load the rules")
            self._set_state(FAILED)
            request, self._in_flight = self._in_flight, None
            if request is not None:
                self._requeue(request)  # kept for a restart asked by the agent
            self.fatal.emit(message[1])
        elif kind == "explanations":
            self.explanationsReady.emit(message[1], message[2])
        elif kind in ("result", "invalid", "error", "task_done"):
            request_id = message[1]
            request = self._in_flight
            if request is not None and request.request_id == request_id:
                self._in_flight = None
            is_task = request is not None and request.request_id == request_id and request.task is not None
            if kind == "task_done":
                self.taskDone.emit(request_id, message[2])
            elif kind == "result":
                self.resultReady.emit(request_id, message[2])
            elif is_task:
                text = message[2] if kind == "error" else "\n".join(p.message for p in message[2])
                self.taskFailed.emit(request_id, text)
            elif kind == "invalid":
                self.invalid.emit(request_id, message[2])
            else:
                self.computeFailed.emit(request_id, message[2])
            self._pump()

    def _requeue(self, request: _Request) -> None:
        if request.task is not None:
            self._tasks.insert(0, request)
        elif self._queued is None:
            self._queued = request

    def _on_died(self, exitcode: Any) -> None:
        if self.sender() is not self._reader or self._stopping:
            return
        log.warning("engine process died (exit code %s)", exitcode)
        self._shutdown_process(graceful=False)
        if self._state == FAILED:
            return  # it said why ("fatal"); starting it again would fail the same way
        now = time.monotonic()
        self._crash_times = [t0 for t0 in self._crash_times if now - t0 < self.RESTART_WINDOW] + [now]
        request, self._in_flight = self._in_flight, None
        if request is not None:
            if request.attempts >= 2:
                failed = self.taskFailed if request.task is not None else self.computeFailed
                failed.emit(request.request_id, t("gui.engine.request_crashed"))
            else:
                self._requeue(request)  # sent again once the new process is ready
        if len(self._crash_times) > self.MAX_RESTARTS:
            self._set_state(FAILED)
            self.fatal.emit(t("gui.engine.gave_up"))
            return
        self.crashed.emit(t("gui.engine.crashed"))
        self._launch(RESTARTING)
