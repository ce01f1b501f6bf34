"""Bring the engine up in the background: base model, engine, start-up adapters."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.manifest import base_model_identity
from adapters.registry import Registry
from adapters.validation import BaseModelInfo
from server.adapter_manager import AdapterManager
from server.engine.config import apply_process_env, build_engine_config
from server.engine.errors import ArserveError
from server.engine.protocol import Engine
from server.errors import ConfigError
from server.gc_heap import freeze_startup_heap
from server.model_prep import prepare_default_model
from server.rollouts.controller import RolloutController
from server.rollouts.shadow import ShadowRunner
from server.rollouts.state import StateError, state_path
from server.settings import Settings
from server.state import AppState

if TYPE_CHECKING:
    from server.retrieval_runtime import RetrievalRuntime

logger = logging.getLogger(__name__)


def resolve_base_model(settings: Settings) -> Path | str:
    """The base model's folder (the prepared default, or a local folder), else a hub id."""
    if settings.base_model is None:
        return prepare_default_model(settings.cache_dir)
    path = Path(settings.base_model).expanduser()
    return path if path.is_dir() else settings.base_model


def base_model_folder(model: Path | str) -> Path:
    if isinstance(model, Path):
        return model
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(model, local_files_only=True))


def build_rollouts(state: AppState, manager: AdapterManager) -> RolloutController:
    metrics = state.metrics
    shadow = ShadowRunner(
        max_queue=state.settings.max_shadow_queue,
        timeout_s=state.settings.shadow_timeout_s,
        on_result=lambda result: metrics.shadow_runs.labels(result).inc(),
    )
    path = state_path(state.settings.registry_dir)
    try:
        return RolloutController(manager, path, metrics, shadow)
    except StateError as exc:
        raise ConfigError(str(exc)) from exc


def _base_sha256(model: Path | str) -> str | None:
    """The served base weights' sha256 (the audit names it); None when they are not on disk."""
    try:
        return base_model_identity(base_model_folder(model))[1]
    except (OSError, ValueError) as exc:  # a hub id not in the cache, a folder without weights
        logger.warning("base model weights not hashed: %s", exc)
        return None


async def attach_engine(state: AppState, engine: Engine, model: Path | str) -> None:
    """Load start-up adapters, then mark the server ready."""
    settings = state.settings
    state.base_model_sha256 = await asyncio.to_thread(_base_sha256, model)
    if settings.enable_lora:
        folder = base_model_folder(model)
        base = BaseModelInfo.from_folder(folder, aliases={engine.model_name})
        registry = Registry(settings.registry_dir)
        # Set first, so GET /v1/adapters shows the start-up adapters as they load.
        manager = AdapterManager(engine, base, registry, settings, state.metrics)
        state.adapter_manager = manager
        rollouts = build_rollouts(state, manager)  # a broken state file stops start-up
        await manager.load_startup(rollouts.pinned())
        try:
            await rollouts.reconcile()
        except ArserveError as exc:  # a pinned version that no longer loads: logged, not fatal
            logger.error("serving state not fully applied: %s", exc.message)
        state.rollouts = rollouts
    state.metrics.set_known_adapters({engine.model_name, *(a.name for a in engine.list_adapters())})
    state.engine = engine


async def start_retrieval(state: AppState) -> None:
    """Open the retrieval store, retrying with capped exponential backoff until it opens (a
    Qdrant server still starting, an embedded folder another process holds)."""
    settings = state.settings
    if not settings.enable_retrieval:
        state.retrieval_error = "retrieval is disabled (enable_retrieval=false)"
        return
    from retrieval.errors import RetrievalError
    from server.retrieval_runtime import backoff_delays

    delays = backoff_delays(settings.retrieval_retry_initial_s, settings.retrieval_retry_max_s)
    for attempt, delay in enumerate(delays, start=1):
        try:
            state.retrieval = await _open_once(settings)
        except Exception as exc:
            # Store errors say what failed (location and cause, never record contents); an
            # unexpected one gets its traceback the first time.
            expected = isinstance(exc, RetrievalError)
            logger.warning(
                "retrieval open attempt %d failed: %s; retrying in %gs",
                attempt, exc if expected else f"{type(exc).__name__}: {exc}", delay,
                exc_info=not expected and attempt == 1,
            )  # fmt: skip
            state.retrieval_error = f"open attempt {attempt} failed: {exc}; retrying in {delay:g}s"
            await asyncio.sleep(delay)
            continue
        state.retrieval_error = None
        logger.info("retrieval ready (attempt %d)", attempt)
        return


async def _open_once(settings: Settings) -> RetrievalRuntime:
    """One attempt in a thread; cancelled (the server stopping), the store it still opens is
    closed, so the folder's lock goes with the server."""
    from server.retrieval_runtime import open_retrieval

    opening = asyncio.ensure_future(asyncio.to_thread(open_retrieval, settings))
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_opened)
        raise


def _close_opened(opening: asyncio.Future[RetrievalRuntime]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().close()


def preload_imports(settings: Settings) -> None:
    """Import vLLM and the embedding stack one after the other, before the threads start.

    Both import transformers, whose lazy module is not thread-safe: imported concurrently,
    one side can fail with `cannot import name 'PreTrainedConfig' from 'transformers'`."""
    import server.engine.vllm_engine  # noqa: F401 - imports vllm, which imports transformers

    if settings.enable_retrieval:
        import llama_index.embeddings.huggingface  # noqa: F401 - sentence-transformers
        import transformers

        transformers.PreTrainedConfig  # noqa: B018 - resolve the lazy attributes vLLM uses
        transformers.AutoConfig  # noqa: B018


async def start(state: AppState) -> None:
    """Engine and retrieval store come up side by side."""
    try:
        await asyncio.to_thread(preload_imports, state.settings)
    except Exception as exc:  # the engine start-up below reports a broken vLLM install
        logger.warning("preloading imports failed: %s", exc)
    if state.retrieval is not None:
        await start_engine(state)
    else:
        await asyncio.gather(start_engine(state), start_retrieval(state))
    frozen = freeze_startup_heap()
    logger.info("start-up heap frozen out of the garbage collector (%d objects)", frozen)


async def start_engine(state: AppState) -> None:
    settings = state.settings
    try:
        model = await asyncio.to_thread(resolve_base_model, settings)
        options = settings.engine_options()
        config = build_engine_config(options, str(model))
        apply_process_env(options, config.device)
        logger.info(
            "starting engine: model=%s device=%s dtype=%s",
            config.served_model_name,
            config.device,
            config.dtype,
        )
        from server.engine.vllm_engine import VllmEngine

        engine = await asyncio.to_thread(VllmEngine.create, config)
        await attach_engine(state, engine, model)
        logger.info("ready: %d adapters", len(engine.list_adapters()))
    except Exception as exc:
        logger.exception("engine start-up failed")
        state.startup_error = f"engine start-up failed: {exc}"
