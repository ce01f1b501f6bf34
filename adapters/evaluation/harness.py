"""Run a task's held-out set, the adapter beside the base-model baseline (the best prompt we
could write), and score it; `report.py` records the results in the manifest.

The harness never sees an engine: it builds plain `EvalRequest`s and awaits a `Complete`
callable that runs one (the server implements it on its engine protocol, `server/eval_runner.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from adapters.evaluation.calibration import read_calibration, top
from adapters.evaluation.classification import classification_metrics
from adapters.evaluation.confidence import confidence_metrics, confidence_summary, slice_accuracy
from adapters.evaluation.email_draft import check_draft, draft_metrics
from adapters.evaluation.judge import JudgeConfig, judge_emails
from adapters.manifest import HeldOutSet, sha256_file
from adapters.prompts import Record, ar_email_drafter, baseline_prompt, to_prompt
from adapters.registry import RegistryEntry
from adapters.tasks import DISPUTE_CLASSIFIER, DISPUTE_LABELS

SYSTEMS = ("adapter", "baseline")


@dataclass(frozen=True)
class EvalRequest:
    """One greedy generation: chat messages, for an adapter (None: the base model)."""

    messages: Sequence[dict[str, str]]
    adapter: str | None
    max_tokens: int
    choices: tuple[str, ...] | None = None  # constrain the output to exactly one of these
    # also return the distribution over `choices` at the first step, as serving computes it
    distribution: bool = False


@dataclass(frozen=True)
class Completion:
    text: str
    distribution: dict[str, float] | None = None  # choice -> probability, when asked for


# Runs one request to the end and returns its text (or a Completion with the distribution).
Complete = Callable[[EvalRequest], Awaitable[str | Completion]]


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
    confidence: dict[str, Any] | None = None  # the classifier's: ECE, risk-coverage
    slices: dict[str, Any] | None = None  # accuracy per `hard` / `language` value
    test_set: HeldOutSet | None = None
    engine_model: str = ""
    seconds: float = 0.0
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def _requests(
    task: str, adapter: str, rows: list[Record], options: EvalOptions, template: str | None
) -> list[EvalRequest]:
    """The adapter's requests for every row, then the baseline's."""
    if task == DISPUTE_CLASSIFIER:
        max_tokens, choices = 16, tuple(DISPUTE_LABELS)  # both systems constrained alike
    else:
        max_tokens, choices = options.email_max_tokens, None
    dist = choices is not None
    out = [
        EvalRequest(to_prompt(task, r, template)[0], adapter, max_tokens, choices, dist)
        for r in rows
    ]
    out += [EvalRequest(baseline_prompt(task, r), None, max_tokens, choices, dist) for r in rows]
    return out


async def _run_all(
    complete: Complete, requests: list[EvalRequest], concurrency: int, progress: bool
) -> list[Completion]:
    sem = asyncio.Semaphore(concurrency)
    bar = tqdm(total=len(requests), desc="eval", unit="req", disable=not progress)

    async def one(request: EvalRequest) -> Completion:
        async with sem:
            out = await complete(request)
            bar.update(1)
            return out if isinstance(out, Completion) else Completion(out)

    try:
        return list(await asyncio.gather(*(one(r) for r in requests)))
    finally:
        bar.close()


async def adapter_distributions(
    complete: Complete, adapter: str, rows: list[Record], concurrency: int, progress: bool
) -> list[dict[str, float]]:
    """The classifier adapter's label distribution for every row (what calibration fits on)."""
    choices = tuple(DISPUTE_LABELS)
    requests = [
        EvalRequest(to_prompt(DISPUTE_CLASSIFIER, r)[0], adapter, 1, choices, True) for r in rows
    ]
    outputs = await _run_all(complete, requests, concurrency, progress)
    dists = [o.distribution for o in outputs]
    if any(d is None for d in dists):
        raise ValueError("the runner returned no label distribution")
    return [d for d in dists if d is not None]


async def evaluate(
    entry: RegistryEntry,
    complete: Complete,
    rows: list[Record],
    options: EvalOptions | None = None,
    test_path: Path | None = None,
    engine_model: str = "",
) -> EvalResult:
    """Evaluate the adapter `complete` serves under entry.name; `engine_model` names the base."""
    options = options or EvalOptions()
    task = entry.manifest.task
    rows = rows[: options.max_examples] if options.max_examples else rows
    start = asyncio.get_running_loop().time()
    template = entry.manifest.prompt_template_version  # the prompt the adapter learnt
    requests = _requests(task, entry.name, rows, options, template)
    outputs = await _run_all(complete, requests, options.concurrency, options.progress)
    by_system = {"adapter": outputs[: len(rows)], "baseline": outputs[len(rows) :]}
    confidence = slices = None
    if task == DISPUTE_CLASSIFIER:
        metrics, summary, preds = _score_classifier(rows, by_system)
        slices = slice_accuracy(rows, [p["adapter"] == p["gold"] for p in preds]) or None
        dists = [o.distribution for o in by_system["adapter"]]
        if all(d is not None for d in dists):
            gold = [r["label"] for r in rows]
            calibration = read_calibration(entry.path)
            confidence = confidence_metrics(gold, [d for d in dists if d], calibration)
            summary |= confidence_summary(confidence)
    else:
        texts = {s: [o.text for o in outs] for s, outs in by_system.items()}
        metrics, summary, preds = _score_emails(rows, texts, template)
        if options.judge is not None:
            for system in SYSTEMS:
                metrics[system]["judge"] = await judge_emails(options.judge, rows, texts[system])
    result = EvalResult(
        entry.ref,
        task,
        len(rows),
        metrics,
        summary,
        preds,
        confidence=confidence,
        slices=slices,
        engine_model=engine_model,
    )
    if test_path is not None:
        result.test_set = HeldOutSet(
            path=test_path.name, sha256=sha256_file(test_path), n=len(rows)
        )
    result.seconds = round(asyncio.get_running_loop().time() - start, 1)
    return result


def _label(out: Completion) -> str:
    """Serving's label: the most probable first token when there is a distribution."""
    return top(out.distribution)[0] if out.distribution else out.text.strip()


def _score_classifier(
    rows: list[Record], outs: dict[str, list[Completion]]
) -> tuple[dict[str, Any], dict[str, float], list[dict[str, Any]]]:
    gold = [r["label"] for r in rows]
    labels = list(DISPUTE_LABELS)
    predicted = {s: [_label(o) for o in outs[s]] for s in SYSTEMS}
    metrics = {s: classification_metrics(gold, predicted[s], labels).to_dict() for s in SYSTEMS}
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
            "adapter": predicted["adapter"][i],
            "baseline": predicted["baseline"][i],
            "confidence": round(top(d)[1], 4) if (d := outs["adapter"][i].distribution) else None,
        }
        for i, r in enumerate(rows)
    ]
    return metrics, summary, preds


def _score_emails(
    rows: list[Record], outs: dict[str, list[str]], template: str
) -> tuple[dict[str, Any], dict[str, float], list[dict[str, Any]]]:
    """Every draft as the server returns it (fields filled) through the server's checks; the
    baseline writes its facts itself (template 1)."""
    versions = {"adapter": template, "baseline": ar_email_drafter.V1}
    checks = {
        s: [
            check_draft(
                o, r["context"], r["email_type"], r.get("language", "en"), versions[s],
                instructions=r.get("instructions"),
            )
            for o, r in zip(outs[s], rows, strict=True)
        ]
        for s in SYSTEMS
    }  # fmt: skip
    metrics: dict[str, Any] = {s: draft_metrics(checks[s]) for s in SYSTEMS}
    a, b = metrics["adapter"], metrics["baseline"]
    summary = {k: v for k, v in a.items() if k != "n"}
    summary |= {f"baseline_{k}": v for k, v in b.items() if k != "n"}
    summary["grounded_gain_over_baseline"] = round(a["grounded_rate"] - b["grounded_rate"], 4)
    preds = [
        {
            "id": r.get("id"),
            "email_type": r["email_type"],
            **{
                s: {"draft": outs[s][i], "email": checks[s][i].text, **checks[s][i].to_dict()}
                for s in SYSTEMS
            },
        }
        for i, r in enumerate(rows)
    ]
    return metrics, summary, preds
