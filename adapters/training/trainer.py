"""The training loop: LoRA on the base model, completion-only loss, validation loss per epoch,
a tqdm progress bar, deterministic for a seed on a given machine."""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from adapters.training.batches import Batch, Encoded, completion_loss, encode, make_batches
from adapters.training.config import TrainConfig
from adapters.training.cpu import cpu_supports_bf16


@dataclass
class TrainResult:
    output_dir: Path
    train_examples: int
    val_examples: int
    skipped_too_long: int
    steps: int
    train_loss: list[float] = field(default_factory=list)  # mean per epoch
    val_loss: list[float] = field(default_factory=list)  # per epoch
    val_loss_before: float | None = None
    skipped_updates: int = 0
    seconds: float = 0.0
    device: str = "cpu"


def seed_everything(seed: int) -> None:
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:  # pragma: no cover
        pass
    torch.use_deterministic_algorithms(True, warn_only=True)


def load_base(base_model: Path, device: str) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_model))
    model: Any = AutoModelForCausalLM.from_pretrained(str(base_model), dtype=torch.float32)
    return tokenizer, model.to(device)


def _encode_all(
    tokenizer: Any, pairs: list[tuple[list[dict[str, str]], str]], max_len: int
) -> tuple[list[Encoded], int]:
    out = [encode(tokenizer, m, c) for m, c in pairs]
    kept = [e for e in out if len(e.input_ids) <= max_len]
    return kept, len(out) - len(kept)


def _to(batch: Batch, device: str) -> Batch:
    return batch.to(device)


@torch.no_grad()
def evaluate_loss(model: Any, batches: list[Batch], device: str, bf16: bool) -> float:
    model.eval()
    total, count = 0.0, 0
    for b in batches:
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=bf16):
            loss, n = completion_loss(model, _to(b, device))
        total, count = total + float(loss) * n, count + n
    model.train()
    return total / max(count, 1)


def train(
    cfg: TrainConfig,
    base_model: Path,
    train_pairs: list[tuple[list[dict[str, str]], str]],
    val_pairs: list[tuple[list[dict[str, str]], str]],
    output_dir: Path,
    base_model_id: str,
    log: Callable[[str], None] = print,
    init_from: Path | None = None,
) -> TrainResult:
    from peft import LoraConfig, get_peft_model
    from transformers import get_linear_schedule_with_warmup

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if cfg.threads and device == "cpu":
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    tokenizer, model = load_base(base_model, device)
    pad_id = (
        tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    )
    train_items, skipped = _encode_all(tokenizer, train_pairs, cfg.max_length)
    val_items, skipped_val = _encode_all(tokenizer, val_pairs, cfg.max_length)
    if init_from is not None:  # retraining: continue from an earlier version's weights
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(init_from), is_trainable=True)
    else:
        lora = LoraConfig(
            r=cfg.rank,
            lora_alpha=cfg.alpha,
            lora_dropout=cfg.dropout,
            target_modules=list(cfg.target_modules),
            bias="none",
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    bf16 = cfg.autocast_bf16 and (device == "cuda" or cpu_supports_bf16())
    rng = random.Random(cfg.seed)
    val_batches = make_batches(val_items, cfg.batch_size, None, pad_id)
    steps_per_epoch = math.ceil(len(train_items) / cfg.batch_size / cfg.grad_accum)
    total_steps = max(1, math.ceil(steps_per_epoch * cfg.epochs))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup_ratio * total_steps), total_steps)
    result = TrainResult(
        output_dir,
        len(train_items),
        len(val_items),
        skipped + skipped_val,
        total_steps,
        device=device,
    )
    start = time.time()
    result.val_loss_before = evaluate_loss(model, val_batches, device, bf16)
    log(f"validation loss before training: {result.val_loss_before:.4f}")
    model.train()
    step, epoch = 0, 0
    bar = tqdm(total=total_steps, desc=f"train {cfg.task}", unit="step")
    while step < total_steps:
        epoch += 1
        batches = make_batches(train_items, cfg.batch_size, rng, pad_id)
        losses: list[float] = []
        for i, b in enumerate(batches):
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=bf16):
                loss, _ = completion_loss(model, _to(b, device))
            (loss / cfg.grad_accum).backward()
            losses.append(float(loss.detach()))
            if (i + 1) % cfg.grad_accum == 0 or i + 1 == len(batches):
                norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
                if torch.isfinite(norm):
                    opt.step()
                else:  # a non-finite gradient would poison the weights: skip this update
                    result.skipped_updates += 1
                sched.step()
                opt.zero_grad(set_to_none=True)
                step += 1
                bar.update(1)
                bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.4f}", epoch=epoch)
                if step >= total_steps:
                    break
        finite = [x for x in losses if math.isfinite(x)]
        result.train_loss.append(sum(finite) / max(len(finite), 1))
        result.val_loss.append(evaluate_loss(model, val_batches, device, bf16))
        log(
            f"epoch {epoch}: train loss {result.train_loss[-1]:.4f}, "
            f"validation loss {result.val_loss[-1]:.4f}"
        )
    bar.close()
    result.seconds = round(time.time() - start, 1)
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(output_dir), safe_serialization=True)
    # PEFT's model card names this machine's base-model path; the manifest is the record.
    (output_dir / "README.md").unlink(missing_ok=True)
    _set_base_name(output_dir, base_model_id)
    return result


def _set_base_name(folder: Path, base_model_id: str) -> None:
    """Record the base model by id, not by this machine's path."""
    path = folder / "adapter_config.json"
    data = json.loads(path.read_text())
    data["base_model_name_or_path"] = base_model_id
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
