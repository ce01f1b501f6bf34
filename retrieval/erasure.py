"""Erasure of one customer of one tenant: every record and point, verified, with a report.

The erasure log keeps no personal data: the tenant id, a keyed reference of the customer id
(HMAC-SHA256 under the deployment's erasure key, ``ref_scheme``), counts per record type, and
the verification.  The subject is put on the suppression list *before* anything is deleted,
so a crash part-way can only leave it suppressed, never resurrectable; erasing again finishes.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field

from retrieval.config import RetrievalConfig
from retrieval.errors import InvalidRequestError, NotFoundError, RetrievalError
from retrieval.filters import check_id
from retrieval.store import RetrievalStore
from retrieval.suppression import REF_SCHEME, Suppressions, append_jsonl, now

log = logging.getLogger(__name__)
MAX_REASON_CHARS = 500


@dataclass
class ErasureReport:
    tenant_id: str
    customer_ref: str  # keyed one-way reference, not the customer id
    records: dict[str, int] = field(default_factory=dict)  # record type -> records removed
    points_deleted: int = 0
    remaining: int = 0
    verified: bool = False
    erased_at: str = ""
    ref_scheme: str = REF_SCHEME
    key_id: str = ""  # which erasure key made the ref (not the key)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def erase_customer(store: RetrievalStore, tenant_id: str, customer_id: str) -> ErasureReport:
    """Delete all points of (tenant, customer); raise NotFoundError if there are none."""
    check_id(tenant_id, "tenant id")
    check_id(customer_id, "customer id")
    payloads = store.scroll_payloads(tenant_id, customer_id)
    if not payloads and not store.customer_exists(tenant_id, customer_id):
        raise NotFoundError("customer not found")
    suppressions = Suppressions.for_config(store.config)
    if suppressions is None:
        log.warning("no erasure log configured: this erasure is neither logged nor remembered")
        ref, key_id = "", ""
    else:
        ref = suppressions.suppress(tenant_id, customer_id)  # before the deletion, fsynced
        key_id = suppressions.key().key_id
    records = Counter(str(p.get("record_type")) for p in payloads)
    points = store.count(tenant_id, customer_id)
    store.delete_scope(tenant_id, customer_id)  # by filter over the whole collection
    # verified by reading again: a count and a scan of every chunk
    remaining = store.count(tenant_id, customer_id)
    leftovers = remaining + len(store.scroll_payloads(tenant_id, customer_id, None, None, False))
    exists = store.customer_exists(tenant_id, customer_id)
    report = ErasureReport(
        tenant_id=tenant_id,
        customer_ref=ref,
        records=dict(sorted(records.items())),
        points_deleted=points - remaining,
        remaining=remaining,
        verified=leftovers == 0 and not exists,
        erased_at=now(),
        key_id=key_id,
    )
    if store.config.erasure_log_path is not None:
        append_jsonl(store.config.erasure_log_path, report.as_dict())
    log.info(
        "erasure tenant=%s ref=%s points=%d verified=%s", tenant_id, report.customer_ref,
        report.points_deleted, report.verified,
    )  # fmt: skip
    if not report.verified:
        raise RetrievalError(f"erasure not verified: {leftovers} points remain")
    return report


def unsuppress(
    config: RetrievalConfig, tenant_id: str, customer_id: str, reason: str, by: str
) -> dict[str, str]:
    """Allow an erased customer to be ingested again (a lawful re-creation), logged first.

    The erasure log gets who, when and why with the keyed ref only; the reason must not hold
    the customer id.  Raises RetrievalError when the subject is not suppressed.
    """
    check_id(tenant_id, "tenant id")
    check_id(customer_id, "customer id")
    reason, by = reason.strip(), by.strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise InvalidRequestError(f"a reason of 1 to {MAX_REASON_CHARS} characters is required")
    if customer_id.lower() in reason.lower():
        raise InvalidRequestError("the reason must not contain the customer id")
    if not by:
        raise InvalidRequestError("who unsuppresses must be given")
    suppressions = Suppressions.for_config(config)
    if suppressions is None or config.erasure_log_path is None:
        raise RetrievalError("no erasure log configured: nothing is suppressed")
    if not suppressions.is_suppressed(tenant_id, customer_id):
        raise RetrievalError("this customer is not suppressed")
    entry = {
        "event": "unsuppress", "tenant_id": tenant_id,
        "customer_ref": suppressions.ref(tenant_id, customer_id), "ref_scheme": REF_SCHEME,
        "key_id": suppressions.key().key_id, "by": by, "reason": reason, "at": now(),
    }  # fmt: skip
    append_jsonl(config.erasure_log_path, entry)  # audited before it takes effect
    suppressions.release(tenant_id, customer_id)
    log.warning("unsuppressed tenant=%s ref=%s", tenant_id, entry["customer_ref"])
    return entry
