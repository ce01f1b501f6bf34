"""Which adapter serves a domain request, and how responses name it."""

from __future__ import annotations

from server.engine.protocol import Engine
from server.errors import NotReadyError
from server.rollouts.controller import Choice
from server.state import AppState


def require_adapter(engine: Engine, name: str) -> None:
    """Domain endpoints need their adapter; its absence is the server's fault (503), not a 404."""
    if not any(a.name == name for a in engine.list_adapters()):
        raise NotReadyError(
            f"adapter '{name}' is not loaded; load it with POST /v1/adapters",
            code="adapter_not_loaded",
        )


def choose(state: AppState, tenant: str, task: str, default: str, customer: str | None) -> Choice:
    """The adapter (and rollout arm) for a domain request of this tenant."""
    if state.rollouts is None:  # LoRA off: the settings' adapter, as configured
        return Choice(default)
    return state.rollouts.choose(tenant, task, default, customer)


def adapter_ref(state: AppState, name: str) -> str:
    status = state.adapters.get(name)
    return status.ref if status else name
