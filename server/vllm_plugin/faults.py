"""Non-finite values caught in the engine worker, reported to the API process through files.

vLLM runs the model in its engine-core process; the API process only sees its outputs. The
worker writes one small file per fault into `ARSERVE_FAULT_DIR` (set per engine before vLLM
starts its processes, which inherit it), named `lora-<id>` for an adapter or `base` for the
base model, before the step's outputs leave the worker. So by the time the API process reads a
step's output, the fault that step found is on disk (same host, same file system).
"""

from __future__ import annotations

import os
from pathlib import Path

FAULT_DIR_ENV = "ARSERVE_FAULT_DIR"
BASE = "base"

# What this worker already reported: each fault is written once, not once per layer and step.
_reported: set[str] = set()


def _name(lora_id: int | None) -> str:
    return BASE if lora_id is None else f"lora-{lora_id}"


def report(lora_id: int | None, reason: str) -> None:
    """Record non-finite values of an adapter (`lora_id`) or of the base model (None)."""
    name = _name(lora_id)
    folder = os.environ.get(FAULT_DIR_ENV)
    if name in _reported or not folder:
        return
    _reported.add(name)
    path = Path(folder) / name
    tmp = path.with_name(f".{name}.{os.getpid()}")
    tmp.write_text(reason)
    tmp.replace(path)  # atomic: a reader sees no file or the whole reason


class FaultReader:
    """The API process's side: which adapters (by LoRA id) or whether the base model faulted."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def fault(self, lora_id: int | None) -> str | None:
        """The reason recorded for this LoRA id (None: the base model), or None if none."""
        try:
            return (self.folder / _name(lora_id)).read_text() or "non-finite values"
        except FileNotFoundError:
            return None
