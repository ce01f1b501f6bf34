"""The app factory: create_app(settings, engine)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from server import errors
from server.api.adapters.router import router as adapters_router
from server.api.adapters.service import AdapterAdmin
from server.api.ar_emails.router import router as ar_emails_router
from server.api.ar_emails.service import EmailService
from server.api.audit.router import router as audit_router
from server.api.audit.service import AuditService
from server.api.chat.router import router as chat_router
from server.api.chat.service import ChatService
from server.api.completions.router import router as completions_router
from server.api.completions.service import CompletionService
from server.api.disconnect import CancelOnDisconnect
from server.api.disputes.router import router as disputes_router
from server.api.disputes.service import DisputeService
from server.api.errors import exception_to_response, install_error_handlers
from server.api.health.router import router as health_router
from server.api.limits import BodyLimitMiddleware
from server.api.metrics_router import router as metrics_router
from server.api.models.router import router as models_router
from server.api.openapi import error_responses, install_openapi
from server.api.records.router import router as records_router
from server.api.records.service import RecordsService
from server.api.request_log import RequestLog
from server.api.rollouts.router import router as rollouts_router
from server.api.rollouts.service import RolloutAdmin
from server.api.services import Services
from server.audit.log import AuditLog
from server.auth import KeyStore
from server.engine.protocol import Engine
from server.errors import AuthenticationError
from server.settings import Settings
from server.startup import start, start_retrieval
from server.state import Admission, AppState
from server.tracing import tracer

if TYPE_CHECKING:
    from server.retrieval_runtime import RetrievalRuntime


# Probes answer without a key; /metrics decides itself (public on loopback by default).
OPEN_PATHS = frozenset({"/health", "/ready", "/metrics"})


def auth_error_response(exc: AuthenticationError) -> JSONResponse:
    """A 401 that names the scheme it expects (RFC 7235)."""
    response = exception_to_response(exc)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


class AuthGate:
    """With a keys file, every path but the open ones needs a valid key, checked before the
    body is read: an unauthenticated request gets 401 whatever its body. Scopes are checked
    by the endpoints' dependencies, which find the principal in the request state."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state  # keys are read per request: a reloaded key store takes effect

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        keys = self.state.keys
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or keys is None:
            await self.app(scope, receive, send)
            return
        with tracer().start_as_current_span("auth"):
            try:
                principal = keys.authenticate(Headers(scope=scope).get("authorization"))
            except AuthenticationError as exc:
                await auth_error_response(exc)(scope, receive, send)
                return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


class DropQueryString(logging.Filter):
    """Access-log lines show the path without its query string: a key or a customer id sent
    as a query parameter must not land in the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access line: (client, method, path?query, http version, status).
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str):
                record.args = (client, method, path.partition("?")[0], version, status)
        return True


def drop_query_strings_from_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, DropQueryString) for f in access.filters):
        access.addFilter(DropQueryString())


class HeaderLimit:
    """Request line and headers over max_header_bytes get 431. uvicorn's h11 buffer refuses
    far larger ones (400) before buffering them; what arrives in one read it parses whole,
    so the exact bound is here."""

    def __init__(self, app: ASGIApp, max_header_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
            size += sum(len(k) + len(v) + 4 for k, v in scope["headers"])
            if size > self.max_header_bytes:
                body = errors.error_body(
                    f"request headers over {self.max_header_bytes} bytes",
                    "invalid_request_error",
                    code="headers_too_large",
                )
                await JSONResponse(body, status_code=431)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_services(state: AppState, audit: AuditLog | None = None) -> Services:
    """Each endpoint's service, built once; those that need the engine or the store are built
    the first time they are asked for once it is ready."""
    services = Services()
    services.add(ChatService, lambda: ChatService(state, state.ready_engine()))
    services.add(CompletionService, lambda: CompletionService(state, state.ready_engine()))
    services.add(DisputeService, lambda: DisputeService(state, state.ready_engine()))
    services.add(
        EmailService, lambda: EmailService(state, state.ready_engine(), state.ready_retrieval())
    )
    services.add(AdapterAdmin, lambda: AdapterAdmin(state))
    services.add(RolloutAdmin, lambda: RolloutAdmin(state))
    services.add(RecordsService, lambda: RecordsService(state, state.ready_retrieval()))
    services.add(AuditService, lambda: AuditService(audit))
    return services


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    retrieval: RetrievalRuntime | None = None,
) -> FastAPI:
    """Build the app. Without an engine, the lifespan starts the vLLM engine in the background
    (so /health answers at once and /ready says 503 until the model is loaded); likewise the
    retrieval store unless one is handed in."""
    settings = settings or Settings()
    keys = KeyStore.load(settings.keys_file) if settings.keys_file else None
    state = AppState(
        settings=settings,
        keys=keys,
        admission=Admission(settings.max_num_seqs, settings.max_waiting_requests),
        engine=engine,
        retrieval=retrieval,
    )
    state.admission.on_reject = state.metrics.requests_rejected.inc
    state.metrics.price_per_hour.set(settings.price_per_hour)
    retrieval_ready = retrieval is not None or not settings.enable_retrieval
    if engine is not None:
        state.metrics.set_known_adapters(
            {engine.model_name, *(a.name for a in engine.list_adapters())}
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Here, not in create_app: uvicorn configures its loggers after the app is built.
        drop_query_strings_from_access_log()
        if engine is None:
            task = asyncio.create_task(start(state))
        elif retrieval_ready:
            task = None
        else:
            task = asyncio.create_task(start_retrieval(state))
        yield
        if task is not None:
            task.cancel()
        if state.engine is not None and engine is None:
            await state.engine.shutdown()
        if state.retrieval is not None:
            state.retrieval.close()

    # With keys the interactive docs and the schema are off: a browser's /docs cannot send
    # the key, and the schema is not for anonymous callers (README, "API keys").
    docs = keys is None
    app = FastAPI(
        title="arserve",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.arserve = state
    # The one audit log of this app (None when off): the request log writes it, the audit
    # route reads it. Opening it does no I/O (the first record creates its file).
    audit = AuditLog.open(settings)
    app.state.audit = audit
    app.state.services = build_services(state, audit)
    install_error_handlers(app)

    async def handle_auth_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AuthenticationError)
        return auth_error_response(exc)

    app.add_exception_handler(AuthenticationError, handle_auth_error)
    # Innermost: it cancels the handler itself when the client goes away.
    app.add_middleware(CancelOnDisconnect)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    if keys is not None:
        # Added last, so it runs first: before the body limit and any parsing.
        app.add_middleware(AuthGate, state=state)
    app.add_middleware(HeaderLimit, max_header_bytes=settings.max_header_bytes)
    # Outermost: a 431 or a 401 gets its id and line too.
    app.add_middleware(
        RequestLog, audit=audit, on_audit_error=state.metrics.audit_write_failures.inc
    )
    # The probes' own routers (server/api/health) declare no errors; the middlewares' are these.
    app.include_router(health_router, responses=error_responses())
    for router in (
        models_router,
        chat_router,
        completions_router,
        adapters_router,
        metrics_router,
        ar_emails_router,
        disputes_router,
        records_router,
        audit_router,
        rollouts_router,
    ):
        app.include_router(router)
    install_openapi(app, OPEN_PATHS, probe_path="/ready")
    return app
