"""``guichet simulate --openfisca``: the month said, the variables asked for listed, a
refused situation exits 2 in French and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import cli

pytestmark = pytest.mark.slow

REFERENCE = Path(__file__).parents[1] / "core" / "reference"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def situation(tmp_path: Path, data: Any, name: str = "situation.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def lyon() -> dict[str, Any]:
    return json.loads((REFERENCE / "r02-parent-isolee-lyon.openfisca.json").read_text(encoding="utf-8"))


def test_refused_situation_exits_2_names_each_problem_and_writes_nothing(
    engine: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = lyon()
    data["familles"]["famille"]["enfnats"] = data["familles"]["famille"].pop("enfants")
    data["individus"]["sophie"]["salaire_de_base"] = {"month:2024-01:35": "-inf"}
    data["menages"]["menage"]["statut_occupation_logement"] = {"2026-11": "sdf"}
    path = situation(tmp_path, data)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, "simulate", "--openfisca", str(path))
    assert code == 2 and out == ""
    assert err.startswith("La situation OpenFisca ne peut pas être calculée :")
    assert "Famille « famille » : « enfnats » n'est ni un rôle" in err
    assert "Personne « sophie », variable « salaire_de_base »" in err and '"-inf" n\'est pas un nombre' in err
    assert '"sdf" n\'est pas une valeur possible de « statut_occupation_logement »' in err
    assert "Traceback" not in err
    # --format json and --pdf write nothing either.
    pdf = tmp_path / "fiche.pdf"
    assert run(capsys, "simulate", "--openfisca", str(path), "--format", "json")[:2] == (2, "")
    code, out, err = run(capsys, "simulate", "--openfisca", str(situation(tmp_path, lyon(), "ok.json")),
                         "--pdf", str(pdf))
    assert code == 2 and out == "" and "dossier Guichet" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before + ["ok.json"])


def test_not_json_and_duplicate_keys_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"individus": {\n  "a": oops}}', encoding="utf-8")
    code, _, err = run(capsys, "simulate", "--openfisca", str(broken))
    assert code == 2 and "ligne 2" in err
    twice = tmp_path / "twice.json"
    twice.write_text('{"individus": {"a": {}, "a": {}}}', encoding="utf-8")
    code, _, err = run(capsys, "simulate", "--openfisca", str(twice))
    assert code == 2 and "« a » apparaît deux fois" in err
    missing = tmp_path / "missing.json"
    code, _, err = run(capsys, "simulate", "--openfisca", str(missing))
    assert code == 2 and "ne peut pas être lu (FileNotFoundError)" in err


def test_the_month_computed_is_said_and_the_requested_variables_listed(
    engine: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = lyon()
    data["familles"]["famille"]["rsa_base_ressources"] = {"2026-11": None}
    data["familles"]["famille"]["ars"] = {"2026-11": None}
    path = situation(tmp_path, data)
    code, out, _ = run(capsys, "simulate", "--openfisca", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Estimation pour novembre 2026")
    assert lines[1] == (
        "Mois calculé : novembre 2026, le mois des variables que la situation demande de calculer "
        "(valeurs null ; --month AAAA-MM pour un autre mois)."
    )
    assert "Autres variables demandées par la situation" in out
    assert "  rsa_base_ressources — Famille « famille », 2026-11 : " in out
    assert "Non calculé par Guichet :" in out and "  ars — Famille « famille », 2026-11 : la variable se calcule par année" in out
    code, out, _ = run(capsys, "simulate", "--openfisca", str(path), "--format", "json", "--month", "2026-10")
    result = json.loads(out)
    assert code == 0 and result["month"] == "2026-10" and result["month_reason"] == "Mois calculé : octobre 2026 (--month)."
    requested = {item["variable"]: item for item in result["requested"]}
    # Asked for 2026-11 while 2026-10 is computed: rsa_base_ressources is listed apart.
    assert requested["rsa_base_ressources"]["computed"] is True and requested["rsa_base_ressources"]["period"] == "2026-11"
    assert requested["ars"]["computed"] is False and "année" in requested["ars"]["reason"]
