"""Focus invoices and dispute of a request when the caller names none (pure logic)."""

from __future__ import annotations

from datetime import date, timedelta

from adapters.tasks import EMAIL_FOCUS, EMAIL_TYPES
from retrieval.focus import Focus, FocusRule, choose_focus
from retrieval.writes import validate_row

TODAY = date(2026, 6, 30)


def invoice(n: int, due_in_days: int, status: str = "open", open_amount: str = "100.00"):  # type: ignore[no-untyped-def]
    due = TODAY + timedelta(days=due_in_days)
    return validate_row(
        {
            "record_type": "invoice",
            "tenant_id": "t",
            "customer_id": "C1",
            "invoice_id": f"INV-{n}",
            "issue_date": str(due - timedelta(days=30)),
            "due_date": str(due),
            "currency": "EUR",
            "gross_amount": "100.00",
            "tax_amount": "0",
            "open_amount": open_amount,
            "status": status,
        },
        None,
    )


RECORDS = [
    invoice(1, -90),
    invoice(2, -10),
    invoice(3, -45),
    invoice(4, -200, "paid", "0.00"),
    invoice(5, -5),
    invoice(6, 7),
    invoice(7, 3),
    validate_row(
        {
            "record_type": "dispute",
            "tenant_id": "t",
            "customer_id": "C1",
            "dispute_id": "D-1",
            "invoice_ids": ["INV-2"],
            "disputed_amount": "10.00",
            "currency": "EUR",
            "reason_code": "short_shipment",
            "status": "open",
            "opened_date": "2026-06-01",
            "description": "Two cases missing.",
        },
        None,
    ),
    validate_row(
        {
            "record_type": "payment",
            "tenant_id": "t",
            "customer_id": "C1",
            "payment_id": "P-1",
            "amount": "100.00",
            "currency": "EUR",
            "received_date": "2026-06-20",
            "method": "sepa",
            "lines": [{"invoice_id": "INV-4", "amount_paid": "100.00"}],
        },
        None,
    ),
]


def test_reminders_name_the_three_most_overdue_undisputed_invoices() -> None:
    # INV-2 (more overdue than INV-5) has the open dispute D-1: it is not dunned
    assert choose_focus(FocusRule.OVERDUE, RECORDS, TODAY).invoice_ids == (
        "INV-1",
        "INV-3",
        "INV-5",
    )


def test_a_disputed_invoice_is_the_focus_only_when_nothing_else_is_open() -> None:
    only_disputed = [invoice(2, -10), RECORDS[7]]
    assert choose_focus(FocusRule.OVERDUE, only_disputed, TODAY).invoice_ids == ("INV-2",)
    settled = RECORDS[7].model_copy(update={"status": "resolved"})
    assert choose_focus(FocusRule.OVERDUE, [*RECORDS[:7], settled], TODAY).invoice_ids == (
        "INV-1", "INV-3", "INV-2",
    )  # fmt: skip


def test_pre_due_names_upcoming_invoices() -> None:
    assert choose_focus(FocusRule.UPCOMING, RECORDS, TODAY).invoice_ids == ("INV-7", "INV-6")


def test_dispute_and_payment_types_follow_their_records() -> None:
    assert choose_focus(FocusRule.DISPUTE, RECORDS, TODAY) == Focus(("INV-2",), "D-1")
    assert choose_focus(FocusRule.DISPUTE, RECORDS, TODAY, dispute_id="D-1").invoice_ids == (
        "INV-2",
    )
    assert choose_focus(FocusRule.PAYMENT, RECORDS, TODAY).invoice_ids == ("INV-4",)


def test_named_invoices_win_and_no_rule_adds_nothing() -> None:
    assert choose_focus(FocusRule.OVERDUE, RECORDS, TODAY, ("INV-5",)).invoice_ids == ("INV-5",)
    assert choose_focus(None, RECORDS, TODAY) == Focus((), None)


def test_a_dispute_names_at_most_three_invoices() -> None:
    many = RECORDS[-2].model_copy(
        update={"dispute_id": "D-2", "invoice_ids": ["INV-1", "INV-2", "INV-3", "INV-5"],
                "opened_date": TODAY}
    )  # fmt: skip
    focus = choose_focus(FocusRule.DISPUTE, [*RECORDS, many], TODAY)
    assert focus == Focus(("INV-1", "INV-2", "INV-3"), "D-2")  # the latest open dispute


def test_every_email_type_has_a_focus_rule() -> None:
    assert set(EMAIL_FOCUS) == set(EMAIL_TYPES) and all(
        isinstance(r, FocusRule) for r in EMAIL_FOCUS.values()
    )
