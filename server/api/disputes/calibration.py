"""The served classifier version's `calibration.json`, read again whenever the served version
or the file changes (a hot-reloaded version brings its own calibration)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from adapters.evaluation.calibration import CALIBRATION_FILE, Calibration, read_calibration
from adapters.manifest import MANIFEST_FILE
from server.engine.protocol import Engine

logger = logging.getLogger(__name__)

_Key = tuple[str, str | None, int | None]


def _stamp(folder: Path) -> int | None:
    try:
        return (folder / CALIBRATION_FILE).stat().st_mtime_ns
    except OSError:
        return None


def _load(folder: Path, ref: str) -> Calibration | None:
    """The folder's calibration if it was fitted on these weights; None otherwise."""
    try:
        cal = read_calibration(folder)
        if cal is None:
            return None
        weights = json.loads((folder / MANIFEST_FILE).read_text()).get("adapter_sha256")
    except (OSError, ValueError) as exc:
        logger.warning("%s: calibration ignored: %s", ref, exc)
        return None
    if cal.adapter_sha256 != weights:
        logger.warning("%s: calibration ignored: it was fitted on other weights", ref)
        return None
    return cal


class CalibrationCache:
    """Per loaded adapter, one calibration per (adapter folder, version, file stamp)."""

    def __init__(self) -> None:
        self._cached: dict[str, tuple[_Key, Calibration | None]] = {}

    def get(self, engine: Engine, name: str) -> Calibration | None:
        info = next((a for a in engine.list_adapters() if a.name == name), None)
        if info is None:
            return None
        folder = Path(info.path)
        key = (info.path, info.version, _stamp(folder))
        cached = self._cached.get(name)
        if cached is None or cached[0] != key:
            ref = f"{name.partition('@')[0]}@{info.version}"
            cached = self._cached[name] = (key, _load(folder, ref))
        return cached[1]
