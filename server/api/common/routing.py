"""Which adapter serves a domain request, and how responses name it."""

from __future__ import annotations

from server.engine.protocol import Engine
from server.errors import NotReadyError
from server.state import AppState


def require_adapter(engine: Engine, name: str) -> None:
    """Domain endpoints need their adapter; its absence is the server's fault (503), not a 404."""
    if not any(a.name == name for a in engine.list_adapters()):
        raise NotReadyError(
            f"adapter '{name}' is not loaded; load it with POST /v1/adapters",
            code="adapter_not_loaded",
        )


def adapter_ref(state: AppState, name: str) -> str:
    status = state.adapters.get(name)
    return f"{name}@{status.version}" if status and status.version else name
