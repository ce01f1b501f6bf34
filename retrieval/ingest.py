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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from retrieval.errors import IngestError
from retrieval.record_types import RECORD_TYPES
from retrieval.records import Record
from retrieval.results import UpsertReport
from retrieval.store import RetrievalStore
from retrieval.suppression import Suppressions

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


def validate_row(row: dict[str, Any], default_type: str | None) -> Record:
    rtype = row.pop("record_type", None) or default_type
    if rtype not in RECORD_TYPES:
        raise ValueError("unknown record_type" if rtype else "record type unknown (file name)")
    try:
        return RECORD_TYPES[rtype].model_validate(row)
    except ValidationError as exc:
        reasons = [f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors()]
        raise ValueError("; ".join(reasons[:5])) from None


class Ingestor:
    """Reads files and writes their valid rows to the store in batches."""

    def __init__(self, store: RetrievalStore, tenant_id: str | None = None) -> None:
        self.store = store
        self.tenant_id = tenant_id  # when set, rows of any other tenant are rejected
        self._customers: dict[str, set[str]] = {}
        self._suppressions = Suppressions.for_config(store.config)
        self._erased: dict[tuple[str, str], bool] = {}  # one list lookup per customer

    def run(self, path: Path, batch_size: int | None = None) -> IngestReport:
        start = time.perf_counter()
        report = IngestReport()
        size = batch_size or self.store.config.ingest_batch_size
        for file in list_files(Path(path)):
            report.files.append(str(file))
            default_type = type_for_file(file)
            batch: list[tuple[Record, int]] = []
            for line, row, err in read_rows(file):
                report.rows += 1
                rec = self._check(file, line, row, err, default_type, report)
                if rec is not None:
                    batch.append((rec, line))
                if len(batch) >= size:
                    self._flush(file, batch, report)
            self._flush(file, batch, report)
        report.seconds = time.perf_counter() - start
        log.info(
            "ingested %d rows from %d files: %d bad, %d of erased customers skipped",
            report.rows, len(report.files), len(report.errors), report.suppressed,
        )  # fmt: skip
        return report

    def _check(
        self, file: Path, line: int, row: dict | None, err: str | None, default_type: str | None,
        report: IngestReport,
    ) -> Record | None:  # fmt: skip
        if row is None:
            report.errors.append(RowError(str(file), line, err or "unreadable row"))
            return None
        try:
            rec = validate_row(row, default_type)
            if self.tenant_id is not None and rec.tenant_id != self.tenant_id:
                raise ValueError("row belongs to another tenant than the one ingesting")
            owner = rec.owner_customer_id
            if owner and self._is_erased(rec.tenant_id, owner):
                report.suppressed += 1
                return None
            if rec.record_type != "customer" and owner and owner not in self._known(rec.tenant_id):
                raise ValueError("customer_id unknown in this tenant")
        except ValueError as exc:
            report.errors.append(RowError(str(file), line, str(exc)))
            return None
        if rec.record_type == "customer":
            self._known(rec.tenant_id).add(rec.record_id)
        return rec

    def _is_erased(self, tenant_id: str, customer_id: str) -> bool:
        if self._suppressions is None:
            return False
        key = (tenant_id, customer_id)
        if key not in self._erased:
            self._erased[key] = self._suppressions.is_suppressed(tenant_id, customer_id)
        return self._erased[key]

    def _known(self, tenant_id: str) -> set[str]:
        if tenant_id not in self._customers:
            self._customers[tenant_id] = {
                p["record_id"] for p in self.store.scroll_payloads(tenant_id, None, ["customer"])
            }
        return self._customers[tenant_id]

    def _flush(self, file: Path, batch: list[tuple[Record, int]], report: IngestReport) -> None:
        if not batch:
            return
        result = self.store.upsert_records([r for r, _ in batch])
        lines = {r.citation: n for r, n in batch}
        for cid in result.conflicts:
            report.errors.append(
                RowError(str(file), lines.get(cid, 0), "same version already stored with "
                         "different content (raise the version to update)")
            )  # fmt: skip
        result.conflicts = []
        report.written.add(result)
        batch.clear()


def ingest_path(
    store: RetrievalStore, path: Path, tenant_id: str | None = None, batch_size: int | None = None
) -> IngestReport:
    return Ingestor(store, tenant_id).run(Path(path), batch_size)
