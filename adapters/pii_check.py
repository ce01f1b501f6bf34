"""Refuse a training data set in which the scrubber still finds personal data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from adapters.data.records import text_fields
from adapters.pii import find_pii


@dataclass(frozen=True)
class PiiLocation:
    file: str
    line: int
    field: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind} in {self.field!r}: {self.text!r}"


class PiiFoundError(ValueError):
    """The data set still holds personal data; `locations` says where."""

    def __init__(self, locations: list[PiiLocation]) -> None:
        self.locations = locations
        shown = "\n".join(f"  {loc}" for loc in locations[:20])
        more = f"\n  ... and {len(locations) - 20} more" if len(locations) > 20 else ""
        super().__init__(
            f"refusing to train: the PII scrubber found {len(locations)} item(s) of personal "
            f"data; scrub the data set first (arserve adapters data TASK):\n{shown}{more}"
        )


def scan_files(task: str, files: list[Path]) -> list[PiiLocation]:
    out = []
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                rec = json.loads(line)
                for name in text_fields(task):
                    out += [
                        PiiLocation(str(path), lineno, name, f.kind, f.text)
                        for f in find_pii(str(rec.get(name, "")))
                    ]
    return out


def require_clean(task: str, files: list[Path]) -> None:
    found = scan_files(task, files)
    if found:
        raise PiiFoundError(found)
