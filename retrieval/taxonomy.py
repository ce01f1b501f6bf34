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

# How an e-mail names a reason to the customer, per language (English: the code's words).
REASON_NAMES: dict[str, dict[DisputeReason, str]] = {
    "en": {r: r.value.replace("_", " ") for r in DisputeReason},
    "de": {
        DisputeReason.PRICING_DISCREPANCY: "Preisabweichung",
        DisputeReason.SHORT_SHIPMENT: "Minderlieferung",
        DisputeReason.DAMAGED_GOODS: "beschädigte Ware",
        DisputeReason.DUPLICATE_BILLING: "doppelte Berechnung",
        DisputeReason.RETURNED_GOODS: "Warenrücksendung",
        DisputeReason.PROMOTIONAL_ALLOWANCE: "Werbekostenzuschuss",
        DisputeReason.TAX_DISCREPANCY: "Steuerabweichung",
        DisputeReason.EARLY_PAYMENT_DISCOUNT: "Skontoabzug",
        DisputeReason.GOODS_NOT_RECEIVED: "Ware nicht erhalten",
        DisputeReason.OTHER: "sonstiger Grund",
    },
}


def reason_name(code: str, language: str = "en") -> str:
    """A reason code as the customer reads it; an unknown code as its words."""
    names = REASON_NAMES.get(language, REASON_NAMES["en"])
    try:
        return names[DisputeReason(code)]
    except ValueError:
        return code.replace("_", " ")
