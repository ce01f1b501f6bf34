"""The one place exceptions become HTTP responses: an OpenAI-shaped error object."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrieval import errors as retrieval_errors
from server import errors
from server.engine import errors as engine_errors

logger = logging.getLogger(__name__)

# Status and OpenAI error type of each kind; an error takes the entry of its nearest class.
_STATUS: dict[type[Exception], tuple[int, str]] = {
    retrieval_errors.InvalidRequestError: (400, "invalid_request_error"),
    engine_errors.EngineRequestError: (400, "invalid_request_error"),
    engine_errors.AdapterLoadError: (400, "invalid_request_error"),
    errors.AuthenticationError: (401, "authentication_error"),
    errors.PermissionDeniedError: (403, "permission_error"),
    retrieval_errors.NotFoundError: (404, "not_found_error"),
    engine_errors.AdapterNotLoadedError: (404, "not_found_error"),
    errors.ConflictError: (409, "invalid_request_error"),
    errors.PayloadTooLargeError: (413, "invalid_request_error"),
    errors.UnprocessableError: (422, "invalid_request_error"),
    errors.OverloadedError: (429, "rate_limit_error"),
    errors.NotReadyError: (503, "service_unavailable"),
    engine_errors.EngineUnavailableError: (503, "service_unavailable"),
    retrieval_errors.StoreUnavailableError: (503, "service_unavailable"),
    errors.ConfigError: (500, "configuration_error"),
    engine_errors.ArserveError: (500, "server_error"),
    retrieval_errors.RetrievalError: (500, "server_error"),
}

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


def status_of(exc: Exception) -> tuple[int, str] | None:
    """The status and error type of one of our errors (None for anything else)."""
    return next((_STATUS[c] for c in type(exc).__mro__ if c in _STATUS), None)


def exception_to_response(exc: Exception) -> JSONResponse:
    """Map any exception to a status code and the error body."""
    mapped = status_of(exc)
    if mapped is not None:
        status, type_ = mapped
        if isinstance(exc, engine_errors.ArserveError):
            body = errors.error_body(exc.message, type_, exc.param, exc.code)
        else:
            # Retrieval's own errors carry a message only; a 500 does not show it.
            if status == 500:
                logger.exception("retrieval error", exc_info=exc)
            body = errors.error_body(str(exc) if status != 500 else "retrieval failed", type_)
    elif isinstance(exc, RequestValidationError):
        status = 400
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            body = errors.error_body("request body is not valid JSON", "invalid_request_error")
        else:
            param = _param_of(tuple(first.get("loc", ())))
            message = first.get("msg", "invalid request")
            text = f"{param}: {message}" if param else message
            body = errors.error_body(text, "invalid_request_error", param)
    elif isinstance(exc, StarletteHTTPException):
        status = exc.status_code
        body = errors.error_body(str(exc.detail), _HTTP_TYPES.get(status, "invalid_request_error"))
    else:
        logger.exception("unhandled error", exc_info=exc)
        status = 500
        body = errors.error_body("internal server error", "server_error")
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return exception_to_response(exc)

    for exc_type in (
        engine_errors.ArserveError,
        retrieval_errors.RetrievalError,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(exc_type, handle)
