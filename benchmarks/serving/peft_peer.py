"""Baseline 3: the multi-adapter server users would otherwise write, on transformers + PEFT.

Static batching: requests that arrive while a batch runs wait for the next one; a batch holds
up to `max_batch` requests for any mix of adapters (PEFT's `adapter_names` in `generate`),
decodes greedily until its longest request is done, then answers them all (no streaming, so
TTFT = E2EL). Same chat template, dtype and greedy decoding as the vLLM server.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from peft import PeftModel
    from transformers import PreTrainedModel

BASE = "__base__"  # PEFT's name for "no adapter" in a mixed batch


@dataclass
class Pending:
    prompt: str
    adapter: str
    max_tokens: int
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class PeftBatcher:
    def __init__(self, config: dict[str, Any]) -> None:
        import torch
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer

        dtype = getattr(torch, config.get("dtype", "float32"))
        # One compute thread, as vLLM's CPU engine binds one OpenMP thread per worker here;
        # two OpenMP threads on a shared 2-core machine stall on each other's barriers.
        torch.set_num_threads(int(config.get("threads", 1)))
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(config["model"])
        self.tok.padding_side = "left"
        if self.tok.pad_token is None:
            self.tok.pad_token = self.tok.eos_token
        model: PreTrainedModel | PeftModel = AutoModelForCausalLM.from_pretrained(
            config["model"], dtype=dtype
        )
        adapters: dict[str, str] = config.get("adapters", {})
        if adapters:
            names = sorted(adapters)
            model = PeftModel.from_pretrained(model, adapters[names[0]], adapter_name=names[0])
            for name in names[1:]:
                model.load_adapter(adapters[name], adapter_name=name)
        self.model = model.eval()
        self.adapters = set(adapters)
        self.served_name = config["served_name"]
        self.max_batch = int(config.get("max_batch", 16))
        self.wait_s = float(config.get("batch_wait_ms", 20)) / 1000
        self.queue: asyncio.Queue[Pending] = asyncio.Queue()

    def generate(self, batch: list[Pending]) -> list[tuple[int, int, str]]:
        torch = self.torch
        enc = self.tok(
            [p.prompt for p in batch], return_tensors="pt", padding=True, add_special_tokens=False
        )
        kwargs: dict[str, Any] = {}
        if self.adapters:
            kwargs["adapter_names"] = [p.adapter for p in batch]
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                max_new_tokens=max(p.max_tokens for p in batch),
                do_sample=False,
                pad_token_id=self.tok.pad_token_id,
                **kwargs,
            )
        width = enc["input_ids"].shape[1]
        results: list[tuple[int, int, str]] = []
        for i, p in enumerate(batch):
            ids = out[i, width:].tolist()[: p.max_tokens]
            if self.tok.eos_token_id in ids:
                ids = ids[: ids.index(self.tok.eos_token_id)]
            n_prompt = int(enc["attention_mask"][i].sum())
            text = cast(str, self.tok.decode(ids, skip_special_tokens=True))  # ids: one sequence
            results.append((n_prompt, len(ids), text))
        return results

    async def loop(self) -> None:
        while True:
            batch = [await self.queue.get()]
            deadline = time.monotonic() + self.wait_s
            while len(batch) < self.max_batch:
                try:
                    left = max(0.0, deadline - time.monotonic())
                    batch.append(await asyncio.wait_for(self.queue.get(), left))
                except TimeoutError:
                    break
            try:
                outs = await asyncio.to_thread(self.generate, batch)
            except Exception as exc:  # noqa: BLE001 - fail the batch, keep serving
                for p in batch:
                    p.done.set_exception(exc)
                continue
            for p, o in zip(batch, outs, strict=True):
                p.done.set_result(o)


def serve(config: dict[str, Any]) -> None:
    import uvicorn
    from fastapi import FastAPI, HTTPException

    batcher = PeftBatcher(config)
    app = FastAPI()

    @app.on_event("startup")
    async def _start() -> None:
        app.state.task = asyncio.create_task(batcher.loop())

    @app.get("/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/v1/chat/completions")
    async def chat(body: dict[str, Any]) -> dict[str, Any]:
        model = body.get("model") or batcher.served_name
        adapter = BASE if model == batcher.served_name else model
        if adapter != BASE and adapter not in batcher.adapters:
            raise HTTPException(404, f"unknown model {model}")
        prompt = cast(
            str,  # tokenize=False: the rendered text
            batcher.tok.apply_chat_template(
                body["messages"], tokenize=False, add_generation_prompt=True
            ),
        )
        p = Pending(prompt, adapter, int(body.get("max_tokens") or 64))
        await batcher.queue.put(p)
        n_prompt, n_out, text = await p.done
        return {
            "object": "chat.completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": n_prompt,
                "completion_tokens": n_out,
                "total_tokens": n_prompt + n_out,
            },
        }

    uvicorn.run(app, host="127.0.0.1", port=int(config["port"]), log_level="warning")
