"""qdrant-client's public models as Qdrant Edge's, and Edge's results back.

The store speaks qdrant-client's models (``retrieval.filters``, ``retrieval.index``) on every
backend; the Edge backend translates the few shapes it uses here: filters of keyword and
integer matches (nested ``must``/``should``/``must_not``), points with a named dense and a
named sparse vector, and ``query_points`` requests of one nearest query or a fusion of
prefetches (run as one batch, fused by ``retrieval.fusion.fuse``). Anything else is a
programming error and raises ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import qdrant_edge as qe
from qdrant_client.http import models as qm


def edge_filter(flt: qm.Filter | None) -> qe.Filter | None:
    if flt is None:
        return None
    return qe.Filter(
        must=_conditions(flt.must), should=_conditions(flt.should),
        must_not=_conditions(flt.must_not),
    )  # fmt: skip


def _conditions(conds: Any) -> list[Any] | None:
    if conds is None:
        return None
    items = conds if isinstance(conds, list) else [conds]
    return [_condition(c) for c in items]


def _condition(cond: Any) -> Any:
    if isinstance(cond, qm.Filter):
        return edge_filter(cond)
    if isinstance(cond, qm.FieldCondition):
        if isinstance(cond.match, qm.MatchValue):
            return qe.FieldCondition(cond.key, match=qe.MatchValue(cond.match.value))
        if isinstance(cond.match, qm.MatchAny):
            values: list[Any] = list(cond.match.any)
            return qe.FieldCondition(cond.key, match=qe.MatchAny(values))
    raise TypeError(f"condition not supported by the Edge backend: {cond!r}")


def edge_point(point: qm.PointStruct) -> qe.Point:
    if not isinstance(point.vector, dict):
        raise TypeError("points carry named vectors")
    vector: dict[str, Any] = {}
    for name, value in point.vector.items():
        if isinstance(value, qm.SparseVector):
            vector[name] = qe.SparseVector(list(value.indices), list(value.values))
        elif isinstance(value, list):
            vector[name] = value
        else:
            raise TypeError(f"vector {name!r} of type {type(value).__name__} not supported")
    return qe.Point(str(point.id), vector, point.payload)


def edge_payload(with_payload: bool | Sequence[str]) -> bool | list[str]:
    return with_payload if isinstance(with_payload, bool) else list(with_payload)


def edge_queries(request: dict[str, Any]) -> list[qe.QueryRequest]:
    """Edge requests from ``retrieval.index.search_request``'s ``query_points`` arguments: the
    one nearest query, or for a fusion one request per prefetch (fused by ``fusion.fuse``)."""
    query = request["query"]
    payload = edge_payload(request.get("with_payload", True))
    if not isinstance(query, (qm.FusionQuery, qm.RrfQuery)):
        return [
            qe.QueryRequest(
                limit=request["limit"], query=_nearest(query, request.get("using")),
                filter=edge_filter(request.get("query_filter")), with_payload=payload,
                with_vector=False,
            )
        ]  # fmt: skip
    return [
        qe.QueryRequest(
            limit=p.limit, query=_nearest(p.query, p.using), filter=edge_filter(p.filter),
            with_payload=payload, with_vector=False,
        )
        for p in request["prefetch"]
    ]  # fmt: skip


def _nearest(query: Any, using: str | None) -> qe.Query:
    if not isinstance(query, qm.NearestQuery):
        raise TypeError(f"query {query!r} not supported")
    vec = query.nearest
    if isinstance(vec, qm.SparseVector):
        return qe.Query.Nearest(qe.SparseVector(list(vec.indices), list(vec.values)), using=using)
    if isinstance(vec, list):
        return qe.Query.Nearest(vec, using=using)  # type: ignore[arg-type]
    raise TypeError(f"query vector of type {type(vec).__name__} not supported")


def client_record(rec: qe.Record) -> qm.Record:
    return qm.Record(id=str(rec.id), payload=rec.payload)


def client_scored(point: qe.ScoredPoint) -> qm.ScoredPoint:
    return qm.ScoredPoint(
        id=str(point.id), version=point.version, score=point.score, payload=point.payload
    )


def client_offset(offset: Any) -> str | int | None:
    if offset is None or isinstance(offset, int):
        return offset
    return str(offset)
