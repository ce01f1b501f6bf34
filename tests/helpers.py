"""Test helpers: PEFT adapters built on the real base model, readiness, error bodies."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import httpx

READY_TIMEOUT_S = 600


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_lora(
    base_dir: Path,
    out: Path,
    seed: int,
    rank: int = 8,
    targets: tuple[str, ...] = ("q_proj", "v_proj"),
) -> Path:
    """A LoRA adapter whose A and B are both non-zero, so it really changes outputs.

    PEFT's default initialisation leaves B at zero, which would make the adapter a no-op.
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    config = LoraConfig(
        r=rank, lora_alpha=2 * rank, target_modules=list(targets), init_lora_weights=False
    )
    peft_model = get_peft_model(model, config)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    peft_model.save_pretrained(str(tmp))
    tmp.rename(out)
    return out


def edit_config(folder: Path, **changes: object) -> None:
    path = folder / "adapter_config.json"
    config = json.loads(path.read_text())
    config.update(changes)
    path.write_text(json.dumps(config))


def make_registry_entry(
    root: Path, name: str, version: str, source: Path, **overrides: object
) -> Path:
    """A registry entry (PEFT files + manifest.json) built from an existing adapter folder."""
    from adapters.manifest import Manifest, sha256_file

    folder = root / name / version
    shutil.copytree(source, folder)
    config = json.loads((folder / "adapter_config.json").read_text())
    fields: dict = {
        "name": name,
        "version": version,
        "task": "test",
        "base_model_id": "SmolLM2-135M-Instruct",
        "base_model_sha256": "",
        "rank": config["r"],
        "alpha": config["lora_alpha"],
        "target_modules": sorted(config["target_modules"]),
        "training_data_sha256": "",
        "training_data_size": {},
        "training_config": {},
        "prompt_template_version": "test",
        "adapter_sha256": sha256_file(folder / "adapter_model.safetensors"),
    }
    fields.update(overrides)
    Manifest(**fields).write(folder)
    return folder


def assert_error(response: httpx.Response, status: int, param: str | None = None) -> dict:
    """The documented status and exactly one OpenAI-shaped error object, no stack trace."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["message"] and "Traceback" not in error["message"]
    if param is not None:
        assert error["param"] == param
    return error
