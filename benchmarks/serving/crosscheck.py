"""Cross-check: vLLM's own serving benchmark (`vllm bench serve`, used as a library) against
our server, then our load generator on the same prompts, adapters and concurrency.

    python -m benchmarks.serving.crosscheck '<json: args for vllm.benchmarks.serve>'
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.serving.workload import RequestSpec

KEYS = (
    "output_throughput",
    "request_throughput",
    "median_ttft_ms",
    "p99_ttft_ms",
    "median_tpot_ms",
    "median_itl_ms",
    "median_e2el_ms",
    "p99_e2el_ms",
)


def write_dataset(specs: list[RequestSpec], path: Path) -> None:
    """vLLM's `custom` dataset: one JSON line per request with the user message as prompt."""
    with path.open("w") as f:
        for s in specs:
            f.write(
                json.dumps({"prompt": s.messages[-1]["content"], "output_tokens": s.max_tokens})
                + "\n"
            )


def chat_specs(specs: list[RequestSpec], adapters: list[str]) -> list[RequestSpec]:
    """The same prompts as a single user message each, adapters round-robin (as vLLM's
    `--lora-assignment round-robin`)."""
    return [
        RequestSpec(
            "chat",
            adapters[i % len(adapters)],
            [{"role": "user", "content": s.messages[-1]["content"]}],
            s.max_tokens,
        )
        for i, s in enumerate(specs)
    ]


def vllm_args(
    base_url: str,
    model: str,
    tokenizer: Path,
    dataset: Path,
    num_prompts: int,
    concurrency: int,
    adapters: list[str],
    result_dir: Path,
) -> list[str]:
    return [
        "--backend",
        "openai-chat",
        "--endpoint",
        "/v1/chat/completions",
        "--base-url",
        base_url,
        "--model",
        model,
        "--tokenizer",
        str(tokenizer),
        "--dataset-name",
        "custom",
        "--dataset-path",
        str(dataset),
        "--skip-chat-template",
        "--custom-output-len",
        "-1",
        "--disable-shuffle",
        "--num-prompts",
        str(num_prompts),
        "--max-concurrency",
        str(concurrency),
        "--request-rate",
        "inf",
        "--temperature",
        "0",
        "--lora-modules",
        *adapters,
        "--lora-assignment",
        "round-robin",
        "--percentile-metrics",
        "ttft,tpot,itl,e2el",
        "--metric-percentiles",
        "50,95,99",
        "--ready-check-timeout-sec",
        "0",
        "--num-warmups",
        "0",
        "--disable-tqdm",
        "--save-result",
        "--result-dir",
        str(result_dir),
        "--result-filename",
        "vllm_bench.json",
    ]


def run_vllm_bench(args: list[str], api_key: str | None, result_dir: Path) -> dict[str, Any]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if api_key:
        env["OPENAI_API_KEY"] = api_key
    cmd = [sys.executable, "-m", "benchmarks.serving.crosscheck", json.dumps(args)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"vllm bench serve failed:\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
    return json.loads((result_dir / "vllm_bench.json").read_text())


def compare(vllm: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    rows = {}
    for k in KEYS:
        a, b = vllm.get(k), ours.get(k)
        rows[k] = {
            "vllm_bench": a,
            "arserve_loadgen": b,
            "ratio": (b / a) if a and b is not None else None,
        }
    return rows


def main(argv: list[str]) -> None:
    from vllm.benchmarks.serve import add_cli_args
    from vllm.benchmarks.serve import main as bench_main
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    # vLLM's own parser (as `vllm bench serve` builds it); a drop-in for plain argparse here.
    parser = FlexibleArgumentParser()
    add_cli_args(parser)
    args = parser.parse_args(json.loads(argv[0]))
    if args.dataset_name == "custom":
        args.custom_output_len = -1  # each line's own output_tokens, as our load generator
    bench_main(args)


if __name__ == "__main__":
    main(sys.argv[1:])
