"""`arserve bench ...`: latency, throughput and cost benchmarks (see benchmarks/serving/).

Joins the `arserve` command through the `arserve.commands` entry point group (pyproject.toml),
so the server package never imports benchmarks.

arserve bench serve                  # one load test on a server it starts (8 adapters)
arserve bench serve --url http://127.0.0.1:8000 --api-key KEY --rate 2
arserve bench sweep                  # adapter sweep 1, 4, 8 (uniform and Zipf)
arserve bench report --quick         # every baseline, JSON + Markdown + PNGs (~10 min)
arserve bench report                 # the full matrix (~20-25 min on 2 cores)
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Latency, throughput and cost benchmarks.", no_args_is_help=True)


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def _words(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


async def _serve_once(
    url: str | None,
    api_key: str | None,
    adapters: int,
    popularity: str,
    requests: int,
    concurrency: int,
    rate: float | None,
    seed: int,
) -> dict[str, Any]:
    import httpx

    from benchmarks.serving import suite
    from benchmarks.serving.config import SuiteConfig
    from benchmarks.serving.loadgen import HttpSender

    cfg = SuiteConfig(
        adapter_counts=[adapters],
        compare_adapters=adapters,
        peer_counts=[1],
        concurrency=concurrency,
        requests=requests,
    )
    rig = suite.Rig(cfg)
    server = None
    if url is None:
        model, made = suite.prepare(cfg)
        server, api_key = suite.start_server(cfg, made)
        await asyncio.to_thread(server.wait_ready)
        url, base, names = server.url, model.name, sorted(made)
    else:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        models = httpx.get(f"{url}/v1/models", headers=headers, timeout=30).json()["data"]
        base = next(m["id"] for m in models if not m.get("parent"))
        names = sorted(m["id"] for m in models if m.get("parent"))
    try:
        rig.adapters, rig.base_model = names, base
        rig.senders["server"] = HttpSender(url, base, api_key)
        n = min(adapters, len(names)) or None
        specs = suite.workload(rig, n, popularity, seed, requests)
        row = await rig.trial(
            "server",
            specs,
            "serve",
            concurrency=concurrency,
            rate=rate,
            n_adapters=n or 0,
            popularity=popularity,
        )
    finally:
        if server is not None:
            server.stop()
    return row


@app.command()
def serve(
    url: Annotated[str | None, typer.Option(help="A running server; default: start one.")] = None,
    api_key: Annotated[str | None, typer.Option(envvar="ARSERVE_API_KEY")] = None,
    adapters: Annotated[int, typer.Option(help="Adapters in the mix (0: base model).")] = 8,
    popularity: Annotated[str, typer.Option(help="uniform | zipf")] = "uniform",
    requests: Annotated[int, typer.Option()] = 32,
    concurrency: Annotated[int, typer.Option(help="Closed loop: requests in flight.")] = 8,
    rate: Annotated[float | None, typer.Option(help="Open loop: Poisson req/s.")] = None,
    seed: Annotated[int, typer.Option()] = 0,
    out: Annotated[Path | None, typer.Option(help="Write the result JSON here.")] = None,
) -> None:
    """One load test (AR mix, streamed): TTFT, TPOT, ITL, E2EL, throughput, goodput."""
    row = asyncio.run(
        _serve_once(url, api_key, adapters, popularity, requests, concurrency, rate, seed)
    )
    text = json.dumps(row, indent=1, default=float)
    if out:
        out.write_text(text + "\n")
    typer.echo(json.dumps(row["summary"], indent=1, default=float))


@app.command()
def sweep(
    counts: Annotated[str, typer.Option(help="Adapter counts.")] = "1,4,8",
    popularities: Annotated[str, typer.Option()] = "uniform,zipf",
    requests: Annotated[int, typer.Option()] = 24,
    concurrency: Annotated[int, typer.Option()] = 8,
    rank: Annotated[int | None, typer.Option(help="Synthetic adapters of this rank.")] = None,
    out: Annotated[Path, typer.Option()] = Path("benchmarks/reports/serving-sweep"),
) -> None:
    """Adapter sweep on the server alone (no baselines): results.json + report.md + PNGs."""
    from benchmarks.serving.config import SuiteConfig
    from benchmarks.serving.runner import run_sweep, write_outputs

    cfg = SuiteConfig(
        adapter_counts=_ints(counts),
        popularities=_words(popularities),
        requests=requests,
        concurrency=concurrency,
        synthetic_rank=rank,
        compare_adapters=max(_ints(counts)),
        peer_counts=[1],
        out_dir=out,
    )
    typer.echo(str(write_outputs(asyncio.run(run_sweep(cfg)), out)))


@app.command()
def report(
    quick: Annotated[bool, typer.Option(help="Reduced matrix, about 10 minutes.")] = False,
    counts: Annotated[str | None, typer.Option(help="Adapter counts, e.g. 1,2,4,8,16.")] = None,
    requests: Annotated[int | None, typer.Option(help="Requests per trial.")] = None,
    eur_per_hour: Annotated[float | None, typer.Option(help="Machine price, EUR/hour.")] = None,
    rank: Annotated[int | None, typer.Option(help="Synthetic adapters of this rank.")] = None,
    from_json: Annotated[
        Path | None, typer.Option(help="Re-render a results.json (cost price too).")
    ] = None,
    out: Annotated[Path, typer.Option()] = Path("benchmarks/reports/serving"),
) -> None:
    """The full report: server, raw engine, base model, PEFT peer, merged models, costs."""
    from benchmarks.serving.config import SuiteConfig
    from benchmarks.serving.runner import costs, run_suite, write_outputs

    if from_json is not None:
        results = json.loads(from_json.read_text())
        cfg = SuiteConfig(
            **{
                k: v
                for k, v in results["config"].items()
                if k in ("eur_per_hour", "compare_adapters")
            }
        )
        if eur_per_hour is not None:
            cfg.eur_per_hour = results["config"]["eur_per_hour"] = eur_per_hour
            results["cost"] = costs(results, cfg)
        typer.echo(str(write_outputs(results, out)))
        return
    overrides: dict[str, Any] = {"out_dir": out, "synthetic_rank": rank}
    if counts:
        overrides["adapter_counts"] = _ints(counts)
    if requests:
        overrides["requests"] = requests
    if eur_per_hour is not None:
        overrides["eur_per_hour"] = eur_per_hour
    cfg = SuiteConfig.quick(**overrides) if quick else SuiteConfig(**overrides)
    typer.echo(str(write_outputs(asyncio.run(run_suite(cfg)), out)))


if __name__ == "__main__":
    app()
