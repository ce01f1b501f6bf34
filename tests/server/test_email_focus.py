"""Focus invoices of an e-mail when the caller names none (pure logic, no engine)."""

from __future__ import annotations

from datetime import date, timedelta

from retrieval.ingest import validate_row
from server.api.ar_emails.focus import focus_dispute_id, focus_invoice_ids

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


def test_reminders_name_the_three_most_overdue_open_invoices() -> None:
    assert focus_invoice_ids("reminder_overdue_1", RECORDS, TODAY) == ["INV-1", "INV-3", "INV-2"]


def test_pre_due_names_upcoming_invoices() -> None:
    assert focus_invoice_ids("reminder_pre_due", RECORDS, TODAY) == ["INV-7", "INV-6"]


def test_dispute_and_payment_types_follow_their_records() -> None:
    assert focus_dispute_id(RECORDS, None) == "D-1"
    assert focus_invoice_ids("dispute_acknowledgement", RECORDS, TODAY, "D-1") == ["INV-2"]
    assert focus_invoice_ids("payment_confirmation", RECORDS, TODAY) == ["INV-4"]
