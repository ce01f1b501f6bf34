"""Engine configuration from settings: device, dtype and vLLM engine arguments.

No vLLM import here: this only decides values, so it is cheap to test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from server.settings import Settings


def detect_device(requested: str) -> str:
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return f.read()
    except OSError:
        return ""


def cpu_supports_bf16() -> bool:
    """bf16 is worth it on x86 with AVX512-BF16 or AMX (native bf16 dot products)."""
    flags = _cpu_flags()
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))


def resolve_dtype(requested: str, device: str) -> str:
    if requested != "auto":
        return requested
    if device == "cpu":
        from server.vllm_plugin import request_amx_permission

        # With AMX but no tile permission (old kernel), bf16 kernels die with SIGILL.
        if "amx_tile" in _cpu_flags() and not request_amx_permission():
            return "float32"
        return "bfloat16" if cpu_supports_bf16() else "float32"
    return "auto"


@dataclass(frozen=True)
class EngineConfig:
    model: str
    served_model_name: str
    device: str
    dtype: str
    engine_args: dict[str, Any]


def build_engine_config(settings: Settings, model: str) -> EngineConfig:
    device = detect_device(settings.device)
    dtype = resolve_dtype(settings.dtype, device)
    served_name = settings.served_model_name or os.path.basename(model.rstrip("/")) or model
    args: dict[str, Any] = {
        "model": model,
        "served_model_name": [served_name],
        "dtype": dtype,
        "max_model_len": settings.max_model_len,
        "max_num_seqs": settings.max_num_seqs,
        "enforce_eager": settings.enforce_eager,
        "enable_prefix_caching": settings.enable_prefix_caching,
        "gpu_memory_utilization": settings.gpu_memory_utilization,
        "disable_log_stats": False,
        "enable_lora": settings.enable_lora,
    }
    if settings.max_num_batched_tokens:
        args["max_num_batched_tokens"] = settings.max_num_batched_tokens
    if settings.enable_lora:
        args |= {
            "max_loras": settings.max_loras,
            "max_cpu_loras": max(settings.max_cpu_loras, settings.max_loras),
            "max_lora_rank": settings.max_lora_rank,
        }
    return EngineConfig(model, served_name, device, dtype, args)


def apply_process_env(settings: Settings, device: str) -> None:
    """vLLM's CPU backend reads its KV cache size from the environment, in whole GiB."""
    if device == "cpu":
        os.environ["VLLM_CPU_KVCACHE_SPACE"] = str(max(1, round(settings.kv_cache_space_gib)))
        # Read by the vLLM plugin in every engine process (they inherit the environment).
        os.environ["ARSERVE_CPU_LORA_PLUGIN"] = "1" if settings.cpu_lora_plugin else "0"
    # Never reach a model hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
