"""What GET /ready checks: the engine, the adapters the domain routes use, and retrieval.

Each check is bounded by CHECK_TIMEOUT_S and they run side by side, so a probe answers
within about that time whatever hangs. A dependency the settings turn off reports
"disabled" and does not block.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from server.adapter_manager import AdapterState
from server.api.health.protocol import AdapterCheck, Check, CheckStatus, ReadyChecks
from server.engine.errors import ArserveError
from server.settings import Settings
from server.state import AppState

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 1.5


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ArserveError):
        return exc.message
    return str(exc) or type(exc).__name__


async def _bounded(call: Awaitable[None], what: str) -> Check:
    try:
        await asyncio.wait_for(call, CHECK_TIMEOUT_S)
    except TimeoutError:
        return Check(status="down", detail=f"{what} did not answer within {CHECK_TIMEOUT_S:g}s")
    except Exception as exc:  # any failure of the dependency is "down", with its reason
        return Check(status="down", detail=_reason(exc))
    return Check(status="ok")


async def engine_check(state: AppState) -> Check:
    if state.engine is None:
        return Check(status="down", detail=state.startup_error or "the model is still loading")
    return await _bounded(state.engine.check_health(), "the engine")


def required_adapters(settings: Settings) -> list[str]:
    """The adapters the e-mail and dispute routes send requests to."""
    names = {settings.dispute_adapter, settings.email_adapter}
    return sorted(names | set(settings.email_adapter_routes.values()))


def adapters_check(state: AppState) -> AdapterCheck:
    """A required adapter that failed (or is loading) blocks: its routes would fail, and a
    rolling update should stop at the broken pod. Any other failed adapter is counted but
    does not block, nor does a required one that is not shipped or was unloaded."""
    settings = state.settings
    statuses = state.adapters
    loaded = sum(s.ready for s in statuses.values())
    failed = sum(s.status is AdapterState.ERROR for s in statuses.values())
    if state.adapter_manager is None and state.engine is not None:
        loaded = len(state.engine.list_adapters())  # an engine handed in, adapters and all
    required = required_adapters(settings)
    status, detail = _adapters_status(state, required)
    return AdapterCheck(
        status=status, detail=detail, loaded=loaded, failed=failed, required=required
    )


def _adapters_status(state: AppState, required: list[str]) -> tuple[CheckStatus, str | None]:
    statuses = state.adapters
    if not state.settings.enable_lora:
        return "disabled", "enable_lora=false"
    if state.engine is None:
        return "down", "start-up adapters load once the engine is up"
    # Names and states only: the probe is open, and a reason can name server paths (an admin
    # key reads it in GET /v1/adapters).
    blocking = [
        f"{name} {s.status.value}"
        for name in required
        if (s := statuses.get(name)) is not None and not s.ready
    ]
    if blocking:
        return "down", f"{', '.join(blocking)} (reasons: GET /v1/adapters)"
    refused = sorted(n for n, s in statuses.items() if s.status is AdapterState.ERROR)
    return "ok", f"not loaded: {', '.join(refused)}" if refused else None


async def retrieval_check(state: AppState) -> Check:
    if not state.settings.enable_retrieval:
        return Check(status="disabled", detail="enable_retrieval=false")
    runtime = state.retrieval
    if runtime is None:
        return Check(
            status="down", detail=state.retrieval_error or "the retrieval store is still opening"
        )
    return await _bounded(runtime.check(CHECK_TIMEOUT_S), "the retrieval store")


async def run_checks(state: AppState) -> ReadyChecks:
    engine, retrieval = await asyncio.gather(engine_check(state), retrieval_check(state))
    checks = ReadyChecks(engine=engine, adapters=adapters_check(state), retrieval=retrieval)
    _log_changes(state, checks)
    return checks


def _parts(checks: ReadyChecks) -> dict[str, Check]:
    return {"engine": checks.engine, "adapters": checks.adapters, "retrieval": checks.retrieval}


def _log_changes(state: AppState, checks: ReadyChecks) -> None:
    """One line when a dependency goes down or comes back, not one per probe."""
    for name, check in _parts(checks).items():
        if state.last_checks.get(name, "ok") != check.status and check.status != "disabled":
            level = logging.WARNING if check.status == "down" else logging.INFO
            logger.log(level, "readiness: %s %s%s", name, check.status,
                       f": {check.detail}" if check.status == "down" else "")  # fmt: skip
        state.last_checks[name] = check.status


def down(checks: ReadyChecks) -> dict[str, Check]:
    """The checks that block readiness."""
    return {name: c for name, c in _parts(checks).items() if c.status == "down"}
