"""The records a context block's fact lines describe, one object per line, read back from the
block text: what attribution needs beyond the flat `Statement` (which amount, date and day
count belongs to which invoice, dispute, payment or to the account)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from retrieval.block import parse_block
from retrieval.documents import OPEN_DISPUTE_STATUSES

_D = r"\d{4}-\d{2}-\d{2}"
_M = r"-?\d+\.\d{2}"
_INVOICE = re.compile(
    rf"\] Invoice (?P<id>\S+?)(?: \(PO (?P<po>[^()]+)\))?: issued (?P<issued>{_D}), "
    rf"due (?P<due>{_D}), gross (?P<gross>{_M}) [A-Z]{{3}}, open (?P<open>{_M}) [A-Z]{{3}}, "
    rf"status (?P<status>\w+), (?P<days>\d+) days overdue(?:, last reminder (?P<rem>{_D}))?"
)
_CUSTOMER = re.compile(
    rf"\] Customer .*Credit limit: (?P<limit>{_M}) .*Dunning level: (?P<lv>\d+)\."
)
_BALANCE = re.compile(
    rf"\] As of (?P<as_of>{_D}): \d+ open invoices, open balance (?P<open>.+?), overdue "
    r"(?P<overdue>.+?), oldest item (?P<days>\d+) days overdue"
)
_DISPUTE = re.compile(
    rf"\] Dispute (?P<id>\S+) \((?P<reason>\w+), (?P<status>\w+)\) on (?P<invoices>.*?): "
    rf"(?P<amount>{_M}) [A-Z]{{3}}, opened (?P<opened>{_D})\.$"
)
_PAYMENT = re.compile(
    rf"\] Payment (?P<id>\S+) received (?P<received>{_D}): (?P<amount>{_M}) [A-Z]{{3}} "
    r"for (?P<invoices>.*?)(?P<deductions>(?:; deduction .+?)*)\.$"
)
_DEDUCTION = re.compile(rf"; deduction ({_M}) [A-Z]{{3}} \(\w+\) on (\S+?)(?=;|$)")
_AMOUNT = re.compile(rf"({_M}) [A-Z]{{3}}")


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
    if m := _INVOICE.search(line):
        inv = InvoiceRecord(
            m["id"], m["po"], date.fromisoformat(m["issued"]), date.fromisoformat(m["due"]),
            Decimal(m["gross"]), Decimal(m["open"]), m["status"], int(m["days"]),
            date.fromisoformat(m["rem"]) if m["rem"] else None,
        )  # fmt: skip
        out.invoices[inv.invoice_id] = inv
    elif m := _CUSTOMER.search(line):
        out.credit_limit, out.dunning_level = Decimal(m["limit"]), int(m["lv"])
    elif m := _BALANCE.search(line):
        out.balances |= {Decimal(a) for a in _AMOUNT.findall(m["open"] + " " + m["overdue"])}
        out.max_days_overdue = int(m["days"])
    elif m := _DISPUTE.search(line):
        out.disputes[m["id"]] = DisputeRecord(
            m["id"], m["status"], _ids(m["invoices"]), Decimal(m["amount"]),
            date.fromisoformat(m["opened"]),
        )  # fmt: skip
    elif m := _PAYMENT.search(line):
        deductions = tuple((inv, Decimal(a)) for a, inv in _DEDUCTION.findall(m["deductions"]))
        out.payments[m["id"]] = PaymentRecord(
            m["id"], date.fromisoformat(m["received"]), Decimal(m["amount"]),
            _ids(m["invoices"]), deductions,
        )  # fmt: skip


def block_records(text: str) -> BlockRecords:
    """The records of a rendered block's fact lines (passages are not records)."""
    out = BlockRecords()
    for line in parse_block(text).fact_lines:
        _read_line(line, out)
    return out
