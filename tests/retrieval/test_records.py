from __future__ import annotations

import pytest
from pydantic import ValidationError

from retrieval.documents import Dispute
from retrieval.records import Invoice, Payment
from retrieval.taxonomy import DISPUTE_REASONS

INV = dict(
    tenant_id="t1", invoice_id="INV-1", customer_id="C1", issue_date="2025-01-01",
    due_date="2025-01-31", currency="EUR", gross_amount="100.00", open_amount="100.00",
)  # fmt: skip


def test_taxonomy_is_exactly_the_ten_labels() -> None:
    assert DISPUTE_REASONS == (
        "pricing_discrepancy", "short_shipment", "damaged_goods", "duplicate_billing",
        "returned_goods", "promotional_allowance", "tax_discrepancy", "early_payment_discount",
        "goods_not_received", "other",
    )  # fmt: skip


def test_invoice_citation_and_version() -> None:
    inv = Invoice(**INV, version=2)
    assert inv.citation == "invoice:INV-1@v2"


@pytest.mark.parametrize(
    "change",
    [
        {"due_date": "2024-12-01"},  # before issue date
        {"open_amount": "200.00"},  # more than gross
        {"currency": "euro"},
        {"invoice_id": "bad id with spaces"},
        {"version": 0},
        {"unknown_field": 1},
    ],
)
def test_invoice_rejects_bad_values(change: dict) -> None:
    with pytest.raises(ValidationError):
        Invoice(**{**INV, **change})


def test_dispute_reason_must_be_in_taxonomy() -> None:
    base = dict(
        tenant_id="t1", dispute_id="D1", customer_id="C1", invoice_ids=["INV-1"],
        disputed_amount="5.00", currency="EUR", opened_date="2025-02-01", description="x",
    )  # fmt: skip
    assert Dispute(**base, reason_code="short_shipment").reason_code == "short_shipment"
    with pytest.raises(ValidationError):
        Dispute(**base, reason_code="late_delivery")


def test_payment_lines_must_add_up() -> None:
    line = {"invoice_id": "INV-1", "amount_paid": "60.00"}
    with pytest.raises(ValidationError):
        Payment(tenant_id="t1", payment_id="P1", customer_id="C1", received_date="2025-02-01",
                amount="100.00", currency="EUR", lines=[line])  # fmt: skip
