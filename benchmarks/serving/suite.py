"""The full benchmark: the server, its baselines in the same run, the sweeps and the cost model.

Phases (one server process, the raw engine in this process, the PEFT peer in its own):
  A. same load, interleaved: server vs raw engine, each with 8 mixed adapters and base model;
  C. latency against load: open-loop Poisson at fractions of the measured capacity;
  B. adapter sweep 1..16, uniform and Zipf, with the PEFT peer on the same prompts;
  D. AR endpoints (e-mails, classifications), the `vllm bench serve` cross-check, memory.
"""

from __future__ import annotations

import asyncio
import platform
import time
from pathlib import Path
from typing import Any

from benchmarks.serving import crosscheck
from benchmarks.serving.adapters_gen import clone_reference_adapters, synthetic_adapters
from benchmarks.serving.config import SuiteConfig, plugin_status, server_settings
from benchmarks.serving.loadgen import (
    Sender,
    ar_workload,
    run_closed,
    run_open,
)
from benchmarks.serving.memory import measure_memory  # noqa: F401 - re-exported
from benchmarks.serving.servers import ServerProcess, free_port, spawn
from benchmarks.serving.stats import RequestResult, by_group, ratio, summarize
from benchmarks.serving.workload import RequestSpec, make_workload
from server.progress import Progress

AR_TENANT, AR_CUSTOMERS = "acme-foods", ("C00001", "C00002")  # demo ids start at 1


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Rig:
    """Everything a run talks to; `trial` runs one workload on one engine and records it."""

    def __init__(self, cfg: SuiteConfig) -> None:
        self.cfg = cfg
        self.trials: list[dict[str, Any]] = []
        self.senders: dict[str, Sender] = {}
        self.adapters: list[str] = []
        self.base_model = ""
        self.on_trial: Any = None  # called after every trial (the runner checkpoints)
        # requests sent so far, with their rate: a bar on a terminal, a line every 30 s in a log
        self.progress = Progress(None, "bench", unit="requests", every_s=30.0)

    def close(self) -> None:
        self.progress.close()

    async def trial(
        self,
        engine: str,
        specs: list[RequestSpec],
        tag: str,
        *,
        concurrency: int | None = None,
        rate: float | None = None,
        **meta: Any,
    ) -> dict[str, Any]:
        sender = self.senders[engine]

        async def send(spec: RequestSpec) -> RequestResult:
            result = await sender(spec)
            self.progress.to(self.progress.done + 1)
            return result

        if rate is not None:
            results, dur = await run_open(specs, send, rate, seed=len(self.trials))
            load = {"mode": "open", "request_rate": rate}
        else:
            results, dur = await run_closed(specs, send, concurrency or self.cfg.concurrency)
            load = {"mode": "closed", "max_concurrency": concurrency or self.cfg.concurrency}
        slo = self.cfg.slo_ms
        row = {
            "tag": tag,
            "engine": engine,
            **load,
            **meta,
            "num_prompts": len(specs),
            "summary": summarize(results, dur, slo),
            "per_adapter": by_group(results, dur, "adapter", slo),
            "per_kind": by_group(results, dur, "kind", slo),
            "errors": sorted({r.error for r in results if not r.success})[:3],
        }
        s = row["summary"]
        log(
            f"{tag:<28} {engine:<8} {s['completed']:>3} ok {s['failed']} failed  "
            f"{s['output_throughput']:7.1f} out tok/s  p50 ttft {s['median_ttft_ms']:7.0f} ms  "
            f"p50 tpot {s['median_tpot_ms']:6.1f} ms"
        )
        self.trials.append(row)
        if self.on_trial is not None:
            self.on_trial()
        return row


def workload(rig: Rig, n_adapters: int | None, pop: str, seed: int, n: int) -> list[RequestSpec]:
    names: list[str | None] = [None] if n_adapters is None else list(rig.adapters[:n_adapters])
    return make_workload(n, seed, names, pop)


async def phase_same_load(rig: Rig, engines: list[str]) -> None:
    cfg = rig.cfg
    for rnd in range(cfg.rounds):
        cases = [(e, n) for n in (cfg.compare_adapters, None) for e in engines]
        if rnd % 2:
            cases.reverse()
        specs = {
            n: workload(rig, n, "uniform", 100 + rnd, cfg.requests)
            for n in (cfg.compare_adapters, None)
        }
        for engine, n in cases:
            label = "base" if n is None else f"{n}-adapters"
            await rig.trial(
                engine,
                specs[n],
                f"same-load/{label}/r{rnd}",
                round=rnd,
                n_adapters=n or 0,
                popularity="uniform",
            )


async def phase_latency_vs_load(rig: Rig, engines: list[str]) -> None:
    cfg = rig.cfg
    rows = [
        t
        for t in rig.trials
        if t["tag"].startswith("same-load")
        and t["engine"] == "server"
        and t["n_adapters"] == cfg.compare_adapters
    ]
    capacity = sum(t["summary"]["request_throughput"] for t in rows) / max(1, len(rows))
    for i, frac in enumerate(cfg.load_fractions):
        rate = max(0.05, frac * capacity)
        n = max(12, min(96, round(rate * cfg.open_loop_seconds)))
        specs = workload(rig, cfg.compare_adapters, "zipf", 200 + i, n)
        for engine in engines if i % 2 == 0 else list(reversed(engines)):
            await rig.trial(
                engine,
                specs,
                f"load/{frac:g}x",
                rate=rate,
                load_fraction=frac,
                n_adapters=cfg.compare_adapters,
                popularity="zipf",
            )


async def phase_sweep(rig: Rig, peer: bool) -> None:
    cfg = rig.cfg
    for n in cfg.adapter_counts:
        for pop in cfg.popularities:
            if n == 1 and pop != cfg.popularities[0]:
                continue
            specs = workload(rig, n, pop, 300 + n * 10 + cfg.popularities.index(pop), cfg.requests)
            with_peer = peer and pop == "uniform" and n in cfg.peer_counts
            order = ["server", "peer"] if with_peer else ["server"]
            for engine in order if n % 2 else list(reversed(order)):
                await rig.trial(engine, specs, f"sweep/{n}/{pop}", n_adapters=n, popularity=pop)


async def phase_ar(rig: Rig, email_adapter: str, cls_adapter: str) -> None:
    cfg = rig.cfg
    for kind, conc in (("ar_email", 4), ("ar_classify", 8)):
        n = cfg.ar_requests * (1 if kind == "ar_email" else 2)
        specs = ar_workload(n, kind, cfg.seed + 7, AR_CUSTOMERS, email_adapter, cls_adapter)
        await rig.trial("ar", specs, f"ar/{kind}", concurrency=conc, n_adapters=1)


async def phase_crosscheck(rig: Rig, server: ServerProcess, key: str, model: Path) -> dict:
    cfg = rig.cfg
    work = cfg.resolved_work_dir()
    names = rig.adapters[: cfg.compare_adapters]
    base = make_workload(
        cfg.crosscheck_requests, cfg.seed + 11, names, "uniform", mix={"chat": 0.5, "classify": 0.5}
    )
    specs = crosscheck.chat_specs(base, names)
    dataset = work / "crosscheck.jsonl"
    crosscheck.write_dataset(specs, dataset)
    conc = max(1, cfg.concurrency // 2)
    args = crosscheck.vllm_args(
        server.url, rig.base_model, model, dataset, len(specs), conc, names, work
    )
    log("vllm bench serve (library) against our server ...")
    vllm_result = await asyncio.to_thread(crosscheck.run_vllm_bench, args, key, work)
    ours = await rig.trial(
        "server",
        specs,
        "crosscheck/arserve-loadgen",
        concurrency=conc,
        n_adapters=len(names),
        popularity="round-robin",
    )
    keep = {k: v for k, v in vllm_result.items() if not isinstance(v, list)}
    return {"vllm_bench": keep, "compare": crosscheck.compare(vllm_result, ours["summary"])}


def summarize_ratios(trials: list[dict[str, Any]], cfg: SuiteConfig) -> dict[str, Any]:
    def mean_tput(pred: Any) -> float:
        vals = [t["summary"]["output_throughput"] for t in trials if pred(t)]
        return sum(vals) / len(vals) if vals else 0.0

    def same(engine: str, n: int) -> float:
        return mean_tput(
            lambda t: (
                t["tag"].startswith("same-load") and t["engine"] == engine and t["n_adapters"] == n
            )
        )

    n8 = cfg.compare_adapters
    sweep = {
        (t["engine"], t["n_adapters"]): t["summary"]["output_throughput"]
        for t in trials
        if t["tag"].startswith("sweep/") and t["popularity"] == "uniform"
    }
    peers = {
        n: ratio(sweep.get(("server", n), 0), sweep[("peer", n)]) for (e, n) in sweep if e == "peer"
    }
    return {
        "server_over_raw_lora": ratio(same("server", n8), same("raw", n8)),
        "server_over_raw_base": ratio(same("server", 0), same("raw", 0)),
        "lora_over_base_server": ratio(same("server", n8), same("server", 0)),
        "lora_over_base_raw": ratio(same("raw", n8), same("raw", 0)),
        "server_over_peer": {str(n): v for n, v in sorted(peers.items())},
        "output_throughput": {
            "server_lora": same("server", n8),
            "raw_lora": same("raw", n8),
            "server_base": same("server", 0),
            "raw_base": same("raw", 0),
        },
    }


def environment(cfg: SuiteConfig, model: Path) -> dict[str, Any]:
    import os

    import torch
    import vllm

    from server.engine.config import detect_device, resolve_dtype

    return {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
        "python": platform.python_version(),
        "vllm": vllm.__version__,
        "torch": torch.__version__,
        "model": model.name,
        "dtype": resolve_dtype(cfg.dtype, detect_device("auto")),
        "plugin": plugin_status(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def prepare(cfg: SuiteConfig) -> tuple[Path, dict[str, Path]]:
    from server.model_prep import prepare_default_model
    from server.settings import Settings

    model = prepare_default_model(Settings().cache_dir)
    work = cfg.resolved_work_dir()
    if cfg.synthetic_rank:
        adapters = synthetic_adapters(
            model, work / "adapters", cfg.max_adapters, cfg.synthetic_rank
        )
    else:
        adapters = clone_reference_adapters(work / "adapters", cfg.max_adapters)
    return model, adapters


def start_server(cfg: SuiteConfig, adapters: dict[str, Path]) -> tuple[ServerProcess, str]:
    from retrieval import demo
    from server.auth import create_key

    work = cfg.resolved_work_dir()
    keys = work / "keys.json"
    keys.unlink(missing_ok=True)
    key = create_key(keys, "bench", AR_TENANT, ["infer", "admin"])
    demo_dir = work / "demo"
    if not demo_dir.exists():
        demo.write(demo.generate(seed=3, customers=6), demo_dir)
    names = sorted(adapters)
    email = (
        next(n for n in names if n.startswith("ar-email")) if not cfg.synthetic_rank else names[0]
    )
    disp = (
        next(n for n in names if n.startswith("dispute")) if not cfg.synthetic_rank else names[-1]
    )
    port = free_port()
    conf = server_settings(cfg, port, work / "adapters", keys, work, email, disp)
    return spawn("arserve", conf, port, work / "server.log", str(demo_dir)), key
