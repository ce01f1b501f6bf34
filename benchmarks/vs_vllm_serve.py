"""arserve against the vanilla vLLM OpenAI server, both measured by vLLM's own serving benchmark.

    python -m benchmarks.vs_vllm_serve [--adapters 4] [--prompts 64] [--concurrency 32]

The case of issue 7: random 128-token prompts, 64 output tokens, N mixed LoRA adapters
(round-robin), bf16, after a warm-up; saturation at `--concurrency`, then latency at
`--rate` requests/s. Both servers run on this machine at the same time but are measured one
after the other (an idle server costs nothing), interleaved over `--rounds`.

- vanilla: `python -m vllm.entrypoints.openai.api_server` with `VLLM_PLUGINS` set so that no
  general plugin loads (arserve's plugin is installed in this environment), eager, bf16,
  `--max-loras N --max-lora-rank 8` (the smallest slots that fit, the kindest setting for it);
- arserve: `arserve serve` settings as `make serve` has them (plugin on), same adapters.

Writes benchmarks/reports/vs_vllm_serve.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.serving.adapters_gen import clone_reference_adapters
from benchmarks.serving.crosscheck import run_vllm_bench
from benchmarks.serving.servers import ServerProcess, free_port, spawn

REPORT = Path("benchmarks/reports/vs_vllm_serve")
KEYS = ("output_throughput", "request_throughput", "median_ttft_ms", "p99_ttft_ms",
        "median_tpot_ms", "median_itl_ms", "median_e2el_ms")  # fmt: skip


def _vanilla(model: Path, adapters: dict[str, Path], port: int, log: Path) -> ServerProcess:
    env = dict(
        os.environ,
        VLLM_PLUGINS="none",  # no general plugin: vLLM exactly as shipped
        VLLM_CPU_KVCACHE_SPACE="2",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    cmd = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(model), "--served-model-name", model.name,
        "--host", "127.0.0.1", "--port", str(port),
        "--dtype", "bfloat16", "--enforce-eager", "--max-model-len", "2048",
        "--max-num-seqs", "64", "--enable-lora", "--max-loras", str(len(adapters)),
        "--max-lora-rank", "8", "--gpu-memory-utilization", "0.3",
        "--lora-modules", *(f"{n}={p}" for n, p in adapters.items()),
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    return ServerProcess("vllm", f"http://127.0.0.1:{port}", proc, log, ready_path="/health")


def _bench_args(
    url: str, model: Path, adapters: list[str], n: int, concurrency: int | None,
    rate: float | None, out: Path, seed: int,
) -> list[str]:  # fmt: skip
    args = [
        "--backend", "openai-chat", "--endpoint", "/v1/chat/completions", "--base-url", url,
        "--model", model.name, "--tokenizer", str(model), "--dataset-name", "random",
        "--random-input-len", "128", "--random-output-len", "64", "--ignore-eos",
        "--num-prompts", str(n), "--seed", str(seed), "--temperature", "0",
        "--request-rate", "inf" if rate is None else str(rate),
        "--lora-modules", *adapters, "--lora-assignment", "round-robin",
        "--percentile-metrics", "ttft,tpot,itl,e2el", "--metric-percentiles", "50,95,99",
        "--ready-check-timeout-sec", "0", "--num-warmups", "4", "--disable-tqdm",
        "--save-result", "--result-dir", str(out), "--result-filename", "vllm_bench.json",
    ]  # fmt: skip
    if concurrency is not None:
        args += ["--max-concurrency", str(concurrency)]
    return args


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from server.auth import create_key
    from server.model_prep import prepare_default_model
    from server.settings import Settings

    settings = Settings()
    model = prepare_default_model(settings.cache_dir)
    adapters = clone_reference_adapters(work / "adapters", args.adapters)
    keys = work / "keys.json"
    key = create_key(keys, "bench", "bench", ["infer"])
    ours_port, vllm_port = free_port(), free_port()
    ours_cfg = {
        "port": ours_port, "keys_file": str(keys), "adapters_dir": str(work / "adapters"),
        "load_registry": False, "enable_retrieval": False, "max_waiting_requests": 4096,
    }  # fmt: skip
    servers = {
        "arserve": spawn("arserve", ours_cfg, ours_port, work / "arserve.log"),
        "vllm": _vanilla(model, adapters, vllm_port, work / "vllm.log"),
    }
    runs: list[dict[str, Any]] = []
    try:
        for s in servers.values():
            s.wait_ready()
        cases = [("saturation", args.prompts, args.concurrency, None)]
        cases.append(("rate", args.rate_prompts, None, args.rate))
        for rnd in range(args.rounds):
            order = list(servers) if rnd % 2 == 0 else list(reversed(servers))
            for case, n, conc, rate in cases:
                for name in order:
                    out = work / f"{name}-{case}-{rnd}"
                    out.mkdir()
                    bench = _bench_args(
                        servers[name].url, model, list(adapters), n, conc, rate, out, rnd
                    )
                    started = time.perf_counter()
                    result = run_vllm_bench(bench, key if name == "arserve" else None, out)
                    runs.append(
                        {"server": name, "case": case, "round": rnd, "prompts": n,
                         "concurrency": conc, "rate": rate,
                         "wall_s": round(time.perf_counter() - started, 1),
                         **{k: result.get(k) for k in KEYS}}
                    )  # fmt: skip
                    print(json.dumps(runs[-1]), flush=True)
    finally:
        for s in servers.values():
            s.stop()
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs",
        "load_average_at_end": os.getloadavg(),
        "adapters": args.adapters,
        "runs": runs,
        "summary": summarize(runs),
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over rounds per server and case, and arserve / vLLM ratios."""
    import statistics

    out: dict[str, Any] = {}
    for case in sorted({r["case"] for r in runs}):
        per = {}
        for server in ("arserve", "vllm"):
            rows = [r for r in runs if r["case"] == case and r["server"] == server]
            per[server] = {
                k: statistics.median(r[k] for r in rows if r[k] is not None) for k in KEYS
            }
        per["throughput_ratio"] = per["arserve"]["output_throughput"] / max(
            per["vllm"]["output_throughput"], 1e-9
        )
        per["median_ttft_ratio"] = per["arserve"]["median_ttft_ms"] / max(
            per["vllm"]["median_ttft_ms"], 1e-9
        )
        out[case] = per
    return out


def render(result: dict[str, Any], command: str) -> str:
    lines = [
        "# arserve vs vanilla `vllm serve` (generated by benchmarks/vs_vllm_serve.py)",
        "",
        f"Command: `{command}`. {result['machine']}, {result['created_at']}, load average when "
        f"it ended {[round(x, 1) for x in result['load_average_at_end']]}. Measured by vLLM's own "
        f"serving benchmark (`vllm.benchmarks.serve`): random 128-token prompts, 64 output "
        f"tokens (`--ignore-eos`), {result['adapters']} mixed LoRA adapters round-robin, bf16.",
        "",
        "| case | server | output tok/s | req/s | TTFT p50 ms | TTFT p99 ms | TPOT p50 ms "
        "| ITL p50 ms | E2EL p50 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case, per in result["summary"].items():
        for server in ("arserve", "vllm"):
            m = per[server]
            lines.append(
                f"| {case} | {server} | {m['output_throughput']:.1f} | "
                f"{m['request_throughput']:.2f} | {m['median_ttft_ms']:,.0f} | "
                f"{m['p99_ttft_ms']:,.0f} | {m['median_tpot_ms']:,.0f} | "
                f"{m['median_itl_ms']:,.0f} | {m['median_e2el_ms']:,.0f} |"
            )
    lines += ["", "| case | arserve / vLLM output tok/s | arserve / vLLM median TTFT |",
              "|---|---|---|"]  # fmt: skip
    for case, per in result["summary"].items():
        lines.append(f"| {case} | {per['throughput_ratio']:.2f} | {per['median_ttft_ratio']:.2f} |")
    lines += ["", "Medians over rounds; every run is in the JSON file beside this report.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--adapters", type=int, default=4)
    p.add_argument("--prompts", type=int, default=64, help="requests in the saturation case")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rate", type=float, default=0.5, help="requests/s in the latency case")
    p.add_argument("--rate-prompts", type=int, default=16)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--out", type=Path, default=REPORT)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="arserve-vs-vllm-") as tmp:
        result = run(args, Path(tmp))
    command = "python -m benchmarks.vs_vllm_serve " + " ".join(argv or sys.argv[1:])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(render(result, command.strip()))
    print(render(result, command.strip()))


if __name__ == "__main__":
    main()
