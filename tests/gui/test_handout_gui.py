"""The handout from the window: preview (QtPdf), save as PDF, print (QPrintDialog)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from app.core.base import formats
from app.core.model.examples import warm_up_household
from app.core.base.i18n import t
from gui_helpers import ENGINE_TIMEOUT_MS, wait_results

pytestmark = pytest.mark.slow

handout = pytest.importorskip("app.core.handout.citizen")


def norm(text: str) -> str:
    """Whitespace as pypdf gives it back (U+00A0 as a space, runs of blanks as one)."""
    return re.sub(r"[ \n\t\u00a0]+", " ", text).strip()


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return norm(" ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


@pytest.fixture
def computed(window: Any, qtbot: Any) -> Any:
    qtbot.waitUntil(lambda: window.engine.is_ready, timeout=ENGINE_TIMEOUT_MS)
    window.load_household(warm_up_household(), "2026-11")
    wait_results(qtbot, window)
    return window


def test_preview_then_save_as_pdf(computed: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any) -> None:
    win = computed
    target = tmp_path / "fiche"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    win.preview_action.trigger()
    dialog = win.handout_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.document.pageCount() > 0, timeout=30_000)
    assert dialog.save_button.isEnabled()
    dialog.save()
    saved = tmp_path / "fiche.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    assert saved.read_bytes() == dialog.data
    text = pdf_text(saved)
    result = win.displayed_result()
    # A benefit paid without a claim (Claim.AUTOMATIC, issue 22) is no longer in the list of
    # things to request; where the handout lists it is the handout's page-1 rewrite (point 8).
    eligible = [b for b in result.benefits
                if b.status.value == "eligible" and b.amount > 0 and b.claim.value != "automatic"]
    assert eligible
    for item in eligible:  # the amounts on screen are the amounts on paper
        assert norm(formats.euros(item.amount)) in text

    # Options rebuild the document: two pages by default; the detailed version is longer,
    # and only there can the not-eligible benefits be listed.
    from pypdf import PdfReader
    import io

    assert len(PdfReader(io.BytesIO(dialog.data)).pages) <= 2
    assert not dialog.not_eligible.isEnabled()
    before = len(dialog.data)
    dialog.detailed.setChecked(True)
    qtbot.waitUntil(lambda: len(dialog.data) != before and dialog.save_button.isEnabled(), timeout=30_000)
    assert dialog.not_eligible.isEnabled()
    detailed = len(dialog.data)
    dialog.not_eligible.setChecked(True)
    qtbot.waitUntil(lambda: len(dialog.data) != detailed and dialog.save_button.isEnabled(), timeout=30_000)

    # The language: the same amounts, the title and the PDF's language in Arabic.
    arabic = dialog.language.findData("ar")
    assert arabic >= 0
    current = dialog.data
    dialog.language.setCurrentIndex(arabic)
    qtbot.waitUntil(lambda: dialog.data != current and dialog.save_button.isEnabled(), timeout=30_000)
    reader = PdfReader(io.BytesIO(dialog.data))
    assert str(reader.trailer["/Root"]["/Lang"]) == "ar"
    assert reader.metadata is not None and reader.metadata.title == t("handout.meta.title", lang="ar")
    assert t("handout.title") == "Vos aides possibles"  # the window stays French
    dialog.close()


def test_print_goes_through_the_print_dialog(computed: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any) -> None:
    win = computed
    output = tmp_path / "imprime.pdf"
    asked: list[QPrinter] = []

    def accept(dialog: QPrintDialog) -> int:  # the agent picks a "printer" writing to a file
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(output))
        asked.append(printer)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    win.print_action.trigger()
    qtbot.waitUntil(lambda: output.exists() and output.stat().st_size > 10_000, timeout=60_000)
    assert asked
    from pypdf import PdfReader

    expected_pages = PdfReader(str(_built(win, tmp_path))).get_num_pages()
    assert PdfReader(str(output)).get_num_pages() == expected_pages


def _built(win: Any, tmp_path: Path) -> Path:
    from app.gui.views.handout_preview import build_pdf, handout_options

    options = handout_options(handout, False, False, "none")
    path = tmp_path / "reference.pdf"
    path.write_bytes(build_pdf(win, win._shown_key[0], win.displayed_result(), options))
    return path


def test_export_pdf_from_the_menu(computed: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any) -> None:
    win = computed
    target = tmp_path / "export.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    win.export_action.trigger()
    qtbot.waitUntil(target.exists, timeout=30_000)
    text = pdf_text(target)
    assert norm(formats.euros(win.displayed_result().total_monthly())) in text
    assert formats.date(dt.date.today()) in text


def test_handout_waits_for_up_to_date_results(window: Any, monkeypatch: Any) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    window.new_case()  # nothing computed yet
    window.print_action.trigger()
    assert shown == [t("gui.handout.not_ready")]
