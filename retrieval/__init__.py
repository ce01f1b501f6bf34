"""AR / order-to-cash retrieval: records, ingestion, the Qdrant store, context assembly.

Import from the modules themselves::

    from retrieval.config import RetrievalConfig
    from retrieval.store import RetrievalStore
    store = RetrievalStore.open(RetrievalConfig(qdrant_path=...))      # once per process
"""
