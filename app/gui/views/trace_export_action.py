"""« Outils > Exporter le calcul détaillé (JSON)… »: the full OpenFisca-France trace of
the benefit selected in the results (``app.core.compute.trace_export``), computed in the engine
process (task "trace") for the household being typed and the month shown, then written
where the agent chose (asked first, so that nothing waits for the dialog).

The JSON holds no name (persons by their ids); see ``trace_export``'s docstring.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.base.files import atomic_write
from app.core.base.os_errors import os_reason
from app.core.base.i18n import t

STATUS_MS = 8000


def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    """The file to write (QFileDialog; tests replace this function)."""
    chosen, _ = QFileDialog.getSaveFileName(parent, t("gui.scenarios.trace.save_title"), suggested,
                                            t("gui.scenarios.trace.filter"))
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".json" else path.with_suffix(".json")


def write_json(path: Path, value: Any) -> None:
    atomic_write(path, json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _message(window: Any, key: str, **params: Any) -> None:
    QMessageBox.information(window, t("gui.scenarios.trace.title"), t(key, **params))


def export_trace(window: Any) -> int | None:
    """Ask for a file, then for the trace of the selected benefit; returns the engine
    request id (None when nothing was asked)."""
    from app.core.io.casefile import case_to_dict

    benefit_id = window.results.selected_benefit()
    if not benefit_id:
        _message(window, "gui.scenarios.trace.no_benefit")
        return None
    collected = window.editor.collect()
    if not collected.computable:
        _message(window, "gui.scenarios.trace.not_ready")
        return None
    catalogue = window.catalogue
    if catalogue is not None:
        benefit = catalogue.get(benefit_id)
        if not getattr(benefit, "variable", None):  # a local aid: no OpenFisca trace
            _message(window, "trace.not_openfisca", benefit=benefit.short_label)
            return None
    household, month = collected.household, window.month_value
    folder = str(window.settings.value("files/last_trace_folder", "") or "")
    name = t("gui.scenarios.trace.file_name", benefit=benefit_id, month=month)
    path = ask_save_path(window, str(Path(folder) / name) if folder else name)
    if path is None:
        return None
    engine = window.engine
    request_id: int | None = None

    def done(answer_id: int, value: Any) -> None:
        if answer_id != request_id:
            return
        disconnect()
        try:
            write_json(path, value)
        except OSError as error:
            QMessageBox.warning(window, t("gui.scenarios.trace.title"),
                                t("gui.scenarios.trace.write_failed", name=path.name, reason=os_reason(error)))
            window.statusBar().clearMessage()
            return
        window.settings.setValue("files/last_trace_folder", str(path.parent))
        window.statusBar().showMessage(t("gui.scenarios.trace.saved", name=path.name), STATUS_MS)

    def failed(answer_id: int, message: str) -> None:
        if answer_id != request_id:
            return
        disconnect()
        window.statusBar().clearMessage()
        QMessageBox.warning(window, t("gui.scenarios.trace.title"), t("gui.scenarios.trace.failed", message=message))

    def disconnect() -> None:
        engine.taskDone.disconnect(done)
        engine.taskFailed.disconnect(failed)

    engine.taskDone.connect(done)
    engine.taskFailed.connect(failed)
    request_id = engine.run("trace", {"case": case_to_dict(household, month), "month": month,
                                      "benefit_id": benefit_id})
    window.statusBar().showMessage(t("gui.scenarios.trace.computing"))
    return request_id
