from __future__ import annotations

import pytest

from retrieval.context import ContextAssembler
from retrieval.erasure import erase_customer
from retrieval.errors import NotFoundError
from retrieval.index import SearchMode
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.store import RetrievalStore

A, B = "acme-foods", "atlas-supply"


def test_erasure_removes_everything_and_reports(store: RetrievalStore) -> None:
    customer = store.require_customer(A, "C00001")
    n_points = store.count(A, "C00001")
    others = {(t, c): store.count(t, c) for t in (A, B) for c in ("C00001", "C00002")}
    report = erase_customer(store, A, "C00001")
    assert report.verified and report.remaining == 0
    assert report.points_deleted == n_points and sum(report.records.values()) == n_points
    assert report.records["customer"] == 1 and report.records["invoice"] > 0
    assert store.count(A, "C00001") == 0
    assert not store.customer_exists(A, "C00001")
    for mode in SearchMode:
        req = RetrievalRequest(A, f"{customer.name} invoice dispute", None, mode=mode, limit=50)
        assert all(h.customer_id != "C00001" for h in Retriever(store).retrieve(req))
    with pytest.raises(NotFoundError):
        ContextAssembler(store).assemble(A, "C00001", "balance", 500)
    for (t, c), n in others.items():  # nobody else lost anything
        if (t, c) != (A, "C00001"):
            assert store.count(t, c) == n
    log_text = store.config.erasure_log_path.read_text()
    assert "C00001" not in log_text and customer.name not in log_text
    for contact in customer.contacts:
        assert contact.name not in log_text and (contact.email or "@@") not in log_text
    assert report.customer_ref in log_text


def test_erasing_unknown_or_foreign_customer_is_not_found(store: RetrievalStore) -> None:
    with pytest.raises(NotFoundError):
        erase_customer(store, A, "C99999")
    with pytest.raises(NotFoundError):
        erase_customer(store, "no-such-tenant", "C00001")
    assert store.customer_exists(A, "C00001")
