"""Fixtures of the store tests: a private data folder, a settable clock, an open store."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from store_helpers import FakeClock, make_plain_database

from app.core.store import Store


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every store test gets its own data folder (GUICHET_DATA_DIR)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("GUICHET_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(data_dir: Path, clock: FakeClock) -> Iterator[Store]:
    opened = Store.open(clock=clock)
    assert opened.encrypted
    yield opened
    opened.close()


@pytest.fixture
def plain_store(data_dir: Path, clock: FakeClock) -> Iterator[Store]:
    """A store on a plain (unencrypted) database, as an older Guichet left it: for the
    tests that read the file's bytes (erasure)."""
    make_plain_database(data_dir / "guichet.db")
    opened = Store.open(clock=clock)
    assert not opened.encrypted
    yield opened
    opened.close()
