"""Ingestion of JSONL or CSV files, one record type per file (or a ``record_type`` column).

Every row is validated; bad rows are reported with file, line and reason (never the row's
values, which may hold personal data) and the good rows still land.  Rows of an erased
customer (on the suppression list) are skipped and only counted.  Writes are idempotent,
so a run that was interrupted can simply be started again.
"""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.errors import IngestError
from retrieval.record_types import RECORD_TYPES
from retrieval.results import UpsertReport
from retrieval.store import RetrievalStore
from retrieval.writes import RecordWriter

log = logging.getLogger(__name__)

ALIASES = {
    "tenants": "tenant", "customers": "customer", "invoices": "invoice", "payments": "payment",
    "remittances": "payment", "credit_memos": "credit_memo", "disputes": "dispute",
    "deductions": "dispute", "contract_clauses": "contract_clause", "contracts": "contract_clause",
    "clauses": "contract_clause", "collection_notes": "collection_note", "notes": "collection_note",
    "correspondence": "correspondence", "emails": "correspondence",
}  # fmt: skip
ORDER = list(RECORD_TYPES)  # tenants and customers first, so references resolve
SUFFIXES = (".jsonl", ".csv")
LIST_FIELDS = {"invoice_ids"}


@dataclass
class RowError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class IngestReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    written: UpsertReport = field(default_factory=UpsertReport)
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    suppressed: int = 0  # valid rows skipped: their customer was erased

    @property
    def ok(self) -> bool:
        return not self.errors


def type_for_file(path: Path) -> str | None:
    stem = path.name.split(".")[0].lower()
    return stem if stem in RECORD_TYPES else ALIASES.get(stem)


def list_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise IngestError(f"no such file or folder: {path}")
    files = [p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES]
    rank = {t: i for i, t in enumerate(ORDER)}
    return sorted(files, key=lambda p: (rank.get(type_for_file(p) or "", len(rank)), str(p)))


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row or None, error or None) for each data line of the file."""
    if path.suffix.lower() == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            for n, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                except json.JSONDecodeError as exc:
                    yield n, None, f"invalid JSON ({exc.msg})"
                    continue
                yield (n, row, None) if isinstance(row, dict) else (n, None, "not a JSON object")
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                n = reader.line_num
                if None in row:
                    yield n, None, "more cells than header columns"
                    continue
                try:
                    yield n, _csv_row(row), None
                except ValueError as exc:
                    yield n, None, str(exc)
    else:
        raise IngestError(f"unsupported file type: {path.name} (use .jsonl or .csv)")


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        value = (value or "").strip()
        if not value:
            continue
        if value[0] in "[{":
            try:
                out[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"column {key}: invalid JSON cell") from exc
        elif key in LIST_FIELDS:
            out[key] = [v.strip() for v in value.split(";") if v.strip()]
        else:
            out[key] = value
    return out


class Ingestor:
    """Reads files and writes their rows in batches through the one `RecordWriter`."""

    def __init__(self, store: RetrievalStore, tenant_id: str | None = None) -> None:
        self.store = store
        self.tenant_id = tenant_id  # when set, rows of any other tenant are rejected
        self._writer = RecordWriter(store)

    def run(
        self,
        path: Path,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Ingest a file or folder; progress(rows) is called after each written batch."""
        start = time.perf_counter()
        report = IngestReport()
        size = batch_size or self.store.config.ingest_batch_size
        for file in list_files(Path(path)):
            report.files.append(str(file))
            default_type = type_for_file(file)
            batch: list[tuple[int, dict[str, Any]]] = []
            for line, row, err in read_rows(file):
                report.rows += 1
                if row is None:
                    report.errors.append(RowError(str(file), line, err or "unreadable row"))
                    continue
                batch.append((line, row))
                if len(batch) >= size:
                    self._flush(file, default_type, batch, report)
                    if progress:
                        progress(report.rows)
            self._flush(file, default_type, batch, report)
            if progress:
                progress(report.rows)
        report.seconds = time.perf_counter() - start
        log.info(
            "ingested %d rows from %d files: %d bad, %d of erased customers skipped",
            report.rows, len(report.files), len(report.errors), report.suppressed,
        )  # fmt: skip
        return report

    def _flush(
        self, file: Path, default_type: str | None, batch: list[tuple[int, dict[str, Any]]],
        report: IngestReport,
    ) -> None:  # fmt: skip
        if not batch:
            return
        results = self._writer.write([row for _, row in batch], self.tenant_id, default_type)
        for (line, _), res in zip(batch, results, strict=True):
            if res.status in ("invalid", "not_found"):
                report.errors.append(RowError(str(file), line, res.reason or res.status))
            elif res.status == "suppressed":
                report.suppressed += 1
            elif res.status == "ok":
                report.written.inserted += res.action == "inserted"
                report.written.updated += res.action == "updated"
            elif res.status == "unchanged":
                report.written.unchanged += 1
            else:
                report.written.stale += 1
        batch.clear()


def ingest_path(
    store: RetrievalStore,
    path: Path,
    tenant_id: str | None = None,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    return Ingestor(store, tenant_id).run(Path(path), batch_size, progress)


def count_rows(path: Path) -> int:
    """Data lines in the files under path (for a progress total; cheap: no parsing)."""
    total = 0
    for file in list_files(Path(path)):
        with file.open("rb") as fh:
            lines = sum(1 for raw in fh if raw.strip())
        total += lines - (1 if file.suffix.lower() == ".csv" and lines else 0)
    return total
