"""Routes and rollouts at run time: one desired state, reconciled into the engine, consulted
by every request, scored online, rolled back automatically when the candidate regresses."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.registry import InvalidReferenceError, parse_ref
from server.adapter_manager import AdapterManager, engine_key
from server.errors import ArserveError, NotFoundError
from server.metrics import Metrics
from server.rollouts import changes
from server.rollouts.scores import ARMS, CANDIDATE, LIVE, ArmScores, Outcome, regression
from server.rollouts.shadow import ShadowRunner
from server.rollouts.state import SHARED, DesiredState, Rollout, load_state, save_state

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    """Which engine adapter answers one request, and for which rollout arm."""

    key: str
    arm: str = LIVE
    rollout_id: str | None = None
    shadow_key: str | None = None  # the candidate to run in the background on this request


def bucket(rollout_id: str, tenant: str, customer: str) -> float:
    """A stable number in [0, 1) per rollout, tenant and customer: one customer, one arm."""
    digest = hashlib.sha256(f"{rollout_id}\x1f{tenant}\x1f{customer}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class RolloutController:
    def __init__(
        self,
        manager: AdapterManager,
        path: Path,
        metrics: Metrics,
        shadow: ShadowRunner | None = None,
        sample: Callable[[], float] = random.random,
    ) -> None:
        self.manager = manager
        self.path = path
        self.metrics = metrics
        self.shadow = shadow or ShadowRunner()
        self.desired: DesiredState = load_state(path)
        self.scores: dict[str, dict[str, ArmScores]] = {}
        self._sample = sample
        self._lock = asyncio.Lock()

    # --- state -> engine ---------------------------------------------------------------
    def pinned(self) -> dict[str, tuple[str, bool]]:
        """The version served by name per registry name, where the state pins one."""
        return {n: (p.version, p.force) for n, p in self.desired.adapters.items() if p.version}

    def key_of(self, ref: str) -> str:
        name, version = parse_ref(ref)
        if version is None:
            return name
        return engine_key(name, version, self.manager.primary_version(name))

    def _needed(self, state: DesiredState) -> dict[str, tuple[str, bool]]:
        """Engine key -> (NAME@VERSION, force) of every pinned version the state uses."""
        refs = [(r.adapter, r.force) for r in state.routes]
        refs += [(r.candidate, r.force) for r in state.rollouts if r.is_active]
        needed = {}
        for ref, force in refs:
            name, version = parse_ref(ref)
            if version is not None:
                needed[self.key_of(ref)] = (f"{name}@{version}", force)
        return needed

    async def _load(self, state: DesiredState) -> None:
        manager = self.manager
        for name, policy in state.adapters.items():
            if policy.version and manager.primary_version(name) != policy.version:
                await manager.load_ref(f"{name}@{policy.version}", policy.force, key=name)
        for route in state.routes:  # a route by NAME to a name registered after start-up
            name, version = parse_ref(route.adapter)
            if version is None and manager.primary_version(name) is None:
                await manager.load_ref(name, route.force, key=name)
        for key, (ref, force) in self._needed(state).items():
            status = manager.statuses.get(key)
            if status is None or not status.ready or status.ref != ref:
                await manager.load_ref(ref, force, key=key)

    async def _unload_unneeded(self) -> None:
        needed = self._needed(self.desired)
        for key, status in list(self.manager.statuses.items()):
            if "@" in key and status.version and key not in needed:
                await self.manager.unload(key)

    async def reconcile(self) -> None:
        """Load what the state needs beside the versions served by name; unload the rest."""
        async with self._lock:
            await self._load(self.desired)
            await self._unload_unneeded()

    async def apply(self, change: Callable[[DesiredState], DesiredState]) -> DesiredState:
        """Check a change, load what it needs, persist it atomically, then serve it."""
        async with self._lock:
            new = change(self.desired)
            new.generation = self.desired.generation + 1
            await self._load(new)  # a load failure leaves the state as it was
            save_state(self.path, new)
            self.desired = new
            await self._unload_unneeded()
            return new

    # --- requests ----------------------------------------------------------------------
    def allows(self, tenant: str, key: str) -> bool:
        return self.desired.policy(key.partition("@")[0]).allows(tenant)

    def choose(self, tenant: str, task: str, default: str, customer: str | None) -> Choice:
        """The adapter for a domain request: the tenant's route, else the shared one, else
        `default`; an active rollout on that route picks the arm."""
        route = self.desired.route(task, tenant)
        live = self.key_of(route.adapter) if route else default
        rollout = self.desired.active_rollout(task, tenant)
        if rollout is None and (route is None or route.tenant == SHARED):
            rollout = self.desired.active_rollout(task, SHARED)
        if rollout is None:
            return Choice(live)
        candidate = self.key_of(rollout.candidate)
        if rollout.mode == "canary":
            # No customer (OpenAI routes without `user`): the tenant is the unit.
            if bucket(rollout.id, tenant, customer or "") < rollout.share:
                return Choice(candidate, CANDIDATE, rollout.id)
            return Choice(live, LIVE, rollout.id)
        shadow = candidate if self._sample() < rollout.share else None
        return Choice(live, LIVE, rollout.id, shadow)

    def choose_model(self, tenant: str, model: str, customer: str | None) -> Choice:
        """`model` on the OpenAI routes: NAME (through the tenant's route and rollout when
        that route serves NAME) or NAME@VERSION of a loaded version the tenant may use."""
        missing = NotFoundError(
            f"model '{model}' does not exist", param="model", code="model_not_found"
        )
        try:
            name, version = parse_ref(model)
        except InvalidReferenceError as exc:
            raise missing from exc
        if not self.allows(tenant, name):
            raise missing
        key = self.key_of(model)
        status = self.manager.statuses.get(key)
        if status is None or not status.ready:
            raise missing
        if version is None and status.task:
            route = self.desired.route(status.task, tenant)
            if route is not None and parse_ref(route.adapter)[0] == name:
                return self.choose(tenant, status.task, key, customer)
        return Choice(key)

    def visible(self, tenant: str) -> list[str]:
        """The engine keys of the adapters this tenant may use."""
        return [k for k, s in self.manager.statuses.items() if s.ready and self.allows(tenant, k)]

    # --- scores ------------------------------------------------------------------------
    def arms(self, rollout_id: str) -> dict[str, ArmScores]:
        return self.scores.setdefault(rollout_id, {arm: ArmScores() for arm in ARMS})

    async def observe(self, choice: Choice, outcome: Outcome | None) -> None:
        """Score one answered (or failed) request when it ran on a route under rollout."""
        if choice.rollout_id is not None and outcome is not None:
            await self.record(choice.rollout_id, choice.arm, choice.key, outcome)

    async def record(self, rollout_id: str, arm: str, key: str, outcome: Outcome) -> None:
        """Score one request of one arm; roll back at once when the candidate regresses."""
        rollout = self.desired.rollout(rollout_id)
        if rollout is None or not rollout.is_active:
            return
        arms = self.arms(rollout_id)
        arms[arm].add(outcome)
        status = self.manager.statuses.get(key)
        name, _, version = (status.ref if status else key).partition("@")
        result = "error" if outcome.is_error else "ok"
        if outcome.is_grounded is False:
            result = "grounding_failed"
        # Bounded: names and versions of loaded adapters only, two arms, three results.
        self.metrics.version_requests.labels(name, version, arm, result).inc()
        reason = regression(arms[LIVE], arms[CANDIDATE], rollout.margin, rollout.min_requests)
        if reason:
            await self.end(rollout_id, promote=False, by="auto", reason=reason, quiet=True)

    async def end(
        self, rollout_id: str, promote: bool, by: str, reason: str | None, quiet: bool = False
    ) -> Rollout:
        try:
            state = await self.apply(
                lambda s: changes.end_rollout(s, rollout_id, promote, by, reason)
            )
        except ArserveError as exc:
            if not quiet:
                raise
            # A concurrent request ended it first, or the change failed: the log says which.
            logger.warning("automatic rollback of %s: %s", rollout_id, exc.message)
            return self.desired.rollout(rollout_id)  # type: ignore[return-value]
        rollout = state.rollout(rollout_id)
        assert rollout is not None
        logger.warning(
            "rollout %s %s by %s%s", rollout_id, rollout.status.value, by,
            f": {reason}" if reason else "",
        )  # fmt: skip
        return rollout
