"""Checks on one drafted e-mail against the context it was given: grounding (the retrieval
layer's check on the block's stated values) and attribution (each value next to the record it
belongs to), required elements and type fit by e-mail type (no dunning of a disputed invoice),
language, length, house style, and no data from outside the context."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from adapters.email_rules import disputed_dunned, type_issues
from adapters.house_style import ENGLISH, HouseStyle, style_for
from adapters.language import detect_language, language_matches
from adapters.pii import find_pii
from adapters.tasks import PAYMENT_TYPES
from retrieval.attribution import misattributed, payment_misattributed
from retrieval.block import parse_block
from retrieval.block_records import block_records
from retrieval.grounding import URL_RE, TextFacts, checked_facts, extract, unsupported_facts
from retrieval.statements import Statement

MIN_WORDS, MAX_WORDS = 40, 200
DEADLINE = re.compile(
    r"(?i)\b(?:within\s+\d+\s+(?:business\s+|working\s+|calendar\s+)?days|by\s+\d{4}-\d{2}-\d{2}"
    r"|no later than|by the end of|innerhalb von\s+\d+|bis zum|sous\s+\d+\s+jours|avant le)"
)
#: the English house sign-off (each language's is in `adapters.house_style`)
SIGN_OFF = ENGLISH.sign_off


# fact-based elements: test(draft facts, the block's stated values, draft_lower); the others
# are keyword elements, whose words are the language's house style
FACT_ELEMENTS: dict[str, Any] = {
    "invoice": lambda df, cf, d: bool(df.ids & cf.ids),
    "amount": lambda df, cf, d: bool(df.amounts & cf.amounts),
    "date": lambda df, cf, d: bool(df.dates & cf.dates),
    "deadline": lambda df, cf, d: bool(DEADLINE.search(d)),
}


def has_element(element: str, lower: str, df: TextFacts, stated: Any, style: HouseStyle) -> bool:
    """The draft (`lower`: lowered) has the required element, in the style's language."""
    if element in FACT_ELEMENTS:
        return bool(FACT_ELEMENTS[element](df, stated, lower))
    return style.has_element(element, lower)


REQUIRED: dict[str, tuple[str, ...]] = {
    "reminder_pre_due": ("invoice", "amount", "date", "pay_request"),
    "reminder_overdue_1": ("invoice", "amount", "overdue", "pay_request"),
    "reminder_overdue_2": ("invoice", "amount", "previous_reminder"),
    "final_notice": ("invoice", "amount", "final", "consequence", "deadline"),
    "dispute_acknowledgement": ("invoice", "acknowledge", "review"),
    "remittance_request": ("amount", "remittance", "thanks"),
    "payment_confirmation": ("amount", "thanks", "invoice"),
    "credit_hold_notice": ("hold", "amount"),
}


@dataclass
class EmailCheck:
    grounded: bool  # no unsupported and no misattributed fact
    unsupported: list[str] = field(default_factory=list)
    misattributed: list[str] = field(default_factory=list)
    disputed_dunned: list[str] = field(default_factory=list)  # invoice ids
    type_issues: list[str] = field(default_factory=list)
    language: str = "en"  # detected
    language_ok: bool = True
    missing_elements: list[str] = field(default_factory=list)
    words: int = 0
    length_ok: bool = True
    subject: bool = False
    greeting: bool = False
    sign_off: bool = False
    outside_data: list[str] = field(default_factory=list)
    checked_facts: list[str] = field(default_factory=list)

    @property
    def style_ok(self) -> bool:
        return self.subject and self.greeting and self.sign_off

    @property
    def problems(self) -> list[str]:
        """What makes the draft unfit to send as is about these records: facts not in them or
        attached to the wrong record, a disputed invoice dunned, the wrong language."""
        out = [*self.unsupported, *self.misattributed]
        out += [f"disputed invoice {i} dunned" for i in self.disputed_dunned]
        if not self.language_ok:
            out.append(f"not in the requested language (detected: {self.language})")
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"style_ok": self.style_ok}


def _outside(draft: TextFacts, context: str) -> list[str]:
    found = [
        f"{f.kind.lower()} {f.text}"
        for f in find_pii(draft.raw)
        if f.kind != "PERSON" and f.text not in context
    ]
    found += [f"url {u}" for u in URL_RE.findall(draft.raw) if u not in context]
    return found


def check_email(
    draft: str,
    context: str,
    email_type: str,
    stated: Statement | None = None,
    language: str = "en",
) -> EmailCheck:
    """`context` is the block text; `stated` its values when the caller holds the block's
    structured facts (the server), else they are parsed from the text (a data set row).
    `language` is the one requested: its house style is the one checked."""
    text = draft.strip()
    stated = parse_block(context).statement if stated is None else stated
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    df = extract(text)
    lower = text.lower()
    style = style_for(language)
    required = REQUIRED.get(email_type, ())
    missing = [e for e in required if not has_element(e, lower, df, stated, style)]
    unsupported = unsupported_facts(df, stated)
    records = block_records(context)
    wrong = misattributed(text, records, set(stated.amounts))
    if email_type in PAYMENT_TYPES:
        wrong += payment_misattributed(text, records)
    words = len(text.split())
    return EmailCheck(
        grounded=not unsupported and not wrong,
        unsupported=unsupported,
        misattributed=wrong,
        disputed_dunned=disputed_dunned(text, email_type, records),
        type_issues=type_issues(text, email_type, records),
        language=detect_language(text),
        language_ok=language_matches(text, language),
        missing_elements=missing,
        words=words,
        length_ok=MIN_WORDS <= words <= MAX_WORDS,
        subject=bool(lines) and lines[0].startswith(style.subject_prefix) and len(lines[0]) > 10,
        greeting=any(style.greeting_re.match(x) for x in lines[:3]),
        sign_off=len(lines) >= 2 and tuple(lines[-2:]) == style.sign_off,
        outside_data=_outside(df, context),
        checked_facts=checked_facts(df),
    )


def email_metrics(checks: list[EmailCheck]) -> dict[str, float]:
    n = len(checks) or 1
    return {
        "n": len(checks),
        "grounded_rate": round(sum(c.grounded for c in checks) / n, 4),
        "attribution_rate": round(sum(not c.misattributed for c in checks) / n, 4),
        "no_disputed_dunned_rate": round(sum(not c.disputed_dunned for c in checks) / n, 4),
        "type_fit_rate": round(sum(not c.type_issues for c in checks) / n, 4),
        "language_rate": round(sum(c.language_ok for c in checks) / n, 4),
        "required_elements_rate": round(sum(not c.missing_elements for c in checks) / n, 4),
        "length_ok_rate": round(sum(c.length_ok for c in checks) / n, 4),
        "style_rate": round(sum(c.style_ok for c in checks) / n, 4),
        "subject_rate": round(sum(c.subject for c in checks) / n, 4),
        "greeting_rate": round(sum(c.greeting for c in checks) / n, 4),
        "sign_off_rate": round(sum(c.sign_off for c in checks) / n, 4),
        "no_outside_data_rate": round(sum(not c.outside_data for c in checks) / n, 4),
        "mean_words": round(sum(c.words for c in checks) / n, 1),
    }
