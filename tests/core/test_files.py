"""app/core/base/files.py: private modes (0700 folders, 0600 files) and atomic writes."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path
from typing import Iterator

import pytest

from app.core.base import files
from app.core.base import paths

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (022), as on a default desktop: the helpers must not rely on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_data_folder_is_0700_even_when_an_older_guichet_made_it_0755(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None) -> None:
    folder = tmp_path / "Guichet"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    monkeypatch.setenv("GUICHET_DATA_DIR", str(folder))
    assert paths.user_data_dir() == folder and mode(folder) == "0o700"
    assert mode(paths.log_dir()) == "0o700" and mode(paths.cache_dir()) == "0o700"
    fresh = tmp_path / "new" / "Guichet"
    monkeypatch.setenv("GUICHET_DATA_DIR", str(fresh))
    assert mode(paths.user_data_dir()) == "0o700"


def test_atomic_writes_are_0600_and_replace_the_old_file_whole(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "fiche.pdf"
    files.atomic_write(target, b"old")
    assert mode(target) == "0o600"
    os.chmod(target, 0o644)
    files.atomic_write(target, "nouveau é")
    assert target.read_text(encoding="utf-8") == "nouveau é" and mode(target) == "0o600"
    with pytest.raises(RuntimeError):
        with files.atomic_open(target, "w", encoding="utf-8") as handle:
            handle.write("half of a file")
            raise RuntimeError("the writer failed half-way")
    assert target.read_text(encoding="utf-8") == "nouveau é"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fiche.pdf"]  # no temporary left


def test_private_by_default_makes_library_writes_0600(tmp_path: Path, open_umask: None) -> None:
    files.private_by_default()
    try:
        (tmp_path / "written-by-a-library.xlsx").write_bytes(b"x")
        (tmp_path / "a-folder").mkdir()
        assert mode(tmp_path / "written-by-a-library.xlsx") == "0o600"
        assert mode(tmp_path / "a-folder") == "0o700"
    finally:
        os.umask(0o022)


def test_the_log_file_and_settings_are_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None) -> None:
    from app.core.base import logs

    monkeypatch.setenv("GUICHET_DATA_DIR", str(tmp_path / "data"))
    path = logs.log_file()
    path.write_text("older log\n", encoding="utf-8")
    os.chmod(path, 0o644)
    files.private_file(path)
    handler = logs.PrivateLogHandler(path, maxBytes=200, backupCount=2, encoding="utf-8")
    record = logging.LogRecord("guichet", logging.INFO, __file__, 1, "technical fact %s", ("x" * 150,), None)
    for _ in range(4):  # rotates: the new files are private too
        handler.emit(record)
    handler.close()
    for log in path.parent.iterdir():
        assert mode(log) == "0o600", log.name
    assert mode(files.private_file(tmp_path / "data" / "settings.ini")) == "0o600"


def test_the_store_files_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None) -> None:
    from app.core.model.examples import warm_up_household
    from app.core.store import Store

    data_dir = tmp_path / "data"
    monkeypatch.setenv("GUICHET_DATA_DIR", str(data_dir))
    with Store.open() as store:
        store.save_case(warm_up_household(), "2026-11")
        assert store.backup is not None
        for path in (store.path, store.backup):
            assert mode(path) == "0o600", path.name
        assert mode(store.backup.parent) == "0o700"
        export = store.export_case(1, tmp_path / "G.guichet.json")
        assert mode(export) == "0o600"
        csv = store.export_activity_csv(tmp_path / "stats.csv")
        assert mode(csv) == "0o600" and csv.read_bytes().startswith(b"\xef\xbb\xbf")
