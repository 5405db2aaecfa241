"""Which reader opens an input of the screener: a folder of case files, JSON lines, an
XLSX workbook, a Parquet file (pyarrow, ``parquet.py``: server only) or a CSV file.

Above ``input.py`` (the readers of the template, JSON lines and case files) and
``parquet.py`` (which builds on them), so that neither imports the other's caller.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.core.base.i18n import t
from app.core.batch.input import (
    JSONL_SUFFIXES,
    PARQUET_SUFFIXES,
    TABULAR_SUFFIXES,
    InputError,
    Source,
    csv_source,
    file_digest,
    xlsx_source,
)


def open_source(path: Path) -> Source:
    """Identify, fingerprint and count an input; check a table's columns."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        digest = hashlib.sha256()
        for item in files:
            digest.update(item.name.encode("utf-8") + b"\0" + file_digest(item).encode("ascii") + b"\n")
        return Source(path, "folder", digest.hexdigest(), len(files))
    if not path.is_file():
        raise InputError(t("batch.input.missing", path=str(path)))
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            total = sum(1 for text in handle if text.strip())
        return Source(path, "jsonl", file_digest(path), total)
    if suffix in (".xlsx", ".xlsm"):
        return xlsx_source(path)
    if suffix in PARQUET_SUFFIXES:
        try:
            from app.core.batch.parquet import parquet_source  # pyarrow only for a Parquet file
        except ImportError:  # the desktop bundle leaves pyarrow out
            raise InputError(t("batch.input.no_parquet", path=path.name)) from None
        return parquet_source(path)
    if suffix in TABULAR_SUFFIXES:
        return csv_source(path)
    raise InputError(t("batch.input.unsupported", path=path.name))
