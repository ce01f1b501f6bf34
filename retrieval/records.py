"""Pydantic models of the AR / order-to-cash records that the retrieval layer stores.

Every record carries ``tenant_id``, its own id, a ``version`` (an update with a higher
version replaces the stored one) and an optional ``updated_at``.  ``text()`` is what gets
indexed for search; ``facts()`` is what goes to the context block's structured section.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from retrieval.taxonomy import DisputeReason

Id = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/\-]*$",
    ),
]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{3}$")]
Money = Annotated[Decimal, Field(max_digits=16, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
NonNegMoney = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Record(BaseModel):
    """Fields every stored record has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_type: ClassVar[str]
    id_field: ClassVar[str]
    #: text-bearing records are embedded (dense + sparse); the others are indexed sparse-only
    dense: ClassVar[bool] = False

    tenant_id: Id
    version: int = Field(default=1, ge=1)
    updated_at: datetime | None = None

    @property
    def record_id(self) -> str:
        return str(getattr(self, self.id_field))

    @property
    def owner_customer_id(self) -> str | None:
        return getattr(self, "customer_id", None)

    @property
    def citation(self) -> str:
        return f"{self.record_type}:{self.record_id}@v{self.version}"

    @abstractmethod
    def text(self) -> str:
        """Full text for the sparse (keyword) index: ids, numbers and prose."""

    def dense_text(self) -> str | None:
        """Prose for the dense embedding (no ids or amounts), None when not embedded."""
        return None

    def related_invoice_ids(self) -> list[str]:
        return []

    def facts(self) -> list[str]:
        """Glossary concepts (``retrieval.glossary``) that a structured field of this record
        answers, whatever its prose says: a note with a promise date answers "promise"."""
        return []


class Tenant(Record):
    record_type: ClassVar[str] = "tenant"
    id_field: ClassVar[str] = "tenant_id"
    name: Short
    base_currency: Currency = "EUR"

    def text(self) -> str:
        return f"Tenant {self.tenant_id} {self.name}"


class Contact(BaseModel):
    """A customer contact: personal data, never logged, removed on erasure."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Short
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    role: Annotated[str, StringConstraints(max_length=80)] | None = None


class Customer(Record):
    record_type: ClassVar[str] = "customer"
    id_field: ClassVar[str] = "customer_id"
    customer_id: Id
    name: Short
    payment_terms: Short = "NET30"
    terms_days: int = Field(default=30, ge=0, le=365)
    credit_limit: NonNegMoney = Decimal("0")
    currency: Currency = "EUR"
    risk_class: Literal["low", "medium", "high", "critical"] = "medium"
    dunning_level: int = Field(default=0, ge=0, le=5)
    collector: Short | None = None
    country: Annotated[str, StringConstraints(max_length=2)] | None = None
    contacts: list[Contact] = Field(default_factory=list)

    def text(self) -> str:
        return (
            f"Customer {self.customer_id} {self.name}. Terms {self.payment_terms} "
            f"({self.terms_days} days), credit limit {self.credit_limit} {self.currency}, "
            f"risk {self.risk_class}, dunning level {self.dunning_level}."
        )


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    DISPUTED = "disputed"
    WRITTEN_OFF = "written_off"
    CANCELLED = "cancelled"


#: statuses of an invoice that still asks for money (members equal their plain strings)
OPEN_INVOICE_STATUSES: tuple[InvoiceStatus, ...] = (
    InvoiceStatus.OPEN,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.DISPUTED,
)


class Invoice(Record):
    record_type: ClassVar[str] = "invoice"
    id_field: ClassVar[str] = "invoice_id"
    invoice_id: Id
    customer_id: Id
    po_number: Id | None = None
    issue_date: date
    due_date: date
    currency: Currency
    gross_amount: NonNegMoney
    tax_amount: NonNegMoney = Decimal("0")
    open_amount: NonNegMoney
    status: InvoiceStatus = InvoiceStatus.OPEN
    last_reminder_date: date | None = None
    last_reminder_level: int | None = Field(default=None, ge=0, le=5)
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _check(self) -> Invoice:
        if self.due_date < self.issue_date:
            raise ValueError("due_date is before issue_date")
        if self.tax_amount > self.gross_amount:
            raise ValueError("tax_amount exceeds gross_amount")
        if self.open_amount > self.gross_amount:
            raise ValueError("open_amount exceeds gross_amount")
        return self

    def text(self) -> str:
        po = f" PO {self.po_number}" if self.po_number else ""
        desc = f" {self.description}" if self.description else ""
        return (
            f"Invoice {self.invoice_id}{po} issued {self.issue_date} due {self.due_date}, "
            f"{self.gross_amount} {self.currency} (tax {self.tax_amount}), open "
            f"{self.open_amount}, status {self.status}.{desc}"
        )


class Deduction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    amount: PositiveMoney
    reason_code: DisputeReason
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class RemittanceLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    invoice_id: Id
    amount_paid: NonNegMoney
    deductions: list[Deduction] = Field(default_factory=list)


class Payment(Record):
    """A payment with its remittance advice (lines naming invoices, deductions with reason)."""

    record_type: ClassVar[str] = "payment"
    id_field: ClassVar[str] = "payment_id"
    payment_id: Id
    customer_id: Id
    received_date: date
    amount: NonNegMoney
    currency: Currency
    method: Literal["wire", "ach", "sepa", "check", "card", "other"] = "wire"
    reference: Annotated[str, StringConstraints(max_length=120)] | None = None
    lines: list[RemittanceLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Payment:
        if self.lines and abs(sum(x.amount_paid for x in self.lines) - self.amount) > Decimal(
            "0.01"
        ):
            raise ValueError("remittance lines do not add up to the payment amount")
        return self

    def related_invoice_ids(self) -> list[str]:
        return [x.invoice_id for x in self.lines]

    def text(self) -> str:
        parts = [
            f"Payment {self.payment_id} received {self.received_date}, {self.amount} "
            f"{self.currency} by {self.method}"
            + (f", ref {self.reference}" if self.reference else "")
        ]
        for line in self.lines:
            ded = "; ".join(f"deduction {d.amount} {d.reason_code.value}" for d in line.deductions)
            parts.append(
                f"pays {line.invoice_id} {line.amount_paid}" + (f" ({ded})" if ded else "")
            )
        return ". ".join(parts) + "."


class CreditMemo(Record):
    record_type: ClassVar[str] = "credit_memo"
    id_field: ClassVar[str] = "credit_memo_id"
    credit_memo_id: Id
    customer_id: Id
    invoice_id: Id | None = None
    issue_date: date
    amount: PositiveMoney
    currency: Currency
    reason_code: DisputeReason | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None

    def related_invoice_ids(self) -> list[str]:
        return [self.invoice_id] if self.invoice_id else []

    def text(self) -> str:
        inv = f" against {self.invoice_id}" if self.invoice_id else ""
        why = f" for {self.reason_code.value}" if self.reason_code else ""
        desc = f" {self.description}" if self.description else ""
        return f"Credit memo {self.credit_memo_id}{inv}{why}: {self.amount} {self.currency}.{desc}"
