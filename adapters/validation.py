"""Validate a PEFT LoRA adapter folder against the base model before an engine loads it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safetensors import safe_open

CONFIG_FILE = "adapter_config.json"
WEIGHTS_FILE = "adapter_model.safetensors"
# A decoder layer's linear weights look like `model.layers.3.self_attn.q_proj.weight`.
_LAYER_LINEAR = re.compile(r"\.layers\.\d+\.(?:[\w.]+\.)?(\w+)\.weight$")
# The same layer in a PEFT file: `base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight`.
_LORA_TENSOR = re.compile(r"(layers\.\d+\.(?:[\w.]+\.)?\w+)\.lora_([AB])(?:\.\w+)?\.weight$")
# Dtypes vLLM loads LoRA weights from (it casts them to the model's dtype).
LOADABLE_DTYPES = frozenset({"F32", "F16", "BF16"})


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
    # `layers.3.self_attn.q_proj` -> (out_features, in_features), from the safetensors headers.
    layer_shapes: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_folder(cls, folder: Path, aliases: set[str] | None = None) -> BaseModelInfo:
        config = json.loads((folder / "config.json").read_text())
        names: set[str] = set()
        shapes: dict[str, tuple[int, int]] = {}
        for weights in sorted(folder.glob("*.safetensors")):
            with safe_open(str(weights), framework="pt") as f:
                for key in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                    if m := _LAYER_LINEAR.search(key):
                        names.add(m.group(1))
                        shape = f.get_slice(key).get_shape()  # the header only, no tensor load
                        if len(shape) == 2:
                            layer = key[key.index("layers.") :].removesuffix(".weight")
                            shapes[layer] = (int(shape[0]), int(shape[1]))
        names -= {"input_layernorm", "post_attention_layernorm", "norm"}
        return cls(
            name_or_path=str(folder),
            model_type=config.get("model_type"),
            hidden_size=config.get("hidden_size"),
            linear_modules=frozenset(names),
            aliases=frozenset({folder.name, str(folder), *(aliases or set())}),
            layer_shapes=shapes,
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


def _module_rank(config: dict[str, Any], layer: str) -> int:
    """The rank PEFT (and vLLM) use for a layer: its `rank_pattern` match, else `r`."""
    for pattern, rank in (config.get("rank_pattern") or {}).items():
        if re.match(rf"(.*\.)?({pattern})$", layer):
            return int(rank)
    return int(config["r"])


def _check_shape(
    key: str, shape: list[int], config: dict[str, Any], base: BaseModelInfo, max_rank: int
) -> str:
    """Check one lora_A/lora_B tensor's shape against its base layer; return the layer."""
    m = _LORA_TENSOR.search(key)
    if m is None:
        raise AdapterValidationError(f"tensor {key} is not a lora_A/lora_B weight")
    layer, which = m.group(1), m.group(2)
    base_shape = base.layer_shapes.get(layer)
    if base_shape is None:
        raise AdapterValidationError(f"tensor {key} targets {layer}, not a base model layer")
    if len(shape) != 2:
        raise AdapterValidationError(f"lora_{which} of {layer} has shape {shape}, not 2-D")
    rank, (out_features, in_features) = _module_rank(config, layer), base_shape
    rank_dim, size_dim = (shape[0], shape[1]) if which == "A" else (shape[1], shape[0])
    if rank_dim != rank:
        raise AdapterValidationError(
            f"lora_{which} of {layer} has rank {rank_dim}, adapter_config.json says {rank}"
        )
    if rank > max_rank:
        raise AdapterValidationError(f"lora_{which} of {layer} has rank {rank} > {max_rank}")
    if which == "A" and size_dim != in_features:
        raise AdapterValidationError(
            f"lora_A of {layer} has input size {size_dim}, the base layer has {in_features}"
        )
    if which == "B" and size_dim != out_features:
        raise AdapterValidationError(
            f"lora_B of {layer} has output size {size_dim}, the base layer has {out_features}"
        )
    return layer


def _check_weights(
    folder: Path, config: dict[str, Any], base: BaseModelInfo, max_rank: int
) -> None:
    """Every tensor: a loadable float dtype, finite values, and its base layer's shape."""
    import torch  # heavy; only validation needs the tensor values

    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise AdapterValidationError(f"{WEIGHTS_FILE} is missing")
    halves: dict[str, set[str]] = {}
    try:
        with safe_open(str(weights), framework="pt") as f:
            keys = list(f.keys())  # noqa: SIM118 - safe_open is not a mapping
            if not keys:
                raise AdapterValidationError(f"{WEIGHTS_FILE} holds no tensors")
            for key in keys:
                piece = f.get_slice(key)
                dtype = piece.get_dtype()
                if dtype not in LOADABLE_DTYPES:
                    raise AdapterValidationError(
                        f"tensor {key} has dtype {dtype}; expected one of {sorted(LOADABLE_DTYPES)}"
                    )
                layer = _check_shape(key, list(piece.get_shape()), config, base, max_rank)
                halves.setdefault(layer, set()).add("A" if ".lora_A" in key else "B")
                if not bool(torch.isfinite(f.get_tensor(key)).all()):
                    raise AdapterValidationError(f"tensor {key} holds NaN or infinite values")
    except AdapterValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear reason
        raise AdapterValidationError(f"{WEIGHTS_FILE} is unreadable: {exc}") from exc
    for layer, found in sorted(halves.items()):
        if found != {"A", "B"}:
            missing = "lora_B" if "A" in found else "lora_A"
            raise AdapterValidationError(f"{layer} has no {missing} tensor")


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
    _check_weights(folder, config, base, max_rank)
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
