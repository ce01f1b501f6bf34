"""Dataset records per task: reading them, their text fields and their dedup key."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.prompts import Record
from adapters.tasks import DISPUTE_CLASSIFIER, check_task


def read_jsonl(path: Path, limit: int | None = None, skip: int = 0) -> list[dict]:
    """Up to limit rows of a JSONL file, after skipping its first skip rows."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                if skip > 0:
                    skip -= 1
                    continue
                rows.append(json.loads(line))
                if limit is not None and len(rows) >= limit:
                    break
    return rows


def text_fields(task: str) -> tuple[str, ...]:
    """Fields holding free text: what the PII check reads."""
    return ("text",) if check_task(task) == DISPUTE_CLASSIFIER else ("context", "email")


def dedup_key(task: str, rec: Record) -> str:
    """The text compared across splits for near-duplicates."""
    return rec["text"] if task == DISPUTE_CLASSIFIER else rec["context"]
