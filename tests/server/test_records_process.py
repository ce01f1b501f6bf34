"""The records API in a real server process on the embedded store's folder: kill -9 during
a batch loses no acknowledged row and duplicates none; `arserve data ingest|erase --url`
work while the server holds the folder (which the direct CLI cannot open)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from retrieval.config import RetrievalConfig
from retrieval.store import RetrievalStore
from server.auth import create_key
from server.cli_data import app as data_cli
from server.readiness import wait_ready
from tests.helpers import free_port

TENANT = "t-proc"
ROOT = Path(__file__).resolve().parents[2]


class Server:
    def __init__(self, tmp: Path) -> None:
        self.folder, self.cache = tmp / "qdrant", tmp / "cache"
        self.keys_file = tmp / "keys.json"
        self.key = create_key(self.keys_file, "d", TENANT, ["data", "infer"])
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        args = [str(self.folder), str(port), str(self.keys_file), str(self.cache)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.server.records_server", *args], cwd=ROOT
        )
        wait_ready(self.url, timeout_s=180, poll_s=0.3)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)
        self.proc.wait(timeout=60)

    def post(self, rows: list[dict[str, Any]]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key}"}
        return httpx.post(f"{self.url}/v1/records", json=rows, headers=headers, timeout=120)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path)
    srv.start()
    yield srv
    if srv.proc is not None and srv.proc.poll() is None:
        srv.kill(signal.SIGTERM)


def _notes(batch: int, n: int) -> list[dict[str, Any]]:
    return [
        {
            "record_type": "collection_note", "note_id": f"N-{batch}-{j}", "customer_id": "C1",
            "note_date": "2026-11-02", "author": "AR desk",
            "note": f"Call {batch}/{j}: the customer promised to pay the open invoices "
                    f"after the month-end close; follow up on batch {batch} item {j}.",
        }
        for j in range(n)
    ]  # fmt: skip


def test_kill_9_during_a_batch_keeps_every_acknowledged_row_once(server: Server) -> None:
    customer = {"record_type": "customer", "customer_id": "C1", "name": "Crash Test GmbH"}
    assert server.post([customer]).status_code == 200
    acked: list[int] = []
    stop = threading.Event()

    def send() -> None:
        for batch in range(1000):
            if stop.is_set():
                return
            try:
                r = server.post(_notes(batch, 40))
            except httpx.HTTPError:
                return  # the server died under this batch: not acknowledged
            assert r.status_code == 200, r.text
            assert r.json()["counts"]["ok"] == 40
            acked.append(batch)

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 120
    while len(acked) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.15)  # into the next batch's write
    server.kill()
    stop.set()
    sender.join(timeout=120)
    assert len(acked) >= 3
    in_flight = acked[-1] + 1
    server.start()  # the same folder, after the crash
    retry = server.post(_notes(in_flight, 40))  # the client retries what was not acknowledged
    assert retry.status_code == 200, retry.text
    assert {x["status"] for x in retry.json()["results"]} <= {"ok", "unchanged"}
    server.kill(signal.SIGTERM)
    cfg = RetrievalConfig(qdrant_path=server.folder, erasure_log_path=server.cache / "e.jsonl")
    with RetrievalStore.open(cfg) as store:
        for batch in [*acked, in_flight]:
            for j in range(40):
                assert store.get_record(TENANT, "collection_note", f"N-{batch}-{j}") is not None
        # none twice: one point per (single-chunk) note and the customer
        assert store.count(TENANT) == 1 + 40 * (len(acked) + 1)


def test_data_cli_goes_through_a_running_server(server: Server, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.jsonl").write_text(
        json.dumps({"tenant_id": TENANT, "customer_id": "C7", "name": "Via Url"}) + "\n"
        + json.dumps({"tenant_id": "someone-else", "customer_id": "C8", "name": "No"}) + "\n"
    )  # fmt: skip
    (data / "collection_notes.jsonl").write_text(
        "".join(json.dumps(r | {"customer_id": "C7"}) + "\n" for r in _notes(0, 2)) + "{bad\n"
    )
    runner = CliRunner()
    env = {"ARSERVE_QDRANT_PATH": str(server.folder), "ARSERVE_CACHE_DIR": str(server.cache)}
    direct = runner.invoke(data_cli, ["ingest", str(data)], env=env)
    assert direct.exit_code == 2 and "error:" in direct.output  # the server holds the folder
    args = ["ingest", str(data), "--url", server.url, "--api-key", server.key]
    res = runner.invoke(data_cli, args, env=env)
    assert res.exit_code == 1, res.output  # two bad rows, listed with file and line
    assert "3 written" in res.output and "2 bad" in res.output
    assert "customers.jsonl:2" in res.output and "collection_notes.jsonl:3" in res.output
    res = runner.invoke(data_cli, args, env=env)
    assert "0 written, 3 unchanged" in res.output, res.output
    erase = ["erase", "--customer", "C7", "--url", server.url, "--api-key", server.key]
    res = runner.invoke(data_cli, erase, env=env)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["verified"] is True and "C7" not in res.output
    res = runner.invoke(data_cli, erase, env=env)
    assert res.exit_code == 1 and "404" in res.output
    res = runner.invoke(data_cli, [*erase[:-2], "--api-key", "ars-wrong"], env=env)
    assert res.exit_code == 1 and "401" in res.output
