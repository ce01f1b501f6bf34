"""The store: one object per process, opened once and shared (thread-safe reads and writes).

Every read takes ``tenant_id`` first and builds its filter in ``retrieval.filters``; results
are checked again against the scope before they leave (defence in depth).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qdrant_client.http import models as qm

from retrieval.backend import ensure_collection, is_local, open_client, tune_embedded
from retrieval.citations import point_uuid
from retrieval.config import RetrievalConfig
from retrieval.embedding import Embedder, EmbeddingCache, MiniLMEmbedder
from retrieval.errors import NotFoundError, StoreUnavailableError
from retrieval.filters import check_id, in_scope, scope_filter
from retrieval.index import ARVectorStore, SearchMode, payload_text
from retrieval.nodes import record_nodes
from retrieval.records import Customer, Record
from retrieval.results import Hit, UpsertReport, hit_of, record_of
from retrieval.scope_index import LocalScopeIndex
from retrieval.upsert_plan import Key, key_of, plan_upsert, stale_chunk_ids

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

log = logging.getLogger(__name__)
_SCROLL_PAGE = 1000


class RetrievalStore:
    def __init__(self, config: RetrievalConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self.client = open_client(config)
        try:
            ensure_collection(self.client, config.collection)
            if config.qdrant_path:
                tune_embedded(self.client)
        except Exception:
            self.client.close()
            raise
        self.collection = config.collection
        self.index = ARVectorStore(self.client, config.collection, config.ingest_batch_size)
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.embed_cache = EmbeddingCache()
        # the embedded client is plain Python state: serialise calls; a server client is safe
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if is_local(self.client) else contextlib.nullcontext()
        )
        # embedded/in-memory only: scoped reads scan the scope's points, not the collection
        self.scopes = (
            LocalScopeIndex.attach(self.client, config.collection) if config.scope_index else None
        )
        log.info("retrieval store open (%s, collection %s)", config.mode, config.collection)

    # ---- lifecycle ----------------------------------------------------------------------
    @classmethod
    def open(cls, config: RetrievalConfig, embedder: Embedder | None = None) -> RetrievalStore:
        return cls(config, embedder)

    def close(self) -> None:
        with self._lock:
            self.client.close()

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

    @contextlib.contextmanager
    def _call(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except (ConnectionError, TimeoutError, OSError) as exc:
                raise StoreUnavailableError(f"Qdrant call failed: {type(exc).__name__}") from exc

    # ---- writes -------------------------------------------------------------------------
    def upsert_records(self, records: Sequence[Record]) -> UpsertReport:
        """Insert or replace records: same id and version is a no-op, older versions are skipped.

        Safe to repeat (deterministic point ids), so an interrupted ingestion can be rerun.
        """
        plan = plan_upsert(records, self._existing)
        self._drop_extra_chunks(plan.shrink, self._write(plan.to_write))
        return plan.report

    def _existing(self, keys: list[Key]) -> dict[Key, dict]:
        if not keys:
            return {}
        ids = [point_uuid(t, rt, rid, 0) for t, rt, rid in keys]
        with self._call():
            points = self.client.retrieve(
                self.collection, ids=ids, with_payload=["version", "content_hash", "n_chunks"]
            )
        by_id = {str(p.id): p.payload or {} for p in points}
        return {k: by_id[i] for k, i in zip(keys, ids, strict=True) if i in by_id}

    def _write(self, records: list[Record]) -> dict[Key, int]:
        """Write records' nodes; return each record's chunk count."""
        if not records:
            return {}
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
        with self._call():
            self.index.add(nodes)
            if self.scopes is not None:
                self.scopes.refresh(n.node_id for n in nodes)
        return chunks

    def _drop_extra_chunks(self, shrink: list[tuple[Record, int]], chunks: dict[Key, int]) -> None:
        """Delete the chunks an updated record no longer has (it was split into fewer)."""
        stale_ids = stale_chunk_ids(shrink, chunks)
        if stale_ids:
            with self._call():
                self.client.delete(self.collection, points_selector=stale_ids, wait=True)

    def delete_scope(self, tenant_id: str, customer_id: str) -> None:
        """Delete every point of one customer (the customer record carries customer_id too)."""
        flt = scope_filter(tenant_id, customer_id)
        with self._call():
            self.client.delete(
                self.collection, points_selector=qm.FilterSelector(filter=flt), wait=True
            )
        self.embed_cache.clear()  # vectors derived from the erased text go too

    # ---- exact reads --------------------------------------------------------------------
    def get_record(self, tenant_id: str, record_type: str, record_id: str) -> Record | None:
        """Exact read by id within the tenant (the point id is derived from the tenant)."""
        check_id(tenant_id, "tenant id")
        check_id(record_id, f"{record_type} id")
        pid = point_uuid(tenant_id, record_type, record_id, 0)
        with self._call():
            points = self.client.retrieve(self.collection, ids=[pid], with_payload=True)
        if not points or (points[0].payload or {}).get("tenant_id") != tenant_id:
            return None
        return record_of(points[0].payload or {})

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
        exhaustive: bool = False,
    ) -> list[dict[str, Any]]:
        """Payloads in scope; ``exhaustive`` scans the whole collection even in embedded mode
        (erasure verifies with it, independently of the scope index)."""
        flt = scope_filter(tenant_id, customer_id, record_types, where)
        if first_chunk_only:
            flt.must.append(qm.FieldCondition(key="chunk", match=qm.MatchValue(value=0)))  # type: ignore[union-attr]
        out: list[dict[str, Any]] = []
        offset = None
        while True:
            view = not exhaustive
            points, offset = self._scroll(flt, tenant_id, customer_id, record_types, view, offset)
            out.extend(p.payload or {} for p in points)
            if offset is None:
                break
        return [p for p in out if in_scope(p, tenant_id, customer_id)]

    def _view(
        self, tenant_id: str, customer_id: str | None, record_types: Sequence[str] | None = None
    ) -> Any:
        """The scope's points as a read-only local collection (embedded mode), else None.

        Call under ``self._call()``; the caller's filter must still carry the full scope.
        """
        if self.scopes is None:
            return None
        return self.scopes.view(tenant_id, customer_id, record_types)

    def _scroll(
        self,
        flt: qm.Filter,
        tenant_id: str,
        customer_id: str | None,
        record_types: Sequence[str] | None,
        use_view: bool,
        offset: Any = None,
        limit: int = _SCROLL_PAGE,
    ) -> tuple[list[Any], Any]:
        """One page: from the scope's local view when there is one (and wanted), else Qdrant."""
        kwargs: dict[str, Any] = {
            "scroll_filter": flt, "limit": limit, "offset": offset,
            "with_payload": True, "with_vectors": False,
        }  # fmt: skip
        with self._call():
            target = self._view(tenant_id, customer_id, record_types) if use_view else None
            if target is not None:
                return target.scroll(**kwargs)
            return self.client.scroll(self.collection, **kwargs)

    def scroll_filter(
        self,
        flt: qm.Filter,
        tenant_id: str,
        customer_id: str | None,
        limit: int,
        record_types: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Scroll with a filter built by ``scope_filter`` (then extended by the caller) from
        the same ``tenant_id``, ``customer_id`` and ``record_types``."""
        points, _ = self._scroll(flt, tenant_id, customer_id, record_types, True, None, limit)
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
        return [
            record_of(p) for p in self.scroll_payloads(tenant_id, customer_id, record_types, where)
        ]

    def count(
        self, tenant_id: str, customer_id: str | None = None, exhaustive: bool = False
    ) -> int:
        flt = scope_filter(tenant_id, customer_id)
        with self._call():
            target = None if exhaustive else self._view(tenant_id, customer_id)
            if target is not None:
                return int(target.count(count_filter=flt).count)
            return self.client.count(self.collection, count_filter=flt, exact=True).count

    def total_points(self) -> int:
        with self._call():
            return self.client.count(self.collection, exact=True).count

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
    ) -> list[Hit]:
        flt = scope_filter(tenant_id, customer_id, record_types, where)
        if dense is None and mode != SearchMode.SPARSE:
            dense = self.embedder.embed_query(text)
        with self._call():
            points = self.index.search_points(
                mode, flt, limit, dense=dense, text=text,
                candidates=max(self.config.dense_candidates, self.config.sparse_candidates),
                view=self._view(tenant_id, customer_id, record_types),
            )  # fmt: skip
        return [
            hit_of(p.payload or {}, float(p.score), payload_text(p.payload or {}))
            for p in points
            if in_scope(p.payload or {}, tenant_id, customer_id)
        ]
