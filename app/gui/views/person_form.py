"""Everything about one person: role, identity, activity, disability, schooling, taxable
income, resources. Fields that do not apply to the role are hidden; what they hold
is kept (switching back shows it again) but not used."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.base import formats
from app.core.model.household import Activity, Person, Role, Schooling
from app.core.base.i18n import t
from app.core.model.validation import MAX_FIRST_NAME
from app.core.model.periods import current_month, parse_month
from app.gui.views.person_extras import JobOfferForm, StudiesForm, UnemploymentRightsForm
from app.gui.views.resources_editor import RawProblem, ResourcesEditor, amount_problem
from app.gui.views.widgets import AmountEdit, ChoiceCombo, DateEdit, FieldBox, accessible, titled_group

FALLBACK_BIRTH_DATE = dt.date(1900, 1, 1)  # stands for an unreadable date during validation only
DEPENDANT_ROLES = (Role.ENFANT, Role.AUTRE)
JOB_SEEKER = (Activity.DEMANDEUR_EMPLOI_INDEMNISE, Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE)
APPRENTICE_AGES = (15, 29)  # an apprenticeship contract starts at 15 (16 in general) and until 29


def schooling_for_age(birth: dt.date, month: str) -> Schooling:
    """The usual school level of a child in the school year of ``month`` (French system:
    a child enters primary school in September of the calendar year of its 6th birthday)."""
    year, mon = parse_month(month)
    school_year = year if mon >= 9 else year - 1
    age = school_year - birth.year
    if age < 3:
        return Schooling.AUCUNE
    if age < 6:
        return Schooling.MATERNELLE
    if age < 11:
        return Schooling.PRIMAIRE
    if age < 15:
        return Schooling.COLLEGE
    if age < 18:
        return Schooling.LYCEE
    return Schooling.AUCUNE


class PersonForm(QWidget):
    edited = Signal()
    roleChanged = Signal()
    structureChanged = Signal()

    def __init__(self, person_id: str, role: Role, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person_id = person_id
        self._month = current_month()
        self.number = 1

        self.role = ChoiceCombo(Role, "role", t("gui.person.role"))
        self.role.set_value(role)
        self.first_name = QLineEdit()
        self.first_name.setPlaceholderText(t("gui.optional"))
        # Past MAX_FIRST_NAME, validation says so next to the field (nothing cut silently);
        # the widget's own bound only stops a runaway paste.
        self.first_name.setMaxLength(10 * MAX_FIRST_NAME)
        accessible(self.first_name, t("gui.person.first_name"))
        self.birth_date = DateEdit(t("gui.person.birth_date"))
        self.activity = ChoiceCombo(Activity, "activity", t("gui.person.activity"))
        self.activity.set_value(Activity.INACTIF)  # the model's default: nothing assumed
        self.schooling = ChoiceCombo(Schooling, "schooling", t("gui.person.schooling"))
        self.pregnant = QCheckBox(t("gui.person.pregnant"))
        accessible(self.pregnant, t("gui.person.pregnant").replace("&", ""))
        self.due_date = DateEdit(t("gui.person.due_date"))
        self.adoption_date = DateEdit(t("gui.person.adoption_date"))
        self.adoption_date.setToolTip(t("gui.person.adoption_help"))
        self.ass_work_history = QCheckBox(t("gui.person.ass_work_history"))
        self.ass_work_history.setToolTip(t("gui.person.ass_work_history_help"))
        accessible(self.ass_work_history, t("gui.person.ass_work_history"), t("gui.person.ass_work_history_help"))
        self.apprentice = QCheckBox(t("gui.person.apprentice"))
        accessible(self.apprentice, t("gui.person.apprentice"), t("gui.person.apprentice_help"))
        self.apprentice.setToolTip(t("gui.person.apprentice_help"))
        self.studies = StudiesForm()
        self.job_offer = JobOfferForm()
        self.are_rights = UnemploymentRightsForm()
        self.disability_rate = QLineEdit()
        self.disability_rate.setPlaceholderText(t("gui.person.disability_placeholder"))
        self.disability_rate.setMaxLength(6)
        accessible(self.disability_rate, t("gui.person.disability_rate"), t("gui.person.disability_help"))
        self.taxable_n1 = AmountEdit(t("gui.person.taxable_n1", year=""), placeholder=t("gui.optional"))
        self.taxable_n2 = AmountEdit(t("gui.person.taxable_n2", year=""), placeholder=t("gui.optional"))
        self.resources = ResourcesEditor()

        self.boxes: dict[str, FieldBox] = {}
        for name, control in (
            ("role", self.role), ("first_name", self.first_name), ("birth_date", self.birth_date),
            ("activity", self.activity), ("ass_work_history", self.ass_work_history), ("apprentice", self.apprentice),
            ("schooling", self.schooling), ("pregnant", self.pregnant), ("pregnancy_due_date", self.due_date),
            ("adoption_date", self.adoption_date),
            ("disability_rate", self.disability_rate),
            ("taxable_income_last_year", self.taxable_n1), ("taxable_income_n2", self.taxable_n2),
        ):
            box = FieldBox(control)
            box.edited.connect(self.edited)
            self.boxes[name] = box
        self.schooling_box = self.boxes["schooling"]

        left = QFormLayout()
        right = QFormLayout()
        for form in (left, right):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setVerticalSpacing(6)
        self._labels: dict[str, QLabel] = {}

        def add(form: QFormLayout, name: str, key: str) -> None:
            label = QLabel(t(key))
            label.setBuddy(self.boxes[name].control)
            self._labels[name] = label
            form.addRow(label, self.boxes[name])

        add(left, "role", "gui.person.role_label")
        add(left, "first_name", "gui.person.first_name_label")
        add(left, "birth_date", "gui.person.birth_date_label")
        add(left, "activity", "gui.person.activity_label")
        left.addRow("", self.boxes["ass_work_history"])
        left.addRow("", self.boxes["apprentice"])
        self._left_form = left
        add(right, "schooling", "gui.person.schooling_label")
        add(right, "disability_rate", "gui.person.disability_label")
        add(right, "adoption_date", "gui.person.adoption_label")
        add(right, "taxable_income_last_year", "gui.person.taxable_n1_label")
        add(right, "taxable_income_n2", "gui.person.taxable_n2_label")
        right.addRow("", self.boxes["pregnant"])
        add(right, "pregnancy_due_date", "gui.person.due_date_label")
        self.pregnant.toggled.connect(lambda _checked: self.update_visibility())
        self._right_form = right

        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(12)
        columns.addLayout(right, 1)
        self.resources_group, resources_body = titled_group(t("gui.resources.title"))
        resources_layout = QVBoxLayout(resources_body)
        resources_layout.setContentsMargins(8, 6, 8, 6)
        resources_layout.addWidget(self.resources)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(columns)
        layout.addWidget(self.studies)
        layout.addWidget(self.job_offer)
        layout.addWidget(self.are_rights)
        layout.addWidget(self.resources_group)

        self.role.activated.connect(self._on_role)
        self.activity.currentIndexChanged.connect(self.update_visibility)
        self.birth_date.textChanged.connect(self._suggest_schooling)
        self.birth_date.textChanged.connect(lambda _text: self.update_visibility())
        self.schooling.currentIndexChanged.connect(lambda _index: self.update_visibility())
        for sub in (self.studies, self.job_offer, self.are_rights):
            sub.edited.connect(self.edited)
            sub.declared.toggled.connect(lambda _checked: self.edited.emit())
        self.resources.edited.connect(self.edited)
        self.resources.structureChanged.connect(self.structureChanged)
        self.set_month(self._month)
        self.update_visibility()

    # -- behaviour ----------------------------------------------------------------------
    def role_value(self) -> Role:
        return Role(self.role.currentData())

    def _on_role(self, *_args: object) -> None:
        self.update_visibility()
        self._suggest_schooling()
        self.roleChanged.emit()

    def update_visibility(self) -> None:
        role = self.role_value()
        child = role == Role.ENFANT
        self._right_form.setRowVisible(self.schooling_box, self._schooling_applies())
        self._right_form.setRowVisible(self.boxes["pregnant"], not child)
        self._right_form.setRowVisible(self.boxes["adoption_date"], child)
        self._right_form.setRowVisible(self.boxes["pregnancy_due_date"], not child and self.pregnant.isChecked())
        for name in ("taxable_income_last_year", "taxable_income_n2"):
            self._right_form.setRowVisible(self.boxes[name], not child)
        self._left_form.setRowVisible(self.boxes["ass_work_history"], self._job_seeker())
        self._left_form.setRowVisible(self.boxes["apprentice"], self._apprentice_age())
        self.studies.setVisible(self._student())
        self.job_offer.setVisible(self._job_seeker())
        self.are_rights.setVisible(self._employee())

    def _student(self) -> bool:
        """A student, or a dependant in higher education: the Crous grant's questions."""
        return (Activity(self.activity.currentData()) == Activity.ETUDIANT
                or (self._schooling_applies() and Schooling(self.schooling.currentData()) == Schooling.SUPERIEUR))

    def _apprentice_age(self) -> bool:
        birth = self.birth()
        if birth is None:
            return False
        month = parse_month(self._month)
        age = Person(self.person_id, Role.AUTRE, birth).age_on(dt.date(month[0], month[1], 1))
        return APPRENTICE_AGES[0] <= age <= APPRENTICE_AGES[1]

    def _schooling_applies(self) -> bool:
        """Children and other dependants; adults only when they are students."""
        return self.role_value() in DEPENDANT_ROLES or Activity(self.activity.currentData()) == Activity.ETUDIANT

    def _employee(self) -> bool:
        """An adult employee: the complément ARE's questions (a job taken up with ARE left)."""
        return self.role_value() != Role.ENFANT and Activity(self.activity.currentData()) == Activity.SALARIE

    def _job_seeker(self) -> bool:
        return self.role_value() != Role.ENFANT and Activity(self.activity.currentData()) in JOB_SEEKER

    def _suggest_schooling(self, *_args: object) -> None:
        """Children: propose the usual school level for their age until the agent picks one."""
        if self.schooling_box.touched or self.role_value() != Role.ENFANT:
            return
        try:
            birth = self.birth_date.date()
        except ValueError:
            return
        self.schooling.set_value(schooling_for_age(birth, self._month))

    def set_month(self, month: str) -> None:
        self._month = month
        year = parse_month(month)[0]
        self._labels["taxable_income_last_year"].setText(t("gui.person.taxable_n1_label", year=year - 1))
        self._labels["taxable_income_n2"].setText(t("gui.person.taxable_n2_label", year=year - 2))
        accessible(self.taxable_n1, t("gui.person.taxable_n1", year=year - 1))
        accessible(self.taxable_n2, t("gui.person.taxable_n2", year=year - 2))
        self.resources.set_month(month)
        self._suggest_schooling()

    def focus_order(self) -> list[QWidget]:
        """The controls in reading order: left column, right column, resources."""
        return [self.role, self.first_name, self.birth_date, self.activity, self.ass_work_history, self.apprentice,
                self.schooling, self.disability_rate, self.taxable_n1, self.taxable_n2, self.pregnant,
                *[box.control for form in (self.studies, self.job_offer, self.are_rights) for box in form.boxes.values()],
                *self.resources.focus_order()]

    def set_number(self, number: int) -> None:
        self.number = number

    # -- data -----------------------------------------------------------------------------
    def load(self, person: Person) -> None:
        self.person_id = person.id
        self.role.set_value(person.role)
        self.first_name.setText(person.first_name)
        self.birth_date.set_date(person.birth_date)
        self.activity.set_value(person.activity)
        self.schooling.set_value(person.schooling)
        self.pregnant.setChecked(person.pregnant)
        self.due_date.set_date(person.pregnancy_due_date)
        self.adoption_date.set_date(person.adoption_date)
        self.ass_work_history.setChecked(getattr(person, "ass_work_history", False))
        self.apprentice.setChecked(person.apprentice)
        self.studies.load(person.studies)
        self.job_offer.load(person.job_offer)
        self.are_rights.load(person.unemployment_rights)
        self.disability_rate.setText(
            "" if person.disability_rate is None else formats.number(person.disability_rate, 0 if person.disability_rate == int(person.disability_rate) else 1)
        )
        self.taxable_n1.set_amount(person.taxable_income_last_year)
        self.taxable_n2.set_amount(person.taxable_income_n2)
        self.resources.load(person.resources)
        self.mark_touched()
        self.update_visibility()

    def mark_touched(self) -> None:
        for box in self.boxes.values():
            box.touched = True
        self.resources.mark_touched()
        self.studies.mark_touched()
        self.job_offer.mark_touched()
        self.are_rights.mark_touched()

    def display_name(self) -> str:
        return self.first_name.text().strip()

    def birth(self) -> dt.date | None:
        try:
            return self.birth_date.date()
        except ValueError:
            return None

    def collect(self, index: int) -> tuple[Person, list[RawProblem]]:
        base = f"persons.{index}"
        problems: list[RawProblem] = []
        role = self.role_value()
        text = self.birth_date.text()
        birth = self.birth()
        if birth is None:
            if text.strip():
                problems.append(RawProblem(f"{base}.birth_date", self.birth_date.problem_key(), (("value", text),)))
            else:
                problems.append(RawProblem(f"{base}.birth_date", "problem.required"))
            birth = FALLBACK_BIRTH_DATE
        rate: float | None = None
        rate_text = self.disability_rate.text().replace("%", "").strip()
        if rate_text:
            try:
                rate = AmountEdit.amount_of(rate_text)
            except ValueError as error:
                problems.append(amount_problem(f"{base}.disability_rate", self.disability_rate.text(), error))
        taxable: dict[str, float | None] = {}
        for name, edit in (("taxable_income_last_year", self.taxable_n1), ("taxable_income_n2", self.taxable_n2)):
            taxable[name] = None
            if role == Role.ENFANT or edit.is_empty():
                continue
            try:
                taxable[name] = edit.amount()
            except ValueError as error:
                problems.append(amount_problem(f"{base}.{name}", edit.text(), error))
        resources, found = self.resources.collect(base)
        problems.extend(found)
        pregnant = self.pregnant.isChecked() and role != Role.ENFANT
        due: dt.date | None = None
        if pregnant and self.due_date.text().strip():
            try:
                due = self.due_date.date()
            except ValueError:
                problems.append(RawProblem(f"{base}.pregnancy_due_date", self.due_date.problem_key(), (("value", self.due_date.text()),)))
        adopted: dt.date | None = None
        if role == Role.ENFANT and self.adoption_date.text().strip():  # hidden for others: kept, not sent
            try:
                adopted = self.adoption_date.date()
            except ValueError:
                problems.append(RawProblem(f"{base}.adoption_date", self.adoption_date.problem_key(),
                                           (("value", self.adoption_date.text()),)))
        studies = self.studies.collect(f"{base}.studies", problems) if self._student() else None
        offer = self.job_offer.collect(f"{base}.job_offer", problems) if self._job_seeker() else None
        rights = (self.are_rights.collect(f"{base}.unemployment_rights", problems) if self._employee()
                  else None)
        person = Person(
            id=self.person_id,
            role=role,
            birth_date=birth,
            first_name=self.first_name.text().strip(),
            activity=Activity(self.activity.currentData()),
            disability_rate=rate,
            pregnant=pregnant,
            pregnancy_due_date=due,
            ass_work_history=self.ass_work_history.isChecked() and self._job_seeker(),
            schooling=Schooling(self.schooling.currentData()) if self._schooling_applies() else Schooling.AUCUNE,
            resources=resources,
            taxable_income_last_year=taxable["taxable_income_last_year"],
            taxable_income_n2=taxable["taxable_income_n2"],
            apprentice=self.apprentice.isChecked() and self._apprentice_age(),
            studies=studies,
            job_offer=offer,
            adoption_date=adopted,
            unemployment_rights=rights,
        )
        return person, problems

    def show_problems(self, index: int, messages: dict[str, str]) -> list[str]:
        """Show this person's messages next to their fields; returns those held back
        (required fields the agent has not reached yet)."""
        base = f"persons.{index}"
        held: list[str] = []
        for name, box in self.boxes.items():
            message = messages.get(f"{base}.{name}")
            if message and not box.touched and _is_empty(box.control):
                held.append(message)
                message = None
            box.show_problem(message)
        self.resources.show_problems(base, messages)
        self.studies.show_problems(f"{base}.studies", messages)
        self.job_offer.show_problems(f"{base}.job_offer", messages)
        self.are_rights.show_problems(f"{base}.unemployment_rights", messages)
        return held


def _is_empty(control: QWidget) -> bool:
    return isinstance(control, QLineEdit) and not control.text().strip()
