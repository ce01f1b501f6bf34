"""Server settings reach the retrieval layer's config."""

from __future__ import annotations

from pathlib import Path

from server.retrieval_runtime import retrieval_config
from server.settings import Settings


def test_erasure_key_file_setting_reaches_the_store(tmp_path: Path) -> None:
    key = tmp_path / "erasure.key"
    config = retrieval_config(Settings(erasure_key_file=key, cache_dir=tmp_path))
    assert config.erasure_key_file == key
    assert config.erasure_log_path == tmp_path / "erasure_log.jsonl"
