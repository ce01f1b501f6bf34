"""Rendering facts and passages as cited context lines."""

from __future__ import annotations

from decimal import Decimal

from retrieval.facts import CustomerFacts, DisputeFacts, InvoiceFacts, PaymentFacts
from retrieval.results import Hit

OPEN = "<context>"
CLOSE = "</context>"
MAX_PASSAGE_CHARS = 1200


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def balances(values: dict[str, Decimal]) -> str:
    return ", ".join(money(v, c) for c, v in sorted(values.items())) or "0.00"


def customer_line(f: CustomerFacts) -> str:
    contact = f" Contact: {f.contact_name}." if f.contact_name else ""
    collector = f" Collector: {f.collector}." if f.collector else ""
    return (
        f"{f.citation.tag} Customer {f.customer_name} ({f.customer_id}).{contact} Terms: "
        f"{f.payment_terms} ({f.terms_days} days). Credit limit: "
        f"{money(f.credit_limit, f.currency)}. Risk: {f.risk_class}. "
        f"Dunning level: {f.dunning_level}.{collector}"
    )


def balance_line(f: CustomerFacts) -> str:
    return (
        f"{f.citation.tag} As of {f.as_of}: {len(f.open_invoices)} open invoices, open balance "
        f"{balances(f.open_balance)}, overdue {balances(f.overdue_balance)}, oldest item "
        f"{f.max_days_overdue} days overdue, {len(f.open_disputes)} open disputes."
    )


def invoice_line(i: InvoiceFacts) -> str:
    po = f" (PO {i.po_number})" if i.po_number else ""
    rem = ""
    if i.last_reminder_date:
        lvl = f" level {i.last_reminder_level}" if i.last_reminder_level is not None else ""
        rem = f", last reminder {i.last_reminder_date}{lvl}"
    return (
        f"{i.citation.tag} Invoice {i.invoice_id}{po}: issued {i.issue_date}, due {i.due_date}, "
        f"gross {money(i.gross_amount, i.currency)}, open {money(i.open_amount, i.currency)}, "
        f"status {i.status}, {i.days_overdue} days overdue{rem}."
    )


def dispute_line(d: DisputeFacts) -> str:
    return (
        f"{d.citation.tag} Dispute {d.dispute_id} ({d.reason_code}, {d.status}) on "
        f"{', '.join(d.invoice_ids)}: {money(d.disputed_amount, d.currency)}, "
        f"opened {d.opened_date}."
    )


def payment_line(p: PaymentFacts) -> str:
    deds = "".join(
        f"; deduction {money(a, p.currency)} ({r}) on {inv}" for inv, a, r in p.deductions
    )
    invs = ", ".join(p.invoice_ids) or "unapplied"
    return (
        f"{p.citation.tag} Payment {p.payment_id} received {p.received_date}: "
        f"{money(p.amount, p.currency)} for {invs}{deds}."
    )


def passage_line(h: Hit) -> str:
    text = " ".join(h.text.split())
    if len(text) > MAX_PASSAGE_CHARS:
        text = text[:MAX_PASSAGE_CHARS].rsplit(" ", 1)[0] + " ..."
    return f"{h.citation.tag} {text}"


def fact_lines(f: CustomerFacts) -> list[tuple[str, list]]:
    """Fact lines in priority order, each with the citations it carries."""
    lines: list[tuple[str, list]] = [
        (customer_line(f), [f.citation]),
        (balance_line(f), [f.citation]),
    ]
    shown: set[str] = set()
    for inv in f.focus_invoices:
        lines.append((invoice_line(inv), [inv.citation]))
        shown.add(inv.invoice_id)
    if f.focus_dispute:
        lines.append((dispute_line(f.focus_dispute), [f.focus_dispute.citation]))
    others = f.open_invoices if f.list_other_invoices else []
    for inv in sorted(others, key=lambda i: (-i.days_overdue, i.invoice_id)):
        if inv.invoice_id not in shown:
            lines.append((invoice_line(inv), [inv.citation]))
    for d in f.open_disputes:
        if not f.focus_dispute or d.dispute_id != f.focus_dispute.dispute_id:
            lines.append((dispute_line(d), [d.citation]))
    for p in f.recent_payments:
        lines.append((payment_line(p), [p.citation]))
    return lines
