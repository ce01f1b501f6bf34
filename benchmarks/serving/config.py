"""What a benchmark run measures, and the rig it runs on (servers, engine, adapters)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.serving.cost import DEFAULT_EUR_PER_HOUR

REPORT_DIR = Path("benchmarks/reports/serving")
DEFAULT_SLO_MS = {"ttft": 5000.0, "tpot": 250.0}


@dataclass
class SuiteConfig:
    adapter_counts: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16])
    popularities: list[str] = field(default_factory=lambda: ["uniform", "zipf"])
    requests: int = 48  # per closed-loop trial
    concurrency: int = 16
    rounds: int = 2  # interleaved rounds of the same-load comparisons
    compare_adapters: int = 8  # adapters in the server/raw/base comparison
    load_fractions: list[float] = field(default_factory=lambda: [0.25, 0.5, 1.0, 1.5])
    open_loop_seconds: float = 30.0  # arrivals per open-loop trial = rate x this
    peer_counts: list[int] = field(default_factory=lambda: [1, 8])
    peer_max_batch: int = 16
    ar_requests: int = 16  # per AR endpoint trial
    crosscheck_requests: int = 32
    baselines: bool = True  # raw engine, base model, PEFT peer, memory
    slo_ms: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SLO_MS))
    eur_per_hour: float = DEFAULT_EUR_PER_HOUR
    seed: int = 0
    synthetic_rank: int | None = None  # None: clones of the reference adapters
    out_dir: Path = REPORT_DIR
    work_dir: Path | None = None  # adapters, logs, stores; a temp folder by default
    # engine settings shared by the server and the raw engine
    max_num_seqs: int = 64
    kv_cache_space_gib: int = 2
    dtype: str = "auto"

    @classmethod
    def quick(cls, **overrides: Any) -> SuiteConfig:
        """A reduced but complete matrix that finishes in about ten minutes on 2 cores."""
        base: dict[str, Any] = dict(
            adapter_counts=[1, 4, 8],
            popularities=["uniform", "zipf"],
            requests=24,
            concurrency=8,
            rounds=1,
            load_fractions=[0.5, 1.0],
            open_loop_seconds=20.0,
            peer_counts=[8],
            ar_requests=8,
            crosscheck_requests=16,
        )
        return cls(**(base | overrides))

    @property
    def max_adapters(self) -> int:
        return max(self.adapter_counts + [self.compare_adapters] + self.peer_counts)

    def resolved_work_dir(self) -> Path:
        if self.work_dir is None:
            self.work_dir = Path(tempfile.mkdtemp(prefix="arserve-bench-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        return self.work_dir

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        return json.loads(json.dumps(out, default=str))


def server_settings(
    cfg: SuiteConfig,
    port: int,
    adapters_dir: Path,
    keys_file: Path,
    work: Path,
    email_adapter: str,
    dispute_adapter: str,
) -> dict[str, Any]:
    """arserve Settings (as JSON) for the server under test."""
    return {
        "port": port,
        "dtype": cfg.dtype,
        "keys_file": str(keys_file),
        "adapters_dir": str(adapters_dir),
        "load_registry": False,
        "max_num_seqs": cfg.max_num_seqs,
        "max_loras": cfg.max_adapters,
        "max_cpu_loras": max(32, cfg.max_adapters),
        "kv_cache_space_gib": cfg.kv_cache_space_gib,
        "gpu_memory_utilization": 0.3,
        "max_waiting_requests": 1024,
        "qdrant_path": str(work / "qdrant"),
        "load_demo_data": False,
        "email_adapter": email_adapter,
        "dispute_adapter": dispute_adapter,
    }


def plugin_status() -> dict[str, Any]:
    """Whether arserve's CPU LoRA plugin is installed and switched on for this run."""
    import os
    from importlib.metadata import entry_points

    from server.vllm_plugin import PLUGIN_ENV, fast_lora_enabled

    registered = any(
        ep.value.startswith("server.vllm_plugin")
        for ep in entry_points(group="vllm.general_plugins")
    )
    return {
        "entry_point_registered": registered,
        "env": {PLUGIN_ENV: os.environ.get(PLUGIN_ENV)},
        "fast_lora_ops": registered and fast_lora_enabled(),
        "no_lora_mask": registered,
    }
