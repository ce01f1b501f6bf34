"""Shared fixtures: one embedding model per session, small generated data, fresh stores."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from collections.abc import Iterator  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from retrieval import demo  # noqa: E402
from retrieval.config import RetrievalConfig  # noqa: E402
from retrieval.embedding import MiniLMEmbedder  # noqa: E402
from retrieval.ingest import ingest_path  # noqa: E402
from retrieval.store import RetrievalStore  # noqa: E402

AS_OF = date(2025, 6, 30)


class CachedEmbedder:
    """The real model, memoised across tests (stores are rebuilt per test)."""

    def __init__(self) -> None:
        self.model = MiniLMEmbedder()
        self.dim = self.model.dim
        self.docs: dict[str, list[float]] = {}
        self.queries: dict[str, list[float]] = {}

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.docs]
        for t, v in zip(todo, self.model.embed_texts(todo), strict=True):
            self.docs[t] = v
        return [self.docs[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        if text not in self.queries:
            self.queries[text] = self.model.embed_query(text)
        return self.queries[text]


@pytest.fixture(scope="session")
def embedder() -> CachedEmbedder:
    return CachedEmbedder()


@pytest.fixture(scope="session")
def small_data() -> demo.DemoData:
    """6 customers (2 per tenant, same ids in every tenant), all record types."""
    return demo.generate(seed=3, as_of=AS_OF, customers=6)


@pytest.fixture(scope="session")
def small_dir(tmp_path_factory: pytest.TempPathFactory, small_data: demo.DemoData) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo.write(small_data, out)
    return out


@pytest.fixture
def empty_store(embedder: CachedEmbedder, tmp_path: Path) -> Iterator[RetrievalStore]:
    cfg = RetrievalConfig(in_memory=True, erasure_log_path=tmp_path / "erasure.jsonl")
    store = RetrievalStore.open(cfg, embedder)
    yield store
    store.close()


@pytest.fixture
def store(empty_store: RetrievalStore, small_dir: Path) -> RetrievalStore:
    report = ingest_path(empty_store, small_dir)
    assert report.ok, report.errors[:3]
    return empty_store
