"""The fast CPU punica wrapper against a per-token reference (no engine; seconds)."""

from __future__ import annotations

import pytest
import torch

pytest.importorskip("vllm")

from vllm.lora.layers import LoRAMapping  # noqa: E402

from server.vllm_plugin.punica_fast import FastPunicaWrapperCPU  # noqa: E402

SLOTS, MAX_RANK, IN = 4, 16, 64
SLICES = (64, 32, 32)  # a qkv-like projection


def stacked_weights(
    dtype: torch.dtype, ranks: dict[int, int], zero_slice: tuple[int, int] | None = None
) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...]]:
    """vLLM's layout: A [slots, 1, max_rank, in], B [slots, 1, out, max_rank], zero padded."""
    gen = torch.Generator().manual_seed(0)
    a = tuple(torch.zeros(SLOTS, 1, MAX_RANK, IN, dtype=dtype) for _ in SLICES)
    b = tuple(torch.zeros(SLOTS, 1, out, MAX_RANK, dtype=dtype) for out in SLICES)
    for slot, rank in ranks.items():
        for s, out in enumerate(SLICES):
            if zero_slice == (slot, s):
                continue  # adapter that does not target this slice (e.g. k_proj)
            a[s][slot, 0, :rank] = torch.randn(rank, IN, generator=gen).to(dtype)
            b[s][slot, 0, :, :rank] = torch.randn(out, rank, generator=gen).to(dtype) / 4
    return a, b


def reference(
    y: torch.Tensor,
    x: torch.Tensor,
    a: tuple[torch.Tensor, ...],
    b: tuple[torch.Tensor, ...],
    slots: list[int],
    scale: float,
) -> torch.Tensor:
    out = y.double().clone()
    for t, slot in enumerate(slots):
        if slot < 0:
            continue
        off = 0
        for s, width in enumerate(SLICES):
            h = x[t].double() @ a[s][slot, 0].double().t() * scale
            out[t, off : off + width] += h @ b[s][slot, 0].double().t()
            off += width
    return out


def run(
    token_slots: list[int],
    dtype: torch.dtype,
    dense_max_tokens: int,
    ranks: dict[int, int],
    scale: float = 1.0,
    zero_slice: tuple[int, int] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    torch.manual_seed(1)
    wrapper = FastPunicaWrapperCPU(256, 16, "cpu")
    wrapper._dense_max_tokens = dense_max_tokens
    # LoRA ids are slot + 1; vLLM maps them back to slots through lora_index_to_id.
    ids = [s + 1 if s >= 0 else 0 for s in token_slots]
    mapping = LoRAMapping(tuple(ids), tuple(ids), is_prefill=True)
    wrapper.update_metadata(mapping, [i + 1 for i in range(SLOTS)], SLOTS + 1, 1000)
    a, b = stacked_weights(dtype, ranks, zero_slice)
    x = torch.randn(len(token_slots), IN).to(dtype)
    y0 = torch.randn(len(token_slots), sum(SLICES)).to(dtype)
    y = y0.clone()
    wrapper.add_lora_linear(y, x, a, b, scale, SLICES)
    return y0, y, reference(y0, x, a, b, token_slots, scale)


CASES = {
    "adjacent groups and base rows": [-1, -1, 0, 0, 0, 2, 2, -1, 3, 3, 3, 3],
    "one adapter in several runs": [1, 1, -1, 0, 1, 1, -1, 0, 0, 1],
    "every token its own adapter": [0, 1, 2, 3, 0, 1, 2, 3],
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("dense_max_tokens", [0, 1000], ids=["grouped", "dense"])
@pytest.mark.parametrize("case", CASES)
def test_matches_reference_and_leaves_base_rows_untouched(
    case: str, dense_max_tokens: int, dtype: torch.dtype
) -> None:
    slots = CASES[case]
    ranks = {0: 8, 1: 16, 2: 4, 3: 16}
    y0, y, ref = run(slots, dtype, dense_max_tokens, ranks, scale=0.5, zero_slice=(1, 1))
    tol = 1e-4 if dtype == torch.float32 else 0.05
    scale = ref.abs().max().item()
    assert (y.double() - ref).abs().max().item() <= tol * scale
    base_rows = torch.tensor([s < 0 for s in slots])
    assert torch.equal(y[base_rows], y0[base_rows])  # exactly the base result


def test_no_adapter_in_step_is_a_no_op() -> None:
    y0, y, _ = run([-1, -1, -1], torch.float32, 1000, {0: 8})
    assert torch.equal(y, y0)


def test_weight_cache_follows_slot_rewrites() -> None:
    wrapper = FastPunicaWrapperCPU(64, 4, "cpu")
    mapping = LoRAMapping((1, 1, 2), (1, 1, 2), is_prefill=True)
    wrapper.update_metadata(mapping, [1, 2, None, None], SLOTS + 1, 1000)
    a, b = stacked_weights(torch.float32, {0: 8, 1: 8})
    x = torch.randn(3, IN)
    first = torch.zeros(3, sum(SLICES))
    wrapper.add_lora_linear(first, x, a, b, 1.0, SLICES)
    # vLLM rewrites slot 1 in place (set_lora / reset_lora): the next step must see it.
    a[0][1, 0].zero_()
    b[0][1, 0].mul_(2)
    second = torch.zeros(3, sum(SLICES))
    wrapper.add_lora_linear(second, x, a, b, 1.0, SLICES)
    ref = reference(torch.zeros(3, sum(SLICES)), x, a, b, [0, 0, 1], 1.0)
    assert torch.allclose(second.double(), ref, atol=1e-4)
    assert not torch.allclose(first, second)


def test_disabled_wrapper_takes_vllm_path() -> None:
    FastPunicaWrapperCPU.enabled = False
    try:
        y0, y, ref = run([0, -1, 1], torch.float32, 0, {0: 8, 1: 8})
    finally:
        FastPunicaWrapperCPU.enabled = True
    assert torch.allclose(y.double(), ref, atol=1e-4)
