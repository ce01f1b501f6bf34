"""The Engine protocol on vLLM's AsyncLLM, in process. The only module that imports vLLM."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from vllm import SamplingParams
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.exceptions import VLLMClientError
from vllm.inputs.engine import tokens_input
from vllm.lora.request import LoRARequest
from vllm.sampling_params import RequestOutputKind, StructuredOutputsParams
from vllm.v1.engine.async_llm import AsyncLLM
from vllm.v1.engine.exceptions import EngineDeadError
from vllm.v1.metrics.loggers import StatLoggerBase

from server.engine.config import EngineConfig
from server.engine.errors import (
    AdapterFaultError,
    AdapterLoadError,
    AdapterNotLoadedError,
    EngineError,
    EngineRequestError,
    EngineUnavailableError,
)
from server.engine.fault_watch import FaultWatch
from server.engine.outputs import to_delta
from server.engine.protocol import (
    AdapterFaultListener,
    AdapterInfo,
    GenerationChunk,
    SamplingConfig,
)

logger = logging.getLogger(__name__)


def to_sampling_params(cfg: SamplingConfig) -> SamplingParams:
    structured = None
    if cfg.structured is not None:
        s = cfg.structured
        structured = StructuredOutputsParams(
            json=s.json_schema, choice=list(s.choice) if s.choice else None, regex=s.regex
        )
    return SamplingParams(
        n=cfg.n,
        max_tokens=cfg.max_tokens,
        temperature=cfg.temperature,
        top_p=cfg.top_p,
        stop=list(cfg.stop) or None,
        seed=cfg.seed,
        presence_penalty=cfg.presence_penalty,
        frequency_penalty=cfg.frequency_penalty,
        logprobs=cfg.logprobs,
        logprob_token_ids=list(cfg.logprob_token_ids) if cfg.logprob_token_ids else None,
        structured_outputs=structured,
        ignore_eos=cfg.ignore_eos,
        output_kind=RequestOutputKind.DELTA,
    )


class SchedulerSnapshot(StatLoggerBase):
    """Keeps the engine's latest scheduler stats (KV cache usage, running and waiting)."""

    latest: dict[str, float] = {}

    def __init__(self, vllm_config: Any, engine_index: int = 0) -> None:
        self.latest = {}
        SchedulerSnapshot.latest = self.latest

    def record(
        self,
        scheduler_stats: Any,
        iteration_stats: Any,
        mm_cache_stats: Any = None,
        engine_idx: int = 0,
    ) -> None:
        if scheduler_stats is not None:
            self.latest["kv_cache_usage"] = float(scheduler_stats.kv_cache_usage)
            self.latest["num_running"] = float(scheduler_stats.num_running_reqs)
            self.latest["num_waiting"] = float(scheduler_stats.num_waiting_reqs)

    def log_engine_initialized(self) -> None:
        return None


class VllmEngine:
    """One base model plus LoRA adapters; requests for different adapters share batches."""

    def __init__(
        self, llm: AsyncLLM, config: EngineConfig, faults: FaultWatch | None = None
    ) -> None:
        self._llm = llm
        self._config = config
        self._faults = faults or FaultWatch(None)
        self._tokenizer = llm.get_tokenizer()
        # The largest token id vLLM accepts: the tokenizer's or the model's, as vLLM checks it.
        self._max_token_id = max(len(self._tokenizer), llm.model_config.get_vocab_size()) - 1
        self._adapters: dict[str, tuple[AdapterInfo, LoRARequest]] = {}
        # Requests running per LoRA id, and replaced ids to drop once their requests finish.
        self._num_running: dict[int, int] = {}
        self._retired: set[int] = set()
        self._lora_ids = itertools.count(1)
        self._adapter_lock = asyncio.Lock()

    @classmethod
    def create(cls, config: EngineConfig) -> VllmEngine:
        """Build the engine (blocking: loads weights and starts the engine-core process)."""
        args = AsyncEngineArgs(**config.engine_args)
        faults = FaultWatch.for_new_engine()  # before vLLM starts its processes
        llm = AsyncLLM.from_engine_args(args, stat_loggers=[SchedulerSnapshot])
        return cls(llm, config, faults)

    @property
    def model_name(self) -> str:
        return self._config.served_model_name

    @property
    def max_model_len(self) -> int:
        return int(self._llm.model_config.max_model_len)

    @property
    def dtype(self) -> str:
        return str(self._llm.model_config.dtype).removeprefix("torch.")

    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        text = self._tokenizer.apply_chat_template(
            list(messages), tokenize=False, add_generation_prompt=True
        )
        return str(text)

    def tokenize(self, text: str) -> list[int]:
        return list(self._tokenizer.encode(text, add_special_tokens=False))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    async def generate(
        self,
        request_id: str,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None = None,
        cache_salt: str | None = None,
    ) -> AsyncIterator[GenerationChunk]:
        lora = self._lora_request(adapter)
        if isinstance(prompt, str):
            engine_input = tokens_input(self.tokenize(prompt), prompt=prompt, cache_salt=cache_salt)
        else:
            if any(not 0 <= i <= self._max_token_id for i in prompt):
                raise EngineRequestError(
                    f"token ids must be between 0 and {self._max_token_id}", param="prompt"
                )
            engine_input = tokens_input(list(prompt), cache_salt=cache_salt)
        try:
            params = to_sampling_params(sampling)
        except (VLLMClientError, ValueError) as exc:
            # SamplingParams validates itself as it is built, before the request exists.
            raise EngineRequestError.of(exc) from exc
        stream = self._llm.generate(engine_input, params, request_id, lora_request=lora)
        if lora is not None:
            self._num_running[lora.lora_int_id] = self._num_running.get(lora.lora_int_id, 0) + 1
        try:
            async for out in stream:
                # The worker records a fault before the step's output leaves it, so a fault of
                # this step is visible here, before its output reaches the client.
                await self._check_faults(request_id, lora)
                yield GenerationChunk(
                    request_id=request_id,
                    deltas=[to_delta(c, sampling) for c in out.outputs],
                    num_prompt_tokens=len(out.prompt_token_ids or ()),
                    is_finished=out.finished,
                    num_cached_tokens=int(out.num_cached_tokens or 0),
                )
        except (AdapterFaultError, EngineUnavailableError):
            await self.abort(request_id)
            raise
        except EngineDeadError as exc:
            raise EngineUnavailableError(
                "the inference engine stopped; the server must restart"
            ) from exc
        except (VLLMClientError, ValueError) as exc:
            # vLLM validates parameters (schemas, regexes, lengths) as it adds the request.
            raise EngineRequestError.of(exc) from exc
        except (asyncio.CancelledError, GeneratorExit):
            await self.abort(request_id)
            raise
        except Exception as exc:
            logger.exception("generation failed for request %s", request_id)
            raise EngineError("generation failed") from exc
        finally:
            if lora is not None:
                await self._release(lora.lora_int_id)

    async def _check_faults(self, request_id: str, lora: LoRARequest | None) -> None:
        """Raise for a request whose adapter, or the base model, produced non-finite values."""
        if self._faults.base_fault() is not None:
            raise EngineUnavailableError(
                "the inference engine produced non-finite values; it must restart"
            )
        if lora is None:
            return
        reason = self._faults.adapter_fault(lora.lora_int_id)
        if reason is None:
            return
        await self._take_out(lora, reason)
        raise AdapterFaultError(
            f"adapter '{lora.lora_name}' produced non-finite values; "
            "the request was aborted and the adapter taken out of service",
            param="model",
            code="non_finite_output",
        )

    async def _take_out(self, lora: LoRARequest, reason: str) -> None:
        """Unload the faulty version, unless a replacement already took its name."""
        async with self._adapter_lock:
            entry = self._adapters.get(lora.lora_name)
            if entry is None or entry[1].lora_int_id != lora.lora_int_id:
                return
            del self._adapters[lora.lora_name]
            await self._retire(lora.lora_int_id)
        self._faults.taken_out(lora.lora_name, reason)

    def on_adapter_fault(self, listener: AdapterFaultListener) -> None:
        self._faults.listen(listener)

    async def _release(self, lora_id: int) -> None:
        self._num_running[lora_id] -= 1
        if self._num_running[lora_id] == 0:
            del self._num_running[lora_id]
            if lora_id in self._retired:
                self._retired.discard(lora_id)
                await self._llm.remove_lora(lora_id)

    async def _retire(self, lora_id: int) -> None:
        """Drop an adapter version now, or when the last request using it finishes."""
        if self._num_running.get(lora_id):
            self._retired.add(lora_id)
        else:
            await self._llm.remove_lora(lora_id)

    def _lora_request(self, adapter: str | None) -> LoRARequest | None:
        if adapter is None:
            return None
        entry = self._adapters.get(adapter)
        if entry is None:
            raise AdapterNotLoadedError(f"adapter '{adapter}' is not loaded", param="model")
        return entry[1]

    async def abort(self, request_id: str) -> None:
        await self._llm.abort(request_id)

    async def add_adapter(self, info: AdapterInfo) -> None:
        async with self._adapter_lock:
            request = LoRARequest(info.name, next(self._lora_ids), info.path)
            try:
                await self._llm.add_lora(request)
            except Exception as exc:
                raise AdapterLoadError(f"adapter '{info.name}' failed to load: {exc}") from exc
            old = self._adapters.get(info.name)
            # Swap the name to the new weights; requests already running keep their own
            # LoRARequest, so they finish on the version they started with.
            self._adapters[info.name] = (info, request)
            if old is not None:
                await self._retire(old[1].lora_int_id)

    async def remove_adapter(self, name: str) -> None:
        async with self._adapter_lock:
            entry = self._adapters.pop(name, None)
            if entry is None:
                raise AdapterNotLoadedError(f"adapter '{name}' is not loaded")
            await self._retire(entry[1].lora_int_id)

    def list_adapters(self) -> list[AdapterInfo]:
        return [info for info, _ in self._adapters.values()]

    def scheduler_stats(self) -> dict[str, float]:
        """The engine's own latest stats: kv_cache_usage (0..1), num_running, num_waiting."""
        return dict(SchedulerSnapshot.latest)

    async def check_health(self) -> None:
        if self._llm.errored:
            raise EngineUnavailableError("the inference engine is not running")
        if self._faults.base_fault() is not None:
            raise EngineUnavailableError(
                "the inference engine produced non-finite values outside any adapter"
            )
        await self._llm.check_health()

    async def shutdown(self) -> None:
        self._llm.shutdown()
        self._faults.close()
