"""Phrasing shared by the English e-mail writers: invoice lists, one-line and bulleted invoice
statements in several styles, and the disputed-invoice sentence of a dunning e-mail.

Every fact is written as a merge field (`MergeFields.ref`), never as a value: the target
e-mails teach the adapter the prose, the server fills the facts."""

from __future__ import annotations

import random
from typing import Any

from adapters.merge_fields import MergeFields


def id_list(invs: list[Any], fx: MergeFields, and_word: str = "and") -> str:
    n = [fx.ref(i.invoice_id, "id") for i in invs]
    return n[0] if len(n) == 1 else ", ".join(n[:-1]) + f" {and_word} " + n[-1]


def po_ref(
    inv: Any, fx: MergeFields, rng: random.Random, always: bool = False, label: str = "PO"
) -> str:
    if inv.po_number and (always or rng.random() < 0.35):
        return f" ({label} {fx.ref(inv.invoice_id, 'po')})"
    return ""


def hold_balance(f: Any, rng: random.Random) -> str | None:
    """What a credit-hold notice states of the account: `over_limit` (the open balance and the
    limit), `overdue` (the overdue balance), or None (several currencies: no one figure)."""
    bal = f.open_balance.get(f.currency)
    single = len(f.open_balance) == 1 and len(f.overdue_balance) <= 1
    if single and bal is not None and bal > f.credit_limit and rng.random() < 0.7:
        return "over_limit"
    if single and f.overdue_balance.get(f.currency) is not None:
        return "overdue"
    return None


def one_line(
    inv: Any, fx: MergeFields, rng: random.Random, overdue: bool, with_po: bool = False
) -> str:
    r = inv.invoice_id
    amt, due, num = fx.ref(r, "open"), fx.ref(r, "due"), fx.ref(r, "id")
    po = po_ref(inv, fx, rng, with_po)
    if not overdue:
        return rng.choice(
            [
                f"invoice {num}{po} for {amt} is due on {due}.",
                f"invoice {num}{po} over {amt} falls due on {due}.",
                f"payment of {amt} for invoice {num}{po} is due on {due}.",
            ]
        )
    late = f", {fx.ref(r, 'days_overdue')} days ago" if rng.random() < 0.5 else ""
    return rng.choice(
        [
            f"invoice {num}{po} for {amt} was due on {due}{late} and is still outstanding.",
            f"invoice {num}{po} with an open amount of {amt} is overdue since {due}.",
            f"the open amount of {amt} on invoice {num}{po} (due {due}) remains unpaid.",
        ]
    )


def bullets(
    invs: list[Any], fx: MergeFields, rng: random.Random, overdue: bool, with_po: bool = False
) -> str:
    style = rng.randrange(3)
    rows = []
    for i in invs:
        r = i.invoice_id
        num, amt, due = fx.ref(r, "id"), fx.ref(r, "open"), fx.ref(r, "due")
        if style == 0:
            rows.append(f"- Invoice {num}{po_ref(i, fx, rng, with_po)}: {amt}, due {due}")
        elif style == 1:
            days = (
                f", {fx.ref(r, 'days_overdue')} days overdue" if overdue and i.days_overdue else ""
            )
            rows.append(f"- {num}{po_ref(i, fx, rng, with_po)} (due {due}): {amt} open{days}")
        else:
            po = f" / PO {fx.ref(r, 'po')}" if i.po_number else ""
            rows.append(f"- Invoice {num}{po}, due {due}, open {amt}")
    return "\n".join(rows)


def invoices_text(
    invs: list[Any],
    fx: MergeFields,
    rng: random.Random,
    overdue: bool,
    lead: str,
    with_po: bool = False,
) -> str:
    if len(invs) == 1:
        return lead + one_line(invs[0], fx, rng, overdue, with_po)
    head = (
        "the following invoices are overdue:"
        if overdue
        else "the following invoices fall due soon:"
    )
    return lead + head + "\n" + bullets(invs, fx, rng, overdue, with_po)


def last_reminder(invs: list[Any]) -> Any:
    """The invoice of the latest reminder among these, or None."""
    reminded = [i for i in invs if i.last_reminder_date]
    return max(reminded, key=lambda i: i.last_reminder_date) if reminded else None


def disputes_of(f: Any, inv: Any) -> list[Any]:
    """The open disputes of the block on this invoice."""
    return [d for d in f.open_disputes if inv.invoice_id in d.invoice_ids]


def is_disputed(f: Any, inv: Any) -> bool:
    return inv.status == "disputed" or bool(disputes_of(f, inv))


def disputed_text(f: Any, inv: Any, fx: MergeFields, rng: random.Random) -> str:
    """A disputed invoice in a dunning e-mail: named as under review, its amount not asked."""
    num = fx.ref(inv.invoice_id, "id")
    ds = [d for d in disputes_of(f, inv) if d.dispute_id in fx.slots]
    ref = f" (dispute {fx.ref(ds[0].dispute_id, 'id')})" if ds else ""
    return rng.choice(
        [
            f"Invoice {num} is under review because of your dispute{ref}; we are not asking "
            "you to pay it until the review is complete.",
            f"We have left out invoice {num}, which is disputed{ref} and under review.",
            f"Invoice {num} is on hold while we review the dispute{ref}, so it is not part of "
            "this reminder.",
        ]
    )


def capitalize(s: str) -> str:
    return s[0].upper() + s[1:] if s else s


def dunned(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random) -> tuple[list, list]:
    """The invoices a dunning e-mail asks to pay, and the sentences on the disputed ones."""
    payable = [i for i in invs if not is_disputed(f, i)]
    notes = [disputed_text(f, i, fx, rng) for i in invs if is_disputed(f, i)]
    return payable, notes


def previous_reminder(invs: list[Any], fx: MergeFields, rng: random.Random, second: bool) -> str:
    last = last_reminder(invs)
    if last is not None and rng.random() < 0.8:
        when = fx.ref(last.invoice_id, "last_reminder")
        return (
            f"We sent you a reminder on {when}, but we have not yet received payment."
            if second
            else f"Despite our reminder of {when}, "
        )
    if second:
        return rng.choice(
            [
                "This is our second reminder, and we have not yet received your payment.",
                "We have already sent you a reminder, but the payment is still outstanding.",
            ]
        )
    return rng.choice(["Despite our earlier reminders, ", "Despite previous reminders, "])
