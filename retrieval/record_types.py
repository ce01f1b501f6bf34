"""The registry of record types by name."""

from __future__ import annotations

from typing import Any

from retrieval.documents import CollectionNote, ContractClause, Correspondence, Dispute
from retrieval.records import CreditMemo, Customer, Invoice, Payment, Record, Tenant

RECORD_TYPES: dict[str, type[Record]] = {
    cls.record_type: cls
    for cls in (
        Tenant,
        Customer,
        Invoice,
        Payment,
        CreditMemo,
        Dispute,
        ContractClause,
        CollectionNote,
        Correspondence,
    )
}
TEXT_RECORD_TYPES: tuple[str, ...] = tuple(k for k, v in RECORD_TYPES.items() if v.dense)


def record_to_payload(record: Record) -> dict[str, Any]:
    """JSON-safe dump (by field name; used to store and rebuild the record)."""
    return record.model_dump(mode="json", by_alias=True, exclude_none=True)
