"""Reading a file of households for the screener (``screen.py``).

Four sources, one record per household:

* a CSV file (``;``, ``,`` or tab separated, UTF-8 or Windows-1252) or an XLSX
  workbook in the documented template (``docs/batch.md``, French headers, one row
  per household);
* a JSON-lines file: one case in the case format (``docs/case-format.md``) per line;
* a folder of case files (``*.json``).

Reading is split in two so that the expensive part runs in the worker processes:
the main process streams *records* (the row's raw cells, a line of text, a file
path) and ``parse_record`` turns one into a validated ``Household``, or into the
problems that reject it. A template row is first written as a case-format
dictionary, then read by ``casefile.household_from_dict``: the same checks and the
same French messages as a case file, each also naming the column to correct.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.model.household import (
    Activity,
    BacMention,
    ChildcareMode,
    CoupleStatus,
    Establishment,
    Household,
    HousingStatus,
    OfferKind,
    ResourceKind,
    Schooling,
    StudyYear,
)
from app.core.base.i18n import t
from app.core.model.periods import parse_month
from app.core.model.validation import MAX_REFERENCE, InvalidHousehold, shown

# --------------------------------------------------------------------------- the template

HOUSEHOLD_COLUMNS = (
    "reference",
    "mois",
    "situation_couple",
    "commune_insee",
    "code_postal",
    "statut_logement",
    "loyer",
    "charges",
    "logement_conventionne",
    "epargne",
    "aides_percues",
    "date_separation",
    "mode_garde",
    "demande_asile",
    "asile_heberge",
)
ADULTS = (("demandeur", "demandeur"), ("conjoint", "conjoint"))  # (column prefix, role)
# Column suffix of an adult -> the case-format field it fills.
ADULT_FIELDS: tuple[tuple[str, str], ...] = (
    ("date_naissance", "birth_date"),
    ("activite", "activity"),
    ("salaire_net_mensuel", "resource:salaire_net"),
    ("chomage_mensuel", "resource:chomage"),
    ("retraite_mensuelle", "resource:retraite"),
    ("revenus_independant_mensuels", "resource:independant"),
    ("indemnites_journalieres_mensuelles", "resource:indemnites_journalieres"),
    ("pension_invalidite_mensuelle", "resource:pension_invalidite"),
    ("pension_alimentaire_recue_mensuelle", "resource:pension_alimentaire_recue"),
    ("pension_alimentaire_versee_mensuelle", "resource:pension_alimentaire_versee"),
    ("bourse_mensuelle", "resource:bourse"),
    ("autres_ressources_mensuelles", "resource:autre"),
    ("revenu_imposable_n1", "taxable_income_last_year"),
    ("revenu_imposable_n2", "taxable_income_n2"),
    ("taux_incapacite", "disability_rate"),
    ("enceinte", "pregnant"),
    ("date_prevue_accouchement", "pregnancy_due_date"),
    ("ass_5_ans_travail", "ass_work_history"),
    ("alternance", "apprentice"),
    # version 3: higher education (bourse sur critères sociaux, aide au mérite)
    ("etudes_annee", "studies:study_year"),
    ("etudes_etablissement", "studies:establishment"),
    ("etudes_distance_domicile_familial_km", "studies:family_distance_km"),
    ("etudes_revenu_brut_global_parents_n2", "studies:parents_income_n2"),
    ("etudes_mention_bac", "studies:bac_mention"),
    # version 3: a job seeker's job or training to come (AGEPI, aide à la mobilité)
    ("emploi_a_venir_contrat", "job_offer:contract"),
    ("emploi_a_venir_debut", "job_offer:start_date"),
    ("emploi_a_venir_duree_mois", "job_offer:duration_months"),
    ("emploi_a_venir_heures_formation", "job_offer:training_hours"),
    ("emploi_a_venir_heures_semaine", "job_offer:weekly_hours"),
    ("emploi_a_venir_distance_km", "job_offer:distance_km"),
    ("emploi_a_venir_trajet_aller_retour_minutes", "job_offer:trip_minutes"),
    ("emploi_a_venir_allers_retours", "job_offer:round_trips"),
    # version 3: an employee's unemployment rights left (complément ARE)
    ("are_allocation_journaliere_brute", "unemployment_rights:daily_allowance"),
    ("are_salaire_journalier_reference", "unemployment_rights:reference_daily_wage"),
    ("are_jours_restants", "unemployment_rights:days_left"),
)
# Choice keys of the nested fields read from a row (casefile.CHOICE_KEYS' names).
NESTED_CHOICES = {"study_year": "study_year", "establishment": "establishment", "bac_mention": "bac_mention",
                  "contract": "offer_kind"}
CHILDREN_COLUMNS = ("enfants_dates_naissance", "enfants_scolarite", "enfants_taux_incapacite", "enfants_dates_adoption")
# A child of enfants_dates_adoption not adopted: an empty item (« ;15/10/2026 ») or one of these.
NOT_ADOPTED = ("", "non", "-", "0")
# Life events (case format 3): an adult's job change, a move, a couple formed; each column
# suffix or column -> the event field it fills.
ADULT_EVENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("changement_emploi", "kind"),
    ("mois_changement_emploi", "month"),
    ("salaire_net_avant", "salary_before"),
    ("chomage_avant", "unemployment_before"),
    ("activite_avant", "activity_before"),
)
EVENT_COLUMNS = ("mois_demenagement", "statut_logement_avant", "loyer_avant", "mois_mise_en_couple")
# A home the household is about to rent (Visale; case format 3, ``sought_home``): column -> field.
SOUGHT_HOME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("logement_recherche_date_entree", "entry_date"),
    ("logement_recherche_loyer", "rent"),
    ("logement_recherche_charges", "charges"),
)
TEMPLATE_COLUMNS: tuple[str, ...] = (
    HOUSEHOLD_COLUMNS
    + tuple(f"{prefix}_{suffix}" for prefix, _role in ADULTS for suffix, _field in ADULT_FIELDS)
    + CHILDREN_COLUMNS
    + tuple(f"{prefix}_{suffix}" for prefix, _role in ADULTS for suffix, _field in ADULT_EVENT_FIELDS)
    + EVENT_COLUMNS
    + tuple(column for column, _field in SOUGHT_HOME_COLUMNS)
)
# How a job change is written in a cell (compared normalised), besides the case format's ids.
JOB_CHANGES = {"fin": "job_end", "fin_emploi": "job_end", "fin_d_emploi": "job_end", "emploi_termine": "job_end",
               "debut": "job_start", "reprise": "job_start", "reprise_emploi": "job_start",
               "reprise_d_emploi": "job_start", "emploi_commence": "job_start"}
REQUIRED_COLUMNS = ("demandeur_date_naissance", "statut_logement")
LIST_SEPARATORS = re.compile(r"\s*[;|]\s*")
# The yes/no values accepted (docs/batch.md), compared without case, accents or spaces
# around; anything else ("-1", "2", "peut-être") is refused, naming the column.
YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0"}

MAX_CELL_CHARS = 131_072  # csv's own limit on a cell; a longer one refuses the file
TABULAR_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")


class InputError(Exception):
    """The input cannot be read at all (message in French, for the agent)."""


def normalise(text: str) -> str:
    """``Demandeur — Date de naissance`` -> ``demandeur_date_de_naissance``; ``salarié(e)`` -> ``salarie``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("(e)", "")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """One household as read, before parsing: ``line`` is what the agent looks for
    (the spreadsheet row number, the line of a JSON-lines file, a file name)."""

    line: str
    payload: Any  # tuple of cells (tabular), a text line (jsonl), a path (folder)


@dataclass
class Source:
    """An input file or folder, its kind, fingerprint and, for a table, its columns."""

    path: Path
    kind: str  # "csv" | "xlsx" | "parquet" | "jsonl" | "folder"
    sha256: str
    total: int  # records (non-empty rows, lines or files)
    headers: tuple[str, ...] = ()  # normalised, for csv/xlsx
    unknown_columns: tuple[str, ...] = ()
    encoding: str = "utf-8-sig"
    delimiter: str = ";"
    sheet: str | None = None

    def records(self) -> Iterator[Record]:
        if self.kind == "csv":
            return self._csv_records()
        if self.kind == "xlsx":
            return self._xlsx_records()
        if self.kind == "jsonl":
            return self._jsonl_records()
        return self._folder_records()

    def _csv_records(self) -> Iterator[Record]:
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            next(reader, None)
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield Record(str(reader.line_num), tuple(row))

    def _xlsx_records(self) -> Iterator[Record]:
        workbook = _open_workbook(self.path)
        try:
            sheet = workbook[self.sheet] if self.sheet else workbook.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number == 1:
                    continue
                if any(_blank(cell) is not None for cell in row):
                    yield Record(str(number), tuple(row))
        finally:
            workbook.close()

    def _jsonl_records(self) -> Iterator[Record]:
        with self.path.open(encoding="utf-8-sig") as handle:
            for number, text in enumerate(handle, start=1):
                if text.strip():
                    yield Record(str(number), text)

    def _folder_records(self) -> Iterator[Record]:
        for path in sorted(self.path.glob("*.json")):
            yield Record(path.name, str(path))


def _blank(value: Any) -> Any:
    """None for an empty cell, else the value (stripped text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any failure: the file is not a readable workbook
        raise InputError(t("batch.input.unreadable", path=path.name, reason=type(error).__name__)) from None


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_source(path: Path) -> Source:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = cp1252 = True
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            if cp1252:
                try:
                    block.decode("cp1252")  # 5 byte values have no character in Windows-1252
                except UnicodeDecodeError:
                    cp1252 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)  # a file cut in the middle of a character
        except UnicodeDecodeError:
            utf8 = False
    if not utf8 and not cp1252:
        raise InputError(t("batch.input.bad_encoding", path=path.name))
    encoding = "utf-8-sig" if utf8 else "cp1252"  # Excel's "CSV (séparateur: point-virgule)" on Windows
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline(MAX_CELL_CHARS)
        delimiter = max(";,\t", key=first.count) if first.strip() else ";"
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(t("batch.input.empty", path=path.name))
            total = sum(1 for row in reader if any(cell.strip() for cell in row))
        except csv.Error:  # a cell over csv's limit (128 KiB): not a table of households
            raise InputError(t("batch.input.cell_too_long", path=path.name, line=reader.line_num)) from None
    headers, unknown = check_headers(header, path.name)
    return Source(path, "csv", digest.hexdigest(), total, headers, unknown, encoding, delimiter)


def xlsx_source(path: Path) -> Source:
    workbook = _open_workbook(path)
    try:
        names = workbook.sheetnames
        sheet_name = next((n for n in names if normalise(n) in ("foyers", "households")), names[0])
        sheet = workbook[sheet_name]
        try:  # the sheet's XML is read here, row by row: every row once, before anything is computed
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            total = sum(1 for row in rows if any(_blank(cell) is not None for cell in row))
        except Exception as error:  # noqa: BLE001 - a damaged sheet (bad XML, bad cell): not a readable workbook
            raise InputError(t("batch.input.unreadable", path=path.name, reason=type(error).__name__)) from None
        if header is None:
            raise InputError(t("batch.input.empty", path=path.name))
    finally:
        workbook.close()
    headers, unknown = check_headers(["" if h is None else str(h) for h in header], path.name)
    return Source(path, "xlsx", file_digest(path), total, headers, unknown, sheet=sheet_name)


def check_headers(header: list[str] | tuple[str, ...], name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Normalised headers, and the columns that are not in the template (ignored).
    A table without a required column is not in the template at all: refused."""
    headers = tuple(normalise(h) for h in header)
    known = set(TEMPLATE_COLUMNS)
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if "commune_insee" not in headers and "code_postal" not in headers:
        missing.append("commune_insee")
    if missing:
        raise InputError(t("batch.input.missing_columns", path=name, columns=", ".join(missing)))
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicated:
        raise InputError(t("batch.input.duplicated_columns", path=name, columns=", ".join(duplicated)))
    unknown = tuple(h for h in headers if h and h not in known)
    return headers, unknown


# --------------------------------------------------------------------------- parsing


@dataclass
class Parsed:
    """A record read: a household to compute, or the problems that reject it."""

    line: str
    reference: str
    household: Household | None
    month: str | None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column or field, French message)


def parse_record(kind: str, headers: tuple[str, ...], record: Record, today: dt.date | None = None) -> Parsed:
    """The household of one record, validated like a case file; never raises."""
    if kind == "jsonl":
        return _parse_case_text(record)
    if kind == "folder":
        return _parse_case_file(record)
    return _parse_row(headers, record, today)


def _case_problems(error: InvalidHousehold, columns: dict[str, str] | None = None) -> list[tuple[str, str]]:
    out = []
    for problem in error.problems:
        column = _column_of(problem.field, columns) if columns is not None else problem.field
        out.append((column, problem.message))
    return out


def _column_of(path: str, columns: dict[str, str]) -> str:
    """The template column a case-format field path came from (the longest known prefix)."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        column = columns.get(".".join(parts[:end]))
        if column is not None:
            return column
    return ""


def _parse_case_text(record: Record) -> Parsed:
    from app.core.io.casefile import case_from_dict, parse_case_json

    try:
        data = parse_case_json(record.payload, line=record.line)
    except InvalidHousehold as error:
        return Parsed(record.line, "", None, None, _case_problems(error))
    reference = _reference_of(data)
    try:
        household, month = case_from_dict(data)
    except InvalidHousehold as error:
        return Parsed(record.line, reference, None, None, _case_problems(error))
    return Parsed(record.line, household.reference, household, month)


def _parse_case_file(record: Record) -> Parsed:
    from app.core.io.casefile import load_case

    try:
        household, month = load_case(Path(record.payload))
    except InvalidHousehold as error:
        return Parsed(record.line, "", None, None, _case_problems(error))
    return Parsed(record.line, household.reference, household, month)


def _reference_of(data: Any) -> str:
    """The reference of a case that is refused, to name it in the errors file (text only,
    cut to the reference's maximum)."""
    try:
        reference = data["household"].get("reference")
    except (KeyError, TypeError, AttributeError):
        return ""
    return reference[:MAX_REFERENCE] if isinstance(reference, str) else ""


@functools.lru_cache(maxsize=1)
def _choices() -> dict[str, dict[str, str]]:
    """Per choice key, every accepted spelling (normalised) -> the enum value."""
    out: dict[str, dict[str, str]] = {}
    for key, enum in (
        ("activity", Activity), ("couple", CoupleStatus), ("housing", HousingStatus), ("schooling", Schooling),
        ("childcare", ChildcareMode), ("study_year", StudyYear), ("establishment", Establishment),
        ("bac_mention", BacMention), ("offer_kind", OfferKind),
    ):
        table: dict[str, str] = {}
        for item in enum:
            table[normalise(item.value)] = item.value
            table[normalise(t(f"choice.{key}.{item.value}"))] = item.value
        out[key] = table
    out["couple"].update({"celibataire": "seul", "seule": "seul", "mariee": "marie", "pacsee": "pacse",
                          "concubinage": "concubin", "union_libre": "concubin"})
    return out


@functools.lru_cache(maxsize=1)
def _benefit_names() -> dict[str, str]:
    """Catalogue id, label and short label (normalised) -> benefit id."""
    from app.core.benefits.catalogue import load_catalogue

    table: dict[str, str] = {}
    for benefit in load_catalogue():
        for name in (benefit.id, benefit.short_label, benefit.label):
            table.setdefault(normalise(name), benefit.id)
    return table


def _choice(value: Any, key: str) -> Any:
    """The enum value for a spelling agents use; anything else as given (the case
    reader then lists the possible values)."""
    if value is None:
        return None
    return _choices()[key].get(normalise(str(value)), str(value))


def _boolean(value: Any) -> Any:
    """True/False for a documented yes/no value; anything else as given (the case reader
    says: "doit être oui ou non"). Signs and punctuation count: "-1" is not "1"."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return str(value)  # the case reader says: "doit être oui ou non"


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if value is None else str(value)


def _number(value: Any) -> Any:
    """Numbers stay numbers; text goes to the case reader, which reads French amounts."""
    if isinstance(value, bool):
        return str(value)
    return value


def _code(value: Any, width: int = 5) -> str:
    """A commune or postal code as text; Excel drops the leading zero of ``01004``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.zfill(width) if text.isdigit() and len(text) < width else text


def _month(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", text)  # 11/2026
    if match:
        text = f"{match.group(2)}-{int(match.group(1)):02d}"
    parse_month(text)
    return text


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (dt.date, dt.datetime)):
        return [_date(value)]
    return [part for part in LIST_SEPARATORS.split(str(value).strip()) if part]


def _split_keeping_empty(value: Any) -> list[str]:
    """A list cell whose items follow the children one by one: an empty item stays."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, (dt.date, dt.datetime)):
        return [_date(value)]
    return LIST_SEPARATORS.split(str(value).strip())


def row_to_case(headers: tuple[str, ...], cells: tuple[Any, ...]) -> tuple[dict[str, Any], str | None, dict[str, str], list[tuple[str, str]]]:
    """A template row -> (case-format household, month, field path -> column, problems
    found before the case reader: bad month, list lengths)."""
    values = {h: _blank(cells[i]) if i < len(cells) else None for i, h in enumerate(headers) if h}
    problems: list[tuple[str, str]] = []
    columns: dict[str, str] = {}

    def get(name: str) -> Any:
        return values.get(name)

    month = None
    try:
        month = _month(get("mois"))
    except ValueError:
        problems.append(("mois", t("problem.not_a_month", field=t("field.month"), value=shown(get("mois")))))

    persons: list[dict[str, Any]] = []
    for prefix, role in ADULTS:
        present = any(get(f"{prefix}_{suffix}") is not None for suffix, _ in ADULT_FIELDS)
        if role == "conjoint" and not present:
            continue
        index = len(persons)
        base = f"persons.{index}"
        columns[base] = f"{prefix}_date_naissance"
        person: dict[str, Any] = {"id": prefix, "role": role, "resources": []}
        for suffix, target in ADULT_FIELDS:
            column = f"{prefix}_{suffix}"
            value = get(column)
            if target.startswith("resource:"):
                if value is not None:
                    columns[f"{base}.resources.{len(person['resources'])}"] = column
                    person["resources"].append({"kind": target.split(":", 1)[1], "stable": _number(value)})
                continue
            if ":" in target:  # a field of the person's studies, job to come or ARE rights
                group, name = target.split(":", 1)
                columns[f"{base}.{group}.{name}"] = column
                columns.setdefault(f"{base}.{group}", column)
                if value is not None:
                    nested = person.setdefault(group, {})
                    if name in NESTED_CHOICES:
                        nested[name] = _choice(value, NESTED_CHOICES[name])
                    elif name == "start_date":
                        nested[name] = _date(value)
                    else:
                        nested[name] = _number(value)
                continue
            columns[f"{base}.{target}"] = column
            if target == "birth_date":
                person[target] = _date(value)
            elif target == "pregnancy_due_date":
                if value is not None:
                    person[target] = _date(value)
            elif target == "activity":
                if value is not None:
                    person[target] = _choice(value, "activity")
            elif target in ("pregnant", "ass_work_history", "apprentice"):
                person[target] = _boolean(value)
            elif value is not None:
                person[target] = _number(value)
        persons.append(person)

    births = _split(get("enfants_dates_naissance"))
    schooling = _split(get("enfants_scolarite"))
    rates = _split(get("enfants_taux_incapacite"))
    adoptions = _split_keeping_empty(get("enfants_dates_adoption"))
    for column, items in (("enfants_scolarite", schooling), ("enfants_taux_incapacite", rates),
                          ("enfants_dates_adoption", adoptions)):
        if items and len(items) != len(births):
            problems.append((column, t("batch.row.list_length", column=column, count=len(items), children=len(births))))
    for j, birth in enumerate(births):
        base = f"persons.{len(persons)}"
        columns[base] = "enfants_dates_naissance"
        columns[f"{base}.schooling"] = "enfants_scolarite"
        columns[f"{base}.disability_rate"] = "enfants_taux_incapacite"
        columns[f"{base}.adoption_date"] = "enfants_dates_adoption"
        child: dict[str, Any] = {"id": f"enfant_{j + 1}", "role": "enfant", "birth_date": birth, "resources": []}
        if j < len(schooling):
            child["schooling"] = _choice(schooling[j], "schooling")
        if j < len(rates) and normalise(rates[j]) not in ("", "0"):
            child["disability_rate"] = rates[j]
        if j < len(adoptions) and normalise(adoptions[j]) not in NOT_ADOPTED:
            child["adoption_date"] = adoptions[j]
        persons.append(child)

    commune = _code(get("commune_insee"))
    postal_code = _code(get("code_postal"))
    if not commune and postal_code:
        commune, problem = _commune_from_postal_code(postal_code)
        if problem:
            problems.append(("code_postal", problem))
    received = []
    for name in _split(get("aides_percues")):
        received.append(_benefit_names().get(normalise(name), name))
    household: dict[str, Any] = {
        "reference": "" if get("reference") is None else _code(get("reference"), 0),
        "couple": _choice(get("situation_couple"), "couple") or "seul",
        "persons": persons,
        "housing": {
            "status": _choice(get("statut_logement"), "housing"),
            "rent": _number(get("loyer")),
            "charges": _number(get("charges")),
            "conventionne": _boolean(get("logement_conventionne")),
            "commune_insee": commune,
            "postal_code": postal_code,
        },
        "savings": _number(get("epargne")),
        "benefits_received": received,
    }
    if get("date_separation") is not None:
        household["separation_date"] = _date(get("date_separation"))
    if get("mode_garde") is not None:
        household["childcare"] = _choice(get("mode_garde"), "childcare")
    household["asylum_seeker"] = _boolean(get("demande_asile"))
    household["asylum_housed"] = _boolean(get("asile_heberge"))
    events = _row_events(get, [p["id"] for p in persons], columns)
    if events:
        household["events"] = events
    if any(get(column) is not None for column, _name in SOUGHT_HOME_COLUMNS):  # any cell declares it
        household["sought_home"] = {
            name: _date(get(column)) if name == "entry_date" else _number(get(column))
            for column, name in SOUGHT_HOME_COLUMNS if get(column) is not None
        }
        columns["sought_home"] = SOUGHT_HOME_COLUMNS[0][0]
        columns.update({f"sought_home.{name}": column for column, name in SOUGHT_HOME_COLUMNS})
    columns.update({
        "couple": "situation_couple", "housing.status": "statut_logement", "housing.rent": "loyer",
        "housing.charges": "charges", "housing.conventionne": "logement_conventionne",
        "housing.commune_insee": "commune_insee", "housing.postal_code": "code_postal",
        "savings": "epargne", "benefits_received": "aides_percues", "persons": "",
        "separation_date": "date_separation", "childcare": "mode_garde", "asylum_seeker": "demande_asile",
        "asylum_housed": "asile_heberge",
    })
    return household, month, columns, problems


def _row_events(get: Any, adults: list[str], columns: dict[str, str]) -> list[dict[str, Any]]:
    """The case format's ``events`` of a row (an adult's job change, a move, a couple
    formed), noting which column each field came from."""
    events: list[dict[str, Any]] = []

    def add(event: dict[str, Any], by_field: dict[str, str]) -> None:
        base = f"events.{len(events)}"
        columns[base] = next(iter(by_field.values()))
        columns.update({f"{base}.{name}": column for name, column in by_field.items()})
        events.append(event)

    for prefix in adults:
        if get(f"{prefix}_changement_emploi") is None:
            continue
        by_field = {name: f"{prefix}_{suffix}" for suffix, name in ADULT_EVENT_FIELDS}
        kind = str(get(by_field["kind"]))
        event: dict[str, Any] = {"kind": JOB_CHANGES.get(normalise(kind), kind), "person": prefix,
                                 "month": _month_text(get(by_field["month"]))}
        for name in ("salary_before", "unemployment_before"):
            if get(by_field[name]) is not None:
                event[name] = _number(get(by_field[name]))
        if get(by_field["activity_before"]) is not None:
            event["activity_before"] = _choice(get(by_field["activity_before"]), "activity")
        by_field["person"] = by_field["kind"]
        add(event, by_field)
    if get("mois_demenagement") is not None:
        move: dict[str, Any] = {"kind": "move", "month": _month_text(get("mois_demenagement"))}
        if get("statut_logement_avant") is not None:
            move["housing_before"] = {"status": _choice(get("statut_logement_avant"), "housing"),
                                      "rent": _number(get("loyer_avant"))}
        add(move, {"kind": "mois_demenagement", "month": "mois_demenagement",
                   "housing_before": "statut_logement_avant", "housing_before.status": "statut_logement_avant",
                   "housing_before.rent": "loyer_avant"})
    if get("mois_mise_en_couple") is not None:
        add({"kind": "couple_start", "month": _month_text(get("mois_mise_en_couple"))},
            {"kind": "mois_mise_en_couple", "month": "mois_mise_en_couple"})
    return events


def _month_text(value: Any) -> Any:
    """``08/2026`` (or a spreadsheet date) as ``2026-08``; anything else as given (the case
    reader says it is not a month); absent: None (the case reader says it is required)."""
    try:
        return _month(value)
    except ValueError:
        return str(value)


def _commune_from_postal_code(postal_code: str) -> tuple[str, str | None]:
    from app.core.model.communes import default_index

    communes = default_index().by_postal_code(postal_code)
    if len(communes) == 1:
        return communes[0].insee, None
    if len(communes) > 1:
        names = ", ".join(c.name for c in communes[:5]) + ("…" if len(communes) > 5 else "")
        return "", t("batch.row.ambiguous_postal_code", postal_code=postal_code, communes=names)
    return "", None  # the case reader reports the missing commune


def _parse_row(headers: tuple[str, ...], record: Record, today: dt.date | None) -> Parsed:
    from app.core.io.casefile import household_from_dict

    data, month, columns, problems = row_to_case(headers, record.payload)
    reference = str(data.get("reference") or "")
    try:
        household = household_from_dict(data, today)
    except InvalidHousehold as error:
        problems.extend(_case_problems(error, columns))
        household = None
    if problems:
        return Parsed(record.line, reference, None, month, problems)
    return Parsed(record.line, reference, household, month)
