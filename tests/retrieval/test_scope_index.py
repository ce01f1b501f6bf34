"""The embedded scope index: scoped reads over a tenant's/customer's points give the same
answers as local mode's full scans (what a Qdrant server computes with its payload indexes),
stay fresh after writes, and never widen the scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.config import RetrievalConfig
from retrieval.index import SearchMode
from retrieval.ingest import ingest_path
from retrieval.records import Record
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.scope_index import LocalScopeIndex
from retrieval.store import RetrievalStore

A, B = "acme-foods", "atlas-supply"
PASSAGES = ["contract_clause", "collection_note", "correspondence", "dispute", "credit_memo"]
QUERIES = ["goods arrived damaged", "promise to pay", "early payment discount", "remittance"]


@contextmanager
def full_scans(store: RetrievalStore) -> Iterator[None]:
    """Reads as local mode does them without the index: every point checked."""
    saved, store.scopes = store.scopes, None
    try:
        yield
    finally:
        store.scopes = saved


def _hits(store: RetrievalStore, *args, **kwargs) -> list[tuple[str, float]]:
    return [(h.citation.id, round(h.score, 5)) for h in store.search(*args, **kwargs)]


def _same_ranking(fast: list[tuple[str, float]], full: list[tuple[str, float]]) -> None:
    """Equal scores position by position, and equal ids wherever a score is not tied.

    Brute force breaks ties by slot order, which a narrower scan need not share; in hybrid
    mode a tie inside a branch also decides which of the tied points gets which fused score.
    """
    assert [s for _, s in fast] == [s for _, s in full]
    counts: dict[float, int] = {}
    for _, s in full:
        counts[s] = counts.get(s, 0) + 1
    cut = full[-1][1] if full else None  # a tie across the cut may let another member in
    for (cid, s), (full_cid, _) in zip(fast, full, strict=True):
        if counts[s] == 1 and s != cut:
            assert cid == full_cid, (cid, full_cid, s)


def test_store_uses_scope_index_in_embedded_and_memory_mode(store: RetrievalStore) -> None:
    assert store.scopes is not None
    slots = store.scopes.slots(A, "C00001")
    assert len(slots) == store.count(A, "C00001", exhaustive=True) > 0
    assert len(slots) < store.total_points() / 4  # a customer's points, not the collection


def test_scoped_reads_equal_full_scans(store: RetrievalStore, embedder) -> None:
    scopes = [
        (A, "C00001", None, None), (A, "C00002", PASSAGES, None), (B, "C00001", None, None),
        (A, None, None, None), (B, None, ["invoice", "dispute"], None),
        (A, "C00001", ["invoice"], {"status": ["open", "paid"]}),
        ("no-such-tenant", None, None, None), (A, "C99999", None, None),
    ]  # fmt: skip
    for tenant, customer, types, where in scopes:
        fast_records = store.scroll_payloads(tenant, customer, types, where)
        fast_chunks = store.scroll_payloads(tenant, customer, types, where, False)
        fast_count = store.count(tenant, customer)
        with full_scans(store):
            assert fast_records == store.scroll_payloads(tenant, customer, types, where)
            assert fast_chunks == store.scroll_payloads(tenant, customer, types, where, False)
            assert fast_count == store.count(tenant, customer)
        for q in QUERIES:
            dense = embedder.embed_query(q)
            tied = False
            for mode in (SearchMode.DENSE, SearchMode.SPARSE):
                for limit in (10, 30):  # 30: the candidates each hybrid branch fuses
                    args = (tenant, q, customer, types, where, mode, limit, dense)
                    fast = _hits(store, *args)
                    with full_scans(store):
                        full = _hits(store, *args)
                    _same_ranking(fast, full)
                    tied |= len({s for _, s in full}) < len(full)
            args = (tenant, q, customer, types, where, SearchMode.HYBRID, 10, dense)
            fast = _hits(store, *args)
            with full_scans(store):
                full = _hits(store, *args)
            if not tied:  # with ties in a branch, fused scores depend on tie order
                assert fast == full
            assert len(fast) == len(full)


def test_exact_id_lookups_equal_full_scans(store: RetrievalStore) -> None:
    retriever = Retriever(store)
    invoices = [r.record_id for r in store.records(A, "C00001", ["invoice"])][:3]
    other = [r.record_id for r in store.records(B, "C00002", ["invoice"])][:2]
    for q in [*invoices, *other, " ".join(invoices)]:
        for customer in ("C00001", None):
            req = RetrievalRequest(A, q, customer, mode=SearchMode.SPARSE, limit=5)
            fast = [h.citation.id for h in retriever.exact_matches(req)]
            with full_scans(store):
                assert fast == [h.citation.id for h in retriever.exact_matches(req)]


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

    def owners() -> set[tuple[str | None, str]]:
        return {(r.owner_customer_id, r.record_id) for r in store.records(A, None, ["invoice"])}

    fast = owners()
    with full_scans(store):
        assert fast == owners()
        assert store.count(A, "C00001") == store.count(A, "C00001", exhaustive=True)


def test_switch_off_and_server_clients_scan_as_before(
    embedder, small_dir: Path, tmp_path: Path
) -> None:
    cfg = RetrievalConfig(in_memory=True, scope_index=False)
    with RetrievalStore.open(cfg, embedder) as plain:
        assert plain.scopes is None
        ingest_path(plain, small_dir / "customers.jsonl")
        assert plain.customer_exists(A, "C00001")
        assert [p["record_id"] for p in plain.scroll_payloads(A, None, ["customer"])]

    class ServerLike:  # a remote client has no local collections
        _client = object()

    assert LocalScopeIndex.attach(ServerLike(), "arserve") is None  # type: ignore[arg-type]


def test_embedded_store_reopened_rebuilds_the_index(
    embedder, small_dir: Path, tmp_path: Path
) -> None:
    cfg = RetrievalConfig(qdrant_path=tmp_path / "q")
    with RetrievalStore.open(cfg, embedder) as st:
        ingest_path(st, small_dir)
        before = _hits(st, A, "damaged goods", "C00001", dense=embedder.embed_query("damaged"))
    with RetrievalStore.open(cfg, embedder) as st:
        assert st.scopes is not None
        after = _hits(st, A, "damaged goods", "C00001", dense=embedder.embed_query("damaged"))
        with full_scans(st):
            full = _hits(st, A, "damaged goods", "C00001", dense=embedder.embed_query("damaged"))
    _same_ranking(after, full)
    _same_ranking(after, before)
