"""The audit log file: one hash-chained JSON line per generation, appended under locks.

An append holds a thread lock (one process) and an exclusive `fcntl.flock` on the file (other
processes), reads the last record's `seq` and `hash` from the file's tail, writes its line
with one `write`, then flushes and fsyncs, so concurrent writers never interleave or fork
the chain.

A torn final line (a crash or kill -9 mid-write: bytes after the last newline) was never a
record: a record exists once its newline is written. The next append cuts those bytes off,
chains to the last complete record, and notes what it cut in its own `torn_tail` (offset,
length and sha256 of the bytes), so the cut is itself on the chain; `verify` reports a torn
final line and does not count it as tampering."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.files import fsync_dir
from server.audit.record import GENESIS, AuditEntry, canonical_json, parse_time, record_hash
from server.settings import Settings

log = logging.getLogger("arserve.audit")
LOG_NAME = "audit.jsonl"
SECRET_NAME = "secret"
_TAIL_CHUNK = 8192


class AuditError(Exception):
    """The log cannot take a record (its message names no personal data)."""


def load_or_create_secret(path: Path) -> bytes:
    """The secret in `path`, created once (32 random bytes, hex, mode 0600) when missing.

    Written to a temporary file and linked into place, so a process racing to create it
    never reads a half-written secret: the first link wins and every process reads that."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
        try:
            os.write(fd, secrets.token_hex(32).encode())
            os.fsync(fd)
            os.close(fd)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    if path.stat().st_mode & 0o077:
        log.warning("audit secret %s is readable by others than its owner", path)
    secret = path.read_text().strip().encode()
    if len(secret) < 32:
        raise AuditError(f"audit secret {path} is shorter than 32 characters")
    return secret


@dataclass(frozen=True)
class _Tail:
    seq: int
    hash: str
    complete_end: int  # offset just past the last newline
    torn: bytes  # what follows it (a crashed write), usually nothing


@dataclass(frozen=True)
class AuditQuery:
    since: float | None = None  # unix seconds, inclusive
    until: float | None = None
    tenant: str | None = None
    adapter: str | None = None  # NAME or NAME@VERSION
    request_id: str | None = None
    limit: int = 100
    generation_id: str | None = None

    def matches(self, record: dict[str, Any], at: float) -> bool:
        if self.since is not None and at < self.since:
            return False
        if self.until is not None and at > self.until:
            return False
        if self.tenant is not None and record.get("tenant") != self.tenant:
            return False
        if self.request_id is not None and record.get("request_id") != self.request_id:
            return False
        if self.generation_id is not None and self.generation_id not in (
            record.get("generation_ids") or []
        ):
            return False
        if self.adapter is not None:
            refs = {record.get("adapter") or "", *(record.get("adapters") or {})}
            if not any(self.adapter in (ref, ref.split("@", 1)[0]) for ref in refs):
                return False
        return True


class AuditLog:
    """One deployment's log. Opening does no I/O: the folder, the file and a generated
    secret are created by the first append (an app built in a test touches nothing)."""

    def __init__(self, path: Path, secret: bytes | None = None) -> None:
        self.path = path
        self._secret = secret
        self._lock = threading.Lock()
        self._cached: tuple[int, int, int, str] | None = None  # inode, size, seq, hash

    @classmethod
    def open(cls, settings: Settings) -> AuditLog | None:
        """The settings' log; None when auditing is off."""
        if not settings.enable_audit:
            return None
        given = settings.audit_secret
        secret = given.get_secret_value().encode() if given is not None else None
        return cls(settings.resolved_audit_dir / LOG_NAME, secret)

    @property
    def secret_path(self) -> Path:
        return self.path.parent / SECRET_NAME

    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_or_create_secret(self.secret_path)
        return self._secret

    def append(self, entry: AuditEntry) -> dict[str, Any]:
        """Chain and write one record; returns it as written. Blocking: call it in a thread."""
        fields = entry.to_record(self.secret())
        with self._lock, self._locked() as fd:
            tail = self._tail(fd)
            if tail.torn:
                os.ftruncate(fd, tail.complete_end)
                fields["torn_tail"] = {
                    "offset": tail.complete_end,
                    "bytes": len(tail.torn),
                    "sha256": hashlib.sha256(tail.torn).hexdigest(),
                }
                log.warning("audit log: cut a torn final line of %d bytes", len(tail.torn))
            record = {**fields, "seq": tail.seq + 1, "prev": tail.hash}
            record["hash"] = record_hash(record)
            line = (canonical_json(record) + "\n").encode()
            os.lseek(fd, 0, os.SEEK_END)
            _write_all(fd, line)
            os.fsync(fd)
            st = os.fstat(fd)
            self._cached = (st.st_ino, st.st_size, record["seq"], record["hash"])
        return record

    @contextlib.contextmanager
    def _locked(self) -> Iterator[int]:
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if created:  # the new file's name is durable too
                fsync_dir(self.path.parent)
            yield fd
        finally:
            os.close(fd)  # releases the flock

    def _tail(self, fd: int) -> _Tail:
        st = os.fstat(fd)
        cached = self._cached
        if cached is not None and cached[:2] == (st.st_ino, st.st_size):
            return _Tail(cached[2], cached[3], st.st_size, b"")
        data, start = _read_tail(fd, st.st_size)
        end = data.rfind(b"\n") + 1
        torn = data[end:]
        complete = data[:end]
        if not complete:
            return _Tail(0, GENESIS, start + end, torn)
        last = complete[:-1].rsplit(b"\n", 1)[-1]
        try:
            record = json.loads(last)
            return _Tail(int(record["seq"]), str(record["hash"]), start + end, torn)
        except (ValueError, KeyError, TypeError):
            raise AuditError(
                f"the last line of {self.path} is not an audit record: run `arserve audit "
                "verify`; no record is appended until it is repaired"
            ) from None

    def records(self) -> Iterator[dict[str, Any]]:
        """Every parseable complete record, oldest first (no chain check: that is verify's)."""
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    break  # a torn final line
                with contextlib.suppress(ValueError):
                    record = json.loads(raw)
                    if isinstance(record, dict):
                        yield record

    def query(self, q: AuditQuery) -> list[dict[str, Any]]:
        """Records matching the filters, newest (highest seq) first, at most q.limit."""
        # Lines are in seq order: keep the newest `limit` matches while reading forward.
        found: deque[dict[str, Any]] = deque(maxlen=q.limit)
        for record in self.records():
            try:
                at = parse_time(str(record.get("time")))
            except ValueError:
                continue
            if q.matches(record, at):
                found.append(record)
        return list(reversed(found))


def _read_tail(fd: int, size: int) -> tuple[bytes, int]:
    """The file's end from just after the newline before its last complete line (or from
    the start), and the offset where that slice starts."""
    start = size
    while start > 0:
        start = max(0, start - _TAIL_CHUNK)
        data = os.pread(fd, size - start, start)
        last_newline = data.rfind(b"\n")
        before = data.rfind(b"\n", 0, max(last_newline, 0))
        if last_newline > 0 and before >= 0:
            return data[before + 1 :], start + before + 1
        if start == 0:
            return data, 0
    return b"", 0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
