"""Grounding: the facts a draft states (ids, amounts, currencies, dates, company names) against
the values the context block's fact lines state. The server checks every e-mail with it and the
evaluation harness scores drafts with it; each side is extracted once."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from retrieval.statements import Statement

CURRENCIES = {"EUR", "USD", "GBP", "CHF", "SEK", "PLN", "DKK", "CAD", "NOK", "JPY", "AUD", "CZK"}
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
AMOUNT_RE = re.compile(
    r"(?<![\w.,-])(?:(?P<pre>[€$£]|[A-Z]{3})\s?)?(?P<num>\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d{1,2})?"
    r"|\d+[.,]\d{2})(?!\d|[.,]\d)(?:\s?(?P<post>[A-Z]{3})\b)?"
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
NUM_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
WORD_DATE = re.compile(
    rf"\b(\d{{1,2}})\s+({MONTHS})\s+(\d{{4}})\b|\b({MONTHS})\s+(\d{{1,2}}),?\s+(\d{{4}})\b"
)
ID_RE = re.compile(
    r"\b(?:[A-Z]{1,5}-?\d[\dA-Z]*(?:[/-]\d+)*|[A-Z]{2,5}\d{4}/\d+|\d{4}-\d{4,6}|\d{6,}|PO \d{4,})\b"
)
# Legal forms that end a company name; generated names use the first eleven.
LEGAL_FORMS = (
    "GmbH", "Ltd", "Inc.", "LLC", "B.V.", "S.A.", "AG", "S.r.l.", "plc", "SARL", "Oy",
    "Inc", "PLC", "Corp.", "Corp", "Co.", "e.V.", "KGaA", "KG", "OHG", "GbR", "LLP", "N.V.",
    "S.p.A.", "Limited",
)  # fmt: skip
_LEGAL = "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True))
COMPANY_RE = re.compile(rf"\b((?:[A-Z][\w&'-]*\s){{1,4}}(?:{_LEGAL}))(?![\w])")
URL_RE = re.compile(r"\bhttps?://\S+|\bwww\.\S+")


LEAD_WORDS = {"Dear", "Hello", "Hi", "To", "For", "From", "Thank", "Attn", "Customer:", "Customer"}


def _strip_lead(name: str) -> str:
    words = name.split()
    while len(words) > 2 and words[0] in LEAD_WORDS:
        words = words[1:]
    return " ".join(words)


def parse_amount(num: str) -> Decimal | None:
    s = num.replace("'", "").replace(" ", "")
    european = re.search(r",\d{1,2}$", s)  # 1.234,56
    s = s.replace(".", "").replace(",", ".") if european else s.replace(",", "")
    try:
        return Decimal(s).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def dates_in(text: str) -> set[date]:
    out: set[date] = set()
    for y, m, d in ISO_DATE.findall(text):
        _add(out, int(y), int(m), int(d))
    for d, m, y in NUM_DATE.findall(text):
        _add(out, int(y), int(m), int(d))
    for m in WORD_DATE.finditer(text):
        d, mon, y = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
        _add(out, int(y), datetime.strptime(mon, "%B").month, int(d))
    return out


def _add(out: set[date], y: int, m: int, d: int) -> None:
    with contextlib.suppress(ValueError):
        out.add(date(y, m, d))


@dataclass
class TextFacts:
    ids: set[str] = field(default_factory=set)
    amounts: set[Decimal] = field(default_factory=set)
    currencies: set[str] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)
    raw: str = ""


def extract(text: str) -> TextFacts:
    facts = TextFacts(raw=text)
    masked = text
    for m in AMOUNT_RE.finditer(text):
        value = parse_amount(m["num"])
        if value is not None:
            facts.amounts.add(value)
        for cur in (m["pre"], m["post"]):
            if cur:
                facts.currencies.add(SYMBOLS.get(cur, cur))
    facts.currencies |= {c for c in CURRENCIES if re.search(rf"\b{c}\b", text)}
    facts.currencies |= {SYMBOLS[s] for s in SYMBOLS if s in text}
    facts.dates = dates_in(text)
    for pattern in (AMOUNT_RE, ISO_DATE, NUM_DATE, WORD_DATE):
        masked = pattern.sub(" ", masked)
    facts.ids = {i for i in ID_RE.findall(masked) if i not in CURRENCIES}
    facts.companies = {_strip_lead(c.strip()) for c in COMPANY_RE.findall(text)}
    return facts


GENERIC_GREETINGS = re.compile(r"(?i)(accounts payable|sir or madam|customer|valued customer)")
GREETING_RE = re.compile(r"^Dear (.+?)(?: team)?,\s*$", re.MULTILINE)


def _is_stated_id(value: str, known: set[str]) -> bool:
    v = value.lower()
    return v in known or (v.startswith("po ") and v[3:] in known)


def _is_stated_name(value: str, names: frozenset[str]) -> bool:
    v = value.lower()
    return any(v in n.lower() for n in names)


def unsupported_facts(draft: TextFacts, stated: Statement) -> list[str]:
    """What the draft states that the block's fact lines do not, one entry per fact."""
    known = {i.lower() for i in stated.ids}
    out = [f"id {i}" for i in sorted(draft.ids) if not _is_stated_id(i, known)]
    out += [f"amount {a}" for a in sorted(draft.amounts - stated.amounts)]
    out += [f"currency {c}" for c in sorted(draft.currencies - stated.currencies)]
    out += [f"date {d.isoformat()}" for d in sorted(draft.dates - stated.dates)]
    out += [f"company {c}" for c in sorted(draft.companies) if not _is_stated_name(c, stated.names)]
    m = GREETING_RE.search(draft.raw)
    if (
        m
        and stated.customer_names
        and not any(n.lower() in m.group(1).lower() for n in stated.customer_names)
        and not GENERIC_GREETINGS.match(m.group(1))
    ):
        out.append(f"greeting name {m.group(1)}")
    return out


def checked_facts(draft: TextFacts) -> list[str]:
    """The checkable facts a draft states, as strings (what a response reports)."""
    return sorted(
        {
            *draft.ids,
            *(str(a) for a in draft.amounts),
            *draft.currencies,
            *(d.isoformat() for d in draft.dates),
            *draft.companies,
        }
    )
