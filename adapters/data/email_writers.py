"""House-style reference e-mails written from a customer's facts, one writer per e-mail type.

Each writer states only facts of the block it is given (the focus invoices, the focus dispute,
the latest payment, the balance line), as merge fields, in varied phrasings; an invoice under
an open dispute is named as under review, never dunned. `write_email` adds the subject, the
greeting and the sign-off of the language's house style. `asks` are the AR team's
instructions the writer follows (`adapters.instructions`)."""

from __future__ import annotations

import random
from typing import Any

from adapters.data.email_phrasing import (
    capitalize,
    dunned,
    hold_balance,
    id_list,
    invoices_text,
    previous_reminder,
)
from adapters.house_style import style_for
from adapters.merge_fields import MergeFields

Lines = tuple[str, list[str]]


def _pre_due(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = dunned(f, invs, fx, rng)
    subj = rng.choice(
        [
            f"Upcoming payment: invoice {id_list(invs, fx)}",
            f"Friendly reminder: invoice {id_list(invs, fx)} due soon",
            f"Payment due soon: {id_list(invs, fx)}",
        ]
    )
    lead = rng.choice(
        [
            "This is a friendly reminder that ",
            "We would like to remind you that ",
            "A short note to let you know that ",
        ]
    )
    lines = [invoices_text(payable, fx, rng, False, lead, "po" in asks)] if payable else []
    lines += notes
    lines.append(
        rng.choice(
            [
                "Please arrange payment by the due date.",
                "We would be grateful if you could schedule the payment in time.",
                "Please make sure the payment is scheduled so that it reaches us on time.",
            ]
        )
    )
    if rng.random() < 0.6:
        lines.append(
            rng.choice(
                [
                    "If payment is already scheduled, thank you and please disregard this note.",
                    "If you have any questions about the invoice, just reply to this e-mail.",
                ]
            )
        )
    return subj, lines


def _overdue1(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = dunned(f, invs, fx, rng)
    subj = rng.choice(
        [
            f"Payment reminder: invoice {id_list(invs, fx)}",
            f"Overdue invoice {id_list(invs, fx)}",
            f"Reminder: open invoice {id_list(invs, fx)}",
        ]
    )
    lead = rng.choice(["Our records show that ", "According to our records, ", "We note that "])
    lines = [invoices_text(payable, fx, rng, True, lead, "po" in asks)] if payable else []
    lines += notes
    lines.append(
        rng.choice(
            [
                "Please arrange payment at your earliest convenience.",
                "We kindly ask you to settle the open amount as soon as possible.",
                "Could you please let us know when we can expect payment?",
                "Please pay the overdue amount or let us know if anything is holding it up.",
            ]
        )
    )
    if rng.random() < 0.7:
        lines.append("If you have already paid, please disregard this reminder.")
    return subj, lines


def _overdue2(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = dunned(f, invs, fx, rng)
    subj = rng.choice(
        [
            f"Second reminder: invoice {id_list(invs, fx)} overdue",
            f"Second payment reminder: {id_list(invs, fx)}",
        ]
    )
    lines = [previous_reminder(invs, fx, rng, True)]
    if payable:
        lead = rng.choice(["As of today, ", "To recap, "])
        lines.append(invoices_text(payable, fx, rng, True, lead, "po" in asks))
    lines += notes
    lines.append(
        rng.choice(
            [
                "Please settle the open amount promptly or contact us if there is an issue.",
                "Please arrange payment without further delay, or let us know if anything "
                "prevents payment.",
            ]
        )
    )
    return subj, lines


def _final(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = dunned(f, invs, fx, rng)
    subj = rng.choice(
        [
            f"Final notice: invoice {id_list(invs, fx)}",
            f"Final payment notice: {id_list(invs, fx)}",
        ]
    )
    lead = previous_reminder(invs, fx, rng, False)
    lines = [invoices_text(payable, fx, rng, True, lead, "po" in asks)] if payable else []
    lines += notes
    deadline = fx.ref(None, "deadline")
    lines.append(
        "This is our final notice. "
        + rng.choice(
            [
                f"If we do not receive payment by {deadline}, we will have to pass the matter "
                "to collections.",
                f"Unless payment is received by {deadline}, we will take further action, which "
                "may include placing your account on credit hold.",
                f"Without payment by {deadline} we will hand the account to a collection agency.",
            ]
        )
    )
    lines.append("If payment has been made in the meantime, please send us the remittance details.")
    return subj, lines


def _credit_hold(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    subj = rng.choice(
        [
            f"Credit hold on account {fx.ref(None, 'customer.id')}",
            "Your account has been placed on credit hold",
        ]
    )
    first = "We have placed your account on credit hold."
    stated = hold_balance(f, rng)
    if stated == "over_limit":
        first += (
            f" Your open balance of {fx.ref(None, 'balance.open')} exceeds your credit limit of "
            f"{fx.ref(None, 'credit_limit')}."
        )
    elif stated == "overdue":
        first += f" The overdue balance on your account is {fx.ref(None, 'balance.overdue')}."
    lines = [first]
    payable, notes = dunned(f, invs, fx, rng)
    if payable:
        lead = "Overdue items: " if len(payable) > 1 else ""
        lines.append(invoices_text(payable, fx, rng, True, lead, "po" in asks))
    lines += notes
    lines.append(
        rng.choice(
            [
                "New orders can be released once the overdue amount is paid. Please contact us "
                "to agree on the next steps.",
                "We will lift the hold as soon as the overdue invoices are settled.",
            ]
        )
    )
    return subj, lines


def _dispute_ack(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    d = f.focus_dispute
    r = d.dispute_id
    did, amt, inv_ids = fx.ref(r, "id"), fx.ref(r, "amount"), fx.ref(r, "invoices")
    subj = rng.choice([f"Dispute {did} received: invoice {inv_ids}", f"Your dispute {did}"])
    lines = [
        rng.choice(
            [
                f"Thank you for your message. We acknowledge receipt of dispute {did} "
                f"regarding invoice {inv_ids} ({fx.ref(r, 'reason')}, {amt}).",
                f"We have received your dispute {did} on invoice {inv_ids} about "
                f"{amt} ({fx.ref(r, 'reason')}), opened on {fx.ref(r, 'opened')}.",
            ]
        ),
        rng.choice(
            [
                "Our team is reviewing the case and will come back to you with the outcome.",
                "We are investigating the matter and will update you as soon as our review "
                "is complete.",
            ]
        ),
    ]
    if rng.random() < 0.6:
        lines.append("The undisputed part of the invoice remains due under the agreed terms.")
    return subj, lines


def _remittance(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    r = f.recent_payments[0].payment_id
    amt, when, pid = fx.ref(r, "amount"), fx.ref(r, "received"), fx.ref(r, "id")
    subj = rng.choice(
        [f"Remittance advice request: payment of {amt}", f"Payment {pid}: remittance advice"]
    )
    lines = [
        rng.choice(
            [
                f"Thank you for your payment of {amt} received on {when}.",
                f"Thank you for payment {pid} of {amt}, which reached us on {when}.",
            ]
        ),
        rng.choice(
            [
                "To allocate it correctly, please send us the remittance advice listing the "
                "invoices this payment covers.",
                "Could you please send us the remittance advice so that we can match the payment "
                "to the right invoices?",
            ]
        ),
    ]
    return subj, lines


def _confirmation(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    p = f.recent_payments[0]
    r = p.payment_id
    amt, when = fx.ref(r, "amount"), fx.ref(r, "received")
    subj = rng.choice(
        [
            f"Payment received: invoice {id_list(invs, fx)}",
            f"Thank you for your payment of {amt}",
        ]
    )
    lines = [
        rng.choice(
            [
                f"Thank you for your payment of {amt}, received on {when}.",
                f"We confirm receipt of your payment of {amt} on {when}. Thank you.",
            ]
        ),
        f"We have applied it to invoice {id_list(invs, fx)}."
        if len(invs) == 1
        else f"We have applied it to invoices {id_list(invs, fx)}.",
    ]
    if p.deductions and ("short_payment" in asks or rng.random() < 0.8):
        lines.append(
            f"Please note the short payment of {fx.ref(r, 'deduction')} "
            f"({fx.ref(r, 'deduction_reason')}) on invoice {fx.ref(r, 'deduction_invoice')}, "
            "which we are reviewing separately."
        )
    lines.append(
        rng.choice(["We appreciate your prompt payment.", "Thank you for your cooperation."])
    )
    return subj, lines


WRITERS = {
    "reminder_pre_due": _pre_due,
    "reminder_overdue_1": _overdue1,
    "reminder_overdue_2": _overdue2,
    "final_notice": _final,
    "credit_hold_notice": _credit_hold,
    "dispute_acknowledgement": _dispute_ack,
    "remittance_request": _remittance,
    "payment_confirmation": _confirmation,
}


def write_email(
    email_type: str,
    facts: Any,
    fx: MergeFields,
    rng: random.Random,
    language: str = "en",
    asks: frozenset[str] = frozenset(),
) -> str:
    """One reference e-mail, facts as merge fields; raises `UnknownRecordError` when the
    block lacks a record the e-mail needs (a budget cut)."""
    if language != "en":
        from adapters.data.email_writers_de import write_email_de

        return write_email_de(email_type, facts, fx, rng, asks)
    subject, lines = WRITERS[email_type](facts, list(facts.focus_invoices), fx, rng, asks)
    body = "\n\n".join(capitalize(x) for x in lines if x)
    style = style_for("en")
    greeting = style.greeting(fx.ref(None, "customer.name"))
    return f"{style.subject_line(subject)}\n\n{greeting}\n\n{body}\n\n{style.sign_off_text()}"
