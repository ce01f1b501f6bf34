"""The audit log of the session's real server: an e-mail and a classification for a demo
customer are recorded with their adapter and citations, the log holds none of the customer's
personal data (name, contacts' names and e-mails, raw customer id), and `arserve audit verify`
passes on it and fails on a copy with one edited line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.tasks import DISPUTE_CLASSIFIER, EMAIL_DRAFTER
from server.audit.log import LOG_NAME
from server.cli import app as cli
from tests.server.conftest import TENANT, LiveServer

pytestmark = pytest.mark.engine

CUSTOMER = "C00001"


def _personal_data(demo_dir: Path) -> list[str]:
    """The demo customer's name, id and contacts' names and e-mails, in the session's tenant."""
    for line in (demo_dir / "customers.jsonl").read_text().splitlines():
        row = json.loads(line)
        if (row["tenant_id"], row["customer_id"]) == (TENANT, CUSTOMER):
            contacts = [v for c in row.get("contacts", []) for v in (c["name"], c["email"])]
            return [row["name"], row["customer_id"], *contacts]
    raise AssertionError("the demo customer is missing")


def test_the_audit_log_records_generations_without_personal_data(
    live_server: LiveServer, demo_dir: Path, tmp_path: Path
) -> None:
    server = live_server
    with server.client(server.infer_key) as client:
        body = {"customer_id": CUSTOMER, "email_type": "reminder_overdue_1"}
        email = client.post("/v1/ar/emails", json=body)
        body = {"text": "Two cases were missing.", "customer_id": CUSTOMER}
        classify = client.post("/v1/disputes/classify", json=body)
    assert email.status_code == 200 and classify.status_code == 200, (email.text, classify.text)
    with server.client(server.admin_key) as admin:
        for response, task in ((email, EMAIL_DRAFTER), (classify, DISPUTE_CLASSIFIER)):
            request_id = response.headers["x-request-id"]
            found = admin.get("/v1/audit", params={"request_id": request_id}).json()["data"]
            assert len(found) == 1, found
            record = found[0]
            assert record["tenant"] == TENANT and record["adapter"].startswith(f"{task}@")
            assert record["adapter_sha256"] and record["base_model_sha256"]
            assert len(record["customer_refs"]) == 1 and CUSTOMER not in record["customer_refs"][0]
            assert record["citations"], record
        generated = [email.json()["id"], *(d["id"] for d in classify.json()["data"])]
        for generation_id in generated:  # what feedback will name
            found = admin.get("/v1/audit", params={"generation_id": generation_id}).json()["data"]
            assert [generation_id] == [g for r in found for g in r["generation_ids"]], found
    path = server.app_state.settings.resolved_audit_dir / LOG_NAME
    raw = path.read_text()
    leaked = [value for value in _personal_data(demo_dir) if value in raw]
    assert leaked == [], f"{len(leaked)} personal values in the audit log"

    runner = CliRunner()
    intact = runner.invoke(cli, ["audit", "verify", "--path", str(path)])
    assert intact.exit_code == 0, intact.output
    lines = raw.splitlines(keepends=True)
    lines[-1] = lines[-1].replace(f'"tenant":"{TENANT}"', '"tenant":"someone-else"', 1)
    edited = tmp_path / LOG_NAME
    edited.write_text("".join(lines))
    bad = runner.invoke(cli, ["audit", "verify", "--path", str(edited)])
    assert bad.exit_code == 1 and f"line {len(lines)}: edited" in bad.output, bad.output
