"""The body of POST /v1/records: a JSON array, or JSON lines (one record per line)."""

from __future__ import annotations

import json

from retrieval.writes import RowInvalid
from server.errors import InvalidRequestError, PayloadTooLargeError

JSON_LINES = frozenset(
    {
        "application/x-ndjson",
        "application/jsonl",
        "application/json-lines",
        "application/x-jsonlines",
    }
)


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def parse_rows(body: bytes, content_type: str | None, max_rows: int) -> list[object]:
    """The rows of the body; a JSON line that does not parse becomes that row's RowInvalid
    (the other rows still land), a body that does not parse as a whole is a 400."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestError("request body is not UTF-8 text") from None
    rows: list[object]
    if media in JSON_LINES:
        rows = [_line(line) for line in text.splitlines() if line.strip()]
    elif media == "application/json":
        try:
            data = json.loads(text, parse_constant=_no_constants)
        except (ValueError, RecursionError):
            raise InvalidRequestError("request body is not valid JSON") from None
        if not isinstance(data, list):
            raise InvalidRequestError(
                "the body must be a JSON array of records "
                "(or JSON lines with Content-Type: application/x-ndjson)"
            )
        rows = data
    else:
        raise InvalidRequestError(
            f"unsupported Content-Type '{media}': send application/json (an array of records) "
            "or application/x-ndjson (one record per line)",
            code="unsupported_media_type",
        )
    if not rows:
        raise InvalidRequestError("the body holds no records")
    if len(rows) > max_rows:
        raise PayloadTooLargeError(
            f"{len(rows)} records in one request; at most {max_rows} (send several requests)",
            code="too_many_records",
        )
    return rows


def _line(line: str) -> object:
    try:
        return json.loads(line, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "invalid JSON"
        return RowInvalid(f"invalid JSON ({msg})")
