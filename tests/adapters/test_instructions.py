"""Instructions over real blocks: parsing (en, de), refusals, follow checks."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from adapters.instructions import (
    check_followed,
    consistent_asks,
    instruction_notes,
    parse_instructions,
    sample_instruction,
)
from retrieval.assembly import fit_block
from retrieval.citations import Citation
from retrieval.facts import CustomerFacts, InvoiceFacts, PaymentFacts
from retrieval.results import Hit


def _block(po: str | None = "PO-7781", deduction: bool = True, clause: str | None = None) -> str:
    inv = InvoiceFacts(
        "INV-2001", po, date(2026, 1, 1), date(2026, 1, 31), "EUR", Decimal("500.00"),
        Decimal("500.00"), "open", 10, None, None, Citation("invoice", "INV-2001", 1),
    )  # fmt: skip
    deds = [("INV-2001", Decimal("25.00"), "damaged_goods")] if deduction else []
    pay = PaymentFacts(
        "PAY-9", date(2026, 2, 3), Decimal("475.00"), "EUR", ["INV-2001"], deds,
        Citation("payment", "PAY-9", 1),
    )  # fmt: skip
    facts = CustomerFacts(
        "t", "C-0001", "Example Trading Ltd", "NET30", 30, Decimal("10000.00"), "EUR",
        "low", 1, None, None, date(2026, 2, 10), Citation("customer", "C-0001", 1),
        open_invoices=[inv], focus_invoices=[inv], list_other_invoices=False,
        recent_payments=[pay], open_balance={"EUR": Decimal("500.00")},
        overdue_balance={"EUR": Decimal("500.00")}, max_days_overdue=10,
    )  # fmt: skip
    hits = []
    if clause:
        hits = [Hit(Citation("contract_clause", "CL-1", 1), "C-0001", clause, 1.0)]
    return fit_block(facts, hits, 2000).text


def test_parse_english_and_german() -> None:
    asks = parse_instructions(
        "Quote the PO number. Mention the short payment; confirm the payment date. "
        "Add a 40 EUR late fee. Be polite. Sing a song."
    )
    assert [a.kind for a in asks] == [
        "po", "short_payment", "payment_date", "fee", "tone", "other"
    ]  # fmt: skip
    assert asks[3].amount == Decimal("40.00")
    de = parse_instructions(
        "Bitte die Bestellnummer angeben. Bitte die Kürzung erwähnen. "
        "Zahlungseingang bestätigen. Mahngebühr von 40,00 EUR berechnen."
    )
    assert [a.kind for a in de] == ["po", "short_payment", "payment_date", "fee"]
    assert de[3].amount == Decimal("40.00")
    assert parse_instructions("Point out the deduction they took.")[0].kind == "short_payment"
    assert parse_instructions(None) == []
    assert parse_instructions("ask for 500 EUR")[0].kind == "amount"


def test_fee_refused_without_clause_consistent_with_one() -> None:
    asks = parse_instructions("Add a 40 EUR late fee.")
    _, refused = consistent_asks(asks, _block())
    assert [n.status for n in refused] == ["refused"]
    assert "40.00" in refused[0].reason
    ctx = _block(clause="A late payment fee of 40.00 EUR applies per overdue invoice.")
    _, refused = consistent_asks(asks, ctx)
    assert refused == []
    # a fee without an amount needs a clause that provides for one
    bare = parse_instructions("Charge interest.")
    assert consistent_asks(bare, _block())[1][0].status == "refused"
    assert consistent_asks(bare, _block(clause="Interest of 8% p.a. accrues."))[1] == []


def test_amount_from_fact_line_is_consistent() -> None:
    assert consistent_asks(parse_instructions("Ask for 500.00 EUR."), _block())[1] == []
    refused = consistent_asks(parse_instructions("Ask for 999.00 EUR."), _block())[1]
    assert refused[0].status == "refused"


def test_refusals_by_records() -> None:
    asks = parse_instructions("Quote the PO. Mention the short payment.")
    follow, refused = consistent_asks(asks, _block(po=None, deduction=False))
    assert follow == frozenset()
    assert [n.kind for n in refused] == ["po", "short_payment"]
    follow, refused = consistent_asks(asks, _block())
    assert follow == {"po", "short_payment"} and refused == []


def test_deadline_house_rule() -> None:
    assert consistent_asks(parse_instructions("Pay within 7 days."), _block())[1] == []
    refused = consistent_asks(parse_instructions("Pay within 3 days."), _block())[1]
    assert refused[0].status == "refused"


def test_followed_and_not_followed() -> None:
    ctx = _block()
    text = "Quote the PO number. Mention the short payment. Confirm the payment date."
    good = "Invoice INV-2001 (PO-7781): we received 475.00 EUR on 03.02.2026, 25.00 EUR short."
    notes = instruction_notes(text, ctx, good)
    assert [n.status for n in notes] == ["followed"] * 3
    bad = "Invoice INV-2001 is open."
    notes = instruction_notes(text, ctx, bad)
    assert [n.status for n in notes] == ["not_followed"] * 3
    assert notes[0].to_dict()["kind"] == "po"


def test_notes_keep_instruction_order() -> None:
    notes = instruction_notes("Be firm. Add a 40 EUR fee. Dance.", _block(), "x")
    assert [(n.kind, n.status) for n in notes] == [
        ("tone", "not_checked"), ("fee", "refused"), ("other", "not_understood")
    ]  # fmt: skip


def test_sample_instruction_parses() -> None:
    rng = random.Random(3)
    out = [sample_instruction(rng, _block(), lang) for lang in ("en", "de") * 40]
    assert any(o is None for o in out)
    given = [o for o in out if o]
    assert given and all(a.kind != "other" for o in given for a in parse_instructions(o))


def test_check_followed_only_followed_kinds() -> None:
    ctx = _block()
    asks = parse_instructions("Quote the PO number. Confirm the payment date.")
    notes = check_followed(asks, frozenset({"po"}), "INV-2001 is open.", ctx)
    assert [(n.kind, n.status) for n in notes] == [("po", "not_followed")]
    # the named invoice with its PO
    notes = check_followed(asks, frozenset({"po"}), "PO-7781 INV-2001", ctx)
    assert notes[0].status == "followed"
