"""The AR team's instructions on an e-mail request: what they ask, whether the records support
it, and whether the draft did it.

Deterministic (patterns, English and German). An instruction the records support is passed to
the adapter and checked in the draft (`followed` / `not_followed`); one they do not support (a
PO no invoice has, a fee or amount neither a fact line nor a contract clause states, a deadline
other than the house's) is `refused`, with the reason in the response's grounding notes."""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from adapters.merge_fields import FINAL_NOTICE_DAYS
from adapters.tasks import DUNNING_TYPES, PAYMENT_TYPES
from retrieval.block import parse_block
from retrieval.block_records import block_records
from retrieval.grounding import AMOUNT_RE, dates_in, parse_amount

#: the asks an adapter is trained to follow (`write_email(asks=...)`)
FOLLOWABLE = ("po", "short_payment", "payment_date")
# The e-mail types that can carry each followable ask, and what the others lack.
TYPE_ASKS: dict[str, tuple[frozenset[str], str]] = {
    "po": (DUNNING_TYPES | {"credit_hold_notice"}, "lists no invoice lines to quote a PO on"),
    "short_payment": (frozenset({"payment_confirmation"}), "confirms no payment"),
    "payment_date": (PAYMENT_TYPES, "is not about a payment"),
}
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+|\s+(?:and also|und außerdem)\s+")
# AMOUNT_RE needs cents; an instruction often says "a 40 EUR fee"
_WHOLE = re.compile(r"(?<![\w.,])(?:[€$£]\s?(\d{1,7})\b|(\d{1,7})\s?(?:[€$£]|[A-Z]{3}\b))")
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("fee", re.compile(r"(?i)\b(?:fee|charge|surcharge|interest|penalt|Gebühr|Mahngebühr|"
                       r"Verzugszins|Zinsen|Strafe)")),
    ("deadline", re.compile(r"(?i)\b(?:within\s+\d+\s+(?:business\s+|working\s+)?days|by\s+"
                            r"\d{4}-\d{2}-\d{2}|deadline|innerhalb\s+von\s+\d+\s+Tagen|Frist|"
                            r"bis\s+zum\s+\d)")),
    ("po", re.compile(r"(?i)\b(?:PO\b|purchase\s+order|order\s+number|Bestellnummer|Bestellung)")),
    ("short_payment", re.compile(r"(?i)\b(?:short[\s-]*pa(?:y|id)|deduct|underpa|shortfall|Kürzung|"
                                 r"Minderzahlung|Abzug|gekürzt)")),
    ("payment_date", re.compile(r"(?i)\b(?:payment\s+date|date\s+of\s+(?:the\s+)?payment|"
                                r"(?:when|date)\s+(?:we\s+)?received|Zahlungsdatum|"
                                r"Zahlungseingang|Eingangsdatum)")),
    ("amount", re.compile(AMOUNT_RE.pattern + "|" + _WHOLE.pattern)),
    ("tone", re.compile(r"(?i)\b(?:polite|friendly|firm|short|brief|formal|höflich|freundlich|"
                        r"bestimmt|kurz)")),
]  # fmt: skip


@dataclass(frozen=True)
class Ask:
    kind: str  # po, short_payment, payment_date, fee, amount, deadline, tone, other
    text: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class InstructionNote:
    instruction: str
    kind: str
    status: str  # followed, not_followed, refused, not_checked, not_understood
    reason: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _kind(clause: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.search(clause):
            return kind
    return "other"


def _amount_of(clause: str) -> Decimal | None:
    if m := AMOUNT_RE.search(clause):
        return parse_amount(m["num"])
    if m := _WHOLE.search(clause):
        return Decimal(m[1] or m[2]).quantize(Decimal("0.01"))
    return None


def parse_instructions(text: str | None) -> list[Ask]:
    """One ask per sentence or clause of the instructions, in their order."""
    out = []
    for clause in _SPLIT.split(text or ""):
        clause = clause.strip()
        if not clause:
            continue
        out.append(Ask(_kind(clause), clause, _amount_of(clause)))
    return out


def _clauses(context: str) -> list[str]:
    return [p for p in parse_block(context).passage_lines if p.startswith("[contract_clause:")]


def _amount_supported(amount: Decimal, context: str) -> bool:
    """The amount is a fact line's value or stated by a contract clause of the block."""
    if amount in parse_block(context).statement.amounts:
        return True
    return any(
        parse_amount(m["num"]) == amount for c in _clauses(context) for m in AMOUNT_RE.finditer(c)
    )


def _refusal(ask: Ask, context: str, email_type: str | None) -> str | None:
    """Why the records (or the e-mail type) do not support the ask, or None."""
    if email_type is not None and ask.kind in TYPE_ASKS:
        types, lack = TYPE_ASKS[ask.kind]
        if email_type not in types:
            return f"a {email_type.replace('_', ' ')} e-mail {lack}"
    records = block_records(context)
    if ask.kind == "po" and not any(i.po_number for i in records.invoices.values()):
        return "none of the invoices in this e-mail has a PO number on record"
    if ask.kind == "short_payment" and not any(p.deductions for p in records.payments.values()):
        return "no payment in the records has a short payment or deduction"
    if ask.kind == "payment_date" and not records.payments:
        return "there is no payment in the records to date"
    if ask.kind in ("fee", "amount"):
        if ask.amount is not None and not _amount_supported(ask.amount, context):
            return f"the amount {ask.amount} is not in the records or the contract clauses"
        if ask.amount is None and not any(_KINDS[0][1].search(c) for c in _clauses(context)):
            return "no contract clause in the records provides for a fee or interest"
    if ask.kind == "deadline":
        days = re.search(r"(\d+)\s+(?:business\s+|working\s+)?(?:days|Tagen)", ask.text)
        if not days or int(days[1]) != FINAL_NOTICE_DAYS:
            return f"deadlines follow the house rule ({FINAL_NOTICE_DAYS} days from today)"
    return None


def consistent_asks(
    asks: list[Ask], context: str, email_type: str | None = None
) -> tuple[frozenset[str], list[InstructionNote]]:
    """The asks the adapter should follow, and refusal notes for the unsupported ones."""
    follow: set[str] = set()
    refused = []
    for ask in asks:
        why = _refusal(ask, context, email_type)
        if why is not None:
            refused.append(InstructionNote(ask.text, ask.kind, "refused", why))
        elif ask.kind in FOLLOWABLE:
            follow.add(ask.kind)
    return frozenset(follow), refused


def _did(kind: str, draft: str, context: str) -> bool:
    records = block_records(context)
    if kind == "po":
        # every named invoice's PO, and at least one PO at all
        pos = [i for i in records.invoices.values() if i.po_number]
        named = [i for i in pos if i.invoice_id in draft]
        return any(str(i.po_number) in draft for i in pos) and all(
            str(i.po_number) in draft for i in named
        )
    if kind == "short_payment":
        found = {parse_amount(m["num"]) for m in AMOUNT_RE.finditer(draft)}
        return any(a in found for p in records.payments.values() for _, a in p.deductions)
    return bool(dates_in(draft) & {p.received for p in records.payments.values()})


def check_followed(
    asks: list[Ask], followed_kinds: frozenset[str], filled_draft: str, context: str
) -> list[InstructionNote]:
    """Whether the filled draft did each ask it was told to follow."""
    out = []
    for ask in asks:
        if ask.kind in followed_kinds and ask.kind in FOLLOWABLE:
            ok = _did(ask.kind, filled_draft, context)
            why = "the draft does it" if ok else "the draft does not do it"
            status = "followed" if ok else "not_followed"
            out.append(InstructionNote(ask.text, ask.kind, status, why))
    return out


def instruction_notes(
    instructions: str | None, context: str, draft: str, email_type: str | None = None
) -> list[InstructionNote]:
    """Every instruction's outcome on the filled draft, in the instructions' order."""
    asks = parse_instructions(instructions)
    follow, refused = consistent_asks(asks, context, email_type)
    by_text = {n.instruction: n for n in refused}
    out = []
    for ask in asks:
        if ask.text in by_text:
            out.append(by_text[ask.text])
        elif ask.kind in follow:
            out.extend(check_followed([ask], follow, draft, context))
        elif ask.kind in ("tone", "deadline", "fee", "amount"):
            out.append(InstructionNote(ask.text, ask.kind, "not_checked", "not checkable"))
        else:
            why = "not an instruction the e-mail drafter knows"
            out.append(InstructionNote(ask.text, ask.kind, "not_understood", why))
    return out


PHRASES: dict[str, dict[str, list[str]]] = {
    "en": {
        "po": ["Please quote the PO number.", "Include the purchase order number.",
               "Mention their PO reference, please."],
        "short_payment": ["Mention the short payment.", "Point out the deduction they took.",
                          "Please refer to the short-paid amount."],
        "payment_date": ["Confirm the payment date.", "State the date we received the payment."],
        "fee": ["Add a late fee of 40.00 EUR.", "Charge interest on the overdue amount."],
        "tone": ["Keep it polite.", "Be firm but friendly."],
        "amount": ["Ask for 999.00 EUR.", "Demand 250 EUR today."],
        "deadline": ["Ask them to pay within 3 days.", "Give them a deadline of 14 days."],
    },
    "de": {
        "po": ["Bitte die Bestellnummer angeben.", "Bitte die Bestellung (PO) nennen."],
        "short_payment": ["Bitte die Kürzung erwähnen.", "Auf die Minderzahlung hinweisen."],
        "payment_date": ["Bitte das Zahlungsdatum bestätigen.", "Den Zahlungseingang nennen."],
        "fee": ["Eine Mahngebühr von 40,00 EUR hinzufügen.", "Verzugszinsen berechnen."],
        "tone": ["Bitte höflich bleiben.", "Kurz und freundlich, bitte."],
        "amount": ["Bitte 999,00 EUR fordern."],
        "deadline": ["Zahlung innerhalb von 3 Tagen verlangen."],
    },
}  # fmt: skip


def sample_instruction(rng: random.Random, context: str, language: str = "en") -> str | None:
    """An instruction for a training row: none about half the time, else one or two asks of
    the language, some the records do not support (the adapter must not act on those)."""
    if rng.random() < 0.5:
        return None
    phrases = PHRASES.get(language, PHRASES["en"])
    kinds = rng.sample(list(phrases), k=1 if rng.random() < 0.8 else 2)
    return " ".join(rng.choice(phrases[k]) for k in kinds)
