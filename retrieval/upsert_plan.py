"""Which records of an upsert batch to write: pure version resolution, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.citations import point_uuid
from retrieval.nodes import content_hash
from retrieval.records import Record
from retrieval.results import UpsertReport

Key = tuple[str, str, str]  # (tenant_id, record_type, record_id)


def key_of(rec: Record) -> Key:
    return (rec.tenant_id, rec.record_type, rec.record_id)


@dataclass
class UpsertPlan:
    report: UpsertReport
    to_write: list[Record] = field(default_factory=list)
    shrink: list[tuple[Record, int]] = field(default_factory=list)  # (record, old chunk count)
    # (tenant, customer) scopes whose reads the writes change: new owners and, for an update
    # that moves a record, the old one
    scopes: set[tuple[str, str | None]] = field(default_factory=set)


def plan_upsert(
    records: Sequence[Record], existing_of: Callable[[list[Key]], Mapping[Key, Mapping[str, Any]]]
) -> UpsertPlan:
    """Resolve versions within the batch, then against the stored head points (existing_of)."""
    report = UpsertReport()
    latest = latest_by_key(records, report)
    return plan_writes(latest, existing_of(list(latest)), report)


def winners(records: Sequence[Record]) -> dict[Key, int]:
    """The index of each key's winning row: the highest version, the first of equals."""
    best: dict[Key, int] = {}
    for i, rec in enumerate(records):
        key = key_of(rec)
        if key not in best or rec.version > records[best[key]].version:
            best[key] = i
    return best


def latest_by_key(records: Sequence[Record], report: UpsertReport) -> dict[Key, Record]:
    """Within one batch the highest version of each record wins; the rest are counted."""
    best = winners(records)
    for i, rec in enumerate(records):
        top = records[best[key_of(rec)]]
        if i != best[key_of(rec)]:
            report.stale += 1 if rec.version < top.version else 0
            report.unchanged += 1 if rec.version == top.version else 0
    return {key: records[i] for key, i in best.items()}


def plan_writes(
    latest: Mapping[Key, Record], existing: Mapping[Key, Mapping[str, Any]], report: UpsertReport
) -> UpsertPlan:
    """Compare each record with the stored head point: newer is written, older is stale, the
    same version is unchanged (same content) or a conflict (different content)."""
    plan = UpsertPlan(report)
    for key, rec in latest.items():
        old = existing.get(key)
        if old is None:
            report.inserted += 1
            report.outcomes[key] = "inserted"
        elif old["version"] > rec.version:
            report.stale += 1
            report.outcomes[key] = "stale"
            continue
        elif old["version"] == rec.version:
            if old["content_hash"] == content_hash(rec):
                report.unchanged += 1
                report.outcomes[key] = "unchanged"
            else:
                report.conflicts.append(rec.citation)
                report.outcomes[key] = "conflict"
            continue
        else:
            report.updated += 1
            report.outcomes[key] = "updated"
            if old.get("n_chunks", 1) > 1:
                plan.shrink.append((rec, int(old["n_chunks"])))
            plan.scopes.add((rec.tenant_id, old.get("customer_id")))
        plan.to_write.append(rec)
        plan.scopes.add((rec.tenant_id, rec.owner_customer_id))
    return plan


def stale_chunk_ids(shrink: Sequence[tuple[Record, int]], chunks: Mapping[Key, int]) -> list[str]:
    """Point ids of the chunks past each updated record's new chunk count."""
    ids: list[str] = []
    for rec, old_n in shrink:
        key = key_of(rec)
        ids.extend(point_uuid(*key, i) for i in range(chunks[key], old_n))
    return ids
