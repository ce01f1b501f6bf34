"""Multi-LoRA shrink/expand on CPU: one matmul per adapter present, or one masked dense matmul.

Two strategies, chosen per step by token count (see `StepPlan.dense`):
- grouped: for each adapter slot present, x[rows] @ A then @ B into y[rows]. Cost follows the
  tokens that use an adapter; rows without one are never touched.
- dense: for small (decode) steps, per-op overhead dominates, so all present adapters go in one
  matmul and a one-hot mask zeroes the other adapters' columns; rows without an adapter add an
  exact zero.
"""

from __future__ import annotations

import torch

from server.vllm_plugin.lora_plan import StackedCache, StepPlan

_MAX_DERIVED = 64  # bounds fused/dense forms kept per layer when adapters churn
SlotWeights = tuple[torch.Tensor, torch.Tensor] | None  # (A^T [in, r], B^T [r, out])


def _remember(cache: StackedCache, key: object, value: object) -> None:
    if len(cache.derived) >= _MAX_DERIVED:
        cache.derived.clear()
    cache.derived[key] = value


def _fused_slot(
    a: StackedCache, b: StackedCache, slot: int, slices: tuple[int, ...]
) -> SlotWeights:
    """One adapter's sliced projections (qkv, gate_up) fused: A side by side, B block-diagonal.

    Then one matmul shrinks every slice and one expands into the full output width; the
    block-diagonal B wastes (slices-1)/slices of the expand's FLOPs, which are ~1% of the base
    layer's, to save an op per slice (on 2 cores per-op overhead is what costs).
    """
    key = ("fused", slot, id(b.stacked[0]), b.versions, slices)
    if key in a.derived:
        return a.derived[key]  # type: ignore[return-value]
    cols: list[torch.Tensor] = []
    blocks: list[tuple[int, torch.Tensor]] = []
    offset = 0
    for at, bt, width in zip(a.slot(slot), b.slot(slot), slices, strict=True):
        if at is not None and bt is not None:
            rank = min(at.size(1), bt.size(0))
            cols.append(at[:, :rank])
            blocks.append((offset, bt[:rank]))
        offset += width
    fused: SlotWeights = None
    if cols:
        b_bd = torch.zeros(sum(c.size(1) for c in cols), offset, dtype=a.dtype)
        row = 0
        for off, bt in blocks:
            b_bd[row : row + bt.size(0), off : off + bt.size(1)] = bt
            row += bt.size(0)
        fused = (torch.cat(cols, dim=1).contiguous(), b_bd)
    _remember(a, key, fused)
    return fused


def lora_linear(
    y: torch.Tensor,
    x: torch.Tensor,
    plan: StepPlan,
    a: StackedCache,
    b: StackedCache,
    scale: float,
    slices: tuple[int, ...],
) -> None:
    """y[:, slice i] += scale * x @ A_i^T @ B_i^T with each row's own adapter (2-D y and x).

    y must be exactly the concatenated slices wide (as in every vLLM linear LoRA layer).
    """
    weights = {slot: _fused_slot(a, b, slot, slices) for slot, _ in plan.groups}
    if plan.dense:
        _linear_dense(y, x, plan, a, b, weights, scale)
        return
    for slot, rows in plan.groups:
        fused = weights[slot]
        if fused is None:
            continue  # this adapter does not target this module
        a_cat, b_bd = fused
        if isinstance(rows, slice):
            h = torch.mm(x[rows], a_cat)
            y[rows].addmm_(h, b_bd, alpha=scale)
        else:
            h = torch.mm(x.index_select(0, rows), a_cat)
            y.index_add_(0, rows, torch.mm(h, b_bd), alpha=scale)


def _linear_dense(
    y: torch.Tensor,
    x: torch.Tensor,
    plan: StepPlan,
    a: StackedCache,
    b: StackedCache,
    weights: dict[int, SlotWeights],
    scale: float,
) -> None:
    """All present adapters in one shrink and one expand; a per-column mask keeps each row's
    own adapter (rows without one add an exact zero). The mask fills rather than multiplies:
    an overflowing adapter's inf times 0 would be NaN in every other row."""
    present = [(slot, w) for slot, w in weights.items() if w is not None]
    if not present:
        return
    slots = tuple(slot for slot, _ in present)
    ranks = tuple(w[0].size(1) for _, w in present)
    key = ("dense", slots, ranks, id(b.stacked[0]), b.versions)
    dense: tuple[torch.Tensor, torch.Tensor] | None = a.derived.get(key)  # type: ignore[assignment]
    if dense is None:
        dense = (
            torch.cat([w[0] for _, w in present], dim=1).contiguous(),
            torch.cat([w[1] for _, w in present], dim=0).contiguous(),
        )
        _remember(a, key, dense)
    a_dense, b_dense = dense
    h = torch.mm(x, a_dense)
    h.masked_fill_(plan.column_off(slots, ranks), 0)
    y.addmm_(h, b_dense, alpha=scale)
