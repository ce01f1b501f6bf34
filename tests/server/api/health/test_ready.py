"""GET /ready reports each dependency: 503 while a required one is down, with the report.

Fake engine (the engine is not what is checked here); the retrieval store is a real one, or
a Qdrant URL on a closed port (no Qdrant server runs here)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from adapters.registry import Registry
from adapters.validation import BaseModelInfo
from retrieval.backend import QdrantBackend
from retrieval.config import RetrievalConfig
from retrieval.context import ContextAssembler
from retrieval.store import RetrievalStore
from retrieval.tokens import estimate_tokens
from server.adapter_manager import AdapterManager
from server.engine.errors import EngineUnavailableError
from server.retrieval_runtime import RetrievalRuntime
from server.settings import Settings
from tests.helpers import free_port
from tests.server.api.health.helpers import FAST_RETRY, qdrant_stub, running, until
from tests.server.fake_engine import ClassifierEngine, FakeEngine


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_qdrant_down_at_start_is_not_ready_and_ar_routes_answer_503() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(
        enable_lora=False, qdrant_url=url, qdrant_api_key="key-never-shown", **FAST_RETRY
    )
    # the classifier engine: the classify route checks the labels' first tokens first
    async with running(settings, ClassifierEngine()) as (client, state):
        await until(lambda: state.retrieval_error is not None)
        assert (await client.get("/health")).status_code == 200
        r = await client.get("/ready")
        assert r.status_code == 503 and "Retry-After" in r.headers
        body = r.json()
        assert body["status"] == "not_ready" and body["model"] == "fake-base"
        retrieval = body["checks"]["retrieval"]
        assert retrieval["status"] == "down"
        assert url in retrieval["detail"] and "connection refused" in retrieval["detail"]
        assert body["checks"]["engine"]["status"] == "ok"
        assert body["checks"]["adapters"]["status"] == "disabled"
        assert body["error"]["type"] == "service_unavailable" and url in body["error"]["message"]
        assert "key-never-shown" not in r.text
        email = {"customer_id": "C00001", "email_type": "payment_reminder"}
        r = await client.post("/v1/ar/emails", json=email)
        assert r.status_code == 503, r.text
        classify = {"text": "we were charged twice", "customer_id": "C00001"}
        r = await client.post("/v1/disputes/classify", json=classify)
        assert r.status_code == 503, r.text
        # still retrying: the attempts go on after the first failure
        first = state.retrieval_error
        await until(lambda: state.retrieval_error != first)


@pytest.mark.anyio
async def test_ready_body_keeps_status_ready_and_disabled_parts_do_not_block() -> None:
    async with running(Settings(enable_lora=False, enable_retrieval=False)) as (client, _):
        r = await client.get("/ready")
        assert r.status_code == 200
        assert '"status":"ready"' in r.text  # what scripts grep for
        checks = r.json()["checks"]
        assert checks["engine"]["status"] == "ok"
        assert checks["retrieval"]["status"] == checks["adapters"]["status"] == "disabled"


class SickEngine(FakeEngine):
    def __init__(self, hang: bool) -> None:
        super().__init__()
        self.hang = hang

    async def check_health(self) -> None:
        if self.hang:
            await asyncio.Event().wait()
        raise EngineUnavailableError("the engine produced non-finite logits")


@pytest.mark.anyio
@pytest.mark.parametrize("hang", [False, True])
async def test_a_failing_or_hanging_engine_check_is_down(
    hang: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("server.api.health.checks.CHECK_TIMEOUT_S", 0.2)
    settings = Settings(enable_lora=False, enable_retrieval=False)
    async with running(settings, SickEngine(hang)) as (client, _):
        r = await client.get("/ready")
        assert r.status_code == 503
        detail = r.json()["checks"]["engine"]["detail"]
        assert ("did not answer within 0.2s" if hang else "non-finite logits") in detail


def _broken_adapter(folder: Path) -> None:
    folder.mkdir(parents=True)
    config = {"base_model_name_or_path": "meta-llama/Llama-3.1-8B-Instruct", "r": 8}
    (folder / "adapter_config.json").write_text(json.dumps(config))


@pytest.mark.anyio
@pytest.mark.parametrize(("broken", "ready"), [("dispute-classifier", False), ("other", True)])
async def test_a_failed_route_adapter_blocks_and_any_other_is_counted(
    tmp_path: Path, broken: str, ready: bool
) -> None:
    _broken_adapter(tmp_path / "adapters" / broken)
    settings = Settings(
        enable_retrieval=False, adapters_dir=tmp_path / "adapters", registry_dir=tmp_path / "reg"
    )
    engine = FakeEngine()
    base = BaseModelInfo("HuggingFaceTB/SmolLM2-135M-Instruct", "llama", 576, frozenset({"q_proj"}))
    async with running(settings, engine) as (client, state):
        state.adapter_manager = AdapterManager(
            engine,  # type: ignore[arg-type]
            base,
            Registry(settings.registry_dir),
            settings,
            state.metrics,
        )
        await state.adapter_manager.load_startup()
        r = await client.get("/ready")
        adapters = r.json()["checks"]["adapters"]
        assert adapters["failed"] == 1 and adapters["loaded"] == 0
        assert adapters["required"] == ["ar-email-drafter", "dispute-classifier"]
        assert broken in adapters["detail"]
        assert "Llama" not in r.text  # the reason (it can name paths) is for GET /v1/adapters
        assert (r.status_code, adapters["status"]) == ((200, "ok") if ready else (503, "down"))


@pytest.mark.anyio
async def test_a_qdrant_server_that_dies_turns_ready_503_and_back_by_itself(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    store = RetrievalStore.open(RetrievalConfig(in_memory=True))
    store.backend.close()
    # the store's backend on a server that answers the ping's HTTP call (a stub: no Qdrant
    # server binary exists here); the store opened against a server is QdrantBackend too
    client = QdrantClient(url=url, timeout=1, check_compatibility=False)
    store.backend = QdrantBackend(client, "arserve", url)
    runtime = RetrievalRuntime(store, ContextAssembler(store, estimate_tokens))
    settings = Settings(enable_lora=False)
    async with running(settings, FakeEngine(), runtime) as (http, _):
        with qdrant_stub(port):
            assert (await http.get("/ready")).status_code == 200
        caplog.set_level(logging.INFO, "server.api.health.checks")
        for _ in range(3):
            r = await http.get("/ready")
            assert r.status_code == 503
            assert r.json()["checks"]["retrieval"]["detail"] == (
                f"Qdrant unreachable at {url}: connection refused"
            )
        with qdrant_stub(port):
            assert (await http.get("/ready")).status_code == 200  # no restart, no reopen
    # one line when it went down and one when it came back, not one per probe
    logged = [r.getMessage() for r in caplog.records if r.name == "server.api.health.checks"]
    assert logged == [
        f"readiness: retrieval down: Qdrant unreachable at {url}: connection refused",
        "readiness: retrieval ok",
    ]
