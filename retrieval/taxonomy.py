"""The dispute and deduction reason codes (exactly these labels, nothing else)."""

from __future__ import annotations

from enum import StrEnum


class DisputeReason(StrEnum):
    PRICING_DISCREPANCY = "pricing_discrepancy"
    SHORT_SHIPMENT = "short_shipment"
    DAMAGED_GOODS = "damaged_goods"
    DUPLICATE_BILLING = "duplicate_billing"
    RETURNED_GOODS = "returned_goods"
    PROMOTIONAL_ALLOWANCE = "promotional_allowance"
    TAX_DISCREPANCY = "tax_discrepancy"
    EARLY_PAYMENT_DISCOUNT = "early_payment_discount"
    GOODS_NOT_RECEIVED = "goods_not_received"
    OTHER = "other"


DISPUTE_REASONS: tuple[str, ...] = tuple(r.value for r in DisputeReason)

REASON_DESCRIPTIONS: dict[DisputeReason, str] = {
    DisputeReason.PRICING_DISCREPANCY: "price billed differs from the agreed price",
    DisputeReason.SHORT_SHIPMENT: "fewer units delivered than invoiced",
    DisputeReason.DAMAGED_GOODS: "goods arrived damaged or defective",
    DisputeReason.DUPLICATE_BILLING: "the same delivery was invoiced twice",
    DisputeReason.RETURNED_GOODS: "goods were returned and need a credit",
    DisputeReason.PROMOTIONAL_ALLOWANCE: "a promotional or marketing allowance was deducted",
    DisputeReason.TAX_DISCREPANCY: "tax rate or tax amount is wrong",
    DisputeReason.EARLY_PAYMENT_DISCOUNT: "an early payment discount was taken",
    DisputeReason.GOODS_NOT_RECEIVED: "the customer says the goods never arrived",
    DisputeReason.OTHER: "any other reason",
}
