"""Merge fields: the prompt lists the fields a block has; filling takes every value from the
block's own fact lines, in the requested language; an unknown field is left out and named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.evaluation.email_draft import check_draft
from adapters.merge_fields import FINAL_NOTICE_DAYS, UnknownRecordError, merge_fields
from adapters.prompts import ar_email_drafter
from retrieval.assembly import fit_block
from retrieval.citations import Citation
from retrieval.facts import CustomerFacts, DisputeFacts, InvoiceFacts, PaymentFacts


def _invoice(n: int, open_amount: str, due: date, days: int, po: str | None = None) -> InvoiceFacts:
    return InvoiceFacts(
        f"INV-{n}", po, date(2026, 1, 1), due, "EUR", Decimal("900.00"), Decimal(open_amount),
        "open", days, None, None, Citation("invoice", f"INV-{n}", 1),
    )  # fmt: skip


def _block() -> str:
    a = _invoice(1, "500.00", date(2026, 1, 31), 10, po="PO-77")
    b = _invoice(2, "120.50", date(2026, 2, 5), 5)
    dispute = DisputeFacts(
        "D-9", ["INV-2"], "short_shipment", "open", Decimal("20.00"), "EUR", date(2026, 2, 6),
        Citation("dispute", "D-9", 1),
    )  # fmt: skip
    payment = PaymentFacts(
        "PAY-3", date(2026, 2, 8), Decimal("380.00"), "EUR", ["INV-1"],
        [("INV-1", Decimal("120.00"), "pricing_discrepancy")], Citation("payment", "PAY-3", 1),
    )  # fmt: skip
    facts = CustomerFacts(
        "t", "C-1", "Example Trading Ltd", "NET30", 30, Decimal("10000.00"), "EUR", "low", 1,
        None, None, date(2026, 2, 10), Citation("customer", "C-1", 1), open_invoices=[a, b],
        focus_invoices=[a, b], list_other_invoices=False, open_disputes=[dispute],
        recent_payments=[payment], open_balance={"EUR": Decimal("620.50")},
        overdue_balance={"EUR": Decimal("620.50")}, max_days_overdue=10,
    )  # fmt: skip
    return fit_block(facts, [], 2000).text


def test_fields_follow_the_block_and_fill_its_values() -> None:
    fx = merge_fields(_block())
    assert fx.slots == {"INV-1": "invoice1", "INV-2": "invoice2", "D-9": "dispute1",
                        "PAY-3": "payment1"}  # fmt: skip
    assert fx.ref("INV-2", "open") == "{{invoice2.open}}"
    assert "invoice2.po" not in fx.values  # INV-2 has no PO: the field does not exist
    filled = fx.fill(
        "Invoice {{invoice1.id}} (PO {{invoice1.po}}): {{invoice1.open}}, "
        "due {{invoice1.due}}; balance {{balance.open}}; pay by {{deadline}}."
    )
    deadline = date(2026, 2, 10).toordinal() + FINAL_NOTICE_DAYS
    assert filled.text == (
        "Invoice INV-1 (PO PO-77): 500.00 EUR, due 2026-01-31; balance 620.50 EUR; pay by "
        f"{date.fromordinal(deadline).isoformat()}."
    )
    assert filled.unknown == []
    de = fx.fill("{{invoice2.open}} fällig am {{invoice2.due}}", "de")
    assert de.text == "120,50 EUR fällig am 05.02.2026"


def test_unknown_fields_are_left_out_and_named() -> None:
    fx = merge_fields(_block())
    filled = fx.fill("Invoice {{invoice3.id}} for {{invoice3.open}}, and {{invoice2.po}}.")
    assert filled.unknown == ["invoice3.id", "invoice3.open", "invoice2.po"]
    assert "{{" not in filled.text and "INV-" not in filled.text
    with pytest.raises(UnknownRecordError):
        fx.ref("INV-404", "open")
    with pytest.raises(UnknownRecordError):
        fx.ref("INV-2", "po")


def test_the_prompt_lists_exactly_the_fields_that_exist() -> None:
    block = _block()
    user = ar_email_drafter.messages(block, "reminder_overdue_1")[1]["content"]
    listed = user.split("## Merge fields\n", 1)[1]
    assert "{{invoice1.*}} INV-1: id, po, issued, due, gross, open, days_overdue" in listed
    assert "{{invoice2.*}} INV-2: id, issued," in listed  # no po
    assert "{{payment1.*}} PAY-3: id, received, amount, invoices, deduction" in listed
    # template 1 (an adapter trained before merge fields) gets no list and no fill
    old = ar_email_drafter.messages(
        block, "reminder_overdue_1", template_version="ar-email-drafter/1"
    )
    assert "## Merge fields" not in old[1]["content"]
    assert ar_email_drafter.finish("{{invoice1.open}}", block, "en", "ar-email-drafter/1").text == (
        "{{invoice1.open}}"
    )


def test_a_field_right_by_construction_a_literal_wrong_fact_is_flagged() -> None:
    block = _block()
    body = ("Dear {{customer.name}} team,\n\nOur records show that invoice {{invoice1.id}} for "
            "{{invoice1.open}} was due on {{invoice1.due}} and is still outstanding. Please "
            "arrange payment at your earliest convenience. If you have already paid, please "
            "disregard this reminder and accept our thanks.\n\nKind regards,\n"
            "Accounts Receivable Team")  # fmt: skip
    good = check_draft("Subject: Payment reminder: invoice {{invoice1.id}}\n\n" + body, block,
                       "reminder_overdue_1")  # fmt: skip
    assert not good.problems, good.problems
    assert good.check.grounded and "500.00 EUR" in good.text
    # the adapter writing a number itself, attached to the wrong invoice
    wrong = good.text.replace("500.00 EUR", "120.50 EUR")
    literal = check_draft(wrong, block, "reminder_overdue_1")
    assert literal.check.misattributed and "amount 120.50 written outside a merge field" in (
        literal.problems
    )
    # the wrong field: the amount next to invoice 1 is invoice 2's, the attribution check sees it
    swapped = check_draft(
        "Subject: Payment reminder: invoice {{invoice1.id}}\n\n"
        + body.replace("{{invoice1.open}}", "{{invoice2.open}}"), block, "reminder_overdue_1",
    )  # fmt: skip
    assert swapped.check.misattributed == ["amount 120.50 attached to INV-1"]
