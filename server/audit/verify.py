"""Check an audit log's chain: every line's hash, and seq/prev from one line to the next.

A chain detects an edited, removed, inserted or reordered line anywhere, and lines removed
from the start (the first record must be seq 1 over the genesis hash). It cannot detect the
newest records cut off the end: keep the summary's last seq and hash elsewhere (a ticket,
another host) to check against later."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.audit.record import GENESIS, record_hash


@dataclass(frozen=True)
class VerifyReport:
    records: int
    last_seq: int = 0
    last_hash: str = GENESIS
    bad_line: int | None = None  # the first bad line, from 1
    problem: str | None = None  # edited, missing, reordered or bad JSON, with details
    torn_bytes: int = 0  # an incomplete final line (a crashed write), not tampering
    cut_tails: int = 0  # records that note a torn line they cut

    @property
    def ok(self) -> bool:
        return self.bad_line is None

    def summary(self, path: Path) -> str:
        if not self.ok:
            return f"{path}: line {self.bad_line}: {self.problem}"
        text = f"{path}: intact: {self.records} records"
        if self.records:
            text += f", seq 1..{self.last_seq}, last hash {self.last_hash}"
        if self.cut_tails:
            text += f"; {self.cut_tails} torn line(s) cut by a later append (noted in its record)"
        if self.torn_bytes:
            text += (
                f"; final line {self.records + 1} is torn ({self.torn_bytes} bytes, an "
                "interrupted write): not a record, the next append cuts it"
            )
        return text


def verify(path: Path) -> VerifyReport:
    """The first problem of the log at `path` (an OSError when it cannot be read)."""
    lines = path.read_bytes().split(b"\n")
    torn = lines.pop()  # after the last newline: b"" unless a write was interrupted
    parsed: list[dict[str, Any] | None] = [_parse(raw) for raw in lines]
    seqs = [r.get("seq") if r else None for r in parsed]
    prev, expected, cut = GENESIS, 1, 0
    for number, record in enumerate(parsed, start=1):
        if record is None:
            return _bad(number, expected - 1, prev, "bad JSON (not an audit record)", cut)
        if record.get("hash") != record_hash(record):
            return _bad(number, expected - 1, prev, "edited (its hash does not match)", cut)
        seq = record.get("seq")
        if seq != expected:
            if not isinstance(seq, int):
                why = "edited (no seq)"
            elif seq < expected:
                why = f"reordered or inserted (seq {seq} again, after seq {expected - 1})"
            elif expected in seqs[number:]:
                why = f"reordered (seq {seq} where {expected} belongs; {expected} comes later)"
            else:
                last = f"..{seq - 1}" if seq - 1 > expected else ""
                why = f"missing (records {expected}{last} were removed before this line)"
            return _bad(number, expected - 1, prev, why, cut)
        if record.get("prev") != prev:
            why = (
                f"edited (prev is not the hash of line {number - 1}: that line or this one "
                "was edited and rehashed, or replaced)"
            )
            return _bad(number, expected - 1, prev, why, cut)
        prev, expected = record["hash"], expected + 1
        cut += "torn_tail" in record
    return VerifyReport(len(lines), expected - 1, prev, torn_bytes=len(torn), cut_tails=cut)


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _bad(number: int, seq: int, prev: str, problem: str, cut: int) -> VerifyReport:
    return VerifyReport(number - 1, seq, prev, bad_line=number, problem=problem, cut_tails=cut)
