"""Parquet in and out for the screener (pyarrow), streamed both ways.

* Input: a Parquet file in the template (the same column names as the CSV/XLSX
  template, typed or text). ``parquet_source`` fingerprints and counts it (a pass
  over the file, one row group at a time) and checks its columns like a table's;
  ``parquet_records`` yields one ``Record`` per non-empty row, read one batch at a
  time (``ParquetFile.iter_batches``), so that a file of 1,000,000 households is
  never in memory at once. The records go through the same row parser as the CSV
  and XLSX rows (``input.parse_record``): same checks, same messages, same
  row numbers (the header counts as row 1, as in a spreadsheet).
* Output: ``ParquetRowWriter`` writes the screener's household rows (the columns
  of the XLSX/CSV output, typed) with a ``ParquetWriter``, one row group every
  ``ROW_GROUP`` rows.

Imported only when a Parquet file is read or written: pyarrow stays out of every
other path (and out of the desktop bundle's start-up).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from app.core.batch.input import PARQUET_SUFFIXES, InputError, Record, Source, file_digest, check_headers
from app.core.base.i18n import t

SUFFIXES = PARQUET_SUFFIXES
BATCH_ROWS = 10_000  # rows read at a time (a few MB of cells)
ROW_GROUP = 50_000  # rows written per row group


def _open(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise InputError(t("batch.input.unreadable_parquet", path=path.name, reason=type(error).__name__)) from None


def _filled(column: pa.Array) -> pa.Array:
    """Per row: is this cell filled (not null, not blank text, not NaN)?"""
    valid = pc.is_valid(column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        valid = pc.and_(valid, pc.not_equal(pc.utf8_trim_whitespace(column), ""))
    elif pa.types.is_floating(column.type):
        valid = pc.and_(valid, pc.invert(pc.is_nan(column)))
    return pc.fill_null(valid, False)


def _non_empty(batch: pa.RecordBatch) -> pa.Array:
    """Per row of a batch: does it have at least one filled cell (the CSV reader's rule)?"""
    if batch.num_columns == 0:
        return pa.array([False] * batch.num_rows)
    mask = _filled(batch.column(0))
    for i in range(1, batch.num_columns):
        mask = pc.or_(mask, _filled(batch.column(i)))
    return mask


class ParquetSource(Source):
    """A Parquet input: its records read one batch at a time (:func:`parquet_records`)."""

    def records(self) -> Iterator[Record]:
        return parquet_records(self)


def parquet_source(path: Path) -> Source:
    """Fingerprint (SHA-256 of the file), count the non-empty rows, check the columns."""
    file = _open(path)
    headers, unknown = check_headers(list(file.schema_arrow.names), path.name)
    total = 0
    try:
        for batch in file.iter_batches(batch_size=BATCH_ROWS):
            total += pc.sum(_non_empty(batch).cast(pa.int64())).as_py() or 0
    except (pa.ArrowException, OSError) as error:
        raise InputError(t("batch.input.unreadable_parquet", path=path.name, reason=type(error).__name__)) from None
    return ParquetSource(path, "parquet", file_digest(path), total, headers, unknown)


def _cell(value: Any) -> Any:
    """A Parquet value as the row parser takes spreadsheet cells."""
    if isinstance(value, decimal.Decimal):
        return str(value)  # read like a typed amount ("1234.56")
    if isinstance(value, list):
        return ";".join("" if v is None else str(_cell(v)) for v in value)  # a list column: the template's lists
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def parquet_records(source: Source) -> Iterator[Record]:
    """The non-empty rows, one batch in memory at a time; ``line`` counts the header as row 1."""
    file = _open(source.path)
    number = 1
    for batch in file.iter_batches(batch_size=BATCH_ROWS):
        keep = _non_empty(batch).to_pylist()
        columns = [column.to_pylist() for column in batch.columns]
        for i, row in enumerate(zip(*columns)):
            number += 1
            if keep[i]:
                yield Record(str(number), tuple(_cell(v) for v in row))


# --------------------------------------------------------------------------- the output


def output_schema(headers: Sequence[str], kinds: Sequence[str]) -> pa.Schema:
    """``kinds`` per column: "int", "float", "text"."""
    types = {"int": pa.int64(), "float": pa.float64(), "text": pa.string()}
    return pa.schema([pa.field(name, types[kind]) for name, kind in zip(headers, kinds)])


class ParquetRowWriter:
    """Rows appended in order (the cells of the XLSX/CSV output); a row group is written
    every ``ROW_GROUP`` rows, so memory does not grow with the file."""

    def __init__(self, path: Path, headers: Sequence[str], kinds: Sequence[str],
                 metadata: dict[str, str] | None = None) -> None:
        schema = output_schema(headers, kinds)
        if metadata:
            schema = schema.with_metadata(metadata)
        self._schema = schema
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._columns: list[list[Any]] = [[] for _ in headers]
        self._rows = 0

    def append(self, cells: Sequence[Any]) -> None:
        for column, value in zip(self._columns, cells):
            column.append(value)
        self._rows += 1
        if self._rows >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            arrays = [pa.array(column, type=field.type) for column, field in zip(self._columns, self._schema)]
            self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
            self._columns = [[] for _ in self._columns]
            self._rows = 0

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def abort(self) -> None:
        try:
            self._writer.close()
        except (pa.ArrowException, OSError):
            pass


def write_table(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A small table of text cells (the template, tests, the bench's inputs)."""
    writer = ParquetRowWriter(path, headers, ["text"] * len(headers))
    try:
        for row in rows:
            writer.append(["" if v is None else str(v) for v in row])
    except BaseException:
        writer.abort()
        raise
    writer.close()
