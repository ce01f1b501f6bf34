"""The data routes over HTTP on a real (in-memory Qdrant Edge) store; the engine is a fake,
as these routes never use it: writes visible to the next request, per-row results, erasure
with verification, scopes, tenants from the key, bad bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from retrieval import demo
from retrieval.config import RetrievalConfig
from retrieval.context import ContextAssembler
from retrieval.ingest import ingest_path
from retrieval.records import Invoice
from retrieval.store import RetrievalStore
from server.auth import create_key
from server.retrieval_runtime import RetrievalRuntime
from server.settings import Settings
from tests.helpers import assert_error
from tests.server.api.health.helpers import running

A, B = "acme-foods", "atlas-supply"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo.write(demo.generate(seed=3, customers=6), out)
    return out


@pytest.fixture
def store(tmp_path: Path, demo_dir: Path) -> Iterator[RetrievalStore]:
    cfg = RetrievalConfig(in_memory=True, erasure_log_path=tmp_path / "erasure.jsonl")
    with RetrievalStore.open(cfg) as store:
        assert ingest_path(store, demo_dir).ok
        yield store


class Keys:
    def __init__(self, path: Path) -> None:
        self.data = create_key(path, "d", A, ["data"])
        self.infer = create_key(path, "i", A, ["infer"])
        self.other_data = create_key(path, "o", B, ["data"])

    @staticmethod
    def header(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def app(
    tmp_path: Path, store: RetrievalStore
) -> AsyncIterator[tuple[httpx.AsyncClient, Keys, RetrievalStore]]:
    keys = Keys(tmp_path / "keys.json")
    settings = Settings(
        keys_file=tmp_path / "keys.json",
        cache_dir=tmp_path,
        load_demo_data=False,
        max_records_per_request=10,
        max_body_bytes=20_000,
    )
    runtime = RetrievalRuntime(store, ContextAssembler(store))
    async with running(settings, retrieval=runtime) as (client, _):
        yield client, keys, store


def _cited_invoice(store: RetrievalStore, customer: str, context: dict[str, Any]) -> Invoice:
    """The largest open invoice the block lists."""
    cited = {c["record_id"] for c in context["citations"] if c["type"] == "invoice"}
    invoices = [r for r in store.records(A, customer, ("invoice",)) if isinstance(r, Invoice)]
    return max((i for i in invoices if i.invoice_id in cited), key=lambda i: i.open_amount)


async def _context(client: httpx.AsyncClient, key: str, customer: str) -> httpx.Response:
    return await client.get(
        f"/v1/customers/{customer}/context",
        params={"email_type": "reminder_overdue_1"},
        headers=Keys.header(key),
    )


@pytest.mark.anyio
async def test_an_invoice_marked_paid_leaves_the_next_context(app: Any) -> None:
    client, keys, store = app
    before = await _context(client, keys.infer, "C00001")
    assert before.status_code == 200, before.text
    target = _cited_invoice(store, "C00001", before.json())
    assert target.invoice_id in before.json()["text"] and target.open_amount > 0
    paid = target.model_dump(mode="json") | {
        "record_type": "invoice", "version": target.version + 1, "status": "paid",
        "open_amount": "0.00",
    }  # fmt: skip
    paid.pop("tenant_id")  # the key's tenant
    r = await client.post("/v1/records", json=[paid], headers=Keys.header(keys.data))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["counts"]["ok"] == 1 and body["num_rows"] == 1
    assert body["results"] == [
        {"index": 0, "status": "ok", "action": "updated",
         "record": f"invoice:{target.invoice_id}@v{target.version + 1}"}
    ]  # fmt: skip
    after = await _context(client, keys.infer, "C00001")
    assert f"[invoice:{target.invoice_id}@" not in after.json()["text"]  # no longer listed
    again = await client.post("/v1/records", json=[paid], headers=Keys.header(keys.data))
    assert again.json()["results"][0]["status"] == "unchanged"
    older = paid | {"version": target.version, "open_amount": "1.00"}
    stale = await client.post("/v1/records", json=[older], headers=Keys.header(keys.data))
    assert stale.json()["results"][0]["status"] == "stale"


@pytest.mark.anyio
async def test_json_lines_with_a_bad_row_land_the_good_rows(app: Any) -> None:
    client, keys, store = app
    new = {"record_type": "customer", "customer_id": "C-NEW", "name": "New Customer GmbH"}
    invoice = {
        "record_type": "invoice", "invoice_id": "INV-NEW-1", "customer_id": "C-NEW",
        "issue_date": "2026-11-01", "due_date": "2026-11-30", "currency": "EUR",
        "gross_amount": "10.00", "open_amount": "10.00",
    }  # fmt: skip
    lines = [json.dumps(new), "{not json", json.dumps(invoice | {"currency": "euro"}),
             json.dumps(invoice), json.dumps(invoice | {"customer_id": "C-NOWHERE"})]  # fmt: skip
    r = await client.post(
        "/v1/records",
        content="\n".join(lines) + "\n",
        headers={**Keys.header(keys.data), "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["ok", "invalid", "invalid", "ok", "not_found"]
    assert "invalid JSON" in results[1]["reason"] and results[2]["field"] == "currency"
    assert "euro" not in results[2]["reason"]  # no values in errors
    assert results[4]["field"] == "customer_id"
    assert store.get_record(A, "invoice", "INV-NEW-1") is not None
    assert store.get_record(B, "customer", "C-NEW") is None


@pytest.mark.anyio
async def test_the_tenant_is_the_keys(app: Any) -> None:
    client, keys, store = app
    smuggled = {"record_type": "customer", "tenant_id": A, "customer_id": "C-X", "name": "X"}
    r = await client.post("/v1/records", json=[smuggled], headers=Keys.header(keys.other_data))
    assert (r.json()["results"][0]["status"], r.json()["results"][0]["field"]) == (
        "invalid", "tenant_id"
    )  # fmt: skip
    # a customer that exists only in A reads in B exactly like one that exists nowhere
    only_a = {"record_type": "customer", "customer_id": "C-ONLY-A", "name": "Only A"}
    assert (await client.post("/v1/records", json=[only_a], headers=Keys.header(keys.data))).json()[
        "counts"
    ]["ok"] == 1
    note = {"record_type": "collection_note", "note_id": "N-1", "note_date": "2026-11-01",
            "author": "AR", "note": "Called."}  # fmt: skip
    rows = [
        note | {"customer_id": "C-ONLY-A"},
        note | {"customer_id": "C-NOWHERE", "note_id": "N-2"},
    ]
    r = await client.post("/v1/records", json=rows, headers=Keys.header(keys.other_data))
    a, b = r.json()["results"]
    assert a.pop("index") == 0 and b.pop("index") == 1
    assert {k: v for k, v in a.items() if k != "record"} == {
        k: v for k, v in b.items() if k != "record"
    }
    erase_a = await client.delete("/v1/customers/C-ONLY-A", headers=Keys.header(keys.other_data))
    erase_none = await client.delete(
        "/v1/customers/C-NOWHERE", headers=Keys.header(keys.other_data)
    )
    assert assert_error(erase_a, 404) == assert_error(erase_none, 404)
    ctx_a = await _context(client, keys.other_data, "C-ONLY-A")
    ctx_none = await _context(client, keys.other_data, "C-NOWHERE")
    assert assert_error(ctx_a, 404) == assert_error(ctx_none, 404)
    assert store.customer_exists(A, "C-ONLY-A")


@pytest.mark.anyio
async def test_erasure_over_http_is_verified_remembered_and_pii_free(app: Any) -> None:
    client, keys, store = app
    name = store.require_customer(A, "C00002").name
    other_before = store.count(B, "C00002")
    r = await client.delete("/v1/customers/C00002", headers=Keys.header(keys.data))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["object"] == "customer.erasure" and report["verified"] is True
    assert report["remaining"] == 0 and report["points_deleted"] > 0
    assert report["records"]["customer"] == 1 and report["tenant_id"] == A
    assert "C00002" not in r.text and name not in r.text
    assert store.count(A, "C00002") == 0 and store.count(B, "C00002") == other_before
    assert_error(await _context(client, keys.infer, "C00002"), 404)
    assert_error(await client.delete("/v1/customers/C00002", headers=Keys.header(keys.data)), 404)
    back = {"record_type": "customer", "customer_id": "C00002", "name": "Back Again"}
    r = await client.post("/v1/records", json=[back], headers=Keys.header(keys.data))
    assert r.json()["results"][0]["status"] == "suppressed"
    assert not store.customer_exists(A, "C00002")
    log = (Path(store.config.erasure_log_path or "").read_text()).strip()
    assert "C00002" not in log and name not in log


@pytest.mark.anyio
async def test_scopes(app: Any) -> None:
    client, keys, _ = app
    row = [{"record_type": "customer", "customer_id": "C-S", "name": "S"}]
    assert_error(await client.post("/v1/records", json=row), 401)
    assert_error(await client.post("/v1/records", json=row, headers=Keys.header(keys.infer)), 403)
    r = await client.delete("/v1/customers/C00001", headers=Keys.header(keys.infer))
    assert_error(r, 403)
    # reading the context: infer (it drafts from it) or data (it writes it)
    assert (await _context(client, keys.infer, "C00001")).status_code == 200
    assert (await _context(client, keys.data, "C00001")).status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        ("[{", "application/json", 400),
        ('{"record_type": "customer"}', "application/json", 400),
        ("[]", "application/json", 400),
        ("", "application/x-ndjson", 400),
        ("[NaN]", "application/json", 400),
        ("a,b\n1,2\n", "text/csv", 400),
        (b"\xff\xfe[]", "application/json", 400),
        (json.dumps([{}] * 11), "application/json", 413),
        (json.dumps([{"x": "y" * 30_000}]), "application/json", 413),
    ],
)
async def test_bad_bodies(app: Any, content: str | bytes, content_type: str, status: int) -> None:
    client, keys, store = app
    before = store.total_points()
    r = await client.post(
        "/v1/records",
        content=content,
        headers={**Keys.header(keys.data), "Content-Type": content_type},
    )
    assert_error(r, status)
    assert store.total_points() == before


@pytest.mark.anyio
async def test_bad_context_parameters(app: Any) -> None:
    client, keys, _ = app
    h = Keys.header(keys.infer)
    assert_error(await client.get("/v1/customers/C00001/context", headers=h), 400)
    r = await client.get("/v1/customers/C00001/context", params={"email_type": "sonnet"}, headers=h)
    assert_error(r, 400, "email_type")
    r = await client.get(
        "/v1/customers/C 1/context", params={"email_type": "final_notice"}, headers=h
    )
    assert_error(r, 400)
