"""Run work off the GUI thread; hand its result (or exception) back to the main thread.

The one rule: a worker never touches a widget. ``run_task(work, on_done, on_error)``
runs ``work()`` on Qt's global thread pool, then calls ``on_done(result)`` or
``on_error(exception)`` on the main thread, through a queued signal of a relay
object that lives there (the pattern of Picard's ``thread.run_task``).

Use it for short blocking work (reading a file, building an index, a PDF). The
rules engine, which is CPU-bound Python and would hold the GIL, runs in its own
process instead (``engine_process.py``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    QThread,
    QThreadPool,
    Qt,
    QTimer,
    Signal,
    Slot,
)

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives in the main thread; calls what the workers post, there."""

    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._call, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _call(self, callback: Callable[[], None]) -> None:
        callback()


_relay: _Relay | None = None
_relay_lock = threading.Lock()


def _get_relay() -> _Relay:
    global _relay
    with _relay_lock:
        if _relay is None:
            app = QCoreApplication.instance()
            if app is None:
                raise RuntimeError("run_task needs a QApplication")
            relay = _Relay()
            relay.moveToThread(app.thread())
            _relay = relay
        return _relay


def call_in_main_thread(callback: Callable[[], None]) -> None:
    """Queue ``callback()`` to run on the main thread (from any thread). Dropped when
    the application is already gone (a task ending while the app quits)."""
    try:
        _get_relay().posted.emit(callback)
    except RuntimeError:  # the relay (or the QApplication) was deleted: nobody to call back
        log.info("background task ended after the application: result dropped")


class FirstPaint(QObject):
    """Calls ``callback()`` once, just after the first paint of the watched widget
    (start-up work that must not delay the window)."""

    def __init__(self, widget: QObject, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback: Callable[[], None] | None = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint and self._callback is not None:
            callback, self._callback = self._callback, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, callback)  # once this paint is done
        return False


def is_main_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


class TaskHandle:
    """What ``run_task`` returns: ``cancel()`` drops the callbacks (the work still ends)."""

    def __init__(self) -> None:
        self.cancelled = False
        self.finished = threading.Event()

    def cancel(self) -> None:
        self.cancelled = True


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[], Any], on_done: Callable[[Any], None] | None,
                 on_error: Callable[[BaseException], None] | None, handle: TaskHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._work, self._on_done, self._on_error, self._handle = work, on_done, on_error, handle

    def run(self) -> None:
        handle = self._handle
        callback: Callable[[], None]
        failure: BaseException | None = None
        result: Any = None
        try:
            result = self._work()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            failure = error
        finally:
            handle.finished.set()
        if failure is not None:
            on_error = self._on_error
            caught = failure
            if on_error is None:
                log.warning("background task failed: %s", type(caught).__name__)

                def callback() -> None:
                    # Raised on the main thread: the app's excepthook logs it and apologises.
                    raise caught

            else:
                def callback() -> None:
                    if not handle.cancelled:
                        on_error(caught)
        else:
            on_done = self._on_done

            def callback() -> None:
                if not handle.cancelled and on_done is not None:
                    on_done(result)
        call_in_main_thread(callback)


def run_task(
    work: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    pool: QThreadPool | None = None,
) -> TaskHandle:
    """Run ``work()`` in a worker thread; ``on_done``/``on_error`` run on the main thread."""
    _get_relay()  # created from the main thread, before any worker needs it
    handle = TaskHandle()
    (pool or QThreadPool.globalInstance()).start(_Runnable(work, on_done, on_error, handle))
    return handle
