"""Context assembly: structured facts first, then the most relevant text, within a budget."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from retrieval.citations import Citation
from retrieval.errors import InvalidRequestError, NotFoundError
from retrieval.facts import STRUCTURED_TYPES, CustomerFacts, build_facts
from retrieval.filters import check_id
from retrieval.records import Record
from retrieval.render import CLOSE, OPEN, fact_lines, passage_line
from retrieval.results import Hit
from retrieval.retriever import RetrievalRequest, Retriever, TimingHook
from retrieval.store import RetrievalStore
from retrieval.tokens import TokenCounter, estimate_tokens

PASSAGE_TYPES = ("contract_clause", "collection_note", "correspondence", "dispute", "credit_memo")
FACTS_HEADER = "## Customer facts"
PASSAGES_HEADER = "## Relevant records"
MIN_TOKENS = 32
MAX_TOKENS = 32_768
MAX_FOCUS_INVOICES = 50


@dataclass
class ContextBlock:
    """What a request injects: ``text`` between <context> lines, and what it cites."""

    text: str
    citations: list[Citation]
    facts: CustomerFacts
    passages: list[Hit] = field(default_factory=list)
    token_count: int = 0
    truncated: bool = False

    @property
    def citation_ids(self) -> list[str]:
        return [c.id for c in self.citations]


class ContextAssembler:
    """One per process, shared by requests (the store underneath is thread-safe)."""

    def __init__(
        self,
        store: RetrievalStore,
        count_tokens: TokenCounter | None = None,
        on_timing: TimingHook | None = None,
        passages: int = 8,
    ) -> None:
        self.store = store
        self.count_tokens = count_tokens or estimate_tokens
        self.retriever = Retriever(store, on_timing)
        self.on_timing = on_timing
        self.passages = passages

    def assemble(
        self,
        tenant_id: str,
        customer_id: str,
        query: str,
        max_tokens: int,
        invoice_ids: list[str] | None = None,
        dispute_id: str | None = None,
        as_of: date | None = None,
        only_focus_invoices: bool = False,
        include_people: bool = True,
    ) -> ContextBlock:
        """`only_focus_invoices`: list the named invoices, not every open one (e-mails).
        `include_people=False` leaves out the contact and collector names (e-mails greet the
        company team, so a person's name has no business in the prompt)."""
        start = time.perf_counter()
        ok = False
        try:
            block = self._assemble(
                tenant_id,
                customer_id,
                query,
                max_tokens,
                invoice_ids,
                dispute_id,
                as_of,
                only_focus_invoices,
                include_people,
            )
            ok = True
            return block
        finally:
            if self.on_timing is not None:
                self.on_timing("assemble_context", time.perf_counter() - start, ok)

    def _assemble(
        self,
        tenant_id: str,
        customer_id: str,
        query: str,
        max_tokens: int,
        invoice_ids: list[str] | None,
        dispute_id: str | None,
        as_of: date | None,
        only_focus_invoices: bool = False,
        include_people: bool = True,
    ) -> ContextBlock:
        check_id(tenant_id, "tenant id")
        check_id(customer_id, "customer id")
        if not MIN_TOKENS <= max_tokens <= MAX_TOKENS:
            raise InvalidRequestError(f"max_tokens must be between {MIN_TOKENS} and {MAX_TOKENS}")
        invoice_ids = list(dict.fromkeys(invoice_ids or []))
        if len(invoice_ids) > MAX_FOCUS_INVOICES:
            raise InvalidRequestError(f"at most {MAX_FOCUS_INVOICES} invoice ids")
        for inv in invoice_ids:
            check_id(inv, "invoice id")
        if dispute_id is not None:
            check_id(dispute_id, "dispute id")
        customer = self.store.require_customer(tenant_id, customer_id)
        records = self.store.records(tenant_id, customer_id, STRUCTURED_TYPES)
        _require_owned(records, invoice_ids, dispute_id)
        facts = build_facts(customer, records, as_of or date.today(), invoice_ids, dispute_id)
        facts.list_other_invoices = not only_focus_invoices
        if not include_people:
            facts.contact_name = facts.collector = None
        text = " ".join([query.strip(), *invoice_ids, dispute_id or ""]).strip()
        hits: list[Hit] = []
        if text:
            hits = self.retriever.retrieve(
                RetrievalRequest(
                    tenant_id, text[:2000], customer_id, PASSAGE_TYPES, limit=self.passages
                )
            )
        return self._fit(facts, hits, max_tokens)

    def facts_only(self, block: ContextBlock, max_tokens: int) -> ContextBlock:
        """The same customer facts without the retrieved passages: free text can carry
        instructions and numbers nobody checked; the structured facts cannot."""
        return self._fit(block.facts, [], max_tokens)

    def _fit(self, facts: CustomerFacts, hits: list[Hit], max_tokens: int) -> ContextBlock:
        count = self.count_tokens
        lines = [OPEN, FACTS_HEADER]
        used = count(OPEN) + count(CLOSE) + count(FACTS_HEADER) + 3
        cited: dict[str, Citation] = {}
        truncated = False
        for i, (line, cites) in enumerate(fact_lines(facts)):
            cost = count(line) + 1
            if used + cost > max_tokens:
                if i == 0:
                    raise InvalidRequestError("max_tokens is too small for the customer facts")
                truncated = True
                continue
            lines.append(line)
            used += cost
            cited.update((c.id, c) for c in cites)
        kept: list[Hit] = []
        header_cost = count(PASSAGES_HEADER) + 1
        for hit in hits:
            line = passage_line(hit)
            cost = count(line) + 1 + (0 if kept else header_cost)
            if used + cost > max_tokens:
                truncated = True
                continue
            if not kept:
                lines.append(PASSAGES_HEADER)
            lines.append(line)
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
            text = "\n".join(lines)
            total = count(text)
        used_ids = {c for c in cited if f"[{c}]" in text}
        citations = [c for cid, c in cited.items() if cid in used_ids]
        return ContextBlock(text, citations, facts, kept, total, truncated)


def _require_owned(records: list[Record], invoice_ids: list[str], dispute_id: str | None) -> None:
    """Named invoices and disputes must belong to this customer (else: not found)."""
    have = {(r.record_type, r.record_id) for r in records}
    for inv in invoice_ids:
        if ("invoice", inv) not in have:
            raise NotFoundError("invoice not found")
    if dispute_id is not None and ("dispute", dispute_id) not in have:
        raise NotFoundError("dispute not found")
