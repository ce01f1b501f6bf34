"""Prompt templates per task. The system prompt comes first and is identical across requests,
so the engine's prefix cache can reuse it; each template has a version recorded in manifests."""

from __future__ import annotations

from types import ModuleType

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
