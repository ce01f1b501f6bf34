"""The OpenAPI document: each route's error statuses, all with the one OpenAI-shaped error body.

The statuses come from server/api/errors.py's mapping and the middlewares in server/app.py;
the routers declare theirs with `error_responses(...)`. FastAPI's automatic 422 is dropped:
a validation error is a 400 here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    message: str
    type: str = Field(description="OpenAI's error type, e.g. invalid_request_error")
    param: str | None = Field(description="the request field at fault, where known")
    code: str | None = Field(description="a stable code, e.g. model_not_found")


class ErrorResponse(BaseModel):
    """Every error answer, whatever its status."""

    error: ErrorDetail


_DESCRIPTIONS = {
    400: "Invalid request: body not JSON, a field out of its bounds, an unsupported parameter",
    401: "Missing or invalid API key (a server with a keys file)",
    403: "The API key lacks the scope this route needs",
    404: "Unknown model, adapter or record (another tenant's ids answer the same)",
    409: "Conflicts with the serving state: a route's active rollout, an ended rollout",
    413: "Request body, prompt or text over its limit",
    422: "Well-formed but refused: a deployment gate, an integrity check, an ungrounded draft",
    429: "Too many requests in flight; retry after Retry-After",
    431: "Request line and headers over their limit",
    503: "Starting, or a part it needs is unavailable; retry after Retry-After",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}

# Every path: the header limit (431) and the body limit (413) are middlewares.
EVERY_ROUTE = (413, 431)
# Behind the key gate: no or a bad key (401), a key without the route's scope (403).
KEYED = (401, 403)
# The generation routes: bad parameters, unknown model, prompt too long, overload, not ready.
GENERATION = (400, 404, 413, 429, 503)

# Before OpenAPI 3.2 an event stream's `schema` describes one event.
_SSE_EVENT = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "string",
            "description": "a JSON chunk, an error object (after the headers), or [DONE]",
        },
        "event": {"type": "string"},
    },
}
SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or server-sent events with `stream: true`",
        "content": {"text/event-stream": {"schema": _SSE_EVENT}},
    }
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route that can answer these statuses (and the every-route ones)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, *EVERY_ROUTE}):
        out[status] = {"model": ErrorResponse, "description": _DESCRIPTIONS[status]}
        if status in (429, 503):
            out[status]["headers"] = _RETRY_AFTER
    return out


def _strip_validation_422(doc: dict[str, Any]) -> None:
    """Drop FastAPI's own 422 (and its schemas): validation errors answer 400 here."""
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            declared = op.get("responses", {}).get("422", {})
            schema = declared.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref", "").endswith("/HTTPValidationError"):
                del op["responses"]["422"]
    schemas = doc.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def _errors_in_json(doc: dict[str, Any]) -> None:
    """Error answers are JSON whatever the route's own media type (FastAPI files them under
    it: /metrics' text/plain)."""
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {})
                if status != "200" and "application/json" not in content and content:
                    response["content"] = {"application/json": next(iter(content.values()))}


def _document_auth(doc: dict[str, Any], open_paths: Collection[str]) -> None:
    """The key is a bearer security scheme, not the `authorization` header parameter that the
    principal dependency reads; open paths need none (/metrics: optional)."""
    components = doc.setdefault("components", {})
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, ops in doc.get("paths", {}).items():
        for op in ops.values():
            params = [
                p
                for p in op.get("parameters", [])
                if not (p.get("in") == "header" and p.get("name", "").lower() == "authorization")
            ]
            if params:
                op["parameters"] = params
            else:
                op.pop("parameters", None)
            if path not in open_paths:
                op["security"] = [{"bearer": []}]
            elif "401" in op.get("responses", {}):
                op["security"] = [{}, {"bearer": []}]


def _declare_not_ready(doc: dict[str, Any], path: str) -> None:
    """The readiness probe's 503: the body its router declares (its report with the error),
    else the error body; with Retry-After either way."""
    responses = doc["paths"][path]["get"]["responses"]
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    declared = responses.setdefault("503", {"description": _DESCRIPTIONS[503], "content": error})
    declared["headers"] = _RETRY_AFTER


def install_openapi(app: FastAPI, open_paths: Collection[str], probe_path: str) -> None:
    """Replace app.openapi with one that builds the document above (once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
            _strip_validation_422(doc)
            _errors_in_json(doc)
            _document_auth(doc, open_paths)
            _declare_not_ready(doc, probe_path)
            app.openapi_schema = doc
        return app.openapi_schema

    builder: Callable[[], dict[str, Any]] = openapi
    app.openapi = builder  # type: ignore[method-assign]
