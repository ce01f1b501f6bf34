"""The pure parts of the serving benchmark: percentiles, goodput, cost model, Zipf, report."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from benchmarks.serving import cost, stats, workload
from benchmarks.serving.loadgen import run_closed, run_open
from benchmarks.serving.report import render
from benchmarks.serving.stats import RequestResult


def result(ttft: float, latency: float, tokens: int, adapter: str = "a") -> RequestResult:
    gaps = [(latency - ttft) / (tokens - 1)] * (tokens - 1) if tokens > 1 else []
    return RequestResult("chat", adapter, True, 10, tokens, ttft, latency, gaps)


def test_percentile_matches_numpy_linear_interpolation() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert stats.percentile(values, 50) == 3.0
    assert stats.percentile(values, 0) == 1.0
    assert stats.percentile(values, 100) == 5.0
    assert stats.percentile(values, 95) == pytest.approx(4.8)
    assert stats.percentile([7.0], 99) == 7.0
    assert stats.percentile([], 99) == 0.0
    data = [random.Random(1).random() for _ in range(101)]
    np = pytest.importorskip("numpy")
    for p in (50, 95, 99):
        assert stats.percentile(data, p) == pytest.approx(float(np.percentile(data, p)))


def test_summary_uses_vllm_names_and_goodput_rule() -> None:
    rs = [result(0.1, 1.1, 11), result(0.2, 2.2, 11), result(3.0, 4.0, 2)]
    rs.append(RequestResult("chat", "a", success=False, error="boom"))
    s = stats.summarize(rs, duration_s=4.0, slo_ms={"ttft": 1000, "tpot": 150})
    assert s["completed"] == 3 and s["failed"] == 1
    assert s["total_output_tokens"] == 24
    assert s["output_throughput"] == pytest.approx(6.0)
    assert s["request_throughput"] == pytest.approx(0.75)
    # tpot: (1.0/10, 2.0/10, 1.0/1) -> 100, 200, 1000 ms
    assert s["median_tpot_ms"] == pytest.approx(200.0)
    assert s["mean_ttft_ms"] == pytest.approx(1100.0)
    for key in ("p50_ttft_ms", "p95_itl_ms", "p99_e2el_ms", "std_tpot_ms"):
        assert key in s
    # only the first request meets ttft <= 1 s and tpot <= 150 ms; failures never count
    assert s["request_goodput"] == pytest.approx(0.25)
    assert s["goodput_fraction"] == pytest.approx(0.25)


def test_one_token_requests_count_as_tpot_zero_for_goodput() -> None:
    r = result(0.5, 0.5, 1)
    assert r.tpot is None
    assert stats.is_good(r, {"tpot": 1.0, "ttft": 600})


def test_by_adapter_groups() -> None:
    rs = [result(0.1, 1.0, 5, "x"), result(0.1, 1.0, 5, "y"), result(0.1, 1.0, 5, "y")]
    groups = stats.by_group(rs, 2.0, "adapter")
    assert groups["y"]["completed"] == 2 and groups["x"]["total_output_tokens"] == 5


def test_zipf_weights_and_sampler() -> None:
    w = workload.zipf_weights(4, s=1.0)
    assert sum(w) == pytest.approx(1.0)
    assert w[0] / w[1] == pytest.approx(2.0) and w[0] / w[3] == pytest.approx(4.0)
    names = [f"a{i}" for i in range(8)]
    picks = workload.sample_adapters(names, 4000, "zipf", random.Random(0))
    counts = [picks.count(n) for n in names]
    assert counts == sorted(counts, reverse=True) or counts[0] > 3 * counts[-1]
    uniform = workload.sample_adapters(names, 20, "uniform", random.Random(0))
    assert {uniform.count(n) for n in names} <= {2, 3}
    with pytest.raises(ValueError):
        workload.popularity(3, "pareto")


def test_workload_is_seeded_and_mixed() -> None:
    a = workload.make_workload(60, 5, ["x", "y"], "uniform")
    b = workload.make_workload(60, 5, ["x", "y"], "uniform")
    assert a == b
    assert {s.kind for s in a} == {"email", "classify", "chat"}
    for s in a:
        lo, hi = workload.OUTPUT_TOKENS[s.kind]
        assert lo <= s.max_tokens <= hi
    email = next(s for s in a if s.kind == "email")
    assert "<context>" in email.messages[-1]["content"]
    assert all(s.adapter is None for s in workload.make_workload(5, 1, [None]))
    gaps = workload.poisson_gaps(2000, 4.0, 1)
    assert sum(gaps) / len(gaps) == pytest.approx(0.25, rel=0.1)


def test_drivers_closed_and_open() -> None:
    in_flight = peak = 0

    async def send(spec: workload.RequestSpec) -> RequestResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return result(0.001, 0.01, 3)

    specs = workload.make_workload(12, 0, ["x"])
    res, dur = asyncio.run(run_closed(specs, send, 3))
    assert len(res) == 12 and peak == 3 and dur > 0
    res, _ = asyncio.run(run_open(specs, send, rate=1000.0))
    assert len(res) == 12


def test_cost_model() -> None:
    assert cost.eur_per_million_tokens(0.36, 100.0) == pytest.approx(1.0)
    assert cost.eur_per_thousand(3.6, 1.0) == pytest.approx(1.0)
    assert cost.eur_per_million_tokens(1.0, 0.0) is None
    f = cost.fleet(
        8,
        demand_tokens_per_s=50,
        multi_tokens_per_s=100,
        dedicated_tokens_per_s=120,
        eur_per_hour=1.0,
    )
    assert (f.machines_multi, f.machines_dedicated) == (1, 8)
    assert f.saving == pytest.approx(7 / 8)
    s = cost.cost_summary(0.36, {1: 120.0, 8: 100.0}, 125.0, 0.5, 2.0)
    assert s["eur_per_million_output_tokens"]["8"] == pytest.approx(1.0)
    assert s["eur_per_1000_emails"] == pytest.approx(0.2)
    assert s["eur_per_1000_emails_dedicated_full_load"] == pytest.approx(0.2 * 100 / 125)
    assert len(s["fleets"]) == 2


def _trial(tag: str, engine: str, n: int, pop: str, tput: float, **load: float) -> dict:
    rs = [result(0.2, 2.0, 20), result(0.3, 2.5, 30)]
    summary = stats.summarize(rs, 50 / tput, {"ttft": 1000})
    mode = {"mode": "open", **load} if load else {"mode": "closed", "max_concurrency": 4}
    return {
        "tag": tag,
        "engine": engine,
        "n_adapters": n,
        "popularity": pop,
        "num_prompts": 2,
        "summary": summary,
        "per_adapter": {"a": summary},
        "per_kind": {},
        **mode,
    }


def test_report_renders_markdown_and_plots(tmp_path: Path) -> None:
    trials = [
        _trial("same-load/8-adapters/r0", "server", 8, "uniform", 95.0),
        _trial("same-load/8-adapters/r0", "raw", 8, "uniform", 100.0),
        _trial("same-load/base/r0", "server", 0, "uniform", 120.0),
        _trial("load/0.5x", "server", 8, "zipf", 50.0, request_rate=0.5),
        _trial("load/1x", "server", 8, "zipf", 90.0, request_rate=1.0),
        _trial("load/1x", "raw", 8, "zipf", 92.0, request_rate=1.0),
        _trial("sweep/1/uniform", "server", 1, "uniform", 110.0),
        _trial("sweep/8/uniform", "server", 8, "uniform", 100.0),
        _trial("sweep/8/uniform", "peer", 8, "uniform", 40.0),
        _trial("sweep/8/zipf", "server", 8, "zipf", 101.0),
    ]
    results = {
        "environment": {"cpus": 2},
        "config": {"requests": 2},
        "trials": trials,
        "ratios": {"server_over_raw_lora": 0.95, "server_over_peer": {"8": 2.5}},
        "cost": cost.cost_summary(0.1, {1: 110.0, 8: 100.0}, 120.0, 0.2, 1.0),
        "memory": {"error": "not run"},
    }
    path = render(results, tmp_path)
    text = path.read_text()
    assert "| server / raw AsyncLLM, output tok/s, 8 mixed adapters | 0.95 | ≥ 0.95 | met |" in text
    assert "2.50 | ≥ 1.5 | met" in text and "€ per million output tokens" in text
    assert "Per adapter: 8 adapters, Zipf" in text
    for png in ("latency_vs_load.png", "throughput_vs_adapters.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"


def test_a_trial_reports_progress_per_request() -> None:
    import io

    from benchmarks.serving.config import SuiteConfig
    from benchmarks.serving.suite import Rig
    from server.progress import Progress

    out = io.StringIO()  # not a terminal: plain lines
    rig = Rig(SuiteConfig.quick())
    rig.progress = Progress(None, "bench", unit="requests", every_s=3600.0, stream=out)

    async def sender(spec: workload.RequestSpec) -> RequestResult:
        return RequestResult(spec.kind, "base", success=True, output_tokens=2, latency=0.01)

    rig.senders["server"] = sender
    specs = workload.make_workload(5, 0, [None], "uniform")
    asyncio.run(rig.trial("server", specs, "t", concurrency=2))
    asyncio.run(rig.trial("server", specs, "t2", concurrency=2))
    assert rig.progress.done == 10
    rig.close()
    assert out.getvalue().startswith("bench: 10 requests (")
