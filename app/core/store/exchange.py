"""Moving a case between workstations: the export file and its strict import.

An export is one JSON file (UTF-8), an envelope around the case::

    {
      "format": "guichet-case-export",
      "version": 1,
      "exported_at": "2026-11-29T16:22:50.123456Z",
      "app_version": "0.1.0",
      "sha256": "<hex SHA-256 of the canonical JSON of content>",
      "content": {
        "uid": "<32 hex digits, the case's identity across workstations>",
        "reference": "G-2026-000123",
        "created_at": "…", "updated_at": "…",
        "variant_of": null,
        "case": { <the case file format of docs/case-format.md> },
        "simulations": [
          {"created_at": "…", "app_version": "0.1.0", "note": "…",
           "inputs": { <case file format, as computed> },
           "result": { <results_json.result_to_dict> }}
        ]
      }
    }

The canonical JSON is ``json.dumps(content, ensure_ascii=False, sort_keys=True,
separators=(",", ":"))`` encoded in UTF-8. The checksum detects a damaged or
hand-edited file; it is not a signature (whoever edits the file on purpose can
recompute it), so the import also validates everything it reads, as strictly as
a case file, and imports nothing unless all of it is valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from app import __version__ as APP_VERSION
from app.core.io.casefile import case_from_dict
from app.core.benefits.results import SimulationResult
from app.core.base.i18n import t
from app.core.io.results_json import ResultFormatError, result_from_dict, result_to_dict
from app.core.store.cases import (
    REFERENCE_RE,
    add_simulation,
    case_summary,
    delete_case,
    find_case_by_reference,
    get_case,
    insert_case,
    new_reference,
    simulations_of,
)
from app.core.store.clock import is_timestamp, to_text
from app.core.store.errors import ImportConflict, ImportRefused
from app.core.model.validation import InvalidHousehold

EXPORT_FORMAT = "guichet-case-export"
EXPORT_VERSION = 1
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a case with hundreds of simulations is well below
FILE_SUFFIX = ".guichet.json"

_UID_RE = re.compile(r"^[0-9a-f]{32}$")
_ENVELOPE_FIELDS = {"format", "version", "exported_at", "app_version", "sha256", "content"}
_CONTENT_FIELDS = {"uid", "reference", "created_at", "updated_at", "variant_of", "case", "simulations"}
_SIMULATION_FIELDS = {"created_at", "app_version", "note", "inputs", "result"}


@dataclass(frozen=True)
class ImportedSimulation:
    created_at: str
    app_version: str
    note: str
    inputs: dict[str, Any]
    result: SimulationResult


@dataclass(frozen=True)
class ParsedExport:
    uid: str
    reference: str
    created_at: str
    updated_at: str
    variant_of: str | None
    case: dict[str, Any]
    simulations: tuple[ImportedSimulation, ...]


@dataclass(frozen=True)
class ImportResult:
    case_id: int
    reference: str  # the case's reference in this database
    renamed_from: str | None  # the file's reference, when it was taken here by another case
    simulations: int
    replaced: bool  # an older copy of the same case was replaced


def canonical(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def checksum(content: Any) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


# --------------------------------------------------------------------------- export


def build_export(db: Database, case_id: int, now: dt.datetime) -> dict[str, Any]:
    record = get_case(db, case_id)
    uid, created_at, updated_at, variant_of = db.execute(
        "SELECT uid, created_at, updated_at, variant_of FROM cases WHERE id = ?", (case_id,)
    ).fetchone()
    content = {
        "uid": uid,
        "reference": record.reference,
        "created_at": created_at,
        "updated_at": updated_at,
        "variant_of": variant_of,
        "case": record.case,
        "simulations": [
            {
                "created_at": to_text(simulation.summary.created_at),
                "app_version": simulation.summary.app_version,
                "note": simulation.summary.note,
                "inputs": simulation.inputs,
                "result": result_to_dict(simulation.result),
            }
            for simulation in simulations_of(db, case_id)
        ],
    }
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": to_text(now),
        "app_version": APP_VERSION,
        "sha256": checksum(content),
        "content": content,
    }


def dump_export(envelope: dict[str, Any]) -> bytes:
    return (json.dumps(envelope, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- import


def _refuse(key: str, details: tuple[str, ...] = (), **params: Any) -> ImportRefused:
    return ImportRefused(t(key, **params), details)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _object(data: Any, fields: set[str], where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _refuse("store.import.malformed", where=where)
    missing = sorted(fields - set(data))
    if missing:
        raise _refuse("store.import.missing_field", where=where, name=missing[0])
    unknown = sorted(set(data) - fields)
    if unknown:
        raise _refuse("store.import.unknown_field", where=where, name=unknown[0])
    return data


def _case(data: Any, where: str, today: dt.date | None) -> dict[str, Any]:
    try:
        case_from_dict(data, today)
    except InvalidHousehold as error:
        raise _refuse(
            "store.import.invalid_case", tuple(p.message for p in error.problems), where=where
        ) from None
    assert isinstance(data, dict)
    return data


def read_file(path: Path) -> bytes:
    """The bytes of an export file; ``ImportRefused`` when unreadable or too big."""
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise _refuse("store.import.too_big", size=size // 2**20, max=MAX_IMPORT_BYTES // 2**20)
        return path.read_bytes()
    except OSError as error:
        raise _refuse("store.import.unreadable", reason=type(error).__name__) from None


def parse_export(raw: bytes, today: dt.date | None = None) -> ParsedExport:
    """The validated content of an export file; raises ``ImportRefused`` (French)."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise _refuse("store.import.too_big", size=len(raw) // 2**20, max=MAX_IMPORT_BYTES // 2**20)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("store.import.not_text") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise _refuse("store.import.not_json", line=error.lineno, column=error.colno) from None
    except ValueError:
        raise _refuse("store.import.malformed", where=t("store.import.where.file")) from None
    if not isinstance(data, dict):
        raise _refuse("store.import.not_export")
    if data.get("format") == "guichet-case":
        raise _refuse("store.import.plain_case_file")
    if data.get("format") != EXPORT_FORMAT:
        raise _refuse("store.import.not_export")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > EXPORT_VERSION:
        raise _refuse("store.import.too_new", found=version, supported=EXPORT_VERSION)
    if version != EXPORT_VERSION:
        raise _refuse("store.import.bad_version", found=version)
    digest = data.get("sha256")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise _refuse("store.import.no_checksum")
    envelope = _object(data, _ENVELOPE_FIELDS, t("store.import.where.file"))
    content = envelope["content"]
    if checksum(content) != digest:
        raise _refuse("store.import.checksum")

    where = t("store.import.where.case")
    content = _object(content, _CONTENT_FIELDS, where)
    uid, reference, variant_of = content["uid"], content["reference"], content["variant_of"]
    if not isinstance(uid, str) or not _UID_RE.match(uid):
        raise _refuse("store.import.bad_value", where=where, name="uid")
    if not isinstance(reference, str) or not REFERENCE_RE.match(reference):
        raise _refuse("store.import.bad_value", where=where, name="reference")
    if variant_of is not None and (not isinstance(variant_of, str) or not REFERENCE_RE.match(variant_of)):
        raise _refuse("store.import.bad_value", where=where, name="variant_of")
    for name in ("created_at", "updated_at"):
        if not is_timestamp(content[name]):
            raise _refuse("store.import.bad_value", where=where, name=name)
    case = _case(content["case"], where, today)
    raw_simulations = content["simulations"]
    if not isinstance(raw_simulations, list):
        raise _refuse("store.import.bad_value", where=where, name="simulations")
    simulations = []
    for number, item in enumerate(raw_simulations, start=1):
        where = t("store.import.where.simulation", number=number)
        item = _object(item, _SIMULATION_FIELDS, where)
        if not is_timestamp(item["created_at"]):
            raise _refuse("store.import.bad_value", where=where, name="created_at")
        for name in ("app_version", "note"):
            if not isinstance(item[name], str):
                raise _refuse("store.import.bad_value", where=where, name=name)
        inputs = _case(item["inputs"], where, today)
        try:
            result = result_from_dict(item["result"])
        except ResultFormatError as error:
            raise _refuse("store.import.invalid_result", where=where, reason=str(error)) from None
        if inputs.get("month") != result.month:
            raise _refuse("store.import.bad_value", where=where, name="inputs.month")
        simulations.append(ImportedSimulation(item["created_at"], item["app_version"], item["note"], inputs, result))
    return ParsedExport(
        uid=uid,
        reference=reference,
        created_at=content["created_at"],
        updated_at=content["updated_at"],
        variant_of=variant_of,
        case=case,
        simulations=tuple(simulations),
    )


def import_parsed(db: Database, parsed: ParsedExport, now: dt.datetime, replace: bool) -> ImportResult:
    """Write a parsed export (inside the caller's transaction)."""
    row = db.execute("SELECT id, reference FROM cases WHERE uid = ?", (parsed.uid,)).fetchone()
    if row is not None:
        if not replace:
            raise ImportConflict(reference=row[1], case_id=row[0])
        delete_case(db, row[0])
    reference = parsed.reference
    renamed_from = None
    if find_case_by_reference(db, reference) is not None:
        renamed_from, reference = reference, new_reference(db, now)
    case_id = insert_case(
        db,
        parsed.case,
        now,
        reference=reference,
        uid=parsed.uid,
        created_at=parsed.created_at,
        updated_at=parsed.updated_at,
        variant_of=parsed.variant_of,
    )
    for simulation in parsed.simulations:
        add_simulation(
            db, case_id, simulation.inputs, simulation.result, simulation.note, now,
            created_at=simulation.created_at, app_version=simulation.app_version, count_activity=False,
        )
    # Adding the simulations marked the case as changed now: keep the exported date.
    db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (parsed.updated_at, case_id))
    case_summary(db, case_id)
    return ImportResult(case_id, reference, renamed_from, len(parsed.simulations), row is not None)
