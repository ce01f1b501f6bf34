"""vLLM's CPU punica wrapper with fast multi-LoRA linear ops (see `lora_ops`).

The plugin points the CPU platform's `get_punica_wrapper()` here. Tokens are grouped by
adapter once per step in `update_metadata`; every LoRA linear layer of the step reuses it.
Only `add_lora_linear` is replaced: every linear LoRA layer (qkv, o, gate_up, down) calls it
when LoRA is not fully sharded. `add_shrink`/`add_expand` (fully sharded LoRA, tensor parallel)
and embedding/logits LoRA keep vLLM's ops.

It also contains non-finite values (see `faults`): an adapter slot whose weights hold NaN or
inf adds nothing, and output rows that come out non-finite are zeroed before they reach the
attention (and its KV cache) or the sampler; each is reported by LoRA id, or as the base
model's when the row has no adapter.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import torch
from vllm.lora.punica_wrapper.punica_cpu import PunicaWrapperCPU

from server.vllm_plugin import faults, lora_ops
from server.vllm_plugin.lora_plan import StackedCache, StepPlan, WeightCaches, build_plan

DENSE_MAX_TOKENS_ENV = "ARSERVE_CPU_LORA_DENSE_MAX_TOKENS"
# Below this many tokens in a step (decode), one masked matmul over all present adapters beats
# one matmul per adapter: the step is bound by per-op overhead, not by FLOPs.
DEFAULT_DENSE_MAX_TOKENS = 128


def _dense_max_tokens() -> int:
    return int(os.environ.get(DENSE_MAX_TOKENS_ENV, DEFAULT_DENSE_MAX_TOKENS))


class FastPunicaWrapperCPU(PunicaWrapperCPU):
    """Drop-in for `PunicaWrapperCPU`; falls back to it for shapes it does not expect."""

    # Benchmarks flip this inside the worker to time vLLM's own ops in the same engine.
    enabled: ClassVar[bool] = True

    def __init__(
        self,
        max_num_batched_tokens: int,
        max_batches: int,
        device: torch.device | str,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_num_batched_tokens, max_batches, device, **kwargs)
        self._plan: StepPlan | None = None
        self._request_slots: list[int] = []
        self._slot_ids: list[int | None] = []
        self._caches = WeightCaches()
        self._dense_max_tokens = _dense_max_tokens()

    def update_metadata(
        self,
        mapping: Any,
        lora_index_to_id: list[int | None],
        max_loras: int,
        vocab_size: int,
        **kwargs: Any,
    ) -> None:
        super().update_metadata(mapping, lora_index_to_id, max_loras, vocab_size, **kwargs)
        self._slot_ids = list(lora_index_to_id)
        self._plan = build_plan(self.token_lora_indices, self._dense_max_tokens)
        self._request_slots = sorted({i for i in self.sampler_indices.tolist() if i >= 0})

    def _plan_for(self, x: torch.Tensor) -> StepPlan | None | bool:
        """The step's plan; False when this call must take vLLM's path instead."""
        if not self.enabled or x.device.type != "cpu":
            return False
        plan = self._plan
        if plan is not None and x.size(0) != plan.num_tokens:
            return False  # rows not one per scheduled token (padding): vLLM's ops handle it
        return plan

    def add_lora_linear(
        self,
        y: torch.Tensor,
        x: torch.Tensor,
        lora_a_stacked: tuple[torch.Tensor, ...],
        lora_b_stacked: tuple[torch.Tensor, ...],
        scale: float,
        output_slices: tuple[int, ...],
        *,
        buffer: tuple[torch.Tensor, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        x2 = x.view(-1, x.shape[-1])
        plan = self._plan_for(x2)
        if not self.enabled:
            return super().add_lora_linear(
                y, x, lora_a_stacked, lora_b_stacked, scale, output_slices, buffer=buffer, **kwargs
            )
        if plan is None or plan is True:
            return None  # no token of this step has an adapter
        y2 = y.view(-1, y.shape[-1])
        a = self._caches.get(lora_a_stacked, "a", x2.dtype)
        b = self._caches.get(lora_b_stacked, "b", x2.dtype)
        if plan is False or y2.size(1) != sum(output_slices):
            indices = self.token_lora_indices
            slots = [int(i) for i in torch.unique(indices).tolist() if i >= 0]
            a_w, b_w = self._finite_weights(slots, a, b)
            super().add_lora_linear(
                y, x, a_w, b_w, scale, output_slices, buffer=buffer, **kwargs
            )  # fmt: skip
        else:
            indices = plan.indices
            # The caches serve a non-finite slot as no adapter; this reports it.
            self._finite_weights([slot for slot, _ in plan.groups], a, b)
            lora_ops.lora_linear(y2, x2, plan, a, b, scale, output_slices)
        self._contain(y2, indices)
        return None

    def _finite_weights(
        self, slots: list[int], a: StackedCache, b: StackedCache
    ) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...]]:
        """The stacked weights with the step's non-finite slots zeroed (copies, only then);
        each such slot is reported."""
        bad = []
        for slot in slots:
            a.slot(slot)
            b.slot(slot)
            if slot in a.non_finite or slot in b.non_finite:
                faults.report(self._lora_id(slot), "adapter weights hold NaN or inf")
                bad.append(slot)
        if not bad:
            return a.stacked, b.stacked
        cleaned = []
        for stacked in (a.stacked, b.stacked):
            copies = tuple(t.clone() for t in stacked)
            for t in copies:
                t[bad] = 0
            cleaned.append(copies)
        return cleaned[0], cleaned[1]

    def _lora_id(self, slot: int) -> int | None:
        lora_id = self._slot_ids[slot] if 0 <= slot < len(self._slot_ids) else None
        return lora_id if lora_id is not None and lora_id > 0 else None

    def _contain(self, y: torch.Tensor, indices: torch.Tensor) -> None:
        """Zero non-finite rows (so no NaN reaches attention, the KV cache or the sampler)
        and report each row's adapter, or the base model for a row without one."""
        # A row sum is non-finite when any of its values is (one pass, no [rows, cols] mask).
        if bool(torch.isfinite(y.sum(dim=-1)).all()):
            return
        rows_ok = torch.isfinite(y).all(dim=-1)
        if bool(rows_ok.all()):
            return  # finite values whose sum overflowed
        bad = rows_ok.logical_not()
        # Rows past the indices are padding: zeroed, but nobody's to report.
        n = min(indices.numel(), y.size(0))
        slots = indices[:n][bad[:n]].tolist()
        for slot in sorted(set(slots)):
            lora_id = self._lora_id(int(slot)) if slot >= 0 else None
            faults.report(lora_id, "non-finite output" + ("" if lora_id else " of the base model"))
        y[bad] = 0

    def add_lora_logits(
        self,
        y: torch.Tensor,
        x: torch.Tensor,
        lora_a_stacked: torch.Tensor,
        lora_b_stacked: torch.Tensor,
        scale: Any,
        *,
        buffer: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> None:
        """Skip the lm_head LoRA when no adapter of the step has one (PEFT adapters on linear
        layers never do): vLLM's op gathers a [vocab, rank] B per request, every step."""
        if self.enabled:
            a = self._caches.get((lora_a_stacked,), "a", lora_a_stacked.dtype)
            if all(a.slot(slot)[0] is None for slot in self._request_slots):
                # Non-finite logits would make the sampler fail or pick garbage for the batch.
                self._contain(y, self.sampler_indices)
                return None
        # vLLM's op maps rows to requests: prompt logprobs (one row per prompt token) would
        # misalign, so refuse loudly rather than add the wrong adapter to a row.
        if x.view(-1, x.shape[-1]).size(0) != self.sampler_indices.size(0):
            raise RuntimeError(
                "arserve LoRA plugin: lm_head LoRA with prompt logprobs is not supported on CPU"
            )
        return super().add_lora_logits(
            y, x, lora_a_stacked, lora_b_stacked, scale, buffer=buffer, **kwargs
        )
