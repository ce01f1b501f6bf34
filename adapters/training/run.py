"""`arserve adapters train TASK`: data check, PII gate, LoRA training, registry entry."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from adapters.data.build import DATA_ROOT
from adapters.data.records import read_jsonl
from adapters.manifest import WEIGHTS_FILE, Manifest, base_model_identity, sha256_file, sha256_files
from adapters.pii_check import require_clean
from adapters.prompts import template_for, to_prompt
from adapters.registry import Registry
from adapters.tasks import check_task
from adapters.training.config import TrainConfig
from adapters.training.trainer import train


def _init_adapter(cfg: TrainConfig, registry: Registry) -> Path | None:
    """The verified registry entry to continue from, checked against the config."""
    if not cfg.init_adapter:
        return None
    entry = registry.resolve_verified(cfg.init_adapter)
    m = entry.manifest
    if (m.rank, sorted(m.target_modules)) != (cfg.rank, sorted(cfg.target_modules)):
        raise ValueError(
            f"{entry.ref} has rank {m.rank} and targets {m.target_modules}; "
            f"the config asks for rank {cfg.rank} and {cfg.target_modules}"
        )
    if m.task != cfg.task:
        raise ValueError(f"{entry.ref} is a {m.task} adapter, not {cfg.task}")
    return entry.path


def train_task(
    task: str,
    base_model: Path,
    cfg: TrainConfig | None = None,
    registry: Registry | None = None,
    data_dir: Path | None = None,
    name: str | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Train an adapter for task and write it as the next version of NAME; return its folder."""
    task = check_task(task)
    cfg = cfg or TrainConfig.for_task(task)
    registry = registry or Registry()
    data_dir = data_dir or DATA_ROOT / task
    name = name or task
    files = [data_dir / "train.jsonl", data_dir / "validation.jsonl"]
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"{f} is missing: run `arserve adapters data {task}` first")
    require_clean(task, files)  # raises PiiFoundError with file:line locations
    train_rows = read_jsonl(files[0], cfg.max_train_examples, cfg.skip_train_examples)
    if not train_rows:
        raise ValueError(
            f"no training rows left in {files[0]} after skipping {cfg.skip_train_examples}"
        )
    val_rows = read_jsonl(files[1], cfg.max_val_examples)
    data_sha = sha256_files(files)
    base_id, base_sha = base_model_identity(base_model)
    init_from = _init_adapter(cfg, registry)
    version = registry.next_version(name)
    final = registry.root / name / version
    tmp = registry.root / name / f".tmp-{version}"
    shutil.rmtree(tmp, ignore_errors=True)
    log(
        f"training {name}@{version} on {len(train_rows)} examples "
        f"({len(val_rows)} validation) from {base_id}"
    )
    result = train(
        cfg,
        base_model,
        [to_prompt(task, r) for r in train_rows],
        [to_prompt(task, r) for r in val_rows],
        tmp,
        base_id,
        log,
        init_from,
    )
    summary = asdict(result)
    summary.pop("output_dir")
    manifest = Manifest(
        name=name,
        version=version,
        task=task,
        base_model_id=base_id,
        base_model_sha256=base_sha,
        rank=cfg.rank,
        alpha=cfg.alpha,
        target_modules=list(cfg.target_modules),
        training_data_sha256=data_sha,
        training_data_size={"train": len(train_rows), "validation": len(val_rows)},
        training_config=cfg.to_dict(),
        prompt_template_version=template_for(task).TEMPLATE_VERSION,
        languages=sorted({r.get("language", "en") for r in train_rows}),
        adapter_sha256=sha256_file(tmp / WEIGHTS_FILE),
        training_summary=summary,
        min_scores=dict(cfg.min_scores),
    )
    manifest.write(tmp)
    tmp.rename(final)
    log(f"wrote {final}")
    return final
