"""How a hybrid query's dense and sparse branches are fused, and which fusion a query gets.

Qdrant's own options (the server computes them; the Edge backend fuses its two lists the same
way, as qdrant-client's local mode does): reciprocal rank fusion with a weight per branch
(``1 / ((rank + 1) / weight + k - 1)``) or distribution-based score fusion (each list's scores
mapped from mean +- 3 std onto 0..1, then summed).

The route (measured on the 258 labelled demo queries, benchmarks/reports/retrieval.md): a
query that names ids, amounts or dates goes to the keyword branch alone (hit@1 0.805 there,
dense 0.04: any fusion lets the dense list's near misses, found by both branches, outrank the
exact match); prose goes to plain RRF (0.693, sparse alone 0.636; with the AR glossary's
expansions in the keyword branch, 0.710 and 0.699).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from qdrant_client.http import models as qm

#: qdrant-client's (and the Qdrant server's) RRF constant, so fused ranks match
RRF_K = 2

_NUMBERISH = re.compile(
    r"\b[A-Za-z]{1,6}[-/]?\d{2,}\b"  # INV-100025, PO4711, D-17
    r"|\b\d{1,3}(?:[.,\s]\d{3})*[.,]\d{2}\b"  # 1,234.50  1.234,50
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b"  # dates
    r"|\b\d{4,}\b"
)


@dataclass(frozen=True)
class Fusion:
    method: Literal["rrf", "dbsf"] = "rrf"
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    k: int = RRF_K

    @property
    def is_sparse_only(self) -> bool:
        return self.dense_weight == 0 and self.method == "rrf"

    def query(self) -> qm.FusionQuery | qm.RrfQuery:
        """The Query API's fusion of [dense, sparse] prefetches (in that order)."""
        if self.method == "dbsf":
            return qm.FusionQuery(fusion=qm.Fusion.DBSF)
        if (self.dense_weight, self.sparse_weight, self.k) == (1.0, 1.0, RRF_K):
            return qm.FusionQuery(fusion=qm.Fusion.RRF)
        return qm.RrfQuery(rrf=qm.Rrf(k=self.k, weights=[self.dense_weight, self.sparse_weight]))


PLAIN_RRF = Fusion()
#: ids, amounts, dates: the keyword branch alone (no query embedding either)
NUMBERS = Fusion(dense_weight=0.0)
PROSE = PLAIN_RRF


def names_numbers(text: str) -> bool:
    return _NUMBERISH.search(text) is not None


def route(text: str) -> Fusion:
    """The fusion for one query text (the query-type routing rule)."""
    return NUMBERS if names_numbers(text) else PROSE


def fuse(
    ranked: list[list[qm.ScoredPoint]], query: qm.FusionQuery | qm.RrfQuery, limit: int
) -> list[qm.ScoredPoint]:
    """Fuse prefetch result lists as the Qdrant server would for this fusion query."""
    if isinstance(query, qm.RrfQuery):
        weights = query.rrf.weights
        return rrf(ranked, limit, query.rrf.k if query.rrf.k is not None else RRF_K, weights)
    if query.fusion == qm.Fusion.DBSF:
        return dbsf(ranked, limit)
    return rrf(ranked, limit)


def rrf(
    ranked: list[list[qm.ScoredPoint]],
    limit: int,
    k: int = RRF_K,
    weights: list[float] | None = None,
) -> list[qm.ScoredPoint]:
    """Reciprocal rank fusion as qdrant-client computes it (rank from 0; weight 1 gives
    ``1 / (rank + k)``). Ties keep the order in which the lists first name the points (the
    dense list first), not the order of the point ids."""
    if weights is not None and len(weights) != len(ranked):
        raise ValueError("one RRF weight per prefetch")
    scores: dict[Any, float] = {}
    first: dict[Any, qm.ScoredPoint] = {}
    for i, points in enumerate(ranked):
        weight = weights[i] if weights is not None else 1.0
        for rank, point in enumerate(points):
            first.setdefault(point.id, point)
            add = 0.0 if weight <= 0 else 1.0 / ((rank + 1.0) / weight + k - 1.0)
            scores[point.id] = scores.get(point.id, 0.0) + add
    order = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:limit]
    return [first[pid].model_copy(update={"score": score}) for pid, score in order]


def dbsf(ranked: list[list[qm.ScoredPoint]], limit: int) -> list[qm.ScoredPoint]:
    """Distribution-based score fusion as qdrant-client computes it: each list's scores
    mapped from [mean - 3 std, mean + 3 std] (sample std) onto [0, 1], then summed."""
    scores: dict[Any, float] = {}
    first: dict[Any, qm.ScoredPoint] = {}
    for points in ranked:
        for point, score in zip(points, _normalised([p.score for p in points]), strict=True):
            first.setdefault(point.id, point)
            scores[point.id] = scores.get(point.id, 0.0) + score
    order = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:limit]
    return [first[pid].model_copy(update={"score": score}) for pid, score in order]


def _normalised(values: list[float]) -> list[float]:
    if len(values) < 2:
        return [0.5] * len(values)
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    if variance == 0:
        return [0.5] * len(values)
    low, high = mean - 3 * variance**0.5, mean + 3 * variance**0.5
    return [(v - low) / (high - low) for v in values]
