"""One drafted e-mail as returned: merge fields filled, then every check. Serving and the
evaluation harness both call `check_draft`, so a draft is judged the same in either place.

On top of `check_email` (on the filled text): merge fields the block does not have, facts the
adapter wrote itself instead of as a field, and the AR team's instructions (followed, not
followed, or refused because the records do not support them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapters.evaluation.email_checks import EmailCheck, check_email, email_metrics
from adapters.instructions import InstructionNote, instruction_notes
from adapters.merge_fields import literal_facts, merge_fields
from adapters.prompts import ar_email_drafter
from retrieval.block import parse_block
from retrieval.grounding import extract
from retrieval.statements import Statement


@dataclass
class DraftCheck:
    text: str  # the e-mail as returned, fields filled
    check: EmailCheck
    unknown_fields: list[str] = field(default_factory=list)
    literal_facts: list[str] = field(default_factory=list)  # written outside a merge field
    instructions: list[InstructionNote] = field(default_factory=list)

    @property
    def not_followed(self) -> list[InstructionNote]:
        return [n for n in self.instructions if n.status == "not_followed"]

    @property
    def is_grounded(self) -> bool:
        """Grounded as the response reports it: every fact in the records, on its record, and
        none written outside a merge field."""
        return self.check.grounded and not self.literal_facts

    @property
    def problems(self) -> list[str]:
        """What makes the draft unfit to send as is (the server retries once on any)."""
        out = list(self.check.problems)
        out += [f"unknown merge field {{{{{f}}}}}" for f in self.unknown_fields]
        out += [f"{f} written outside a merge field" for f in self.literal_facts]
        out += [f"instruction not followed: {n.instruction}" for n in self.not_followed]
        return out

    def to_dict(self) -> dict[str, Any]:
        return self.check.to_dict() | {
            "unknown_fields": self.unknown_fields,
            "literal_facts": self.literal_facts,
            "instructions": [n.to_dict() for n in self.instructions],
        }


def _literal(raw: str) -> list[str]:
    """Ids, amounts and dates the adapter wrote itself (company names are prose)."""
    found = extract(literal_facts(raw))
    out = [f"id {i}" for i in sorted(found.ids)]
    out += [f"amount {a}" for a in sorted(found.amounts)]
    return out + [f"date {d.isoformat()}" for d in sorted(found.dates)]


def check_draft(
    raw: str,
    context: str,
    email_type: str,
    language: str = "en",
    template_version: str = ar_email_drafter.TEMPLATE_VERSION,
    stated: Statement | None = None,
    instructions: str | None = None,
) -> DraftCheck:
    """`raw` is the adapter's output; `context` the block it was drafted from."""
    merge = ar_email_drafter.uses_merge_fields(template_version)
    fields = merge_fields(context) if merge else None  # the block's fields, read once
    filled = ar_email_drafter.finish(raw, context, language, template_version, fields)
    if fields is not None:
        stated = parse_block(context).statement if stated is None else stated
        stated = stated | fields.derived()
    return DraftCheck(
        text=filled.text,
        check=check_email(filled.text, context, email_type, stated, language),
        unknown_fields=filled.unknown,
        literal_facts=_literal(raw) if merge else [],
        instructions=instruction_notes(instructions, context, filled.text, email_type),
    )


def draft_metrics(drafts: list[DraftCheck]) -> dict[str, float]:
    """`email_metrics` of the filled drafts, plus merge-field and instruction rates."""
    n = len(drafts) or 1
    checked = [
        x for d in drafts for x in d.instructions if x.status in ("followed", "not_followed")
    ]
    followed = sum(x.status == "followed" for x in checked)
    clean = sum(not d.unknown_fields and not d.literal_facts for d in drafts)
    return email_metrics([d.check for d in drafts]) | {
        "merge_field_rate": round(clean / n, 4),
        "instruction_rate": round(followed / len(checked), 4) if checked else 1.0,
        "num_instructions_checked": len(checked),
        "num_instructions_refused": sum(
            x.status == "refused" for d in drafts for x in d.instructions
        ),
        "sendable_rate": round(sum(not d.problems and not d.check.missing_elements
                                   and d.check.length_ok and d.check.style_ok
                                   and not d.check.type_issues for d in drafts) / n, 4),
    }  # fmt: skip
