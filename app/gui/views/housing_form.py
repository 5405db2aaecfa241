"""Housing: occupancy status, rent and charges (only where there is a housing cost),
conventionné, the commune found offline by postal code or name, and a home the household is
about to rent (the Visale guarantee: its planned date of entry, rent and charges, shown once
« Cherche un logement à louer » is ticked; kept while hidden, not used)."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.core.model.communes import Commune, default_index
import datetime as dt

from app.core.model.household import STATUSES_WITH_HOUSING_COST, Housing, HousingStatus, SoughtHome
from app.core.base.i18n import t
from app.core.model.validation import shown
from app.gui.views.resources_editor import RawProblem, amount_problem
from app.gui.views.widgets import AmountEdit, ChoiceCombo, DateEdit, FieldBox, accessible

SUGGESTIONS = 15


MAX_COMMUNE_TEXT = 100


class CommuneEdit(QLineEdit):
    """Type a postal code or a name; pick a commune in the list (offline data)."""

    communeChosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(t("gui.housing.commune_placeholder"))
        self.setMaxLength(MAX_COMMUNE_TEXT)  # a search text: the longest commune label fits
        accessible(self, t("gui.housing.commune"), t("gui.housing.commune_help"))
        self._model = QStringListModel(self)
        self._choices: dict[str, tuple[str, str]] = {}  # label -> (insee, postal code)
        completer = QCompleter(self._model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(10)
        completer.activated[str].connect(self._on_chosen)  # type: ignore[index]  # the text overload
        self.setCompleter(completer)
        self._completer = completer
        self.selected: tuple[str, str] | None = None  # (insee, postal code)
        self.selected_label = ""
        self.textEdited.connect(self._on_edited)

    def _on_edited(self, text: str) -> None:
        if text != self.selected_label:
            self.selected = None
        self.refresh_suggestions(text)

    def refresh_suggestions(self, text: str) -> None:
        found = search(text)
        self._choices = {label: key for label, key in found}
        self._model.setStringList([label for label, _ in found])
        if found and self.hasFocus():
            self._completer.complete()

    def _on_chosen(self, label: str) -> None:
        key = self._choices.get(label)
        if key is None:
            return
        self.choose(key[0], key[1], label)
        self.communeChosen.emit()

    def choose(self, insee: str, postal_code: str, label: str) -> None:
        self.selected = (insee, postal_code)
        self.selected_label = label
        self.setText(label)

    def set_commune(self, insee: str, postal_code: str) -> None:
        if not insee:
            self.selected, self.selected_label = None, ""
            self.clear()
            return
        commune = default_index().by_insee(insee)
        if commune is None:
            self.selected, self.selected_label = (insee, postal_code), insee
            self.setText(insee)
            return
        self.choose(commune.insee, postal_code, _label(commune, postal_code))

    def resolve(self) -> tuple[str, str] | None:
        """The commune chosen, or the only one matching the text typed."""
        text = self.text().strip()
        if not text:
            return None
        if self.selected is not None and text == self.selected_label:
            return self.selected
        found = search(text, limit=2)
        if len(found) == 1:
            return found[0][1]
        return None

    def problem_key(self) -> str:
        """Why the text typed names no commune: an unknown postal code, an unknown name,
        or several communes to choose from."""
        if search(self.text(), limit=1):
            return "gui.problem.pick_commune"
        digits = self.text().strip().replace(" ", "")
        return "gui.problem.unknown_postal_code" if digits.isdigit() else "gui.problem.unknown_commune"

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        popup = self._completer.popup()
        if self.selected is None and (popup is None or not popup.isVisible()):
            key = self.resolve()
            if key is not None:
                label = next((lab for lab, k in search(self.text(), limit=2) if k == key), self.text())
                self.choose(key[0], key[1], label)
                self.communeChosen.emit()
        super().focusOutEvent(event)


def _label(commune: Commune, postal_code: str = "") -> str:
    return commune.label(postal_code or None)


def search(text: str, limit: int = SUGGESTIONS) -> list[tuple[str, tuple[str, str]]]:
    """(label, (insee, postal code)) for what the agent typed: by postal code each line
    names that postal code; by name, the commune's only postal code if it has one."""
    text = text.strip()
    if len(text) < 2:
        return []
    digits = text.replace(" ", "")
    out: list[tuple[str, tuple[str, str]]] = []
    for commune in default_index().search(text, limit):
        if digits.isdigit() and len(digits) == 5 and digits in commune.postal_codes:
            postal = digits
        elif len(commune.postal_codes) == 1:
            postal = commune.postal_codes[0]
        else:
            postal = ""
        label = _label(commune, postal)
        if any(existing == label for existing, _ in out):
            label = f"{label} [{commune.insee}]"
        out.append((label, (commune.insee, postal)))
    return out


class HousingForm(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = ChoiceCombo(HousingStatus, "housing", t("gui.housing.status"))
        self.status.set_value(HousingStatus.LOCATAIRE_VIDE)
        self.rent = AmountEdit(t("gui.housing.rent"))
        self.charges = AmountEdit(t("gui.housing.charges"))
        self.conventionne = QCheckBox(t("gui.housing.conventionne"))
        self.conventionne.setToolTip(t("gui.housing.conventionne_help"))
        accessible(self.conventionne, t("gui.housing.conventionne").replace("&", ""), t("gui.housing.conventionne_help"))
        self.commune = CommuneEdit()
        # A home about to be rented (« sought_home »): the Visale guarantee.
        self.seeking = QCheckBox(t("gui.housing.seeking"))
        self.seeking.setToolTip(t("gui.housing.seeking_help"))
        accessible(self.seeking, t("gui.housing.seeking"), t("gui.housing.seeking_help"))
        self.entry = DateEdit(t("field.entry_date"))
        self.sought_rent = AmountEdit(t("gui.housing.sought_rent"))
        self.sought_charges = AmountEdit(t("gui.housing.sought_charges"))
        self.sought_boxes = {  # by their field in the case format's « sought_home »
            "entry_date": FieldBox(self.entry),
            "rent": FieldBox(self.sought_rent),
            "charges": FieldBox(self.sought_charges),
        }
        for box in self.sought_boxes.values():
            box.edited.connect(self.edited)

        self.boxes = {
            "status": FieldBox(self.status),
            "rent": FieldBox(self.rent),
            "charges": FieldBox(self.charges),
            "commune_insee": FieldBox(self.commune),
        }
        for box in self.boxes.values():
            box.edited.connect(self.edited)
        self.conventionne.toggled.connect(lambda _checked: self.edited.emit())
        self.commune.communeChosen.connect(self._on_commune_chosen)

        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._rent_label = QLabel(t("gui.housing.rent_label"))
        self._rent_label.setBuddy(self.rent)
        status_label = QLabel(t("gui.housing.status_label"))
        status_label.setBuddy(self.status)
        commune_label = QLabel(t("gui.housing.commune_label"))
        commune_label.setBuddy(self.commune)
        charges_label = QLabel(t("gui.housing.charges_label"))
        charges_label.setBuddy(self.charges)
        charges_label.setFixedHeight(self.charges.sizeHint().height())  # level with the field
        form.addRow(status_label, self.boxes["status"])
        form.addRow(commune_label, self.boxes["commune_insee"])
        amounts = QWidget()
        row = QHBoxLayout(amounts)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.boxes["rent"], 1, Qt.AlignmentFlag.AlignTop)
        row.addWidget(charges_label, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.boxes["charges"], 1, Qt.AlignmentFlag.AlignTop)
        self._amounts = amounts
        form.addRow(self._rent_label, amounts)
        form.addRow("", self.conventionne)
        form.addRow("", self.seeking)
        entry_label = QLabel(t("gui.housing.entry_label"))
        entry_label.setBuddy(self.entry)
        self.entry.setMaximumWidth(160)
        form.addRow(entry_label, self.sought_boxes["entry_date"])
        sought_rent_label = QLabel(t("gui.housing.sought_rent_label"))
        sought_rent_label.setBuddy(self.sought_rent)
        sought_charges_label = QLabel(t("gui.housing.sought_charges_label"))
        sought_charges_label.setBuddy(self.sought_charges)
        sought_charges_label.setFixedHeight(self.sought_charges.sizeHint().height())
        sought = QWidget()
        sought_row = QHBoxLayout(sought)
        sought_row.setContentsMargins(0, 0, 0, 0)
        sought_row.addWidget(self.sought_boxes["rent"], 1, Qt.AlignmentFlag.AlignTop)
        sought_row.addWidget(sought_charges_label, 0, Qt.AlignmentFlag.AlignTop)
        sought_row.addWidget(self.sought_boxes["charges"], 1, Qt.AlignmentFlag.AlignTop)
        self._sought_amounts = sought
        form.addRow(sought_rent_label, sought)
        self._form = form
        self.status.currentIndexChanged.connect(self.update_visibility)
        self.seeking.toggled.connect(self._on_seeking)
        self.update_visibility()

    def _on_seeking(self, _checked: bool) -> None:
        self.update_visibility()
        self.edited.emit()

    def _on_commune_chosen(self) -> None:
        self.boxes["commune_insee"].touched = True
        self.edited.emit()

    def status_value(self) -> HousingStatus:
        return HousingStatus(self.status.currentData())

    def update_visibility(self, *_args: object) -> None:
        status = self.status_value()
        cost = status in STATUSES_WITH_HOUSING_COST
        self._form.setRowVisible(self._amounts, cost)
        self._form.setRowVisible(self.conventionne, cost)
        key = "gui.housing.loan_label" if status == HousingStatus.ACCEDANT else "gui.housing.rent_label"
        self._rent_label.setText(t(key))
        accessible(self.rent, t("gui.housing.loan" if status == HousingStatus.ACCEDANT else "gui.housing.rent"))
        seeking = self.seeking.isChecked()
        self._form.setRowVisible(self.sought_boxes["entry_date"], seeking)
        self._form.setRowVisible(self._sought_amounts, seeking)

    def load_defaults(self) -> None:
        """A new case: tenant of an unfurnished home, nothing typed yet."""
        self.status.set_value(HousingStatus.LOCATAIRE_VIDE)
        self.rent.clear()
        self.charges.clear()
        self.conventionne.setChecked(False)
        self.commune.set_commune("", "")
        self.load_sought_home(None)
        for box in [*self.boxes.values(), *self.sought_boxes.values()]:
            box.touched = False
            box.show_problem(None)
        self.update_visibility()

    def load(self, housing: Housing) -> None:
        self.status.set_value(housing.status)
        self.rent.set_amount(housing.rent if housing.rent else None)
        self.charges.set_amount(housing.charges if housing.charges else None)
        self.conventionne.setChecked(housing.conventionne)
        self.commune.set_commune(housing.commune_insee, housing.postal_code)
        for box in self.boxes.values():
            box.touched = True
        self.update_visibility()

    def load_sought_home(self, sought: SoughtHome | None) -> None:
        """The home to rent of a case (none: the box unticked, the fields emptied)."""
        self.seeking.setChecked(sought is not None)
        self.entry.set_date(sought.entry_date if sought is not None else None)
        self.sought_rent.set_amount(sought.rent if sought is not None else None)
        self.sought_charges.set_amount(sought.charges if sought is not None and sought.charges else None)
        for box in self.sought_boxes.values():
            box.touched = sought is not None
        self.update_visibility()

    def collect_sought_home(self) -> tuple[SoughtHome | None, list[RawProblem]]:
        """The home to rent when « Cherche un logement à louer » is ticked (stand-ins for
        what cannot be read, with its problem); None otherwise, whatever the fields hold."""
        if not self.seeking.isChecked():
            return None, []
        problems: list[RawProblem] = []
        entry = dt.date(1900, 1, 1)
        text = self.entry.text()
        if not text.strip():
            problems.append(RawProblem("sought_home.entry_date", "problem.required"))
        else:
            try:
                entry = self.entry.date()
            except ValueError:
                problems.append(RawProblem("sought_home.entry_date", self.entry.problem_key(), (("value", text),)))
        amounts = {"rent": 0.0, "charges": 0.0}
        for name, edit in (("rent", self.sought_rent), ("charges", self.sought_charges)):
            if edit.is_empty():
                continue
            try:
                amounts[name] = edit.amount()
            except ValueError as error:
                problems.append(amount_problem(f"sought_home.{name}", edit.text(), error))
        return SoughtHome(entry_date=entry, rent=amounts["rent"], charges=amounts["charges"]), problems

    def collect(self) -> tuple[Housing, list[RawProblem]]:
        problems: list[RawProblem] = []
        status = self.status_value()
        cost = status in STATUSES_WITH_HOUSING_COST
        amounts = {}
        for name, edit in (("rent", self.rent), ("charges", self.charges)):
            amounts[name] = 0.0
            if not cost or edit.is_empty():
                continue
            try:
                amounts[name] = edit.amount()
            except ValueError as error:
                problems.append(amount_problem(f"housing.{name}", edit.text(), error))
        insee, postal = "", ""
        if self.commune.text().strip():
            key = self.commune.resolve()
            if key is None:
                problems.append(RawProblem("housing.commune_insee", self.commune.problem_key(),
                                           (("value", shown(self.commune.text().strip())),)))
            else:
                insee, postal = key
        housing = Housing(
            status=status,
            rent=amounts["rent"],
            charges=amounts["charges"],
            conventionne=self.conventionne.isChecked() and cost,
            commune_insee=insee,
            postal_code=postal,
        )
        return housing, problems

    def show_problems(self, messages: dict[str, str]) -> list[str]:
        held = []
        for name, box in self.boxes.items():
            message = messages.get(f"housing.{name}")
            if name == "commune_insee":
                message = message or messages.get("housing.postal_code")
            if message and not box.touched and isinstance(box.control, QLineEdit) and not box.control.text().strip():
                held.append(message)
                message = None
            box.show_problem(message)
        for name, box in self.sought_boxes.items():
            message = messages.get(f"sought_home.{name}")
            if message and not box.touched and isinstance(box.control, QLineEdit) and not box.control.text().strip():
                held.append(message)
                message = None
            box.show_problem(message)
        return held
