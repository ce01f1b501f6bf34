"""API keys: each key maps to a tenant and scopes. Keys are stored as sha256 hashes."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from server.errors import AuthenticationError, ConfigError, PermissionDeniedError

# infer: generation and reading context; admin: adapters; data: writing and erasing records
SCOPES = ("infer", "admin", "data")
KEY_PREFIX = "ars-"


@dataclass(frozen=True)
class Principal:
    key_id: str
    tenant_id: str
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise PermissionDeniedError(f"this API key lacks the '{scope}' scope")

    def require_any(self, *scopes: str) -> None:
        if not self.scopes.intersection(scopes):
            raise PermissionDeniedError(
                "this API key lacks all of the scopes " + ", ".join(f"'{s}'" for s in scopes)
            )


# With no keys file configured every caller acts as this local principal.
LOCAL_PRINCIPAL = Principal(key_id="local", tenant_id="default", scopes=frozenset(SCOPES))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, entries: dict[str, Principal]) -> None:
        self._by_hash = entries

    @classmethod
    def load(cls, path: Path) -> KeyStore:
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read keys file {path}: {exc}") from exc
        entries: dict[str, Principal] = {}
        for item in data.get("keys", []):
            scopes = frozenset(item.get("scopes", []))
            if unknown := scopes - set(SCOPES):
                raise ConfigError(f"keys file {path}: unknown scopes {sorted(unknown)}")
            entries[item["sha256"]] = Principal(item["id"], item["tenant_id"], scopes)
        return cls(entries)

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthenticationError("missing API key: send 'Authorization: Bearer <key>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("malformed Authorization header; expected 'Bearer <key>'")
        principal = self._by_hash.get(hash_key(token.strip()))
        if principal is None:
            raise AuthenticationError("invalid API key")
        return principal


def create_key(path: Path, key_id: str, tenant_id: str, scopes: list[str]) -> str:
    """Add a new key to the keys file (created if absent) and return the plaintext key once."""
    if unknown := set(scopes) - set(SCOPES):
        raise ConfigError(f"unknown scopes {sorted(unknown)}; choose from {list(SCOPES)}")
    data = json.loads(path.read_text()) if path.exists() else {"keys": []}
    if any(k["id"] == key_id for k in data["keys"]):
        raise ConfigError(f"a key with id '{key_id}' already exists in {path}")
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    data["keys"].append(
        {"id": key_id, "sha256": hash_key(key), "tenant_id": tenant_id, "scopes": sorted(scopes)}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    path.chmod(0o600)
    return key
