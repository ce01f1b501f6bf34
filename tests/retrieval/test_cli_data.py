from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli_data import app


def test_ingest_bad_rows_and_erase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSERVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ARSERVE_QDRANT_URL", raising=False)
    monkeypatch.delenv("ARSERVE_QDRANT_PATH", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.jsonl").write_text(
        json.dumps({"tenant_id": "t1", "customer_id": "C1", "name": "Acme",
                    "contacts": [{"name": "Jane Roe", "email": "jane@acme.test"}]}) + "\n"
        + json.dumps({"tenant_id": "t1", "customer_id": "C2"}) + "\n"
    )  # fmt: skip
    (data / "collection_notes.jsonl").write_text(
        json.dumps({"tenant_id": "t1", "customer_id": "C1", "note_id": "N1",
                    "note_date": "2025-05-01", "author": "Sam", "note": "Promised payment."})
        + "\n"
    )  # fmt: skip
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(data)])
    assert res.exit_code == 1, res.output  # one bad row
    assert "customers.jsonl:2" in res.output and "2 inserted" in res.output
    res = runner.invoke(app, ["erase", "--tenant", "t1", "--customer", "C1"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["verified"] and report["records"] == {"collection_note": 1, "customer": 1}
    log = (tmp_path / "cache" / "erasure_log.jsonl").read_text()
    assert "Jane" not in log and "acme" not in log.lower() and "C1" not in log
    res = runner.invoke(app, ["erase", "--tenant", "t1", "--customer", "C1"])
    assert res.exit_code == 1 and "not found" in res.output


def test_demo_writes_files(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "invoices.csv").is_file() and (tmp_path / "eval_queries.json").is_file()


def test_erased_customer_is_skipped_until_unsuppressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ARSERVE_CACHE_DIR", str(cache))
    monkeypatch.delenv("ARSERVE_QDRANT_URL", raising=False)
    monkeypatch.delenv("ARSERVE_QDRANT_PATH", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.jsonl").write_text(
        json.dumps({"tenant_id": "t1", "customer_id": "C1", "name": "Acme"}) + "\n"
        + json.dumps({"tenant_id": "t1", "customer_id": "C2", "name": "Beta"}) + "\n"
    )  # fmt: skip
    runner = CliRunner()
    assert "2 inserted" in runner.invoke(app, ["ingest", str(data)]).output
    assert runner.invoke(app, ["erase", "--tenant", "t1", "--customer", "C1"]).exit_code == 0
    assert stat.S_IMODE((cache / "erasure.key").stat().st_mode) == 0o600
    res = runner.invoke(app, ["ingest", str(data)])
    assert res.exit_code == 0 and "0 inserted" in res.output, res.output
    assert "1 unchanged" in res.output and "1 skipped (erased customers)" in res.output
    assert "C1" not in res.output
    res = runner.invoke(app, ["unsuppress", "--tenant", "t1", "--customer", "C1"])
    assert res.exit_code == 2  # no reason, no override
    res = runner.invoke(
        app, ["unsuppress", "--tenant", "t1", "--customer", "C1", "--reason", "re-signed", "--by",
              "dpo"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["event"] == "unsuppress"
    res = runner.invoke(app, ["ingest", str(data)])
    assert "1 inserted" in res.output and "0 skipped" in res.output, res.output
    log = [json.loads(line) for line in (cache / "erasure_log.jsonl").read_text().splitlines()]
    assert [e.get("event") for e in log] == [None, "unsuppress"]
    assert log[1]["by"] == "dpo" and log[1]["reason"] == "re-signed"
    assert log[1]["customer_ref"] == log[0]["customer_ref"]
    assert "C1" not in (cache / "erasure_log.jsonl").read_text()
    res = runner.invoke(
        app, ["unsuppress", "--tenant", "t1", "--customer", "C1", "--reason", "again"]
    )
    assert res.exit_code == 1 and "not suppressed" in res.output
