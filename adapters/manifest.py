"""The manifest of a registry entry (`manifest.json` beside the PEFT files)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"
WEIGHTS_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
SCHEMA_VERSION = 1


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def sha256_files(paths: list[Path]) -> str:
    """One hash over several files, in the given order (names excluded)."""
    digest = hashlib.sha256()
    for p in paths:
        digest.update(sha256_file(p).encode())
    return digest.hexdigest()


@dataclass
class Manifest:
    name: str
    version: str
    task: str
    base_model_id: str
    base_model_sha256: str
    rank: int
    alpha: int
    target_modules: list[str]
    training_data_sha256: str
    training_data_size: dict[str, int]
    training_config: dict[str, Any]
    prompt_template_version: str
    adapter_sha256: str
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    training_summary: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, Any] = field(default_factory=dict)  # metric -> value, plus report paths
    min_scores: dict[str, float] = field(default_factory=dict)  # deployment gate
    schema_version: int = SCHEMA_VERSION

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n")
        return path


class ManifestError(ValueError):
    """manifest.json is missing, unreadable or lacks required fields."""


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ManifestError(f"{path} does not exist") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} is not readable JSON: {exc}") from exc
    try:
        return Manifest.from_dict(data)
    except TypeError as exc:
        raise ManifestError(f"{path} lacks required fields: {exc}") from exc
