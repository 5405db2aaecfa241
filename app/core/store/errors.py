"""Errors of the case store. Each carries the French text an agent reads (``str(error)``)."""

from __future__ import annotations

from typing import Any

from app.core.base.i18n import t


class StoreError(Exception):
    """Base class: ``str(error)`` (or ``error.message``) is the French text to show."""

    key = "store.errors.unexpected"

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message if message is not None else t(self.key, **params)
        super().__init__(self.message)


class StoreLocked(StoreError):
    """Another Guichet already has the case database open for writing."""

    key = "store.errors.locked"


class StoreUnavailable(StoreError):
    """The data folder cannot be written (permissions, missing drive…)."""

    key = "store.errors.unavailable"


class StoreReadOnly(StoreError):
    """A write was attempted on a store opened read-only (second instance)."""

    key = "store.errors.read_only"


class StoreTooNew(StoreError):
    """The database was written by a newer Guichet (higher schema version)."""

    key = "store.errors.too_new"


class StoreOutdated(StoreError):
    """Read-only open of a database not yet migrated to this version's schema."""

    key = "store.errors.outdated"


class StoreCorrupt(StoreError):
    """The database file cannot be read as a SQLite database, or fails its integrity
    check at start. ``kept``: where it was moved aside (never overwritten), or None
    when it was left in place (read-only instance)."""

    key = "store.errors.corrupt"

    def __init__(self, path: Any, kept: Any = None, backup: Any = None) -> None:
        text = t(self.key, path=path)
        if kept is not None:
            text += " " + t("store.errors.kept_aside", kept=kept)
        text += " " + (t("store.errors.backup_exists", backup=backup) if backup is not None
                       else t("store.errors.contact_support"))
        super().__init__(text)
        self.path, self.kept, self.backup = path, kept, backup


class StoreEmpty(StoreCorrupt):
    """The database file is empty (0 bytes): never taken for a new, empty store."""

    key = "store.errors.empty"


class StoreKeyNeeded(StoreError):
    """The database is encrypted and no key is at hand (no keyring, no GUICHET_DB_KEY):
    the agent must type the passphrase (``new``: choose one for a new database)."""

    key = "store.errors.key_needed"

    def __init__(self, new: bool = False) -> None:
        super().__init__(t("store.errors.key_needed_new" if new else self.key))
        self.new = new


class StoreWrongKey(StoreError):
    """The key does not open the database (or its first page is damaged): the file
    is left in place. ``source``: "passphrase", "keyring" or "env"."""

    key = "store.errors.wrong_key"

    def __init__(self, source: str = "passphrase") -> None:
        super().__init__(t(self.key if source == "passphrase" else "store.errors.wrong_stored_key"))
        self.source = source


class StoreDiskFull(StoreError):
    """The disk is full: the write was cancelled, what was saved before is intact."""

    key = "store.errors.disk_full"


class CaseNotFound(StoreError):
    key = "store.errors.case_not_found"


class SimulationNotFound(StoreError):
    key = "store.errors.simulation_not_found"


class ImportRefused(StoreError):
    """A case export file that is unreadable, malformed, tampered with or invalid.

    Nothing was imported. ``details`` lists extra French lines (e.g. the problems
    of an invalid household)."""

    key = "store.import.refused"

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = details


class ImportConflict(StoreError):
    """The exported case is already in this database (same case identifier).

    Nothing was imported; ``import_case(path, replace=True)`` replaces the local
    copy (after the agent confirms)."""

    key = "store.import.already_present"

    def __init__(self, reference: str, case_id: int) -> None:
        super().__init__(None, reference=reference)
        self.reference = reference
        self.case_id = case_id


class StoreIOError(StoreError):
    """The disk failed a read or a write (not full): nothing saved before is lost."""

    key = "store.errors.io_error"


class RetentionRefused(StoreError, ValueError):
    """A retention period outside the allowed range (1 to 3650 days)."""

    key = "store.errors.retention_refused"


class PurgeNeedsConfirmation(StoreError):
    """The purge would remove more than a few cases: the agent confirms first.
    Nothing was deleted. ``count``: how many cases it would remove."""

    key = "store.purge.confirm"

    def __init__(self, count: int, days: int) -> None:
        super().__init__(None, count=count, days=days)
        self.count, self.days = count, days
