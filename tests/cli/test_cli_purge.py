"""``guichet purge``: the retention rule from the command line (no engine needed)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Iterator

import pytest

from app import cli
from app.core.model.examples import warm_up_household
from app.core.store import Store


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "data"
    monkeypatch.setenv("GUICHET_DATA_DIR", str(folder))
    yield folder
    os.umask(0o022)  # cli.main made this process's files private


def old_cases(count: int) -> None:
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)
    with Store.open(clock=lambda: long_ago) as store:
        for _ in range(count):
            store.save_case(warm_up_household(), "2026-11")
        store.mark_purge_notice_shown()


def test_purge_without_a_database_says_so(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["purge"]) == 0
    assert "Aucune base de dossiers" in capsys.readouterr().err
    assert not (data_dir / "guichet.db").exists()


def test_a_few_old_cases_are_purged_and_more_need_yes(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old_cases(7)
    assert cli.main(["purge"]) == 2
    err = capsys.readouterr().err
    assert "7 dossiers" in err and "guichet purge --yes" in err and "Rien n'a encore été supprimé" in err
    with Store.open() as store:
        assert store.count_cases() == 7
    assert cli.main(["purge", "--yes"]) == 0
    assert "7 dossiers inutilisés depuis plus de 90 jours ont été supprimés" in capsys.readouterr().err
    with Store.open() as store:
        assert store.count_cases() == 0
    old_cases(2)
    cli.purge_cases(confirmed=False, explicit=False)  # what runs before simulate and screen
    assert "2 dossiers inutilisés" in capsys.readouterr().err
    with Store.open() as store:
        assert store.count_cases() == 0


def test_the_automatic_purge_stays_quiet_when_the_gui_holds_the_database(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old_cases(2)
    with Store.open() as holder:
        assert cli.purge_cases(confirmed=False, explicit=False) == 0
        assert capsys.readouterr().err == ""
        assert holder.count_cases() == 2


def test_the_automatic_purge_opens_the_database_once_a_day_and_guichet_purge_always(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old_cases(2)
    cli.purge_cases(confirmed=False, explicit=False)
    assert "2 dossiers inutilisés" in capsys.readouterr().err
    old_cases(1)
    cli.purge_cases(confirmed=False, explicit=False)  # the same day: not opened again
    assert capsys.readouterr().err == ""
    with Store.open() as store:
        assert store.count_cases() == 1
    assert cli.main(["purge"]) == 0  # the explicit command is not limited
    assert "1 dossier" in capsys.readouterr().err
    with Store.open() as store:
        assert store.count_cases() == 0
    (data_dir / "cache" / "automatic_purge_day.txt").write_text("2000-01-01", encoding="ascii")
    old_cases(1)
    cli.purge_cases(confirmed=False, explicit=False)  # another day: it runs
    with Store.open() as store:
        assert store.count_cases() == 0
