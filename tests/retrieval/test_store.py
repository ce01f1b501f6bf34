"""The store on its one backend: the location picks it, updates re-file points, and an
embedded store reopened answers as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.backend import open_backend
from retrieval.config import RetrievalConfig
from retrieval.edge_backend import EdgeBackend
from retrieval.errors import StoreUnavailableError
from retrieval.ingest import ingest_path
from retrieval.records import Record
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.store import RetrievalStore

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
