"""Training configuration: one JSON file per task under adapters/configs/."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


@dataclass
class TrainConfig:
    task: str
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"]
    )
    epochs: float = 1.0
    learning_rate: float = 2e-4
    weight_decay: float = 0.0
    warmup_ratio: float = 0.05
    batch_size: int = 8
    grad_accum: int = 1
    seed: int = 1234
    max_length: int = 512
    max_train_examples: int | None = None  # None: all of train.jsonl
    skip_train_examples: int = 0  # leading rows to skip: those an init_adapter already saw
    max_val_examples: int | None = 200
    autocast_bf16: bool = True  # bf16 matmuls on CPUs/GPUs that have them; LoRA weights stay fp32
    threads: int | None = None  # torch CPU threads; None: torch's default
    min_scores: dict[str, float] = field(default_factory=dict)  # deployment gate, into the manifest
    init_adapter: str | None = None  # NAME@VERSION to continue from (retraining), else fresh LoRA

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown training config keys: {', '.join(sorted(unknown))}")
        return cls(**data)

    @classmethod
    def load(cls, path: Path) -> TrainConfig:
        return cls.from_dict(json.loads(path.read_text()))

    @classmethod
    def for_task(cls, task: str) -> TrainConfig:
        path = CONFIG_DIR / f"{task}.json"
        return cls.load(path) if path.is_file() else cls(task=task)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
