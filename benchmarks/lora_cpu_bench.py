"""Mixed-LoRA throughput on CPU: base model vs N adapters, arserve's LoRA ops on and off.

    python -m benchmarks.lora_cpu_bench --dtypes bfloat16,float32 --adapters 0,1,2,4,8,16

One engine per dtype (a child process each), built from the server's own engine config. In
each engine, every case runs once per round, interleaved, with fresh prompts (so the prefix
cache cannot hide prefill); plugin on/off is flipped inside the worker, so both modes share the
engine. Output tok/s = generated tokens / wall time, all requests submitted at once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ADAPTER_TARGETS = {  # rank 8: attention only; rank 16: every linear layer
    8: ("q_proj", "k_proj", "v_proj", "o_proj"),
    16: ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
}
CUSTOMERS = ["Acme GmbH", "Borealis Ltd", "Cobalt SA", "Dunmore Inc", "Elbe Logistics"]


def ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dtypes", default="bfloat16,float32")
    p.add_argument("--adapters", type=ints, default=[0, 1, 2, 4, 8, 16], help="0 = base model")
    p.add_argument("--ranks", type=ints, default=[8, 16])
    p.add_argument("--modes", default="on,off", help="arserve LoRA ops on and/or off")
    p.add_argument("--off-adapters", type=ints, default=None, help="adapter counts for 'off'")
    p.add_argument("--off-prompts", default=None, help="prompt kinds for 'off' (default all)")
    p.add_argument("--append", action="store_true", help="keep the runs already in the JSON")
    p.add_argument("--prompts", default="long,short", help="long (~400 tokens), short (~40)")
    p.add_argument("--requests", type=int, default=32)
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--max-loras", type=int, default=16)
    p.add_argument("--kv-gib", type=int, default=2)
    p.add_argument("--eager", default="1", help="0: torch.compile (vLLM disables it with LoRA)")
    p.add_argument("--no-lora-engine", action="store_true", help="engine without LoRA support")
    p.add_argument("--out", type=Path, default=Path("benchmarks/reports/lora_cpu.md"))
    p.add_argument("--child", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def make_adapter(base: Path, out: Path, seed: int, rank: int) -> Path:
    """A PEFT adapter with non-zero A and B (PEFT's default B=0 would make it a no-op)."""
    if (out / "adapter_model.safetensors").exists():
        return out
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    config = LoraConfig(
        r=rank,
        lora_alpha=rank,
        target_modules=list(ADAPTER_TARGETS[rank]),
        init_lora_weights=False,
    )
    get_peft_model(model, config).save_pretrained(str(out))
    return out


def make_prompt(kind: str, rng: random.Random) -> str:
    """Invoice facts as a retrieval context block; the unique id first defeats the prefix cache."""
    head = f"Request {rng.getrandbits(48):012x}. "
    if kind == "short":
        return head + f"Summarise the status of invoice INV-{rng.randint(1000, 9999)} in one line."
    facts = []
    for _ in range(8):
        facts.append(
            f"- Invoice INV-{rng.randint(10000, 99999)} for {rng.choice(CUSTOMERS)}: "
            f"{rng.randint(100, 90000)}.{rng.randint(0, 99):02d} EUR, due 2025-"
            f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}, status "
            f"{rng.choice(['open', 'paid', 'overdue', 'disputed'])}."
        )
    return head + "Context:\n" + "\n".join(facts) + "\nWhich invoices are overdue, and why?"


def _set_fast(worker: Any, on: bool) -> bool:
    """Runs inside the engine worker (collective_rpc)."""
    from server.vllm_plugin.punica_fast import FastPunicaWrapperCPU

    FastPunicaWrapperCPU.enabled = on
    manager = getattr(worker.model_runner, "lora_manager", None)
    wrapper = getattr(getattr(manager, "_adapter_manager", None), "punica_wrapper_mapping", {})
    return any(isinstance(w, FastPunicaWrapperCPU) for w in wrapper.values())


def _cpu_seconds(worker: Any) -> float:
    """Runs inside the engine worker: CPU time of all its threads so far."""
    return time.process_time()


def run_engine(args: argparse.Namespace, dtype: str) -> dict[str, Any]:
    os.environ["VLLM_ALLOW_INSECURE_SERIALIZATION"] = "1"  # collective_rpc with a function
    # vLLM's own bf16 LoRA ops can take minutes for one long-prompt step.
    os.environ.setdefault("VLLM_EXECUTE_MODEL_TIMEOUT_SECONDS", "3600")
    from vllm import LLM, SamplingParams
    from vllm.lora.request import LoRARequest

    from server.engine.config import apply_process_env, build_engine_config
    from server.model_prep import prepare_default_model
    from server.settings import Settings

    settings = Settings(
        dtype=dtype,  # type: ignore[arg-type]
        max_model_len=1024,
        max_num_seqs=max(args.requests, 1),
        max_loras=args.max_loras,
        max_cpu_loras=args.max_loras * len(args.ranks),
        kv_cache_space_gib=args.kv_gib,
        enforce_eager=args.eager != "0",
        enable_lora=not args.no_lora_engine,
    )
    base = prepare_default_model(settings.cache_dir)
    options = settings.engine_options()
    apply_process_env(options, "cpu")
    folder = settings.cache_dir / "bench-adapters"
    loras = {
        rank: [
            LoRARequest(f"r{rank}-{i}", 1000 * rank + i + 1, str(make_adapter(
                base, folder / f"r{rank}-{i}", 100 * rank + i, rank)))
            for i in range(max(args.adapters))
        ]
        for rank in (args.ranks if not args.no_lora_engine else [])
    }  # fmt: skip
    engine_args = build_engine_config(options, str(base)).engine_args
    started = time.perf_counter()
    llm = LLM(**engine_args)
    start_s = time.perf_counter() - started
    modes = args.modes.split(",") if not args.no_lora_engine else ["on"]
    fast = any(llm.collective_rpc(_set_fast, args=(True,))) if "on" in modes else False
    params = SamplingParams(max_tokens=args.max_tokens, temperature=0, ignore_eos=True)
    rng = random.Random(0)
    tokenizer = llm.get_tokenizer()

    def measure(kind: str, n: int, rank: int, mode: str) -> dict[str, Any]:
        if not args.no_lora_engine:
            llm.collective_rpc(_set_fast, args=(mode == "on",))
        prompts = [make_prompt(kind, rng) for _ in range(args.requests)]
        reqs = [loras[rank][i % n] if n else None for i in range(args.requests)]
        cpu0 = sum(llm.collective_rpc(_cpu_seconds))
        t0 = time.perf_counter()
        outs = llm.generate(prompts, params, lora_request=reqs, use_tqdm=False)  # type: ignore[arg-type]
        wall = time.perf_counter() - t0
        cpu = sum(llm.collective_rpc(_cpu_seconds)) - cpu0
        gen = sum(len(o.outputs[0].token_ids) for o in outs)
        ptoks = statistics.mean(len(tokenizer.encode(p)) for p in prompts)
        return {"prompts": kind, "adapters": n, "rank": rank if n else 0, "mode": mode,
                "tok_s": gen / wall, "wall_s": wall, "prompt_tokens": ptoks,
                "tok_cpu_s": gen / cpu, "worker_cpu_s": cpu}  # fmt: skip

    cases = []
    for kind in args.prompts.split(","):
        for n in args.adapters:
            for rank in args.ranks if n else [0]:
                for mode in modes:
                    off_ok = (args.off_adapters is None or n in args.off_adapters) and (
                        args.off_prompts is None or kind in args.off_prompts.split(",")
                    )
                    if mode == "on" or off_ok:
                        cases.append((kind, n, rank, mode))
    warm = cases[0][0]
    for rank in loras:  # load every adapter once, outside the timed rounds
        llm.generate([make_prompt(warm, rng)] * len(loras[rank]), params, lora_request=loras[rank])
    results = []
    for rnd in range(args.rounds):
        for case in cases:
            row = measure(*case) | {"round": rnd, "dtype": dtype}
            print(json.dumps(row), flush=True)
            results.append(row)
    return {
        "dtype": dtype,
        "engine_start_s": start_s,
        "fast_wrapper_in_worker": fast,
        "engine_args": {k: str(v) for k, v in engine_args.items()},
        "results": results,
    }


def _median(rows: list[dict[str, Any]], key: str = "tok_s") -> float:
    return statistics.median(r[key] for r in rows)


def _base_rows(rows: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The base model with arserve's ops (its tokens skip LoRA entirely), the denominator of
    every ratio; with vLLM's ops the base rows also pay for the LoRA layers."""
    base = [r for r in rows if r["prompts"] == kind and r["adapters"] == 0]
    return [r for r in base if r["mode"] == "on"] or base


def write_report(path: Path, runs: list[dict[str, Any]], command: str) -> None:
    """Markdown table (median tok/s over rounds, ratio to base of the same engine) + JSON."""
    lines = [
        "# Mixed-LoRA throughput on CPU (generated by benchmarks/lora_cpu_bench.py)",
        "",
        f"Command: `{command}`",
        "",
        "Ratios compare to the base model measured in the same engine, interleaved, with"
        " arserve's ops (its tokens then skip LoRA entirely); the base row with vLLM's ops"
        " shows what a LoRA-enabled engine costs requests that use no adapter.",
        "",
        "| dtype | prompts | adapters | rank | arserve LoRA ops | output tok/s | x base "
        "| tok per worker CPU-s | x base (CPU) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        rows = run["results"]
        keys = sorted(
            {(r["prompts"], r["adapters"], r["rank"], r["mode"]) for r in rows},
            key=lambda k: (k[0], k[1], k[2], k[3] != "on"),
        )
        for kind, n, rank, mode in keys:
            group = [r for r in rows if (r["prompts"], r["adapters"], r["rank"], r["mode"])
                     == (kind, n, rank, mode)]  # fmt: skip
            base = _base_rows(rows, kind)
            ratio = f"{_median(group) / _median(base):.2f}" if base else "-"
            ptoks = statistics.mean(r["prompt_tokens"] for r in group)
            cpu, cpu_ratio = "-", "-"
            if base and all("tok_cpu_s" in r for r in group + base):
                cpu = f"{_median(group, 'tok_cpu_s'):.1f}"
                cpu_ratio = f"{_median(group, 'tok_cpu_s') / _median(base, 'tok_cpu_s'):.2f}"
            lines.append(
                f"| {run['dtype']} | {kind} (~{ptoks:.0f} tok) | {n or 'base'} | {rank or '-'} "
                f"| {mode} | {_median(group):.1f} | {ratio} | {cpu} | {cpu_ratio} |"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text() if path.exists() else ""
    marker = "<!-- analysis -->"
    tail = existing[existing.index(marker) :] if marker in existing else marker + "\n"
    path.write_text("\n".join(lines) + "\n\n" + tail)
    path.with_suffix(".json").write_text(json.dumps({"command": command, "runs": runs}, indent=1))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        dtype, out = args.child.split(":", 1)
        Path(out).write_text(json.dumps(run_engine(args, dtype)))
        return
    json_path = args.out.with_suffix(".json")
    runs = json.loads(json_path.read_text())["runs"] if args.append and json_path.exists() else []
    raw = sys.argv[1:] if argv is None else argv
    for dtype in args.dtypes.split(","):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            out = f.name
        # One process per engine: each needs a clean vLLM start (and frees its memory after).
        cmd = [sys.executable, "-m", "benchmarks.lora_cpu_bench", *raw, "--child", f"{dtype}:{out}"]
        subprocess.run(cmd, check=True)
        runs.append(json.loads(Path(out).read_text()))
        os.unlink(out)
    write_report(args.out, runs, " ".join(["python -m benchmarks.lora_cpu_bench", *raw]))


if __name__ == "__main__":
    main()
