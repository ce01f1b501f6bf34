"""AR / order-to-cash retrieval: records, ingestion, the Qdrant index, context assembly.

Public API (imported lazily so that ``import retrieval.records`` stays light)::

    from retrieval import RetrievalConfig, RetrievalStore, ContextAssembler
    store = RetrievalStore.open(RetrievalConfig(qdrant_path=...))      # once per process
    ctx = ContextAssembler(store, count_tokens=tokenizer_counter(path))
    block = ctx.assemble(tenant_id, customer_id, query, max_tokens, invoice_ids, dispute_id)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "RetrievalConfig": "retrieval.config",
    "RetrievalStore": "retrieval.store",
    "ContextAssembler": "retrieval.context",
    "ContextBlock": "retrieval.context",
    "CustomerFacts": "retrieval.facts",
    "Citation": "retrieval.citations",
    "Retriever": "retrieval.retriever",
    "RetrievalRequest": "retrieval.retriever",
    "SearchMode": "retrieval.index",
    "ingest_path": "retrieval.ingest",
    "IngestReport": "retrieval.ingest",
    "erase_customer": "retrieval.erasure",
    "ErasureReport": "retrieval.erasure",
    "ensure_demo": "retrieval.bootstrap",
    "make_token_counter": "retrieval.tokens",
    "tokenizer_counter": "retrieval.tokens",
    "RetrievalError": "retrieval.errors",
    "NotFoundError": "retrieval.errors",
    "InvalidRequestError": "retrieval.errors",
    "ConfigError": "retrieval.errors",
    "IngestError": "retrieval.errors",
    "StoreUnavailableError": "retrieval.errors",
    "DisputeReason": "retrieval.taxonomy",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
