"""The case file format: round trip, and structural problems named in French."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.core.model import validation
from app.core.io.casefile import case_from_dict, case_to_dict, dump_case, load_case
from app.core.model.household import (
    Activity,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)
from app.core.base.i18n import t
from app.core.model.validation import InvalidHousehold, field_label

TODAY = dt.date(2026, 11, 29)

HOUSEHOLD = Household(
    persons=(
        Person("p1", Role.DEMANDEUR, dt.date(1979, 4, 30), first_name="Karim", activity=Activity.SALARIE,
               resources=(Resource(ResourceKind.SALAIRE_NET, monthly=tuple(float(1000 + 10 * i) for i in range(12))),),
               taxable_income_n2=14200.0),
        Person("p2", Role.CONJOINT, dt.date(1982, 8, 15), activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE,
               ass_work_history=True, disability_rate=50.0),
        Person("c1", Role.ENFANT, dt.date(2012, 1, 20), schooling=Schooling.COLLEGE),
    ),
    couple=CoupleStatus.PACSE,
    housing=Housing(HousingStatus.LOCATAIRE_MEUBLE, rent=700.0, charges=30.0, conventionne=True, commune_insee="13055"),
    savings=None,
    benefits_received=("allocations_familiales",),
    reference="G-2026-000042",
)


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(InvalidHousehold) as raised:
        case_from_dict(data, TODAY)
    return {p.field: p.message for p in raised.value.problems}


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(dump_case(HOUSEHOLD, "2026-11"), encoding="utf-8")
    household, month = load_case(path, TODAY)
    assert household == HOUSEHOLD
    assert month == "2026-11"


def test_french_dates_and_amounts_are_accepted() -> None:
    data = case_to_dict(HOUSEHOLD)
    data["household"]["persons"][0]["birth_date"] = "30/04/1979"
    data["household"]["housing"]["rent"] = "700,00"
    household, month = case_from_dict(data, TODAY)
    assert household.persons[0].birth_date == dt.date(1979, 4, 30)
    assert household.housing.rent == 700.0
    assert month is None


def test_structural_problems_are_all_named() -> None:
    data = copy.deepcopy(case_to_dict(HOUSEHOLD))
    data["household"]["persons"][1]["activity"] = "astronaute"
    data["household"]["persons"][2]["birth_date"] = "le 20 janvier"
    data["household"]["housing"]["rent"] = "beaucoup"
    data["household"]["persons"][0]["nationality"] = "FR"
    found = problems(data)
    assert found["persons.1.activity"].startswith("Personne 2, activité : « astronaute » n'est pas une valeur possible (")
    assert "demandeur d'emploi non indemnisé (demandeur_emploi_non_indemnise)" in found["persons.1.activity"]
    assert found["persons.2.birth_date"] == (
        "Personne 3, date de naissance : « le 20 janvier » n'est pas une date (format attendu : 29/11/2026)."
    )
    assert found["housing.rent"] == "Logement, loyer : « beaucoup » n'est pas un montant."
    assert found["persons.0"] == "Personne 1 : champ inconnu « nationality »."


def test_unknown_benefit_received_is_refused() -> None:
    data = case_to_dict(HOUSEHOLD)
    data["household"]["benefits_received"] = ["allocations_familiales", "prime_de_noel_imaginaire"]
    assert "prime_de_noel_imaginaire" in problems(data)["benefits_received"]


def test_format_version_and_month_are_checked() -> None:
    assert "n'est pas un dossier Guichet" in problems({"format": "autre", "version": 1})["format"]
    assert "format 9" in problems({"format": "guichet-case", "version": 9})["version"]
    data = case_to_dict(HOUSEHOLD, "2026-11")
    data["month"] = "novembre"
    assert "n'est pas un mois" in problems(data)["month"]


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n"format": "guichet-case",\n,}', encoding="utf-8")
    with pytest.raises(InvalidHousehold) as raised:
        load_case(path, TODAY)
    assert "ligne 3" in raised.value.problems[0].message


def test_case_json_is_utf8_and_readable() -> None:
    text = dump_case(HOUSEHOLD, "2026-11")
    assert json.loads(text)["household"]["persons"][0]["first_name"] == "Karim"
    assert "\\u" not in text


# --------------------------------------------------------------------------- hostile inputs (issues 19 and 21)

EXAMPLES = settings(max_examples=50, derandomize=True, deadline=None, database=None)
AMOUNT_FIELDS = {  # path in the case format -> (where it is in the dictionary, its maximum)
    "savings": (("household", "savings"), validation.MAX_SAVINGS),
    "housing.rent": (("household", "housing", "rent"), validation.MAX_RENT),
    "housing.charges": (("household", "housing", "charges"), validation.MAX_RENT),
    "persons.0.resources.0.stable": (("household", "persons", 0, "resources", 0, "stable"),
                                     validation.MAX_MONTHLY_AMOUNT),
    "persons.0.taxable_income_n2": (("household", "persons", 0, "taxable_income_n2"), validation.MAX_YEARLY_INCOME),
}
TEXT_FIELDS = {
    "reference": (("household", "reference"), validation.MAX_REFERENCE),
    "persons.0.first_name": (("household", "persons", 0, "first_name"), validation.MAX_FIRST_NAME),
    "persons.1.id": (("household", "persons", 1, "id"), validation.MAX_ID),
}
HOSTILE_AMOUNTS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**400, max_value=10**400),
    st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1.500", "2.000", "1,234.56", "1e5", "1 500,50", "0x10",
                     "", " ", "12,3456", "1" * 500]),
    st.text(max_size=12),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
HOSTILE_TEXTS = st.one_of(
    st.integers(min_value=-10**25, max_value=10**25),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.text(max_size=3), max_size=2),
    st.text(max_size=80),
    st.integers(min_value=0, max_value=200_000).map(lambda n: "A" * n),
)


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(case_to_dict(HOUSEHOLD))
    data["household"]["persons"][0]["resources"] = [{"kind": "salaire_net", "stable": 1000}]
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    # Through JSON text as a file would be: NaN and Infinity are JSON literals Python reads.
    return json.loads(json.dumps(data))


def _read_value(household: Household, field: str) -> Any:
    if field == "savings":
        return household.savings
    if field.startswith("housing."):
        return getattr(household.housing, field.split(".")[1])
    person = household.persons[int(field.split(".")[1])]
    if ".resources." in field:
        return person.resources[0].stable
    return getattr(person, field.split(".")[-1])


def _read_with(field: str, where: tuple[Any, ...], value: Any) -> tuple[Household | None, list[str]]:
    """The household read with ``value`` at ``where``, or None and the messages about
    ``field`` (there must be some, each short: the value is never repeated whole)."""
    try:
        household, _month = case_from_dict(_with(where, value), TODAY)
    except InvalidHousehold as error:
        messages = [p.message for p in error.problems if p.field == field]
        assert messages, error.problems
        assert all(len(m) < 400 for m in messages)
        return None, messages
    return household, []


@EXAMPLES
@given(field=st.sampled_from(sorted(AMOUNT_FIELDS)), value=HOSTILE_AMOUNTS)
@example(field="persons.0.resources.0.stable", value="1.500")
@example(field="savings", value=float("nan"))
@example(field="housing.rent", value=10**400)
def test_every_amount_is_a_finite_number_in_range_or_refused_naming_its_field(field: str, value: Any) -> None:
    where, maximum = AMOUNT_FIELDS[field]
    household, messages = _read_with(field, where, value)
    if household is None:
        label = field_label(field, HOUSEHOLD)
        assert all(m.startswith(label.split(" (")[0]) for m in messages), messages
        return
    read = _read_value(household, field)
    assert read is None or (math.isfinite(read) and 0 <= read <= maximum)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert read == float(value)  # JSON numbers stay numbers


@pytest.mark.parametrize(("text", "key"), [
    ("1.500", "problem.ambiguous_amount"), ("2.000", "problem.ambiguous_amount"),
    ("1,234.56", "problem.ambiguous_amount"), ("nan", "problem.not_a_number"), ("inf", "problem.not_a_number"),
])
def test_a_misreadable_salary_is_refused_with_the_reason(text: str, key: str) -> None:
    found = problems(_with(("household", "persons", 0, "resources", 0, "stable"), text))
    assert found == {"persons.0.resources.0.stable": t(
        key, field="Personne 1, ressource « salaire net », montant mensuel", value=text)}


@EXAMPLES
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), value=HOSTILE_TEXTS)
@example(field="persons.0.first_name", value=12345678901234567890)
@example(field="persons.0.first_name", value=-3)
@example(field="reference", value="R" * 1_000_000)
def test_names_and_references_are_texts_of_limited_length_or_refused(field: str, value: Any) -> None:
    where, limit = TEXT_FIELDS[field]
    household, messages = _read_with(field, where, value)
    if household is None:
        if isinstance(value, str) and len(value) > limit:
            assert messages == [t("problem.too_long", field=field_label(field), count=len(value), max=limit)]
        elif isinstance(value, str):  # a control character (category Cc)
            assert messages == [t("problem.bad_characters", field=field_label(field))]
            assert any(unicodedata.category(c) == "Cc" for c in value)
        else:
            assert t("problem.not_text", field=field_label(field), value="")[:-3] in messages[0]
        return
    assert isinstance(value, str) and len(value) <= limit
    read = household.reference if field == "reference" else getattr(household.persons[int(field.split(".")[1])],
                                                                     field.split(".")[-1])
    assert read == value or (value == "" and read)  # an empty id falls back to p2


def test_a_case_file_too_big_or_too_deep_is_refused_in_french(tmp_path: Path) -> None:
    from app.core.io.casefile import MAX_CASE_BYTES

    big = tmp_path / "big.json"
    big.write_text('{"format": "guichet-case", "x": "' + "a" * MAX_CASE_BYTES + '"}', encoding="utf-8")
    with pytest.raises(InvalidHousehold) as raised:
        load_case(big, TODAY)
    assert raised.value.problems[0].message.startswith("Le fichier fait ")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InvalidHousehold) as raised:
        load_case(deep, TODAY)
    assert raised.value.problems[0].message == t("problem.too_deep")
    digits = tmp_path / "digits.json"
    digits.write_text('{"format": "guichet-case", "version": ' + "9" * 5000 + "}", encoding="utf-8")
    with pytest.raises(InvalidHousehold) as raised:
        load_case(digits, TODAY)
    assert raised.value.problems[0].message == t("problem.too_deep")


def test_too_many_persons_or_benefits_are_refused_before_reading_them() -> None:
    data = case_to_dict(HOUSEHOLD)
    data["household"]["persons"] = [data["household"]["persons"][2]] * 100_000
    assert problems(data) == {"persons": t("problem.too_many_persons", count=100_000, max=validation.MAX_PERSONS)}
    data = case_to_dict(HOUSEHOLD)
    data["household"]["benefits_received"] = ["rsa"] * 1000
    assert problems(data)["benefits_received"] == t(
        "problem.too_many_items", field=field_label("benefits_received"), count=1000, max=validation.MAX_LIST_ITEMS)


# --------------------------------------------------------------------------- found by tests/fuzz (issue 18)


def test_a_case_file_with_a_byte_order_mark_is_read_like_without(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(b"\xef\xbb\xbf" + dump_case(HOUSEHOLD, "2026-11").encode("utf-8"))  # Notepad's UTF-8
    assert load_case(path, TODAY) == (HOUSEHOLD, "2026-11")


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_a_case_file_in_another_encoding_says_to_save_it_in_utf8(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(dump_case(HOUSEHOLD, "2026-11").replace("Karim", "Zoé").encode(encoding))
    with pytest.raises(InvalidHousehold) as raised:
        load_case(path, TODAY)
    assert [p.message for p in raised.value.problems] == [t("problem.not_utf8")]


@pytest.mark.parametrize("month", ["2026-1", " 2026-11", "2026-11 ", "+202-11", "٢٠٢٦-١١", "2026-011", "0000-01",
                                   "1850-01", 202611])
def test_a_month_is_only_yyyy_mm_in_the_years_computed(month: Any) -> None:
    # "2026-1" was accepted, then compared as text: months_range("2025-01", "2026-1") stops at 2026-09.
    data = case_to_dict(HOUSEHOLD, "2026-11")
    data["month"] = month
    assert problems(data) == {"month": t("problem.not_a_month", field=t("field.month"), value=str(month))}


@pytest.mark.parametrize("name", ["Zo\ud800", "A\x00", "Léa\nLouis", "\x1b[31mX"])
def test_a_text_with_a_control_character_or_half_a_character_is_refused(name: str) -> None:
    # "Zo\ud800" (a lone surrogate, valid in JSON as "\ud800") was accepted, then saving the case failed.
    data = case_to_dict(HOUSEHOLD)
    data["household"]["persons"][0]["first_name"] = name
    data["household"]["reference"] = name
    found = problems(json.loads(json.dumps(data)))
    assert found == {
        "persons.0.first_name": t("problem.bad_characters", field="Personne 1, prénom"),
        "reference": t("problem.bad_characters", field=t("field.reference")),
    }
