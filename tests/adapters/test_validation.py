"""Adapter folder validation against the real base model's layers."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from adapters.validation import (
    AdapterValidationError,
    BaseModelInfo,
    discover_adapters,
    validate_adapter,
)
from tests.helpers import edit_config


@pytest.fixture(scope="module")
def base(base_model_dir: Path) -> BaseModelInfo:
    return BaseModelInfo.from_folder(base_model_dir)


def test_base_model_exposes_its_decoder_linear_layers(base: BaseModelInfo) -> None:
    assert base.linear_modules == {
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    }


def test_good_adapter(base: BaseModelInfo, test_adapters: dict[str, Path]) -> None:
    spec = validate_adapter(test_adapters["adapter-a"], base, max_rank=16)
    assert spec.rank == 8 and spec.target_modules == ("q_proj", "v_proj")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"base_model_name_or_path": "other-org/Other-7B"}, "trained for base model"),
        ({"r": 32}, "outside 1..16"),
        ({"target_modules": ["embed_tokens"]}, "not LoRA-able"),
        ({"target_modules": ".*proj"}, "regex target_modules"),
        ({"peft_type": "IA3"}, "not LORA"),
        ({"modules_to_save": ["lm_head"]}, "modules_to_save"),
    ],
)
def test_bad_configs_are_refused_with_reason(
    tmp_path: Path,
    base: BaseModelInfo,
    test_adapters: dict[str, Path],
    change: dict,
    reason: str,
) -> None:
    folder = shutil.copytree(test_adapters["adapter-a"], tmp_path / "x")
    edit_config(folder, **change)
    with pytest.raises(AdapterValidationError, match=reason):
        validate_adapter(folder, base, max_rank=16)


def test_missing_corrupt_or_invalid_files(
    tmp_path: Path, base: BaseModelInfo, test_adapters: dict[str, Path]
) -> None:
    missing = shutil.copytree(test_adapters["adapter-a"], tmp_path / "missing")
    (missing / "adapter_model.safetensors").unlink()
    corrupt = shutil.copytree(test_adapters["adapter-a"], tmp_path / "corrupt")
    (corrupt / "adapter_model.safetensors").write_bytes(b"\x00" * 64)
    # Cut mid-file, as an interrupted copy leaves it: the header is intact, the data is not.
    truncated = shutil.copytree(test_adapters["adapter-a"], tmp_path / "truncated")
    weights = truncated / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    broken_json = shutil.copytree(test_adapters["adapter-a"], tmp_path / "json")
    (broken_json / "adapter_config.json").write_text("{not json")
    (tmp_path / "not-an-adapter").mkdir()
    shutil.copytree(test_adapters["adapter-b"], tmp_path / "good")
    good, skipped = discover_adapters(tmp_path, base, max_rank=16)
    assert [s.name for s in good] == ["good"]
    assert "missing" in skipped["missing"]
    assert "unreadable" in skipped["corrupt"]
    assert "adapter_model.safetensors is unreadable" in skipped["truncated"]
    assert "not valid JSON" in skipped["json"]
    assert "not-an-adapter" not in skipped


Q3 = "layers.3.self_attn.q_proj"


def _rewrite_weights(folder: Path, change: Callable[[dict[str, torch.Tensor]], None]) -> None:
    """Apply `change` to the adapter's tensors (by key) and write them back."""
    path = folder / "adapter_model.safetensors"
    tensors = load_file(str(path))
    change(tensors)
    save_file(tensors, str(path))


def _key(tensors: dict[str, torch.Tensor], layer: str, half: str) -> str:
    return next(k for k in tensors if f"{layer}.lora_{half}" in k)


def _set_value(value: float) -> Callable[[dict[str, torch.Tensor]], None]:
    def change(tensors: dict[str, torch.Tensor]) -> None:
        tensors[_key(tensors, "layers.3.self_attn.q_proj", "B")][5, 2] = value

    return change


def _resize(half: str, size: int) -> Callable[[dict[str, torch.Tensor]], None]:
    def change(tensors: dict[str, torch.Tensor]) -> None:
        key = _key(tensors, "layers.3.self_attn.q_proj", half)
        t = tensors[key]
        tensors[key] = torch.ones((t.shape[0], size) if half == "A" else (size, t.shape[1]))

    return change


def _to_int(tensors: dict[str, torch.Tensor]) -> None:
    key = _key(tensors, "layers.0.self_attn.v_proj", "A")
    tensors[key] = tensors[key].to(torch.int32)


def _rank_4(tensors: dict[str, torch.Tensor]) -> None:
    for half in ("A", "B"):
        key = _key(tensors, "layers.1.self_attn.q_proj", half)
        tensors[key] = tensors[key][:4] if half == "A" else tensors[key][:, :4].contiguous()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_set_value(float("nan")), "layers.3.self_attn.q_proj.lora_B.weight holds NaN or infinite"),
        (_set_value(float("inf")), "layers.3.self_attn.q_proj.lora_B.weight holds NaN or infinite"),
        (_resize("A", 100), f"lora_A of {Q3} has input size 100, the base layer has 576"),
        (_resize("B", 100), f"lora_B of {Q3} has output size 100, the base layer has 576"),
        (_rank_4, "lora_A of layers.1.self_attn.q_proj has rank 4, adapter_config.json says 8"),
        (_to_int, "layers.0.self_attn.v_proj.lora_A.weight has dtype I32"),
    ],
    ids=["nan", "inf", "lora_A-input", "lora_B-output", "rank", "int-dtype"],
)  # fmt: skip
def test_broken_weights_are_refused_with_reason(
    tmp_path: Path,
    base: BaseModelInfo,
    test_adapters: dict[str, Path],
    change: Callable[[dict[str, torch.Tensor]], None],
    reason: str,
) -> None:
    folder = shutil.copytree(test_adapters["adapter-a"], tmp_path / "x")
    _rewrite_weights(folder, change)
    with pytest.raises(AdapterValidationError, match=re.escape(reason)):
        validate_adapter(folder, base, max_rank=16)


def test_a_lora_half_without_its_pair_is_refused(
    tmp_path: Path, base: BaseModelInfo, test_adapters: dict[str, Path]
) -> None:
    folder = shutil.copytree(test_adapters["adapter-a"], tmp_path / "x")

    def drop_b(tensors: dict[str, torch.Tensor]) -> None:
        del tensors[_key(tensors, "layers.2.self_attn.v_proj", "B")]

    _rewrite_weights(folder, drop_b)
    with pytest.raises(AdapterValidationError, match="layers.2.self_attn.v_proj has no lora_B"):
        validate_adapter(folder, base, max_rank=16)


def test_base_layer_shapes_come_from_the_headers(base: BaseModelInfo) -> None:
    assert base.layer_shapes["layers.3.self_attn.q_proj"] == (576, 576)
    assert base.layer_shapes["layers.3.self_attn.k_proj"] == (192, 576)
    assert base.layer_shapes["layers.0.mlp.down_proj"] == (576, 1536)
