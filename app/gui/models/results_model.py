"""A Qt table model over a ``SimulationResult`` and the catalogue: one row per benefit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.base import formats
from app.core.base.i18n import t
from app.gui import icons

if TYPE_CHECKING:  # the engine module pulls numpy and OpenFisca: not at start-up
    from app.core.benefits.benefit import Benefit
    from app.core.benefits.catalogue import Catalogue
    from app.core.benefits.results import BenefitResult, SimulationResult

# Status values (app.core.benefits.results.Status is a StrEnum: equal to these strings)
ELIGIBLE, NOT_ELIGIBLE, TO_CHECK, ERROR = "eligible", "not_eligible", "to_check", "error"
# Claim values (app.core.benefits.results.Claim, likewise): what the household has to do
TO_REQUEST, AUTOMATIC, RECEIVED = "to_request", "automatic", "received"

BENEFIT, AMOUNT, STATUS, PAYING_BODY = range(4)
COLUMNS = ("benefit", "amount", "status", "paying_body")
BENEFIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
AMOUNT_ROLE = Qt.ItemDataRole.UserRole + 2
NOT_CLAIMED_COLOR = QColor("#fff1c7")
AUTOMATIC_COLOR = QColor("#e9f5ec")
RECEIVED_COLOR = QColor("#eef3f8")
STALE_COLOR = QColor("#8a8f98")

Index = QModelIndex | QPersistentModelIndex


def _outside_territory(item: BenefitResult) -> bool:
    """A local aid of another territory: listed by the engine, hidden on screen."""
    try:
        from app.core.benefits.local_aids import is_outside_territory
    except ImportError:
        return False
    return bool(is_outside_territory(item))


def amount_text(benefit: Benefit, result: BenefitResult) -> str:
    """What the amount column says: ``362,87 €/mois``, ``429,01 €/an``, … or a dash."""
    if result.status == TO_CHECK and result.amount > 0 and benefit.value == "amount":
        key = f"gui.results.up_to_{result.amount_period}"
        return t(key, amount=formats.euros(result.amount))
    if result.status != ELIGIBLE:
        return t("gui.results.no_amount")
    if benefit.value == "boolean":
        return t("gui.results.boolean_yes")
    amount = formats.euros(result.amount)
    if benefit.value == "contribution":
        return t("gui.results.contribution", amount=amount)
    key = f"gui.results.amount_{result.amount_period}"
    return t(key, amount=amount)


def status_text(result: BenefitResult) -> str:
    """``Éligible``, ``Non éligible``, ``À vérifier``… or ``Déjà perçue``."""
    if result.already_received and result.status in (ELIGIBLE, TO_CHECK):
        return t("results.already_received")
    return t(f"status.{result.status.value}")


def claim_status_text(result: BenefitResult) -> str:
    """The status column: what the household has to do, in words (the row's colour only
    repeats it): « À demander », « À vérifier · à demander », « Automatique » (the
    column's short word for « Versée automatiquement », which the tooltip, the detail, the
    summary and the accessible text say in full: the benefit's name keeps its room at
    1366 px), « Déjà perçue », else the status (« Non éligible »…)."""
    claim = str(result.claim.value)
    if claim == TO_REQUEST:
        return t("gui.results.to_request") if result.status == ELIGIBLE else t("gui.results.to_check_request")
    if claim == AUTOMATIC:
        return t("gui.results.automatic_short")
    return status_text(result)


def status_help(result: BenefitResult) -> str:
    if result.error:
        return result.error
    claim = str(result.claim.value)
    if claim == TO_REQUEST:
        return t("gui.results.not_claimed_help")
    if claim == AUTOMATIC:
        return t("gui.results.automatic_help")
    if claim == RECEIVED:
        return t("gui.results.received_help")
    return ""


def long_status_text(result: BenefitResult) -> str:
    """« Éligible · Non demandée », « Éligible · Versée automatiquement », « Déjà perçue »…"""
    text = status_text(result)
    if str(result.claim.value) in (TO_REQUEST, AUTOMATIC):
        return t("gui.results.status_with", status=text, tag=result.claim.label)
    return text


def row_rank(benefit: Benefit, result: BenefitResult | None) -> int:
    """Display order of the results: the benefits to request first (a cost, the CSS with
    participation, after them), then those paid automatically, those already received,
    failures, and the benefits the household is not eligible for."""
    if result is None:
        return 9
    claim = str(result.claim.value)
    if claim == TO_REQUEST:
        if benefit.value == "contribution":
            return 2
        return 0 if result.status == ELIGIBLE else 1
    return {AUTOMATIC: 3, RECEIVED: 4}.get(claim, 5 if result.status == ERROR else 6)


class ResultsModel(QAbstractTableModel):
    def __init__(self, catalogue: Catalogue | None = None) -> None:
        super().__init__()
        self._catalogue = catalogue
        self._result: SimulationResult | None = None
        self._rows: list[tuple[Benefit, BenefitResult | None]] = []
        self._stale = False
        self._rebuild()

    # -- state ------------------------------------------------------------------------
    def set_catalogue(self, catalogue: Catalogue) -> None:
        self.beginResetModel()
        self._catalogue = catalogue
        self._rebuild()
        self.endResetModel()

    def set_result(self, result: SimulationResult | None) -> None:
        self.beginResetModel()
        self._result = result
        self._stale = False
        self._rebuild()
        self.endResetModel()

    def set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    @property
    def result(self) -> SimulationResult | None:
        return self._result

    @property
    def stale(self) -> bool:
        return self._stale

    def _rebuild(self) -> None:
        """National benefits always; local aids (``catalogue.local_aids``) only when the
        result has them (the engine adds those of the household's territory)."""
        if self._catalogue is None:
            self._rows = []
            return
        national = {benefit.id for benefit in self._catalogue}
        entries = self._catalogue.entries() if hasattr(self._catalogue, "entries") else tuple(self._catalogue)
        found: dict[str, BenefitResult] = {}
        if self._result is not None:
            found = {item.benefit_id: item for item in self._result.benefits if not _outside_territory(item)}
        rows: list[tuple[Benefit, BenefitResult | None]] = [
            (benefit, found.get(benefit.id)) for benefit in entries if benefit.id in national or benefit.id in found
        ]
        if self._result is not None:
            rows.sort(key=lambda row: row_rank(*row))  # stable: the catalogue's order within a rank
        self._rows = rows

    def row_of(self, benefit_id: str) -> int:
        return next((i for i, (benefit, _) in enumerate(self._rows) if benefit.id == benefit_id), -1)

    def benefit_at(self, row: int) -> tuple[Benefit, BenefitResult | None]:
        return self._rows[row]

    # -- Qt API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return t(f"gui.results.column.{COLUMNS[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        benefit, result = self._rows[index.row()]
        column = index.column()
        if role == BENEFIT_ID_ROLE:
            return benefit.id
        if role == AMOUNT_ROLE:
            return result.amount if result is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == BENEFIT:
                return benefit.short_label
            if column == PAYING_BODY:
                return benefit.paying_body.short
            if result is None:
                return t("gui.results.no_amount")
            return amount_text(benefit, result) if column == AMOUNT else claim_status_text(result)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == BENEFIT:
                return benefit.label
            if column == PAYING_BODY:
                return benefit.paying_body.name
            if column in (STATUS, AMOUNT) and result is not None:
                return status_help(result) or None
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if result is None:
                return benefit.label
            return t("gui.results.accessible_row", benefit=benefit.label, amount=amount_text(benefit, result),
                     status=long_status_text(result), body=benefit.paying_body.name)
        if role == Qt.ItemDataRole.DecorationRole and column == STATUS and result is not None:
            return icons.icon(str(result.status.value))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and result is not None:
            claim = str(result.claim.value)
            if claim == RECEIVED:
                return QBrush(RECEIVED_COLOR)
            if claim == AUTOMATIC:
                return QBrush(AUTOMATIC_COLOR)
            if claim == TO_REQUEST and benefit.value != "contribution":  # a cost is not a right to claim
                return QBrush(NOT_CLAIMED_COLOR)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._stale:
                return QBrush(STALE_COLOR)
            if result is not None and result.status == NOT_ELIGIBLE:
                return QBrush(QColor("#5f6670"))
            return None
        if role == Qt.ItemDataRole.FontRole and result is not None and result.status == ELIGIBLE:
            font = QFont()
            font.setBold(column in (BENEFIT, AMOUNT))
            return font
        return None
