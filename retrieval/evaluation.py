"""IR evaluation of the labelled query set: hit@1, hit@5, MRR and nDCG@10 per search mode."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from retrieval.fusion import Fusion
from retrieval.index import SearchMode
from retrieval.retriever import RetrievalRequest, Retriever

K = 10
_PLAIN, _DBSF = Fusion(), Fusion("dbsf")
#: (name, mode, fusion (None: the query-type route), structured matches first: ids named,
#: then the hits whose fields answer a concept the query names)
MODES: list[tuple[str, SearchMode, Fusion | None, bool]] = [
    ("dense", SearchMode.DENSE, None, False),
    ("sparse", SearchMode.SPARSE, None, False),
    ("hybrid-rrf", SearchMode.HYBRID, _PLAIN, False),
    ("hybrid-rrf-w1:3", SearchMode.HYBRID, Fusion(sparse_weight=3.0), False),
    ("hybrid-dbsf", SearchMode.HYBRID, _DBSF, False),
    ("hybrid-routed", SearchMode.HYBRID, None, False),
    ("hybrid-rrf+struct", SearchMode.HYBRID, _PLAIN, True),
    ("routed+struct", SearchMode.HYBRID, None, True),
]


@dataclass
class Scores:
    name: str
    n: int = 0
    hit1: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0
    ndcg10: float = 0.0

    def row(self) -> str:
        return (
            f"| {self.name:<17} | {self.n:>4} | {self.hit1:.3f} | {self.hit5:.3f} | "
            f"{self.mrr:.3f} | {self.ndcg10:.3f} |"
        )


HEADER = "| mode              |    n | hit@1 | hit@5 |   MRR | nDCG@10 |\n|---|---|---|---|---|---|"


def score_ranking(ranked: Sequence[str], relevant: set[str]) -> tuple[float, float, float, float]:
    """(hit@1, hit@5, reciprocal rank, nDCG@10) of one ranked list of ``type:id`` keys."""
    hit1 = float(bool(ranked[:1]) and ranked[0] in relevant)
    hit5 = float(any(r in relevant for r in ranked[:5]))
    rr = next((1.0 / (i + 1) for i, r in enumerate(ranked) if r in relevant), 0.0)
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(ranked[:K]) if r in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), K)))
    return hit1, hit5, rr, (dcg / ideal if ideal else 0.0)


def evaluate(
    retriever: Retriever,
    queries: list[dict[str, Any]],
    progress: Callable[[str], None] | None = None,
) -> list[Scores]:
    """Runs every query in each of MODES; the last is the production path."""
    embed = retriever.store.embedder.embed_query
    vectors = [embed(q["query"]) for q in queries]
    results = []
    for name, mode, fusion, exact in MODES:
        sc = Scores(name)
        for q, vec in zip(queries, vectors, strict=True):
            req = RetrievalRequest(q["tenant_id"], q["query"], q["customer_id"], mode=mode,
                                   limit=K, structured=exact, fusion=fusion)  # fmt: skip
            hits = retriever.retrieve(req, dense=vec)
            ranked = [f"{h.citation.record_type}:{h.citation.record_id}" for h in hits]
            h1, h5, rr, nd = score_ranking(ranked, set(q["relevant"]))
            sc.n += 1
            sc.hit1 += h1
            sc.hit5 += h5
            sc.mrr += rr
            sc.ndcg10 += nd
        if sc.n:
            sc.hit1, sc.hit5, sc.mrr, sc.ndcg10 = (
                x / sc.n for x in (sc.hit1, sc.hit5, sc.mrr, sc.ndcg10)
            )
        results.append(sc)
        if progress:
            progress(sc.row())
    return results
