"""LlamaIndex nodes as Qdrant points, and the search request for each mode.

Payloads keep LlamaIndex's Qdrant layout (the node JSON in ``_node_content``, ``doc_id``...)
with the metadata flat at the top, where filters see it.  Two choices of this layer:

* points may carry only the sparse vector (invoices, payments... are found by number, and
  their facts are read exactly), so a node without an embedding is written sparse-only;
* queries go through Qdrant's Query API (``query_points``; hybrid is two prefetches fused
  inside Qdrant by the query's ``retrieval.fusion.Fusion``), which works the same on every
  backend.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from llama_index.core.schema import BaseNode, MetadataMode
from qdrant_client.http import models as qm

from retrieval import sparse
from retrieval.config import DENSE_VECTOR, SPARSE_VECTOR
from retrieval.fusion import PLAIN_RRF, Fusion


class SearchMode(StrEnum):
    DENSE = "dense"
    SPARSE = "sparse"
    HYBRID = "hybrid"


def node_points(nodes: Sequence[BaseNode]) -> list[qm.PointStruct]:
    """One point per node: the sparse vector always, the dense one when it is embedded."""
    texts = [n.get_content(metadata_mode=MetadataMode.NONE) for n in nodes]
    indices, values = sparse.sparse_doc_fn(texts)
    points = []
    for node, idx, val in zip(nodes, indices, values, strict=True):
        vector: dict[str, Any] = {SPARSE_VECTOR: qm.SparseVector(indices=idx, values=val)}
        if node.embedding is not None:
            vector[DENSE_VECTOR] = node.embedding
        points.append(qm.PointStruct(id=node.node_id, payload=node_payload(node), vector=vector))
    return points


def search_request(
    mode: SearchMode,
    query_filter: qm.Filter,
    limit: int,
    dense: list[float] | None = None,
    text: str | None = None,
    candidates: int = 30,
    fusion: Fusion = PLAIN_RRF,
) -> dict[str, Any] | None:
    """``query_points`` arguments for a filtered search, or None when nothing can match.

    ``query_filter`` must already carry the tenant condition; in hybrid mode both branches
    are filtered.  A query without keyword terms falls back from hybrid to dense.
    """
    sparse_q = None
    if mode in (SearchMode.SPARSE, SearchMode.HYBRID):
        idx, val = sparse.query_vector(text or "")
        if idx:
            sparse_q = qm.SparseVector(indices=idx, values=val)
    if mode == SearchMode.SPARSE and sparse_q is None:
        return None
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
            query=fusion.query(),
        )  # fmt: skip
    return request


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
