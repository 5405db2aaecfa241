"""Cases, their simulations and the autosaved draft: rows, searches, references.

Functions here take a ``sqlite_utils.Database`` and run inside the caller's
transaction (``Store`` opens it); they never commit on their own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from sqlite_utils import Database

from app import __version__ as APP_VERSION
from app.core.io.casefile import case_from_dict, case_to_dict
from app.core.benefits.results import SimulationResult, Status
from app.core.model.household import Household
from app.core.base.i18n import t
from app.core.io.results_json import result_from_dict, result_to_dict
from app.core.store.clock import from_text, local_day, local_midnight, to_text
from app.core.store.errors import CaseNotFound, SimulationNotFound
from app.core.store.stats import add_activity

REFERENCE_PREFIX = "G"
REFERENCE_RE = re.compile(r"^G-(\d{4})-(\d{6,})$")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class CaseSummary:
    """One line of the case list."""

    id: int
    reference: str  # pseudonymous, e.g. "G-2026-000123"
    first_names: tuple[str, ...]  # the first names given, demandeur first; may be empty
    commune_insee: str
    commune_name: str  # "" when the commune is not known
    persons: int
    created_at: dt.datetime  # aware, UTC
    updated_at: dt.datetime  # last change of the situation or of its simulations
    touched_at: dt.datetime  # last use (opened, saved, simulated): the retention clock
    simulations: int
    last_simulation_at: dt.datetime | None
    variant_of: str | None  # reference of the case this one was duplicated from

    @property
    def display_name(self) -> str:
        """``Léa, Tom`` — or ``(sans prénom)`` for a case saved with no name."""
        return ", ".join(self.first_names) if self.first_names else t("store.case.no_name")


@dataclass(frozen=True)
class CaseRecord:
    """A case as stored: its summary and its case JSON (``casefile`` format)."""

    summary: CaseSummary
    case: dict[str, Any]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def reference(self) -> str:
        return self.summary.reference

    @property
    def month(self) -> str | None:
        month = self.case.get("month")
        return str(month) if month else None

    def household(self, today: dt.date | None = None) -> tuple[Household, str | None]:
        """(household, month) read and validated by ``casefile.case_from_dict``
        (raises ``InvalidHousehold`` with French problems, as for a case file)."""
        return case_from_dict(self.case, today)


@dataclass(frozen=True)
class SimulationSummary:
    id: int
    case_id: int
    created_at: dt.datetime
    month: str  # the legislation month computed, "YYYY-MM"
    app_version: str
    openfisca_france: str
    catalogue_version: str
    legislation_until: str
    note: str
    total_monthly: float  # SimulationResult.total_monthly() of the stored result
    total_yearly_extra: float
    benefits_found: int  # results "éligible"


@dataclass(frozen=True)
class StoredSimulation:
    """A simulation exactly as it was computed and stored."""

    summary: SimulationSummary
    inputs: dict[str, Any]  # the case JSON computed (casefile format, with its month)
    result: SimulationResult

    @property
    def id(self) -> int:
        return self.summary.id

    def household(self, today: dt.date | None = None) -> tuple[Household, str | None]:
        """The household computed, to recompute it on today's rules."""
        return case_from_dict(self.inputs, today)


@dataclass(frozen=True)
class Draft:
    """The autosaved draft of the case being edited (any JSON object the GUI saved)."""

    case: dict[str, Any]
    case_id: int | None  # the stored case it edits, None for a new case (or a deleted one)
    saved_at: dt.datetime


class CaseSort(StrEnum):
    UPDATED = "updated"
    CREATED = "created"
    TOUCHED = "touched"
    REFERENCE = "reference"
    NAME = "name"
    COMMUNE = "commune"


class DateField(StrEnum):
    UPDATED = "updated"
    CREATED = "created"
    TOUCHED = "touched"


_SORT_SQL = {
    CaseSort.UPDATED: "c.updated_at {d}, c.id {d}",
    CaseSort.CREATED: "c.created_at {d}, c.id {d}",
    CaseSort.TOUCHED: "c.touched_at {d}, c.id {d}",
    CaseSort.REFERENCE: "c.reference {d}",
    CaseSort.NAME: "c.sort_name = '', c.sort_name {d}, c.id {d}",  # no-name cases last
    CaseSort.COMMUNE: "c.sort_commune = '', c.sort_commune {d}, c.id {d}",
}
_DATE_COLUMN = {DateField.UPDATED: "c.updated_at", DateField.CREATED: "c.created_at", DateField.TOUCHED: "c.touched_at"}


@dataclass(frozen=True)
class CaseQuery:
    """A search of the case list. Every criterion given must match.

    ``text`` is what the agent types in the search box. A reference number,
    whole or in part (``G-2026-000123``, ``2026-000123``, ``000123``, ``123``),
    finds that case; a lone 5-digit number is a postal or INSEE code. Otherwise
    each word must start a word of the reference, of a first name or of the
    commune's name, or start its INSEE or postal code. Case, accents and
    punctuation are ignored. ``first_name`` and
    ``commune`` do the same on that field only; ``commune_insee`` is exact.
    Dates are the workstation's local days, both included.
    """

    text: str = ""
    first_name: str = ""
    commune: str = ""
    commune_insee: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    date_field: DateField = DateField.UPDATED
    sort: CaseSort = CaseSort.UPDATED
    descending: bool = True
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class CasePage:
    total: int  # cases matching, over all pages
    items: tuple[CaseSummary, ...]


# --------------------------------------------------------------------------- helpers


def normalise(text: str) -> str:
    """Lower case, no accents, every run of punctuation or spaces -> one space.

    ``"Zoé-Léa d'Aÿ"`` -> ``"zoe lea d ay"``. Letters of other scripts are kept.
    """
    for ligature, letters in (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("ß", "ss")):
        text = text.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[\W_]+", " ", stripped).split())


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _meta(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def get_meta(db: Database, key: str, default: str | None = None) -> str | None:
    value = _meta(db, key)
    return default if value is None else value


def set_meta(db: Database, key: str, value: str) -> None:
    db.table("meta").upsert({"key": key, "value": value}, pk="key")


def _inserted(pk: Any) -> int:
    if pk is None:
        raise RuntimeError("insert returned no row id")
    return int(pk)


def new_reference(db: Database, now: dt.datetime) -> str:
    """The next free ``G-<year>-<number>``: a per-year counter, never reused, never
    derived from the person."""
    year = local_day(now).year
    key = f"reference_counter.{year}"
    number = int(get_meta(db, key, "0") or 0)
    while True:
        number += 1
        reference = f"{REFERENCE_PREFIX}-{year}-{number:06d}"
        if not db.execute("SELECT 1 FROM cases WHERE reference = ?", (reference,)).fetchone():
            break
    set_meta(db, key, str(number))
    return reference


def _commune_name(insee: str) -> str:
    if not insee:
        return ""
    from app.core.model.communes import default_index

    commune = default_index().by_insee(insee)
    return commune.name if commune is not None else ""


def index_fields(case: Mapping[str, Any], reference: str) -> dict[str, Any]:
    """The searchable columns of a case, from its case JSON."""
    household = case.get("household") or {}
    persons = [p for p in household.get("persons") or [] if isinstance(p, dict)]
    ordered = [p for p in persons if p.get("role") == "demandeur"]
    ordered += [p for p in persons if p.get("role") == "conjoint"]
    ordered += [p for p in persons if p.get("role") not in ("demandeur", "conjoint")]
    names = [str(p.get("first_name") or "").strip() for p in ordered]
    names = [name for name in names if name]
    housing = household.get("housing") or {}
    insee = str(housing.get("commune_insee") or "")
    postal = str(housing.get("postal_code") or "")
    commune = _commune_name(insee)
    names_text = normalise(" ".join(names))
    words = [normalise(reference), names_text, normalise(commune), insee.lower(), postal]
    return {
        "first_names": dump_json(names),
        "commune_insee": insee,
        "commune_name": commune,
        "persons": len(persons),
        "names_text": names_text,
        "search_text": " ".join(word for word in words if word),
        "sort_name": normalise(names[0]) if names else "",
        "sort_commune": normalise(commune),
    }


def with_reference(case: Mapping[str, Any], reference: str) -> dict[str, Any]:
    """A copy of the case JSON whose household carries ``reference``."""
    out = json.loads(dump_json(case))
    household = out.get("household")
    if isinstance(household, dict):
        household["reference"] = reference
    return out


# --------------------------------------------------------------------------- cases


_SUMMARY_SQL = """
SELECT c.id, c.reference, c.first_names, c.commune_insee, c.commune_name, c.persons,
       c.created_at, c.updated_at, c.touched_at, c.variant_of,
       (SELECT count(*) FROM simulations s WHERE s.case_id = c.id),
       (SELECT max(s.created_at) FROM simulations s WHERE s.case_id = c.id)
FROM cases c
"""


def _summary(row: tuple[Any, ...]) -> CaseSummary:
    return CaseSummary(
        id=row[0],
        reference=row[1],
        first_names=tuple(json.loads(row[2])),
        commune_insee=row[3],
        commune_name=row[4],
        persons=row[5],
        created_at=from_text(row[6]),
        updated_at=from_text(row[7]),
        touched_at=from_text(row[8]),
        variant_of=row[9],
        simulations=row[10],
        last_simulation_at=from_text(row[11]) if row[11] else None,
    )


def case_summary(db: Database, case_id: int) -> CaseSummary:
    row = db.execute(_SUMMARY_SQL + " WHERE c.id = ?", (case_id,)).fetchone()
    if row is None:
        raise CaseNotFound(id=case_id)
    return _summary(row)


def get_case(db: Database, case_id: int) -> CaseRecord:
    summary = case_summary(db, case_id)
    (body,) = db.execute("SELECT body FROM case_bodies WHERE case_id = ?", (case_id,)).fetchone()
    return CaseRecord(summary, json.loads(body))


def find_case_by_reference(db: Database, reference: str) -> int | None:
    row = db.execute("SELECT id FROM cases WHERE reference = ?", (reference.strip(),)).fetchone()
    return None if row is None else int(row[0])


def touch_case(db: Database, case_id: int, now: dt.datetime) -> None:
    db.execute("UPDATE cases SET touched_at = ? WHERE id = ?", (to_text(now), case_id))


def insert_case(
    db: Database,
    case: Mapping[str, Any],
    now: dt.datetime,
    *,
    reference: str | None = None,
    uid: str | None = None,
    created_at: str | None = None,
    updated_at: str | None = None,
    variant_of: str | None = None,
) -> int:
    """A new case row and its body; the household gets the case's reference."""
    reference = reference or new_reference(db, now)
    case = with_reference(case, reference)
    stamp = to_text(now)
    row = {
        "uid": uid or uuid.uuid4().hex,
        "reference": reference,
        "created_at": created_at or stamp,
        "updated_at": updated_at or stamp,
        "touched_at": stamp,
        "variant_of": variant_of,
        **index_fields(case, reference),
    }
    case_id = _inserted(db.table("cases").insert(row).last_pk)
    db.table("case_bodies").insert({"case_id": case_id, "body": dump_json(case)})
    return case_id


def update_case(db: Database, case_id: int, case: Mapping[str, Any], now: dt.datetime) -> None:
    summary = case_summary(db, case_id)
    case = with_reference(case, summary.reference)
    body = dump_json(case)
    (old_body,) = db.execute("SELECT body FROM case_bodies WHERE case_id = ?", (case_id,)).fetchone()
    stamp = to_text(now)
    if body == old_body:
        touch_case(db, case_id, now)
        return
    db.table("case_bodies").update(case_id, {"body": body})
    db.table("cases").update(
        case_id, {"updated_at": stamp, "touched_at": stamp, **index_fields(case, summary.reference)}
    )


def save_case(
    db: Database, household: Household, month: str | None, case_id: int | None, now: dt.datetime
) -> int:
    case = case_to_dict(household, month)
    if case_id is None:
        return insert_case(db, case, now)
    update_case(db, case_id, case, now)
    return case_id


def duplicate_case(db: Database, case_id: int, now: dt.datetime) -> int:
    """A new case with the same situation, a new reference, no simulations."""
    record = get_case(db, case_id)
    return insert_case(db, record.case, now, variant_of=record.reference)


def delete_case(db: Database, case_id: int) -> None:
    case_summary(db, case_id)  # CaseNotFound
    db.execute("DELETE FROM cases WHERE id = ?", (case_id,))  # cascades to bodies and simulations


_REFERENCE_QUERY = re.compile(r"(g )?(?:(\d{4}) )?(\d{1,6})")


def _reference_pattern(text: str) -> str | None:
    """A ``LIKE`` pattern when the text is a reference, whole or in part:
    ``G-2026-000123``, ``2026-000123``, ``000123`` or ``123``. A lone 5-digit
    number is taken for a postal or INSEE code instead."""
    match = _REFERENCE_QUERY.fullmatch(normalise(text))
    if match is None:
        return None
    prefix, year, number = match.groups()
    if not prefix and not year and len(number) == 5:
        return None
    return f"{REFERENCE_PREFIX}-{year or '____'}-{int(number):06d}"


def search(db: Database, query: CaseQuery) -> CasePage:
    where: list[str] = []
    params: list[Any] = []
    text_filter = False

    def words(column: str, text: str) -> None:
        nonlocal text_filter
        for word in normalise(text).split():
            text_filter = True
            where.append(f"(' ' || {column}) LIKE ?")
            params.append(f"% {word}%")

    reference = _reference_pattern(query.text)
    if reference is not None and "_" not in reference:
        where.append("c.reference = ?")  # a whole reference: the unique index
        params.append(reference)
    elif reference is not None:
        where.append("c.reference LIKE ?")
        params.append(reference)
        text_filter = True
    else:
        words("c.search_text", query.text)
    words("c.names_text", query.first_name)
    words("c.sort_commune", query.commune)
    if query.commune_insee:
        where.append("c.commune_insee = ?")
        params.append(query.commune_insee.strip().upper())
    column = _DATE_COLUMN[DateField(query.date_field)]
    if query.date_from is not None:
        where.append(f"{column} >= ?")
        params.append(to_text(local_midnight(query.date_from)))
    if query.date_to is not None:
        where.append(f"{column} < ?")
        params.append(to_text(local_midnight(query.date_to + dt.timedelta(days=1))))
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    order = _SORT_SQL[CaseSort(query.sort)].format(d="DESC" if query.descending else "ASC")
    if text_filter:
        # A text filter may match few rows: scan the table and sort the matches,
        # rather than walk a whole sort index looking each row up ("+" disables it).
        order = order.replace("c.", "+c.")
    offset, limit = max(0, int(query.offset)), max(0, int(query.limit))
    if text_filter:
        # One pass: the page's ids, each with the number of matches (a window count).
        page = db.execute(
            "SELECT c.id, count(*) OVER () FROM cases c" + clause + f" ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        ids = [row[0] for row in page]
        total = page[0][1] if page else (0 if offset == 0 and limit > 0 else None)
    else:
        # No text filter: counting is cheap and a sort index gives the page directly.
        ids = [row[0] for row in db.execute(
            "SELECT c.id FROM cases c" + clause + f" ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
        )]
        total = None
    if total is None:
        (total,) = db.execute("SELECT count(*) FROM cases c" + clause, params).fetchone()
    # Summaries (with their simulation counts) only for the rows of the page.
    rows = {
        row[0]: row
        for row in db.execute(_SUMMARY_SQL + f" WHERE c.id IN ({','.join('?' * len(ids))})", ids)
    } if ids else {}
    return CasePage(int(total), tuple(_summary(rows[case_id]) for case_id in ids))


def expired_case_ids(db: Database, cutoff: dt.datetime) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM cases WHERE touched_at < ?", (to_text(cutoff),))]


def purge_before(db: Database, cutoff: dt.datetime) -> int:
    """Delete the cases untouched since ``cutoff`` and an older draft; their count."""
    stamp = to_text(cutoff)
    count = db.execute("DELETE FROM cases WHERE touched_at < ?", (stamp,)).rowcount
    db.execute("DELETE FROM drafts WHERE saved_at < ?", (stamp,))
    return int(count)


# --------------------------------------------------------------------------- simulations


def add_simulation(
    db: Database,
    case_id: int,
    inputs: Mapping[str, Any],
    result: SimulationResult,
    note: str,
    now: dt.datetime,
    *,
    created_at: str | None = None,
    app_version: str = APP_VERSION,
    count_activity: bool = True,
) -> int:
    summary = case_summary(db, case_id)
    inputs = with_reference(inputs, summary.reference)
    stamp = to_text(now)
    simulation_id = _inserted(
        db.table("simulations").insert(
            {
                "case_id": case_id,
                "created_at": created_at or stamp,
                "month": result.month,
                "app_version": app_version,
                "openfisca_france": result.openfisca_france,
                "catalogue_version": result.catalogue_version,
                "legislation_until": result.legislation_until,
                "inputs": dump_json(inputs),
                "results": dump_json(result_to_dict(result)),
                "note": note,
            }
        ).last_pk
    )
    db.execute("UPDATE cases SET updated_at = ?, touched_at = ? WHERE id = ?", (stamp, stamp, case_id))
    if count_activity:
        add_activity(db, now, result)
    return simulation_id


_SIMULATION_SQL = (
    "SELECT id, case_id, created_at, month, app_version, openfisca_france, catalogue_version, "
    "legislation_until, note, inputs, results FROM simulations"
)


def _simulation(row: tuple[Any, ...]) -> StoredSimulation:
    result = result_from_dict(json.loads(row[10]))
    summary = SimulationSummary(
        id=row[0],
        case_id=row[1],
        created_at=from_text(row[2]),
        month=row[3],
        app_version=row[4],
        openfisca_france=row[5],
        catalogue_version=row[6],
        legislation_until=row[7],
        note=row[8],
        total_monthly=float(result.total_monthly()),
        total_yearly_extra=float(result.total_yearly_extra()),
        benefits_found=sum(1 for b in result.benefits if b.status == Status.ELIGIBLE),
    )
    return StoredSimulation(summary, json.loads(row[9]), result)


def list_simulations(db: Database, case_id: int) -> tuple[SimulationSummary, ...]:
    case_summary(db, case_id)  # CaseNotFound
    rows = db.execute(_SIMULATION_SQL + " WHERE case_id = ? ORDER BY created_at DESC, id DESC", (case_id,))
    return tuple(_simulation(row).summary for row in rows)


def get_simulation(db: Database, simulation_id: int) -> StoredSimulation:
    row = db.execute(_SIMULATION_SQL + " WHERE id = ?", (simulation_id,)).fetchone()
    if row is None:
        raise SimulationNotFound(id=simulation_id)
    return _simulation(row)


def simulations_of(db: Database, case_id: int) -> tuple[StoredSimulation, ...]:
    """Every simulation of a case, oldest first (exports)."""
    rows = db.execute(_SIMULATION_SQL + " WHERE case_id = ? ORDER BY created_at, id", (case_id,))
    return tuple(_simulation(row) for row in rows)


def set_simulation_note(db: Database, simulation_id: int, note: str, now: dt.datetime) -> None:
    stored = get_simulation(db, simulation_id)
    db.execute("UPDATE simulations SET note = ? WHERE id = ?", (note, simulation_id))
    stamp = to_text(now)
    db.execute("UPDATE cases SET updated_at = ?, touched_at = ? WHERE id = ?", (stamp, stamp, stored.summary.case_id))


def delete_simulation(db: Database, simulation_id: int) -> None:
    get_simulation(db, simulation_id)  # SimulationNotFound
    db.execute("DELETE FROM simulations WHERE id = ?", (simulation_id,))


# --------------------------------------------------------------------------- draft


def save_draft(db: Database, body: str, case_id: int | None, now: dt.datetime) -> None:
    if case_id is not None and not db.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone():
        case_id = None
    db.execute(
        "INSERT INTO drafts(id, case_id, saved_at, body) VALUES (1, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET case_id = excluded.case_id, saved_at = excluded.saved_at, body = excluded.body",
        (case_id, to_text(now), body),
    )


def pending_draft(db: Database) -> Draft | None:
    row = db.execute("SELECT case_id, saved_at, body FROM drafts WHERE id = 1").fetchone()
    if row is None:
        return None
    try:
        case = json.loads(row[2])
    except ValueError:
        return None
    return Draft(case if isinstance(case, dict) else {}, row[0], from_text(row[1]))


def clear_draft(db: Database) -> bool:
    return bool(db.execute("DELETE FROM drafts WHERE id = 1").rowcount)
