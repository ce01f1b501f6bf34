"""FastAPI dependencies: app state, the ready engine, the caller's identity, the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from server.api.adapters.service import AdapterAdmin
from server.api.ar_emails.service import EmailService
from server.api.chat.service import ChatService
from server.api.completions.service import CompletionService
from server.api.disputes.service import DisputeService
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
    state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    if state.keys is None:
        return LOCAL_PRINCIPAL
    return state.keys.authenticate(authorization)


def require_infer(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("infer")
    return principal


def require_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("admin")
    return principal


# Each service dependency answers 503 while what the service needs is not ready; declared
# after the principal, so a bad key still gets its 401 first.
def get_chat(services: ServicesDep) -> ChatService:
    return services.chat.get()


def get_completions(services: ServicesDep) -> CompletionService:
    return services.completions.get()


def get_disputes(services: ServicesDep) -> DisputeService:
    return services.disputes.get()


def get_emails(services: ServicesDep) -> EmailService:
    return services.emails.get()


def get_adapter_admin(services: ServicesDep) -> AdapterAdmin:
    return services.adapters


EngineDep = Annotated[Engine, Depends(get_engine)]
InferPrincipal = Annotated[Principal, Depends(require_infer)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
ChatDep = Annotated[ChatService, Depends(get_chat)]
CompletionsDep = Annotated[CompletionService, Depends(get_completions)]
DisputesDep = Annotated[DisputeService, Depends(get_disputes)]
EmailsDep = Annotated[EmailService, Depends(get_emails)]
AdapterAdminDep = Annotated[AdapterAdmin, Depends(get_adapter_admin)]
