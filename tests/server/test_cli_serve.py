"""`arserve serve` refuses to expose an unauthenticated server beyond loopback."""

from __future__ import annotations

import socket
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
    # the server's logging set-up replaces the root handlers: not in the test process
    monkeypatch.setattr("server.cli.configure_logging", lambda fmt: calls.append({"logs": fmt}))
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
    assert [c["host"] for c in started if "host" in c] == ["0.0.0.0", "127.0.0.1"]


def test_every_setting_is_a_flag_over_the_environment(
    started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    captured: list[Any] = []
    monkeypatch.setattr("server.app.create_app", lambda settings: captured.append(settings))
    monkeypatch.setenv("ARSERVE_PORT", "9100")
    monkeypatch.setenv("ARSERVE_MAX_MODEL_LEN", "4096")
    args = ["serve", "--max-model-len", "1024", "--enforce-eager", "false", "--dtype", "float32"]
    assert runner.invoke(app, args).exit_code == 0
    (settings,) = captured
    assert (settings.port, settings.max_model_len) == (9100, 1024)  # the flag wins over the env
    assert settings.enforce_eager is False and settings.dtype == "float32"
    assert started == [
        {"logs": "json"},  # one JSON object a line by default (ARSERVE_LOG_FORMAT)
        {
            "host": "127.0.0.1",
            "port": 9100,
            "log_level": "info",
            # h11 bounds the request line and headers; httptools does not (issue 21).
            "http": "h11",
            "h11_max_incomplete_event_size": 16_384,
            "log_config": None,  # configure_logging's handlers, not uvicorn's
        },
    ]


def test_serve_help_lists_the_settings_and_bad_flags_are_refused(
    started: list[dict[str, Any]],
) -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for flag in ("--max-model-len", "--keys-file", "--load-demo-data", "--grounding-policy"):
        assert flag in result.output
    assert runner.invoke(app, ["serve", "--dtype", "float8"]).exit_code == 2
    assert runner.invoke(app, ["serve", "--no-such-setting", "1"]).exit_code == 2
    assert started == []


@pytest.mark.filterwarnings("ignore:Failed to obtain server version")
def test_data_commands_name_the_qdrant_url_and_the_cause(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"  # closed once the block ends
    monkeypatch.setenv("ARSERVE_QDRANT_URL", url)
    result = runner.invoke(app, ["data", "ingest", str(tmp_path)])
    assert result.exit_code == 2
    assert f"error: Qdrant unreachable at {url}: connection refused" in result.output
