"""Adapters for the sweeps: clones of the trained reference adapters under new names, or
synthetic PEFT adapters of a chosen rank (non-zero A and B, so they really change outputs)."""

from __future__ import annotations

import shutil
from pathlib import Path

from server.settings import Settings

REFERENCE = ("ar-email-drafter", "dispute-classifier")
TARGETS = {  # rank 8: attention only (as the reference adapters); 16: every linear layer
    8: ("q_proj", "k_proj", "v_proj", "o_proj"),
    16: ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
}


def reference_folder(registry: Path, name: str) -> Path:
    versions = sorted(
        (p for p in (registry / name).iterdir() if p.is_dir()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
    )
    return versions[-1]


def clone_names(n: int) -> list[str]:
    """`ar-email-drafter-00`, `dispute-classifier-01`, ... alternating the two references."""
    return [f"{REFERENCE[i % 2]}-{i:02d}" for i in range(n)]


def clone_reference_adapters(out: Path, n: int, registry: Path | None = None) -> dict[str, Path]:
    """n PEFT folders in `out` copied from the registry's reference adapters."""
    registry = registry or Settings().registry_dir
    out.mkdir(parents=True, exist_ok=True)
    made = {}
    for name in clone_names(n):
        src = reference_folder(registry, name.rsplit("-", 1)[0])
        dst = out / name
        if not dst.exists():
            dst.mkdir()
            for f in ("adapter_config.json", "adapter_model.safetensors"):
                shutil.copy2(src / f, dst / f)
        made[name] = dst
    return made


def synthetic_adapters(base_dir: Path, out: Path, n: int, rank: int) -> dict[str, Path]:
    """n random PEFT LoRA adapters of `rank` on the base model (PEFT's B=0 default would be a
    no-op, so both A and B are random)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out.mkdir(parents=True, exist_ok=True)
    made = {}
    for i in range(n):
        dst = out / f"synthetic-r{rank}-{i:02d}"
        if not (dst / "adapter_model.safetensors").exists():
            torch.manual_seed(1000 + i)
            model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
            config = LoraConfig(
                r=rank,
                lora_alpha=2 * rank,
                init_lora_weights=False,
                target_modules=list(TARGETS.get(rank, TARGETS[8])),
            )
            peft_model = get_peft_model(model, config)
            peft_model.save_pretrained(str(dst))
            # Validation matches the base model by folder name, as the reference adapters do.
            cfg = dst / "adapter_config.json"
            cfg.write_text(cfg.read_text().replace(str(base_dir), base_dir.name))
        made[dst.name] = dst
    return made
