"""The audit record over HTTP (fake engine): one record per chat, stream and dispute request
with its fields, none for other requests, a stream whose client left, GET /v1/audit's filters
and scope, a failing write that never fails the request, and `arserve audit verify`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.types import Message
from typer.testing import CliRunner

from adapters.tasks import DISPUTE_CLASSIFIER
from server.adapter_manager import AdapterState, AdapterStatus
from server.api.audit.protocol import AuditList
from server.app import create_app
from server.audit.verify import verify
from server.cli import app as cli
from server.engine.protocol import AdapterInfo
from tests.helpers import assert_error
from tests.server.api.audit.helpers import CHAT, A, B, Keys, records, settings, sha
from tests.server.fake_engine import ClassifierEngine, FakeEngine


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def chat_app(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Keys]]:
    keys = Keys(tmp_path / "keys.json")
    engine = FakeEngine()
    await engine.add_adapter(AdapterInfo("adapter-a", "/adapters/a", 8))
    app = create_app(settings(tmp_path), engine)  # type: ignore[arg-type]
    state = app.state.arserve
    state.base_model_sha256 = "b" * 64
    status = AdapterStatus("adapter-a", AdapterState.READY, version="3", sha256="a" * 64)
    state.adapter_manager = SimpleNamespace(statuses={"adapter-a": status})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, keys


@pytest.mark.anyio
async def test_a_chat_completion_writes_one_record(
    tmp_path: Path, chat_app: tuple[httpx.AsyncClient, Keys]
) -> None:
    client, keys = chat_app
    body = {**CHAT, "model": "adapter-a", "n": 2}
    r = await client.post(
        "/v1/chat/completions", json=body, headers=keys.auth(keys.infer, **{"X-Request-Id": "e-1"})
    )
    assert r.status_code == 200, r.text
    [record] = records(tmp_path)
    texts = [c["message"]["content"] for c in r.json()["choices"]]
    usage = r.json()["usage"]
    assert record | {"time": None, "latency_ms": None, "hash": None} == {
        "seq": 1,
        "prev": "0" * 64,
        "hash": None,
        "v": 1,
        "request_id": "e-1",
        "time": None,
        "tenant": A,
        "key_id": "inf",
        "endpoint": "/v1/chat/completions",
        "status": 200,
        "outcome": "ok",
        "adapter": "adapter-a@3",
        "adapter_sha256": "a" * 64,
        "adapters": {"adapter-a@3": "a" * 64},
        "base_model": "fake-base",
        "base_model_sha256": "b" * 64,
        "customer_refs": [],
        "customer_ref_key": None,
        "citations": [],
        "grounding": None,
        "attempts": 1,
        "arm": None,
        "rollout_id": None,
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "latency_ms": None,
        "output_sha256": sha("\x1e".join(texts)),  # both choices, in index order
        "generation_ids": [r.json()["id"]],  # what feedback names, not the X-Request-Id
    }
    assert record["latency_ms"] > 0 and record["time"].endswith("Z")
    assert "echo" not in (tmp_path / "audit" / "audit.jsonl").read_text()  # no output text


@pytest.mark.anyio
async def test_a_stream_is_recorded_when_it_ends(
    tmp_path: Path, chat_app: tuple[httpx.AsyncClient, Keys]
) -> None:
    client, keys = chat_app
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
    r = await client.post("/v1/chat/completions", json=body, headers=keys.auth(keys.infer))
    assert r.status_code == 200
    events = [json.loads(line[6:]) for line in r.text.splitlines() if line[6:].startswith("{")]
    text = "".join(c["delta"].get("content", "") for e in events for c in e["choices"])
    [record] = records(tmp_path)
    assert record["output_sha256"] == sha(text) and record["outcome"] == "ok"
    assert record["adapter"] is None and record["base_model"] == "fake-base"
    assert record["completion_tokens"] == events[-1]["usage"]["completion_tokens"]
    assert record["request_id"] == r.headers["x-request-id"]


@pytest.mark.anyio
async def test_requests_without_a_generation_write_none(
    tmp_path: Path, chat_app: tuple[httpx.AsyncClient, Keys]
) -> None:
    client, keys = chat_app
    assert (await client.get("/v1/models", headers=keys.auth(keys.infer))).status_code == 200
    bad = {**CHAT, "max_tokens": -1}
    assert_error(
        await client.post("/v1/chat/completions", json=bad, headers=keys.auth(keys.infer)), 400
    )
    unknown = {**CHAT, "model": "nope"}
    r = await client.post("/v1/chat/completions", json=unknown, headers=keys.auth(keys.infer))
    assert r.status_code == 404
    assert records(tmp_path) == []


@pytest.mark.anyio
async def test_a_client_that_goes_away_mid_stream_is_recorded(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, keys_file=None), FakeEngine(delay_s=0.2))  # type: ignore[arg-type]
    body = json.dumps({**CHAT, "stream": True}).encode()
    first_chunk = asyncio.Event()
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await first_chunk.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            first_chunk.set()

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/chat/completions", "raw_path": b"/v1/chat/completions",
        "query_string": b"", "root_path": "", "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1), "server": ("test", 80),
    }  # fmt: skip
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    [record] = records(tmp_path)
    assert record["outcome"] == "cancelled" and record["status"] == 200
    assert record["completion_tokens"] < 2  # the fake engine's second word never came


@pytest.mark.anyio
async def test_a_dispute_batch_is_one_record_with_one_attempt_per_item(tmp_path: Path) -> None:
    keys = Keys(tmp_path / "keys.json")
    engine = ClassifierEngine()
    await engine.add_adapter(AdapterInfo(DISPUTE_CLASSIFIER, "/adapters/dc", 8))
    app = create_app(settings(tmp_path), engine)
    transport = httpx.ASGITransport(app=app)
    items = {"items": [{"text": "broken pallet"}, {"text": "paid already"}]}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.post("/v1/disputes/classify", json=items, headers=keys.auth(keys.infer))
    assert r.status_code == 200, r.text
    [record] = records(tmp_path)
    labels = [d["label"] for d in r.json()["data"]]
    assert record["endpoint"] == "/v1/disputes/classify" and record["attempts"] == 2
    assert record["adapter"] == DISPUTE_CLASSIFIER and record["outcome"] == "ok"
    assert list(record["adapters"]) == [DISPUTE_CLASSIFIER]
    assert record["output_sha256"] == sha("\x1e".join(labels))  # every item's label
    assert record["completion_tokens"] == 2
    ids = [d["id"] for d in r.json()["data"]]
    assert len(set(ids)) == 2 and record["generation_ids"] == ids  # one per classification


@pytest.mark.anyio
async def test_get_audit_filters_newest_first(
    tmp_path: Path, chat_app: tuple[httpx.AsyncClient, Keys]
) -> None:
    client, keys = chat_app
    for n, (key, model) in enumerate(
        [(keys.infer, "fake-base"), (keys.other, "adapter-a"), (keys.infer, "adapter-a")]
    ):
        headers = keys.auth(key, **{"X-Request-Id": f"r{n}"})
        body = {**CHAT, "model": model}
        assert (await client.post("/v1/chat/completions", json=body, headers=headers)).is_success

    async def ids(**params: Any) -> list[str]:
        r = await client.get("/v1/audit", params=params, headers=keys.auth(keys.admin))
        assert r.status_code == 200, r.text
        AuditList.model_validate(r.json())
        assert r.json()["object"] == "list"
        return [d["request_id"] for d in r.json()["data"]]

    generation = records(tmp_path)[1]["generation_ids"][0]
    assert generation.startswith("chatcmpl-")
    assert await ids() == ["r2", "r1", "r0"]
    assert await ids(tenant=A) == ["r2", "r0"]
    assert await ids(tenant=B) == ["r1"]
    assert await ids(adapter="adapter-a") == ["r2", "r1"]
    assert await ids(adapter="adapter-a@3") == ["r2", "r1"]
    assert await ids(adapter="adapter-a@2") == []
    assert await ids(request_id="r1") == ["r1"]
    assert await ids(generation_id=generation) == ["r1"]
    assert await ids(generation_id="chatcmpl-unknown") == []
    assert await ids(limit=2) == ["r2", "r1"]
    first = records(tmp_path)[0]["time"]
    assert await ids(since="2000-01-01T00:00:00Z", until=first) == ["r0"]
    assert await ids(since=4102444800) == []  # 2100, as unix seconds
    assert await ids(until="2000-01-01") == []


@pytest.mark.anyio
async def test_get_audit_needs_admin_and_good_filters(
    chat_app: tuple[httpx.AsyncClient, Keys],
) -> None:
    client, keys = chat_app
    r = await client.get("/v1/audit", headers=keys.auth(keys.infer))
    assert_error(r, 403)
    assert_error(await client.get("/v1/audit"), 401)
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"since": "yesterday"}, "since"),
        ({"since": "nan"}, "since"),
        ({"until": "2026-13-40"}, "until"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"adapter": "a b"}, "adapter"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "many"}, "limit"),
    ]
    for params, param in cases:
        r = await client.get("/v1/audit", params=params, headers=keys.auth(keys.admin))
        assert_error(r, 400, param)


@pytest.mark.anyio
async def test_an_audit_write_failure_never_fails_the_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keys = Keys(tmp_path / "keys.json")
    (tmp_path / "blocker").write_text("a file where the audit folder should be")
    conf = settings(tmp_path).model_copy(update={"audit_dir": tmp_path / "blocker" / "audit"})
    app = create_app(conf, FakeEngine())  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    with caplog.at_level(logging.ERROR, logger="arserve.audit"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.post("/v1/chat/completions", json=CHAT, headers=keys.auth(keys.infer))
    assert r.status_code == 200
    assert [m.message for m in caplog.records] == ["audit record not written"]


@pytest.mark.anyio
async def test_audit_verify_command(
    tmp_path: Path, chat_app: tuple[httpx.AsyncClient, Keys]
) -> None:
    client, keys = chat_app
    for _ in range(3):
        r = await client.post("/v1/chat/completions", json=CHAT, headers=keys.auth(keys.infer))
        assert r.status_code == 200
    path = tmp_path / "audit" / "audit.jsonl"
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify", "--path", str(path)])
    assert ok.exit_code == 0, ok.output
    assert "intact: 3 records" in ok.output
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"status":200', '"status":500')
    path.write_text("".join(lines))
    bad = runner.invoke(cli, ["audit", "verify", "--path", str(path)])
    assert bad.exit_code == 1 and "line 2: edited" in bad.output
    assert not verify(path).ok
    missing = runner.invoke(cli, ["audit", "verify", "--path", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2
