"""Which invoices and dispute a request is about, when the caller names none.

A reminder about fourteen invoices helps nobody: an e-mail names the few that matter for its
kind, and the context block lists those (plus the balance line) instead of every open item.
The rule is applied by the context assembler, for serving and training data alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from retrieval.documents import OPEN_DISPUTE_STATUSES, Dispute
from retrieval.records import OPEN_INVOICE_STATUSES, Invoice, Payment, Record

MAX_FOCUS = 3


class FocusRule(StrEnum):
    """What a request is about: invoices not yet due, overdue ones, a dispute, a payment."""

    UPCOMING = "upcoming"
    OVERDUE = "overdue"
    DISPUTE = "dispute"
    PAYMENT = "payment"


@dataclass(frozen=True)
class Focus:
    invoice_ids: tuple[str, ...]
    dispute_id: str | None


def _open(invoices: list[Invoice]) -> list[Invoice]:
    return [i for i in invoices if i.status in OPEN_INVOICE_STATUSES and i.open_amount > 0]


def _latest_open_dispute(records: list[Record]) -> Dispute | None:
    disputes = [r for r in records if isinstance(r, Dispute) and r.status in OPEN_DISPUTE_STATUSES]
    return max(disputes, key=lambda d: (d.opened_date, d.dispute_id), default=None)


def _disputed(records: list[Record]) -> set[str]:
    """Invoices under an open dispute: they are handled in the dispute, not dunned."""
    out = {i.invoice_id for i in records if isinstance(i, Invoice) and i.status == "disputed"}
    for r in records:
        if isinstance(r, Dispute) and r.status in OPEN_DISPUTE_STATUSES:
            out |= set(r.invoice_ids)
    return out


def _undisputed_first(invoices: list[Invoice], disputed: set[str]) -> list[Invoice]:
    """A dunning e-mail is about the invoices the customer can pay; a disputed one only when
    nothing else is open (the e-mail then says it is under review)."""
    clear = [i for i in invoices if i.invoice_id not in disputed]
    return clear or invoices


def _invoices_for(
    rule: FocusRule, records: list[Record], today: date, dispute_id: str | None
) -> list[str]:
    invoices = [r for r in records if isinstance(r, Invoice)]
    if rule is FocusRule.UPCOMING:
        upcoming = sorted(
            (i for i in _open(invoices) if i.due_date >= today),
            key=lambda i: (i.due_date, i.invoice_id),
        )
        upcoming = _undisputed_first(upcoming, _disputed(records))
        return [i.invoice_id for i in upcoming[:MAX_FOCUS]]
    if rule is FocusRule.DISPUTE:
        chosen = [r for r in records if isinstance(r, Dispute) and r.dispute_id == dispute_id]
        return list(chosen[0].invoice_ids[:MAX_FOCUS]) if chosen else []
    if rule is FocusRule.PAYMENT:
        payments = [r for r in records if isinstance(r, Payment)]
        latest = max(payments, key=lambda p: (p.received_date, p.payment_id), default=None)
        known = {i.invoice_id for i in invoices}
        return [i for i in latest.related_invoice_ids() if i in known][:MAX_FOCUS] if latest else []
    overdue = sorted(
        (i for i in _open(invoices) if i.due_date < today), key=lambda i: (i.due_date, i.invoice_id)
    )
    overdue = _undisputed_first(overdue, _disputed(records))
    return [i.invoice_id for i in overdue[:MAX_FOCUS]]


def choose_focus(
    rule: FocusRule | None,
    records: list[Record],
    today: date,
    invoice_ids: tuple[str, ...] = (),
    dispute_id: str | None = None,
) -> Focus:
    """The named invoices and dispute, completed by the rule where the caller named none."""
    if rule is FocusRule.DISPUTE and dispute_id is None:
        latest = _latest_open_dispute(records)
        dispute_id = latest.dispute_id if latest else None
    if not invoice_ids and rule is not None:
        invoice_ids = tuple(_invoices_for(rule, records, today, dispute_id))
    return Focus(invoice_ids, dispute_id)
