"""The manifest of a registry entry (`manifest.json` beside the PEFT files)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer

MANIFEST_FILE = "manifest.json"
WEIGHTS_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
# 2: the house's per-task gate (adapters.gate.TASK_GATES) applies; max_scores added.
SCHEMA_VERSION = 2
# What a manifest written before adapters declared languages was trained and evaluated on.
DEFAULT_LANGUAGES: tuple[str, ...] = ("en",)


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


def base_model_identity(base_model: Path) -> tuple[str, str]:
    """(id, sha256 of the weights) of an HF model folder."""
    shards = sorted(base_model.glob("*.safetensors")) or sorted(base_model.glob("*.bin"))
    if not shards:
        raise FileNotFoundError(f"no weights in {base_model}")
    return base_model.name, sha256_files(shards)


class HeldOutSet(BaseModel):
    """The held-out file an evaluation ran on (`test_set` in the manifest)."""

    path: str
    sha256: str
    n: int


class Evaluation(BaseModel):
    """What `arserve adapters eval` recorded; the deployment gate reads `metrics`."""

    model_config = ConfigDict(validate_assignment=True)

    metrics: dict[str, float] = Field(default_factory=dict)  # flat: adapter and baseline_*
    n: int = 0
    test_set: HeldOutSet | None = None
    report: str | None = None  # relative to the entry's folder
    engine_model: str = ""
    evaluated_at: str | None = None
    # `eval --record-as PREFIX` runs: the file each ran on; their metrics are PREFIX_*.
    recorded_as: dict[str, HeldOutSet] = Field(default_factory=dict)


class Manifest(BaseModel):
    model_config = ConfigDict(validate_assignment=True)

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
    training_config: dict[str, Any]  # the TrainConfig as trained (older keys kept as written)
    prompt_template_version: str
    adapter_sha256: str
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    training_summary: dict[str, Any] = Field(default_factory=dict)
    evaluation: Evaluation = Field(default_factory=Evaluation)
    min_scores: dict[str, float] = Field(default_factory=dict)  # deployment gate: at least
    max_scores: dict[str, float] = Field(default_factory=dict)  # deployment gate: at most
    # The languages (ISO 639-1) the adapter was trained and evaluated for; a request in
    # another one is refused rather than answered in one of these.
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES), min_length=1)
    schema_version: int = SCHEMA_VERSION  # a new manifest is the current schema

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @field_serializer("evaluation")
    def _evaluation_as_recorded(self, evaluation: Evaluation) -> dict[str, Any]:
        # Only what was recorded: a manifest not yet evaluated keeps `"evaluation": {}`.
        return evaluation.model_dump(mode="json", exclude_unset=True)

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST_FILE
        path.write_text(json.dumps(self.model_dump(mode="json"), indent=2) + "\n")
        return path


class ManifestError(ValueError):
    """manifest.json is missing, unreadable or lacks required fields."""


def read_manifest(folder: Path) -> Manifest:
    """The one way a manifest is read: `folder/manifest.json`, validated."""
    path = folder / MANIFEST_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ManifestError(f"{path} does not exist") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} is not readable JSON: {exc}") from exc
    if isinstance(data, dict):
        # A file without the key predates versioning: schema 1, not the current default.
        data.setdefault("schema_version", 1)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(f"{path} is not a valid manifest: {exc}") from exc
