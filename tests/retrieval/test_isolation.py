"""No query, filter or id reaches another tenant's or another customer's records."""

from __future__ import annotations

import pytest

from retrieval.context import ContextAssembler
from retrieval.errors import InvalidRequestError, NotFoundError
from retrieval.index import SearchMode
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.store import RetrievalStore

A, B = "acme-foods", "atlas-supply"


def _ids(store: RetrievalStore, tenant: str, customer: str, rtype: str) -> list[str]:
    return [r.record_id for r in store.records(tenant, customer, [rtype])]


def test_same_customer_id_exists_in_several_tenants(store: RetrievalStore) -> None:
    a = store.require_customer(A, "C00001")
    b = store.require_customer(B, "C00001")
    assert a.name != b.name  # colliding ids, different customers


def test_queries_never_cross_tenant_or_customer(store: RetrievalStore) -> None:
    retriever = Retriever(store)
    other_invoices = _ids(store, B, "C00001", "invoice")[:3]
    other_disputes = _ids(store, B, "C00001", "dispute")[:2]
    other_name = store.require_customer(B, "C00001").name
    sibling_invoices = _ids(store, A, "C00002", "invoice")[:3]
    queries = [
        "damaged goods credit", "promise to pay", "contract discount", other_name,
        *other_invoices, *other_disputes, *sibling_invoices, "tenant_id atlas-supply",
        f"{B} C00001", "* OR 1=1",
    ]  # fmt: skip
    for q in queries:
        for mode in SearchMode:
            hits = retriever.retrieve(RetrievalRequest(A, q, "C00001", mode=mode, limit=20))
            for h in hits:
                rec = store.get_record(A, h.citation.record_type, h.citation.record_id)
                assert rec is not None and h.customer_id == "C00001", (q, mode, h.citation)
        # tenant-wide search (no customer) stays in the tenant
        for h in retriever.retrieve(RetrievalRequest(A, q, None, limit=20)):
            assert store.get_record(A, h.citation.record_type, h.citation.record_id) is not None


def test_invoice_numbers_colliding_across_tenants_resolve_to_own_tenant(store) -> None:
    inv = _ids(store, A, "C00001", "invoice")[0]
    assert store.get_record(B, "invoice", inv) is not None  # same number exists in B ...
    hits = Retriever(store).retrieve(RetrievalRequest(A, inv, "C00001", limit=3))
    assert hits[0].citation.record_id == inv
    own = store.get_record(A, "invoice", inv)
    assert hits[0].citation.version == own.version  # ... but A gets its own record


def test_user_filters_cannot_override_scope(store: RetrievalStore) -> None:
    retriever = Retriever(store)
    for where in ({"tenant_id": B}, {"customer_id": "C00002"}, {"_node_content": "x"}):
        with pytest.raises(InvalidRequestError):
            retriever.retrieve(RetrievalRequest(A, "invoice", "C00001", where=where))
    with pytest.raises(InvalidRequestError):
        retriever.retrieve(RetrievalRequest("", "invoice"))
    with pytest.raises(InvalidRequestError):
        store.records("acme foods; drop", "C00001")


def test_unknown_and_foreign_customers_are_indistinguishable(store: RetrievalStore) -> None:
    assert store.customer_exists(A, "C00001")
    assert not store.customer_exists(A, "C99999")
    assert not store.customer_exists("no-such-tenant", "C00001")
    messages = set()
    for tenant, customer in ((A, "C99999"), ("no-such-tenant", "C00001")):
        with pytest.raises(NotFoundError) as err:
            store.require_customer(tenant, customer)
        messages.add(str(err.value))
    assert len(messages) == 1


def test_context_rejects_invoices_of_other_customers(store: RetrievalStore) -> None:
    ctx = ContextAssembler(store)
    sibling = _ids(store, A, "C00002", "invoice")[0]
    with pytest.raises(NotFoundError):
        ctx.assemble(A, "C00001", "status", 500, invoice_ids=[sibling])
    foreign_dispute = _ids(store, B, "C00001", "dispute") or ["DSP-1"]
    own = set(_ids(store, A, "C00001", "dispute"))
    if foreign_dispute[0] not in own:
        with pytest.raises(NotFoundError):
            ctx.assemble(A, "C00001", "status", 500, dispute_id=foreign_dispute[0])
    block = ctx.assemble(A, "C00001", f"{sibling} damaged", 4000)
    b_name = store.require_customer(B, "C00001").name
    assert b_name not in block.text
    for c in block.citations:
        assert store.get_record(A, c.record_type, c.record_id) is not None
