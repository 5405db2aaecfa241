"""« Changements récents »: the life events of case format 3 (``LifeEvent``), each at a month
inside the look-back windows: a job that ended or started (one per adult), a move into the
declared dwelling, a couple that formed (shown when the household is a couple).

Hidden until the agent ticks « Un changement récent ». The widgets keep what was typed;
``collect`` reads them into events and the problems of texts that cannot be read, with the
paths (``events.0.month``) that ``validation`` uses, so that each message shows next to its
field. What a loaded case holds and this form does not show (the charges, commune or
conventionné of the dwelling before) is kept as it was.
"""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.model.household import Activity, EventKind, Housing, HousingStatus, LifeEvent, Person, Role
from app.core.base.i18n import t
from app.core.model.periods import month_str, parse_month
from app.core.model.validation import shown
from app.gui.views.resources_editor import RawProblem, amount_problem
from app.gui.views.widgets import AmountEdit, ChoiceCombo, FieldBox, accessible

_MONTH_TEXT = re.compile(r"^(\d{1,2})\s*[/. -]\s*(\d{4})$")


def parse_month_text(text: str) -> str:
    """``08/2026``, ``8/2026`` or ``2026-08`` -> ``2026-08``; raises ValueError."""
    stripped = text.strip()
    match = _MONTH_TEXT.match(stripped)
    if match:
        stripped = month_str(int(match.group(2)), int(match.group(1))) if 1 <= int(match.group(1)) <= 12 else stripped
    parse_month(stripped)
    return stripped


def month_text(month: str) -> str:
    return f"{month[5:7]}/{month[:4]}"


class MonthEdit(QLineEdit):
    """A month typed ``08/2026``."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(t("gui.events.month_placeholder"))
        self.setMaxLength(20)
        accessible(self, name, t("gui.events.month_help"))

    def month(self) -> str:
        return parse_month_text(self.text())


class JobRow(QWidget):
    """One adult's job change: none, a job that ended, a job that started."""

    edited = Signal()
    NONE = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person_id = ""
        self.title = QLabel()
        self.kind = QComboBox()
        self.kind.addItem(t("gui.events.job_none"), self.NONE)
        for kind in (EventKind.JOB_END, EventKind.JOB_START):
            self.kind.addItem(t(f"gui.events.{kind.value}"), kind.value)
        accessible(self.kind, t("gui.events.job_kind"))
        self.month = MonthEdit(t("field.event_month"))
        self.salary = AmountEdit(t("field.event_salary_before"))
        self.unemployment = AmountEdit(t("field.event_unemployment_before"))
        self.activity = ChoiceCombo(Activity, "activity", t("field.event_activity_before"))
        self.boxes = {name: FieldBox(control) for name, control in (
            ("kind", self.kind), ("month", self.month), ("salary_before", self.salary),
            ("unemployment_before", self.unemployment), ("activity_before", self.activity))}
        for box in self.boxes.values():
            box.edited.connect(self.edited)
        self.kind.currentIndexChanged.connect(self._update)
        self.kind.currentIndexChanged.connect(self.edited)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.boxes["kind"], 0, 1)
        self._labels = _labelled_rows(grid, self.boxes, (
            ("month", "gui.events.month_label"), ("salary_before", "gui.events.salary_label"),
            ("unemployment_before", "gui.events.unemployment_label"), ("activity_before", "gui.events.activity_label")))
        self._update()

    def _update(self) -> None:
        on = bool(self.kind.currentData())
        for label in self._labels:
            label.setVisible(on)
        for name, box in self.boxes.items():
            if name != "kind":
                box.setVisible(on)

    def set_person(self, person: Person, label: str) -> None:
        self.person_id = person.id
        self.title.setText(label)

    def clear(self) -> None:
        self.kind.setCurrentIndex(0)
        for edit in (self.month, self.salary, self.unemployment):
            edit.clear()
        self.activity.set_value(Activity.SALARIE)

    def load(self, event: LifeEvent) -> None:
        self.kind.setCurrentIndex(self.kind.findData(event.kind.value))
        self.month.setText(month_text(event.month))
        self.salary.set_amount(event.salary_before or None)
        self.unemployment.set_amount(event.unemployment_before or None)
        self.activity.set_value(event.activity_before_or_default())

    def collect(self, path: str, raw: list[RawProblem]) -> LifeEvent | None:
        kind = self.kind.currentData()
        if not kind:
            return None
        month = _read_month(self.month, f"{path}.month", raw)
        salary, unemployment = (_read_amount(edit, f"{path}.{name}", raw) for name, edit in (
            ("salary_before", self.salary), ("unemployment_before", self.unemployment)))
        return LifeEvent(EventKind(kind), month, person=self.person_id, activity_before=Activity(self.activity.currentData()),
                         salary_before=salary, unemployment_before=unemployment)


def _read_amount(edit: AmountEdit, path: str, raw: list[RawProblem]) -> float:
    """The amount typed (empty: 0); unreadable: a problem, and 0."""
    if edit.is_empty():
        return 0.0
    try:
        return edit.amount()
    except ValueError as error:
        raw.append(amount_problem(path, edit.text(), error))
        return 0.0


def _labelled_rows(grid: QGridLayout, boxes: dict[str, FieldBox], rows: tuple[tuple[str, str], ...]) -> list[QLabel]:
    """A label and its field per row, from the grid's row 1; the fields keep their width
    (the space goes to an empty last column). Returns the labels (shown with their fields)."""
    labels = []
    for row, (name, key) in enumerate(rows, start=1):
        label = QLabel(t(key))
        label.setBuddy(boxes[name].control)
        labels.append(label)
        grid.addWidget(label, row, 0)
        grid.addWidget(boxes[name], row, 1)
    grid.setColumnStretch(2, 1)
    return labels


def _read_month(edit: MonthEdit, path: str, raw: list[RawProblem]) -> str:
    """The month typed; unreadable or empty: a problem, and a stand-in month (this one
    is never computed: the case is not computable while the problem stands)."""
    if not edit.text().strip():
        raw.append(RawProblem(path, "problem.required"))
        return "2000-01"
    try:
        return edit.month()
    except ValueError:
        raw.append(RawProblem(path, "problem.not_a_month", (("value", shown(edit.text())),)))
        return "2000-01"


class EventsForm(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(t("gui.events.enabled"))
        accessible(self.enabled, t("gui.events.enabled").replace("&", ""), t("gui.events.help"))
        self.enabled.setToolTip(t("gui.events.help"))
        self.jobs = (JobRow(), JobRow())  # the demandeur's, the conjoint's
        self.moved = QCheckBox(t("gui.events.move"))
        self.move_month = MonthEdit(t("gui.events.move_month"))
        self.move_status = ChoiceCombo(HousingStatus, "housing", t("gui.events.move_status"))
        self.move_status.insertItem(0, t("gui.events.move_unknown"), "")  # the dwelling before is not known
        self.move_status.setCurrentIndex(0)
        self.move_rent = AmountEdit(t("gui.events.move_rent"))
        self.coupled = QCheckBox(t("gui.events.couple"))
        self.couple_month = MonthEdit(t("gui.events.couple_month"))
        self.boxes = {name: FieldBox(control) for name, control in (
            ("move_month", self.move_month), ("move_status", self.move_status), ("move_rent", self.move_rent),
            ("couple_month", self.couple_month))}
        self._before = Housing()  # the loaded dwelling before: its fields this form does not show
        self._in_couple = False

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(18, 0, 0, 0)
        for row in self.jobs:
            body.addWidget(row)
            row.edited.connect(self.edited)
        move_grid = QGridLayout()
        move_grid.addWidget(self.moved, 0, 0, 1, 2)
        self._move_labels = _labelled_rows(move_grid, self.boxes, (
            ("move_month", "gui.events.move_month_label"), ("move_status", "gui.events.move_status_label"),
            ("move_rent", "gui.events.move_rent_label")))
        body.addLayout(move_grid)
        couple_grid = QGridLayout()
        couple_grid.addWidget(self.coupled, 0, 0)
        couple_grid.addWidget(self.boxes["couple_month"], 0, 1)
        couple_grid.setColumnStretch(2, 1)
        body.addLayout(couple_grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.enabled)
        layout.addWidget(self.body)
        for box in self.boxes.values():
            box.edited.connect(self.edited)
        for check in (self.enabled, self.moved, self.coupled):
            check.toggled.connect(self._update)
            check.toggled.connect(self.edited)
        self._update()

    # -- what is shown
    def set_household(self, persons: tuple[Person, ...], labels: dict[str, str], in_couple: bool) -> None:
        """The adults (a job row each) and whether the household is a couple."""
        adults = [p for p in persons if p.role == Role.DEMANDEUR] + [p for p in persons if p.role == Role.CONJOINT]
        for i, row in enumerate(self.jobs):
            if i < len(adults):
                row.set_person(adults[i], labels.get(adults[i].id, adults[i].id))
            else:
                row.person_id = ""
        self._in_couple = in_couple
        self._update()

    def _update(self) -> None:
        on = self.enabled.isChecked()
        self.body.setVisible(on)
        for row in self.jobs:
            row.setVisible(on and bool(row.person_id))
        for label in self._move_labels:
            label.setVisible(self.moved.isChecked())
        for name in ("move_month", "move_status", "move_rent"):
            self.boxes[name].setVisible(self.moved.isChecked())
        self.coupled.setVisible(self._in_couple)
        self.boxes["couple_month"].setVisible(self._in_couple and self.coupled.isChecked())

    # -- loading and reading
    def clear(self) -> None:
        for row in self.jobs:
            row.clear()
        for edit in (self.move_month, self.move_rent, self.couple_month):
            edit.clear()
        self.move_status.setCurrentIndex(0)
        self._before = Housing()
        for check in (self.moved, self.coupled, self.enabled):
            check.setChecked(False)

    def load(self, events: tuple[LifeEvent, ...]) -> None:
        """Call after ``set_household`` (the job rows know their person)."""
        self.clear()
        for event in events:
            if event.is_job:
                row = next((r for r in self.jobs if r.person_id and r.person_id == event.person), None)
                if row is not None:
                    row.load(event)
            elif event.kind == EventKind.MOVE:
                self.moved.setChecked(True)
                self.move_month.setText(month_text(event.month))
                self._before = event.housing_before or Housing()
                if event.housing_before is not None:
                    self.move_status.set_value(self._before.status)
                self.move_rent.set_amount(self._before.rent or None)
            elif event.kind == EventKind.COUPLE_START:
                self.coupled.setChecked(True)
                self.couple_month.setText(month_text(event.month))
        self.enabled.setChecked(bool(events))
        for box in self.boxes.values():
            box.touched = True

    def collect(self) -> tuple[tuple[LifeEvent, ...], list[RawProblem]]:
        """The events typed, in a fixed order (job rows, move, couple), and the problems
        of texts that cannot be read; ``self.paths`` maps each event path to its widgets."""
        raw: list[RawProblem] = []
        events: list[LifeEvent] = []
        self.paths: dict[str, FieldBox] = {}
        if not self.enabled.isChecked():
            return (), raw
        for row in self.jobs:
            if not row.person_id:
                continue
            path = f"events.{len(events)}"
            event = row.collect(path, raw)
            if event is not None:
                events.append(event)
                self.paths.update({f"{path}.{name}": box for name, box in row.boxes.items()})
                self.paths[f"{path}.person"] = row.boxes["kind"]
        if self.moved.isChecked():
            path = f"events.{len(events)}"
            month = _read_month(self.move_month, f"{path}.month", raw)
            rent = _read_amount(self.move_rent, f"{path}.housing_before.rent", raw)
            status = self.move_status.currentData()
            before = replace(self._before, status=HousingStatus(status), rent=rent) if status else None
            events.append(LifeEvent(EventKind.MOVE, month, housing_before=before))
            self.paths.update({f"{path}.month": self.boxes["move_month"], f"{path}.kind": self.boxes["move_month"],
                               f"{path}.housing_before.status": self.boxes["move_status"],
                               f"{path}.housing_before.rent": self.boxes["move_rent"]})
        if self._in_couple and self.coupled.isChecked():
            path = f"events.{len(events)}"
            events.append(LifeEvent(EventKind.COUPLE_START, _read_month(self.couple_month, f"{path}.month", raw)))
            self.paths.update({f"{path}.month": self.boxes["couple_month"], f"{path}.kind": self.boxes["couple_month"]})
        return tuple(events), raw

    def show_problems(self, messages: dict[str, str]) -> list[str]:
        """Messages next to their fields; returns the event messages with no field here."""
        paths = getattr(self, "paths", {})
        by_box: dict[int, list[str]] = {}
        for path, message in messages.items():
            box = paths.get(path)
            if box is not None:
                by_box.setdefault(id(box), []).append(message)
        boxes = list(self.boxes.values()) + [b for row in self.jobs for b in row.boxes.values()]
        for box in boxes:
            box.show_problem("\n".join(by_box.get(id(box), [])) or None)
        return [m for path, m in messages.items() if path.startswith("events") and path not in paths]

    def typed_fields(self) -> dict[str, QLineEdit]:
        """The month and amount fields by the path of their problems (for drafts)."""
        fields: dict[str, QLineEdit] = {}
        for path, box in getattr(self, "paths", {}).items():
            if isinstance(box.control, QLineEdit):
                fields[path] = box.control
        return fields
