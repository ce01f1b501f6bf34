"""Bring the engine up in the background: base model, engine, start-up adapters."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from adapters.validation import BaseModelInfo, discover_adapters
from server.engine.config import apply_process_env, build_engine_config
from server.engine.protocol import AdapterInfo, Engine
from server.model_prep import prepare_default_model
from server.settings import Settings
from server.state import AdapterStatus, AppState

logger = logging.getLogger(__name__)


def resolve_base_model(settings: Settings) -> Path | str:
    """The base model's folder (the prepared default, or a local folder), else a hub id."""
    if settings.base_model is None:
        return prepare_default_model(settings.cache_dir)
    path = Path(settings.base_model).expanduser()
    return path if path.is_dir() else settings.base_model


def _base_folder(model: Path | str) -> Path:
    if isinstance(model, Path):
        return model
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(model, local_files_only=True))


async def load_startup_adapters(state: AppState, engine: Engine, model: Path | str) -> None:
    """Validate and register every adapter folder; skip bad ones with a logged reason."""
    settings = state.settings
    if not settings.enable_lora or settings.adapters_dir is None:
        return
    base = BaseModelInfo.from_folder(_base_folder(model), aliases={engine.model_name})
    good, skipped = discover_adapters(settings.adapters_dir, base, settings.max_lora_rank)
    for name, reason in skipped.items():
        logger.warning("adapter %s skipped: %s", name, reason)
        state.adapters[name] = AdapterStatus(name, "error", reason=reason)
    for spec in good:
        state.adapters[spec.name] = AdapterStatus(spec.name, "loading", rank=spec.rank)
        try:
            await engine.add_adapter(AdapterInfo(spec.name, str(spec.path), spec.rank))
        except Exception as exc:  # noqa: BLE001 - one bad adapter must not stop the server
            logger.warning("adapter %s failed to load: %s", spec.name, exc)
            state.adapters[spec.name] = AdapterStatus(spec.name, "error", reason=str(exc))
            state.metrics.adapter_events.labels("failure").inc()
            continue
        state.adapters[spec.name].status = "ready"
        state.metrics.adapter_events.labels("load").inc()
        state.metrics.adapters_loaded.labels(spec.name, "").set(1)
    state.metrics.set_known_adapters({engine.model_name, *(a.name for a in engine.list_adapters())})


async def start_engine(state: AppState) -> None:
    settings = state.settings
    try:
        model = await asyncio.to_thread(resolve_base_model, settings)
        config = build_engine_config(settings, str(model))
        apply_process_env(settings, config.device)
        logger.info(
            "starting engine: model=%s device=%s dtype=%s",
            config.served_model_name,
            config.device,
            config.dtype,
        )
        from server.engine.vllm_engine import VllmEngine

        engine = await asyncio.to_thread(VllmEngine.create, config)
        await load_startup_adapters(state, engine, model)
        state.metrics.set_known_adapters(
            {engine.model_name, *(a.name for a in engine.list_adapters())}
        )
        state.engine = engine
        logger.info("ready: %d adapters", len(engine.list_adapters()))
    except Exception as exc:
        logger.exception("engine start-up failed")
        state.startup_error = f"engine start-up failed: {exc}"
