"""Case data at rest: encryption (SQLCipher), keys, the check at start, damaged and empty
files kept aside, daily backups, the encryption of an older plain database, the lock."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path
from typing import Iterator

import pytest
from store_helpers import FakeClock, household, python, raw_connection, result, wait_for_line

from app.core.store import (
    PurgeNeedsConfirmation,
    RetentionRefused,
    Store,
    StoreCorrupt,
    StoreEmpty,
    StoreKeyNeeded,
    StoreLocked,
    StoreWrongKey,
    keys,
    sqlfile,
)

SECRET = "Zéphyrine"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with no keyring and no GUICHET_DB_KEY: only a typed passphrase."""
    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.setattr(keys, "_keyring", lambda: None)


class FakeKeyring:
    """The OS keyring as ``keyring`` shows it: passwords by (service, account)."""

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, account: str) -> str | None:
        return self.passwords.get((service, account))

    def set_password(self, service: str, account: str, value: str) -> None:
        self.passwords[(service, account)] = value


def test_sqlcipher_4_is_what_opens_the_database() -> None:
    assert sqlfile.cipher_version().startswith("4.")


def test_the_file_on_disk_is_encrypted_and_unreadable_without_the_key(data_dir: Path) -> None:
    with Store.open() as store:
        store.save_case(household(SECRET), "2026-11", result=result(), note=f"{SECRET} revient lundi")
        path = store.path
        assert store.encrypted and store.key_source == "env"
    data = path.read_bytes()
    assert not data.startswith(sqlfile.SQLITE_HEADER)
    assert SECRET.encode("utf-8") not in data and b"revient lundi" not in data
    plain = sqlite3.connect(path)  # the standard library's SQLite: no key, no SQLCipher
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM cases").fetchone()
    plain.close()
    keyless = sqlfile.connect(path, None)
    with pytest.raises(sqlfile.DATABASE_ERRORS):
        keyless.execute("SELECT count(*) FROM cases").fetchone()
    keyless.close()
    conn = raw_connection(path)  # with the key: readable
    assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    conn.close()


def test_a_passphrase_database_without_keyring(data_dir: Path, no_keyring: None) -> None:
    path = data_dir / "guichet.db"
    with pytest.raises(StoreKeyNeeded) as needed:
        Store.open()
    assert needed.value.new and "Choisissez la phrase secrète" in str(needed.value)
    assert not path.exists()  # no empty file left behind for the next start to refuse
    with Store.open(passphrase="correct horse battery") as store:
        assert store.key_source == "passphrase"
        store.save_case(household(SECRET), "2026-11")
    with pytest.raises(StoreKeyNeeded) as again:
        Store.open()
    assert not again.value.new and "saisissez sa phrase secrète" in str(again.value)
    before = digest(path)
    with pytest.raises(StoreWrongKey) as wrong:
        Store.open(passphrase="correct horse batterY")
    assert "Cette phrase secrète n'ouvre pas la base de dossiers" in str(wrong.value)
    assert digest(path) == before and list(data_dir.glob("guichet.db.*")) == []  # left alone, not moved
    with Store.open(passphrase="correct horse battery") as store:
        assert store.count_cases() == 1


def test_the_key_lives_in_the_keyring_when_there_is_one(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ring = FakeKeyring()
    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.setattr(keys, "_keyring", lambda: ring)
    with Store.open() as store:
        assert store.key_source == "keyring"
        store.save_case(household(SECRET), "2026-11")
    [(service, _account)] = ring.passwords
    assert service == "Guichet" and len(next(iter(ring.passwords.values()))) == 64
    with Store.open() as store:
        assert store.count_cases() == 1
    ring.passwords.clear()  # the keyring lost it: the file is kept, the agent is asked
    with pytest.raises(StoreKeyNeeded):
        Store.open()


def test_a_zero_byte_database_is_refused_kept_aside_and_not_turned_into_an_empty_store(data_dir: Path) -> None:
    path = data_dir / "guichet.db"
    path.write_bytes(b"")
    with pytest.raises(StoreEmpty) as caught:
        Store.open()
    message = str(caught.value)
    assert "fichier vide (0 octet)" in message and "mise de côté" in message
    kept = caught.value.kept
    assert kept is not None and kept.exists() and kept.stat().st_size == 0 and not path.exists()
    with Store.open() as store:  # the next start: a new store, said so before
        assert store.count_cases() == 0 and store.encrypted


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
def test_a_page_damaged_database_is_refused_at_start_and_kept_aside_untouched(
        data_dir: Path, clock: FakeClock, encrypted: bool) -> None:
    path = data_dir / "guichet.db"
    if not encrypted:
        from store_helpers import make_plain_database

        make_plain_database(path)
    with Store.open(clock=clock) as store:
        for i in range(30):
            store.save_case(household(f"{SECRET}{i}"), "2026-11", result=result())
        assert store.encrypted is encrypted
    clock.advance(days=1)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    # A b-tree page's header (page 4): its type byte and cell count overwritten, as a bad
    # sector or a torn copy would.
    data[3 * page: 3 * page + 12] = b"\xff" * 12 if not encrypted else bytes(12)
    path.write_bytes(bytes(data))
    damaged = digest(path)
    with pytest.raises(StoreCorrupt) as caught:
        Store.open(clock=clock)
    message = str(caught.value)
    assert "est endommagée" in message and "mise de côté" in message and "sauvegarde automatique" in message
    kept = caught.value.kept
    assert kept is not None and digest(kept) == damaged and not path.exists()
    # The day's backup (made at the first start) still opens, with the cases saved before it.
    backup = caught.value.backup
    assert backup is not None
    with Store.open(backup, backup=False) as restored:
        assert restored.integrity_ok()


def test_a_backup_a_day_the_last_three_days_kept_encrypted(data_dir: Path, clock: FakeClock) -> None:
    made = []
    for day in range(5):
        with Store.open(clock=clock) as store:
            store.save_case(household(f"Jour{day}"), "2026-11")
            made.append(store.backup)
        with Store.open(clock=clock) as store:  # a second start the same day: no new backup
            assert store.backup is None
        clock.advance(days=1)
    names = [p.name for p in sqlfile.backups(data_dir / "guichet.db")]
    assert names == ["guichet-2026-11-06.db", "guichet-2026-11-05.db", "guichet-2026-11-04.db"]
    newest = sqlfile.backups(data_dir / "guichet.db")[0]
    assert not newest.read_bytes().startswith(sqlfile.SQLITE_HEADER) and b"Jour" not in newest.read_bytes()
    assert oct(newest.stat().st_mode & 0o777) == "0o600"
    with Store.open(newest, backup=False) as copy:
        # Taken at the day's first start, before that day's save: four cases of the days before.
        assert copy.count_cases() == 4 and copy.integrity_ok()


def test_a_plain_database_is_encrypted_on_consent_keeping_everything(plain_store: Store, data_dir: Path) -> None:
    store = plain_store
    for i in range(12):
        store.save_case(household(f"{SECRET}{i}"), "2026-11", result=result(), note=f"note {i}")
    store.save_draft({"step": 3})
    assert not store.encrypted and sqlfile.backups(store.path)  # a plain backup, made at start
    store.encrypt()
    assert store.encrypted
    path = store.path
    assert not path.read_bytes().startswith(sqlfile.SQLITE_HEADER)
    assert store.count_cases() == 12 and store.pending_draft().case == {"step": 3}  # type: ignore[union-attr]
    store.save_case(household("Après"), "2026-11")
    leftovers = sorted(p.name for p in data_dir.iterdir() if p.name.startswith("guichet.db."))
    assert leftovers == []  # the plain copy removed once the encrypted one was verified
    for backup in sqlfile.backups(path):  # plain backups replaced by an encrypted one
        assert not backup.read_bytes().startswith(sqlfile.SQLITE_HEADER)
    store.close()
    with Store.open() as again:
        assert again.encrypted and again.count_cases() == 13 and again.integrity_ok()
    assert SECRET.encode("utf-8") not in path.read_bytes()


def test_a_failed_encryption_leaves_the_plain_database_working(
        plain_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store = plain_store
    store.save_case(household(SECRET), "2026-11")
    before = store.path.read_bytes()[:16]

    def bad_copy(*_args: object) -> None:
        raise StoreCorrupt(path="copie")

    monkeypatch.setattr(sqlfile, "verify_copy", bad_copy)
    with pytest.raises(StoreCorrupt):
        store.encrypt()
    assert not store.encrypted and store.path.read_bytes()[:16] == before
    assert store.count_cases() == 1
    store.save_case(household("Encore"), "2026-11")
    assert not list(store.path.parent.glob("guichet.db.chiffrement*"))


def test_retention_outside_one_day_to_ten_years_is_refused_in_french(store: Store) -> None:
    for bad in (0, -5, 3651, True, "30"):
        with pytest.raises(RetentionRefused) as caught:
            store.set_retention_days(bad)
        assert "entre 1 et 3650" in str(caught.value)
    assert store.retention_days == 90


def test_a_bad_stored_retention_never_purges_everything_and_a_big_purge_is_confirmed(
        store: Store, clock: FakeClock) -> None:
    from app.core.store import cases

    for i in range(8):
        store.save_case(household(f"Ancien{i}"), "2026-11")
    with store.transaction() as db:
        cases.set_meta(db, "retention_days", "0")  # edited by hand: 0 used to delete everything
    clock.advance(days=10)
    assert store.retention_days == 90 and store.purge_expired() == 0
    clock.advance(days=81)
    with pytest.raises(PurgeNeedsConfirmation) as caught:
        store.purge_expired()
    assert caught.value.count == 8 and "Rien n'a encore été supprimé" in str(caught.value)
    assert store.count_cases() == 8
    assert store.purge_expired(confirmed=True) == 8 and store.count_cases() == 0


HOLDER = """
from app.core.store import Store
store = Store.open()
print("ready", flush=True)
import sys
sys.stdin.readline()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX: the lock is on the database file itself")
def test_deleting_files_beside_the_database_does_not_bypass_the_lock(data_dir: Path) -> None:
    Store.open().close()
    with python(HOLDER, data_dir) as holder:
        try:
            wait_for_line(holder, "ready")
            for path in data_dir.iterdir():
                if path.is_file() and path.name != "guichet.db":
                    path.unlink()  # -wal, -shm, any *.lock: nothing of it holds the lock
            with pytest.raises(StoreLocked):
                Store.open()
            with Store.open(read_only_if_locked=True) as second:
                assert second.read_only
        finally:
            holder.kill()
            holder.communicate(timeout=30)
    with Store.open() as store:
        assert not store.read_only and store.integrity_ok()


@pytest.fixture
def opened_twice(data_dir: Path) -> Iterator[tuple[Store, Store]]:
    first = Store.open()
    second = Store.open(read_only_if_locked=True)
    yield first, second
    second.close()
    first.close()


def test_a_reader_in_the_same_process_keeps_working_after_a_refused_open(
        opened_twice: tuple[Store, Store]) -> None:
    first, second = opened_twice
    assert second.read_only
    with pytest.raises(StoreLocked):
        Store.open()  # must not drop the SQLite locks of the two stores above (POSIX close rule)
    first.save_case(household("Visible"), "2026-11")
    assert second.count_cases() == 1 and first.integrity_ok()


def test_a_crash_in_the_middle_of_the_encryption_loses_nothing(plain_store: Store, data_dir: Path) -> None:
    store = plain_store
    store.save_case(household(SECRET), "2026-11")
    store.close()
    path = data_dir / "guichet.db"
    copy, plain = sqlfile.encryption_files(path)
    # Killed after the plain file was renamed, before the copy took its place:
    path.rename(plain)
    copy.write_bytes(b"half an encrypted copy")
    with Store.open() as reopened:
        assert reopened.count_cases() == 1 and not reopened.encrypted  # the plain original is back
        reopened.encrypt()
    assert not copy.exists() and not plain.exists()
    # Killed after the swap, before the plain copy was removed: removed at the next start.
    plain.write_bytes(path.read_bytes()[:0] + b"SQLite format 3\0 plain leftover")
    with Store.open() as again:
        assert again.encrypted and again.count_cases() == 1
    assert not plain.exists()


def test_a_database_with_another_key_is_refused_and_left_in_place(data_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open() as store:
        store.save_case(household(SECRET), "2026-11")
    path = data_dir / "guichet.db"
    before = digest(path)
    monkeypatch.setenv(keys.ENV_KEY, "raw:" + "01" * 32)
    with pytest.raises(StoreWrongKey) as caught:
        Store.open()
    assert caught.value.source == "env" and "Guichet ne l'a pas modifiée" in str(caught.value)
    assert digest(path) == before and not list(data_dir.glob("guichet.db.*"))
