"""The database file: SQLCipher connections, what the file is, its checks, moving a
damaged file aside, the daily backups, the encryption of a plain database.

Every connection goes through ``sqlcipher3`` (SQLCipher 4, bundled; ``PRAGMA
cipher_version``), which reads plain SQLite files too when no key is given. The
``sqlite3`` and ``sqlcipher3`` error classes are distinct: ``DATABASE_ERRORS``
names both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from enum import Enum
from pathlib import Path
from typing import Any, Iterator

from sqlcipher3 import dbapi2 as sqlcipher

from app.core.base.files import commit_file, private_dir
from app.core.store.errors import (
    StoreCorrupt,
    StoreDiskFull,
    StoreError,
    StoreIOError,
    StoreWrongKey,
)
from app.core.store.keys import Key

SQLITE_HEADER = b"SQLite format 3\x00"
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
OPERATIONAL_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, sqlcipher.OperationalError)
BACKUP_FOLDER = "sauvegardes"
BACKUP_DAYS = 3
SIDE_FILES = ("-wal", "-shm")

# SQLite result codes (primary code: the low byte of the extended one)
_IOERR, _CORRUPT, _FULL, _NOTADB = 10, 11, 13, 26


class FileKind(Enum):
    MISSING = "missing"
    EMPTY = "empty"  # 0 bytes
    PLAIN = "plain"  # starts with the SQLite header: not encrypted
    ENCRYPTED = "encrypted"  # anything else: SQLCipher (or garbage, told apart by the key)


def file_kind(path: Path) -> FileKind:
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return FileKind.MISSING
    if not head:
        return FileKind.EMPTY
    return FileKind.PLAIN if head == SQLITE_HEADER else FileKind.ENCRYPTED


def connect(path: Path, key: Key | None, read_only: bool = False) -> Any:
    """A connection (``sqlcipher3``), keyed when ``key``; nothing read yet."""
    if read_only:
        conn = sqlcipher.connect(path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlcipher.connect(str(path), check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher would print English on stderr
    if key is not None:
        conn.execute(f"PRAGMA key = {key.pragma_value()}")
    return conn


def cipher_version() -> str:
    conn = sqlcipher.connect(":memory:")
    try:
        return str(conn.execute("PRAGMA cipher_version").fetchone()[0])
    finally:
        conn.close()


def error_code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def translate(error: BaseException, path: Path) -> StoreError:
    """The store error (French) for a SQLite error raised while working."""
    code = error_code(error)
    if code == _FULL:
        return StoreDiskFull()
    if code in (_CORRUPT, _NOTADB):
        return StoreCorrupt(path=path)
    if code == _IOERR:
        return StoreIOError()
    return StoreError()


@contextlib.contextmanager
def translated(path: Path) -> Iterator[None]:
    """Turn SQLite's English errors (full disk, I/O, corruption) into store errors."""
    try:
        yield
    except DATABASE_ERRORS as error:
        raise translate(error, path) from None


def first_read(conn: Any, path: Path, key: Key | None) -> int:
    """Read the schema version: the first read, which fails on a wrong key or a file
    that is not a database."""
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except DATABASE_ERRORS as error:
        if key is not None and error_code(error) == _NOTADB:
            # A wrong key and a damaged first page look the same: said so, and the file
            # left where it is (it may be a good database with another key).
            raise StoreWrongKey(source=key.source) from None
        raise StoreCorrupt(path=path) from None


def integrity_problem(conn: Any, thorough: bool = False) -> str | None:
    """None when ``PRAGMA quick_check`` (or ``integrity_check``) finds nothing, else
    a short technical description (for the log: no data in it)."""
    pragma = "integrity_check" if thorough else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except DATABASE_ERRORS as error:
        return f"{pragma} raised {type(error).__name__} (code {error_code(error)})"
    if [tuple(r) for r in rows] == [("ok",)]:
        return None
    return f"{pragma}: {len(rows)} problem(s)"


def move_aside(path: Path, label: str, now: dt.datetime) -> Path:
    """Rename ``path`` (and its -wal/-shm) to ``<name>.<label>-<time>``: kept, never
    overwritten (a free name is found)."""
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{number}")
    os.replace(path, target)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


# --------------------------------------------------------------------------- backups


def backup_folder(path: Path) -> Path:
    return path.parent / BACKUP_FOLDER


def backups(path: Path) -> list[Path]:
    """The daily backups of the database at ``path``, newest first."""
    folder = backup_folder(path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-????-??-??{path.suffix}"), reverse=True)


def _backup_name(path: Path, day: dt.date) -> Path:
    return backup_folder(path) / f"{path.stem}-{day.isoformat()}{path.suffix}"


def copy_database(conn: Any, target: Path, key: Key | None) -> None:
    """A consistent copy of the open database ``conn`` into ``target`` (SQLite's
    backup API; same key), written to a temporary file renamed at the end."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        copy = connect(tmp, key)
        try:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
        commit_file(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def daily_backup(conn: Any, path: Path, key: Key | None, today: dt.date) -> Path | None:
    """Today's backup when there is none yet; backups older than the last
    ``BACKUP_DAYS`` days removed. None when today's existed already."""
    target = _backup_name(path, today)
    made = None
    if not target.exists():
        private_dir(backup_folder(path))
        copy_database(conn, target, key)
        made = target
    for old in backups(path)[BACKUP_DAYS:]:
        old.unlink(missing_ok=True)
    return made


def remove_plain_backups(path: Path) -> None:
    """Remove the backups that are not encrypted (after the database was encrypted)."""
    for old in backups(path):
        if file_kind(old) is FileKind.PLAIN:
            old.unlink(missing_ok=True)


def encryption_files(path: Path) -> tuple[Path, Path]:
    """(the encrypted copy being made, the plain original kept until the copy is in place)."""
    return path.with_name(path.name + ".chiffrement"), path.with_name(path.name + ".avant-chiffrement")


def recover_interrupted_encryption(path: Path) -> None:
    """After a crash during ``Store.encrypt``: the plain original goes back in place
    when the encrypted copy never took it; an unfinished copy is removed."""
    copy, plain = encryption_files(path)
    with contextlib.suppress(FileNotFoundError):
        if not path.exists() and plain.exists():
            os.replace(plain, path)
        if copy.exists():
            copy.unlink()


# --------------------------------------------------------------------------- encryption


def table_counts(conn: Any) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def export_encrypted(plain: Any, target: Path, key: Key) -> dict[str, int]:
    """Copy the plain database ``plain`` into a new encrypted file ``target``
    (``sqlcipher_export``), then check the copy: it opens with the key, passes
    ``integrity_check``, and has as many rows in every table. Returns the counts.

    Raises ``StoreError`` (and removes ``target``) when the copy is not right."""
    target.unlink(missing_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        counts = table_counts(plain)
        version = int(plain.execute("PRAGMA user_version").fetchone()[0])
        literal = str(target).replace("'", "''")
        plain.execute(f"ATTACH DATABASE '{literal}' AS encrypted KEY {key.pragma_value()}")
        try:
            plain.execute("SELECT sqlcipher_export('encrypted')")
            plain.execute(f"PRAGMA encrypted.user_version = {version}")
        finally:
            plain.execute("DETACH DATABASE encrypted")
        verify_copy(target, key, counts, version)
        with open(target, "rb+") as handle:
            os.fsync(handle.fileno())
        return counts
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def verify_copy(target: Path, key: Key, counts: dict[str, int], version: int) -> None:
    if file_kind(target) != FileKind.ENCRYPTED:
        raise StoreError()
    copy = connect(target, key)
    try:
        if first_read(copy, target, key) != version or integrity_problem(copy, thorough=True) is not None:
            raise StoreCorrupt(path=target)
        if table_counts(copy) != counts:
            raise StoreCorrupt(path=target)
    finally:
        copy.close()
