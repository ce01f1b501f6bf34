"""Adapters at run time: start-up discovery, and load / replace / unload from the registry.

Every path into the engine goes through the same checks: registry resolution (no paths),
the weights' sha256, the deployment gate, and validation against the base model. A failure
leaves the running adapters untouched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import StrEnum

from adapters.gate import GateError, check_gate
from adapters.registry import (
    AdapterNotFoundError,
    IntegrityError,
    InvalidReferenceError,
    Registry,
    RegistryEntry,
)
from adapters.validation import (
    AdapterSpec,
    AdapterValidationError,
    BaseModelInfo,
    discover_adapters,
    validate_adapter,
)
from server.engine.protocol import AdapterInfo, Engine, ReportsAdapterFaults
from server.errors import ArserveError, InvalidRequestError, NotFoundError, UnprocessableError
from server.metrics import Metrics
from server.settings import Settings

logger = logging.getLogger(__name__)


class AdapterState(StrEnum):
    LOADING = "loading"
    READY = "ready"
    ERROR = "error"


@dataclass
class AdapterStatus:
    name: str
    status: AdapterState
    rank: int | None = None
    version: str | None = None
    task: str | None = None
    reason: str | None = None
    eval_summary: dict[str, float] | None = None
    load_seconds: float | None = None
    sha256: str | None = None  # the weights' (registry adapters: the manifest's, verified)

    @property
    def ready(self) -> bool:
        return self.status is AdapterState.READY

    @property
    def ref(self) -> str:
        """NAME@VERSION (the engine key of a second version already carries it)."""
        registry_name = self.name.partition("@")[0]
        return f"{registry_name}@{self.version}" if self.version else self.name


def engine_key(name: str, version: str, primary: str | None) -> str:
    """The engine's name for a registry version: NAME for the version served by name,
    NAME@VERSION for any other loaded beside it (a canary, a tenant's pinned version)."""
    return name if version == primary else f"{name}@{version}"


class AdapterManager:
    """Owns the adapters' statuses: every adapter found, loaded or refused, and why."""

    def __init__(
        self,
        engine: Engine,
        base: BaseModelInfo,
        registry: Registry,
        settings: Settings,
        metrics: Metrics,
    ) -> None:
        self.engine = engine
        self.base = base
        self.registry = registry
        self.settings = settings
        self.metrics = metrics
        self.statuses: dict[str, AdapterStatus] = {}
        if isinstance(engine, ReportsAdapterFaults):
            engine.on_adapter_fault(self._taken_out)

    def _taken_out(self, name: str, reason: str) -> None:
        """The engine unloaded an adapter that produced non-finite values: it shows as error."""
        status = self.statuses.get(name)
        if status is None or not status.ready:
            return
        self.metrics.adapters_loaded.remove(name, status.version or "")
        self.metrics.adapter_events.labels("failure").inc()
        self.statuses[name] = AdapterStatus(
            name,
            AdapterState.ERROR,
            status.rank,
            status.version,
            status.task,
            reason=f"taken out of service: it produced non-finite values ({reason})",
        )

    def _failed(self, name: str, reason: str) -> None:
        self.statuses[name] = AdapterStatus(name, AdapterState.ERROR, reason=reason)

    def _resolve(self, ref: str) -> RegistryEntry:
        try:
            return self.registry.resolve_verified(ref)
        except InvalidReferenceError as exc:
            raise InvalidRequestError(str(exc), param="adapter", code="invalid_reference") from exc
        except AdapterNotFoundError as exc:
            raise NotFoundError(str(exc), param="adapter", code="adapter_not_found") from exc
        except IntegrityError as exc:
            raise UnprocessableError(str(exc), param="adapter", code="integrity_error") from exc

    async def _register(
        self,
        spec: AdapterSpec,
        version: str | None = None,
        task: str | None = None,
        eval_summary: dict[str, float] | None = None,
        sha256: str | None = None,
    ) -> AdapterStatus:
        name = spec.name
        previous = self.statuses.get(name)
        # A ready version keeps serving (and keeps its status) while its replacement loads.
        replacing = previous is not None and previous.ready
        if not replacing:
            self.statuses[name] = AdapterStatus(
                name, AdapterState.LOADING, spec.rank, version, task
            )
        started = time.perf_counter()
        try:
            await self.engine.add_adapter(
                AdapterInfo(name, str(spec.path), spec.rank, version, task)
            )
        except ArserveError as exc:
            self.metrics.adapter_events.labels("failure").inc()
            if not replacing:
                self._failed(name, exc.message)
            raise UnprocessableError(exc.message, param="adapter", code="load_failed") from exc
        status = AdapterStatus(
            name,
            AdapterState.READY,
            spec.rank,
            version,
            task,
            eval_summary=eval_summary,
            sha256=sha256,
        )
        status.load_seconds = round(time.perf_counter() - started, 4)
        self.statuses[name] = status
        self.metrics.adapter_events.labels("load").inc()
        if previous is not None and previous.ready:
            self.metrics.adapters_loaded.remove(name, previous.version or "")
        self.metrics.adapters_loaded.labels(name, version or "").set(1)
        self.metrics.set_known_adapters({self.engine.model_name, *self.statuses})
        return status

    def resolve(self, ref: str) -> RegistryEntry:
        """The verified registry entry of `NAME@VERSION` (NAME: its newest), as a 4xx error."""
        return self._resolve(ref)

    def primary_version(self, name: str) -> str | None:
        status = self.statuses.get(name)
        return status.version if status is not None and status.ready else None

    async def load_ref(
        self, ref: str, force: bool = False, key: str | None = None
    ) -> AdapterStatus:
        """Load `NAME@VERSION` from the registry under `key` (default NAME: the version served
        by name); a new version replaces the one under the same key in place."""
        entry = self._resolve(ref)
        try:
            gate = check_gate(entry.manifest, force=force)
            spec = validate_adapter(entry.path, self.base, self.settings.max_lora_rank)
        except GateError as exc:
            raise UnprocessableError(str(exc), param="adapter", code="gate_failed") from exc
        except AdapterValidationError as exc:
            raise UnprocessableError(
                f"{entry.ref}: {exc}", param="adapter", code="incompatible_adapter"
            ) from exc
        if gate.forced:
            logger.warning(
                "%s loaded past the deployment gate: %s", entry.ref, "; ".join(gate.reasons)
            )
        spec = AdapterSpec(
            key or entry.name,
            entry.path,
            spec.rank,
            spec.alpha,
            spec.target_modules,
            spec.base_model,
        )
        summary = dict(entry.manifest.evaluation.metrics)
        return await self._register(
            spec, entry.version, entry.manifest.task, summary, entry.manifest.adapter_sha256
        )

    async def unload(self, name: str) -> None:
        status = self.statuses.get(name)
        if status is None:
            raise NotFoundError(f"adapter '{name}' is not loaded", code="adapter_not_found")
        if status.ready:
            await self.engine.remove_adapter(name)
            self.metrics.adapters_loaded.remove(name, status.version or "")
            self.metrics.adapter_events.labels("unload").inc()
        del self.statuses[name]

    async def load_startup(self, pinned: dict[str, tuple[str, bool]] | None = None) -> None:
        """Adapters in `adapters_dir` (unmanaged; never one named like a registry adapter),
        then per registry name the version the serving state pins (NAME -> (version, force)),
        else its newest version past the gate."""
        settings = self.settings
        if settings.adapters_dir is not None:
            good, skipped = discover_adapters(
                settings.adapters_dir, self.base, settings.max_lora_rank
            )
            for name, reason in skipped.items():
                logger.warning("adapter %s skipped: %s", name, reason)
                self._failed(name, reason)
            registered = set(self.registry.names())
            for spec in good:
                if spec.name in registered:
                    # A folder adapter is unmanaged (no gate, no sha256): it never stands in
                    # for a registry adapter of the same name.
                    reason = (
                        f"{spec.path} would shadow the registry adapter '{spec.name}': "
                        "refused; rename the folder, or load the registry version"
                    )
                    logger.warning("adapter %s skipped: %s", spec.name, reason)
                    self._failed(spec.name, reason)
                    continue
                await self._load_logged(self._register(spec), spec.name)
        # An operator's explicit decision to serve these below their gate (logged as such).
        forced = {ref.partition("@")[0]: ref for ref in settings.force_adapters}
        for name, ref in forced.items():
            await self._load_logged(self.load_ref(ref, force=True), name)
        for name, (version, force) in (pinned or {}).items():
            if name in self.statuses:
                continue
            try:
                await self.load_ref(f"{name}@{version}", force=force)
            except ArserveError as exc:  # the newest version past its gate stands in
                logger.warning("adapter %s: pinned version %s refused: %s", name, version, exc)
                self.statuses.pop(name, None)
        if settings.load_registry:
            for name in self.registry.names():
                if name not in self.statuses:
                    await self._load_newest_passing(name)

    async def _load_newest_passing(self, name: str) -> None:
        """The newest version of NAME that loads: a new version below its gate (or corrupt)
        leaves the one before it in service instead of taking the adapter down."""
        refused: list[str] = []
        for version in reversed(self.registry.versions(name)):
            try:
                status = await self.load_ref(f"{name}@{version}")
            except ArserveError as exc:
                refused.append(exc.message)
                continue
            if refused:
                logger.warning(
                    "adapter %s: serving version %s; newer refused: %s",
                    name, status.version, "; ".join(refused),
                )  # fmt: skip
            return
        reason = refused[0] if refused else f"{name} has no version in the registry"
        logger.warning("adapter %s skipped: %s", name, reason)
        self._failed(name, reason)

    async def _load_logged(self, loading: Awaitable[AdapterStatus], name: str) -> None:
        try:
            await loading
        except ArserveError as exc:
            logger.warning("adapter %s skipped: %s", name, exc.message)
            self._failed(name, exc.message)
