from __future__ import annotations

import csv
import hashlib
import json
import logging
import stat
from pathlib import Path

import pytest

from retrieval.bootstrap import ensure_demo
from retrieval.config import RetrievalConfig
from retrieval.context import ContextAssembler
from retrieval.erasure import erase_customer, unsuppress
from retrieval.errors import InvalidRequestError, NotFoundError, RetrievalError
from retrieval.index import SearchMode
from retrieval.ingest import ingest_path
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.store import RetrievalStore
from retrieval.suppression import Suppressions

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


def _rows_of(folder: Path, tenant: str, customer: str) -> int:
    """Rows of one customer in the demo files."""
    n = 0
    for f in folder.iterdir():
        if f.suffix == ".jsonl":
            rows = [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
            n += sum(
                r.get("tenant_id") == tenant and r.get("customer_id") == customer for r in rows
            )
        elif f.suffix == ".csv":
            n += sum(r["tenant_id"] == tenant and r["customer_id"] == customer
                     for r in csv.DictReader(f.read_text().splitlines()))  # fmt: skip
    return n


def _fresh_store(embedder, log_path: Path) -> RetrievalStore:
    """An empty store of the same deployment (same erasure log, key and suppression list)."""
    return RetrievalStore.open(RetrievalConfig(in_memory=True, erasure_log_path=log_path), embedder)


def test_ref_is_keyed_and_cannot_be_brute_forced(store: RetrievalStore) -> None:
    report = erase_customer(store, A, "C00001")
    log_text = store.config.erasure_log_path.read_text()
    entry = json.loads(log_text.splitlines()[-1])
    assert entry["ref_scheme"] == "hmac-sha256" and entry["customer_ref"] == report.customer_ref
    plain = hashlib.sha256(f"{A}\x1fC00001".encode()).hexdigest()
    assert not plain.startswith(report.customer_ref) and plain[:16] not in log_text
    # the attack of the finding: every plausible id hashed without the key finds nothing
    for n in range(100_000):
        digest = hashlib.sha256(f"{A}\x1fC{n:05d}".encode()).hexdigest()
        assert digest[:16] not in log_text and digest[:32] != report.customer_ref


def test_two_deployments_give_different_refs(store: RetrievalStore, tmp_path: Path) -> None:
    ref_here = erase_customer(store, A, "C00001").customer_ref
    other = RetrievalConfig(in_memory=True, erasure_log_path=tmp_path / "other" / "erasure.jsonl")
    there, again = Suppressions.for_config(other), Suppressions.for_config(store.config)
    assert there is not None and again is not None
    assert there.ref(A, "C00001") != ref_here  # another deployment, another key
    assert again.ref(A, "C00001") == ref_here != again.ref(A, "C00002")  # a restart: the same


def test_key_file_is_private_and_never_logged(
    store: RetrievalStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    erase_customer(store, A, "C00001")
    folder = store.config.erasure_log_path.parent
    key_file = folder / "erasure.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = key_file.read_bytes()
    assert len(secret) == 32
    for f in folder.iterdir():
        if f != key_file:
            data = f.read_bytes()
            assert secret not in data and secret.hex().encode() not in data
    assert secret.hex() not in caplog.text and "C00001" not in caplog.text


def test_erased_customer_stays_gone_when_the_file_is_ingested_again(
    store: RetrievalStore, small_dir: Path, small_data, caplog: pytest.LogCaptureFixture
) -> None:
    others = {(t, c): store.count(t, c) for t in (A, B) for c in ("C00001", "C00002")}
    erase_customer(store, A, "C00001")
    caplog.set_level(logging.DEBUG)
    report = ingest_path(store, small_dir)
    assert report.ok and report.suppressed == _rows_of(small_dir, A, "C00001") > 0
    assert store.count(A, "C00001") == 0
    with pytest.raises(NotFoundError):
        store.require_customer(A, "C00001")
    for (t, c), n in others.items():
        if (t, c) != (A, "C00001"):
            assert store.count(t, c) == n  # the same id in another tenant is not suppressed
    assert "C00001" not in caplog.text
    assert store.total_points() == small_data.count() - report.suppressed


def test_erased_customer_stays_gone_when_the_demo_bootstrap_runs_again(
    store: RetrievalStore, small_dir: Path, embedder
) -> None:
    erase_customer(store, A, "C00001")
    store.close()  # as if the store folder were lost while the cache folder stayed
    fresh = _fresh_store(embedder, store.config.erasure_log_path)
    try:
        report = ensure_demo(fresh, small_dir)  # the files kept under the cache folder
        assert report is not None and report.suppressed > 0
        assert fresh.count(A, "C00001") == 0 and not fresh.customer_exists(A, "C00001")
        assert fresh.customer_exists(A, "C00002") and fresh.customer_exists(B, "C00001")
    finally:
        fresh.close()


def test_unsuppress_with_a_reason_lets_the_customer_back_and_is_logged(
    store: RetrievalStore, small_dir: Path
) -> None:
    erase_customer(store, A, "C00001")
    with pytest.raises(InvalidRequestError):
        unsuppress(store.config, A, "C00001", "", "dpo")
    with pytest.raises(InvalidRequestError):
        unsuppress(store.config, A, "C00001", "C00001 asked again", "dpo")
    assert ingest_path(store, small_dir).suppressed > 0
    entry = unsuppress(store.config, A, "C00001", "new contract signed 2025-07-01", "dpo")
    report = ingest_path(store, small_dir)
    assert report.suppressed == 0 and store.customer_exists(A, "C00001")
    last = json.loads(store.config.erasure_log_path.read_text().splitlines()[-1])
    assert last == entry and last["event"] == "unsuppress" and last["by"] == "dpo"
    assert last["reason"] == "new contract signed 2025-07-01" and last["at"]
    assert "C00001" not in store.config.erasure_log_path.read_text()
    with pytest.raises(RetrievalError, match="not suppressed"):
        unsuppress(store.config, A, "C00001", "twice", "dpo")


def test_subject_is_suppressed_before_anything_is_deleted(
    store: RetrievalStore, small_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lists = Suppressions.for_config(store.config)
    assert lists is not None
    delete = store.delete_scope

    def crash(tenant_id: str, customer_id: str) -> None:
        assert lists.is_suppressed(tenant_id, customer_id)  # already durable
        raise OSError("killed mid-erasure")

    monkeypatch.setattr(store, "delete_scope", crash)
    with pytest.raises(OSError):
        erase_customer(store, A, "C00001")
    monkeypatch.setattr(store, "delete_scope", delete)
    assert ingest_path(store, small_dir).suppressed > 0  # no resurrection meanwhile
    assert erase_customer(store, A, "C00001").verified  # erasing again finishes the job
    assert not store.customer_exists(A, "C00001")
