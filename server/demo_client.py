"""`make demo`: draft three e-mails and classify a few disputes against a running server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import typer

DISPUTES = [
    "We received only 18 of the 24 cases on PO 4471; please credit the missing six.",
    "Your invoice shows 14.20 per unit but our price agreement says 12.95.",
    "Half of the pallet arrived crushed and the bottles were leaking.",
    "We took the 2% early payment discount since we paid within 10 days.",
    "This invoice was already paid last month, you billed the same delivery twice.",
]


# E-mails of the demo: a reminder with an instruction, a German one, an acknowledgement.
EMAILS: list[tuple[str, dict[str, str]]] = [
    ("reminder_overdue_1", {"instructions": "Please quote the PO number."}),
    ("reminder_overdue_1", {"language": "de"}),
    ("dispute_acknowledgement", {}),
]


def _show(title: str, body: dict[str, Any]) -> None:
    typer.echo(f"\n=== {title}")
    typer.echo(json.dumps(body, indent=2, ensure_ascii=False))


def run_demo(url: str, key: str, customer_id: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=600) as client:
        for email_type, extra in EMAILS:
            body = {"customer_id": customer_id, "email_type": email_type, **extra}
            r = client.post("/v1/ar/emails", json=body)
            _show(f"POST /v1/ar/emails {email_type} {extra} ({r.status_code})", r.json())
        r = client.post(
            "/v1/disputes/classify",
            json={"items": [{"text": t, "customer_id": customer_id} for t in DISPUTES]},
        )
        _show(f"POST /v1/disputes/classify ({r.status_code})", r.json())


def dev_key(cache_dir: Path) -> str:
    path = cache_dir / "dev-key"
    if not path.exists():
        raise typer.BadParameter(f"no dev key at {path}: run `make serve` first")
    return path.read_text().strip()
