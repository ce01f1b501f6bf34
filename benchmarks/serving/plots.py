"""PNG plots: latency percentiles against load, throughput against number of adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_latency_vs_load(trials: list[dict[str, Any]], path: Path) -> Path:
    plt = _plt()
    rows = [t for t in trials if t["tag"].startswith("load/")]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    styles = {"p50": "-", "p95": "--", "p99": ":"}
    for engine, color in (("server", "tab:blue"), ("raw", "tab:orange")):
        mine = sorted((t for t in rows if t["engine"] == engine), key=lambda t: t["request_rate"])
        if not mine:
            continue
        x = [t["request_rate"] for t in mine]
        for ax, metric in zip(axes, ("ttft", "tpot", "e2el"), strict=True):
            for p, style in styles.items():
                key = f"median_{metric}_ms" if p == "p50" else f"{p}_{metric}_ms"
                ax.plot(
                    x,
                    [t["summary"][key] / (1000 if metric != "tpot" else 1) for t in mine],
                    style,
                    color=color,
                    marker="o",
                    ms=3,
                    label=f"{engine} {p}",
                )
    for ax, title, unit in zip(
        axes, ("TTFT", "TPOT", "E2E latency"), ("s", "ms", "s"), strict=True
    ):
        ax.set_title(title)
        ax.set_xlabel("offered load (requests/s, Poisson)")
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle("Latency percentiles against load (8 adapters, Zipf popularity)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_throughput_vs_adapters(trials: list[dict[str, Any]], path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    sweep = [t for t in trials if t["tag"].startswith("sweep/")]
    series = (
        ("server", "uniform", "tab:blue", "arserve, uniform"),
        ("server", "zipf", "tab:green", "arserve, Zipf"),
        ("peer", "uniform", "tab:red", "transformers+PEFT peer, uniform"),
    )
    for engine, pop, color, label in series:
        pts = sorted(
            (t["n_adapters"], t["summary"]["output_throughput"])
            for t in sweep
            if t["engine"] == engine and t["popularity"] == pop
        )
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", color=color, label=label)
    for engine, color, marker in (("server", "tab:blue", "s"), ("raw", "tab:orange", "^")):
        same = [
            (t["n_adapters"], t["summary"]["output_throughput"])
            for t in trials
            if t["tag"].startswith("same-load/") and t["engine"] == engine and t["n_adapters"]
        ]
        if same:
            ax.scatter(
                [n for n, _ in same],
                [v for _, v in same],
                color=color,
                marker=marker,
                label=f"{engine}, same-load rounds",
                zorder=3,
            )
    base = [
        t["summary"]["output_throughput"]
        for t in trials
        if t["tag"].startswith("same-load/base") and t["engine"] == "server"
    ]
    if base:
        ax.axhline(sum(base) / len(base), color="gray", ls="--", label="arserve, base model")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("adapters in the mix")
    ax.set_ylabel("output tokens/s")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Output-token throughput against number of adapters")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
