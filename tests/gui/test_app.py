"""Start-up pieces: background tasks hand results back to the main thread, unexpected
errors are logged without personal data and apologised for, the entry point."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.base.i18n import t


def test_run_task_hands_the_result_to_the_main_thread(qtbot: Any, gui_app: Any) -> None:
    from app.gui.tasks import run_task

    seen: dict[str, Any] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["main"] = QThread.currentThread() is QApplication.instance().thread()

    run_task(work, done)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen == {"worker": True, "value": 42, "main": True}


def test_run_task_hands_the_exception_to_the_main_thread(qtbot: Any, gui_app: Any) -> None:
    from app.gui.tasks import run_task

    caught: list[BaseException] = []

    def work() -> None:
        raise ValueError("broken")

    run_task(work, on_done=lambda _value: caught.append(AssertionError("not expected")), on_error=caught.append)
    qtbot.waitUntil(lambda: bool(caught), timeout=5000)
    assert isinstance(caught[0], ValueError)


def test_unexpected_error_is_logged_without_personal_data(qtbot: Any, gui_app: Any, monkeypatch: Any) -> None:
    from app.core.base.logs import log_file, setup_logging
    from app.gui import app as gui

    setup_logging()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    try:
        raise KeyError("Léa Dupont, née le 12/03/1988")
    except KeyError as error:
        gui.handle_exception(type(error), error, error.__traceback__)
    assert shown == [t("errors.unexpected", log=str(log_file()))]
    text = log_file().read_text(encoding="utf-8")
    assert "unexpected KeyError" in text and "test_app.py" in text
    assert "Dupont" not in text and "1988" not in text


def test_main_without_arguments_opens_the_window(monkeypatch: Any) -> None:
    import app.__main__ as entry
    import app.gui.app

    calls: list[str] = []
    monkeypatch.setattr(app.gui.app, "run", lambda: calls.append("gui") or 0)
    assert entry.main([]) == 0
    assert calls == ["gui"]


def test_main_with_arguments_goes_to_the_cli(monkeypatch: Any) -> None:
    import app.__main__ as entry

    cli = pytest.importorskip("app.cli")
    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda argv: seen.append(list(argv)) or 3)
    assert entry.main(["--version"]) == 3
    assert seen == [["--version"]]


def test_thousands_of_qt_calls_do_not_free_none() -> None:
    # Found by bench/fuzz.py (issue 18): each Qt call without a result took a reference from
    # None on Python 3.11; after a few thousand the process aborted (« deallocating None »).
    import subprocess
    import sys

    code = ("import app.gui\nfrom PySide6.QtWidgets import QApplication, QLineEdit\n"
            "application = QApplication(['t'])\nedit = QLineEdit()\n"
            "for i in range(200_000):\n    edit.setText('x')\nprint('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-500:]
