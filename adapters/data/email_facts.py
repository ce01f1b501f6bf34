"""Random AR facts for one e-mail and their rendering as a retrieval-style context block."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from adapters.data import vocab


@dataclass
class Invoice:
    number: str
    po: str | None
    issued: str
    due: str
    amount: str
    days_overdue: int  # negative: days until due


@dataclass
class Facts:
    email_type: str
    customer_id: str
    customer: str
    terms: str
    currency: str
    dunning_level: int
    invoices: list[Invoice]
    payment: dict[str, str] | None = None
    dispute: dict[str, str] | None = None
    reminder_date: str | None = None
    credit: dict[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def _amount(rng: random.Random, cur: str, low: float = 80, high: float = 48000) -> str:
    return f"{vocab.money(rng, low, high):,.2f} {cur}"


def _invoice(rng: random.Random, cur: str, today: date, overdue: bool, terms_days: int) -> Invoice:
    days = rng.randint(3, 120) if overdue else -rng.randint(1, 14)
    due = today - timedelta(days=days)
    issued = due - timedelta(days=terms_days)
    po = vocab.po_no(rng) if rng.random() < 0.7 else None
    return Invoice(
        vocab.invoice_no(rng), po, issued.isoformat(), due.isoformat(), _amount(rng, cur), days
    )


def make_facts(email_type: str, rng: random.Random) -> Facts:
    cur = rng.choice(vocab.CURRENCIES)
    terms_days = rng.choice([14, 30, 30, 45, 60])
    today = vocab.some_date(rng, date(2026, 2, 1), 300)
    overdue = email_type not in ("reminder_pre_due",)
    n_inv = 1 if rng.random() < 0.6 else rng.randint(2, 3)
    if email_type in ("dispute_acknowledgement", "remittance_request", "payment_confirmation"):
        n_inv = 1
    level = {
        "reminder_overdue_1": 1,
        "reminder_overdue_2": 2,
        "final_notice": 3,
        "credit_hold_notice": rng.randint(2, 3),
    }.get(email_type, rng.randint(0, 1))
    facts = Facts(
        email_type=email_type,
        customer_id=f"C-{rng.randint(1, 9999):04d}",
        customer=vocab.company(rng),
        terms=f"NET{terms_days}",
        currency=cur,
        dunning_level=level,
        invoices=[_invoice(rng, cur, today, overdue, terms_days) for _ in range(n_inv)],
    )
    inv = facts.invoices[0]
    if email_type in ("reminder_overdue_2", "final_notice") or (
        email_type == "credit_hold_notice" and rng.random() < 0.5
    ):
        facts.reminder_date = (today - timedelta(days=rng.randint(7, 20))).isoformat()
    if email_type in ("payment_confirmation", "remittance_request"):
        when = (today - timedelta(days=rng.randint(0, 6))).isoformat()
        amt = inv.amount if rng.random() < 0.6 else _amount(rng, cur, 50, 9000)
        facts.payment = {
            "id": f"PAY-{rng.randint(1000, 99999)}",
            "amount": amt,
            "date": when,
            "reference": rng.choice(["", inv.number, f"ORDER {rng.randint(100, 9999)}"]),
        }
        if email_type == "payment_confirmation":
            inv.days_overdue = 0
    if email_type == "dispute_acknowledgement":
        facts.dispute = {
            "id": f"D-{rng.randint(100, 9999)}",
            "reason": rng.choice(
                [
                    "short shipment",
                    "pricing discrepancy",
                    "damaged goods",
                    "duplicate billing",
                    "goods not received",
                    "tax discrepancy",
                ]
            ),
            "amount": _amount(rng, cur, 30, 5000),
            "opened": (today - timedelta(days=rng.randint(0, 5))).isoformat(),
        }
    if email_type == "credit_hold_notice":
        limit = vocab.money(rng, 5000, 80000)
        facts.credit = {
            "limit": f"{limit:,.2f} {cur}",
            "exposure": f"{limit * rng.uniform(1.05, 1.6):,.2f} {cur}",
            "since": today.isoformat(),
        }
    if rng.random() < 0.35:
        facts.notes.append(rng.choice(NOTES))
    return facts


NOTES = [
    "Customer prefers communication by e-mail.",
    "AP department processes payments on Tuesdays and Thursdays.",
    "Dunning policy: final notices give 7 days before escalation.",
    "Customer asked for PO numbers on all correspondence.",
    "Statements are sent monthly.",
]


def _invoice_line(inv: Invoice, rng: random.Random, style: int) -> str:
    if inv.days_overdue > 0:
        status = f"{inv.days_overdue} days overdue"
    elif inv.days_overdue < 0:
        status = f"due in {-inv.days_overdue} days"
    else:
        status = "paid in full"
    po = f", PO {inv.po}" if inv.po else ""
    if style == 0:
        return (
            f"Invoice {inv.number}{po}, issued {inv.issued}, due {inv.due}, "
            f"open {inv.amount}, {status}"
        )
    return f"Invoice {inv.number}; due {inv.due}; amount open {inv.amount}; status {status}{po}"


def render_context(f: Facts, rng: random.Random) -> str:
    """The facts as a <context> block in the retrieval layer's line format."""
    v = lambda: f"@v{rng.randint(1, 6)}"  # noqa: E731
    style = 0 if rng.random() < 0.75 else 1
    lines = [
        f"[customer:{f.customer_id}{v()}] Customer: {f.customer}; terms {f.terms}; "
        f"currency {f.currency}; dunning level {f.dunning_level}"
    ]
    lines += [f"[invoice:{i.number}{v()}] {_invoice_line(i, rng, style)}" for i in f.invoices]
    if f.reminder_date:
        lines.append(
            f"[reminder:R-{rng.randint(10, 999)}{v()}] Previous reminder sent "
            f"{f.reminder_date} for {', '.join(i.number for i in f.invoices)}"
        )
    if f.payment:
        ref = f", reference {f.payment['reference']}" if f.payment["reference"] else ""
        lines.append(
            f"[payment:{f.payment['id']}{v()}] Payment {f.payment['id']} of "
            f"{f.payment['amount']} received {f.payment['date']}{ref}"
        )
    if f.dispute:
        d = f.dispute
        lines.append(
            f"[dispute:{d['id']}{v()}] Dispute {d['id']} on {f.invoices[0].number}: "
            f"{d['reason']}, {d['amount']}, opened {d['opened']}, status under review"
        )
    if f.credit:
        c = f.credit
        lines.append(
            f"[credit:{f.customer_id}{v()}] Credit limit {c['limit']}; exposure "
            f"{c['exposure']}; credit hold from {c['since']}"
        )
    for i, note in enumerate(f.notes):
        lines.append(f"[note:N-{i + 1}{v()}] {note}")
    body = lines[:1] + rng.sample(lines[1:], len(lines) - 1) if rng.random() < 0.3 else lines
    return "<context>\n" + "\n".join(body) + "\n</context>"
