"""Rules packs: new legislation and local aids, delivered offline as one zip file.

A rules folder (the bundled ``rules/``, or an imported pack) holds ``benefits/`` (national
catalogue), ``local/`` (local aids, and ``local/extension/<package>``: the OpenFisca
extension), ``schema/`` and ``manifest.yaml`` (version, legislation coverage dates, the
extension's package name). A pack is that folder zipped, its manifest listing the SHA-256
of every file.

* :func:`build_pack` zips a rules folder after validating it.
* :func:`import_pack` extracts a pack in a temporary folder and validates it there —
  checksums, schemas, the catalogue loads, the extension loads and its YAML tests pass —
  and only then copies it into the user data folder and makes it active. The pack active
  before is kept for :func:`rollback`. A refused pack changes nothing.
* :func:`active_rules_dir` / :func:`active_rules_info` / :func:`list_rules`: what is active
  (for the engine, the catalogue, the "active rules" screen and the handout's version).
* :func:`load_extension`: the active extension into a tax-benefit system (engine load).
* :func:`add_rules_arguments` / :func:`run_rules`: ``guichet rules import | rollback | info | build``.

State lives in ``<user data>/rules/``: ``active.json`` (``{"active": name|null,
"previous": name|null}``, null meaning the bundled rules) and ``packs/<name>/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib
import json
import logging
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from app.core import paths
from app.core.i18n import t

log = logging.getLogger(__name__)

PACK_FORMAT = 1
MANIFEST = "manifest.yaml"
EXTENSION_FOLDER = ("local", "extension")
STATE_FILE = "active.json"
REQUIRED_SCHEMAS = ("benefit.schema.json", "local_aid.schema.json")
# Limits of an imported zip (a pack is a few hundred kilobytes).
MAX_FILES = 2000
MAX_TOTAL_BYTES = 50 * 1024 * 1024
SKIPPED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".DS_Store", ".imported_at"})


class RulesPackError(Exception):
    """A rules folder or pack that cannot be used; the message is French and names the file."""


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class Manifest:
    version: str
    title: str
    legislation_from: dt.date
    legislation_until: dt.date
    extension: str | None = None
    openfisca_france: str = ""
    created: str = ""
    files: dict[str, str] = field(default_factory=dict)  # relative POSIX path -> SHA-256


def read_manifest(folder: Path, require_files: bool = False) -> Manifest:
    """The ``manifest.yaml`` of a rules folder; :class:`RulesPackError` when missing or invalid."""
    path = folder / MANIFEST
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesPackError(t("rules.pack.no_manifest")) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        where = t("rules.local.at_line", line=mark.line + 1) if mark is not None else ""
        raise RulesPackError(t("rules.pack.manifest_unreadable", where=where)) from error
    if not isinstance(data, dict):
        raise RulesPackError(t("rules.pack.manifest_field", field="(racine)", reason=t("rules.pack.expected_mapping")))

    def text(key: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, (str, int, float)) or not str(value).strip():
            raise RulesPackError(t("rules.pack.manifest_field", field=key, reason=t("rules.pack.expected_text")))
        return str(value).strip()

    if data.get("format") != PACK_FORMAT:
        raise RulesPackError(t("rules.pack.manifest_field", field="format",
                               reason=t("rules.pack.bad_format", expected=PACK_FORMAT)))
    legislation = data.get("legislation")
    if not isinstance(legislation, dict):
        raise RulesPackError(t("rules.pack.manifest_field", field="legislation", reason=t("rules.pack.expected_mapping")))
    dates = []
    for key in ("from", "until"):
        value = legislation.get(key)
        try:
            dates.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError:
            raise RulesPackError(t("rules.pack.manifest_field", field=f"legislation.{key}",
                                   reason=t("rules.pack.expected_date"))) from None
    if dates[0] > dates[1]:
        raise RulesPackError(t("rules.pack.manifest_field", field="legislation",
                               reason=t("rules.pack.dates_reversed")))
    extension = data.get("extension")
    if extension is not None and (not isinstance(extension, str) or not extension.isidentifier()):
        raise RulesPackError(t("rules.pack.manifest_field", field="extension", reason=t("rules.pack.bad_package")))
    files = data.get("files")
    if files is None:
        if require_files:
            raise RulesPackError(t("rules.pack.manifest_field", field="files", reason=t("rules.pack.no_checksums")))
        files = {}
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) == 64 for k, v in files.items()
    ):
        raise RulesPackError(t("rules.pack.manifest_field", field="files", reason=t("rules.pack.bad_checksums")))
    created = data.get("created")
    return Manifest(
        version=text("version"),
        title=text("title"),
        legislation_from=dates[0],
        legislation_until=dates[1],
        extension=extension,
        openfisca_france=text("openfisca_france", required=False),
        created=str(created) if created is not None else "",
        files=dict(files),
    )


def manifest_version(folder: Path) -> str:
    """The version of a rules folder, "" when it has no readable manifest (never raises)."""
    try:
        return read_manifest(folder).version
    except RulesPackError:
        return ""


def file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a rules folder but the manifest (POSIX relative paths)."""
    return {name: _sha256(folder / name) for name in _rules_files(folder)}


def _rules_files(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or SKIPPED_PARTS & set(relative.parts) or path.suffix == ".pyc":
            continue
        name = relative.as_posix()
        if name != MANIFEST:
            out.append(name)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- state


def rules_root() -> Path:
    """``<user data>/rules`` (not created: a refused import must leave no trace)."""
    return paths.user_data_dir() / "rules"


def _packs_dir() -> Path:
    return rules_root() / "packs"


@dataclass(frozen=True)
class _State:
    active: str | None = None  # None: the bundled rules
    previous: str | None = None
    previous_set: bool = False  # False: no rollback possible (nothing imported yet)


def _read_state() -> _State:
    path = rules_root() / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _State()
    except (OSError, ValueError):
        log.warning("rules state file unreadable: using the bundled rules")
        return _State()
    if not isinstance(data, dict):
        return _State()
    active = data.get("active") if isinstance(data.get("active"), str) else None
    previous = data.get("previous") if isinstance(data.get("previous"), str) else None
    return _State(active, previous, bool(data.get("previous_set", "previous" in data)))


def _write_state(state: _State) -> None:
    root = rules_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / (STATE_FILE + ".tmp")
    tmp.write_text(
        json.dumps({"active": state.active, "previous": state.previous, "previous_set": state.previous_set},
                   indent=2),
        encoding="utf-8",
    )
    os.replace(tmp, root / STATE_FILE)


def _pack_dir(name: str | None) -> Path | None:
    if name is None:
        return None
    folder = _packs_dir() / name
    return folder if (folder / MANIFEST).is_file() else None


def active_rules_dir() -> Path:
    """The folder the engine and the catalogue read: the active imported pack, or the bundled ``rules/``."""
    folder = _pack_dir(_read_state().active)
    return folder if folder is not None else paths.bundled_rules_dir()


# --------------------------------------------------------------------------- info for screens


@dataclass(frozen=True)
class RulesInfo:
    version: str
    title: str
    legislation_from: str  # ISO dates
    legislation_until: str
    source: str  # "bundled" | "imported"
    folder: str
    imported_at: str = ""  # ISO date-time of the import, for an imported pack
    previous_version: str | None = None  # what rollback() would bring back, None when nothing
    extension: str | None = None
    openfisca_france: str = ""

    @property
    def source_label(self) -> str:
        return t(f"rules.info.source_{self.source}")


def _info(folder: Path, source: str, previous: str | None) -> RulesInfo:
    manifest = read_manifest(folder)
    imported_at = ""
    if source == "imported":
        stamp = folder / ".imported_at"
        imported_at = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""
    return RulesInfo(
        version=manifest.version,
        title=manifest.title,
        legislation_from=manifest.legislation_from.isoformat(),
        legislation_until=manifest.legislation_until.isoformat(),
        source=source,
        folder=str(folder),
        imported_at=imported_at,
        previous_version=previous,
        extension=manifest.extension,
        openfisca_france=manifest.openfisca_france,
    )


def active_rules_info() -> RulesInfo:
    """Version, legislation coverage and origin of the active rules (for the "active rules" screen)."""
    state = _read_state()
    folder = _pack_dir(state.active)
    previous: str | None = None
    if state.previous_set:
        previous_folder = _pack_dir(state.previous) if state.previous else paths.bundled_rules_dir()
        if previous_folder is not None:
            previous = manifest_version(previous_folder) or None
    if folder is None:
        return _info(paths.bundled_rules_dir(), "bundled", previous)
    return _info(folder, "imported", previous)


@dataclass(frozen=True)
class RuleEntry:
    """One line of the "active rules" screen."""

    id: str
    label: str
    kind: str  # "national" | "local" (criteria) | "local_openfisca" (extension formula)
    version: str  # the rules folder's version for national benefits, the aid's own for local aids
    territory: str = ""
    paying_body: str = ""
    source_url: str = ""
    source_file: str = ""


def list_rules() -> list[RuleEntry]:
    """National benefits and local aids of the active rules, with their versions."""
    from app.core.catalogue import load_catalogue
    from app.core.local_aids import LocalAid

    catalogue = load_catalogue()
    out = [
        RuleEntry(b.id, b.label, "national", catalogue.version, "", b.paying_body.short, b.reference.url or "",
                  b.source_file)
        for b in catalogue
    ]
    for aid in catalogue.local_aids:
        assert isinstance(aid, LocalAid)
        out.append(RuleEntry(
            aid.id, aid.label, "local" if aid.rule is not None else "local_openfisca", aid.version,
            aid.territory.label, aid.paying_body.short, aid.source.url or "", aid.source_file,
        ))
    return out


# --------------------------------------------------------------------------- extension


def load_extension(tbs: Any, rules_dir: Path | None = None) -> str | None:
    """Load the OpenFisca extension of ``rules_dir`` (default: the active rules) into ``tbs``.

    openfisca-core 44 imports the extension by package name: the package's parent folder is
    put on ``sys.path`` for the import, and any module of the same name imported before
    (another rules folder's) is forgotten first. Returns the package name, or None when the
    folder has no extension. A failure is logged and re-raised for an explicit folder; for
    the active rules it is only logged (the national benefits must still compute).
    """
    explicit = rules_dir is not None
    folder = rules_dir if rules_dir is not None else active_rules_dir()
    try:
        manifest = read_manifest(folder)
    except RulesPackError:
        if explicit:
            raise
        log.error("rules folder %s has no readable manifest: no extension loaded", folder)
        return None
    if not manifest.extension:
        return None
    name = manifest.extension
    parent = folder.joinpath(*EXTENSION_FOLDER)
    try:
        if not (parent / name / "__init__.py").is_file():
            raise RulesPackError(t("rules.pack.extension_missing", package=name))
        with _importable(parent, name):
            tbs.load_extension(name)
    except Exception as error:
        if explicit:
            if isinstance(error, RulesPackError):
                raise
            raise RulesPackError(t("rules.pack.extension_failed", package=name, reason=_short(error))) from error
        log.error("the OpenFisca extension %s of %s could not be loaded", name, folder, exc_info=True)
        return None
    return name


class _importable:
    """``sys.path`` holds ``parent`` and ``sys.modules`` forgets ``name`` while inside."""

    def __init__(self, parent: Path, name: str) -> None:
        self.parent, self.name = str(parent), name

    def _forget(self) -> None:
        for module in [m for m in sys.modules if m == self.name or m.startswith(self.name + ".")]:
            del sys.modules[module]

    def __enter__(self) -> None:
        self._forget()
        sys.path.insert(0, self.parent)
        importlib.invalidate_caches()

    def __exit__(self, *exc: object) -> None:
        try:
            sys.path.remove(self.parent)
        except ValueError:
            pass
        self._forget()


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return (text[:300] + "…") if len(text) > 300 else (text or type(error).__name__)


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class ValidationReport:
    manifest: Manifest
    benefits: int
    local_aids: int
    tests_run: int


def validate_rules_dir(folder: Path, run_tests: bool = True, require_checksums: bool = False) -> ValidationReport:
    """Check a rules folder as a pack: manifest, checksums, schemas, catalogue and local
    aids, extension and its YAML tests. Raises :class:`RulesPackError` (French)."""
    from app.core.catalogue import CatalogueError, load_catalogue

    manifest = read_manifest(folder, require_files=require_checksums)
    if require_checksums:
        _check_checksums(folder, manifest)
    for schema in REQUIRED_SCHEMAS:
        if not (folder / "schema" / schema).is_file():
            raise RulesPackError(t("rules.pack.schema_missing", file=f"schema/{schema}"))
    try:
        catalogue = load_catalogue(folder / "benefits")
    except CatalogueError as error:
        reason = str(error)
        for prefix in {str(folder.resolve()) + os.sep, str(folder) + os.sep}:  # paths inside the pack
            reason = reason.replace(prefix, "")
        raise RulesPackError(t("rules.pack.catalogue_invalid", reason=reason)) from error
    formula_aids = [aid for aid in catalogue.local_aids if aid.variable]
    tests_run = 0
    if manifest.extension or formula_aids:
        tests_run = _check_extension(folder, manifest, formula_aids, run_tests)
    return ValidationReport(manifest, len(catalogue), len(catalogue.local_aids), tests_run)


def _check_checksums(folder: Path, manifest: Manifest) -> None:
    present = set(_rules_files(folder))
    listed = set(manifest.files)
    for name in sorted(listed - present):
        raise RulesPackError(t("rules.pack.file_missing", file=name))
    for name in sorted(present - listed):
        raise RulesPackError(t("rules.pack.file_not_listed", file=name))
    for name in sorted(listed):
        if _sha256(folder / name) != manifest.files[name].lower():
            raise RulesPackError(t("rules.pack.checksum_mismatch", file=name))


def _check_extension(folder: Path, manifest: Manifest, formula_aids: Sequence[Any], run_tests: bool) -> int:
    from app.core.engine import load_system
    from app.core.extension_tests import run_yaml_tests, yaml_test_files

    if not manifest.extension:
        raise RulesPackError(t("rules.pack.formula_without_extension", id=formula_aids[0].id))
    if not folder.joinpath(*EXTENSION_FOLDER, manifest.extension, "__init__.py").is_file():
        raise RulesPackError(t("rules.pack.extension_missing", package=manifest.extension))
    tbs = load_system(use_cache=True, with_extension=False)
    load_extension(tbs, folder)
    for aid in formula_aids:
        variable = tbs.variables.get(aid.variable)
        if variable is None:
            raise RulesPackError(t("rules.pack.variable_missing", id=aid.id, variable=aid.variable))
        if variable.entity.key != aid.entity or str(variable.definition_period) != aid.period:
            raise RulesPackError(t("rules.pack.variable_mismatch", id=aid.id, variable=aid.variable))
    tests = yaml_test_files(folder.joinpath(*EXTENSION_FOLDER, manifest.extension, "tests"))
    if not tests:
        raise RulesPackError(t("rules.pack.no_tests", package=manifest.extension))
    if not run_tests:
        return 0
    outcomes = run_yaml_tests(tbs, tests)
    failed = [o for o in outcomes if not o.passed]
    if failed:
        details = "\n".join(t("rules.pack.test_failed_line", file=o.file, name=o.name, message=o.message)
                            for o in failed[:10])
        raise RulesPackError(t("rules.pack.tests_failed", failed=len(failed), total=len(outcomes), details=details))
    if not outcomes:
        raise RulesPackError(t("rules.pack.no_tests", package=manifest.extension))
    return len(outcomes)


# --------------------------------------------------------------------------- build


def build_pack(source_dir: Path, out_zip: Path, run_tests: bool = True) -> Manifest:
    """Validate ``source_dir`` (a rules folder) and write it as a pack: its files and a
    manifest listing the SHA-256 of each. Returns the pack's manifest."""
    source_dir = Path(source_dir)
    validate_rules_dir(source_dir, run_tests=run_tests)
    manifest_data = yaml.safe_load((source_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest_data["files"] = file_checksums(source_dir)
    manifest_data.setdefault("created", dt.datetime.now().replace(microsecond=0).isoformat())
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_zip.with_name(out_zip.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, yaml.safe_dump(manifest_data, allow_unicode=True, sort_keys=False))
        for name in manifest_data["files"]:
            archive.write(source_dir / name, name)
    os.replace(tmp, out_zip)
    return read_manifest_from_zip(out_zip)


def read_manifest_from_zip(zip_path: Path) -> Manifest:
    with tempfile.TemporaryDirectory(prefix="guichet-pack-") as tmp:
        folder = Path(tmp)
        with _open_zip(zip_path) as archive:
            (folder / MANIFEST).write_bytes(archive.read(MANIFEST))
        return read_manifest(folder)


# --------------------------------------------------------------------------- import, rollback


def _open_zip(zip_path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(zip_path)
    except FileNotFoundError:
        raise RulesPackError(t("rules.pack.not_found", path=zip_path)) from None
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise RulesPackError(t("rules.pack.not_a_zip", path=zip_path)) from error


def _extract(zip_path: Path, folder: Path) -> None:
    with _open_zip(zip_path) as archive:
        members = archive.infolist()
        if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            raise RulesPackError(t("rules.pack.too_big"))
        if MANIFEST not in archive.namelist():
            raise RulesPackError(t("rules.pack.no_manifest"))
        for member in members:
            name = PurePosixPath(member.filename)
            if member.filename.startswith("/") or "\\" in member.filename or ".." in name.parts \
                    or ":" in member.filename:
                raise RulesPackError(t("rules.pack.unsafe_path", file=member.filename))
            if member.is_dir():
                continue
            if SKIPPED_PARTS & set(name.parts) or name.suffix in (".pyc", ".pyo", ".so", ".pyd"):
                raise RulesPackError(t("rules.pack.unexpected_file", file=member.filename))
            if (member.external_attr >> 16) & 0o170000 == 0o120000:  # a symbolic link
                raise RulesPackError(t("rules.pack.unsafe_path", file=member.filename))
            target = folder.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.write_bytes(archive.read(member))
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
                raise RulesPackError(t("rules.pack.corrupt_member", file=member.filename)) from error


def import_pack(zip_path: Path, run_tests: bool = True) -> RulesInfo:
    """Validate a pack offline and make it the active rules; the active rules before are
    kept for :func:`rollback`. Raises :class:`RulesPackError` and changes nothing when the
    pack is refused (corrupt zip, checksum, schema, catalogue, extension or test failure).

    The engine and the catalogue read the active rules when they load: restart them (a
    new ``Engine``, ``load_catalogue()``) for the pack to apply.
    """
    zip_path = Path(zip_path)
    with tempfile.TemporaryDirectory(prefix="guichet-pack-") as tmp:
        candidate = Path(tmp) / "rules"
        candidate.mkdir()
        _extract(zip_path, candidate)
        report = validate_rules_dir(candidate, run_tests=run_tests, require_checksums=True)
        name = _pack_name(report.manifest, zip_path)
        state = _read_state()
        target = _packs_dir() / name
        if name != state.active:
            if target.exists():
                shutil.rmtree(target)
            staging = _packs_dir() / (name + ".incoming")
            if staging.exists():
                shutil.rmtree(staging)
            staging.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copytree(candidate, staging)
                (staging / ".imported_at").write_text(dt.datetime.now().replace(microsecond=0).isoformat(),
                                                      encoding="utf-8")
                os.replace(staging, target)
            except OSError as error:
                shutil.rmtree(staging, ignore_errors=True)
                raise RulesPackError(t("rules.pack.copy_failed", reason=_short(error))) from error
            _write_state(_State(active=name, previous=state.active, previous_set=True))
            _prune({name, state.active})
    log.info("rules pack %s activated", name)
    return active_rules_info()


def rollback() -> RulesInfo:
    """Make the rules active before the last import (or rollback) active again."""
    state = _read_state()
    if not state.previous_set:
        raise RulesPackError(t("rules.pack.nothing_to_roll_back"))
    if state.previous is not None and _pack_dir(state.previous) is None:
        raise RulesPackError(t("rules.pack.previous_missing"))
    _write_state(_State(active=state.previous, previous=state.active, previous_set=True))
    log.info("rules rolled back to %s", state.previous or "bundled")
    return active_rules_info()


def _pack_name(manifest: Manifest, zip_path: Path) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in manifest.version)[:60]
    return f"{safe}-{_sha256(zip_path)[:12]}"


def _prune(keep: set[str | None]) -> None:
    folder = _packs_dir()
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


# --------------------------------------------------------------------------- CLI


def add_rules_arguments(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``rules import PACK.zip | rollback | info | build SRC OUT.zip`` to the CLI."""
    rules = subparsers.add_parser("rules", help=t("rules.cli.help"))
    actions = rules.add_subparsers(dest="rules_command")
    do_import = actions.add_parser("import", help=t("rules.cli.help_import"))
    do_import.add_argument("pack", type=Path, metavar="PACK.zip", help=t("rules.cli.help_pack"))
    actions.add_parser("rollback", help=t("rules.cli.help_rollback"))
    info = actions.add_parser("info", help=t("rules.cli.help_info"))
    info.add_argument("--list", action="store_true", help=t("rules.cli.help_list"))
    build = actions.add_parser("build", help=t("rules.cli.help_build"))
    build.add_argument("source", type=Path, metavar="SRC", help=t("rules.cli.help_source"))
    build.add_argument("output", type=Path, metavar="OUT.zip", help=t("rules.cli.help_output"))
    build.add_argument("--no-tests", action="store_true", help=t("rules.cli.help_no_tests"))
    return rules


def run_rules(args: argparse.Namespace) -> int:
    """Run a ``guichet rules`` command; French messages; 0 success, 2 refused or bad usage."""
    command = getattr(args, "rules_command", None)
    try:
        if command == "import":
            print(t("rules.cli.checking", path=args.pack))
            info = import_pack(args.pack)
            print(t("rules.cli.imported", version=info.version))
            print(_info_text(info))
            print(t("rules.cli.restart"))
            return 0
        if command == "rollback":
            info = rollback()
            print(t("rules.cli.rolled_back", version=info.version))
            print(_info_text(info))
            print(t("rules.cli.restart"))
            return 0
        if command == "info":
            print(_info_text(active_rules_info()))
            if getattr(args, "list", False):
                for entry in list_rules():
                    print(t("rules.cli.entry", label=entry.label, kind=t(f"rules.kind.{entry.kind}"),
                            version=entry.version, territory=entry.territory or "—"))
            return 0
        if command == "build":
            try:
                manifest = build_pack(args.source, args.output, run_tests=not args.no_tests)
            except RulesPackError as error:
                print(t("rules.cli.build_failed", reason=str(error)), file=sys.stderr)
                return 2
            print(t("rules.cli.built", path=args.output, version=manifest.version, count=len(manifest.files)))
            return 0
        print(t("rules.cli.usage"), file=sys.stderr)
        return 2
    except RulesPackError as error:
        print(t("rules.cli.refused", reason=str(error)), file=sys.stderr)
        return 2


def _info_text(info: RulesInfo) -> str:
    from app.core import formats

    previous = info.previous_version or t("rules.info.no_previous")
    return t(
        "rules.info.text",
        version=info.version,
        title=info.title,
        source=info.source_label,
        start=formats.date(dt.date.fromisoformat(info.legislation_from)),
        until=formats.date(dt.date.fromisoformat(info.legislation_until)),
        previous=previous,
    )


def iter_pack_names() -> Iterator[str]:
    """Names of the imported packs kept in the user data folder (active and previous)."""
    folder = _packs_dir()
    if folder.is_dir():
        yield from sorted(child.name for child in folder.iterdir() if child.is_dir())
