"""The case file format: round trip, and structural problems named in French."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from app.core.casefile import case_from_dict, case_to_dict, dump_case, load_case
from app.core.household import (
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
from app.core.validation import InvalidHousehold

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
