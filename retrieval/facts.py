"""Structured facts of one customer from exact, filtered reads (no similarity search)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from retrieval.citations import Citation
from retrieval.documents import OPEN_DISPUTE_STATUSES, Dispute
from retrieval.records import (
    OPEN_INVOICE_STATUSES,
    Customer,
    Invoice,
    Payment,
    Record,
)

STRUCTURED_TYPES = ("customer", "invoice", "dispute", "payment", "credit_memo")
RECENT_PAYMENTS = 5


def _cite(rec: Record) -> Citation:
    upd = rec.updated_at.isoformat() if rec.updated_at else None
    return Citation(rec.record_type, rec.record_id, rec.version, upd)


@dataclass
class InvoiceFacts:
    invoice_id: str
    po_number: str | None
    issue_date: date
    due_date: date
    currency: str
    gross_amount: Decimal
    open_amount: Decimal
    status: str
    days_overdue: int
    last_reminder_date: date | None
    last_reminder_level: int | None
    citation: Citation


@dataclass
class DisputeFacts:
    dispute_id: str
    invoice_ids: list[str]
    reason_code: str
    status: str
    disputed_amount: Decimal
    currency: str
    opened_date: date
    citation: Citation


@dataclass
class PaymentFacts:
    payment_id: str
    received_date: date
    amount: Decimal
    currency: str
    invoice_ids: list[str]
    deductions: list[tuple[str, Decimal, str]]  # (invoice id, amount, reason code)
    citation: Citation


@dataclass
class CustomerFacts:
    """What the email endpoint checks drafts against (names, numbers, amounts, dates)."""

    tenant_id: str
    customer_id: str
    customer_name: str
    payment_terms: str
    terms_days: int
    credit_limit: Decimal
    currency: str
    risk_class: str
    dunning_level: int
    collector: str | None
    contact_name: str | None
    as_of: date
    citation: Citation
    open_invoices: list[InvoiceFacts] = field(default_factory=list)
    focus_invoices: list[InvoiceFacts] = field(default_factory=list)
    open_disputes: list[DisputeFacts] = field(default_factory=list)
    focus_dispute: DisputeFacts | None = None
    recent_payments: list[PaymentFacts] = field(default_factory=list)
    #: False: the block lists only the focus invoices (the balance line still counts all)
    list_other_invoices: bool = True
    open_balance: dict[str, Decimal] = field(default_factory=dict)
    overdue_balance: dict[str, Decimal] = field(default_factory=dict)
    max_days_overdue: int = 0

    def invoice(self, invoice_id: str) -> InvoiceFacts | None:
        for inv in self.focus_invoices + self.open_invoices:
            if inv.invoice_id == invoice_id:
                return inv
        return None


def invoice_facts(inv: Invoice, as_of: date) -> InvoiceFacts:
    overdue = (as_of - inv.due_date).days if inv.status in OPEN_INVOICE_STATUSES else 0
    return InvoiceFacts(
        inv.invoice_id, inv.po_number, inv.issue_date, inv.due_date, inv.currency,
        inv.gross_amount, inv.open_amount, inv.status, max(0, overdue),
        inv.last_reminder_date, inv.last_reminder_level, _cite(inv),
    )  # fmt: skip


def dispute_facts(d: Dispute) -> DisputeFacts:
    return DisputeFacts(
        d.dispute_id, list(d.invoice_ids), d.reason_code.value, d.status, d.disputed_amount,
        d.currency, d.opened_date, _cite(d),
    )  # fmt: skip


def payment_facts(p: Payment) -> PaymentFacts:
    deds = [(ln.invoice_id, d.amount, d.reason_code.value) for ln in p.lines for d in ln.deductions]
    return PaymentFacts(
        p.payment_id, p.received_date, p.amount, p.currency, p.related_invoice_ids(), deds, _cite(p)
    )


def build_facts(
    customer: Customer,
    records: list[Record],
    as_of: date,
    focus_invoice_ids: list[str] | None = None,
    focus_dispute_id: str | None = None,
) -> CustomerFacts:
    """Pure function over the customer's structured records (already tenant-scoped)."""
    contact = customer.contacts[0].name if customer.contacts else None
    facts = CustomerFacts(
        customer.tenant_id, customer.customer_id, customer.name, customer.payment_terms,
        customer.terms_days, customer.credit_limit, customer.currency, customer.risk_class,
        customer.dunning_level, customer.collector, contact, as_of, _cite(customer),
    )  # fmt: skip
    invoices = {r.invoice_id: r for r in records if isinstance(r, Invoice)}
    open_bal: dict[str, Decimal] = defaultdict(Decimal)
    overdue_bal: dict[str, Decimal] = defaultdict(Decimal)
    for inv in sorted(invoices.values(), key=lambda i: (i.due_date, i.invoice_id)):
        if inv.status not in OPEN_INVOICE_STATUSES or inv.open_amount <= 0:
            continue
        f = invoice_facts(inv, as_of)
        facts.open_invoices.append(f)
        open_bal[inv.currency] += inv.open_amount
        if f.days_overdue > 0:
            overdue_bal[inv.currency] += inv.open_amount
            facts.max_days_overdue = max(facts.max_days_overdue, f.days_overdue)
    facts.open_balance, facts.overdue_balance = dict(open_bal), dict(overdue_bal)
    facts.focus_invoices = [invoice_facts(invoices[i], as_of) for i in focus_invoice_ids or []]
    disputes = [r for r in records if isinstance(r, Dispute)]
    facts.open_disputes = [
        dispute_facts(d)
        for d in sorted(disputes, key=lambda d: (d.opened_date, d.dispute_id))
        if d.status in OPEN_DISPUTE_STATUSES
    ]
    for d in disputes:
        if d.dispute_id == focus_dispute_id:
            facts.focus_dispute = dispute_facts(d)
    payments = sorted(
        (r for r in records if isinstance(r, Payment)),
        key=lambda p: (p.received_date, p.payment_id),
        reverse=True,
    )
    facts.recent_payments = [payment_facts(p) for p in payments[:RECENT_PAYMENTS]]
    return facts
