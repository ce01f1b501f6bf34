"""Issue 21: a folder adapter (ARSERVE_ADAPTERS_DIR) never shadows a registry adapter."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.validation import AdapterSpec
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
