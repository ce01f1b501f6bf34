"""House-style reference e-mails written from a customer's facts, one writer per e-mail type.

Each writer states only facts of the block it is given (the focus invoices, the focus dispute,
the latest payment, the balance line), in varied phrasings; `write_email` adds the subject,
the greeting of the company team and the sign-off that every e-mail of the house carries."""

from __future__ import annotations

import random
from typing import Any

from adapters.data.email_phrasing import (
    capitalize,
    id_list,
    invoices_text,
    last_reminder,
    money,
    reason,
)

SIGN_OFF = "Kind regards,\nAccounts Receivable Team"


def _pre_due(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    subj = rng.choice(
        [
            f"Upcoming payment: invoice {id_list(invs)}",
            f"Friendly reminder: invoice {id_list(invs)} due soon",
            f"Payment due soon: {id_list(invs)}",
        ]
    )
    lead = rng.choice(
        [
            "This is a friendly reminder that ",
            "We would like to remind you that ",
            "A short note to let you know that ",
        ]
    )
    lines = [
        invoices_text(invs, rng, False, lead),
        rng.choice(
            [
                "Please arrange payment by the due date.",
                "We would be grateful if you could schedule the payment in time.",
                "Please make sure the payment is scheduled so that it reaches us on time.",
            ]
        ),
    ]
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


def _overdue1(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    subj = rng.choice(
        [
            f"Payment reminder: invoice {id_list(invs)}",
            f"Overdue invoice {id_list(invs)}",
            f"Reminder: open invoice {id_list(invs)}",
        ]
    )
    lead = rng.choice(["Our records show that ", "According to our records, ", "We note that "])
    lines = [
        invoices_text(invs, rng, True, lead),
        rng.choice(
            [
                "Please arrange payment at your earliest convenience.",
                "We kindly ask you to settle the open amount as soon as possible.",
                "Could you please let us know when we can expect payment?",
                "Please pay the overdue amount or let us know if anything is holding it up.",
            ]
        ),
    ]
    if rng.random() < 0.7:
        lines.append("If you have already paid, please disregard this reminder.")
    return subj, lines


def _overdue2(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    subj = rng.choice(
        [
            f"Second reminder: invoice {id_list(invs)} overdue",
            f"Second payment reminder: {id_list(invs)}",
        ]
    )
    last = last_reminder(invs)
    first = (
        f"We sent you a reminder on {last}, but we have not yet received payment."
        if last and rng.random() < 0.8
        else rng.choice(
            [
                "This is our second reminder, and we have not yet received your payment.",
                "We have already sent you a reminder, but the payment is still outstanding.",
            ]
        )
    )
    lines = [
        first,
        invoices_text(invs, rng, True, rng.choice(["As of today, ", "To recap, "])),
        rng.choice(
            [
                "Please settle the open amount promptly or contact us if there is an issue.",
                "Please arrange payment without further delay, or let us know if anything "
                "prevents payment.",
            ]
        ),
    ]
    return subj, lines


def _final(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    subj = rng.choice(
        [f"Final notice: invoice {id_list(invs)}", f"Final payment notice: {id_list(invs)}"]
    )
    last = last_reminder(invs)
    lead = (
        f"Despite our reminder of {last}, "
        if last and rng.random() < 0.7
        else rng.choice(["Despite our earlier reminders, ", "Despite previous reminders, "])
    )
    lines = [
        invoices_text(invs, rng, True, lead),
        "This is our final notice. "
        + rng.choice(
            [
                "If we do not receive payment within 7 days, we will have to pass the matter to "
                "collections.",
                "Unless payment is received within 7 days, we will take further action, which "
                "may include placing your account on credit hold.",
                "Without payment within 7 days we will hand the account to a collection agency.",
            ]
        ),
        "If payment has been made in the meantime, please send us the remittance details.",
    ]
    return subj, lines


def _credit_hold(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    subj = rng.choice(
        [f"Credit hold on account {f.customer_id}", "Your account has been placed on credit hold"]
    )
    cur = f.currency
    bal = f.open_balance.get(cur)
    over = f.overdue_balance.get(cur)
    first = "We have placed your account on credit hold."
    if bal is not None and bal > f.credit_limit and rng.random() < 0.7:
        first += (
            f" Your open balance of {money(bal, cur)} exceeds your credit limit of "
            f"{money(f.credit_limit, cur)}."
        )
    elif over is not None and rng.random() < 0.7:
        first += f" The overdue balance on your account is {money(over, cur)}."
    lines = [first]
    if invs:
        lines.append(invoices_text(invs, rng, True, "Overdue items: " if len(invs) > 1 else ""))
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


def _dispute_ack(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    d = f.focus_dispute
    amt = money(d.disputed_amount, d.currency)
    inv_ids = ", ".join(d.invoice_ids)
    subj = rng.choice(
        [f"Dispute {d.dispute_id} received: invoice {inv_ids}", f"Your dispute {d.dispute_id}"]
    )
    lines = [
        rng.choice(
            [
                f"Thank you for your message. We acknowledge receipt of dispute {d.dispute_id} "
                f"regarding invoice {inv_ids} ({reason(d.reason_code)}, {amt}).",
                f"We have received your dispute {d.dispute_id} on invoice {inv_ids} about "
                f"{amt} ({reason(d.reason_code)}), opened on {d.opened_date}.",
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


def _payment_of(f: Any) -> Any:
    return f.recent_payments[0]


def _remittance(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    p = _payment_of(f)
    amt = money(p.amount, p.currency)
    subj = rng.choice(
        [
            f"Remittance advice request: payment of {amt}",
            f"Payment {p.payment_id}: remittance advice",
        ]
    )
    lines = [
        rng.choice(
            [
                f"Thank you for your payment of {amt} received on {p.received_date}.",
                f"Thank you for payment {p.payment_id} of {amt}, which reached us on "
                f"{p.received_date}.",
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


def _confirmation(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    p = _payment_of(f)
    amt = money(p.amount, p.currency)
    subj = rng.choice(
        [f"Payment received: invoice {id_list(invs)}", f"Thank you for your payment of {amt}"]
    )
    lines = [
        rng.choice(
            [
                f"Thank you for your payment of {amt}, received on {p.received_date}.",
                f"We confirm receipt of your payment of {amt} on {p.received_date}. Thank you.",
            ]
        ),
        f"We have applied it to invoice {id_list(invs)}."
        if len(invs) == 1
        else f"We have applied it to invoices {id_list(invs)}.",
    ]
    for inv, ded, code in p.deductions[:1]:
        lines.append(
            f"Please note the deduction of {money(ded, p.currency)} ({reason(code)}) on invoice "
            f"{inv}, which we are reviewing separately."
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


def write_email(email_type: str, facts: Any, rng: random.Random) -> str:
    subject, lines = WRITERS[email_type](facts, list(facts.focus_invoices), rng)
    body = "\n\n".join(capitalize(x) for x in lines if x)
    return f"Subject: {subject}\n\nDear {facts.customer_name} team,\n\n{body}\n\n{SIGN_OFF}"
