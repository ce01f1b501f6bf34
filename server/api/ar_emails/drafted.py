"""One e-mail request's drafts, and the response (or refusal) built from the last one."""

from __future__ import annotations

import time
from dataclasses import dataclass

from adapters.evaluation.email_draft import DraftCheck
from adapters.house_style import split_email
from retrieval.block import ContextBlock
from retrieval.citations import Citation
from server.api.ar_emails.protocol import (
    EmailRequest,
    EmailResponse,
    EmailTimings,
    EmailUsage,
    Grounding,
    InstructionNoteOut,
)
from server.api.common.generation import new_request_id
from server.api.common.protocol import CitationRef
from server.api.common.routing import adapter_ref
from server.audit.context import audit_note
from server.errors import UnprocessableError
from server.rollouts.scores import Outcome
from server.state import AppState


@dataclass
class Attempt:
    check: DraftCheck
    num_prompt_tokens: int
    num_completion_tokens: int


@dataclass
class Drafted:
    """A request's attempts (the last is the one returned) and the context they used."""

    attempts: list[Attempt]
    used: ContextBlock
    dropped: list[Citation]

    def audit_fields(self) -> dict[str, object]:
        """What the audit keeps of the checks: the cited records and counts, never text."""
        final = self.attempts[-1].check
        check = final.check
        grounding = {
            "grounded": final.is_grounded,
            "problems": len(final.problems),
            "unsupported": len(check.unsupported),
            "misattributed": len(check.misattributed),
            "disputed_dunned": len(check.disputed_dunned),
            "literal_facts": len(final.literal_facts),
            "unknown_fields": len(final.unknown_fields),
            "missing_elements": len(check.missing_elements),
            "language_ok": check.language_ok,
        }
        return {"citations": [c.id for c in self.used.citations], "grounding": grounding}

    @property
    def outcome(self) -> Outcome:
        """The harness's checks of the returned draft, as a rollout scores them."""
        final = self.attempts[-1].check
        return Outcome(
            is_grounded=final.is_grounded,
            has_required=not final.check.missing_elements,
            is_styled=final.check.style_ok and final.check.length_ok,
        )


def email_response(
    state: AppState, drafted: Drafted, req: EmailRequest, adapter: str, timings: tuple[float, ...]
) -> EmailResponse:
    """The response, or the refusal: never another language, never ungrounded when the
    policy refuses."""
    retrieval_s, generation_s, started = timings
    attempts, used, dropped = drafted.attempts, drafted.used, drafted.dropped
    final = attempts[-1].check
    check = final.check
    num_prompt = sum(a.num_prompt_tokens for a in attempts)
    num_completion = sum(a.num_completion_tokens for a in attempts)
    if not check.language_ok:
        # never a draft in another language than asked, whatever the grounding policy
        raise UnprocessableError(
            f"the adapter did not draft in the requested language '{req.language}' "
            f"(detected: {check.language}) after {len(attempts)} attempts",
            code="wrong_language",
        )
    if final.problems and state.settings.grounding_policy == "refuse":
        raise UnprocessableError(
            "the draft does not match the customer's records: " + ", ".join(final.problems),
            code="ungrounded_draft",
        )
    subject, body = split_email(final.text, req.language)
    generation_id = new_request_id("email")
    audit_note(generation_id=generation_id)
    return EmailResponse(
        id=generation_id,
        object="ar.email",
        subject=subject,
        body=body,
        email_type=req.email_type,
        citations=[CitationRef.model_validate(c.as_dict()) for c in used.citations],
        grounding=Grounding(
            grounded=final.is_grounded,
            checked_facts=check.checked_facts,
            unsupported_facts=check.unsupported,
            misattributed_facts=check.misattributed,
            disputed_dunned=check.disputed_dunned,
            type_issues=check.type_issues,
            language=check.language,
            language_ok=check.language_ok,
            unknown_fields=final.unknown_fields,
            literal_facts=final.literal_facts,
            instructions=[InstructionNoteOut(**n.to_dict()) for n in final.instructions],
            attempts=len(attempts),
            missing_elements=check.missing_elements,
            dropped_citations=[CitationRef.model_validate(c.as_dict()) for c in dropped],
        ),
        adapter=adapter_ref(state, adapter),
        usage=EmailUsage(
            prompt_tokens=num_prompt,
            completion_tokens=num_completion,
            total_tokens=num_prompt + num_completion,
            context_tokens=used.token_count,
        ),
        timings_ms=EmailTimings(
            retrieval=round(retrieval_s * 1000, 1),
            generation=round(generation_s * 1000, 1),
            total=round((time.perf_counter() - started) * 1000, 1),
        ),
    )
