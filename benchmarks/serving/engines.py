"""Baseline 1: vLLM's AsyncLLM in this process, no HTTP, as a load-generator sender.

Built from the server's own engine config (same dtype, batch size, LoRA slots, KV cache), with
the same chat template and tokenisation as the server, so only the HTTP layer differs.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from benchmarks.serving.stats import RequestResult
from benchmarks.serving.workload import RequestSpec
from server.engine.config import apply_process_env, build_engine_config
from server.settings import Settings


class RawEngine:
    def __init__(self, llm: Any, served_name: str) -> None:
        self.llm = llm
        self.base_model = served_name
        self.tokenizer = llm.get_tokenizer()
        self.loras: dict[str, Any] = {}
        self._ids = itertools.count()

    @classmethod
    def start(cls, settings: Settings, model_path: Path) -> RawEngine:
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        options = settings.engine_options()
        config = build_engine_config(options, str(model_path))
        apply_process_env(options, config.device)
        llm = AsyncLLM.from_engine_args(AsyncEngineArgs(**config.engine_args))
        return cls(llm, config.served_model_name)

    async def add_adapters(self, adapters: dict[str, Path]) -> None:
        from vllm.lora.request import LoRARequest

        for i, (name, path) in enumerate(sorted(adapters.items()), start=1):
            req = LoRARequest(name, i, str(path))
            await self.llm.add_lora(req)
            self.loras[name] = req

    def prompt_ids(self, spec: RequestSpec) -> list[int]:
        text = self.tokenizer.apply_chat_template(
            spec.messages, tokenize=False, add_generation_prompt=True
        )
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    async def __call__(self, spec: RequestSpec) -> RequestResult:
        from vllm import SamplingParams
        from vllm.inputs.engine import tokens_input
        from vllm.sampling_params import RequestOutputKind

        r = RequestResult(spec.kind, spec.adapter or self.base_model, start=time.perf_counter())
        ids = self.prompt_ids(spec)
        params = SamplingParams(
            max_tokens=spec.max_tokens, temperature=0.0, output_kind=RequestOutputKind.DELTA
        )
        lora = self.loras.get(spec.adapter) if spec.adapter else None
        last = 0.0
        try:
            stream = self.llm.generate(
                tokens_input(ids), params, f"raw-{next(self._ids)}", lora_request=lora
            )
            async for out in stream:
                n = len(out.outputs[0].token_ids)
                if not n:
                    continue
                now = time.perf_counter()
                if r.output_tokens == 0:
                    r.ttft = now - r.start
                else:
                    r.itl.append(now - last)
                last = now
                r.output_tokens += n
        except Exception as exc:  # noqa: BLE001 - a failed request is a result, not a crash
            r.error = f"{type(exc).__name__}: {exc}"[:300]
            r.latency = time.perf_counter() - r.start
            return r
        r.prompt_tokens = len(ids)
        r.latency = time.perf_counter() - r.start
        r.success = True
        return r

    def shutdown(self) -> None:
        self.llm.shutdown()
