"""Autosave of the case being edited, including after the process is killed."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from store_helpers import FakeClock, household, python, wait_for_line

from app.core.store import Store


def test_draft_is_saved_offered_and_cleared(store: Store, clock: FakeClock) -> None:
    assert store.pending_draft() is None
    store.save_draft({"format": "guichet-case", "household": {"persons": [{"first_name": "Aya", "birth_date": "12/"}]}})
    clock.advance(minutes=1)
    store.save_draft({"format": "guichet-case", "household": {"persons": [{"first_name": "Aya", "birth_date": "12/03/1990"}]}})
    draft = store.pending_draft()
    assert draft is not None
    assert draft.case["household"]["persons"][0]["birth_date"] == "12/03/1990"  # the latest one
    assert draft.saved_at == clock.now and draft.case_id is None
    store.clear_draft()
    assert store.pending_draft() is None


def test_draft_of_an_existing_case_remembers_it_until_the_case_is_deleted(store: Store) -> None:
    saved = store.save_case(household(), "2026-11")
    store.save_draft({"edited": True}, case_id=saved.id)
    assert store.pending_draft().case_id == saved.id  # type: ignore[union-attr]
    store.delete_case(saved.id)
    draft = store.pending_draft()
    assert draft is not None and draft.case_id is None and draft.case == {"edited": True}


def test_draft_survives_closing_and_reopening(data_dir: Path) -> None:
    with Store.open() as first:
        first.save_draft({"step": 7})
    with Store.open() as second:
        assert second.pending_draft().case == {"step": 7}  # type: ignore[union-attr]


def test_a_draft_must_be_json(store: Store) -> None:
    with pytest.raises(TypeError):
        store.save_draft({"when": object()})


KILLED_EDITOR = """
import sys
from app.core.store import Store
store = Store.open()
n = 0
while True:
    n += 1
    store.save_draft({"format": "guichet-case", "keystrokes": n, "household": {"persons": [{"first_name": "Élodie"}]}})
    print(f"saved {n}", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_last_draft_is_found_after_the_process_is_killed_mid_loop(data_dir: Path) -> None:
    with python(KILLED_EDITOR, data_dir) as editor:
        try:
            last = 0
            while last < 40:
                last = int(wait_for_line(editor, "saved ").split()[1])
            editor.send_signal(signal.SIGKILL)  # no close(), no checkpoint, no atexit
            editor.wait(timeout=30)
            assert editor.returncode == -signal.SIGKILL
            # Drain what the child printed before dying: the last save it reported.
            assert editor.stdout is not None
            for line in editor.stdout.read().splitlines():
                if line.startswith("saved "):
                    last = int(line.split()[1])
        finally:
            if editor.poll() is None:
                editor.kill()
    with Store.open() as store:  # the lock died with the process
        draft = store.pending_draft()
        assert draft is not None
        # Reported saves were committed; the one in flight when killed may or may not be.
        assert draft.case["keystrokes"] in (last, last + 1)
        assert draft.case["household"]["persons"][0]["first_name"] == "Élodie"
        assert store.integrity_ok()
