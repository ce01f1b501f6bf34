"""Routes, tenant access and rollouts for admins: every change goes through the controller,
which checks it, loads what it needs, persists it atomically and then serves it."""

from __future__ import annotations

import logging
from typing import Any

from adapters.registry import parse_ref
from adapters.tasks import DISPUTE_CLASSIFIER, EMAIL_DRAFTER
from server.api.rollouts.protocol import RolloutIn, RouteIn
from server.errors import ConflictError, InvalidRequestError, NotFoundError
from server.rollouts import changes
from server.rollouts.controller import RolloutController
from server.rollouts.state import Rollout, Transition
from server.state import AppState

logger = logging.getLogger(__name__)


class RolloutAdmin:
    def __init__(self, state: AppState) -> None:
        self.state = state

    def _controller(self) -> RolloutController:
        self.state.ready_engine()  # 503 while the engine loads (the controller comes with it)
        if self.state.rollouts is None:
            raise InvalidRequestError("LoRA is disabled on this server (enable_lora=false)")
        return self.state.rollouts

    def _default(self, task: str) -> str:
        settings = self.state.settings
        return {
            DISPUTE_CLASSIFIER: settings.dispute_adapter,
            EMAIL_DRAFTER: settings.email_adapter,
        }[task]

    def live_ref(self, task: str, tenant: str) -> str:
        """NAME@VERSION serving the route now."""
        controller = self._controller()
        route = controller.desired.route(task, tenant)
        key = controller.key_of(route.adapter) if route else self._default(task)
        status = controller.manager.statuses.get(key)
        if status is None or not status.ready or not status.version:
            raise ConflictError(
                f"the route's adapter '{key}' is not loaded from the registry; load it first",
                code="route_not_served",
            )
        return status.ref

    # --- routes and access ---------------------------------------------------------------
    def table(self) -> dict[str, Any]:
        desired = self._controller().desired
        adapters = [{"name": n, **p.model_dump()} for n, p in sorted(desired.adapters.items())]
        return {
            "object": "routing_table",
            "generation": desired.generation,
            "routes": [r.model_dump() for r in desired.routes],
            "adapters": adapters,
        }

    async def set_route(self, req: RouteIn) -> dict[str, Any]:
        controller = self._controller()
        resolve = controller.manager.resolve
        await controller.apply(
            lambda s: changes.set_route(s, resolve, req.task, req.tenant, req.adapter, req.force)
        )
        return self.table()

    async def delete_route(self, task: str, tenant: str) -> dict[str, Any]:
        await self._controller().apply(lambda s: changes.delete_route(s, task, tenant))
        return self.table()

    async def set_tenants(self, name: str, tenants: list[str] | None) -> dict[str, Any]:
        controller = self._controller()
        if "@" in name:
            raise InvalidRequestError("access is per adapter name, not per version", param="name")
        resolve = controller.manager.resolve
        await controller.apply(lambda s: changes.set_tenants(s, resolve, name, tenants))
        return self.table()

    # --- rollouts ------------------------------------------------------------------------
    def _out(self, rollout: Rollout) -> dict[str, Any]:
        controller = self._controller()
        arms = controller.arms(rollout.id)
        out = rollout.model_dump()
        out["object"] = "rollout"
        out["scores"] = {arm: scores.summary() for arm, scores in arms.items()}
        if rollout.mode == "shadow":
            stats = controller.shadow.stats
            out["shadow"] = {
                "submitted": stats.num_submitted,
                "pending": stats.num_pending,
                "dropped": stats.num_dropped,
                "done": stats.num_done,
                "failed": stats.num_failed,
            }
        return out

    def list(self) -> dict[str, Any]:
        desired = self._controller().desired
        data = [self._out(r) for r in reversed(desired.rollouts)]  # newest first
        return {"object": "list", "generation": desired.generation, "data": data}

    def get(self, rollout_id: str) -> dict[str, Any]:
        rollout = self._controller().desired.rollout(rollout_id)
        if rollout is None:
            raise NotFoundError(f"no rollout {rollout_id!r}", code="rollout_not_found")
        return self._out(rollout)

    async def start(self, req: RolloutIn, by: str) -> dict[str, Any]:
        controller = self._controller()
        changes.check_task(req.task)
        if parse_ref(req.candidate)[1] is None:
            raise InvalidRequestError(
                "candidate must name a version: NAME@VERSION", param="candidate"
            )
        live = self.live_ref(req.task, req.tenant)
        draft = Rollout(
            id="-",
            task=req.task,
            tenant=req.tenant,
            live=live,
            candidate=req.candidate,
            mode=req.mode,
            share=req.share,
            margin=req.margin,
            min_requests=req.min_requests,
            history=[Transition(event="started", by=by)],
        )
        resolve = controller.manager.resolve
        state = await controller.apply(
            lambda s: changes.start_rollout(s, resolve, live, draft, req.force)
        )
        started = state.rollouts[-1]
        logger.warning(
            "rollout %s started by %s: %s on %s for tenant %r, %s at %.2f",
            started.id, by, started.candidate, started.live, started.tenant, started.mode,
            started.share,
        )  # fmt: skip
        return self._out(started)

    async def end(
        self, rollout_id: str, promote: bool, by: str, reason: str | None
    ) -> dict[str, Any]:
        rollout = await self._controller().end(rollout_id, promote, by, reason)
        return self._out(rollout)
