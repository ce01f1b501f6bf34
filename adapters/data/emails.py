"""Reference AR e-mails in the house style, written only from the facts in the context.

House style: `Subject: ...`, a blank line, `Dear <customer> team,`, a body of short
paragraphs, then `Kind regards,` and `Accounts Receivable Team`."""

from __future__ import annotations

import random
from dataclasses import dataclass

from adapters.data.email_facts import Facts, Invoice, make_facts, render_context
from adapters.tasks import EMAIL_TYPES

SIGN_OFF = "Kind regards,\nAccounts Receivable Team"


@dataclass
class EmailExample:
    email_type: str
    context: str
    email: str


def _inv_list(invs: list[Invoice]) -> str:
    nums = [i.number for i in invs]
    return nums[0] if len(nums) == 1 else ", ".join(nums[:-1]) + " and " + nums[-1]


def _inv_facts(invs: list[Invoice], rng: random.Random, with_overdue: bool) -> str:
    if len(invs) == 1:
        i = invs[0]
        late = (
            f" and is now {i.days_overdue} days overdue"
            if with_overdue and i.days_overdue > 0
            else ""
        )
        po = f" (PO {i.po})" if i.po and rng.random() < 0.5 else ""
        return f"invoice {i.number}{po} for {i.amount} was due on {i.due}{late}."
    rows = "\n".join(f"- Invoice {i.number}: {i.amount}, due {i.due}" for i in invs)
    return f"the following invoices are open:\n{rows}"


def _body(f: Facts, rng: random.Random) -> tuple[str, list[str]]:
    invs, t = f.invoices, f.email_type
    facts = _inv_facts(invs, rng, with_overdue=True)
    many = len(invs) > 1
    if t == "reminder_pre_due":
        i = invs[0]
        subject = f"Upcoming payment: invoice {_inv_list(invs)}"
        lines = [
            rng.choice(
                [
                    f"This is a friendly reminder that invoice {i.number} for {i.amount} "
                    f"is due on {i.due}.",
                    f"We would like to remind you that invoice {i.number} for {i.amount} "
                    f"falls due on {i.due}.",
                ]
            )
            if not many
            else f"This is a friendly reminder that {facts}",
            rng.choice(
                [
                    "Please arrange payment by the due date.",
                    "We would be grateful if you could schedule the payment in time.",
                    "If payment is already scheduled, thank you and please disregard this note.",
                ]
            ),
        ]
    elif t == "reminder_overdue_1":
        subject = f"Payment reminder: invoice {_inv_list(invs)}"
        lines = [
            rng.choice(["Our records show that ", "According to our records, "]) + facts,
            rng.choice(
                [
                    "Please arrange payment at your earliest convenience.",
                    "We kindly ask you to settle the open amount as soon as possible.",
                    "Could you please let us know when we can expect payment?",
                ]
            ),
            "If you have already paid, please disregard this reminder.",
        ]
    elif t == "reminder_overdue_2":
        subject = f"Second reminder: invoice {_inv_list(invs)} overdue"
        lines = [
            f"We sent you a reminder on {f.reminder_date}, but we have not yet received payment.",
            "As of today, " + facts,
            rng.choice(
                [
                    "Please settle the open amount promptly or contact us if there is an issue.",
                    "Please arrange payment without further delay, or let us know if "
                    "anything prevents payment.",
                ]
            ),
        ]
    elif t == "final_notice":
        subject = f"Final notice: invoice {_inv_list(invs)}"
        lines = [
            f"Despite our reminder of {f.reminder_date}, " + facts,
            "This is our final notice. "
            + rng.choice(
                [
                    "If we do not receive payment within 7 days, we will have to pass the matter "
                    "to collections.",
                    "Unless payment is received within 7 days, we will take further action, which "
                    "may include placing your account on credit hold.",
                ]
            ),
            "If payment has been made in the meantime, please send us the remittance details.",
        ]
    elif t == "dispute_acknowledgement":
        d = f.dispute or {}
        i = invs[0]
        subject = f"Dispute {d.get('id')} received: invoice {i.number}"
        lines = [
            f"Thank you for your message. We acknowledge receipt of dispute {d.get('id')} "
            f"regarding invoice {i.number} ({d.get('reason')}, {d.get('amount')}).",
            rng.choice(
                [
                    "Our team is reviewing the case and will come back to you with the outcome.",
                    "We are investigating the matter and will update you "
                    "as soon as our review is complete.",
                ]
            ),
            "The undisputed part of the invoice remains due under the agreed terms.",
        ]
    elif t == "remittance_request":
        p = f.payment or {}
        subject = f"Remittance advice request: payment of {p.get('amount')}"
        lines = [
            f"Thank you for your payment of {p.get('amount')} received on {p.get('date')}.",
            "To allocate it correctly, please send us the remittance advice listing the "
            "invoices this payment covers.",
            f"Open items on your account include invoice {_inv_list(invs)}.",
        ]
    elif t == "payment_confirmation":
        p = f.payment or {}
        subject = f"Payment received: invoice {invs[0].number}"
        lines = [
            f"Thank you for your payment of {p.get('amount')}, received on {p.get('date')}.",
            f"We have applied it to invoice {invs[0].number}.",
            "We appreciate your prompt payment.",
        ]
    else:  # credit_hold_notice
        c = f.credit or {}
        subject = f"Credit hold on account {f.customer_id}"
        lines = [
            f"We have placed your account on credit hold from {c.get('since')}. Your current "
            f"exposure of {c.get('exposure')} exceeds your credit limit of {c.get('limit')}.",
            "Overdue items: " + facts if invs and invs[0].days_overdue > 0 else "",
            "New orders can be released once the overdue amount is paid. "
            "Please contact us to agree on the next steps.",
        ]
    return subject, [x for x in lines if x]


def write_email(f: Facts, rng: random.Random) -> str:
    subject, lines = _body(f, rng)
    greeting = f"Dear {f.customer} team,"
    body = "\n\n".join(line[0].upper() + line[1:] for line in lines)
    return f"Subject: {subject}\n\n{greeting}\n\n{body}\n\n{SIGN_OFF}"


REAL_SHARE = 0.8  # e-mails on contexts in the server's exact format (email_real.py)


def generate(n: int, seed: int) -> list[EmailExample]:
    """The data set: REAL_SHARE on server-format contexts, the rest on the older synthetic
    format (kept as a minority for robustness to other fact layouts)."""
    from adapters.data import email_real

    n_real = round(n * REAL_SHARE)
    real = [
        EmailExample(e.email_type, e.context, e.email) for e in email_real.generate(n_real, seed)
    ]
    out = real + generate_synthetic(n - len(real), seed)
    random.Random(seed + 1).shuffle(out)
    return out


def generate_synthetic(n: int, seed: int) -> list[EmailExample]:
    rng = random.Random(seed)
    types = [EMAIL_TYPES[i % len(EMAIL_TYPES)] for i in range(n)]
    rng.shuffle(types)
    out = []
    for t in types:
        facts = make_facts(t, rng)
        out.append(EmailExample(t, render_context(facts, rng), write_email(facts, rng)))
    return out
