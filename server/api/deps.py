"""FastAPI dependencies: app state, the ready engine, the caller's identity, the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from server.api.request_log import note
from server.api.services import Services
from server.auth import LOCAL_PRINCIPAL, Principal
from server.engine.protocol import Engine
from server.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.arserve  # type: ignore[no-any-return]


StateDep = Annotated[AppState, Depends(get_state)]


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def get_engine(state: StateDep) -> Engine:
    return state.ready_engine()


def get_principal(
    request: Request, state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    if state.keys is None:
        principal: Principal = LOCAL_PRINCIPAL
    else:
        # The app's AuthGate has authenticated the caller already, before the body was read.
        found = getattr(request.state, "principal", None)
        principal = (
            found if isinstance(found, Principal) else state.keys.authenticate(authorization)
        )
    note(tenant=principal.tenant_id, key_id=principal.key_id)
    return principal


def require_infer(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("infer")
    return principal


def require_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("admin")
    return principal


def require_data(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("data")
    return principal


def require_read(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """Reading a customer's context: whoever may draft from it (infer) or write it (data)."""
    principal.require_any("infer", "data")
    return principal


EngineDep = Annotated[Engine, Depends(get_engine)]
InferPrincipal = Annotated[Principal, Depends(require_infer)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
DataPrincipal = Annotated[Principal, Depends(require_data)]
ReadPrincipal = Annotated[Principal, Depends(require_read)]
