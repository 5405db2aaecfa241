"""Shared fixtures. The user data folder is a temporary one for the whole run, set
before anything reads it, so tests never touch a real agent's data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

_DATA = Path(tempfile.mkdtemp(prefix="guichet-tests-"))
os.environ["GUICHET_DATA_DIR"] = str(_DATA)
# The case database is encrypted in every test (as on an agent's laptop), with a fixed raw
# key instead of the OS keyring or a typed passphrase (docs/storage.md, GUICHET_DB_KEY).
TEST_DB_KEY = "raw:" + "5e" * 32
os.environ.setdefault("GUICHET_DB_KEY", TEST_DB_KEY)
# The parameter cache is slow to build once; reuse the developer's when present.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return _DATA


@pytest.fixture(scope="session")
def engine() -> Iterator[object]:
    """One rules engine for the whole session (loading costs a few seconds)."""
    from app.core.compute.engine import shared_engine

    yield shared_engine()
