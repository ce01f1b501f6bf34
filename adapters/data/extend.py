"""Grow a task's train split with newly generated rows; validation and test stay as they are.

Retraining from an earlier version (`init_adapter`, `skip_train_examples`) wants rows that
version has not seen, and rebuilding the data set would reshuffle every split, the held-out
test set included. So new rows come from a new seed, are PII-scrubbed like a build, and are
dropped when they duplicate any existing row or share a near-duplicate group with a
validation or test row. The rest are appended to train.jsonl with continuing ids, and the
build report records the extension."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from adapters.data import dispute_variety
from adapters.data.build import (
    BASE_GENERATOR,
    DATA_ROOT,
    SPLITS,
    BuildConfig,
    BuildReport,
    build,
    default_config,
    drop_exact_duplicates,
    generate_records,
    scrub_records,
)
from adapters.data.neardup import components, near_duplicate_pairs, normalize
from adapters.data.records import dedup_key, read_jsonl
from adapters.tasks import DISPUTE_CLASSIFIER, check_task


@dataclass
class ExtensionReport:
    seed: int
    generated: int
    duplicates_dropped: int
    near_duplicates_of_eval_dropped: int  # in a near-duplicate group with validation or test
    appended: int
    first_row: int  # index in train.jsonl of the first appended row: a config's skip_train_examples
    pii_replaced: dict[str, int]
    label_counts: dict[str, int]
    generator: str = BASE_GENERATOR


def default_generator(task: str) -> str:
    """New dispute rows come from the varied generator; e-mails from the base one."""
    return dispute_variety.GENERATOR if task == DISPUTE_CLASSIFIER else BASE_GENERATOR


def extend(
    task: str,
    n: int,
    seed: int,
    data_dir: Path | None = None,
    tokenizer_path: Path | None = None,
    generator: str | None = None,
) -> ExtensionReport:
    """Generate n rows from seed and append those that leak into no other split
    (`tokenizer_path`: as in `BuildConfig`; `generator`: `default_generator` if None)."""
    task = check_task(task)
    generator = generator or default_generator(task)
    data_dir = data_dir or DATA_ROOT / task
    report_file = data_dir / "build_report.json"
    build_report = json.loads(report_file.read_text())
    # reports written before the seed was recorded are the default builds
    if seed == (build_report.get("seed") or default_config(task).seed):
        raise ValueError(f"seed {seed} built the data set; an extension needs a new seed")
    if any(e["seed"] == seed for e in build_report.get("extensions", [])):
        raise ValueError(f"seed {seed} already extended this data set")
    splits = {s: read_jsonl(data_dir / f"{s}.jsonl") for s in SPLITS}
    existing = [(s, r) for s, rows in splits.items() for r in rows]
    new = generate_records(task, n, seed, tokenizer_path, generator)
    pii = scrub_records(task, new)
    seen = {normalize(dedup_key(task, r), mask_digits=False) for _, r in existing}
    fresh = drop_exact_duplicates(task, new, seen)
    keys = [dedup_key(task, r) for _, r in existing] + [dedup_key(task, r) for r in fresh]
    threshold = default_config(task).threshold
    pairs = near_duplicate_pairs(keys, threshold, mask_digits=task == DISPUTE_CLASSIFIER)
    is_eval = [s != "train" for s, _ in existing] + [False] * len(fresh)
    leaking: set[int] = set()
    for group in components(len(keys), pairs):
        if any(is_eval[i] for i in group):
            leaking.update(i - len(existing) for i in group if i >= len(existing))
    kept = [r for i, r in enumerate(fresh) if i not in leaking]
    train = splits["train"]
    with (data_dir / "train.jsonl").open("a", encoding="utf-8") as fh:
        for i, r in enumerate(kept, start=len(train)):
            fh.write(json.dumps({"id": f"train-{i:05d}", **r}, ensure_ascii=False) + "\n")
    label_key = "label" if task == DISPUTE_CLASSIFIER else "email_type"
    report = ExtensionReport(
        seed=seed,
        generated=len(new),
        duplicates_dropped=len(new) - len(fresh),
        near_duplicates_of_eval_dropped=len(leaking),
        appended=len(kept),
        first_row=len(train),
        pii_replaced=dict(pii),
        label_counts=dict(sorted(Counter(r[label_key] for r in kept).items())),
        generator=generator,
    )
    build_report.setdefault("extensions", []).append(asdict(report))
    build_report["sizes"]["train"] = len(train) + len(kept)
    counts = Counter(build_report["label_counts"]["train"]) + Counter(report.label_counts)
    build_report["label_counts"]["train"] = dict(sorted(counts.items()))
    report_file.write_text(json.dumps(build_report, indent=2) + "\n")
    return report


def rebuild(
    task: str, out_dir: Path | None = None, cfg: BuildConfig | None = None, replay: bool = True
) -> tuple[BuildReport, list[ExtensionReport]]:
    """Build the data set again, then replay the extensions its previous report recorded, so
    that a rebuild reproduces the committed train split instead of silently dropping rows."""
    out_dir = out_dir or DATA_ROOT / check_task(task)
    report_file = out_dir / "build_report.json"
    previous = json.loads(report_file.read_text()) if replay and report_file.is_file() else {}
    report = build(task, out_dir, cfg)
    tokenizer = cfg.tokenizer_path if cfg else None
    return report, [
        # reports written before generators were recorded extended with the base one
        extend(
            task, e["generated"], e["seed"], out_dir, tokenizer, e.get("generator", BASE_GENERATOR)
        )
        for e in previous.get("extensions", [])
    ]
