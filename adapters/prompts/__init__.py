"""Prompt templates per task. The system prompt comes first and is identical across requests,
so the engine's prefix cache can reuse it; each template has a version recorded in manifests."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from adapters.prompts import ar_email_drafter, dispute_classifier
from adapters.tasks import DISPUTE_CLASSIFIER, EMAIL_DRAFTER, check_task

_TEMPLATES: dict[str, ModuleType] = {
    DISPUTE_CLASSIFIER: dispute_classifier,
    EMAIL_DRAFTER: ar_email_drafter,
}


def template_for(task: str) -> ModuleType:
    """The template module of a task: TEMPLATE_VERSION, SYSTEM_PROMPT, messages(),
    baseline_messages() and completion()."""
    return _TEMPLATES[check_task(task)]


#: one row of a task's data set (JSONL object)
Record = dict[str, Any]


def to_prompt(
    task: str, rec: Record, template_version: str | None = None
) -> tuple[list[dict[str, str]], str]:
    """A row's prompt and target under the task's template (or an adapter's older one)."""
    if check_task(task) == DISPUTE_CLASSIFIER:
        return dispute_classifier.messages(rec["text"]), dispute_classifier.completion(rec["label"])
    version = template_version or ar_email_drafter.TEMPLATE_VERSION
    return (
        ar_email_drafter.messages(
            rec["context"], rec["email_type"], rec.get("instructions"),
            rec.get("language", "en"), version,
        ),
        ar_email_drafter.completion(rec["email"]),
    )  # fmt: skip


def baseline_prompt(task: str, rec: Record) -> list[dict[str, str]]:
    if check_task(task) == DISPUTE_CLASSIFIER:
        return dispute_classifier.baseline_messages(rec["text"])
    return ar_email_drafter.baseline_messages(rec["context"], rec["email_type"])
