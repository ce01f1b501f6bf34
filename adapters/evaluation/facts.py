"""Extract checkable facts from text: identifiers, amounts, currencies, dates, company names,
and contact data. Used on the context and on a draft, then compared."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

CURRENCIES = {"EUR", "USD", "GBP", "CHF", "SEK", "PLN", "DKK", "CAD", "NOK", "JPY", "AUD", "CZK"}
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
AMOUNT_RE = re.compile(
    r"(?<![\w.,-])(?:(?P<pre>[€$£]|[A-Z]{3})\s?)?(?P<num>\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d{1,2})?"
    r"|\d+[.,]\d{2})(?![\d])(?:\s?(?P<post>[A-Z]{3})\b)?"
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
LEGAL = (
    r"GmbH|Ltd|Inc\.?|LLC|B\.V\.|S\.A\.|AG|S\.r\.l\.|plc|PLC|SARL|Oy|Corp\.?|Co\.|e\.V\.|KGaA|KG|OHG"
    r"|GbR|LLP|N\.V\.|S\.p\.A\.|Limited"
)
COMPANY_RE = re.compile(rf"\b((?:[A-Z][\w&'-]*\s){{1,4}}(?:{LEGAL}))(?![\w])")
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


def _dates(text: str) -> set[date]:
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
    facts.dates = _dates(text)
    for pattern in (AMOUNT_RE, ISO_DATE, NUM_DATE, WORD_DATE):
        masked = pattern.sub(" ", masked)
    facts.ids = {i for i in ID_RE.findall(masked) if i not in CURRENCIES}
    facts.companies = {_strip_lead(c.strip()) for c in COMPANY_RE.findall(text)}
    return facts
