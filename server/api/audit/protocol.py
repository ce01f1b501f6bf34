"""Wire models of GET /v1/audit: the audit records as written, newest first."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class TornTail(BaseModel):
    offset: int = Field(description="where the cut bytes started in the file")
    bytes: int
    sha256: str


class AuditRecordOut(BaseModel):
    """One generation request's record. No personal data: the customer is a keyed hash."""

    seq: int = Field(description="position in the chain, from 1")
    prev: str = Field(description="hash of the record before (64 zeros for the first)")
    hash: str = Field(description="sha256 of this record's canonical JSON without `hash`")
    v: int = Field(description="record schema version")
    request_id: str = Field(description="the request's X-Request-Id")
    time: str = Field(description="when the request finished, ISO-8601 UTC")
    tenant: str | None
    key_id: str | None
    endpoint: str = Field(description="route template, e.g. /v1/chat/completions")
    status: int = Field(description="HTTP status (a stream's in-band error keeps its 200)")
    outcome: str | None = Field(description="the last generation's: ok, error or cancelled")
    adapter: str | None = Field(description="NAME@VERSION; null: the base model alone")
    adapter_sha256: str | None
    adapters: dict[str, str | None] = Field(
        default_factory=dict, description="every adapter the request ran -> its sha256"
    )
    base_model: str | None
    base_model_sha256: str | None
    customer_refs: list[str] = Field(
        description="per customer served: HMAC-SHA256 of tenant and customer id under the "
        "deployment's audit secret (never the id)"
    )
    customer_ref_key: str | None = Field(description="which secret made customer_refs")
    citations: list[str] = Field(description='records cited, e.g. "invoice:INV-1@3"')
    grounding: dict[str, Any] | None
    attempts: int = Field(description="engine generations the request ran")
    arm: str | None = Field(description="rollout arm, e.g. live or canary")
    rollout_id: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    output_sha256: str | None = Field(
        description="sha256 of the returned text (several texts joined by U+001E)"
    )
    generation_ids: list[str] = Field(
        default_factory=list,
        description="the ids the response returned: a completion's or e-mail's `id`, each "
        "classification's `id` (records written before the field have none)",
    )
    torn_tail: TornTail | None = Field(
        default=None, description="a torn final line (crashed write) this append cut off"
    )


class AuditList(BaseModel):
    object: Literal["list"] = "list"
    data: list[AuditRecordOut]
