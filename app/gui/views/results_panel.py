"""Results: every catalogue benefit with amount, status and paying body; the totals;
what the household may claim and does not receive (highlighted); the legislation
warning; a detail view per benefit (description, how to apply, documents,
conditions to check, assumptions) with « Pourquoi ce résultat », the explanation
computed in the engine process (``app.core.compute.explain``)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.base import formats
from app.core.base.i18n import has, t
from app.gui.models.results_model import (
    AMOUNT,
    AUTOMATIC,
    BENEFIT,
    BENEFIT_ID_ROLE,
    ELIGIBLE,
    PAYING_BODY,
    STATUS,
    ResultsModel,
    amount_text,
    long_status_text,
)
from app.gui.views.widgets import accessible, set_text_color

if TYPE_CHECKING:
    from app.core.benefits.benefit import Benefit
    from app.core.benefits.catalogue import Catalogue
    from app.core.benefits.results import BenefitResult, SimulationResult
    from app.core.compute.explain import Explanation

BANNER_STYLES = {
    "warning": "background:#fff4cc; border:1px solid #e0b400; color:#4a3b00;",
    "error": "background:#fde8e6; border:1px solid #d9534f; color:#6b1410;",
    "info": "background:#e8f0fb; border:1px solid #7aa2d8; color:#14325c;",
}


def banner(kind: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"QLabel {{ {BANNER_STYLES[kind]} border-radius:4px; padding:6px; }}")
    label.hide()
    return label


def assumption_text(code: str) -> str:
    return t(f"assumption.{code}") if has(f"assumption.{code}") else code


def not_claimed_monthly(result: SimulationResult) -> float:
    """Monthly amount of the eligible benefits not received yet (the non-recours)."""
    return round(
        sum(b.amount for b in result.not_claimed() if b.status == ELIGIBLE and b.amount_period == "month"
            and b.amount > 0 and b.benefit_id in result.totals_ids),
        2,
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str | None, label: str) -> str:
    if not url:
        return _e(label)
    return f'<a href="{_e(url)}">{_e(label)}</a>'


def _items(texts: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(text)}</li>" for text in texts) + "</ul>"


def explanation_html(explanation: Explanation | None, pending: bool = False) -> str:
    """« Pourquoi ce résultat »: the summary, the deciding (or met) conditions with their
    thresholds, what could change it, and the legal references as links."""
    if explanation is None:
        return f"<h4>{_e(t('gui_explain.title'))}</h4><p><i>{_e(t('gui_explain.pending'))}</i></p>" if pending else ""
    parts = [f"<h4>{_e(t('gui_explain.title'))}</h4>", f"<p>{_e(explanation.summary)}</p>"]
    if explanation.deciding:
        parts.append(f"<p><b>{_e(t('gui_explain.deciding'))}</b></p>" + _items([c.text for c in explanation.deciding]))
    elif explanation.met:
        parts.append(f"<p><b>{_e(t('gui_explain.met'))}</b></p>" + _items([c.text for c in explanation.met]))
    if explanation.notes:
        parts.append(_items(list(explanation.notes)))
    if explanation.what_could_change:
        parts.append(f"<h4>{_e(t('gui_explain.what_could_change'))}</h4>"
                     + _items([w.text for w in explanation.what_could_change]))
    if explanation.references:
        links = "".join(f"<li>{_link(r.href, r.title)}</li>" for r in explanation.references)
        parts.append(f"<h4>{_e(t('gui_explain.references'))}</h4><ul>{links}</ul>")
    return "".join(parts)


def detail_html(benefit: Benefit, result: BenefitResult | None, assumptions: Sequence[str] = (),
                persons: dict[str, str] | None = None, explanation: Explanation | None = None,
                explanation_pending: bool = False) -> str:
    """The detail of one benefit, as simple HTML for a QTextBrowser."""
    parts = [f"<h3>{_e(benefit.label)}</h3>"]
    if result is not None:
        line = f"<b>{_e(long_status_text(result))}</b>"
        if result.status == ELIGIBLE:
            line += f" — {_e(amount_text(benefit, result))}"
            from app.core.benefits.results import paid_note

            paid = paid_note(result)
            if paid:
                line += f" ({_e(paid)})"
        parts.append(f"<p>{line}</p>")
        if result.beneficiaries and persons:
            names = ", ".join(persons.get(pid, pid) for pid in result.beneficiaries)
            parts.append(f"<p>{_e(t('gui.detail.beneficiaries', names=names))}</p>")
        if result.detail and has(f"gui.detail.variant.{result.detail}"):
            parts.append(f"<p>{_e(t(f'gui.detail.variant.{result.detail}'))}</p>")
        if result.error:
            parts.append(f"<p style='color:#b3261e'>{_e(result.error)}</p>")
        if result.stale_parameters:
            from app.core.openfisca.staleness import note_text

            items = "".join(f"<li>{_e(note_text(p))}</li>" for p in result.stale_parameters)
            parts.append(f"<p style='color:#8a4b00'><b>{_e(t('gui.detail.stale'))}</b></p><ul>{items}</ul>")
        parts.append(explanation_html(explanation, explanation_pending))
    parts.append(f"<p>{_e(benefit.description)}</p>")
    body = _e(benefit.paying_body.name)
    if benefit.paying_body.alternative:
        body += "<br>" + _e(t("gui.detail.alternative", alternative=benefit.paying_body.alternative))
    parts.append(f"<h4>{_e(t('gui.detail.paying_body'))}</h4><p>{body}</p>")
    apply = benefit.apply
    how = []
    if apply.automatic or (result is not None and result.paid_automatically):
        how.append(f"<li>{_e(t('gui.detail.automatic'))}</li>")
    if apply.online is not None:
        how.append(f"<li>{_e(t('gui.detail.online'))} {_link(apply.online.url, apply.online.label)}"
                   + (f"<br><small>{_e(apply.online.url)}</small>" if apply.online.url else "") + "</li>")
    if apply.paper is not None:
        text = _link(apply.paper.url, apply.paper.label)
        if apply.paper.cerfa:
            text += " — " + _e(t("gui.detail.cerfa", number=apply.paper.cerfa))
        how.append(f"<li>{_e(t('gui.detail.paper'))} {text}</li>")
    how.append(f"<li>{_e(apply.where)}</li>")
    parts.append(f"<h4>{_e(t('gui.detail.how_to_apply'))}</h4><ul>{''.join(how)}</ul>")
    if benefit.documents:
        items = "".join(f"<li>{_e(doc)}</li>" for doc in benefit.documents)
        parts.append(f"<h4>{_e(t('gui.detail.documents'))}</h4><ul>{items}</ul>")
    if benefit.conditions_to_check:
        items = "".join(f"<li>{_e(c)}</li>" for c in benefit.conditions_to_check)
        parts.append(f"<h4>{_e(t('gui.detail.conditions'))}</h4><ul>{items}</ul>")
    if assumptions:
        items = "".join(f"<li>{_e(assumption_text(a))}</li>" for a in assumptions)
        parts.append(f"<h4>{_e(t('gui.detail.assumptions'))}</h4><ul>{items}</ul>")
    parts.append(f"<h4>{_e(t('gui.detail.reference'))}</h4><p>{_link(benefit.reference.url, benefit.reference.label)}</p>")
    return "".join(parts)


class ResultsPanel(QWidget):
    benefitSelected = Signal(str)

    def __init__(self, catalogue: Catalogue | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ResultsModel(catalogue)
        self._catalogue = catalogue
        self._persons: dict[str, str] = {}
        self._explanations: dict[str, Explanation] | None = None  # None: on their way
        self._banners: list[QWidget] = []  # of other parts of the window (add_banner)
        self._sizes_without_banner: list[int] | None = None

        self.title = QLabel(t("gui.results.title"))
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.state = QLabel()
        self.state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.state.setWordWrap(True)
        accessible(self.state, t("gui.results.state_name"))
        self.engine_banner = banner("error")
        self.warning_banner = banner("warning")
        self.problems_banner = banner("info")
        self.notice_banner = banner("warning")  # validation.notices: computed, but the agent should know
        accessible(self.notice_banner, t("gui.results.notices_name"))
        accessible(self.problems_banner, t("gui.results.problems_name"))

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(BENEFIT, QHeaderView.ResizeMode.Stretch)
        for column in (AMOUNT, STATUS, PAYING_BODY):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        accessible(self.table, t("gui.results.table_name"), t("gui.results.table_help"))
        self.table.selectionModel().currentRowChanged.connect(self._on_current)

        self.total = QLabel()
        total_font = self.total.font()
        total_font.setBold(True)
        total_font.setPointSizeF(total_font.pointSizeF() * 1.2)
        self.total.setFont(total_font)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        accessible(self.total, t("results.total_monthly"))
        self.yearly = QLabel()
        self.not_claimed = QLabel()
        self.not_claimed.setWordWrap(True)
        self.not_claimed.setStyleSheet("QLabel { background:#fff1c7; padding:3px 6px; border-radius:3px; }")
        self.assumptions = QLabel()
        self.assumptions.setWordWrap(True)
        self.assumptions.setTextFormat(Qt.TextFormat.RichText)
        small = self.assumptions.font()
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self.assumptions.setFont(small)

        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(True)
        self.detail.setFrameShape(QFrame.Shape.StyledPanel)
        accessible(self.detail, t("gui.detail.name"))
        self.detail.setPlaceholderText(t("gui.detail.placeholder"))

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(6)
        header_row = QHBoxLayout()
        header_row.addWidget(self.title)
        header_row.addWidget(self.state, 1)
        top_layout.addLayout(header_row)
        top_layout.addWidget(self.engine_banner)
        top_layout.addWidget(self.warning_banner)
        top_layout.addWidget(self.problems_banner)
        top_layout.addWidget(self.notice_banner)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.total)
        top_layout.addWidget(self.yearly)
        top_layout.addWidget(self.not_claimed)
        top_layout.addWidget(self.assumptions)
        self._top_layout = top_layout

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)
        self.show_result(None)

    def add_banner(self, widget: QWidget) -> None:
        """A banner of another part of the window over the results (e.g. the
        historical-result banner of views/case_history.py), under the title. While it is
        shown, the detail pane below gives it the room it takes, so that the table keeps
        its rows (at 1366×768 it would otherwise show about three)."""
        self._top_layout.insertWidget(1, widget)
        self._banners.append(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched in self._banners and event.type() in (
            QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.LayoutRequest  # shown, hidden, grown (differences)
        ):
            QTimer.singleShot(0, self._fit_banners)  # once the layout knows the banner's height
        return super().eventFilter(watched, event)

    def _fit_banners(self) -> None:
        shown = sum(b.sizeHint().height() for b in self._banners if b.isVisible())
        if shown:
            if self._sizes_without_banner is None:
                self._sizes_without_banner = self.splitter.sizes()
            top, detail = self._sizes_without_banner
            floor = max(self.detail.minimumSizeHint().height(), 3 * self.detail.fontMetrics().height() + 24)
            moved = max(0, min(shown, detail - floor))
            self.splitter.setSizes([top + moved, detail - moved])
        elif self._sizes_without_banner is not None:
            self.splitter.setSizes(self._sizes_without_banner)
            self._sizes_without_banner = None

    def visible_rows(self) -> int:
        """How many result rows the table shows whole (for the layout's tests)."""
        return self.table.viewport().height() // max(1, self.table.verticalHeader().defaultSectionSize())

    # -- data ---------------------------------------------------------------------------
    def set_catalogue(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self.model.set_catalogue(catalogue)

    def set_persons(self, persons: dict[str, str]) -> None:
        self._persons = persons

    def clear(self) -> None:
        """No result, no benefit selected, an empty detail (a new case)."""
        self.table.selectionModel().clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self.show_result(None)

    def show_result(self, result: SimulationResult | None) -> None:
        selected = self.selected_benefit()
        self.model.set_result(result)
        self._explanations = None
        if result is None:
            self.total.setText(t("gui.results.total_none"))
            self.yearly.hide()
            self.not_claimed.hide()
            self.assumptions.hide()
            self.warning_banner.hide()
        else:
            self.total.setText(t("gui.results.total", label=t("results.total_monthly"),
                                 amount=formats.euros(result.total_monthly())))
            yearly = result.total_yearly_extra()
            self.yearly.setText(t("gui.results.total", label=t("results.total_yearly_extra"),
                                  amount=formats.euros(yearly)))
            self.yearly.setVisible(yearly > 0)
            missing = not_claimed_monthly(result)
            count = len([b for b in result.not_claimed() if b.status == ELIGIBLE])
            once = round(sum(b.amount for b in result.not_claimed() if b.status == ELIGIBLE and b.amount_period == "once"), 2)
            key = "gui.results.not_claimed_summary_once" if once > 0 else "gui.results.not_claimed_summary"
            lines = [t(key, count=count, amount=formats.euros(missing), once=formats.euros(once))] if count else []
            automatic = self._automatic_labels(result)
            if automatic:
                lines.append(t("gui.results.automatic_summary", benefits=", ".join(automatic)))
            self.not_claimed.setText("\n".join(lines))
            self.not_claimed.setVisible(bool(lines))
            if result.assumptions:
                items = "".join(f"<li>{_e(assumption_text(a))}</li>" for a in result.assumptions)
                self.assumptions.setText(f"<b>{_e(t('gui.detail.assumptions'))}</b><ul style='margin:0'>{items}</ul>")
                self.assumptions.show()
            else:
                self.assumptions.hide()
            self.warning_banner.setText("\n".join(result.warnings))
            self.warning_banner.setVisible(bool(result.warnings))
        if selected and self.model.row_of(selected) >= 0:
            self.select_benefit(selected, scroll=False)
        else:
            self._show_detail(None)
        self.table.scrollToTop()  # a new result starts with its first rows: the benefits to request
        self._style_stale(False)

    def _automatic_labels(self, result: SimulationResult) -> list[str]:
        """Short labels of the eligible benefits paid without a claim (catalogue order)."""
        ids = [b.benefit_id for b in result.benefits
               if b.status == ELIGIBLE and str(b.claim.value) == AUTOMATIC and b.benefit_id in result.totals_ids]
        if self._catalogue is None:
            return ids
        return [self._catalogue.get(i).short_label for i in ids]

    def set_explanations(self, explanations: dict[str, Explanation]) -> None:
        """The explanations of the result shown (they arrive just after it)."""
        self._explanations = dict(explanations)
        selected = self.selected_benefit()
        if selected is not None:
            self._show_detail(selected)

    def explanation(self, benefit_id: str) -> Explanation | None:
        return (self._explanations or {}).get(benefit_id)

    def set_stale(self, stale: bool) -> None:
        self.model.set_stale(stale)
        self._style_stale(stale)

    def _style_stale(self, stale: bool) -> None:
        for label in (self.total, self.yearly):
            set_text_color(label, "#8a8f98" if stale else None)

    def set_state(self, text: str, kind: str = "") -> None:
        colors = {"ok": "#1e6b3a", "busy": "#3c4a5c", "stale": "#8a5a00", "error": "#b3261e"}
        self.state.setText(text)
        set_text_color(self.state, colors.get(kind, "#3c4a5c"))

    def set_engine_message(self, message: str | None) -> None:
        self.engine_banner.setText(message or "")
        self.engine_banner.setVisible(bool(message))

    def set_notices(self, messages: Sequence[str]) -> None:
        """What does not block the computation but changes it (« salarié(e) » with no salary)."""
        text = "\n".join(messages)
        if text != self.notice_banner.text():
            self.notice_banner.setText(text)
        self.notice_banner.setVisible(bool(messages))

    def set_problems(self, messages: Sequence[str]) -> None:
        if messages:
            lines = [t("gui.results.problems_title")] + [f"• {m}" for m in messages[:8]]
            if len(messages) > 8:
                lines.append(t("gui.results.problems_more", count=len(messages) - 8))
            self.problems_banner.setText("\n".join(lines))
        self.problems_banner.setVisible(bool(messages))

    # -- selection and detail -----------------------------------------------------------
    def selected_benefit(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.data(self.model.index(index.row(), 0), BENEFIT_ID_ROLE) if index.isValid() else None

    def select_benefit(self, benefit_id: str, scroll: bool = True) -> None:
        row = self.model.row_of(benefit_id)
        if row < 0:
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        if scroll:
            self.table.scrollTo(index)
        self._show_detail(benefit_id)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            benefit_id = self.model.data(self.model.index(current.row(), 0), BENEFIT_ID_ROLE)
            self._show_detail(benefit_id)
            self.benefitSelected.emit(benefit_id)

    def _show_detail(self, benefit_id: str | None) -> None:
        if benefit_id is None or self._catalogue is None:
            self.detail.clear()
            return
        row = self.model.row_of(benefit_id)
        benefit, result = self.model.benefit_at(row)
        assumptions = self.model.result.assumptions if self.model.result is not None else ()
        self.detail.setHtml(detail_html(benefit, result, assumptions, self._persons, self.explanation(benefit_id),
                                        explanation_pending=self._explanations is None))

    # -- reading back (tests, accessibility) --------------------------------------------
    def displayed(self) -> dict[str, dict[str, str]]:
        """What the table shows, by benefit id: amount and status texts."""
        out = {}
        for row in range(self.model.rowCount()):
            benefit_id = self.model.data(self.model.index(row, 0), BENEFIT_ID_ROLE)
            out[benefit_id] = {
                "amount": self.model.data(self.model.index(row, AMOUNT)),
                "status": self.model.data(self.model.index(row, STATUS)),
                "paying_body": self.model.data(self.model.index(row, PAYING_BODY)),
            }
        return out
