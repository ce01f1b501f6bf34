"""The API process's view of the engine worker's non-finite-value faults (see
`server/vllm_plugin/faults.py`, which writes them): per adapter, and for the base model."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from server.engine.protocol import AdapterFaultListener
from server.vllm_plugin.faults import FAULT_DIR_ENV, FaultReader

logger = logging.getLogger(__name__)


class FaultWatch:
    """Reads one engine's fault folder; tells listeners which adapter was taken out of service."""

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._reader = FaultReader(folder) if folder is not None else None
        self._listeners: list[AdapterFaultListener] = []
        self._base: str | None = None

    @classmethod
    def for_new_engine(cls) -> FaultWatch:
        """A fresh folder, named in the environment the engine's processes are started with."""
        folder = Path(tempfile.mkdtemp(prefix="arserve-faults-"))
        os.environ[FAULT_DIR_ENV] = str(folder)
        return cls(folder)

    def adapter_fault(self, lora_id: int) -> str | None:
        return self._reader.fault(lora_id) if self._reader is not None else None

    def base_fault(self) -> str | None:
        """Why the base model is poisoned (non-finite values in a row without an adapter)."""
        if self._base is None and self._reader is not None:
            self._base = self._reader.fault(None)
            if self._base is not None:
                logger.error("the engine produced non-finite values outside any adapter")
        return self._base

    def listen(self, listener: AdapterFaultListener) -> None:
        self._listeners.append(listener)

    def taken_out(self, name: str, reason: str) -> None:
        logger.error("adapter %s taken out of service: %s", name, reason)
        for listener in self._listeners:
            listener(name, reason)

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
