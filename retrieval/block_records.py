"""The records a context block's fact lines describe, one object per line, read back from the
block text: what attribution needs beyond the flat `Statement` (which amount, date and day
count belongs to which invoice, dispute, payment or to the account)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from retrieval.block import DEDUCTION_RE, match_fact_line, parse_block
from retrieval.documents import OPEN_DISPUTE_STATUSES


def _amount(money: str) -> Decimal:
    """The amount of a rendered `123.45 EUR`."""
    return Decimal(money.split()[0])


def _amounts(listed: str) -> set[Decimal]:
    """Every amount of a rendered per-currency list (`100.00 EUR, 20.00 USD`)."""
    return {_amount(m) for m in listed.split(", ") if m}


@dataclass(frozen=True)
class InvoiceRecord:
    invoice_id: str
    po_number: str | None
    issue_date: date
    due_date: date
    gross: Decimal
    open: Decimal
    status: str
    days_overdue: int
    last_reminder: date | None


@dataclass(frozen=True)
class DisputeRecord:
    dispute_id: str
    status: str
    invoice_ids: tuple[str, ...]
    amount: Decimal
    opened: date

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DISPUTE_STATUSES


@dataclass(frozen=True)
class PaymentRecord:
    payment_id: str
    received: date
    amount: Decimal
    invoice_ids: tuple[str, ...]
    deductions: tuple[tuple[str, Decimal], ...]  # (invoice id, amount)


@dataclass
class BlockRecords:
    """Every fact line of a block as a record (an unparsed block gives empty records)."""

    invoices: dict[str, InvoiceRecord] = field(default_factory=dict)
    disputes: dict[str, DisputeRecord] = field(default_factory=dict)
    payments: dict[str, PaymentRecord] = field(default_factory=dict)
    balances: set[Decimal] = field(default_factory=set)  # open and overdue, per currency
    credit_limit: Decimal | None = None
    dunning_level: int | None = None
    max_days_overdue: int | None = None

    def invoice_of(self, record_id: str) -> InvoiceRecord | None:
        """The invoice an invoice id or a PO number names."""
        if record_id in self.invoices:
            return self.invoices[record_id]
        return next((i for i in self.invoices.values() if i.po_number == record_id), None)

    def open_disputes_on(self, invoice_id: str) -> list[DisputeRecord]:
        return [d for d in self.disputes.values() if d.is_open and invoice_id in d.invoice_ids]


def _ids(listed: str) -> tuple[str, ...]:
    return tuple(i for i in listed.split(", ") if i and i != "unapplied")


def _read_line(line: str, out: BlockRecords) -> None:
    """One fact line into `out`, read with the block's own line patterns."""
    if (matched := match_fact_line(line)) is None:
        return
    kind, m = matched
    if kind == "invoice":
        inv = InvoiceRecord(
            m["id"], m["po"], date.fromisoformat(m["issued"]), date.fromisoformat(m["due"]),
            _amount(m["gross"]), _amount(m["open"]), m["status"], int(m["days"]),
            date.fromisoformat(m["reminded"]) if m["reminded"] else None,
        )  # fmt: skip
        out.invoices[inv.invoice_id] = inv
    elif kind == "customer":
        out.credit_limit, out.dunning_level = _amount(m["limit"]), int(m["level"])
    elif kind == "balance":
        out.balances |= _amounts(m["open"]) | _amounts(m["overdue"])
        out.max_days_overdue = int(m["days"])
    elif kind == "dispute":
        out.disputes[m["id"]] = DisputeRecord(
            m["id"], m["status"], _ids(m["invoices"]), _amount(m["amount"]),
            date.fromisoformat(m["opened"]),
        )  # fmt: skip
    elif kind == "payment":
        deductions = tuple((inv, _amount(a)) for a, inv in DEDUCTION_RE.findall(m["deductions"]))
        out.payments[m["id"]] = PaymentRecord(
            m["id"], date.fromisoformat(m["received"]), _amount(m["amount"]),
            _ids(m["invoices"]), deductions,
        )  # fmt: skip


def block_records(text: str) -> BlockRecords:
    """The records of a rendered block's fact lines (passages are not records)."""
    out = BlockRecords()
    for line in parse_block(text).fact_lines:
        _read_line(line, out)
    return out
