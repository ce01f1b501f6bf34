"""OpenTelemetry spans of a request: off unless ARSERVE_OTLP_ENDPOINT names a collector.

Without a configured provider the API's tracer makes non-recording spans (near free), so the
code is instrumented unconditionally. Attributes carry the request id, tenant, adapter@version
and counts, never a customer id, a name or any text of the request."""

from __future__ import annotations

from opentelemetry import trace

TRACER = "arserve"


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER)


def configure_tracing(endpoint: str | None) -> None:
    """Export spans over OTLP/HTTP to endpoint (e.g. http://127.0.0.1:4318/v1/traces)."""
    if not endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "arserve"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
