"""The database schema and its forward migrations.

The schema version is SQLite's ``PRAGMA user_version`` (0 for a new, empty
file). ``MIGRATIONS`` lists, in order, the steps that take a database from one
version to the next; each step runs in one transaction together with the
version bump, so a failed migration leaves the database as it was.

Rules for whoever changes the schema:

* never edit a released step: add a new one (version N+1) at the end, and a
  test that migrates a database of every earlier version *with data*;
* a step may read and rewrite data in Python (step 2 rebuilds the statistics
  from the stored simulations);
* a database of a higher version than ``SCHEMA_VERSION`` is refused (a newer
  Guichet wrote it), never downgraded.

Version history:

1. cases (narrow, searchable columns), case bodies (the case JSON), simulations,
   the autosaved draft, settings (``meta``).
2. activity statistics with no personal data (``activity_days``,
   ``activity_benefits``), rebuilt from the simulations already stored; indexes
   for the case list's dates and sorts.
"""

from __future__ import annotations

import json
from typing import Callable

from sqlite_utils import Database

from app.core.store.errors import StoreTooNew

SCHEMA_VERSION = 2

Step = Callable[[Database], None]


def _statements(db: Database, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: Database) -> None:
    _statements(
        db,
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,              -- random, identifies a case across workstations
            reference TEXT NOT NULL UNIQUE,        -- pseudonymous, e.g. G-2026-000123
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,              -- last change of the situation or its simulations
            touched_at TEXT NOT NULL,              -- last use (retention clock)
            first_names TEXT NOT NULL DEFAULT '',  -- JSON list, demandeur first
            commune_insee TEXT NOT NULL DEFAULT '',
            commune_name TEXT NOT NULL DEFAULT '',
            persons INTEGER NOT NULL DEFAULT 0,
            names_text TEXT NOT NULL DEFAULT '',   -- normalised first names, for search
            search_text TEXT NOT NULL DEFAULT '',  -- normalised reference, names, commune
            sort_name TEXT NOT NULL DEFAULT '',
            sort_commune TEXT NOT NULL DEFAULT '',
            variant_of TEXT                        -- reference of the case it was duplicated from
        );
        CREATE TABLE case_bodies (
            case_id INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
            body TEXT NOT NULL                     -- the case JSON (casefile.case_to_dict)
        );
        CREATE TABLE simulations (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            month TEXT NOT NULL,                   -- legislation month computed
            app_version TEXT NOT NULL,
            openfisca_france TEXT NOT NULL,
            catalogue_version TEXT NOT NULL,
            legislation_until TEXT NOT NULL,
            inputs TEXT NOT NULL,                  -- case JSON as computed
            results TEXT NOT NULL,                 -- results_json.result_to_dict
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX simulations_by_case ON simulations(case_id, created_at);
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
            saved_at TEXT NOT NULL,
            body TEXT NOT NULL
        )
        """,
    )


def _v2(db: Database) -> None:
    from app.core.io.results_json import ResultFormatError, result_from_dict
    from app.core.store.clock import from_text
    from app.core.store.stats import add_activity

    _statements(
        db,
        """
        CREATE TABLE activity_days (
            day TEXT PRIMARY KEY,                  -- local date, YYYY-MM-DD
            simulations INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE activity_benefits (
            day TEXT NOT NULL,
            benefit_id TEXT NOT NULL,
            amount_period TEXT NOT NULL,
            eligible INTEGER NOT NULL DEFAULT 0,
            to_check INTEGER NOT NULL DEFAULT 0,
            not_claimed INTEGER NOT NULL DEFAULT 0,
            amount_cents INTEGER NOT NULL DEFAULT 0,  -- sum of the eligible amounts, in cents
            PRIMARY KEY (day, benefit_id, amount_period)
        );
        CREATE INDEX cases_by_updated ON cases(updated_at);
        CREATE INDEX cases_by_created ON cases(created_at);
        CREATE INDEX cases_by_touched ON cases(touched_at);
        CREATE INDEX cases_by_name ON cases(sort_name);
        CREATE INDEX cases_by_commune ON cases(sort_commune);
        CREATE INDEX cases_by_insee ON cases(commune_insee)
        """,
    )
    # Version 1 kept no statistics: rebuild them from the simulations it stored.
    for created_at, results in db.execute("SELECT created_at, results FROM simulations ORDER BY id").fetchall():
        try:
            result = result_from_dict(json.loads(results))
        except (ValueError, ResultFormatError):
            continue  # an unreadable old result only loses its statistics
        add_activity(db, from_text(created_at), result)


MIGRATIONS: tuple[tuple[int, Step], ...] = ((1, _v1), (2, _v2))


def version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, target: int = SCHEMA_VERSION) -> list[int]:
    """Bring ``db`` forward to ``target``; returns the versions applied.

    Raises ``StoreTooNew`` for a database of a newer Guichet.
    """
    current = version(db)
    if current > SCHEMA_VERSION:
        raise StoreTooNew(found=current, supported=SCHEMA_VERSION)
    applied = []
    for number, step in MIGRATIONS:
        if current < number <= target:
            with db.atomic():
                step(db)
                db.execute(f"PRAGMA user_version = {int(number)}")
            applied.append(number)
            current = number
    return applied
