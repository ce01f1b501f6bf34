"""German reference e-mails, one writer per e-mail type, with the English writers' logic.

Same facts, same rules as `email_writers`: every fact a merge field (`MergeFields.ref`), an
invoice under an open dispute named as under review and never dunned, the final notice with
its consequence and deadline, the second reminder and the final notice referring to the
earlier reminder. Written in the Sie-form of a German AR clerk; subject prefix, greeting and
sign-off are the German house style (`adapters.house_style`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from adapters.data import email_phrasing as phrasing
from adapters.data.email_phrases_de import SIE, T
from adapters.data.email_phrasing import disputes_of, is_disputed, last_reminder
from adapters.house_style import style_for
from adapters.merge_fields import MergeFields

Lines = tuple[str, list[str]]
Writer = Callable[[Any, list[Any], MergeFields, random.Random, frozenset[str]], Lines]


def pick(rng: random.Random, key: str, **slots: str) -> str:
    return rng.choice(T[key]).format(**slots)


def id_list(invs: list[Any], fx: MergeFields) -> str:
    return phrasing.id_list(invs, fx, "und")


def po_ref(inv: Any, fx: MergeFields, rng: random.Random, always: bool = False) -> str:
    return phrasing.po_ref(inv, fx, rng, always, "Bestellnummer")


def one_line(inv: Any, fx: MergeFields, rng: random.Random, overdue: bool, po: bool) -> str:
    """One invoice as a main clause (the leads are sentences of their own)."""
    r = inv.invoice_id
    v = {"num": fx.ref(r, "id"), "amt": fx.ref(r, "open"), "due": fx.ref(r, "due")}
    v["po"] = po_ref(inv, fx, rng, po)
    if not overdue:
        return pick(rng, "due", **v)
    days = f"ist seit {fx.ref(r, 'days_overdue')} Tagen überfällig"
    return pick(rng, "late", late=days if rng.random() < 0.5 else "ist noch nicht beglichen", **v)


def bullets(invs: list[Any], fx: MergeFields, rng: random.Random, overdue: bool, po: bool) -> str:
    style = rng.randrange(3)
    rows = []
    for i in invs:
        r = i.invoice_id
        num, amt, due = fx.ref(r, "id"), fx.ref(r, "open"), fx.ref(r, "due")
        if style == 0:
            rows.append(f"- Rechnung {num}{po_ref(i, fx, rng, po)}: {amt}, fällig am {due}")
        elif style == 1:
            late = overdue and i.days_overdue
            days = f", seit {fx.ref(r, 'days_overdue')} Tagen überfällig" if late else ""
            rows.append(f"- {num}{po_ref(i, fx, rng, po)} (fällig am {due}): {amt}{days}")
        else:
            order = f" / Bestellnummer {fx.ref(r, 'po')}" if i.po_number else ""
            rows.append(f"- Rechnung {num}{order}, fällig am {due}, offen: {amt}")
    return "\n".join(rows)


def invoices_text(
    invs: list[Any], fx: MergeFields, rng: random.Random, overdue: bool, lead: str, po: bool
) -> str:
    if len(invs) == 1:
        return lead + one_line(invs[0], fx, rng, overdue, po)
    head = "sind überfällig:" if overdue else "werden in Kürze fällig:"
    return f"{lead}Folgende Rechnungen {head}\n" + bullets(invs, fx, rng, overdue, po)


def disputed_text(f: Any, inv: Any, fx: MergeFields, rng: random.Random) -> str:
    """A disputed invoice in a dunning e-mail: named as under review, its amount not asked."""
    ds = [d for d in disputes_of(f, inv) if d.dispute_id in fx.slots]
    ref = f" (Reklamation {fx.ref(ds[0].dispute_id, 'id')})" if ds else ""
    return pick(rng, "disputed", num=fx.ref(inv.invoice_id, "id"), ref=ref)


def _dunned(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random) -> tuple[list, list]:
    """The invoices a dunning e-mail asks to pay, and the sentences on the disputed ones."""
    payable = [i for i in invs if not is_disputed(f, i)]
    notes = [disputed_text(f, i, fx, rng) for i in invs if is_disputed(f, i)]
    return payable, notes


def _first(overdue: bool) -> Writer:
    """The pre-due reminder and the first overdue reminder: the same logic."""
    kind, close = ("overdue", 0.7) if overdue else ("pre_due", 0.6)

    def write(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
        payable, notes = _dunned(f, invs, fx, rng)
        subj = pick(
            rng, "reminder_overdue_1" if overdue else "reminder_pre_due", ids=id_list(invs, fx)
        )
        lead = pick(rng, f"{kind}_lead")
        lines = [invoices_text(payable, fx, rng, overdue, lead, "po" in asks)] if payable else []
        lines += [*notes, pick(rng, f"{kind}_ask")]
        if rng.random() < close:
            lines.append(pick(rng, f"{kind}_close"))
        return subj, lines

    return write


def _previous(invs: list[Any], fx: MergeFields, rng: random.Random, second: bool) -> str:
    """The earlier reminder: a sentence of its own (the final notice's is its lead)."""
    last = last_reminder(invs)
    if last is not None and rng.random() < 0.8:
        when = fx.ref(last.invoice_id, "last_reminder")
        return pick(rng, "second_dated" if second else "final_dated", when=when)
    return pick(rng, "second" if second else "final_lead")


def _overdue2(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = _dunned(f, invs, fx, rng)
    subj = pick(rng, "reminder_overdue_2", ids=id_list(invs, fx))
    lines = [_previous(invs, fx, rng, True)]
    if payable:
        lead = pick(rng, "second_lead")
        lines.append(invoices_text(payable, fx, rng, True, lead, "po" in asks))
    return subj, [*lines, *notes, pick(rng, "second_ask")]


def _final(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = _dunned(f, invs, fx, rng)
    subj = pick(rng, "final_notice", ids=id_list(invs, fx))
    lead = _previous(invs, fx, rng, False)
    lines = [invoices_text(payable, fx, rng, True, lead, "po" in asks)] if payable else [lead]
    consequence = pick(rng, "consequence", deadline=fx.ref(None, "deadline"))
    lines += [*notes, "Dies ist unsere letzte Mahnung. " + consequence]
    lines.append(
        "Falls die Zahlung zwischenzeitlich erfolgt ist, senden Sie uns bitte das Zahlungsavis."
    )
    return subj, lines


def _credit_hold(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    subj = pick(rng, "credit_hold_notice", cid=fx.ref(None, "customer.id"))
    first = pick(rng, "hold_first")
    stated = phrasing.hold_balance(f, rng)
    if stated == "over_limit":
        first += (
            f" Ihr offener Saldo von {fx.ref(None, 'balance.open')} übersteigt Ihr Kreditlimit "
            f"von {fx.ref(None, 'credit_limit')}."
        )
    elif stated == "overdue":
        first += f" Der überfällige Saldo Ihres Kontos beträgt {fx.ref(None, 'balance.overdue')}."
    lines = [first]
    payable, notes = _dunned(f, invs, fx, rng)
    if payable:
        lines.append(invoices_text(payable, fx, rng, True, "", "po" in asks))
    return subj, [*lines, *notes, pick(rng, "hold_close")]


def _dispute_ack(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    r = f.focus_dispute.dispute_id
    v = {"did": fx.ref(r, "id"), "amt": fx.ref(r, "amount"), "inv_ids": fx.ref(r, "invoices")}
    v |= {"why": fx.ref(r, "reason"), "opened": fx.ref(r, "opened")}
    lines = [pick(rng, "ack", **v), pick(rng, "reviewing")]
    if rng.random() < 0.6:
        lines.append(
            "Der unstrittige Teil der Rechnung bleibt gemäß den vereinbarten Zahlungsbedingungen "
            "fällig."
        )
    return pick(rng, "dispute_acknowledgement", **v), lines


def _remittance(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    r = f.recent_payments[0].payment_id
    v = {"amt": fx.ref(r, "amount"), "when": fx.ref(r, "received"), "pid": fx.ref(r, "id")}
    subj = pick(rng, "remittance_request", **v)
    return subj, [pick(rng, "paid_thanks", **v), pick(rng, "remittance_ask")]


def _confirmation(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    p = f.recent_payments[0]
    r = p.payment_id
    v = {"amt": fx.ref(r, "amount"), "when": fx.ref(r, "received"), "ids": id_list(invs, fx)}
    noun = "der Rechnung" if len(invs) == 1 else "den Rechnungen"
    lines = [pick(rng, "confirmed", **v), f"Wir haben sie {noun} {v['ids']} zugeordnet."]
    if p.deductions and ("short_payment" in asks or rng.random() < 0.8):
        lines.append(
            f"Bitte beachten Sie den Abzug von {fx.ref(r, 'deduction')} "
            f"({fx.ref(r, 'deduction_reason')}) bei der Rechnung {fx.ref(r, 'deduction_invoice')}, "
            "den wir gesondert prüfen."
        )
    return pick(rng, "payment_confirmation", **v), [*lines, pick(rng, "confirm_close")]


WRITERS: dict[str, Writer] = {
    "reminder_pre_due": _first(False),
    "reminder_overdue_1": _first(True),
    "reminder_overdue_2": _overdue2,
    "final_notice": _final,
    "credit_hold_notice": _credit_hold,
    "dispute_acknowledgement": _dispute_ack,
    "remittance_request": _remittance,
    "payment_confirmation": _confirmation,
}


def write_email_de(
    email_type: str, facts: Any, fx: MergeFields, rng: random.Random, asks: frozenset[str]
) -> str:
    """One German reference e-mail, facts as merge fields; raises `UnknownRecordError` when
    the block lacks a record the e-mail needs (a budget cut)."""
    style = style_for("de")
    subject, lines = WRITERS[email_type](facts, list(facts.focus_invoices), fx, rng, asks)
    body = "\n\n".join(x.strip() for x in lines if x.strip())
    if body.split(" ", 1)[0] not in SIE:
        body = body[:1].lower() + body[1:]
    greeting = style.greeting(fx.ref(None, "customer.name"))
    return f"{style.subject_line(subject)}\n\n{greeting}\n\n{body}\n\n{style.sign_off_text()}"
