"""One log line per HTTP request, and its request id: taken from a well-formed `X-Request-Id`
header or made here, returned in the `X-Request-Id` response header, and available to the
code that serves the request (`note()` adds fields such as the adapter to its line).

The line holds the request id, method, route template (never the query string), status,
latency, tenant and key id (from the API key), and what the route noted; no body, no
personal data.

With an audit log, each request also carries an audit draft (server/audit/context.py); one
in which a generation started becomes an audit record once the request is over (a stream
when it ends or its client goes away), written in a thread after the response has gone:
a failed write is logged, never the request's error."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.audit.context import AuditDraft, end_draft, start_draft
from server.audit.log import AuditError, AuditLog
from server.audit.record import AuditEntry, output_sha256
from server.tracing import tracer

log = logging.getLogger("arserve.request")
audit_log = logging.getLogger("arserve.audit")
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
    def __init__(
        self,
        app: ASGIApp,
        audit: AuditLog | None = None,
        on_audit_error: Callable[[], None] = lambda: None,
    ) -> None:
        self.app = app
        self.audit = audit
        self.on_audit_error = on_audit_error  # e.g. a failed-writes counter's inc

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"")
        request_id = given.decode() if _VALID.match(given) else f"req-{uuid.uuid4().hex}"
        fields: dict[str, Any] = {"request_id": request_id}
        token = _fields.set(fields)
        draft, draft_token = start_draft() if self.audit is not None else (None, None)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, request_id.encode())]}
            await send(message)

        line: dict[str, Any] | None = None
        try:
            with tracer().start_as_current_span(
                scope["method"], kind=trace.SpanKind.SERVER
            ) as span:
                span.set_attribute("arserve.request_id", request_id)
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    _fields.reset(token)
                    if draft_token is not None:
                        end_draft(draft_token)
                    line = _line(scope, request_id, status, start, fields)
                    span.update_name(f"{line['method']} {line['route']}")
                    span.set_attribute("http.route", line["route"])
                    span.set_attribute("http.response.status_code", status)
                    for key in ("tenant", "adapter"):
                        if line.get(key):
                            span.set_attribute(f"arserve.{key}", str(line[key]))
                    log.info("request", extra={"fields": line})
        finally:
            # After the span: the response is out, the write is not the request's time.
            if draft is not None and draft.attempts and line is not None:
                await self._write_audit(line, draft)

    async def _write_audit(self, line: dict[str, Any], draft: AuditDraft) -> None:
        """Append the request's record; any failure is logged at ERROR (no personal data)."""
        assert self.audit is not None
        try:
            await asyncio.to_thread(self.audit.append, audit_entry(line, draft))
        except Exception as exc:  # noqa: BLE001 - the audit never fails a request
            self.on_audit_error()
            # Only our own messages and the OS's: another error's text might quote a value.
            reason = (
                exc.strerror if isinstance(exc, OSError) else
                str(exc) if isinstance(exc, AuditError) else None
            )  # fmt: skip
            audit_log.error(
                "audit record not written",
                extra={"fields": {"request_id": line["request_id"], "error": type(exc).__name__,
                                  "reason": reason}},
            )  # fmt: skip


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


def audit_entry(line: dict[str, Any], draft: AuditDraft) -> AuditEntry:
    """The audit entry of a finished request: its log line's facts and its draft's."""
    last = draft.last
    assert last is not None
    return AuditEntry(
        request_id=line["request_id"],
        endpoint=line["route"],
        status=line["status"],
        latency_ms=line["latency_ms"],
        attempts=len(draft.attempts),
        tenant=line.get("tenant"),
        key_id=line.get("key_id"),
        outcome=last.outcome,
        adapter=last.adapter,
        adapter_sha256=last.adapter_sha256,
        adapters={a.adapter: a.adapter_sha256 for a in draft.attempts if a.adapter},
        base_model=last.base_model,
        base_model_sha256=last.base_model_sha256,
        customer_ids=list(draft.customer_ids),
        citations=list(draft.citations),
        grounding=draft.grounding,
        arm=draft.arm,
        rollout_id=draft.rollout_id,
        prompt_tokens=sum(a.prompt_tokens for a in draft.attempts),
        completion_tokens=sum(a.completion_tokens for a in draft.attempts),
        output_sha256=output_sha256([t for a in draft.returned for t in a.returned_texts()]),
        generation_ids=list(draft.generation_ids),
    )
