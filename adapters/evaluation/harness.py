"""Run a task's held-out set through an engine, the adapter beside the base-model baseline
(the best prompt we could write), and record the results in the manifest."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from adapters.data.records import Record, baseline_prompt, to_prompt
from adapters.evaluation.classification import classification_metrics
from adapters.evaluation.email_checks import check_email, email_metrics
from adapters.evaluation.engine import EvalEngine, EvalTypes, complete
from adapters.evaluation.judge import JudgeConfig, judge_emails
from adapters.manifest import sha256_file
from adapters.registry import RegistryEntry
from adapters.tasks import DISPUTE_CLASSIFIER, DISPUTE_LABELS

SYSTEMS = ("adapter", "baseline")
_ids = itertools.count()


@dataclass
class EvalOptions:
    concurrency: int = 16
    max_examples: int | None = None
    email_max_tokens: int = 450
    judge: JudgeConfig | None = None  # off by default
    progress: bool = True


@dataclass
class EvalResult:
    ref: str
    task: str
    n: int
    metrics: dict[str, dict[str, Any]]  # system -> metrics
    summary: dict[str, float]  # flat adapter metrics and gains, what the gate reads
    predictions: list[dict[str, Any]] = field(default_factory=list)
    test_set: dict[str, Any] = field(default_factory=dict)
    engine_model: str = ""
    seconds: float = 0.0
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


async def load_adapter(
    engine: EvalEngine, entry: RegistryEntry, types: EvalTypes | None = None
) -> None:
    """Load a verified registry entry into the engine under its name."""
    types = types or EvalTypes()
    m = entry.manifest
    await engine.add_adapter(
        types.adapter_info(
            name=entry.name, path=str(entry.path), rank=m.rank, version=entry.version, task=m.task
        )
    )


def _sampling(task: str, types: EvalTypes, options: EvalOptions) -> Any:
    if task == DISPUTE_CLASSIFIER:
        return types.sampling(
            max_tokens=16,
            temperature=0.0,
            structured=types.structured(choice=tuple(DISPUTE_LABELS)),
        )
    return types.sampling(max_tokens=options.email_max_tokens, temperature=0.0)


async def _run_all(
    engine: EvalEngine,
    prompts: list[tuple[str, str | None]],
    sampling: Any,
    concurrency: int,
    progress: bool,
) -> list[str]:
    sem = asyncio.Semaphore(concurrency)
    bar = tqdm(total=len(prompts), desc="eval", unit="req", disable=not progress)

    async def one(prompt: str, adapter: str | None) -> str:
        async with sem:
            out = await complete(engine, f"eval-{next(_ids)}", prompt, sampling, adapter)
            bar.update(1)
            return out.text

    try:
        return list(await asyncio.gather(*(one(p, a) for p, a in prompts)))
    finally:
        bar.close()


async def evaluate(
    entry: RegistryEntry,
    engine: EvalEngine,
    rows: list[Record],
    types: EvalTypes | None = None,
    options: EvalOptions | None = None,
    test_path: Path | None = None,
) -> EvalResult:
    """Evaluate an adapter already loaded in engine under entry.name."""
    types, options = types or EvalTypes(), options or EvalOptions()
    task = entry.manifest.task
    rows = rows[: options.max_examples] if options.max_examples else rows
    start = asyncio.get_running_loop().time()
    prompts: list[tuple[str, str | None]] = [
        (engine.render_chat(to_prompt(task, r)[0]), entry.name) for r in rows
    ]
    prompts += [(engine.render_chat(baseline_prompt(task, r)), None) for r in rows]
    outputs = await _run_all(
        engine, prompts, _sampling(task, types, options), options.concurrency, options.progress
    )
    by_system = {"adapter": outputs[: len(rows)], "baseline": outputs[len(rows) :]}
    if task == DISPUTE_CLASSIFIER:
        metrics, summary, preds = _score_classifier(rows, by_system)
    else:
        metrics, summary, preds = _score_emails(rows, by_system)
        if options.judge is not None:
            for system in SYSTEMS:
                metrics[system]["judge"] = await judge_emails(
                    options.judge, rows, by_system[system]
                )
    result = EvalResult(
        entry.ref,
        task,
        len(rows),
        metrics,
        summary,
        preds,
        engine_model=str(getattr(engine, "model_name", "")),
    )
    if test_path is not None:
        result.test_set = {"path": test_path.name, "sha256": sha256_file(test_path), "n": len(rows)}
    result.seconds = round(asyncio.get_running_loop().time() - start, 1)
    return result


def _score_classifier(
    rows: list[Record], outs: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, float], list[dict[str, Any]]]:
    gold = [r["label"] for r in rows]
    labels = list(DISPUTE_LABELS)
    metrics = {
        s: classification_metrics(gold, [o.strip() for o in outs[s]], labels).to_dict()
        for s in SYSTEMS
    }
    a, b = metrics["adapter"], metrics["baseline"]
    summary = {
        "accuracy": a["accuracy"],
        "macro_f1": a["macro_f1"],
        "baseline_accuracy": b["accuracy"],
        "baseline_macro_f1": b["macro_f1"],
        "macro_f1_gain_over_baseline": round(a["macro_f1"] - b["macro_f1"], 4),
    }
    preds = [
        {
            "id": r.get("id"),
            "gold": r["label"],
            "adapter": outs["adapter"][i].strip(),
            "baseline": outs["baseline"][i].strip(),
        }
        for i, r in enumerate(rows)
    ]
    return metrics, summary, preds


def _score_emails(
    rows: list[Record], outs: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, float], list[dict[str, Any]]]:
    checks = {
        s: [
            check_email(o, r["context"], r["email_type"])
            for o, r in zip(outs[s], rows, strict=True)
        ]
        for s in SYSTEMS
    }
    metrics: dict[str, Any] = {s: email_metrics(checks[s]) for s in SYSTEMS}
    a, b = metrics["adapter"], metrics["baseline"]
    summary = {k: v for k, v in a.items() if k != "n"}
    summary |= {f"baseline_{k}": v for k, v in b.items() if k != "n"}
    summary["grounded_gain_over_baseline"] = round(a["grounded_rate"] - b["grounded_rate"], 4)
    preds = [
        {
            "id": r.get("id"),
            "email_type": r["email_type"],
            **{s: {"draft": outs[s][i], **checks[s][i].to_dict()} for s in SYSTEMS},
        }
        for i, r in enumerate(rows)
    ]
    return metrics, summary, preds
