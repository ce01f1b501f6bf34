"""Correctness fix for vLLM 0.32's CPU LoRA ops: tokens with no adapter must get no delta.

vLLM marks a token without an adapter with index -1. Its torch ops on CPU gather
`lora_weights[indices]`, and index -1 selects the *last* adapter slot, so once every slot
(`max_loras`) is in use, base-model tokens batched with adapter tokens silently receive that
adapter's delta. Zeroing the shrink output of those tokens makes the expand add exactly 0,
so base-model tokens get exactly the base model's result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

_PATCHED = "_arserve_no_lora_mask"


def _masked(shrink: Callable[..., None]) -> Callable[..., None]:
    def bgmv_shrink(
        inputs: torch.Tensor,
        lora_a_weights: torch.Tensor,
        output_tensor: torch.Tensor,
        lora_indices_tensor: torch.Tensor,
        scaling: float = 1.0,
    ) -> None:
        shrink(inputs, lora_a_weights, output_tensor, lora_indices_tensor, scaling)
        no_lora = lora_indices_tensor < 0
        if no_lora.shape[0] == output_tensor.shape[0] and bool(no_lora.any()):
            output_tensor[no_lora] = 0

    setattr(bgmv_shrink, _PATCHED, True)
    return bgmv_shrink


def apply() -> None:
    """Patch the op where vLLM's CPU punica wrapper and `sgmv_shrink` look it up."""
    from vllm.lora.ops.torch_ops import lora_ops
    from vllm.lora.punica_wrapper import punica_cpu

    original: Any = lora_ops.bgmv_shrink
    if getattr(original, _PATCHED, False):
        return
    if original.__code__.co_varnames[:4] != (
        "inputs",
        "lora_b_weights",
        "output_tensor",
        "lora_indices_tensor",
    ):
        raise RuntimeError(
            "arserve plugin: vllm.lora.ops.torch_ops.bgmv_shrink changed shape; "
            "this plugin is written for vLLM 0.32.0"
        )
    patched = _masked(original)
    lora_ops.bgmv_shrink = patched  # sgmv_shrink resolves it here at call time
    punica_cpu.bgmv_shrink = patched  # type: ignore[attr-defined]
