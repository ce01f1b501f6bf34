"""One audit line: canonical JSON, its chain hash, the keyed customer reference, the
output hash.

A line is the canonical JSON (sorted keys, no spaces, UTF-8) of the record including `seq`
and `prev`, plus `hash`: the sha256 of the canonical JSON of everything else. Editing any
field breaks `hash`; removing, inserting or reordering lines breaks `seq`/`prev`."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 1
GENESIS = "0" * 64  # `prev` of the first record
_KEY_ID_LABEL = b"arserve-audit-key-id"
_OUTPUT_SEPARATOR = "\x1e"  # ASCII record separator between returned texts


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(record: dict[str, Any]) -> str:
    """The hash of a record: over every field but `hash` itself (so `prev` is covered)."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def customer_ref(secret: bytes, tenant_id: str, customer_id: str) -> str:
    """HMAC-SHA256 of (tenant, customer) under the deployment's secret. A bare sha256 would
    not do: customer ids are few and guessable, so it is reversed by hashing them all."""
    message = f"{tenant_id}\x1f{customer_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def key_id(secret: bytes) -> str:
    """Which secret made a record's customer_refs (not the secret): refs of two keys differ."""
    return hmac.new(secret, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def keyed_citation(secret: bytes, tenant_id: str, citation: str) -> str:
    """A citation as recorded: a customer record's id is the customer id itself, so it is
    replaced by its keyed ref ("customer:C1@v2" -> "customer:hmac:<ref>@v2")."""
    kind, _, rest = citation.partition(":")
    if kind != "customer" or not rest:
        return citation
    record_id, at, version = rest.rpartition("@")
    if not at:
        record_id, version = rest, ""
    return f"customer:hmac:{customer_ref(secret, tenant_id, record_id)}{at}{version}"


def output_sha256(texts: Sequence[str]) -> str:
    """sha256 of the returned texts joined by U+001E; one text: the sha256 of that text."""
    return hashlib.sha256(_OUTPUT_SEPARATOR.join(texts).encode()).hexdigest()


def parse_time(value: str) -> float:
    """Unix seconds, or ISO-8601 (a time without an offset is UTC); ValueError otherwise."""
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValueError("not a finite number of seconds")
        return seconds
    at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class AuditEntry:
    """What one finished generation request contributes, before the log chains it. The
    customer id is raw here, and only here: the log replaces it with its keyed ref."""

    request_id: str
    endpoint: str
    status: int
    latency_ms: float
    attempts: int
    time: str = field(default_factory=utc_now)
    tenant: str | None = None
    key_id: str | None = None
    outcome: str | None = None  # the last attempt's: ok, error or cancelled
    adapter: str | None = None  # NAME@VERSION; None: the base model alone
    adapter_sha256: str | None = None
    # Every adapter the request ran, with its weights' sha256: a batch split by a canary
    # runs both versions, and `adapter` names only the last.
    adapters: dict[str, str | None] = field(default_factory=dict)
    base_model: str | None = None
    base_model_sha256: str | None = None
    customer_ids: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    grounding: dict[str, Any] | None = None
    arm: str | None = None
    rollout_id: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    output_sha256: str | None = None
    # the ids the response returned (a completion's, an e-mail's, each classification's)
    generation_ids: list[str] = field(default_factory=list)

    def to_record(self, secret: bytes) -> dict[str, Any]:
        """The record's fields, the customer as a keyed ref (no `seq`, `prev`, `hash` yet)."""
        out = asdict(self)
        tenant = self.tenant or ""
        out["customer_refs"] = [customer_ref(secret, tenant, c) for c in out.pop("customer_ids")]
        out["customer_ref_key"] = key_id(secret) if self.customer_ids else None
        out["citations"] = [keyed_citation(secret, tenant, c) for c in self.citations]
        out["v"] = SCHEMA_VERSION
        return out
