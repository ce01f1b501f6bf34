"""Opening Qdrant by location (server URL, embedded folder or memory) and the collection."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client.http import models as qm

from retrieval.config import DENSE_VECTOR, EMBED_DIM, SPARSE_VECTOR, RetrievalConfig
from retrieval.errors import ConfigError, StoreUnavailableError

log = logging.getLogger(__name__)

#: keyword payload indexes; ``tenant_id`` is the tenant key (co-locates a tenant's points)
KEYWORD_INDEXES: tuple[str, ...] = (
    "customer_id",
    "record_type",
    "record_id",
    "doc_id",
    "invoice_ids",
    "po_number",
    "status",
)


def open_client(config: RetrievalConfig) -> QdrantClient:
    config.validate()
    try:
        if config.qdrant_url:
            return QdrantClient(
                url=config.qdrant_url, api_key=config.qdrant_api_key, timeout=int(config.timeout_s)
            )
        if config.qdrant_path:
            config.qdrant_path.mkdir(parents=True, exist_ok=True)
            return QdrantClient(path=str(config.qdrant_path))
        return QdrantClient(location=":memory:")
    except RuntimeError as exc:  # embedded folder locked by another client
        raise StoreUnavailableError(f"cannot open Qdrant at {config.location}: {exc}") from exc


def is_local(client: QdrantClient) -> bool:
    """Embedded and in-memory clients run in this process and are not thread-safe."""
    from qdrant_client.local.qdrant_local import QdrantLocal

    return isinstance(getattr(client, "_client", None), QdrantLocal)


def ensure_collection(client: QdrantClient, name: str) -> None:
    """Create the hybrid collection and its payload indexes, or check an existing one."""
    try:
        exists = client.collection_exists(name)
    except Exception as exc:  # network errors of any transport
        raise StoreUnavailableError(f"Qdrant unreachable: {type(exc).__name__}") from exc
    if exists:
        _check_collection(client.get_collection(name), name)
        return
    client.create_collection(
        collection_name=name,
        vectors_config={DENSE_VECTOR: qm.VectorParams(size=EMBED_DIM, distance=qm.Distance.COSINE)},
        sparse_vectors_config={SPARSE_VECTOR: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
    )
    with warnings.catch_warnings():  # embedded mode ignores payload indexes, with a warning
        warnings.simplefilter("ignore")
        _create_indexes(client, name)
    log.info("created collection %s", name)


def _create_indexes(client: QdrantClient, name: str) -> None:
    client.create_payload_index(
        collection_name=name,
        field_name="tenant_id",
        field_schema=qm.KeywordIndexParams(type=qm.KeywordIndexType.KEYWORD, is_tenant=True),
    )
    for field in KEYWORD_INDEXES:
        client.create_payload_index(
            collection_name=name, field_name=field, field_schema=qm.PayloadSchemaType.KEYWORD
        )
    client.create_payload_index(
        collection_name=name, field_name="chunk", field_schema=qm.PayloadSchemaType.INTEGER
    )


def tune_embedded(client: QdrantClient) -> None:
    """Embedded Qdrant commits (and fsyncs) SQLite once per point; WAL with synchronous=NORMAL
    keeps every commit durable against a process crash at a fraction of the cost.  Best effort:
    if the client's internals change, ingestion is only slower."""
    local = getattr(client, "_client", None)
    for coll in getattr(local, "collections", {}).values():
        conn = getattr(getattr(coll, "storage", None), "storage", None)
        if conn is None:
            continue
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA secure_delete=ON")  # erased records leave no readable pages
        except Exception:  # pragma: no cover - defensive
            log.warning("could not tune embedded storage")


def _check_collection(info: Any, name: str) -> None:
    params = info.config.params
    vectors = params.vectors if isinstance(params.vectors, dict) else {}
    sparse = params.sparse_vectors or {}
    dense = vectors.get(DENSE_VECTOR)
    if dense is None or dense.size != EMBED_DIM or SPARSE_VECTOR not in sparse:
        raise ConfigError(
            f"collection {name!r} exists with another layout; "
            f"expected {DENSE_VECTOR}({EMBED_DIM}) and {SPARSE_VECTOR}"
        )
