"""One real vLLM CPU engine per test session, behind a real HTTP server on loopback."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
import uvicorn

from adapters.gate import gate_reasons
from adapters.registry import Registry
from retrieval import demo
from retrieval.ingest import ingest_path
from server.app import create_app
from server.auth import create_key
from server.readiness import wait_ready
from server.retrieval_runtime import RetrievalRuntime, open_retrieval, retrieval_config
from server.settings import Settings
from server.state import AppState
from tests.helpers import READY_TIMEOUT_S, edit_config, free_port, make_registry_entry

BAD_ADAPTERS = {
    "bad-base": "trained for base model",
    "bad-rank": "outside 1..16",
    "bad-missing-weights": "adapter_model.safetensors is missing",
    "bad-target": "not LoRA-able linear layers",
}


BASE = "SmolLM2-135M-Instruct"
PROMPT = "Write one sentence to a customer about invoice INV-2041."
TENANT = "acme-foods"
OTHER_TENANT = "atlas-supply"
REFERENCE_ADAPTERS = ("dispute-classifier", "ar-email-drafter")


@dataclass
class LiveServer:
    url: str
    infer_key: str
    admin_key: str
    other_tenant_key: str
    app_state: AppState
    data_key: str = ""  # TENANT, scope data only

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key or self.infer_key}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=300)

    def chat(self, model: str, content: str = PROMPT, **extra: object) -> dict:
        """A greedy chat completion of one user message (asserts 200), as JSON."""
        body = {
            "model": model,
            "messages": [{"role": "user", "content": content}],
            "max_tokens": 24,
            "temperature": 0,
            **extra,
        }
        with self.client() as client:
            response = client.post("/v1/chat/completions", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())


def text_of(body: dict) -> str:
    """The first choice's message of a chat completion."""
    return str(body["choices"][0]["message"]["content"])


def _adapters_dir(root: Path, good: dict[str, Path]) -> Path:
    folder = root / "adapters"
    folder.mkdir()
    for name, path in good.items():
        shutil.copytree(path, folder / name)
    template = next(iter(good.values()))
    for name in BAD_ADAPTERS:
        shutil.copytree(template, folder / name)
    edit_config(folder / "bad-base", base_model_name_or_path="meta-llama/Llama-3.1-8B-Instruct")
    edit_config(folder / "bad-rank", r=64)
    (folder / "bad-missing-weights" / "adapter_model.safetensors").unlink()
    edit_config(folder / "bad-target", target_modules=["q_proj", "lm_head"])
    return folder


def _registry(root: Path, good: dict[str, Path]) -> Path:
    """The reference adapters, plus entries for the lifecycle tests: good, two versions, gated
    below its minimum, corrupt."""
    registry = root / "registry"
    for name in REFERENCE_ADAPTERS:
        shutil.copytree(Settings().registry_dir / name, registry / name)
    make_registry_entry(registry, "registered", "1", good["adapter-a"])
    make_registry_entry(registry, "swap", "1", good["adapter-a"])
    make_registry_entry(registry, "swap", "2", good["adapter-b"])
    make_registry_entry(
        registry,
        "gated",
        "1",
        good["adapter-b"],
        min_scores={"macro_f1": 0.8},
        evaluation={"metrics": {"macro_f1": 0.5}},
    )
    make_registry_entry(registry, "corrupt", "1", good["adapter-b"], adapter_sha256="0" * 64)
    # a new version below its gate leaves the previous one in service
    make_registry_entry(registry, "fallback", "1", good["adapter-a"])
    make_registry_entry(
        registry,
        "fallback",
        "2",
        good["adapter-b"],
        min_scores={"macro_f1": 0.8},
        evaluation={"metrics": {"macro_f1": 0.5}},
    )
    return registry


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo dataset: 2 customers per tenant, the same ids in every tenant."""
    out = tmp_path_factory.mktemp("demo")
    demo.write(demo.generate(seed=3, customers=6), out)
    return out


def _retrieval(settings: Settings, demo_dir: Path, root: Path) -> RetrievalRuntime:
    # The session's own erasure log, key and suppression list, never the user's cache.
    config = replace(retrieval_config(settings), erasure_log_path=root / "erasure_log.jsonl")
    runtime = open_retrieval(settings, config)
    report = ingest_path(runtime.store, demo_dir)
    assert report.ok, report.errors[:3]
    return runtime


def newest_passing(registry: Registry, name: str) -> str:
    """NAME@VERSION of the newest version whose manifest passes its gate (else the newest)."""
    versions = registry.versions(name)
    for version in reversed(versions):
        if not gate_reasons(registry.resolve(f"{name}@{version}").manifest):
            return f"{name}@{version}"
    return f"{name}@{versions[-1]}"


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, test_adapters: dict[str, Path], demo_dir: Path
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("server")
    keys_file = root / "keys.json"
    infer_key = create_key(keys_file, "test-infer", TENANT, ["infer"])
    admin_key = create_key(keys_file, "test-admin", TENANT, ["infer", "admin"])
    other_key = create_key(keys_file, "test-other", OTHER_TENANT, ["infer"])
    data_key = create_key(keys_file, "test-data", TENANT, ["data"])
    # fp32: greedy outputs are then identical whatever the batch holds, so a test can tell an
    # adapter mix-up from bf16 rounding (bf16 accuracy is checked against PEFT elsewhere).
    settings = Settings(
        dtype="float32",
        port=free_port(),
        keys_file=keys_file,
        adapters_dir=_adapters_dir(root, test_adapters),
        registry_dir=_registry(root, test_adapters),
        max_model_len=2048,
        max_num_seqs=16,
        max_loras=4,
        kv_cache_space_gib=1,
        max_body_bytes=200_000,
        qdrant_path=root / "qdrant",
        load_demo_data=False,
        email_context_tokens=1200,
    )
    app = create_app(settings, retrieval=_retrieval(settings, demo_dir, root))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{settings.port}"
    state = app.state.arserve
    wait_ready(url, startup_error=lambda: state.startup_error, timeout_s=READY_TIMEOUT_S)
    # The endpoint tests run on what `make serve` serves: the newest version of each reference
    # adapter that passes its gate (a newer candidate below it stays in the registry with its
    # evaluation, unserved); the gate itself is tested in test_adapter_lifecycle.
    for name in REFERENCE_ADAPTERS:
        newest = newest_passing(Registry(settings.registry_dir), name)
        status = state.adapters[name]
        if status.status != "ready" or f"{name}@{status.version}" != newest:
            r = httpx.post(
                f"{url}/v1/adapters",
                json={"adapter": newest, "force": True},
                headers={"Authorization": f"Bearer {admin_key}"},
                timeout=300,
            )
            assert r.status_code == 200, r.text
    yield LiveServer(url, infer_key, admin_key, other_key, state, data_key)
    server.should_exit = True
    thread.join(timeout=60)
