"""The command line refuses every bad input with exit code 2 and a French message naming
the field, and writes no file for it (issues 19 and 21). Nothing here computes: the
engine is replaced by a failure, so a refused input that reached it would show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app import cli
from app.core.io.casefile import case_to_dict
from app.core.model.examples import warm_up_household
from app.core.base.i18n import t
from app.core.model.validation import MAX_FIRST_NAME

EXAMPLES = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
MONTH = "2026-11"
SALARY = "Personne 1, ressource « salaire net », montant mensuel"
AMOUNT_PATHS = [("persons", 0, "resources", 0, "stable"), ("housing", "rent"), ("savings",)]
TEXT_PATHS = [("persons", 0, "first_name"), ("reference",), ("housing", "commune_insee")]
REFUSED_AMOUNTS = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), "nan", "NaN", "inf", "1e5", "1.500", "2.000",
                     "1,234.56"]),
    st.integers(min_value=10**8, max_value=10**400),
    st.integers(min_value=-10**9, max_value=-1),
    st.builds(lambda whole, three, mark: f"{whole}{mark}{three:03d}", st.integers(1, 999), st.integers(0, 999),
              st.sampled_from(".,")),
)
REFUSED_TEXTS = st.one_of(
    st.integers(), st.floats(allow_nan=True), st.booleans(), st.lists(st.integers(), min_size=1, max_size=2),
    st.integers(min_value=MAX_FIRST_NAME + 1, max_value=200_000).map(lambda n: "A" * n),
)


@pytest.fixture(autouse=True)
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_engine", lambda: pytest.fail("a refused input reached the engine"))


def write_case(folder: Path, where: tuple[Any, ...] = (), value: Any = None) -> Path:
    data = case_to_dict(warm_up_household(), MONTH)
    node: Any = data["household"]
    for step in where[:-1]:
        node = node[step]
    if where:
        node[where[-1]] = value
    path = folder / "dossier.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # NaN, Infinity: JSON literals
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_salary_of_1_500_with_a_point_is_refused_and_no_handout_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = write_case(tmp_path, ("persons", 0, "resources", 0, "stable"), "1.500")
    pdf = tmp_path / "fiche.pdf"
    code, out, err = run(capsys, "simulate", str(case), "--pdf", str(pdf))
    assert code == 2 and out == "" and not pdf.exists()
    assert err.splitlines() == [t("cli.invalid_case"),
                                "  - " + t("problem.ambiguous_amount", field=SALARY, value="1.500")]


@EXAMPLES
@given(where=st.sampled_from(AMOUNT_PATHS), value=REFUSED_AMOUNTS)
@example(where=("savings",), value=float("nan"))
def test_a_refused_amount_exits_2_naming_the_field_and_writes_nothing(
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        where: tuple[Any, ...], value: Any) -> None:
    folder = tmp_path_factory.mktemp("amount")
    case = write_case(folder, where, value)
    pdf, situation = folder / "fiche.pdf", folder / "situation.json"
    code, out, err = run(capsys, "simulate", str(case), "--pdf", str(pdf))
    label = {"stable": "montant mensuel", "rent": "Logement, loyer", "savings": "Épargne"}[where[-1]]
    assert code == 2 and out == "" and label in err and "Traceback" not in err
    assert run(capsys, "export-openfisca", str(case), "-o", str(situation))[0] == 2
    assert sorted(p.name for p in folder.iterdir()) == ["dossier.json"]


@EXAMPLES
@given(where=st.sampled_from(TEXT_PATHS), value=REFUSED_TEXTS)
@example(where=("persons", 0, "first_name"), value=12345678901234567890)
@example(where=("persons", 0, "first_name"), value=-7)
def test_a_name_that_is_not_a_short_text_exits_2_and_writes_nothing(
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        where: tuple[Any, ...], value: Any) -> None:
    folder = tmp_path_factory.mktemp("text")
    case = write_case(folder, where, value)
    pdf = folder / "fiche.pdf"
    code, _out, err = run(capsys, "simulate", str(case), "--pdf", str(pdf))
    label = {"first_name": "prénom", "reference": "Référence du dossier", "commune_insee": "commune"}[where[-1]]
    assert code == 2 and label in err and not pdf.exists()
    assert max(len(line) for line in err.splitlines()) < 400  # the value is never repeated whole


def test_a_service_point_whose_logo_is_not_an_image_is_refused_before_computing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = write_case(tmp_path)
    (tmp_path / "logo.png").write_text("pas une image", encoding="utf-8")
    point = tmp_path / "point.json"
    point.write_text(json.dumps({"name": "France Services", "logo_path": "logo.png"}), encoding="utf-8")
    pdf = tmp_path / "fiche.pdf"
    code, out, err = run(capsys, "simulate", str(case), "--pdf", str(pdf), "--service-point", str(point))
    assert code == 2 and out == "" and not pdf.exists()
    assert err.strip() == t("handout.logo.not_image", field=t("handout.logo.field"), logo=str(tmp_path / "logo.png"))
    point.write_text(json.dumps({"name": "N" * 5_000}), encoding="utf-8")
    code, _out, err = run(capsys, "simulate", str(case), "--pdf", str(pdf), "--service-point", str(point))
    assert code == 2 and not pdf.exists()
    assert err.strip() == t("handout.service_point.too_long", field=t("handout.service_point.field.name"),
                            count=5_000, max=80)


def test_a_screening_table_that_cannot_be_read_exits_2_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "foyers.csv"
    source.write_text("demandeur_date_naissance;statut_logement;commune_insee\n01/01/1980;locataire_vide;"
                      + "6" * 200_000 + "\n", encoding="utf-8")
    code, _out, err = run(capsys, "screen", str(source), "-o", str(tmp_path / "resultats.xlsx"))
    assert code == 2 and t("batch.input.cell_too_long", path="foyers.csv", line=2) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foyers.csv"]
