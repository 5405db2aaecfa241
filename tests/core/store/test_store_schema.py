"""Schema versions: creation, forward migrations from every earlier version (with data),
atomic failure, and refusal of newer or damaged databases."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from store_helpers import START, FakeClock, household, make_plain_database, result

from app.core.io.casefile import case_to_dict
from app.core.io.results_json import result_to_dict
from app.core.store import CaseQuery, Store, StoreCorrupt, StoreTooNew, StoreUnavailable, StoreWrongKey, schema
from app.core.store.lock import FileLock

V1_TIME = "2026-10-05T08:00:00.000000Z"


def make_database(path: Path, target: int) -> None:
    make_plain_database(path, target)


def fill_version_1(path: Path) -> None:
    """Two cases and three simulations as a version-1 Guichet stored them (its own SQL)."""
    conn = sqlite3.connect(path)
    with conn:
        for case_id, name, reference in [(1, "Yasmine", "G-2026-000001"), (2, "", "G-2026-000002")]:
            case = case_to_dict(household(name, child=""), "2026-10")
            case["household"]["reference"] = reference
            conn.execute(
                "INSERT INTO cases (id, uid, reference, created_at, updated_at, touched_at, first_names, "
                "commune_insee, commune_name, persons, names_text, search_text, sort_name, sort_commune) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, '69123', 'Lyon', 2, ?, ?, ?, 'lyon')",
                (case_id, f"{case_id:032x}", reference, V1_TIME, V1_TIME, V1_TIME,
                 json.dumps([name] if name else []), name.lower(),
                 f"{reference.lower().replace('-', ' ')} {name.lower()} lyon 69123 69003", name.lower()),
            )
            conn.execute("INSERT INTO case_bodies VALUES (?, ?)", (case_id, json.dumps(case)))
        simulations = [
            (1, "2026-10-05T08:00:00.000000Z", result("2026-10", rsa=100.10)),
            (1, "2026-10-05T09:00:00.000000Z", result("2026-10", rsa=200.20)),
            (2, "2026-10-06T08:00:00.000000Z", result("2026-10", rsa=300.30, housing_aid=0.0)),
        ]
        for case_id, created_at, res in simulations:
            conn.execute(
                "INSERT INTO simulations (case_id, created_at, month, app_version, openfisca_france, "
                "catalogue_version, legislation_until, inputs, results, note) VALUES (?, ?, ?, '0.0.9', ?, ?, ?, ?, ?, ?)",
                (case_id, created_at, res.month, res.openfisca_france, res.catalogue_version, res.legislation_until,
                 json.dumps(case_to_dict(household(), res.month)), json.dumps(result_to_dict(res)), "note v1"),
            )
        conn.execute("INSERT INTO drafts VALUES (1, 1, ?, ?)", (V1_TIME, json.dumps({"brouillon": "Yasmine"})))
    conn.close()


def schema_sql(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())
    finally:
        conn.close()


def test_versions_are_numbered_in_order_up_to_the_current_one() -> None:
    numbers = [number for number, _step in schema.MIGRATIONS]
    assert numbers == list(range(1, schema.SCHEMA_VERSION + 1))


@pytest.mark.parametrize("start", range(1, schema.SCHEMA_VERSION))
def test_every_earlier_version_migrates_to_the_same_schema_as_a_new_database(tmp_path: Path, start: int) -> None:
    fresh = tmp_path / "fresh.db"
    make_database(fresh, schema.SCHEMA_VERSION)
    old = tmp_path / "old.db"
    make_database(old, start)
    with Store.open(old) as store:
        assert store.schema_version() == schema.SCHEMA_VERSION
    assert schema_sql(old) == schema_sql(fresh)


def test_a_version_1_database_with_data_migrates_keeping_everything(tmp_path: Path) -> None:
    path = tmp_path / "guichet.db"
    make_database(path, 1)
    fill_version_1(path)
    with Store.open(path, clock=FakeClock(START)) as store:
        assert store.schema_version() == 2
        assert store.count_cases() == 2
        record = store.get_case(1)
        assert record.household(today=dt.date(2026, 11, 2))[0].persons[0].first_name == "Yasmine"
        simulations = store.list_simulations(1)
        assert [s.note for s in simulations] == ["note v1", "note v1"]
        assert store.get_simulation(simulations[-1].id).result == result("2026-10", rsa=100.10)
        assert store.get_simulation(simulations[-1].id).summary.app_version == "0.0.9"
        assert [c.id for c in store.search_cases(CaseQuery(text="yasmine")).items] == [1]
        assert store.pending_draft() is not None and store.pending_draft().case == {"brouillon": "Yasmine"}  # type: ignore[union-attr]
        # Version 2 rebuilt the statistics from the three stored simulations.
        days = {day.day: day for day in store.activity()}
        assert {d: days[d].simulations for d in days} == {dt.date(2026, 10, 5): 2, dt.date(2026, 10, 6): 1}
        rsa_5th = next(b for b in days[dt.date(2026, 10, 5)].benefits if b.benefit_id == "rsa")
        assert rsa_5th.eligible == 2
        assert rsa_5th.amount_total == 300.30  # 100.10 + 200.20, summed in cents
        housing_6th = [b for b in days[dt.date(2026, 10, 6)].benefits if b.benefit_id == "aide_logement"]
        # housing_aid=0.0 is still "eligible" in the helper's result: counted, for 0 €.
        assert housing_6th[0].eligible == 1 and housing_6th[0].amount_total == 0.0
        # New cases continue the numbering after the migrated ones.
        assert store.save_case(household(), "2026-11").reference == "G-2026-000003"


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "guichet.db"
    make_database(path, 1)
    fill_version_1(path)

    def broken(db: Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        db.execute("UPDATE cases SET reference = 'X' WHERE id = 1")
        raise RuntimeError("disk full")

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.MIGRATIONS[0], (2, broken)))
    with pytest.raises(RuntimeError):
        Store.open(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
        assert [r[0] for r in conn.execute("SELECT reference FROM cases ORDER BY id")] == ["G-2026-000001", "G-2026-000002"]
    finally:
        conn.close()
    lock = FileLock(path)
    assert lock.acquire()  # the failed open released its lock
    lock.release()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_database_of_a_newer_guichet_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "guichet.db"
    make_database(path, schema.SCHEMA_VERSION)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = file_digest(path)
    with pytest.raises(StoreTooNew) as caught:
        Store.open(path)
    assert "version plus récente de Guichet" in str(caught.value) and "99" in str(caught.value)
    assert file_digest(path) == before


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "guichet.db"
    path.write_bytes(b"this is not a database, just text that someone saved here" * 100)
    before = file_digest(path)
    # Not the SQLite header: an encrypted database with another key looks the same.
    with pytest.raises(StoreWrongKey) as caught:
        Store.open(path)
    assert "ne s'ouvre pas avec la clé enregistrée sur ce poste" in str(caught.value)
    assert file_digest(path) == before and not list(tmp_path.glob("guichet.db.*"))


def test_a_plain_database_that_cannot_be_read_is_refused_and_kept_aside_untouched(tmp_path: Path) -> None:
    path = tmp_path / "guichet.db"
    path.write_bytes(b"SQLite format 3\0" + b"but the rest of it is garbage" * 200)
    before = file_digest(path)
    with pytest.raises(StoreCorrupt) as caught:
        Store.open(path)
    assert "est endommagée" in str(caught.value) and "mise de côté" in str(caught.value)
    assert caught.value.kept is not None and file_digest(caught.value.kept) == before
    assert not path.exists()


def test_an_unwritable_data_folder_gives_a_french_message(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    with pytest.raises(StoreUnavailable) as caught:
        Store.open(blocker / "guichet.db")
    assert "n'est pas accessible en écriture" in str(caught.value)
