"""Grounding: a draft's ids, amounts, dates and names against the block's stated values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
