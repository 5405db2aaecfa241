"""Proactive screening (app/core/batch*.py): template, bad rows, output, resume, and
the same results as the single-household engine.

Fast tests use a fake engine (``FakeEngine``: amounts derived from the household's
own rent, so a row landing in the wrong place shows); the ``slow`` ones use the
real OpenFisca-France engine and compare every screened household with
``Engine.compute`` on the same household.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import re
import subprocess
import zipfile
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.core.io import casefile
from app.core.base import formats
from app.core.batch.screen import MANIFEST, Progress, ProgressBar, partial_dir_for, screen
from app.core.batch.chunks import ScreenError
from app.core.batch.input import TEMPLATE_COLUMNS, InputError, Record, check_headers, parse_record
from app.core.batch.sources import open_source
from app.core.batch.xlsx import BOLD, EUROS, PLAIN, WorkbookWriter
from app.core.benefits.catalogue import load_catalogue as _load_catalogue
from app.core.model.household import Activity, CoupleStatus, HousingStatus, ResourceKind, Role, Schooling
from app.core.base.i18n import t
from app.core.base.paths import install_root
from app.core.model.validation import field_label, shown

ROOT = install_root()
EXAMPLE = ROOT / "examples" / "batch" / "exemple.csv"
TEMPLATE = ROOT / "examples" / "batch" / "modele.csv"
MONTH = "2026-11"
TODAY = dt.date(2026, 11, 29)
GOOD_LINES = ["2", "3", "4", "5", "6", "7", "8", "9"]  # rows of exemple.csv that are valid (header = row 1)


# --------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=1)
def load_catalogue() -> Any:
    return _load_catalogue()  # ~0.2 s a load: once for the module


class FakeEngine:
    """``compute_many`` like the engine's, without OpenFisca: housing aid = the rent,
    eligible when positive; RSA "to check" for job seekers; everything else not eligible."""

    def __init__(self) -> None:
        from app.core.benefits.results import BenefitResult, SimulationResult, Status

        self.catalogue = load_catalogue()
        self.calls = 0
        self.households = 0
        self._types = (BenefitResult, SimulationResult, Status)

    def compute_many(self, households: list[Any], month: str) -> list[Any]:
        BenefitResult, SimulationResult, Status = self._types
        self.calls += 1
        self.households += len(households)
        out = []
        for household in households:
            benefits = []
            for benefit in self.catalogue.entries():
                status, amount = Status.NOT_ELIGIBLE, 0.0
                if benefit.id == "aide_logement" and household.housing.rent > 0:
                    status, amount = Status.ELIGIBLE, float(household.housing.rent)
                if benefit.id == "rsa" and household.demandeur.activity == Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE:
                    status = Status.TO_CHECK
                benefits.append(BenefitResult(benefit.id, status, amount, benefit.amount_period,
                                              already_received=benefit.id in household.benefits_received))
            out.append(SimulationResult(month=month, benefits=tuple(benefits), assumptions=("savings_unknown",)))
        return out

    def compute(self, household: Any, month: str) -> Any:
        return self.compute_many([household], month)[0]


def sheet_rows(path: Path, name: str) -> list[tuple[Any, ...]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
    finally:
        workbook.close()


def households_by_line(path: Path) -> dict[str, dict[str, Any]]:
    rows = sheet_rows(path, t("batch.sheet.households"))
    header = rows[0]
    # openpyxl leaves out the empty cells at the end of a row
    return {str(row[0]): dict(zip(header, row + (None,) * (len(header) - len(row)))) for row in rows[1:]}


def read_errors(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write_template_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(TEMPLATE_COLUMNS)
        for row in rows:
            writer.writerow([row.get(c, "") for c in TEMPLATE_COLUMNS])
    return path


def parse_row(row: dict[str, Any]) -> Any:
    headers = tuple(row)
    return parse_record("csv", headers, Record("7", tuple(row.values())), TODAY)


def amount_header(benefit_id: str) -> str:
    benefit = load_catalogue().get(benefit_id)
    unit = t(f"batch.unit.{benefit.amount_period}")
    key = "batch.column.contribution" if benefit.value == "contribution" else "batch.column.amount"
    return t(key, benefit=benefit.short_label, unit=unit)


def flag_header(benefit_id: str) -> str:
    return t("batch.column.flag", benefit=load_catalogue().get(benefit_id).short_label)


# --------------------------------------------------------------------------- the template


def test_template_and_example_files_have_every_column_in_order() -> None:
    for path in (TEMPLATE, EXAMPLE):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=";"))
        assert tuple(header) == TEMPLATE_COLUMNS, path.name


def test_every_template_column_is_documented() -> None:
    text = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    missing = [c for c in TEMPLATE_COLUMNS if f"`{c}`" not in text and f"`{c.split('_', 1)[1]}`" not in text]
    assert not missing


def test_a_template_row_becomes_the_household_it_describes() -> None:
    parsed = parse_row({
        "reference": "A-1", "situation_couple": "Marié(e)", "commune_insee": "", "code_postal": "69003",
        "statut_logement": "Locataire (logement vide)", "loyer": "650", "charges": "80,5",
        "logement_conventionne": "oui", "epargne": "1 200,50", "aides_percues": "Allocations familiales; rsa",
        "demandeur_date_naissance": "15/04/1990", "demandeur_activite": "salarié(e)",
        "demandeur_salaire_net_mensuel": "1 000", "conjoint_date_naissance": "1991-02-03",
        "conjoint_activite": "demandeur_emploi_non_indemnise", "conjoint_ass_5_ans_travail": "oui",
        "conjoint_taux_incapacite": "50",
        "enfants_dates_naissance": "12/03/2017;01/09/2021", "enfants_scolarite": "primaire;maternelle",
        "enfants_taux_incapacite": "0;80", "mois": "11/2026",
    })
    assert parsed.problems == []
    household = parsed.household
    assert parsed.month == MONTH and household.reference == "A-1"
    assert household.couple == CoupleStatus.MARIE
    assert household.housing.status == HousingStatus.LOCATAIRE_VIDE
    assert household.housing.commune_insee == "69123"  # 69003 is Lyon's only commune
    assert (household.housing.rent, household.housing.charges, household.housing.conventionne) == (650, 80.5, True)
    assert household.savings == 1200.5
    assert household.benefits_received == ("allocations_familiales", "rsa")
    demandeur, conjoint, first, second = household.persons
    assert (demandeur.role, demandeur.birth_date, demandeur.activity) == (Role.DEMANDEUR, dt.date(1990, 4, 15),
                                                                          Activity.SALARIE)
    assert demandeur.resource(ResourceKind.SALAIRE_NET).stable == 1000
    assert (conjoint.role, conjoint.birth_date, conjoint.ass_work_history, conjoint.disability_rate) == (
        Role.CONJOINT, dt.date(1991, 2, 3), True, 50)
    assert [(c.birth_date, c.schooling, c.disability_rate) for c in (first, second)] == [
        (dt.date(2017, 3, 12), Schooling.PRIMAIRE, None), (dt.date(2021, 9, 1), Schooling.MATERNELLE, 80)]


def test_separation_and_due_date_columns() -> None:
    parsed = parse_row({
        "statut_logement": "heberge_gratuitement", "commune_insee": "44109", "date_separation": "15/09/2026",
        "demandeur_date_naissance": "02/06/1995", "demandeur_enceinte": "oui",
        "demandeur_date_prevue_accouchement": "02/03/2027", "mois": "11/2026",
    })
    assert parsed.problems == []
    assert parsed.household.separation_date == dt.date(2026, 9, 15)
    assert parsed.household.persons[0].pregnancy_due_date == dt.date(2027, 3, 2)
    wrong = parse_row({"statut_logement": "heberge_gratuitement", "commune_insee": "44109",
                       "date_separation": "31/02/2026", "demandeur_date_naissance": "02/06/1995"})
    assert [(column, "cette date n'existe pas" in message) for column, message in wrong.problems] == [("date_separation", True)]


def test_life_event_columns() -> None:
    """An adult's job change, a move and a couple formed (case format 3's ``events``)."""
    from app.core.model.household import Activity, EventKind, Housing, HousingStatus, LifeEvent

    parsed = parse_row({
        "statut_logement": "locataire_vide", "loyer": "510", "commune_insee": "35238", "mois": "11/2026",
        "situation_couple": "concubinage",
        "demandeur_date_naissance": "17/04/1988", "demandeur_activite": "demandeur_emploi_indemnise",
        "demandeur_chomage_mensuel": "930", "demandeur_changement_emploi": "fin d'emploi",
        "demandeur_mois_changement_emploi": "08/2026", "demandeur_salaire_net_avant": "1 450",
        "conjoint_date_naissance": "01/05/1990", "conjoint_activite": "salarie",
        "mois_demenagement": "03/2026", "statut_logement_avant": "hébergé(e) gratuitement",
        "mois_mise_en_couple": "03/2026",
    })
    assert parsed.problems == []
    assert parsed.household.events == (
        LifeEvent(EventKind.JOB_END, "2026-08", person="demandeur", salary_before=1450.0),
        LifeEvent(EventKind.MOVE, "2026-03", housing_before=Housing(HousingStatus.HEBERGE)),
        LifeEvent(EventKind.COUPLE_START, "2026-03"),
    )
    assert parsed.household.events[0].activity_before_or_default() == Activity.SALARIE
    wrong = parse_row({"statut_logement": "heberge_gratuitement", "commune_insee": "44109",
                       "demandeur_date_naissance": "02/06/1995", "demandeur_activite": "inactif",
                       "demandeur_changement_emploi": "fin", "demandeur_mois_changement_emploi": "2026/08"})
    assert [column for column, _message in wrong.problems] == [
        "demandeur_mois_changement_emploi"]  # an event without a readable month is not checked further


def test_excel_cells_are_read_as_agents_type_them() -> None:
    parsed = parse_row({
        "commune_insee": 1004.0,  # Excel turned "01004" into a number
        "statut_logement": "proprietaire", "mois": dt.datetime(2026, 11, 1),
        "demandeur_date_naissance": dt.datetime(1980, 5, 6), "demandeur_retraite_mensuelle": 850.0,
    })
    assert parsed.problems == []
    assert parsed.household.housing.commune_insee == "01004"
    assert parsed.household.persons[0].birth_date == dt.date(1980, 5, 6)
    assert parsed.month == MONTH


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"demandeur_date_naissance": ""}, "demandeur_date_naissance",
         t("problem.required", field="Personne 1, date de naissance")),
        ({"loyer": "-50"}, "loyer", t("problem.negative", field="Logement, loyer")),
        ({"loyer": "cinq cents"}, "loyer", t("problem.not_a_number", field="Logement, loyer", value="cinq cents")),
        ({"commune_insee": "99999"}, "commune_insee", t("problem.unknown_commune", field=field_label("housing.commune_insee"), value="99999")),
        ({"demandeur_enceinte": "peut-être"}, "demandeur_enceinte",
         t("problem.not_a_bool", field="Personne 1, grossesse", value="peut-être")),
        ({"demandeur_salaire_net_mensuel": "80000"}, "demandeur_salaire_net_mensuel",
         t("problem.implausible", field="Personne 1, ressource « salaire net », montant mensuel",
           value="80\u202f000,00\u00a0€")),
        ({"enfants_dates_naissance": "01/01/2015", "enfants_scolarite": "primaire;college"}, "enfants_scolarite",
         t("batch.row.list_length", column="enfants_scolarite", count=2, children=1)),
        ({"mois": "novembre"}, "mois", t("problem.not_a_month", field=t("field.month"), value="novembre")),
        ({"aides_percues": "prime de paques"}, "aides_percues", t("problem.unknown_benefit", value="prime de paques")),
        ({"situation_couple": "marie"}, "situation_couple",
         t("problem.couple_without_conjoint", couple=t("choice.couple.marie"))),
    ],
)
def test_a_bad_value_is_reported_with_its_column_and_the_case_reader_message(
    changes: dict[str, str], column: str, message: str
) -> None:
    row = {"commune_insee": "69123", "statut_logement": "locataire_vide", "loyer": "500",
           "demandeur_date_naissance": "01/01/1980", "demandeur_activite": "salarie",
           "demandeur_salaire_net_mensuel": "1200"}
    row.update(changes)
    parsed = parse_row(row)
    assert parsed.household is None
    assert (column, message) in parsed.problems


def test_a_table_without_the_template_columns_is_refused_before_computing() -> None:
    with pytest.raises(InputError) as error:
        check_headers(["nom", "prenom", "loyer"], "liste.csv")
    assert "demandeur_date_naissance" in str(error.value) and "statut_logement" in str(error.value)
    headers, unknown = check_headers(["Demandeur date naissance", "Statut logement", "Code postal", "Nom"], "x.csv")
    assert headers[:3] == ("demandeur_date_naissance", "statut_logement", "code_postal")
    assert unknown == ("nom",)


def test_screen_refuses_unreadable_inputs_and_outputs(tmp_path: Path) -> None:
    with pytest.raises(ScreenError):
        screen(tmp_path / "absent.csv", tmp_path / "out.xlsx", engine=FakeEngine())
    (tmp_path / "foyers.pdf").write_bytes(b"%PDF")
    with pytest.raises(ScreenError):
        screen(tmp_path / "foyers.pdf", tmp_path / "out.xlsx", engine=FakeEngine())
    with pytest.raises(ScreenError):
        screen(EXAMPLE, tmp_path / "out.ods", engine=FakeEngine())


# --------------------------------------------------------------------------- bad rows, output


def test_bad_rows_go_to_the_errors_file_and_never_stop_the_run(tmp_path: Path) -> None:
    output = tmp_path / "resultats.xlsx"
    outcome = screen(EXAMPLE, output, month=MONTH, engine=FakeEngine(), today=TODAY)
    assert outcome.complete and output.is_file()
    assert (outcome.total, outcome.computed, outcome.rejected) == (12, 8, 4)
    assert sorted(households_by_line(output)) == sorted(GOOD_LINES, key=str)
    errors = read_errors(outcome.errors_path)
    assert errors[0] == [t("batch.errors.line"), t("batch.errors.reference"), t("batch.errors.column"),
                         t("batch.errors.reason")]
    assert [e[:3] for e in errors[1:]] == [
        ["10", "A-0009", "demandeur_date_naissance"],
        ["11", "A-0010", "loyer"],
        ["12", "A-0011", "demandeur_date_naissance"],
        ["13", "A-0012", "statut_logement"],
        ["13", "A-0012", "enfants_dates_naissance"],
    ]
    assert errors[2][3] == t("problem.negative", field="Logement, loyer")
    assert errors[3][3] == t("problem.no_such_date", field="Personne 1, date de naissance", value="31/02/1980")


def test_output_flags_amounts_and_summary_add_up(tmp_path: Path) -> None:
    output = tmp_path / "resultats.xlsx"
    outcome = screen(EXAMPLE, output, month=MONTH, engine=FakeEngine(), today=TODAY, write_report=False)
    rows = households_by_line(output)
    # A-0001, row 2: rent 650 (fake housing aid), not received -> flagged "oui"
    assert rows["2"][t("batch.column.reference")] == "A-0001"
    assert rows["2"][amount_header("aide_logement")] == 650
    assert rows["2"][flag_header("aide_logement")] == t("batch.flag.likely")
    assert rows["2"][t("batch.column.monthly_unclaimed")] == 650
    # A-0002, row 3, says it receives housing aid: an amount, but no flag
    assert rows["3"][amount_header("aide_logement")] == 720
    assert rows["3"][flag_header("aide_logement")] is None
    # A-0004, row 5, job seeker: RSA "à vérifier"
    assert rows["5"][flag_header("rsa")] == t("batch.flag.check")
    # A-0005, hosted for free: nothing
    assert rows["6"][t("batch.column.likely_count")] == 0

    flagged = [r for r in rows.values() if r[flag_header("aide_logement")] == t("batch.flag.likely")]
    total = sum(r[t("batch.column.monthly_unclaimed")] for r in rows.values())
    assert outcome.monthly_unclaimed == pytest.approx(total)
    # tenants of rows 2, 4, 5, 9 (rows 3 and 8 receive housing aid already; 6 and 7 pay no rent)
    assert outcome.households_flagged == len(flagged) == 4
    assert total == 650 + 420 + 480 + 560
    summary = {row[0]: row for row in sheet_rows(output, t("batch.sheet.summary")) if row and row[0]}
    housing = summary[load_catalogue().get("aide_logement").label]
    assert housing[1:6] == (4, 0, pytest.approx(total), None, 2)
    assert summary[t("batch.summary.monthly_total")][1] == pytest.approx(total)
    assert summary[t("batch.summary.rejected")][1] == 4
    assert load_workbook(output, read_only=True).sheetnames == [t("batch.sheet.summary"), t("batch.sheet.households")]


def test_csv_output_is_french_excel_friendly(tmp_path: Path) -> None:
    output = tmp_path / "resultats.csv"
    outcome = screen(EXAMPLE, output, month=MONTH, engine=FakeEngine(), today=TODAY, write_report=False)
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    first = dict(zip(header, rows[1]))
    assert first[amount_header("aide_logement")] == "650,00"
    assert outcome.summary_path is not None and outcome.summary_path.is_file()


def test_case_inputs_give_the_same_results_as_the_table(tmp_path: Path) -> None:
    table = tmp_path / "table.xlsx"
    screen(EXAMPLE, table, month=MONTH, engine=FakeEngine(), today=TODAY, write_report=False)
    households = [parse_record("csv", TEMPLATE_COLUMNS, Record(line, row), TODAY)
                  for line, row in _example_records()]
    good = [p for p in households if p.household is not None]
    lines = tmp_path / "dossiers.jsonl"
    lines.write_text("".join(json.dumps(casefile.case_to_dict(p.household)) + "\n" for p in good), encoding="utf-8")
    folder = tmp_path / "dossiers"
    folder.mkdir()
    for i, p in enumerate(good):
        (folder / f"{i:02d}.json").write_text(casefile.dump_case(p.household, MONTH), encoding="utf-8")
    expected = [{k: v for k, v in r.items() if k != t("batch.column.line")} for r in households_by_line(table).values()]
    for source in (lines, folder):
        output = tmp_path / f"{source.stem}.xlsx"
        outcome = screen(source, output, month=MONTH, engine=FakeEngine(), today=TODAY, write_report=False)
        assert outcome.complete and outcome.rejected == 0
        got = [{k: v for k, v in r.items() if k != t("batch.column.line")} for r in households_by_line(output).values()]
        assert got == expected, source.name


def _example_records() -> list[tuple[str, tuple[str, ...]]]:
    with EXAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        return [(str(reader.line_num), tuple(row)) for row in reader]


def test_bad_lines_of_a_jsonl_file_are_rejected_too(tmp_path: Path) -> None:
    good = parse_row({"commune_insee": "69123", "statut_logement": "heberge_gratuitement",
                      "demandeur_date_naissance": "01/01/1980"}).household
    source = tmp_path / "dossiers.jsonl"
    source.write_text(json.dumps(casefile.case_to_dict(good)) + "\n{pas du json\n\n"
                      + json.dumps({"format": "autre"}) + "\n", encoding="utf-8")
    outcome = screen(source, tmp_path / "out.xlsx", month=MONTH, engine=FakeEngine(), today=TODAY,
                     write_report=False)
    assert (outcome.computed, outcome.rejected) == (1, 2)
    assert [e[0] for e in read_errors(outcome.errors_path)[1:]] == ["2", "4"]


# --------------------------------------------------------------------------- interruption and resume


class CancelAfter:
    """A cancel flag that is raised once ``chunks`` chunks are done (seen through progress)."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.event = threading.Event()
        self.seen = 0

    def progress(self, item: Progress) -> None:
        if item.phase == "computing":
            self.seen += 1
            if self.seen >= self.chunks:
                self.event.set()


def test_cancel_leaves_partial_output_marked_incomplete_and_resume_skips_finished_chunks(tmp_path: Path) -> None:
    output = tmp_path / "resultats.xlsx"
    engine = FakeEngine()
    stop = CancelAfter(1)
    outcome = screen(EXAMPLE, output, month=MONTH, engine=engine, chunk_size=5, today=TODAY,
                     progress=stop.progress, cancel=stop.event)
    assert not outcome.complete and outcome.reason == "cancelled"
    assert not output.exists() and not outcome.partial_dir.joinpath("x").exists()
    partial = partial_dir_for(output)
    assert sorted(p.name for p in partial.iterdir()) == sorted(["LISEZ-MOI.txt", MANIFEST, "chunk-000000.json"])
    assert "INCOMPLET" in (partial / "LISEZ-MOI.txt").read_text(encoding="utf-8")
    assert json.loads((partial / MANIFEST).read_text(encoding="utf-8"))["complete"] is False
    first_chunk = (partial / "chunk-000000.json").read_text(encoding="utf-8").splitlines()
    first_households = sum(1 for line in first_chunk[1:] if '"r":' in line)
    assert engine.households == first_households >= 1

    resumed_engine = FakeEngine()
    outcome = screen(EXAMPLE, output, month=MONTH, engine=resumed_engine, today=TODAY)
    assert outcome.complete and outcome.resumed_chunks == 1 and outcome.chunks > 1
    assert resumed_engine.households == 8 - first_households  # the first chunk was not recomputed
    assert t("batch.notice.resumed", done=1) in outcome.notices
    assert not partial.exists()

    clean = tmp_path / "propre.xlsx"
    screen(EXAMPLE, clean, month=MONTH, engine=FakeEngine(), chunk_size=5, today=TODAY, write_report=False)
    assert households_by_line(output) == households_by_line(clean)
    assert read_errors(outcome.errors_path) == read_errors(tmp_path / "propre-erreurs.csv")


def test_a_changed_input_or_restart_starts_over(tmp_path: Path) -> None:
    source = tmp_path / "foyers.csv"
    source.write_bytes(EXAMPLE.read_bytes())
    output = tmp_path / "out.xlsx"
    stop = CancelAfter(1)
    screen(source, output, month=MONTH, engine=FakeEngine(), chunk_size=5, today=TODAY, progress=stop.progress,
           cancel=stop.event)
    assert partial_dir_for(output).is_dir()
    source.write_bytes(EXAMPLE.read_bytes().replace(b"A-0001;;seul;69123;69003;locataire_vide;650",
                                                    b"A-0001;;seul;69123;69003;locataire_vide;651"))
    engine = FakeEngine()
    outcome = screen(source, output, month=MONTH, engine=engine, chunk_size=5, today=TODAY, write_report=False)
    assert outcome.complete and outcome.resumed_chunks == 0 and engine.households == 8
    assert t("batch.notice.restarted_changed") in outcome.notices
    assert households_by_line(output)["2"][amount_header("aide_logement")] == 651

    stop = CancelAfter(1)
    screen(source, output, month=MONTH, engine=FakeEngine(), chunk_size=5, today=TODAY, progress=stop.progress,
           cancel=stop.event)
    assert not output.exists()  # a new run removes the previous complete output first
    engine = FakeEngine()
    outcome = screen(source, output, month=MONTH, engine=engine, chunk_size=5, today=TODAY, restart=True,
                     write_report=False)
    assert outcome.complete and outcome.resumed_chunks == 0 and engine.households == 8


# --------------------------------------------------------------------------- pieces


def test_xlsx_writer_reads_back_with_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = WorkbookWriter(path)
    sheet = book.sheet("Données", [10, 12, 8], autofilter=True)
    sheet.append(["Référence", "Montant", "Oui ?"], BOLD)
    sheet.append(["A&B <1>", 1234.5, True], [PLAIN, EUROS, PLAIN])
    sheet.append([None, 0, "é\x01"], [PLAIN, EUROS, PLAIN])
    book.sheet("Synthèse", freeze_header=False).append(["fin"])
    book.close(order=[1, 0])
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Synthèse", "Données"]
    data = workbook["Données"]
    assert [[c.value for c in row] for row in data.iter_rows()] == [
        ["Référence", "Montant", "Oui ?"], ["A&B <1>", 1234.5, True], [None, 0, "é"]]
    assert data["A1"].font.b and "€" in data["B2"].number_format
    assert data.freeze_panes == "A2" and data.auto_filter.ref == "A1:C3"


def test_progress_bar_shows_the_share_the_count_and_the_time_left() -> None:
    bar = ProgressBar(stream=io.StringIO())
    text = bar.render(Progress("computing", 4500, 10000, 12, 0, 20.0, rate=310.0, eta=18.0))
    assert text.startswith("[" + "#" * 12 + "." * 16 + "]  45 %")
    assert t("batch.progress.count", done="4\u202f500", total="10\u202f000") in text
    assert t("batch.progress.eta", eta=t("duration.seconds", s=18)) in text
    assert t("batch.progress.eta_unknown") in bar.render(Progress("computing", 0, 10, 0, 0, 1.0))


def test_the_main_process_of_a_screening_does_not_load_openfisca() -> None:
    code = ("import sys; import app.core.batch.screen, app.core.batch.input, app.core.batch.report; "
            "print('openfisca_core' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- with the real engine


def _varied_households() -> list[Any]:
    """The valid rows of the example file, plus cases for the gates the example lacks."""
    households = [p.household for p in (parse_record("csv", TEMPLATE_COLUMNS, Record(line, row), TODAY)
                                         for line, row in _example_records()) if p.household is not None]
    extra = [
        {"commune_insee": "75056", "statut_logement": "locataire_vide", "loyer": "700", "epargne": "0",
         "demandeur_date_naissance": "01/03/1972", "demandeur_activite": "demandeur_emploi_non_indemnise",
         "demandeur_ass_5_ans_travail": "oui"},
        {"commune_insee": "13055", "statut_logement": "locataire_vide", "loyer": "500", "situation_couple": "pacse",
         "demandeur_date_naissance": "01/03/1955", "demandeur_activite": "retraite",
         "demandeur_retraite_mensuelle": "650", "conjoint_date_naissance": "01/03/1958",
         "conjoint_activite": "inactif", "conjoint_taux_incapacite": "80"},
        {"commune_insee": "69123", "statut_logement": "locataire_vide", "loyer": "600", "epargne": "0",
         "demandeur_date_naissance": "01/03/1988", "demandeur_activite": "salarie",
         "demandeur_salaire_net_mensuel": "900", "enfants_dates_naissance": "01/06/2016",
         "enfants_taux_incapacite": "80", "enfants_scolarite": "primaire"},
    ]
    households += [parse_row(row).household for row in extra]
    for path in sorted((ROOT / "tests" / "core" / "reference").glob("*.case.json")):
        households.append(casefile.load_case(path)[0])
    return households


@pytest.mark.slow
def test_same_results_as_the_single_household_engine(tmp_path: Path, engine: Any) -> None:
    households = _varied_households()
    source = tmp_path / "foyers.jsonl"
    source.write_text("".join(json.dumps(casefile.case_to_dict(h)) + "\n" for h in households), encoding="utf-8")
    output = tmp_path / "resultats.xlsx"
    outcome = screen(source, output, month=MONTH, engine=engine, chunk_size=4, today=TODAY)
    assert outcome.complete and outcome.rejected == 0 and outcome.computed == len(households)
    rows = households_by_line(output)
    checked = 0
    for line, household in enumerate(households, start=1):
        single = engine.compute(household, MONTH)
        row = rows[str(line)]
        for item in single.benefits:
            benefit = load_catalogue().get(item.benefit_id)
            if benefit.value != "boolean":
                assert row[amount_header(item.benefit_id)] == pytest.approx(item.amount, abs=0.005), (line, item)
            expected_flag = None
            if item.status.value == "error":
                expected_flag = t("batch.flag.error")
            elif item.not_claimed:
                expected_flag = t("batch.flag.likely") if item.status.value == "eligible" else t("batch.flag.check")
            assert row[flag_header(item.benefit_id)] == expected_flag, (line, item)
            checked += 1
        monthly = sum(b.amount for b in single.not_claimed() if b.status.value == "eligible" and b.monthly is not None
                      and load_catalogue().get(b.benefit_id).value == "amount")
        assert row[t("batch.column.monthly_unclaimed")] == pytest.approx(monthly, abs=0.005)
    assert checked == len(households) * len(load_catalogue().entries())
    # the screen found something to find: not a table of zeros
    assert outcome.households_flagged >= len(households) // 2
    assert outcome.report_path is not None and outcome.report_path.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_resume_after_cancel_gives_the_same_output_as_an_uninterrupted_run(tmp_path: Path, engine: Any) -> None:
    output = tmp_path / "resultats.xlsx"
    stop = CancelAfter(1)
    outcome = screen(EXAMPLE, output, month=MONTH, engine=engine, chunk_size=4, today=TODAY,
                     progress=stop.progress, cancel=stop.event)
    assert not outcome.complete and not output.exists()
    outcome = screen(EXAMPLE, output, month=MONTH, engine=engine, today=TODAY, write_report=False)
    assert outcome.complete and outcome.resumed_chunks == 1
    clean = tmp_path / "propre.xlsx"
    screen(EXAMPLE, clean, month=MONTH, engine=engine, chunk_size=4, today=TODAY, write_report=False)
    assert households_by_line(output) == households_by_line(clean)


@pytest.mark.slow
def test_worker_processes_give_the_same_output_as_this_process(tmp_path: Path, engine: Any) -> None:
    here = tmp_path / "ici.xlsx"
    screen(EXAMPLE, here, month=MONTH, engine=engine, chunk_size=4, today=TODAY, write_report=False)
    pooled = tmp_path / "pool.xlsx"
    outcome = screen(EXAMPLE, pooled, month=MONTH, workers=2, chunk_size=4, today=TODAY, write_report=False)
    assert outcome.complete and outcome.chunks > 1
    assert households_by_line(pooled) == households_by_line(here)


def test_chunks_hold_one_gate_profile_each_and_every_record_once() -> None:
    from app.core.batch.screen import _profile_function, plan_chunks

    profile = _profile_function()
    tasks = list(plan_chunks(open_source(EXAMPLE), 2, MONTH, MONTH, TODAY))
    assert [task.index for task in tasks] == list(range(len(tasks)))
    for task in tasks:
        assert len(task.items) <= 2
        assert len({profile(item.household, item.month) for item in task.items}) <= 1
    positions = [item.n for task in tasks for item in task.items] + [e[0] for task in tasks for e in task.errors]
    assert sorted(set(positions)) == list(range(12))
    assert len([item.n for task in tasks for item in task.items]) == 8
    again = list(plan_chunks(open_source(EXAMPLE), 2, MONTH, MONTH, TODAY))  # a resumed run cuts the same chunks
    assert [[item.n for item in task.items] for task in again] == [[item.n for item in task.items] for task in tasks]


def test_a_file_with_no_valid_row_still_gives_a_complete_output(tmp_path: Path) -> None:
    empty = write_template_csv(tmp_path / "vide.csv", [])
    outcome = screen(empty, tmp_path / "vide.xlsx", month=MONTH, workers=2, today=TODAY, write_report=False)
    assert outcome.complete and (outcome.total, outcome.computed) == (0, 0)
    bad = write_template_csv(tmp_path / "faux.csv", [{"statut_logement": "locataire_vide", "commune_insee": "69123"}])
    outcome = screen(bad, tmp_path / "faux.xlsx", month=MONTH, workers=2, today=TODAY)  # no worker is started
    assert outcome.complete and (outcome.total, outcome.computed, outcome.rejected) == (1, 0, 1)
    assert households_by_line(tmp_path / "faux.xlsx") == {}
    assert outcome.report_path is not None and outcome.report_path.is_file()


def test_an_xlsx_file_gives_the_same_results_as_the_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"  # the sheet named "Foyers" is read, wherever it is
    sheet = workbook.create_sheet("Foyers")
    sheet.append(list(TEMPLATE_COLUMNS))
    for _line, row in _example_records():
        cells: list[Any] = list(row)
        birth = TEMPLATE_COLUMNS.index("demandeur_date_naissance")
        if cells[birth]:  # a real Excel date where the CSV has text
            try:
                cells[birth] = dt.datetime.strptime(cells[birth], "%d/%m/%Y")
            except ValueError:
                pass
        rent = TEMPLATE_COLUMNS.index("loyer")
        if cells[rent].lstrip("-").isdigit():
            cells[rent] = int(cells[rent])
        sheet.append([c if c != "" else None for c in cells])
    source = tmp_path / "foyers.xlsx"
    workbook.save(source)
    from_xlsx = tmp_path / "depuis-xlsx.xlsx"
    from_csv = tmp_path / "depuis-csv.xlsx"
    screen(source, from_xlsx, month=MONTH, engine=FakeEngine(), today=TODAY, write_report=False)
    screen(EXAMPLE, from_csv, month=MONTH, engine=FakeEngine(), today=TODAY, write_report=False)
    assert households_by_line(from_xlsx) == households_by_line(from_csv)
    assert read_errors(tmp_path / "depuis-xlsx-erreurs.csv") == read_errors(tmp_path / "depuis-csv-erreurs.csv")


# --------------------------------------------------------------------------- hostile rows and outputs (issues 19, 21)

EXAMPLES = settings(max_examples=50, derandomize=True, deadline=None, database=None)
BASE_ROW = {"reference": "R-1", "commune_insee": "69123", "statut_logement": "locataire_vide", "loyer": "500",
            "demandeur_date_naissance": "01/01/1980", "demandeur_activite": "salarie",
            "demandeur_salaire_net_mensuel": "1200"}
SALARY = "Personne 1, ressource « salaire net », montant mensuel"
# docs/batch.md: the yes/no values accepted (without case, accents or spaces around)
DOCUMENTED_YES = {"oui", "o", "1", "x", "vrai", "yes", "y", "true"}
DOCUMENTED_NO = {"non", "n", "0", "faux", "no", "false"}
FORMULAS = ['=HYPERLINK("http://x.invalid";"clic")', "@SUM(1+1)*cmd|' /C calc'!A0", "+cmd|' /C calc'!A0",
            "-2+3", "\t=1+1", "\r=1+1", " =1+1", "\uff1d1+1"]


def _row(**changes: Any) -> Any:
    return parse_row({**BASE_ROW, **changes})


@EXAMPLES
@given(cents=st.integers(min_value=0, max_value=4_000_000), space=st.sampled_from([" ", "\u00a0", "\u202f"]))
def test_a_salary_typed_the_french_way_is_read_to_the_cent(cents: int, space: str) -> None:
    text = formats.number(cents / 100).replace("\u202f", space)
    parsed = _row(demandeur_salaire_net_mensuel=text)
    assert parsed.problems == []
    assert parsed.household.persons[0].resources[0].stable == pytest.approx(cents / 100, abs=1e-9)


@pytest.mark.parametrize("text", ["1.500", "2.000", "1,234.56", "12.500"])
def test_an_ambiguous_amount_in_a_row_is_refused_naming_the_column(text: str) -> None:
    parsed = _row(demandeur_salaire_net_mensuel=text)
    assert parsed.household is None
    assert parsed.problems == [("demandeur_salaire_net_mensuel", t("problem.ambiguous_amount", field=SALARY, value=text))]


@EXAMPLES
@given(value=st.one_of(
    st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e3", "1.500", "1 500,50", "-1", "0x1F"]),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**30, max_value=10**30),
    st.text(max_size=10)))
@example(value=float("nan"))
def test_an_amount_cell_is_finite_and_in_range_or_refused_naming_the_column(value: Any) -> None:
    parsed = _row(loyer=value)
    if parsed.household is None:
        assert [c for c, _m in parsed.problems] == ["loyer"], parsed.problems
        assert parsed.problems[0][1].startswith("Logement, loyer : ")
        return
    rent = parsed.household.housing.rent
    assert math.isfinite(rent) and 0 <= rent <= 10_000


def _expected_yes_no(value: Any) -> bool | None:
    """The documented reading of a yes/no cell (None: refused)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value) if value in (0, 1) else None
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").strip().lower()
    return True if text in DOCUMENTED_YES else False if text in DOCUMENTED_NO else None


@EXAMPLES
@given(value=st.one_of(
    st.sampled_from(sorted(DOCUMENTED_YES | DOCUMENTED_NO) + ["OUI", " Non ", "Vrai", "-1", "2", "-0", "1.0", "o.",
                                                               "(1)", "peut-être"]),
    st.text(max_size=4), st.integers(min_value=-3, max_value=3), st.floats(allow_nan=True), st.booleans()))
@example(value="-1")
@example(value=-1)
def test_a_yes_no_cell_accepts_only_the_documented_values(value: Any) -> None:
    parsed = _row(demandeur_enceinte=value)
    expected = _expected_yes_no(value)
    if expected is None:
        assert parsed.household is None
        assert parsed.problems == [("demandeur_enceinte", t("problem.not_a_bool", field="Personne 1, grossesse",
                                                             value=shown(str(value).strip())))]
    else:
        assert parsed.problems == []
        assert parsed.household.persons[0].pregnant is expected


class NanEngine(FakeEngine):
    """A computation gone wrong: the RSA amount is NaN. The outputs still hold no nan."""

    def compute_many(self, households: list[Any], month: str) -> list[Any]:
        from dataclasses import replace

        from app.core.benefits.results import Status

        out = []
        for result in super().compute_many(households, month):
            benefits = tuple(replace(b, status=Status.ELIGIBLE, amount=float("nan")) if b.benefit_id == "rsa" else b
                             for b in result.benefits)
            out.append(replace(result, benefits=benefits))
        return out


def _cells_of_csv(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle, delimiter=";") for cell in row]


def test_no_nan_and_no_formula_ever_reaches_the_outputs(tmp_path: Path) -> None:
    rows = [{**BASE_ROW, "reference": reference} for reference in FORMULAS]
    rows += [{**BASE_ROW, "reference": "=1+2", "loyer": "nan"}, {**BASE_ROW, "reference": "N-2", "epargne": "NaN"},
             {**BASE_ROW, "reference": "@N-3", "demandeur_salaire_net_mensuel": "inf"}]
    source = write_template_csv(tmp_path / "foyers.csv", rows)
    numeric = re.compile(r"-?\d+(,\d+)?")

    book = tmp_path / "resultats.xlsx"
    outcome = screen(source, book, month=MONTH, engine=NanEngine(), today=TODAY, write_report=False)
    assert (outcome.computed, outcome.rejected) == (len(FORMULAS), 3)
    workbook = load_workbook(book)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                assert not (isinstance(cell.value, float) and not math.isfinite(cell.value))
                assert str(cell.value).strip().lower() not in ("nan", "inf", "-inf")
    with zipfile.ZipFile(book) as archive:
        xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert "<f>" not in xml and ">nan<" not in xml and ">inf<" not in xml
    references = [r[t("batch.column.reference")] for r in households_by_line(book).values()]
    assert set(references) >= {FORMULAS[0], FORMULAS[1], FORMULAS[2], "-2+3"}  # text, as typed

    table = tmp_path / "resultats.csv"
    outcome = screen(source, table, month=MONTH, engine=NanEngine(), today=TODAY, write_report=False)
    assert outcome.summary_path is not None and outcome.errors_path is not None
    for path in (table, outcome.summary_path, outcome.errors_path):
        for cell in _cells_of_csv(path):
            assert cell.strip().lower() not in ("nan", "inf", "-inf"), path.name
            first = cell.lstrip(" ")[:1]
            assert not first or first not in "=+-@\t\r\n\uff1d" or numeric.fullmatch(cell), (path.name, cell)
    cells = _cells_of_csv(table)
    assert "'" + FORMULAS[0] in cells and "'-2+3" in cells  # neutralised, the text kept after the quote
    errors = _cells_of_csv(outcome.errors_path)
    assert "'=1+2" in errors and "'@N-3" in errors
    assert t("problem.not_a_number", field="Logement, loyer", value="nan") in errors


def test_a_table_with_a_runaway_cell_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    source = write_template_csv(tmp_path / "foyers.csv", [{**BASE_ROW, "reference": "R" * 200_000}])
    output = tmp_path / "resultats.xlsx"
    with pytest.raises(ScreenError) as raised:
        screen(source, output, month=MONTH, engine=FakeEngine(), today=TODAY)
    assert str(raised.value) == t("batch.input.cell_too_long", path="foyers.csv", line=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foyers.csv"]


@EXAMPLES
@given(column=st.sampled_from(TEMPLATE_COLUMNS), value=st.one_of(
    st.text(max_size=20), st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=True),
    st.booleans(), st.integers(min_value=1, max_value=100_000).map(lambda n: "9;" * n)))
@example(column="mois", value="x" * 100_000)
@example(column="enfants_dates_naissance", value="01/01/2015;" * 5000)
def test_any_cell_gives_a_household_or_messages_naming_a_template_column(column: str, value: Any) -> None:
    parsed = _row(**{column: value})
    assert parsed.household is not None or parsed.problems
    for where, text in parsed.problems:
        assert where in TEMPLATE_COLUMNS or where == "", (where, text)
        assert " : " in text and len(text) < 600, text
    if parsed.household is not None:
        for person in parsed.household.persons:
            for resource in person.resources:
                assert resource.stable is not None and math.isfinite(resource.stable) and resource.stable >= 0


# --------------------------------------------------------------------------- found by tests/fuzz (issue 18)


def test_a_table_cut_in_the_middle_of_a_character_is_read_as_windows_1252(tmp_path: Path) -> None:
    # Taken for UTF-8 (the decoder was never told the file had ended), it then failed
    # with a UnicodeDecodeError while its rows were read.
    path = tmp_path / "foyers.csv"
    path.write_bytes(b"demandeur_date_naissance;statut_logement;commune_insee\n01/01/1980;locataire_vide;69123\nZo\xc3")
    source = open_source(path)
    assert source.encoding == "cp1252"
    assert [r.payload for r in source.records()] == [("01/01/1980", "locataire_vide", "69123"), ("Zo\u00c3",)]


def test_a_table_neither_utf8_nor_windows_1252_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "foyers.csv"  # 0x81 and 0x8D have no character in Windows-1252
    path.write_bytes(b"demandeur_date_naissance;statut_logement;commune_insee\n01/01/1980;locataire_vide;69123 \x81\x8d")
    with pytest.raises(InputError) as raised:
        open_source(path)
    assert str(raised.value) == t("batch.input.bad_encoding", path="foyers.csv")


def test_a_workbook_whose_sheet_is_damaged_is_refused_naming_the_file(tmp_path: Path) -> None:
    # The sheet's XML is only parsed row by row: a bad character reference escaped as a
    # ParseError traceback instead of the message of an unreadable workbook.
    from openpyxl import Workbook

    good = tmp_path / "bon.xlsx"
    book = Workbook()
    book.active.append(["demandeur_date_naissance", "statut_logement", "commune_insee"])
    book.active.append(["01/01/1980", "locataire_vide", "69123"])
    book.save(good)
    damaged = tmp_path / "foyers.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"69123", b"69&#1;123")
            target.writestr(item, data)
    with pytest.raises(InputError) as raised:
        open_source(damaged)
    assert str(raised.value) == t("batch.input.unreadable", path="foyers.xlsx", reason="ParseError")
