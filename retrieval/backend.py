"""The store's backend, chosen once by location: a Qdrant server, an embedded folder, or memory.

``open_backend`` picks one ``Backend`` here and nothing above it asks which one it got: a
Qdrant server through qdrant-client, else an embedded Qdrant Edge shard
(``retrieval.edge_backend``; a folder, or a temporary one for an in-memory config).
The interface is what the store needs of one collection, in qdrant-client's public models.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from qdrant_client import QdrantClient
from qdrant_client.http import models as qm
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from retrieval.config import DENSE_VECTOR, EMBED_DIM, SPARSE_VECTOR, RetrievalConfig
from retrieval.edge_backend import EdgeBackend
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
Offset = qm.ExtendedPointId | None


class Backend(Protocol):
    """One hybrid collection (dense ``text-dense`` + sparse ``text-sparse``); thread-safe."""

    #: True when no other process can write to the collection, so reads may be cached
    is_sole_writer: bool

    def upsert(self, points: Sequence[qm.PointStruct]) -> None: ...

    def retrieve(self, ids: Sequence[str], with_payload: bool | Sequence[str]) -> list[qm.Record]:
        """Points by id (payloads only), missing ids left out."""
        ...

    def delete(self, selector: Sequence[str] | qm.Filter) -> None:
        """Delete points by id or by filter, waiting until it is applied."""
        ...

    def scroll(self, flt: qm.Filter, limit: int, offset: Offset) -> tuple[list[qm.Record], Offset]:
        """One page of matching points in id order (payloads, no vectors) and the next offset."""
        ...

    def count(self, flt: qm.Filter | None = None) -> int: ...

    def query(self, **request: Any) -> list[qm.ScoredPoint]:
        """``QdrantClient.query_points`` on the collection (payloads, no vectors)."""
        ...

    def ping(self) -> None:
        """A cheap call that raises ``StoreUnavailableError`` unless the collection answers."""
        ...

    def close(self) -> None: ...


def safe_url(url: str) -> str:
    """The URL without credentials or query (an api key never lands in a message)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


_DNS_ERRNOS = ("[Errno -2]", "[Errno -3]", "[Errno -5]", "[Errno 8]", "[Errno 11001]")


def failure_cause(exc: BaseException) -> str:
    """What went wrong talking to a Qdrant server, in words: connection refused, timeout,
    DNS, an HTTP status..."""
    if isinstance(exc, UnexpectedResponse):
        return f"HTTP {exc.status_code} {exc.reason_phrase}".strip()
    source = exc.source if isinstance(exc, ResponseHandlingException) else exc
    text = str(source) or type(source).__name__
    if isinstance(source, httpx.TimeoutException | TimeoutError):
        return f"timeout ({type(source).__name__})"
    if isinstance(source, ConnectionRefusedError) or "refused" in text.lower():
        return "connection refused"
    if any(text.startswith(e) for e in _DNS_ERRNOS) or "name resolution" in text.lower():
        return f"DNS lookup failed ({text})"
    return f"{type(source).__name__}: {text}"


def unreachable(url: str, exc: BaseException) -> StoreUnavailableError:
    return StoreUnavailableError(f"Qdrant unreachable at {safe_url(url)}: {failure_cause(exc)}")


#: failures that mean the server is down or refusing us, not that the request was wrong
_TRANSPORT_ERRORS = (ResponseHandlingException, httpx.TransportError, OSError)


def _is_unavailable(exc: Exception) -> bool:
    if isinstance(exc, UnexpectedResponse):
        return exc.status_code in (401, 403) or (exc.status_code or 0) >= 500
    return isinstance(exc, _TRANSPORT_ERRORS)


class QdrantBackend:
    """A ``QdrantClient`` of a Qdrant server bound to one collection (safe to share).

    qdrant-client talks HTTP with a connection pool, so a call after the server came back
    opens a new connection: nothing here needs reopening."""

    is_sole_writer = False  # other replicas and `arserve data ingest` write to it too

    def __init__(self, client: QdrantClient, collection: str, url: str) -> None:
        self.client = client
        self.collection = collection
        self.url = url

    @contextlib.contextmanager
    def _call(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if _is_unavailable(exc):
                raise unreachable(self.url, exc) from exc
            raise

    def ping(self) -> None:
        with self._call():
            exists = self.client.collection_exists(self.collection)
        if not exists:
            raise StoreUnavailableError(
                f"collection {self.collection!r} no longer exists at {safe_url(self.url)}"
            )

    def upsert(self, points: Sequence[qm.PointStruct]) -> None:
        with self._call():
            self.client.upsert(self.collection, points=list(points), wait=True)

    def retrieve(self, ids: Sequence[str], with_payload: bool | Sequence[str]) -> list[qm.Record]:
        payload = with_payload if isinstance(with_payload, bool) else list(with_payload)
        with self._call():
            return self.client.retrieve(self.collection, ids=list(ids), with_payload=payload)

    def delete(self, selector: Sequence[str] | qm.Filter) -> None:
        points: Any = (
            qm.FilterSelector(filter=selector)
            if isinstance(selector, qm.Filter)
            else list(selector)
        )
        with self._call():
            self.client.delete(self.collection, points_selector=points, wait=True)

    def scroll(self, flt: qm.Filter, limit: int, offset: Offset) -> tuple[list[qm.Record], Offset]:
        with self._call():
            return self.client.scroll(
                self.collection, scroll_filter=flt, limit=limit, offset=offset,
                with_payload=True, with_vectors=False,
            )  # fmt: skip

    def count(self, flt: qm.Filter | None = None) -> int:
        with self._call():
            return self.client.count(self.collection, count_filter=flt, exact=True).count

    def query(self, **request: Any) -> list[qm.ScoredPoint]:
        with self._call():
            return list(self.client.query_points(self.collection, **request).points)

    def close(self) -> None:
        self.client.close()


def open_backend(config: RetrievalConfig) -> Backend:
    """The backend for ``config``'s location: a server URL wins, else an Edge shard (in the
    folder, or a temporary one for an in-memory config)."""
    config.validate()
    if not config.qdrant_url:
        return EdgeBackend.open(config, KEYWORD_INDEXES)
    client = QdrantClient(
        url=config.qdrant_url, api_key=config.qdrant_api_key, timeout=int(config.timeout_s)
    )
    try:
        ensure_collection(client, config.collection, config.qdrant_url)
    except Exception:
        client.close()
        raise
    return QdrantBackend(client, config.collection, config.qdrant_url)


def ensure_collection(client: QdrantClient, name: str, url: str) -> None:
    """Create the hybrid collection and its payload indexes, or check an existing one."""
    try:
        exists = client.collection_exists(name)
    except Exception as exc:  # network errors of any transport, or an HTTP error status
        raise unreachable(url, exc) from exc
    if exists:
        _check_collection(client.get_collection(name), name)
        return
    client.create_collection(
        collection_name=name,
        vectors_config={DENSE_VECTOR: qm.VectorParams(size=EMBED_DIM, distance=qm.Distance.COSINE)},
        sparse_vectors_config={SPARSE_VECTOR: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
    )
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
