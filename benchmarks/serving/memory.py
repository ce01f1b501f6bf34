"""Baseline 4: what each extra adapter costs in memory, as a LoRA adapter or as a merged model.

    python -m benchmarks.serving.memory '<json: model, adapters {name: path}, dtype>'

Runs in its own process (so RSS deltas are its own) and prints one JSON object: parameter
bytes of the base model, of each adapter, RSS growth per merged model kept in memory and per
adapter loaded into one PEFT model.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def rss() -> int:
    import psutil

    gc.collect()
    return int(psutil.Process().memory_info().rss)


def param_bytes(module: Any) -> int:
    return sum(p.numel() * p.element_size() for p in module.parameters())


def measure(config: dict[str, Any]) -> dict[str, Any]:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    dtype = getattr(torch, config.get("dtype", "bfloat16"))
    adapters: dict[str, str] = dict(sorted(config["adapters"].items()))
    names = list(adapters)
    r0 = rss()
    base = AutoModelForCausalLM.from_pretrained(config["model"], dtype=dtype)
    r_base = rss()
    out: dict[str, Any] = {
        "dtype": str(dtype).removeprefix("torch."),
        "base_param_bytes": param_bytes(base),
        "base_rss_bytes": r_base - r0,
    }
    # LoRA: every adapter on one model.
    peft = PeftModel.from_pretrained(base, adapters[names[0]], adapter_name=names[0])
    r_one = rss()
    for name in names[1:]:
        peft.load_adapter(adapters[name], adapter_name=name)
    r_all = rss()
    lora_params = [p.numel() * p.element_size() for n, p in peft.named_parameters() if "lora_" in n]
    out["lora_param_bytes_per_adapter"] = sum(lora_params) / len(names)
    out["lora_rss_bytes_per_extra_adapter"] = (
        (r_all - r_one) / (len(names) - 1) if len(names) > 1 else r_one - r_base
    )
    out["lora_adapters_loaded"] = len(names)
    del peft, base
    gc.collect()
    # Merged: one full model per adapter.
    merged = []
    r_start = rss()
    for name in names[: config.get("max_merged", 3)]:
        m = AutoModelForCausalLM.from_pretrained(config["model"], dtype=dtype)
        m = PeftModel.from_pretrained(m, adapters[name]).merge_and_unload()
        merged.append(m)
    r_merged = rss()
    out["merged_models"] = len(merged)
    out["merged_param_bytes_per_adapter"] = param_bytes(merged[0])
    out["merged_rss_bytes_per_adapter"] = (r_merged - r_start) / len(merged)
    return out


def measure_memory(model: Path, adapters: dict[str, Path], dtype: str) -> dict[str, Any]:
    conf = {
        "model": str(model),
        "adapters": {k: str(v) for k, v in adapters.items()},
        "dtype": dtype,
        "max_merged": 3,
    }
    cmd = [sys.executable, "-m", "benchmarks.serving.memory", json.dumps(conf)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]))))
