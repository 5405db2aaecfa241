"""``Store``: the case database of one workstation, as the GUI uses it.

One SQLite file, ``paths.user_data_dir()/guichet.db``, created on first start,
encrypted with SQLCipher (``keys``, ``sqlfile``), in WAL mode, with
``secure_delete`` on (deleted rows are overwritten with zeros) and
``synchronous=FULL`` (a committed autosave survives a killed process and a power
cut). Every write runs in one transaction; SQLite's errors become French store
errors (``StoreDiskFull``…). One process at a time may write: the first
``Store.open`` takes an OS lock on the database file (``lock``); a second one is
refused (``StoreLocked``) or, when asked, opens the database read-only (writes
raise ``StoreReadOnly``). At start the writer checks the file (``quick_check``;
a damaged or empty one is moved aside) and makes the day's backup.

All methods are thread-safe (one lock around the connection) and fast enough to
call from the GUI thread, except ``Store.open`` (the check at start: about a
second for 10,000 cases, plus the day's first backup), ``encrypt``,
``purge_expired`` when it finds something to purge (it then rewrites the file
with VACUUM: about two seconds for 10,000 cases) and ``import_case`` (it
validates every simulation of the file).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Iterator, Mapping

from sqlite_utils import Database

from app.core.base import paths
from app.core.base.files import atomic_write, commit_file, private_dir, private_file
from app.core.benefits.results import SimulationResult
from app.core.model.household import Household
from app.core.store import cases, exchange, stats
from app.core.store.cases import (
    CasePage,
    CaseQuery,
    CaseRecord,
    CaseSummary,
    Draft,
    SimulationSummary,
    StoredSimulation,
)
from app.core.store.clock import Clock, utc_now
from app.core.store.errors import (
    PurgeNeedsConfirmation,
    RetentionRefused,
    StoreCorrupt,
    StoreEmpty,
    StoreError,
    StoreLocked,
    StoreOutdated,
    StoreReadOnly,
    StoreTooNew,
    StoreUnavailable,
)
from app.core.store.keys import Key, find_key
from app.core.store.lock import FileLock, lock_file_for
from app.core.store.schema import SCHEMA_VERSION, migrate, version
from app.core.store.sqlfile import (
    DATABASE_ERRORS,
    OPERATIONAL_ERRORS,
    SIDE_FILES,
    FileKind,
    backups,
    connect,
    daily_backup,
    encryption_files,
    export_encrypted,
    file_kind,
    first_read,
    integrity_problem,
    move_aside,
    recover_interrupted_encryption,
    remove_plain_backups,
    table_counts,
    translated,
)

DATABASE_NAME = paths.CASE_DATABASE_NAME
DEFAULT_RETENTION_DAYS = 90
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650
# A purge that would remove more cases than this asks first (GUI: a question; command
# line: only with ``guichet purge --yes``).
PURGE_CONFIRM_ABOVE = 5
BUSY_TIMEOUT_MS = 5000
# After a purge, rewrite the file (VACUUM) when this share of its pages is free. The
# erasure itself does not depend on it: secure_delete has already zeroed them.
VACUUM_FREE_RATIO = 0.25

_RETENTION_KEY = "retention_days"
_NOTICE_KEY = "purge_notice_shown"


log = logging.getLogger(__name__)


def default_path() -> Path:
    return paths.case_database_path()


def _latest_backup(path: Path) -> Path | None:
    found = backups(path)
    return found[0] if found else None


def _configure(db: Database, writer: bool) -> None:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA secure_delete = ON")
    if writer:
        db.execute("PRAGMA synchronous = FULL")
        db.enable_wal()


class Store:
    """The case store. Build it with ``Store.open()``; close it (or use ``with``)."""

    def __init__(self, db: Database, path: Path, lock: FileLock, clock: Clock, key: Key | None) -> None:
        self._db = db
        self.path = path
        self._file_lock = lock
        self._read_only = not lock.held
        self._clock = clock
        self._key = key
        self.backup: Path | None = None  # today's backup, when this start made it
        self._mutex = threading.RLock()
        self._last_draft: str | None = None
        self._closed = False

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        read_only_if_locked: bool = False,
        clock: Clock | None = None,
        passphrase: str | None = None,
        backup: bool = True,
    ) -> Store:
        """Open (and create or migrate) the database.

        Raises ``StoreLocked`` when another process writes to it, unless
        ``read_only_if_locked``: the store is then opened read-only
        (``store.read_only``; its writes raise ``StoreReadOnly``).

        A new database is encrypted (SQLCipher), its key from ``keys.find_key``:
        ``GUICHET_DB_KEY``, ``passphrase``, the OS keyring; else ``StoreKeyNeeded``
        (ask the agent, then call again with ``passphrase``). A wrong one raises
        ``StoreWrongKey``. A plain (older) database opens as it is
        (``store.encrypted`` False): ``store.encrypt()`` converts it, on the agent's
        consent.

        At start, the writer checks the file (``PRAGMA quick_check``): a damaged
        or empty (0-byte) file is moved aside, never overwritten, and refused
        (``StoreCorrupt`` / ``StoreEmpty``, saying where it was kept); then it
        makes the day's backup (``backup``; last ``BACKUP_DAYS`` days kept).
        Also raises ``StoreTooNew`` / ``StoreOutdated`` / ``StoreUnavailable``.
        """
        path = Path(path) if path is not None else default_path()
        clock = clock or utc_now
        lock = FileLock(path)
        try:
            private_dir(path.parent)
            recover_interrupted_encryption(path)
            before = file_kind(path)
            if not lock.acquire():  # creates the file (0600) to lock it, on POSIX
                if not (read_only_if_locked and before not in (FileKind.MISSING, FileKind.EMPTY)):
                    raise StoreLocked()
        except OSError as error:
            lock.release()
            raise StoreUnavailable(folder=path.parent, reason=type(error).__name__) from None
        except BaseException:
            lock.release()
            raise
        try:
            store = cls._open_locked(path, lock, clock, before, passphrase)
        except BaseException:
            if lock.held and before is FileKind.MISSING and file_kind(path) is FileKind.EMPTY:
                path.unlink()  # the empty file this call created (e.g. no key yet): not a damaged one
            lock.release()
            raise
        if not store.read_only:
            store._finish_interrupted_encryption()
            if backup:
                store._backup_today()
        return store

    def _finish_interrupted_encryption(self) -> None:
        """A crash after the verified encrypted copy took the place of the plain file,
        before the plain file was removed: remove it now (and plain backups)."""
        _copy, plain = encryption_files(self.path)
        if self.encrypted and plain.exists():
            plain.unlink()
            remove_plain_backups(self.path)
            log.info("plain copy left by an interrupted encryption removed")

    @classmethod
    def _open_locked(cls, path: Path, lock: FileLock, clock: Clock, before: FileKind,
                     passphrase: str | None) -> Store:
        writer = lock.held
        kind = file_kind(path)
        if kind is FileKind.EMPTY and before is not FileKind.MISSING:
            # A file that was there and is empty: kept aside, never taken for a new store.
            kept = move_aside(path, "vide", clock()) if writer else None
            raise StoreEmpty(path=path, kept=kept, backup=_latest_backup(path))
        new = kind in (FileKind.EMPTY, FileKind.MISSING)
        if new:
            private_file(path)
        key = find_key(path, new, passphrase) if kind is not FileKind.PLAIN else None
        conn = connect(path, key, read_only=not writer)
        try:
            store = cls(Database(conn, execute_plugins=False), path, lock, clock, key)
            store._prepare(new)
        except StoreCorrupt:
            conn.close()
            if not writer:
                raise  # the writer (another instance) deals with it
            log.warning("case database damaged at start; moved aside")
            raise StoreCorrupt(path=path, kept=move_aside(path, "endommagee", clock()),
                               backup=_latest_backup(path)) from None
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self, new: bool) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        found = first_read(db.conn, self.path, self._key)  # wrong key / not a database
        if not new:
            problem = integrity_problem(db.conn)
            if problem is not None:
                log.warning("case database check failed: %s", problem)
                raise StoreCorrupt(path=self.path)
        if found > SCHEMA_VERSION:
            raise StoreTooNew(found=found, supported=SCHEMA_VERSION)
        if self.read_only:
            _configure(db, writer=False)
            if found < SCHEMA_VERSION:
                raise StoreOutdated()
            return
        with translated(self.path):
            _configure(db, writer=True)
            if db.journal_mode != "wal":
                raise StoreCorrupt(path=self.path)
            migrate(db)

    def _backup_today(self) -> None:
        today = self._now().astimezone().date()
        try:
            with self._mutex:
                self.backup = daily_backup(self._db.conn, self.path, self._key, today)
        except (OSError, *DATABASE_ERRORS) as error:  # type: ignore[misc]  # a full disk: work goes on, logged
            log.warning("daily backup failed: %s", type(error).__name__)

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def encrypted(self) -> bool:
        """False for a database made by an older Guichet, before ``encrypt()``."""
        return self._key is not None

    @property
    def key_source(self) -> str | None:
        """Where the key came from: "keyring", "passphrase", "env" (None: plain)."""
        return self._key.source if self._key is not None else None

    def encrypt(self, passphrase: str | None = None) -> None:
        """Encrypt a plain database (made by an older Guichet), once the agent agreed.

        The key comes from ``keys.find_key(new=True)`` (``StoreKeyNeeded`` without
        keyring: call again with ``passphrase``). Steps: the plain file is copied
        into an encrypted one (``sqlcipher_export``) beside it; the copy is checked
        (opens with the key, ``integrity_check``, same row count in every table);
        the plain file is renamed ``guichet.db.avant-chiffrement`` and the copy
        takes its place; the new file is opened and counted again; only then is
        the plain copy removed, with the plain daily backups, and an encrypted
        backup made. Any failure before the swap leaves the plain database as it
        was (the store keeps working on it)."""
        with self._mutex:
            if self._key is not None:
                return
            if self.read_only or self._closed:
                raise StoreReadOnly()
            key = find_key(self.path, True, passphrase)
            self._checkpoint()
            copy, plain = encryption_files(self.path)
            with translated(self.path):
                counts = export_encrypted(self._db.conn, copy, key)
            new_lock = FileLock(copy)
            if lock_file_for(copy) == copy and not new_lock.acquire():
                copy.unlink(missing_ok=True)
                raise StoreLocked()
            self._db.close()
            try:
                os.replace(self.path, plain)
                for suffix in SIDE_FILES:  # empty after the checkpoint; never mixed with the new file
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
                commit_file(copy, self.path)
            except BaseException:
                if not self.path.exists() and plain.exists():
                    os.replace(plain, self.path)
                new_lock.release()
                copy.unlink(missing_ok=True)
                self._db = Database(connect(self.path, None), execute_plugins=False)
                _configure(self._db, writer=True)
                raise
            new_lock.follow(self.path)
            if new_lock.held:
                self._file_lock.release()  # the old lock was on the plain file's inode
                self._file_lock = new_lock
            self._db = Database(connect(self.path, key), execute_plugins=False)
            self._key = key
            _configure(self._db, writer=True)
            if table_counts(self._db.conn) != counts:  # checked once more in place
                raise StoreCorrupt(path=self.path, kept=plain)
            plain.unlink()
            remove_plain_backups(self.path)  # replaced by an encrypted one just below
            log.info("case database encrypted")
        self._backup_today()

    def close(self) -> None:
        """Flush the log into the database file and release the lock."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            try:
                if not self.read_only:
                    self._checkpoint()
            finally:
                self._db.close()
                self._file_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _now(self) -> dt.datetime:
        return self._clock()

    @contextlib.contextmanager
    def _read(self) -> Iterator[Database]:
        with self._mutex:
            if self._closed:
                raise StoreError()
            yield self._db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One transaction around several writes (nested calls become savepoints)."""
        with self._mutex:
            if self._closed:
                raise StoreError()
            if self.read_only:
                raise StoreReadOnly()
            with translated(self.path), self._db.atomic():
                yield self._db

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it, so that deleted
        data does not linger in ``guichet.db-wal``."""
        with contextlib.suppress(*OPERATIONAL_ERRORS):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # ------------------------------------------------------------------ cases

    def save_case(
        self,
        household: Household,
        month: str | None = None,
        *,
        case_id: int | None = None,
        result: SimulationResult | None = None,
        note: str = "",
    ) -> CaseSummary:
        """Store a new case (``case_id=None``; a new reference is given) or update one.

        The household is stored as ``casefile.case_to_dict(household, month)``,
        with the case's reference in ``household.reference``. With ``result``,
        the simulation is stored in the same transaction (inputs: this household).
        """
        with self.transaction() as db:
            now = self._now()
            case_id = cases.save_case(db, household, month, case_id, now)
            if result is not None:
                cases.add_simulation(db, case_id, cases.case_to_dict(household, result.month), result, note, now)
            return cases.case_summary(db, case_id)

    def get_case(self, case_id: int) -> CaseRecord:
        """A case, without marking it as used."""
        with self._read() as db:
            return cases.get_case(db, case_id)

    def open_case(self, case_id: int) -> CaseRecord:
        """A case the agent opens: marks it as used (its retention clock restarts)."""
        with self._mutex:
            if not self.read_only:
                with self.transaction() as db:
                    cases.case_summary(db, case_id)
                    cases.touch_case(db, case_id, self._now())
            return self.get_case(case_id)

    def find_case(self, reference: str) -> int | None:
        """The id of the case with exactly this reference."""
        with self._read() as db:
            return cases.find_case_by_reference(db, reference)

    def search_cases(self, query: CaseQuery | None = None) -> CasePage:
        with self._read() as db:
            return cases.search(db, query or CaseQuery())

    def duplicate_case(self, case_id: int) -> CaseSummary:
        """A variant: a new case (new reference) with the same situation and no simulations."""
        with self.transaction() as db:
            return cases.case_summary(db, cases.duplicate_case(db, case_id, self._now()))

    def delete_case(self, case_id: int) -> None:
        """Delete a case and its simulations for good (after the agent confirms)."""
        with self._mutex:
            with self.transaction() as db:
                cases.delete_case(db, case_id)
            self._checkpoint()

    def count_cases(self) -> int:
        with self._read() as db:
            return int(db.execute("SELECT count(*) FROM cases").fetchone()[0])

    # ------------------------------------------------------------------ simulations

    def add_simulation(
        self, case_id: int, household: Household, result: SimulationResult, note: str = ""
    ) -> SimulationSummary:
        """Store a simulation of a case: the household computed, its results, the rules'
        and the app's versions, the date, the agent's note. Counts in the statistics."""
        with self.transaction() as db:
            now = self._now()
            inputs = cases.case_to_dict(household, result.month)
            simulation_id = cases.add_simulation(db, case_id, inputs, result, note, now)
            return cases.get_simulation(db, simulation_id).summary

    def list_simulations(self, case_id: int) -> tuple[SimulationSummary, ...]:
        """The simulations of a case, newest first."""
        with self._read() as db:
            return cases.list_simulations(db, case_id)

    def get_simulation(self, simulation_id: int) -> StoredSimulation:
        """A simulation exactly as stored (inputs, ``SimulationResult``, versions, note)."""
        with self._read() as db:
            return cases.get_simulation(db, simulation_id)

    def set_simulation_note(self, simulation_id: int, note: str) -> None:
        with self.transaction() as db:
            cases.set_simulation_note(db, simulation_id, note, self._now())

    def delete_simulation(self, simulation_id: int) -> None:
        with self._mutex:
            with self.transaction() as db:
                cases.delete_simulation(db, simulation_id)
            self._checkpoint()

    # ------------------------------------------------------------------ draft

    def save_draft(self, case: Mapping[str, Any], case_id: int | None = None) -> None:
        """Autosave the case being edited (any JSON object; incomplete is fine).

        Committed and synced to disk before returning: a killed process finds it
        back with ``pending_draft()``. Saving the same content again writes nothing.
        In a read-only store it does nothing.
        """
        body = json.dumps({"case_id": case_id, "case": case}, ensure_ascii=False, separators=(",", ":"))
        with self._mutex:
            if self.read_only or body == self._last_draft:
                return
            with self.transaction() as db:
                cases.save_draft(db, cases.dump_json(dict(case)), case_id, self._now())
            self._last_draft = body

    def pending_draft(self) -> Draft | None:
        """The draft left by the last session (e.g. after a crash), or None."""
        with self._read() as db:
            return cases.pending_draft(db)

    def clear_draft(self) -> None:
        """Forget the draft (the case was saved, or the agent discarded it)."""
        with self._mutex:
            self._last_draft = None
            if self.read_only:
                return
            with self.transaction() as db:
                removed = cases.clear_draft(db)
            if removed:
                self._checkpoint()

    # ------------------------------------------------------------------ retention

    @property
    def retention_days(self) -> int:
        """The period; a stored value outside 1..3650 (edited by hand) counts as the
        default, never as « keep nothing »."""
        with self._read() as db:
            value = cases.get_meta(db, _RETENTION_KEY)
        try:
            days = int(value) if value is not None else DEFAULT_RETENTION_DAYS
        except ValueError:
            days = -1
        if not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
            log.warning("invalid stored retention period ignored")
            return DEFAULT_RETENTION_DAYS
        return days

    def set_retention_days(self, days: object) -> None:
        """Raises ``RetentionRefused`` (French) outside 1..3650 days."""
        if isinstance(days, bool) or not isinstance(days, int) or not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
            raise RetentionRefused(minimum=MIN_RETENTION_DAYS, maximum=MAX_RETENTION_DAYS, value=days)
        with self.transaction() as db:
            cases.set_meta(db, _RETENTION_KEY, str(int(days)))

    def _cutoff(self, now: dt.datetime | None) -> dt.datetime:
        return (now or self._now()) - dt.timedelta(days=self.retention_days)

    def expired_count(self, now: dt.datetime | None = None) -> int:
        """How many cases ``purge_expired(now)`` would delete."""
        with self._read() as db:
            return len(cases.expired_case_ids(db, self._cutoff(now)))

    def purge_expired(self, now: dt.datetime | None = None, *, confirmed: bool = False) -> int:
        """Delete the cases untouched for more than ``retention_days`` (and an older
        draft); their count. Their bytes are overwritten with zeros (secure_delete),
        the write-ahead log is emptied, and the file is rewritten (VACUUM) when a
        quarter of it is free space. Statistics are kept (no personal data in them).
        More than ``PURGE_CONFIRM_ABOVE`` cases: raises ``PurgeNeedsConfirmation``
        (nothing deleted) unless ``confirmed``. Read-only: does nothing."""
        with self._mutex:
            if self.read_only:
                return 0
            with self.transaction() as db:
                cutoff = self._cutoff(now)
                expired = len(cases.expired_case_ids(db, cutoff))
                if expired > PURGE_CONFIRM_ABOVE and not confirmed:
                    raise PurgeNeedsConfirmation(expired, self.retention_days)
                count = cases.purge_before(db, cutoff)
            self._last_draft = None  # the draft may have been purged
            if count:
                self._vacuum_if_worth_it()
            self._checkpoint()
            return count

    def _vacuum_if_worth_it(self) -> None:
        free = self._db.execute("PRAGMA freelist_count").fetchone()[0]
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        if pages and free / pages >= VACUUM_FREE_RATIO:
            self._db.vacuum()

    def purge_notice_needed(self) -> bool:
        """True until ``mark_purge_notice_shown()``: show the retention notice first."""
        if self.read_only:
            return False
        with self._read() as db:
            return cases.get_meta(db, _NOTICE_KEY) != "1"

    def mark_purge_notice_shown(self) -> None:
        with self.transaction() as db:
            cases.set_meta(db, _NOTICE_KEY, "1")

    # ------------------------------------------------------------------ export / import

    def export_case(self, case_id: int, path: Path | str) -> Path:
        """Write the case and its simulations to ``path`` (see ``exchange``)."""
        with self._read() as db:
            data = exchange.dump_export(exchange.build_export(db, case_id, self._now()))
        return atomic_write(Path(path), data)

    def export_file_name(self, case_id: int) -> str:
        """A suggested file name: ``G-2026-000123.guichet.json`` (no personal data)."""
        with self._read() as db:
            return cases.case_summary(db, case_id).reference + exchange.FILE_SUFFIX

    def import_case(self, path: Path | str, *, replace: bool = False) -> exchange.ImportResult:
        """Import an export file: all of it, or nothing.

        Raises ``ImportRefused`` (bad, tampered or invalid file) or ``ImportConflict``
        (the case is already here; call again with ``replace=True`` to replace it).
        """
        if self.read_only:
            raise StoreReadOnly()
        raw = exchange.read_file(Path(path))
        parsed = exchange.parse_export(raw)
        with self.transaction() as db:
            return exchange.import_parsed(db, parsed, self._now(), replace)

    # ------------------------------------------------------------------ statistics

    def record_activity(self, result: SimulationResult) -> None:
        """Count a computation that is not saved as a simulation (saved ones count already)."""
        with self._mutex:
            if self.read_only:
                return
            with self.transaction() as db:
                stats.add_activity(db, self._now(), result)

    def activity(self, date_from: dt.date | None = None, date_to: dt.date | None = None) -> tuple[stats.DayActivity, ...]:
        with self._read() as db:
            return stats.activity(db, date_from, date_to)

    def activity_csv(self, date_from: dt.date | None = None, date_to: dt.date | None = None) -> str:
        return stats.activity_csv(self.activity(date_from, date_to), stats.catalogue_labels())

    def export_activity_csv(self, path: Path | str, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Path:
        """Write the statistics CSV (UTF-8 with BOM, so that spreadsheets read the accents)."""
        return atomic_write(Path(path), self.activity_csv(date_from, date_to), encoding="utf-8-sig")

    # ------------------------------------------------------------------ maintenance

    def integrity_ok(self) -> bool:
        """The thorough check (``PRAGMA integrity_check``); start-up runs the quick one."""
        with self._read() as db:
            return integrity_problem(db.conn, thorough=True) is None

    def schema_version(self) -> int:
        with self._read() as db:
            return version(db)
