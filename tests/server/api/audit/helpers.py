"""Keys, settings and the log file of the audit HTTP tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from server.auth import create_key
from server.settings import Settings

A, B = "acme-foods", "atlas-supply"
SECRET = "k" * 40
CHAT = {"model": "fake-base", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}


class Keys:
    def __init__(self, path: Path) -> None:
        self.admin = create_key(path, "adm", A, ["infer", "admin"])
        self.infer = create_key(path, "inf", A, ["infer"])
        self.other = create_key(path, "oth", B, ["infer"])

    @staticmethod
    def auth(key: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", **headers}


def settings(tmp_path: Path, **extra: Any) -> Settings:
    fields: dict[str, Any] = {
        "keys_file": tmp_path / "keys.json",
        "cache_dir": tmp_path,
        "audit_dir": tmp_path / "audit",
        "audit_secret": SECRET,
        "enable_retrieval": False,
        "load_demo_data": False,
    }
    return Settings(**(fields | extra))


def records(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "audit" / "audit.jsonl"
    return [json.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
