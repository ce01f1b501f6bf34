"""Wire models of POST /v1/ar/emails."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from adapters.tasks import EMAIL_TYPES

EmailType = Literal[
    "reminder_pre_due",
    "reminder_overdue_1",
    "reminder_overdue_2",
    "final_notice",
    "dispute_acknowledgement",
    "remittance_request",
    "payment_confirmation",
    "credit_hold_notice",
]
# Spelled out for the OpenAPI enum; must be the email drafter's task list.
if set(get_args(EmailType)) != set(EMAIL_TYPES):
    raise RuntimeError("EmailType and adapters.tasks.EMAIL_TYPES differ")
RecordId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")


class EmailRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str = RecordId
    email_type: EmailType
    invoice_ids: list[str] | None = Field(default=None, max_length=50)
    dispute_id: str | None = Field(default=None, min_length=1, max_length=64)
    instructions: str | None = Field(default=None, max_length=1000)
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
