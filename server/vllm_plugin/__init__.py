"""vLLM general plugin: loaded by vLLM in every process, engine workers included.

On CPU it (1) asks the kernel for AMX tile permission, so bf16 kernels that use AMX do not die
with SIGILL, (2) masks vLLM's own CPU LoRA ops so tokens without an adapter get no delta, and
(3) unless ARSERVE_CPU_LORA_PLUGIN=0, makes vLLM use `FastPunicaWrapperCPU` for multi-LoRA.
Workers inherit the environment, so environment variables are how this is configured.
"""

from __future__ import annotations

import logging
import os
import platform

logger = logging.getLogger(__name__)

PLUGIN_ENV = "ARSERVE_CPU_LORA_PLUGIN"
FAST_WRAPPER = "server.vllm_plugin.punica_fast.FastPunicaWrapperCPU"


def request_amx_permission() -> bool:
    """Ask the kernel for AMX tile state; bf16 kernels that use AMX die with SIGILL without it.

    The permission (arch_prctl ARCH_REQ_XCOMP_PERM) is per process, so it must run in every
    engine process. True only where the CPU has AMX and the kernel granted it.
    """
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        import torch

        return bool(torch.cpu._init_amx())
    except Exception:  # noqa: BLE001 - older torch or no AMX: bf16 falls back to AVX-512
        return False


def fast_lora_enabled() -> bool:
    return os.environ.get(PLUGIN_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def install_fast_lora() -> bool:
    """Point the CPU platform at the fast punica wrapper; False when not on a CPU platform."""
    from vllm.platforms import current_platform
    from vllm.platforms.cpu import CpuPlatform

    platform_cls = type(current_platform)
    if not (current_platform.is_cpu() and issubclass(platform_cls, CpuPlatform)):
        return False  # GPUs keep vLLM's kernels
    if platform_cls.get_punica_wrapper() == FAST_WRAPPER:
        return True  # already installed in this process
    from server.vllm_plugin.compat import check_vllm_internals

    check_vllm_internals(platform_cls)
    platform_cls.get_punica_wrapper = classmethod(lambda cls: FAST_WRAPPER)  # type: ignore[method-assign,assignment]
    logger.info("arserve: CPU multi-LoRA ops replaced by %s", FAST_WRAPPER)
    return True


def register() -> None:
    """Entry point named in pyproject (`vllm.general_plugins`)."""
    amx = request_amx_permission()
    logger.debug("arserve: AMX tile permission %s", "granted" if amx else "not available")
    from vllm.platforms import current_platform

    if not current_platform.is_cpu():
        return
    from server.vllm_plugin import no_lora_mask

    no_lora_mask.apply()
    if fast_lora_enabled():
        install_fast_lora()
    else:
        logger.info("arserve: %s=0, keeping vLLM's CPU LoRA ops", PLUGIN_ENV)
