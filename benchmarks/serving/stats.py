"""Per-request results and their summary, with the metric names `vllm bench serve` uses.

TTFT: time to the first output token; TPOT: (E2EL - TTFT) / (output tokens - 1), per request;
ITL: every gap between two streamed chunks; E2EL: whole request. Goodput counts the requests
that meet every objective given (ttft, tpot, e2el in ms), as vLLM does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

PERCENTILES = (50, 95, 99)
LATENCY_METRICS = ("ttft", "tpot", "itl", "e2el")


@dataclass
class RequestResult:
    kind: str  # email | classify | chat | ...
    adapter: str  # adapter name, or the base model's name
    success: bool = False
    prompt_tokens: int = 0
    output_tokens: int = 0
    ttft: float = 0.0  # seconds
    latency: float = 0.0  # seconds, end to end
    itl: list[float] = field(default_factory=list)  # seconds
    start: float = 0.0  # perf_counter at send
    error: str = ""

    @property
    def tpot(self) -> float | None:
        if self.output_tokens <= 1:
            return None
        return (self.latency - self.ttft) / (self.output_tokens - 1)


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); 0.0 for no values."""
    if not values:
        return 0.0
    data = sorted(values)
    if len(data) == 1:
        return float(data[0])
    rank = (len(data) - 1) * p / 100.0
    lo, hi = math.floor(rank), math.ceil(rank)
    return float(data[lo] + (data[hi] - data[lo]) * (rank - lo))


def describe(name: str, seconds: Iterable[float]) -> dict[str, float]:
    """mean/median/std/pNN of one metric, in ms, named like vLLM: `p99_ttft_ms`."""
    ms = [s * 1000.0 for s in seconds]
    out: dict[str, float] = {}
    mean = sum(ms) / len(ms) if ms else 0.0
    out[f"mean_{name}_ms"] = mean
    out[f"median_{name}_ms"] = percentile(ms, 50)
    var = sum((v - mean) ** 2 for v in ms) / len(ms) if ms else 0.0
    out[f"std_{name}_ms"] = math.sqrt(var)
    for p in PERCENTILES:
        out[f"p{p}_{name}_ms"] = percentile(ms, p)
    return out


def is_good(r: RequestResult, slo_ms: dict[str, float]) -> bool:
    """vLLM's goodput rule: a request is good when it meets every objective given."""
    if not r.success:
        return False
    checks = {"ttft": r.ttft, "tpot": r.tpot or 0.0, "e2el": r.latency}
    return all(checks[k] * 1000.0 <= v for k, v in slo_ms.items())


def summarize(
    results: Sequence[RequestResult], duration_s: float, slo_ms: dict[str, float] | None = None
) -> dict[str, Any]:
    """One run's summary: counts, throughputs, latency percentiles and goodput."""
    ok = [r for r in results if r.success]
    dur = max(duration_s, 1e-9)
    out_tokens = sum(r.output_tokens for r in ok)
    in_tokens = sum(r.prompt_tokens for r in ok)
    summary: dict[str, Any] = {
        "completed": len(ok),
        "failed": len(results) - len(ok),
        "duration": duration_s,
        "total_input_tokens": in_tokens,
        "total_output_tokens": out_tokens,
        "request_throughput": len(ok) / dur,
        "output_throughput": out_tokens / dur,
        "total_token_throughput": (in_tokens + out_tokens) / dur,
    }
    summary |= describe("ttft", (r.ttft for r in ok))
    summary |= describe("tpot", (t for r in ok if (t := r.tpot) is not None))
    summary |= describe("itl", (g for r in ok for g in r.itl))
    summary |= describe("e2el", (r.latency for r in ok))
    if slo_ms:
        good = sum(is_good(r, slo_ms) for r in results)
        summary["request_goodput"] = good / dur
        summary["goodput_fraction"] = good / len(results) if results else 0.0
        summary["slo_ms"] = dict(slo_ms)
    return summary


def by_group(
    results: Sequence[RequestResult],
    duration_s: float,
    key: str,
    slo_ms: dict[str, float] | None = None,
) -> dict[str, dict[str, Any]]:
    """Summaries per adapter (key="adapter") or per request kind (key="kind")."""
    groups: dict[str, list[RequestResult]] = {}
    for r in results:
        groups.setdefault(getattr(r, key), []).append(r)
    return {k: summarize(v, duration_s, slo_ms) for k, v in sorted(groups.items())}


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None
