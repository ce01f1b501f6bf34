"""RecordWriter: one result per row, versioned upsert, tenant and customer checks, crash safety."""

from __future__ import annotations

from typing import Any

import pytest

from retrieval.citations import point_uuid
from retrieval.erasure import erase_customer
from retrieval.store import RetrievalStore
from retrieval.writes import RecordWriter, counts

T, OTHER = "t-writes", "t-other"


def _customer(cid: str, tenant: str | None = None, **kw: Any) -> dict[str, Any]:
    row = {"record_type": "customer", "customer_id": cid, "name": f"Customer {cid}", **kw}
    return {**row, "tenant_id": tenant} if tenant else row


def _invoice(iid: str, cid: str, version: int = 1, open_amount: str = "100.00") -> dict[str, Any]:
    return {
        "record_type": "invoice", "invoice_id": iid, "customer_id": cid, "version": version,
        "issue_date": "2025-01-01", "due_date": "2025-01-31", "currency": "EUR",
        "gross_amount": "100.00", "open_amount": open_amount,
    }  # fmt: skip


def _clause(version: int, words: int) -> dict[str, Any]:
    body = " ".join(f"Clause sentence number {i} about payment terms." for i in range(words // 7))
    return {
        "record_type": "contract_clause", "clause_id": "CL-1", "customer_id": "C1",
        "contract_id": "K-1", "title": "Payment terms", "text": body, "version": version,
    }  # fmt: skip


def test_one_result_per_row_in_order(empty_store: RetrievalStore) -> None:
    writer = RecordWriter(empty_store)
    rows: list[object] = [
        _customer("C1"),
        _invoice("INV-1", "C1"),
        "not an object",
        {**_invoice("INV-2", "C1"), "gross_amount": "abc"},
        _invoice("INV-3", "C404"),
        {"invoice_id": "INV-4"},
    ]
    results = writer.write(rows, T)
    assert [r.index for r in results] == list(range(len(rows)))
    assert [r.status for r in results] == [
        "ok", "ok", "invalid", "invalid", "not_found", "invalid"
    ]  # fmt: skip
    assert results[0].action == "inserted" and results[1].record == "invoice:INV-1@v1"
    assert results[3].field == "gross_amount" and "abc" not in (results[3].reason or "")
    assert results[4].field == "customer_id"
    assert results[5].field == "record_type"
    assert counts(results) == {
        "ok": 2, "unchanged": 0, "stale": 0, "invalid": 3, "not_found": 1, "suppressed": 0
    }  # fmt: skip
    # the bad rows wrote nothing; the good ones are readable at once
    assert empty_store.get_record(T, "invoice", "INV-1") is not None
    assert empty_store.get_record(T, "invoice", "INV-2") is None
    assert empty_store.get_record(T, "invoice", "INV-3") is None


def test_versions_same_is_a_no_op_higher_replaces_lower_is_stale(
    empty_store: RetrievalStore,
) -> None:
    writer = RecordWriter(empty_store)
    writer.write([_customer("C1"), _invoice("INV-1", "C1", 2)], T)
    again = writer.write([_invoice("INV-1", "C1", 2)], T)
    assert again[0].status == "unchanged"
    conflict = writer.write([_invoice("INV-1", "C1", 2, open_amount="0.00")], T)
    assert (conflict[0].status, conflict[0].field) == ("invalid", "version")
    older = writer.write([_invoice("INV-1", "C1", 1, open_amount="0.00")], T)
    assert older[0].status == "stale"
    paid = writer.write([_invoice("INV-1", "C1", 3, open_amount="0.00")], T)
    assert (paid[0].status, paid[0].action) == ("ok", "updated")
    stored = empty_store.get_record(T, "invoice", "INV-1")
    assert stored is not None and stored.version == 3
    assert str(stored.open_amount) == "0.00"


def test_the_batch_resolves_its_own_duplicates(empty_store: RetrievalStore) -> None:
    writer = RecordWriter(empty_store)
    results = writer.write(
        [
            _customer("C1"),
            _invoice("INV-1", "C1", 1),
            _invoice("INV-1", "C1", 2),
            _invoice("INV-1", "C1", 2),
            _invoice("INV-1", "C1", 2, open_amount="1.00"),
        ],
        T,
    )
    assert [r.status for r in results] == ["ok", "stale", "ok", "unchanged", "invalid"]
    stored = empty_store.get_record(T, "invoice", "INV-1")
    assert stored is not None and stored.version == 2


def test_tenant_comes_from_the_writer_and_another_tenants_customer_is_unknown(
    empty_store: RetrievalStore,
) -> None:
    writer = RecordWriter(empty_store)
    writer.write([_customer("C1")], OTHER)
    results = writer.write(
        [_customer("C2", tenant=OTHER), _invoice("INV-1", "C1"), _invoice("INV-2", "C404")], T
    )
    assert (results[0].status, results[0].field) == ("invalid", "tenant_id")
    # the other tenant's C1 and a C404 that exists nowhere answer alike
    assert [(r.status, r.field, r.reason) for r in results[1:]] == [
        ("not_found", "customer_id", results[2].reason)
    ] * 2
    assert empty_store.count(OTHER) == 1 and empty_store.count(T) == 0


def test_rows_of_an_erased_customer_are_skipped(empty_store: RetrievalStore) -> None:
    writer = RecordWriter(empty_store)
    writer.write([_customer("C1"), _invoice("INV-1", "C1")], T)
    erase_customer(empty_store, T, "C1")
    results = writer.write([_customer("C1"), _invoice("INV-2", "C1")], T)
    assert [r.status for r in results] == ["suppressed", "suppressed"]
    assert empty_store.count(T) == 0


def test_a_crash_before_the_head_chunk_is_rewritten_on_retry(
    empty_store: RetrievalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = RecordWriter(empty_store)
    writer.write([_customer("C1"), _clause(1, 700)], T)
    old_chunks = _chunks(empty_store)
    assert len(old_chunks) >= 3 and set(old_chunks.values()) == {1}
    real = empty_store._upsert_points
    calls: list[int] = []

    def crash_on_heads(points: list) -> None:
        calls.append(len(points))
        if len(calls) == 2:  # the other chunks are written; the heads are not
            raise KeyboardInterrupt("killed")
        real(points)

    monkeypatch.setattr(empty_store, "_upsert_points", crash_on_heads)
    with pytest.raises(KeyboardInterrupt):
        writer.write([_clause(2, 350)], T)
    monkeypatch.setattr(empty_store, "_upsert_points", real)
    assert _chunks(empty_store)[0] == 1  # the old head: the record reads as version 1
    retry = writer.write([_clause(2, 350)], T)
    assert (retry[0].status, retry[0].action) == ("ok", "updated")
    new_chunks = _chunks(empty_store)
    assert set(new_chunks.values()) == {2} and len(new_chunks) < len(old_chunks)


def _chunks(store: RetrievalStore) -> dict[int, int]:
    """chunk index -> version of every point of clause CL-1."""
    ids = [point_uuid(T, "contract_clause", "CL-1", i) for i in range(20)]
    points = store.backend.retrieve(ids, ["chunk", "version"])
    return {int(p.payload["chunk"]): int(p.payload["version"]) for p in points if p.payload}
