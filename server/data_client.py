"""`arserve data ingest|erase --url`: the same files and erasures through a running server's
records API, so the embedded store's folder lock never blocks a user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from retrieval.errors import RetrievalError
from retrieval.ingest import list_files, read_rows, type_for_file
from retrieval.writes import ROW_STATUSES

TIMEOUT_S = 300.0


class RemoteError(RetrievalError):
    """The server refused the request or could not be reached (message says which)."""


@dataclass
class RemoteReport:
    files: list[str] = field(default_factory=list)
    num_rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROW_STATUSES, 0))
    errors: list[str] = field(default_factory=list)  # file:line: reason

    @property
    def ok(self) -> bool:
        return not self.errors


class DataClient:
    def __init__(self, url: str, api_key: str | None, client: httpx.Client | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = url.rstrip("/")
        self.http = client or httpx.Client(base_url=self.url, headers=headers, timeout=TIMEOUT_S)

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            r = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach {self.url}: {exc}") from None
        try:
            body = r.json()
        except ValueError:
            raise RemoteError(f"{self.url} answered {r.status_code} without JSON") from None
        if r.status_code != 200:
            message = body.get("error", {}).get("message") if isinstance(body, dict) else None
            raise RemoteError(f"{self.url} answered {r.status_code}: {message or r.text[:200]}")
        return dict(body)

    def ingest(
        self, path: Path, batch_size: int, progress: Callable[[int], None] | None = None
    ) -> RemoteReport:
        report = RemoteReport()
        for file in list_files(Path(path)):
            report.files.append(str(file))
            for batch in _batches(file, batch_size, report):
                body = self._send("POST", "/v1/records", json=[row for _, row in batch])
                report.num_rows += len(batch)
                for (line, _), res in zip(batch, body["results"], strict=True):
                    report.counts[res["status"]] = report.counts.get(res["status"], 0) + 1
                    if res["status"] in ("invalid", "not_found"):
                        report.errors.append(f"{file}:{line}: {res.get('reason', res['status'])}")
                if progress:
                    progress(report.num_rows)
        return report

    def erase(self, customer_id: str) -> dict[str, Any]:
        return self._send("DELETE", f"/v1/customers/{customer_id}")


def _batches(
    file: Path, size: int, report: RemoteReport
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Rows with their line numbers, record_type from the file name where a row has none; a
    line that does not parse is reported here and never sent."""
    default_type = type_for_file(file)
    batch: list[tuple[int, dict[str, Any]]] = []
    for line, row, err in read_rows(file):
        if row is None:
            report.num_rows += 1
            report.counts["invalid"] += 1
            report.errors.append(f"{file}:{line}: {err or 'unreadable row'}")
            continue
        if default_type and not row.get("record_type"):
            row = {"record_type": default_type, **row}
        batch.append((line, row))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
