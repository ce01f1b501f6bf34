"""Entry points: the full report run, a sweep, and one load test against a server.

python -m benchmarks.serving.runner [--quick]   # the full report (about 20 minutes)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any, cast

from benchmarks.serving import suite
from benchmarks.serving.config import SuiteConfig
from benchmarks.serving.cost import cost_summary
from benchmarks.serving.loadgen import ArSender, HttpSender
from benchmarks.serving.servers import ServerProcess, free_port, spawn
from benchmarks.serving.suite import Rig, log


def start_peer(cfg: SuiteConfig, model: Path, adapters: dict[str, Path], dtype: str) -> Any:
    port = free_port()
    names = sorted(adapters)[: max(cfg.peer_counts)]
    conf = {
        "model": str(model),
        "adapters": {n: str(adapters[n]) for n in names},
        "dtype": dtype,
        "served_name": model.name,
        "port": port,
        "max_batch": cfg.peer_max_batch,
    }
    return spawn("peft", conf, port, cfg.resolved_work_dir() / "peer.log")


async def run_suite(cfg: SuiteConfig, with_baselines: bool = True) -> dict[str, Any]:
    started = time.time()
    model, adapters = suite.prepare(cfg)
    env = suite.environment(cfg, model)
    log(f"work dir {cfg.resolved_work_dir()}; dtype {env['dtype']}; plugin {env['plugin']}")
    server, key = suite.start_server(cfg, adapters)
    rig = Rig(cfg)
    rig.adapters, rig.base_model = sorted(adapters), model.name
    raw = peer = None
    results: dict[str, Any] = {"config": cfg.as_dict(), "environment": env}
    rig.on_trial = lambda: checkpoint(results, rig, cfg)
    try:
        if with_baselines:
            from benchmarks.serving.engines import RawEngine
            from server.settings import Settings

            settings = Settings(
                **{
                    k: v
                    for k, v in suite.server_settings(
                        cfg, 0, Path("."), Path("."), Path("."), "", ""
                    ).items()
                    if k
                    in (
                        "dtype",
                        "max_num_seqs",
                        "max_loras",
                        "max_cpu_loras",
                        "kv_cache_space_gib",
                        "gpu_memory_utilization",
                    )
                }
            )
            raw = await asyncio.to_thread(RawEngine.start, settings, model)
            await raw.add_adapters(adapters)
            rig.senders["raw"] = raw
        await asyncio.to_thread(server.wait_ready)
        results["server_rss_bytes_ready"] = server.rss_bytes()
        log(f"server ready at {server.url} ({time.time() - started:.0f}s)")
        http = HttpSender(server.url, model.name, key)
        rig.senders["server"] = http
        rig.senders["ar"] = ArSender(server.url, key)
        engines = ["server", "raw"] if raw else ["server"]
        for e in engines:  # warm-up: first batches, first LoRA loads
            await rig.trial(
                e,
                suite.workload(rig, cfg.max_adapters, "uniform", 1, 8),
                "warmup",
                concurrency=8,
                n_adapters=cfg.max_adapters,
                popularity="uniform",
            )

        async def phase(name: str, coro: Any) -> Any:
            """Run one phase; a failure is recorded and the run goes on to the next."""
            try:
                return await coro
            except Exception as exc:  # noqa: BLE001 - the report says which phase failed
                log(f"phase {name} failed: {exc!r}")
                results.setdefault("phase_errors", {})[name] = repr(exc)[-2000:]
            finally:
                checkpoint(results, rig, cfg)

        await phase("same_load", suite.phase_same_load(rig, engines))
        await phase("latency_vs_load", suite.phase_latency_vs_load(rig, engines))
        if raw is not None:
            raw.shutdown()
            raw = None
            rig.senders.pop("raw")
            peer = start_peer(cfg, model, adapters, env["dtype"])
            try:
                await asyncio.to_thread(peer.wait_ready)
                results["peer_rss_bytes_ready"] = peer.rss_bytes()
                rig.senders["peer"] = HttpSender(peer.url, model.name, stream=False)
            except Exception as exc:  # noqa: BLE001
                results.setdefault("phase_errors", {})["peer_start"] = repr(exc)[-2000:]
        await phase("sweep", suite.phase_sweep(rig, "peer" in rig.senders))
        results["server_rss_bytes_after"] = server.rss_bytes()
        if peer is not None:
            peer.stop()
            peer = None
        await phase("ar", suite.phase_ar(rig, *_ar_adapters(server)))
        results["crosscheck"] = await phase(
            "crosscheck", suite.phase_crosscheck(rig, server, key, model)
        ) or {"error": results.get("phase_errors", {}).get("crosscheck", "not run")}
        if with_baselines:
            log("memory: merged models vs LoRA adapters ...")
            mem_adapters = dict(list(sorted(adapters.items()))[:4])
            results["memory"] = await asyncio.to_thread(
                suite.measure_memory, model, mem_adapters, env["dtype"]
            )
    finally:
        if raw is not None:
            raw.shutdown()
        if peer is not None:
            peer.stop()
        server.stop()
        rig.close()
    results["trials"] = rig.trials
    results["ratios"] = suite.summarize_ratios(rig.trials, cfg)
    results["cost"] = costs(results, cfg)
    results["environment"]["wall_seconds"] = round(time.time() - started)
    return results


def checkpoint(results: dict[str, Any], rig: Rig, cfg: SuiteConfig) -> None:
    """The trials so far, so an interrupted run still leaves its measurements."""
    path = cfg.resolved_work_dir() / "partial_results.json"
    path.write_text(json.dumps(results | {"trials": rig.trials}, default=float))


def _ar_adapters(server: ServerProcess) -> tuple[str, str]:
    conf = json.loads(cast(list[str], server.proc.args)[4])
    return conf["email_adapter"], conf["dispute_adapter"]


def costs(results: dict[str, Any], cfg: SuiteConfig) -> dict[str, Any]:
    trials = results["trials"]
    multi: dict[int, list[float]] = {}
    for t in trials:
        if (
            t["engine"] == "server"
            and t["tag"].startswith("sweep/")
            and t["popularity"] == "uniform"
        ):
            multi.setdefault(t["n_adapters"], []).append(t["summary"]["output_throughput"])
    base = results["ratios"]["output_throughput"].get("server_base") or 0.0
    if not multi and results["ratios"]["output_throughput"].get("server_lora"):
        # no sweep in this run: the same-load comparison's mixed-adapter throughput
        n = cfg.compare_adapters
        multi[n] = [results["ratios"]["output_throughput"]["server_lora"]]

    def per_s(tag: str) -> float | None:
        rows = [t for t in trials if t["tag"] == tag]
        return rows[0]["summary"]["request_throughput"] if rows else None

    return cost_summary(
        cfg.eur_per_hour,
        {n: sum(v) / len(v) for n, v in multi.items()},
        base,
        per_s("ar/ar_email"),
        per_s("ar/ar_classify"),
    )


def write_outputs(results: dict[str, Any], out_dir: Path) -> Path:
    from benchmarks.serving.report import render

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    path.write_text(json.dumps(results, indent=1, default=float) + "\n")
    render(results, out_dir)
    return path


async def run_sweep(cfg: SuiteConfig) -> dict[str, Any]:
    """Adapter sweep on the server alone (no baselines): quick, from a fresh clone."""
    return await run_suite_light(cfg, phases=("sweep",))


async def run_suite_light(cfg: SuiteConfig, phases: tuple[str, ...]) -> dict[str, Any]:
    model, adapters = suite.prepare(cfg)
    env = suite.environment(cfg, model)
    server, key = suite.start_server(cfg, adapters)
    rig = Rig(cfg)
    rig.adapters, rig.base_model = sorted(adapters), model.name
    try:
        await asyncio.to_thread(server.wait_ready)
        rig.senders["server"] = HttpSender(server.url, model.name, key)
        await rig.trial(
            "server",
            suite.workload(rig, cfg.max_adapters, "uniform", 1, 8),
            "warmup",
            concurrency=8,
            n_adapters=cfg.max_adapters,
        )
        if "sweep" in phases:
            await suite.phase_sweep(rig, peer=False)
        if "load" in phases:
            await suite.phase_same_load(rig, ["server"])
            await suite.phase_latency_vs_load(rig, ["server"])
    finally:
        server.stop()
        rig.close()
    return {"config": cfg.as_dict(), "environment": env, "trials": rig.trials}


def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args()
    cfg = SuiteConfig.quick() if a.quick else SuiteConfig()
    if a.out:
        cfg.out_dir = a.out
    results = asyncio.run(run_suite(cfg))
    with contextlib.suppress(Exception):
        log(json.dumps(results["ratios"], indent=1))
    log(f"wrote {write_outputs(results, cfg.out_dir)}")


if __name__ == "__main__":
    main()
