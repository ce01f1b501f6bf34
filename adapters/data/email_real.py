"""Training e-mails on context blocks in exactly the server's format.

The contexts come from the retrieval layer itself: seeded demo data (`retrieval.demo`), the
customer's facts (`retrieval.facts.build_facts`), rendered by `ContextAssembler._fit` with
`retrieval.render.fact_lines` / `passage_line`, following the e-mail contract with the server:

- only the *focus* invoices are listed (`open_invoices` filtered to the focus ones);
- focus by e-mail type: reminders, final notice, credit hold: up to the 3 most overdue open
  invoices; reminder_pre_due: open invoices not yet due (up to 3, soonest first);
  dispute_acknowledgement: the dispute's invoices plus `focus_dispute`;
  remittance_request / payment_confirmation: the invoices of the latest payment;
- then `## Relevant records` with 0-4 passages (notes, clauses, correspondence), ~900 tokens.

Personal data: contact and collector names are rendered as the scrubber's `<PERSON>`
placeholder (or left out), so the training data passes the PII gate and the model learns that
the `Contact:` / `Collector:` slots are never used in the e-mail (it greets the company team).
Faker company names that the scrubber mistakes for person names (surname companies such as
"Stey" or "Adams, Dean and Stone") are swapped for a house company name, so the greeting is
never scrubbed to `Dear <PERSON> team,`.

`retrieval` is imported inside functions only: `adapters` does not import it at import time.
Demo seeds 3 and 7 (server tests and demo) are never used."""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.data import vocab
from adapters.tasks import EMAIL_TYPES

FORBIDDEN_SEEDS = frozenset({3, 7})
CONTEXT_TOKENS = 900
MAX_FOCUS = 3
PASSAGE_TYPES = ("collection_note", "contract_clause", "correspondence")
PLACEHOLDER = "<PERSON>"
SUFFIXES = ("GmbH", "AG", "Ltd", "Inc.", "LLC", "GmbH & Co. KG", "plc", "B.V.")
SIGN_OFF = "Kind regards,\nAccounts Receivable Team"
# the server counts context tokens with the base model's tokenizer (email_context_tokens = 900)
BASE_TOKENIZER = Path.home() / ".cache" / "arserve" / "models" / "SmolLM2-135M-Instruct"


@dataclasses.dataclass
class Example:
    email_type: str
    context: str
    email: str


@dataclasses.dataclass
class CustomerData:
    customer: Any  # retrieval.records.Customer
    structured: list[Any]
    passages: list[Any]


# --------------------------------------------------------------------------- demo data


def demo_seeds(seed: int, count: int) -> list[int]:
    """Deterministic demo seeds for a build seed, never the test/demo seeds."""
    rng = random.Random(seed)
    out: list[int] = []
    while len(out) < count:
        s = rng.randint(10, 10**6)
        if s not in FORBIDDEN_SEEDS and s not in out:
            out.append(s)
    return out


def load_customers(seed: int, as_of: date, customers: int) -> list[CustomerData]:
    """Validated records of every demo customer of one seed."""
    if seed in FORBIDDEN_SEEDS:
        raise ValueError(f"demo seed {seed} is reserved for tests and the demo")
    from retrieval import demo
    from retrieval.ingest import validate_row

    data = demo.generate(scale=1, seed=seed, as_of=as_of, customers=customers)
    by_cust: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for rtype, rows in data.rows.items():
        if rtype == "tenant":
            continue
        for row in rows:
            rec = validate_row(dict(row, record_type=rtype), None)
            by_cust[(row["tenant_id"], row["customer_id"])][rtype].append(rec)
    out = []
    for recs in by_cust.values():
        structured = [r for t in ("invoice", "dispute", "payment", "credit_memo") for r in recs[t]]
        passages = [r for t in PASSAGE_TYPES for r in recs[t]]
        out.append(CustomerData(recs["customer"][0], structured, passages))
    return out


def _with_reminders(cd: CustomerData, rng: random.Random, as_of: date) -> CustomerData:
    """Give some overdue invoices a last reminder (the demo has none; production data may)."""
    if rng.random() < 0.5:
        return cd
    out = []
    for r in cd.structured:
        if (
            r.record_type == "invoice"
            and r.status in ("open", "partially_paid")
            and r.due_date < as_of - timedelta(days=10)
            and rng.random() < 0.6
        ):
            gap = min((as_of - r.due_date).days - 3, 60)
            when = as_of - timedelta(days=rng.randint(3, max(3, gap)))
            r = r.model_copy(
                update={"last_reminder_date": when, "last_reminder_level": rng.randint(1, 3)}
            )
        out.append(r)
    return CustomerData(cd.customer, out, cd.passages)


# --------------------------------------------------------------------------- focus + render


def _flagged(text: str) -> bool:
    from adapters.pii import find_pii

    return bool(find_pii(text))


def safe_company(name: str, rng: random.Random) -> str:
    """The name if the scrubber leaves it alone in a greeting and a customer line."""

    def ok(n: str) -> bool:
        return not _flagged(f"Dear {n} team,") and not _flagged(f"Customer {n} (C00001).")

    if ok(name):
        return name
    legal = f"{name} {rng.choice(SUFFIXES)}"  # keeps the surname-style stem the demo uses
    if ok(legal):
        return legal
    for _ in range(20):
        name = vocab.company(rng)
        if ok(name):
            return name
    return name


def focus_for(email_type: str, facts: Any, rng: random.Random) -> tuple[list[str], str | None]:
    """(focus invoice ids, focus dispute id) the server names for this e-mail type; ([], None)
    when the customer has nothing for this type."""
    if email_type == "reminder_pre_due":
        due = sorted(
            (i for i in facts.open_invoices if i.due_date >= facts.as_of),
            key=lambda i: (i.due_date, i.invoice_id),
        )
        return [i.invoice_id for i in due[:MAX_FOCUS]], None
    if email_type == "dispute_acknowledgement":
        if not facts.open_disputes:
            return [], None
        d = rng.choice(facts.open_disputes)
        return list(d.invoice_ids), d.dispute_id
    if email_type in ("remittance_request", "payment_confirmation"):
        pays = [p for p in facts.recent_payments if p.invoice_ids]
        if not pays or pays[0] is not facts.recent_payments[0]:
            return [], None
        return list(pays[0].invoice_ids), None
    over = sorted(
        (i for i in facts.open_invoices if i.days_overdue > 0),
        key=lambda i: (-i.days_overdue, i.invoice_id),
    )
    k = MAX_FOCUS if rng.random() < 0.75 else rng.randint(1, MAX_FOCUS)  # clients may name fewer
    return [i.invoice_id for i in over[:k]], None


def token_counter(tokenizer: Path | None = BASE_TOKENIZER) -> Any:
    """The counter the server budgets contexts with: the base model's tokenizer when its folder
    is there (SmolLM2 splits numbers into digits: ids and amounts cost many tokens), else the
    retrieval layer's estimate."""
    from retrieval.tokens import estimate_tokens, tokenizer_counter

    if tokenizer is not None and (tokenizer / "tokenizer.json").is_file():
        return tokenizer_counter(tokenizer)
    return estimate_tokens


def render_block(
    facts: Any, hits: list[Any], max_tokens: int = CONTEXT_TOKENS, count: Any = None
) -> str:
    """The context block exactly as the server assembles it (`ContextAssembler._fit`)."""
    from retrieval.context import ContextAssembler
    from retrieval.tokens import estimate_tokens

    asm = object.__new__(ContextAssembler)  # _fit only needs the token counter
    asm.count_tokens = count or estimate_tokens
    return asm._fit(facts, hits, max_tokens).text


def email_facts(facts: Any) -> Any:
    """Facts as the server renders them for an e-mail: open invoices = the focus ones."""
    focus = {i.invoice_id for i in facts.focus_invoices}
    return dataclasses.replace(
        facts, open_invoices=[i for i in facts.open_invoices if i.invoice_id in focus]
    )


def passage_hits(cd: CustomerData, rng: random.Random) -> list[Any]:
    from retrieval.citations import Citation
    from retrieval.results import Hit

    k = rng.choice([0, 1, 2, 2, 3, 3, 4, 4])
    chosen = rng.sample(cd.passages, k=min(k, len(cd.passages)))
    return [
        Hit(
            Citation(r.record_type, r.record_id, r.version),
            r.customer_id,
            r.text(),
            1.0,
            r.related_invoice_ids(),
        )
        for r in chosen
    ]


# --------------------------------------------------------------------------- writers


def _m(amount: Decimal, cur: str) -> str:
    return f"{amount:.2f} {cur}"


def _ids(invs: list[Any]) -> str:
    n = [i.invoice_id for i in invs]
    return n[0] if len(n) == 1 else ", ".join(n[:-1]) + " and " + n[-1]


def _po(inv: Any, rng: random.Random) -> str:
    return f" (PO {inv.po_number})" if inv.po_number and rng.random() < 0.35 else ""


def _one_line(inv: Any, rng: random.Random, overdue: bool) -> str:
    amt = _m(inv.open_amount, inv.currency)
    po = _po(inv, rng)
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


def _bullets(invs: list[Any], rng: random.Random, overdue: bool) -> str:
    style = rng.randrange(3)
    rows = []
    for i in invs:
        amt = _m(i.open_amount, i.currency)
        if style == 0:
            rows.append(f"- Invoice {i.invoice_id}: {amt}, due {i.due_date}")
        elif style == 1:
            days = f", {i.days_overdue} days overdue" if overdue and i.days_overdue else ""
            rows.append(f"- {i.invoice_id} (due {i.due_date}): {amt} open{days}")
        else:
            po = f" / PO {i.po_number}" if i.po_number else ""
            rows.append(f"- Invoice {i.invoice_id}{po}, due {i.due_date}, open {amt}")
    return "\n".join(rows)


def _invoices_text(invs: list[Any], rng: random.Random, overdue: bool, lead: str) -> str:
    if len(invs) == 1:
        return lead + _one_line(invs[0], rng, overdue)
    head = (
        "the following invoices are overdue:"
        if overdue
        else "the following invoices fall due soon:"
    )
    return lead + head + "\n" + _bullets(invs, rng, overdue)


def _last_reminder(invs: list[Any]) -> Any:
    dates = [i.last_reminder_date for i in invs if i.last_reminder_date]
    return max(dates) if dates else None


def _reason(code: str) -> str:
    return code.replace("_", " ")


def _cap(s: str) -> str:
    return s[0].upper() + s[1:] if s else s


def _pre_due(f: Any, invs: list[Any], rng: random.Random) -> tuple[str, list[str]]:
    subj = rng.choice(
        [
            f"Upcoming payment: invoice {_ids(invs)}",
            f"Friendly reminder: invoice {_ids(invs)} due soon",
            f"Payment due soon: {_ids(invs)}",
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
        _invoices_text(invs, rng, False, lead),
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
            f"Payment reminder: invoice {_ids(invs)}",
            f"Overdue invoice {_ids(invs)}",
            f"Reminder: open invoice {_ids(invs)}",
        ]
    )
    lead = rng.choice(["Our records show that ", "According to our records, ", "We note that "])
    lines = [
        _invoices_text(invs, rng, True, lead),
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
            f"Second reminder: invoice {_ids(invs)} overdue",
            f"Second payment reminder: {_ids(invs)}",
        ]
    )
    last = _last_reminder(invs)
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
        _invoices_text(invs, rng, True, rng.choice(["As of today, ", "To recap, "])),
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
        [f"Final notice: invoice {_ids(invs)}", f"Final payment notice: {_ids(invs)}"]
    )
    last = _last_reminder(invs)
    lead = (
        f"Despite our reminder of {last}, "
        if last and rng.random() < 0.7
        else rng.choice(["Despite our earlier reminders, ", "Despite previous reminders, "])
    )
    lines = [
        _invoices_text(invs, rng, True, lead),
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
            f" Your open balance of {_m(bal, cur)} exceeds your credit limit of "
            f"{_m(f.credit_limit, cur)}."
        )
    elif over is not None and rng.random() < 0.7:
        first += f" The overdue balance on your account is {_m(over, cur)}."
    lines = [first]
    if invs:
        lines.append(_invoices_text(invs, rng, True, "Overdue items: " if len(invs) > 1 else ""))
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
    amt = _m(d.disputed_amount, d.currency)
    inv_ids = ", ".join(d.invoice_ids)
    subj = rng.choice(
        [f"Dispute {d.dispute_id} received: invoice {inv_ids}", f"Your dispute {d.dispute_id}"]
    )
    lines = [
        rng.choice(
            [
                f"Thank you for your message. We acknowledge receipt of dispute {d.dispute_id} "
                f"regarding invoice {inv_ids} ({_reason(d.reason_code)}, {amt}).",
                f"We have received your dispute {d.dispute_id} on invoice {inv_ids} about "
                f"{amt} ({_reason(d.reason_code)}), opened on {d.opened_date}.",
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
    amt = _m(p.amount, p.currency)
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
    amt = _m(p.amount, p.currency)
    subj = rng.choice(
        [f"Payment received: invoice {_ids(invs)}", f"Thank you for your payment of {amt}"]
    )
    lines = [
        rng.choice(
            [
                f"Thank you for your payment of {amt}, received on {p.received_date}.",
                f"We confirm receipt of your payment of {amt} on {p.received_date}. Thank you.",
            ]
        ),
        f"We have applied it to invoice {_ids(invs)}."
        if len(invs) == 1
        else f"We have applied it to invoices {_ids(invs)}.",
    ]
    for inv, ded, code in p.deductions[:1]:
        lines.append(
            f"Please note the deduction of {_m(ded, p.currency)} ({_reason(code)}) on invoice "
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
    body = "\n\n".join(_cap(x) for x in lines if x)
    return f"Subject: {subject}\n\nDear {facts.customer_name} team,\n\n{body}\n\n{SIGN_OFF}"


# --------------------------------------------------------------------------- examples


def example_for(
    cd: CustomerData, email_type: str, as_of: date, rng: random.Random, count: Any = None
) -> Example | None:
    from retrieval.facts import build_facts

    all_facts = build_facts(cd.customer, cd.structured, as_of)
    inv_ids, dispute_id = focus_for(email_type, all_facts, rng)
    if not inv_ids:
        return None
    facts = build_facts(cd.customer, cd.structured, as_of, inv_ids, dispute_id)
    contact = PLACEHOLDER if facts.contact_name and rng.random() < 0.8 else None
    collector = PLACEHOLDER if facts.collector and rng.random() < 0.85 else None
    facts = dataclasses.replace(
        email_facts(facts),
        customer_name=safe_company(facts.customer_name, rng),
        contact_name=contact,
        collector=collector,
    )
    context = render_block(facts, passage_hits(cd, rng), count=count)
    email = write_email(email_type, facts, rng)
    from adapters.evaluation.email_checks import check_email

    c = check_email(email, context, email_type)  # a budget cut can drop a line the e-mail needs
    if not (c.grounded and c.style_ok and c.length_ok) or c.missing_elements:
        return None
    return Example(email_type, context, email)


def generate(n: int, seed: int, customers_per_seed: int = 24) -> list[Example]:
    """n examples, types balanced, from demo data of several seeds and as-of dates."""
    rng = random.Random(seed)
    count = token_counter()
    per_seed = customers_per_seed * 3  # one e-mail per customer and type, about
    seeds = demo_seeds(seed, max(1, n // per_seed + 2))
    out: list[Example] = []
    types = list(EMAIL_TYPES)
    k = 0
    for s in seeds:
        as_of = date(2025, 3, 1) + timedelta(days=rng.randrange(900))
        for cd in load_customers(s, as_of, customers_per_seed):
            cd = _with_reminders(cd, rng, as_of)
            for _ in range(3):
                if len(out) >= n:
                    return out
                for attempt in range(len(types)):
                    t = types[(k + attempt) % len(types)]
                    ex = example_for(cd, t, as_of, rng, count)
                    if ex is not None:
                        out.append(ex)
                        k += attempt + 1
                        break
    return out
