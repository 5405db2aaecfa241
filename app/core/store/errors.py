"""Errors of the case store. Each carries the French text an agent reads (``str(error)``)."""

from __future__ import annotations

from typing import Any

from app.core.i18n import t


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
    """The database file cannot be read as a SQLite database, or fails its checks."""

    key = "store.errors.corrupt"


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
