"""Citation ids and deterministic point ids."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("6f1c1d55-8f4e-4d7b-9a51-3c0f5b2e7a10")


@dataclass(frozen=True)
class Citation:
    """What a response can cite: record type, record id, version (and updated_at if known)."""

    record_type: str
    record_id: str
    version: int
    updated_at: str | None = None

    @property
    def id(self) -> str:
        return f"{self.record_type}:{self.record_id}@v{self.version}"

    @property
    def tag(self) -> str:
        return f"[{self.id}]"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "type": self.record_type,
            "record_id": self.record_id,
            "version": self.version,
        }
        if self.updated_at:
            out["updated_at"] = self.updated_at
        return out


def _key(tenant_id: str, record_type: str, record_id: str) -> str:
    return f"{tenant_id}\x1f{record_type}\x1f{record_id}"


def doc_uuid(tenant_id: str, record_type: str, record_id: str) -> str:
    """One id per record (all its chunks share it as ``doc_id``)."""
    return str(uuid.uuid5(_NAMESPACE, _key(tenant_id, record_type, record_id)))


def point_uuid(tenant_id: str, record_type: str, record_id: str, chunk: int) -> str:
    """Point ids derive from the tenant, so the same record id in two tenants never collides."""
    return str(uuid.uuid5(_NAMESPACE, f"{_key(tenant_id, record_type, record_id)}\x1f{chunk}"))
