"""The two adapter tasks and their label sets."""

from __future__ import annotations

DISPUTE_CLASSIFIER = "dispute-classifier"
EMAIL_DRAFTER = "ar-email-drafter"
TASKS = (DISPUTE_CLASSIFIER, EMAIL_DRAFTER)

DISPUTE_LABELS = (
    "pricing_discrepancy",
    "short_shipment",
    "damaged_goods",
    "duplicate_billing",
    "returned_goods",
    "promotional_allowance",
    "tax_discrepancy",
    "early_payment_discount",
    "goods_not_received",
    "other",
)

EMAIL_TYPES = (
    "reminder_pre_due",
    "reminder_overdue_1",
    "reminder_overdue_2",
    "final_notice",
    "dispute_acknowledgement",
    "remittance_request",
    "payment_confirmation",
    "credit_hold_notice",
)


class UnknownTaskError(ValueError):
    """The task name is not one of TASKS."""


def check_task(task: str) -> str:
    if task not in TASKS:
        raise UnknownTaskError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    return task
