"""Moving a case: export, import on another workstation, refusal of bad or tampered files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from store_helpers import FakeClock, household, result

from app.core.store import (
    EXPORT_FORMAT,
    CaseQuery,
    ImportConflict,
    ImportRefused,
    Store,
)
from app.core.store.exchange import checksum


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Store]:
    """The other workstation's store (its own folder, its own clock)."""
    store = Store.open(tmp_path / "other" / "guichet.db", clock=FakeClock())
    yield store
    store.close()


@pytest.fixture
def exported(store: Store, clock: FakeClock, tmp_path: Path) -> tuple[int, Path]:
    saved = store.save_case(household("Anaïs", partner="Kévin"), "2026-11", result=result(), note="Premier RDV")
    clock.advance(days=2)
    store.add_simulation(saved.id, household("Anaïs", partner="Kévin", salary=1500.0), result("2026-12", rsa=0.0),
                         note="Après reprise d'emploi — « test »")
    path = tmp_path / store.export_file_name(saved.id)
    store.export_case(saved.id, path)
    return saved.id, path


def snapshot(store: Store, case_id: int) -> dict[str, Any]:
    """What must travel: the case JSON, its dates, and every simulation as stored."""
    record = store.get_case(case_id)
    simulations = [store.get_simulation(s.id) for s in store.list_simulations(case_id)]
    return {
        "reference": record.reference,
        "case": record.case,
        "created_at": record.summary.created_at,
        "updated_at": record.summary.updated_at,
        "first_names": record.summary.first_names,
        "commune": record.summary.commune_name,
        "simulations": [(s.summary.created_at, s.summary.note, s.summary.app_version, s.summary.month, s.inputs, s.result)
                        for s in simulations],
    }


def test_export_file_has_the_documented_envelope_and_no_name_in_its_file_name(exported: tuple[int, Path]) -> None:
    _case_id, path = exported
    assert path.name == "G-2026-000001.guichet.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == EXPORT_FORMAT and data["version"] == 1
    assert data["sha256"] == checksum(data["content"])
    assert data["content"]["case"]["format"] == "guichet-case"
    assert len(data["content"]["simulations"]) == 2


def test_round_trip_to_another_workstation_keeps_everything(store: Store, other: Store, exported: tuple[int, Path]) -> None:
    case_id, path = exported
    imported = other.import_case(path)
    assert imported.reference == "G-2026-000001" and imported.renamed_from is None
    assert imported.simulations == 2 and not imported.replaced
    assert snapshot(other, imported.case_id) == snapshot(store, case_id)
    # And back again, as a file: the content is the same, byte for byte once canonical.
    again = path.with_name("again.json")
    other.export_case(imported.case_id, again)
    assert json.loads(again.read_text(encoding="utf-8"))["content"] == json.loads(path.read_text(encoding="utf-8"))["content"]
    assert other.search_cases(CaseQuery(text="anais")).total == 1
    assert other.activity() == ()  # imported simulations were counted on the first workstation


def test_importing_a_case_already_here_asks_before_replacing(store: Store, exported: tuple[int, Path]) -> None:
    case_id, path = exported
    with pytest.raises(ImportConflict) as caught:
        store.import_case(path)
    assert "déjà sur ce poste" in str(caught.value) and caught.value.case_id == case_id
    assert store.count_cases() == 1
    store.save_case(household("Anaïs modifiée"), "2026-11", case_id=case_id)
    replaced = store.import_case(path, replace=True)
    assert replaced.replaced and replaced.reference == "G-2026-000001"
    assert store.count_cases() == 1
    assert store.get_case(replaced.case_id).summary.first_names == ("Anaïs", "Kévin", "Tom")


def test_a_reference_taken_here_by_another_case_gets_a_new_number(other: Store, exported: tuple[int, Path]) -> None:
    _case_id, path = exported
    local = other.save_case(household("Locale"), "2026-11")
    assert local.reference == "G-2026-000001"
    imported = other.import_case(path)
    assert imported.renamed_from == "G-2026-000001" and imported.reference == "G-2026-000002"
    record = other.get_case(imported.case_id)
    assert record.case["household"]["reference"] == "G-2026-000002"
    assert other.get_case(local.id).summary.first_names == ("Locale", "Tom")


def rewrite(path: Path, change: Callable[[dict[str, Any]], None], fix_checksum: bool) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    if fix_checksum:
        data["sha256"] = checksum(data["content"])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def set_rent(data: dict[str, Any]) -> None:
    data["content"]["case"]["household"]["housing"]["rent"] = 1.0


@pytest.mark.parametrize(
    "change, fix_checksum, expected",
    [
        (set_rent, False, "somme de contrôle ne correspond pas"),
        (lambda d: d["content"]["simulations"][0]["result"]["benefits"][0].update(amount=9999.0), False,
         "somme de contrôle ne correspond pas"),
        (lambda d: d["content"]["simulations"].pop(), False, "somme de contrôle ne correspond pas"),
        (lambda d: d.update(sha256="abc"), False, "pas de somme de contrôle valide"),
        (lambda d: d.pop("sha256"), False, "pas de somme de contrôle valide"),
        # Checksum recomputed by whoever edited the file: the content is still checked.
        (lambda d: d["content"]["case"]["household"]["persons"][0].update(birth_date="31/02/1990"), True,
         "situation du foyer n'est pas valide"),
        (lambda d: d["content"]["case"]["household"]["housing"].update(commune_insee="99999"), True,
         "situation du foyer n'est pas valide"),
        (lambda d: d["content"]["simulations"][1]["result"]["benefits"][0].update(status="peut-être"), True,
         "résultats ne sont pas lisibles (simulation n° 2)"),
        (lambda d: d["content"]["simulations"][0].update(inputs={"format": "guichet-case"}), True,
         "situation du foyer n'est pas valide (simulation n° 1)"),
        (lambda d: d["content"]["simulations"][0]["inputs"].update(month="2020-01"), True, "valeur invalide"),
        (lambda d: d["content"].update(reference="Dupont Marie"), True, "champ « reference »"),
        (lambda d: d["content"].update(uid="../../etc"), True, "champ « uid »"),
        (lambda d: d["content"].update(created_at="hier"), True, "champ « created_at »"),
        (lambda d: d["content"].update(extra="x"), True, "champ inconnu"),
        (lambda d: d["content"].pop("simulations"), True, "champ « simulations » manquant"),
        (lambda d: d.update(version=2), False, "version plus récente de Guichet"),
        (lambda d: d.update(version="1"), False, "format inconnu"),
        (lambda d: d.update(format="guichet-case"), False, "Ouvrir un fichier"),
        (lambda d: d.update(format="autre"), False, "pas un dossier exporté par Guichet"),
    ],
)
def test_a_bad_or_tampered_file_is_refused_and_nothing_is_imported(
    other: Store, exported: tuple[int, Path], change: Callable[[dict[str, Any]], None], fix_checksum: bool, expected: str
) -> None:
    _case_id, path = exported
    rewrite(path, change, fix_checksum)
    with pytest.raises(ImportRefused) as caught:
        other.import_case(path)
    assert expected in str(caught.value)
    assert "Rien n'a été importé" in str(caught.value)
    assert other.count_cases() == 0
    assert other.search_cases(CaseQuery()).total == 0


def test_an_invalid_household_lists_its_problems(other: Store, exported: tuple[int, Path]) -> None:
    _case_id, path = exported
    rewrite(path, lambda d: d["content"]["case"]["household"]["housing"].update(rent=-5), True)
    with pytest.raises(ImportRefused) as caught:
        other.import_case(path)
    assert any("loyer" in line and "négatif" in line for line in caught.value.details)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "pas du JSON valide (ligne 1, colonne 1)"),
        (b'{"format": "guichet-case-export", "version": 1, "sha256"', "pas du JSON valide"),
        (b"\xff\xfe\x00garbage", "pas un fichier texte UTF-8"),
        (b"[1, 2, 3]", "pas un dossier exporté par Guichet"),
        (b'{"format": "guichet-case-export", "version": 1, "amount": NaN}', "mal formé"),
    ],
)
def test_unreadable_files_are_refused(other: Store, tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.guichet.json"
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as caught:
        other.import_case(path)
    assert expected in str(caught.value)
    assert other.count_cases() == 0


def test_a_truncated_copy_is_refused(other: Store, exported: tuple[int, Path]) -> None:
    _case_id, path = exported
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(ImportRefused):
        other.import_case(path)
    assert other.count_cases() == 0


def test_a_missing_file_is_refused_in_french(other: Store, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused) as caught:
        other.import_case(tmp_path / "absent.guichet.json")
    assert "ne peut pas être lu" in str(caught.value)
