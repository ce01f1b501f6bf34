"""Adapter folder validation against the real base model's layers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
    broken_json = shutil.copytree(test_adapters["adapter-a"], tmp_path / "json")
    (broken_json / "adapter_config.json").write_text("{not json")
    (tmp_path / "not-an-adapter").mkdir()
    shutil.copytree(test_adapters["adapter-b"], tmp_path / "good")
    good, skipped = discover_adapters(tmp_path, base, max_rank=16)
    assert [s.name for s in good] == ["good"]
    assert "missing" in skipped["missing"]
    assert "unreadable" in skipped["corrupt"]
    assert "not valid JSON" in skipped["json"]
    assert "not-an-adapter" not in skipped
