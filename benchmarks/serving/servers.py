"""Servers under test, each in its own process on loopback: arserve and the PEFT peer.

python -m benchmarks.serving.servers arserve '<settings json>' [demo_dir]
python -m benchmarks.serving.servers peft '<peer json>'
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.readiness import wait_ready


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its children (vLLM's engine core is a child)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


@dataclass
class ServerProcess:
    kind: str
    url: str
    proc: subprocess.Popen
    log: Path
    ready_path: str = "/ready"  # vLLM's own server answers /health

    def wait_ready(self, timeout: float = 900) -> None:
        wait_ready(self.url, self.ready_path, self._exit_error, timeout)

    def _exit_error(self) -> str | None:
        if self.proc.poll() is None:
            return None
        tail = self.log.read_text()[-3000:]
        return f"{self.kind} server exited ({self.proc.returncode}):\n{tail}"

    def rss_bytes(self) -> int:
        return tree_rss_bytes(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def spawn(kind: str, config: dict[str, Any], port: int, log: Path, *extra: str) -> ServerProcess:
    """Start a server process (it inherits our `nice`); its output goes to `log`."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "benchmarks.serving.servers", kind, json.dumps(config), *extra]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=Path.cwd())
    return ServerProcess(kind, f"http://127.0.0.1:{port}", proc, log)


def _run_arserve(config: dict[str, Any], demo_dir: str | None) -> None:
    import logging

    import uvicorn

    from server.app import create_app
    from server.settings import Settings

    logging.basicConfig(level=logging.WARNING)
    settings = Settings(**config)
    retrieval = None
    if demo_dir and settings.enable_retrieval:
        from retrieval.ingest import ingest_path
        from server.retrieval_runtime import open_retrieval

        retrieval = open_retrieval(settings)
        report = ingest_path(retrieval.store, Path(demo_dir))
        if not report.ok:
            raise SystemExit(f"demo ingest failed: {report.errors[:3]}")
    app = create_app(settings, retrieval=retrieval)
    uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning")


def main(argv: list[str]) -> None:
    kind, config = argv[0], json.loads(argv[1])
    if kind == "arserve":
        _run_arserve(config, argv[2] if len(argv) > 2 else None)
    elif kind == "peft":
        from benchmarks.serving.peft_peer import serve

        serve(config)
    else:
        raise SystemExit(f"unknown server kind {kind!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
