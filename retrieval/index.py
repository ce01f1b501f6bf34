"""LlamaIndex's ``QdrantVectorStore`` adapted to this layer.

Two changes to the stock store:

* points may carry only the sparse vector (invoices, payments... are found by number, and
  their facts are read exactly), so a node without an embedding is written sparse-only;
* queries go through Qdrant's Query API (``query_points`` with two prefetches fused by
  reciprocal rank fusion inside Qdrant), which works the same embedded and on a server.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from llama_index.core.schema import BaseNode, MetadataMode
from llama_index.core.vector_stores.types import (
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.vector_stores.qdrant import QdrantVectorStore
from qdrant_client import QdrantClient
from qdrant_client.http import models as qm

from retrieval import sparse
from retrieval.config import DENSE_VECTOR, SPARSE_VECTOR


class SearchMode(StrEnum):
    DENSE = "dense"
    SPARSE = "sparse"
    HYBRID = "hybrid"


class ARVectorStore(QdrantVectorStore):
    """Hybrid ``QdrantVectorStore`` with local BM25 sparse vectors and native RRF."""

    def __init__(self, client: QdrantClient, collection_name: str, batch_size: int = 256) -> None:
        super().__init__(
            collection_name=collection_name,
            client=client,
            batch_size=batch_size,
            enable_hybrid=True,
            sparse_doc_fn=sparse.sparse_doc_fn,
            sparse_query_fn=sparse.sparse_query_fn,
            dense_vector_name=DENSE_VECTOR,
            sparse_vector_name=SPARSE_VECTOR,
            index_doc_id=False,
        )

    # ---- writes -------------------------------------------------------------------------
    def _build_points(self, nodes: list[BaseNode], sparse_vector_name: str) -> tuple[list, list]:
        texts = [n.get_content(metadata_mode=MetadataMode.NONE) for n in nodes]
        indices, values = sparse.sparse_doc_fn(texts)
        points, ids = [], []
        for node, idx, val in zip(nodes, indices, values, strict=True):
            vector: dict[str, Any] = {SPARSE_VECTOR: qm.SparseVector(indices=idx, values=val)}
            if node.embedding is not None:
                vector[DENSE_VECTOR] = node.embedding
            points.append(
                qm.PointStruct(id=node.node_id, payload=node_payload(node), vector=vector)
            )
            ids.append(node.node_id)
        return points, ids

    # ---- reads --------------------------------------------------------------------------
    def search_points(
        self,
        mode: SearchMode,
        query_filter: qm.Filter,
        limit: int,
        dense: list[float] | None = None,
        text: str | None = None,
        candidates: int = 30,
        view: Any = None,
    ) -> list[qm.ScoredPoint]:
        """Filtered search; ``query_filter`` must already carry the tenant condition.

        ``view`` (embedded mode, ``retrieval.scope_index``) runs the same request on the
        scope's points only; without it the request goes to the collection.
        """
        sparse_q = None
        if mode in (SearchMode.SPARSE, SearchMode.HYBRID):
            idx, val = sparse.query_vector(text or "")
            if idx:
                sparse_q = qm.SparseVector(indices=idx, values=val)
        if mode == SearchMode.SPARSE and sparse_q is None:
            return []
        if mode == SearchMode.HYBRID and sparse_q is None:
            mode = SearchMode.DENSE
        if mode in (SearchMode.DENSE, SearchMode.HYBRID) and dense is None:
            raise ValueError("dense query vector missing")
        request: dict[str, Any] = {"limit": limit, "with_payload": True, "with_vectors": False}
        if mode == SearchMode.DENSE:
            assert dense is not None
            request.update(query=qm.NearestQuery(nearest=dense), using=DENSE_VECTOR,
                           query_filter=query_filter)  # fmt: skip
        elif mode == SearchMode.SPARSE:
            assert sparse_q is not None
            request.update(query=qm.NearestQuery(nearest=sparse_q), using=SPARSE_VECTOR,
                           query_filter=query_filter)  # fmt: skip
        else:
            assert dense is not None and sparse_q is not None
            request.update(
                prefetch=[
                    qm.Prefetch(query=qm.NearestQuery(nearest=dense), using=DENSE_VECTOR,
                                filter=query_filter, limit=max(candidates, limit)),
                    qm.Prefetch(query=qm.NearestQuery(nearest=sparse_q), using=SPARSE_VECTOR,
                                filter=query_filter, limit=max(candidates, limit)),
                ],
                query=qm.FusionQuery(fusion=qm.Fusion.RRF),  # both branches are filtered
            )  # fmt: skip
        if view is not None:
            return list(view.query_points(**request).points)
        return list(self._client.query_points(self.collection_name, **request).points)

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """LlamaIndex entry point; ``qdrant_filters`` (with the tenant condition) is required."""
        qfilter = kwargs.get("qdrant_filters")
        if not isinstance(qfilter, qm.Filter):
            raise ValueError("ARVectorStore.query needs qdrant_filters with the tenant scope")
        mode = {
            VectorStoreQueryMode.HYBRID: SearchMode.HYBRID,
            VectorStoreQueryMode.SPARSE: SearchMode.SPARSE,
        }.get(query.mode, SearchMode.DENSE)
        points = self.search_points(
            mode, qfilter, query.similarity_top_k, query.query_embedding, query.query_str
        )
        return self.parse_to_query_result(points)


def node_payload(node: BaseNode) -> dict[str, Any]:
    """Metadata flat at the top (filterable) plus LlamaIndex's node JSON without duplicates."""
    body = node.model_dump(mode="json")
    body["embedding"] = None
    body["metadata"] = {}
    payload = dict(node.metadata)
    payload["_node_content"] = json.dumps(body)
    payload["_node_type"] = node.class_name()
    payload["doc_id"] = payload["document_id"] = payload["ref_doc_id"] = node.ref_doc_id or "None"
    return payload


def payload_text(payload: dict[str, Any]) -> str:
    try:
        return str(json.loads(payload["_node_content"]).get("text", ""))
    except (KeyError, ValueError):
        return ""
