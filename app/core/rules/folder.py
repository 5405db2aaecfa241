"""A rules folder (the bundled ``rules/`` or an imported pack): its manifest, its files, which
one is active, and its OpenFisca extension.

A rules folder holds ``benefits/`` (national catalogue), ``local/`` (local aids, and
``local/extension/<package>``: the OpenFisca extension), ``explain/``, ``schema/``,
``staleness.yaml`` and ``manifest.yaml`` (version, legislation coverage dates, the
extension's package name, for a pack the SHA-256 of every file).

* :func:`read_manifest` / :func:`manifest_version`: a folder's manifest;
* :func:`active_rules_dir` / :func:`active_rules_dir_or_bundled` / :func:`active_rules_info` /
  :func:`version_label`: what is active (for the engine, the catalogue, the staleness
  rules, the "active rules" screen and the handout's version). An installed pack is
  verified again (signature and every file's SHA-256) whenever the active rules are read:
  a pack changed on disk after its import is not used;
* :func:`load_extension`: the active extension into a tax-benefit system (engine load).

Validating, building, importing and rolling back packs (which read the catalogue and run
the extension's tests) is ``benefits/rules_pack.py``, above. State lives in
``<user data>/rules/``: ``active.json`` (``{"active": name|null, "previous": name|null}``,
null meaning the bundled rules) and ``packs/<name>/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.core.base import formats, paths
from app.core.base.i18n import t
from app.core.rules import pack_signing, safe_yaml
from app.core.rules.pack_signing import SIGNATURE_FILE, SignatureError, TrustedKey

log = logging.getLogger(__name__)


PACK_FORMAT = 1
MANIFEST = "manifest.yaml"
EXTENSION_FOLDER = ("local", "extension")
STATE_FILE = "active.json"
IMPORTED_STAMP = ".imported_at"
MAX_FILE_BYTES = 1024 * 1024  # every file, the manifest included
SKIPPED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".DS_Store", IMPORTED_STAMP})
_VERSION = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,9}){0,5}$")


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
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RulesPackError(t("rules.pack.file_too_big", file=MANIFEST, limit=kib(MAX_FILE_BYTES)))
        data = safe_yaml.load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesPackError(t("rules.pack.no_manifest")) from None
    except safe_yaml.AnchorNotAllowed as error:
        raise RulesPackError(t("rules.pack.yaml_anchor", file=MANIFEST, line=error.line + 1)) from error
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
    version = text("version")
    if not _VERSION.match(version):
        raise RulesPackError(t("rules.pack.manifest_field", field="version", reason=t("rules.pack.bad_version")))
    return Manifest(
        version=version,
        title=text("title"),
        legislation_from=dates[0],
        legislation_until=dates[1],
        extension=extension,
        openfisca_france=text("openfisca_france", required=False),
        created=str(created) if created is not None else "",
        files=dict(files),
    )


def version_key(version: str) -> tuple[int, ...]:
    """``"2026.11.1"`` -> ``(2026, 11, 1)``, trailing zeros dropped (2026.11 == 2026.11.0)."""
    parts = [int(part) for part in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def kib(size: int) -> str:
    return formats.number(size / 1024, 0)


def manifest_version(folder: Path) -> str:
    """The version of a rules folder, "" when it has no readable manifest (never raises)."""
    try:
        return read_manifest(folder).version
    except RulesPackError:
        return ""


def file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a rules folder but the manifest (POSIX relative paths)."""
    return {name: sha256_of(folder / name) for name in rules_files(folder)}


def rules_files(folder: Path, strict: bool = False) -> list[str]:
    """Every file of a rules folder but the manifest and its signature. ``strict`` (an
    installed pack): caches are not skipped, and a symbolic link is an error."""
    out = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        name = relative.as_posix()
        if strict:
            if path.is_symlink():
                raise RulesPackError(t("rules.pack.unsafe_path", file=name))
            if path.is_dir() or name in (MANIFEST, SIGNATURE_FILE, IMPORTED_STAMP):
                continue
            out.append(name)
            continue
        if not path.is_file() or SKIPPED_PARTS & set(relative.parts) or path.suffix == ".pyc":
            continue
        if name not in (MANIFEST, SIGNATURE_FILE):
            out.append(name)
    return out


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- state


def rules_root() -> Path:
    """``<user data>/rules`` (not created: a refused import must leave no trace)."""
    return paths.user_data_dir() / "rules"


def packs_dir() -> Path:
    return rules_root() / "packs"


@dataclass(frozen=True)
class RulesState:
    active: str | None = None  # None: the bundled rules
    previous: str | None = None
    previous_set: bool = False  # False: no rollback possible (nothing imported yet)


def read_state() -> RulesState:
    path = rules_root() / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RulesState()
    except (OSError, ValueError):
        log.warning("rules state file unreadable: using the bundled rules")
        return RulesState()
    if not isinstance(data, dict):
        return RulesState()
    active = data.get("active") if isinstance(data.get("active"), str) else None
    previous = data.get("previous") if isinstance(data.get("previous"), str) else None
    return RulesState(active, previous, bool(data.get("previous_set", "previous" in data)))


def write_state(state: RulesState) -> None:
    root = rules_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / (STATE_FILE + ".tmp")
    tmp.write_text(
        json.dumps({"active": state.active, "previous": state.previous, "previous_set": state.previous_set},
                   indent=2),
        encoding="utf-8",
    )
    os.replace(tmp, root / STATE_FILE)


def _read_capped(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` (None when absent), refused above ``limit``."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        return None
    if len(data) > limit:
        raise RulesPackError(t("rules.pack.file_too_big", file=path.name, limit=kib(limit)))
    return data


def verify_signature(manifest_bytes: bytes, signature_bytes: bytes | None) -> TrustedKey:
    try:
        return pack_signing.verify_manifest(manifest_bytes, signature_bytes)
    except SignatureError as error:
        raise RulesPackError(str(error)) from error


def _verify_installed(folder: Path) -> TrustedKey:
    """An installed pack, verified again: its signature by a key trusted now, and exactly
    the files its manifest lists, each with its SHA-256."""
    manifest_bytes = _read_capped(folder / MANIFEST, MAX_FILE_BYTES)
    if manifest_bytes is None:
        raise RulesPackError(t("rules.pack.no_manifest"))
    signer = verify_signature(manifest_bytes, _read_capped(folder / SIGNATURE_FILE, pack_signing.MAX_SIGNATURE_BYTES))
    manifest = read_manifest(folder, require_files=True)
    check_checksums(folder, manifest, rules_files(folder, strict=True))
    return signer


_VERIFIED: dict[str, tuple[tuple[Any, ...], TrustedKey]] = {}


def _stamp(folder: Path) -> tuple[Any, ...]:
    """What a verification depends on: every file of the pack and every trusted key file."""
    out: list[Any] = []
    for root in (folder, pack_signing.bundled_keys_dir(), pack_signing.local_keys_dir()):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                info = path.lstat()
                out.append((str(path), info.st_mode, info.st_size, info.st_mtime_ns))
    return tuple(out)


def installed_signer(folder: Path) -> TrustedKey:
    """The key that signed the installed pack ``folder`` (verified again when any of its
    files or the trusted keys changed); :class:`RulesPackError` when it no longer verifies."""
    stamp = _stamp(folder)
    cached = _VERIFIED.get(str(folder))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    signer = _verify_installed(folder)
    _VERIFIED[str(folder)] = (stamp, signer)
    return signer


def pack_dir(name: str | None) -> Path | None:
    """The installed pack ``name`` when it is there and still verifies, else None."""
    if name is None:
        return None
    folder = packs_dir() / name
    if not (folder / MANIFEST).is_file():
        return None
    try:
        installed_signer(folder)
    except (RulesPackError, OSError) as error:
        log.error("installed rules pack %s does not verify any more, not used: %s", name, error)
        return None
    return folder


def active_rules_dir() -> Path:
    """The folder the engine and the catalogue read: the active imported pack (when it still
    verifies), or the bundled ``rules/``."""
    folder = pack_dir(read_state().active)
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
    signer: str = ""  # who signed an imported pack: « Projet Guichet (clé 1A2B 3C4D 5E6F 7A8B) »
    problem: str = ""  # French: the imported pack that should be active but no longer verifies

    @property
    def source_label(self) -> str:
        return t(f"rules.info.source_{self.source}")

    @property
    def signed_label(self) -> str:
        """« signé par Projet Guichet (clé …) », or « règles intégrées à l'application (non signées) »."""
        return t("rules.info.signed_by", signer=self.signer) if self.signer else t("rules.info.not_signed")


def _info(folder: Path, source: str, previous: str | None, problem: str = "") -> RulesInfo:
    manifest = read_manifest(folder)
    imported_at = ""
    signer = ""
    if source == "imported":
        stamp = folder / IMPORTED_STAMP
        imported_at = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""
        signer = installed_signer(folder).label
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
        signer=signer,
        problem=problem,
    )


def active_rules_info() -> RulesInfo:
    """Version, legislation coverage, origin and signer of the active rules (for the "active
    rules" screen, the CLI and the handout)."""
    state = read_state()
    folder = pack_dir(state.active)
    previous: str | None = None
    if state.previous_set:
        previous_folder = pack_dir(state.previous) if state.previous else paths.bundled_rules_dir()
        if previous_folder is not None:
            previous = manifest_version(previous_folder) or None
    if folder is None:
        problem = t("rules.info.active_pack_broken", name=state.active) if state.active else ""
        return _info(paths.bundled_rules_dir(), "bundled", previous, problem)
    return _info(folder, "imported", previous)


def version_label(version: str) -> str:
    """``version`` followed by who signed it when it is the active imported pack's
    (« 2026.12.0, signé par Projet Guichet (clé …) »), else ``version`` unchanged: the
    version printed on a handout or a screen."""
    if not version:
        return version
    try:
        info = active_rules_info()
    except (RulesPackError, OSError):
        return version
    if info.source == "imported" and info.version == version and info.signer:
        return t("rules.info.version_signed", version=version, signer=info.signer)
    return version


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
            raise RulesPackError(t("rules.pack.extension_failed", package=name, reason=short_reason(error))) from error
        log.error("the OpenFisca extension %s of %s could not be loaded", name, folder, exc_info=True)
        return None
    return name


class _importable:
    """``sys.path`` holds ``parent`` and ``sys.modules`` forgets ``name`` while inside; no
    bytecode is written (an installed pack holds exactly its verified files, and a cached
    ``.pyc`` would be code its signature does not cover)."""

    def __init__(self, parent: Path, name: str) -> None:
        self.parent, self.name = str(parent), name
        self.write_bytecode = sys.dont_write_bytecode

    def _forget(self) -> None:
        for module in [m for m in sys.modules if m == self.name or m.startswith(self.name + ".")]:
            del sys.modules[module]

    def __enter__(self) -> None:
        self._forget()
        self.write_bytecode = sys.dont_write_bytecode
        sys.dont_write_bytecode = True
        sys.path.insert(0, self.parent)
        importlib.invalidate_caches()

    def __exit__(self, *exc: object) -> None:
        try:
            sys.path.remove(self.parent)
        except ValueError:
            pass
        sys.dont_write_bytecode = self.write_bytecode
        self._forget()


def short_reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return (text[:300] + "…") if len(text) > 300 else (text or type(error).__name__)


def check_checksums(folder: Path, manifest: Manifest, names: Sequence[str]) -> None:
    present = set(names)
    listed = set(manifest.files)
    for name in sorted(listed - present):
        raise RulesPackError(t("rules.pack.file_missing", file=name))
    for name in sorted(present - listed):
        raise RulesPackError(t("rules.pack.file_not_listed", file=name))
    for name in sorted(listed):
        if sha256_of(folder / name) != manifest.files[name].lower():
            raise RulesPackError(t("rules.pack.checksum_mismatch", file=name))


def active_rules_dir_or_bundled() -> Path:
    """The active rules folder (:func:`active_rules_dir`), or the bundled one when
    the packs' state cannot be read: what every reader of rules data starts from."""
    try:
        return active_rules_dir()
    except Exception:  # noqa: BLE001 - an unreadable pack state falls back on the bundled rules
        return paths.bundled_rules_dir()
