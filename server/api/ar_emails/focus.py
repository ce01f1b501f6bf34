"""Which invoices an e-mail is about, when the caller names none.

A reminder about fourteen invoices helps nobody: the e-mail names the few that matter for its
type, and the context block lists those (plus the balance line) instead of every open item.
"""

from __future__ import annotations

from datetime import date

from retrieval.documents import OPEN_DISPUTE_STATUSES, Dispute
from retrieval.records import OPEN_INVOICE_STATUSES, Invoice, Payment, Record

MAX_FOCUS = 3
OVERDUE_TYPES = ("reminder_overdue_1", "reminder_overdue_2", "final_notice", "credit_hold_notice")
PAYMENT_TYPES = ("remittance_request", "payment_confirmation")


def _open(invoices: list[Invoice]) -> list[Invoice]:
    return [i for i in invoices if i.status in OPEN_INVOICE_STATUSES and i.open_amount > 0]


def focus_invoice_ids(
    email_type: str, records: list[Record], today: date, dispute_id: str | None = None
) -> list[str]:
    invoices = [r for r in records if isinstance(r, Invoice)]
    if email_type == "reminder_pre_due":
        upcoming = sorted(
            (i for i in _open(invoices) if i.due_date >= today), key=lambda i: i.due_date
        )
        return [i.invoice_id for i in upcoming[:MAX_FOCUS]]
    if email_type == "dispute_acknowledgement":
        disputes = [r for r in records if isinstance(r, Dispute)]
        chosen = [d for d in disputes if d.dispute_id == dispute_id] or sorted(
            (d for d in disputes if d.status in OPEN_DISPUTE_STATUSES),
            key=lambda d: d.opened_date,
            reverse=True,
        )
        return list(chosen[0].invoice_ids[:MAX_FOCUS]) if chosen else []
    if email_type in PAYMENT_TYPES:
        payments = sorted(
            (r for r in records if isinstance(r, Payment)),
            key=lambda p: p.received_date,
            reverse=True,
        )
        known = {i.invoice_id for i in invoices}
        if payments:
            return [i for i in payments[0].related_invoice_ids() if i in known][:MAX_FOCUS]
        return []
    overdue = sorted((i for i in _open(invoices) if i.due_date < today), key=lambda i: i.due_date)
    return [i.invoice_id for i in overdue[:MAX_FOCUS]]


def focus_dispute_id(records: list[Record], dispute_id: str | None) -> str | None:
    if dispute_id is not None:
        return dispute_id
    open_disputes = sorted(
        (r for r in records if isinstance(r, Dispute) and r.status in OPEN_DISPUTE_STATUSES),
        key=lambda d: d.opened_date,
        reverse=True,
    )
    return open_disputes[0].dispute_id if open_disputes else None
