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


def customer_names(facts: list[Fact]) -> list[str]:
    """Customer names stated in customer facts (`Customer: NAME; ...`)."""
    out = []
    for f in facts:
        m = re.search(r"(?:Customer|Name)\s*:\s*([^;\n]+)", f.text)
        if m and f.kind in ("customer", "account", "passage"):
            out.append(m.group(1).strip())
    return out


def normalize_block(text: str) -> str:
    """A context block with tags on their own lines, as the templates expect."""
    inner = extract_block(text)
    return "<context>\n" + inner + "\n</context>"
