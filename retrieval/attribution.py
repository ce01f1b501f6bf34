"""Attribution: a fact the records state, stated next to the wrong record.

Clause-local: a draft is cut into sentences, bullet lines and `;` clauses, and every amount,
day count and due date is paired with the nearest record id (invoice, PO, dispute, payment) or
account keyword (balance, credit limit) of its clause. The value must be that record's. A
value no record states is `unsupported` (grounding), not misattributed, so it is listed once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from retrieval.block_records import BlockRecords
from retrieval.grounding import (
    AMOUNT_RE,
    ID_RE,
    ISO_DATE,
    NUM_DATE,
    WORD_DATE,
    dates_in,
    parse_amount,
)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ(\"'])|;\s+|\n+")
BALANCE_RE = re.compile(
    r"(?i)\b(?:(?:open|outstanding|overdue|total|account) balance|balance|total outstanding"
    r"|total (?:amount )?(?:open|outstanding|overdue|due)|overdue (?:amount|total)|in total"
    r"|exposure|Saldo|Gesamtbetrag|offene[rn]? Betrag|solde|montant total)\b"
)
LIMIT_RE = re.compile(r"(?i)\b(?:credit limit|Kreditlimit|limite de crédit)\b")
OLDEST_RE = re.compile(r"(?i)\b(?:oldest|älteste|plus ancien)")
DAYS_RE = re.compile(
    r"(?i)\b(\d{1,4})\s+(?:calendar\s+)?(?:days?|Tage[n]?|jours?)\s+"
    r"(?:overdue|past due|late|in arrears|überfällig|in Verzug|en retard)"
)
DUE_BEFORE = re.compile(r"(?i)\b(?:due|fällig|Fälligkeit\w*|échéance|échu)\b[^\d\n]{0,14}$")
AMOUNT_AS_DUE = re.compile(r"(?i)\bdue(?: date)?(?: on| by)?:?\s*$")  # "due on 500.00 EUR"
OVERDUE_WORD = re.compile(r"(?i)\b(?:overdue|past due|überfällig|en retard)\b")
NOT_OVERDUE = re.compile(
    r"(?i)\b(?:not(?: yet)?|before (?:it (?:is|becomes)|becoming)|noch nicht|pas encore)\s+"
    r"(?:\w+\s+)?(?:overdue|past due|überfällig|en retard)"
)


@dataclass(frozen=True)
class Anchor:
    kind: str  # invoice, dispute, payment, balance, limit, oldest
    key: str
    start: int
    end: int


def clauses(text: str) -> Iterator[str]:
    """Sentences, lines and `;` clauses: the scope a value is attributed within."""
    for part in SENTENCE_END.split(text):
        if part.strip():
            yield part


def _id_spans(clause: str, record_id: str) -> Iterator[tuple[int, int]]:
    for m in re.finditer(rf"(?<![\w-]){re.escape(record_id)}(?![\w-])", clause):
        yield m.start(), m.end()


def anchors(clause: str, records: BlockRecords) -> list[Anchor]:
    found: list[Anchor] = []
    for inv in records.invoices.values():
        for rid in filter(None, (inv.invoice_id, inv.po_number)):
            found += [Anchor("invoice", inv.invoice_id, s, e) for s, e in _id_spans(clause, rid)]
    for kind, ids in (("dispute", records.disputes), ("payment", records.payments)):
        for rid in ids:
            found += [Anchor(kind, rid, s, e) for s, e in _id_spans(clause, rid)]
    for kind, pattern in (("balance", BALANCE_RE), ("limit", LIMIT_RE), ("oldest", OLDEST_RE)):
        found += [Anchor(kind, m[0], m.start(), m.end()) for m in pattern.finditer(clause)]
    return found


def nearest(found: list[Anchor], start: int, end: int, kinds: set[str]) -> Anchor | None:
    """The anchor closest to the span; on a tie the one before it (`invoice X for 5.00`)."""
    best: tuple[int, int, Anchor] | None = None
    for a in found:
        if a.kind not in kinds:
            continue
        gap, after = (start - a.end, 0) if a.end <= start else (max(0, a.start - end), 1)
        if best is None or (gap, after) < best[:2]:
            best = (gap, after, a)
    return best[2] if best else None


def _label(a: Anchor) -> str:
    return {"balance": "the balance", "limit": "the credit limit"}.get(a.kind, a.key)


def amounts_of(a: Anchor, records: BlockRecords) -> set[Decimal]:
    """What an amount next to the anchor may be."""
    if a.kind == "balance":
        return set(records.balances)
    if a.kind == "limit":
        return {records.credit_limit} if records.credit_limit is not None else set()
    if a.kind == "dispute":
        d = records.disputes[a.key]
        return {d.amount} | _invoice_amounts(records, d.invoice_ids)
    if a.kind == "payment":
        p = records.payments[a.key]
        return {p.amount, *(x for _, x in p.deductions)} | _invoice_amounts(records, p.invoice_ids)
    inv = records.invoices[a.key]
    out = {inv.gross, inv.open}
    out |= {d.amount for d in records.disputes.values() if inv.invoice_id in d.invoice_ids}
    for p in records.payments.values():
        if inv.invoice_id in p.invoice_ids:
            out |= {p.amount, *(x for i, x in p.deductions if i == inv.invoice_id)}
    return out


def _invoice_amounts(records: BlockRecords, ids: tuple[str, ...]) -> set[Decimal]:
    invoices = [records.invoices[i] for i in ids if i in records.invoices]
    return {inv.gross for inv in invoices} | {inv.open for inv in invoices}


def _date_spans(clause: str) -> Iterator[tuple[int, int, str]]:
    for pattern in (ISO_DATE, NUM_DATE, WORD_DATE):
        for m in pattern.finditer(clause):
            yield m.start(), m.end(), m[0]


def _parse_date(text: str) -> date | None:
    found = dates_in(text)
    return next(iter(found)) if len(found) == 1 else None


def misattributed(text: str, records: BlockRecords, stated_amounts: set[Decimal]) -> list[str]:
    """Values of the draft that the records state, but for another record than the one the
    draft attaches them to."""
    out: list[str] = []
    ids = {"invoice", "dispute", "payment", "balance", "limit"}
    for clause in clauses(text):
        found = anchors(clause, records)
        for m in AMOUNT_RE.finditer(clause):
            value = parse_amount(m["num"])
            if value is None or value not in stated_amounts:
                continue
            a = nearest(found, m.start(), m.end(), ids)
            if a and value not in amounts_of(a, records):
                out.append(f"amount {value} attached to {_label(a)}")
            if AMOUNT_AS_DUE.search(clause[: m.start()]):
                out.append(f"amount {value} where a due date belongs")
        out += _days(clause, found, records)
        out += _due_dates(clause, found, records)
        out += _not_overdue(clause, found, records)
    return list(dict.fromkeys(out))


def _days(clause: str, found: list[Anchor], records: BlockRecords) -> list[str]:
    out = []
    every = {i.days_overdue for i in records.invoices.values()}
    if records.max_days_overdue is not None:
        every.add(records.max_days_overdue)
    for m in DAYS_RE.finditer(clause):
        n = int(m[1])
        a = nearest(found, m.start(), m.end(), {"invoice", "oldest", "balance"})
        if a is None:
            if every and n not in every:
                out.append(f"{n} days overdue: no record states it")
        elif a.kind == "invoice" and records.invoices[a.key].days_overdue != n:
            out.append(f"{n} days overdue attached to {_label(a)}")
        elif a.kind != "invoice" and n != records.max_days_overdue:
            out.append(f"{n} days overdue attached to the oldest item")
    return out


def _due_dates(clause: str, found: list[Anchor], records: BlockRecords) -> list[str]:
    out = []
    for start, end, raw in _date_spans(clause):
        if not DUE_BEFORE.search(clause[max(0, start - 30) : start]):
            continue
        when = _parse_date(raw)
        a = nearest(found, start, end, {"invoice"})
        if a is None and len(records.invoices) == 1 and not ID_RE.search(clause):
            a = Anchor("invoice", next(iter(records.invoices)), start, end)
        if when and a and records.invoices[a.key].due_date != when:
            out.append(f"due date {when.isoformat()} attached to {a.key}")
    return out


def _not_overdue(clause: str, found: list[Anchor], records: BlockRecords) -> list[str]:
    """An invoice called overdue in its own clause that the records show as not overdue."""
    if not OVERDUE_WORD.search(clause) or DAYS_RE.search(clause) or NOT_OVERDUE.search(clause):
        return []
    named = {a.key for a in found if a.kind == "invoice"}
    return [
        f"{i} called overdue, 0 days overdue in the records"
        for i in sorted(named)
        if len(named) == 1 and records.invoices[i].days_overdue == 0
        and records.invoices[i].status != "paid"
    ]  # fmt: skip


def payment_misattributed(
    text: str, records: BlockRecords, focus_invoices: set[str] | None = None
) -> list[str]:
    """A payment e-mail confirms the payment of its focus invoices, not another one."""
    focus_ids = set(records.invoices) if focus_invoices is None else focus_invoices
    if not focus_ids:
        return []
    focus = [p for p in records.payments.values() if set(p.invoice_ids) & focus_ids]
    allowed_amounts = {x for p in focus for x in (p.amount, *(a for _, a in p.deductions))}
    allowed_amounts |= _invoice_amounts(records, tuple(focus_ids))
    allowed_dates = {p.received for p in focus}
    for inv in (records.invoices[i] for i in focus_ids if i in records.invoices):
        allowed_dates |= {inv.issue_date, inv.due_date}
    out = []
    for p in records.payments.values():
        if p in focus:
            continue
        if any(True for _ in _id_spans(text, p.payment_id)):
            out.append(f"payment {p.payment_id} is not the payment this e-mail is about")
        amounts = {parse_amount(m["num"]) for m in AMOUNT_RE.finditer(text)}
        if p.amount in amounts and p.amount not in allowed_amounts:
            out.append(f"amount {p.amount} is payment {p.payment_id}'s")
        dates = {_parse_date(raw) for _, _, raw in _date_spans(text)}
        if p.received in dates and p.received not in allowed_dates:
            out.append(f"date {p.received.isoformat()} is payment {p.payment_id}'s")
    return out
