"""The direct query path gives the wrapper's vector (same model, same pooling)."""

from __future__ import annotations

import math

from retrieval.embedding import MiniLMEmbedder, _frozen


def test_direct_query_path_matches_the_wrapper() -> None:
    model = MiniLMEmbedder()
    assert model._query_path is not None  # the shipped model has the layout it expects
    for text in ["open invoices", "Rechnung INV-100025 überfällig, bitte prüfen", "word " * 400]:
        direct = model.embed_query(text)
        wrapped = model._model.get_query_embedding(text)
        assert len(direct) == model.dim
        assert math.isclose(sum(a * b for a, b in zip(direct, wrapped, strict=True)), 1.0,
                            abs_tol=1e-5)  # fmt: skip
        assert max(abs(a - b) for a, b in zip(direct, wrapped, strict=True)) < 1e-5
    st = model._model._model
    assert _frozen(st[0].auto_model, st.tokenizer).__name__ == "traced"  # not the eager fallback


class CountingEmbedder:
    dim = 384

    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        return [[1.0] + [0.0] * 383 for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return [1.0] + [0.0] * 383


def test_query_vectors_are_cached_and_an_erasure_drops_them(store) -> None:
    from retrieval.erasure import erase_customer

    counting = CountingEmbedder()
    store._embedder = counting
    store.embed_cache.clear()
    for _ in range(3):
        store.search("acme-foods", "customer says goods arrived damaged", "C00001")
    assert counting.queries == ["customer says goods arrived damaged"]
    erase_customer(store, "acme-foods", "C00002")
    store.search("acme-foods", "customer says goods arrived damaged", "C00001")
    assert len(counting.queries) == 2
