# ruff: noqa: E501 - prose (messages, prompts) reads better unwrapped
"""Prompt template for `ar-email-drafter`: an e-mail type plus a retrieval context block."""

from __future__ import annotations

from adapters.prompts.context import normalize_block
from adapters.tasks import EMAIL_TYPES

TEMPLATE_VERSION = "ar-email-drafter/1"

SYSTEM_PROMPT = (
    "You write accounts receivable e-mails in the house style: a 'Subject:' line, the greeting "
    "'Dear <customer> team,', a short body, and the sign-off 'Kind regards,' followed by "
    "'Accounts Receivable Team'. State only facts that appear in the context."
)

BASELINE_SYSTEM_PROMPT = (
    SYSTEM_PROMPT
    + """

Rules:
- Copy invoice numbers, amounts with currency, and dates exactly as written in the context.
- Never invent amounts, dates, invoice numbers, names, phone numbers or bank details.
- Do not add totals or compute new dates.
- Keep the body under 150 words.

What each e-mail type must contain:
- reminder_pre_due: the invoice number, amount and due date, and a polite request to pay on time.
- reminder_overdue_1: the overdue invoice, amount and due date, and a request to pay.
- reminder_overdue_2: mention the previous reminder, the overdue invoice and amount.
- final_notice: say it is a final notice, the overdue invoice and amount, and the consequence.
- dispute_acknowledgement: acknowledge the dispute, its reference and invoice, and say it is under review.
- remittance_request: thank for the payment (amount, date) and ask for the remittance advice.
- payment_confirmation: confirm the payment received (amount, date) and the invoice it settles.
- credit_hold_notice: say the account is on credit hold, give the exposure and credit limit."""
)

EXAMPLE_CONTEXT = """<context>
[customer:C-0001@v1] Customer: Example Trading Ltd; terms NET30; currency EUR; dunning level 1
[invoice:INV-1000@v1] Invoice INV-1000, issued 2026-01-01, due 2026-01-31, open 500.00 EUR, 10 days overdue
</context>"""
EXAMPLE_EMAIL = """Subject: Payment reminder: invoice INV-1000

Dear Example Trading Ltd team,

Our records show that invoice INV-1000 for 500.00 EUR was due on 2026-01-31 and is now 10 days overdue.

Please arrange payment at your earliest convenience.

Kind regards,
Accounts Receivable Team"""


def user_content(context: str, email_type: str) -> str:
    if email_type not in EMAIL_TYPES:
        raise ValueError(f"unknown email type {email_type!r}")
    return f"Email type: {email_type}\n\n{normalize_block(context)}"


def messages(context: str, email_type: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_content(context, email_type)},
    ]


def baseline_messages(context: str, email_type: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": BASELINE_SYSTEM_PROMPT},
        {"role": "user", "content": user_content(EXAMPLE_CONTEXT, "reminder_overdue_1")},
        {"role": "assistant", "content": EXAMPLE_EMAIL},
        {"role": "user", "content": user_content(context, email_type)},
    ]


def completion(email: str) -> str:
    return email.strip()
