"""The app factory: create_app(settings, engine)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import FastAPI

from server.api.adapters.router import router as adapters_router
from server.api.adapters.service import AdapterAdmin
from server.api.ar_emails.router import router as ar_emails_router
from server.api.ar_emails.service import EmailService
from server.api.chat.router import router as chat_router
from server.api.chat.service import ChatService
from server.api.completions.router import router as completions_router
from server.api.completions.service import CompletionService
from server.api.disputes.router import router as disputes_router
from server.api.disputes.service import DisputeService
from server.api.errors import install_error_handlers
from server.api.health.router import router as health_router
from server.api.limits import BodyLimitMiddleware
from server.api.metrics_router import router as metrics_router
from server.api.models.router import router as models_router
from server.api.services import Services
from server.auth import KeyStore
from server.engine.protocol import Engine
from server.settings import Settings
from server.startup import start, start_retrieval
from server.state import Admission, AppState

if TYPE_CHECKING:
    from server.retrieval_runtime import RetrievalRuntime


def build_services(state: AppState) -> Services:
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
    retrieval_ready = retrieval is not None or not settings.enable_retrieval
    if engine is not None:
        state.metrics.set_known_adapters(
            {engine.model_name, *(a.name for a in engine.list_adapters())}
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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

    app = FastAPI(title="arserve", version="0.1.0", lifespan=lifespan)
    app.state.arserve = state
    app.state.services = build_services(state)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    for router in (
        health_router,
        models_router,
        chat_router,
        completions_router,
        adapters_router,
        metrics_router,
        ar_emails_router,
        disputes_router,
    ):
        app.include_router(router)
    return app
