"""The store on its one backend: the location picks it, updates re-file points, and an
embedded store reopened answers as before."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from retrieval.backend import QdrantBackend, open_backend
from retrieval.config import RetrievalConfig
from retrieval.edge_backend import EdgeBackend
from retrieval.errors import StoreUnavailableError
from retrieval.ingest import ingest_path
from retrieval.records import Record
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.store import RetrievalStore
from tests.server.api.health.helpers import qdrant_stub

A = "acme-foods"


def _hits(store: RetrievalStore, *args, **kwargs) -> list[tuple[str, float]]:
    return [(h.citation.id, round(h.score, 5)) for h in store.search(*args, **kwargs)]


@pytest.mark.filterwarnings("ignore:Failed to obtain server version")
def test_server_url_wins_over_the_embedded_folder(tmp_path: Path) -> None:
    cfg = RetrievalConfig(qdrant_url="http://127.0.0.1:9", qdrant_path=tmp_path / "q", timeout_s=1)
    with pytest.raises(StoreUnavailableError):
        open_backend(cfg)  # nothing listens there: the folder was never the choice
    assert not (tmp_path / "q").exists()


def test_embedded_and_memory_backends_are_edge_shards(tmp_path: Path) -> None:
    for cfg in (RetrievalConfig(in_memory=True), RetrievalConfig(qdrant_path=tmp_path / "q")):
        backend = open_backend(cfg)
        try:
            assert isinstance(backend, EdgeBackend)
            assert backend.count() == 0
        finally:
            backend.close()
    assert (tmp_path / "q" / "edge" / "arserve").is_dir()


def test_update_that_moves_a_point_is_refiled(store: RetrievalStore) -> None:
    inv = store.records(A, "C00001", ["invoice"])[0]
    moved = inv.model_copy(update={"customer_id": "C00002", "version": inv.version + 1})
    assert isinstance(moved, Record)
    assert store.upsert_records([moved]).updated == 1
    assert inv.record_id not in {r.record_id for r in store.records(A, "C00001", ["invoice"])}
    assert inv.record_id in {r.record_id for r in store.records(A, "C00002", ["invoice"])}
    hits = Retriever(store).retrieve(RetrievalRequest(A, inv.record_id, "C00002", limit=3))
    assert hits[0].citation.record_id == inv.record_id
    hits = Retriever(store).retrieve(RetrievalRequest(A, inv.record_id, "C00001", limit=20))
    assert inv.record_id not in {h.citation.record_id for h in hits}


def test_embedded_store_reopened_answers_the_same(
    embedder, small_dir: Path, tmp_path: Path
) -> None:
    cfg = RetrievalConfig(qdrant_path=tmp_path / "q")
    dense = embedder.embed_query("damaged")
    with RetrievalStore.open(cfg, embedder) as st:
        ingest_path(st, small_dir)
        before = _hits(st, A, "damaged goods", "C00001", dense=dense)
        count = st.count(A, "C00001")
    with RetrievalStore.open(cfg, embedder) as st:
        assert _hits(st, A, "damaged goods", "C00001", dense=dense) == before
        assert st.count(A, "C00001") == count > 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.filterwarnings("ignore:Failed to obtain server version", "ignore:Api key is used")
def test_unreachable_names_the_url_without_credentials_and_the_cause(tmp_path: Path) -> None:
    def error(url: str) -> str:
        cfg = RetrievalConfig(qdrant_url=url, qdrant_api_key="key-kept-out", timeout_s=1)
        with pytest.raises(StoreUnavailableError) as raised:
            open_backend(cfg)
        assert "key-kept-out" not in str(raised.value) and "pw@" not in str(raised.value)
        return str(raised.value)

    port = _closed_port()
    assert error(f"http://ops:pw@127.0.0.1:{port}/?api_key=key-kept-out") == (
        f"Qdrant unreachable at http://127.0.0.1:{port}/: connection refused"
    )
    assert error("http://no-such-host.invalid:6333").startswith(
        "Qdrant unreachable at http://no-such-host.invalid:6333: DNS lookup failed"
    )
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        assert error(url) == f"Qdrant unreachable at {url}: timeout (ReadTimeout)"
    port = _closed_port()
    with qdrant_stub(port, status=503):
        url = f"http://127.0.0.1:{port}"
        assert error(url) == f"Qdrant unreachable at {url}: HTTP 503 Service Unavailable"


def test_a_server_that_goes_down_and_comes_back_is_pinged_again_without_reopening() -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}"
    backend = QdrantBackend(
        QdrantClient(url=url, timeout=1, check_compatibility=False), "arserve", url
    )
    try:
        with qdrant_stub(port):
            backend.ping()
        with pytest.raises(StoreUnavailableError, match=f"at {url}: connection refused"):
            backend.ping()
        with qdrant_stub(port):
            backend.ping()  # the same client: qdrant-client opens a new connection
    finally:
        backend.close()


def test_records_are_parsed_once_per_stored_version_and_erasure_forgets_them(
    store: RetrievalStore,
) -> None:
    from retrieval.erasure import erase_customer
    from retrieval.records import Invoice

    first = store.records("acme-foods", "C00001", ["invoice"])
    again = store.records("acme-foods", "C00001", ["invoice"])
    assert first and all(a is b for a, b in zip(first, again, strict=True))  # from the cache
    inv = first[0]
    assert isinstance(inv, Invoice)
    store.upsert_records(
        [inv.model_copy(update={"version": inv.version + 1, "po_number": "PO-NEW"})]
    )
    fresh = store.get_record("acme-foods", "invoice", inv.invoice_id)
    assert isinstance(fresh, Invoice) and fresh.po_number == "PO-NEW"  # a new version, parsed
    store.records("acme-foods", "C00002", ["invoice"])
    erase_customer(store, "acme-foods", "C00002")
    assert len(store.record_cache._items) == 0  # nothing erased stays in memory


def test_a_customers_records_are_cached_until_this_process_writes_to_that_customer(
    store: RetrievalStore,
) -> None:
    from retrieval.erasure import erase_customer
    from retrieval.records import Invoice, InvoiceStatus

    assert store.scope_cache is not None  # an Edge shard: this process is its one writer
    first = store.records(A, "C00001", ["invoice"])
    other = store.records(A, "C00002", ["invoice"])
    inv = first[0]
    assert isinstance(inv, Invoice)
    paid = inv.model_copy(update={"version": inv.version + 1, "status": InvoiceStatus.PAID})
    store.upsert_records([paid])
    after = {r.record_id: r for r in store.records(A, "C00001", ["invoice"])}
    assert isinstance(after[inv.record_id], Invoice)
    assert after[inv.record_id].status == "paid"  # read-your-writes through the cache
    assert store.scope_cache.get(A, "C00002", ("invoice",)) == other  # untouched: kept
    erase_customer(store, A, "C00002")
    assert store.records(A, "C00002", ["invoice"]) == []


def test_a_read_overtaken_by_a_write_is_not_kept() -> None:
    from retrieval.record_cache import ScopeCache

    cache = ScopeCache()
    generation = cache.begin()  # a read starts, then a write to another customer lands
    cache.invalidate(A, "C00009")
    cache.put(A, "C00001", None, [], generation)
    assert cache.get(A, "C00001", None) is None
    cache.put(A, "C00001", None, [], cache.begin())
    assert cache.get(A, "C00001", None) == []
    cache.invalidate(A, "C00009")  # another customer's write: this entry stays
    assert cache.get(A, "C00001", None) == []
    cache.invalidate(A, None)  # a tenant-wide record: every customer of the tenant
    assert cache.get(A, "C00001", None) is None


def test_a_qdrant_servers_reads_are_not_cached() -> None:
    assert QdrantBackend.is_sole_writer is False  # other replicas write to the same collection
