"""The HTTP app's error kinds, on the root in `server/engine/errors.py`.

`InvalidRequestError`, `NotFoundError` and `ConfigError` are retrieval's kinds of the same
name as well (they subclass them), so a 404 is a 404 whichever layer raised it. Statuses and
the OpenAI-shaped body are decided in one place, `server/api/errors.py`.
"""

from __future__ import annotations

from retrieval import errors as retrieval_errors
from server.engine.errors import ArserveError


# Retrieval's kind first, so it is the first of the two in the method resolution order.
class ConfigError(retrieval_errors.ConfigError, ArserveError):
    """The server's configuration cannot be used (keys file, base model...)."""


class InvalidRequestError(retrieval_errors.InvalidRequestError, ArserveError):
    """A parameter of the request is invalid."""


class NotFoundError(retrieval_errors.NotFoundError, ArserveError):
    """A model, adapter or record is unknown to the caller."""


class AuthenticationError(ArserveError):
    """No API key, or an unknown one."""


class PermissionDeniedError(ArserveError):
    """The key lacks the scope the route needs."""


class PayloadTooLargeError(ArserveError):
    """The body or the prompt is over its limit."""


class ConflictError(ArserveError):
    """The change conflicts with the current state (a second rollout on one route...)."""


class UnprocessableError(ArserveError):
    """Well-formed but refused: a gate, a failed integrity check, an ungrounded draft."""


class OverloadedError(ArserveError):
    """Too many requests in flight; retry later."""


class NotReadyError(ArserveError):
    """The server is starting or a part it needs is unavailable."""


def error_body(
    message: str, type_: str, param: str | None = None, code: str | None = None
) -> dict[str, dict[str, str | None]]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}
