"""PII scrubber: person names, e-mail addresses, phone numbers, IBANs, account numbers and
street addresses become typed placeholders. Rule-based (regexes plus name and street lexicons
taken from Faker's locale data), so it runs offline and gives the same answer every time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from adapters.pii_lexicon import first_names, last_names, street_words

PLACEHOLDERS = {
    "PERSON": "<PERSON>",
    "EMAIL": "<EMAIL>",
    "PHONE": "<PHONE>",
    "IBAN": "<IBAN>",
    "ACCOUNT": "<ACCOUNT>",
    "ADDRESS": "<ADDRESS>",
}
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-ſ][^\W\d_]*(?:['’-][^\W\d_]+)*"
_PARTICLE = r"(?:(?:van|von|de|der|den|die|du|da|di|del|della|dos|le|la|ten|ter|zu|d'|d’)\s*){0,3}"
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
ACCOUNT_RE = re.compile(
    r"(?i)\b(?:bank\s+)?(?:account|acct|a/c|kontonummer|konto|routing|sort\s+code|aba)"
    r"(?:\s+(?:number|no\.?|nr\.?|#))?\s*[:#]?\s*(?P<num>\d[\d -]{4,22}\d)\b"
)
PHONE_RE = re.compile(r"(?<![\w/.-])(?:\+|00)?\(?\d[\d ().-]{6,18}\d(?:\s?(?:x|ext\.?)\s?\d{1,5})?")
PHONE_CUE = re.compile(
    r"(?i)(?:tel|phone|mobile|mob|cell|fax|call(?: me)?(?: at| on)?|ph)\.?\s*[:.]?\s*$"
)
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
AMOUNT_LIKE = re.compile(r"^\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d{2})?$|^\d+[.,]\d{2}$")
NOT_PHONE = re.compile(r"\d[.,]\d{2}$| - |^20\d\d-\d{5}\b")
POSTCODE = re.compile(
    r"\b\d{4,5}\b|\b\d{2}-\d{3}\b|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\b\d{4} ?[A-Z]{2}\b"
)
SALUTATION = re.compile(
    r"\b(?:Dear|Hi|Hello|Hey|Attn\.?:?|Attention:?|Thanks|Thank you|Cheers|Regards|Best)"
    rf"[ ,]+(?P<name>{_CAP}(?: {_PARTICLE}{_CAP}){{0,2}})"
)
TITLED = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Herr|Frau|Mme|Mlle|Sig\.ra|Sra?)\.?"
    rf" (?P<name>{_CAP}(?: {_PARTICLE}{_CAP}){{0,2}})"
)
FULL_NAME = re.compile(rf"\b(?P<name>{_CAP}(?:[ -]{_PARTICLE}{_CAP}){{1,3}})")
NAME_LINE = re.compile(
    rf"(?m)^[ \t]*(?P<name>{_CAP}(?: {_PARTICLE}{_CAP}){{0,3}})[ \t]*(?:[|,].*)?$"
)
GREETING_STOP = {
    "Sir",
    "Sirs",
    "Madam",
    "Team",
    "Accounts",
    "All",
    "Everyone",
    "There",
    "AR",
    "AP",
    "Colleagues",
    "Customer",
    "Finance",
    "Credit",
    "Collections",
}
COMPANY_HINTS = {
    "GmbH",
    "Ltd",
    "Inc",
    "LLC",
    "AG",
    "plc",
    "SARL",
    "Oy",
    "S",
    "B",
    "V",
    "BV",
    "SA",
    "SpA",
    "Srl",
    "Co",
    "Corp",
    "Company",
    "Group",
    "Holding",
    "Foods",
    "Retail",
    "Logistics",
    "Trading",
    "Industries",
    "Supplies",
    "Wholesale",
    "Distribution",
    "Markets",
    "Hardware",
    "Pharma",
    "Components",
    "Beverages",
    "Home",
    "Team",
    "Services",
    "Solutions",
    "Systems",
    "Partners",
    "International",
    "Bank",
    "Store",
    "Stores",
    "Shop",
}
MILITARY = re.compile(r"\b(?:USNS|USNV|USS|USCGC|PSC|Unit)\b[^\n]{0,40}?\b[AFD]PO A[AEP] \d{5}\b")
NOT_NAMES = {
    "Will",
    "May",
    "June",
    "April",
    "August",
    "Bill",
    "Grace",
    "Hope",
    "Joy",
    "Faith",
    "Mark",
    "Summer",
    "Chase",
    "Lane",
    "Miles",
    "Page",
    "Rich",
    "Art",
    "Guy",
    "Sunny",
    "Dean",
    "Major",
    "Sir",
    "Madam",
    "Team",
    "Accounts",
    "Customer",
    "Please",
    "Kind",
    "Best",
    "Many",
    "Dear",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


def _phone_ok(match: re.Match[str], text: str) -> bool:
    raw = match.group(0).strip()
    digits = re.sub(r"\D", "", raw.split("x")[0])
    if DATE_LIKE.match(raw) or len(digits) > 15 or NOT_PHONE.search(raw):
        return False
    if PHONE_CUE.search(text[max(0, match.start() - 16) : match.start()]) and len(digits) >= 6:
        return True
    if AMOUNT_LIKE.match(raw):
        return False
    if len(digits) < 9:
        return False
    seps = len(re.findall(r"[ ().-]+", raw))
    return (
        raw.startswith(("+", "(", "00")) or seps >= 2 or (raw.startswith("0") and len(digits) >= 9)
    )


def _is_person(name: str, strict: bool = True) -> bool:
    words = [w for w in re.split(r"[ -]", name) if w[:1].isupper()]
    firsts, lasts = first_names(), last_names()
    if any(w.rstrip(".") in COMPANY_HINTS for w in words):
        return False
    if len(words) == 1 and not strict:  # a signature line holding a first name only
        return words[0] in firsts and words[0] not in NOT_NAMES | GREETING_STOP
    if len(words) < 2 or words[0] in GREETING_STOP or (strict and words[0] in NOT_NAMES):
        return False
    return words[0] in firsts and (words[-1] in lasts or words[-1] not in NOT_NAMES)


@lru_cache(maxsize=1)
def _address_res() -> tuple[re.Pattern[str], ...]:
    suffixes, prefixes, glued = street_words()
    cap = rf"{_CAP}"
    suf = "|".join(sorted(map(re.escape, suffixes), key=len, reverse=True))
    pre = "|".join(sorted(map(re.escape, prefixes), key=len, reverse=True))
    glu = "|".join(sorted(map(re.escape, glued), key=len, reverse=True))
    num = r"\d{1,5}[a-zA-Z]?(?:[/-]\d{1,4}[a-zA-Z]?)?"
    word = r"[\wÀ-ÿ'’.-]+"
    return (
        re.compile(rf"\b{word}(?:{glu})\.?[ \t]+{num}\b", re.IGNORECASE),
        re.compile(rf"\b{num},?[ \t]+(?:{cap}[ \t]+){{0,4}}?(?:{suf})\b\.?"),
        re.compile(rf"\b{num},?[ \t]+(?:{pre})[ \t]+(?:{word}[ \t]+){{0,4}}?{cap}\b"),
        re.compile(rf"(?<![\w.])(?:{pre})[ \t]+(?:{word}[ ,]+){{0,5}}?{num}\b"),
    )


def _extend_address(text: str, end: int) -> int:
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[end:line_end]
    head = re.match(r"(?:,?\s*(?:Apt\.?|Suite|Flat|Unit)\s*\d+\w?)?,?\s*[^.!?]{0,60}", rest)
    if head and POSTCODE.search(head.group(0)):
        return end + len(head.group(0).rstrip())
    return end


def find_pii(text: str) -> list[Finding]:
    """All personal data found in text, sorted, without overlaps (first found wins)."""
    spans: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(f.start < end and start < f.end for f in spans):
            return
        spans.append(Finding(kind, start, end, text[start:end]))

    for m in EMAIL_RE.finditer(text):
        add("EMAIL", m.start(), m.end())
    for m in IBAN_RE.finditer(text):
        compact = m.group(0).replace(" ", "")
        if len(compact) >= 15 and sum(c.isdigit() for c in compact) >= 8:
            add("IBAN", m.start(), m.end())
    for m in ACCOUNT_RE.finditer(text):
        add("ACCOUNT", m.start("num"), m.end("num"))
    for m in MILITARY.finditer(text):
        add("ADDRESS", m.start(), m.end())
    for pattern in _address_res():
        for m in pattern.finditer(text):
            add("ADDRESS", m.start(), _extend_address(text, m.end()))
    for m in PHONE_RE.finditer(text):
        if _phone_ok(m, text):
            add("PHONE", m.start(), m.end())
    for m in TITLED.finditer(text):
        add("PERSON", m.start("name"), m.end("name"))
    for m in SALUTATION.finditer(text):
        name = m.group("name")
        words = name.split(" ")
        tail = text[m.end("name") : m.end("name") + 24].replace(".", " ").split()
        if any(w.rstrip(".") in COMPANY_HINTS for w in words + tail[:2]):
            continue
        head = words[0].split("-")[0]
        if words[0] not in GREETING_STOP and (head in first_names() or head in last_names()):
            add("PERSON", m.start("name"), m.end("name"))
    for m in NAME_LINE.finditer(text):
        if _is_person(m.group("name"), strict=False):
            add("PERSON", m.start("name"), m.end("name"))
    for m in FULL_NAME.finditer(text):
        if _is_person(m.group("name")):
            add("PERSON", m.start("name"), m.end("name"))
    return sorted(spans, key=lambda f: f.start)


def _replace(text: str, findings: list[Finding]) -> str:
    out, pos = [], 0
    for f in findings:
        out += [text[pos : f.start], PLACEHOLDERS[f.kind]]
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def scrub(text: str, max_passes: int = 4) -> tuple[str, list[Finding]]:
    """Replace each finding with its typed placeholder, again until nothing is found (a
    replacement can expose the rest of an address or name to another rule)."""
    found_all: list[Finding] = []
    for _ in range(max_passes):
        findings = find_pii(text)
        if not findings:
            break
        found_all += findings
        text = _replace(text, findings)
    return text, found_all
