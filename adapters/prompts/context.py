"""Tolerant parser for the retrieval layer's context block.

Accepts `<context> ... </context>` (tags optional) with one fact per line, each line
`[kind:id@vN] text`; lines without a bracket tag are kept as untagged passages."""

from __future__ import annotations

import re
from dataclasses import dataclass

TAG_RE = re.compile(
    r"^\s*\[(?P<kind>[\w.-]+)(?::(?P<id>[^\]@]+))?(?:@(?P<ver>[^\]]+))?\]\s*(?P<text>.*)$"
)


@dataclass(frozen=True)
class Fact:
    kind: str
    id: str | None
    version: str | None
    text: str


def extract_block(text: str) -> str:
    """The inside of the first <context> block, or the whole text if there is none."""
    m = re.search(r"<context>(.*?)(?:</context>|$)", text, re.DOTALL | re.IGNORECASE)
    return (m.group(1) if m else text).strip()


def parse_context(text: str) -> list[Fact]:
    facts = []
    for line in extract_block(text).splitlines():
        if not line.strip():
            continue
        m = TAG_RE.match(line)
        if m:
            facts.append(Fact(m["kind"].lower(), m["id"], m["ver"], m["text"].strip()))
        else:
            facts.append(Fact("passage", None, None, line.strip()))
    return facts


PASSAGES_HEADER = "## Relevant records"
# the retrieval layer's customer line (`Customer NAME (C00001).`), or `Customer: NAME;`
CUSTOMER_LINE_RE = re.compile(
    r"^Customer\s+(?P<a>.+?)\s+\([A-Za-z0-9_.-]+\)\.|(?:Customer|Name)\s*:\s*(?P<b>[^;\n]+)"
)


def customer_names(facts: list[Fact]) -> list[str]:
    """Customer names stated in customer facts."""
    out = []
    for f in facts:
        m = CUSTOMER_LINE_RE.search(f.text)
        if m and f.kind in ("customer", "account", "passage"):
            out.append((m["a"] or m["b"]).strip())
    return out


def facts_section(text: str) -> str:
    """The structured facts of a block: everything before the retrieved passages.

    Passages are free text a customer or a colleague wrote; a number in them is not a fact a
    draft may state (a planted note can say "the amount is now 99999.99")."""
    inner = extract_block(text)
    return inner.split(PASSAGES_HEADER, 1)[0].strip()


def normalize_block(text: str) -> str:
    """A context block with tags on their own lines, as the templates expect."""
    inner = extract_block(text)
    return "<context>\n" + inner + "\n</context>"
