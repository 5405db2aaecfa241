"""Shared builders of the store tests: households, results, a settable clock, subprocess runs.

Imported by the ``test_store_*`` files of this folder (pytest puts the folder on
``sys.path``, the tests having no ``__init__.py``).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.model.household import (
    Activity,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)

REPO = Path(__file__).resolve().parents[3]
START = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone.utc)


class FakeClock:
    """A clock the test moves by hand (``Store.open(clock=...)``)."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def household(
    first_name: str = "Léa",
    child: str = "Tom",
    commune: str = "69123",
    postal_code: str = "69003",
    salary: float = 1234.56,
    partner: str | None = None,
) -> Household:
    persons = [
        Person("p1", Role.DEMANDEUR, dt.date(1988, 3, 14), first_name=first_name, activity=Activity.SALARIE,
               resources=(Resource(ResourceKind.SALAIRE_NET, stable=salary),)),
    ]
    if partner is not None:
        persons.append(Person("p3", Role.CONJOINT, dt.date(1986, 7, 1), first_name=partner,
                              resources=(Resource(ResourceKind.CHOMAGE, monthly=(800.0,) * 6 + (0.0,) * 6),)))
    persons.append(Person("p2", Role.ENFANT, dt.date(2016, 9, 2), first_name=child, schooling=Schooling.PRIMAIRE))
    return Household(
        persons=tuple(persons),
        couple=CoupleStatus.CONCUBIN if partner is not None else CoupleStatus.SEUL,
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=612.4, charges=48.0, commune_insee=commune,
                        postal_code=postal_code),
        savings=1500.0,
        benefits_received=("allocations_familiales",),
    )


def result(month: str = "2026-11", rsa: float = 412.37, housing_aid: float = 287.0, ars: float = 423.48) -> SimulationResult:
    """A result shaped like the engine's, with awkward floats (sums of tenths, long decimals)."""
    return SimulationResult(
        month=month,
        benefits=(
            BenefitResult("rsa", Status.ELIGIBLE, rsa, "month", (), None),
            BenefitResult("prime_activite", Status.ELIGIBLE, 0.1 + 0.2, "month", (), None),
            BenefitResult("aide_logement", Status.ELIGIBLE, housing_aid, "month", (), "apl"),
            BenefitResult("allocations_familiales", Status.NOT_ELIGIBLE, 0.0, "month", (), None, already_received=True),
            BenefitResult("allocation_rentree_scolaire", Status.ELIGIBLE, ars, "year", ("p2",), None),
            BenefitResult("aah", Status.TO_CHECK, 0.0, "month", (), None),
            BenefitResult("aspa", Status.ERROR, 0.0, "month", (), None, error="Le calcul de cette aide a échoué."),
        ),
        assumptions=("Hypothèse « test » : épargne comptée pour zéro.",),
        warnings=(),
        openfisca_france="176.1.8",
        legislation_until="2026-07-01",
        catalogue_version="2026.11",
        totals_ids=("rsa", "prime_activite", "aide_logement", "allocations_familiales", "allocation_rentree_scolaire"),
    )


def make_plain_database(path: Path, version: int = 1) -> Path:
    """A plain SQLite database of schema ``version`` (what an older Guichet created)."""
    import sqlite3

    from sqlite_utils import Database

    from app.core.store import schema

    db = Database(sqlite3.connect(path), execute_plugins=False)
    schema.migrate(db, target=version)
    db.close()
    return path


def raw_connection(path: Path) -> Any:
    """A plain SQLCipher connection to a store's file, keyed with the tests' key
    (``GUICHET_DB_KEY``, set by tests/conftest.py): to look at what is on disk."""
    from app.core.store.keys import from_environment
    from app.core.store.sqlfile import connect

    return connect(path, from_environment())


def python(script: str, data_dir: Path, **kwargs: object) -> subprocess.Popen[str]:
    """Start ``python -c script`` in the repository, its data folder set to ``data_dir``."""
    env = dict(os.environ, GUICHET_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    return subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-c", script], cwd=REPO, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,
    )


def wait_for_line(process: subprocess.Popen[str], prefix: str) -> str:
    """The first line of the child's output starting with ``prefix`` (fails on EOF)."""
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        if not line:
            assert process.stderr is not None
            raise AssertionError(f"child ended before {prefix!r}: {process.stderr.read()}")
        if line.startswith(prefix):
            return line.strip()
