"""A real Prometheus (Debian's 2.42, installed by `make test`) scraping arserve with the scrape
config and rules of deploy/prometheus/; promtool checks and unit-tests the rules."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml

from server.app import create_app
from server.settings import Settings
from tests.server.fake_engine import FakeEngine

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
INSTALL = "apt-get install -y prometheus  (Debian's prometheus 2.42 brings promtool)"


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: {INSTALL}; `make test` installs it when run as root"
    return path


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_rules_and_config_pass_promtool(tmp_path: Path) -> None:
    promtool = _tool("promtool")
    for args in (
        ["check", "rules", str(DEPLOY / "rules" / "arserve.yml")],
        ["check", "config", str(DEPLOY / "prometheus.yml")],
        ["test", "rules", str(DEPLOY / "tests" / "arserve.test.yml")],
    ):
        run = subprocess.run([promtool, *args], capture_output=True, text=True, cwd=DEPLOY)
        assert run.returncode == 0, run.stdout + run.stderr
    tested = (DEPLOY / "tests" / "arserve.test.yml").read_text()
    rules = yaml.safe_load((DEPLOY / "rules" / "arserve.yml").read_text())
    alerts = [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]
    assert len(alerts) >= 9
    assert all(f"alertname: {a}\n" in tested for a in alerts), "every alert has a unit test"


@pytest.fixture
def arserve() -> Iterator[str]:
    settings = Settings(port=_port(), enable_retrieval=False, price_per_hour=0.5)
    app = create_app(settings, FakeEngine())  # type: ignore[arg-type]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{settings.port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not server.started:
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=30)


def _query(prom: str, expr: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{prom}/api/v1/query", params={"query": expr}, timeout=5)
    r.raise_for_status()
    return list(r.json()["data"]["result"])


def test_a_real_prometheus_scrapes_arserve_and_evaluates_the_rules(
    arserve: str, tmp_path: Path
) -> None:
    prometheus = _tool("prometheus")
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(DEPLOY / "rules" / "arserve.yml")]
    config["scrape_configs"][0]["static_configs"] = [{"targets": [arserve.split("//")[1]]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = _port()
    prom = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        body = {"model": "fake-base", "messages": [{"role": "user", "content": "hi"}],
                "max_tokens": 4}  # fmt: skip
        families: dict[str, list[dict[str, Any]]] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            httpx.post(f"{arserve}/v1/chat/completions", json=body, timeout=10)
            httpx.get(f"{arserve}/ready", timeout=10)
            try:
                families = {
                    name: _query(prom, name)
                    for name in (
                        'up{job="arserve"}', "arserve_requests_total",
                        "arserve_time_to_first_token_seconds_bucket",
                        "arserve_request_latency_seconds_count", "arserve_completion_tokens_total",
                        "arserve_ready", "arserve_price_per_hour", "arserve:requests:rate5m",
                        "arserve:e2e_seconds:p95_5m",
                    )
                }  # fmt: skip
            except httpx.HTTPError:
                time.sleep(0.5)
                continue
            if all(families.values()) and families['up{job="arserve"}'][0]["value"][1] == "1":
                break
            time.sleep(0.5)
        missing = [name for name, result in families.items() if not result]
        assert families and not missing, f"not in Prometheus: {missing}"
        requests = families["arserve_requests_total"][0]["metric"]
        assert {"adapter", "endpoint", "status", "job", "instance"} <= set(requests)
        assert requests["endpoint"] == "chat" and requests["adapter"] == "fake-base"
        buckets = {
            s["metric"]["le"] for s in families["arserve_time_to_first_token_seconds_bucket"]
        }
        assert {"5.0", "40.0", "+Inf"} <= buckets  # the SLO rules' thresholds are real buckets
        assert families["arserve_price_per_hour"][0]["value"][1] == "0.5"
        rate = families["arserve:requests:rate5m"][0]
        assert set(rate["metric"]) == {"__name__", "adapter", "endpoint"}
        assert float(rate["value"][1]) > 0
        groups = httpx.get(f"{prom}/api/v1/rules", timeout=5).json()["data"]["groups"]
        health = {r["name"]: r["health"] for g in groups for r in g["rules"]}
        assert health and set(health.values()) == {"ok"}, health
    finally:
        proc.terminate()
        proc.wait(timeout=30)
