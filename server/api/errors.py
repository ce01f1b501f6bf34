"""The one place exceptions become HTTP responses: an OpenAI-shaped error object."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrieval.errors import (
    InvalidRequestError as RetrievalInvalidRequest,
)
from retrieval.errors import (
    NotFoundError as RetrievalNotFound,
)
from retrieval.errors import (
    RetrievalError,
    StoreUnavailableError,
)
from server.errors import ArserveError, error_body

logger = logging.getLogger(__name__)

_HTTP_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    503: "service_unavailable",
}


def _param_of(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    # Drop pydantic's union-branch markers (e.g. 'str', 'list[str]', 'function-after[...]').
    parts = [p for p in parts if not any(c in p for c in "[]") and p not in ("str", "int")]
    return ".".join(parts) or None


def _retrieval_status(exc: RetrievalError) -> tuple[int, str]:
    if isinstance(exc, RetrievalNotFound):
        return 404, "not_found_error"
    if isinstance(exc, RetrievalInvalidRequest):
        return 400, "invalid_request_error"
    if isinstance(exc, StoreUnavailableError):
        return 503, "service_unavailable"
    return 500, "server_error"


def exception_to_response(exc: Exception) -> JSONResponse:
    """Map any exception to a status code and the error body."""
    if isinstance(exc, ArserveError):
        status = exc.status_code
        body = error_body(exc.message, exc.type, exc.param, exc.code)
    elif isinstance(exc, RetrievalError):
        status, type_ = _retrieval_status(exc)
        if status == 500:
            logger.exception("retrieval error", exc_info=exc)
        message = str(exc) if status != 500 else "retrieval failed"
        body = error_body(message, type_)
    elif isinstance(exc, RequestValidationError):
        status = 400
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            body = error_body("request body is not valid JSON", "invalid_request_error")
        else:
            param = _param_of(tuple(first.get("loc", ())))
            message = first.get("msg", "invalid request")
            text = f"{param}: {message}" if param else message
            body = error_body(text, "invalid_request_error", param)
    elif isinstance(exc, StarletteHTTPException):
        status = exc.status_code
        body = error_body(str(exc.detail), _HTTP_TYPES.get(status, "invalid_request_error"))
    else:
        logger.exception("unhandled error", exc_info=exc)
        status = 500
        body = error_body("internal server error", "server_error")
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return exception_to_response(exc)

    for exc_type in (
        ArserveError,
        RetrievalError,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(exc_type, handle)
