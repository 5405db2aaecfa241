"""Parquet in and out of the screener (app/core/batch/parquet.py): the same records as the
CSV (same row parser, row numbers and errors), read and written in batches, and the same
columns and values as the CSV output. With the fake engine of test_batch.py (amounts
derived from each household's own rent, so a row out of place shows)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_batch import EXAMPLE, MONTH, TODAY, CancelAfter, FakeEngine, _example_records, read_errors

from app.core.batch import parquet as batch_parquet
from app.core.batch.screen import partial_dir_for, screen
from app.core.batch.input import TEMPLATE_COLUMNS
from app.core.batch.sources import open_source
from app.core.base.i18n import t


def example_parquet(path: Path, typed: bool = False, blank_rows: int = 0) -> Path:
    """exemple.csv as Parquet: text cells; ``typed``: real dates, integers and booleans
    where the CSV has text, as a Parquet written by pandas or Spark would hold them."""
    rows = [list(row) for _line, row in _example_records()]
    columns: list[list[Any]] = [[row[i] if row[i] != "" else None for row in rows] for i in range(len(TEMPLATE_COLUMNS))]
    arrays = []
    for name, values in zip(TEMPLATE_COLUMNS, columns):
        if typed and name == "demandeur_date_naissance":
            def as_date(text: Any) -> Any:
                try:
                    return dt.datetime.strptime(text, "%d/%m/%Y").date()
                except (TypeError, ValueError):
                    return None if text is None else text
            converted = [as_date(v) for v in values]
            if all(v is None or isinstance(v, dt.date) for v in converted):
                arrays.append(pa.array(converted, type=pa.date32()))
                continue
        if typed and name == "loyer" and all(v is None or v.lstrip("-").isdigit() for v in values):
            arrays.append(pa.array([None if v is None else int(v) for v in values], type=pa.int64()))
            continue
        if typed and name == "logement_conventionne" and all(v in (None, "oui", "non") for v in values):
            arrays.append(pa.array([None if v is None else v == "oui" for v in values], type=pa.bool_()))
            continue
        arrays.append(pa.array(values, type=pa.string()))
    table = pa.Table.from_arrays(arrays, names=list(TEMPLATE_COLUMNS))
    if blank_rows:
        blank = pa.Table.from_arrays([pa.nulls(blank_rows, type=a.type) for a in arrays], names=list(TEMPLATE_COLUMNS))
        table = pa.concat_tables([table.slice(0, 3), blank, table.slice(3)])
    pq.write_table(table, path, row_group_size=4)
    return path


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def parquet_as_csv_cells(path: Path) -> list[list[str]]:
    """The Parquet output's cells written as the CSV writer writes them."""
    from app.core.base.csv_safe import cell

    table = pq.read_table(path)
    rows = [list(table.column_names)]
    for row in zip(*(table.column(i).to_pylist() for i in range(table.num_columns))):
        rows.append([cell(v) for v in row])
    return rows


@pytest.mark.parametrize("typed", [False, True], ids=["text", "typed"])
def test_a_parquet_file_gives_the_same_results_and_errors_as_the_csv(tmp_path: Path, typed: bool) -> None:
    source = example_parquet(tmp_path / "foyers.parquet", typed=typed, blank_rows=2)
    assert open_source(source).total == 12  # the blank rows are skipped, as in a CSV
    from_parquet = tmp_path / "depuis-parquet.csv"
    from_csv = tmp_path / "depuis-csv.csv"
    screen(source, from_parquet, month=MONTH, engine=FakeEngine(), chunk_size=3, today=TODAY, write_report=False)
    screen(EXAMPLE, from_csv, month=MONTH, engine=FakeEngine(), chunk_size=3, today=TODAY, write_report=False)
    # Row numbers count the header as row 1 like a spreadsheet; the 2 blank rows after the
    # third household shift the following ones by 2.
    shifted = [[str(int(row[0]) + 2) if int(row[0]) > 4 else row[0]] + row[1:] for row in csv_rows(from_csv)[1:]]
    assert csv_rows(from_parquet)[1:] == shifted
    errors = read_errors(tmp_path / "depuis-csv-erreurs.csv")
    expected_errors = [errors[0]] + [[str(int(e[0]) + 2) if int(e[0]) > 4 else e[0]] + e[1:] for e in errors[1:]]
    assert read_errors(tmp_path / "depuis-parquet-erreurs.csv") == expected_errors
    assert len(errors) > 1 and all(e[2] for e in errors[1:])  # every rejected row names its column


def test_records_are_read_a_batch_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = example_parquet(tmp_path / "foyers.parquet", blank_rows=3)
    batches: list[int] = []
    real = pq.ParquetFile.iter_batches

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        for batch in real(self, *args, **kwargs):
            batches.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(batch_parquet, "BATCH_ROWS", 4)
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    records = list(open_source(source).records())
    assert max(batches) <= 4 and len(batches) >= 4  # 15 rows in batches of at most 4
    assert [r.line for r in records] == ["2", "3", "4"] + [str(n) for n in range(8, 17)]
    assert records[0].payload == tuple(v or None for v in _example_records()[0][1])  # null cells: None


def test_parquet_output_has_the_csv_outputs_columns_and_values(tmp_path: Path) -> None:
    parquet_out = tmp_path / "resultats.parquet"
    csv_out = tmp_path / "resultats.csv"
    outcome = screen(EXAMPLE, parquet_out, month=MONTH, engine=FakeEngine(), chunk_size=3, today=TODAY,
                     write_report=False)
    screen(EXAMPLE, csv_out, month=MONTH, engine=FakeEngine(), chunk_size=3, today=TODAY, write_report=False)
    assert outcome.complete and outcome.summary_path == tmp_path / "resultats-synthese.csv"
    assert parquet_as_csv_cells(parquet_out) == csv_rows(csv_out)
    schema = pq.read_schema(parquet_out)
    assert schema.field(t("batch.column.line")).type == pa.int64()
    assert schema.field(t("batch.column.monthly_unclaimed")).type == pa.float64()
    assert csv_rows(outcome.summary_path) == csv_rows(tmp_path / "resultats-synthese.csv")


def test_parquet_output_is_written_by_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_parquet, "ROW_GROUP", 3)
    output = tmp_path / "resultats.parquet"
    screen(EXAMPLE, output, month=MONTH, engine=FakeEngine(), today=TODAY, write_report=False)
    file = pq.ParquetFile(output)
    assert file.metadata.num_rows == 8 and file.metadata.num_row_groups == 3  # 3 + 3 + 2


def test_an_interrupted_parquet_run_resumes_like_the_others(tmp_path: Path) -> None:
    source = example_parquet(tmp_path / "foyers.parquet")
    output = tmp_path / "resultats.parquet"
    stop = CancelAfter(1)
    outcome = screen(source, output, month=MONTH, engine=FakeEngine(), chunk_size=3, today=TODAY,
                     progress=stop.progress, cancel=stop.event)
    assert not outcome.complete and not output.exists() and partial_dir_for(output).is_dir()
    engine = FakeEngine()
    outcome = screen(source, output, month=MONTH, engine=engine, today=TODAY, write_report=False)
    assert outcome.complete and outcome.resumed_chunks == 1 and engine.households < 8
    clean = tmp_path / "propre.parquet"
    screen(source, clean, month=MONTH, engine=FakeEngine(), chunk_size=3, today=TODAY, write_report=False)
    assert pq.read_table(output).equals(pq.read_table(clean))


def test_the_assembly_opens_only_the_chunk_files_it_is_merging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 1 household: 8 chunk files, but the merge has at most 2 open at once
    (the chunk being read and the next one it peeks at)."""
    from app.core.batch import screen as batch

    opened = {"now": 0, "most": 0}
    real = batch._chunk_items

    def counting(folder: Path, index: int) -> Any:
        opened["now"] += 1
        opened["most"] = max(opened["most"], opened["now"])
        try:
            yield from real(folder, index)
        finally:
            opened["now"] -= 1

    monkeypatch.setattr(batch, "_chunk_items", counting)
    outcome = screen(EXAMPLE, tmp_path / "r.csv", month=MONTH, engine=FakeEngine(), chunk_size=1, today=TODAY,
                     write_report=False)
    assert outcome.complete and outcome.chunks >= 8
    assert opened["most"] <= 2
    assert [row[0] for row in csv_rows(tmp_path / "r.csv")[1:]] == ["2", "3", "4", "5", "6", "7", "8", "9"]


def test_an_unreadable_parquet_file_is_refused_in_french(tmp_path: Path) -> None:
    from app.core.batch.chunks import ScreenError

    bad = tmp_path / "foyers.parquet"
    bad.write_bytes(b"not a parquet file at all")
    with pytest.raises(ScreenError, match="Parquet"):
        screen(bad, tmp_path / "r.xlsx", engine=FakeEngine(), today=TODAY)


def test_the_screeners_modules_import_neither_pyarrow_nor_dask() -> None:
    """Only batch_parquet.py and batch_dask.py import them (the desktop bundle leaves them out)."""
    import subprocess
    import sys

    from test_batch import ROOT

    code = ("import sys; import app.cli, app.core.batch.screen, app.core.batch.input, app.core.batch.report, "
            "app.core.batch.xlsx; print(sorted(m for m in ('pyarrow', 'dask', 'distributed') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    spec = (ROOT / "packaging" / "guichet.spec").read_text(encoding="utf-8")
    assert '"app.core.batch.dask", "app.core.batch.parquet"' in spec and '"pyarrow", "dask", "distributed"' in spec


def test_without_pyarrow_or_dask_the_screener_says_so_in_french(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the desktop bundle, where those modules are left out."""
    import sys

    from app.core.batch.chunks import ScreenError

    source = example_parquet(tmp_path / "foyers.parquet")
    monkeypatch.setitem(sys.modules, "app.core.batch.parquet", None)  # import raises ImportError
    monkeypatch.setitem(sys.modules, "app.core.batch.dask", None)
    with pytest.raises(ScreenError, match="ne lit pas les fichiers Parquet"):
        screen(source, tmp_path / "r.xlsx", engine=FakeEngine(), today=TODAY)
    with pytest.raises(ScreenError, match="n'écrit pas de fichier Parquet"):
        screen(EXAMPLE, tmp_path / "r.parquet", engine=FakeEngine(), today=TODAY)
    with pytest.raises(ScreenError, match="ne calcule pas sur un cluster Dask"):
        screen(EXAMPLE, tmp_path / "r.xlsx", scheduler="tcp://127.0.0.1:1", today=TODAY)
