"""Wire models of the data routes: POST /v1/records, DELETE /v1/customers/{id} and
GET /v1/customers/{id}/context."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.api.common.protocol import CitationRef

RowStatus = Literal["ok", "unchanged", "stale", "invalid", "not_found", "suppressed"]


class RowResultOut(BaseModel):
    index: int = Field(description="the row's position in the request, from 0")
    status: RowStatus = Field(
        description="ok (written), unchanged (same version stored), stale (a higher version "
        "is stored or in the batch), invalid, not_found (no such customer in this tenant), "
        "suppressed (the customer was erased)"
    )
    record: str | None = Field(default=None, description="type:record_id@vVERSION")
    action: Literal["inserted", "updated"] | None = None
    field: str | None = Field(default=None, description="the field at fault")
    reason: str | None = None


class RecordsResponse(BaseModel):
    object: Literal["records.write"] = "records.write"
    num_rows: int
    counts: dict[str, int] = Field(description="rows per status")
    results: list[RowResultOut] = Field(description="one per row, in request order")


class ErasureResponse(BaseModel):
    """The erasure record as logged: no personal data, the customer as a keyed reference."""

    object: Literal["customer.erasure"] = "customer.erasure"
    tenant_id: str
    customer_ref: str = Field(description="HMAC-SHA256 of the subject under the erasure key")
    records: dict[str, int] = Field(description="records removed per type")
    points_deleted: int
    remaining: int
    verified: bool = Field(description="read back: no point of the customer is left")
    erased_at: str
    ref_scheme: str
    key_id: str


class ContextResponse(BaseModel):
    object: Literal["customer.context"] = "customer.context"
    customer_id: str
    email_type: str
    text: str = Field(description="the block exactly as an e-mail request's prompt holds it")
    token_count: int
    truncated: bool
    citations: list[CitationRef]
