"""Checks on one drafted e-mail against the context it was given: grounding (the retrieval
layer's check on the block's stated values), required elements by e-mail type, length, house
style, and no data from outside the context."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from adapters.pii import find_pii
from retrieval.block import parse_block
from retrieval.grounding import URL_RE, TextFacts, checked_facts, extract, unsupported_facts
from retrieval.statements import Statement

MIN_WORDS, MAX_WORDS = 25, 220
SIGN_OFF = ("Kind regards,", "Accounts Receivable Team")


def _has(text: str, *words: str) -> bool:
    return any(w in text for w in words)


# element -> test(draft_lower, draft facts, the block's stated values)
ELEMENTS: dict[str, Any] = {
    "invoice": lambda d, df, cf: bool(df.ids & cf.ids),
    "amount": lambda d, df, cf: bool(df.amounts & cf.amounts),
    "date": lambda d, df, cf: bool(df.dates & cf.dates),
    "overdue": lambda d, df, cf: _has(d, "overdue", "past due", "outstanding", "open"),
    "pay_request": lambda d, df, cf: _has(d, "pay", "settle", "remit"),
    "previous_reminder": lambda d, df, cf: (
        "reminder" in d and _has(d, "previous", "earlier", "sent", "second", "already", "despite")
    ),
    "final": lambda d, df, cf: "final" in d,
    "consequence": lambda d, df, cf: _has(
        d, "collection", "legal", "credit hold", "further action", "on hold", "suspend"
    ),
    "acknowledge": lambda d, df, cf: _has(d, "acknowledge", "received", "receipt"),
    "review": lambda d, df, cf: _has(d, "review", "investigat", "look into", "examin"),
    "remittance": lambda d, df, cf: "remittance" in d,
    "thanks": lambda d, df, cf: "thank" in d,
    "hold": lambda d, df, cf: "hold" in d,
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "reminder_pre_due": ("invoice", "amount", "date", "pay_request"),
    "reminder_overdue_1": ("invoice", "amount", "overdue", "pay_request"),
    "reminder_overdue_2": ("invoice", "amount", "previous_reminder"),
    "final_notice": ("invoice", "amount", "final", "consequence"),
    "dispute_acknowledgement": ("invoice", "acknowledge", "review"),
    "remittance_request": ("amount", "remittance", "thanks"),
    "payment_confirmation": ("amount", "thanks", "invoice"),
    "credit_hold_notice": ("hold", "amount"),
}


@dataclass
class EmailCheck:
    grounded: bool
    unsupported: list[str] = field(default_factory=list)
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
    draft: str, context: str, email_type: str, stated: Statement | None = None
) -> EmailCheck:
    """`context` is the block text; `stated` its values when the caller holds the block's
    structured facts (the server), else they are parsed from the text (a data set row)."""
    text = draft.strip()
    stated = parse_block(context).statement if stated is None else stated
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    df = extract(text)
    lower = text.lower()
    missing = [e for e in REQUIRED.get(email_type, ()) if not ELEMENTS[e](lower, df, stated)]
    unsupported = unsupported_facts(df, stated)
    words = len(text.split())
    return EmailCheck(
        grounded=not unsupported,
        unsupported=unsupported,
        missing_elements=missing,
        words=words,
        length_ok=MIN_WORDS <= words <= MAX_WORDS,
        subject=bool(lines) and lines[0].startswith("Subject:") and len(lines[0]) > 10,
        greeting=any(re.match(r"^Dear .+,$", x) for x in lines[:3]),
        sign_off=len(lines) >= 2 and tuple(lines[-2:]) == SIGN_OFF,
        outside_data=_outside(df, context),
        checked_facts=checked_facts(df),
    )


def email_metrics(checks: list[EmailCheck]) -> dict[str, float]:
    n = len(checks) or 1
    return {
        "n": len(checks),
        "grounded_rate": round(sum(c.grounded for c in checks) / n, 4),
        "required_elements_rate": round(sum(not c.missing_elements for c in checks) / n, 4),
        "length_ok_rate": round(sum(c.length_ok for c in checks) / n, 4),
        "style_rate": round(sum(c.style_ok for c in checks) / n, 4),
        "subject_rate": round(sum(c.subject for c in checks) / n, 4),
        "greeting_rate": round(sum(c.greeting for c in checks) / n, 4),
        "sign_off_rate": round(sum(c.sign_off for c in checks) / n, 4),
        "no_outside_data_rate": round(sum(not c.outside_data for c in checks) / n, 4),
        "mean_words": round(sum(c.words for c in checks) / n, 1),
    }
