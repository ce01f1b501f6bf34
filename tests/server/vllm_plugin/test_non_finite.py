"""Issue 21: an adapter's NaN weights or overflowing outputs stay in its own rows, are zeroed
before they reach attention or the sampler, and are reported by LoRA id (no engine; seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

pytest.importorskip("vllm")

from vllm.lora.layers import LoRAMapping  # noqa: E402

from server.vllm_plugin import faults  # noqa: E402
from server.vllm_plugin.faults import FaultReader  # noqa: E402
from server.vllm_plugin.punica_fast import FastPunicaWrapperCPU  # noqa: E402
from tests.server.vllm_plugin.test_lora_ops import (  # noqa: E402
    IN,
    SLICES,
    SLOTS,
    reference,
    stacked_weights,
)

TOKENS = [-1, 0, 0, 2, 2, -1, 1, 1, 3]  # slot per token; LoRA id = slot + 1


@pytest.fixture
def reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FaultReader:
    monkeypatch.setenv(faults.FAULT_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(faults, "_reported", set())
    return FaultReader(tmp_path)


def _wrapper(dense_max_tokens: int) -> FastPunicaWrapperCPU:
    wrapper = FastPunicaWrapperCPU(256, 16, "cpu")
    wrapper._dense_max_tokens = dense_max_tokens
    ids = [s + 1 if s >= 0 else 0 for s in TOKENS]
    wrapper.update_metadata(
        LoRAMapping(tuple(ids), tuple(ids), is_prefill=True), [1, 2, 3, 4], SLOTS + 1, 1000
    )
    return wrapper


@pytest.mark.parametrize("dense_max_tokens", [0, 1000], ids=["grouped", "dense"])
@pytest.mark.parametrize("poison", ["nan-weight", "overflow"])
def test_a_broken_adapter_stays_in_its_rows(
    reader: FaultReader, dense_max_tokens: int, poison: str
) -> None:
    a, b = stacked_weights(torch.float32, {0: 8, 1: 8, 2: 8, 3: 8})
    clean_a, clean_b = tuple(t.clone() for t in a), tuple(t.clone() for t in b)
    if poison == "nan-weight":
        a[0][2, 0, 3, 5] = float("nan")
    else:  # finite weights (they pass validation) whose product overflows float32
        for t in (*a, *b):
            t[2] *= 1e20
    x = torch.randn(len(TOKENS), IN)
    y0 = torch.randn(len(TOKENS), sum(SLICES))
    y = y0.clone()
    _wrapper(dense_max_tokens).add_lora_linear(y, x, a, b, 0.5, SLICES)
    assert bool(torch.isfinite(y).all())
    others = torch.tensor([s != 2 for s in TOKENS])
    ref = reference(y0, x, clean_a, clean_b, TOKENS, 0.5)
    assert torch.allclose(y[others].double(), ref[others], atol=1e-4)
    assert torch.equal(y[[0, 5]], y0[[0, 5]])  # base rows: exactly the base result
    assert reader.fault(3) is not None  # slot 2 holds LoRA id 3
    assert [reader.fault(i) for i in (1, 2, 4)] == [None] * 3
    assert reader.fault(None) is None


def test_non_finite_logits_are_zeroed_and_blamed_on_their_request(reader: FaultReader) -> None:
    wrapper = FastPunicaWrapperCPU(256, 16, "cpu")
    ids = (0, 2, 2, 0)  # request 0: base; 1, 2: LoRA id 2; 3: base
    wrapper.update_metadata(LoRAMapping(ids, ids, is_prefill=False), [1, 2], 3, 1000)
    logits = torch.randn(4, 1000)
    logits[1, 7] = float("nan")
    logits[3, 9] = float("inf")
    a = torch.zeros(2, 1, 16, 64)
    b = torch.zeros(2, 1, 1000, 16)
    wrapper.add_lora_logits(logits, torch.randn(4, 64), a, b, 1.0)
    assert bool(torch.isfinite(logits).all())
    assert reader.fault(2) is not None and reader.fault(1) is None
    assert reader.fault(None) == "non-finite output of the base model"
