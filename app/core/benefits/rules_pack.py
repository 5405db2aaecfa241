"""Rules packs: new legislation and local aids, delivered offline as one zip file.

A rules folder (the bundled ``rules/``, or an imported pack: ``app.core.rules.folder``)
holds ``benefits/`` (national catalogue), ``local/`` (local aids, and
``local/extension/<package>``: the OpenFisca extension), ``schema/`` and ``manifest.yaml``
(version, legislation coverage dates, the extension's package name). A pack is that folder zipped, its manifest listing the SHA-256
of every file, and ``manifest.sig``: the publisher's Ed25519 signature of the manifest
(:mod:`app.core.rules.pack_signing`).

* :func:`build_pack` zips a rules folder after validating it (and signs it with a key);
  :func:`sign_pack` signs a built pack.
* :func:`import_pack` checks the zip's structure and sizes, verifies the signature against
  the trusted keys, only then parses the manifest, extracts each listed file checking its
  size and SHA-256, refuses any file a pack may not contain, YAML anchors and aliases, and
  a version older than the active one (unless ``allow_older``); then validates it —
  schemas, the catalogue loads, and, in a separate process with a time limit, the
  extension loads and its YAML tests pass — and only then copies it into the user data
  folder and makes it active. The pack active before is kept for :func:`rollback`. A
  refused pack changes nothing, and none of its code runs before its signature checks.
* An installed pack is verified again (signature and every file's SHA-256) whenever the
  active rules are read (``folder.active_rules_dir``): a pack changed on disk after its
  import is not used.
* :func:`list_rules`: the benefits and aids of the active rules ("active rules" screen).
* :func:`add_rules_arguments` / :func:`run_rules`: ``guichet rules import | rollback | info | build``.

State lives in ``<user data>/rules/``: ``active.json`` (``{"active": name|null,
"previous": name|null}``, null meaning the bundled rules) and ``packs/<name>/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from app.core.rules import pack_signing
from app.core.rules import safe_yaml
from app.core.base.i18n import t
from app.core.rules.folder import (
    EXTENSION_FOLDER,
    IMPORTED_STAMP,
    MANIFEST,
    MAX_FILE_BYTES,
    SKIPPED_PARTS,
    Manifest,
    RulesInfo,
    RulesPackError,
    RulesState,
    active_rules_info,
    check_checksums,
    file_checksums,
    kib,
    load_extension,
    pack_dir,
    packs_dir,
    read_manifest,
    read_state,
    rules_files,
    sha256_of,
    short_reason,
    verify_signature,
    version_key,
    write_state,
)
from app.core.rules.pack_signing import SIGNATURE_FILE, SignatureError, TrustedKey

log = logging.getLogger(__name__)

REQUIRED_SCHEMAS = ("benefit.schema.json", "local_aid.schema.json")
# Limits of a pack (the bundled rules are about 60 files and 250 kB; the biggest file 16 kB).
MAX_ZIP_BYTES = 25 * 1024 * 1024
MAX_FILES = 1000
MAX_TOTAL_BYTES = 20 * 1024 * 1024  # uncompressed, declared and real
# The extension's checks (a fresh OpenFisca-France system, the YAML tests) run in a child
# process killed after this many seconds: about 10 s on a laptop for the bundled rules.
EXTENSION_TIMEOUT = 180.0
# What a pack may contain (docs/rules.md), besides manifest.yaml and manifest.sig at its root.
_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
DATA_FOLDERS = {"benefits": ".yaml", "local": ".yaml", "explain": ".yaml", "schema": ".json"}
# Data files at the root of a pack, besides the manifest and its signature.
ROOT_DATA_FILES = frozenset({"staleness.yaml"})
EXTENSION_SUFFIXES = (".py", ".yaml")


class OlderPackError(RulesPackError):
    """A pack older than the active rules: imported only with ``allow_older`` (an explicit rollback)."""


# --------------------------------------------------------------------------- contents


def allowed_path(name: str, extension: str | None) -> bool:
    """Whether a pack may contain the file ``name`` (POSIX, relative): ``benefits/*.yaml``,
    ``local/*.yaml``, ``explain/*.yaml``, ``schema/*.json``, ``staleness.yaml``, and under
    ``local/extension/<extension>/`` (the package the manifest declares) ``*.py`` modules
    and ``*.yaml`` parameters and tests. Nothing else (docs/rules.md)."""
    parts = name.split("/")
    if not all(_PART.match(part) for part in parts):
        return False
    if len(parts) == 1:
        return name in ROOT_DATA_FILES
    if len(parts) == 2 and parts[0] in DATA_FOLDERS:
        return parts[1].endswith(DATA_FOLDERS[parts[0]]) and len(parts[1]) > len(DATA_FOLDERS[parts[0]])
    if extension is None or len(parts) < 4 or tuple(parts[:2]) != EXTENSION_FOLDER or parts[2] != extension:
        return False
    stem, dot, suffix = parts[-1].rpartition(".")
    if not dot or "." + suffix not in EXTENSION_SUFFIXES or not stem:
        return False
    if suffix == "py":  # importable modules only: every folder a package name, the file a module name
        return all(part.isidentifier() for part in parts[3:-1]) and stem.isidentifier()
    return True


def _check_contents(folder: Path, manifest: Manifest, names: Sequence[str]) -> None:
    """Every file may be in a pack, within the size limits, and no YAML has an anchor or an
    alias (checked on the event stream, before any YAML of the pack is loaded)."""
    if len(names) + 1 > MAX_FILES:
        raise RulesPackError(t("rules.pack.too_many_files", limit=MAX_FILES))
    total = 0
    for name in names:
        if not allowed_path(name, manifest.extension):
            raise RulesPackError(t("rules.pack.unexpected_file", file=name))
        size = (folder / name).stat().st_size
        if size > MAX_FILE_BYTES:
            raise RulesPackError(t("rules.pack.file_too_big", file=name, limit=kib(MAX_FILE_BYTES)))
        total += size
        if total > MAX_TOTAL_BYTES:
            raise RulesPackError(t("rules.pack.too_big", limit=kib(MAX_TOTAL_BYTES)))
    for name in names:
        if name.endswith(".yaml"):
            try:
                safe_yaml.check_no_anchors((folder / name).read_bytes())
            except safe_yaml.AnchorNotAllowed as error:
                raise RulesPackError(t("rules.pack.yaml_anchor", file=name, line=error.line + 1)) from error
            except yaml.YAMLError:
                pass  # not YAML: the catalogue's loader names the file and the line


# --------------------------------------------------------------------------- the active rules, listed


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
    from app.core.benefits.catalogue import load_catalogue
    from app.core.benefits.local_aids import LocalAid

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


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class ValidationReport:
    manifest: Manifest
    benefits: int
    local_aids: int
    tests_run: int


@dataclass(frozen=True)
class _FormulaAid:
    """What the extension check needs of a formula aid (sent to the child process)."""

    id: str
    variable: str
    entity: str
    period: str


def validate_rules_dir(folder: Path, run_tests: bool = True, require_checksums: bool = False,
                       timeout: float = EXTENSION_TIMEOUT) -> ValidationReport:
    """Check a rules folder as a pack: manifest, the files a pack may contain and their
    sizes, no YAML anchor, checksums, schemas, catalogue and local aids, then the extension
    and its YAML tests (in a child process stopped after ``timeout`` seconds). Raises
    :class:`RulesPackError` (French)."""
    from app.core.benefits.benefit import CatalogueError
    from app.core.benefits.catalogue import load_catalogue

    manifest = read_manifest(folder, require_files=require_checksums)
    names = rules_files(folder)
    _check_contents(folder, manifest, names)
    if require_checksums:
        check_checksums(folder, manifest, names)
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
    formula_aids = [_FormulaAid(aid.id, aid.variable, aid.entity, aid.period)
                    for aid in catalogue.local_aids if aid.variable]
    tests_run = 0
    if manifest.extension or formula_aids:
        tests_run = _check_extension(folder, manifest, formula_aids, run_tests, timeout)
    return ValidationReport(manifest, len(catalogue), len(catalogue.local_aids), tests_run)


def _check_extension(folder: Path, manifest: Manifest, formula_aids: Sequence[_FormulaAid], run_tests: bool,
                     timeout: float) -> int:
    """Load the extension and run its YAML tests in a child process (the pack's code runs
    there, never in this process), killed after ``timeout`` seconds."""
    from app.core.openfisca.extension_tests import yaml_test_files

    if not manifest.extension:
        raise RulesPackError(t("rules.pack.formula_without_extension", id=formula_aids[0].id))
    if not folder.joinpath(*EXTENSION_FOLDER, manifest.extension, "__init__.py").is_file():
        raise RulesPackError(t("rules.pack.extension_missing", package=manifest.extension))
    if not yaml_test_files(folder.joinpath(*EXTENSION_FOLDER, manifest.extension, "tests")):
        raise RulesPackError(t("rules.pack.no_tests", package=manifest.extension))
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_extension_child, daemon=True, name="guichet-pack-check",
                              args=(sender, str(folder), manifest.extension, tuple(formula_aids), run_tests))
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise RulesPackError(t("rules.pack.extension_timeout", package=manifest.extension, seconds=int(timeout)))
        try:
            status, value = receiver.recv()
        except (EOFError, OSError):
            raise RulesPackError(t("rules.pack.extension_crashed", package=manifest.extension)) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(10)
        receiver.close()
    if status != "ok":
        raise RulesPackError(str(value))
    return int(value)


def _extension_child(sender: Any, folder: str, extension: str, formula_aids: tuple[_FormulaAid, ...],
                     run_tests: bool) -> None:
    """In the child process: the extension's checks; sends ("ok", tests run) or ("refused", message)."""
    try:
        result: tuple[str, Any] = ("ok", _check_extension_here(Path(folder), extension, formula_aids, run_tests))
    except RulesPackError as error:
        result = ("refused", str(error))
    except BaseException as error:  # noqa: BLE001 - whatever the pack's code raises is a refusal
        result = ("refused", t("rules.pack.extension_failed", package=extension, reason=short_reason(error)))
    sender.send(result)
    sender.close()


def _check_extension_here(folder: Path, extension: str, formula_aids: Sequence[_FormulaAid], run_tests: bool) -> int:
    from app.core.openfisca.loading import load_system
    from app.core.openfisca.extension_tests import run_yaml_tests, yaml_test_files

    tbs = load_system(use_cache=True, with_extension=False)
    load_extension(tbs, folder)
    for aid in formula_aids:
        variable = tbs.variables.get(aid.variable)
        if variable is None:
            raise RulesPackError(t("rules.pack.variable_missing", id=aid.id, variable=aid.variable))
        if variable.entity.key != aid.entity or str(variable.definition_period) != aid.period:
            raise RulesPackError(t("rules.pack.variable_mismatch", id=aid.id, variable=aid.variable))
    if not run_tests:
        return 0
    outcomes = run_yaml_tests(tbs, yaml_test_files(folder.joinpath(*EXTENSION_FOLDER, extension, "tests")))
    failed = [o for o in outcomes if not o.passed]
    if failed:
        details = "\n".join(t("rules.pack.test_failed_line", file=o.file, name=o.name, message=o.message)
                            for o in failed[:10])
        raise RulesPackError(t("rules.pack.tests_failed", failed=len(failed), total=len(outcomes), details=details))
    if not outcomes:
        raise RulesPackError(t("rules.pack.no_tests", package=extension))
    return len(outcomes)


# --------------------------------------------------------------------------- build and sign


def build_pack(source_dir: Path, out_zip: Path, run_tests: bool = True, key: Path | None = None,
               passphrase: bytes | None = None) -> Manifest:
    """Validate ``source_dir`` (a rules folder) and write it as a pack: its files and a
    manifest listing the SHA-256 of each, signed with the private key ``key`` when given
    (an unsigned pack is refused by every import). Returns the pack's manifest."""
    source_dir = Path(source_dir)
    signing_key = pack_signing.load_private_key(Path(key), passphrase) if key is not None else None
    validate_rules_dir(source_dir, run_tests=run_tests)
    manifest_data = safe_yaml.load((source_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest_data["files"] = file_checksums(source_dir)
    manifest_data.setdefault("created", dt.datetime.now().replace(microsecond=0).isoformat())
    manifest_bytes = yaml.safe_dump(manifest_data, allow_unicode=True, sort_keys=False).encode("utf-8")
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_zip.with_name(out_zip.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        if signing_key is not None:
            archive.writestr(SIGNATURE_FILE, pack_signing.sign_manifest(manifest_bytes, signing_key))
        for name in manifest_data["files"]:
            archive.write(source_dir / name, name)
    os.replace(tmp, out_zip)
    return read_manifest_from_zip(out_zip)


def sign_pack(zip_path: Path, key: Path, passphrase: bytes | None = None) -> TrustedKey | None:
    """Sign the built pack ``zip_path`` with the private key ``key`` (replacing any earlier
    signature). Returns the trusted key it now verifies with, None when that key is not
    (yet) trusted on this machine."""
    signing_key = pack_signing.load_private_key(Path(key), passphrase)
    zip_path = Path(zip_path)
    tmp = zip_path.with_name(zip_path.name + ".tmp")
    with _open_zip(zip_path) as source:
        if MANIFEST not in source.namelist():
            raise RulesPackError(t("rules.pack.no_manifest"))
        manifest_bytes = source.read(MANIFEST)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                if item.filename != SIGNATURE_FILE:
                    target.writestr(item, source.read(item))
            target.writestr(SIGNATURE_FILE, pack_signing.sign_manifest(manifest_bytes, signing_key))
    os.replace(tmp, zip_path)
    try:
        return pack_signing.verify_manifest(manifest_bytes, pack_signing.sign_manifest(manifest_bytes, signing_key))
    except SignatureError:
        return None


def read_manifest_from_zip(zip_path: Path) -> Manifest:
    """The manifest of a pack, without verifying it (the publisher's own pack, just built)."""
    with tempfile.TemporaryDirectory(prefix="guichet-pack-") as tmp:
        folder = Path(tmp)
        with _open_zip(zip_path) as archive:
            (folder / MANIFEST).write_bytes(archive.read(MANIFEST))
        return read_manifest(folder)


# --------------------------------------------------------------------------- import, rollback


def _open_zip(zip_path: Path) -> zipfile.ZipFile:
    try:
        if Path(zip_path).stat().st_size > MAX_ZIP_BYTES:
            raise RulesPackError(t("rules.pack.too_big", limit=kib(MAX_ZIP_BYTES)))
        return zipfile.ZipFile(zip_path)
    except FileNotFoundError:
        raise RulesPackError(t("rules.pack.not_found", path=zip_path)) from None
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise RulesPackError(t("rules.pack.not_a_zip", path=zip_path)) from error


def _check_members(members: Sequence[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """The zip's structure, before reading any member: safe names, no link, no duplicate,
    no encryption, declared sizes within the limits. Returns the files by name."""
    if len(members) > MAX_FILES:
        raise RulesPackError(t("rules.pack.too_many_files", limit=MAX_FILES))
    files: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    total = 0
    for member in members:
        raw = member.filename
        name = raw.rstrip("/") if member.is_dir() else raw
        parts = name.split("/")
        if not name or raw.startswith("/") or "\\" in raw or ":" in raw or any(p in ("", ".", "..") for p in parts):
            raise RulesPackError(t("rules.pack.unsafe_path", file=raw))
        if (member.external_attr >> 16) & 0o170000 == 0o120000:  # a symbolic link
            raise RulesPackError(t("rules.pack.unsafe_path", file=raw))
        if name.casefold() in seen:  # the same name twice (or twice on a case-insensitive disk)
            raise RulesPackError(t("rules.pack.duplicate_member", file=raw))
        seen.add(name.casefold())
        if member.is_dir():
            continue
        if member.flag_bits & 0x1:
            raise RulesPackError(t("rules.pack.encrypted_member", file=raw))
        if SKIPPED_PARTS & set(parts) or PurePosixPath(name).suffix in (".pyc", ".pyo", ".so", ".pyd"):
            raise RulesPackError(t("rules.pack.unexpected_file", file=raw))
        if member.file_size > MAX_FILE_BYTES:
            raise RulesPackError(t("rules.pack.file_too_big", file=raw, limit=kib(MAX_FILE_BYTES)))
        total += member.file_size
        if total > MAX_TOTAL_BYTES:
            raise RulesPackError(t("rules.pack.too_big", limit=kib(MAX_TOTAL_BYTES)))
        files[name] = member
    return files


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int, out: Any = None) -> bytes | str:
    """A member's bytes (or, with ``out``, written there and its SHA-256 returned), stopping
    as soon as more comes out than the declared size or ``limit`` (a lying zip bomb)."""
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(member) as source:
            while chunk := source.read(1 << 16):
                size += len(chunk)
                if size > member.file_size or size > limit:
                    raise RulesPackError(t("rules.pack.file_too_big", file=member.filename, limit=kib(limit)))
                if out is None:
                    chunks.append(chunk)
                else:
                    digest.update(chunk)
                    out.write(chunk)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as error:
        raise RulesPackError(t("rules.pack.corrupt_member", file=member.filename)) from error
    return b"".join(chunks) if out is None else digest.hexdigest()


def _extract_verified(zip_path: Path, folder: Path) -> tuple[Manifest, TrustedKey]:
    """Check the zip's structure, verify the signature of its manifest (the first bytes of
    the pack read), parse the manifest, then extract only the files it lists into
    ``folder``, each checked against its size and SHA-256 while it is written."""
    with _open_zip(zip_path) as archive:
        files = _check_members(archive.infolist())
        if MANIFEST not in files:
            raise RulesPackError(t("rules.pack.no_manifest"))
        signature = files.get(SIGNATURE_FILE)
        signature_bytes = (_read_member(archive, signature, pack_signing.MAX_SIGNATURE_BYTES)
                           if signature is not None else None)
        manifest_bytes = _read_member(archive, files[MANIFEST], MAX_FILE_BYTES)
        assert isinstance(manifest_bytes, bytes) and not isinstance(signature_bytes, str)
        signer = verify_signature(manifest_bytes, signature_bytes)
        # Signed by a trusted publisher: the manifest may now be parsed.
        (folder / MANIFEST).write_bytes(manifest_bytes)
        assert signature_bytes is not None
        (folder / SIGNATURE_FILE).write_bytes(signature_bytes)
        manifest = read_manifest(folder, require_files=True)
        for name in sorted(manifest.files):
            if not allowed_path(name, manifest.extension):
                raise RulesPackError(t("rules.pack.unexpected_file", file=name))
        present = set(files) - {MANIFEST, SIGNATURE_FILE}
        for name in sorted(set(manifest.files) - present):
            raise RulesPackError(t("rules.pack.file_missing", file=name))
        for name in sorted(present - set(manifest.files)):
            raise RulesPackError(t("rules.pack.file_not_listed", file=name))
        for name in sorted(manifest.files):
            target = folder.joinpath(*name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                digest = _read_member(archive, files[name], MAX_FILE_BYTES, handle)
            if digest != manifest.files[name].lower():
                raise RulesPackError(t("rules.pack.checksum_mismatch", file=name))
    return manifest, signer


def import_pack(zip_path: Path, run_tests: bool = True, allow_older: bool = False,
                timeout: float = EXTENSION_TIMEOUT) -> RulesInfo:
    """Verify a pack offline and make it the active rules; the active rules before are kept
    for :func:`rollback`. Raises :class:`RulesPackError` and changes nothing when the pack
    is refused: unsigned or signed by an untrusted key, changed after signing, a file a pack
    may not contain, too big, a YAML anchor, a schema, catalogue, extension or test failure,
    or (:class:`OlderPackError`) a version older than the active one without ``allow_older``.
    None of the pack is parsed or run before its signature checks.

    The engine and the catalogue read the active rules when they load: restart them (a
    new ``Engine``, ``load_catalogue()``) for the pack to apply.
    """
    zip_path = Path(zip_path)
    with tempfile.TemporaryDirectory(prefix="guichet-pack-") as tmp:
        candidate = Path(tmp) / "rules"
        candidate.mkdir()
        manifest, _signer = _extract_verified(zip_path, candidate)
        active = active_rules_info()
        if not allow_older and version_key(manifest.version) < version_key(active.version):
            raise OlderPackError(t("rules.pack.older", version=manifest.version, active=active.version))
        report = validate_rules_dir(candidate, run_tests=run_tests, require_checksums=True, timeout=timeout)
        name = _pack_name(report.manifest, zip_path)
        state = read_state()
        target = packs_dir() / name
        if name != state.active:
            if target.exists():
                shutil.rmtree(target)
            staging = packs_dir() / (name + ".incoming")
            if staging.exists():
                shutil.rmtree(staging)
            staging.mkdir(parents=True)
            try:
                for file in [MANIFEST, SIGNATURE_FILE, *sorted(manifest.files)]:  # what was verified, only
                    destination = staging.joinpath(*file.split("/"))
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(candidate.joinpath(*file.split("/")), destination)
                (staging / IMPORTED_STAMP).write_text(dt.datetime.now().replace(microsecond=0).isoformat(),
                                                      encoding="utf-8")
                os.replace(staging, target)
            except OSError as error:
                shutil.rmtree(staging, ignore_errors=True)
                raise RulesPackError(t("rules.pack.copy_failed", reason=short_reason(error))) from error
            write_state(RulesState(active=name, previous=state.active, previous_set=True))
            _prune({name, state.active})
    log.info("rules pack %s activated", name)
    return active_rules_info()


def rollback() -> RulesInfo:
    """Make the rules active before the last import (or rollback) active again."""
    state = read_state()
    if not state.previous_set:
        raise RulesPackError(t("rules.pack.nothing_to_roll_back"))
    if state.previous is not None and pack_dir(state.previous) is None:
        raise RulesPackError(t("rules.pack.previous_missing"))
    write_state(RulesState(active=state.previous, previous=state.active, previous_set=True))
    log.info("rules rolled back to %s", state.previous or "bundled")
    return active_rules_info()


def _pack_name(manifest: Manifest, zip_path: Path) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in manifest.version)[:60]
    return f"{safe}-{sha256_of(zip_path)[:12]}"


def _prune(keep: set[str | None]) -> None:
    folder = packs_dir()
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


# --------------------------------------------------------------------------- CLI


def add_rules_arguments(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``rules import | rollback | info | build | sign | keygen | keys`` to the CLI."""
    rules = subparsers.add_parser("rules", help=t("rules.cli.help"))
    actions = rules.add_subparsers(dest="rules_command")
    do_import = actions.add_parser("import", help=t("rules.cli.help_import"))
    do_import.add_argument("pack", type=Path, metavar="PACK.zip", help=t("rules.cli.help_pack"))
    do_import.add_argument("--older", action="store_true", help=t("rules.cli.help_older"))
    actions.add_parser("rollback", help=t("rules.cli.help_rollback"))
    info = actions.add_parser("info", help=t("rules.cli.help_info"))
    info.add_argument("--list", action="store_true", help=t("rules.cli.help_list"))
    build = actions.add_parser("build", help=t("rules.cli.help_build"))
    build.add_argument("source", type=Path, metavar="SRC", help=t("rules.cli.help_source"))
    build.add_argument("output", type=Path, metavar="OUT.zip", help=t("rules.cli.help_output"))
    build.add_argument("--key", type=Path, metavar="CLE.pem", help=t("rules.cli.help_key"))
    build.add_argument("--no-tests", action="store_true", help=t("rules.cli.help_no_tests"))
    sign = actions.add_parser("sign", help=t("rules.cli.help_sign"))
    sign.add_argument("pack", type=Path, metavar="PACK.zip", help=t("rules.cli.help_pack"))
    sign.add_argument("--key", type=Path, metavar="CLE.pem", required=True, help=t("rules.cli.help_key"))
    keygen = actions.add_parser("keygen", help=t("rules.cli.help_keygen"))
    keygen.add_argument("private", type=Path, metavar="CLE.pem", help=t("rules.cli.help_private"))
    keygen.add_argument("public", type=Path, metavar="CLE.pub", help=t("rules.cli.help_public"))
    keygen.add_argument("--publisher", required=True, help=t("rules.cli.help_publisher"))
    keygen.add_argument("--passphrase", action="store_true", help=t("rules.cli.help_passphrase"))
    actions.add_parser("keys", help=t("rules.cli.help_keys"))
    return rules


def _passphrase(key: Path | None, confirm: bool = False) -> bytes | None:
    """Asked on the terminal for an encrypted private key (never an argument: shell history)."""
    import getpass

    if key is not None and not confirm and not pack_signing.private_key_is_encrypted(key):
        return None
    first = getpass.getpass(t("rules.cli.passphrase"))
    if confirm and getpass.getpass(t("rules.cli.passphrase_again")) != first:
        raise SignatureError(t("rules.signature.passphrases_differ"))
    return first.encode("utf-8") or None


def run_rules(args: argparse.Namespace) -> int:
    """Run a ``guichet rules`` command; French messages; 0 success, 2 refused or bad usage."""
    command = getattr(args, "rules_command", None)
    try:
        if command == "import":
            print(t("rules.cli.checking", path=args.pack))
            info = import_pack(args.pack, allow_older=bool(getattr(args, "older", False)))
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
        if command == "keys":
            print(_keys_text())
            return 0
        if command in ("build", "sign", "keygen"):
            return _run_publisher_command(command, args)
        print(t("rules.cli.usage"), file=sys.stderr)
        return 2
    except (RulesPackError, SignatureError) as error:
        print(t("rules.cli.refused", reason=str(error)), file=sys.stderr)
        return 2


def _run_publisher_command(command: str, args: argparse.Namespace) -> int:
    """``build``, ``sign`` and ``keygen``: the publisher's side."""
    try:
        if command == "keygen":
            key = pack_signing.generate_key(args.private, args.public, args.publisher,
                                            _passphrase(None, confirm=True) if args.passphrase else None)
            print(t("rules.cli.keygen_done", private=args.private, public=args.public,
                    fingerprint=key.fingerprint))
            return 0
        if command == "sign":
            signer = sign_pack(args.pack, args.key, _passphrase(args.key))
            print(t("rules.cli.signed", path=args.pack))
            print(t("rules.cli.signed_trusted", signer=signer.label) if signer else t("rules.cli.signed_untrusted"))
            return 0
        key = args.key
        manifest = build_pack(args.source, args.output, run_tests=not args.no_tests, key=key,
                              passphrase=_passphrase(key) if key is not None else None)
    except (RulesPackError, SignatureError) as error:
        print(t("rules.cli.build_failed", reason=str(error)), file=sys.stderr)
        return 2
    print(t("rules.cli.built", path=args.output, version=manifest.version, count=len(manifest.files)))
    print(t("rules.cli.built_signed") if key is not None else t("rules.cli.built_unsigned"))
    return 0


def _keys_text() -> str:
    lines = [t("rules.cli.keys_title")]
    for key in pack_signing.trusted_keys():
        lines.append(t("rules.cli.key_line", label=key.label, fingerprint=key.fingerprint, file=key.file))
    lines.append(t("rules.cli.keys_local_folder", folder=pack_signing.local_keys_dir()))
    return "\n".join(lines)


def _info_text(info: RulesInfo) -> str:
    from app.core.base import formats

    previous = info.previous_version or t("rules.info.no_previous")
    text = t(
        "rules.info.text",
        version=info.version,
        title=info.title,
        source=info.source_label,
        signed=info.signed_label,
        start=formats.date(dt.date.fromisoformat(info.legislation_from)),
        until=formats.date(dt.date.fromisoformat(info.legislation_until)),
        previous=previous,
    )
    return f"{info.problem}\n{text}" if info.problem else text


def iter_pack_names() -> Iterator[str]:
    """Names of the imported packs kept in the user data folder (active and previous)."""
    folder = packs_dir()
    if folder.is_dir():
        yield from sorted(child.name for child in folder.iterdir() if child.is_dir())
