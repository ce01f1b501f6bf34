from __future__ import annotations

import json
from pathlib import Path

from retrieval.ingest import ingest_path
from retrieval.store import RetrievalStore


def _write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_demo_folder_lands_completely(store: RetrievalStore, small_data) -> None:
    assert store.total_points() == small_data.count()


def test_rerun_is_idempotent(store: RetrievalStore, small_dir: Path, small_data) -> None:
    report = ingest_path(store, small_dir)
    assert report.written.inserted == report.written.updated == 0
    assert report.written.unchanged == small_data.count()
    assert store.total_points() == small_data.count()


def test_bad_rows_are_reported_and_good_rows_land(empty_store: RetrievalStore, tmp_path: Path):
    _write_jsonl(tmp_path / "customers.jsonl", [
        {"tenant_id": "t1", "customer_id": "C1", "name": "Good One"},
        "{not json",
        {"tenant_id": "t1", "customer_id": "C2"},  # name missing
        {"tenant_id": "t1", "customer_id": "C3", "name": "Good Two", "risk_class": "extreme"},
        {"tenant_id": "t1", "customer_id": "C4", "name": "Good Three"},
    ])  # fmt: skip
    (tmp_path / "invoices.csv").write_text(
        "tenant_id,invoice_id,customer_id,issue_date,due_date,currency,gross_amount,open_amount\n"
        "t1,INV-1,C1,2025-01-01,2025-01-31,EUR,100.00,100.00\n"
        "t1,INV-2,C1,2025-01-01,2024-01-31,EUR,100.00,100.00\n"
        "t1,INV-3,C9,2025-01-01,2025-01-31,EUR,100.00,100.00\n"
        "t1,INV-4,C4,2025-01-01,2025-01-31,EUR,abc,100.00\n"
    )
    report = ingest_path(empty_store, tmp_path)
    bad = {(Path(e.file).name, e.line): e.reason for e in report.errors}
    assert set(bad) == {
        ("customers.jsonl", 2), ("customers.jsonl", 3), ("customers.jsonl", 4),
        ("invoices.csv", 3), ("invoices.csv", 4), ("invoices.csv", 5),
    }  # fmt: skip
    assert "invalid JSON" in bad[("customers.jsonl", 2)]
    assert "name" in bad[("customers.jsonl", 3)]
    assert "due_date" in bad[("invoices.csv", 3)]
    assert "customer_id unknown" in bad[("invoices.csv", 4)]
    assert "gross_amount" in bad[("invoices.csv", 5)]
    assert report.written.inserted == 3
    assert empty_store.customer_exists("t1", "C1") and empty_store.customer_exists("t1", "C4")
    assert empty_store.get_record("t1", "invoice", "INV-1") is not None
    assert empty_store.get_record("t1", "invoice", "INV-2") is None


def test_update_replaces_and_old_versions_are_ignored(empty_store: RetrievalStore, tmp_path):
    cust = {"tenant_id": "t1", "customer_id": "C1", "name": "Acme"}
    inv = {"tenant_id": "t1", "invoice_id": "INV-1", "customer_id": "C1",
           "issue_date": "2025-01-01", "due_date": "2025-01-31", "currency": "EUR",
           "gross_amount": "100.00", "open_amount": "100.00"}  # fmt: skip
    _write_jsonl(tmp_path / "customers.jsonl", [cust])
    _write_jsonl(tmp_path / "invoices.jsonl", [inv])
    ingest_path(empty_store, tmp_path)
    before = empty_store.total_points()
    _write_jsonl(tmp_path / "invoices.jsonl", [
        {**inv, "version": 2, "open_amount": "0.00", "status": "paid"},
        {**inv, "version": 1},  # stale
    ])  # fmt: skip
    r = ingest_path(empty_store, tmp_path)
    assert r.written.updated == 1 and r.written.stale == 1
    got = empty_store.get_record("t1", "invoice", "INV-1")
    assert got is not None and got.version == 2 and got.status == "paid"
    assert empty_store.total_points() == before  # replaced, not duplicated
    _write_jsonl(tmp_path / "invoices.jsonl", [{**inv, "version": 2, "open_amount": "1.00"}])
    r = ingest_path(empty_store, tmp_path)
    assert len(r.errors) == 1 and "same version" in r.errors[0].reason


def test_interrupted_ingestion_can_be_rerun(empty_store: RetrievalStore, small_dir, tmp_path):
    part = tmp_path / "part"
    part.mkdir()
    for f in small_dir.iterdir():  # first half of every file, as if the run died midway
        lines = f.read_text().splitlines(keepends=True)
        keep = lines[: max(2, len(lines) // 2)] if f.suffix == ".csv" else lines[: len(lines) // 2]
        (part / f.name).write_text("".join(keep))
    ingest_path(empty_store, part)
    report = ingest_path(empty_store, small_dir)
    assert report.ok
    assert report.written.unchanged > 0 and report.written.inserted > 0
    full = sum(1 for f in small_dir.iterdir() for _ in f.read_text().splitlines()) - 1  # csv hdr
    assert empty_store.total_points() == full


def test_tenant_restricted_ingest_rejects_other_tenants(empty_store: RetrievalStore, tmp_path):
    _write_jsonl(tmp_path / "customers.jsonl", [
        {"tenant_id": "t1", "customer_id": "C1", "name": "Mine"},
        {"tenant_id": "t2", "customer_id": "C1", "name": "Theirs"},
    ])  # fmt: skip
    report = ingest_path(empty_store, tmp_path, tenant_id="t1")
    assert [e.line for e in report.errors] == [2]
    assert not empty_store.customer_exists("t2", "C1")
