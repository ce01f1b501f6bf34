"""GET /v1/audit: the filters parsed and checked, the log read in a thread."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from server.audit.log import AuditLog, AuditQuery
from server.audit.record import parse_time
from server.errors import InvalidRequestError, NotReadyError

MAX_LIMIT = 1000
_ADAPTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._-]+)?$")


def _time_param(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise InvalidRequestError(
            f"{name}: not ISO-8601 nor unix seconds: {value[:40]!r}", param=name
        ) from None


class AuditService:
    def __init__(self, log: AuditLog | None) -> None:
        self.log = log

    def query(
        self,
        since: str | None,
        until: str | None,
        tenant: str | None,
        adapter: str | None,
        request_id: str | None,
        limit: int,
        generation_id: str | None = None,
    ) -> AuditQuery:
        """The checked filters (a 400 naming the parameter at fault)."""
        start, end = _time_param(since, "since"), _time_param(until, "until")
        if start is not None and end is not None and start > end:
            raise InvalidRequestError("since is after until", param="since")
        if adapter is not None and not _ADAPTER.match(adapter):
            raise InvalidRequestError("adapter: expected NAME or NAME@VERSION", param="adapter")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidRequestError(f"limit: 1..{MAX_LIMIT}", param="limit")
        return AuditQuery(start, end, tenant, adapter, request_id, limit, generation_id)

    async def list(self, q: AuditQuery) -> dict[str, Any]:
        if self.log is None:
            raise NotReadyError("the audit log is off (ARSERVE_ENABLE_AUDIT)", code="audit_off")
        data = await asyncio.to_thread(self.log.query, q)
        return {"object": "list", "data": data}
