"""A person's fields that only some persons have (case format version 3): a student's higher
education (the Crous grant, the aide au mérite), a job seeker's job or training to come
(AGEPI, aide à la mobilité) and an employee's unemployment rights left (complément ARE). ``PersonForm`` shows each only when it applies; what is typed
stays in the widgets while hidden, and is not used."""

from __future__ import annotations

import datetime as dt
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.core.model.household import (
    BacMention, Establishment, JobOffer, OfferKind, Studies, StudyYear, UnemploymentRights,
)
from app.core.base.i18n import t
from app.gui.views.resources_editor import RawProblem, amount_problem
from app.gui.views.widgets import AmountEdit, ChoiceCombo, DateEdit, FieldBox, accessible, format_amount, titled_group


FIELD_WIDTH = 160


class _Fields(QWidget):
    """A titled group of fields, each in a ``FieldBox`` named as in the case format."""

    edited = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group, body = titled_group(title)
        self.form = QFormLayout(body)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setContentsMargins(8, 6, 8, 6)
        self.boxes: dict[str, FieldBox] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.group)

    def add(self, name: str, control: QWidget, label_key: str | None = None) -> FieldBox:
        if isinstance(control, (AmountEdit, DateEdit)):
            control.setMaximumWidth(FIELD_WIDTH)  # a number or a date: no need for the whole width
        box = FieldBox(control)
        box.edited.connect(self.edited)
        self.boxes[name] = box
        if label_key is None:
            self.form.addRow("", box)
        else:
            label = QLabel(t(label_key))
            label.setBuddy(control)
            self.form.addRow(label, box)
        return box

    def show_problems(self, path: str, messages: dict[str, str]) -> None:
        for name, box in self.boxes.items():
            box.show_problem(messages.get(f"{path}.{name}"))

    def mark_touched(self) -> None:
        for box in self.boxes.values():
            box.touched = True


def _number(edit: AmountEdit, path: str, problems: list[RawProblem], whole: bool = False) -> float | None:
    """The number typed (None when empty); a problem when it cannot be read."""
    if edit.is_empty():
        return None
    try:
        value = edit.amount()
    except ValueError as error:
        problems.append(amount_problem(path, edit.text(), error))
        return None
    if whole and value != int(value):
        problems.append(RawProblem(path, "problem.not_whole", (("value", edit.text()),)))
        return None
    return value


def _edit(name_key: str) -> AmountEdit:
    return AmountEdit(t(name_key), placeholder=t("gui.optional"))


class StudiesForm(_Fields):
    """« Études supérieures »: year, establishment, distance to the family home, the
    parents' income (required once anything is typed), the baccalauréat's mention."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(t("gui.studies.title"), parent)
        self.study_year = ChoiceCombo(StudyYear, "study_year", t("field.study_year"))
        self.establishment = ChoiceCombo(Establishment, "establishment", t("field.establishment"))
        self.distance = _edit("field.family_distance_km")
        self.parents_income = AmountEdit(t("field.parents_income_n2"), placeholder=t("gui.studies.parents_placeholder"))
        self.parents_income.setToolTip(t("gui.studies.parents_help"))
        self.bac_mention = ChoiceCombo(BacMention, "bac_mention", t("field.bac_mention"))
        self.declared = QCheckBox(t("gui.studies.declared"))
        accessible(self.declared, t("gui.studies.declared"), t("gui.studies.help"))
        self.declared.setToolTip(t("gui.studies.help"))
        self.add("declared", self.declared)
        self.add("study_year", self.study_year, "gui.studies.year_label")
        self.add("establishment", self.establishment, "gui.studies.establishment_label")
        self.add("family_distance_km", self.distance, "gui.studies.distance_label")
        self.add("parents_income_n2", self.parents_income, "gui.studies.parents_label")
        self.add("bac_mention", self.bac_mention, "gui.studies.bac_label")
        self.declared.toggled.connect(lambda _checked: self.update_visibility())
        self.update_visibility()

    def update_visibility(self) -> None:
        for name, box in self.boxes.items():
            if name != "declared":
                self.form.setRowVisible(box, self.declared.isChecked())

    def load(self, studies: Studies | None) -> None:
        self.declared.setChecked(studies is not None)
        studies = studies or Studies()
        self.study_year.set_value(studies.study_year)
        self.establishment.set_value(studies.establishment)
        self.distance.setText(format_amount(studies.family_distance_km) if studies.family_distance_km else "")
        self.parents_income.set_amount(studies.parents_income_n2)
        self.bac_mention.set_value(studies.bac_mention)
        self.update_visibility()

    def collect(self, path: str, problems: list[RawProblem]) -> Studies | None:
        if not self.declared.isChecked():
            return None
        distance = _number(self.distance, f"{path}.family_distance_km", problems, whole=True)
        return Studies(
            study_year=StudyYear(self.study_year.currentData()),
            establishment=Establishment(self.establishment.currentData()),
            family_distance_km=int(distance or 0),
            parents_income_n2=_number(self.parents_income, f"{path}.parents_income_n2", problems),
            bac_mention=BacMention(self.bac_mention.currentData()),
        )


class JobOfferForm(_Fields):
    """« Emploi ou formation qui commence »: the contract, its start, its length, the hours a
    week, the trip. The length asked follows the contract (months for a CDD or intérim,
    hours for a training)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(t("gui.offer.title"), parent)
        self.declared = QCheckBox(t("gui.offer.declared"))
        accessible(self.declared, t("gui.offer.declared"), t("gui.offer.help"))
        self.declared.setToolTip(t("gui.offer.help"))
        self.contract = ChoiceCombo(OfferKind, "offer_kind", t("field.contract"))
        self.start = DateEdit(t("field.start_date"))
        self.months = _edit("field.duration_months")
        self.hours = _edit("field.training_hours")
        self.weekly = _edit("field.weekly_hours")
        self.distance = _edit("field.distance_km")
        self.minutes = _edit("field.trip_minutes")
        self.trips = _edit("field.round_trips")
        self.add("declared", self.declared)
        self.add("contract", self.contract, "gui.offer.contract_label")
        self.add("start_date", self.start, "gui.offer.start_label")
        self.add("duration_months", self.months, "gui.offer.months_label")
        self.add("training_hours", self.hours, "gui.offer.hours_label")
        self.add("weekly_hours", self.weekly, "gui.offer.weekly_label")
        self.add("distance_km", self.distance, "gui.offer.distance_label")
        self.add("trip_minutes", self.minutes, "gui.offer.minutes_label")
        self.add("round_trips", self.trips, "gui.offer.trips_label")
        self.declared.toggled.connect(lambda _checked: self.update_visibility())
        self.contract.currentIndexChanged.connect(lambda _index: self.update_visibility())
        self.update_visibility()

    def update_visibility(self) -> None:
        on = self.declared.isChecked()
        kind = OfferKind(self.contract.currentData())
        shown: dict[str, bool] = {name: on for name in self.boxes if name != "declared"}
        shown["duration_months"] = on and kind in (OfferKind.CDD, OfferKind.INTERIM)
        shown["training_hours"] = on and kind == OfferKind.FORMATION
        for name, visible in shown.items():
            self.form.setRowVisible(self.boxes[name], visible)

    def load(self, offer: JobOffer | None) -> None:
        self.declared.setChecked(offer is not None)
        if offer is not None:
            self.contract.set_value(offer.contract)
            self.start.set_date(offer.start_date)
            for edit, value in ((self.months, offer.duration_months), (self.hours, offer.training_hours),
                                (self.weekly, offer.weekly_hours), (self.distance, offer.distance_km),
                                (self.minutes, offer.trip_minutes), (self.trips, offer.round_trips)):
                edit.set_amount(value)
        self.update_visibility()

    def collect(self, path: str, problems: list[RawProblem]) -> JobOffer | None:
        if not self.declared.isChecked():
            return None
        kind = OfferKind(self.contract.currentData())
        start: dt.date | None = None
        text = self.start.text()
        if not text.strip():
            problems.append(RawProblem(f"{path}.start_date", "problem.required"))
        else:
            try:
                start = self.start.date()
            except ValueError:
                problems.append(RawProblem(f"{path}.start_date", self.start.problem_key(), (("value", text),)))

        def whole(edit: AmountEdit, name: str, applies: bool = True) -> int | None:
            value = _number(edit, f"{path}.{name}", problems, whole=True) if applies else None
            return None if value is None else int(value)

        months = whole(self.months, "duration_months", kind in (OfferKind.CDD, OfferKind.INTERIM))
        hours = whole(self.hours, "training_hours", kind == OfferKind.FORMATION)
        weekly = _number(self.weekly, f"{path}.weekly_hours", problems)
        distance = _number(self.distance, f"{path}.distance_km", problems)
        minutes = whole(self.minutes, "trip_minutes")
        trips = whole(self.trips, "round_trips")
        return JobOffer(kind, start or dt.date(1900, 1, 1), duration_months=months, training_hours=hours,
                        weekly_hours=weekly, distance_km=distance, trip_minutes=minutes, round_trips=trips)



class UnemploymentRightsForm(_Fields):
    """« Droits au chômage restants »: an employee who took up a job while days of ARE are
    left (the complément ARE): the gross daily allowance, the reference daily wage and the
    days left, as France Travail's notification and personal space give them. All three are
    needed once the box is ticked."""

    NAMES = ("daily_allowance", "reference_daily_wage", "days_left")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(t("gui.are_rights.title"), parent)
        self.declared = QCheckBox(t("gui.are_rights.declared"))
        accessible(self.declared, t("gui.are_rights.declared"), t("gui.are_rights.help"))
        self.declared.setToolTip(t("gui.are_rights.help"))
        self.daily = AmountEdit(t("field.daily_allowance"))
        self.wage = AmountEdit(t("field.reference_daily_wage"))
        self.days = AmountEdit(t("field.days_left"))
        self.add("declared", self.declared)
        self.add("daily_allowance", self.daily, "gui.are_rights.daily_label")
        self.add("reference_daily_wage", self.wage, "gui.are_rights.wage_label")
        self.add("days_left", self.days, "gui.are_rights.days_label")
        self.declared.toggled.connect(lambda _checked: self.update_visibility())
        self.update_visibility()

    def update_visibility(self) -> None:
        for name in self.NAMES:
            self.form.setRowVisible(self.boxes[name], self.declared.isChecked())

    def load(self, rights: UnemploymentRights | None) -> None:
        self.declared.setChecked(rights is not None)
        if rights is not None:
            self.daily.set_amount(rights.daily_allowance)
            self.wage.set_amount(rights.reference_daily_wage)
            self.days.set_amount(rights.days_left)
        self.update_visibility()

    def collect(self, path: str, problems: list[RawProblem]) -> UnemploymentRights | None:
        if not self.declared.isChecked():
            return None
        values: dict[str, float | None] = {}
        for name, edit in zip(self.NAMES, (self.daily, self.wage, self.days)):
            if edit.is_empty():
                problems.append(RawProblem(f"{path}.{name}", "problem.required"))
                values[name] = None
            else:
                values[name] = _number(edit, f"{path}.{name}", problems, whole=name == "days_left")
        if any(value is None for value in values.values()):
            return None
        return UnemploymentRights(daily_allowance=float(values["daily_allowance"] or 0.0),
                                  reference_daily_wage=float(values["reference_daily_wage"] or 0.0),
                                  days_left=int(values["days_left"] or 0))
