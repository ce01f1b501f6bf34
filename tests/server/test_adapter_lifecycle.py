"""Runtime adapter lifecycle on the real engine: registry-only loads, gate, hot replacement."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from tests.helpers import assert_error, make_registry_entry
from tests.server.conftest import LiveServer

pytestmark = pytest.mark.engine

PROMPT = "Write one sentence to a customer about invoice INV-2041."


def greedy(server: LiveServer, model: str, max_tokens: int = 16) -> str:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": max_tokens,
        "temperature": 0,
    }
    with server.client() as client:
        r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    return str(r.json()["choices"][0]["message"]["content"])


def statuses(server: LiveServer) -> dict[str, dict]:
    with server.client(server.admin_key) as client:
        return {a["name"]: a for a in client.get("/v1/adapters").json()["data"]}


def test_registry_entries_load_at_start_up_through_the_gate(live_server: LiveServer) -> None:
    s = statuses(live_server)
    assert s["registered"]["status"] == "ready" and s["registered"]["version"] == "1"
    assert s["swap"]["status"] == "ready" and s["swap"]["version"] == "2"
    assert s["gated"]["status"] == "error" and "below the minimum" in s["gated"]["reason"]
    assert s["corrupt"]["status"] == "error" and "sha256" in s["corrupt"]["reason"]
    assert s["fallback"]["status"] == "ready" and s["fallback"]["version"] == "1"
    assert greedy(live_server, "registered") == greedy(live_server, "adapter-a")


def test_only_registry_entries_can_be_loaded(live_server: LiveServer) -> None:
    before = statuses(live_server)
    with live_server.client(live_server.admin_key) as client:
        for ref in ("../../etc/passwd", "/tmp/adapter", "swap@../1", "Swap@1", "a@b@c"):
            error = assert_error(client.post("/v1/adapters", json={"adapter": ref}), 400, "adapter")
            assert error["code"] == "invalid_reference"
        assert_error(client.post("/v1/adapters", json={"adapter": "nope@1"}), 404, "adapter")
        assert_error(client.post("/v1/adapters", json={"adapter": "swap@9"}), 404, "adapter")
        error = assert_error(client.post("/v1/adapters", json={"adapter": "corrupt@1"}), 422)
        assert error["code"] == "integrity_error"
        assert_error(client.post("/v1/adapters", json={}), 400, "adapter")
    with live_server.client() as client:
        assert_error(client.post("/v1/adapters", json={"adapter": "swap@1"}), 403)
    assert statuses(live_server) == before


def test_gate_refuses_unless_forced(live_server: LiveServer) -> None:
    with live_server.client(live_server.admin_key) as client:
        error = assert_error(client.post("/v1/adapters", json={"adapter": "gated@1"}), 422)
        assert error["code"] == "gate_failed" and "macro_f1 0.500" in error["message"]
        r = client.post("/v1/adapters", json={"adapter": "gated@1", "force": True})
        assert r.status_code == 200 and r.json()["status"] == "ready"
    assert greedy(live_server, "gated") == greedy(live_server, "adapter-b")
    with live_server.client(live_server.admin_key) as client:
        assert client.delete("/v1/adapters/gated").status_code == 200
        assert_error(client.delete("/v1/adapters/gated"), 404)
    with live_server.client() as client:
        body = {"model": "gated", "messages": [{"role": "user", "content": "hi"}]}
        assert_error(client.post("/v1/chat/completions", json=body), 404, "model")


def test_hot_replacement_keeps_in_flight_requests_on_their_version(
    live_server: LiveServer,
) -> None:
    a_text, b_text = greedy(live_server, "adapter-a", 48), greedy(live_server, "adapter-b", 48)
    with live_server.client(live_server.admin_key) as client:
        assert client.post("/v1/adapters", json={"adapter": "swap@1"}).status_code == 200
    assert greedy(live_server, "swap", 48) == a_text

    streamed: list[str] = []
    first_token = threading.Event()

    def stream_on_v1() -> None:
        body = {
            "model": "swap",
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": 48,
            "temperature": 0,
            "stream": True,
        }
        with (
            live_server.client() as client,
            client.stream("POST", "/v1/chat/completions", json=body) as r,
        ):
            for line in r.iter_lines():
                if line.startswith("data: {"):
                    delta = json.loads(line[6:])["choices"]
                    if delta:
                        streamed.append(delta[0]["delta"].get("content") or "")
                        first_token.set()

    worker = threading.Thread(target=stream_on_v1)
    worker.start()
    assert first_token.wait(120)
    with live_server.client(live_server.admin_key) as client:
        r = client.post("/v1/adapters", json={"adapter": "swap@2"})
        assert r.status_code == 200 and r.json()["version"] == "2"
    worker.join(300)
    assert "".join(streamed) == a_text  # finished on v1, unmixed
    assert greedy(live_server, "swap", 48) == b_text  # new requests get v2
    assert statuses(live_server)["swap"]["version"] == "2"


def test_hot_load_checks_every_tensor(
    live_server: LiveServer, test_adapters: dict[str, Path], tmp_path: Path
) -> None:
    """Issue 21: NaN weights and a lora_A that does not fit its base layer are refused at
    POST /v1/adapters, before the engine sees them."""
    registry = live_server.app_state.settings.registry_dir
    for name, key, value in (
        ("hot-nan", "layers.1.self_attn.v_proj.lora_B", None),
        ("hot-shape", "layers.3.self_attn.q_proj.lora_A", torch.ones(8, 100)),
    ):
        source = shutil.copytree(test_adapters["adapter-a"], tmp_path / name)
        weights = source / "adapter_model.safetensors"
        tensors = load_file(str(weights))
        full_key = next(k for k in tensors if key in k)
        if value is None:
            tensors[full_key][0, 0] = float("inf")
        else:
            tensors[full_key] = value
        save_file(tensors, str(weights))
        make_registry_entry(registry, name, "1", source)
    before = statuses(live_server)
    with live_server.client(live_server.admin_key) as client:
        nan = assert_error(client.post("/v1/adapters", json={"adapter": "hot-nan@1"}), 422)
        shape = assert_error(client.post("/v1/adapters", json={"adapter": "hot-shape@1"}), 422)
    assert nan["code"] == shape["code"] == "incompatible_adapter"
    assert "layers.1.self_attn.v_proj.lora_B.weight holds NaN or infinite values" in nan["message"]
    assert (
        "lora_A of layers.3.self_attn.q_proj has input size 100, the base layer has 576"
        in (shape["message"])
    )
    assert statuses(live_server) == before
