"""Grounding: a draft's ids, amounts, dates and names against the block's stated values, and
each value against the record it is stated next to (attribution)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from retrieval.attribution import misattributed, payment_misattributed
from retrieval.block import parse_block
from retrieval.block_records import block_records
from retrieval.grounding import checked_facts, extract, unsupported_facts
from retrieval.statements import Statement

STATED = Statement.of(
    ids={"C00001", "NET30", "INV-100017", "PO-5531"},
    amounts={Decimal("1250.00"), Decimal("29184.65")},
    currencies={"EUR"},
    dates={date(2026, 10, 1)},
    names={"Brightwater Foods GmbH"},
    customer_names={"Brightwater Foods GmbH"},
)
GOOD = """Subject: Payment reminder: invoice INV-100017

Dear Brightwater Foods GmbH team,

Invoice INV-100017 (PO PO-5531) for 1,250.00 EUR was due on 2026-10-01.

Kind regards,
Accounts Receivable Team"""


def test_a_draft_of_stated_facts_is_grounded() -> None:
    draft = extract(GOOD)
    assert unsupported_facts(draft, STATED) == []
    assert {"INV-100017", "1250.00", "EUR", "2026-10-01"} <= set(checked_facts(draft))


def test_each_invented_or_garbled_fact_is_named() -> None:
    bad = (
        GOOD.replace("1,250.00", "2918.65")
        .replace("INV-100017 (", "INV-100071 (")
        .replace("2026-10-01", "2026-10-08")
        .replace("Dear Brightwater Foods GmbH", "Dear Northwind Traders Ltd")
    )
    assert unsupported_facts(extract(bad), STATED) == [
        "id INV-100071",
        "amount 2918.65",
        "date 2026-10-08",
        "company Northwind Traders Ltd",
        "greeting name Northwind Traders Ltd",
    ]


def test_nothing_is_stated_by_an_empty_statement() -> None:
    assert unsupported_facts(extract(GOOD), Statement())


# Three open invoices (INV-2 disputed, INV-3 not yet due), a payment of another invoice: each
# value belongs to one record.
BLOCK = """<context>
## Customer facts
[customer:C1@v1] Customer Brightwater Foods GmbH (C1). Terms: NET30 (30 days). Credit limit: 50000.00 EUR. Risk: low. Dunning level: 0.
[customer:C1@v1] As of 2026-03-01: 3 open invoices, open balance 4000.00 EUR, overdue 3500.00 EUR, oldest item 40 days overdue, 1 open disputes.
[invoice:INV-1@v1] Invoice INV-1 (PO PO-11): issued 2026-01-01, due 2026-01-20, gross 1000.00 EUR, open 1000.00 EUR, status open, 40 days overdue.
[invoice:INV-2@v1] Invoice INV-2 (PO PO-22): issued 2026-01-10, due 2026-01-30, gross 2500.00 EUR, open 2500.00 EUR, status disputed, 30 days overdue.
[invoice:INV-3@v1] Invoice INV-3: issued 2026-02-20, due 2026-03-22, gross 500.00 EUR, open 500.00 EUR, status open, 0 days overdue.
[dispute:DSP-9@v1] Dispute DSP-9 (pricing_discrepancy, open) on INV-2: 400.00 EUR, opened 2026-02-05.
[payment:PAY-1@v1] Payment PAY-1 received 2026-02-10: 750.00 EUR for INV-7.
</context>"""  # noqa: E501
RIGHT = (
    "Invoice INV-1 for 1000.00 EUR was due on 2026-01-20 and is now 40 days overdue. "
    "Invoice INV-2 (PO PO-22) for 2500.00 EUR fell due on 2026-01-30. "
    "Your open balance is 4000.00 EUR. Invoice INV-3 is not yet overdue."
)


def _wrong(text: str) -> list[str]:
    records = block_records(BLOCK)
    return misattributed(text, records, set(parse_block(BLOCK).statement.amounts))


def test_block_records_read_every_fact_line() -> None:
    r = block_records(BLOCK)
    assert (
        set(r.invoices) == {"INV-1", "INV-2", "INV-3"}
        and r.invoice_of("PO-22") == r.invoices["INV-2"]
    )
    assert r.balances == {Decimal("4000.00"), Decimal("3500.00")} and r.dunning_level == 0
    assert r.max_days_overdue == 40 and r.credit_limit == Decimal("50000.00")
    assert [d.invoice_ids for d in r.open_disputes_on("INV-2")] == [("INV-2",)]
    assert r.payments["PAY-1"].invoice_ids == ("INV-7",)


def test_a_correctly_attributed_draft_passes() -> None:
    assert unsupported_facts(extract(RIGHT), parse_block(BLOCK).statement) == []
    assert _wrong(RIGHT) == []


def test_one_invoices_amount_next_to_another_is_misattributed() -> None:
    swapped = "Invoice INV-1 for 2500.00 EUR and invoice INV-2 for 1000.00 EUR are open."
    # every value is in the records: "present somewhere" passes it
    assert unsupported_facts(extract(swapped), parse_block(BLOCK).statement) == []
    assert _wrong(swapped) == [
        "amount 2500.00 attached to INV-1",
        "amount 1000.00 attached to INV-2",
    ]
    assert _wrong("- PO PO-11: open 2500.00 EUR") == ["amount 2500.00 attached to INV-1"]


def test_an_invoice_amount_given_as_the_balance_is_misattributed() -> None:
    assert _wrong("Your open balance is 1000.00 EUR.") == ["amount 1000.00 attached to the balance"]


def test_a_wrong_day_count_or_due_date_is_misattributed() -> None:
    assert _wrong("Invoice INV-1 is now 30 days overdue.") == ["30 days overdue attached to INV-1"]
    assert _wrong("The oldest item is 30 days overdue.") == [
        "30 days overdue attached to the oldest item"
    ]
    assert _wrong("Invoice INV-1 was due on 2026-01-30.") == [
        "due date 2026-01-30 attached to INV-1"
    ]
    assert _wrong("Invoice INV-1 is due on 1000.00 EUR.") == [
        "amount 1000.00 where a due date belongs"
    ]
    assert _wrong("Invoice INV-3 is overdue.") == [
        "INV-3 called overdue, 0 days overdue in the records"
    ]


def test_a_payment_e_mail_confirms_the_payment_of_its_focus_invoices() -> None:
    records = block_records(BLOCK)
    other = "Thank you for payment PAY-1 of 750.00 EUR, received on 2026-02-10."
    assert payment_misattributed(other, records, {"INV-1"}) == [
        "payment PAY-1 is not the payment this e-mail is about",
        "amount 750.00 is payment PAY-1's",
        "date 2026-02-10 is payment PAY-1's",
    ]
    assert payment_misattributed(other, records, {"INV-7"}) == []
