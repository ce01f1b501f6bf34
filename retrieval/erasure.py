"""Erasure of one customer of one tenant: every record and point, verified, with a report.

The erasure log keeps no personal data: the tenant id, a one-way reference of the
customer id (sha256 of tenant and customer), counts per record type, and the verification.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from retrieval.errors import NotFoundError, RetrievalError
from retrieval.filters import check_id
from retrieval.store import RetrievalStore

log = logging.getLogger(__name__)


@dataclass
class ErasureReport:
    tenant_id: str
    customer_ref: str  # one-way reference, not the customer id
    records: dict[str, int] = field(default_factory=dict)  # record type -> records removed
    points_deleted: int = 0
    remaining: int = 0
    verified: bool = False
    erased_at: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def customer_ref(tenant_id: str, customer_id: str) -> str:
    return hashlib.sha256(f"{tenant_id}\x1f{customer_id}".encode()).hexdigest()[:16]


def erase_customer(
    store: RetrievalStore, tenant_id: str, customer_id: str, log_path: Path | None = None
) -> ErasureReport:
    """Delete all points of (tenant, customer); raise NotFoundError if there are none."""
    check_id(tenant_id, "tenant id")
    check_id(customer_id, "customer id")
    payloads = store.scroll_payloads(tenant_id, customer_id)
    if not payloads and not store.customer_exists(tenant_id, customer_id):
        raise NotFoundError("customer not found")
    records = Counter(str(p.get("record_type")) for p in payloads)
    points = store.count(tenant_id, customer_id)
    store.delete_scope(tenant_id, customer_id)  # by filter over the whole collection
    # verified by reading again: a count and a scan of every chunk
    remaining = store.count(tenant_id, customer_id)
    leftovers = remaining + len(store.scroll_payloads(tenant_id, customer_id, None, None, False))
    exists = store.customer_exists(tenant_id, customer_id)
    report = ErasureReport(
        tenant_id=tenant_id,
        customer_ref=customer_ref(tenant_id, customer_id),
        records=dict(sorted(records.items())),
        points_deleted=points - remaining,
        remaining=remaining,
        verified=leftovers == 0 and not exists,
        erased_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    _append_log(log_path or store.config.erasure_log_path, report)
    log.info(
        "erasure tenant=%s ref=%s points=%d verified=%s", tenant_id, report.customer_ref,
        report.points_deleted, report.verified,
    )  # fmt: skip
    if not report.verified:
        raise RetrievalError(f"erasure not verified: {leftovers} points remain")
    return report


def _append_log(path: Path | None, report: ErasureReport) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(report.as_dict(), sort_keys=True) + "\n")
