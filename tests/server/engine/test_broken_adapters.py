"""Issue 21: an adapter that produces non-finite values (weights that overflow, or NaN written
after validation) fails its own request and is taken out of service; the requests batched with
it and every later request on other models give exactly the clean engine's outputs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from safetensors.torch import load_file, save_file

from adapters import validation
from tests.helpers import assert_error, make_registry_entry
from tests.server.conftest import BASE, PROMPT, LiveServer, text_of

pytestmark = pytest.mark.engine

PROMPTS = (PROMPT, "Remind the customer that payment is due.")
OTHERS = [(m, p) for m in (BASE, "adapter-a") for p in PROMPTS]


def _scale_weights(folder: Path, factor: float) -> None:
    path = folder / "adapter_model.safetensors"
    save_file({k: t * factor for k, t in load_file(str(path)).items()}, str(path))


def _nan_weights(folder: Path) -> None:
    path = folder / "adapter_model.safetensors"
    tensors = load_file(str(path))
    for t in tensors.values():
        t[0, 0] = float("nan")
    save_file(tensors, str(path))


def _chat(live_server: LiveServer, model: str, prompt: str) -> httpx.Response:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": 24,
        "temperature": 0,
    }
    with live_server.client() as client:
        return client.post("/v1/chat/completions", json=body)


def _statuses(live_server: LiveServer) -> dict[str, dict[str, Any]]:
    with live_server.client(live_server.admin_key) as client:
        return {a["name"]: a for a in client.get("/v1/adapters").json()["data"]}


@pytest.mark.parametrize("broken", ["overflowing", "nan-after-validation"])
def test_broken_adapter_fails_alone_and_is_taken_out_of_service(
    live_server: LiveServer,
    test_adapters: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broken: str,
) -> None:
    clean = {job: text_of(live_server.chat(*job)) for job in OTHERS}
    source = shutil.copytree(test_adapters["adapter-b"], tmp_path / broken)
    if broken == "overflowing":
        _scale_weights(source, 1e20)  # finite, so it passes validation; x @ A @ B overflows
    registry = live_server.app_state.settings.registry_dir
    entry = make_registry_entry(registry, broken, "1", source)
    if broken == "nan-after-validation":
        # The weights change between the checks and the engine's load (a concurrent writer).
        real: Callable[..., validation.AdapterSpec] = validation.validate_adapter

        def then_poison(*args: Any, **kwargs: Any) -> validation.AdapterSpec:
            spec = real(*args, **kwargs)
            _nan_weights(entry)
            return spec

        monkeypatch.setattr("server.adapter_manager.validate_adapter", then_poison)
    with live_server.client(live_server.admin_key) as client:
        loaded = client.post("/v1/adapters", json={"adapter": f"{broken}@1"})
    assert loaded.status_code == 200, loaded.text
    try:
        jobs = [(broken, PROMPT), *OTHERS]
        with ThreadPoolExecutor(len(jobs)) as pool:
            responses = list(pool.map(lambda job: _chat(live_server, *job), jobs))
        error = assert_error(responses[0], 500, param="model")
        assert error["code"] == "non_finite_output" and broken in error["message"]
        assert [text_of(r.json()) for r in responses[1:]] == [clean[job] for job in OTHERS]
        status = _statuses(live_server)[broken]
        assert status["status"] == "error" and "non-finite" in status["reason"]
        assert_error(_chat(live_server, broken, PROMPT), 404, param="model")
        assert {job: text_of(live_server.chat(*job)) for job in OTHERS} == clean
        with live_server.client() as client:
            assert client.get("/ready").status_code == 200
    finally:
        with live_server.client(live_server.admin_key) as client:
            client.delete(f"/v1/adapters/{broken}")
    assert broken not in _statuses(live_server)
