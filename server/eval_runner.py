"""The evaluation harness's requests, run on the engine protocol (adapters/ never sees it)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.data.records import read_jsonl
from adapters.evaluation.calibration import Calibration, fit_calibration, in_half
from adapters.evaluation.harness import Complete, Completion, EvalRequest, adapter_distributions
from adapters.manifest import sha256_file
from adapters.prompts import Record
from adapters.prompts.dispute_classifier import first_tokens, label_distribution
from adapters.registry import RegistryEntry
from adapters.tasks import DISPUTE_LABELS
from server.engine.protocol import (
    AdapterInfo,
    Engine,
    SamplingConfig,
    StructuredOutput,
    TokenLogprob,
)
from server.settings import Settings


class EngineRunner:
    """`Complete` for `adapters.evaluation.harness.evaluate`, on any `Engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ids = itertools.count()
        self._firsts: dict[tuple[str, ...], dict[str, int]] = {}

    async def load(self, entry: RegistryEntry) -> None:
        """Load a verified registry entry into the engine under its name."""
        m = entry.manifest
        await self.engine.add_adapter(
            AdapterInfo(entry.name, str(entry.path), m.rank, entry.version, m.task)
        )

    def _first_tokens(self, choices: tuple[str, ...]) -> dict[str, int]:
        if choices not in self._firsts:
            self._firsts[choices] = first_tokens(self.engine.tokenize, choices)
        return self._firsts[choices]

    async def __call__(self, request: EvalRequest) -> str | Completion:
        structured = StructuredOutput(choice=request.choices) if request.choices else None
        firsts = None
        if request.distribution and request.choices:
            # as the disputes service asks: one constrained step, the choices' first tokens
            firsts = self._first_tokens(request.choices)
            sampling = SamplingConfig(
                max_tokens=1,
                temperature=0.0,
                logprob_token_ids=tuple(firsts.values()),
                structured=structured,
            )
        else:
            sampling = SamplingConfig(
                max_tokens=request.max_tokens, temperature=0.0, structured=structured
            )
        chat = self.engine.render_chat(request.messages)
        # token ids, as the service sends them, when the distribution is compared with serving
        prompt: str | list[int] = chat if firsts is None else self.engine.tokenize(chat)
        parts: list[str] = []
        steps: list[TokenLogprob] = []
        stream = self.engine.generate(f"eval-{next(self._ids)}", prompt, sampling, request.adapter)
        async for chunk in stream:
            for d in chunk.deltas:
                if d.index == 0:
                    parts.append(d.text)
                    steps += d.logprobs
        text = "".join(parts)
        if firsts is None:
            return text
        step = steps[0]
        logprobs = {tid: lp for tid, (_, lp) in zip(step.top_ids, step.top, strict=True)}
        return Completion(text, label_distribution(logprobs, firsts))


@asynccontextmanager
async def open_runner(settings: Settings, entry: RegistryEntry) -> AsyncIterator[EngineRunner]:
    """A vLLM engine for the settings' base model with the entry loaded, shut down on leaving."""
    from server.engine.config import apply_process_env, build_engine_config
    from server.engine.vllm_engine import VllmEngine
    from server.startup import base_model_folder, resolve_base_model

    engine_options = settings.engine_options()
    base = base_model_folder(resolve_base_model(settings))
    config = build_engine_config(engine_options, str(base))
    apply_process_env(engine_options, config.device)
    engine = await asyncio.to_thread(VllmEngine.create, config)
    runner = EngineRunner(engine)
    try:
        await runner.load(entry)
        yield runner
    finally:
        await engine.shutdown()


async def calibrate_entry(
    complete: Complete,
    entry: RegistryEntry,
    rows: list[Record],
    fitted_on: dict[str, Any],
    target_precision: float,
    min_routed: int,
    concurrency: int = 16,
) -> dict[str, Any]:
    """Fit the entry's calibration on the rows, write calibration.json into its folder and
    return what was fitted, with the file's path and sha256."""
    dists = await adapter_distributions(complete, entry.name, rows, concurrency, True)
    gold = [r["label"] for r in rows]
    fit = fit_calibration(dists, gold, DISPUTE_LABELS, target_precision, min_routed)
    cal = Calibration(
        adapter=entry.ref,
        adapter_sha256=entry.manifest.adapter_sha256,
        target_precision=target_precision,
        fitted_on=fitted_on,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        **fit,
    )
    written = cal.write(entry.path)
    return {"file": str(written), "sha256": sha256_file(written), **fit}


REPO = Path(__file__).resolve().parents[1]


def calibration_rows(
    path: Path, skip: int, half: str | None, min_rows: int, seen_cores: bool = False
) -> tuple[list[Record], dict[str, Any]]:
    """The rows to calibrate on, and what calibration.json records about them (`path`,
    `sha256`, `n`, `skipped`, `half`, and the share whose core training also used). Raises
    ValueError for too few rows, or mostly seen cores unless `seen_cores`."""
    rows = [r for r in read_jsonl(path, skip=skip) if half is None or in_half(r, half)]
    if len(rows) < min_rows:
        raise ValueError(f"{len(rows)} rows after skipping {skip}; calibration needs {min_rows}")
    train = path.parent / "train.jsonl"
    cores = {r.get("core") for r in read_jsonl(train)} - {None} if train.is_file() else set()
    seen = sum(r.get("core") in cores for r in rows) / len(rows)
    if seen > 0.5 and not seen_cores:
        # rows varied from training's messages fit the training distribution, not new text
        raise ValueError(
            f"{seen:.0%} of the rows share their core with training rows; calibrate on held-out "
            "cores (e.g. --data .../test.jsonl --half a) or pass --seen-cores"
        )
    shown = path.resolve().relative_to(REPO) if path.resolve().is_relative_to(REPO) else path
    return rows, {
        "path": str(shown),
        "sha256": sha256_file(path),
        "n": len(rows),
        "skipped": skip,
        "half": half,
        "cores_seen_in_training": round(seen, 4),
    }
