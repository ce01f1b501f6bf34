"""Training e-mails on context blocks built by the server's own code.

Each example is a request the server could receive (`ar_email_drafter.context_request`: an
e-mail type, sometimes named invoices or a named dispute) over one demo customer's records,
assembled by `retrieval.assembly.build_context`, the function the server's assembler calls
after its one store read. Only the passages differ: the server searches them, here 0-4 of the
customer's notes, clauses and correspondence are drawn at random.

Faker company names that the scrubber mistakes for person names (surname companies such as
"Stey" or "Adams, Dean and Stone") are swapped for a house company name, so the greeting is
never scrubbed to `Dear <PERSON> team,` and the data set passes the PII gate.

Demo seeds 3 and 7 (server tests and demo) are never used."""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from adapters.data import vocab
from adapters.data.email_writers import write_email
from adapters.evaluation.email_checks import check_email
from adapters.instructions import consistent_asks, parse_instructions, sample_instruction
from adapters.merge_fields import UnknownRecordError, merge_fields
from adapters.pii import find_pii
from adapters.prompts import ar_email_drafter
from adapters.tasks import EMAIL_TYPES
from retrieval import demo
from retrieval.assembly import ContextRequest, build_context
from retrieval.block import ContextBlock
from retrieval.citations import Citation
from retrieval.documents import OPEN_DISPUTE_STATUSES, Dispute
from retrieval.focus import MAX_FOCUS, FocusRule, choose_focus
from retrieval.records import Customer, Invoice, InvoiceStatus, Record
from retrieval.results import Hit
from retrieval.tokens import TokenCounter, estimate_tokens
from retrieval.writes import validate_row

FORBIDDEN_SEEDS = frozenset({3, 7})
#: the languages of the reference e-mails and their shares (the adapter's manifest lists them)
LANGUAGE_SHARES = {"en": 0.65, "de": 0.35}
PASSAGE_TYPES = ("collection_note", "contract_clause", "correspondence")


@dataclasses.dataclass
class Example:
    email_type: str
    context: str
    email: str  # the target: prose with merge fields
    language: str = "en"
    instructions: str | None = None

    def row(self) -> dict[str, Any]:
        out: dict[str, Any] = {"email_type": self.email_type, "context": self.context}
        out |= {"email": self.email, "language": self.language}
        return out | ({"instructions": self.instructions} if self.instructions else {})


@dataclasses.dataclass
class CustomerData:
    customer: Customer
    structured: list[Record]
    passages: list[Record]


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
            isinstance(r, Invoice)
            and r.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
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


# --------------------------------------------------------------------------- requests + blocks


def _flagged(text: str) -> bool:
    return bool(find_pii(text))


def safe_company(name: str, rng: random.Random) -> str:
    """The name if the scrubber leaves it alone in a greeting and a customer line."""

    def ok(n: str) -> bool:
        return not _flagged(f"Dear {n} team,") and not _flagged(f"Customer {n} (C00001).")

    if ok(name):
        return name
    legal = f"{name} {rng.choice(vocab.COMMON_LEGAL_FORMS)}"  # keeps the demo's surname stem
    if ok(legal):
        return legal
    for _ in range(20):
        name = vocab.company(rng)
        if ok(name):
            return name
    return name


def request_for(
    cd: CustomerData, email_type: str, as_of: date, rng: random.Random, max_tokens: int
) -> ContextRequest | None:
    """A request a client could send for this customer; None when it has nothing for the
    type. Most name nothing (the server's focus rule picks); some name fewer overdue invoices
    or one of several open disputes, as clients do."""
    req = ar_email_drafter.context_request(
        cd.customer.customer_id, email_type, max_tokens=max_tokens
    )
    focus = choose_focus(req.focus, cd.structured, as_of)
    if not focus.invoice_ids:
        return None
    if req.focus is FocusRule.OVERDUE and rng.random() >= 0.75:
        named = focus.invoice_ids[: rng.randint(1, MAX_FOCUS)]
        return dataclasses.replace(req, invoice_ids=named)
    if req.focus is FocusRule.DISPUTE:
        open_ids = sorted(
            r.dispute_id
            for r in cd.structured
            if isinstance(r, Dispute) and r.status in OPEN_DISPUTE_STATUSES
        )
        if open_ids:
            return dataclasses.replace(req, dispute_id=rng.choice(open_ids))
    return req


def block_for(
    customer: Customer,
    records: list[Record],
    request: ContextRequest,
    hits: list[Hit],
    as_of: date,
    count: TokenCounter = estimate_tokens,
) -> ContextBlock:
    """The block the server assembles for this request, with these passages."""
    return build_context(customer, records, request, lambda _text: hits, as_of, count)


def passage_hits(cd: CustomerData, rng: random.Random) -> list[Hit]:
    k = rng.choice([0, 1, 2, 2, 3, 3, 4, 4])
    chosen = rng.sample(cd.passages, k=min(k, len(cd.passages)))
    return [
        Hit(
            Citation(r.record_type, r.record_id, r.version),
            r.owner_customer_id,
            r.text(),
            1.0,
            r.related_invoice_ids(),
        )
        for r in chosen
    ]


# --------------------------------------------------------------------------- examples


def example_for(
    cd: CustomerData,
    email_type: str,
    as_of: date,
    rng: random.Random,
    count: TokenCounter = estimate_tokens,
    max_tokens: int = ar_email_drafter.CONTEXT_TOKENS,
    language: str = "en",
) -> Example | None:
    """One row, or None when the customer has nothing for the type or the checks the server
    applies would flag the filled reference e-mail (a budget cut can drop a line it needs)."""
    request = request_for(cd, email_type, as_of, rng, max_tokens)
    if request is None:
        return None
    customer = cd.customer.model_copy(update={"name": safe_company(cd.customer.name, rng)})
    block = block_for(customer, cd.structured, request, passage_hits(cd, rng), as_of, count)
    fx = merge_fields(block.text)
    instructions = sample_instruction(rng, block.text, language)
    asks, _ = consistent_asks(parse_instructions(instructions), block.text, email_type)
    try:
        email = write_email(email_type, block.facts, fx, rng, language, asks)
    except UnknownRecordError:
        return None
    filled = fx.fill(email, language)
    stated = block.statement | fx.derived()
    c = check_email(filled.text, block.text, email_type, stated, language)
    if filled.unknown or c.problems or c.missing_elements or c.type_issues:
        return None
    if not (c.style_ok and c.length_ok):
        return None
    return Example(email_type, block.text, email, language, instructions)


def generate(
    n: int,
    seed: int,
    customers_per_seed: int = 24,
    count: TokenCounter = estimate_tokens,
    languages: dict[str, float] | None = None,
) -> list[Example]:
    """n examples, types balanced, from demo data of several seeds and as-of dates, in the
    languages' shares (`LANGUAGE_SHARES`); `count` is the server's context-token counter (the
    base model's tokenizer)."""
    shares = languages or LANGUAGE_SHARES
    codes, weights = list(shares), list(shares.values())
    rng = random.Random(seed)
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
                    lang = rng.choices(codes, weights)[0]
                    ex = example_for(cd, t, as_of, rng, count, language=lang)
                    if ex is not None:
                        out.append(ex)
                        k += attempt + 1
                        break
    return out
