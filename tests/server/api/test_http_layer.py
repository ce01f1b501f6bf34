"""HTTP-layer behaviour with a fake engine: readiness, admission (429), auth, limits, metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.auth import create_key
from server.engine.protocol import Engine
from server.settings import Settings
from tests.server.fake_engine import FakeEngine

MSG = [{"role": "user", "content": "hi"}]


def make_client(engine: Engine | None, **settings: object) -> httpx.AsyncClient:
    app = create_app(Settings(**settings), engine)  # type: ignore[arg-type]
    if engine is None:
        app.state.arserve.startup_error = None  # never started: stays "loading"
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_not_ready_gives_503_but_health_answers() -> None:
    async with make_client(None) as client:
        assert (await client.get("/health")).status_code == 200
        r = await client.get("/ready")
        assert r.status_code == 503 and r.json()["error"]["type"] == "service_unavailable"
        r = await client.post("/v1/chat/completions", json={"model": "x", "messages": MSG})
        assert r.status_code == 503
        assert "Retry-After" in r.headers


@pytest.mark.anyio
async def test_queue_over_its_bound_gives_429() -> None:
    engine = FakeEngine(delay_s=0.2)
    async with make_client(engine, max_num_seqs=1, max_waiting_requests=1) as client:
        body = {"model": "fake-base", "messages": MSG, "max_tokens": 2}
        results = await asyncio.gather(
            *(client.post("/v1/chat/completions", json=body) for _ in range(4))
        )
        codes = sorted(r.status_code for r in results)
        assert codes.count(200) == 2 and codes.count(429) == 2
        refused = next(r for r in results if r.status_code == 429)
        assert refused.json()["error"]["code"] == "queue_full"
        # Capacity comes back once the running requests finish.
        r = await client.post("/v1/chat/completions", json=body)
        assert r.status_code == 200


@pytest.mark.anyio
async def test_keys_scopes_and_metrics(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    infer = create_key(keys, "i", "t1", ["infer"])
    admin = create_key(keys, "a", "t1", ["infer", "admin"])
    async with make_client(FakeEngine(), keys_file=keys) as client:
        assert (await client.get("/v1/models")).status_code == 401
        bad = await client.get("/v1/models", headers={"Authorization": "Basic abc"})
        assert bad.status_code == 401
        ok = await client.get("/v1/models", headers={"Authorization": f"Bearer {infer}"})
        assert ok.status_code == 200
        assert [m["id"] for m in ok.json()["data"]] == ["fake-base"]
        r = await client.get("/v1/adapters", headers={"Authorization": f"Bearer {infer}"})
        assert r.status_code == 403 and r.json()["error"]["type"] == "permission_error"
        r = await client.get("/v1/adapters", headers={"Authorization": f"Bearer {admin}"})
        assert r.status_code == 200
        body = {"model": "fake-base", "messages": MSG, "max_tokens": 2}
        r = await client.post(
            "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {infer}"}
        )
        assert r.json()["choices"][0]["message"]["content"] == "echo base "
        metrics = (await client.get("/metrics")).text
        assert (
            'arserve_requests_total{adapter="fake-base",endpoint="chat",status="ok"} 1.0' in metrics
        )


@pytest.mark.anyio
async def test_unknown_adapter_names_fold_into_one_metric_label() -> None:
    engine = FakeEngine()
    async with make_client(engine) as client:
        for name in ("x1", "x2", "x3"):
            r = await client.post("/v1/chat/completions", json={"model": name, "messages": MSG})
            assert r.status_code == 404
        metrics = (await client.get("/metrics")).text
        assert "x1" not in metrics and "x2" not in metrics


@pytest.mark.anyio
async def test_oversized_body_without_content_length_is_refused() -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 1000

    async with make_client(FakeEngine(), max_body_bytes=5000) as client:
        r = await client.post(
            "/v1/chat/completions", content=chunks(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "body_too_large"


@pytest.mark.anyio
async def test_metrics_need_a_key_off_loopback(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    admin = create_key(keys, "a", "t1", ["infer", "admin"])
    infer = create_key(keys, "i", "t1", ["infer"])
    async with make_client(FakeEngine(), keys_file=keys, host="0.0.0.0") as client:
        assert (await client.get("/metrics")).status_code == 401
        r = await client.get("/metrics", headers={"Authorization": f"Bearer {infer}"})
        assert r.status_code == 403
        r = await client.get("/metrics", headers={"Authorization": f"Bearer {admin}"})
        assert r.status_code == 200 and "arserve_kv_cache_usage_ratio 0.25" in r.text


@pytest.mark.anyio
async def test_batch_over_capacity_is_refused_whole() -> None:
    async with make_client(FakeEngine(), max_num_seqs=1, max_waiting_requests=1) as client:
        body = {"model": "fake-base", "prompt": ["a", "b", "c"], "max_tokens": 2}
        r = await client.post("/v1/completions", json=body)
        assert r.status_code == 429 and r.json()["error"]["code"] == "queue_full"
        # Not one prompt was started: none is counted, whatever its outcome.
        assert 'endpoint="completions"' not in (await client.get("/metrics")).text
        body["prompt"] = ["a", "b"]
        assert (await client.post("/v1/completions", json=body)).status_code == 200
