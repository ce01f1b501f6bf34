"""Engine configuration: device, dtype and vLLM engine arguments from `EngineOptions`.

No vLLM import here: this only decides values, so it is cheap to test. The server fills
`EngineOptions` from its settings (`Settings.engine_options`); the engine never sees them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from adapters.training.cpu import cpu_flags, cpu_supports_bf16


def detect_device(requested: str) -> str:
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(requested: str, device: str) -> str:
    if requested != "auto":
        return requested
    if device == "cpu":
        from server.vllm_plugin import request_amx_permission

        # With AMX but no tile permission (old kernel), bf16 kernels die with SIGILL.
        if "amx_tile" in cpu_flags() and not request_amx_permission():
            return "float32"
        return "bfloat16" if cpu_supports_bf16() else "float32"
    return "auto"


@dataclass(frozen=True)
class EngineOptions:
    """What an engine is built from (the meaning of each: `server/options.py`)."""

    device: str
    dtype: str
    served_model_name: str | None
    max_model_len: int
    max_num_seqs: int
    max_num_batched_tokens: int | None
    enforce_eager: bool
    kv_cache_space_gib: int
    gpu_memory_utilization: float
    enable_prefix_caching: bool
    enable_lora: bool
    cpu_lora_plugin: bool
    max_loras: int
    max_cpu_loras: int
    max_lora_rank: int


@dataclass(frozen=True)
class EngineConfig:
    model: str
    served_model_name: str
    device: str
    dtype: str
    engine_args: dict[str, Any]


def build_engine_config(options: EngineOptions, model: str) -> EngineConfig:
    device = detect_device(options.device)
    dtype = resolve_dtype(options.dtype, device)
    served_name = options.served_model_name or os.path.basename(model.rstrip("/")) or model
    args: dict[str, Any] = {
        "model": model,
        "served_model_name": [served_name],
        "dtype": dtype,
        "max_model_len": options.max_model_len,
        "max_num_seqs": options.max_num_seqs,
        "enforce_eager": options.enforce_eager,
        "enable_prefix_caching": options.enable_prefix_caching,
        "gpu_memory_utilization": options.gpu_memory_utilization,
        "disable_log_stats": False,
        "enable_lora": options.enable_lora,
    }
    if options.max_num_batched_tokens:
        args["max_num_batched_tokens"] = options.max_num_batched_tokens
    if options.enable_lora:
        args |= {
            "max_loras": options.max_loras,
            "max_cpu_loras": max(options.max_cpu_loras, options.max_loras),
            "max_lora_rank": options.max_lora_rank,
        }
    return EngineConfig(model, served_name, device, dtype, args)


def apply_process_env(options: EngineOptions, device: str) -> None:
    """vLLM's CPU backend reads its KV cache size from the environment, in whole GiB."""
    if device == "cpu":
        os.environ["VLLM_CPU_KVCACHE_SPACE"] = str(max(1, round(options.kv_cache_space_gib)))
        # Read by the vLLM plugin in every engine process (they inherit the environment).
        os.environ["ARSERVE_CPU_LORA_PLUGIN"] = "1" if options.cpu_lora_plugin else "0"
    # Never reach a model hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
