"""« Outils » menu: what-if scenarios side by side, « Mieux en emploi ? », the earnings
curve, and the expert trace export. The comparison and the curve can be added to the
handout (« Ajouter … au document »: ``app.core.handout.extras``, the same cell texts).

Every computation goes to the engine process (``window.engine.run``: tasks "compare",
"work", "curve"; see ``engine_worker.TASKS``) with the household being typed
(``window.editor.collect()``) and the month shown; the answers come back as
``taskDone`` / ``taskFailed`` signals. ``app.core.compute.scenarios`` is imported only when
the dialog is used (it pulls numpy and openfisca-core in).

Differences are never told by colour alone: each variant's cell gives the amount,
then the signed difference with the word « hausse » or « baisse »; the colour (green:
better for the household, red: worse) only repeats it.

``install(window)`` adds the menu items to the « Outils » menu (objectName
"toolsMenu", created if missing).
"""

from __future__ import annotations

import dataclasses
import logging
import textwrap
from typing import TYPE_CHECKING, Any, Callable, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.base import formats
from app.core.handout.extras import (
    FAVOURABLE,
    STATUS_CHANGED,
    UNFAVOURABLE,
    comparison_flowable,
    curve_flowable,
    delta_text,
    favourable,
    row_label,
    shown_rows,
    status_changed,
    value_text,
    work_flowable,
)
from app.core.model.household import Activity, CoupleStatus, Household, HousingStatus, Person, Resource, ResourceKind, Role
from app.core.base.i18n import t
from app.core.model.periods import add_months, months_range
from app.core.model.validation import person_label, role_label
from app.gui.views.earnings_chart import EarningsChart
from app.gui.views.housing_form import CommuneEdit
from app.gui.views.widgets import AmountEdit, ChoiceCombo, DateEdit, accessible, set_text_color, tools_menu

if TYPE_CHECKING:
    from app.core.compute.scenarios import Comparison, EarningsCurve, WorkComparison
    from app.gui.main_window import MainWindow

log = logging.getLogger(__name__)

MAX_VARIANTS = 3
MAX_HOURS = 168.0
HEADER_WRAP = 20  # characters per line of a column's title
MIN_VALUE_COLUMN_WIDTH = 110
JOB_SEEKING = (Activity.INACTIF, Activity.DEMANDEUR_EMPLOI_INDEMNISE, Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE)


def _plain(key: str) -> str:
    """A menu or button text without its mnemonic, for accessible names."""
    return t(key).replace("&", "")


# --------------------------------------------------------------------------- menu


def install(window: Any) -> None:
    """Add « Comparer des scénarios… » (Ctrl+K), « Mieux en emploi ?… », « Courbe des
    revenus… » (Ctrl+Shift+K) and « Exporter le calcul détaillé (JSON)… » to « Outils »."""
    from app.gui.views import trace_export_action

    menu = tools_menu(window)

    def action(key: str, slot: Callable[[], Any], shortcut: str | None = None) -> QAction:
        act = QAction(t(key), window)
        act.setToolTip(_plain(key).rstrip("…"))
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda _checked=False: slot())
        menu.addAction(act)
        return act

    if menu.actions():
        menu.addSeparator()
    window.scenarios_compare_action = action("gui.scenarios.menu.compare", lambda: show_scenarios(window, 0), "Ctrl+K")
    window.scenarios_work_action = action("gui.scenarios.menu.work", lambda: show_scenarios(window, 1))
    window.scenarios_curve_action = action("gui.scenarios.menu.curve", lambda: show_scenarios(window, 2),
                                           "Ctrl+Shift+K")
    window.trace_export_action = action("gui.scenarios.menu.trace", lambda: trace_export_action.export_trace(window))


def show_scenarios(window: Any, tab: int = 0) -> ScenariosDialog:
    dialog = getattr(window, "scenarios_dialog", None)
    if dialog is None:
        dialog = ScenariosDialog(window)
        window.scenarios_dialog = dialog
    dialog.refresh_household()
    dialog.tabs.setCurrentIndex(tab)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


# --------------------------------------------------------------------------- helpers


def current_case(window: Any) -> tuple[Household, str] | None:
    """The household being typed and the month shown, when it can be computed."""
    collected = window.editor.collect()
    if not collected.computable:
        return None
    return collected.household, window.month_value


def person_choices(household: Household, roles: Sequence[Role] | None = None) -> list[tuple[str, str]]:
    return [(p.id, person_label(i, p)) for i, p in enumerate(household.persons) if roles is None or p.role in roles]


def fill_persons(combo: QComboBox, choices: Sequence[tuple[str, str]]) -> None:
    """Refill a person combo, keeping the person chosen when still there."""
    kept = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for pid, label in choices:
        combo.addItem(label, pid)
    index = combo.findData(kept)
    combo.setCurrentIndex(index if index >= 0 else 0)
    combo.blockSignals(False)


MAX_LABEL = 60  # characters of a variant's label


class AmountChoice(QWidget):
    """Net salary (€ per month) or hours a week at the SMIC, and the figure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        self.mode.addItem(t("gui.scenarios.amount_mode.net"), "net")
        self.mode.addItem(t("gui.scenarios.amount_mode.hours"), "hours")
        accessible(self.mode, t("gui.scenarios.amount_mode_name"))
        self.value = AmountEdit(t("gui.scenarios.amount_name"))
        self.value.setMaximumWidth(110)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.value)
        layout.addStretch(1)

    def payload(self, variant: str) -> dict[str, float]:
        """{"net_monthly": x} or {"hours_per_week": h}; ValueError (French) otherwise."""
        try:
            value = self.value.amount()
        except ValueError:
            raise ValueError(t("gui.scenarios.amount_invalid", variant=variant)) from None
        if value < 0:
            raise ValueError(t("gui.scenarios.amount_invalid", variant=variant))
        if self.mode.currentData() == "hours":
            if value > MAX_HOURS:
                raise ValueError(t("gui.scenarios.amount_too_high", variant=variant))
            return {"hours_per_week": value}
        return {"net_monthly": value}


class _Tasks(QObject):
    """This dialog's engine tasks: request id -> callbacks (other answers are ignored)."""

    def __init__(self, engine: Any, parent: QObject) -> None:
        super().__init__(parent)
        self.engine = engine
        self._waiting: dict[int, tuple[Callable[[Any], None], Callable[[str], None]]] = {}
        engine.taskDone.connect(self._done)
        engine.taskFailed.connect(self._failed)

    def run(self, name: str, payload: dict[str, Any], done: Callable[[Any], None],
            failed: Callable[[str], None]) -> int:
        request_id = int(self.engine.run(name, payload))
        self._waiting[request_id] = (done, failed)
        return request_id

    def forget(self, request_id: int | None) -> None:
        if request_id is not None and self._waiting.pop(request_id, None) is not None:
            self.engine.cancel(request_id)

    def cancel_all(self) -> None:
        for request_id in list(self._waiting):
            self.forget(request_id)

    def _done(self, request_id: int, value: Any) -> None:
        callbacks = self._waiting.pop(request_id, None)
        if callbacks is not None:
            callbacks[0](value)

    def _failed(self, request_id: int, message: str) -> None:
        callbacks = self._waiting.pop(request_id, None)
        if callbacks is not None:
            callbacks[1](message)


def _status_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


# --------------------------------------------------------------------------- variants


class VariantEditor(QGroupBox):
    """One variant: any combination of the five changes, each enabled by its box."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self.household: Household | None = None
        self.month = ""
        self.label = QLineEdit()
        self.label.setMaxLength(10 * MAX_LABEL)  # past MAX_LABEL: a message (nothing cut); this stops a runaway paste
        self.label.setPlaceholderText(t("gui.scenarios.variant.label_placeholder"))
        accessible(self.label, t("gui.scenarios.variant.name"))
        self.remove_button = QPushButton(t("gui.scenarios.variant.remove"))

        # earnings or hours
        self.earnings_person = QComboBox()
        accessible(self.earnings_person, t("gui.scenarios.person_name"))
        self.earnings_amount = AmountChoice()
        # couple
        self.couple_kind = QComboBox()
        self.couple_kind.addItem(t("gui.scenarios.couple.kind.together"), "together")
        self.couple_kind.addItem(t("gui.scenarios.couple.kind.separation"), "separation")
        accessible(self.couple_kind, t("gui.scenarios.couple.kind_name"))
        self.couple_status = ChoiceCombo(CoupleStatus, "couple", t("gui.scenarios.couple.status_name"),
                                         values=[CoupleStatus.CONCUBIN, CoupleStatus.PACSE, CoupleStatus.MARIE])
        self.partner_birth = DateEdit(t("gui.scenarios.couple.partner_birth"))
        self.partner_birth.setMaximumWidth(110)
        self.partner_salary = AmountEdit(t("gui.scenarios.couple.partner_salary"))
        self.partner_salary.setMaximumWidth(110)
        # birth
        self.birth_month = QComboBox()
        accessible(self.birth_month, t("gui.scenarios.birth.month_name"))
        # move
        self.commune = CommuneEdit()
        self.move_status = ChoiceCombo(HousingStatus, "housing", t("gui.scenarios.move.status_name"))
        self.rent = AmountEdit(t("gui.scenarios.move.rent_name"), placeholder=t("gui.scenarios.move.rent_placeholder"))
        self.rent.setMaximumWidth(110)
        # a dependant leaves
        self.leaving = QComboBox()
        accessible(self.leaving, t("gui.scenarios.leaves.person_name"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(self.label, 1)
        top.addWidget(self.remove_button)
        layout.addLayout(top)
        self.boxes: dict[str, QCheckBox] = {}
        self.panels: dict[str, QWidget] = {}

        def section(key: str, rows: Sequence[tuple[str | None, QWidget]]) -> None:
            box = QCheckBox(t(f"gui.scenarios.change.{key}"))
            panel = QWidget()
            form = QFormLayout(panel)
            form.setContentsMargins(22, 0, 0, 4)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for label_key, widget in rows:
                if label_key is None:
                    form.addRow(widget)
                else:
                    label = QLabel(t(label_key))
                    label.setBuddy(widget)
                    form.addRow(label, widget)
            panel.setVisible(False)
            box.toggled.connect(panel.setVisible)
            layout.addWidget(box)
            layout.addWidget(panel)
            self.boxes[key], self.panels[key] = box, panel

        partner = QWidget()
        partner_row = QHBoxLayout(partner)
        partner_row.setContentsMargins(0, 0, 0, 0)
        partner_row.addWidget(self.couple_status)
        partner_row.addWidget(self.partner_birth)
        partner_row.addWidget(self.partner_salary)
        self.partner_row = partner
        self.partner_birth.setToolTip(t("gui.scenarios.couple.partner_birth"))
        self.partner_salary.setToolTip(t("gui.scenarios.couple.partner_salary"))
        move_row = QWidget()
        move_layout = QHBoxLayout(move_row)
        move_layout.setContentsMargins(0, 0, 0, 0)
        move_layout.addWidget(self.move_status)
        move_layout.addWidget(self.rent)
        section("earnings", [(None, self.earnings_person), (None, self.earnings_amount)])
        section("couple", [(None, self.couple_kind), (None, partner)])
        section("birth", [(None, self.birth_month)])
        section("move", [(None, self.commune), (None, move_row)])
        section("leaves", [(None, self.leaving)])
        self.couple_kind.currentIndexChanged.connect(self._update_couple)
        self.set_number(number)

    def set_number(self, number: int) -> None:
        self.number = number
        self.setTitle(self.title_text())
        accessible(self.remove_button, t("gui.scenarios.variant.remove_name", number=number))

    def title_text(self) -> str:
        return t("gui.scenarios.variant.title", number=self.number)

    def _update_couple(self, *_args: object) -> None:
        self.partner_row.setVisible(self.couple_kind.currentData() == "together")

    def set_household(self, household: Household, month: str) -> None:
        self.household, self.month = household, month
        fill_persons(self.earnings_person, person_choices(household))
        fill_persons(self.leaving, person_choices(household, (Role.ENFANT, Role.AUTRE)))
        kept = self.birth_month.currentData()
        self.birth_month.clear()
        for value in reversed(months_range(add_months(month, -11), month)):
            self.birth_month.addItem(formats.month(value), value)
        index = self.birth_month.findData(kept)
        self.birth_month.setCurrentIndex(index if index >= 0 else 0)
        if not self.commune.text():
            self.move_status.set_value(household.housing.status)
        has_partner = household.conjoint is not None
        if not self.boxes["couple"].isChecked():
            self.couple_kind.setCurrentIndex(1 if has_partner else 0)
        self._update_couple()

    def is_empty(self) -> bool:
        return not any(box.isChecked() for box in self.boxes.values())

    def scenario(self) -> Any:
        """The ``scenarios.Scenario``; ValueError with a French message when incomplete."""
        from app.core.compute import scenarios as sc

        assert self.household is not None
        household = self.household
        name = self.title_text()
        changes: list[Any] = []
        if self.boxes["earnings"].isChecked():
            person_id = str(self.earnings_person.currentData())
            amount = self.earnings_amount.payload(name)
            person = next(p for p in household.persons if p.id == person_id)
            works = any(v > 0 for v in amount.values())
            taking_a_job = works and person.activity in JOB_SEEKING
            # a job seeker taking a job: « salarié », and the unemployment benefit stops
            # (as « Mieux en emploi ? »: better_off_in_work)
            changes.append(sc.EarningsChange(
                person_id, amount.get("net_monthly"), amount.get("hours_per_week"),
                activity=Activity.SALARIE if taking_a_job else None,
                ends=(ResourceKind.CHOMAGE,) if taking_a_job else ()))
        if self.boxes["couple"].isChecked():
            if self.couple_kind.currentData() == "separation":
                if household.conjoint is None:
                    raise ValueError(t("gui.scenarios.couple.no_partner", variant=name))
                changes.append(sc.CoupleChange(CoupleStatus.SEUL))
            else:
                if household.conjoint is not None:
                    raise ValueError(t("gui.scenarios.couple.has_partner", variant=name))
                try:
                    birth = self.partner_birth.date()
                except ValueError:
                    raise ValueError(t("gui.scenarios.couple.birth_invalid", variant=name)) from None
                try:
                    salary = 0.0 if self.partner_salary.is_empty() else self.partner_salary.amount()
                except ValueError:
                    raise ValueError(t("gui.scenarios.amount_invalid", variant=name)) from None
                taken = {p.id for p in household.persons}
                pid = next(f"conjoint{n}" for n in range(1, 100) if f"conjoint{n}" not in taken)
                partner = Person(pid, Role.CONJOINT, birth,
                                 activity=Activity.SALARIE if salary > 0 else Activity.INACTIF,
                                 resources=(Resource(ResourceKind.SALAIRE_NET, stable=salary),) if salary > 0 else ())
                changes.append(sc.CoupleChange(CoupleStatus(self.couple_status.value()), partner))
        if self.boxes["birth"].isChecked():
            changes.append(sc.Birth(str(self.birth_month.currentData())))
        if self.boxes["move"].isChecked():
            commune = self.commune.resolve() if self.commune.text().strip() else None
            if self.commune.text().strip() and commune is None:
                raise ValueError(t("gui.scenarios.move.commune_invalid", variant=name))
            try:
                rent = None if self.rent.is_empty() else self.rent.amount()
            except ValueError:
                raise ValueError(t("gui.scenarios.amount_invalid", variant=name)) from None
            status = HousingStatus(self.move_status.value())
            changes.append(sc.Move(commune_insee=commune[0] if commune else None,
                                   postal_code=commune[1] if commune else None, status=status, rent=rent))
        if self.boxes["leaves"].isChecked():
            if self.leaving.count() == 0:
                raise ValueError(t("gui.scenarios.leaves.nobody", variant=name))
            changes.append(sc.PersonLeaves(str(self.leaving.currentData())))
        if not changes:
            raise ValueError(t("gui.scenarios.variant.empty", variant=name))
        label = self.label.text().strip()
        if len(label) > MAX_LABEL:  # printed on the handout's comparison
            raise ValueError(t("gui.scenarios.variant.label_too_long", variant=name, count=len(label), max=MAX_LABEL))
        return sc.Scenario(tuple(changes), label=label)


# --------------------------------------------------------------------------- comparison table


class ComparisonTable(QTableWidget):
    """One column per situation; rows: the benefits, then the totals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.keys: list[str] = []
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(False)
        accessible(self, t("gui.scenarios.table_name"), t("gui.scenarios.table_help"))

    def show_comparison(self, comparison: Comparison | None, show_all: bool = False,
                        only_changed: bool = False) -> None:
        self.comparison = comparison
        self.clear()
        self.keys = []
        if comparison is None:
            self.setRowCount(0)
            self.setColumnCount(0)
            return
        rows = shown_rows(comparison, show_all, only_changed)
        self.setColumnCount(len(comparison.columns) + 1)
        self.setHorizontalHeaderLabels([t("scenario.column_row"),
                                         *(textwrap.fill(c, HEADER_WRAP) for c in comparison.columns)])
        for c, column in enumerate(comparison.columns, start=1):
            header_item = self.horizontalHeaderItem(c)
            if header_item is not None:
                header_item.setToolTip(column)
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            self.keys.append(row.key)
            label = row_label(row)
            head = QTableWidgetItem(label)
            head.setToolTip(label)
            if row.kind == "total":
                head.setFont(bold)
            self.setItem(r, 0, head)
            for c in range(len(comparison.columns)):
                text = value_text(row, c)
                if c > 0:
                    text += "\n" + delta_text(row, c)
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(Qt.ItemDataRole.AccessibleTextRole,
                             f"{comparison.columns[c]}, {label} : {text.replace(chr(10), ', ')}")
                if row.key == "disposable":
                    item.setFont(bold)
                good = favourable(row, c) if c > 0 else None
                if good is not None:
                    background, foreground = FAVOURABLE if good else UNFAVOURABLE
                    item.setBackground(QColor(background))
                    item.setForeground(QColor(foreground))
                elif c > 0 and status_changed(row, c):
                    item.setBackground(QColor(STATUS_CHANGED))  # status changed, same amount
                self.setItem(r, c + 1, item)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumSectionSize(MIN_VALUE_COLUMN_WIDTH)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, self.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.resizeRowsToContents()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.resizeRowsToContents()  # wrapped labels follow the columns' widths

    def displayed(self) -> dict[str, list[str]]:
        """What the table shows, by row key: one text per situation (tests, accessibility)."""
        return {key: [self._text(r, c) for c in range(1, self.columnCount())] for r, key in enumerate(self.keys)}

    def row_label(self, key: str) -> str:
        return self._text(self.keys.index(key), 0)

    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""


# --------------------------------------------------------------------------- pages


class _Page(QWidget):
    def __init__(self, dialog: ScenariosDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.request_id: int | None = None
        self.status = _status_label()
        accessible(self.status, t("gui.scenarios.title"))

    def set_status(self, text: str, kind: str = "") -> None:
        self.status.setText(text)
        set_text_color(self.status, {"error": "#b3261e", "busy": "#3c4a5c", "ok": "#1e6b3a"}.get(kind))

    def case(self) -> tuple[Household, str] | None:
        found = current_case(self.dialog.main_window)
        if found is None:
            self.set_status(t("gui.scenarios.not_computable"), "error")
        return found

    def run(self, name: str, payload: dict[str, Any], done: Callable[[Any], None]) -> None:
        self.dialog.tasks.forget(self.request_id)
        self.set_status(t("gui.scenarios.computing"), "busy")

        def failed(message: str) -> None:
            self.request_id = None
            self.set_status(t("gui.scenarios.failed", message=message), "error")
            self.busy(False)

        def finished(value: Any) -> None:
            self.request_id = None
            self.busy(False)
            done(value)

        self.busy(True)
        self.request_id = self.dialog.tasks.run(name, payload, finished, failed)

    def busy(self, busy: bool) -> None:
        pass

    def set_household(self, household: Household, month: str) -> None:
        pass


class _PersonPage(_Page):
    """A page computed for one person of the household (« Mieux en emploi ? », the curve):
    its ``person`` list and its ``action_button``."""

    person: QComboBox
    action_button: QPushButton

    def set_household(self, household: Household, month: str) -> None:
        fill_persons(self.person, person_choices(household, (Role.DEMANDEUR, Role.CONJOINT, Role.AUTRE, Role.ENFANT)))

    def busy(self, busy: bool) -> None:
        self.action_button.setEnabled(not busy)

    def person_payload(self) -> tuple[Household, dict[str, Any]] | None:
        """The household and the task's payload for the chosen person (None: not computable)."""
        from app.core.io.casefile import case_to_dict

        case = self.case()
        if case is None:
            return None
        household, month = case
        self.dialog.set_household(household, month)
        return household, {"case": case_to_dict(household, month), "month": month,
                           "person_id": str(self.person.currentData())}


class ComparePage(_Page):
    def __init__(self, dialog: ScenariosDialog) -> None:
        super().__init__(dialog)
        self.variants: list[VariantEditor] = []
        self.variants_box = QWidget()
        self.variants_layout = QVBoxLayout(self.variants_box)
        self.variants_layout.setContentsMargins(0, 0, 0, 0)
        self.variants_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.variants_box)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(400)
        scroll.setMaximumWidth(470)
        self.add_button = QPushButton(t("gui.scenarios.variant.add"))
        accessible(self.add_button, _plain("gui.scenarios.variant.add"))
        self.compare_button = QPushButton(t("gui.scenarios.compare"))
        accessible(self.compare_button, t("gui.scenarios.compare_name"))
        self.compare_button.setDefault(True)
        self.show_all = QCheckBox(t("gui.scenarios.show_all"))
        self.handout_button = QPushButton(t("gui.scenarios.compare_handout.add"))
        accessible(self.handout_button, t("gui.scenarios.compare_handout.add_name"))
        self.handout_button.setEnabled(False)
        self.table = ComparisonTable()
        self.legend = QLabel(t("gui.scenarios.legend"))
        self.legend.setWordWrap(True)
        self.note = QLabel(t("scenario.note"))
        self.note.setWordWrap(True)
        set_text_color(self.note, "#555555")
        for label in (self.legend, self.note):
            small = label.font()
            small.setPointSizeF(small.pointSizeF() * 0.92)
            label.setFont(small)

        left = QVBoxLayout()
        left.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.compare_button)
        left.addLayout(buttons)
        right = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.show_all)
        right.addLayout(top)
        right.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend, 1)
        bottom.addWidget(self.handout_button, 0, Qt.AlignmentFlag.AlignTop)
        right.addLayout(bottom)
        right.addWidget(self.note)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 0)
        layout.addLayout(right, 1)

        self.add_button.clicked.connect(lambda: self.add_variant())
        self.compare_button.clicked.connect(self.compare)
        self.handout_button.clicked.connect(self.add_to_handout)
        self.show_all.toggled.connect(lambda _on: self.table.show_comparison(self.table.comparison,
                                                                             self.show_all.isChecked()))
        self.add_variant()

    def add_variant(self) -> VariantEditor | None:
        if len(self.variants) >= MAX_VARIANTS:
            self.set_status(t("gui.scenarios.variant.max"), "error")
            return None
        editor = VariantEditor(len(self.variants) + 1)
        editor.remove_button.clicked.connect(lambda: self.remove_variant(editor))
        self.variants.append(editor)
        self.variants_layout.insertWidget(self.variants_layout.count() - 1, editor)
        if self.dialog.household is not None:
            editor.set_household(self.dialog.household, self.dialog.month)
        self._update_buttons()
        return editor

    def remove_variant(self, editor: VariantEditor) -> None:
        self.variants.remove(editor)
        editor.setParent(None)
        editor.deleteLater()
        for number, other in enumerate(self.variants, start=1):
            other.set_number(number)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(len(self.variants) < MAX_VARIANTS)
        for editor in self.variants:
            editor.remove_button.setEnabled(len(self.variants) > 1)

    def set_household(self, household: Household, month: str) -> None:
        for editor in self.variants:
            editor.set_household(household, month)

    def busy(self, busy: bool) -> None:
        self.compare_button.setEnabled(not busy)

    def scenarios(self) -> list[Any]:
        """The variants' scenarios (ValueError: the first problem, in French)."""
        used = [v for v in self.variants if not v.is_empty()]
        if not used:
            raise ValueError(t("gui.scenarios.variant.none"))
        return [v.scenario() for v in used]

    def compare(self) -> None:
        from app.core.io.casefile import case_to_dict

        case = self.case()
        if case is None:
            return
        household, month = case
        self.dialog.set_household(household, month)
        try:
            scenarios = self.scenarios()
        except ValueError as error:
            self.set_status(str(error), "error")
            return
        self.run("compare", {"case": case_to_dict(household, month), "month": month, "scenarios": scenarios},
                 self.show_comparison)

    def show_comparison(self, comparison: Comparison) -> None:
        self.table.show_comparison(comparison, self.show_all.isChecked())
        self.handout_button.setEnabled(True)
        self.set_status(t("gui.scenarios.done", month=formats.month(comparison.month)), "ok")

    def add_to_handout(self) -> None:
        """The handout preview with the comparison shown (the same rows) after the benefits."""
        comparison = self.table.comparison
        if comparison is not None:
            open_handout_with(self.dialog.main_window, comparison_flowable(comparison, self.show_all.isChecked()),
                              t("gui.scenarios.compare_handout.title"), "comparison_handout_dialog")


class WorkPage(_PersonPage):
    def __init__(self, dialog: ScenariosDialog) -> None:
        super().__init__(dialog)
        self.result: WorkComparison | None = None
        intro = QLabel(t("gui.scenarios.work.intro"))
        intro.setWordWrap(True)
        self.person = QComboBox()
        accessible(self.person, t("gui.scenarios.person_name"))
        person_label_widget = QLabel(t("gui.scenarios.person"))
        person_label_widget.setBuddy(self.person)
        self.amount = AmountChoice()
        self.amount.mode.setCurrentIndex(1)
        self.amount.value.setText("35")
        self.compute_button = self.action_button = QPushButton(t("gui.scenarios.work.compute"))
        accessible(self.compute_button, t("gui.scenarios.work.compute_name"))
        self.compute_button.setDefault(True)
        self.handout_button = QPushButton(t("gui.scenarios.work.add_to_handout"))
        accessible(self.handout_button, t("gui.scenarios.work.add_to_handout_name"))
        self.handout_button.setEnabled(False)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = self.sentence.font()
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.2)
        self.sentence.setFont(big)
        self.figures: dict[str, QLabel] = {}
        form = QFormLayout()
        for key in ("salary", "before", "after", "delta"):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            accessible(value, t(f"gui.scenarios.work.{key}"))
            form.addRow(QLabel(t(f"gui.scenarios.work.{key}") + " :"), value)
            self.figures[key] = value
        self.note = QLabel()
        self.note.setWordWrap(True)
        set_text_color(self.note, "#555555")
        italic = self.note.font()
        italic.setItalic(True)
        self.note.setFont(italic)
        self.detail_title = QLabel(t("gui.scenarios.work.detail"))
        self.table = ComparisonTable()

        row = QHBoxLayout()
        row.addWidget(person_label_widget)
        row.addWidget(self.person)
        row.addSpacing(12)
        row.addWidget(self.amount)
        row.addWidget(self.compute_button)
        row.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(intro)
        left.addLayout(row)
        left.addWidget(self.status)
        left.addSpacing(8)
        left.addWidget(self.sentence)
        left.addLayout(form)
        left.addWidget(self.note)
        left.addWidget(self.handout_button, 0, Qt.AlignmentFlag.AlignLeft)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.detail_title)
        right.addWidget(self.table, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.compute_button.clicked.connect(self.compute)
        self.handout_button.clicked.connect(self.add_to_handout)
        self.amount.value.returnPressed.connect(self.compute)
        self.show_work(None)

    def compute(self) -> None:
        found = self.person_payload()
        if found is None:
            return
        try:
            amount = self.amount.payload(t("gui.scenarios.tab.work"))
        except ValueError as error:
            self.set_status(str(error), "error")
            return
        self.run("work", {**found[1], **amount}, self.show_work)

    def show_work(self, work: WorkComparison | None) -> None:
        self.result = work
        has = work is not None
        for widget in (self.sentence, self.note, self.detail_title, self.table):
            widget.setVisible(has)
        self.handout_button.setEnabled(has)
        if work is None:
            for label in self.figures.values():
                label.setText("—")
            self.table.show_comparison(None)
            return
        self.sentence.setText(work.text)
        self.note.setText(work.note)
        per_month = lambda v: t("gui.scenarios.work.per_month", amount=formats.euros(v))  # noqa: E731
        self.figures["salary"].setText(per_month(work.net_monthly))
        self.figures["before"].setText(per_month(work.before))
        self.figures["after"].setText(per_month(work.after))
        self.figures["delta"].setText(delta_text(work.comparison.row("disposable"), 1))
        good = favourable(work.comparison.row("disposable"), 1)
        set_text_color(self.figures["delta"], None if good is None else (FAVOURABLE[1] if good else UNFAVOURABLE[1]))
        self.table.show_comparison(work.comparison, only_changed=True)
        self.set_status(t("gui.scenarios.done", month=formats.month(work.comparison.month)), "ok")

    def add_to_handout(self) -> None:
        """The handout preview with the answer and the rows that change after the benefits."""
        if self.result is not None:
            open_handout_with(self.dialog.main_window, work_flowable(self.result),
                              t("gui.scenarios.work.handout_title"), "work_handout_dialog")


class CurvePage(_PersonPage):
    def __init__(self, dialog: ScenariosDialog) -> None:
        super().__init__(dialog)
        self.curve: EarningsCurve | None = None
        self.household: Household | None = None
        intro = QLabel(t("gui.scenarios.curve.intro"))
        intro.setWordWrap(True)
        self.notes = QLabel()  # what the curve must be read with (EarningsCurve.notes)
        self.notes.setWordWrap(True)
        set_text_color(self.notes, "#7a4b00")
        self.notes.hide()
        self.person = QComboBox()
        accessible(self.person, t("gui.scenarios.person_name"))
        person_label_widget = QLabel(t("gui.scenarios.person"))
        person_label_widget.setBuddy(self.person)
        self.draw_button = self.action_button = QPushButton(t("gui.scenarios.curve.draw"))
        accessible(self.draw_button, t("gui.scenarios.curve.draw_name"))
        self.draw_button.setDefault(True)
        self.handout_button = QPushButton(t("gui.scenarios.curve.add_to_handout"))
        accessible(self.handout_button, t("gui.scenarios.curve.add_to_handout_name"))
        self.handout_button.setEnabled(False)
        self.chart = EarningsChart()
        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setMinimumWidth(230)
        self.readout.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        accessible(self.readout, t("gui.scenarios.curve.readout_name"))
        readout_title = QLabel(t("gui.scenarios.curve.readout_title"))
        bold = readout_title.font()
        bold.setBold(True)
        readout_title.setFont(bold)

        row = QHBoxLayout()
        row.addWidget(person_label_widget)
        row.addWidget(self.person)
        row.addWidget(self.draw_button)
        row.addWidget(self.status, 1)
        row.addWidget(self.handout_button)
        side = QVBoxLayout()
        side.addWidget(readout_title)
        side.addWidget(self.readout, 1)
        body = QHBoxLayout()
        body.addWidget(self.chart, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addLayout(body, 1)
        layout.addWidget(self.notes)
        self.draw_button.clicked.connect(self.draw)
        self.handout_button.clicked.connect(self.add_to_handout)
        self.chart.cursorMoved.connect(self._on_cursor)

    def draw(self) -> None:
        found = self.person_payload()
        if found is None:
            return
        self.household, payload = found
        self.run("curve", {**payload, "points": 101, "maximum": None}, self.show_curve)

    def title(self) -> str:
        if self.curve is None or self.household is None:
            return ""
        return t("curve.title", person=role_label(self.household, self.curve.person_id))

    def show_curve(self, curve: EarningsCurve | None) -> None:
        self.curve = curve
        self.notes.setText("\n".join(curve.notes) if curve is not None else "")
        self.notes.setVisible(bool(curve is not None and curve.notes))
        self.chart.set_curve(curve, self.title())
        self.handout_button.setEnabled(curve is not None)
        self._on_cursor(self.chart.cursor_index or 0)
        if curve is not None:
            self.set_status(t("gui.scenarios.done", month=formats.month(curve.month)), "ok")

    def _on_cursor(self, _index: int) -> None:
        self.readout.setText(self.chart.readout_text())

    def add_to_handout(self) -> None:
        if self.curve is not None:
            open_handout_with_curve(self.dialog.main_window, self.curve, self.title())


# --------------------------------------------------------------------------- dialog


class ScenariosDialog(QDialog):
    """Scenarios, better off in work, earnings curve: three tabs on the typed household."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main_window = window
        self.household: Household | None = None
        self.month = ""
        self.setWindowTitle(t("gui.scenarios.title"))
        self.tasks = _Tasks(window.engine, self)
        self.case_label = QLabel()
        self.tabs = QTabWidget()
        self.compare_page = ComparePage(self)
        self.work_page = WorkPage(self)
        self.curve_page = CurvePage(self)
        self.tabs.addTab(self.compare_page, t("gui.scenarios.tab.compare"))
        self.tabs.addTab(self.work_page, t("gui.scenarios.tab.work"))
        self.tabs.addTab(self.curve_page, t("gui.scenarios.tab.curve"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.case_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        window.resultShown.connect(self._on_result_shown)
        screen = window.screen().availableGeometry()
        self.resize(min(1300, screen.width() - 40), min(700, screen.height() - 50))

    @property
    def pages(self) -> tuple[_Page, ...]:
        return (self.compare_page, self.work_page, self.curve_page)

    def refresh_household(self) -> None:
        """Read the household being typed again (persons in the choices)."""
        collected = self.main_window.editor.collect()
        self.set_household(collected.household, self.main_window.month_value, collected.computable)

    def _on_result_shown(self, _result: Any) -> None:
        if self.isVisible():
            self.refresh_household()  # another case or person: the choices follow

    def set_household(self, household: Household, month: str, computable: bool = True) -> None:
        self.household, self.month = household, month
        self.case_label.setText(t("gui.scenarios.month", month=formats.month(month)) if computable
                                else t("gui.scenarios.not_computable"))
        set_text_color(self.case_label, None if computable else "#b3261e")
        for page in self.pages:
            page.set_household(household, month)

    def done(self, result: int) -> None:  # noqa: D401 - Qt API (closing the dialog)
        self.tasks.cancel_all()
        for page in self.pages:
            page.request_id = None
            page.busy(False)
        super().done(result)


# --------------------------------------------------------------------------- handout with an extra part


def open_handout_with(window: Any, flowable: Any, title: str, attribute: str) -> QDialog | None:
    """The handout preview with ``flowable`` added after the benefits (« Ajouter … au
    document »): save or print it from there; the dialog is kept as ``window.<attribute>``.
    None when there is no up-to-date result (the window says why)."""
    from app.gui.views import handout_preview

    module = handout_preview.handout_module()
    if module is None or "extra_flowables" not in {f.name for f in dataclasses.fields(module.HandoutOptions)}:
        QMessageBox.information(window, t("gui.handout.title"), t("gui.handout.unavailable"))
        return None
    inputs = window._handout_inputs()  # says why when the results are not up to date
    if inputs is None:
        return None
    household, result = inputs

    class ExtraHandoutDialog(handout_preview.HandoutDialog):
        def _options(self) -> Any:
            return dataclasses.replace(super()._options(), extra_flowables=(flowable,))

    dialog = ExtraHandoutDialog(window, household, result, detailed=True)  # the extra parts are in the detailed version
    dialog.setWindowTitle(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    setattr(window, attribute, dialog)
    return dialog


def open_handout_with_curve(window: Any, curve: EarningsCurve, title: str) -> QDialog | None:
    """« Ajouter la courbe au document »."""
    return open_handout_with(window, curve_flowable(curve, title), t("gui.scenarios.curve.handout_title"),
                             "curve_handout_dialog")
