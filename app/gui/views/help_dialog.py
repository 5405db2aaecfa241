"""F1: a short help for the agent — the workflow, the keyboard shortcuts, where the data
is kept. Every text from ``gui.help.*`` (``resources/i18n/fr/gui.yaml``)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.core.base.i18n import t
from app.gui.views.widgets import accessible


def help_html(data_folder: str) -> str:
    """The help as simple HTML: three sections, the shortcuts as a table."""
    steps = "".join(f"<li>{html.escape(t(f'gui.help.step_{n}'))}</li>" for n in range(1, 6))
    rows = "".join(
        f"<tr><td style='padding-right:12px'><b>{html.escape(t(f'gui.help.keys_{n}'))}</b></td>"
        f"<td>{html.escape(t(f'gui.help.does_{n}'))}</td></tr>"
        for n in range(1, 12)
    )
    data = html.escape(t("gui.help.data_text", folder=data_folder))
    return (
        f"<h3>{html.escape(t('gui.help.workflow'))}</h3><ol>{steps}</ol>"
        f"<h3>{html.escape(t('gui.help.shortcuts'))}</h3><table>{rows}</table>"
        f"<p>{html.escape(t('gui.help.mnemonics'))}</p>"
        f"<h3>{html.escape(t('gui.help.data'))}</h3><p>{data}</p>"
    )


class HelpDialog(QDialog):
    def __init__(self, data_folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("gui.help.title"))
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(help_html(data_folder))
        accessible(self.browser, t("gui.help.title"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(620, 600)
