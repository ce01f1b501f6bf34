"""Admin changes to the desired state, as pure functions: each checks the change against the
state and the registry and returns the new state, or raises a 4xx error and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from adapters.gate import GateError, check_gate
from adapters.registry import RegistryEntry, parse_ref
from adapters.tasks import TASKS
from server.errors import ConflictError, InvalidRequestError, NotFoundError, UnprocessableError
from server.rollouts.state import (
    SHARED,
    AdapterPolicy,
    DesiredState,
    Rollout,
    RolloutStatus,
    Route,
    Transition,
)

# NAME@VERSION or NAME -> the verified registry entry (raises the 4xx errors itself)
Resolve = Callable[[str], RegistryEntry]


def check_task(task: str) -> None:
    if task not in TASKS:
        raise InvalidRequestError(
            f"unknown task {task!r}; one of: {', '.join(TASKS)}", param="task", code="unknown_task"
        )


def _entry(resolve: Resolve, ref: str, task: str, force: bool, param: str) -> RegistryEntry:
    """A registry version fit for the task's route: it exists, is for the task, passes its gate
    (or `force`)."""
    entry = resolve(ref)
    if entry.manifest.task != task:
        raise InvalidRequestError(
            f"{entry.ref} is a {entry.manifest.task} adapter, not {task}", param=param
        )
    try:
        check_gate(entry.manifest, force=force)
    except GateError as exc:
        raise UnprocessableError(str(exc), param=param, code="gate_failed") from exc
    return entry


def _allowed(state: DesiredState, name: str, tenant: str, param: str) -> None:
    policy = state.policy(name)
    if tenant == SHARED and policy.tenants is not None:
        raise InvalidRequestError(
            f"adapter '{name}' is for some tenants only; it cannot serve the shared route",
            param=param,
        )
    if not policy.allows(tenant):
        # Another tenant's adapter answers as unknown, as everywhere else.
        raise NotFoundError(
            f"adapter '{name}' does not exist", param=param, code="adapter_not_found"
        )


def _no_rollout(state: DesiredState, task: str, tenant: str) -> None:
    active = state.active_rollout(task, tenant)
    if active is not None:
        raise ConflictError(
            f"route {task} for tenant {tenant!r} has an active rollout ({active.id}); "
            "promote or roll it back first",
            code="rollout_active",
        )


def set_route(
    state: DesiredState, resolve: Resolve, task: str, tenant: str, adapter: str, force: bool
) -> DesiredState:
    check_task(task)
    entry = _entry(resolve, adapter, task, force, "adapter")
    _allowed(state, entry.name, tenant, "adapter")
    _no_rollout(state, task, tenant)
    new = state.model_copy(deep=True)
    new.routes = [r for r in new.routes if (r.task, r.tenant) != (task, tenant)]
    # NAME keeps following the version served by name; NAME@VERSION pins that version.
    new.routes.append(Route(task=task, tenant=tenant, adapter=adapter, force=force))
    return new


def delete_route(state: DesiredState, task: str, tenant: str) -> DesiredState:
    check_task(task)
    if not any((r.task, r.tenant) == (task, tenant) for r in state.routes):
        raise NotFoundError(f"no route {task} for tenant {tenant!r}", code="route_not_found")
    _no_rollout(state, task, tenant)
    new = state.model_copy(deep=True)
    new.routes = [r for r in new.routes if (r.task, r.tenant) != (task, tenant)]
    return new


def set_tenants(
    state: DesiredState, resolve: Resolve, name: str, tenants: list[str] | None
) -> DesiredState:
    resolve(name)  # the name exists in the registry
    if tenants is not None:
        for route in state.routes:
            if parse_ref(route.adapter)[0] == name and route.tenant not in tenants:
                raise ConflictError(
                    f"route {route.task} for tenant {route.tenant!r} uses '{name}'; "
                    "change that route first",
                    code="adapter_in_use",
                )
    new = state.model_copy(deep=True)
    policy = new.adapters.setdefault(name, AdapterPolicy())
    policy.tenants = sorted(set(tenants)) if tenants is not None else None
    return new


def start_rollout(
    state: DesiredState,
    resolve: Resolve,
    live: str,
    rollout: Rollout,
    force: bool,
) -> DesiredState:
    """`live`: NAME@VERSION serving the route now; `rollout` carries the rest."""
    check_task(rollout.task)
    entry = _entry(resolve, rollout.candidate, rollout.task, force, "candidate")
    _allowed(state, entry.name, rollout.tenant, "candidate")
    _no_rollout(state, rollout.task, rollout.tenant)
    if entry.ref == live:
        raise InvalidRequestError(
            f"{entry.ref} already serves this route", param="candidate", code="same_version"
        )
    new = state.model_copy(deep=True)
    started = rollout.model_copy(
        update={
            "id": f"ro-{uuid.uuid4().hex[:12]}",
            "live": live,
            "candidate": entry.ref,
            "force": force,
            "status": RolloutStatus.ACTIVE,
        }
    )
    started.history = [Transition(event="started", by=rollout.history[0].by)]
    new.rollouts.append(started)
    return new


def _find_active(state: DesiredState, rollout_id: str) -> Rollout:
    rollout = state.rollout(rollout_id)
    if rollout is None:
        raise NotFoundError(f"no rollout {rollout_id!r}", code="rollout_not_found")
    if not rollout.is_active:
        raise ConflictError(
            f"rollout {rollout_id} is already {rollout.status.value}", code="rollout_ended"
        )
    return rollout


def end_rollout(
    state: DesiredState, rollout_id: str, promote: bool, by: str, reason: str | None
) -> DesiredState:
    """Promote (the candidate serves the route) or roll back (the live version stays)."""
    new = state.model_copy(deep=True)
    rollout = _find_active(new, rollout_id)
    event = RolloutStatus.PROMOTED if promote else RolloutStatus.ROLLED_BACK
    rollout.status = event
    rollout.history.append(Transition(event=event.value, by=by, reason=reason))
    if not promote:
        return new
    name, version = parse_ref(rollout.candidate)
    route = new.route(rollout.task, rollout.tenant)
    on_own_route = route is not None and route.tenant == rollout.tenant
    follows_name = route is None or (on_own_route and route.adapter == name)
    if rollout.tenant == SHARED and follows_name:
        # The shared route follows NAME: the version served by name moves for every tenant.
        policy = new.adapters.setdefault(name, AdapterPolicy())
        policy.version, policy.force = version, rollout.force
        if route is not None or name != parse_ref(rollout.live)[0]:
            new.routes = [r for r in new.routes if (r.task, r.tenant) != (rollout.task, SHARED)]
            new.routes.append(Route(task=rollout.task, tenant=SHARED, adapter=name))
        return new
    new.routes = [r for r in new.routes if (r.task, r.tenant) != (rollout.task, rollout.tenant)]
    new.routes.append(
        Route(
            task=rollout.task,
            tenant=rollout.tenant,
            adapter=rollout.candidate,
            force=rollout.force,
        )
    )
    return new
