"""The direct query path gives the wrapper's vector (same model, same pooling)."""

from __future__ import annotations

import math

from retrieval.embedding import MiniLMEmbedder


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
