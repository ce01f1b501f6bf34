"""Start-up checks that the vLLM internals the plugin replaces still have the expected shape.

The fast punica wrapper subclasses vLLM's CPU wrapper and is selected through the CPU
platform's `get_punica_wrapper()`; any drift in these internals must stop the engine at
start-up rather than silently produce wrong adapter outputs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

PINNED_VLLM = "0.32.0"
VLLM_CPU_WRAPPER = "vllm.lora.punica_wrapper.punica_cpu.PunicaWrapperCPU"

# Parameter names (self first) of the methods the fast wrapper overrides or relies on.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "__init__": ("self", "max_num_batched_tokens", "max_batches", "device", "kwargs"),
    "update_metadata": (
        "self", "mapping", "lora_index_to_id", "max_loras", "vocab_size", "kwargs",
    ),
    "add_lora_logits": (
        "self", "y", "x", "lora_a_stacked", "lora_b_stacked", "scale", "buffer", "kwargs",
    ),
    "add_lora_linear": (
        "self", "y", "x", "lora_a_stacked", "lora_b_stacked", "scale", "output_slices",
        "buffer", "kwargs",
    ),
}  # fmt: skip


class VllmInternalsChanged(RuntimeError):
    """The installed vLLM is not the one this plugin was written against."""


def _params(fn: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(fn).parameters)


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise VllmInternalsChanged(
            f"arserve vLLM plugin: {what}. It is written for vLLM {PINNED_VLLM}; "
            "set ARSERVE_CPU_LORA_PLUGIN=0 to run with vLLM's own CPU LoRA ops."
        )


def check_vllm_internals(platform_cls: Any) -> None:
    """Raise VllmInternalsChanged unless every replaced internal has the expected shape."""
    import vllm
    from vllm.lora.layers import LoRAMapping, RowParallelLinearWithLoRA
    from vllm.lora.layers.base_linear import BaseLinearLayerWithLoRA
    from vllm.lora.punica_wrapper import punica_selector
    from vllm.lora.punica_wrapper.punica_base import PunicaWrapperBase
    from vllm.lora.punica_wrapper.punica_cpu import PunicaWrapperCPU

    _require(vllm.__version__ == PINNED_VLLM, f"vLLM is {vllm.__version__}")
    _require(
        platform_cls.get_punica_wrapper() == VLLM_CPU_WRAPPER,
        f"{platform_cls.__name__}.get_punica_wrapper() no longer names {VLLM_CPU_WRAPPER}",
    )
    selector = inspect.getsource(punica_selector.get_punica_wrapper)
    _require(
        "current_platform.get_punica_wrapper()" in selector,
        "vLLM no longer picks the punica wrapper through the platform",
    )
    for name, expected in _SIGNATURES.items():
        got = _params(getattr(PunicaWrapperCPU, name))
        _require(got == expected, f"PunicaWrapperCPU.{name}{got} is not {expected}")
    for prop in ("token_lora_indices", "sampler_indices"):
        _require(
            isinstance(getattr(PunicaWrapperBase, prop, None), property),
            f"PunicaWrapperBase.{prop} is gone",
        )
    fields = getattr(LoRAMapping, "__dataclass_fields__", {})
    _require(
        {"index_mapping", "prompt_mapping", "is_prefill"} <= set(fields),
        "LoRAMapping lost index_mapping/prompt_mapping/is_prefill",
    )
    # The stacked layout the weight caches read: A [slots, 1, rank, in], B [slots, 1, out, rank].
    layout = _source(BaseLinearLayerWithLoRA.create_lora_weights)
    _require(
        "torch.zeros(max_loras,1,lora_a_out_size,self.input_size," in layout
        and "torch.zeros(max_loras,1,lora_b_out_size,lora_config.max_lora_rank," in layout,
        "BaseLinearLayerWithLoRA stacks LoRA weights in a new layout",
    )
    # Every unsharded linear LoRA layer must reach the wrapper through add_lora_linear.
    _require(
        "self.punica_wrapper.add_lora_linear(output,x,self.lora_a_stacked,self.lora_b_stacked,"
        in _source(BaseLinearLayerWithLoRA._apply_lora_to_output)
        and RowParallelLinearWithLoRA.apply is BaseLinearLayerWithLoRA.apply,
        "linear LoRA layers no longer apply adapters through add_lora_linear",
    )


def _source(fn: Callable[..., Any]) -> str:
    """Source without whitespace, so formatting changes do not trip the checks."""
    return "".join(inspect.getsource(fn).split())
