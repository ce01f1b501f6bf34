from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.config import RetrievalConfig
from retrieval.errors import ConfigError, StoreUnavailableError
from retrieval.ingest import ingest_path
from retrieval.store import RetrievalStore


def test_embedded_store_persists_and_locks(tmp_path: Path, small_dir: Path, embedder) -> None:
    cfg = RetrievalConfig(qdrant_path=tmp_path / "q")
    with RetrievalStore.open(cfg, embedder) as store:
        ingest_path(store, small_dir / "customers.jsonl")
        with pytest.raises(StoreUnavailableError):
            RetrievalStore.open(cfg, embedder)  # one client per folder
    with RetrievalStore.open(cfg, embedder) as store:
        assert store.customer_exists("acme-foods", "C00001")


def test_location_is_required() -> None:
    with pytest.raises(ConfigError):
        RetrievalStore.open(RetrievalConfig())
