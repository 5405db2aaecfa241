"""Cases and simulations: save, reopen exactly, references, search, sort, duplicate, delete."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from store_helpers import FakeClock, household, raw_connection, result

import app
from app.core.io.casefile import case_to_dict
from app.core.store import (
    CaseNotFound,
    CaseQuery,
    CaseSort,
    DateField,
    SimulationNotFound,
    Store,
)


def test_database_is_created_on_first_start_in_the_data_folder_in_wal_mode(store: Store, data_dir: Path) -> None:
    assert store.path == data_dir / "guichet.db"
    assert store.path.is_file()
    raw = raw_connection(store.path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    assert store.schema_version() == 2
    assert store.count_cases() == 0


def test_a_saved_case_reopens_as_the_same_household(store: Store) -> None:
    saved = store.save_case(household(partner="Rémi"), "2026-11")
    record = store.open_case(saved.id)
    assert record.case == json.loads(json.dumps(case_to_dict(replace(household(partner="Rémi"), reference=saved.reference), "2026-11")))
    reopened, month = record.household(today=dt.date(2026, 11, 2))
    assert month == "2026-11"
    assert reopened == replace(household(partner="Rémi"), reference=saved.reference)
    assert record.case["household"]["reference"] == saved.reference
    assert record.summary.display_name == "Léa, Rémi, Tom"  # demandeur, conjoint, then the others


def test_references_are_pseudonymous_sequential_and_never_reused(store: Store) -> None:
    first = store.save_case(household("Zoé"), "2026-11")
    second = store.save_case(household("Zoé"), "2026-11")
    assert re.fullmatch(r"G-2026-\d{6}", first.reference)
    assert (first.reference, second.reference) == ("G-2026-000001", "G-2026-000002")
    store.delete_case(second.id)
    third = store.save_case(household("Zoé"), "2026-11")
    assert third.reference == "G-2026-000003"  # a deleted number is not given again


def test_a_case_can_be_saved_with_no_name_at_all(store: Store) -> None:
    saved = store.save_case(household(first_name="", child=""), None)
    assert saved.first_names == () and saved.display_name == "(sans prénom)"
    record = store.get_case(saved.id)
    assert all(p["first_name"] == "" for p in record.case["household"]["persons"])
    assert store.search_cases(CaseQuery(text=saved.reference)).items[0].id == saved.id


def test_updating_a_case_keeps_its_reference_and_moves_its_dates(store: Store, clock: FakeClock) -> None:
    saved = store.save_case(household("Inès"), "2026-11")
    clock.advance(days=3)
    unchanged = store.save_case(household("Inès"), "2026-11", case_id=saved.id)
    assert unchanged.updated_at == saved.updated_at  # same content: only touched
    assert unchanged.touched_at == clock.now
    clock.advance(days=1)
    changed = store.save_case(household("Inès", commune="75056", postal_code="75011"), "2026-12", case_id=saved.id)
    assert changed.reference == saved.reference
    assert changed.updated_at == clock.now and changed.created_at == saved.created_at
    assert changed.commune_name == "Paris"
    assert store.get_case(saved.id).month == "2026-12"
    with pytest.raises(CaseNotFound):
        store.save_case(household(), None, case_id=999)


def test_simulations_are_stored_with_versions_date_note_and_exact_results(store: Store, clock: FakeClock) -> None:
    saved = store.save_case(household(), "2026-11", result=result(), note="RDV CAF le 12")
    clock.advance(days=10)
    newer = store.add_simulation(saved.id, household(salary=900.0), result("2026-12", rsa=520.5), note="")
    summaries = store.list_simulations(saved.id)
    assert [s.id for s in summaries] == [newer.id, summaries[1].id]  # newest first
    old = store.get_simulation(summaries[1].id)
    assert old.result == result()
    assert old.summary.note == "RDV CAF le 12"
    assert old.summary.month == "2026-11"
    assert old.summary.app_version == app.__version__
    assert (old.summary.openfisca_france, old.summary.catalogue_version, old.summary.legislation_until) == (
        "176.1.8", "2026.11", "2026-07-01",
    )
    assert old.summary.created_at == clock.now - dt.timedelta(days=10)
    # Totals of the stored result, computed here from the helper's amounts:
    # rsa 412.37 + prime 0.1+0.2 + housing 287.00 (allocations familiales not eligible).
    assert old.summary.total_monthly == round(412.37 + 0.30000000000000004 + 287.0, 2) == 699.67
    assert old.summary.total_yearly_extra == 423.48
    assert old.summary.benefits_found == 4
    hh, month = old.household(today=dt.date(2026, 11, 2))
    assert month == "2026-11" and hh == replace(household(), reference=saved.reference)
    assert store.get_simulation(newer.id).inputs["household"]["persons"][0]["resources"][0]["stable"] == 900.0
    store.set_simulation_note(newer.id, "Dossier APL envoyé")
    assert store.get_simulation(newer.id).summary.note == "Dossier APL envoyé"
    case = store.get_case(saved.id).summary
    assert case.simulations == 2 and case.last_simulation_at == clock.now


def test_duplicate_makes_a_variant_with_a_new_reference_and_no_simulations(store: Store) -> None:
    saved = store.save_case(household("Maëlle"), "2026-11", result=result())
    variant = store.duplicate_case(saved.id)
    assert variant.id != saved.id and variant.reference != saved.reference
    assert variant.variant_of == saved.reference
    assert variant.simulations == 0
    original_household = store.get_case(saved.id).case["household"]
    copied_household = store.get_case(variant.id).case["household"]
    assert copied_household == {**original_household, "reference": variant.reference}
    store.save_case(household("Maëlle", salary=0.0), "2026-11", case_id=variant.id)
    assert store.get_case(saved.id).case["household"] == original_household  # the original is untouched


def test_delete_removes_the_case_and_its_simulations(store: Store) -> None:
    saved = store.save_case(household(), "2026-11", result=result())
    simulation = store.list_simulations(saved.id)[0]
    kept = store.save_case(household("Autre"), "2026-11", result=result())
    store.delete_case(saved.id)
    with pytest.raises(CaseNotFound) as caught:
        store.get_case(saved.id)
    assert "n'existe plus" in str(caught.value)
    with pytest.raises(SimulationNotFound):
        store.get_simulation(simulation.id)
    assert store.count_cases() == 1 and len(store.list_simulations(kept.id)) == 1
    with pytest.raises(CaseNotFound):
        store.delete_case(saved.id)


# --------------------------------------------------------------------------- search


@pytest.fixture
def listed(store: Store, clock: FakeClock) -> dict[str, int]:
    """Five cases saved on different days; name -> id."""
    ids = {}
    for name, commune, postal, partner in [
        ("Léa", "69123", "69003", None),           # Lyon, 2 Nov
        ("Hélène", "13055", "13001", "Marc"),      # Marseille, 3 Nov
        ("Noé", "75056", "75011", None),            # Paris, 4 Nov
        ("", "69123", "69007", None),               # Lyon, no name, 5 Nov
        ("Leandre", "33063", "33000", None),        # Bordeaux, 6 Nov
    ]:
        ids[name or "-"] = store.save_case(household(name, child="", commune=commune, postal_code=postal, partner=partner), "2026-11").id
        clock.advance(days=1)
    return ids


def found(store: Store, **criteria: object) -> list[int]:
    return [item.id for item in store.search_cases(CaseQuery(**criteria)).items]  # type: ignore[arg-type]


def test_search_by_reference_in_every_usual_spelling(store: Store, listed: dict[str, int]) -> None:
    noe = listed["Noé"]
    for typed in ("G-2026-000003", "g 2026 000003", "000003", "3", "2026-000003"):
        assert found(store, text=typed) == [noe], typed
    assert store.find_case("G-2026-000003") == noe
    assert store.find_case("G-2026-000099") is None


def test_search_by_first_name_ignores_case_and_accents_and_matches_word_starts(store: Store, listed: dict[str, int]) -> None:
    assert found(store, text="LEA") == [listed["Leandre"], listed["Léa"]]  # newest first
    assert found(store, text="léa", sort=CaseSort.NAME, descending=False) == [listed["Léa"], listed["Leandre"]]
    assert found(store, text="helene") == [listed["Hélène"]]
    assert found(store, text="marc") == [listed["Hélène"]]  # the partner's first name
    assert found(store, first_name="noe") == [listed["Noé"]]
    assert found(store, text="elene") == []  # not the start of a word


def test_search_by_commune_name_code_and_combined_words(store: Store, listed: dict[str, int]) -> None:
    assert sorted(found(store, text="lyon")) == sorted([listed["Léa"], listed["-"]])
    assert found(store, commune="marseille") == [listed["Hélène"]]
    assert found(store, commune_insee="33063") == [listed["Leandre"]]
    assert found(store, text="75011") == [listed["Noé"]]  # postal code
    assert found(store, text="lea lyon") == [listed["Léa"]]  # every word must match
    assert found(store, text="lea paris") == []


def test_search_by_date_range_on_local_days(store: Store, listed: dict[str, int]) -> None:
    # Saved on 2, 3, 4, 5, 6 November 2026 at 09:30 UTC (10:30 in Paris; the tests run in UTC).
    between = found(store, date_from=dt.date(2026, 11, 3), date_to=dt.date(2026, 11, 4), sort=CaseSort.CREATED,
                    descending=False)
    assert between == [listed["Hélène"], listed["Noé"]]
    assert found(store, date_from=dt.date(2026, 11, 6)) == [listed["Leandre"]]
    assert found(store, date_to=dt.date(2026, 11, 1)) == []
    assert found(store, date_field=DateField.CREATED, date_from=dt.date(2026, 11, 2), date_to=dt.date(2026, 11, 2)) == [
        listed["Léa"]
    ]


def test_sorts_and_pages(store: Store, listed: dict[str, int]) -> None:
    by_name = found(store, sort=CaseSort.NAME, descending=False)
    assert by_name == [listed["Hélène"], listed["Léa"], listed["Leandre"], listed["Noé"], listed["-"]]  # no name last
    by_commune = found(store, sort=CaseSort.COMMUNE, descending=False)
    assert by_commune[0] == listed["Leandre"] and by_commune[-1] == listed["Noé"]  # Bordeaux … Paris
    by_reference = found(store, sort=CaseSort.REFERENCE, descending=True)
    assert by_reference == [listed["Leandre"], listed["-"], listed["Noé"], listed["Hélène"], listed["Léa"]]
    page = store.search_cases(CaseQuery(sort=CaseSort.CREATED, descending=False, limit=2, offset=2))
    assert page.total == 5 and [c.id for c in page.items] == [listed["Noé"], listed["-"]]


def test_opening_a_case_marks_it_used_but_searching_does_not(store: Store, clock: FakeClock, listed: dict[str, int]) -> None:
    clock.advance(days=30)
    before = store.get_case(listed["Léa"]).summary.touched_at
    store.search_cases(CaseQuery(text="lea"))
    assert store.get_case(listed["Léa"]).summary.touched_at == before
    assert store.open_case(listed["Léa"]).summary.touched_at == clock.now
