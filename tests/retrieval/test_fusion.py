"""Fusion as qdrant-client computes it, and the query-type route."""

from __future__ import annotations

import random

import pytest
from qdrant_client.http import models as qm
from qdrant_client.hybrid.fusion import distribution_based_score_fusion, reciprocal_rank_fusion

from retrieval.fusion import NUMBERS, PROSE, Fusion, dbsf, fuse, names_numbers, route, rrf
from retrieval.index import SearchMode
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.sparse import canonical_amounts, doc_vector, query_vector, term_index
from retrieval.store import RetrievalStore


def _lists(seed: int) -> list[list[qm.ScoredPoint]]:
    rng = random.Random(seed)
    out = []
    for _ in range(2):
        ids = rng.sample(range(40), 15)
        scores = sorted((rng.random() * 10 for _ in ids), reverse=True)
        out.append(
            [qm.ScoredPoint(id=i, version=0, score=s) for i, s in zip(ids, scores, strict=True)]
        )
    return out


def _copy(lists: list[list[qm.ScoredPoint]]) -> list[list[qm.ScoredPoint]]:
    return [[p.model_copy() for p in ps] for ps in lists]


@pytest.mark.parametrize("seed", range(5))
def test_rrf_and_dbsf_match_qdrant_client(seed: int) -> None:
    lists = _lists(seed)
    for k, weights in ((2, None), (2, [1.0, 3.0]), (10, [0.5, 1.0])):
        ours = rrf(_copy(lists), 10, k, weights)
        theirs = reciprocal_rank_fusion(_copy(lists), 10, k, weights)
        assert [round(p.score, 12) for p in ours] == [round(p.score, 12) for p in theirs]
        assert {p.id for p in ours} == {p.id for p in theirs}
    ours = dbsf(_copy(lists), 10)
    theirs = distribution_based_score_fusion(_copy(lists), 10)
    assert [round(p.score, 12) for p in ours] == [round(p.score, 12) for p in theirs]


def test_fuse_reads_the_query_api_fusion() -> None:
    lists = _lists(9)
    weighted = Fusion(sparse_weight=3.0).query()
    assert isinstance(weighted, qm.RrfQuery) and weighted.rrf.weights == [1.0, 3.0]
    assert fuse(_copy(lists), weighted, 5) == rrf(_copy(lists), 5, 2, [1.0, 3.0])
    assert fuse(_copy(lists), Fusion("dbsf").query(), 5) == dbsf(_copy(lists), 5)
    assert Fusion().query() == qm.FusionQuery(fusion=qm.Fusion.RRF)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("status of INV-100025", True),
        ("po4711 short shipped", True),
        ("they paid 1.234,50 instead of 1.300,00", True),
        ("payment received on 2026-03-01?", True),
        ("Zahlung vom 01.03.2026", True),
        ("customer says delivery never showed up", False),
        ("may the customer deduct allowances under the contract", False),
    ],
)
def test_route(text: str, numbers: bool) -> None:
    assert names_numbers(text) is numbers
    assert route(text) == (NUMBERS if numbers else PROSE)


class NoEmbedding:
    dim = 384

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError("no document is written here")

    def embed_query(self, text: str) -> list[float]:
        raise AssertionError(f"a numbers query needs no embedding: {text!r}")


def test_a_numbers_query_goes_to_the_keyword_branch_without_an_embedding(
    store: RetrievalStore,
) -> None:
    invoice = next(r for r in store.records("acme-foods", "C00001", ("invoice",)) if r.record_id)
    store._embedder = NoEmbedding()  # type: ignore[assignment]
    req = RetrievalRequest("acme-foods", f"what about {invoice.record_id}", "C00001",
                           mode=SearchMode.HYBRID, structured=False)  # fmt: skip
    hits = Retriever(store).retrieve(req)
    assert hits and hits[0].citation.record_id == invoice.record_id


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("34.744,06 Zahlung", ["34744.06"]),
        ("EUR 16,385.07", ["16385.07"]),
        ("16 385,07 reçu", ["16385.07"]),
        ("5654,56", ["5654.56"]),
        ("34744.06 EUR", []),  # already the records' notation
        ("1.234.567 units", []),
        ("payment 1,234", []),
    ],
)
def test_amounts_are_searched_in_the_records_notation(text: str, amounts: list[str]) -> None:
    assert canonical_amounts(text) == amounts
    if amounts:
        idx, _ = query_vector(text)
        assert term_index(amounts[0]) in idx  # the records' own token for the amount
        assert term_index(amounts[0]) in doc_vector(f"Payment of {amounts[0]} EUR")[0]
