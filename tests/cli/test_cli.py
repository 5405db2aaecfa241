"""The command line, run in-process through ``app.cli.main`` (one engine per session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.core.base import formats
from app.core.io.casefile import case_to_dict
from app.core.model.examples import warm_up_household
from app.core.base.i18n import t

pytestmark = pytest.mark.slow

MONTH = "2026-11"


@pytest.fixture()
def case_file(tmp_path: Path) -> Path:
    """A single parent in Lyon, 1 000 € net a month, one child of 9, rent 650 €,
    declared as already receiving the family allowances."""
    household = warm_up_household()
    data = case_to_dict(household, MONTH)
    data["household"]["benefits_received"] = ["allocations_familiales"]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table_shows_the_engines_amounts_in_french(engine: Any, case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = engine.compute(warm_up_household(), MONTH)
    code, out, _ = run(capsys, "simulate", str(case_file))
    assert code == 0
    assert "novembre 2026" in out
    ppa = expected.get("prime_activite").amount
    assert ppa > 0
    assert f"{formats.euros(ppa)} par mois" in out
    assert f"Total estimé par mois : {formats.euros(expected.total_monthly())}" in out
    assert "Déjà perçue" in out  # allocations familiales were declared as received


def test_json_output_is_machine_readable_and_equal_to_the_engine(
    engine: Any, case_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = engine.compute(warm_up_household(), MONTH)
    code, out, _ = run(capsys, "simulate", str(case_file), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["month"] == MONTH
    amounts = {item["benefit_id"]: item["amount"] for item in data["benefits"]}
    assert amounts == {b.benefit_id: b.amount for b in expected.benefits}
    assert data["total_monthly"] == expected.total_monthly()
    received = {item["benefit_id"]: item["already_received"] for item in data["benefits"]}
    assert received["allocations_familiales"] is True


def test_month_option_overrides_the_case_month(case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", str(case_file), "--month", "2026-06", "--format", "json")
    assert code == 0
    assert json.loads(out)["month"] == "2026-06"


def test_exported_situation_gives_the_same_results_through_openfisca_input(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "situation.json"
    assert run(capsys, "export-openfisca", str(case_file), "-o", str(exported))[0] == 0
    situation = json.loads(exported.read_text(encoding="utf-8"))
    assert set(situation) == {"individus", "familles", "foyers_fiscaux", "menages"}
    # Every month of the housing-aid window M-13 .. M-2 carries the salary.
    salary = situation["individus"]["p1"]["salaire_net"]
    assert all(salary[m] == 1000.0 for m in ("2025-10", "2025-11", "2026-09", "2026-10"))
    _, direct, _ = run(capsys, "simulate", str(case_file), "--format", "json")
    _, through, _ = run(capsys, "simulate", "--openfisca", str(exported), "--month", MONTH, "--format", "json")
    amounts = lambda text: {i["benefit_id"]: i["amount"] for i in json.loads(text)["benefits"]}  # noqa: E731
    assert amounts(through) == amounts(direct)


def test_invalid_case_lists_every_problem_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = case_to_dict(warm_up_household(), MONTH)
    data["household"]["persons"][0]["birth_date"] = "2031-01-01"
    data["household"]["housing"]["rent"] = -5
    data["household"]["housing"]["commune_insee"] = "00000"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(capsys, "simulate", str(path))
    assert code == 2
    assert out == ""
    assert "date de naissance" in err and "futur" in err
    assert "loyer" in err and "négatif" in err
    assert "00000" in err and "commune" in err
    assert "Traceback" not in err


def test_not_json_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "guichet-case",\n  oops}', encoding="utf-8")
    code, _, err = run(capsys, "simulate", str(path))
    assert code == 2
    assert "ligne 2" in err


def test_bad_month_is_refused_in_french(case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.main(["simulate", str(case_file), "--month", "2026-13"])
    assert raised.value.code == 2
    assert "n'est pas un mois" in capsys.readouterr().err


def test_unexpected_error_gives_an_apology_and_the_log_place_never_a_traceback(
    case_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("Amina 1000 €")  # a message holding personal data

    monkeypatch.setattr(cli, "simulate", broken)
    code, _, err = run(capsys, "simulate", str(case_file))
    assert code == 1
    assert "Désolé" in err and "guichet.log" in err
    assert "Traceback" not in err
    from app.core.base.logs import log_file

    log = log_file().read_text(encoding="utf-8")
    assert "RuntimeError" in log
    assert "Amina" not in log


def test_version_names_every_component(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert "openfisca-france 176.1.8" in out
    assert "openfisca-core 44." in out
    assert "Guichet" in out and "catalogue" in out


def _pdf_text(path: Path) -> str:
    import pypdf

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_handout_names_the_service_point_given(case_file: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    point = tmp_path / "point.json"
    point.write_text(json.dumps({"name": "France Services Lyon 3e", "address": "18 rue Garibaldi, 69003 Lyon",
                                 "phone": "04 00 00 00 00", "opening_hours": "Lundi-vendredi 9 h-17 h"}),
                     encoding="utf-8")
    pdf = tmp_path / "fiche.pdf"
    code, _out, err = run(capsys, "simulate", str(case_file), "--pdf", str(pdf), "--service-point", str(point))
    assert code == 0 and err.strip() == t("cli.pdf_written", path=str(pdf))
    text = _pdf_text(pdf)
    assert "France Services Lyon 3e" in text and "18 rue Garibaldi" in text
    # without it: « Point d'accueil »
    plain = tmp_path / "plain.pdf"
    assert run(capsys, "simulate", str(case_file), "--pdf", str(plain))[0] == 0
    assert t("handout.default_service_point") in _pdf_text(plain) and "Garibaldi" not in _pdf_text(plain)


FIELDS = "name, address, phone, opening_hours, logo_path"


@pytest.mark.parametrize(("content", "key", "params"), [
    ('{"nom": "France Services"}', "handout.service_point.unknown_field", {"field": "nom", "fields": FIELDS}),
    ('{"name": 12}', "handout.service_point.not_text", {"field": "name"}),
    ('["France Services"]', "handout.service_point.not_object", {}),
    ('{"name": "France', "handout.service_point.unreadable", {"reason": "JSONDecodeError"}),
    ('{"logo_path": "absent.png"}', "handout.service_point.no_logo", {"logo": "absent.png"}),
])
def test_a_bad_service_point_file_is_refused_in_french_before_computing(
        case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        content: str, key: str, params: dict[str, str]) -> None:
    point = tmp_path / "point.json"
    point.write_text(content, encoding="utf-8")
    monkeypatch.setattr(cli, "_engine", lambda: pytest.fail("computed before the service point was checked"))
    if "logo" in params:
        params = {"logo": str(tmp_path / params["logo"])}  # a relative logo is read beside the file
    pdf = tmp_path / "fiche.pdf"
    code, _out, err = run(capsys, "simulate", str(case_file), "--pdf", str(pdf), "--service-point", str(point))
    assert code == 2 and not pdf.exists()
    assert err.strip() == t(key, path=str(point), **params)


def test_the_readmes_example_output_is_what_the_command_prints(engine: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """README.md shows `guichet simulate examples/01-parent-isolee-lyon.json`: the same text."""
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index("Example output (`examples/01-parent-isolee-lyon.json`"):]
    shown = after[after.index("```\n") + 4:after.index("\n```", after.index("```\n") + 4)]
    code, out, _ = run(capsys, "simulate", str(root / "examples" / "01-parent-isolee-lyon.json"))
    assert code == 0
    assert out.rstrip("\n") == shown
    assert "Chèque énergie" in shown and "Versée automatiquement" in shown


def test_stale_ceiling_is_said_beside_the_benefit(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parents[2] / "examples" / "03-retraitee-seule-toulouse.json"
    code, out, _err = run(capsys, "simulate", str(path))
    assert code == 0
    assert "législation connue jusqu'au 01/10/2026 (certains barèmes sont plus anciens" in out.splitlines()[0]
    assert (
        "  - CSS avec participation : plafond annuel de ressources pour une personne seule de la couverture "
        "maladie universelle (CMU) du 01/04/2024 : le montant peut différer."
    ) in out.splitlines()
    # The social-housing ceilings are read as a whole scale (one leaf per category and region):
    # three of them in the text, then how many more; every one in the JSON.
    hlm = [line for line in out.splitlines() if line.startswith("  - Logement social (HLM) : ")]
    assert len(hlm) == 4 and hlm[-1].startswith("  - Logement social (HLM) : et ")
    code, out, _err = run(capsys, "simulate", str(path), "--format", "json")
    listed = next(b for b in json.loads(out)["benefits"] if b["benefit_id"] == "logement_social")["stale_parameters"]
    assert len(listed) == 3 + int(hlm[-1].split(" et ")[1].split()[0])
    css = next(b for b in json.loads(out)["benefits"] if b["benefit_id"] == "css_participation")
    assert [p["since"] for p in css["stale_parameters"]] == ["2024-04-01"]
    assert css["stale_parameters"][0]["text"].endswith("du 01/04/2024 : le montant peut différer")


# --------------------------------------------------------------------------- several files


@pytest.fixture()
def two_cases(case_file: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The case above, and example 03 (a retired woman alone in Toulouse) at MONTH."""
    root = Path(__file__).resolve().parents[2]
    data = json.loads((root / "examples" / "03-retraitee-seule-toulouse.json").read_text(encoding="utf-8"))
    other = tmp_path / "retraitee.json"
    other.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return case_file, other


def test_several_files_give_one_named_block_each_with_each_files_own_amounts(
    engine: Any, two_cases: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from app.core.io.casefile import load_case

    first, second = two_cases
    code, out, _ = run(capsys, "simulate", str(first), str(second), "--month", MONTH)
    assert code == 0
    # oracle: each file alone through the same command
    alone = []
    for path in (first, second):
        code_alone, out_alone, _ = run(capsys, "simulate", str(path), "--month", MONTH)
        assert code_alone == 0
        alone.append(out_alone.rstrip("\n"))
    blocks = out.rstrip("\n").split("\n\n" + t("cli.case_file", path=str(second)) + "\n")
    assert blocks[0] == t("cli.case_file", path=str(first)) + "\n" + alone[0]
    assert blocks[1] == alone[1]
    assert alone[0] != alone[1]
    # and the amounts are the engine's for each household
    expected = engine.compute(load_case(second)[0], MONTH)
    assert f"{formats.euros(expected.total_monthly())}" in blocks[1]


def test_several_files_in_json_are_a_list_naming_each_file(
    engine: Any, two_cases: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from app.core.io.casefile import load_case

    first, second = two_cases
    code, out, _ = run(capsys, "simulate", str(first), str(second), "--month", MONTH, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [item["file"] for item in data] == [str(first), str(second)]
    for item, path in zip(data, (first, second)):
        expected = engine.compute(load_case(path)[0], MONTH)
        assert {b["benefit_id"]: b["amount"] for b in item["benefits"]} == {
            b.benefit_id: b.amount for b in expected.benefits}


def test_several_files_with_a_handout_are_refused_before_computing(
    two_cases: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "fiche.pdf"
    code, out, err = run(capsys, "simulate", *map(str, two_cases), "--pdf", str(pdf))
    assert code == 2 and out == "" and not pdf.exists()
    assert err.strip() == t("cli.pdf_one_case")


def test_a_bad_file_among_several_is_named(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ pas du json", encoding="utf-8")
    code, out, err = run(capsys, "simulate", str(case_file), str(bad))
    assert code == 2 and out == ""
    assert t("cli.case_file", path=str(bad)) in err and t("cli.invalid_case") in err
