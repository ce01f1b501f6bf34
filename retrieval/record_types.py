"""The registry of record types by name."""

from __future__ import annotations

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
