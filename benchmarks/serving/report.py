"""Markdown report and PNG plots from a results JSON (`render(results, out_dir)`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.serving.plots import plot_latency_vs_load, plot_throughput_vs_adapters

TARGETS = {"server_over_raw_lora": 0.95, "server_over_peer_8": 1.5}
LAT = ("ttft", "tpot", "itl", "e2el")


def fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += [
        "| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
    return out + [""]


def lat_cells(s: dict[str, Any], metrics: tuple[str, ...] = LAT) -> list[str]:
    return [
        " / ".join(f"{s.get(f'{k}_{m}_ms', 0):,.0f}" for k in ("median", "p95", "p99"))
        for m in metrics
    ]


def trial_rows(trials: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for t in trials:
        s = t["summary"]
        load = (
            f"c={t['max_concurrency']}"
            if t["mode"] == "closed"
            else f"{t['request_rate']:.2f} req/s"
        )
        rows.append(
            [
                t["tag"],
                t["engine"],
                load,
                f"{s['completed']}/{t['num_prompts']}",
                s["request_throughput"],
                s["output_throughput"],
                *lat_cells(s),
                s.get("request_goodput"),
            ]
        )
    return rows


TRIAL_HEADER = [
    "trial",
    "engine",
    "load",
    "ok",
    "req/s",
    "out tok/s",
    "TTFT p50/p95/p99 ms",
    "TPOT p50/p95/p99 ms",
    "ITL p50/p95/p99 ms",
    "E2EL p50/p95/p99 ms",
    "goodput req/s",
]


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value >= target else "missed"


def headline(results: dict[str, Any]) -> list[str]:
    r = results.get("ratios", {})
    peer = r.get("server_over_peer", {})
    rows = [
        [
            "server / raw AsyncLLM, output tok/s, 8 mixed adapters",
            r.get("server_over_raw_lora"),
            "≥ 0.95",
            verdict(r.get("server_over_raw_lora"), 0.95),
        ],
        ["server / raw AsyncLLM, output tok/s, base model", r.get("server_over_raw_base"), "", ""],
        ["LoRA / base model (server), 8 mixed adapters", r.get("lora_over_base_server"), "", ""],
        ["LoRA / base model (raw engine), 8 mixed adapters", r.get("lora_over_base_raw"), "", ""],
    ]
    for n, v in peer.items():
        target = "≥ 1.5" if n == "8" else ""
        rows.append(
            [
                f"server / transformers+PEFT peer, {n} adapter(s) mixed",
                v,
                target,
                verdict(v, 1.5) if n == "8" else "",
            ]
        )
    if "8" not in peer:
        rows.append(
            ["server / transformers+PEFT peer, 8 adapters mixed", None, "≥ 1.5", "not measured"]
        )
    return table(["ratio", "value", "target", ""], rows)


def memory_section(results: dict[str, Any]) -> list[str]:
    m = results.get("memory") or {}
    if not m or "error" in m:
        return ["Memory measurement failed: " + str(m.get("error", "not run"))[:500], ""]
    mib = 1024 * 1024
    rows = [
        ["LoRA adapter (PEFT, parameters)", m["lora_param_bytes_per_adapter"] / mib],
        [
            "LoRA adapter (PEFT, RSS growth per extra adapter)",
            m["lora_rss_bytes_per_extra_adapter"] / mib,
        ],
        ["merged model per adapter (parameters)", m["merged_param_bytes_per_adapter"] / mib],
        [
            "merged model per adapter (RSS growth per model)",
            m["merged_rss_bytes_per_adapter"] / mib,
        ],
        ["base model (parameters)", m["base_param_bytes"] / mib],
    ]
    for key, label in (
        ("server_rss_bytes_ready", "arserve server process tree at ready"),
        ("server_rss_bytes_after", "arserve server process tree after sweep"),
        ("peer_rss_bytes_ready", "PEFT peer process at ready"),
    ):
        if results.get(key):
            rows.append([label, results[key] / mib])
    ratio = m["merged_param_bytes_per_adapter"] / max(1, m["lora_param_bytes_per_adapter"])
    return table(["what", "MiB"], rows) + [
        f"Each extra adapter as a merged model costs {ratio:,.0f}× its LoRA weights "
        f"({m['dtype']}; {m['merged_models']} merged models and {m['lora_adapters_loaded']} "
        "adapters measured).",
        "",
    ]


def cost_section(results: dict[str, Any]) -> list[str]:
    c = results.get("cost") or {}
    if not c:
        return []
    lines = [f"Machine price: **€{c['eur_per_hour']:.2f}/hour** (`--eur-per-hour`).", ""]
    rows = [
        [f"multi-adapter, {n} adapter(s)", v] for n, v in c["eur_per_million_output_tokens"].items()
    ]
    rows.append(
        [
            "one merged model (dedicated deployment, full load)",
            c["eur_per_million_output_tokens_dedicated"],
        ]
    )
    lines += table(["€ per million output tokens", "€"], rows)
    rows = [
        [
            "1,000 drafted e-mails (`/v1/ar/emails`)",
            c.get("eur_per_1000_emails"),
            c.get("eur_per_1000_emails_dedicated_full_load"),
        ],
        [
            "1,000 classifications (`/v1/disputes/classify`)",
            c.get("eur_per_1000_classifications"),
            c.get("eur_per_1000_classifications_dedicated_full_load"),
        ],
    ]
    lines += table(
        ["per", "multi-adapter €", "dedicated (full load) €"],
        [[a, fmt(b, 4), fmt(d, 4)] for a, b, d in rows],
    )
    frac = c.get("demand_fraction", 0.5)
    lines += [
        f"Fleets for a demand of {frac:.0%} of one machine's multi-adapter capacity, "
        "spread evenly over the adapters (whole machines; a dedicated deployment needs "
        "at least one per adapter):",
        "",
    ]
    rows = [
        [
            f["adapters"],
            f["demand_tokens_per_s"],
            f["machines_multi"],
            f["machines_dedicated"],
            f["eur_per_million_multi"],
            f["eur_per_million_dedicated"],
            f"{f['saving']:.0%}",
        ]
        for f in c["fleets"]
    ]
    lines += table(
        [
            "adapters",
            "demand tok/s",
            "machines (multi)",
            "machines (dedicated)",
            "€/M tok multi",
            "€/M tok dedicated",
            "saving",
        ],
        rows,
    )
    return lines


def crosscheck_section(results: dict[str, Any]) -> list[str]:
    cc = results.get("crosscheck") or {}
    if "error" in cc or not cc:
        return [f"Cross-check failed: {str(cc.get('error', 'not run'))[:800]}", ""]
    rows = [
        [k, v["vllm_bench"], v["arserve_loadgen"], v["ratio"]] for k, v in cc["compare"].items()
    ]
    return table(["metric", "vllm bench serve", "our load generator", "ours / vllm"], rows)


def render(results: dict[str, Any], out_dir: Path) -> Path:
    trials = results.get("trials", [])
    env = results.get("environment", {})
    plots = [
        plot_latency_vs_load(trials, out_dir / "latency_vs_load.png"),
        plot_throughput_vs_adapters(trials, out_dir / "throughput_vs_adapters.png"),
    ]
    cfg = results.get("config", {})
    rank = cfg.get("synthetic_rank")
    adapter_kind = f"synthetic rank {rank}" if rank else "cloned from the reference adapters"
    L = [
        "# arserve serving benchmark",
        "",
        f"Run {env.get('started', '?')} on {env.get('cpus')} CPUs ({env.get('machine')}), "
        f"load average at start {env.get('load_avg')}, wall time {env.get('wall_seconds')} s; "
        f"vLLM {env.get('vllm')}, torch {env.get('torch')}, model {env.get('model')} in "
        f"{env.get('dtype')}. arserve CPU LoRA plugin: `{env.get('plugin')}`.",
        "",
        f"Workload: {cfg.get('requests')} requests per closed-loop trial at concurrency "
        f"{cfg.get('concurrency')}, AR mix (e-mails with context 40%, classifications 40%, "
        f"chat 20%), greedy; adapters {adapter_kind}"
        f"; SLO for goodput {cfg.get('slo_ms')} ms.",
        "",
        "## Headline ratios",
        "",
    ]
    L += headline(results)
    analysis = out_dir / "analysis.md"
    if analysis.exists():
        L += [analysis.read_text().strip(), ""]
    L += ["## Same load: server vs raw engine, LoRA vs base (interleaved)", ""]
    L += table(TRIAL_HEADER, trial_rows([t for t in trials if t["tag"].startswith("same-load")]))
    L += [
        "## Latency against load (open loop, Poisson, 8 adapters, Zipf)",
        "",
        f"![latency vs load]({plots[0].name})",
        "",
    ]
    L += table(TRIAL_HEADER, trial_rows([t for t in trials if t["tag"].startswith("load/")]))
    L += ["## Adapter sweep (closed loop)", "", f"![throughput vs adapters]({plots[1].name})", ""]
    L += table(TRIAL_HEADER, trial_rows([t for t in trials if t["tag"].startswith("sweep/")]))
    per = [t for t in trials if t["tag"].startswith("sweep/8/zipf") and t["engine"] == "server"]
    if per:
        L += ["### Per adapter: 8 adapters, Zipf popularity", ""]
        rows = [
            [a, s["completed"], s["output_throughput"], *lat_cells(s)]
            for a, s in per[0]["per_adapter"].items()
        ]
        L += table(
            ["adapter", "requests", "out tok/s", "TTFT ms", "TPOT ms", "ITL ms", "E2EL ms"], rows
        )
    L += ["## AR endpoints (not streamed: TTFT = E2EL)", ""]
    L += table(TRIAL_HEADER, trial_rows([t for t in trials if t["tag"].startswith("ar/")]))
    L += ["## Cross-check against `vllm bench serve`", ""] + crosscheck_section(results)
    L += ["## Memory per extra adapter", ""] + memory_section(results)
    L += ["## Cost", ""] + cost_section(results)
    path = out_dir / "report.md"
    path.write_text("\n".join(L).rstrip() + "\n")
    return path
