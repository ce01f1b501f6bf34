"""The real engine with the plugin's LoRA ops against transformers+PEFT (one engine, ~2 min).

A batch mixes the base model and three adapters whose A and B are both non-zero, one of them on
every linear layer. The engine's log-probabilities at prefill (prompt_logprobs) and decode must
match PEFT's for the same tokens within bf16 tolerance, and base-model rows must be bit-identical
to an engine run without any adapter.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.engine.config import apply_process_env, build_engine_config
from server.settings import Settings
from tests.helpers import make_lora

pytestmark = pytest.mark.engine

ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
ADAPTERS = {  # name: (seed, rank, targets)
    "plug-qv": (11, 8, ("q_proj", "v_proj")),
    "plug-attn": (12, 8, ("q_proj", "k_proj", "v_proj", "o_proj")),
    "plug-all": (13, 16, ALL_LINEAR),
}
PROMPTS = [
    "Invoice INV-20931 for Acme GmbH is 12,400.00 EUR and was due on 3 March. Status:",
    "Write a polite reminder to a customer whose payment is two weeks late.",
    "Customer Borealis Ltd disputes invoice INV-7781 because the delivery was incomplete. Next:",
    "List three ways to reduce days sales outstanding for a wholesale distributor:",
]
LORA_OF_PROMPT = [None, "plug-qv", "plug-attn", "plug-all"]  # prompt 0 is the base model
NEW_TOKENS = 6


def _wrapper_names(worker: Any) -> list[str]:
    """Runs in the engine worker: the punica wrappers vLLM actually built."""
    manager = worker.model_runner.lora_manager._adapter_manager
    return [type(w).__name__ for w in manager.punica_wrapper_mapping.values()]


@pytest.fixture(scope="module")
def adapters(base_model_dir: Path) -> dict[str, Path]:
    cache = Settings().cache_dir / "test-adapters" / "plugin-v1"
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (seed, rank, targets) in ADAPTERS.items():
        path = cache / name
        if not (path / "adapter_model.safetensors").exists():
            make_lora(base_model_dir, path, seed, rank=rank, targets=targets)
        out[name] = path
    return out


@pytest.fixture(scope="module")
def llm(base_model_dir: Path, adapters: dict[str, Path]) -> Iterator[Any]:
    os.environ["VLLM_ALLOW_INSECURE_SERIALIZATION"] = "1"  # collective_rpc with a function
    from vllm import LLM

    options = Settings(
        max_model_len=256, max_num_seqs=8, max_loras=4, kv_cache_space_gib=1
    ).engine_options()
    apply_process_env(options, "cpu")
    engine = LLM(**build_engine_config(options, str(base_model_dir)).engine_args)
    yield engine
    engine.llm_engine.engine_core.shutdown()
    del engine
    gc.collect()


def _generate(llm: Any, adapters: dict[str, Path], loras: list[str | None]) -> list[Any]:
    from vllm import SamplingParams
    from vllm.lora.request import LoRARequest

    ids = {name: i + 1 for i, name in enumerate(ADAPTERS)}
    requests = [
        LoRARequest(name, ids[name], str(adapters[name])) if name else None for name in loras
    ]
    params = SamplingParams(
        max_tokens=NEW_TOKENS,
        temperature=0,
        ignore_eos=True,  # equal lengths: both runs schedule identical steps
        logprobs=1,
        prompt_logprobs=1,
        skip_reading_prefix_cache=True,
    )
    return llm.generate(PROMPTS, params, lora_request=requests, use_tqdm=False)


def _engine_logprobs(out: Any) -> tuple[list[int], list[float], list[float]]:
    """Token ids (prompt + generated), and the engine's logprob of each token after the first."""
    prompt = list(out.prompt_token_ids)
    gen = list(out.outputs[0].token_ids)
    pre = [out.prompt_logprobs[i][tok].logprob for i, tok in enumerate(prompt) if i > 0]
    dec = [out.outputs[0].logprobs[i][tok].logprob for i, tok in enumerate(gen)]
    return prompt + gen, pre, dec


@pytest.fixture(scope="module")
def mixed(llm: Any, adapters: dict[str, Path]) -> list[Any]:
    return _generate(llm, adapters, LORA_OF_PROMPT)


def test_plugin_wrapper_runs_in_the_engine_worker(llm: Any) -> None:
    names = [n for worker in llm.collective_rpc(_wrapper_names) for n in worker]
    assert names and set(names) == {"FastPunicaWrapperCPU"}


def test_base_rows_are_exactly_the_base_model(
    llm: Any, adapters: dict[str, Path], mixed: list[Any]
) -> None:
    import torch

    alone = _generate(llm, adapters, [None] * len(PROMPTS))
    ids, pre, dec = _engine_logprobs(mixed[0])
    ids_alone, pre_alone, dec_alone = _engine_logprobs(alone[0])
    assert ids == ids_alone  # the same tokens, prompt and greedy continuation

    def mean_diff(a: list[float], b: list[float]) -> float:
        return float((torch.tensor(a) - torch.tensor(b)).abs().mean())

    # bf16 matmuls give slightly different sums at another batch shape (the mixed batch is
    # larger at decode), so "exactly" is up to that noise; the bug this guards against (an
    # adapter slot applied to base rows) moves them by the adapter's whole effect.
    bf16 = llm.llm_engine.model_config.dtype == torch.bfloat16
    noise = max(mean_diff(pre, pre_alone), mean_diff(dec, dec_alone))
    effect = mean_diff(_engine_logprobs(mixed[3])[1], _engine_logprobs(alone[3])[1])
    print(f"base rows: mean |difference| {noise:.4f}, adapter effect {effect:.4f}")
    assert noise < (0.1 if bf16 else 1e-4), noise
    assert noise < 0.1 * effect, (noise, effect)  # ...while adapter rows really changed


def _peft_logprobs(base_model_dir: Path, adapters: dict[str, Path], mixed: list[Any]) -> dict:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_model_dir, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, str(adapters["plug-qv"]), adapter_name="plug-qv")
    for name in ("plug-attn", "plug-all"):
        model.load_adapter(str(adapters[name]), adapter_name=name)
    model.eval()
    result = {}
    for out, lora in zip(mixed, LORA_OF_PROMPT, strict=True):
        ids, _, _ = _engine_logprobs(out)
        tokens = torch.tensor([ids])
        with torch.no_grad():
            with model.disable_adapter():
                base_lp = torch.log_softmax(model(tokens).logits[0].double(), -1)
            if lora:
                model.set_adapter(lora)
                lp = torch.log_softmax(model(tokens).logits[0].double(), -1)
            else:
                lp = base_lp
        nxt = tokens[0, 1:, None]
        result[lora] = (lp[:-1].gather(1, nxt)[:, 0], base_lp[:-1].gather(1, nxt)[:, 0])
    return result


def test_logprobs_match_peft_at_prefill_and_decode(
    base_model_dir: Path, adapters: dict[str, Path], mixed: list[Any], llm: Any
) -> None:
    import torch

    bf16 = llm.llm_engine.model_config.dtype == torch.bfloat16
    tol = 0.15 if bf16 else 0.01  # mean |difference| in nats per token
    reference = _peft_logprobs(base_model_dir, adapters, mixed)
    for out, lora in zip(mixed, LORA_OF_PROMPT, strict=True):
        _, pre, dec = _engine_logprobs(out)
        want, base = reference[lora]
        n_pre = len(pre)
        for phase, got, ref, ref_base in (
            ("prefill", pre, want[:n_pre], base[:n_pre]),
            ("decode", dec, want[n_pre:], base[n_pre:]),
        ):
            err = (torch.tensor(got, dtype=torch.float64) - ref).abs()
            print(f"{lora} {phase}: mean err {err.mean():.4f}, max {err.max():.4f}")
            assert err.mean() < tol, (lora, phase, err)
            if lora:
                # The adapter's own effect dwarfs the error: a dropped slice or a wrong
                # adapter would show up as an error of the effect's size.
                effect = (ref - ref_base).abs().mean()
                assert err.mean() < 0.2 * effect, (lora, phase, float(effect))
