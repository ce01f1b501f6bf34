"""The current request's audit draft, in a context variable (as request_log's `note()`).

The request-log middleware starts a draft per request; the generation code adds one attempt
per engine generation; the services add what only they know with `audit_note()`. At the end
of the request the middleware turns a draft with at least one attempt into a record."""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from server.engine.protocol import GenerationChunk

log = logging.getLogger("arserve.audit")
_draft: ContextVar[AuditDraft | None] = ContextVar("arserve_audit_draft", default=None)
_SCALARS = (str, int, float, bool, type(None))


@dataclass
class Attempt:
    """One engine generation: its adapter, its tokens, the text of each choice."""

    adapter: str | None
    adapter_sha256: str | None
    base_model: str
    base_model_sha256: str | None
    texts: dict[int, str] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    outcome: str = "started"

    def on_chunk(self, chunk: GenerationChunk) -> None:
        self.prompt_tokens = chunk.num_prompt_tokens
        for d in chunk.deltas:
            self.completion_tokens += d.num_new_tokens
            self.texts[d.index] = self.texts.get(d.index, "") + d.text

    def returned_texts(self) -> list[str]:
        return [self.texts[i] for i in sorted(self.texts)]


@dataclass
class AuditDraft:
    attempts: list[Attempt] = field(default_factory=list)
    # The attempts whose text the response returns (a retry supersedes the ones before it).
    returned: list[Attempt] = field(default_factory=list)
    customer_ids: list[str] = field(default_factory=list)  # raw, distinct, in noted order
    generation_ids: list[str] = field(default_factory=list)  # the response ids, noted order
    citations: list[str] = field(default_factory=list)
    grounding: dict[str, Any] | None = None
    arm: str | None = None
    rollout_id: str | None = None

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None


def start_draft() -> tuple[AuditDraft, Token[AuditDraft | None]]:
    draft = AuditDraft()
    return draft, _draft.set(draft)


def end_draft(token: Token[AuditDraft | None]) -> None:
    _draft.reset(token)


def begin_attempt(attempt: Attempt, supersedes: bool) -> Attempt:
    """Count one engine generation of the current request; `supersedes`: it is a retry, so
    the response returns its text instead of the earlier attempts'."""
    draft = _draft.get()
    if draft is not None:
        draft.attempts.append(attempt)
        if supersedes:
            draft.returned.clear()
        draft.returned.append(attempt)
    return attempt


def audit_note(**fields: object) -> None:
    """Merge fields into the current request's audit draft (no-op outside an audited request).

    Known fields: generation_id (str: an id the response returns, which feedback names;
    each call adds one, a dispute batch one per item), customer_id (str, raw: the log keeps
    only its keyed hash; each call adds one, so a dispute batch can name every item's
    customer), citations (list[str], e.g. "invoice:INV-1@3"; calls extend the list),
    grounding (a dict of results: JSON scalars or lists of them, never text of the draft),
    arm ("live", "canary"), rollout_id (str). Anything else, or a value of the wrong type,
    is dropped with a warning (its name only): the audit never fails a request."""
    draft = _draft.get()
    if draft is None:
        return
    for name, value in fields.items():
        if not _set(draft, name, value):
            log.warning("audit_note: dropped field %r (%s)", name, type(value).__name__)


def _set(draft: AuditDraft, name: str, value: object) -> bool:
    if name == "citations" and isinstance(value, list | tuple):
        if not all(isinstance(c, str) for c in value):
            return False
        draft.citations.extend(c for c in value if c not in draft.citations)
        return True
    if name == "grounding" and isinstance(value, dict) and _json_results(value):
        draft.grounding = {**(draft.grounding or {}), **value}
        return True
    if name == "generation_id" and isinstance(value, str):
        if value not in draft.generation_ids:
            draft.generation_ids.append(value)
        return True
    if name == "customer_id" and isinstance(value, str):
        if value not in draft.customer_ids:
            draft.customer_ids.append(value)
        return True
    if name in ("arm", "rollout_id") and isinstance(value, str):
        setattr(draft, name, value)
        return True
    return False


def _json_results(value: dict[Any, Any]) -> bool:
    """String keys, values JSON scalars or flat lists of them."""
    for k, v in value.items():
        if not isinstance(k, str):
            return False
        items = v if isinstance(v, list) else [v]
        if not all(isinstance(i, _SCALARS) for i in items):
            return False
    return True
