"""Retention: purge of untouched cases at start, notice, and data really gone from the files."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import FakeClock, household, result

from sqlite_utils import Database

from app.core.store import DEFAULT_RETENTION_DAYS, CaseQuery, Store, database, purge_done, purge_notice

SECRET = "Zéphyrine"  # a first name found nowhere else in the test data


def database_bytes(store: Store) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, its log, its index."""
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(str(store.path) + suffix)
        if path.exists():
            out += path.read_bytes()
    return out


def traces(data: bytes) -> list[bytes]:
    found = []
    for needle in (SECRET.encode("utf-8"), SECRET.lower().encode("utf-8"), b"zephyrine", b"Zephyrine"):
        if needle in data:
            found.append(needle)
    return found


def test_default_retention_is_90_days_and_configurable(store: Store) -> None:
    assert DEFAULT_RETENTION_DAYS == 90 and store.retention_days == 90
    store.set_retention_days(30)
    assert store.retention_days == 30
    with pytest.raises(ValueError):
        store.set_retention_days(0)


def test_cases_untouched_for_longer_than_the_period_are_purged(store: Store, clock: FakeClock) -> None:
    old = store.save_case(household("Ancien"), "2026-11", result=result())
    clock.advance(days=50)
    recent = store.save_case(household("Récent"), "2026-11")
    reopened = store.save_case(household("Rouvert"), "2026-11")
    clock.advance(days=40, seconds=1)  # old: 90 days + 1 s untouched; the others: 40 days
    store.open_case(reopened.id)
    assert store.expired_count() == 1
    assert store.purge_expired() == 1
    assert [c.id for c in store.search_cases(CaseQuery()).items] == [reopened.id, recent.id]
    clock.advance(days=50)  # recent: 90 days + 1 s; reopened: opened 50 days ago
    assert store.purge_expired() == 1
    assert [c.id for c in store.search_cases(CaseQuery()).items] == [reopened.id]
    assert store.purge_expired() == 0
    assert old.id not in [c.id for c in store.search_cases(CaseQuery()).items]


def test_exactly_at_the_limit_a_case_is_kept(store: Store, clock: FakeClock) -> None:
    store.save_case(household(), "2026-11")
    clock.advance(days=90)
    assert store.purge_expired() == 0
    clock.advance(seconds=1)
    assert store.purge_expired() == 1


def test_the_notice_is_needed_once(store: Store, data_dir: Path) -> None:
    assert store.purge_notice_needed()
    assert "90 jours" in purge_notice(store.retention_days, 2) and "2 dossiers" in purge_notice(90, 2)
    store.mark_purge_notice_shown()
    assert not store.purge_notice_needed()
    store.close()
    with Store.open() as again:
        assert not again.purge_notice_needed()
    assert purge_done(0, 90) == "" and purge_done(1, 90).startswith("1 dossier ")


def test_statistics_survive_the_purge(store: Store, clock: FakeClock) -> None:
    store.save_case(household(), "2026-11", result=result())
    before = store.activity()
    clock.advance(days=91)
    assert store.purge_expired() == 1
    assert store.activity() == before and before[0].simulations == 1


@pytest.mark.parametrize("vacuum_ratio", [0.0, 2.0], ids=["with-vacuum", "secure-delete-only"])
def test_purged_personal_data_no_longer_appears_in_the_database_files(
    plain_store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, vacuum_ratio: float
) -> None:
    store = plain_store  # readable bytes: the erasure itself is checked, not the encryption
    monkeypatch.setattr(database, "VACUUM_FREE_RATIO", vacuum_ratio)
    vacuums: list[bool] = []
    real_vacuum = Database.vacuum

    def counted_vacuum(self: Database) -> None:
        vacuums.append(True)
        real_vacuum(self)

    monkeypatch.setattr(Database, "vacuum", counted_vacuum)
    kept = store.save_case(household("Bernadette"), "2026-11", result=result())
    secret = store.save_case(household(SECRET, partner=SECRET), "2026-11", result=result(), note=f"{SECRET} revient lundi")
    for _ in range(3):  # rows larger than a page: overflow pages hold the name too
        store.add_simulation(secret.id, household(SECRET), result(), note=f"{SECRET} " * 800)
    for salary in (1000.0, 1100.0, 1200.0):  # several versions of the row and of the draft
        store.save_draft({"household": {"persons": [{"first_name": SECRET, "salary": salary}]}})
        store.save_case(household(SECRET, salary=salary), "2026-11", case_id=secret.id)
    store.add_simulation(secret.id, household(SECRET), result(), note=SECRET)
    store.close()  # checkpoint: everything is in the main file now
    with Store.open(clock=clock) as reopened:
        assert traces(database_bytes(reopened)), "the test data should be on disk before the purge"
    clock.advance(days=60)
    with Store.open(clock=clock) as store2:
        store2.open_case(kept.id)  # keep this one alive
        clock.advance(days=31)
        assert store2.purge_expired() == 1
        assert traces(database_bytes(store2)) == []  # nothing left, even while the store is open
        assert not store2.encrypted
        assert store2.get_case(kept.id).summary.first_names == ("Bernadette", "Tom")
        assert b"Bernadette" in database_bytes(store2)  # the check above can see names
        assert store2.pending_draft() is None and store2.integrity_ok()
    assert vacuums == ([True] if vacuum_ratio == 0.0 else [])


def test_deleting_a_case_overwrites_its_data(plain_store: Store) -> None:
    store = plain_store
    secret = store.save_case(household(SECRET), "2026-11", result=result(), note=SECRET)
    store.save_case(household("Bernadette"), "2026-11")
    store.close()
    with Store.open() as again:
        again.delete_case(secret.id)
        assert traces(database_bytes(again)) == []
