"""Prometheus metrics with bounded labels: per adapter (base counts as one) and endpoint."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

UNKNOWN = "unknown"
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80)
_TPOT_BUCKETS = (0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3, 0.6, 1.2, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        labels = ("adapter", "endpoint")
        self.requests = Counter(
            "arserve_requests", "Requests by outcome.", (*labels, "status"), registry=r
        )
        self.ttft = Histogram(
            "arserve_time_to_first_token_seconds",
            "Time to first token.",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.tpot = Histogram(
            "arserve_time_per_output_token_seconds",
            "Mean time per output token after the first.",
            labels,
            buckets=_TPOT_BUCKETS,
            registry=r,
        )
        self.e2e = Histogram(
            "arserve_request_latency_seconds",
            "End-to-end request latency.",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.prompt_tokens = Counter(
            "arserve_prompt_tokens", "Prompt tokens processed.", labels, registry=r
        )
        self.completion_tokens = Counter(
            "arserve_completion_tokens", "Completion tokens generated.", labels, registry=r
        )
        self.in_flight = Gauge("arserve_requests_in_flight", "Requests in flight.", registry=r)
        self.waiting = Gauge(
            "arserve_requests_waiting", "Requests beyond the running batch.", registry=r
        )
        self.adapters_loaded = Gauge(
            "arserve_adapters_loaded",
            "Loaded adapters (1 per name and version).",
            ("adapter", "version"),
            registry=r,
        )
        self.adapter_events = Counter(
            "arserve_adapter_events",
            "Adapter loads, unloads and failures.",
            ("event",),
            registry=r,
        )
        self.kv_cache_usage = Gauge(
            "arserve_kv_cache_usage_ratio",
            "KV cache in use, from the engine's stats (0..1).",
            registry=r,
        )
        self.engine_running = Gauge(
            "arserve_engine_requests_running", "Requests the engine is running.", registry=r
        )
        self.engine_waiting = Gauge(
            "arserve_engine_requests_waiting", "Requests waiting in the engine.", registry=r
        )
        self.retrieval_latency = Histogram(
            "arserve_retrieval_latency_seconds",
            "Context assembly latency.",
            ("endpoint",),
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=r,
        )
        self.context_tokens = Histogram(
            "arserve_context_tokens",
            "Retrieved context tokens injected into a prompt.",
            ("endpoint",),
            buckets=(32, 64, 128, 256, 512, 1024, 2048),
            registry=r,
        )
        self.grounding_failures = Counter(
            "arserve_grounding_failures",
            "Drafts with a fact not in the context.",
            ("adapter", "outcome"),
            registry=r,
        )
        self.classification_labels = Counter(
            "arserve_classification_labels",
            "Dispute labels returned.",
            ("adapter", "label"),
            registry=r,
        )
        self.records_written = Counter(
            "arserve_records_written",
            "Rows of POST /v1/records by result (ok, unchanged, stale, invalid, ...).",
            ("status",),
            registry=r,
        )
        self.erasures = Counter(
            "arserve_customer_erasures", "Verified customer erasures over HTTP.", registry=r
        )
        self.requests_rejected = Counter(
            "arserve_requests_rejected",
            "Requests refused with 429 because the server was at capacity (batch items count).",
            registry=r,
        )
        self.ready = Gauge(
            "arserve_ready", "1 when the last /ready answer was 200, else 0.", registry=r
        )
        self.price_per_hour = Gauge(
            "arserve_price_per_hour",
            "This server's price per hour (ARSERVE_PRICE_PER_HOUR), for the cost rules.",
            registry=r,
        )
        self.version_requests = Counter(
            "arserve_version_requests",
            "Requests on a route under rollout, per adapter version and arm (live, candidate).",
            ("adapter", "version", "arm", "result"),
            registry=r,
        )
        self.shadow_runs = Counter(
            "arserve_shadow_runs",
            "Shadow runs of rollout candidates (queued, dropped when the queue was full, "
            "done, failed).",
            ("result",),
            registry=r,
        )
        self.audit_write_failures = Counter(
            "arserve_audit_write_failures",
            "Audit records that could not be written (the response was not affected).",
            registry=r,
        )
        self._known: set[str] = set()

    def update_engine(self, stats: dict[str, float]) -> None:
        if "kv_cache_usage" in stats:
            self.kv_cache_usage.set(stats["kv_cache_usage"])
            self.engine_running.set(stats["num_running"])
            self.engine_waiting.set(stats["num_waiting"])

    def adapter_summary(self, adapter: str) -> dict[str, float]:
        """What this process served with one adapter (its engine name): requests by status,
        drafts that failed grounding after the retry, and mean latency."""
        out: dict[str, float] = {}
        latency_sum = latency_count = 0.0
        for family in (*self.requests.collect(), *self.e2e.collect()):
            for sample in family.samples:
                if sample.labels.get("adapter") != adapter:
                    continue
                if sample.name == "arserve_requests_total":
                    key = f"requests_{sample.labels['status']}"
                    out[key] = out.get(key, 0.0) + sample.value
                elif sample.name == "arserve_request_latency_seconds_sum":
                    latency_sum += sample.value
                elif sample.name == "arserve_request_latency_seconds_count":
                    latency_count += sample.value
        for family in self.grounding_failures.collect():
            for sample in family.samples:
                labels = sample.labels
                final = labels.get("adapter") == adapter and labels.get("outcome") == "final"
                if final and sample.name.endswith("_total"):
                    out["grounding_failures"] = sample.value
        if latency_count:
            out["mean_latency_s"] = round(latency_sum / latency_count, 4)
        return out

    def set_known_adapters(self, names: set[str]) -> None:
        self._known = set(names)

    def label(self, adapter: str) -> str:
        """Only names that exist become label values, so clients cannot blow up cardinality."""
        return adapter if adapter in self._known else UNKNOWN


@dataclass
class RequestTimer:
    """Timing hooks of one request on the request path."""

    metrics: Metrics
    adapter: str
    endpoint: str
    start: float = field(default_factory=time.perf_counter)
    first_token_at: float | None = None
    num_prompt_tokens: int = 0
    num_output_tokens: int = 0

    def on_tokens(self, num_new: int) -> None:
        if num_new and self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.num_output_tokens += num_new

    def finish(self, status: str) -> None:
        m, labels = self.metrics, (self.metrics.label(self.adapter), self.endpoint)
        m.requests.labels(*labels, status).inc()
        if status != "ok":
            return
        end = time.perf_counter()
        m.e2e.labels(*labels).observe(end - self.start)
        m.prompt_tokens.labels(*labels).inc(self.num_prompt_tokens)
        m.completion_tokens.labels(*labels).inc(self.num_output_tokens)
        if self.first_token_at is not None:
            m.ttft.labels(*labels).observe(self.first_token_at - self.start)
            if self.num_output_tokens > 1:
                tpot = (end - self.first_token_at) / (self.num_output_tokens - 1)
                m.tpot.labels(*labels).observe(tpot)
