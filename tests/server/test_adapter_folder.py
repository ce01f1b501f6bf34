"""Issue 21: a folder adapter (ARSERVE_ADAPTERS_DIR) never shadows a registry adapter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from adapters.validation import AdapterSpec, BaseModelInfo
from server.adapter_manager import AdapterManager, AdapterState
from server.metrics import Metrics
from server.settings import Settings
from tests.server.fake_engine import FakeEngine


class _Registry:
    """Only the names: the registry adapter's own load is not what is tested here."""

    def names(self) -> list[str]:
        return ["ar-email-drafter"]

    def versions(self, name: str) -> list[str]:
        return []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_folder_adapter_named_like_a_registry_adapter_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    specs = [
        AdapterSpec(name, tmp_path / name, 8, 16.0, ("q_proj",), None)
        for name in ("ar-email-drafter", "my-local")
    ]
    monkeypatch.setattr("server.adapter_manager.discover_adapters", lambda *_: (specs, {}))
    engine = FakeEngine()
    settings = Settings(adapters_dir=tmp_path, enable_retrieval=False)
    manager = AdapterManager(engine, None, _Registry(), settings, Metrics())  # type: ignore[arg-type]
    await manager.load_startup()
    shadow = manager.statuses["ar-email-drafter"]
    assert shadow.status is AdapterState.ERROR
    assert shadow.reason is not None and "shadow the registry adapter" in shadow.reason
    assert "would shadow" in caplog.text
    # The engine never got the folder's weights under the registry's name.
    assert set(engine.adapters) == {"my-local"}
    assert manager.statuses["my-local"].status is AdapterState.READY


@pytest.mark.anyio
async def test_folder_adapters_with_broken_weights_are_refused(
    tmp_path: Path, base_model_dir: Path, test_adapters: dict[str, Path]
) -> None:
    """A folder adapter skips the gate and sha256 checks, but never the weight checks."""
    folder = tmp_path / "adapters"
    for name in ("nan-weights", "wrong-shape", "good"):
        shutil.copytree(test_adapters["adapter-a"], folder / name)
    weights = folder / "nan-weights" / "adapter_model.safetensors"
    tensors = load_file(str(weights))
    next(iter(tensors.values()))[0, 0] = float("nan")
    save_file(tensors, str(weights))
    weights = folder / "wrong-shape" / "adapter_model.safetensors"
    tensors = load_file(str(weights))
    key = next(k for k in tensors if "layers.3.self_attn.q_proj.lora_A" in k)
    tensors[key] = torch.ones(8, 100)
    save_file(tensors, str(weights))
    engine = FakeEngine()
    settings = Settings(adapters_dir=folder, enable_retrieval=False, load_registry=False)
    base = BaseModelInfo.from_folder(base_model_dir)
    manager = AdapterManager(engine, base, _Registry(), settings, Metrics())  # type: ignore[arg-type]
    await manager.load_startup()
    assert set(engine.adapters) == {"good"}
    reasons = {name: s.reason for name, s in manager.statuses.items() if not s.ready}
    assert "holds NaN or infinite values" in str(reasons["nan-weights"])
    assert "lora_A of layers.3.self_attn.q_proj has input size 100, the base layer has 576" in str(
        reasons["wrong-shape"]
    )
