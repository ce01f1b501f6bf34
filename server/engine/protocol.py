"""What services may ask of an inference engine.

Services depend on this protocol only; `vllm_engine` is the one implementation
that imports vLLM, and HTTP-layer unit tests use a fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class StructuredOutput:
    """Constrained decoding: exactly one of the fields is set."""

    json_schema: dict[str, Any] | None = None
    choice: tuple[str, ...] | None = None
    regex: str | None = None


@dataclass(frozen=True)
class SamplingConfig:
    max_tokens: int = 16
    temperature: float = 1.0
    top_p: float = 1.0
    n: int = 1
    stop: tuple[str, ...] = ()
    seed: int | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    # Number of top alternatives per output token; None disables logprobs.
    logprobs: int | None = None
    # Report logprobs of exactly these tokens at each step (e.g. the first token of each label).
    logprob_token_ids: tuple[int, ...] | None = None
    structured: StructuredOutput | None = None
    ignore_eos: bool = False


@dataclass(frozen=True)
class TokenLogprob:
    token: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()
    top_ids: tuple[int, ...] = ()  # token ids of `top`, in the same order


@dataclass
class CompletionDelta:
    """New output of one of the `n` choices since the previous chunk."""

    index: int
    text: str
    num_new_tokens: int
    logprobs: list[TokenLogprob] = field(default_factory=list)
    finish_reason: str | None = None  # "stop" | "length" | "abort"


@dataclass
class GenerationChunk:
    request_id: str
    deltas: list[CompletionDelta]
    num_prompt_tokens: int
    is_finished: bool
    num_cached_tokens: int = 0  # prompt tokens served from the prefix cache


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    path: str
    rank: int
    version: str | None = None
    task: str | None = None


@runtime_checkable
class Engine(Protocol):
    """An engine serving one base model with any number of LoRA adapters."""

    @property
    def model_name(self) -> str:
        """The served name of the base model."""
        ...

    @property
    def max_model_len(self) -> int: ...

    def generate(
        self,
        request_id: str,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None = None,
        cache_salt: str | None = None,
    ) -> AsyncIterator[GenerationChunk]:
        """Stream deltas; `adapter` None means the base model.

        Prefix-cache blocks are shared only between requests with the same `cache_salt`."""
        ...

    async def abort(self, request_id: str) -> None: ...

    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        """Apply the base model's chat template, ending with the assistant turn."""
        ...

    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text` as the engine will see it (no special tokens added)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    async def add_adapter(self, info: AdapterInfo) -> None:
        """Register and load an adapter; replaces one of the same name."""
        ...

    async def remove_adapter(self, name: str) -> None: ...

    def list_adapters(self) -> list[AdapterInfo]: ...

    def scheduler_stats(self) -> dict[str, float]:
        """The engine's latest kv_cache_usage (0..1), num_running and num_waiting."""
        ...

    async def check_health(self) -> None:
        """Raise if the engine cannot serve."""
        ...

    async def shutdown(self) -> None: ...


# Called with (adapter name, reason) when the engine takes an adapter out of service.
AdapterFaultListener = Callable[[str, str], None]


@runtime_checkable
class ReportsAdapterFaults(Protocol):
    """An engine that takes an adapter producing non-finite values out of service."""

    def on_adapter_fault(self, listener: AdapterFaultListener) -> None: ...
