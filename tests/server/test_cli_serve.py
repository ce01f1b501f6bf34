"""`arserve serve` refuses to expose an unauthenticated server beyond loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from server.cli import app

runner = CliRunner()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kw: calls.append(kw))
    monkeypatch.delenv("ARSERVE_KEYS_FILE", raising=False)
    monkeypatch.delenv("ARSERVE_HOST", raising=False)
    return calls


def test_public_host_without_keys_is_refused(started: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "needs API keys" in result.output and "ARSERVE_KEYS_FILE" in result.output
    assert started == []


def test_public_host_with_keys_and_loopback_without_start(
    started: list[dict[str, Any]], tmp_path: Path
) -> None:
    keys = tmp_path / "keys.json"
    assert (
        runner.invoke(
            app, ["keys", "create", "--id", "k", "--tenant", "t", "--keys-file", str(keys)]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(app, ["serve", "--host", "0.0.0.0", "--keys-file", str(keys)]).exit_code == 0
    )
    assert runner.invoke(app, ["serve", "--host", "127.0.0.1"]).exit_code == 0
    assert [c["host"] for c in started] == ["0.0.0.0", "127.0.0.1"]
