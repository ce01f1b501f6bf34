"""Per-step token grouping and per-layer LoRA weight caches (pure torch, no vLLM import).

vLLM stores each layer's adapters as stacked, zero-padded tensors: A as [slots, 1, rank, in]
and B as [slots, 1, out, rank]. The caches below keep, per slot, transposed copies trimmed to
the adapter's real rank, so a rank-8 adapter in a rank-16 engine costs rank 8, and a module an
adapter does not target (all-zero weights) costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

Rows = slice | torch.Tensor


@dataclass
class StepPlan:
    """Which rows of this step's batch use which adapter slot; built once per step."""

    num_tokens: int
    groups: list[tuple[int, Rows]]
    dense: bool
    indices: torch.Tensor
    _masks: dict[tuple[tuple[int, ...], torch.dtype], torch.Tensor] = field(default_factory=dict)
    _col_masks: dict[tuple[object, ...], torch.Tensor] = field(default_factory=dict)

    def mask(self, slots: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
        """One-hot [tokens, len(slots)]: row t has a 1 in the column of its adapter, if any."""
        key = (slots, dtype)
        if key not in self._masks:
            wanted = torch.tensor(slots, dtype=self.indices.dtype)
            self._masks[key] = (self.indices[:, None] == wanted[None, :]).to(dtype)
        return self._masks[key]

    def column_off(self, slots: tuple[int, ...], ranks: tuple[int, ...]) -> torch.Tensor:
        """Bool [tokens, sum(ranks)]: True where the column's adapter is not the row's."""
        key = (slots, ranks)
        if key not in self._col_masks:
            owner = torch.repeat_interleave(torch.arange(len(slots)), torch.tensor(ranks))
            on = self.mask(slots, torch.bool)[:, owner]
            self._col_masks[key] = on.logical_not().contiguous()
        return self._col_masks[key]


def build_plan(indices: torch.Tensor, dense_max_tokens: int) -> StepPlan | None:
    """Group token rows by adapter slot (-1 = no adapter); None when no token has one."""
    num_tokens = int(indices.numel())
    if num_tokens == 0:
        return None
    values, counts = torch.unique_consecutive(indices, return_counts=True)
    runs: dict[int, list[tuple[int, int]]] = {}
    start = 0
    for value, count in zip(values.tolist(), counts.tolist(), strict=True):
        if value >= 0:
            runs.setdefault(value, []).append((start, start + count))
        start += count
    if not runs:
        return None
    groups: list[tuple[int, Rows]] = []
    for slot in sorted(runs):
        spans = runs[slot]
        if len(spans) == 1:
            groups.append((slot, slice(*spans[0])))
        else:
            # Requests of one adapter that are not adjacent in the batch: gather their rows.
            groups.append((slot, torch.cat([torch.arange(a, b) for a, b in spans])))
    return StepPlan(num_tokens, groups, num_tokens <= dense_max_tokens, indices)


def _last_nonzero(flags: torch.Tensor) -> int:
    nonzero = torch.nonzero(flags)
    return int(nonzero[-1]) + 1 if nonzero.numel() else 0


class StackedCache:
    """Trimmed per-slot copies of one tuple of stacked A or B tensors (one per output slice).

    Rebuilt lazily when vLLM writes a slot: in-place writes bump the tensor's version counter,
    which views share with their base, so `_version` is an exact change signal.
    """

    def __init__(self, stacked: tuple[torch.Tensor, ...], kind: str, dtype: torch.dtype) -> None:
        for t in stacked:
            if t.dim() != 4 or t.size(1) != 1:
                raise RuntimeError(
                    f"arserve LoRA plugin: stacked LoRA weight of shape {tuple(t.shape)}, "
                    "expected [slots, 1, rows, cols]; vLLM's layout changed"
                )
        self.stacked = stacked
        # "a": [slots, 1, rank, in] -> [in, r]; "b": [slots, 1, out, rank] -> [r, out]
        self.kind = kind
        self.dtype = dtype
        self.versions = self._versions()
        self._slots: dict[int, tuple[torch.Tensor | None, ...]] = {}
        self.derived: dict[object, object] = {}  # fused/dense forms built from this cache
        # Slots whose weights hold NaN or inf: served as no adapter (0 * NaN is NaN, so such
        # weights must never enter a matmul shared with other rows) and reported by the caller.
        self.non_finite: set[int] = set()

    def _versions(self) -> tuple[int, ...]:
        return tuple(t._version for t in self.stacked)

    def refresh(self) -> None:
        versions = self._versions()
        if versions != self.versions:
            self.versions = versions
            self._slots.clear()
            self.derived.clear()
            self.non_finite.clear()

    def slot(self, slot: int) -> tuple[torch.Tensor | None, ...]:
        """Per slice: the transposed weight trimmed to its real rank, or None if all zero."""
        cached = self._slots.get(slot)
        if cached is None:
            weights = [t[slot, 0] for t in self.stacked]
            if all(bool(torch.isfinite(w).all()) for w in weights):
                cached = tuple(self._trim(w) for w in weights)
            else:
                self.non_finite.add(slot)
                cached = tuple(None for _ in weights)
            self._slots[slot] = cached
        return cached

    def _trim(self, w: torch.Tensor) -> torch.Tensor | None:
        if self.kind == "a":  # [rank, in]
            rank = _last_nonzero(w.ne(0).any(dim=1))
            return w[:rank].t().contiguous().to(self.dtype) if rank else None
        rank = _last_nonzero(w.ne(0).any(dim=0))  # [out, rank]
        return w[:, :rank].t().contiguous().to(self.dtype) if rank else None


class WeightCaches:
    """StackedCache per stacked tuple, keyed by the identity of its first tensor."""

    def __init__(self) -> None:
        self._caches: dict[int, StackedCache] = {}

    def get(self, stacked: tuple[torch.Tensor, ...], kind: str, dtype: torch.dtype) -> StackedCache:
        cache = self._caches.get(id(stacked[0]))
        if cache is None or cache.stacked[0] is not stacked[0] or cache.dtype != dtype:
            cache = StackedCache(tuple(stacked), kind, dtype)
            self._caches[id(stacked[0])] = cache
        else:
            cache.refresh()
        return cache
