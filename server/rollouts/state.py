"""The desired serving state: which version serves each route, who may use an adapter, and the
rollouts with their shares.

One JSON file in the registry folder (`serving.json`), replaced atomically: a crash mid-change
leaves the old or the new file, never a mix. The server reconciles its engine to it at start-up
and after every admin change; replicas read the same file."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from retrieval.files import fsync_dir

STATE_FILE = "serving.json"
SCHEMA = 1
SHARED = "*"  # the route of every tenant without one of its own
# A tenant id as keys carry them; `*` is the shared route.
TENANT_PATTERN = r"^(\*|[A-Za-z0-9][A-Za-z0-9_.:-]{0,127})$"


class StateError(ValueError):
    """The state file cannot be read, or a change would make it inconsistent."""


class RolloutMode(StrEnum):
    CANARY = "canary"  # a stable share of customers is answered by the candidate
    SHADOW = "shadow"  # the live version answers; the candidate runs beside it, never returned


class RolloutStatus(StrEnum):
    ACTIVE = "active"
    PROMOTED = "promoted"
    ROLLED_BACK = "rolled_back"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AdapterPolicy(BaseModel):
    """What the state says of one registry adapter name."""

    version: str | None = Field(default=None, description="The version served by name.")
    force: bool = Field(default=False, description="The version was served past its gate.")
    tenants: list[str] | None = Field(
        default=None, description="Only these tenants may use it; null: every tenant."
    )

    def allows(self, tenant: str) -> bool:
        return self.tenants is None or tenant in self.tenants


class Route(BaseModel):
    task: str
    tenant: str = Field(pattern=TENANT_PATTERN)
    adapter: str = Field(description="NAME (the version it serves by name) or NAME@VERSION")
    force: bool = False  # a pinned version served past its gate


class Transition(BaseModel):
    at: str = Field(default_factory=now_iso)
    event: str  # started, promoted, rolled_back
    by: str  # the admin key's id, or "auto"
    reason: str | None = None


class Rollout(BaseModel):
    id: str
    task: str
    tenant: str = Field(pattern=TENANT_PATTERN)
    live: str = Field(description="NAME@VERSION serving the route when the rollout started")
    candidate: str = Field(description="NAME@VERSION under test")
    mode: RolloutMode
    share: float = Field(ge=0.0, le=1.0)
    status: RolloutStatus = RolloutStatus.ACTIVE
    force: bool = False  # the candidate runs past its gate
    # automatic rollback: the candidate's error or grounding-failure rate exceeds the live
    # version's by more than `margin`, once each arm has `min_requests` scored requests
    margin: float = Field(default=0.1, ge=0.0, le=1.0)
    min_requests: int = Field(default=20, ge=1, le=1_000_000)
    history: list[Transition] = Field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.status is RolloutStatus.ACTIVE


class DesiredState(BaseModel):
    schema_version: int = SCHEMA
    generation: int = 0  # +1 per change, so replicas can tell which state they run
    adapters: dict[str, AdapterPolicy] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    rollouts: list[Rollout] = Field(default_factory=list)

    def policy(self, name: str) -> AdapterPolicy:
        return self.adapters.get(name) or AdapterPolicy()

    def route(self, task: str, tenant: str) -> Route | None:
        """The tenant's own route for the task, else the shared one (None: the default)."""
        for wanted in (tenant, SHARED):
            for route in self.routes:
                if route.task == task and route.tenant == wanted:
                    return route
        return None

    def active_rollout(self, task: str, tenant: str) -> Rollout | None:
        """The rollout on exactly this route (a tenant's route or the shared one)."""
        for rollout in self.rollouts:
            if rollout.is_active and rollout.task == task and rollout.tenant == tenant:
                return rollout
        return None

    def rollout(self, rollout_id: str) -> Rollout | None:
        return next((r for r in self.rollouts if r.id == rollout_id), None)


def state_path(registry_dir: Path) -> Path:
    return registry_dir / STATE_FILE


def load_state(path: Path) -> DesiredState:
    """The state in `path`; no file is the empty state (every adapter at its newest version)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return DesiredState()
    except OSError as exc:
        raise StateError(f"cannot read {path}: {exc}") from exc
    try:
        state = DesiredState.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise StateError(f"{path} is not a valid serving state: {exc}") from exc
    if state.schema_version != SCHEMA:
        raise StateError(f"{path}: schema {state.schema_version}, this server reads {SCHEMA}")
    return state


def save_state(path: Path, state: DesiredState) -> None:
    """Write `state` to a temporary file, fsync it, and rename it over `path` (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = json.dumps(state.model_dump(mode="json"), indent=2) + "\n"
    with tmp.open("w") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)  # the rename itself survives a power cut
