"""The server's context assembler: one read of the customer's records, then the pure
assembly (`retrieval.assembly.build_context`) with the store's hybrid search for passages."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

from opentelemetry import context as otel_context
from opentelemetry import trace

from retrieval.assembly import ContextRequest, build_context, fit_block
from retrieval.block import ContextBlock
from retrieval.facts import STRUCTURED_TYPES
from retrieval.filters import check_id
from retrieval.focus import FocusRule
from retrieval.fusion import route
from retrieval.results import Hit
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.store import RetrievalStore
from retrieval.tokens import TokenCounter, estimate_tokens

_TRACER = trace.get_tracer("arserve.retrieval")
PASSAGE_TYPES = ("contract_clause", "collection_note", "correspondence", "dispute", "credit_memo")


class ContextAssembler:
    """One per process, shared by requests (the store underneath is thread-safe)."""

    def __init__(
        self, store: RetrievalStore, count_tokens: TokenCounter | None = None, passages: int = 8
    ) -> None:
        self.store = store
        self.count_tokens = count_tokens or estimate_tokens
        self.retriever = Retriever(store)
        self.passages = passages
        # the query's embedding runs while the records are read (the model runs outside the
        # GIL); one worker: the embedder takes one text at a time anyway
        self._prefetch = ThreadPoolExecutor(1, thread_name_prefix="arserve-embed")

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
        focus: FocusRule | None = None,
    ) -> ContextBlock:
        request = ContextRequest(
            customer_id, query, max_tokens, tuple(invoice_ids or ()), dispute_id, focus,
            only_focus_invoices, include_people,
        )  # fmt: skip
        return self.assemble_request(tenant_id, request, as_of)

    def assemble_request(
        self, tenant_id: str, request: ContextRequest, as_of: date | None = None
    ) -> ContextBlock:
        """One read of the customer's records, then `build_context` over them."""
        check_id(tenant_id, "tenant id")
        request.check()
        with _TRACER.start_as_current_span("store.read_records"):
            customer = self.store.require_customer(tenant_id, request.customer_id)
            vector = self._embed_ahead(request)  # a known customer's only
            records = self.store.records(tenant_id, request.customer_id, STRUCTURED_TYPES)

        def find_passages(text: str) -> list[Hit]:
            if vector is not None:
                vector.result()  # now in the store's query cache (or its error raised here)
            req = RetrievalRequest(
                tenant_id, text, request.customer_id, PASSAGE_TYPES, limit=self.passages
            )
            return self.retriever.retrieve(req)

        with _TRACER.start_as_current_span("assembly"):
            return build_context(
                customer, records, request, find_passages, as_of or date.today(), self.count_tokens
            )

    def _embed_ahead(self, request: ContextRequest) -> Future[list[float]] | None:
        """Starts the query's embedding when the passage search will need it: the text is the
        query alone (no focus ids, which send a search to the keyword branch alone), prose,
        and not cached yet."""
        text = request.query.strip()
        if request.invoice_ids or request.dispute_id is not None or request.focus is not None:
            return None
        if not text or route(text).is_sparse_only or self.store.embed_cache.has_query(text):
            return None
        ctx = otel_context.get_current()

        def embed() -> list[float]:
            token = otel_context.attach(ctx)  # the span nests under the request's trace
            try:
                with _TRACER.start_as_current_span("embedding.query"):
                    return self.store.embed_cache.embed_query(self.store.embedder, text)
            finally:
                otel_context.detach(token)

        return self._prefetch.submit(embed)

    def facts_only(self, block: ContextBlock, max_tokens: int) -> ContextBlock:
        """The same customer facts without the retrieved passages: free text can carry
        instructions and numbers nobody checked; the structured facts cannot."""
        return fit_block(block.facts, [], max_tokens, self.count_tokens)
