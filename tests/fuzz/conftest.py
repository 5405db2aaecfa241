"""Fuzz tests: the helper modules of this folder are imported by name (``fuzz_oracles``,
``fuzz_paths``…), as ``bench/fuzz.py`` does."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def fuzz_work(tmp_path: Path) -> Iterator[Callable[[], Path]]:
    """A new empty folder for each generated example (a hypothesis test runs many in one
    test function: ``tmp_path`` alone would be shared)."""
    made: list[Path] = []

    def new() -> Path:
        made.append(Path(tempfile.mkdtemp(dir=tmp_path)))
        return made[-1]

    yield new
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)
