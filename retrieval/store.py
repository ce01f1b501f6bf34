"""The store: one object per process, opened once and shared (thread-safe reads and writes).

It talks to the one backend its config's location chose (``retrieval.backend``).  Every read
takes ``tenant_id`` first and builds its filter in ``retrieval.filters``; results are checked
again against the scope before they leave (defence in depth).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from qdrant_client.http import models as qm

from retrieval.backend import Backend, open_backend
from retrieval.citations import point_uuid
from retrieval.config import RetrievalConfig
from retrieval.embedding import Embedder, EmbeddingCache, MiniLMEmbedder
from retrieval.errors import NotFoundError
from retrieval.filters import check_id, in_scope, scope_filter
from retrieval.fusion import Fusion, route
from retrieval.index import SearchMode, node_points, payload_text, search_request
from retrieval.nodes import record_nodes
from retrieval.record_cache import RecordCache, ScopeCache
from retrieval.records import Customer, Record
from retrieval.results import Hit, UpsertReport, hit_of
from retrieval.upsert_plan import Key, key_of, plan_upsert, stale_chunk_ids

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

log = logging.getLogger(__name__)
_TRACER = trace.get_tracer("arserve.retrieval")
_SCROLL_PAGE = 1000


class RetrievalStore:
    def __init__(self, config: RetrievalConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self.backend: Backend = open_backend(config)
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.embed_cache = EmbeddingCache()
        self.record_cache = RecordCache()
        self.scope_cache = ScopeCache() if self.backend.is_sole_writer else None
        log.info("retrieval store open (%s, collection %s)", config.location, config.collection)

    # ---- lifecycle ----------------------------------------------------------------------
    @classmethod
    def open(cls, config: RetrievalConfig, embedder: Embedder | None = None) -> RetrievalStore:
        return cls(config, embedder)

    def ping(self) -> None:
        """Raise ``StoreUnavailableError`` unless the backend answers a cheap call now."""
        self.backend.ping()

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> RetrievalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embedder(self) -> Embedder:
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = MiniLMEmbedder(
                    self.config.embed_model_path, self.config.embed_batch_size
                )
            return self._embedder

    # ---- writes -------------------------------------------------------------------------
    def upsert_records(self, records: Sequence[Record]) -> UpsertReport:
        """Insert or replace records: same id and version is a no-op, older versions are skipped.

        Safe to repeat (deterministic point ids), so an interrupted ingestion can be rerun.
        """
        plan = plan_upsert(records, self._existing)
        try:
            self._write(plan.to_write, plan.shrink)
        finally:  # a write that failed part-way may still have changed what a read sees
            self._invalidate(plan.scopes)
        return plan.report

    def _existing(self, keys: list[Key]) -> dict[Key, dict]:
        if not keys:
            return {}
        ids = [point_uuid(t, rt, rid, 0) for t, rt, rid in keys]
        fields = ["version", "content_hash", "n_chunks", "index_format", "customer_id"]
        points = self.backend.retrieve(ids, fields)
        by_id = {str(p.id): p.payload or {} for p in points}
        return {k: by_id[i] for k, i in zip(keys, ids, strict=True) if i in by_id}

    def _write(self, records: list[Record], shrink: list[tuple[Record, int]]) -> None:
        """Write records' nodes. Each record's head chunk goes last, after its other chunks
        and after the chunks it no longer has are gone: the head carries the version the next
        upsert compares with, so a crash part-way leaves the old head and a retry rewrites
        the whole record (nothing lost, nothing twice: point ids are deterministic)."""
        if not records:
            return
        nodes: list[BaseNode] = []
        dense_texts: list[str | None] = []
        chunks: dict[Key, int] = {}
        for rec in records:
            n, d = record_nodes(rec)
            nodes.extend(n)
            dense_texts.extend(d)
            chunks[key_of(rec)] = len(n)
        wanted = [(i, t) for i, t in enumerate(dense_texts) if t]
        if wanted:
            vectors = self.embed_cache.embed(self.embedder, [t for _, t in wanted])
            for (i, _), vec in zip(wanted, vectors, strict=True):
                nodes[i].embedding = vec
        points = node_points(nodes)
        heads = [p for p in points if (p.payload or {}).get("chunk", 0) == 0]
        self._upsert_points([p for p in points if (p.payload or {}).get("chunk", 0) != 0])
        stale_ids = stale_chunk_ids(shrink, chunks)
        if stale_ids:
            self.backend.delete(stale_ids)
        self._upsert_points(heads)

    def _upsert_points(self, points: list[qm.PointStruct]) -> None:
        size = self.config.ingest_batch_size
        for start in range(0, len(points), size):
            self.backend.upsert(points[start : start + size])

    def delete_scope(self, tenant_id: str, customer_id: str) -> None:
        """Delete every point of one customer (the customer record carries customer_id too)."""
        try:
            self.backend.delete(scope_filter(tenant_id, customer_id))
        finally:
            self._invalidate({(tenant_id, customer_id)})
        self.embed_cache.clear()  # vectors derived from the erased text (or queries) go too
        self.record_cache.clear()

    def _invalidate(self, scopes: set[tuple[str, str | None]]) -> None:
        if self.scope_cache is not None:
            for tenant_id, customer_id in scopes:
                self.scope_cache.invalidate(tenant_id, customer_id)

    # ---- exact reads --------------------------------------------------------------------
    def get_record(self, tenant_id: str, record_type: str, record_id: str) -> Record | None:
        """Exact read by id within the tenant (the point id is derived from the tenant)."""
        check_id(tenant_id, "tenant id")
        check_id(record_id, f"{record_type} id")
        points = self.backend.retrieve([point_uuid(tenant_id, record_type, record_id, 0)], True)
        if not points or (points[0].payload or {}).get("tenant_id") != tenant_id:
            return None
        return self.record_cache.record(points[0].payload or {})

    def customer_exists(self, tenant_id: str, customer_id: str) -> bool:
        return self.get_record(tenant_id, "customer", customer_id) is not None

    def require_customer(self, tenant_id: str, customer_id: str) -> Customer:
        """The customer, or NotFoundError (same error whether unknown or another tenant's)."""
        rec = self.get_record(tenant_id, "customer", customer_id)
        if not isinstance(rec, Customer):
            raise NotFoundError("customer not found")
        return rec

    def scroll_payloads(
        self,
        tenant_id: str,
        customer_id: str | None = None,
        record_types: Sequence[str] | None = None,
        where: Mapping[str, Any] | None = None,
        first_chunk_only: bool = True,
    ) -> list[dict[str, Any]]:
        """Payloads in scope (each record's first chunk, or every chunk)."""
        flt = scope_filter(tenant_id, customer_id, record_types, where)
        if first_chunk_only:
            flt.must.append(qm.FieldCondition(key="chunk", match=qm.MatchValue(value=0)))  # type: ignore[union-attr]
        out: list[dict[str, Any]] = []
        offset = None
        while True:
            points, offset = self.backend.scroll(flt, _SCROLL_PAGE, offset)
            out.extend(p.payload or {} for p in points)
            if offset is None:
                break
        return [p for p in out if in_scope(p, tenant_id, customer_id)]

    def scroll_filter(
        self, flt: qm.Filter, tenant_id: str, customer_id: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Scroll with a filter built by ``scope_filter`` (then extended by the caller) from
        the same ``tenant_id`` and ``customer_id``."""
        points, _ = self.backend.scroll(flt, limit, None)
        return [
            p.payload or {} for p in points if in_scope(p.payload or {}, tenant_id, customer_id)
        ]

    def records(
        self,
        tenant_id: str,
        customer_id: str | None = None,
        record_types: Sequence[str] | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> list[Record]:
        """Parsed records in scope (each record's head chunk); one customer's reads without
        ``where`` are cached until this process writes to that customer."""
        cache = self.scope_cache if where is None else None
        types = tuple(record_types) if record_types else None
        if cache is not None and customer_id is not None:
            found = cache.get(tenant_id, customer_id, types)
            if found is not None:
                return found
            generation = cache.begin()
        payloads = self.scroll_payloads(tenant_id, customer_id, record_types, where)
        records = [self.record_cache.record(p) for p in payloads]
        if cache is not None and customer_id is not None:
            cache.put(tenant_id, customer_id, types, records, generation)
        return records

    def count(self, tenant_id: str, customer_id: str | None = None) -> int:
        return self.backend.count(scope_filter(tenant_id, customer_id))

    def total_points(self) -> int:
        return self.backend.count()

    # ---- similarity search --------------------------------------------------------------
    def search(
        self,
        tenant_id: str,
        text: str,
        customer_id: str | None = None,
        record_types: Sequence[str] | None = None,
        where: Mapping[str, Any] | None = None,
        mode: SearchMode = SearchMode.HYBRID,
        limit: int = 10,
        dense: list[float] | None = None,
        fusion: Fusion | None = None,
    ) -> list[Hit]:
        """Filtered search; a hybrid query's branches are fused by ``fusion`` (default: the
        query-type route of ``retrieval.fusion``)."""
        with _TRACER.start_as_current_span("store.search") as span:
            return self._search(
                span, tenant_id, text, customer_id, record_types, where, mode, limit, dense, fusion
            )

    def _search(
        self, span: Any, tenant_id: str, text: str, customer_id: str | None,
        record_types: Sequence[str] | None, where: Mapping[str, Any] | None, mode: SearchMode,
        limit: int, dense: list[float] | None, fusion: Fusion | None,
    ) -> list[Hit]:  # fmt: skip
        flt = scope_filter(tenant_id, customer_id, record_types, where)
        fusion = fusion or route(text)
        if mode == SearchMode.HYBRID and fusion.is_sparse_only:
            mode = SearchMode.SPARSE
        span.set_attribute("arserve.search_mode", str(mode))
        span.set_attribute(
            "arserve.fusion", f"{fusion.method} d{fusion.dense_weight}:s{fusion.sparse_weight}"
        )
        if dense is None and mode != SearchMode.SPARSE:
            with _TRACER.start_as_current_span("embedding.query"):
                dense = self.embed_cache.embed_query(self.embedder, text)
        candidates = max(self.config.dense_candidates, self.config.sparse_candidates)
        request = search_request(mode, flt, limit, dense, text, candidates, fusion)
        points = self.backend.query(**request) if request is not None else []
        # equal scores in point-id order: the shard's segment layout must not decide a ranking
        points = sorted(points, key=lambda p: (-p.score, str(p.id)))
        return [
            hit_of(p.payload or {}, float(p.score), payload_text(p.payload or {}))
            for p in points
            if in_scope(p.payload or {}, tenant_id, customer_id)
        ]
