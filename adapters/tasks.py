"""The two adapter tasks, their label sets and the e-mail types."""

from __future__ import annotations

from retrieval.focus import FocusRule
from retrieval.taxonomy import DISPUTE_REASONS

DISPUTE_CLASSIFIER = "dispute-classifier"
EMAIL_DRAFTER = "ar-email-drafter"
TASKS = (DISPUTE_CLASSIFIER, EMAIL_DRAFTER)

# The one dispute taxonomy is the retrieval layer's reason codes (records carry them too).
DISPUTE_LABELS: tuple[str, ...] = DISPUTE_REASONS

# Every e-mail type and the focus rule that picks its invoices when the caller names none.
EMAIL_FOCUS: dict[str, FocusRule] = {
    "reminder_pre_due": FocusRule.UPCOMING,
    "reminder_overdue_1": FocusRule.OVERDUE,
    "reminder_overdue_2": FocusRule.OVERDUE,
    "final_notice": FocusRule.OVERDUE,
    "dispute_acknowledgement": FocusRule.DISPUTE,
    "remittance_request": FocusRule.PAYMENT,
    "payment_confirmation": FocusRule.PAYMENT,
    "credit_hold_notice": FocusRule.OVERDUE,
}
EMAIL_TYPES: tuple[str, ...] = tuple(EMAIL_FOCUS)
# The types that demand payment: an invoice with an open dispute is never dunned in them.
DUNNING_TYPES = frozenset(
    {"reminder_pre_due", "reminder_overdue_1", "reminder_overdue_2", "final_notice"}
)
# The types that may not claim an earlier reminder where the records show none (level 0).
FIRST_CONTACT_TYPES = frozenset({"reminder_pre_due", "reminder_overdue_1"})
# The types that confirm one payment: the payment of their focus invoices.
PAYMENT_TYPES = frozenset({"remittance_request", "payment_confirmation"})


class UnknownTaskError(ValueError):
    """The task name is not one of TASKS."""


def check_task(task: str) -> str:
    if task not in TASKS:
        raise UnknownTaskError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    return task
