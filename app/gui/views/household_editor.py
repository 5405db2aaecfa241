"""The household on one screen: who lives there (a table and the selected person's
form), couple, savings, housing, benefits already received.

The widgets hold what the agent typed, as typed: nothing is lost when it is not
(yet) valid. ``collect()`` reads them into a ``Household`` and lists every problem
(unreadable text first, then ``validation.validate``), each with its field path;
``show_problems`` puts each message next to its field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.base import formats
from app.core.model.household import ChildcareMode, CoupleStatus, Household, Person, Role
from app.core.base.i18n import t
from app.core.model.periods import current_month
from app.core.model.validation import CHILDCARE_MAX_AGE, MAX_REFERENCE, Problem, field_label, validate
from app.gui import icons
from app.gui.views.events_form import EventsForm
from app.gui.views.housing_form import HousingForm
from app.gui.views.person_form import PersonForm
from app.gui.views.resources_editor import RawProblem, amount_problem
from app.gui.views.widgets import AmountEdit, ChoiceCombo, DateEdit, ErrorLabel, FieldBox, accessible, titled_group

if TYPE_CHECKING:
    from app.core.benefits.catalogue import Catalogue

COLUMNS = ("number", "role", "first_name", "age", "activity", "resources")


@dataclass(frozen=True)
class Collected:
    """What the editor holds, read: a household (with stand-ins for unreadable fields,
    for validation only) and every problem. Computable only without problems."""

    household: Household
    problems: tuple[Problem, ...]

    @property
    def computable(self) -> bool:
        return not self.problems


class HouseholdEditor(QWidget):
    changed = Signal()  # anything the agent did that may change the household

    def __init__(self, catalogue: Catalogue | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._month = current_month()
        self._catalogue = catalogue
        self.forms: list[PersonForm] = []
        self._last_messages: dict[int, list[str]] = {}
        self._received_order: list[str] = []

        # -- household --------------------------------------------------------------------
        self.couple = ChoiceCombo(CoupleStatus, "couple", t("gui.household.couple"))
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(t("gui.household.reference_placeholder"))
        self.reference.setMaxLength(10 * MAX_REFERENCE)  # past MAX_REFERENCE: a message, nothing cut
        accessible(self.reference, t("gui.household.reference"), t("gui.household.reference_help"))
        self.savings = AmountEdit(t("gui.household.savings"))
        self.savings_unknown = QCheckBox(t("gui.household.savings_unknown"))
        accessible(self.savings_unknown, t("gui.household.savings_unknown").replace("&", ""))
        self.savings_unknown.setChecked(True)
        self.savings.setEnabled(False)
        self.separation_date = DateEdit(t("gui.household.separation_date"))
        self.separation_date.setToolTip(t("gui.household.separation_help"))
        self.childcare = ChoiceCombo(ChildcareMode, "childcare", t("field.childcare"))
        self.childcare.setToolTip(t("gui.household.childcare_help"))
        self.asylum_seeker = QCheckBox(t("gui.household.asylum_seeker"))
        accessible(self.asylum_seeker, t("gui.household.asylum_seeker"))
        self.asylum_housed = QCheckBox(t("gui.household.asylum_housed"))
        accessible(self.asylum_housed, t("gui.household.asylum_housed"))
        self.boxes = {
            "childcare": FieldBox(self.childcare),
            "asylum_seeker": FieldBox(self.asylum_seeker),
            "asylum_housed": FieldBox(self.asylum_housed),
            "couple": FieldBox(self.couple),
            "reference": FieldBox(self.reference),
            "savings": FieldBox(self.savings),
            "separation_date": FieldBox(self.separation_date),
        }
        for box in self.boxes.values():
            box.edited.connect(self._emit_changed)
        self.savings_unknown.toggled.connect(self._on_savings_unknown)

        household_group, household_body = titled_group(t("gui.household.title"))
        grid = QGridLayout(household_body)
        grid.setContentsMargins(8, 6, 8, 6)
        for column, (name, key) in enumerate((("couple", "gui.household.couple_label"),
                                              ("reference", "gui.household.reference_label"))):
            label = QLabel(t(key))
            label.setBuddy(self.boxes[name].control)
            grid.addWidget(label, 0, column * 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.boxes[name], 0, column * 2 + 1, Qt.AlignmentFlag.AlignTop)
        savings_label = QLabel(t("gui.household.savings_label"))
        savings_label.setBuddy(self.savings)
        savings_row = QHBoxLayout()
        savings_row.addWidget(self.boxes["savings"], 1, Qt.AlignmentFlag.AlignTop)
        savings_row.addWidget(self.savings_unknown, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(savings_label, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(savings_row, 1, 1, 1, 3)
        # Shown for a person alone only: a recent separation or widowhood (RSA majoration).
        self.separation_label = QLabel(t("gui.household.separation_label"))
        self.separation_label.setBuddy(self.separation_date)
        grid.addWidget(self.separation_label, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.boxes["separation_date"], 2, 1, Qt.AlignmentFlag.AlignTop)
        self.couple.currentIndexChanged.connect(self._update_separation_visibility)
        self._update_separation_visibility()
        # Shown when a child is under 6: the CMG's childcare mode.
        self.childcare_label = QLabel(t("gui.household.childcare_label"))
        self.childcare_label.setBuddy(self.childcare)
        grid.addWidget(self.childcare_label, 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.boxes["childcare"], 3, 1, 1, 3, Qt.AlignmentFlag.AlignTop)
        asylum_row = QHBoxLayout()
        asylum_row.addWidget(self.boxes["asylum_seeker"], 0, Qt.AlignmentFlag.AlignTop)
        asylum_row.addWidget(self.boxes["asylum_housed"], 1, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(asylum_row, 4, 1, 1, 3)
        self.asylum_seeker.toggled.connect(lambda _checked: self._update_household_visibility())
        self.boxes["childcare"].setVisible(False)
        self.childcare_label.setVisible(False)
        self.boxes["asylum_housed"].setVisible(False)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        # -- persons ----------------------------------------------------------------------
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([t(f"gui.persons.column.{c}") for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("activity"), QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)
        self.table.setMinimumHeight(96)
        accessible(self.table, t("gui.persons.table"), t("gui.persons.table_help"))
        self.table.itemSelectionChanged.connect(self._on_table_selection)

        self.add_conjoint_button = QPushButton(icons.icon("add"), t("gui.persons.add_conjoint"))
        self.add_child_button = QPushButton(icons.icon("add"), t("gui.persons.add_child"))
        self.add_other_button = QPushButton(icons.icon("add"), t("gui.persons.add_other"))
        self.remove_button = QPushButton(icons.icon("remove"), t("gui.persons.remove"))
        for button, key in ((self.add_conjoint_button, "gui.persons.add_conjoint"),
                            (self.add_child_button, "gui.persons.add_child"),
                            (self.add_other_button, "gui.persons.add_other"),
                            (self.remove_button, "gui.persons.remove")):
            accessible(button, t(key).replace("&", ""))
        self.add_conjoint_button.clicked.connect(lambda: self.add_person(Role.CONJOINT, focus=True))
        self.add_child_button.clicked.connect(lambda: self.add_person(Role.ENFANT, focus=True))
        self.add_other_button.clicked.connect(lambda: self.add_person(Role.AUTRE, focus=True))
        self.remove_button.clicked.connect(lambda: self.remove_person(self.current_index()))
        self.persons_error = ErrorLabel()
        self.stack = QStackedWidget()
        self.person_title = QLabel()
        title_font = self.person_title.font()
        title_font.setBold(True)
        self.person_title.setFont(title_font)

        persons_group, persons_body = titled_group(t("gui.persons.title"))
        buttons = QHBoxLayout()
        for button in (self.add_conjoint_button, self.add_child_button, self.add_other_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        persons_layout = QVBoxLayout(persons_body)
        persons_layout.setContentsMargins(8, 6, 8, 6)
        persons_layout.addWidget(self.table)
        persons_layout.addLayout(buttons)
        persons_layout.addWidget(self.persons_error)
        persons_layout.addWidget(self.person_title)
        persons_layout.addWidget(self.stack)

        # -- housing ------------------------------------------------------------------------
        self.housing = HousingForm()
        self.housing.edited.connect(self._emit_changed)
        housing_group, housing_body = titled_group(t("gui.housing.title"))
        housing_layout = QVBoxLayout(housing_body)
        housing_layout.setContentsMargins(0, 0, 0, 0)
        housing_layout.addWidget(self.housing)

        # -- recent changes (case format 3's events) ------------------------------------------
        self.events = EventsForm()
        self.events.edited.connect(self._emit_changed)
        events_group, events_body = titled_group(t("gui.events.title"))
        events_layout = QVBoxLayout(events_body)
        events_layout.setContentsMargins(0, 0, 0, 0)
        events_layout.addWidget(self.events)
        self.couple.currentIndexChanged.connect(self._sync_events)

        # -- benefits received --------------------------------------------------------------
        self.received: dict[str, QCheckBox] = {}
        received_group, received_body = titled_group(t("gui.received.title"))
        self._received_layout = QGridLayout(received_body)
        self._received_layout.setContentsMargins(8, 6, 8, 6)
        self.received_error = ErrorLabel()
        remove_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self._remove_current_from_keyboard)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(8)
        layout.addWidget(household_group)
        layout.addWidget(persons_group)
        layout.addWidget(housing_group)
        layout.addWidget(events_group)
        layout.addWidget(received_group)
        layout.addStretch(1)
        self.household_group, self.persons_group = household_group, persons_group
        self.housing_group, self.received_group = housing_group, received_group
        if catalogue is not None:
            self.set_catalogue(catalogue)

        self.new_case()

    # -- catalogue ------------------------------------------------------------------------
    def set_catalogue(self, catalogue: Catalogue) -> None:
        """One check box per benefit a household may already receive: the national
        benefits, then the local aids (``catalogue.local_aids``), three to a line."""
        self._catalogue = catalogue
        checked = {bid for bid, box in self.received.items() if box.isChecked()}
        while self._received_layout.count():
            item = self._received_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.received_error:
                widget.deleteLater()
        self.received.clear()
        columns = 3
        row = 0
        groups = [tuple(catalogue), tuple(getattr(catalogue, "local_aids", ()) or ())]
        for number, benefits in enumerate(groups):
            if not benefits:
                continue
            if number == 1:
                self._received_layout.addWidget(QLabel(t("gui.received.local")), row, 0, 1, columns)
                row += 1
            for i, benefit in enumerate(benefits):
                box = QCheckBox(benefit.short_label)
                box.setToolTip(benefit.label)
                accessible(box, t("gui.received.accessible", benefit=benefit.label))
                box.setChecked(benefit.id in checked)
                box.toggled.connect(lambda _checked: self._emit_changed())
                self.received[benefit.id] = box
                self._received_layout.addWidget(box, row + i // columns, i % columns)
            row += (len(benefits) + columns - 1) // columns
        self._received_layout.addWidget(self.received_error, row, 0, 1, columns)
        self.fix_tab_order()

    def known_benefits(self) -> tuple[str, ...] | None:
        """Ids a case may declare as received: national benefits and local aids."""
        if self._catalogue is None:
            return None
        all_ids = getattr(self._catalogue, "all_ids", None)
        return tuple(all_ids()) if callable(all_ids) else self._catalogue.ids()

    # -- persons --------------------------------------------------------------------------
    def current_index(self) -> int:
        return self.stack.currentIndex()

    def current_form(self) -> PersonForm | None:
        index = self.current_index()
        return self.forms[index] if 0 <= index < len(self.forms) else None

    def _new_id(self) -> str:
        used = {form.person_id for form in self.forms}
        number = len(self.forms) + 1
        while f"p{number}" in used:
            number += 1
        return f"p{number}"

    def add_person(self, role: Role, person: Person | None = None, focus: bool = False) -> PersonForm:
        form = PersonForm(person.id if person else self._new_id(), role)
        form.set_month(self._month)
        if person is not None:
            form.load(person)
        form.edited.connect(self._on_person_edited)
        form.roleChanged.connect(self._on_role_changed)
        form.structureChanged.connect(self.fix_tab_order)
        self.forms.append(form)
        self.stack.addWidget(form)
        self.table.insertRow(self.table.rowCount())
        if role == Role.CONJOINT and person is None and self.couple.value() == CoupleStatus.SEUL:
            self.couple.set_value(CoupleStatus.MARIE)  # a conjoint: the household is a couple
        self.refresh_table()
        self.fix_tab_order()
        if focus:
            self.select_person(len(self.forms) - 1)
            form.birth_date.setFocus()
            self._emit_changed()
        return form

    def remove_person(self, index: int) -> None:
        if not 0 <= index < len(self.forms) or len(self.forms) <= 1:
            return
        form = self.forms.pop(index)
        self.stack.removeWidget(form)
        form.deleteLater()
        self.table.removeRow(index)
        self.fix_tab_order()
        if form.role_value() == Role.CONJOINT and not any(f.role_value() == Role.CONJOINT for f in self.forms):
            self.couple.set_value(CoupleStatus.SEUL)
        self.refresh_table()
        self.select_person(min(index, len(self.forms) - 1))
        self.table.setFocus()
        self._emit_changed()

    def select_person(self, index: int) -> None:
        if 0 <= index < len(self.forms):
            self.stack.setCurrentIndex(index)
            if self.table.currentRow() != index:
                self.table.selectRow(index)
            self._update_person_title()
            self._update_buttons()

    def _on_table_selection(self) -> None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if rows:
            index = min(rows)
            if index != self.stack.currentIndex():
                self.stack.setCurrentIndex(index)
                self._update_person_title()
                self._update_buttons()

    def _on_person_edited(self) -> None:
        self.refresh_table()
        self._emit_changed()

    def _update_household_visibility(self) -> None:
        """The childcare mode when a child is under 6 in the month computed; the asylum
        accommodation when asylum is asked. Hidden fields keep what they hold, unused."""
        young = self._young_child()
        self.childcare_label.setVisible(young)
        self.boxes["childcare"].setVisible(young)
        self.boxes["asylum_housed"].setVisible(self.asylum_seeker.isChecked())

    def _young_child(self) -> bool:
        day = dt.date.fromisoformat(f"{self._month}-01")
        for form in self.forms:
            birth = form.birth()
            if form.role_value() == Role.ENFANT and birth is not None and birth <= day:
                if Person(form.person_id, Role.ENFANT, birth).age_on(day) < CHILDCARE_MAX_AGE:
                    return True
        return False

    def _on_role_changed(self) -> None:
        self.refresh_table()
        self._update_buttons()
        self._emit_changed()

    def _update_buttons(self) -> None:
        has_conjoint = any(f.role_value() == Role.CONJOINT for f in self.forms)
        self.add_conjoint_button.setEnabled(not has_conjoint)
        self.remove_button.setEnabled(len(self.forms) > 1)

    def _update_person_title(self) -> None:
        form = self.current_form()
        if form is None:
            self.person_title.clear()
            return
        index = self.forms.index(form)
        role = t(f"choice.role.{form.role_value().value}")
        name = form.display_name()
        key = "gui.persons.detail_named" if name else "gui.persons.detail"
        self.person_title.setText(t(key, number=index + 1, role=role, name=name))

    def _sync_events(self) -> None:
        """The recent changes' job rows follow the adults; the couple's row, the couple."""
        adults = [(i, form) for i, form in enumerate(self.forms) if form.role_value() in (Role.DEMANDEUR, Role.CONJOINT)]
        persons = tuple(Person(form.person_id, form.role_value(), dt.date(2000, 1, 1)) for _i, form in adults)
        labels = {form.person_id: t("gui.events.job_of", number=i + 1, role=t(f"choice.role.{form.role_value().value}"),
                                    name=form.display_name()) for i, form in adults}
        in_couple = CoupleStatus(self.couple.currentData()) != CoupleStatus.SEUL
        self.events.set_household(persons, labels, in_couple)

    def refresh_table(self) -> None:
        self._update_household_visibility()
        self._sync_events()
        today = dt.date.today()
        for row, form in enumerate(self.forms):
            form.set_number(row + 1)
            birth = form.birth()
            age = ""
            if birth is not None and birth <= today:
                years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
                age = t("gui.persons.age", years=years) if years >= 1 else t("gui.persons.age_baby")
            total = form.resources.monthly_total()
            values = {
                "number": str(row + 1),
                "role": t(f"choice.role.{form.role_value().value}"),
                "first_name": form.display_name(),
                "age": age,
                "activity": form.activity.currentText(),
                "resources": t("gui.persons.per_month", amount=formats.euros_short(total)) if form.resources.rows else "",
            }
            for column, name in enumerate(COLUMNS):
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(row, column, item)
                item.setText(values[name])
                if name == "resources":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._mark_rows()
        self._update_person_title()
        self._update_buttons()
        visible_rows = max(2, min(len(self.forms), 6))
        height = self.table.horizontalHeader().height() + 4
        height += sum(self.table.rowHeight(r) for r in range(min(len(self.forms), visible_rows)))
        height += max(0, visible_rows - len(self.forms)) * (self.table.verticalHeader().defaultSectionSize())
        self.table.setFixedHeight(height + 2)

    def _mark_rows(self) -> None:
        for row in range(len(self.forms)):
            item = self.table.item(row, 0)
            if item is None:
                continue
            messages = self._last_messages.get(row, [])
            item.setIcon(icons.icon("error") if messages else icons.icon("blank"))
            item.setToolTip("\n".join(messages))

    def fix_tab_order(self) -> None:
        """Tab follows the screen: household, persons table and buttons, the person shown,
        housing, benefits received (widgets made later would otherwise come last)."""
        housing = self.housing
        order: list[QWidget] = [
            self.couple, self.reference, self.savings, self.savings_unknown, self.table,
            self.add_conjoint_button, self.add_child_button, self.add_other_button, self.remove_button,
        ]
        for form in self.forms:  # hidden pages are skipped by Tab
            order += form.focus_order()
        order += [housing.status, housing.commune, housing.rent, housing.charges, housing.conventionne,
                  housing.seeking, housing.entry, housing.sought_rent, housing.sought_charges]
        order += list(self.received.values())
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    def _remove_current_from_keyboard(self) -> None:
        self.remove_person(self.current_index())

    # -- whole case -----------------------------------------------------------------------
    def _emit_changed(self) -> None:
        self.changed.emit()

    def _update_separation_visibility(self) -> None:
        alone = CoupleStatus(self.couple.currentData()) == CoupleStatus.SEUL
        self.separation_label.setVisible(alone)
        self.boxes["separation_date"].setVisible(alone)

    def _on_savings_unknown(self, checked: bool) -> None:
        self.savings.setEnabled(not checked)
        if not checked:
            self.savings.setFocus()
        self._emit_changed()

    def clear_persons(self) -> None:
        for form in self.forms:
            self.stack.removeWidget(form)
            form.deleteLater()
        self.forms.clear()
        self.table.setRowCount(0)
        self._last_messages.clear()

    def new_case(self) -> None:
        """An empty case: one demandeur, tenant, savings unknown."""
        self.clear_persons()
        self.couple.set_value(CoupleStatus.SEUL)
        self.reference.clear()
        self.separation_date.clear()
        self.childcare.set_value(ChildcareMode.AUCUN)
        self.asylum_seeker.setChecked(False)
        self.asylum_housed.setChecked(False)
        self.savings.clear()
        self.savings_unknown.setChecked(True)
        for box in self.boxes.values():
            box.touched = False
        self.housing.load_defaults()
        self.events.clear()
        for check in self.received.values():
            check.setChecked(False)
        self._received_order = []
        self.add_person(Role.DEMANDEUR)
        self.select_person(0)
        self.show_problems(())

    def load(self, household: Household) -> None:
        self.clear_persons()
        self.couple.set_value(household.couple)
        self.reference.setText(household.reference)
        self.separation_date.set_date(household.separation_date)
        self.childcare.set_value(household.childcare)
        self.asylum_seeker.setChecked(household.asylum_seeker)
        self.asylum_housed.setChecked(household.asylum_housed)
        self.savings_unknown.setChecked(household.savings is None)
        self.savings.set_amount(household.savings)
        self.housing.load(household.housing)
        self.housing.load_sought_home(household.sought_home)
        for benefit_id, check in self.received.items():
            check.setChecked(benefit_id in household.benefits_received)
        self._received_order = list(household.benefits_received)
        for person in household.persons:
            self.add_person(person.role, person)
        for box in self.boxes.values():
            box.touched = True
        self.select_person(0)
        self.refresh_table()
        self.events.load(household.events)

    def set_month(self, month: str) -> None:
        self._month = month
        for form in self.forms:
            form.set_month(month)
        self._update_household_visibility()

    def _received_ids(self) -> tuple[str, ...]:
        """Checked benefits: those of the case loaded in its order, then the others."""
        checked = [bid for bid, box in self.received.items() if box.isChecked()]
        known = [bid for bid in self._received_order if bid in checked]
        return tuple(known + [bid for bid in checked if bid not in known])

    def collect(self, today: dt.date | None = None) -> Collected:
        raw: list[RawProblem] = []
        persons = []
        for i, form in enumerate(self.forms):
            person, found = form.collect(i)
            persons.append(person)
            raw.extend(found)
        housing, found = self.housing.collect()
        raw.extend(found)
        sought_home, found = self.housing.collect_sought_home()
        raw.extend(found)
        events, found = self.events.collect()
        raw.extend(found)
        savings: float | None = None
        if not self.savings_unknown.isChecked():
            if self.savings.is_empty():
                savings = 0.0
            else:
                try:
                    savings = self.savings.amount()
                except ValueError as error:
                    raw.append(amount_problem("savings", self.savings.text(), error))
        couple = CoupleStatus(self.couple.currentData())
        separation: dt.date | None = None
        if couple == CoupleStatus.SEUL and self.separation_date.text().strip():
            try:
                separation = self.separation_date.date()
            except ValueError:
                raw.append(RawProblem("separation_date", self.separation_date.problem_key(), (("value", self.separation_date.text()),)))
        household = Household(
            persons=tuple(persons),
            couple=CoupleStatus(self.couple.currentData()),
            housing=housing,
            savings=savings,
            benefits_received=self._received_ids(),
            reference=self.reference.text().strip(),
            separation_date=separation,
            childcare=ChildcareMode(self.childcare.currentData()) if self._young_child() else ChildcareMode.AUCUN,
            asylum_seeker=self.asylum_seeker.isChecked(),
            asylum_housed=self.asylum_housed.isChecked() and self.asylum_seeker.isChecked(),
            events=events,
            sought_home=sought_home,
        )
        unreadable = {p.path for p in raw}
        problems = [Problem(p.path, t(p.key, field=field_label(p.path, household), **dict(p.params))) for p in raw]
        # the month computed: a home to rent must be entered after its first day (Visale)
        for problem in validate(household, today, known_benefits=self.known_benefits(), month=self._month):
            if not any(problem.field == path or problem.field.startswith(path + ".") or path.startswith(problem.field + ".")
                       for path in unreadable):
                problems.append(problem)
        return Collected(household, tuple(problems))

    def typed_fields(self) -> dict[str, QLineEdit]:
        """The fields whose text may not be readable yet (amounts, dates, the disability
        rate), by the path of their problems (``persons.0.birth_date``,
        ``persons.0.resources.1.monthly.3``, ``housing.rent``…): what a draft keeps as
        typed, since the household read from the form holds stand-ins for them."""
        fields: dict[str, QLineEdit] = {"savings": self.savings, "separation_date": self.separation_date}
        for i, form in enumerate(self.forms):
            base = f"persons.{i}"
            for name, box in form.boxes.items():
                if isinstance(box.control, (AmountEdit, DateEdit)) or name == "disability_rate":
                    fields[f"{base}.{name}"] = box.control  # type: ignore[assignment]
            for group, sub in (("studies", form.studies), ("job_offer", form.job_offer),
                               ("unemployment_rights", form.are_rights)):
                for name, box in sub.boxes.items():
                    if isinstance(box.control, (AmountEdit, DateEdit)):
                        fields[f"{base}.{group}.{name}"] = box.control
            for j, row in enumerate(form.resources.rows):
                fields[f"{base}.resources.{j}.stable"] = row.stable
                for k, edit in enumerate(row.grid.edits):
                    fields[f"{base}.resources.{j}.monthly.{k}"] = edit
        for name, box in self.housing.boxes.items():
            if isinstance(box.control, AmountEdit):
                fields[f"housing.{name}"] = box.control
        fields.update({"sought_home.entry_date": self.housing.entry, "sought_home.rent": self.housing.sought_rent,
                       "sought_home.charges": self.housing.sought_charges})
        fields.update(self.events.typed_fields())
        return fields

    def show_problems(self, problems: Sequence[Problem]) -> list[str]:
        """Messages next to their fields; returns those not shown inline (for a summary):
        required fields the agent has not reached yet, and anything without a place."""
        messages: dict[str, str] = {}
        for problem in problems:
            if problem.field in messages:
                messages[problem.field] += "\n" + problem.message
            else:
                messages[problem.field] = problem.message
        shown: set[str] = set()
        held: list[str] = []
        self._last_messages = {}
        for i, form in enumerate(self.forms):
            prefix = f"persons.{i}."
            own = [m for path, m in messages.items() if path.startswith(prefix)]
            self._last_messages[i] = own
            held.extend(form.show_problems(i, messages))
            shown.update(path for path in messages if path.startswith(prefix))
        self._mark_rows()
        held.extend(self.housing.show_problems(messages))
        shown.update(path for path in messages if path.startswith(("housing.", "sought_home.")))
        held.extend(self.events.show_problems(messages))
        shown.update(path for path in messages if path.startswith("events"))
        for name, box in self.boxes.items():
            message = messages.get(name)
            box.show_problem(message)
            shown.add(name)
        self.persons_error.show_message(messages.get("persons"))
        self.received_error.show_message(messages.get("benefits_received"))
        shown.update({"persons", "benefits_received"})
        held.extend(message for path, message in messages.items() if path not in shown)
        return held

    def mark_all_touched(self) -> None:
        for box in self.boxes.values():
            box.touched = True
        for form in self.forms:
            form.mark_touched()
        for box in [*self.housing.boxes.values(), *self.housing.sought_boxes.values()]:
            box.touched = True
