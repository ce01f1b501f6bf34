"""Phrasing shared by the e-mail writers: amounts, invoice lists, one-line and bulleted
invoice statements in several styles."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any


def money(amount: Decimal, cur: str) -> str:
    return f"{amount:.2f} {cur}"


def id_list(invs: list[Any]) -> str:
    n = [i.invoice_id for i in invs]
    return n[0] if len(n) == 1 else ", ".join(n[:-1]) + " and " + n[-1]


def po_ref(inv: Any, rng: random.Random) -> str:
    return f" (PO {inv.po_number})" if inv.po_number and rng.random() < 0.35 else ""


def one_line(inv: Any, rng: random.Random, overdue: bool) -> str:
    amt = money(inv.open_amount, inv.currency)
    po = po_ref(inv, rng)
    if not overdue:
        return rng.choice(
            [
                f"invoice {inv.invoice_id}{po} for {amt} is due on {inv.due_date}.",
                f"invoice {inv.invoice_id}{po} over {amt} falls due on {inv.due_date}.",
                f"payment of {amt} for invoice {inv.invoice_id}{po} is due on {inv.due_date}.",
            ]
        )
    late = f", {inv.days_overdue} days ago" if rng.random() < 0.5 else ""
    return rng.choice(
        [
            f"invoice {inv.invoice_id}{po} for {amt} was due on {inv.due_date}{late} and is "
            "still outstanding.",
            f"invoice {inv.invoice_id}{po} with an open amount of {amt} is overdue since "
            f"{inv.due_date}.",
            f"the open amount of {amt} on invoice {inv.invoice_id}{po} (due {inv.due_date}) "
            "remains unpaid.",
        ]
    )


def bullets(invs: list[Any], rng: random.Random, overdue: bool) -> str:
    style = rng.randrange(3)
    rows = []
    for i in invs:
        amt = money(i.open_amount, i.currency)
        if style == 0:
            rows.append(f"- Invoice {i.invoice_id}: {amt}, due {i.due_date}")
        elif style == 1:
            days = f", {i.days_overdue} days overdue" if overdue and i.days_overdue else ""
            rows.append(f"- {i.invoice_id} (due {i.due_date}): {amt} open{days}")
        else:
            po = f" / PO {i.po_number}" if i.po_number else ""
            rows.append(f"- Invoice {i.invoice_id}{po}, due {i.due_date}, open {amt}")
    return "\n".join(rows)


def invoices_text(invs: list[Any], rng: random.Random, overdue: bool, lead: str) -> str:
    if len(invs) == 1:
        return lead + one_line(invs[0], rng, overdue)
    head = (
        "the following invoices are overdue:"
        if overdue
        else "the following invoices fall due soon:"
    )
    return lead + head + "\n" + bullets(invs, rng, overdue)


def last_reminder(invs: list[Any]) -> Any:
    dates = [i.last_reminder_date for i in invs if i.last_reminder_date]
    return max(dates) if dates else None


def reason(code: str) -> str:
    return code.replace("_", " ")


def capitalize(s: str) -> str:
    return s[0].upper() + s[1:] if s else s
