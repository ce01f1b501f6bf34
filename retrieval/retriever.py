"""Tenant-scoped retrieval: structured matches (ids named, facts asked for) first, then hybrid
(dense + sparse) hits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qdrant_client.http import models as qm

from retrieval.errors import InvalidRequestError, RetrievalError
from retrieval.filters import check_id, scope_filter
from retrieval.fusion import Fusion
from retrieval.glossary import concepts
from retrieval.index import SearchMode, payload_text
from retrieval.results import Hit, hit_of
from retrieval.store import RetrievalStore

MAX_QUERY_CHARS = 2000
_IDISH = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/\-]*\d[A-Za-z0-9_/\-]*|\d{4,}")


def id_candidates(text: str) -> list[str]:
    """Tokens in a query that look like invoice, PO, dispute or payment numbers."""
    out = []
    for tok in _IDISH.findall(text):
        tok = tok.strip("-_/")
        if len(tok) >= 4 and any(c.isdigit() for c in tok) and not re.fullmatch(r"\d{1,2}", tok):
            out.append(tok)
            if tok.upper() != tok:
                out.append(tok.upper())
    return list(dict.fromkeys(out))[:20]


@dataclass
class RetrievalRequest:
    tenant_id: str
    query: str
    customer_id: str | None = None
    record_types: Sequence[str] | None = None
    where: dict[str, Any] | None = None
    mode: SearchMode = SearchMode.HYBRID
    limit: int = 10
    #: structured matches first: records named by number, then hits whose fields answer a
    #: concept the query names (Record.facts)
    structured: bool = True
    fusion: Fusion | None = None  # hybrid only; None: the query-type route (retrieval.fusion)


@dataclass
class Retriever:
    store: RetrievalStore

    def retrieve(self, request: RetrievalRequest, dense: list[float] | None = None) -> list[Hit]:
        """Checks the request and returns hits of the caller's tenant only.

        ``dense`` is an already computed query embedding (evaluation reuses one per query).
        """
        self._check(request)
        return self._retrieve(request, dense)

    def _check(self, request: RetrievalRequest) -> None:
        check_id(request.tenant_id, "tenant id")
        if request.customer_id is not None:
            check_id(request.customer_id, "customer id")
        if not isinstance(request.query, str) or not request.query.strip():
            raise InvalidRequestError("query text is empty")
        if len(request.query) > MAX_QUERY_CHARS:
            raise InvalidRequestError(f"query longer than {MAX_QUERY_CHARS} characters")
        if not 1 <= request.limit <= 100:
            raise InvalidRequestError("limit must be between 1 and 100")
        request.mode = SearchMode(request.mode)

    def _retrieve(self, request: RetrievalRequest, dense: list[float] | None) -> list[Hit]:
        exact = self.exact_matches(request) if request.structured else []
        ranked = self.store.search(
            request.tenant_id, request.query, request.customer_id, request.record_types,
            request.where, request.mode, request.limit, dense, request.fusion,
        )  # fmt: skip
        named = concepts(request.query) if request.structured else set()
        if named:
            # a hit whose structured fields answer what the query names (a promise date for
            # "did they commit to a date") goes ahead of hits that only share its words
            ranked = sorted(ranked, key=lambda h: not named.intersection(h.facts))
        seen = {h.citation.id for h in exact}
        merged = exact + [h for h in ranked if h.citation.id not in seen]
        return merged[: request.limit]

    def exact_matches(self, request: RetrievalRequest) -> list[Hit]:
        ids = id_candidates(request.query)
        if not ids:
            return []
        flt = scope_filter(
            request.tenant_id, request.customer_id, request.record_types, request.where
        )
        assert isinstance(flt.must, list)  # scope_filter always builds a list
        flt.must.append(
            qm.Filter(
                should=[
                    qm.FieldCondition(key="record_id", match=qm.MatchAny(any=ids)),
                    qm.FieldCondition(key="po_number", match=qm.MatchAny(any=ids)),
                ]
            )
        )
        flt.must.append(qm.FieldCondition(key="chunk", match=qm.MatchValue(value=0)))
        payloads = self.store.scroll_filter(flt, request.tenant_id, request.customer_id, 20)
        order = {v: i for i, v in enumerate(ids)}

        def rank(p: dict[str, Any]) -> int:
            return min(order.get(p.get("record_id", ""), 99), order.get(p.get("po_number", ""), 99))

        return [hit_of(p, 1.0, payload_text(p)) for p in sorted(payloads, key=rank)]


__all__ = ["Retriever", "RetrievalRequest", "RetrievalError", "id_candidates"]
