"""vLLM general plugin: loaded by vLLM in every process, engine workers included."""

from __future__ import annotations

import logging
import platform

logger = logging.getLogger(__name__)


def request_amx_permission() -> bool:
    """Ask the kernel for AMX tile state; bf16 kernels that use AMX die with SIGILL without it."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        import torch

        return bool(torch.cpu._init_amx())
    except Exception:  # noqa: BLE001 - older torch or no AMX: bf16 falls back to AVX-512
        return False


def register() -> None:
    """Entry point named in pyproject (`vllm.general_plugins`)."""
    request_amx_permission()
    from vllm.platforms import current_platform

    if current_platform.is_cpu():
        from server.vllm_plugin import no_lora_mask

        no_lora_mask.apply()
