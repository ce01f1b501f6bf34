"""What the app holds at run time, built once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from server.adapter_manager import AdapterManager, AdapterStatus
from server.auth import KeyStore
from server.engine.protocol import Engine
from server.errors import NotReadyError, OverloadedError
from server.metrics import Metrics
from server.rollouts.controller import RolloutController
from server.settings import Settings

if TYPE_CHECKING:
    # Imported when the store opens: it pulls in the embedding stack (see startup).
    from server.retrieval_runtime import RetrievalRuntime


class Admission:
    """Bounds requests in flight: the engine's running batch plus a bounded waiting queue."""

    def __init__(self, max_running: int, max_waiting: int) -> None:
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.num_in_flight = 0
        self.on_reject: Callable[[int], None] = lambda num: None  # the app counts refusals

    @property
    def num_waiting(self) -> int:
        return max(0, self.num_in_flight - self.max_running)

    def check(self, num: int = 1) -> None:
        """Refuse unless `num` more requests fit: a batch is admitted whole or not at all."""
        if self.num_in_flight + num > self.max_running + self.max_waiting:
            self.on_reject(num)
            raise OverloadedError(
                f"server is at capacity ({self.num_in_flight} requests in flight, "
                f"{num} asked for); retry later",
                code="queue_full",
            )

    def enter(self) -> None:
        self.num_in_flight += 1

    def leave(self) -> None:
        self.num_in_flight -= 1


@dataclass
class AppState:
    settings: Settings
    keys: KeyStore | None
    admission: Admission
    metrics: Metrics = field(default_factory=Metrics)
    engine: Engine | None = None
    startup_error: str | None = None
    adapter_manager: AdapterManager | None = None  # None while LoRA is off or not started
    rollouts: RolloutController | None = None  # routes and rollouts (with the manager)
    base_model_sha256: str | None = None  # the served base's weights, hashed at start-up
    retrieval: RetrievalRuntime | None = None
    retrieval_error: str | None = None
    # each dependency's status at the last /ready, so a change is logged once
    last_checks: dict[str, str] = field(default_factory=dict)

    @property
    def adapters(self) -> dict[str, AdapterStatus]:
        """Every adapter found and its status (the adapter manager's)."""
        return self.adapter_manager.statuses if self.adapter_manager else {}

    def ready_retrieval(self) -> RetrievalRuntime:
        if self.retrieval is None:
            reason = self.retrieval_error or "the retrieval store is still opening"
            raise NotReadyError(f"retrieval not ready: {reason}")
        return self.retrieval

    def ready_engine(self) -> Engine:
        if self.engine is None:
            reason = self.startup_error or "the model is still loading"
            raise NotReadyError(f"not ready: {reason}")
        return self.engine
