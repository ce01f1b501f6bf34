"""A records-only arserve in its own process, for kill -9 and CLI tests: the real app and the
embedded Qdrant Edge store on a folder; the engine is the HTTP layer's fake (the data routes
never use it). Usage: python -m tests.server.records_server FOLDER PORT KEYS_FILE CACHE_DIR"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from server.app import create_app
from server.settings import Settings
from tests.server.fake_engine import FakeEngine


def main(folder: str, port: str, keys_file: str, cache_dir: str) -> None:
    settings = Settings(
        port=int(port),
        keys_file=Path(keys_file),
        qdrant_path=Path(folder),
        cache_dir=Path(cache_dir),
        load_demo_data=False,
    )
    app = create_app(settings, FakeEngine())  # type: ignore[arg-type]
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:5])
