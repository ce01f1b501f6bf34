"""The data routes' service: writes and erasures through the store's one RecordWriter, and
the context block an e-mail request would see. Built once the store is open."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from retrieval.writes import RecordWriter, counts
from server.api.ar_emails.context import email_context
from server.api.records.body import parse_rows
from server.retrieval_runtime import RetrievalRuntime
from server.state import AppState


class RecordsService:
    def __init__(self, state: AppState, retrieval: RetrievalRuntime) -> None:
        self.state = state
        self.retrieval = retrieval
        self.writer = RecordWriter(retrieval.store)

    async def write(self, tenant_id: str, body: bytes, content_type: str | None) -> dict[str, Any]:
        """Upsert the body's rows into the caller's tenant; visible to the next request."""
        rows = parse_rows(body, content_type, self.state.settings.max_records_per_request)
        results = await asyncio.to_thread(self.writer.write, rows, tenant_id)
        for status, num in counts(results).items():
            if num:
                self.state.metrics.records_written.labels(status).inc(num)
        return {
            "object": "records.write",
            "num_rows": len(rows),
            "counts": counts(results),
            "results": [r.as_dict() for r in results],
        }

    async def erase(self, tenant_id: str, customer_id: str) -> dict[str, Any]:
        """GDPR erasure of one customer, verified and logged without personal data."""
        report = await asyncio.to_thread(self.writer.erase, tenant_id, customer_id)
        self.state.metrics.erasures.inc()
        return {"object": "customer.erasure", **report.as_dict()}

    async def context(
        self,
        tenant_id: str,
        customer_id: str,
        email_type: str,
        invoice_ids: Sequence[str],
        dispute_id: str | None,
        instructions: str | None,
    ) -> dict[str, Any]:
        block = await asyncio.to_thread(
            email_context, self.retrieval.assembler, tenant_id, customer_id, email_type,
            self.state.settings.email_context_tokens, invoice_ids, dispute_id, instructions,
        )  # fmt: skip
        return {
            "object": "customer.context",
            "customer_id": customer_id,
            "email_type": email_type,
            "text": block.text,
            "token_count": block.token_count,
            "truncated": block.truncated,
            "citations": [c.as_dict() for c in block.citations],
        }
