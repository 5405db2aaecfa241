"""A few fuzzed inputs through the real command line (a process each, so only a few): the
exit code is 2, the error output French and without a traceback, and no file is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.base.i18n import t

CASES = {  # file name -> its bytes (inputs the generated tests found or stand for)
    "bom-cut.json": b"\xef\xbb\xbf{\"format\": \"guichet-case\", \"version\": 1, \"household\": {\"pers",
    "utf16.json": "{\"format\": \"guichet-case\"}".encode("utf-16"),
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "month.json": b'{"format": "guichet-case", "version": 1, "month": "2026-1", "household": {}}',
}


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "app", *argv], capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_case_file_exits_2_in_french_and_writes_nothing(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(CASES[name])
    done = run("simulate", name, "--pdf", "fiche.pdf", cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr.startswith(t("cli.invalid_case")) and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_table_in_no_known_encoding_exits_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "foyers.csv").write_bytes(b"demandeur_date_naissance;statut_logement;commune_insee\n\x81\x8d;x;y\n")
    done = run("screen", "foyers.csv", "-o", "resultats.xlsx", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert t("batch.input.bad_encoding", path="foyers.csv") in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foyers.csv"]
