"""The suppression list on its own: keyed refs, the key file, legacy log lines, torn lines."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from retrieval.config import RetrievalConfig
from retrieval.errors import ConfigError
from retrieval.suppression import SuppressedError, Suppressions

A, B = "acme-foods", "atlas-supply"


def _lists(folder: Path, key_file: Path | None = None) -> Suppressions:
    cfg = RetrievalConfig(
        in_memory=True, erasure_log_path=folder / "erasure_log.jsonl", erasure_key_file=key_file
    )
    lists = Suppressions.for_config(cfg)
    assert lists is not None
    return lists


def test_suppressed_subject_is_refused_per_tenant(tmp_path: Path) -> None:
    lists = _lists(tmp_path)
    lists.suppress(A, "C00005")
    with pytest.raises(SuppressedError) as err:
        lists.check_not_suppressed(A, "C00005")
    assert "C00005" not in str(err.value)
    lists.check_not_suppressed(B, "C00005")  # the same id in another tenant is someone else
    lists.check_not_suppressed(A, "C00006")
    again = _lists(tmp_path)  # a restart reads the list back
    assert again.is_suppressed(A, "C00005") and not again.is_suppressed(B, "C00005")
    text = (tmp_path / "suppressed_subjects.jsonl").read_text()
    assert "C00005" not in text and lists.ref(A, "C00005") in text


def test_erasures_logged_before_keyed_refs_stay_suppressed(tmp_path: Path) -> None:
    old = hashlib.sha256(f"{A}\x1fC00005".encode()).hexdigest()[:16]
    line = json.dumps({"customer_ref": old, "tenant_id": A, "verified": True}) + "\n"
    (tmp_path / "erasure_log.jsonl").write_text(line)
    lists = _lists(tmp_path)
    assert lists.is_suppressed(A, "C00005")
    assert not lists.is_suppressed(B, "C00005") and not lists.is_suppressed(A, "C00006")
    lists.release(A, "C00005")
    assert not _lists(tmp_path).is_suppressed(A, "C00005")
    assert (tmp_path / "erasure_log.jsonl").read_text() == line  # old lines are never rewritten


def test_a_lost_or_replaced_key_fails_closed(tmp_path: Path) -> None:
    _lists(tmp_path).suppress(A, "C00005")
    (tmp_path / "erasure.key").unlink()
    with pytest.raises(ConfigError, match="erasure key"):
        _lists(tmp_path).is_suppressed(A, "C00005")
    with pytest.raises(ConfigError, match="erasure key"):
        _lists(tmp_path).suppress(A, "C00006")
    assert not (tmp_path / "erasure.key").exists()  # not silently replaced by a new one
    (tmp_path / "erasure.key").write_bytes(os.urandom(32))
    with pytest.raises(ConfigError, match="another erasure key"):
        _lists(tmp_path).is_suppressed(A, "C00005")


def test_an_explicit_key_file_is_used_and_never_created(tmp_path: Path) -> None:
    key = tmp_path / "secret" / "key.bin"
    with pytest.raises(ConfigError, match="not found"):
        _lists(tmp_path / "one", key).suppress(A, "C00005")
    key.parent.mkdir()
    key.write_bytes(os.urandom(32))
    one, two = _lists(tmp_path / "one", key), _lists(tmp_path / "two", key)
    assert one.ref(A, "C00005") == two.ref(A, "C00005") != _lists(tmp_path).ref(A, "C00005")
    assert not (tmp_path / "one" / "erasure.key").exists()
    key.write_bytes(b"short")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        _lists(tmp_path / "three", key).ref(A, "C00005")


def test_a_torn_last_line_is_skipped_then_cut_off(tmp_path: Path) -> None:
    lists = _lists(tmp_path)
    lists.suppress(A, "C00005")
    path = tmp_path / "suppressed_subjects.jsonl"
    with path.open("a") as fh:
        fh.write('{"op": "release", "ref": ')  # killed mid-write: never took effect
    assert _lists(tmp_path).is_suppressed(A, "C00005")
    _lists(tmp_path).suppress(A, "C00006")
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["op"] == "suppress" for line in lines)
    assert _lists(tmp_path).is_suppressed(A, "C00005") and _lists(tmp_path).is_suppressed(
        A, "C00006"
    )
    with path.open("a") as fh:
        fh.write("garbage\n")  # a complete bad line is corruption, not a crash
    _lists(tmp_path).suppress(B, "C00007")
    with pytest.raises(ConfigError, match="corrupt at line 3"):
        _lists(tmp_path).is_suppressed(A, "C00005")
