"""Wire models of POST /v1/disputes/classify."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from retrieval.taxonomy import DisputeReason
from server.api.common.protocol import CitationRef


class DisputeItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    customer_id: str | None = Field(default=None, min_length=1, max_length=64)
    invoice_id: str | None = Field(default=None, min_length=1, max_length=64)


class ClassifyRequest(BaseModel):
    """One message (`text`, optionally with `customer_id`/`invoice_id`) or a batch (`items`)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1)
    customer_id: str | None = Field(default=None, min_length=1, max_length=64)
    invoice_id: str | None = Field(default=None, min_length=1, max_length=64)
    items: list[DisputeItem] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ClassifyRequest:
        if (self.text is None) == (self.items is None):
            raise ValueError("send either 'text' or 'items'")
        if self.items is not None and (self.customer_id or self.invoice_id):
            raise ValueError("with 'items', put customer_id and invoice_id inside each item")
        return self

    def as_items(self) -> list[DisputeItem]:
        if self.items is not None:
            return self.items
        assert self.text is not None
        return [
            DisputeItem(text=self.text, customer_id=self.customer_id, invoice_id=self.invoice_id)
        ]


class Alternative(BaseModel):
    label: DisputeReason
    probability: float


class Classification(BaseModel):
    id: str = Field(description="this classification's generation id (in the audit record)")
    label: DisputeReason
    confidence: float = Field(
        description="the label's probability, calibrated when the adapter version has a "
        "calibration.json"
    )
    needs_review: bool = Field(
        description="true when the confidence is below the label's review threshold, or the "
        "adapter version has no calibration: queue the message for a person; false: the label "
        "may be routed automatically"
    )
    alternatives: list[Alternative] = Field(description="the next labels, most probable first")
    probabilities: dict[DisputeReason, float] = Field(
        description="every label's probability, renormalised over the taxonomy (calibrated "
        "like confidence)"
    )
    citations: list[CitationRef]
    adapter: str = Field(description="NAME@VERSION")


class ClassifyResponse(BaseModel):
    object: Literal["list"] = "list"
    data: list[Classification]
