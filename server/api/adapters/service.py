"""The adapter lifecycle for admins: list, load or replace from the registry, unload."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from server.adapter_manager import AdapterManager
from server.errors import InvalidRequestError
from server.state import AppState


class AdapterAdmin:
    def __init__(self, state: AppState) -> None:
        self.state = state

    def _manager(self) -> AdapterManager:
        self.state.ready_engine()  # 503 while the engine loads (the manager comes with it)
        if self.state.adapter_manager is None:
            raise InvalidRequestError("LoRA is disabled on this server (enable_lora=false)")
        return self.state.adapter_manager

    def statuses(self) -> list[dict[str, Any]]:
        """Every adapter found, loading, ready or failed (answers while the engine loads)."""
        metrics = self.state.metrics
        return [
            {**asdict(s), "live": metrics.adapter_summary(s.name) if s.ready else None}
            for s in self.state.adapters.values()
        ]

    async def load(self, ref: str, force: bool) -> dict[str, Any]:
        return asdict(await self._manager().load_ref(ref, force=force))

    async def unload(self, name: str) -> None:
        await self._manager().unload(name)
