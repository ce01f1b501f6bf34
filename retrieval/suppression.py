"""Erased data subjects, remembered so that no ingestion brings them back.

A subject is (tenant, customer).  Its reference is HMAC-SHA256 under a per-deployment secret
(the erasure key file), so the list and the erasure log cannot be reversed by hashing every
plausible customer id.  The list is an append-only JSONL file next to the erasure log: each
line suppresses a subject or releases it (a logged, lawful re-creation); the last line wins.
Erasures logged before the key existed (refs of plain sha256) stay suppressed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from retrieval.config import RetrievalConfig
from retrieval.errors import ConfigError, RetrievalError
from retrieval.files import fsync_dir
from retrieval.filters import check_id

log = logging.getLogger(__name__)

REF_SCHEME = "hmac-sha256"
LEGACY_SCHEME = "sha256"  # erasure-log lines without a ref_scheme
KEY_BYTES = 32
KEY_FILE = "erasure.key"  # next to the erasure log unless the config names one
SUPPRESSION_FILE = "suppressed_subjects.jsonl"


class SuppressedError(RetrievalError):
    """The subject was erased; only an explicit, logged unsuppress allows it again."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def legacy_ref(tenant_id: str, customer_id: str) -> str:
    """The reference erasure logs held before keyed refs: reversible, kept only to match."""
    return hashlib.sha256(f"{tenant_id}\x1f{customer_id}".encode()).hexdigest()[:16]


def append_jsonl(path: Path, entry: dict[str, Any]) -> None:
    """Append one line and fsync it.

    A torn last line (a crash mid-write, so its fsync never returned and nothing relied on
    it) is cut off first, so the file stays one complete object per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    with path.open("ab+") as fh:
        end = fh.seek(0, os.SEEK_END)
        if end > 0:
            fh.seek(end - 1)
            if fh.read(1) != b"\n":
                fh.truncate(_complete_end(fh, end))
        fh.write(json.dumps(entry, sort_keys=True).encode() + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    if created:
        fsync_dir(path.parent)


def _complete_end(fh: BinaryIO, end: int) -> int:
    """The offset just past the last newline (0 if none), read backwards in blocks."""
    pos = end
    while pos > 0:
        start = max(0, pos - 65536)
        fh.seek(start)
        cut = fh.read(pos - start).rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        pos = start
    return 0


def read_jsonl(path: Path, strict: bool) -> Iterator[dict[str, Any]]:
    """The file's objects; a torn last line is skipped, any other bad line raises if strict."""
    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            if strict and n < len(lines):
                raise ConfigError(f"{path} is corrupt at line {n}") from None
            log.warning("%s: unreadable line %d skipped", path, n)
            continue
        if isinstance(entry, dict):
            yield entry


def _create_key(path: Path) -> None:
    """32 random bytes, mode 0600, published atomically: a racing process keeps the first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    fsync_dir(path.parent)
    log.info("erasure key created at %s", path)


class ErasureKey:
    """The deployment's secret; its bytes never leave this object (not in repr, logs, files)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < KEY_BYTES:
            raise ConfigError(f"the erasure key must hold at least {KEY_BYTES} bytes")
        self._secret = secret
        self.key_id = self._mac(b"arserve-erasure-key-id")[:16]

    @classmethod
    def load(cls, path: Path, create: bool) -> ErasureKey:
        if not path.is_file():
            if not create:
                raise ConfigError(f"erasure key file not found: {path}")
            _create_key(path)
        if path.stat().st_mode & 0o077:
            log.warning("erasure key file %s is readable by others (chmod 600 it)", path)
        return cls(path.read_bytes())

    def ref(self, tenant_id: str, customer_id: str) -> str:
        return self._mac(f"subject\x1f{tenant_id}\x1f{customer_id}".encode())[:32]

    def _mac(self, message: bytes) -> str:
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"ErasureKey(key_id={self.key_id})"


class Suppressions:
    """The suppression list of one deployment (re-read whenever its file changed)."""

    def __init__(self, path: Path, key_path: Path, erasure_log: Path, create_key: bool) -> None:
        self.path = path
        self.key_path = key_path
        self.erasure_log = erasure_log
        self._create_key = create_key  # only the default location is created on first use
        self._key: ErasureKey | None = None
        self._state: dict[str, bool] = {}  # keyed ref -> suppressed (the last line wins)
        self._legacy: set[tuple[str, str]] = set()
        self._stamp: tuple[tuple[int, int], ...] | None = None
        self._lock = threading.RLock()

    @classmethod
    def for_config(cls, config: RetrievalConfig) -> Suppressions | None:
        """None where no erasure log is configured (nothing can be erased durably there)."""
        log_path = config.erasure_log_path
        if log_path is None:
            return None
        return cls(
            log_path.with_name(SUPPRESSION_FILE), config.erasure_key_file or
            log_path.with_name(KEY_FILE), log_path, create_key=config.erasure_key_file is None,
        )  # fmt: skip

    def key(self, create: bool = False) -> ErasureKey:
        if self._key is None:
            self._key = ErasureKey.load(self.key_path, create and self._create_key)
        return self._key

    def ref(self, tenant_id: str, customer_id: str) -> str:
        return self.key(create=True).ref(tenant_id, customer_id)

    def is_suppressed(self, tenant_id: str, customer_id: str) -> bool:
        with self._lock:
            self._refresh()
            state = self._state.get(self.key().ref(tenant_id, customer_id)) if self._state else None
            if state is None:  # never keyed: erased before keyed refs, or never erased
                state = (tenant_id, legacy_ref(tenant_id, customer_id)) in self._legacy
            return state

    def check_not_suppressed(self, tenant_id: str, customer_id: str) -> None:
        """Raise SuppressedError for an erased subject (the records API calls this per row)."""
        if self.is_suppressed(tenant_id, customer_id):
            raise SuppressedError(
                "this customer was erased; re-creating it needs `arserve data unsuppress`"
            )

    def suppress(self, tenant_id: str, customer_id: str) -> str:
        """Remember the subject as erased (fsynced); returns its keyed ref.  Idempotent."""
        check_id(tenant_id, "tenant id")
        check_id(customer_id, "customer id")
        with self._lock:
            self._refresh()  # first: a lost key with a list behind it fails, never replaced
            ref = self.ref(tenant_id, customer_id)
            if self._state.get(ref) is not True:  # a legacy-only erasure gets its keyed line
                self._write("suppress", tenant_id, ref)
        return ref

    def release(self, tenant_id: str, customer_id: str) -> str:
        """Forget the subject's erasure (after the caller logged why); returns its keyed ref."""
        if not self.is_suppressed(tenant_id, customer_id):
            raise RetrievalError("this customer is not suppressed")
        ref = self.ref(tenant_id, customer_id)
        with self._lock:
            self._write("release", tenant_id, ref)
        return ref

    def _write(self, op: str, tenant_id: str, ref: str) -> None:
        entry = {"op": op, "tenant_id": tenant_id, "ref": ref, "ref_scheme": REF_SCHEME,
                 "key_id": self.key(create=True).key_id, "at": now()}  # fmt: skip
        append_jsonl(self.path, entry)
        self._state[ref] = op == "suppress"

    def _refresh(self) -> None:
        stamp = tuple(_stat(p) for p in (self.path, self.erasure_log))
        if stamp == self._stamp:
            return
        state: dict[str, bool] = {}
        for entry in read_jsonl(self.path, strict=True):
            if entry.get("key_id") != self.key().key_id:
                raise ConfigError(
                    f"{self.path} was written under another erasure key: restore {self.key_path}"
                )
            state[str(entry["ref"])] = entry.get("op") == "suppress"
        self._legacy = {
            (str(e.get("tenant_id")), str(e["customer_ref"]))
            for e in read_jsonl(self.erasure_log, strict=False)
            if "ref_scheme" not in e and "customer_ref" in e
        }
        self._state, self._stamp = state, stamp


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)
