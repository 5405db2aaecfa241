"""The fuzzed input paths of the core (no Qt): each a ``Target`` with its strategy and
its run (input, work folder) -> MESSAGE or RESULT (``fuzz_oracles``). ``tests/fuzz/``
runs each with a fixed seed and a few examples, ``bench/fuzz.py`` with thousands."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from app.core.base import formats
from app.core.io.casefile import _known_benefits, case_to_dict, load_case
from app.core.model.household import Household
from app.core.model.validation import InvalidHousehold
from fuzz_inputs import (
    HOSTILE_VALUES,
    STRANGE_TEXTS,
    TODAY,
    FileBytes,
    file_bytes,
    french_amount,
    households,
    mutated,
    paths_of,
    to_json,
)
from fuzz_oracles import MESSAGE, RESULT, Target, check_household, check_problems, fail, message_key

# ============================================================================ case JSON

MONTHS = st.sampled_from([None, "2026-11", "2025-01", "2024-06", "2027-12"])


@dataclass(frozen=True)
class CaseInput:
    file: FileBytes
    expected: tuple[Household, str | None] | None  # what must be read (a valid case, intact)


def _french_rewrite(data: dict[str, Any], rng: Any) -> None:
    """Amounts written as French texts and dates as 29/11/2026, here and there: the
    same case (``docs/case-format.md``)."""
    for path in paths_of(data["household"]):
        parent = data["household"]
        for step in path[:-1]:
            parent = parent[step]
        value = parent[path[-1]]
        name = next((p for p in reversed(path) if isinstance(p, str)), "")
        if name in ("stable", "monthly", "rent", "charges", "savings", "taxable_income_n2",
                    "taxable_income_last_year") and isinstance(value, float) and rng.random() < 0.2:
            parent[path[-1]] = french_amount(value, rng)
        elif name == "birth_date" and rng.random() < 0.25:
            year, month, day = value.split("-")
            parent[path[-1]] = f"{day}/{month}/{year}"


@st.composite
def case_inputs(draw: Any) -> CaseInput:
    household = draw(households())
    month = draw(MONTHS)
    data = case_to_dict(household, month)
    _french_rewrite(data, draw(st.randoms(use_true_random=False)))
    intact = not draw(st.integers(0, 9)) < 6  # 60 % of the cases changed in a hostile way
    if not intact:
        data = draw(mutated(copy.deepcopy(data)))
    file = draw(file_bytes(to_json(data, draw)))
    return CaseInput(file, (household, month) if intact and file.intact else None)


def write_input(name: str) -> Any:
    """A ``prepare`` writing the input's bytes (``.file.content``) to ``name``."""
    def prepare(value: Any, work: Path) -> tuple[Any, Path]:
        path = work / name
        path.write_bytes(value.file.content)
        return value, path

    return prepare


def run_case_file(argument: tuple[CaseInput, Path]) -> str:
    value, path = argument
    try:
        household, month = load_case(path, TODAY)
    except InvalidHousehold as error:
        check_problems(error.problems)
        if value.expected is not None:
            fail(f"a valid case refused ({value.file.how}): {[p.message for p in error.problems][:3]}")
        return MESSAGE
    check_household(household, TODAY, _known_benefits())
    if month is not None:
        from app.core.model.periods import month_str, parse_month

        if month != month_str(*parse_month(month)):
            fail(f"the month {month!r} is accepted as it is written, not as YYYY-MM")
    if value.expected is not None and (household, month) != value.expected:
        fail(f"a valid case read differently ({value.file.how})")
    return RESULT


CASE_FILE = Target("case JSON (file -> load_case)", case_inputs(), run_case_file, write_input("dossier.json"),
                   weight=3.5)


# ============================================================================ screening tables (CSV, XLSX)

from app.core.batch import input as batch_input  # noqa: E402
from app.core.batch.input import TEMPLATE_COLUMNS, InputError, parse_record  # noqa: E402
from app.core.batch.sources import open_source  # noqa: E402
from fuzz_inputs import IMPOSSIBLE_DATES, PRINTABLE, nested  # noqa: E402,F401

REQUIRED = ("demandeur_date_naissance", "statut_logement", "commune_insee")
AMOUNT_COLUMNS = [c for c in TEMPLATE_COLUMNS if c.endswith(("mensuel", "mensuelle", "mensuels", "n1", "n2"))
                  ] + ["loyer", "charges", "epargne"]
HEADER_SPELLINGS = {"demandeur_date_naissance": ["Demandeur — Date naissance", "DEMANDEUR DATE NAISSANCE",
                                                 " demandeur_date_naissance "],
                    "statut_logement": ["Statut logement", "statut-logement"], "commune_insee": ["Commune INSEE"]}
FORMULAS = ['=HYPERLINK("http://x.invalid";"clic")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3", "=1+1"]
CELL_TEXTS = st.one_of(
    st.sampled_from(IMPOSSIBLE_DATES + STRANGE_TEXTS + FORMULAS + ["oui", "non", "-1", "x", "peut-être",
                                                                  "01/01/1980; 02/02/2010", "a;b|c", '"', '""',
                                                                  "line\nbreak", "\r", "\t", "1004", "69123"]),
    st.text(max_size=12),
    st.integers(min_value=0, max_value=200_000).map(lambda n: "7" * n),
)


@dataclass(frozen=True)
class TableInput:
    """A screening table: its file bytes, its suffix, and for the rows written from a
    valid household (``intact``) what must be read: (salary, rent, savings) by line."""

    file: FileBytes
    suffix: str
    expected: dict[str, tuple[float, float, float | None]]  # by reference


def _row_of(household: Household, rng: Any) -> dict[str, Any]:
    """The template row of a (valid) single adult household, amounts typed the French way."""
    person = household.persons[0]
    salary = person.resources[0].stable if person.resources and person.resources[0].stable is not None else 0.0
    return {
        "reference": household.reference.replace("\n", " "),
        "commune_insee": household.housing.commune_insee,
        "code_postal": household.housing.postal_code,
        "statut_logement": household.housing.status.value,
        "loyer": french_amount(household.housing.rent, rng),
        "epargne": "" if household.savings is None else french_amount(household.savings, rng),
        "demandeur_date_naissance": formats.date(person.birth_date),
        "demandeur_activite": person.activity.value,
        "demandeur_salaire_net_mensuel": french_amount(salary, rng),
    }, (salary, household.housing.rent, household.savings)


@st.composite
def table_inputs(draw: Any) -> TableInput:
    rng = draw(st.randoms(use_true_random=False))
    columns = list(REQUIRED) + draw(st.lists(st.sampled_from(TEMPLATE_COLUMNS), max_size=8, unique=True))
    columns = list(dict.fromkeys(columns + ["reference", "code_postal", "loyer", "epargne", "demandeur_activite",
                                            "demandeur_salaire_net_mensuel"]))
    rng.shuffle(columns)
    rows: list[dict[str, Any]] = []
    expected: dict[int, tuple[float, float, float | None]] = {}
    for number in range(draw(st.integers(1, 4))):
        household = draw(households())
        row, values = _row_of(household, rng)
        if draw(st.integers(0, 2)) == 0:  # the demandeur and the housing only: a valid row
            row["reference"] = f"FUZZ-{number}-OK"
            expected[number] = values
        else:
            for _ in range(draw(st.integers(1, 3))):
                row[draw(st.sampled_from(columns))] = draw(CELL_TEXTS)
        rows.append(row)
    header = [rng.choice(HEADER_SPELLINGS.get(c, [c])) if rng.random() < 0.3 else c for c in columns]
    if draw(st.integers(0, 9)) == 0:  # a header out of the template
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(["", "reference", "x", "loyer"]))
        expected = {}
    suffix = draw(st.sampled_from([".csv", ".csv", ".csv", ".txt", ".xlsx", ".parquet"]))
    if suffix == ".parquet":
        content = _parquet(header, [[row.get(c, "") for c in columns] for row in rows])
        if draw(st.integers(0, 4)) == 0:
            content = content[: draw(st.integers(0, len(content)))]
            expected = {}
        file = FileBytes(content, True, "parquet")
    elif suffix == ".xlsx":
        content = _xlsx(header, [[row.get(c, "") for c in columns] for row in rows], draw)
        if draw(st.integers(0, 4)) == 0:
            content = content[: draw(st.integers(0, len(content)))]
            expected = {}
        file = FileBytes(content, True, "xlsx")
    else:
        delimiter = draw(st.sampled_from([";", ",", "\t"]))
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
        file = draw(file_bytes(buffer.getvalue(), max_bytes=2_000_000))
        if not file.intact:
            expected = {}
        elif draw(st.integers(0, 3)) == 0:  # Excel's "CSV (séparateur : point-virgule)" on Windows
            file = FileBytes(buffer.getvalue().encode("cp1252", "replace"), True, "cp1252")
            expected = {}
    return TableInput(file, suffix, {f"FUZZ-{number}-OK": v for number, v in expected.items()})


def _parquet(header: list[str], rows: list[list[Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def text(cell: Any) -> str:
        return _NOT_XML.sub("", str(cell))  # what UTF-8 cannot hold

    arrays = [pa.array([text(row[i]) or None for row in rows], pa.string()) for i in range(len(header))]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=[text(h) for h in header]), buffer)
    return buffer.getvalue()


_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xlsx(header: list[str], rows: list[list[Any]], draw: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    sheet.title = draw(st.sampled_from(["Foyers", "Feuil1", "households"]))
    sheet.append(header)
    for row in rows:
        cells = []
        intact = any(isinstance(cell, str) and cell.startswith("FUZZ-") for cell in row)
        for cell in row:
            # what XML 1.0 cannot hold (openpyxl writes it, then cannot read it back)
            value: Any = _NOT_XML.sub("", ILLEGAL_CHARACTERS_RE.sub("", cell)) if isinstance(cell, str) else cell
            choice = draw(st.integers(0, 9))
            if choice == 0 and not intact:
                value = draw(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                                       st.booleans(), st.dates()))
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_table(argument: tuple[TableInput, Path]) -> str:
    value, path = argument
    try:
        source = open_source(path)
    except InputError as error:
        key, _params = message_key(str(error))
        if path.name not in str(error):
            fail(f"a table refused without naming the file: {error}")
        if value.expected and key != "batch.input.cell_too_long":  # a runaway cell refuses the whole file
            fail(f"a valid table refused: {error}")
        return MESSAGE
    records = list(source.records())
    if len(records) != source.total:
        fail(f"{source.total} households counted, {len(records)} read")
    refused = False
    for record in records:
        parsed = parse_record(source.kind, source.headers, record, TODAY)
        if parsed.household is None:
            refused = True
            if not parsed.problems:
                fail(f"line {record.line} refused without a message")
            for column, message in parsed.problems:
                message_key(message)
                if column and column not in TEMPLATE_COLUMNS:
                    fail(f"a problem names the column {column!r}, not in the template")
            if parsed.reference in value.expected:
                fail(f"a valid row refused (line {record.line}): {parsed.problems[:3]}")
            continue
        check_household(parsed.household, TODAY, _known_benefits())
        if parsed.reference in value.expected:
            person = parsed.household.persons[0]
            salary = person.resources[0].stable if person.resources else 0.0
            read = (salary, parsed.household.housing.rent, parsed.household.savings)
            if read != value.expected.pop(parsed.reference):
                fail(f"line {record.line} read as {read}, written {value.expected}")
    if value.expected:
        fail(f"valid rows not read: {sorted(value.expected)}")
    return MESSAGE if refused else RESULT


def _table_prepare(value: TableInput, work: Path) -> tuple[TableInput, Path]:
    path = work / f"foyers{value.suffix}"
    path.write_bytes(value.file.content)
    return TableInput(value.file, value.suffix, dict(value.expected)), path  # run pops what it reads


TABLE = Target("screening table (CSV/XLSX/Parquet -> rows)", table_inputs(), run_table, _table_prepare, timeout=20.0,
               weight=2.0)
TARGETS = [CASE_FILE, TABLE]


# ============================================================================ service point JSON

LOGOS = ["logo.png", "logo.jpg", "texte.png", "lien.png", "dossier", "/dev/zero", "absent.png", "geant.png",
         "tronque.png", "vide.png", "../logo.png", "", "\x00.png", "L" * 1200]


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class PointInput:
    file: FileBytes
    values: dict[str, Any] | None  # the fields written, when the file is intact JSON of an object


@st.composite
def point_inputs(draw: Any) -> PointInput:
    values: dict[str, Any] = {}
    for key, limit in (("name", 80), ("address", 200), ("phone", 40), ("opening_hours", 200)):
        if draw(st.booleans()):
            values[key] = draw(st.one_of(st.text(PRINTABLE, max_size=limit), st.sampled_from(
                ["France Services Lyon 3e", "", "=1+1", "x" * (limit + 1)])))
    if draw(st.booleans()):
        values["logo_path"] = draw(st.sampled_from(LOGOS))
    data: Any = values
    if draw(st.integers(0, 2)) == 0:
        data = draw(mutated(copy.deepcopy(values))) if values else draw(HOSTILE_VALUES)
    file = draw(file_bytes(to_json(data, draw), max_bytes=100_000))
    return PointInput(file, values if data is values and file.intact else None)


def _point_prepare(value: PointInput, work: Path) -> tuple[PointInput, Path]:
    (work / "logo.png").write_bytes(_LOGO_PNG)
    (work / "logo.jpg").write_bytes(_LOGO_JPEG)
    (work / "texte.png").write_text("pas une image", encoding="utf-8")
    (work / "lien.png").symlink_to(work / "logo.png")
    (work / "dossier").mkdir()
    (work / "geant.png").write_bytes(_HUGE_PNG)
    (work / "tronque.png").write_bytes(_LOGO_PNG[:40])
    (work / "vide.png").write_bytes(b"")
    path = work / "point.json"
    path.write_bytes(value.file.content)
    return value, path


def run_service_point(argument: tuple[PointInput, Path]) -> str:
    from app.core.handout.citizen import ServicePoint
    from app.core.handout.service_point import MAX_LENGTHS, read_logo

    value, path = argument
    try:
        point = ServicePoint.from_file(path)
    except ValueError as error:
        for line in str(error).split("\n"):  # one problem a line
            message_key(line)
        return MESSAGE
    for key in ("name", "address", "phone", "opening_hours"):
        if len(getattr(point, key)) > MAX_LENGTHS[key]:
            fail(f"the service point's {key} is over its limit")
    if point.logo_path is not None:
        if point.logo_path.name not in ("logo.png", "logo.jpg"):
            fail(f"a logo accepted that is not a real image: {point.logo_path}")
        read_logo(point.logo_path)
    if value.values is not None:
        for key in ("name", "address", "phone", "opening_hours"):
            if (value.values.get(key) or "").strip() and getattr(point, key) != value.values[key].strip():
                fail(f"the service point's {key} read differently")
    return RESULT


def _images() -> tuple[bytes, bytes, bytes]:
    from PIL import Image

    jpeg = io.BytesIO()
    Image.new("RGB", (40, 20), "blue").save(jpeg, "JPEG")
    huge = bytearray(_png(1, 1))
    huge[16:24] = (12_000).to_bytes(4, "big") * 2  # the header says 12,000 x 12,000
    return _png(40, 20), jpeg.getvalue(), bytes(huge)


_LOGO_PNG, _LOGO_JPEG, _HUGE_PNG = _images()
SERVICE_POINT = Target("service point JSON (--service-point)", point_inputs(), run_service_point, _point_prepare,
                       weight=3.5)
TARGETS.append(SERVICE_POINT)


# ============================================================================ rules packs (zip)

import hashlib  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import warnings  # noqa: E402
import zipfile  # noqa: E402

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

PACK_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # trusted in the run's own data folder
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
GOOD_FILES = {"benefits/aide.yaml": b"id: aide\nlabel: Aide\n", "local/aide_locale.yaml": b"id: aide_locale\n",
              "explain/aide.yaml": b"aide: {}\n", "schema/benefit.schema.json": b"{}"}
HOSTILE_NAMES = ["../evil.yaml", "../../evil.yaml", "/tmp/evil.yaml", "benefits\\evil.yaml", "C:evil.yaml",
                 "benefits/../../evil.yaml", "benefits/./a.yaml", "benefits//a.yaml", "benefits/a.pyc",
                 "__pycache__/a.yaml", "local/extension/x/evil.py", "run.sh", "benefits/A.yaml", "Benefits/aide.yaml",
                 "benefits/aide.yaml", "manifest.yaml", "manifest.sig", ".DS_Store", "benefits/" + "a" * 300 + ".yaml",
                 "benefits/\u00e9.yaml", "benefits/a\x00.yaml", "benefits/"]
HOSTILE_YAML = [b"a: &x [1, 2]\nb: *x\n", b"[" * 5000, b"\xff\xfe\x00", b"!!python/object/apply:os.system ['id']\n",
                b"x: " + b"9" * 5000 + b"\n", b"- " * 3000, b""]


@dataclass(frozen=True)
class PackMember:
    name: str
    content: bytes
    symlink: bool = False
    encrypted_flag: bool = False
    bomb: int = 0  # bytes of zeros instead of ``content``


@dataclass(frozen=True)
class PackInput:
    members: tuple[PackMember, ...]
    raw: bytes | None  # the zip's bytes instead, when they are not a zip at all


def _manifest(files: dict[str, bytes], draw: Any) -> bytes:
    lines = ["format: 1", f"version: \"{draw(st.sampled_from(['2099.1', '2027.1.1', '1', '0.0.1']))}\"",
             "title: Paquet de test", "legislation:", "  from: \"2024-02-01\"", "  until: \"2026-10-01\"", "files:"]
    lines += [f"  {name}: {hashlib.sha256(content).hexdigest()}" for name, content in sorted(files.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.composite
def pack_inputs(draw: Any) -> PackInput:
    from app.core.rules import pack_signing

    if draw(st.integers(0, 9)) == 0:
        return PackInput((), draw(st.one_of(st.binary(max_size=300), st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06" + b"\x00" * 18]))))
    files = dict(draw(st.lists(st.sampled_from(sorted(GOOD_FILES.items())), max_size=4, unique=True)))
    listed = dict(files)
    extra: list[PackMember] = []
    for _ in range(draw(st.integers(0, 3))):
        change = draw(st.sampled_from(["name", "name", "yaml", "unlisted", "missing", "changed", "symlink",
                                       "encrypted", "bomb", "many"]))
        if change == "name":
            name = draw(st.sampled_from(HOSTILE_NAMES))
            content = draw(st.sampled_from(HOSTILE_YAML + [b"id: x\n"]))
            files[name] = content
            if draw(st.booleans()):
                listed[name] = content
        elif change == "yaml" and files:
            name = draw(st.sampled_from(sorted(files)))
            files[name] = listed[name] = draw(st.sampled_from(HOSTILE_YAML))
        elif change == "unlisted":
            files["benefits/en_trop.yaml"] = b"id: en_trop\n"
        elif change == "missing":
            listed["benefits/absent.yaml"] = b"id: absent\n"
        elif change == "changed" and files:
            name = draw(st.sampled_from(sorted(files)))
            files[name] = files[name] + b"# changed after signing\n"
        elif change == "symlink":
            extra.append(PackMember("benefits/lien.yaml", b"/etc/passwd", symlink=True))
        elif change == "encrypted":
            extra.append(PackMember("benefits/chiffre.yaml", b"id: x\n", encrypted_flag=True))
        elif change == "bomb":
            extra.append(PackMember("benefits/bombe.yaml", b"", bomb=draw(st.sampled_from([2, 30]) ) * 1024 * 1024))
        elif change == "many":
            extra.extend(PackMember(f"benefits/f{i}.yaml", b"id: f\n") for i in range(1001))
    manifest = _manifest(listed, draw)
    signature_choice = draw(st.sampled_from(["good"] * 6 + ["none", "other", "garbage", "manifest-changed"]))
    key = OTHER_KEY if signature_choice == "other" else PACK_KEY
    signature = pack_signing.sign_manifest(manifest, key)
    if signature_choice == "manifest-changed":
        manifest += b"# changed after signing\n"
    if signature_choice == "garbage":
        signature = draw(st.binary(max_size=200))
    members = [PackMember("manifest.yaml", manifest)]
    if signature_choice != "none":
        members.append(PackMember("manifest.sig", signature))
    members += [PackMember(name, content) for name, content in files.items()] + extra
    return PackInput(tuple(draw(st.permutations(members)) if len(members) < 20 else members), None)


def _write_zip(value: PackInput, path: Path) -> None:
    if value.raw is not None:
        path.write_bytes(value.raw)
        return
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore", UserWarning)  # the duplicate names are on purpose
        for member in value.members:
            info = zipfile.ZipInfo(member.name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if member.symlink:
                info.external_attr = (0o120777 << 16)
            if member.bomb:
                with archive.open(info, "w", force_zip64=True) as handle:
                    block = b"\x00" * (1 << 20)
                    for _ in range(member.bomb >> 20):
                        handle.write(block)
                continue
            archive.writestr(info, member.content)
            if member.encrypted_flag:
                archive.filelist[-1].flag_bits |= 0x1


def _pack_prepare(value: PackInput, work: Path) -> tuple[PackInput, Path]:
    from app.core.rules import pack_signing

    keys = work / "data" / pack_signing.LOCAL_KEYS_FOLDER
    keys.mkdir(parents=True)
    raw = PACK_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    (keys / "test.pub").write_text(pack_signing.public_key_text("Éditeur de test", raw), encoding="utf-8")
    (work / "tmp").mkdir()
    path = work / "paquet.zip"
    _write_zip(value, path)
    return value, path


def run_pack(argument: tuple[PackInput, Path]) -> str:
    """``import_pack`` with the run's own data folder (the test key trusted there) and
    temporary folder (under ``work``: a file written by a path traversal would show)."""
    from app.core.rules.folder import RulesPackError, active_rules_info
    from app.core.benefits.rules_pack import import_pack

    value, path = argument
    work = path.parent
    saved = os.environ["GUICHET_DATA_DIR"], tempfile.tempdir
    os.environ["GUICHET_DATA_DIR"], tempfile.tempdir = str(work / "data"), str(work / "tmp")
    try:
        before = active_rules_info()
        try:
            import_pack(path, run_tests=False, timeout=5.0)
        except RulesPackError as error:
            message_key(str(error))
            if active_rules_info() != before:
                fail("a refused pack changed the active rules")
            if (work / "data" / "rules").exists() and any((work / "data" / "rules").rglob("*.yaml")):
                fail("a refused pack left files in the rules folder")
            return MESSAGE
        fail("a generated pack (no catalogue) was imported")
        return RESULT
    finally:
        os.environ["GUICHET_DATA_DIR"], tempfile.tempdir = saved


RULES_PACK = Target("rules pack (zip -> import_pack)", pack_inputs(), run_pack, _pack_prepare, timeout=30.0,
                    writes=lambda work: set(), weight=1.0)
TARGETS.append(RULES_PACK)


# ============================================================================ OpenFisca situation JSON

import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))  # the situations of the property test
from openfisca_situations import situations  # noqa: E402
from fuzz_inputs import _parent as _parent_of  # noqa: E402

SITUATION_KEYS = ["individus", "familles", "foyers_fiscaux", "menages", "individu", "menage", "axes", "chiens", "",
                  "parents", "enfnats", "salaire_imposabel", "salaire_de_base", "date_naissance", "loyer", "rfr",
                  "\ufeffindividus", "x" * 5000]
SITUATION_PERIODS = ["2026-02-30", "2026-13", "2026-00", "2026-1", "month:2026-13", "month:2026-01:-1",
                     "month:2026-01:0", "month:2026-01:99999999", "year:2026:100000", "9999-12", "0000-01",
                     "10000-01", "day:2026-02-30", "week:2026-W60", "ETERNITY", "eternity", "2026-11-29T12:00", "",
                     " 2026-11", "２０２６-１１", "2026\x00", "p" * 5000]
SITUATION_VALUES = st.one_of(HOSTILE_VALUES, st.sampled_from(IMPOSSIBLE_DATES + SITUATION_PERIODS),
                             st.lists(HOSTILE_VALUES, max_size=3))


@st.composite
def situation_changes(draw: Any, data: Any) -> Any:
    """``data`` (a situation, changed in place) with an unknown key, an impossible period
    or a value where none fits, besides ``mutated``'s changes."""
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in paths_of(data) if isinstance(_parent_of(data, p), dict)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent_of(data, path)
        action = draw(st.sampled_from(["key", "period", "value"]))
        if action == "key":
            parent[draw(st.sampled_from(SITUATION_KEYS))] = draw(st.one_of(SITUATION_VALUES, st.just({"2026-01": 1})))
        elif action == "period":
            parent[draw(st.sampled_from(SITUATION_PERIODS))] = parent.pop(path[-1])
        else:
            parent[path[-1]] = draw(SITUATION_VALUES)
    return data


@dataclass(frozen=True)
class SituationInput:
    file: FileBytes
    data: Any  # the situation written, when the file is its JSON text unchanged


@st.composite
def situation_inputs(draw: Any) -> SituationInput:
    data: Any = draw(situations())
    choice = draw(st.integers(0, 9))
    if choice < 4:
        data = draw(situation_changes(data))
    elif choice < 7:
        data = draw(mutated(data))
    text = written = to_json(data, draw)
    if draw(st.booleans()):  # a digit text as a bare JSON number (json.dumps cannot write one over 4 300 digits)
        text = re.sub(r'"([0-9]{20,})"', r"\1", text)
    file = draw(file_bytes(text, max_bytes=21_000_000 if draw(st.integers(0, 19)) == 0 else 100_000))
    deep = "\\u0000DEEP" in json.dumps(data)  # written nested by to_json: not the data any more
    return SituationInput(file, data if file.intact and not deep and text == written else None)


_TBS: list[Any] = []


def situation_tbs(tbs: Any = None) -> Any:
    """OpenFisca-France's tax-benefit system, loaded once per process (``tests/conftest.py``'s
    engine's when given)."""
    if tbs is not None and not _TBS:
        _TBS.append(tbs)
    if not _TBS:
        from app.core.compute.engine import shared_engine

        _TBS.append(shared_engine(warm_up=False).tbs)
    return _TBS[0]


def _finite_values(data: Any) -> bool:
    if isinstance(data, dict):
        return all(_finite_values(v) for v in data.values())
    if isinstance(data, list):
        return all(_finite_values(v) for v in data)
    return not isinstance(data, float) or math.isfinite(data)


def run_situation(argument: tuple[SituationInput, Path]) -> str:
    """``guichet simulate --openfisca``'s reading (``load_situation_file`` then
    ``read_situation``), OpenFisca not computed: every problem one of the reader's French
    messages, or a reading holding only finite values, of the variables' entities; an
    intact file read as its data is."""
    from app.core.openfisca.input import SituationRefused, load_situation_file, read_situation

    value, path = argument
    tbs = situation_tbs()
    try:
        read = read_situation(tbs, load_situation_file(path))
    except SituationRefused as error:
        if not error.problems:
            fail("a situation refused without any problem")
        for line in error.lines():
            message_key(line)
        if value.data is not None:
            try:
                read_situation(tbs, copy.deepcopy(value.data))
            except SituationRefused:
                return MESSAGE
            fail(f"an intact file ({value.file.how}) refused, its data read: {error.lines()[:2]}")
        return MESSAGE
    if not _finite_values(read.data):
        fail("a situation read with a value that is not finite")
    for plural, instances in read.data.items():
        for body in instances.values():
            for name, by_period in body.items():
                if name in tbs.variables and tbs.variables[name].entity.plural != plural:
                    fail(f"the variable {name} read in {plural}")
    if not read.person_ids:
        fail("a situation read without a person")
    if value.data is not None and read_situation(tbs, copy.deepcopy(value.data)) != read:
        fail(f"an intact file ({value.file.how}) read differently from its data")
    return RESULT


def _situation_prepare(value: SituationInput, work: Path) -> tuple[SituationInput, Path]:
    situation_tbs()  # loaded (its parameter cache written) before the files are watched
    return write_input("situation.json")(value, work)


SITUATION = Target("OpenFisca situation JSON (--openfisca -> read_situation)", situation_inputs(), run_situation,
                   _situation_prepare, weight=2.0)
TARGETS.append(SITUATION)
