"""vLLM's client-error classes become the engine's client error, with vLLM's parameter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
from vllm.exceptions import VLLMNotFoundError, VLLMValidationError

from server.engine.config import EngineConfig
from server.engine.errors import EngineRequestError
from server.engine.protocol import SamplingConfig
from server.engine.vllm_engine import VllmEngine

VOCAB = 100


class _Tokenizer:
    def __len__(self) -> int:
        return VOCAB

    def encode(self, text: str, **_: Any) -> list[int]:
        return [1, 2]


class _Refusing:
    """An AsyncLLM stand-in that refuses every request the way vLLM 0.32 does."""

    model_config = SimpleNamespace(get_vocab_size=lambda: VOCAB)

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.generated = 0

    def get_tokenizer(self) -> _Tokenizer:
        return _Tokenizer()

    async def generate(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        self.generated += 1
        raise self.error
        yield


def _engine(error: Exception) -> tuple[VllmEngine, _Refusing]:
    llm = _Refusing(error)
    config = EngineConfig("m", "m", "cpu", "float32", {})
    return VllmEngine(cast(Any, llm), config), llm


async def _drain(engine: VllmEngine, prompt: str | list[int]) -> None:
    async for _ in engine.generate("r1", prompt, SamplingConfig(max_tokens=2)):
        pass


@pytest.mark.parametrize(
    ("error", "param"),
    [
        (VLLMValidationError("Failed to transform regex into a grammar"), None),
        (VLLMValidationError("Token id 7 is out of vocabulary", parameter="prompt"), "prompt"),
        (VLLMNotFoundError("no such thing"), None),
    ],
)
def test_vllm_client_errors_are_request_errors(error: Exception, param: str | None) -> None:
    engine, _ = _engine(error)
    with pytest.raises(EngineRequestError) as info:
        asyncio.run(_drain(engine, "hi"))
    assert info.value.param == param
    assert info.value.message == error.args[0]


@pytest.mark.parametrize("ids", [[1, VOCAB], [-1], [0, 10**9]])
def test_token_ids_outside_the_vocabulary_never_reach_vllm(ids: list[int]) -> None:
    engine, llm = _engine(RuntimeError("must not be called"))
    with pytest.raises(EngineRequestError) as info:
        asyncio.run(_drain(engine, ids))
    assert info.value.param == "prompt"
    assert llm.generated == 0


@pytest.mark.parametrize(
    ("sampling", "param"),
    [(SamplingConfig(n=2, temperature=0.0), None), (SamplingConfig(top_p=0.0), "top_p")],
)
def test_sampling_params_vllm_refuses_are_request_errors(
    sampling: SamplingConfig, param: str | None
) -> None:
    """SamplingParams validates itself while it is built, before the engine sees a request."""
    engine, llm = _engine(RuntimeError("must not be called"))

    async def drain() -> None:
        async for _ in engine.generate("r1", [1, 2], sampling):
            pass

    with pytest.raises(EngineRequestError) as info:
        asyncio.run(drain())
    assert info.value.param == param
    assert llm.generated == 0
