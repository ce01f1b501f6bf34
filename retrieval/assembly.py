"""Context assembly over records already read: structured facts first, then the most relevant
text, within a budget (pure: no store).

`build_context` is the whole rule over a customer's records (focus, facts, passages, budget);
the server's assembler reads the records once and calls it, and so does the training-data
generator, so what an adapter is trained on and what it is served are built by the same code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from retrieval.block import (
    CLOSE,
    FACTS_HEADER,
    OPEN,
    PASSAGES_HEADER,
    ContextBlock,
    FactLine,
    fact_lines,
    passage_line,
)
from retrieval.citations import Citation
from retrieval.errors import InvalidRequestError, NotFoundError
from retrieval.facts import CustomerFacts, build_facts
from retrieval.filters import check_id
from retrieval.focus import FocusRule, choose_focus
from retrieval.records import Customer, Record
from retrieval.results import Hit
from retrieval.statements import Statement
from retrieval.tokens import TokenCounter, estimate_tokens

MIN_TOKENS = 32
MAX_TOKENS = 32_768
MAX_FOCUS_INVOICES = 50
MAX_QUERY_CHARS = 2000

#: finds the passages for a query text (the store's hybrid search, or a fixed list)
PassageFinder = Callable[[str], list[Hit]]


@dataclass(frozen=True)
class ContextRequest:
    """What a block is for. `only_focus_invoices`: list the focus invoices, not every open
    one (e-mails). `include_people=False` leaves out contact and collector names (e-mails
    greet the company team, so a person's name has no business in the prompt)."""

    customer_id: str
    query: str
    max_tokens: int
    invoice_ids: tuple[str, ...] = ()
    dispute_id: str | None = None
    focus: FocusRule | None = None
    only_focus_invoices: bool = False
    include_people: bool = True

    def check(self) -> None:
        check_id(self.customer_id, "customer id")
        if not MIN_TOKENS <= self.max_tokens <= MAX_TOKENS:
            raise InvalidRequestError(f"max_tokens must be between {MIN_TOKENS} and {MAX_TOKENS}")
        if len(set(self.invoice_ids)) > MAX_FOCUS_INVOICES:
            raise InvalidRequestError(f"at most {MAX_FOCUS_INVOICES} invoice ids")
        for inv in self.invoice_ids:
            check_id(inv, "invoice id")
        if self.dispute_id is not None:
            check_id(self.dispute_id, "dispute id")


def build_context(
    customer: Customer,
    records: list[Record],
    request: ContextRequest,
    find_passages: PassageFinder,
    as_of: date,
    count_tokens: TokenCounter = estimate_tokens,
) -> ContextBlock:
    """The block for one request over the customer's structured records (tenant-scoped)."""
    request.check()
    focus = choose_focus(
        request.focus,
        records,
        as_of,
        tuple(dict.fromkeys(request.invoice_ids)),
        request.dispute_id,
    )
    _require_owned(records, focus.invoice_ids, focus.dispute_id)
    facts = build_facts(customer, records, as_of, list(focus.invoice_ids), focus.dispute_id)
    facts.list_other_invoices = not request.only_focus_invoices
    if not request.include_people:
        facts.contact_name = facts.collector = None
    packed = pack_facts(facts, request.max_tokens, count_tokens)  # while the query embeds
    text = " ".join([request.query.strip(), *focus.invoice_ids, focus.dispute_id or ""]).strip()
    hits = find_passages(text[:MAX_QUERY_CHARS]) if text else []
    return fill_block(packed, hits, request.max_tokens, count_tokens)


def fit_block(
    facts: CustomerFacts, hits: list[Hit], max_tokens: int, count: TokenCounter = estimate_tokens
) -> ContextBlock:
    """Fact lines in priority order, then passages, as many as the token budget holds."""
    return fill_block(pack_facts(facts, max_tokens, count), hits, max_tokens, count)


@dataclass
class PackedFacts:
    """The fact lines a budget holds, packed before the passages are found (an assembly
    does it while the query is still being embedded)."""

    facts: CustomerFacts
    lines: list[str]
    shown: list[FactLine]
    cited: dict[str, Citation]
    used: int
    truncated: bool


def pack_facts(
    facts: CustomerFacts, max_tokens: int, count: TokenCounter = estimate_tokens
) -> PackedFacts:
    lines = [OPEN, FACTS_HEADER]
    used = count(OPEN) + count(CLOSE) + count(FACTS_HEADER) + 3
    cited: dict[str, Citation] = {}
    shown: list[FactLine] = []
    truncated = False
    for i, line in enumerate(fact_lines(facts)):
        cost = count(line.text) + 1
        if used + cost > max_tokens:
            if i == 0:
                raise InvalidRequestError("max_tokens is too small for the customer facts")
            truncated = True
            continue
        lines.append(line.text)
        used += cost
        shown.append(line)
        cited.update((c.id, c) for c in line.citations)
    return PackedFacts(facts, lines, shown, cited, used, truncated)


def fill_block(
    packed: PackedFacts, hits: list[Hit], max_tokens: int, count: TokenCounter = estimate_tokens
) -> ContextBlock:
    """The packed facts, then as many passages as the rest of the budget holds."""
    lines, shown, cited = list(packed.lines), list(packed.shown), dict(packed.cited)
    used, truncated = packed.used, packed.truncated
    kept: list[Hit] = []
    header_cost = count(PASSAGES_HEADER) + 1
    for hit in hits:
        text = passage_line(hit)
        cost = count(text) + 1 + (0 if kept else header_cost)
        if used + cost > max_tokens:
            truncated = True
            continue
        if not kept:
            lines.append(PASSAGES_HEADER)
        lines.append(text)
        kept.append(hit)
        used += cost
        cited.setdefault(hit.citation.id, hit.citation)
    lines.append(CLOSE)
    text = "\n".join(lines)
    total = count(text)
    while total > max_tokens and len(lines) > 4:  # exact count can exceed the line sum
        dropped = lines.pop(-2)
        truncated = True
        kept = [h for h in kept if passage_line(h) != dropped]
        shown = [f for f in shown if f.text != dropped]
        text = "\n".join(lines)
        total = count(text)
    stated = Statement()
    for line in shown:
        stated = stated | line.statement
    used_ids = {c for c in cited if f"[{c}]" in text}
    citations = [c for cid, c in cited.items() if cid in used_ids]
    return ContextBlock(text, citations, packed.facts, kept, total, truncated, stated)


def _require_owned(
    records: list[Record], invoice_ids: tuple[str, ...], dispute_id: str | None
) -> None:
    """Named invoices and disputes must belong to this customer (else: not found)."""
    have = {(r.record_type, r.record_id) for r in records}
    for inv in invoice_ids:
        if ("invoice", inv) not in have:
            raise NotFoundError("invoice not found")
    if dispute_id is not None and ("dispute", dispute_id) not in have:
        raise NotFoundError("dispute not found")
