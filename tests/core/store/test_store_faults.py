"""Faults: SIGKILL at random moments of saves (100 times), a full disk during a save and
during a PDF or export write. Two instances: test_store_instances.py."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from store_helpers import household, result

from app.core.base.files import atomic_write
from app.core.base.os_errors import write_failed
from app.core.store import CaseQuery, Store, StoreDiskFull

KILLS = int(os.environ.get("GUICHET_TEST_KILLS", "100"))

# One parent process imports the store once, then forks writers and kills each with
# SIGKILL after a random delay (0-150 ms: during the open and its check, the day's
# backup, a transaction, a checkpoint...). Each writer reports every committed save on
# a pipe before the next one starts. Forking keeps 100 kills within seconds.
KILLER = r"""
import json, os, random, signal, sys, time
sys.path.insert(0, "tests/core/store")
from store_helpers import household, result
from app.core.store import Store

kills = int(sys.argv[1])
random.seed(20261202)
with Store.open() as warm:  # imports and caches filled once, before forking (closed: nothing shared)
    warm.save_case(household("warm"), "2026-11", result=result())
committed = []
in_flight = 0
for round_number in range(kills):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        store = Store.open()
        n = 0
        while True:
            n += 1
            name = f"r{round_number}n{n}"
            if n % 3:
                store.save_case(household(name), "2026-11", result=result() if n % 2 else None)
            else:
                store.save_draft({"round": round_number, "n": n})
            os.write(write_end, (name + "\n").encode())
    os.close(write_end)
    time.sleep(random.uniform(0.0, 0.15))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    data = b""
    while chunk := os.read(read_end, 65536):
        data += chunk
    os.close(read_end)
    committed += [line for line in data.decode().split("\n") if line]
    in_flight += 1
print(json.dumps({"committed": committed, "kills": kills}), flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL are POSIX")
def test_100_random_kills_during_saves_never_corrupt_the_database_nor_lose_a_committed_save(
        data_dir: Path, tmp_path: Path) -> None:
    Store.open().close()  # the day's backup made: kills then fall in saves, not in the copy
    env = dict(os.environ, GUICHET_DATA_DIR=str(data_dir))
    repo = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", KILLER, str(KILLS)], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # Saves n = 1, 2, 4, 5, 7… are cases (every third one is a draft).
    committed_cases = {name for name in report["committed"] if int(name.split("n")[-1]) % 3}
    assert report["kills"] == KILLS
    with Store.open() as store:
        assert store.integrity_ok()
        stored: set[str] = set()
        offset = 0
        while True:
            chunk = store.search_cases(CaseQuery(limit=500, offset=offset))
            stored |= {item.first_names[0] for item in chunk.items}
            offset += 500
            if offset >= chunk.total:
                break
        missing = committed_cases - stored
        assert missing == set()  # every save reported committed is there
        extra = stored - committed_cases
        assert len(extra) <= KILLS  # at most the one in flight per kill
        assert len(committed_cases) >= KILLS // 4  # the kills did land among saves


# --------------------------------------------------------------------------- full disk

@contextlib.contextmanager
def small_disk(tmp_path: Path, size: str = "3m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted for the test (root only; skipped otherwise)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the disk but ``leave`` bytes (about)."""
    filler = folder / "filler"
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with open(filler, "wb") as handle:
        with contextlib.suppress(OSError):
            handle.write(b"\0" * max(0, free - leave))
    return filler


def test_a_full_disk_during_saves_gives_a_french_message_and_loses_nothing_saved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with small_disk(tmp_path) as disk:
        monkeypatch.setenv("GUICHET_DATA_DIR", str(disk))
        store = Store.open()
        saved = [store.save_case(household("Avant"), "2026-11", result=result()).reference]
        fill(disk, leave=96 * 1024)
        note = "x" * 20000  # big rows: the disk fills within a few saves
        caught = None
        for i in range(200):
            try:
                saved.append(store.save_case(household(f"Plein{i}"), "2026-11", result=result(), note=note).reference)
            except StoreDiskFull as error:
                caught = error
                break
        assert caught is not None, "the disk never filled up"
        assert "Le disque est plein" in str(caught) and "intact" in str(caught)
        assert "disk" not in str(caught).lower()  # not SQLite's English
        with pytest.raises(StoreDiskFull):
            store.save_case(household("Encore"), "2026-11", note=note)
        store.save_draft({"small": True})  # what still fits still works (or says so in French)
        assert sorted(s.reference for s in store.search_cases().items) == sorted(saved)
        with contextlib.suppress(StoreDiskFull):
            store.close()
        (disk / "filler").unlink()
        with Store.open() as again:
            assert again.integrity_ok()
            assert sorted(s.reference for s in again.search_cases().items) == sorted(saved)


def test_a_full_disk_during_a_pdf_or_export_write_leaves_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with small_disk(tmp_path, "1m") as disk:
        target = disk / "fiche.pdf"
        atomic_write(target, b"%PDF-1.4 the handout printed yesterday")
        fill(disk, leave=64 * 1024)
        with pytest.raises(OSError) as caught:
            atomic_write(target, b"%PDF-1.4" + b"\1" * 400_000)  # bigger than what is left
        assert caught.value.errno == errno.ENOSPC
        assert target.read_bytes() == b"%PDF-1.4 the handout printed yesterday"  # the old file, whole
        assert sorted(p.name for p in disk.iterdir()) == ["fiche.pdf", "filler"]  # no temporary left
        message = write_failed(target, caught.value)
        assert message.startswith("« fiche.pdf » n'a pas été enregistré (disque plein)")
        from app.cli import UsageError, write_output

        with pytest.raises(UsageError) as refused:
            write_output(disk / "autre.pdf", b"\1" * 400_000)
        assert "disque plein" in str(refused.value) and not (disk / "autre.pdf").exists()
        monkeypatch.setenv("GUICHET_DATA_DIR", str(tmp_path / "data"))
        with Store.open() as store:
            case = store.save_case(household(), "2026-11", result=result(), note="y" * 400_000)
            with pytest.raises(OSError):
                store.export_case(case.id, disk / "export.guichet.json")
        assert not (disk / "export.guichet.json").exists()
        assert sorted(p.name for p in disk.iterdir()) == ["fiche.pdf", "filler"]
