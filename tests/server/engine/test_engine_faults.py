"""Issue 21: the engine turns the worker's fault records into request errors, an adapter taken
out of service and an unhealthy engine; the classifier never answers a non-finite confidence."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from server.api.disputes.service import label_distribution
from server.engine.config import EngineConfig
from server.engine.errors import AdapterFaultError, EngineError, EngineUnavailableError
from server.engine.fault_watch import FaultWatch
from server.engine.protocol import AdapterInfo, SamplingConfig, TokenLogprob
from server.engine.vllm_engine import VllmEngine


class _Tokenizer:
    def __len__(self) -> int:
        return 100

    def encode(self, text: str, **_: Any) -> list[int]:
        return [1, 2]


class _Llm:
    """An AsyncLLM stand-in: one output per request; `fault` is written as the step runs."""

    model_config = SimpleNamespace(get_vocab_size=lambda: 100)
    errored = False

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.aborted: list[str] = []
        self.removed: list[int] = []
        self.fault: str | None = None

    def get_tokenizer(self) -> _Tokenizer:
        return _Tokenizer()

    async def generate(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        if self.fault:
            (self.folder / self.fault).write_text("non-finite output")
        out = SimpleNamespace(index=0, text="x", token_ids=[3], logprobs=None, finish_reason=None)
        yield SimpleNamespace(
            outputs=[out], prompt_token_ids=[1], finished=False, num_cached_tokens=0
        )

    async def add_lora(self, request: Any) -> None:
        return None

    async def remove_lora(self, lora_id: int) -> None:
        self.removed.append(lora_id)

    async def abort(self, request_id: str) -> None:
        self.aborted.append(request_id)

    async def check_health(self) -> None:
        return None


def _engine(tmp_path: Path) -> tuple[VllmEngine, _Llm]:
    llm = _Llm(tmp_path)
    config = EngineConfig("m", "m", "cpu", "float32", {})
    return VllmEngine(cast(Any, llm), config, FaultWatch(tmp_path)), llm


async def _drain(engine: VllmEngine, adapter: str | None) -> None:
    async for _ in engine.generate("r1", "hi", SamplingConfig(max_tokens=2), adapter=adapter):
        pass


def test_an_adapter_fault_fails_its_request_and_unloads_it(tmp_path: Path) -> None:
    engine, llm = _engine(tmp_path)
    taken_out: list[tuple[str, str]] = []
    engine.on_adapter_fault(lambda name, reason: taken_out.append((name, reason)))
    asyncio.run(engine.add_adapter(AdapterInfo("bad", "/x", 8)))
    asyncio.run(engine.add_adapter(AdapterInfo("good", "/y", 8)))
    llm.fault = "lora-1"
    with pytest.raises(AdapterFaultError, match="'bad' produced non-finite values") as exc:
        asyncio.run(_drain(engine, "bad"))
    assert exc.value.code == "non_finite_output" and llm.aborted == ["r1"]
    assert taken_out == [("bad", "non-finite output")] and llm.removed == [1]
    assert [a.name for a in engine.list_adapters()] == ["good"]
    asyncio.run(_drain(engine, "good"))  # the other adapter and the base keep serving
    asyncio.run(_drain(engine, None))
    asyncio.run(engine.check_health())


def test_a_base_model_fault_makes_the_engine_unhealthy(tmp_path: Path) -> None:
    engine, llm = _engine(tmp_path)
    asyncio.run(engine.check_health())
    llm.fault = "base"
    with pytest.raises(EngineUnavailableError):
        asyncio.run(_drain(engine, None))
    with pytest.raises(EngineUnavailableError, match="non-finite values outside any adapter"):
        asyncio.run(engine.check_health())


@pytest.mark.parametrize(
    "logprobs", [(float("nan"), -1.0), (-float("inf"), -float("inf"))], ids=["nan", "all-inf"]
)
def test_a_non_finite_label_distribution_is_an_error(logprobs: tuple[float, float]) -> None:
    step = TokenLogprob(
        "a", logprobs[0], top=(("a", logprobs[0]), ("b", logprobs[1])), top_ids=(5, 6)
    )
    with pytest.raises(EngineError, match="not finite"):
        label_distribution(step, {"billing": 5, "damage": 6})
