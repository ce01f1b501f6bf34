"""The per-adapter live summary GET /v1/adapters shows, from the process's own metrics."""

from __future__ import annotations

from server.metrics import Metrics, RequestTimer


def test_summary_counts_one_adapters_requests_failures_and_latency() -> None:
    metrics = Metrics()
    metrics.set_known_adapters({"drafter", "drafter@8", "other"})
    for adapter, status in (("drafter", "ok"), ("drafter", "ok"), ("drafter", "error"),
                            ("drafter@8", "ok"), ("other", "ok")):  # fmt: skip
        timer = RequestTimer(metrics, adapter, "ar_emails")
        timer.on_tokens(3)
        timer.finish(status)
    metrics.grounding_failures.labels("drafter", "retried").inc(2)
    metrics.grounding_failures.labels("drafter", "final").inc()
    summary = metrics.adapter_summary("drafter")
    assert summary["requests_ok"] == 2 and summary["requests_error"] == 1
    assert summary["grounding_failures"] == 1  # only drafts still failing after the retry
    assert summary["mean_latency_s"] >= 0
    assert metrics.adapter_summary("drafter@8") == {
        "requests_ok": 1,
        "mean_latency_s": metrics.adapter_summary("drafter@8")["mean_latency_s"],
    }
    assert metrics.adapter_summary("nobody") == {}
