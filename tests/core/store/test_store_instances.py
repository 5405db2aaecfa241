"""Two Guichet instances on one database: the second is refused or read-only, nothing corrupts."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from store_helpers import household, python, result, wait_for_line

from app.core.store import CaseQuery, Store, StoreLocked, StoreReadOnly

HOLDER = """
import sys
from app.core.store import Store
store = Store.open()
print("ready", flush=True)
sys.stdin.readline()
store.close()
print("closed", flush=True)
"""

WRITER = """
import sys
sys.path.insert(0, "tests/core/store")
from store_helpers import household, result
from app.core.store import Store
store = Store.open()
print("ready", flush=True)
sys.stdin.readline()
for i in range(100):
    store.save_case(household(f"Writer{i}"), "2026-11", result=result())
store.close()
print("done 100", flush=True)
"""

READER = """
import sys
import time
from app.core.store import Store, StoreReadOnly, CaseQuery
store = Store.open(read_only_if_locked=True)
assert store.read_only
print("ready", flush=True)
sys.stdin.readline()
reads, seen = 0, 0
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    page = store.search_cases(CaseQuery(text="writer", limit=5))
    seen = max(seen, page.total)
    for item in page.items:
        store.get_case(item.id)
    reads += 1
    if seen >= 100:
        break
try:
    store.save_case(None, None)
except StoreReadOnly:
    print("write refused", flush=True)
store.close()
print(f"reads {reads} seen {seen}", flush=True)
"""


def test_a_second_store_in_the_same_process_is_refused(store: Store) -> None:
    with pytest.raises(StoreLocked):
        Store.open()


def test_a_second_instance_is_refused_with_a_french_message_or_opens_read_only(data_dir: Path) -> None:
    with Store.open() as first:
        first.save_case(household("Solène"), "2026-11", result=result())
    with python(HOLDER, data_dir) as holder:
        try:
            wait_for_line(holder, "ready")
            with pytest.raises(StoreLocked) as caught:
                Store.open()
            assert "Guichet est déjà ouvert sur ce poste" in str(caught.value)
            with Store.open(read_only_if_locked=True) as second:
                assert second.read_only
                page = second.search_cases(CaseQuery(text="solene"))
                assert page.total == 1
                assert second.get_case(page.items[0].id).summary.first_names[0] == "Solène"
                with pytest.raises(StoreReadOnly) as refused:
                    second.save_case(household(), "2026-11")
                assert "lecture seule" in str(refused.value)
                with pytest.raises(StoreReadOnly):
                    second.delete_case(page.items[0].id)
                second.save_draft({"ignored": True})  # autosave is silently off in read-only
                assert second.purge_expired() == 0 and not second.purge_notice_needed()
                second.open_case(page.items[0].id)  # reading is fine
        finally:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.flush()
            wait_for_line(holder, "closed")
    with Store.open() as again:  # the first instance is gone: read-write again
        assert not again.read_only and again.count_cases() == 1 and again.pending_draft() is None


def test_a_writer_and_a_reader_process_working_at_once_do_not_corrupt_the_database(data_dir: Path) -> None:
    Store.open().close()
    with python(WRITER, data_dir) as writer:
        wait_for_line(writer, "ready")
        with python(READER, data_dir) as reader:
            wait_for_line(reader, "ready")
            for process in (reader, writer):
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            assert wait_for_line(writer, "done") == "done 100"
            assert wait_for_line(reader, "write refused")
            reads = wait_for_line(reader, "reads").split()
            assert int(reads[3]) == 100 and int(reads[1]) >= 1
    with Store.open() as store:
        assert store.integrity_ok()
        assert store.count_cases() == 100
        assert sum(day.simulations for day in store.activity()) == 100


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_lock_of_a_killed_instance_does_not_block_the_next_start(data_dir: Path) -> None:
    with python(HOLDER, data_dir) as holder:
        wait_for_line(holder, "ready")
        with pytest.raises(StoreLocked):
            Store.open()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    with Store.open() as store:
        assert not store.read_only and store.integrity_ok()
