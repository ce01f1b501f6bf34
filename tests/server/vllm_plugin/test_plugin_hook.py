"""The plugin's hook into vLLM: entry point, platform patch, env switch, start-up checks."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Any

import pytest

pytest.importorskip("vllm")

from vllm.platforms import current_platform  # noqa: E402

import server.vllm_plugin as plugin  # noqa: E402
from server.vllm_plugin import compat  # noqa: E402

pytestmark = pytest.mark.skipif(not current_platform.is_cpu(), reason="CPU platform only")


@pytest.fixture
def vanilla_platform() -> Iterator[Any]:
    """The CPU platform class with vLLM's own wrapper selected; restored afterwards."""
    cls = type(current_platform)
    saved = cls.__dict__.get("get_punica_wrapper")
    cls.get_punica_wrapper = classmethod(lambda c: compat.VLLM_CPU_WRAPPER)  # type: ignore[method-assign,assignment]
    yield cls
    if saved is not None:
        cls.get_punica_wrapper = saved  # type: ignore[method-assign]


def test_entry_point_is_registered() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="vllm.general_plugins")}
    assert names.get("arserve_cpu") == "server.vllm_plugin:register"


def test_register_selects_the_fast_wrapper(
    vanilla_platform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(plugin.PLUGIN_ENV, raising=False)
    plugin.register()
    assert vanilla_platform.get_punica_wrapper() == plugin.FAST_WRAPPER
    plugin.register()  # vLLM may load plugins more than once per process
    assert vanilla_platform.get_punica_wrapper() == plugin.FAST_WRAPPER


def test_env_switch_keeps_vllm_ops(vanilla_platform: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(plugin.PLUGIN_ENV, "0")
    plugin.register()
    assert vanilla_platform.get_punica_wrapper() == compat.VLLM_CPU_WRAPPER


def test_unexpected_vllm_version_fails_loudly(
    vanilla_platform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vllm

    monkeypatch.delenv(plugin.PLUGIN_ENV, raising=False)
    monkeypatch.setattr(vllm, "__version__", "0.33.0")
    with pytest.raises(compat.VllmInternalsChanged, match="0.33.0"):
        plugin.register()
    assert vanilla_platform.get_punica_wrapper() == compat.VLLM_CPU_WRAPPER


def test_changed_signature_fails_loudly(
    vanilla_platform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vllm.lora.punica_wrapper.punica_cpu import PunicaWrapperCPU

    def add_lora_linear(self, y, x, lora_a_stacked, lora_b_stacked, output_slices):  # type: ignore[no-untyped-def]
        raise AssertionError

    monkeypatch.setattr(PunicaWrapperCPU, "add_lora_linear", add_lora_linear)
    with pytest.raises(compat.VllmInternalsChanged, match="add_lora_linear"):
        compat.check_vllm_internals(vanilla_platform)


def test_amx_request_is_safe_everywhere() -> None:
    # True only on CPUs with AMX whose kernel grants the tile state; never raises.
    assert plugin.request_amx_permission() in (True, False)
