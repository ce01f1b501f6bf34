"""One log line per HTTP request, and its request id: taken from a well-formed `X-Request-Id`
header or made here, returned in the `X-Request-Id` response header, and available to the
code that serves the request (`note()` adds fields such as the adapter to its line).

The line holds the request id, method, route template (never the query string), status,
latency, tenant and key id (from the API key), and what the route noted; no body, no
personal data."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.tracing import tracer

log = logging.getLogger("arserve.request")
HEADER = b"x-request-id"
_VALID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")
_fields: ContextVar[dict[str, Any] | None] = ContextVar("arserve_request_fields", default=None)


def note(**fields: Any) -> None:
    """Add fields to the current request's log line (no-op outside a request)."""
    current = _fields.get()
    if current is not None:
        current.update(fields)


def current_request_id() -> str | None:
    current = _fields.get()
    return None if current is None else current.get("request_id")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"")
        request_id = given.decode() if _VALID.match(given) else f"req-{uuid.uuid4().hex}"
        fields: dict[str, Any] = {"request_id": request_id}
        token = _fields.set(fields)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, request_id.encode())]}
            await send(message)

        with tracer().start_as_current_span(scope["method"], kind=trace.SpanKind.SERVER) as span:
            span.set_attribute("arserve.request_id", request_id)
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                _fields.reset(token)
                line = _line(scope, request_id, status, start, fields)
                span.update_name(f"{line['method']} {line['route']}")
                span.set_attribute("http.route", line["route"])
                span.set_attribute("http.response.status_code", status)
                for key in ("tenant", "adapter"):
                    if line.get(key):
                        span.set_attribute(f"arserve.{key}", str(line[key]))
                log.info("request", extra={"fields": line})


def _line(
    scope: Scope, request_id: str, status: int, start: float, fields: dict[str, Any]
) -> dict[str, Any]:
    route = scope.get("route")
    principal = scope.get("state", {}).get("principal")
    return {
        "request_id": request_id,
        "method": scope["method"],
        "route": getattr(route, "path", None) or scope["path"],
        "status": status,
        "latency_ms": round((time.perf_counter() - start) * 1000, 1),
        "tenant": getattr(principal, "tenant_id", None),
        "key_id": getattr(principal, "key_id", None),
        **{k: v for k, v in fields.items() if k != "request_id"},
    }
