# ruff: noqa: E501 - prose (messages, prompts) reads better unwrapped
"""Prompt template for `ar-email-drafter`: an e-mail type plus a retrieval context block.

Serving and training both build the block with `context_request` and the prompt with
`messages`, so the adapter is trained on exactly what it is served."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.merge_fields import Filled, MergeFields, merge_fields
from adapters.tasks import EMAIL_FOCUS, EMAIL_TYPES
from retrieval.assembly import ContextRequest, fit_block
from retrieval.citations import Citation
from retrieval.facts import CustomerFacts, InvoiceFacts

#: the context budget of an e-mail (the server's `email_context_tokens` default)
CONTEXT_TOKENS = 900

TEMPLATE_VERSION = "ar-email-drafter/2"
#: the templates whose adapters write facts as merge fields (`adapters.merge_fields`)
MERGE_FIELD_VERSIONS = frozenset({"ar-email-drafter/2"})

SYSTEM_PROMPT = (
    "You write accounts receivable e-mails in the house style: a 'Subject:' line, the greeting "
    "'Dear <customer> team,', a short body, and the sign-off 'Kind regards,' followed by "
    "'Accounts Receivable Team'. State only facts that appear in the context."
)
MERGE_SYSTEM_PROMPT = (
    "You write accounts receivable e-mails in the house style of the requested language: a "
    "subject line, a greeting of the customer's team, a short body and the house sign-off. "
    "Write every invoice number, amount, date, balance, day count and payment reference only "
    "as a merge field from the list, such as {{invoice1.open}}; the server fills them in."
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


def _example_context() -> str:
    """A one-invoice block in the server's format, for the baseline's worked example."""
    cite = Citation("customer", "C-0001", 1)
    invoice = InvoiceFacts(
        "INV-1000", None, date(2026, 1, 1), date(2026, 1, 31), "EUR", Decimal("500.00"),
        Decimal("500.00"), "open", 10, None, None, Citation("invoice", "INV-1000", 1),
    )  # fmt: skip
    facts = CustomerFacts(
        "example", "C-0001", "Example Trading Ltd", "NET30", 30, Decimal("10000.00"), "EUR",
        "low", 1, None, None, date(2026, 2, 10), cite, open_invoices=[invoice],
        focus_invoices=[invoice], list_other_invoices=False,
        open_balance={"EUR": Decimal("500.00")}, overdue_balance={"EUR": Decimal("500.00")},
        max_days_overdue=10,
    )  # fmt: skip
    return fit_block(facts, [], CONTEXT_TOKENS).text


EXAMPLE_CONTEXT = _example_context()
EXAMPLE_EMAIL = """Subject: Payment reminder: invoice INV-1000

Dear Example Trading Ltd team,

Our records show that invoice INV-1000 for 500.00 EUR was due on 2026-01-31 and is now 10 days overdue.

Please arrange payment at your earliest convenience.

Kind regards,
Accounts Receivable Team"""


def context_request(
    customer_id: str,
    email_type: str,
    invoice_ids: tuple[str, ...] = (),
    dispute_id: str | None = None,
    instructions: str | None = None,
    max_tokens: int = CONTEXT_TOKENS,
) -> ContextRequest:
    """The block an e-mail is drafted from: the focus invoices of its type, no people."""
    if email_type not in EMAIL_TYPES:
        raise ValueError(f"unknown email type {email_type!r}")
    query = " ".join(filter(None, [email_type.replace("_", " "), instructions]))
    return ContextRequest(
        customer_id, query, max_tokens, tuple(invoice_ids), dispute_id, EMAIL_FOCUS[email_type],
        only_focus_invoices=True, include_people=False,
    )  # fmt: skip


def uses_merge_fields(template_version: str) -> bool:
    return template_version in MERGE_FIELD_VERSIONS


def user_content(
    context: str,
    email_type: str,
    instructions: str | None = None,
    language: str = "en",
    template_version: str = TEMPLATE_VERSION,
) -> str:
    if email_type not in EMAIL_TYPES:
        raise ValueError(f"unknown email type {email_type!r}")
    content = f"Email type: {email_type}\n\n{context.strip()}"
    if uses_merge_fields(template_version):
        content += "\n\n" + merge_fields(context).render(language)
    extra = []
    if instructions and instructions.strip():
        extra.append(f"Instructions from the AR team: {instructions.strip()}")
    if language != "en":
        extra.append(f"Write the e-mail in the language with code '{language}'.")
    return content + ("\n\n" + "\n".join(extra) if extra else "")


def messages(
    context: str,
    email_type: str,
    instructions: str | None = None,
    language: str = "en",
    template_version: str = TEMPLATE_VERSION,
) -> list[dict[str, str]]:
    """The prompt of the template version the adapter was trained on (its manifest's)."""
    merge = uses_merge_fields(template_version)
    user = user_content(context, email_type, instructions, language, template_version)
    return [
        {"role": "system", "content": MERGE_SYSTEM_PROMPT if merge else SYSTEM_PROMPT},
        {"role": "user", "content": user},
    ]


def finish(
    draft: str,
    context: str,
    language: str = "en",
    template_version: str = TEMPLATE_VERSION,
    fields: MergeFields | None = None,
) -> Filled:
    """The e-mail as returned: merge fields filled from the block's records (template 2+;
    `fields` when the caller already read them); an earlier template's draft states its facts
    itself and is returned as written."""
    if uses_merge_fields(template_version):
        return (fields or merge_fields(context)).fill(draft, language)
    return Filled(draft)


V1 = "ar-email-drafter/1"  # the base model's few-shot baseline states facts itself


def baseline_messages(context: str, email_type: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": BASELINE_SYSTEM_PROMPT},
        {
            "role": "user",
            "content": user_content(EXAMPLE_CONTEXT, "reminder_overdue_1", None, "en", V1),
        },
        {"role": "assistant", "content": EXAMPLE_EMAIL},
        {"role": "user", "content": user_content(context, email_type, None, "en", V1)},
    ]


def completion(email: str) -> str:
    return email.strip()
