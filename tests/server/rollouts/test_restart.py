"""A real server process restarted on the same registry keeps its routes, tenant access and
active rollout: the same customers land on the same arms, and other tenants still cannot see
the tenant's adapter. Two engine start-ups: slow, so one test."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.tasks import DISPUTE_CLASSIFIER
from server.auth import create_key
from server.readiness import wait_ready
from server.settings import Settings
from tests.helpers import READY_TIMEOUT_S, free_port, make_registry_entry

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[3]
OWNER, OTHER = "restart-owner", "restart-other"
ADAPTER = "owner-disputes"
CUSTOMERS = [f"RS-C{i:02d}" for i in range(24)]


class Process:
    """`arserve serve` on a temporary registry, store and audit folder."""

    def __init__(self, tmp: Path) -> None:
        keys = tmp / "keys.json"
        self.keys = {
            "admin": create_key(keys, "admin", OWNER, ["infer", "admin"]),
            "owner": create_key(keys, "owner", OWNER, ["infer"]),
            "data": create_key(keys, "data", OWNER, ["data"]),
            "other": create_key(keys, "other", OTHER, ["infer"]),
        }
        registry = tmp / "registry"
        shared = Settings().registry_dir / DISPUTE_CLASSIFIER
        shutil.copytree(shared, registry / DISPUTE_CLASSIFIER)
        # Two versions of a tenant's own classifier: the first live, the second the candidate.
        for version, source in (("1", "4"), ("2", "3")):
            make_registry_entry(registry, ADAPTER, version, shared / source,
                                task=DISPUTE_CLASSIFIER, schema_version=1)  # fmt: skip
        self.env = {
            **os.environ,
            "ARSERVE_PORT": "0",
            "ARSERVE_KEYS_FILE": str(keys),
            "ARSERVE_REGISTRY_DIR": str(registry),
            "ARSERVE_QDRANT_PATH": str(tmp / "qdrant"),
            "ARSERVE_AUDIT_DIR": str(tmp / "audit"),
            "ARSERVE_LOAD_DEMO_DATA": "false",
            "ARSERVE_DTYPE": "float32",
            "ARSERVE_MAX_MODEL_LEN": "2048",
            "ARSERVE_MAX_NUM_SEQS": "8",
            "ARSERVE_MAX_LORAS": "4",
            "ARSERVE_KV_CACHE_SPACE_GIB": "1",
        }
        self.registry = registry
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env["ARSERVE_PORT"] = str(port)
        self.proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], cwd=ROOT,
                                     env=self.env)  # fmt: skip
        wait_ready(self.url, timeout_s=READY_TIMEOUT_S, poll_s=1.0)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=60)

    def call(self, key: str, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[key]}"}
        return httpx.request(method, f"{self.url}{path}", json=body, headers=headers,
                             timeout=600)  # fmt: skip


@pytest.fixture
def process(tmp_path: Path) -> Iterator[Process]:
    proc = Process(tmp_path)
    yield proc
    proc.stop()


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _arms(proc: Process) -> list[str]:
    items = [{"text": "Two cases were missing from the delivery.", "customer_id": c}
             for c in CUSTOMERS]  # fmt: skip
    body = _ok(proc.call("owner", "POST", "/v1/disputes/classify", {"items": items}))
    return [item["adapter"] for item in body["data"]]


def _model_ids(proc: Process, key: str) -> set[str]:
    return {m["id"] for m in _ok(proc.call(key, "GET", "/v1/models"))["data"]}


def _rollouts(proc: Process) -> list[dict]:
    """The rollouts without their in-memory live scores (counted per process)."""
    out = _ok(proc.call("admin", "GET", "/v1/rollouts"))["data"]
    return [{k: v for k, v in r.items() if k not in ("scores", "shadow")} for r in out]


def test_a_restart_keeps_routes_access_and_the_active_rollout(process: Process) -> None:
    proc = process
    proc.start()
    _ok(proc.call("admin", "PUT", f"/v1/adapters/{ADAPTER}/tenants", {"tenants": [OWNER]}))
    route = {"task": DISPUTE_CLASSIFIER, "tenant": OWNER, "adapter": f"{ADAPTER}@1"}
    _ok(proc.call("admin", "PUT", "/v1/routes", route))
    rows = [{"record_type": "customer", "customer_id": c, "name": f"Restart {c}"}
            for c in CUSTOMERS]  # fmt: skip
    _ok(proc.call("data", "POST", "/v1/records", rows))
    canary = {"task": DISPUTE_CLASSIFIER, "tenant": OWNER, "candidate": f"{ADAPTER}@2",
              "mode": "canary", "share": 0.5}  # fmt: skip
    rollout = _ok(proc.call("admin", "POST", "/v1/rollouts", canary))
    assert rollout["live"] == f"{ADAPTER}@1"
    routes = _ok(proc.call("admin", "GET", "/v1/routes"))
    rollouts, arms = _rollouts(proc), _arms(proc)
    assert set(arms) == {f"{ADAPTER}@1", f"{ADAPTER}@2"}, arms
    assert ADAPTER in _model_ids(proc, "owner") and ADAPTER not in _model_ids(proc, "other")

    proc.stop()
    proc.start()

    assert _ok(proc.call("admin", "GET", "/v1/routes")) == routes
    assert _rollouts(proc) == rollouts and rollouts[0]["status"] == "active"
    assert _arms(proc) == arms  # the same customers on the same versions
    assert ADAPTER in _model_ids(proc, "owner") and ADAPTER not in _model_ids(proc, "other")
    body = {"model": ADAPTER, "prompt": "Invoice", "max_tokens": 2}
    assert proc.call("other", "POST", "/v1/completions", body).status_code == 404
    # Promotion after the restart: the route now pins the candidate.
    _ok(proc.call("admin", "POST", f"/v1/rollouts/{rollout['id']}/promote", {}))
    table = _ok(proc.call("admin", "GET", "/v1/routes"))
    own = [r for r in table["routes"] if (r["task"], r["tenant"]) == (DISPUTE_CLASSIFIER, OWNER)]
    assert [r["adapter"] for r in own] == [f"{ADAPTER}@2"]
    assert set(_arms(proc)) == {f"{ADAPTER}@2"}
