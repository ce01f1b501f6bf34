"""Writing rows of records with a result per row: the one place rows are checked and written.

`arserve data ingest` and `POST /v1/records` both come here. A row is validated as its record
type; it must belong to the writing tenant (when one is given) and to a customer that is
stored or in the same batch; a row of an erased customer (on the suppression list) is
skipped. The valid rows are upserted by version: a higher version replaces, the same one is
a no-op, a lower one is stale. Results name the row's record and, for a bad row, the field
and the reason, never the row's values (they may hold personal data).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from retrieval.erasure import ErasureReport, erase_customer
from retrieval.nodes import content_hash
from retrieval.record_types import RECORD_TYPES
from retrieval.records import Record
from retrieval.store import RetrievalStore
from retrieval.suppression import Suppressions
from retrieval.upsert_plan import key_of, winners

ROW_STATUSES = ("ok", "unchanged", "stale", "invalid", "not_found", "suppressed")
UNKNOWN_CUSTOMER = "customer_id unknown in this tenant"
CONFLICT = "same version already stored with different content (raise the version to update)"


@dataclass
class RowResult:
    index: int  # the row's position in the batch
    status: str  # one of ROW_STATUSES
    record: str | None = None  # citation id, e.g. invoice:INV-1@v2
    action: str | None = None  # inserted or updated (status ok)
    field: str | None = None  # the field at fault (invalid, not_found)
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def counts(results: Sequence[RowResult]) -> dict[str, int]:
    """Rows per status (every status present, zeros included)."""
    seen = Counter(r.status for r in results)
    return {s: seen.get(s, 0) for s in ROW_STATUSES}


class RowInvalid(ValueError):
    """A row that is not a valid record; field names the first field at fault."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field


def validate_row(row: dict[str, Any], default_type: str | None) -> Record:
    rtype = row.pop("record_type", None) or default_type
    if rtype not in RECORD_TYPES:
        raise RowInvalid(
            "unknown record_type" if rtype else "record type unknown (file name)", "record_type"
        )
    try:
        return RECORD_TYPES[rtype].model_validate(row)
    except ValidationError as exc:
        errors = exc.errors()
        reasons = [f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in errors]
        field = ".".join(map(str, errors[0]["loc"])) if errors and errors[0]["loc"] else None
        raise RowInvalid("; ".join(reasons[:5]), field) from None


class RecordWriter:
    """One per store. Writes are serialised: a version check and its write are one step."""

    def __init__(self, store: RetrievalStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._suppressions = Suppressions.for_config(store.config)

    def write(
        self, rows: Sequence[object], tenant_id: str | None, default_type: str | None = None
    ) -> list[RowResult]:
        """Check and upsert rows (dicts, or a RowInvalid for a row that could not be read);
        tenant_id set: every row is that tenant's (a row
        without one gets it). Returns one result per row, in order."""
        with self._lock:
            results: dict[int, RowResult] = {}
            checked: list[tuple[int, Record]] = []
            for i, row in enumerate(rows):
                try:
                    checked.append((i, self._validate(row, tenant_id, default_type)))
                except RowInvalid as exc:
                    results[i] = RowResult(i, "invalid", field=exc.field, reason=str(exc))
            for i, rec in self._owned(checked, results):
                results[i] = RowResult(i, "ok", rec.citation)
            self._upsert([(i, r) for i, r in checked if results[i].status == "ok"], results)
            return [results[i] for i in range(len(rows))]

    def erase(self, tenant_id: str, customer_id: str) -> ErasureReport:
        """Erase one customer under the write lock: a write that checked the suppression list
        just before cannot land after the deletion and bring the customer back."""
        with self._lock:
            return erase_customer(self.store, tenant_id, customer_id)

    def _validate(self, row: object, tenant_id: str | None, default_type: str | None) -> Record:
        if isinstance(row, RowInvalid):  # failed before it got here (a line that did not parse)
            raise row
        if not isinstance(row, dict):
            raise RowInvalid("not a JSON object")
        row = dict(row)
        if tenant_id is not None and row.setdefault("tenant_id", tenant_id) != tenant_id:
            raise RowInvalid("row belongs to another tenant than the one writing", "tenant_id")
        if default_type is None and not row.get("record_type"):
            raise RowInvalid("record_type is required", "record_type")
        return validate_row(row, default_type)

    def _owned(
        self, checked: list[tuple[int, Record]], results: dict[int, RowResult]
    ) -> list[tuple[int, Record]]:
        """The rows whose customer is stored or in the batch and not erased; the others get
        their result (another tenant's customer reads as unknown: the lookup is scoped)."""
        in_batch = {(r.tenant_id, r.record_id) for _, r in checked if r.record_type == "customer"}
        known: dict[tuple[str, str], str] = {}  # (tenant, customer) -> ok|suppressed|not_found
        kept = []
        for i, rec in checked:
            owner = rec.owner_customer_id
            if owner is None:
                kept.append((i, rec))
                continue
            key = (rec.tenant_id, owner)
            if key not in known:
                known[key] = self._owner_status(key, key in in_batch)
            if known[key] == "suppressed":
                results[i] = RowResult(
                    i, "suppressed", rec.citation, reason="this customer was erased"
                )
            elif known[key] == "not_found":
                results[i] = RowResult(
                    i, "not_found", rec.citation, field="customer_id", reason=UNKNOWN_CUSTOMER
                )
            else:
                kept.append((i, rec))
        return kept

    def _owner_status(self, key: tuple[str, str], in_batch: bool) -> str:
        if self._suppressions is not None and self._suppressions.is_suppressed(*key):
            return "suppressed"
        return "ok" if in_batch or self.store.customer_exists(*key) else "not_found"

    def _upsert(self, rows: list[tuple[int, Record]], results: dict[int, RowResult]) -> None:
        records = [r for _, r in rows]
        best = winners(records)
        top = [records[j] for j in best.values()]
        outcomes = self.store.upsert_records(top).outcomes if top else {}
        for j, (i, rec) in enumerate(rows):
            win = best[key_of(rec)]
            if j == win:
                results[i] = _outcome(i, rec, outcomes[key_of(rec)])
            elif rec.version < records[win].version:
                results[i] = RowResult(
                    i, "stale", rec.citation, reason="a higher version is in the batch"
                )
            elif content_hash(rec) == content_hash(records[win]):
                results[i] = RowResult(i, "unchanged", rec.citation)
            else:
                results[i] = RowResult(
                    i, "invalid", rec.citation, field="version",
                    reason="the batch has this version twice with different content",
                )  # fmt: skip


def _outcome(index: int, rec: Record, outcome: str) -> RowResult:
    if outcome in ("inserted", "updated"):
        return RowResult(index, "ok", rec.citation, action=outcome)
    if outcome == "stale":
        return RowResult(index, "stale", rec.citation, reason="a higher version is stored")
    if outcome == "conflict":
        return RowResult(index, "invalid", rec.citation, field="version", reason=CONFLICT)
    return RowResult(index, "unchanged", rec.citation)
