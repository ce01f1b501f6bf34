"""Validate a PEFT LoRA adapter folder against the base model before an engine loads it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from safetensors import safe_open

CONFIG_FILE = "adapter_config.json"
WEIGHTS_FILE = "adapter_model.safetensors"
# A decoder layer's linear weights look like `model.layers.3.self_attn.q_proj.weight`.
_LAYER_LINEAR = re.compile(r"\.layers\.\d+\.(?:[\w.]+\.)?(\w+)\.weight$")


class AdapterValidationError(ValueError):
    """The adapter cannot be served on this base model; the message says why."""


@dataclass(frozen=True)
class BaseModelInfo:
    """What an adapter must match: the base's identity and its LoRA-able linear layers."""

    name_or_path: str
    model_type: str | None
    hidden_size: int | None
    linear_modules: frozenset[str]
    aliases: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_folder(cls, folder: Path, aliases: set[str] | None = None) -> BaseModelInfo:
        config = json.loads((folder / "config.json").read_text())
        names: set[str] = set()
        for weights in sorted(folder.glob("*.safetensors")):
            with safe_open(str(weights), framework="pt") as f:
                for key in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                    if m := _LAYER_LINEAR.search(key):
                        names.add(m.group(1))
        names -= {"input_layernorm", "post_attention_layernorm", "norm"}
        return cls(
            name_or_path=str(folder),
            model_type=config.get("model_type"),
            hidden_size=config.get("hidden_size"),
            linear_modules=frozenset(names),
            aliases=frozenset({folder.name, str(folder), *(aliases or set())}),
        )


@dataclass(frozen=True)
class AdapterSpec:
    name: str
    path: Path
    rank: int
    alpha: float
    target_modules: tuple[str, ...]
    base_model: str | None


def _read_config(folder: Path) -> dict:
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise AdapterValidationError(f"{CONFIG_FILE} is missing")
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise AdapterValidationError(f"{CONFIG_FILE} is not valid JSON: {exc}") from exc
    if config.get("peft_type", "LORA") != "LORA":
        raise AdapterValidationError(f"peft_type {config.get('peft_type')!r} is not LORA")
    return config


def _check_base(config: dict, base: BaseModelInfo) -> None:
    declared = config.get("base_model_name_or_path")
    if not declared:
        return
    declared_name = Path(str(declared)).name
    if declared not in base.aliases and declared_name not in base.aliases:
        raise AdapterValidationError(
            f"trained for base model '{declared}', "
            f"this server runs '{Path(base.name_or_path).name}'"
        )


def _check_weights(folder: Path, max_rank: int) -> None:
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise AdapterValidationError(f"{WEIGHTS_FILE} is missing")
    try:
        with safe_open(str(weights), framework="pt") as f:
            keys = list(f.keys())  # noqa: SIM118 - safe_open is not a mapping
            shapes = {key: f.get_slice(key).get_shape() for key in keys}
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear reason
        raise AdapterValidationError(f"{WEIGHTS_FILE} is unreadable: {exc}") from exc
    if not shapes:
        raise AdapterValidationError(f"{WEIGHTS_FILE} holds no tensors")
    for key, shape in shapes.items():
        if "lora_A" in key and shape[0] > max_rank:
            raise AdapterValidationError(f"tensor {key} has rank {shape[0]} > {max_rank}")


def validate_adapter(folder: Path, base: BaseModelInfo, max_rank: int) -> AdapterSpec:
    """Return the adapter's spec, or raise AdapterValidationError with the reason."""
    config = _read_config(folder)
    _check_base(config, base)
    rank = int(config.get("r", 0))
    if not 0 < rank <= max_rank:
        raise AdapterValidationError(f"rank {rank} is outside 1..{max_rank} (max_lora_rank)")
    targets = config.get("target_modules") or []
    if isinstance(targets, str):
        raise AdapterValidationError("regex target_modules are not supported; list module names")
    unsupported = sorted(set(targets) - base.linear_modules)
    if unsupported:
        raise AdapterValidationError(
            f"target modules {unsupported} are not LoRA-able linear layers of the base model "
            f"(supported: {sorted(base.linear_modules)})"
        )
    if config.get("modules_to_save"):
        raise AdapterValidationError("modules_to_save (full extra layers) is not supported")
    _check_weights(folder, max_rank)
    return AdapterSpec(
        name=folder.name,
        path=folder,
        rank=rank,
        alpha=float(config.get("lora_alpha", rank)),
        target_modules=tuple(sorted(targets)),
        base_model=config.get("base_model_name_or_path"),
    )


def discover_adapters(
    adapters_dir: Path, base: BaseModelInfo, max_rank: int
) -> tuple[list[AdapterSpec], dict[str, str]]:
    """Validate every adapter folder; return the good ones and a reason per skipped one."""
    good: list[AdapterSpec] = []
    skipped: dict[str, str] = {}
    if not adapters_dir.is_dir():
        return good, skipped
    for folder in sorted(p for p in adapters_dir.iterdir() if p.is_dir()):
        if not (folder / CONFIG_FILE).exists() and not (folder / WEIGHTS_FILE).exists():
            continue
        try:
            good.append(validate_adapter(folder, base, max_rank))
        except AdapterValidationError as exc:
            skipped[folder.name] = str(exc)
    return good, skipped
