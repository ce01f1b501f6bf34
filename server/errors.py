"""One error hierarchy, mapped to one OpenAI-shaped error body."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ArserveError(Exception):
    message: str
    param: str | None = None
    code: str | None = None

    status_code = 500
    type = "server_error"

    def __str__(self) -> str:
        return self.message


class ConfigError(ArserveError):
    type = "configuration_error"


class InvalidRequestError(ArserveError):
    status_code = 400
    type = "invalid_request_error"


class AuthenticationError(ArserveError):
    status_code = 401
    type = "authentication_error"


class PermissionDeniedError(ArserveError):
    status_code = 403
    type = "permission_error"


class NotFoundError(ArserveError):
    status_code = 404
    type = "not_found_error"


class PayloadTooLargeError(ArserveError):
    status_code = 413
    type = "invalid_request_error"


class UnprocessableError(ArserveError):
    status_code = 422
    type = "invalid_request_error"


class OverloadedError(ArserveError):
    status_code = 429
    type = "rate_limit_error"


class NotReadyError(ArserveError):
    status_code = 503
    type = "service_unavailable"


class EngineError(ArserveError):
    status_code = 500
    type = "server_error"


def error_body(
    message: str, type_: str, param: str | None = None, code: str | None = None
) -> dict[str, dict[str, str | None]]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}
