"""Wire models of POST /v1/ar/emails."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from adapters.tasks import EMAIL_TYPES
from server.api.common.protocol import CitationRef, Usage

# The e-mail drafter's task list, as an enum for the OpenAPI document (mypy cannot read
# members built from a tuple).
EmailType = StrEnum("EmailType", [(t.upper(), t) for t in EMAIL_TYPES])  # type: ignore[misc]
RecordId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")


class EmailRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str = RecordId
    email_type: EmailType
    invoice_ids: list[str] | None = Field(default=None, max_length=50)
    dispute_id: str | None = Field(default=None, min_length=1, max_length=64)
    instructions: str | None = Field(default=None, max_length=1000)
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")


class InstructionNoteOut(BaseModel):
    instruction: str = Field(description="the part of `instructions` this note is about")
    kind: str = Field(description="po, short_payment, payment_date, fee, amount, deadline, ...")
    status: str = Field(
        description="followed, not_followed, refused (the records do not support it), "
        "not_checked or not_understood"
    )
    reason: str


class Grounding(BaseModel):
    grounded: bool = Field(
        description="every checked fact of the draft is in the context, next to its record"
    )
    checked_facts: list[str]
    unsupported_facts: list[str]
    misattributed_facts: list[str] = Field(
        description="facts of the records attached to another record than their own"
    )
    disputed_dunned: list[str] = Field(
        description="invoices under dispute the draft demands payment of without saying so"
    )
    type_issues: list[str] = Field(description="what the type may not say given the records")
    language: str = Field(description="the language the draft is written in (detected)")
    language_ok: bool = Field(description="the draft is in the requested language")
    unknown_fields: list[str] = Field(
        default_factory=list,
        description="merge fields the adapter wrote that the records do not have (left out)",
    )
    literal_facts: list[str] = Field(
        default_factory=list,
        description="ids, amounts or dates the adapter wrote itself instead of as a merge field",
    )
    instructions: list[InstructionNoteOut] = Field(
        default_factory=list,
        description="what became of each instruction: followed, or refused and why",
    )
    attempts: int = Field(description="1, or 2 when the first draft failed a check")
    missing_elements: list[str] = Field(description="elements this e-mail type requires")
    dropped_citations: list[CitationRef] = Field(
        description="retrieved, but left out of the prompt of the returned draft"
    )


class EmailUsage(Usage):
    context_tokens: int


class EmailTimings(BaseModel):
    retrieval: float
    generation: float
    total: float


class EmailResponse(BaseModel):
    id: str
    object: Literal["ar.email"] = "ar.email"
    subject: str
    body: str
    email_type: EmailType
    citations: list[CitationRef]
    grounding: Grounding
    adapter: str = Field(description="NAME@VERSION")
    usage: EmailUsage
    timings_ms: EmailTimings
