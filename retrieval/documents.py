"""Text-bearing AR records: dispute cases, contract clauses, collection notes, correspondence.

These are embedded densely (``dense_text``: the prose only, so identical prose shares one
vector) and sparsely (``text``: prose plus ids and amounts).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, StringConstraints

from retrieval.records import Currency, Id, PositiveMoney, Record, Short, Text
from retrieval.taxonomy import DisputeReason


class DisputeStatus(StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    REJECTED = "rejected"


#: statuses of a dispute still being worked on (members equal their plain strings)
OPEN_DISPUTE_STATUSES: tuple[DisputeStatus, ...] = (DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW)


class Dispute(Record):
    """A dispute or deduction case."""

    record_type: ClassVar[str] = "dispute"
    id_field: ClassVar[str] = "dispute_id"
    dense: ClassVar[bool] = True
    dispute_id: Id
    customer_id: Id
    invoice_ids: list[Id] = Field(min_length=1)
    disputed_amount: PositiveMoney
    currency: Currency
    reason_code: DisputeReason
    status: DisputeStatus = DisputeStatus.OPEN
    opened_date: date
    resolved_date: date | None = None
    description: Text
    resolution: Annotated[str, StringConstraints(max_length=2000)] | None = None

    def related_invoice_ids(self) -> list[str]:
        return list(self.invoice_ids)

    def dense_text(self) -> str:
        res = f" {self.resolution}" if self.resolution else ""
        return f"{self.description}{res}"

    def text(self) -> str:
        res = f" Resolution: {self.resolution}" if self.resolution else ""
        return (
            f"Dispute {self.dispute_id} ({self.reason_code.value}, {self.status}) on "
            f"{', '.join(self.invoice_ids)}: {self.disputed_amount} {self.currency}. "
            f"{self.description}{res}"
        )


ClauseType = Literal[
    "payment_terms", "discount", "allowance", "price_agreement", "penalty", "other"
]


class ContractClause(Record):
    """Contract terms as text clauses (payment terms, discounts, allowances, prices)."""

    record_type: ClassVar[str] = "contract_clause"
    id_field: ClassVar[str] = "clause_id"
    dense: ClassVar[bool] = True
    clause_id: Id
    customer_id: Id
    contract_id: Id
    clause_type: ClauseType = "other"
    title: Short
    text_body: Text = Field(alias="text")
    effective_date: date | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def dense_text(self) -> str:
        return f"{self.title}: {self.text_body}"

    def text(self) -> str:  # type: ignore[override]
        return (
            f"Contract {self.contract_id} clause {self.clause_id} - {self.title}: {self.text_body}"
        )


class CollectionNote(Record):
    record_type: ClassVar[str] = "collection_note"
    id_field: ClassVar[str] = "note_id"
    dense: ClassVar[bool] = True
    note_id: Id
    customer_id: Id
    note_date: date
    author: Short
    note: Text
    invoice_ids: list[Id] = Field(default_factory=list)
    promise_to_pay_date: date | None = None
    promise_to_pay_amount: PositiveMoney | None = None
    next_action: Annotated[str, StringConstraints(max_length=200)] | None = None
    next_action_date: date | None = None

    def related_invoice_ids(self) -> list[str]:
        return list(self.invoice_ids)

    def facts(self) -> list[str]:
        return ["promise"] if self.promise_to_pay_date else []

    def dense_text(self) -> str:
        nxt = f" Next action: {self.next_action}." if self.next_action else ""
        return f"{self.note}{nxt}"

    def text(self) -> str:
        ptp = ""
        if self.promise_to_pay_date:
            amt = f" {self.promise_to_pay_amount}" if self.promise_to_pay_amount else ""
            ptp = f" Promise to pay{amt} by {self.promise_to_pay_date}."
        nxt = f" Next action: {self.next_action}." if self.next_action else ""
        return f"Collection note {self.note_id} ({self.note_date}): {self.note}{ptp}{nxt}"


class Correspondence(Record):
    """A past email or letter exchanged with the customer."""

    record_type: ClassVar[str] = "correspondence"
    id_field: ClassVar[str] = "message_id"
    dense: ClassVar[bool] = True
    message_id: Id
    customer_id: Id
    sent_date: date
    direction: Literal["inbound", "outbound"]
    subject: Short
    body: Text
    invoice_ids: list[Id] = Field(default_factory=list)

    def related_invoice_ids(self) -> list[str]:
        return list(self.invoice_ids)

    def dense_text(self) -> str:
        return f"{self.subject}: {self.body}"

    def text(self) -> str:
        return f"{self.direction.capitalize()} email {self.sent_date} '{self.subject}': {self.body}"
