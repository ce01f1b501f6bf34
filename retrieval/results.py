"""Plain result types of the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from retrieval.citations import Citation
from retrieval.record_types import RECORD_TYPES
from retrieval.records import Record


@dataclass
class Hit:
    citation: Citation
    customer_id: str | None
    text: str
    score: float
    invoice_ids: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # see Record.facts


@dataclass
class UpsertReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    conflicts: list[str] = field(default_factory=list)  # citation ids, no content
    # (tenant, record type, record id) -> inserted, updated, unchanged, stale or conflict
    outcomes: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def add(self, other: UpsertReport) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.conflicts.extend(other.conflicts)
        self.outcomes.update(other.outcomes)


def citation_of(payload: Mapping[str, Any]) -> Citation:
    return Citation(
        str(payload["record_type"]),
        str(payload["record_id"]),
        int(payload["version"]),
        payload.get("updated_at"),
    )


def record_of(payload: Mapping[str, Any]) -> Record:
    return RECORD_TYPES[payload["record_type"]].model_validate(payload["record"])


def hit_of(payload: Mapping[str, Any], score: float, text: str) -> Hit:
    """A search result from a point's payload."""
    return Hit(
        citation=citation_of(payload),
        customer_id=payload.get("customer_id"),
        text=text,
        score=score,
        invoice_ids=list(payload.get("invoice_ids") or []),
        facts=_facts(payload),
    )


def _facts(payload: Mapping[str, Any]) -> list[str]:
    """A point's ``Record.facts``; points written before the field existed carry the record
    itself on their first chunk (a re-ingest of the same version changes nothing)."""
    if "facts" in payload:
        return list(payload["facts"])
    return record_of(payload).facts() if "record" in payload else []
